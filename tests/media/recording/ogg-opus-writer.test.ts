// The Ogg Opus writer: real Opus packets (encoded by ffmpeg) in, a file out that ffmpeg decodes back
// to the same tone and length — also when the writer never closed it (a crash).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oggCrc, readOggPackets } from '../../../media/recording/ogg.js';
import { OggOpusWriter } from '../../../media/recording/ogg-opus-writer.js';
import { opusPacketSamples, silencePacket } from '../../../media/recording/opus-packet.js';
import { decodeAudio, tonePower } from '../../support/audio.js';
import { tonePackets } from '../../support/opus-packets.js';

let dir: string;
let tone: Buffer[];
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callmark-ogg-'));
  tone = tonePackets(440, 2);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('oggCrc', () => {
  it('matches the Ogg CRC-32 check value (poly 0x04c11db7, no reflection)', () => {
    // CRC-32/MPEG-2 without the initial 0xffffffff and final xor is the Ogg variant; its check value for "123456789":
    expect(oggCrc(Buffer.from('123456789'))).toBe(0x89a1897f);
  });
});

describe('OggOpusWriter', () => {
  it('writes a mono file ffmpeg decodes to the same tone and length, silence included', async () => {
    expect(tone.length).toBeGreaterThanOrEqual(95);
    const file = path.join(dir, 'leg.ogg');
    const w = new OggOpusWriter(file, { channels: 1 });
    for (const p of tone) w.write(p, opusPacketSamples(p));
    for (let i = 0; i < 50; i++) w.write(silencePacket(960), 960); // one second of silence after the tone
    w.close();
    w.close(); // twice is harmless
    const audio = await decodeAudio(file);
    const expected = tone.length * 0.02 + 1;
    expect(audio.channels.length).toBe(1);
    const samples = audio.channels[0]!;
    expect(Math.abs(samples.length / audio.sampleRate - expected)).toBeLessThan(0.05);
    const sr = audio.sampleRate;
    const tonePart = tonePower(samples, sr, 440, 0.2 * sr, 1.5 * sr);
    expect(tonePart).toBeGreaterThan(100 * tonePower(samples, sr, 880, 0.2 * sr, 1.5 * sr));
    const toneEnd = Math.floor(tone.length * 0.02 * sr);
    expect(tonePower(samples, sr, 440, toneEnd + 0.1 * sr, toneEnd + 0.9 * sr)).toBeLessThan(tonePart / 1000);
  });

  it('leaves a decodable file when never closed (a crash), missing at most the last page', async () => {
    const file = path.join(dir, 'crashed.ogg');
    const w = new OggOpusWriter(file, { channels: 1 });
    for (const p of tone) w.write(p, opusPacketSamples(p));
    // no close(): what is on disk is what a crash leaves
    const copy = path.join(dir, 'crashed-copy.ogg');
    fs.copyFileSync(file, copy);
    const audio = await decodeAudio(copy);
    const seconds = audio.channels[0]!.length / audio.sampleRate;
    expect(seconds).toBeGreaterThan(tone.length * 0.02 - 0.25);
    expect(seconds).toBeLessThanOrEqual(tone.length * 0.02 + 0.01);
    w.close();
  });

  it('writes granule positions that add up the packets, and an end-of-stream page (RFC 7845 §4)', () => {
    const file = path.join(dir, 'granule.ogg');
    const w = new OggOpusWriter(file, { channels: 1, preSkip: 312 });
    for (const p of tone.slice(0, 25)) w.write(p, opusPacketSamples(p));
    w.close();
    const packets = readOggPackets(fs.readFileSync(file));
    expect(packets).toHaveLength(27);
    expect(packets[0]!.data.readUInt16LE(10)).toBe(312); // pre-skip in OpusHead
    expect(packets.at(-1)!.granule).toBe(BigInt(25 * 960));
    const buf = fs.readFileSync(file);
    const lastPage = buf.lastIndexOf('OggS');
    expect(buf[lastPage + 5]! & 0x04).toBe(0x04);
  });

  // RFC 3533 §6: a page holds at most 255 lacing values, so a packet of 255 × 255 bytes or more goes
  // on over pages: each page after its first is flagged "continued", and a page on which no packet
  // ends has granule position -1. As native/ogg-writer.c writes it (native-pipeline.test.ts).
  it('spans a packet of 255 × 255 bytes or more over pages (continued flag, granule -1 where none ends)', () => {
    const file = path.join(dir, 'span.ogg');
    const w = new OggOpusWriter(file, { channels: 1, serial: 7 });
    const sizes = [100, 255 * 255, 300, 2 * 255 * 255 + 17, 2 * 255 * 255, 50];
    const sent = sizes.map((n, i) => Buffer.alloc(n, i + 1));
    for (const p of sent) w.write(p, 960);
    w.close();
    const buf = fs.readFileSync(file);
    const packets = readOggPackets(buf).slice(2);
    expect(packets.map((p) => p.data.length)).toEqual(sizes);
    packets.forEach((p, i) => expect(p.data.equals(sent[i]!)).toBe(true));
    const pages: Array<{ flags: number; granule: bigint; lacing: number[] }> = [];
    for (let off = 0; off < buf.length; ) {
      expect(buf.toString('latin1', off, off + 4)).toBe('OggS');
      const segments = buf[off + 26]!;
      const lacing = [...buf.subarray(off + 27, off + 27 + segments)];
      const size = 27 + segments + lacing.reduce((s, x) => s + x, 0);
      const page = Buffer.from(buf.subarray(off, off + size));
      const crc = page.readUInt32LE(22);
      page.writeUInt32LE(0, 22);
      expect(oggCrc(page)).toBe(crc);
      expect(buf.readUInt32LE(off + 18)).toBe(pages.length); // sequence numbers without gaps
      pages.push({ flags: buf[off + 5]!, granule: buf.readBigInt64LE(off + 6), lacing });
      off += size;
    }
    expect(pages.every((p) => p.lacing.length <= 255)).toBe(true);
    for (const [i, p] of pages.entries()) {
      const previousGoesOn = i > 0 && pages[i - 1]!.lacing.at(-1) === 255;
      expect(p.flags & 0x01).toBe(previousGoesOn ? 0x01 : 0);
      const endsAPacket = p.lacing.some((x) => x < 255);
      if (!endsAPacket) expect(p.granule).toBe(-1n);
    }
    expect(pages.at(-1)!.granule).toBe(BigInt(6 * 960));
    expect(pages.at(-1)!.flags & 0x04).toBe(0x04);
  });

  it('refuses to overwrite an existing file', () => {
    const file = path.join(dir, 'exists.ogg');
    fs.writeFileSync(file, 'x');
    expect(() => new OggOpusWriter(file, { channels: 1 })).toThrow(/EEXIST/);
  });
});
