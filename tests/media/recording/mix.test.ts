// Mixing added parties into the stereo recording at the end of a call: the candidate alone on the
// left, everyone else on the right, a late leg (conference party) placed at its start; each side
// encoded as its own mono stream and the two put side by side (no coupled stereo).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergeMonoSides, mixLegsArgs, mixQueueStats, runMix, setMixConcurrency, type MixOptions } from '../../../media/recording/mix.js';
import { readOggPackets } from '../../../media/recording/ogg.js';
import { OggOpusWriter } from '../../../media/recording/ogg-opus-writer.js';
import { opusPacketSamples } from '../../../media/recording/opus-packet.js';
import { StreamMuxer } from '../../../media/recording/stream-muxer.js';
import { decodeAudio, tonePower } from '../../support/audio.js';
import { tonePackets } from '../../support/opus-packets.js';

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

/** Runs the mix (ffmpeg) and puts the two sides side by side, as finishLegFiles does. */
function mixTo(out: string, o: Omit<MixOptions, 'outFiles'>): void {
  const sides = { left: `${out}.left.ogg`, right: `${out}.right.ogg` };
  const r = spawnSync('ffmpeg', mixLegsArgs({ ...o, outFiles: sides }));
  expect(r.status, r.stderr.toString()).toBe(0);
  mergeMonoSides(sides.left, sides.right, out);
}

/** Two uncoupled mono streams (mapping family 1): no side can leak into the other. */
function expectTwoStreams(file: string): void {
  const head = readOggPackets(fs.readFileSync(file))[0]!.data;
  expect([head[9], head[18], head[19], head[20]]).toEqual([2, 1, 2, 0]);
}
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('mixLegsArgs', () => {
  it('puts the candidate left, the caller and a late third party right, each where it starts', async () => {
    const out = path.join(dir, 'call.ogg');
    mixTo(out, { left: [tone('cand.ogg', 440, 3)], right: [tone('caller.ogg', 880, 3), { file: tone('third.ogg', 660, 1.5), startMs: 1500 }], durationMs: 3000 });
    expectTwoStreams(out);
    const { channels, sampleRate: sr } = await decodeAudio(out);
    expect(channels.length).toBe(2);
    const [l, rt] = [channels[0]!, channels[1]!];
    expect(Math.abs(l.length / sr - 3)).toBeLessThan(0.06);
    const p = (ch: Float32Array, hz: number, a: number, b: number) => tonePower(ch, sr, hz, Math.round(a * sr), Math.round(b * sr));
    expect(p(l, 440, 0.2, 2.8)).toBeGreaterThan(100 * p(l, 880, 0.2, 2.8));
    expect(p(l, 440, 0.2, 2.8)).toBeGreaterThan(100 * p(l, 660, 0.2, 2.8));
    expect(p(rt, 880, 0.2, 2.8)).toBeGreaterThan(100 * p(rt, 440, 0.2, 2.8));
    // The third party only after 1.5 s, at full level (no normalisation by the number of inputs).
    expect(p(rt, 660, 1.7, 2.8)).toBeGreaterThan(100 * p(rt, 660, 0.2, 1.3));
    expect(p(rt, 660, 1.7, 2.8)).toBeGreaterThan(0.5 * p(rt, 880, 1.7, 2.8));
    // The candidate alone on the left at every instant (50 ms windows; 880 Hz is left out as it is
    // also 440's second harmonic). A side blended into the other by coupled stereo coding would be
    // there at a tenth of its level or more; coding noise stays around a hundredth.
    for (let t = 0.1; t < 2.9; t += 0.05) {
      expect(p(l, 660, t, t + 0.05)).toBeLessThan(0.02 * p(rt, 660, 2, 2.05));
      expect(p(rt, 440, t, t + 0.05)).toBeLessThan(0.02 * p(l, 440, 1, 1.05));
    }
  });

  it('takes both sides of the recording written during the call and mixes an added party into its side', async () => {
    const base = path.join(dir, 'base.ogg');
    const writer = new OggOpusWriter(base, { channels: 2 });
    const muxer = new StreamMuxer(2, (packet, samples) => writer.write(packet, samples));
    for (const [ch, hz] of [[0, 440], [1, 880]] as const) for (const pkt of tonePackets(hz, 3)) muxer.channels[ch]!.audio(pkt, opusPacketSamples(pkt));
    muxer.drain();
    muxer.finish();
    writer.close();
    const out = path.join(dir, 'with-base.ogg');
    mixTo(out, { base, left: [], right: [{ file: tone('joined.ogg', 660, 1.5), startMs: 1500 }], durationMs: 3000 });
    expectTwoStreams(out);
    const { channels, sampleRate: sr } = await decodeAudio(out);
    const [l, rt] = [channels[0]!, channels[1]!];
    const p = (ch: Float32Array, hz: number, a: number, b: number) => tonePower(ch, sr, hz, Math.round(a * sr), Math.round(b * sr));
    expect(Math.abs(l.length / sr - 3)).toBeLessThan(0.06);
    expect(p(l, 440, 0.2, 2.8)).toBeGreaterThan(0.01);
    expect(p(rt, 880, 0.2, 2.8)).toBeGreaterThan(0.01);
    expect(p(rt, 660, 1.7, 2.8)).toBeGreaterThan(100 * p(rt, 660, 0.2, 1.3));
    expect(p(l, 660, 0.2, 2.8) + p(l, 880, 0.2, 2.8)).toBeLessThan(1e-3 * p(l, 440, 0.2, 2.8));
  });

  it('pads a short side to the length of the call', async () => {
    const out = path.join(dir, 'padded.ogg');
    mixTo(out, { left: [tone('l2.ogg', 440, 2)], right: [tone('r2.ogg', 880, 1)], durationMs: 2000 });
    const { channels, sampleRate } = await decodeAudio(out);
    expect(Math.abs(channels[0]!.length / sampleRate - 2)).toBeLessThan(0.06);
  });

  it('fills a side without any leg with silence, and refuses to mix nothing', async () => {
    const out = path.join(dir, 'one-side.ogg');
    mixTo(out, { left: [], right: [tone('r3.ogg', 880, 1)], durationMs: 1000 });
    const { channels, sampleRate: sr } = await decodeAudio(out);
    expect(tonePower(channels[1]!, sr, 880, 0.1 * sr, 0.9 * sr)).toBeGreaterThan(1000 * (tonePower(channels[0]!, sr, 880, 0.1 * sr, 0.9 * sr) + 1e-12));
    expect(() => mixLegsArgs({ left: [], right: [], outFiles: { left: 'l.ogg', right: 'r.ogg' } })).toThrow(/nothing to mix/);
  });
});

describe('the mix queue', () => {
  afterAll(() => setMixConcurrency(Math.max(1, os.availableParallelism())));

  it('runs at most N mixes at once; the others wait, then all finish with their own audio', async () => {
    setMixConcurrency(2);
    const mixes = [440, 550, 660, 770, 880].map((hz, i) => ({ hz, out: path.join(dir, `queued-${i}.ogg`), left: tone(`q${i}.ogg`, hz, 1) }));
    let maxRunning = 0;
    let maxWaiting = 0;
    const sample = setInterval(() => {
      const s = mixQueueStats();
      maxRunning = Math.max(maxRunning, s.running);
      maxWaiting = Math.max(maxWaiting, s.waiting);
    }, 5);
    const done = mixes.map((m) => runMix({ left: [m.left], right: [], outFiles: { left: m.out, right: `${m.out}.right.ogg` }, durationMs: 1000 }));
    // Queued at once: two start, three wait.
    await Promise.resolve();
    const atStart = mixQueueStats();
    expect(atStart.running + atStart.waiting).toBe(5);
    expect(atStart.running).toBeLessThanOrEqual(2);
    await Promise.all(done);
    clearInterval(sample);
    expect(maxRunning).toBeLessThanOrEqual(2);
    expect(maxWaiting).toBeGreaterThanOrEqual(3);
    expect(mixQueueStats()).toEqual({ running: 0, waiting: 0, concurrency: 2 });
    for (const m of mixes) {
      const { channels, sampleRate: sr } = await decodeAudio(m.out);
      // Each file holds its own leg's tone, not a neighbour's (110 Hz away).
      const neighbour = m.hz === 880 ? 770 : m.hz + 110;
      expect(tonePower(channels[0]!, sr, m.hz, 0.1 * sr, 0.9 * sr)).toBeGreaterThan(100 * tonePower(channels[0]!, sr, neighbour, 0.1 * sr, 0.9 * sr));
    }
  });

  it('a failed mix frees its place for the next one', async () => {
    setMixConcurrency(1);
    const sides = (name: string) => ({ left: path.join(dir, `${name}.ogg`), right: path.join(dir, `${name}-right.ogg`) });
    const bad = runMix({ left: [path.join(dir, 'no-such-leg.ogg')], right: [], outFiles: sides('bad'), durationMs: 500 });
    const good = runMix({ left: [tone('after-bad.ogg', 440, 0.5)], right: [], outFiles: sides('after-bad-mix'), durationMs: 500 });
    await expect(bad).rejects.toThrow(/mixing .*bad\.ogg failed/);
    await good;
    expect(fs.statSync(path.join(dir, 'after-bad-mix.ogg')).size).toBeGreaterThan(0);
  });

  it('refuses a concurrency below 1', () => {
    expect(() => setMixConcurrency(0)).toThrow(/at least 1/);
    expect(() => setMixConcurrency(1.5)).toThrow(/at least 1/);
  });
});
