// The pack verifier in its worker thread (server/moderation/pack-verify-thread.ts, with
// pack-verify-worker.ts and pack-verify.ts's verifyUpload): the format-1 fixture verified off the
// event loop with its manifest's SHA-256, each kind of upload that cannot be checked answered in
// words, a queue that is full refused at once, a verification that runs past its time stopped and
// the next one served by a fresh worker. verifyUpload (what the worker answers) is also called
// in this thread, where `npm run mutation:moderation` can see it.
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { PackVerifierBusy, verifyPackInWorker, type PackVerifyOutcome } from '../../../server/moderation/pack-verify-thread.js';
import { verifyUpload } from '../../../server/moderation/pack-verify.js';
import { deflated, handmadeZip, type HandmadeEntry } from '../../support/handmade-zip.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const FIXTURE = fs.readFileSync(path.join(here, 'fixtures', 'pack-v1.zip'));
/** The manifest's SHA-256 as sha256sum gave it when the fixture was made. */
const MANIFEST_SHA = fs
  .readFileSync(path.join(here, 'fixtures', 'pack-v1.sha256sums'), 'utf8')
  .split('\n')
  .find((l) => l.endsWith(' manifest.json'))!
  .split(/\s+/)[0]!;
const sha = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

function encrypted(): Buffer {
  const out = handmadeZip([deflated('a.bin', 'secret')]);
  for (let i = 0; i + 4 <= out.length; i++) {
    if (out.readUInt32LE(i) === 0x04034b50) out.writeUInt16LE(out.readUInt16LE(i + 6) | 1, i + 6);
    if (out.readUInt32LE(i) === 0x02014b50) out.writeUInt16LE(out.readUInt16LE(i + 8) | 1, i + 8);
  }
  return out;
}

/** Each kind of upload, and what the verifier answers for it (the same in this thread and in the worker). */
async function expectOutcomes(check: (zip: Buffer) => Promise<PackVerifyOutcome>): Promise<void> {
  const verified = await check(FIXTURE);
  expect(verified.kind).toBe('verified');
  if (verified.kind !== 'verified') return;
  expect(MANIFEST_SHA).toMatch(/^[0-9a-f]{64}$/);
  expect(verified.manifestSha256).toBe(MANIFEST_SHA);
  expect(verified.verification).toMatchObject({ ok: true, problems: [], checked: { files: 9, timelineEntries: 4, auditEntries: 5 } });

  // A zip with no manifest: verified (not ok), and no manifest hash to look up.
  const bare = await check(handmadeZip([deflated('hello.txt', 'hello')]));
  expect(bare).toMatchObject({ kind: 'verified', manifestSha256: null, verification: { ok: false, problems: [{ file: 'manifest.json' }] } });

  // A manifest that is not a pack's: still its hash.
  const other = await check(handmadeZip([deflated('manifest.json', '{"x":1}')]));
  expect(other).toMatchObject({ kind: 'verified', manifestSha256: sha('{"x":1}'), verification: { ok: false } });

  const notZip = await check(Buffer.from('this is not a zip file at all'));
  expect(notZip.kind).toBe('not-a-zip');
  expect(notZip.kind !== 'verified' && notZip.message).toMatch(/^not a readable zip file: ./);

  expect(await check(encrypted())).toEqual({ kind: 'limit', message: 'a.bin is encrypted; a moderation pack never is.' });
}

describe('verifyUpload (what the worker answers)', () => {
  it('verifies a pack with its manifest hash, and says why an upload cannot be checked', async () => {
    await expectOutcomes(verifyUpload);
  });
});

describe('verifyPackInWorker', () => {
  it('answers in a worker thread as verifyUpload does, for a pack and for each upload that cannot be checked', async () => {
    await expectOutcomes(verifyPackInWorker);
  });

  it('verifies a pack handed over as a slice of a larger buffer (the worker gets its own copy of the slice)', async () => {
    const pool = Buffer.concat([randomBytes(333), FIXTURE, randomBytes(777)]);
    const slice = pool.subarray(333, 333 + FIXTURE.length);
    const outcome = await verifyPackInWorker(slice);
    expect(outcome).toMatchObject({ kind: 'verified', manifestSha256: MANIFEST_SHA, verification: { ok: true } });
    // The caller's buffer is left as it was (not transferred away).
    expect(slice.equals(FIXTURE)).toBe(true);
    expect(pool.length).toBe(333 + FIXTURE.length + 777);
  });

  it('each answer goes to its own caller when several are queued', async () => {
    const bare = handmadeZip([deflated('manifest.json', '{"n":2}')]);
    const [a, b, c] = await Promise.all([verifyPackInWorker(FIXTURE), verifyPackInWorker(bare), verifyPackInWorker(Buffer.from('no zip'))]);
    expect(a).toMatchObject({ kind: 'verified', manifestSha256: MANIFEST_SHA });
    expect(b).toMatchObject({ kind: 'verified', manifestSha256: sha('{"n":2}') });
    expect(c.kind).toBe('not-a-zip');
  });

  it('with one running and four waiting, refuses the next at once, in words', async () => {
    const calls = Array.from({ length: 6 }, () => verifyPackInWorker(FIXTURE));
    const settled = await Promise.allSettled(calls);
    const refused = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as unknown] : []));
    const answered = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    // p-limit queues every call before the first starts: the first four wait, the fifth and sixth find the queue full.
    expect(answered).toHaveLength(4);
    for (const a of answered) expect(a).toMatchObject({ kind: 'verified', manifestSha256: MANIFEST_SHA });
    expect(refused).toHaveLength(2);
    for (const r of refused) {
      expect(r).toBeInstanceOf(PackVerifierBusy);
      expect(r).toMatchObject({ name: 'PackVerifierBusy', message: 'other packs are being checked; try again in a minute' });
    }
    // Once they are done, the next is served.
    expect((await verifyPackInWorker(FIXTURE)).kind).toBe('verified');
  });

  it('stops a verification that runs past its time, and the next upload gets a fresh worker', async () => {
    // 48 MiB stored (not compressed): hashing it takes the worker far longer than the 1 ms allowed.
    const data = Buffer.alloc(48 * 1024 * 1024, 0x55);
    const big: HandmadeEntry = { name: 'attempts/a/calls/b.ogg', stored: data, method: 0, crc32: zlib.crc32(data), declaredSize: data.length };
    const zip = handmadeZip([big]);
    await expect(verifyPackInWorker(zip, { timeoutMs: 1 })).rejects.toMatchObject({ name: 'PackVerifierBusy', message: 'checking the pack took longer than 0 s and was stopped' });
    expect(await verifyPackInWorker(FIXTURE)).toMatchObject({ kind: 'verified', manifestSha256: MANIFEST_SHA });
  });
});
