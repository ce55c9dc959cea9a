// The realtime desktop timeline over real socket.io connections (socket.io-client in Node) against
// the real app on a loopback port, over a real SQLite file: authentication, exactly-once storage,
// seq order, offsets from call answer, live pushes to watchers, access, validation, rate limit,
// and the reconnect test from the issue, driven through the browser's own TimelineClient.
import { createHash, randomUUID } from 'node:crypto';
import { io as connectSocket, type Socket, type ManagerOptions, type SocketOptions } from 'socket.io-client';
import { WebSocket } from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { outboxKey, TimelineClient, type OutboxStorage, type TimelineState } from '../../../client/src/realtime/timeline-client.js';
import type { Attempt } from '../../../server/db/repositories/attempts.js';
import type { DesktopEventAck, DesktopEventInput, TimelineEvent, WatchAck } from '../../../server/protocol/timeline.js';
import { createTestApp, FOREIGN_ASSESSOR, freePort, OTHER_CANDIDATE, type TestApp } from '../../support/test-app.js';

let t: TestApp;
let base: string;
const cookies: Record<string, string> = {};
const sockets: Socket[] = [];

beforeAll(async () => {
  t = await createTestApp({ telephony: {} });
  base = t.wsUrl.replace(/^ws/, 'http').replace(/\/sip$/, '');
  t.addUser(FOREIGN_ASSESSOR);
  t.addUser(OTHER_CANDIDATE);
  for (const name of ['candidate1', 'candidate2', 'candidate3', 'assessor1', 'assessor2', 'moderator1', 'admin1']) cookies[name] = (await t.login(name)).cookie;
});
afterEach(() => {
  for (const s of sockets.splice(0)) s.disconnect();
});
afterAll(async () => {
  await t?.close();
});

type Opts = Partial<ManagerOptions & SocketOptions>;
/** A socket.io connection as the browser makes it, with this user's session cookie. */
function socketFor(user: string | undefined, opts: Opts = {}): Socket {
  const s = connectSocket(base, {
    path: '/socket.io',
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    extraHeaders: user ? { cookie: cookies[user]! } : {},
    ...opts,
  });
  sockets.push(s);
  return s;
}

async function connected(user: string, opts: Opts = {}): Promise<Socket> {
  const s = socketFor(user, opts);
  await new Promise<void>((resolve, reject) => {
    s.once('connect', resolve);
    s.once('connect_error', reject);
  });
  return s;
}

const connectError = (s: Socket) => new Promise<Error & { data?: { message?: string } }>((resolve, reject) => {
  s.once('connect', () => reject(new Error('connected although it should have been refused')));
  s.once('connect_error', resolve);
});

function newAttempt(candidate = t.users.candidate, centreId = t.centreId): Attempt {
  return t.repos.attempts.create({ centreId, candidateUserId: candidate, scenarioKey: 'demo' }, t.clock.now());
}

const action = (attemptId: string, over: Partial<DesktopEventInput> & Record<string, unknown> = {}): DesktopEventInput =>
  ({ clientId: randomUUID(), attemptId, type: 'search', payload: { query: 'Smith', resultCount: 2 }, clientAt: Date.now(), ...over });

const send = (s: Socket, input: unknown) => s.emitWithAck('desktop:event', input) as Promise<DesktopEventAck>;
const watch = (s: Socket, attemptId: string, afterSeq?: number) => s.emitWithAck('timeline:watch', { attemptId, ...(afterSeq === undefined ? {} : { afterSeq }) }) as Promise<WatchAck>;
const stored = (attemptId: string) => t.repos.attemptEvents.list(attemptId);

/** Creates a call to the candidate, answered now. */
function answeredCall(candidate = t.users.candidate): string {
  const id = randomUUID();
  t.repos.calls.create({ id, centreId: t.centreId, callerUserId: t.users.assessor, calleeUserId: candidate, callerExtension: 'a', calleeExtension: 'c', candidateUserId: candidate, invitedAt: t.clock.now() - 3000 });
  t.repos.calls.update(id, { state: 'answered', answeredAt: t.clock.now() });
  return id;
}
const endCall = (id: string) => t.repos.calls.update(id, { state: 'ended', endedAt: t.clock.now() });

describe('attempt events repository', () => {
  it('numbers events 1, 2, 3 per attempt and stores a client id once, returning the first unchanged', () => {
    const a = newAttempt();
    const b = newAttempt();
    const ev = (type: string, n: number) => ({ at: n, clientAt: n, callId: null, offsetMs: null, type, payload: { n }, source: 'browser' as const });
    const first = t.repos.attemptEvents.append(a.id, 'c-1', ev('search', 1));
    expect(first).toMatchObject({ duplicate: false, event: { seq: 1, clientId: 'c-1', payload: { n: 1 } } });
    expect(t.repos.attemptEvents.append(b.id, 'c-1', ev('search', 2)).event.seq).toBe(1);
    expect(t.repos.attemptEvents.append(a.id, 'c-2', ev('hold', 3)).event.seq).toBe(2);
    const again = t.repos.attemptEvents.append(a.id, 'c-1', ev('wrap-up', 99));
    expect(again.duplicate).toBe(true);
    expect(again.event).toEqual(first.event);
    expect(stored(a.id).map((e) => [e.seq, e.clientId, e.type])).toEqual([[1, 'c-1', 'search'], [2, 'c-2', 'hold']]);
  });

  it('refuses to change or delete a stored event', () => {
    const a = newAttempt();
    t.repos.attemptEvents.append(a.id, 'x', { at: 1, clientAt: null, callId: null, offsetMs: null, type: 'hold', payload: {}, source: 'server' });
    expect(() => t.repos.db.prepare('UPDATE attempt_events SET type = ? WHERE attempt_id = ?').run('resume', a.id)).toThrow(/append-only/);
    expect(() => t.repos.db.prepare('DELETE FROM attempt_events WHERE attempt_id = ?').run(a.id)).toThrow(/append-only/);
  });
});

describe('connection', () => {
  it('refuses a connection without a session, with a made-up one, and from another site', async () => {
    expect((await connectError(socketFor(undefined))).message).toBe('unauthenticated');
    expect((await connectError(socketFor(undefined, { extraHeaders: { cookie: 'callmark_session=forged' } }))).message).toBe('unauthenticated');
    const cross = await connectError(socketFor('candidate1', { extraHeaders: { cookie: cookies.candidate1!, origin: 'https://evil.example' } }));
    expect(cross.message).toBe('bad_origin');
  });

  it('accepts the session cookie over WebSocket, over long-polling, and with the upgrade from polling', async () => {
    const a = newAttempt();
    for (const transports of [['websocket'], ['polling'], ['polling', 'websocket']] as const) {
      const s = await connected('candidate1', { transports: [...transports] });
      expect(await send(s, action(a.id))).toMatchObject({ ok: true, duplicate: false });
    }
    expect(stored(a.id).map((e) => e.seq)).toEqual([1, 2, 3]);
  });

  it('leaves the SIP WebSocket on /sip working beside it', async () => {
    const ws = new WebSocket(t.wsUrl, 'sip');
    await new Promise<void>((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    expect(ws.protocol).toBe('sip');
    ws.close();
  });

  it('refuses events once the session has expired, and drops the socket', async () => {
    const login = await t.login('candidate1');
    const a = newAttempt();
    const s = socketFor('candidate1', { extraHeaders: { cookie: login.cookie } });
    await new Promise<void>((r) => s.once('connect', () => r()));
    expect(await send(s, action(a.id))).toMatchObject({ ok: true });
    // Expired, not logged out (a logout closes the session's sockets at once: see below).
    t.repos.db.prepare('UPDATE sessions SET expires_at = 0 WHERE token_hash = ?').run(createHash('sha256').update(decodeURIComponent(login.cookie.split('=')[1]!)).digest('hex'));
    const gone = new Promise<string>((r) => s.once('disconnect', r));
    expect(await send(s, action(a.id))).toMatchObject({ ok: false, error: 'unauthenticated' });
    expect(await gone).toBe('io server disconnect');
    expect(stored(a.id)).toHaveLength(1);
  });
});

describe('desktop:event', () => {
  it('stores each client id exactly once and acks a re-send as a duplicate with the same seq', async () => {
    const a = newAttempt();
    const s = await connected('candidate1');
    const first = action(a.id, { type: 'record-opened', payload: { recordType: 'customer', recordId: 7, label: 'Jane Smith' } });
    expect(await send(s, first)).toEqual({ ok: true, seq: 1, duplicate: false });
    expect(await send(s, first)).toEqual({ ok: true, seq: 1, duplicate: true });
    // Same client id with other content: still the first one, unchanged.
    expect(await send(s, { ...first, type: 'search', payload: { query: 'x' } })).toEqual({ ok: true, seq: 1, duplicate: true });
    const rows = stored(a.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ clientId: first.clientId, type: 'record-opened', payload: first.payload, clientAt: first.clientAt, at: t.clock.now(), source: 'browser' });
  });

  it('numbers events in the order they were sent, also when sent without waiting for acks', async () => {
    const a = newAttempt();
    const s = await connected('candidate1');
    const list = Array.from({ length: 20 }, (_, i) => action(a.id, { payload: { query: `q${i}`, resultCount: i } }));
    const acks = await Promise.all(list.map((x) => send(s, x)));
    expect(acks.map((x) => (x.ok ? x.seq : x.error))).toEqual(list.map((_, i) => i + 1));
    expect(stored(a.id).map((e) => e.clientId)).toEqual(list.map((x) => x.clientId));
  });

  it('stamps the offset from the answer of the call the action belongs to', async () => {
    // A call answered and ended before the attempt started does not count.
    const old = answeredCall();
    t.clock.advance(60_000);
    endCall(old);
    t.clock.advance(1000);
    const a = newAttempt();
    const s = await connected('candidate1');
    await send(s, action(a.id, { type: 'tab-opened', payload: { tab: 'inbox' } }));
    t.clock.advance(5000);
    const call1 = answeredCall();
    t.clock.advance(12_345);
    await send(s, action(a.id, { type: 'screen-pop', payload: { callerNumber: '07700900123', matches: 1 } }));
    t.clock.advance(30_000);
    endCall(call1);
    t.clock.advance(20_000);
    // A search after the call: it belongs to the most recent call answered during the attempt.
    await send(s, action(a.id, { type: 'search', payload: { query: 'Hughes', resultCount: 1 } }));
    t.clock.advance(10_000);
    const call2 = answeredCall();
    t.clock.advance(2000);
    await send(s, action(a.id, { type: 'record-opened', payload: { recordType: 'customer', recordId: 7 } }));
    expect(stored(a.id).map((e) => [e.type, e.callId, e.offsetMs])).toEqual([
      ['tab-opened', null, null],
      ['screen-pop', call1, 12_345],
      ['search', call1, 62_345],
      ['record-opened', call2, 2000],
    ]);
    endCall(call2);
  });

  it("another candidate cannot write to the attempt, nor can an assessor, and an unknown attempt is not found", async () => {
    const a = newAttempt();
    for (const user of ['candidate3', 'candidate2', 'assessor1']) {
      const s = await connected(user);
      expect(await send(s, action(a.id))).toMatchObject({ ok: false, error: 'not_found' });
    }
    const s = await connected('candidate1');
    expect(await send(s, action('no-such-attempt'))).toMatchObject({ ok: false, error: 'not_found' });
    expect(stored(a.id)).toEqual([]);
  });

  it('refuses actions for a closed attempt, but still acks a re-send of one stored before it closed', async () => {
    const a = newAttempt();
    const s = await connected('candidate1');
    const before = action(a.id);
    expect(await send(s, before)).toMatchObject({ ok: true, seq: 1 });
    t.repos.db.prepare("UPDATE attempts SET status = 'closed', closed_at = ? WHERE id = ?").run(t.clock.now(), a.id);
    expect(await send(s, action(a.id))).toMatchObject({ ok: false, error: 'attempt_closed' });
    expect(await send(s, before)).toEqual({ ok: true, seq: 1, duplicate: true });
    expect(stored(a.id)).toHaveLength(1);
  });

  const bad: Array<[string, (attemptId: string) => unknown, string | undefined]> = [
    ['not an object', () => 'hello', undefined],
    ['an array', (id) => [action(id)], undefined],
    ['no client id', (id) => ({ ...action(id), clientId: undefined }), 'clientId'],
    ['a client id that is not a UUID', (id) => action(id, { clientId: 'abc' }), 'clientId'],
    ['an unknown type', (id) => action(id, { type: 'dance' as never }), 'type'],
    ['a payload that is an array', (id) => action(id, { payload: [1, 2] as never }), 'payload'],
    ['a payload that is a string', (id) => action(id, { payload: 'x' as never }), 'payload'],
    ['a payload of 16 KB or more', (id) => action(id, { payload: { text: 'x'.repeat(16 * 1024) } }), 'payload'],
    ['a payload nested too deep', (id) => action(id, { payload: JSON.parse(`${'{"a":'.repeat(30)}1${'}'.repeat(30)}`) as Record<string, unknown> }), 'payload'],
    ['binary data in the payload', (id) => action(id, { payload: { blob: Buffer.from('abc') } }), 'payload'],
    ['a client time that is text', (id) => action(id, { clientAt: 'now' as never }), 'clientAt'],
    ['an unknown extra field', (id) => action(id, { seq: 5 }), 'seq'],
    ['an attempt id of 65 characters', (id) => action(id, { attemptId: 'a'.repeat(65) }), 'attemptId'],
  ];
  for (const [name, make, field] of bad) {
    it(`refuses ${name} with a clear validation error`, async () => {
      const a = newAttempt();
      const s = await connected('candidate1');
      const ack = await send(s, make(a.id));
      expect(ack).toMatchObject({ ok: false, error: 'validation', message: expect.stringMatching(/^.{11,}$/) });
      expect((ack as { field?: string }).field).toBe(field);
      expect(stored(a.id)).toEqual([]);
      // The socket and the server carry on.
      expect(await send(s, action(a.id))).toMatchObject({ ok: true, seq: 1 });
    });
  }

  it('survives events without an ack callback or without arguments', async () => {
    const a = newAttempt();
    const s = await connected('candidate1');
    s.emit('desktop:event');
    s.emit('desktop:event', action(a.id), 'not a function');
    s.emit('timeline:watch', 42);
    s.emit('no-such-event', { x: 1 });
    expect(await send(s, action(a.id))).toMatchObject({ ok: true, seq: 2 });
  });

  it('rate-limits a flood from one socket and keeps serving other users', async () => {
    const a = newAttempt();
    const s = await connected('candidate1');
    const acks = await Promise.all(Array.from({ length: 300 }, () => send(s, action(a.id))));
    const limited = acks.filter((x) => !x.ok && x.error === 'rate_limited').length;
    const ok = acks.filter((x) => x.ok).length;
    expect(limited).toBeGreaterThan(0);
    expect(ok).toBeGreaterThanOrEqual(50);
    expect(ok + limited).toBe(300);
    expect(stored(a.id)).toHaveLength(ok);
    const otherUser = await connected('candidate3');
    const theirs = newAttempt(t.repos.users.findByUsernameWithHash('candidate3')!.id);
    expect(await send(otherUser, action(theirs.id))).toMatchObject({ ok: true });
  });

  it('shares one limit among all sockets of a user: more tabs do not buy more events', async () => {
    // The flood above emptied this user's bucket; after 1.1 s it is full again (50 at 50/s).
    await new Promise((r) => setTimeout(r, 1100));
    const a = newAttempt();
    const tabs = await Promise.all([connected('candidate1'), connected('candidate1'), connected('candidate1')]);
    const acks = (await Promise.all(tabs.map((s) => Promise.all(Array.from({ length: 60 }, () => send(s, action(a.id))))))).flat();
    const ok = acks.filter((x) => x.ok).length;
    // Per socket, each tab would get its own burst of 50 (150 in all); shared, about 50 plus the refill.
    expect(ok).toBeGreaterThanOrEqual(50);
    expect(ok).toBeLessThan(120);
    expect(acks.length - ok).toBe(acks.filter((x) => !x.ok && x.error === 'rate_limited').length);
    expect(stored(a.id)).toHaveLength(ok);
  });
});

describe('timeline:watch and the HTTP timeline', () => {
  it("the centre's assessor gets the events so far, then each new one live", async () => {
    const a = newAttempt();
    const cand = await connected('candidate1');
    await send(cand, action(a.id, { payload: { query: 'first', resultCount: 0 } }));
    const assessor = await connected('assessor1');
    const so = await watch(assessor, a.id);
    expect(so.ok && so.events.map((e) => [e.seq, e.payload.query])).toEqual([[1, 'first']]);
    const pushed = new Promise<TimelineEvent>((r) => assessor.once('timeline:event', r));
    const second = action(a.id, { type: 'record-opened', payload: { recordType: 'customer', recordId: 3, label: 'Jane Smith' } });
    await send(cand, second);
    expect(await pushed).toMatchObject({ seq: 2, clientId: second.clientId, type: 'record-opened', payload: second.payload, at: t.clock.now(), source: 'browser' });
    // afterSeq: only what was missed.
    const missed = await watch(assessor, a.id, 1);
    expect(missed.ok && missed.events.map((e) => e.seq)).toEqual([2]);
  });

  it('moderators and admins may watch; a foreign assessor, the candidate and another candidate may not, and get no pushes', async () => {
    const a = newAttempt();
    for (const user of ['moderator1', 'admin1']) expect(await watch(await connected(user), a.id)).toMatchObject({ ok: true, events: [] });
    const refused: Socket[] = [];
    for (const user of ['assessor2', 'candidate1', 'candidate3']) {
      const s = await connected(user);
      expect(await watch(s, a.id)).toMatchObject({ ok: false, error: 'not_found' });
      refused.push(s);
    }
    const got: TimelineEvent[] = [];
    for (const s of refused) s.on('timeline:event', (e: TimelineEvent) => got.push(e));
    const cand = await connected('candidate1');
    await send(cand, action(a.id));
    // A round trip on each refused socket: a push sent before it would have arrived before its ack.
    for (const s of refused) await watch(s, 'no-such-attempt');
    expect(got).toEqual([]);
    expect(await watch(await connected('assessor1'), 'no-such-attempt')).toMatchObject({ ok: false, error: 'not_found' });
  });

  it('GET /api/attempts/:id/timeline gives the same events, with the same access', async () => {
    const a = newAttempt();
    await send(await connected('candidate1'), action(a.id));
    const get = (user: string) => t.app.inject({ method: 'GET', url: `/api/attempts/${a.id}/timeline`, headers: { cookie: cookies[user]! } });
    const ok = await get('assessor1');
    expect(ok.statusCode).toBe(200);
    expect(ok.json<{ events: TimelineEvent[] }>().events.map((e) => e.seq)).toEqual([1]);
    expect((await get('moderator1')).statusCode).toBe(200);
    expect((await get('assessor2')).statusCode).toBe(404);
    expect((await get('candidate1')).statusCode).toBe(403);
  });

  it('GET /api/attempts/:id/timeline comes in pages: limit, afterSeq and nextAfterSeq', async () => {
    const a = newAttempt();
    const cand = await connected('candidate1');
    for (let i = 0; i < 5; i++) await send(cand, action(a.id));
    const get = async (query: string) => {
      const res = await t.app.inject({ method: 'GET', url: `/api/attempts/${a.id}/timeline${query}`, headers: { cookie: cookies['assessor1']! } });
      return { status: res.statusCode, body: res.json<{ events: TimelineEvent[]; nextAfterSeq?: number }>() };
    };
    const first = await get('?limit=2');
    expect(first.body.events.map((e) => e.seq)).toEqual([1, 2]);
    expect(first.body.nextAfterSeq).toBe(2);
    const last = await get('?limit=3&afterSeq=2');
    expect(last.body.events.map((e) => e.seq)).toEqual([3, 4, 5]);
    expect(last.body.nextAfterSeq).toBeUndefined();
    expect((await get('?limit=0')).status).toBe(400);
    expect((await get('?limit=100000')).status).toBe(400);
    expect((await get('?afterSeq=-1')).status).toBe(400);
  });
});

/** An in-memory Web Storage: the outbox format is the client's business, the test never reads it. */
class MemoryStorage implements OutboxStorage {
  private readonly map = new Map<string, string>();
  getItem = (k: string) => this.map.get(k) ?? null;
  setItem = (k: string, v: string) => void this.map.set(k, v);
  removeItem = (k: string) => void this.map.delete(k);
}

/** Resolves once the client's state satisfies the condition (at once if it already does). */
const whenState = (client: TimelineClient, ok: (s: TimelineState) => boolean) =>
  new Promise<TimelineState>((resolve) => {
    if (ok(client.getState())) return resolve(client.getState());
    const stop = client.subscribe((s) => {
      if (ok(s)) {
        stop();
        resolve(s);
      }
    });
  });

describe('TimelineClient (the desktop outbox) against the server', () => {
  const clients: TimelineClient[] = [];
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
  });
  const clientFor = (attemptId: string, storage: OutboxStorage, sockets: Socket[], opts: Opts = {}) => {
    const c = new TimelineClient({
      attemptId,
      storage,
      connect: () => {
        const s = socketFor('candidate1', { reconnection: true, reconnectionDelay: 20, reconnectionDelayMax: 100, ...opts });
        sockets.push(s);
        return s;
      },
    });
    clients.push(c);
    return c;
  };

  it('reconnect: the socket is cut mid-call, three actions are made, the socket comes back; each is stored once, in order', async () => {
    const a = newAttempt();
    const made: Socket[] = [];
    const desktop = clientFor(a.id, new MemoryStorage(), made);
    await whenState(desktop, (s) => s.online);
    t.clock.advance(1000);
    const call = answeredCall();
    t.clock.advance(4000);
    const pop = desktop.record('screen-pop', { callerNumber: '07700900123', matches: 1 });
    await desktop.drained();
    expect(stored(a.id).map((e) => e.clientId)).toEqual([pop.clientId]);

    // The assessor watches throughout.
    const assessor = await connected('assessor1');
    const live: number[] = [];
    assessor.on('timeline:event', (e: TimelineEvent) => live.push(e.seq));
    expect(await watch(assessor, a.id)).toMatchObject({ ok: true });

    // Cut the transport under the desktop (as a network drop would) and hold it down. The action
    // made just before may reach the server, but its ack cannot come back.
    const socket = made[0]!;
    socket.io.reconnection(false);
    const inFlight = desktop.record('record-opened', { recordType: 'customer', label: 'Jane Smith' });
    socket.io.engine.close();
    expect((await whenState(desktop, (s) => !s.online)).online).toBe(false);
    expect(desktop.getState().pending).toBe(1);

    t.clock.advance(3000);
    const offline = [
      desktop.record('search', { query: 'Smith', resultCount: 3 }),
      desktop.record('record-opened', { recordType: 'customer', recordId: 4, label: 'Jane Smith' }),
      desktop.record('tab-opened', { tab: 'knowledge' }),
    ];
    expect(desktop.getState()).toMatchObject({ online: false, pending: 4 });
    expect(desktop.pendingActions().map((x) => x.clientId)).toEqual([inFlight, ...offline].map((x) => x.clientId));
    const offlineIds = new Set(offline.map((x) => x.clientId));
    expect(stored(a.id).filter((e) => offlineIds.has(e.clientId))).toEqual([]);

    t.clock.advance(2000);
    socket.io.reconnection(true);
    socket.connect();
    await whenState(desktop, (s) => s.online);
    await desktop.drained();

    const rows = stored(a.id);
    expect(rows.map((e) => e.clientId)).toEqual([pop, inFlight, ...offline].map((x) => x.clientId));
    expect(rows.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(rows.map((e) => e.type)).toEqual(['screen-pop', 'record-opened', 'search', 'record-opened', 'tab-opened']);
    expect(rows.every((e) => e.callId === call)).toBe(true);
    // Stamped by the server on arrival (the in-flight one at 4 s if it got through before the cut);
    // the desktop's own time of each action is kept too.
    expect(rows.map((e) => e.offsetMs)).toEqual([4000, rows[1]!.offsetMs, 9000, 9000, 9000]);
    expect([4000, 9000]).toContain(rows[1]!.offsetMs);
    expect(rows.slice(2).map((e) => e.clientAt)).toEqual(offline.map((x) => x.clientAt));
    // The watcher got every stored event once, in order (a round trip flushes the pushes).
    await watch(assessor, a.id);
    expect(live).toEqual([2, 3, 4, 5]);
    expect(desktop.getState()).toMatchObject({ online: true, pending: 0, rejected: [] });
    endCall(call);
  });

  it('a reload replays the stored outbox, and an action the server stored before its ack was lost is not stored twice', async () => {
    const a = newAttempt();
    const storage = new MemoryStorage();
    // First page: the server cannot be reached, so actions stay in the outbox.
    const nowhere = `http://127.0.0.1:${await freePort()}`;
    const first = new TimelineClient({ attemptId: a.id, storage, connect: () => connectSocket(nowhere, { path: '/socket.io', transports: ['websocket'], forceNew: true, reconnection: false }) });
    await whenState(first, (s) => s.problem !== undefined);
    const x = first.record('search', { query: 'delivery', resultCount: 0 });
    const y = first.record('record-opened', { recordType: 'kb', label: 'Delivery times' });
    expect(first.getState()).toMatchObject({ online: false, pending: 2 });
    expect(storage.getItem(outboxKey(a.id))).not.toBeNull();
    // The first action reached the server, but the page went away before its ack came back.
    const raw = await connected('candidate1');
    expect(await send(raw, first.pendingActions()[0])).toMatchObject({ ok: true, seq: 1 });
    first.close();

    // Reload: a new client over the same storage sends what is left, oldest first.
    const second = clientFor(a.id, storage, []);
    expect(second.getState().pending).toBe(2);
    await second.drained();
    expect(stored(a.id).map((e) => e.clientId)).toEqual([x.clientId, y.clientId]);
    expect(storage.getItem(outboxKey(a.id))).toBeNull();
  });

  it('two tabs on one attempt never erase each other’s queued actions', async () => {
    const a = newAttempt();
    const storage = new MemoryStorage();
    const nowhere = `http://127.0.0.1:${await freePort()}`;
    const offline = () => connectSocket(nowhere, { path: '/socket.io', transports: ['websocket'], forceNew: true, reconnection: false });
    // Both tabs open; tab A is offline and queues an action, then tab B (online) records and drains.
    const tabB = clientFor(a.id, storage, []);
    const tabA = new TimelineClient({ attemptId: a.id, storage, connect: offline });
    await whenState(tabA, (s) => s.problem !== undefined);
    const fromA = tabA.record('tab-opened', { tab: 'compose' });
    const fromB = tabB.record('search', { query: 'Hughes', resultCount: 1 });
    await tabB.drained();
    // Tab A is closed before it ever got online: its action must still be in storage…
    tabA.close();
    tabB.close();
    const reloaded = clientFor(a.id, storage, []);
    await reloaded.drained();
    // …so the next page sends it: both actions stored, each once.
    expect(stored(a.id).map((e) => e.clientId).sort()).toEqual([fromA.clientId, fromB.clientId].sort());
    expect(storage.getItem(outboxKey(a.id))).toBeNull();
  });

  it('drops an action the server refuses for good and reports it, then carries on', async () => {
    const a = newAttempt();
    const desktop = clientFor(a.id, new MemoryStorage(), []);
    // An outbox from an older desktop may still hold a type the server now records itself.
    const bad = desktop.record('wrap-up' as never, { code: 'MOVE' });
    const good = desktop.record('search', { query: 'Hughes', resultCount: 1 });
    await desktop.drained();
    expect(desktop.getState().rejected).toMatchObject([{ action: { clientId: bad.clientId }, error: 'server_recorded', field: 'type' }]);
    expect(stored(a.id).map((e) => e.clientId)).toEqual([good.clientId]);
  });
});

describe('access ends at once for a watcher', () => {
  const event = (attemptId: string) => ({ clientId: randomUUID(), attemptId, type: 'search', payload: { query: 'x', resultCount: 0 }, clientAt: Date.now() });
  const disconnected = (s: Socket) => new Promise<void>((resolve) => (s.disconnected ? resolve() : s.once('disconnect', () => resolve())));

  it('a disabled assessor’s watching socket is cut off and gets no more of the candidate’s actions', async () => {
    const attempt = newAttempt();
    t.addUser({ username: 'assessor-watch', displayName: 'Watching assessor', role: 'assessor' });
    cookies['assessor-watch'] = (await t.login('assessor-watch')).cookie;
    const watcher = await connected('assessor-watch');
    expect((await watch(watcher, attempt.id)).ok).toBe(true);
    const seen: unknown[] = [];
    watcher.on('timeline:event', (e) => seen.push(e));
    const candidate = await connected('candidate1');
    expect((await send(candidate, event(attempt.id))).ok).toBe(true);
    for (let i = 0; i < 100 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(seen).toHaveLength(1);

    const admin = await t.loginAs('admin');
    const id = t.repos.users.findByUsernameWithHash('assessor-watch')!.id;
    const res = await t.app.inject({ method: 'POST', url: `/api/users/${id}/disabled`, headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrf }, payload: { disabled: true } });
    expect(res.statusCode).toBe(200);
    await disconnected(watcher);
    expect((await send(candidate, event(attempt.id))).ok).toBe(true);
    await new Promise((r) => setTimeout(r, 100));
    expect(seen).toHaveLength(1);
  });

  it('logging out closes that session’s sockets and leaves the user’s other sessions connected', async () => {
    const first = await t.login('moderator1');
    const second = await t.login('moderator1');
    cookies['mod-a'] = first.cookie;
    cookies['mod-b'] = second.cookie;
    const a = await connected('mod-a');
    const b = await connected('mod-b');
    await t.app.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie: first.cookie, 'x-csrf-token': first.csrf } });
    await disconnected(a);
    await new Promise((r) => setTimeout(r, 100));
    expect(b.connected).toBe(true);
  });
});

describe('shutdown', () => {
  it('closing the app disconnects its sockets and completes', async () => {
    const other = await createTestApp({ telephony: {} });
    let closed = false;
    try {
      const login = await other.login('candidate1');
      const s = connectSocket(other.wsUrl.replace(/^ws/, 'http').replace(/\/sip$/, ''), { path: '/socket.io', transports: ['websocket'], forceNew: true, reconnection: false, extraHeaders: { cookie: login.cookie } });
      sockets.push(s);
      await new Promise<void>((r) => s.once('connect', () => r()));
      const gone = new Promise<string>((r) => s.once('disconnect', r));
      await other.close();
      closed = true;
      expect(['io server disconnect', 'transport close']).toContain(await gone);
    } finally {
      if (!closed) await other.close();
    }
  });
});
