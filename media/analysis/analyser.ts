// Turns a stream of stereo PCM into what moderation needs of a recording, in one pass: waveform
// peaks (one byte per channel per frame, so the player draws a 30-minute call at once without
// decoding it) and per-channel voice activity (talk, silence, overtalk). Pure and deterministic:
// the same samples always give the same result.
import { ChannelVad, DEFAULT_VAD, frameDb, overlapLength, segmentsLength, type FrameSegment, type VadConfig } from './vad.js';

/** Bump when anything here changes what is computed: stored analyses of older versions are redone. */
export const ANALYSER_VERSION = 1;

export interface AnalyserConfig {
  sampleRate: number;
  channels: number;
  /** Peaks (and voice-activity frames) per second: 50 = one per 20 ms. */
  peaksPerSecond: number;
  vad: VadConfig;
}

export const DEFAULT_ANALYSER: Readonly<AnalyserConfig> = Object.freeze({ sampleRate: 8000, channels: 2, peaksPerSecond: 50, vad: DEFAULT_VAD });

/** [fromMs, toMs) of one stretch of talk. */
export type MsSegment = [number, number];

export interface RecordingAnalysis {
  analyserVersion: number;
  sampleRate: number;
  channels: number;
  peaksPerSecond: number;
  durationMs: number;
  /** Frames of 1/peaksPerSecond s; peaks holds frames * channels bytes. */
  frames: number;
  /** Per frame, per channel (interleaved L R L R …): the largest |sample| scaled to 0..255. */
  peaks: Uint8Array;
  /** Talk per channel: index 0 = left (candidate), 1 = right (the other party). */
  talkMs: number[];
  segments: MsSegment[][];
  /** Neither channel talking. */
  silenceMs: number;
  /** Both channels talking at once (needs two channels). */
  overtalkMs: number;
}

/** Grows by doubling, so appending a byte per frame stays cheap for long calls. */
class ByteList {
  private buf = new Uint8Array(4096);
  length = 0;

  push(v: number): void {
    if (this.length === this.buf.length) {
      const next = new Uint8Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.length++] = v;
  }

  toArray(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

export class RecordingAnalyser {
  private readonly frameSize: number;
  private readonly vads: ChannelVad[];
  private readonly max: number[];
  private readonly sumSq: number[];
  private inFrame = 0;
  private frames = 0;
  private samples = 0;
  private readonly peaks = new ByteList();

  constructor(private readonly cfg: AnalyserConfig = DEFAULT_ANALYSER) {
    if (cfg.sampleRate % cfg.peaksPerSecond !== 0) throw new Error(`sampleRate ${cfg.sampleRate} must be a multiple of peaksPerSecond ${cfg.peaksPerSecond}`);
    this.frameSize = cfg.sampleRate / cfg.peaksPerSecond;
    this.vads = Array.from({ length: cfg.channels }, () => new ChannelVad(cfg.vad));
    this.max = new Array<number>(cfg.channels).fill(0);
    this.sumSq = new Array<number>(cfg.channels).fill(0);
  }

  /** Interleaved samples; any length that is a multiple of the channel count. */
  push(interleaved: Int16Array): void {
    const ch = this.cfg.channels;
    for (let i = 0; i + ch <= interleaved.length; i += ch) {
      for (let c = 0; c < ch; c++) {
        const s = interleaved[i + c]!;
        const a = s < 0 ? -s : s;
        if (a > this.max[c]!) this.max[c] = a;
        this.sumSq[c]! += s * s;
      }
      this.samples++;
      if (++this.inFrame === this.frameSize) this.endFrame();
    }
  }

  private endFrame(): void {
    for (let c = 0; c < this.cfg.channels; c++) {
      this.peaks.push(Math.min(255, Math.round((this.max[c]! * 255) / 32767)));
      this.vads[c]!.push(frameDb(this.sumSq[c]!, this.inFrame));
      this.max[c] = 0;
      this.sumSq[c] = 0;
    }
    this.frames++;
    this.inFrame = 0;
  }

  finish(): RecordingAnalysis {
    if (this.inFrame > 0) this.endFrame();
    const frameMs = 1000 / this.cfg.peaksPerSecond;
    const frameSegs: FrameSegment[][] = this.vads.map((v) => v.finish());
    const toMs = (n: number) => Math.round(n * frameMs);
    const talkFrames = frameSegs.map(segmentsLength);
    const overlap = frameSegs.length >= 2 ? overlapLength(frameSegs[0]!, frameSegs[1]!) : 0;
    // With more than two channels "silence" would need a union over all; recordings are stereo.
    const union = talkFrames.slice(0, 2).reduce((a, b) => a + b, 0) - overlap;
    return {
      analyserVersion: ANALYSER_VERSION,
      sampleRate: this.cfg.sampleRate,
      channels: this.cfg.channels,
      peaksPerSecond: this.cfg.peaksPerSecond,
      durationMs: Math.round((this.samples * 1000) / this.cfg.sampleRate),
      frames: this.frames,
      peaks: this.peaks.toArray(),
      talkMs: talkFrames.map(toMs),
      segments: frameSegs.map((segs) => segs.map(([a, b]): MsSegment => [toMs(a), toMs(b)])),
      silenceMs: toMs(this.frames - union),
      overtalkMs: toMs(overlap),
    };
  }
}
