// The one ffmpeg run that turns a call's leg files into its stereo recording, when the call ends:
// left = the candidate, right = everyone else (the caller; in a conference the other parties mixed).
//
// Each leg file is mono Ogg/Opus written by OggOpusWriter from the leg relay, so it is gap-free on
// the recording's clock: a leg that joined later (a conference party) starts `startMs` after t=0
// and is delayed by that much; legs of one side follow each other or overlap and are summed.
//
// Mixes go through one queue per process, at most `concurrency` ffmpeg runs at a time (default: one
// per core): a cohort hanging up together would otherwise start one ffmpeg per call at once, every
// mix slowed by all the others and memory spent on all of them. A waiting mix loses nothing: its
// legs are complete on disk before it is queued.
import { spawn } from 'node:child_process';
import os from 'node:os';
import pLimit from 'p-limit';

export interface LegFile {
  file: string;
  /** Where the leg starts on the recording's clock (0 for the legs present from the start). */
  startMs?: number;
}

export interface MixOptions {
  left: ReadonlyArray<string | LegFile>;
  right: ReadonlyArray<string | LegFile>;
  outFile: string;
  /** The call's length on the recording's clock; both sides are padded with silence or cut to it. */
  durationMs?: number;
}

const SILENCE_INPUT = '\0silence';

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
      else reject(new Error(`mixing ${o.outFile} failed (ffmpeg ${signal ? `signal ${signal}` : `code ${code}`}): ${tail.trim()}`));
    });
  });
}

export function mixLegsArgs(o: MixOptions): string[] {
  const left: LegFile[] = o.left.map(asLeg);
  const right: LegFile[] = o.right.map(asLeg);
  if (left.length === 0 && right.length === 0) throw new Error('nothing to mix: no leg on either side');
  // A side with no audio at all (e.g. the disk filled before its first page) is silence.
  const silence: LegFile = { file: SILENCE_INPUT };
  if (left.length === 0) left.push(silence);
  if (right.length === 0) right.push(silence);
  const inputs = [...left, ...right];
  const filters: string[] = [];
  inputs.forEach((leg, i) => {
    const delay = Math.max(0, Math.round(leg.startMs ?? 0));
    // Mono at 48 kHz (a leg file is mono already: then this changes nothing; a pan averaging two
    // channels would halve a mono leg), then put the leg where it starts.
    filters.push(`[${i}:a]aresample=48000,aformat=sample_rates=48000:channel_layouts=mono${delay > 0 ? `,adelay=${delay}` : ''}[in${i}]`);
  });
  const side = (from: number, count: number, label: string) => {
    if (count === 1) return `[in${from}]anull[${label}]`;
    const names = Array.from({ length: count }, (_, k) => `[in${from + k}]`).join('');
    // normalize=0: a party who speaks alone keeps their level (amix would otherwise divide by count).
    return `${names}amix=inputs=${count}:duration=longest:normalize=0[${label}]`;
  };
  filters.push(side(0, left.length, 'l0'), side(left.length, right.length, 'r0'));
  // join stops with its shortest input: make both sides last the whole call.
  const fit = o.durationMs !== undefined ? `apad=whole_dur=${(o.durationMs / 1000).toFixed(3)},atrim=end=${(o.durationMs / 1000).toFixed(3)}` : 'anull';
  filters.push(`[l0]${fit}[l]`, `[r0]${fit}[r]`);
  filters.push('[l][r]join=inputs=2:channel_layout=stereo:map=0.0-FL|1.0-FR[out]');
  return [
    '-hide_banner', '-nostats', '-loglevel', 'warning',
    ...inputs.flatMap((l) => (l.file === SILENCE_INPUT ? ['-f', 'lavfi', '-i', 'anullsrc=r=48000:cl=stereo'] : ['-i', l.file])),
    '-filter_complex', filters.join(';'),
    '-map', '[out]',
    '-c:a', 'libopus', '-b:a', '32k', '-application', 'voip', '-frame_duration', '20',
    '-f', 'ogg', '-y', o.outFile,
  ];
}
