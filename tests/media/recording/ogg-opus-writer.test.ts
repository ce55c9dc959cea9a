// The Ogg/Opus leg writer: real Opus packets (encoded by ffmpeg) in, a file out that ffmpeg decodes
// back to the same tone and length — also when the writer never closed it (a crash).
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oggCrc, OggOpusWriter } from '../../../media/recording/ogg-opus-writer.js';
import { silencePackets } from '../../../media/recording/rtp.js';
import { decodeAudio, tonePower } from '../../support/audio.js';

/** Opus packets of a tone, as a browser would send them (20 ms, mono), captured from ffmpeg's RTP muxer. */
async function tonePackets(frequencyHz: number, seconds: number): Promise<Buffer[]> {
  const sock = dgram.createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  const packets: Buffer[] = [];
  sock.on('message', (m) => {
    if (m.length > 12 && (m[1]! & 0x7f) === 111) packets.push(Buffer.from(m.subarray(12)));
  });
  await new Promise<void>((resolve, reject) => {
    const ff = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', `sine=frequency=${frequencyHz}:sample_rate=48000:duration=${seconds}`, '-ac', '1', '-c:a', 'libopus', '-b:a', '32k', '-frame_duration', '20', '-payload_type', '111', '-f', 'rtp', `rtp://127.0.0.1:${sock.address().port}?pkt_size=1200`]);
    ff.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg exited ${code}`))));
  });
  await new Promise((r) => setTimeout(r, 100));
  sock.close();
  return packets;
}

let dir: string;
let tone: Buffer[];
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callmark-ogg-'));
  tone = await tonePackets(440, 2);
}, 20_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('oggCrc', () => {
  it('matches the Ogg CRC-32 check value (poly 0x04c11db7, no reflection)', () => {
    // CRC-32/MPEG-2 without the initial 0xffffffff and final xor is the Ogg variant; its check value for "123456789":
    expect(oggCrc(Buffer.from('123456789'))).toBe(0x89a1897f);
  });
});

describe('OggOpusWriter', () => {
  it('writes a file ffmpeg decodes to the same tone and length, silence included', async () => {
    expect(tone.length).toBeGreaterThanOrEqual(95);
    const file = path.join(dir, 'leg.ogg');
    const w = new OggOpusWriter(file);
    for (const p of tone) w.write(p);
    for (const s of silencePackets(48000)) w.write(s.payload); // one second of silence after the tone
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
    const w = new OggOpusWriter(file);
    for (const p of tone) w.write(p);
    // no close(): what is on disk is what a crash leaves
    const copy = path.join(dir, 'crashed-copy.ogg');
    fs.copyFileSync(file, copy);
    const audio = await decodeAudio(copy);
    const seconds = audio.channels[0]!.length / audio.sampleRate;
    expect(seconds).toBeGreaterThan(tone.length * 0.02 - 0.25);
    expect(seconds).toBeLessThanOrEqual(tone.length * 0.02 + 0.01);
    w.close();
  });

  it('refuses to overwrite an existing file', () => {
    const file = path.join(dir, 'exists.ogg');
    fs.writeFileSync(file, 'x');
    expect(() => new OggOpusWriter(file)).toThrow(/EEXIST/);
  });

  it('skips payloads that are not Opus packets', () => {
    const w = new OggOpusWriter(path.join(dir, 'skip.ogg'));
    w.write(Buffer.alloc(0));
    expect(w.stats.packets).toBe(0);
    w.close();
  });
});
