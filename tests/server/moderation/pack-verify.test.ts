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
import type { PackProblem, PackVerification } from '../../../server/protocol/moderation.js';

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

// The exact problems (file, entry, words) and the headline, not only that some problem names the
// file: a moderator reads these, and a verifier that names the wrong entry or adds a second,
// spurious problem is wrong too.
describe('the exact problems and the headline', () => {
  const withEvents = (events: unknown[], head?: PackManifest['chains']['attempts'][string]): Files => {
    const files = copy();
    files.set(TIMELINE, json({ ...timelineOf(files), events }));
    return fixUpManifest(files, (m) => {
      if (head) m.chains.attempts[ATTEMPT] = head;
    });
  };
  const events = () => timelineOf(FILES).events;
  const headOf = (all: TimelineFileEntry[]) => ({ entries: all.length, headSeq: all[all.length - 1]?.seq ?? null, headHash: all[all.length - 1]?.hash ?? '0'.repeat(64) });

  it('one problem with no entry: the headline is that problem, and nothing more', async () => {
    const files = copy();
    const reformatted = Buffer.from(JSON.stringify(auditOf(files)));
    files.set(AUDIT, reformatted);
    const r = await verify(files);
    const message = `was altered: its SHA-256 is not the one in the manifest (${reformatted.length} bytes now, ${FILES.get(AUDIT)!.length} at export)`;
    expect(r.problems).toEqual([{ file: AUDIT, message }]);
    expect(r.summary).toBe(`Pack NOT verified: ${AUDIT}: ${message}`);
    expect(r.ok).toBe(false);
  });

  it('a problem naming an entry, and more than one problem: both in the headline', async () => {
    const all = events();
    all[1] = { ...all[1]!, payload: { ...all[1]!.payload, new: 'Harrogate' } };
    const files = withEvents(all);
    files.set('extra.txt', Buffer.from('x'));
    const r = await verify(files);
    const broken = 'the hash chain is broken at event 2: its content does not match its hash (the entry was changed)';
    expect(r.problems).toEqual([{ file: 'extra.txt', message: 'is in the pack but not in the manifest (added after export)' }, { file: TIMELINE, entry: 'event 2', message: broken }]);
    expect(r.summary).toBe('Pack NOT verified: extra.txt: is in the pack but not in the manifest (added after export) (and 1 more problem(s))');
    const only = await verify(withEvents(all));
    expect(only.problems).toEqual([{ file: TIMELINE, entry: 'event 2', message: broken }]);
    expect(only.summary).toBe(`Pack NOT verified: ${TIMELINE} (event 2): ${broken}`);
  });

  it('three problems: the count of the others', async () => {
    const files = copy();
    for (const p of ['x.txt', 'y.txt', 'z.txt']) files.set(p, Buffer.from(p));
    expect((await verify(files)).summary).toBe('Pack NOT verified: x.txt: is in the pack but not in the manifest (added after export) (and 2 more problem(s))');
  });

  it('the timeline removed with its manifest line: one problem, from the layout, and no other', async () => {
    const files = copy();
    files.delete(TIMELINE);
    expect((await verify(fixUpManifest(files))).problems).toEqual([{ file: TIMELINE, message: 'is missing: a pack of this scope always holds it, and the manifest does not say why it is not there' }]);
  });

  it('audit-log.json removed with its manifest line: one problem, from the layout, and no other', async () => {
    const files = copy();
    files.delete(AUDIT);
    const r = await verify(fixUpManifest(files));
    expect(r.problems).toEqual([{ file: AUDIT, message: 'is missing: a pack of this scope always holds it, and the manifest does not say why it is not there' }]);
    expect(r.checked.auditEntries).toBe(0);
  });

  it('manifest.json that is not JSON: one problem', async () => {
    const files = copy();
    files.set('manifest.json', Buffer.from('{"format": '));
    const r = await verify(files);
    expect(r.problems).toEqual([{ file: 'manifest.json', message: 'manifest.json is not valid JSON' }]);
    expect(r.manifest).toBeUndefined();
  });

  it('manifest file lines with one field of the wrong type', async () => {
    const line = MANIFEST.files[0]!;
    for (const bad of [{ ...line, path: 5 }, { ...line, sha256: 5 }, { ...line, bytes: '5' }, [line.path, line.sha256, line.bytes]]) {
      const files = copy();
      files.set('manifest.json', json({ ...MANIFEST, files: [...MANIFEST.files.slice(1), bad] }));
      expect((await verify(files)).problems, JSON.stringify(bad)).toEqual([{ file: 'manifest.json', message: "the manifest's file list holds lines that are not files (path, sha256, bytes)" }]);
    }
  });

  it('a scope that is not two lists of ids, each part on its own', async () => {
    for (const scope of [null, [SITTING], { sittings: SITTING, attempts: [ATTEMPT] }, { sittings: [SITTING], attempts: ATTEMPT }, { sittings: [SITTING, 5], attempts: [ATTEMPT] }, { sittings: [SITTING] }]) {
      const files = copy();
      files.set('manifest.json', json({ ...MANIFEST, scope }));
      expect((await verify(files)).problems, JSON.stringify(scope)).toEqual([{ file: 'manifest.json', message: "the manifest's scope is not two lists of sitting and attempt ids" }]);
    }
  });

  it('timeline entries with one field of the wrong type: the entry named by its place', async () => {
    const e = events()[1]!;
    for (const bad of [{ ...e, seq: '2' }, { ...e, type: 2 }, { ...e, prevHash: 2 }, { ...e, hash: 2 }, { ...e, payload: ['x'] }, { ...e, payload: 'x' }]) {
      const all: unknown[] = events();
      all[1] = bad;
      expect((await verify(withEvents(all))).problems, JSON.stringify(bad)).toEqual([{ file: TIMELINE, entry: 'entry 2', message: 'is not a timeline event (seq, type, payload, prevHash, hash)' }]);
    }
  });

  it('audit entries with one field of the wrong type: the entry named by its place', async () => {
    const a = auditOf(FILES)[2]!;
    for (const bad of [{ ...a, id: '3' }, { ...a, hash: 3 }, { ...a, prevHash: 3 }, [a.id, a.prevHash, a.hash]]) {
      const all: unknown[] = auditOf(FILES);
      all[2] = bad;
      const files = copy();
      files.set(AUDIT, json(all));
      expect((await verify(fixUpManifest(files))).problems, JSON.stringify(bad)).toEqual([{ file: AUDIT, entry: 'entry 3', message: 'is not an audit entry (id, prevHash, hash)' }]);
    }
  });

  it('the first event cut off: named by its seq', async () => {
    const all = events().slice(1);
    expect((await verify(withEvents(all))).problems).toEqual([{ file: TIMELINE, entry: 'event 2', message: 'the hash chain is broken at event 2: its previous-hash does not match the entry before it (an entry was removed, inserted or re-ordered)' }]);
  });

  it('an event cut off at the end: both counts and both heads in the words', async () => {
    const all = events();
    const r = await verify(withEvents(all.slice(0, -1)));
    expect(r.problems).toEqual([{ file: TIMELINE, message: `the chain has 3 entries ending at ${all[2]!.hash.slice(0, 12)}, but the manifest says 4 ending at ${all[3]!.hash.slice(0, 12)} (entries were cut off or added at the end)` }]);
  });

  it('every event cut off: the chain ends at nothing', async () => {
    const all = events();
    // The recording the chain named is then no part of any chain; the files stay as exported.
    const r = await verify(withEvents([]));
    expect(r.problems).toEqual([{ file: TIMELINE, message: `the chain has 0 entries ending at nothing, but the manifest says 4 ending at ${all[3]!.hash.slice(0, 12)} (entries were cut off or added at the end)` }]);
  });

  it('an empty timeline whose manifest head says so (no entries, genesis): verified', async () => {
    const r = await verify(withEvents([], { entries: 0, headSeq: null, headHash: '0'.repeat(64) }));
    expect(r.problems).toEqual([]);
    expect(r.checked.timelineEntries).toBe(0);
  });

  it('a manifest head of the wrong shape, or no chains at all', async () => {
    for (const head of [{ entries: '4', headSeq: 4, headHash: events()[3]!.hash }, { entries: 4, headSeq: 4, headHash: 7 }, 'head']) {
      const files = copy();
      expect((await verify(fixUpManifest(files, (m) => ((m.chains.attempts as Record<string, unknown>)[ATTEMPT] = head)))).problems, JSON.stringify(head)).toEqual([
        { file: TIMELINE, message: 'the manifest names no chain head for this attempt, so events cut off or added at the end could not be found' },
      ]);
    }
    const r = await verify(fixUpManifest(copy(), (m) => delete (m as Partial<PackManifest>).chains));
    expect(r.problems).toEqual([
      { file: TIMELINE, message: 'the manifest names no chain head for this attempt, so events cut off or added at the end could not be found' },
      { file: AUDIT, message: 'the manifest names no count of audit entries, so entries removed could not be found' },
    ]);
    const noAttempts = await verify(fixUpManifest(copy(), (m) => delete (m.chains as Partial<PackManifest['chains']>).attempts));
    expect(noAttempts.problems).toEqual([{ file: TIMELINE, message: 'the manifest names no chain head for this attempt, so events cut off or added at the end could not be found' }]);
  });

  it('a recording the manifest says is missing (with why): verified; the missing list may hold lines that name no file', async () => {
    const files = copy();
    files.delete(RECORDING);
    const r = await verify(fixUpManifest(files, (m) => ((m as { missing: unknown }).missing = [null, { path: 5 }, 'x', { path: RECORDING, reason: 'deleted under the retention policy' }])));
    expect(r.problems).toEqual([]);
    expect(r.ok).toBe(true);
    // A missing list that is not a list says nothing is missing.
    const notList = await verify(fixUpManifest(copy().set(RECORDING, FILES.get(RECORDING)!), (m) => ((m as { missing: unknown }).missing = { path: RECORDING })));
    expect(notList.problems).toEqual([]);
    const gone = copy();
    gone.delete(RECORDING);
    const seq = timelineOf(FILES).events.find((e) => e.type === 'recording-finalised')!.seq;
    expect((await verify(fixUpManifest(gone, (m) => ((m as { missing: unknown }).missing = { path: RECORDING })))).problems).toEqual([
      { file: RECORDING, entry: `event ${seq}`, message: "is missing: the attempt's chain names this recording and the manifest does not say why it is not in the pack" },
    ]);
  });

  it('the recording swapped and re-hashed in the manifest: named with the chain entry', async () => {
    const files = copy();
    files.set(RECORDING, flipByte(files.get(RECORDING)!));
    const seq = timelineOf(FILES).events.find((e) => e.type === 'recording-finalised')!.seq;
    expect((await verify(fixUpManifest(files))).problems).toEqual([{ file: RECORDING, entry: `event ${seq}`, message: "the recording is not the one whose hash the attempt's chain recorded when it was finalised" }]);
  });

  it('only recording-finalised entries with a call id name a recording', async () => {
    const all = events();
    const extra = [
      { ...all[3]!, seq: 5, clientId: 'other-type', type: 'wrap-up', payload: { callId: 'ghost-call', sha256: 'ab'.repeat(32) } },
      { ...all[3]!, seq: 6, clientId: 'no-call-id', type: 'recording-finalised', payload: { callId: 5, sha256: 'ab'.repeat(32) } },
    ];
    const chained = rechain([...all, ...extra]);
    expect((await verify(withEvents(chained, headOf(chained)))).problems).toEqual([]);
  });

  it('audit entries: each problem names the entry by its id', async () => {
    const all = auditOf(FILES);
    const withAudit = (entries: unknown[]): Files => {
      const files = copy();
      files.set(AUDIT, json(entries));
      return fixUpManifest(files);
    };
    expect((await verify(withAudit([all[0], all[1], all[3], all[2], all[4]]))).problems).toEqual([
      { file: AUDIT, entry: `audit entry ${all[2]!.id}`, message: `is out of order: it comes after entry ${all[3]!.id} (entries were re-ordered or repeated)` },
    ]);
    const changed = [...all];
    changed[3] = { ...all[3]!, reason: 'Nothing to see.' };
    expect((await verify(withAudit(changed))).problems).toEqual([{ file: AUDIT, entry: `audit entry ${all[3]!.id}`, message: 'does not match its hash: it was changed after it was written' }]);
    const rehashed = [...all];
    const { hash: _old, ...rest } = { ...all[2]!, after: { forged: true } };
    rehashed[2] = { ...rest, hash: auditRowHash(rest) };
    expect((await verify(withAudit(rehashed))).problems).toEqual([{ file: AUDIT, entry: `audit entry ${all[3]!.id}`, message: 'does not follow the entry before it' }]);
    const last = [...all];
    const { hash: _l, ...lastRest } = { ...all[4]!, after: { forged: true } };
    last[4] = { ...lastRest, hash: auditRowHash(lastRest) };
    const head = MANIFEST.chains.audit.head!;
    expect((await verify(withAudit(last))).problems).toEqual([
      { file: AUDIT, entry: `audit entry ${all[4]!.id}`, message: `is not the audit log as it was at export: the manifest names entry ${head.id} (${head.hash.slice(0, 12)}) as the head then` },
    ]);
  });

  it('the audit head: an entry newer than it is refused; a head of the wrong shape is not checked; entries with gaps between ids need not link', async () => {
    const all = auditOf(FILES);
    const head = MANIFEST.chains.audit.head!;
    expect(head.id).toBe(all[4]!.id);
    // The head moved back one entry: the last entry is newer than the head.
    const older = await verify(fixUpManifest(copy(), (m) => (m.chains.audit.head = { id: all[3]!.id, hash: all[3]!.hash })));
    expect(older.problems).toEqual([{ file: AUDIT, entry: `audit entry ${all[4]!.id}`, message: `is not the audit log as it was at export: the manifest names entry ${all[3]!.id} (${all[3]!.hash.slice(0, 12)}) as the head then` }]);
    // A head without a numeric id names nothing to compare with.
    for (const bad of [{ id: String(head.id), hash: head.hash }, 'head', null]) {
      expect((await verify(fixUpManifest(copy(), (m) => ((m.chains.audit as { head: unknown }).head = bad)))).problems, JSON.stringify(bad)).toEqual([]);
    }
    // Entries 1, 2 and 4 (about other subjects, 3 is not in the pack): 2 → 4 is not a link to check.
    const gap = [all[0]!, all[1]!, all[3]!, all[4]!];
    const files = copy();
    files.set(AUDIT, json(gap));
    expect((await verify(fixUpManifest(files, (m) => (m.chains.audit.entries = 4)))).problems).toEqual([]);
  });

  it('entries removed in the middle: the count names both numbers', async () => {
    const all = auditOf(FILES);
    const files = copy();
    files.set(AUDIT, json([all[0], all[1], all[3], all[4]]));
    expect((await verify(fixUpManifest(files))).problems).toEqual([{ file: AUDIT, message: 'holds 4 entries; the manifest says 5' }]);
  });

  it('a source label changed on an entry stored before sources were kept: named, in words, both ways', async () => {
    const all = events();
    const results: PackProblem[][] = [];
    for (const source of ['server', 'browser'] as const) {
      const edited = all.map((e, i) => (i === 0 ? { ...e, source, sourceInChain: false } : e));
      results.push((await verify(withEvents(edited))).problems);
    }
    // Exactly one of the two labels is the one the entry's content implies.
    const flagged = results.filter((p) => p.length > 0);
    expect(flagged).toHaveLength(1);
    const wrong = results[0]!.length > 0 ? 'the server' : 'the browser';
    expect(flagged[0]).toEqual([{ file: TIMELINE, entry: 'event 1', message: `says it was recorded by ${wrong}, but it was stored before sources were kept and its content shows it was not (the label was changed)` }]);
    // The recording's entry (the server's by its content) labelled the browser's: the other wording.
    const recordingSeq = all.find((e) => e.type === 'recording-finalised')!.seq;
    const relabelled = all.map((e) => (e.seq === recordingSeq ? { ...e, source: 'browser' as const, sourceInChain: false } : e));
    expect((await verify(withEvents(relabelled))).problems).toEqual([
      { file: TIMELINE, entry: `event ${recordingSeq}`, message: 'says it was recorded by the browser, but it was stored before sources were kept and its content shows it was not (the label was changed)' },
    ]);
  });

  it('an upload that is no zip: a verification naming (zip); a zip past a limit: refused, not verified', async () => {
    const r = await verifyPackZip(Buffer.from('this is not a zip file at all'));
    expect(r).toEqual({ ok: false, problems: [{ file: '(zip)', message: expect.stringMatching(/^not a readable zip file: not a readable zip file: ./) as unknown }], summary: 'Pack NOT verified: the upload is not a readable zip file.', checked: { files: 0, timelineEntries: 0, auditEntries: 0 } });
    await expect(verifyPackZip(FIXTURE, { maxEntries: 3 })).rejects.toMatchObject({ name: 'PackRefused', kind: 'limit', message: 'The pack holds 10 files; at most 3 are accepted.' });
  });
});
