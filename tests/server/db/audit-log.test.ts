// Migration 6's evidence tables: the audit log is append-only and hash-chained (one writer, in the
// caller's transaction; a fork or an edit is refused or found), bookmarks are append-only, and a
// sitting's rest breaks allow only one open break.
import { describe, expect, it } from 'vitest';
import type { Db } from '../../../server/db/connection.js';
import { auditRowHash, canonicalJson, GENESIS_HASH, verifyAuditChain } from '../../../server/db/repositories/audit-log.js';
import type { Repositories } from '../../../server/db/repositories/index.js';
import { useMemoryRepositories } from '../../support/memory-db.js';

const memoryRepositories = useMemoryRepositories();

function setup(): { db: Db; repos: Repositories; userId: number; centreId: number } {
  const { db, repos } = memoryRepositories();
  const centreId = repos.centres.create({ name: 'C' }).id;
  const userId = repos.users.create({ username: 'a', displayName: 'A', role: 'assessor', centreId, passwordHash: 'x' }).id;
  return { db, repos, userId, centreId };
}

describe('canonical JSON', () => {
  it('sorts keys at every level and leaves out undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: null, y: 'é' }], c: undefined } })).toBe('{"a":{"d":[2,{"y":"é","z":null}]},"b":1}');
    expect(() => canonicalJson({ n: Number.NaN })).toThrow(/finite/);
  });
});

describe('audit_log', () => {
  it('chains rows from the genesis hash and verifies', () => {
    const { repos, userId, centreId } = setup();
    const rows = repos.transaction(() => [
      repos.auditLog.append({ at: 1, actor: { userId, role: 'assessor' }, centreId, action: 'sitting-created', subjectType: 'sitting', subjectId: 's-1', after: { keys: ['s1'] } }),
      repos.auditLog.append({ at: 2, actor: null, centreId: null, action: 'mark-changed', subjectType: 'attempt', subjectId: 'a-1', before: { mark: 1 }, after: { mark: 0 }, reason: 'Listened again.' }),
    ]);
    expect(rows[0]!.prevHash).toBe(GENESIS_HASH);
    expect(rows[1]!.prevHash).toBe(rows[0]!.hash);
    const { hash, ...rest } = rows[1]!;
    expect(auditRowHash(rest)).toBe(hash);
    expect(repos.auditLog.verify()).toEqual({ ok: true, rows: 2, head: rows[1]!.hash });
    expect(repos.auditLog.forSubject('attempt', 'a-1')[0]).toMatchObject({ before: { mark: 1 }, after: { mark: 0 }, reason: 'Listened again.', actorUserId: null });
  });

  it('must be written inside the transaction of the change it records', () => {
    const { repos } = setup();
    expect(() => repos.auditLog.append({ at: 1, actor: null, centreId: null, action: 'x', subjectType: 'y', subjectId: 1 })).toThrow(/inside the transaction/);
  });

  it('refuses updates, deletes and rows that do not extend the chain', () => {
    const { db, repos } = setup();
    repos.transaction(() => repos.auditLog.append({ at: 1, actor: null, centreId: null, action: 'x', subjectType: 'y', subjectId: 1 }));
    expect(() => db.prepare("UPDATE audit_log SET reason = 'x'").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM audit_log').run()).toThrow(/append-only/);
    const fork = `INSERT INTO audit_log (id, at, action, subject_type, subject_id, prev_hash, hash) VALUES (?, 2, 'x', 'y', '1', ?, ?)`;
    expect(() => db.prepare(fork).run(2, GENESIS_HASH, 'f'.repeat(64))).toThrow(/extend the hash chain/);
    // Right prev_hash but no id of its own (it must follow the head's id): refused as well.
    const head = repos.auditLog.forSubject('y', 1)[0]!.hash;
    expect(() => db.prepare('INSERT INTO audit_log (at, action, subject_type, subject_id, prev_hash, hash) VALUES (2, ?, ?, ?, ?, ?)').run('x', 'y', '1', head, 'e'.repeat(64))).toThrow(/extend the hash chain/);
  });

  it('names the first row that was changed, or whose predecessor went missing', () => {
    const { repos } = setup();
    const rows = repos.transaction(() => [1, 2, 3].map((n) => repos.auditLog.append({ at: n, actor: null, centreId: null, action: 'x', subjectType: 'y', subjectId: n, after: { n } })));
    const raw = rows.map((r) => ({ id: r.id, at: r.at, actor_user_id: null, actor_role: null, centre_id: null, action: r.action, subject_type: r.subjectType, subject_id: r.subjectId, before: null, after: JSON.stringify(r.after), reason: null, prev_hash: r.prevHash, hash: r.hash }));
    expect(verifyAuditChain(raw)).toMatchObject({ ok: true, rows: 3 });
    expect(verifyAuditChain(raw.map((r) => (r.id === 2 ? { ...r, after: '{"n":20}' } : r)))).toMatchObject({ ok: false, brokenId: 2, problem: 'hash-mismatch' });
    expect(verifyAuditChain(raw.map((r) => (r.id === 2 ? { ...r, after: '{not json' } : r)))).toMatchObject({ ok: false, brokenId: 2, problem: 'unreadable' });
    expect(verifyAuditChain(raw.filter((r) => r.id !== 2))).toMatchObject({ ok: false, brokenId: 3, problem: 'prev-hash-mismatch' });
  });
});

describe('bookmarks and rest breaks', () => {
  it('keeps bookmarks append-only and one open rest break per sitting', () => {
    const { db, repos, userId, centreId } = setup();
    const candidate = repos.users.create({ username: 'c', displayName: 'C', role: 'candidate', centreId, passwordHash: 'x' }).id;
    const sitting = repos.sittings.create({ centreId, candidateUserId: candidate, assessorUserId: userId, scenarioKeys: ['s1', 's2', 's3', 's4'], scheduledFor: null, baseMinutes: 60, extraTime: null, restBreaks: true, createdBy: userId }, 1);
    expect(sitting.scenarioKeys).toEqual(['s1', 's2', 's3', 's4']);
    expect(() => db.prepare("INSERT INTO sitting_assignments (sitting_id, position, scenario_key) VALUES (?, 5, 's5')").run(sitting.id)).toThrow(/CHECK/);
    expect(repos.sittings.start(sitting.id, 10)).toBe(true);
    expect(repos.sittings.start(sitting.id, 11)).toBe(false);
    repos.sittings.startRestBreak(sitting.id, 20);
    expect(() => repos.sittings.startRestBreak(sitting.id, 21)).toThrow(/UNIQUE/);
    expect(repos.sittings.endRestBreak(sitting.id, 30)).toBe(true);
    expect(repos.sittings.restBreaks(sitting.id)).toEqual([{ id: expect.any(Number), from: 20, to: 30 }]);

    const attempt = repos.attempts.create({ centreId, candidateUserId: candidate, scenarioKey: 's1', sittingId: sitting.id, position: 1, variant: 'a', scenarioVersion: 1 }, 40);
    const b = repos.attemptBookmarks.add({ attemptId: attempt.id, at: 50, callId: null, offsetMs: null, note: 'n', cueId: null, createdBy: userId });
    expect(() => db.prepare("UPDATE attempt_bookmarks SET note = 'x' WHERE id = ?").run(b.id)).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM attempt_bookmarks WHERE id = ?').run(b.id)).toThrow(/append-only/);
    expect(repos.attempts.forSitting(sitting.id)).toEqual([expect.objectContaining({ id: attempt.id, position: 1, variant: 'a', markedAt: null })]);
  });
});

// Known answers for the audit chain (FROZEN: moderation packs carry audit entries verified with it).
// Each canonical text was written out by hand and hashed with coreutils, not with this code:
//   printf '%s' '<canonical JSON>' | sha256sum
describe('audit chain: known answers', () => {
  const ATTEMPT = '6f1c2a4e-0b7d-4c3e-9a51-2d8e4f6a7b90';
  const ROW_1 = {
    canonical:
      '{"action":"mark-changed","actorRole":"assessor","actorUserId":7,"after":{"comment":"Greeted by name — good.","mark":1},"at":1767607200000,' +
      `"before":{"comment":"","mark":0},"centreId":1,"id":1,"prevHash":"${GENESIS_HASH}","reason":"Heard on the recording.","subjectId":"${ATTEMPT}","subjectType":"attempt"}`,
    hash: '2d28bf9a5a6023c33f344d6574cf31a62dac043d4f8cdd5addf07ddc42629587',
  };
  const ROW_2 = {
    canonical:
      '{"action":"moderation-pack-exported","actorRole":null,"actorUserId":null,"after":{"manifestSha256":"68d9ed2adb24458ff173db06b41b9d1b6e228764c457030d63fad11b02bfae1e","packId":"0c0ffee0-0000-4000-8000-000000000000"},' +
      `"at":1767607260000,"before":null,"centreId":null,"id":2,"prevHash":"${ROW_1.hash}","reason":null,"subjectId":"${ATTEMPT}","subjectType":"attempt"}`,
    hash: 'd93aec4418425240e265d691eed1d8740e7543589949ef77e7a1681d56fa9764',
  };
  const entry1 = {
    id: 1,
    at: 1767607200000,
    actorUserId: 7,
    actorRole: 'assessor',
    centreId: 1,
    action: 'mark-changed',
    subjectType: 'attempt',
    subjectId: ATTEMPT,
    before: { mark: 0, comment: '' },
    after: { mark: 1, comment: 'Greeted by name — good.' },
    reason: 'Heard on the recording.',
    prevHash: GENESIS_HASH,
  };
  const entry2 = {
    id: 2,
    at: 1767607260000,
    actorUserId: null,
    actorRole: null,
    centreId: null,
    action: 'moderation-pack-exported',
    subjectType: 'attempt',
    subjectId: ATTEMPT,
    before: null,
    after: { packId: '0c0ffee0-0000-4000-8000-000000000000', manifestSha256: '68d9ed2adb24458ff173db06b41b9d1b6e228764c457030d63fad11b02bfae1e' },
    reason: null,
    prevHash: ROW_1.hash,
  };

  it('hashes each row to its known digest', () => {
    expect(canonicalJson(entry1)).toBe(ROW_1.canonical);
    expect(auditRowHash(entry1)).toBe(ROW_1.hash);
    expect(canonicalJson(entry2)).toBe(ROW_2.canonical);
    expect(auditRowHash(entry2)).toBe(ROW_2.hash);
    // before/after left undefined hash as null (rows written before a field existed).
    expect(auditRowHash({ ...entry2, before: undefined })).toBe(ROW_2.hash);
  });

  it('the repository stores exactly these hashes, and the chain verifies to the second', () => {
    const { repos } = memoryRepositories();
    const centreId = repos.centres.create({ name: 'C' }).id;
    expect(centreId).toBe(1);
    // Users 1–6 first, so the assessor is user 7 as in the vector.
    for (let i = 1; i <= 7; i++) repos.users.create({ username: `u${i}`, displayName: `U${i}`, role: 'assessor', centreId, passwordHash: 'x' });
    const rows = repos.transaction(() => [
      repos.auditLog.append({ at: entry1.at, actor: { userId: 7, role: 'assessor' }, centreId, action: entry1.action, subjectType: 'attempt', subjectId: ATTEMPT, before: entry1.before, after: entry1.after, reason: entry1.reason }),
      repos.auditLog.append({ at: entry2.at, actor: null, centreId: null, action: entry2.action, subjectType: 'attempt', subjectId: ATTEMPT, after: entry2.after }),
    ]);
    expect(rows.map((r) => r.hash)).toEqual([ROW_1.hash, ROW_2.hash]);
    expect(repos.auditLog.verify()).toEqual({ ok: true, rows: 2, head: ROW_2.hash });
  });
});
