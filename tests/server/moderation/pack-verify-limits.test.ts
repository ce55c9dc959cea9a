// Hostile uploads to the pack verifier (SECURITY.md, finding "a 142-byte zip freezes the server"):
// zips whose entries declare huge sizes, real deflate bombs, entries that inflate to more than
// they declare, too many entries. Each is refused with a clear 400 (or exit code 2 from
// `npm run verify-pack`), and the server keeps answering while it checks.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PackRefused, readPackZip } from '../../../server/moderation/pack-reader.js';
import { deflated, handmadeZip, type HandmadeEntry } from '../../support/handmade-zip.js';
import { createTestApp, type Login, type TestApp } from '../../support/test-app.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const MiB = 1024 * 1024;

/** CRC-32 of `size` zero bytes, a mebibyte at a time (no buffer of that size, whose collection could pause this process). */
function crc32OfZeros(size: number): number {
  const chunk = Buffer.alloc(MiB);
  let crc = 0;
  for (let done = 0; done < size; done += MiB) crc = zlib.crc32(chunk.subarray(0, Math.min(MiB, size - done)), crc);
  return crc;
}

/** The finding's upload: one entry that declares `size` bytes (with the CRC of that many zeros) but stores next to nothing. */
function declaredSizeBomb(size: number): Buffer {
  const entry: HandmadeEntry = { name: 'manifest.json', stored: zlib.deflateRawSync(Buffer.alloc(0)), method: 8, crc32: crc32OfZeros(size), declaredSize: size };
  return handmadeZip([entry]);
}

let t: TestApp;
let moderator: Login;
let base: string;
beforeAll(async () => {
  t = await createTestApp();
  moderator = await t.loginAs('moderator');
  base = await t.app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await t?.close();
});

const postPack = (zip: Buffer) =>
  fetch(`${base}/api/packs/verify`, { method: 'POST', headers: { cookie: moderator.cookie, 'x-csrf-token': moderator.csrf, 'content-type': 'application/zip' }, body: new Uint8Array(zip) });

describe('POST /api/packs/verify with hostile zips', () => {
  it('refuses the declared-size zip with a clear 400, and /healthz answers within 100 ms while it is processed', async () => {
    const zip = declaredSizeBomb(256 * MiB);
    expect(zip.length).toBeLessThan(200);
    // One verification first, not measured: under the test runner the worker thread compiles its
    // TypeScript on first use (production loads compiled JavaScript), which is not what is measured.
    expect((await postPack(handmadeZip([deflated('hello.txt', 'hello')]))).status).toBe(200);
    let answered = false;
    const verify = postPack(zip).then(async (res) => {
      answered = true;
      return { status: res.status, body: (await res.json()) as { error: string; message: string } };
    });
    const latencies: number[] = [];
    // Poll until the verification has answered, and a few times after.
    for (let extra = 0; extra < 5; extra += answered ? 1 : 0) {
      const started = performance.now();
      const health = await fetch(`${base}/healthz`);
      latencies.push(performance.now() - started);
      expect(health.status).toBe(200);
    }
    const result = await verify;
    expect(result.status).toBe(400);
    expect(result.body).toMatchObject({ error: 'pack_refused', message: expect.stringMatching(/manifest\.json.*268435456 bytes.*limit/) });
    expect(Math.max(...latencies), `healthz latencies: ${latencies.map((l) => l.toFixed(1)).join(', ')} ms`).toBeLessThan(100);
  });

  it('refuses a real deflate bomb (honest sizes, absurd ratio), an entry that inflates to more than it declares, and too many entries', async () => {
    const bomb = handmadeZip([deflated('attempts/a/calls/b.ogg', Buffer.alloc(64 * MiB))]);
    const bombRes = await postPack(bomb);
    expect(bombRes.status).toBe(400);
    expect(await bombRes.json()).toMatchObject({ error: 'pack_refused', message: expect.stringMatching(/attempts\/a\/calls\/b\.ogg.*compress/) });

    const honest = deflated('manifest.json', Buffer.alloc(MiB, 0x20));
    const liar = handmadeZip([{ ...honest, declaredSize: 100, crc32: zlib.crc32(Buffer.alloc(100, 0x20)) }]);
    const liarRes = await postPack(liar);
    expect(liarRes.status).toBe(400);
    expect(await liarRes.json()).toMatchObject({ error: 'pack_refused', message: expect.stringMatching(/manifest\.json/) });

    const many = handmadeZip(Array.from({ length: 50_001 }, (_, i) => deflated(`f${i}`, '')));
    const manyRes = await postPack(many);
    expect(manyRes.status).toBe(400);
    expect(await manyRes.json()).toMatchObject({ error: 'pack_refused', message: expect.stringMatching(/50001 files.*50000/) });
  });

  it('still answers a plain non-zip upload with 400 not_a_zip', async () => {
    const res = await postPack(Buffer.from('this is not a zip file at all'));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'not_a_zip' });
  });
});

describe('readPackZip limits', () => {
  it('refuses by entry count, declared size, actual size, total size and ratio, each naming the limit', async () => {
    const files = (n: number, bytes: number) => Array.from({ length: n }, (_, i) => deflated(`f${i}.bin`, randomBytes(bytes)));
    await expect(readPackZip(handmadeZip(files(6, 10)), { maxEntries: 5 })).rejects.toThrow(/6 files.*at most 5/);
    await expect(readPackZip(handmadeZip(files(1, 2048)), { maxEntryBytes: 1024 })).rejects.toThrow(/f0\.bin.*2048 bytes.*limit of 1024/);
    await expect(readPackZip(handmadeZip(files(3, 1024)), { maxTotalBytes: 2048 })).rejects.toThrow(/more than 2048 bytes/);
    await expect(readPackZip(handmadeZip([deflated('z.json', Buffer.alloc(4 * MiB))]), { maxRatio: 100 })).rejects.toThrow(/z\.json.*compress/);
    const honest = deflated('m.json', Buffer.alloc(64 * 1024, 0x41));
    await expect(readPackZip(handmadeZip([{ ...honest, declaredSize: 10 }]))).rejects.toBeInstanceOf(PackRefused);
    // Within the limits: every file with its size and SHA-256.
    const ok = await readPackZip(handmadeZip([deflated('a.json', '{"x":1}'), deflated('b.ogg', randomBytes(5000))]));
    expect([...ok.keys()]).toEqual(['a.json', 'b.ogg']);
    expect(ok.get('a.json')).toMatchObject({ bytes: 7, data: Buffer.from('{"x":1}') });
    expect(ok.get('b.ogg')!.sha256).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('npm run verify-pack with a hostile zip', () => {
  it('exits 2 with the reason, without reading the declared size into memory', () => {
    const file = path.join(t.dir, 'bomb.zip');
    fs.writeFileSync(file, declaredSizeBomb(1024 * MiB));
    const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'scripts', 'verify-pack.ts'), file], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    expect(run.status, run.stdout + run.stderr).toBe(2);
    expect(run.stderr).toMatch(/manifest\.json.*1073741824 bytes.*limit/);
  });
});
