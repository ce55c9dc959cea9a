// Energy-based voice activity for one channel, frame by frame (deterministic: the same frames give
// the same segments). A frame is speech when its level is clearly above the channel's noise floor
// and above an absolute minimum; a speech segment needs `onsetFrames` speech frames in a row to
// start (a click is not talk), and a pause shorter than the hangover inside speech is bridged (the
// gaps between words are talk), but no hangover is added after the last word, so talk times are not
// inflated by a fixed tail per segment.

export interface VadConfig {
  /** Never speech below this level (dBFS of the frame's RMS). */
  absoluteMinDb: number;
  /** Speech must be this far above the noise floor. */
  marginDb: number;
  /** The adaptive threshold never rises above this (so loud steady noise cannot hide speech). */
  maxThresholdDb: number;
  /** Noise floor = the quietest frame of the last `floorWindowFrames`, tracked in blocks. */
  floorWindowFrames: number;
  floorBlockFrames: number;
  onsetFrames: number;
  hangoverFrames: number;
}

/** For 20 ms frames: floor over 10 s, onset 40 ms, hangover 300 ms. */
export const DEFAULT_VAD: Readonly<VadConfig> = Object.freeze({
  absoluteMinDb: -48,
  marginDb: 12,
  maxThresholdDb: -38,
  floorWindowFrames: 500,
  floorBlockFrames: 50,
  onsetFrames: 2,
  hangoverFrames: 15,
});

/** [first frame, end frame) of one stretch of speech. */
export type FrameSegment = [number, number];

export const SILENT_DB = -100;

/** dBFS of a frame from its sum of squared samples (full scale = 32768). */
export function frameDb(sumSquares: number, count: number): number {
  if (count === 0 || sumSquares === 0) return SILENT_DB;
  const rms = Math.sqrt(sumSquares / count) / 32768;
  return Math.max(SILENT_DB, 20 * Math.log10(rms));
}

export class ChannelVad {
  private frame = 0;
  private readonly blockMins: number[] = [];
  private blockMin = Infinity;
  private blockCount = 0;
  private run = 0; // speech frames in a row
  private open: { start: number; lastSpeech: number } | undefined;
  readonly segments: FrameSegment[] = [];

  constructor(private readonly cfg: VadConfig = DEFAULT_VAD) {}

  private floor(): number {
    const mins = this.blockCount > 0 ? [...this.blockMins, this.blockMin] : this.blockMins;
    return mins.length ? Math.min(...mins) : SILENT_DB;
  }

  threshold(): number {
    return Math.max(this.cfg.absoluteMinDb, Math.min(this.cfg.maxThresholdDb, this.floor() + this.cfg.marginDb));
  }

  push(db: number): void {
    const speech = db > this.threshold();
    this.trackFloor(db);
    const f = this.frame++;
    if (speech) {
      this.run++;
      if (this.open) this.open.lastSpeech = f;
      else if (this.run >= this.cfg.onsetFrames) this.open = { start: f - this.run + 1, lastSpeech: f };
    } else {
      this.run = 0;
      if (this.open && f - this.open.lastSpeech > this.cfg.hangoverFrames) this.close();
    }
  }

  private trackFloor(db: number): void {
    this.blockMin = Math.min(this.blockMin, db);
    if (++this.blockCount < this.cfg.floorBlockFrames) return;
    this.blockMins.push(this.blockMin);
    const keep = Math.max(1, Math.floor(this.cfg.floorWindowFrames / this.cfg.floorBlockFrames));
    if (this.blockMins.length > keep) this.blockMins.shift();
    this.blockMin = Infinity;
    this.blockCount = 0;
  }

  private close(): void {
    if (!this.open) return;
    this.segments.push([this.open.start, this.open.lastSpeech + 1]);
    this.open = undefined;
  }

  /** Closes a segment still open at the end and returns all of them. */
  finish(): FrameSegment[] {
    this.close();
    return this.segments;
  }
}

/** Total length of sorted, non-overlapping segments. */
export const segmentsLength = (s: readonly FrameSegment[]): number => s.reduce((n, [a, b]) => n + (b - a), 0);

/** Length of the overlap of two sorted lists of non-overlapping segments. */
export function overlapLength(a: readonly FrameSegment[], b: readonly FrameSegment[]): number {
  let i = 0;
  let j = 0;
  let total = 0;
  while (i < a.length && j < b.length) {
    const [a0, a1] = a[i]!;
    const [b0, b1] = b[j]!;
    const from = Math.max(a0, b0);
    const to = Math.min(a1, b1);
    if (to > from) total += to - from;
    if (a1 < b1) i++;
    else j++;
  }
  return total;
}
