// Mixing leg files into the stereo recording at the end of a call: the candidate alone on the left,
// everyone else on the right, a late leg (conference party) placed at its start.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mixLegsArgs } from '../../../media/recording/mix.js';
import { decodeAudio, tonePower } from '../../support/audio.js';

let dir: string;
const tone = (name: string, hz: number, seconds: number) => {
  const file = path.join(dir, name);
  const r = spawnSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', `sine=frequency=${hz}:sample_rate=48000:duration=${seconds}`, '-ac', '1', '-c:a', 'libopus', '-b:a', '32k', '-y', file]);
  if (r.status !== 0) throw new Error(r.stderr.toString());
  return file;
};

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callmark-mix-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('mixLegsArgs', () => {
  it('puts the candidate left, the caller and a late third party right, each where it starts', async () => {
    const out = path.join(dir, 'call.ogg');
    const args = mixLegsArgs({ left: [tone('cand.ogg', 440, 3)], right: [tone('caller.ogg', 880, 3), { file: tone('third.ogg', 660, 1.5), startMs: 1500 }], outFile: out, durationMs: 3000 });
    const r = spawnSync('ffmpeg', args);
    expect(r.status, r.stderr.toString()).toBe(0);
    const { channels, sampleRate: sr } = await decodeAudio(out);
    expect(channels.length).toBe(2);
    const [l, rt] = [channels[0]!, channels[1]!];
    expect(Math.abs(l.length / sr - 3)).toBeLessThan(0.06);
    const p = (ch: Float32Array, hz: number, a: number, b: number) => tonePower(ch, sr, hz, a * sr, b * sr);
    expect(p(l, 440, 0.2, 2.8)).toBeGreaterThan(100 * p(l, 880, 0.2, 2.8));
    expect(p(l, 440, 0.2, 2.8)).toBeGreaterThan(100 * p(l, 660, 0.2, 2.8));
    expect(p(rt, 880, 0.2, 2.8)).toBeGreaterThan(100 * p(rt, 440, 0.2, 2.8));
    // The third party only after 1.5 s, at full level (no normalisation by the number of inputs).
    expect(p(rt, 660, 1.7, 2.8)).toBeGreaterThan(100 * p(rt, 660, 0.2, 1.3));
    expect(p(rt, 660, 1.7, 2.8)).toBeGreaterThan(0.5 * p(rt, 880, 1.7, 2.8));
  });

  it('pads a short side to the length of the call', async () => {
    const out = path.join(dir, 'padded.ogg');
    const r = spawnSync('ffmpeg', mixLegsArgs({ left: [tone('l2.ogg', 440, 2)], right: [tone('r2.ogg', 880, 1)], outFile: out, durationMs: 2000 }));
    expect(r.status, r.stderr.toString()).toBe(0);
    const { channels, sampleRate } = await decodeAudio(out);
    expect(Math.abs(channels[0]!.length / sampleRate - 2)).toBeLessThan(0.06);
  });

  it('fills a side without any leg with silence, and refuses to mix nothing', async () => {
    const out = path.join(dir, 'one-side.ogg');
    const r = spawnSync('ffmpeg', mixLegsArgs({ left: [], right: [tone('r3.ogg', 880, 1)], outFile: out, durationMs: 1000 }));
    expect(r.status, r.stderr.toString()).toBe(0);
    const { channels, sampleRate: sr } = await decodeAudio(out);
    expect(tonePower(channels[1]!, sr, 880, 0.1 * sr, 0.9 * sr)).toBeGreaterThan(1000 * (tonePower(channels[0]!, sr, 880, 0.1 * sr, 0.9 * sr) + 1e-12));
    expect(() => mixLegsArgs({ left: [], right: [], outFile: 'o.ogg' })).toThrow(/nothing to mix/);
  });
});
