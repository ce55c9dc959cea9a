// The hash chain of attempt_events: hashes at insert, chain intact over many appends, the
// migration's backfill of rows stored before the chain, tampering found, and the recording's hash
// entering the chain when it is finalised.
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../server/db/connection.js';
import { migrate, migrations } from '../../../server/db/migrations.js';
import { createRepositories, type Repositories } from '../../../server/db/repositories/index.js';
import { attemptEventHash, GENESIS_HASH, verifyChain } from '../../../server/hash-chain.js';
import { chainRecordingsOnFinalise, RECORDING_FINALISED } from '../../../server/moderation/recording-chain.js';

const CHAIN_MIGRATION = 7;
const dbs: Db[] = [];
afterEach(() => {
  for (const db of dbs.splice(0)) db.close();
});

function setup(list = migrations): { db: Db; repos: Repositories; attemptId: string; candidate: number } {
  const { db, attemptId, candidate } = setupDb(list);
  return { db, repos: createRepositories(db), attemptId, candidate };
}

function setupDb(list: typeof migrations): { db: Db; attemptId: string; candidate: number } {
  const db = openDatabase(':memory:');
  dbs.push(db);
  migrate(db, list);
  const centre = db.prepare("INSERT INTO centres (name, created_at) VALUES ('C', 1)").run().lastInsertRowid;
  const candidate = Number(
    db.prepare("INSERT INTO users (username, display_name, role, centre_id, password_hash, created_at, updated_at) VALUES ('cand', 'Cand', 'candidate', ?, 'x', 1, 1)").run(centre).lastInsertRowid,
  );
  db.prepare("INSERT INTO attempts (id, centre_id, candidate_user_id, scenario_key, status, created_at) VALUES ('att-1', ?, ?, 'demo', 'open', 1000)").run(centre, candidate);
  return { db, attemptId: 'att-1', candidate };
}

const verify = (repos: Repositories, attemptId: string) =>
  verifyChain(repos.attemptEvents.list(attemptId), (prev, e) => attemptEventHash(prev, e), (e) => `event ${e.seq}`);

const event = (n: number) => ({ at: 2000 + n, clientAt: 1990 + n, callId: null, offsetMs: null, type: 'field-changed', payload: { field: `f${n}`, new: n, nested: { b: 1, a: [1, 'x'] } }, source: 'server' as const });

describe('attempt_events hash chain', () => {
  it('chains every appended event to the one before it', () => {
    const { repos, attemptId } = setup();
    for (let i = 1; i <= 20; i++) repos.attemptEvents.append(attemptId, `c${i}`, event(i));
    const events = repos.attemptEvents.list(attemptId);
    expect(events[0]!.prevHash).toBe(GENESIS_HASH);
    for (let i = 1; i < events.length; i++) expect(events[i]!.prevHash).toBe(events[i - 1]!.hash);
    expect(verify(repos, attemptId)).toBeUndefined();
    expect(repos.attemptEvents.head(attemptId)).toEqual({ seq: 20, hash: events[19]!.hash });
    // A duplicate client id stores nothing and leaves the chain as it was.
    expect(repos.attemptEvents.append(attemptId, 'c3', event(99)).duplicate).toBe(true);
    expect(repos.attemptEvents.head(attemptId)!.seq).toBe(20);
  });

  it('keeps one chain per attempt', () => {
    const { db, repos, attemptId, candidate } = setup();
    db.prepare("INSERT INTO attempts (id, centre_id, candidate_user_id, scenario_key, status, created_at) VALUES ('att-2', 1, ?, 'demo', 'open', 1000)").run(candidate);
    repos.attemptEvents.append(attemptId, 'a', event(1));
    const first = repos.attemptEvents.append('att-2', 'a', event(1)).event;
    expect(first.prevHash).toBe(GENESIS_HASH);
    expect(first.hash).not.toBe(repos.attemptEvents.list(attemptId)[0]!.hash);
  });

  it('refuses a row inserted without extending the chain', () => {
    const { db, repos, attemptId } = setup();
    repos.attemptEvents.append(attemptId, 'a', event(1));
    const insert = (prev: string | null, hash: string | null) =>
      db
        .prepare("INSERT INTO attempt_events (attempt_id, seq, client_id, at, type, payload, source_in_chain, prev_hash, hash) VALUES ('att-1', 2, 'b', 1, 'search', '{}', 1, ?, ?)")
        .run(prev, hash);
    expect(() => insert(null, null)).toThrow(/hash chain/);
    expect(() => insert(GENESIS_HASH, 'f'.repeat(64))).toThrow(/hash chain/);
  });

  it('finds a changed or removed row (edited behind the triggers)', () => {
    const { db, repos, attemptId } = setup();
    for (let i = 1; i <= 5; i++) repos.attemptEvents.append(attemptId, `c${i}`, event(i));
    db.exec('DROP TRIGGER attempt_events_no_update; DROP TRIGGER attempt_events_no_delete;');
    db.prepare("UPDATE attempt_events SET payload = '{\"field\":\"f3\",\"new\":42}' WHERE seq = 3").run();
    expect(verify(repos, attemptId)).toEqual({ index: 2, message: expect.stringMatching(/event 3: its content does not match/) });
    const { db: db2, repos: repos2 } = setup();
    for (let i = 1; i <= 5; i++) repos2.attemptEvents.append(attemptId, `c${i}`, event(i));
    db2.exec('DROP TRIGGER attempt_events_no_delete;');
    db2.prepare('DELETE FROM attempt_events WHERE seq = 2').run();
    expect(verify(repos2, attemptId)).toEqual({ index: 1, message: expect.stringMatching(/event 3: its previous-hash/) });
  });

  it('migration backfills the rows stored before the chain, in seq order', () => {
    const before = migrations.filter((m) => m.version < CHAIN_MIGRATION);
    const { db, attemptId } = setupDb(before);
    const insert = db.prepare(
      "INSERT INTO attempt_events (attempt_id, seq, client_id, at, client_at, call_id, offset_ms, type, payload) VALUES (?, ?, ?, ?, NULL, NULL, NULL, 'search', ?)",
    );
    // Stored out of seq order on purpose: the chain follows seq, not row ids.
    insert.run(attemptId, 2, 'b', 20, '{"query":"two","resultCount":1}');
    insert.run(attemptId, 1, 'a', 10, '{"resultCount":0,"query":"one"}');
    insert.run(attemptId, 3, 'c', 30, '{}');
    expect(migrate(db).applied).toEqual(migrations.filter((m) => m.version >= CHAIN_MIGRATION).map((m) => m.version));
    const repos = createRepositories(db);
    const events = repos.attemptEvents.list(attemptId);
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(events[0]!.prevHash).toBe(GENESIS_HASH);
    expect(verify(repos, attemptId)).toBeUndefined();
    // The append-only trigger is back, and new rows continue the backfilled chain.
    expect(() => db.prepare("UPDATE attempt_events SET type = 'x' WHERE seq = 1").run()).toThrow(/append-only/);
    const next = repos.attemptEvents.append(attemptId, 'd', event(4)).event;
    expect(next.prevHash).toBe(events[2]!.hash);
    expect(verify(repos, attemptId)).toBeUndefined();
  });

  it('appends the recording hash to the attempt chain when the recording is finalised, once', () => {
    const { repos, attemptId, candidate } = setup();
    let now = 5000;
    chainRecordingsOnFinalise(repos, () => now);
    repos.attemptEvents.append(attemptId, 'a', event(1));
    repos.calls.create({ id: 'call-1', centreId: 1, callerUserId: null, calleeUserId: candidate, callerExtension: '1', calleeExtension: '2', candidateUserId: candidate, invitedAt: 3000 });
    repos.calls.update('call-1', { state: 'answered', answeredAt: 3500, recordingPath: '/rec/2025-01-01/call-1.ogg', recordingStatus: 'recording' });
    expect(repos.attemptEvents.list(attemptId)).toHaveLength(1);
    repos.calls.update('call-1', { state: 'ended', endedAt: 4900, recordingStatus: 'complete', recordingSha256: 'ab'.repeat(32), recordingDurationMs: 1400, recordingBytes: 999 });
    const events = repos.attemptEvents.list(attemptId);
    expect(events).toHaveLength(2);
    expect(events[1]).toMatchObject({
      type: RECORDING_FINALISED,
      callId: 'call-1',
      at: 5000,
      offsetMs: 1500,
      payload: { callId: 'call-1', file: 'call-1.ogg', sha256: 'ab'.repeat(32), bytes: 999, durationMs: 1400, status: 'complete' },
    });
    expect(verify(repos, attemptId)).toBeUndefined();
    // Recovery hashing the same call again adds nothing.
    now = 6000;
    repos.calls.update('call-1', { recordingSha256: 'ab'.repeat(32) });
    expect(repos.attemptEvents.list(attemptId)).toHaveLength(2);
  });

  it('leaves calls outside any attempt alone', () => {
    const { repos, candidate } = setup();
    chainRecordingsOnFinalise(repos, () => 1);
    repos.calls.create({ id: 'call-2', centreId: 1, callerUserId: null, calleeUserId: candidate, callerExtension: '1', calleeExtension: '2', candidateUserId: candidate, invitedAt: 10 });
    repos.calls.update('call-2', { recordingSha256: 'cd'.repeat(32) });
    expect(repos.db.prepare('SELECT COUNT(*) AS n FROM attempt_events').get()).toEqual({ n: 0 });
  });
});
