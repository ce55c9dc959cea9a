// The pack verifier against a pack made by the code of pack format 1 (fixtures/pack-v1.zip, made
// once, by the script at `git show 4011119:tests/server/moderation/fixtures/make-pack-v1.ts`, and never regenerated) and against every tampering of it we can
// think of: each file changed, removed or added, with the manifest left alone and with the manifest
// "fixed up" to match; timeline events cut off, appended, reordered; audit entries changed, deleted,
// reordered. Every tampered pack is built here and goes through the verifier's public entry point
// (verifyPackZip), as an upload would.
//
// What a fixed-up manifest can hide offline: a file nothing chains (sitting.json, attempt.json, a
// call's JSON, timeline.csv, a PDF) changed and re-hashed, or the manifest's own chain heads and
// counts rewritten. Only the server's record of the manifest it issued catches those
// (POST /api/packs/verify → issuedByThisServer; tests/server/moderation/pack.test.ts).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import AdmZip from 'adm-zip';
import { describe, expect, it } from 'vitest';
import { auditRowHash, type AuditEntry } from '../../../server/db/repositories/audit-log.js';
import { attemptEventHash, sha256Hex } from '../../../server/hash-chain.js';
import type { PackManifest, TimelineFile, TimelineFileEntry } from '../../../server/moderation/pack-format.js';
import { verifyPackZip } from '../../../server/moderation/pack-verify.js';
import type { PackVerification } from '../../../server/protocol/moderation.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const FIXTURE = fs.readFileSync(path.join(here, 'fixtures', 'pack-v1.zip'));
/** `sha256sum` of every file of the fixture, unzipped with unzip(1): computed without this code. */
const SUMS = new Map(
  fs
    .readFileSync(path.join(here, 'fixtures', 'pack-v1.sha256sums'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => {
      const [sum, file] = line.split(/\s+/);
      return [file!, sum!] as const;
    }),
);

type Files = Map<string, Buffer>;
const unpack = (zip: Buffer): Files => new Map(new AdmZip(zip).getEntries().map((e) => [e.entryName, e.getData()]));
const FILES = unpack(FIXTURE);
const manifestOf = (files: Files) => JSON.parse(files.get('manifest.json')!.toString('utf8')) as PackManifest;
const MANIFEST = manifestOf(FILES);
const ATTEMPT = MANIFEST.scope.attempts[0]!;
const SITTING = MANIFEST.scope.sittings[0]!;
const TIMELINE = `attempts/${ATTEMPT}/timeline.json`;
const AUDIT = 'audit-log.json';
const CALL = [...FILES.keys()].find((p) => p.endsWith('.ogg'))!.replace(/^.*\/calls\/|\.ogg$/g, '');
const RECORDING = `attempts/${ATTEMPT}/calls/${CALL}.ogg`;

const zipOf = (files: Files): Buffer => {
  const out = new AdmZip();
  for (const [p, data] of files) out.addFile(p, data);
  return out.toBuffer();
};
const verify = async (files: Files): Promise<PackVerification> => await verifyPackZip(zipOf(files));
const copy = (): Files => new Map(FILES);
const json = (v: unknown): Buffer => Buffer.from(`${JSON.stringify(v, null, 2)}\n`);

/** What a forger does after editing files: every manifest line made to match the files as they now are. */
function fixUpManifest(files: Files, edit: (m: PackManifest) => void = () => undefined): Files {
  const m = manifestOf(files);
  const present = [...files.keys()].filter((p) => p !== 'manifest.json');
  m.files = present.map((p) => ({ path: p, sha256: sha256Hex(files.get(p)!), bytes: files.get(p)!.length }));
  edit(m);
  files.set('manifest.json', json(m));
  return files;
}

const timelineOf = (files: Files) => JSON.parse(files.get(TIMELINE)!.toString('utf8')) as TimelineFile;
const auditOf = (files: Files) => JSON.parse(files.get(AUDIT)!.toString('utf8')) as AuditEntry[];
const flipByte = (b: Buffer): Buffer => {
  const c = Buffer.from(b);
  const i = Math.floor(c.length / 2);
  c[i] = c[i]! ^ 0x01;
  return c;
};
/** Re-hash a list of timeline entries from the genesis, as a forger with the (public) algorithm would. */
function rechain(events: TimelineFileEntry[]): TimelineFileEntry[] {
  let prev = '0'.repeat(64);
  return events.map((e) => {
    const hash = attemptEventHash(prev, { ...e, attemptId: ATTEMPT });
    const out = { ...e, prevHash: prev, hash };
    prev = hash;
    return out;
  });
}

function expectProblem(result: PackVerification, file: string, message: RegExp): void {
  expect(result.ok, result.summary).toBe(false);
  expect(result.problems, JSON.stringify(result.problems)).toEqual(expect.arrayContaining([expect.objectContaining({ file, message: expect.stringMatching(message) })]));
  expect(result.summary).toMatch(/^Pack NOT verified/);
}

describe('the pack made by format 1 keeps verifying', () => {
  it('verifies: every file, every timeline entry, every audit entry', async () => {
    const result = await verifyPackZip(FIXTURE);
    expect(result.problems).toEqual([]);
    expect(result).toMatchObject({ ok: true, checked: { files: 9, timelineEntries: 4, auditEntries: 5 } });
    expect(result.summary).toBe('Pack verified: 9 files, 4 timeline entries and 5 audit entries unchanged.');
    expect(result.manifest).toMatchObject({ packId: MANIFEST.packId, scope: { sittings: [SITTING], attempts: [ATTEMPT] } });
  });

  it('its manifest lists exactly the files of the zip with the SHA-256 that sha256sum gives them', () => {
    expect(SUMS.size).toBe(10);
    expect([...FILES.keys()].sort()).toEqual([...SUMS.keys()].sort());
    const listed = Object.fromEntries(MANIFEST.files.map((f) => [f.path, f.sha256]));
    const summed = Object.fromEntries([...SUMS].filter(([p]) => p !== 'manifest.json'));
    expect(listed).toEqual(summed);
    for (const f of MANIFEST.files) expect(f.bytes).toBe(FILES.get(f.path)!.length);
    // The fixture itself has not been swapped for a newer one.
    expect(sha256Hex(FILES.get('manifest.json')!)).toBe(SUMS.get('manifest.json'));
    expect(MANIFEST).toMatchObject({ format: 'callmark-moderation-pack', formatVersion: 1 });
  });

  it('its chains end where the manifest says', () => {
    const timeline = timelineOf(FILES);
    expect(timeline.events.map((e) => e.type)).toEqual(['screen-pop', 'field-changed', 'recording-finalised', 'wrap-up']);
    expect(MANIFEST.chains.attempts[ATTEMPT]).toEqual({ entries: 4, headSeq: 4, headHash: timeline.events[3]!.hash });
    // The recording's hash in the chain, and the print-out's in attempt.json, are plain SHA-256 of the files.
    expect(timeline.events[2]!.payload.sha256).toBe(SUMS.get(RECORDING));
    const attempt = JSON.parse(FILES.get(`attempts/${ATTEMPT}/attempt.json`)!.toString('utf8')) as { printouts: Array<{ file: string; sha256: string }> };
    const printout = attempt.printouts[0]!;
    expect(printout.sha256).toBe(SUMS.get(`attempts/${ATTEMPT}/printouts/${path.basename(printout.file)}`));
    expect(auditOf(FILES).map((e) => e.action)).toEqual(['sitting-created', 'sitting-started', 'attempt-started', 'mark-changed', 'mark-changed']);
  });
});

describe('each file changed, removed or added', () => {
  const paths = [...SUMS.keys()].filter((p) => p !== 'manifest.json');

  for (const p of paths) {
    it(`${p}: one byte changed`, async () => {
      const files = copy();
      files.set(p, flipByte(files.get(p)!));
      expectProblem(await verify(files), p, /altered|not valid JSON/);
    });

    it(`${p}: removed`, async () => {
      const files = copy();
      files.delete(p);
      expectProblem(await verify(files), p, /missing/);
    });

    it(`${p}: removed, and its manifest line with it`, async () => {
      const files = copy();
      files.delete(p);
      expectProblem(await verify(fixUpManifest(files)), p, /missing/);
    });
  }

  it('a file added that the manifest does not list', async () => {
    const files = copy();
    files.set(`attempts/${ATTEMPT}/notes.txt`, Buffer.from('added later'));
    expectProblem(await verify(files), `attempts/${ATTEMPT}/notes.txt`, /not in the manifest/);
  });

  it('a file added and listed in the manifest: it is no part of a pack', async () => {
    for (const extra of [`attempts/${ATTEMPT}/notes.txt`, 'readme.txt', `attempts/${ATTEMPT}/calls/00000000-0000-4000-8000-000000000000.ogg`, `sittings/${SITTING}/extra.pdf`]) {
      const files = copy();
      files.set(extra, Buffer.from('added later'));
      expectProblem(await verify(fixUpManifest(files)), extra, /not part of/);
    }
  });

  it('a whole attempt added to the pack and to the manifest’s files, but not to its scope', async () => {
    const files = copy();
    const other = '11111111-2222-4333-8444-555555555555';
    for (const [p, data] of FILES) if (p.startsWith(`attempts/${ATTEMPT}/`)) files.set(p.replace(ATTEMPT, other), data);
    expectProblem(await verify(fixUpManifest(files)), `attempts/${other}/timeline.json`, /not part of/);
  });

  it('the recording swapped for another and re-hashed in the manifest: the chain names the recording', async () => {
    const files = copy();
    files.set(RECORDING, flipByte(files.get(RECORDING)!));
    expectProblem(await verify(fixUpManifest(files)), RECORDING, /not the one whose hash the attempt's chain recorded/);
  });

  it('audit-log.json re-formatted only (same entries): still an altered file', async () => {
    const files = copy();
    files.set(AUDIT, Buffer.from(JSON.stringify(auditOf(files))));
    expectProblem(await verify(files), AUDIT, /altered/);
  });
});

describe('the manifest', () => {
  it('removed', async () => {
    const files = copy();
    files.delete('manifest.json');
    expectProblem(await verify(files), 'manifest.json', /no manifest/);
  });

  it('not JSON, or not a pack manifest', async () => {
    const files = copy();
    files.set('manifest.json', Buffer.from('{"format": '));
    expectProblem(await verify(files), 'manifest.json', /not valid JSON/);
    files.set('manifest.json', json({ ...MANIFEST, format: 'something-else' }));
    expectProblem(await verify(files), 'manifest.json', /not a callmark-moderation-pack manifest/);
  });

  it('of a format version this verifier does not know', async () => {
    const files = copy();
    files.set('manifest.json', json({ ...MANIFEST, formatVersion: 2 }));
    expectProblem(await verify(files), 'manifest.json', /format version 2/);
  });

  it('a listed hash changed: the file is reported', async () => {
    const files = copy();
    const m = manifestOf(files);
    m.files.find((f) => f.path === `attempts/${ATTEMPT}/attempt.json`)!.sha256 = '0'.repeat(64);
    files.set('manifest.json', json(m));
    expectProblem(await verify(files), `attempts/${ATTEMPT}/attempt.json`, /altered/);
  });

  it('without the attempt’s chain head, or without the audit count', async () => {
    const files = copy();
    expectProblem(await verify(fixUpManifest(files, (m) => delete m.chains.attempts[ATTEMPT])), TIMELINE, /manifest names no chain head/);
    expectProblem(await verify(fixUpManifest(copy(), (m) => delete (m.chains as Partial<PackManifest['chains']>).audit)), AUDIT, /manifest names no count/);
  });

  it('lines that are not file entries, and a scope that is not lists: problems, not a crash', async () => {
    const files = copy();
    files.set('manifest.json', json({ ...MANIFEST, files: [null, 7, ...MANIFEST.files] }));
    expectProblem(await verify(files), 'manifest.json', /file list/);
    files.set('manifest.json', json({ ...MANIFEST, scope: { sittings: SITTING, attempts: 'all' } }));
    expectProblem(await verify(files), 'manifest.json', /scope/);
  });

  it('the attempt taken out of the scope: its files are then no part of the pack', async () => {
    const files = copy();
    expectProblem(await verify(fixUpManifest(files, (m) => (m.scope.attempts = []))), TIMELINE, /not part of/);
  });

  it('a recording the chain names, gone, though the manifest does not say it is missing', async () => {
    const files = copy();
    files.delete(RECORDING);
    expectProblem(await verify(fixUpManifest(files)), RECORDING, /missing/);
  });
});

describe('timeline events', () => {
  /** The timeline replaced, and the manifest's file hashes (not its chain heads) fixed up to match. */
  const withEvents = (events: TimelineFileEntry[]): Files => {
    const files = copy();
    files.set(TIMELINE, json({ ...timelineOf(files), events }));
    return fixUpManifest(files);
  };
  const events = () => timelineOf(FILES).events;

  it('the last event cut off (manifest file hash fixed up)', async () => {
    expectProblem(await verify(withEvents(events().slice(0, -1))), TIMELINE, /manifest says 4.*cut off or added/);
  });

  it('an event appended with a valid hash (manifest file hash fixed up)', async () => {
    const all = events();
    const extra = { ...all[3]!, seq: 5, clientId: 'forged', type: 'wrap-up', payload: { code: 'SALE' } };
    expectProblem(await verify(withEvents(rechain([...all, extra]))), TIMELINE, /manifest says 4.*cut off or added/);
  });

  it('the first event cut off', async () => {
    expectProblem(await verify(withEvents(events().slice(1))), TIMELINE, /previous-hash does not match/);
  });

  it('an event taken out of the middle', async () => {
    const all = events();
    expectProblem(await verify(withEvents([all[0]!, all[2]!, all[3]!])), TIMELINE, /previous-hash does not match/);
  });

  it('two events swapped', async () => {
    const all = events();
    expectProblem(await verify(withEvents([all[0]!, all[2]!, all[1]!, all[3]!])), TIMELINE, /previous-hash does not match/);
  });

  it('an event edited', async () => {
    const all = events();
    all[1] = { ...all[1]!, payload: { ...all[1]!.payload, new: 'Harrogate' } };
    expectProblem(await verify(withEvents(all)), TIMELINE, /content does not match its hash/);
  });

  it('an event edited and the whole chain re-hashed: the head is not the manifest’s', async () => {
    const all = events();
    all[1] = { ...all[1]!, payload: { ...all[1]!.payload, new: 'Harrogate' } };
    expectProblem(await verify(withEvents(rechain(all))), TIMELINE, /manifest says 4 ending at/);
  });

  it('the recording’s hash in the chain rewritten and re-chained to match a swapped recording', async () => {
    const files = copy();
    const other = Buffer.from('OggS a different recording');
    files.set(RECORDING, other);
    const all = events();
    all[2] = { ...all[2]!, payload: { ...all[2]!.payload, sha256: sha256Hex(other) } };
    files.set(TIMELINE, json({ ...timelineOf(files), events: rechain(all) }));
    expectProblem(await verify(fixUpManifest(files)), TIMELINE, /manifest says 4 ending at/);
  });

  it('of another chain version', async () => {
    const files = copy();
    files.set(TIMELINE, json({ ...timelineOf(files), chainVersion: 2 }));
    expectProblem(await verify(fixUpManifest(files)), TIMELINE, /chain version 2/);
  });

  it('not a list, or entries that are not events: problems, not a crash', async () => {
    for (const bad of [{ events: 'none' }, { events: [null, 3] }, { events: [{ ...events()[2]!, payload: null }] }]) {
      const files = copy();
      files.set(TIMELINE, json({ ...timelineOf(files), ...bad }));
      expectProblem(await verify(fixUpManifest(files)), TIMELINE, /./);
    }
  });
});

describe('audit entries', () => {
  const withAudit = (entries: unknown, count?: number): Files => {
    const files = copy();
    files.set(AUDIT, json(entries));
    return fixUpManifest(files, (m) => {
      if (count !== undefined) m.chains.audit.entries = count;
    });
  };
  const entries = () => auditOf(FILES);

  it('an entry changed (manifest file hash fixed up)', async () => {
    const all = entries();
    all[3] = { ...all[3]!, reason: 'Nothing to see.' };
    expectProblem(await verify(withAudit(all)), AUDIT, /does not match its hash/);
  });

  it('an entry changed and re-hashed: the next entry no longer follows it', async () => {
    const all = entries();
    const { hash: _old, ...rest } = { ...all[2]!, after: { forged: true } };
    all[2] = { ...rest, hash: auditRowHash(rest) };
    expectProblem(await verify(withAudit(all)), AUDIT, /does not follow the entry before it/);
  });

  it('the last entry changed and re-hashed: it is not the audit head the manifest names', async () => {
    const all = entries();
    const { hash: _old, ...rest } = { ...all[4]!, after: { forged: true } };
    all[4] = { ...rest, hash: auditRowHash(rest) };
    expectProblem(await verify(withAudit(all)), AUDIT, /head/);
  });

  it('an entry deleted in the middle (manifest count left as it was)', async () => {
    const all = entries();
    expectProblem(await verify(withAudit([...all.slice(0, 2), ...all.slice(3)])), AUDIT, /holds 4 entries; the manifest says 5/);
  });

  it('entries reordered, or one repeated in place of another', async () => {
    const all = entries();
    expectProblem(await verify(withAudit([all[0], all[1], all[3], all[2], all[4]])), AUDIT, /order/);
    expectProblem(await verify(withAudit([all[0], all[1], all[1], all[3], all[4]])), AUDIT, /order/);
  });

  it('not a list of entries: a problem, not a crash', async () => {
    expectProblem(await verify(withAudit({ entries: [] })), AUDIT, /not a list/);
    expectProblem(await verify(withAudit([null, 1], 2)), AUDIT, /not an audit entry/);
  });
});
