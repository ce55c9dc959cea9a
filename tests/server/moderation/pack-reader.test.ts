// Reading an uploaded pack (server/moderation/pack-reader.ts) from zips written byte by byte
// (tests/support/handmade-zip.ts): every file with the size and SHA-256 node:crypto gives its
// bytes, JSON kept and nothing else, directories passed over, a path read like a buffer; and each
// limit refused with its own words exactly one byte (or one file) past it and accepted at it.
// tests/server/moderation/pack-verify-limits.test.ts sends the same hostile zips through the API
// and `npm run verify-pack`; this file is quick enough for `npm run mutation:moderation`.
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_PACK_LIMITS, PackRefused, readPackZip } from '../../../server/moderation/pack-reader.js';
import { deflated, handmadeZip, type HandmadeEntry } from '../../support/handmade-zip.js';

const MiB = 1024 * 1024;
const sha = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');
const stored = (name: string, content: Buffer | string): HandmadeEntry => {
  const data = Buffer.isBuffer(content) ? content : Buffer.from(content);
  return { name, stored: data, method: 0, crc32: zlib.crc32(data), declaredSize: data.length };
};

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** The refusal readPackZip gives (kind and message), or fails the test when it reads the zip. */
async function refusal(zip: Buffer, limits: Parameters<typeof readPackZip>[1] = {}): Promise<{ kind: string; message: string }> {
  try {
    await readPackZip(zip, limits);
  } catch (err) {
    expect(err).toBeInstanceOf(PackRefused);
    const r = err as PackRefused;
    expect(r.name).toBe('PackRefused');
    return { kind: r.kind, message: r.message };
  }
  throw new Error('the zip was read, not refused');
}

/** Sets the "encrypted" bit (general purpose flag bit 0) in every local and central header. */
function markEncrypted(zip: Buffer): Buffer {
  const out = Buffer.from(zip);
  for (let i = 0; i + 4 <= out.length; i++) {
    const sig = out.readUInt32LE(i);
    if (sig === 0x04034b50) out.writeUInt16LE(out.readUInt16LE(i + 6) | 1, i + 6);
    if (sig === 0x02014b50) out.writeUInt16LE(out.readUInt16LE(i + 8) | 1, i + 8);
  }
  return out;
}

describe('readPackZip: what it reads', () => {
  it('every file in archive order with its size and SHA-256; the content of JSON files only; directories passed over', async () => {
    const ogg = randomBytes(5000);
    const files = await readPackZip(handmadeZip([deflated('manifest.json', '{"a":1}'), stored('attempts/', ''), deflated('attempts/x/calls/c.ogg', ogg), stored('notes.json.txt', 'not json'), deflated('b.json', '[]')]));
    expect([...files.keys()]).toEqual(['manifest.json', 'attempts/x/calls/c.ogg', 'notes.json.txt', 'b.json']);
    expect(files.get('manifest.json')).toEqual({ bytes: 7, sha256: sha('{"a":1}'), data: Buffer.from('{"a":1}') });
    expect(files.get('attempts/x/calls/c.ogg')).toEqual({ bytes: 5000, sha256: sha(ogg) });
    expect(files.get('notes.json.txt')).toEqual({ bytes: 8, sha256: sha('not json') });
    expect(files.get('b.json')).toEqual({ bytes: 2, sha256: sha('[]'), data: Buffer.from('[]') });
  });

  it('an empty zip has no files; a zip on disk reads as the same zip in memory', async () => {
    expect((await readPackZip(handmadeZip([]))).size).toBe(0);
    const zip = handmadeZip([deflated('a.json', '{"x":1}'), deflated('b.bin', randomBytes(300))]);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callmark-pack-reader-'));
    dirs.push(dir);
    const file = path.join(dir, 'pack.zip');
    fs.writeFileSync(file, zip);
    expect(await readPackZip(file)).toEqual(await readPackZip(zip));
  });

  it('the default limits are the documented ones', () => {
    expect(DEFAULT_PACK_LIMITS).toEqual({ maxEntries: 50_000, maxEntryBytes: 512 * MiB, maxTotalBytes: 2 * 1024 * MiB, maxRatio: 200, maxJsonBytes: 32 * MiB, maxJsonTotalBytes: 256 * MiB });
  });
});

describe('readPackZip: what it refuses', () => {
  it('no zip at all, from memory or from disk', async () => {
    const r = await refusal(Buffer.from('this is not a zip file at all'));
    expect(r.kind).toBe('not-a-zip');
    expect(r.message).toMatch(/^not a readable zip file: ./);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callmark-pack-reader-'));
    dirs.push(dir);
    fs.writeFileSync(path.join(dir, 'x.zip'), 'nope');
    await expect(readPackZip(path.join(dir, 'x.zip'))).rejects.toMatchObject({ kind: 'not-a-zip', message: expect.stringMatching(/^not a readable zip file: ./) });
  });

  it('a central directory that ends before the entries it announces: not a readable zip', async () => {
    const zip = handmadeZip([deflated('a.json', '{}')]);
    // The end record says two entries; the directory holds one.
    const end = zip.length - 22;
    zip.writeUInt16LE(2, end + 8);
    zip.writeUInt16LE(2, end + 10);
    const r = await refusal(zip);
    expect(r.kind).toBe('not-a-zip');
    expect(r.message).toMatch(/^not a readable zip file: ./);
  });

  it('by the number of files: at the limit read, one more refused', async () => {
    const n = (count: number) => handmadeZip(Array.from({ length: count }, (_, i) => stored(`f${i}.bin`, 'x')));
    expect((await readPackZip(n(5), { maxEntries: 5 })).size).toBe(5);
    expect(await refusal(n(6), { maxEntries: 5 })).toEqual({ kind: 'limit', message: 'The pack holds 6 files; at most 5 are accepted.' });
  });

  it('by one file’s declared size', async () => {
    expect((await readPackZip(handmadeZip([stored('f.bin', Buffer.alloc(1024))]), { maxEntryBytes: 1024 })).size).toBe(1);
    expect(await refusal(handmadeZip([stored('f.bin', Buffer.alloc(1025))]), { maxEntryBytes: 1024 })).toEqual({ kind: 'limit', message: 'f.bin declares 1025 bytes, over the limit of 1024 bytes per file.' });
  });

  it('by the total of the declared sizes', async () => {
    const three = (last: number) => handmadeZip([stored('a.bin', Buffer.alloc(1000)), stored('b.bin', Buffer.alloc(1000)), stored('c.bin', Buffer.alloc(last))]);
    expect((await readPackZip(three(48), { maxTotalBytes: 2048 })).size).toBe(3);
    expect(await refusal(three(49), { maxTotalBytes: 2048 })).toEqual({ kind: 'limit', message: "The pack's files add up to more than 2048 bytes, the limit." });
  });

  it('by the ratio of declared to compressed size, for files over 1 MiB only', async () => {
    // Exactly 1 MiB of zeros (a ratio near 1000:1) is under the floor: not checked.
    expect((await readPackZip(handmadeZip([deflated('floor.ogg', Buffer.alloc(MiB))]))).get('floor.ogg')!.bytes).toBe(MiB);
    const over = deflated('bomb.ogg', Buffer.alloc(MiB + 1));
    const ratio = (MiB + 1) / over.stored.length;
    expect(ratio).toBeGreaterThan(200);
    expect(await refusal(handmadeZip([over]))).toEqual({
      kind: 'limit',
      message: `bomb.ogg declares ${MiB + 1} bytes from ${over.stored.length} compressed bytes (${Math.round(ratio)}:1), over the limit of 200:1: a zip bomb, not a moderation pack.`,
    });
    // At the limit itself it is read.
    expect((await readPackZip(handmadeZip([over]), { maxRatio: ratio })).size).toBe(1);
    // A file that declares over 1 MiB from no compressed bytes at all is measured against one byte.
    const empty: HandmadeEntry = { name: 'zero.ogg', stored: Buffer.alloc(0), method: 8, crc32: 0, declaredSize: MiB + 1 };
    expect((await refusal(handmadeZip([empty]), { maxRatio: MiB })).message).toBe(`zero.ogg declares ${MiB + 1} bytes from 0 compressed bytes (${MiB + 1}:1), over the limit of ${MiB}:1: a zip bomb, not a moderation pack.`);
  });

  it('by a JSON file’s size and by all JSON files together; other files are not held to those limits', async () => {
    const limits = { maxJsonBytes: 100, maxJsonTotalBytes: 150 };
    expect((await readPackZip(handmadeZip([stored('a.json', Buffer.alloc(100, 0x20)), stored('big.ogg', Buffer.alloc(500))]), limits)).size).toBe(2);
    expect(await refusal(handmadeZip([stored('a.json', Buffer.alloc(101, 0x20))]), limits)).toEqual({ kind: 'limit', message: 'a.json declares 101 bytes, over the limit of 100 bytes for a JSON file.' });
    expect((await readPackZip(handmadeZip([stored('a.json', Buffer.alloc(100, 0x20)), stored('b.json', Buffer.alloc(50, 0x20))]), limits)).size).toBe(2);
    expect(await refusal(handmadeZip([stored('a.json', Buffer.alloc(100, 0x20)), stored('b.json', Buffer.alloc(51, 0x20))]), limits)).toEqual({ kind: 'limit', message: "The pack's JSON files add up to more than 150 bytes, the limit." });
  });

  it('an encrypted file', async () => {
    expect(await refusal(markEncrypted(handmadeZip([deflated('a.bin', 'secret')])))).toEqual({ kind: 'limit', message: 'a.bin is encrypted; a moderation pack never is.' });
  });

  it('a name that occurs twice', async () => {
    expect(await refusal(handmadeZip([stored('manifest.json', '{}'), stored('manifest.json', '{"forged":true}')]))).toEqual({ kind: 'limit', message: 'manifest.json occurs twice in the pack.' });
  });

  it('a file that inflates to more than it declares', async () => {
    const honest = deflated('m.json', Buffer.alloc(64 * 1024, 0x41));
    expect(await refusal(handmadeZip([{ ...honest, declaredSize: 10 }]))).toEqual({ kind: 'limit', message: 'm.json inflates to more than the 10 bytes it declares.' });
  });

  it('a file whose compressed data is not deflate, or whose method is unknown: cannot be read', async () => {
    const garbage: HandmadeEntry = { name: 'g.bin', stored: Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), method: 8, crc32: 0, declaredSize: 100 };
    const r = await refusal(handmadeZip([garbage]));
    expect(r.kind).toBe('limit');
    expect(r.message).toMatch(/^g\.bin cannot be read: ./);
    expect(r.message).not.toMatch(/inflates to more/);
    const unknown = { ...stored('u.bin', 'abc'), method: 99 as unknown as 0 };
    const u = await refusal(handmadeZip([unknown]));
    expect(u.kind).toBe('limit');
    expect(u.message).toMatch(/^u\.bin cannot be read: ./);
  });
});
