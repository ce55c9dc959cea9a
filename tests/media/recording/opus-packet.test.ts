// Opus packet framing without a codec: frames in, frames out, self-delimited framing (RFC 6716
// Appendix B) for the first stream of a multistream packet, and silence packets of any length.
import { describe, expect, it } from 'vitest';
import { buildOpusPacket, opusPacketSamples, parseOpusPacket, silencePacket } from '../../../media/recording/opus-packet.js';
import { splitTwoStreams } from '../../support/opus-packets.js';

const SILK_WB_20 = 9 << 3; // SILK wideband 20 ms, mono
const CELT_FB_10 = 30 << 3;
const frame = (n: number, fill: number) => Buffer.alloc(n, fill);

describe('Opus packet framing', () => {
  it('round-trips one, two equal, two unequal and many frames (codes 0-3, CBR and VBR)', () => {
    const cases: Buffer[][] = [
      [frame(40, 1)],
      [frame(30, 2), frame(30, 3)],
      [frame(30, 2), frame(300, 3)],
      [frame(20, 4), frame(20, 5), frame(20, 6)],
      [frame(20, 4), frame(260, 5), frame(7, 6)],
    ];
    for (const frames of cases) {
      const packet = buildOpusPacket(SILK_WB_20, frames);
      expect(packet[0]! & 3).toBe(frames.length === 1 ? 0 : frames.length === 2 ? (frames[0]!.length === frames[1]!.length ? 1 : 2) : 3);
      const parsed = parseOpusPacket(packet)!;
      expect(parsed.toc).toBe(SILK_WB_20);
      expect(parsed.frames.map((f) => Buffer.from(f))).toEqual(frames);
      expect(parsed.samples).toBe(960 * frames.length);
      expect(opusPacketSamples(packet)).toBe(960 * frames.length);
    }
  });

  it('writes self-delimited packets that end where their extra length says, whatever follows', () => {
    const cases: Buffer[][] = [
      [frame(40, 1)],
      [frame(300, 1)], // two-byte length (RFC 6716 §3.2.1)
      [frame(30, 2), frame(30, 3)],
      [frame(30, 2), frame(300, 3)],
      [frame(20, 4), frame(20, 5), frame(20, 6)],
      [frame(20, 4), frame(260, 5), frame(7, 6)],
    ];
    const tail = Buffer.from([0xf8, 0xff, 0xfe]);
    for (const frames of cases) {
      const sd = buildOpusPacket(SILK_WB_20, frames, true);
      const { first, second } = splitTwoStreams(Buffer.concat([sd, tail]));
      expect(first.toc).toBe(SILK_WB_20);
      expect(first.frames.map((f) => Buffer.from(f))).toEqual(frames);
      expect(second).toEqual(tail);
    }
  });

  it('refuses malformed packets (RFC 6716 §3.4)', () => {
    expect(parseOpusPacket(Buffer.alloc(0))).toBeUndefined();
    expect(parseOpusPacket(Buffer.from([SILK_WB_20 | 1, 1, 2, 3]))).toBeUndefined(); // code 1, odd length
    expect(parseOpusPacket(Buffer.from([SILK_WB_20 | 2, 10, 1]))).toBeUndefined(); // code 2, first frame too long
    expect(parseOpusPacket(Buffer.from([SILK_WB_20 | 3, 0]))).toBeUndefined(); // code 3, no frames
    expect(parseOpusPacket(Buffer.from([SILK_WB_20 | 3, 7, 1, 2, 3, 4, 5, 6, 7]))).toBeUndefined(); // 140 ms
    expect(parseOpusPacket(Buffer.from([CELT_FB_10 | 3, 3, 1, 2, 3, 4]))).toBeUndefined(); // CBR not divisible
    // code 3 with padding: the padding is not part of the frames
    const padded = parseOpusPacket(Buffer.from([CELT_FB_10 | 3, 0x40 | 2, 2, 9, 9, 0, 0]))!;
    expect(padded.frames.map((f) => [...f])).toEqual([[9], [9]]);
  });

  it('makes a silence packet of every length from 2.5 ms to 120 ms in 2.5 ms steps', () => {
    for (let samples = 120; samples <= 5760; samples += 120) {
      const p = silencePacket(samples);
      expect(opusPacketSamples(p)).toBe(samples);
      expect(parseOpusPacket(p)?.samples).toBe(samples);
      const sd = silencePacket(samples, true);
      expect(splitTwoStreams(Buffer.concat([sd, p])).second).toEqual(p);
    }
    expect(() => silencePacket(100)).toThrow();
    expect(() => silencePacket(5880)).toThrow();
  });
});
