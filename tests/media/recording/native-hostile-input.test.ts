// The native recording pipeline (media/recording/native/) on what a hostile peer can send: found by
// fuzzing its --replay mode (media/recording/native/fuzz/). Each case is a replay script fed to the
// real binary; the process must end cleanly and the file must be whole Ogg (every page checksummed,
// the last one end-of-stream) holding what was sent.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FLAG_EOS, oggCrc, readOggPackets } from '../../../media/recording/ogg.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const binary = path.join(root, 'node_modules', '.callmark', 'bin', 'callmark-rtp-receiver');

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callmark-native-hostile-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

let runs = 0;
/** Runs `lines` (the file's path goes after "open"'s numbers) through --replay; returns its events and file. */
function replay(lines: (file: string) => string[]): { events: string[]; file: Buffer } {
  const file = path.join(dir, `case-${runs++}.ogg`);
  const r = spawnSync(binary, ['--replay'], { input: lines(file).join('\n') + '\n', encoding: 'utf8', maxBuffer: 64 << 20, timeout: 20_000 });
  expect({ status: r.status, signal: r.signal, stderr: r.stderr }).toEqual({ status: 0, signal: null, stderr: '' });
  return { events: r.stdout.split('\n').filter((l) => l.length > 0), file: fs.existsSync(file) ? fs.readFileSync(file) : Buffer.alloc(0) };
}

/** Flags of every page, after checking that the pages are whole, checksummed and fill the file. */
function pageFlags(file: Buffer): number[] {
  const flags: number[] = [];
  let off = 0;
  while (off < file.length) {
    expect(file.toString('latin1', off, off + 4)).toBe('OggS');
    const segments = file[off + 26]!;
    let size = 27 + segments;
    for (let i = 0; i < segments; i++) size += file[off + 27 + i]!;
    const page = Buffer.from(file.subarray(off, off + size));
    const crc = page.readUInt32LE(22);
    page.writeUInt32LE(0, 22);
    expect(oggCrc(page)).toBe(crc);
    flags.push(file[off + 5]!);
    off += size;
  }
  expect(off).toBe(file.length);
  return flags;
}

const CELT_20MS = 31 << 3; // RFC 6716 §3.1, Table 2
const CELT_2_5MS = 28 << 3;

describe('the native recording pipeline on hostile packets', () => {
  it.skipIf(!fs.existsSync(binary))('is built (node scripts/setup.mjs)', () => expect(fs.existsSync(binary)).toBe(true));

  // An Ogg page holds at most 255 lacing values, so a packet of 255 × 255 bytes or more must span
  // pages (RFC 3533 §6). The writer wrote its lacing values past its 255-byte table (memory after it:
  // here the writer's own "closed", so the audio was silently lost; beyond it, the heap).
  it('a packet too long for one Ogg page (code 3 with 65 kB of padding) spans pages', () => {
    // RFC 6716 §3.2.5: one 20 ms CELT frame of 10 bytes, padded by 256 × 254 bytes (length bytes 255 … 0).
    const padded = Buffer.concat([Buffer.from([CELT_20MS | 3, 0x40 | 1]), Buffer.alloc(256, 255), Buffer.from([0]), Buffer.alloc(10, 7), Buffer.alloc(256 * 254)]);
    const { events, file } = replay((f) => [`open 1 0 305419896 0 0 ${f}`, 'leg 1 1 1 40000 1001 0', `pkt 1 1 10 1001 1000 ${padded.toString('hex')}`, 'stop 1 1000']);
    expect(events.at(-1)).toMatch(/^closed 1 48000 /);
    const flags = pageFlags(file);
    expect(flags.at(-1)! & FLAG_EOS).toBe(FLAG_EOS);
    const packets = readOggPackets(file).slice(2); // after OpusHead and OpusTags
    // Right channel (the last stream, as sent): the padded packet; the left one silence in front of it.
    const long = packets.filter((p) => p.data.length > 255 * 255);
    expect(long).toHaveLength(1);
    expect(long[0]!.data.subarray(-padded.length).equals(padded)).toBe(true);
  });

  it('two peers sending 120 ms packets of 48 frames of 1275 bytes (valid Opus, 122 kB a pair)', () => {
    const packet = (fill: number) => Buffer.concat([Buffer.from([CELT_2_5MS | 3, 48]), Buffer.alloc(48 * 1275, fill)]);
    const { events, file } = replay((f) => [
      `open 1 0 305419896 0 0 ${f}`,
      'leg 1 1 0 40000 1001 0',
      'leg 1 2 1 40000 1002 0',
      `pkt 1 1 120 1001 5000 ${packet(1).toString('hex')}`,
      `pkt 1 2 120 1002 9000 ${packet(2).toString('hex')}`,
      'drain 1',
      'stop 1 500',
    ]);
    expect(events.at(-1)).toMatch(/^closed 1 /);
    const flags = pageFlags(file);
    expect(flags.at(-1)! & FLAG_EOS).toBe(FLAG_EOS);
    const pairs = readOggPackets(file).filter((p) => p.data.length > 2 * 48 * 1275);
    expect(pairs).toHaveLength(1);
    expect(pairs[0]!.data.subarray(-packet(2).length).equals(packet(2))).toBe(true); // right: as sent, after the left
  });

  // A leg's first packets are held until they span 120 ms, then anchored on the earliest; each one
  // held was placed by its timestamp without the resync rule of later packets (500 ms ahead: a new
  // base). Five packets whose timestamps leap 2^31 - 1 apiece put 50 hours of silence (96 MB, seconds
  // of the receiver's only thread) into the file; a hundred, weeks.
  it('timestamps leaping ahead while a leg\'s first packets are held are resynced, not filled with silence', () => {
    const payload = Buffer.concat([Buffer.from([CELT_20MS]), Buffer.alloc(40, 0xab)]).toString('hex');
    const { events, file } = replay((f) => [
      `open 1 0 305419896 0 0 ${f}`,
      'leg 1 1 1 40000 7 0',
      ...[0, 1, 2, 3].map((i) => `pkt 1 1 ${10 + i} 7 ${(i * 0x7fffffff) % 2 ** 32} ${payload}`),
      'drain 1',
      `pkt 1 1 200 7 ${(4 * 0x7fffffff) % 2 ** 32} ${payload}`,
      'drain 1',
      'stop 1 1000',
    ]);
    expect(events.at(-1)).toMatch(/^closed 1 48000 /); // 1 s long, as the recording was
    expect(file.length).toBeLessThan(20_000);
    const stats = events.find((e) => e.startsWith('stats 1 1 '))!.split(' ').map(Number);
    expect(stats[3]).toBe(5); // received
    expect(stats[10]).toBeGreaterThan(0); // resyncs
  });
});
