// Real Opus packets for recording tests: a tone encoded by ffmpeg (libopus) into an Ogg file, read
// back packet by packet. Faster than capturing RTP in real time, and the same packets a browser's
// encoder makes (mono, fixed frame length).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readOggPackets } from '../../media/recording/ogg.js';

export function tonePackets(frequencyHz: number, seconds: number, frameMs: 10 | 20 | 40 | 60 = 20, application: 'voip' | 'audio' = 'voip'): Buffer[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callmark-opus-'));
  try {
    const file = path.join(dir, 'tone.ogg');
    const ff = spawnSync('ffmpeg', [
      '-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', `sine=frequency=${frequencyHz}:sample_rate=48000:duration=${seconds}`,
      '-ac', '1', '-c:a', 'libopus', '-b:a', '32k', '-application', application, '-frame_duration', String(frameMs), file,
    ]);
    if (ff.status !== 0) throw new Error(`ffmpeg failed: ${ff.stderr.toString()}`);
    return readOggPackets(fs.readFileSync(file)).slice(2).map((p) => p.data);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Splits an Ogg packet of a two-stream Opus file into its two Opus packets (the first self-delimited, RFC 6716 Appendix B). */
export function splitTwoStreams(packet: Buffer): { first: { toc: number; frames: Buffer[] }; second: Buffer } {
  const toc = packet[0]!;
  const code = toc & 3;
  let at = 1;
  const len = () => {
    const b = packet[at]!;
    if (b < 252) {
      at += 1;
      return b;
    }
    const n = b + 4 * packet[at + 1]!;
    at += 2;
    return n;
  };
  let sizes: number[];
  if (code === 0) sizes = [len()];
  else if (code === 1) {
    const n = len();
    sizes = [n, n];
  } else if (code === 2) {
    const a = len();
    sizes = [a, len()];
  } else {
    const count = packet[at++]! & 0x3f;
    const vbr = (packet[at - 1]! & 0x80) !== 0;
    if (!vbr) {
      const n = len();
      sizes = Array.from({ length: count }, () => n);
    } else {
      sizes = [];
      for (let i = 0; i < count; i++) sizes.push(len());
    }
  }
  const frames: Buffer[] = [];
  for (const s of sizes) {
    frames.push(packet.subarray(at, at + s));
    at += s;
  }
  return { first: { toc: toc & 0xfc, frames }, second: packet.subarray(at) };
}
