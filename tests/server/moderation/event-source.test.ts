// Who recorded each timeline event, inside the hash chain without breaking the frozen v1 format:
// an entry stored without a source hashes to exactly today's bytes; migration 10 labels the rows
// stored before it (a forged 'identity-check' becomes browser-reported) without touching their
// hashes; new rows carry their source inside their hash; and a pack whose labels were changed
// afterwards does not verify, naming the entry.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import AdmZip from 'adm-zip';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../server/db/connection.js';
import { migrate, migrations } from '../../../server/db/migrations.js';
import { createRepositories } from '../../../server/db/repositories/index.js';
import { attemptEventHash, canonicalJson, GENESIS_HASH, legacySource, sha256Hex, verifyChain, type AttemptEventContent } from '../../../server/hash-chain.js';
import { buildModerationPack } from '../../../server/moderation/pack.js';
import { MANIFEST, timelineFile, type PackManifest, type TimelineFile } from '../../../server/moderation/pack-format.js';
import { verifyPackZip } from '../../../server/moderation/pack-verify.js';
import { evaluateAutoChecks } from '../../../server/assessment/auto-checks.js';

const SOURCE_MIGRATION = 10;
const dbs: Db[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const db of dbs.splice(0)) db.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** The v1 hash written out by hand, as packs issued before migration 10 were hashed. */
const v1Hash = (prev: string, e: Omit<AttemptEventContent, 'source' | 'sourceInChain'>) =>
  sha256Hex(
    `callmark-chain-v1:attempt_events\n${prev}\n${canonicalJson({ attemptId: e.attemptId, seq: e.seq, clientId: e.clientId, at: e.at, clientAt: e.clientAt, callId: e.callId, offsetMs: e.offsetMs, type: e.type, payload: e.payload })}`,
  );

const legacyRows = [
  { clientId: '6f1d2f63-2b8c-4f59-9d0b-3f6f1c1e1a01', type: 'search', payload: { query: 'Hughes', resultCount: 2 } },
  // What a candidate could send before: a passed identity check of their own making.
  { clientId: '6f1d2f63-2b8c-4f59-9d0b-3f6f1c1e1a02', type: 'identity-check', payload: { customerId: 1, passed: true, questions: 2, correct: 2 } },
  { clientId: 'recording:call-1', type: 'recording-finalised', payload: { callId: 'call-1', sha256: 'ab'.repeat(32) } },
];

/** A database at migration 9 holding three events stored the way the old code stored them, then migrated to now. */
function legacyDatabase(): { db: Db; hashes: string[] } {
  const db = openDatabase(':memory:');
  dbs.push(db);
  migrate(db, migrations.filter((m) => m.version < SOURCE_MIGRATION));
  const centre = db.prepare("INSERT INTO centres (name, created_at) VALUES ('C', 1)").run().lastInsertRowid;
  const candidate = db.prepare("INSERT INTO users (username, display_name, role, centre_id, password_hash, created_at, updated_at) VALUES ('cand', 'Cand', 'candidate', ?, 'x', 1, 1)").run(centre).lastInsertRowid;
  db.prepare("INSERT INTO attempts (id, centre_id, candidate_user_id, scenario_key, status, created_at) VALUES ('att-1', ?, ?, 'demo', 'open', 1000)").run(centre, candidate);
  const insert = db.prepare('INSERT INTO attempt_events (attempt_id, seq, client_id, at, client_at, call_id, offset_ms, type, payload, prev_hash, hash) VALUES (?, ?, ?, ?, ?, NULL, NULL, ?, ?, ?, ?)');
  let prev = GENESIS_HASH;
  const hashes: string[] = [];
  legacyRows.forEach((r, i) => {
    const content = { attemptId: 'att-1', seq: i + 1, clientId: r.clientId, at: 2000 + i, clientAt: 1990 + i, callId: null, offsetMs: null, type: r.type, payload: r.payload };
    const hash = v1Hash(prev, content);
    insert.run('att-1', i + 1, r.clientId, content.at, content.clientAt, r.type, JSON.stringify(r.payload), prev, hash);
    hashes.push(hash);
    prev = hash;
  });
  expect(migrate(db).applied).toEqual(migrations.filter((m) => m.version >= SOURCE_MIGRATION).map((m) => m.version));
  return { db, hashes };
}

describe('the source of an event in the hash chain', () => {
  it('an entry without a source hashes to exactly the v1 bytes; with one, to something else', () => {
    const e = { attemptId: 'a', seq: 1, clientId: 'c', at: 1, clientAt: null, callId: null, offsetMs: null, type: 'search', payload: { q: 'x' } };
    expect(attemptEventHash(GENESIS_HASH, e)).toBe(v1Hash(GENESIS_HASH, e));
    expect(attemptEventHash(GENESIS_HASH, { ...e, source: 'browser', sourceInChain: false })).toBe(v1Hash(GENESIS_HASH, e));
    const withSource = attemptEventHash(GENESIS_HASH, { ...e, source: 'browser' });
    expect(withSource).not.toBe(v1Hash(GENESIS_HASH, e));
    expect(attemptEventHash(GENESIS_HASH, { ...e, source: 'server' })).not.toBe(withSource);
  });

  it('migration 10 labels the older rows from their content and leaves every hash as it was', () => {
    const { db, hashes } = legacyDatabase();
    const repos = createRepositories(db);
    const rows = repos.attemptEvents.list('att-1');
    expect(rows.map((e) => [e.type, e.source, e.sourceInChain])).toEqual([
      ['search', 'browser', false],
      ['identity-check', 'browser', false],
      ['recording-finalised', 'server', false],
    ]);
    expect(rows.map((e) => e.hash)).toEqual(hashes);
    expect(rows.every((e) => e.source === legacySource(e))).toBe(true);
    expect(verifyChain(rows, (prev, e) => attemptEventHash(prev, e), (e) => `event ${e.seq}`)).toBeUndefined();
    // New rows chain on, with their source hashed; an insert without it is refused.
    const next = repos.attemptEvents.append('att-1', 'server:x', { at: 3000, clientAt: null, callId: null, offsetMs: null, type: 'wrap-up', payload: { code: 'MOVE' }, source: 'server' }).event;
    expect(next).toMatchObject({ prevHash: hashes[2], source: 'server', sourceInChain: true });
    expect(next.hash).toBe(attemptEventHash(hashes[2]!, { ...next, source: 'server' }));
    expect(verifyChain(repos.attemptEvents.list('att-1'), (prev, e) => attemptEventHash(prev, e), (e) => `event ${e.seq}`)).toBeUndefined();
    expect(() =>
      db.prepare("INSERT INTO attempt_events (attempt_id, seq, client_id, at, type, payload, prev_hash, hash) VALUES ('att-1', 5, 'z', 1, 'search', '{}', ?, ?)").run(next.hash, 'f'.repeat(64)),
    ).toThrow(/source inside their hash/);
    // The forged identity check of before the migration no longer earns anything.
    const suggestions = evaluateAutoChecks({
      checks: [{ kind: 'identity-before-access', criterionId: 'id' }],
      rubric: [{ criterionId: 'id', maxMarks: 1 }],
      answerKey: { identity: { accounts: ['BL100231'] } },
      call: null,
      timeline: repos.attemptEvents.list('att-1').map((e) => ({ ...e })),
      records: [{ type: 'customer', key: 'BL100231', id: 1, fields: {} }],
    });
    expect(suggestions[0]?.suggestedMarks).toBe(0);
  });

  it('a pack verifies; a label changed afterwards (manifest fixed up) does not, naming the entry', async () => {
    const { db } = legacyDatabase();
    const repos = createRepositories(db);
    repos.attemptEvents.append('att-1', 'e2b1a3f0-1d5c-4b8e-9a77-0c0d3b9c0a11', { at: 3000, clientAt: 2990, callId: null, offsetMs: null, type: 'screen-pop', payload: { number: null }, source: 'browser' });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callmark-source-'));
    dirs.push(dir);
    const { zip } = await buildModerationPack({ repos, printoutsDir: dir, now: () => 5000 }, { attemptIds: ['att-1'] }, null);
    expect(await verifyPackZip(zip)).toMatchObject({ ok: true });
    const tl = timelineFile('att-1');

    const relabel = (change: (t: TimelineFile) => void): Buffer => {
      const src = new AdmZip(zip);
      const timeline = JSON.parse(src.readAsText(tl)) as TimelineFile;
      change(timeline);
      const edited = Buffer.from(JSON.stringify(timeline, null, 2));
      const manifest = JSON.parse(src.readAsText(MANIFEST)) as PackManifest;
      const line = manifest.files.find((f) => f.path === tl)!;
      line.sha256 = sha256Hex(edited);
      line.bytes = edited.length;
      const out = new AdmZip();
      for (const e of src.getEntries()) out.addFile(e.entryName, e.entryName === tl ? edited : e.entryName === MANIFEST ? Buffer.from(JSON.stringify(manifest)) : e.getData());
      return out.toBuffer();
    };
    // A browser report relabelled as the server's own record: its hash covers the source.
    const forged = await verifyPackZip(relabel((t) => void (t.events[3]!.source = 'server')));
    expect(forged.ok).toBe(false);
    expect(forged.problems[0]).toMatchObject({ file: tl, entry: 'event 4', message: expect.stringMatching(/chain is broken.*content does not match/) });
    // Its source declared "not in the chain" to dodge that: the hash no longer matches either.
    expect((await verifyPackZip(relabel((t) => void (t.events[3]!.sourceInChain = false)))).problems[0]).toMatchObject({ entry: 'event 4' });
    // An older entry's label (not hashed) changed: its hashed content says otherwise.
    const old = await verifyPackZip(relabel((t) => void (t.events[1]!.source = 'server')));
    expect(old.ok).toBe(false);
    expect(old.problems[0]).toMatchObject({ file: tl, entry: 'event 2', message: expect.stringMatching(/stored before sources were kept/) });
    // A pack exported before sources existed (no source fields at all) still verifies.
    const legacyOnly = relabel((t) => {
      t.events = t.events.slice(0, 3);
      for (const e of t.events) {
        delete e.source;
        delete e.sourceInChain;
      }
    });
    const fixedHead = new AdmZip(legacyOnly);
    const manifest = JSON.parse(fixedHead.readAsText(MANIFEST)) as PackManifest;
    const last = (JSON.parse(fixedHead.readAsText(tl)) as TimelineFile).events[2]!;
    manifest.chains.attempts['att-1'] = { entries: 3, headSeq: 3, headHash: last.hash };
    fixedHead.updateFile(MANIFEST, Buffer.from(JSON.stringify(manifest)));
    expect((await verifyPackZip(fixedHead.toBuffer())).problems).toEqual([]);
  });
});
