// Decodes a recording to raw PCM through an ffmpeg child process, streamed: the caller sees the
// audio chunk by chunk, so a 30-minute call never sits in memory whole. ffmpeg runs under `nice`
// with one thread: analysis is background work and must not take CPU from live calls.
import { spawn } from 'node:child_process';
import fs from 'node:fs';

export interface DecodeOptions {
  /** Output sample rate; 8000 is plenty for peaks and voice activity. */
  sampleRate: number;
  /** Output channels (the recording is stereo: left = candidate, right = the other party). */
  channels: number;
  /** Run ffmpeg at the lowest CPU priority (default true). */
  lowPriority?: boolean;
  signal?: AbortSignal;
}

const NICE = ['/usr/bin/nice', '/bin/nice'].find((p) => fs.existsSync(p));

export function decodeArgs(file: string, o: Pick<DecodeOptions, 'sampleRate' | 'channels'>): string[] {
  return [
    '-hide_banner', '-nostats', '-nostdin', '-loglevel', 'error', '-threads', '1',
    '-i', file,
    '-vn', '-ac', String(o.channels), '-ar', String(o.sampleRate),
    '-c:a', 'pcm_s16le', '-f', 's16le', 'pipe:1',
  ];
}

/**
 * Streams interleaved signed 16-bit samples to `onSamples` (each call holds whole sample frames,
 * i.e. a multiple of `channels` values). Resolves when ffmpeg has finished cleanly; rejects with
 * ffmpeg's own message otherwise.
 */
export async function decodePcm(file: string, o: DecodeOptions, onSamples: (samples: Int16Array) => void): Promise<void> {
  await fs.promises.access(file, fs.constants.R_OK);
  const args = decodeArgs(file, o);
  const lowPriority = o.lowPriority ?? true;
  const [cmd, argv] = lowPriority && NICE ? [NICE, ['-n', '19', 'ffmpeg', ...args]] : ['ffmpeg', args];
  const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'], signal: o.signal });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(code));
  });
  exited.catch(() => {});
  const frameBytes = 2 * o.channels;
  let carry: Buffer = Buffer.alloc(0);
  try {
    // Reading with for-await gives back-pressure: ffmpeg waits while a chunk is being analysed.
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      const data = carry.length ? Buffer.concat([carry, chunk]) : chunk;
      const whole = data.length - (data.length % frameBytes);
      carry = Buffer.from(data.subarray(whole));
      if (whole === 0) continue;
      // Copy into an aligned buffer: a Node Buffer may start at an odd offset of its pool.
      const samples = new Int16Array(whole / 2);
      Buffer.from(samples.buffer).set(data.subarray(0, whole));
      onSamples(samples);
    }
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  const code = await exited;
  if (code !== 0) throw new Error(`ffmpeg could not decode ${file} (exit ${String(code)}): ${stderr.trim() || 'no message'}`);
}
