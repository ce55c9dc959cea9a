// The stream muxer pairs two channels' Opus packets into two-stream Ogg packets while the call runs.
// Unit cases with synthetic packets, then real libopus packets written to a file and decoded by
// ffmpeg: each tone alone on its own channel, at every instant.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readOggPackets } from '../../../media/recording/ogg.js';
import { OggOpusWriter } from '../../../media/recording/ogg-opus-writer.js';
import { buildOpusPacket, opusPacketSamples } from '../../../media/recording/opus-packet.js';
import { StreamMuxer } from '../../../media/recording/stream-muxer.js';
import { decodeAudio, tonePower } from '../../support/audio.js';
import { splitTwoStreams, tonePackets } from '../../support/opus-packets.js';

const SILK_20 = 9 << 3;
const CELT_10 = 30 << 3;
const HYBRID_20 = 15 << 3;
const pkt = (toc: number, fill: number, frames = 1) => buildOpusPacket(toc, Array.from({ length: frames }, () => Buffer.alloc(10, fill)));

function harness() {
  const out: Array<{ packet: Buffer; samples: number }> = [];
  const muxer = new StreamMuxer(2, (packet, samples) => out.push({ packet, samples }));
  const [left, right] = muxer.channels as [NonNullable<(typeof muxer.channels)[0]>, NonNullable<(typeof muxer.channels)[1]>];
  const add = (ch: typeof left, p: Buffer) => expect(ch.audio(p, opusPacketSamples(p))).toBe(true);
  const split = () => out.map((o) => ({ ...splitTwoStreams(o.packet), samples: o.samples }));
  return { muxer, left, right, add, out, split };
}

describe('StreamMuxer', () => {
  it('pairs packets of the same length as they are, the first one self-delimited', () => {
    const h = harness();
    for (let i = 0; i < 3; i++) {
      h.add(h.left, pkt(SILK_20, i));
      h.add(h.right, pkt(HYBRID_20, 10 + i));
    }
    h.muxer.drain();
    expect(h.out.map((o) => o.samples)).toEqual([960, 960, 960]);
    h.split().forEach((p, i) => {
      expect(p.first.toc).toBe(SILK_20);
      expect([...p.first.frames[0]!]).toEqual(Array(10).fill(i));
      expect(p.second).toEqual(pkt(HYBRID_20, 10 + i));
    });
  });

  it('writes a silent packet of the same length where one side has silence, and waits for what it cannot know yet', () => {
    const h = harness();
    h.add(h.left, pkt(SILK_20, 1));
    h.muxer.drain();
    expect(h.out).toHaveLength(0); // the right side has nothing yet: it may still send
    h.right.silence(960 * 3);
    h.add(h.left, pkt(SILK_20, 2));
    h.muxer.drain();
    expect(h.out).toHaveLength(2);
    const [a] = h.split();
    expect(opusPacketSamples(a!.second)).toBe(960);
    expect(a!.second[1]).toBe(0xff); // CELT silence
    expect(h.right.stats.silenceSamples).toBe(1920);
  });

  it('joins a side’s shorter packets into one as long as the other side’s (10 ms against 20 ms)', () => {
    const h = harness();
    h.add(h.left, pkt(SILK_20, 1));
    h.add(h.right, pkt(CELT_10, 7));
    h.add(h.right, pkt(CELT_10, 8));
    h.muxer.drain();
    expect(h.out).toHaveLength(1);
    const second = h.split()[0]!.second;
    expect(opusPacketSamples(second)).toBe(960);
    expect(second[0]! & 3).toBe(1); // two equal frames
    expect(h.right.stats.joinedPackets).toBe(2);
  });

  it('never leaves out a packet that does not line up: it follows a little later, back in place after the next silence', () => {
    const h = harness();
    // Right starts 10 ms into left's 20 ms packets.
    h.right.silence(480);
    for (let i = 0; i < 5; i++) h.add(h.right, pkt(SILK_20, 20 + i));
    for (let i = 0; i < 6; i++) h.add(h.left, pkt(SILK_20, i));
    h.muxer.drain();
    expect(h.right.debt).toBe(480);
    // A pause of the right side pays the shift back.
    h.right.silence(960 * 4);
    for (let i = 0; i < 4; i++) h.left.silence(960);
    h.muxer.drain();
    h.muxer.finish();
    expect(h.right.debt).toBe(0);
    const rightAudio = h.split().filter((p) => p.second[1] !== 0xff);
    expect(rightAudio.map((p) => p.second[1])).toEqual([20, 21, 22, 23, 24]); // every packet, in order
    const leftAudio = h.split().filter((p) => p.first.frames[0]![0] !== 0xff);
    expect(leftAudio).toHaveLength(6);
    const total = h.out.reduce((s, o) => s + o.samples, 0);
    expect(total).toBe(6 * 960 + 4 * 960); // as long as the longer side (left): nothing cut, nothing added
  });

  it('finishes both sides to the same length, padding the shorter with silence', () => {
    const h = harness();
    for (let i = 0; i < 4; i++) h.add(h.left, pkt(SILK_20, i));
    h.add(h.right, pkt(SILK_20, 9));
    h.muxer.drain();
    h.muxer.finish();
    expect(h.out.reduce((s, o) => s + o.samples, 0)).toBe(4 * 960);
    expect(h.muxer.channels.every((c) => c.queued === 0)).toBe(true);
  });
});

describe('a two-stream Ogg Opus file written from real packets', () => {
  let dir: string;
  beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callmark-mux-'))));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('decodes (ffmpeg) to each tone alone on its own channel at every instant, pauses in place', async () => {
    const left = tonePackets(440, 3, 20); // 150 packets of 20 ms
    const right = tonePackets(1130, 2, 10); // 200 packets of 10 ms
    const file = path.join(dir, 'two-streams.ogg');
    const writer = new OggOpusWriter(file, { channels: 2 });
    const muxer = new StreamMuxer(2, (p, s) => writer.write(p, s));
    const [l, r] = muxer.channels as [NonNullable<(typeof muxer.channels)[0]>, NonNullable<(typeof muxer.channels)[1]>];
    // Left talks for 3 s; right is silent for 0.5 s, talks 1 s, pauses 0.5 s, talks 1 s.
    for (const p of left) l.audio(p, opusPacketSamples(p));
    r.silence(24000);
    for (const p of right.slice(0, 100)) r.audio(p, opusPacketSamples(p));
    r.silence(24000);
    for (const p of right.slice(100)) r.audio(p, opusPacketSamples(p));
    muxer.drain();
    muxer.finish();
    writer.close();

    const head = readOggPackets(fs.readFileSync(file))[0]!.data;
    expect([head[9], head[18], head[19], head[20], head[21], head[22]]).toEqual([2, 1, 2, 0, 0, 1]); // 2 ch, family 1, 2 streams, 0 coupled, L←0, R←1
    const audio = await decodeAudio(file);
    expect(audio.channels).toHaveLength(2);
    const [L, R] = audio.channels as [Float32Array, Float32Array];
    // 3 s, plus at most a few 10 ms packets whose configuration did not let them be joined: they went
    // out on their own and the left side waited for them (its "debt", unpaid as it never pauses).
    expect(Math.abs(L.length / 48000 - 3)).toBeLessThan(0.08);
    const win = (x: Float32Array, hz: number, s: number) => tonePower(x, 48000, hz, Math.round(s * 48000), Math.round((s + 0.05) * 48000));
    const level440 = win(L, 440, 1);
    const level1130 = win(R, 1130, 1);
    expect(level440).toBeGreaterThan(0.01);
    expect(level1130).toBeGreaterThan(0.01);
    for (let s = 0; s < 2.95; s += 0.05) {
      // Each party alone on its channel: the other's tone is absent from it at every instant. (The
      // bound leaves room for the channel's own coding noise; a party blended into the other channel,
      // as coupled stereo coding can do, would be there at a tenth of its level or more.)
      expect(win(L, 1130, s)).toBeLessThan(level1130 * 0.02);
      expect(win(R, 440, s)).toBeLessThan(level440 * 0.02);
    }
    // Right's silences are where they were put.
    for (const s of [0.1, 0.3, 1.6, 1.85]) expect(win(R, 1130, s)).toBeLessThan(level1130 * 0.01);
    for (const s of [0.7, 1.2, 2.2, 2.7]) expect(win(R, 1130, s)).toBeGreaterThan(level1130 * 0.3);
  });
});
