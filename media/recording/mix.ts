// The one ffmpeg run for a call with added parties (a conference party, or a transfer target while
// the side's first party was still there): left = the candidate, right = everyone else mixed.
//
// Inputs: the stereo recording written during the call (`base`: its left channel and its right
// channel), and each added party's mono leg file, which begins `startMs` after t=0. ffmpeg decodes
// them, sums the legs of each side, and encodes each side as its OWN mono Opus file; those two are
// then put side by side, packet by packet, as the two uncoupled streams of the final stereo file
// (mergeMonoSides, no second encoding). A coupled stereo encode would code mid/side and intensity
// stereo at speech bitrates and could put one side's voice faintly into the other.
//
// Mixes go through one queue per process, at most `concurrency` ffmpeg runs at a time (default: one
// per core): a cohort hanging up together would otherwise start one ffmpeg per call at once. A
// waiting mix loses nothing: its inputs are complete on disk before it is queued.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import pLimit from 'p-limit';
import { readOggPackets } from './ogg.js';
import { OggOpusWriter } from './ogg-opus-writer.js';
import { opusPacketSamples } from './opus-packet.js';
import { StreamMuxer } from './stream-muxer.js';

export interface LegFile {
  file: string;
  /** Where the leg starts on the recording's clock (0 for the legs present from the start). */
  startMs?: number;
}

export interface MixOptions {
  /** The stereo recording written during the call, if any: its channels are the first leg of each side. */
  base?: string;
  left: ReadonlyArray<string | LegFile>;
  right: ReadonlyArray<string | LegFile>;
  /** Where each side goes, as a mono Ogg Opus file. */
  outFiles: { left: string; right: string };
  /** The call's length on the recording's clock; both sides are padded with silence or cut to it. */
  durationMs?: number;
}

const asLeg = (l: string | LegFile): LegFile => (typeof l === 'string' ? { file: l, startMs: 0 } : l);

const mixLimit = pLimit(Math.max(1, os.availableParallelism()));

/** How many mixes may run at once in this process (CALLMARK_MIX_CONCURRENCY); at least 1. */
export function setMixConcurrency(concurrency: number): void {
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`mix concurrency must be a whole number of at least 1 (got ${concurrency})`);
  mixLimit.concurrency = concurrency;
}

/** Mixes running now and mixes waiting for a turn (for /metrics and the benchmark). */
export function mixQueueStats(): { running: number; waiting: number; concurrency: number } {
  return { running: mixLimit.activeCount, waiting: mixLimit.pendingCount, concurrency: mixLimit.concurrency };
}

/** Runs the mix when its turn in the queue comes; rejects with the end of ffmpeg's messages if it fails. */
export function runMix(o: MixOptions): Promise<void> {
  return mixLimit(() => runMixNow(o));
}

function runMixNow(o: MixOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const ff = spawn('ffmpeg', mixLegsArgs(o), { stdio: ['ignore', 'ignore', 'pipe'] });
    let tail = '';
    ff.stderr.on('data', (d: Buffer) => (tail = (tail + d.toString()).slice(-2000)));
    ff.once('error', reject);
    ff.once('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`mixing ${o.outFiles.left} failed (ffmpeg ${signal ? `signal ${signal}` : `code ${code}`}): ${tail.trim()}`));
    });
  });
}

export function mixLegsArgs(o: MixOptions): string[] {
  const inputs: string[] = [];
  const filters: string[] = [];
  const sides: Record<'left' | 'right', string[]> = { left: [], right: [] };
  if (o.base) {
    inputs.push(o.base);
    // The base's channels are separate streams: split them, each as mono.
    filters.push('[0:a]aresample=48000,channelsplit=channel_layout=stereo[bl][br]');
    sides.left.push('[bl]');
    sides.right.push('[br]');
  }
  for (const side of ['left', 'right'] as const) {
    for (const leg of o[side].map(asLeg)) {
      const i = inputs.push(leg.file) - 1;
      const delay = Math.max(0, Math.round(leg.startMs ?? 0));
      const label = `[in${i}]`;
      // Mono at 48 kHz, then put the leg where it starts.
      filters.push(`[${i}:a]aresample=48000,aformat=sample_rates=48000:channel_layouts=mono${delay > 0 ? `,adelay=${delay}` : ''}${label}`);
      sides[side].push(label);
    }
  }
  if (inputs.length === 0) throw new Error('nothing to mix: no leg on either side');
  const fit = o.durationMs !== undefined ? `apad=whole_dur=${(o.durationMs / 1000).toFixed(3)},atrim=end=${(o.durationMs / 1000).toFixed(3)}` : 'anull';
  for (const side of ['left', 'right'] as const) {
    const ins = sides[side];
    // A side with no audio at all is silence (as long as the call, or as the longest other input).
    if (ins.length === 0) filters.push(`anullsrc=r=48000:cl=mono,atrim=end=${((o.durationMs ?? 0) / 1000 || 0.02).toFixed(3)}[${side}0]`);
    // normalize=0: a party who speaks alone keeps their level (amix would otherwise divide by count).
    else if (ins.length === 1) filters.push(`${ins[0]}anull[${side}0]`);
    else filters.push(`${ins.join('')}amix=inputs=${ins.length}:duration=longest:normalize=0[${side}0]`);
    filters.push(`[${side}0]${fit}[${side}]`);
  }
  const encode = ['-c:a', 'libopus', '-b:a', '24k', '-application', 'voip', '-frame_duration', '20', '-ac', '1', '-f', 'ogg', '-y'];
  return [
    '-hide_banner', '-nostats', '-loglevel', 'warning',
    ...inputs.flatMap((f) => ['-i', f]),
    '-filter_complex', filters.join(';'),
    '-map', '[left]', ...encode, o.outFiles.left,
    '-map', '[right]', ...encode, o.outFiles.right,
  ];
}

/**
 * Puts two mono Ogg Opus files side by side as the two streams of one stereo file (mapping family
 * 1, uncoupled; see ogg.ts), packet by packet, without decoding. Both must come from the same
 * encoder settings (same pre-skip).
 */
export function mergeMonoSides(leftFile: string, rightFile: string, outFile: string): void {
  const read = (file: string) => {
    const packets = readOggPackets(fs.readFileSync(file));
    const head = packets[0]?.data;
    if (!head || head.toString('latin1', 0, 8) !== 'OpusHead' || head[9] !== 1) throw new Error(`${file} is not a mono Ogg Opus file`);
    return { preSkip: head.readUInt16LE(10), audio: packets.slice(2).map((p) => p.data), lastGranule: packets.at(-1)?.granule ?? -1n };
  };
  const left = read(leftFile);
  const right = read(rightFile);
  if (left.preSkip !== right.preSkip) throw new Error(`the two sides have different pre-skips (${left.preSkip}, ${right.preSkip})`);
  fs.rmSync(outFile, { force: true });
  const writer = new OggOpusWriter(outFile, { channels: 2, preSkip: left.preSkip });
  try {
    const muxer = new StreamMuxer(2, (packet, samples) => writer.write(packet, samples));
    const feed = (channel: number, packets: Buffer[]) => {
      for (const p of packets) muxer.channels[channel]!.audio(p, opusPacketSamples(p));
    };
    feed(0, left.audio);
    feed(1, right.audio);
    muxer.drain();
    muxer.finish();
  } finally {
    writer.close();
  }
}
