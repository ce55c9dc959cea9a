// Authorization against a foreign centre and against guessing: staff and candidates of centre B
// (Southfield) must not reach anything of centre A (Northgate): attempts and every route under
// them, calls and recordings, print-outs, and the realtime events. A foreign id must answer exactly
// like an unknown id, so ids cannot be probed. Also path traversal and id guessing on the
// recording and print-out downloads. The per-role matrix is in access-matrix.test.ts.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Login, type TestApp } from '../../support/test-app.js';

let t: TestApp;
let base: string;
/** Centre A's demo attempt of candidate1, with a print-out and a recorded call. */
let attemptA = '';
let printoutA = '';
let customerA = 0;
let messageA = 0;
const CALL_A = randomUUID();
/** candidate2's own attempt in centre B. */
let attemptB = '';
const logins: Record<string, Login> = {};
const sockets: Socket[] = [];

const headers = (l: Login) => ({ cookie: l.cookie, 'x-csrf-token': l.csrf });

beforeAll(async () => {
  t = await createTestApp({ telephony: {} });
  base = t.wsUrl.replace(/^ws/, 'http').replace(/\/sip$/, '');
  t.addUser({ username: 'assessor2', displayName: 'Southfield assessor', role: 'assessor', centre: 'foreign' });
  t.addUser({ username: 'moderator2', displayName: 'Southfield moderator', role: 'moderator', centre: 'foreign' });
  t.addUser({ username: 'candidate3', displayName: 'Other Northgate candidate', role: 'candidate' });
  for (const name of ['candidate1', 'candidate2', 'candidate3', 'assessor1', 'assessor2', 'moderator2']) logins[name] = await t.login(name);

  const made = await t.app.inject({ method: 'POST', url: '/api/attempts', headers: headers(logins.assessor1!), payload: { candidateUserId: t.users.candidate } });
  attemptA = made.json<{ attempt: { id: string } }>().attempt.id;
  customerA = t.repos.crm.findCustomerByAccount(attemptA, 'BL100231')!.id;
  messageA = t.repos.crm.listMessages(attemptA, 'in')[0]!.id;
  const printed = await t.app.inject({ method: 'POST', url: `/api/attempts/${attemptA}/printouts`, headers: headers(logins.candidate1!), payload: { kind: 'customer', subjectId: customerA } });
  printoutA = printed.json<{ printout: { id: string } }>().printout.id;

  const candidate2 = t.repos.users.findByUsernameWithHash('candidate2')!.id;
  const madeB = await t.app.inject({ method: 'POST', url: '/api/attempts', headers: headers(logins.assessor2!), payload: { candidateUserId: candidate2 } });
  expect(madeB.statusCode, madeB.body).toBe(201);
  attemptB = madeB.json<{ attempt: { id: string } }>().attempt.id;

  const dir = path.join(t.dir, 'recordings', '2026-01-05');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `${CALL_A}.ogg`), 'OggS fake recording');
  t.repos.calls.create({ id: CALL_A, centreId: t.centreId, callerUserId: t.users.assessor, calleeUserId: t.users.candidate, callerExtension: 'a', calleeExtension: 'c', candidateUserId: t.users.candidate, invitedAt: 1 });
  t.repos.calls.update(CALL_A, { state: 'ended', recordingPath: path.join(dir, `${CALL_A}.ogg`), recordingStatus: 'complete' });
});
afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await t?.close();
});

/** Plausible bodies, so a refusal is the access check and not only body validation. */
const BODIES: Record<string, () => unknown> = {
  'PATCH /api/attempts/:id/customers/:cid': () => ({ version: 1, town: 'Leeds' }),
  'POST /api/attempts/:id/customers/:cid/identity-check': () => ({ answers: [{ questionId: 1, answer: 'bluebell' }] }),
  'POST /api/attempts/:id/customers/:cid/notes': () => ({ body: 'Foreign note.' }),
  'POST /api/attempts/:id/customers/:cid/orders': () => ({ lines: [{ productCode: 'WIFI-MESH', quantity: 1, saleType: 'cross_sell' }] }),
  'POST /api/attempts/:id/customers/:cid/cases': () => ({ type: 'query', priority: 'low', description: 'Foreign case.' }),
  'POST /api/attempts/:id/customers/:cid/callbacks': () => ({ dueAt: '2026-01-05T10:00', reason: 'Foreign callback.' }),
  'POST /api/attempts/:id/wrap-ups': () => ({ code: 'INFO' }),
  'POST /api/attempts/:id/messages': () => ({ channel: 'email', to: 'margaret.hughes@example.co.uk', subject: 'x', body: 'Foreign message.' }),
  'POST /api/attempts/:id/printouts': () => ({ kind: 'customer', subjectId: customerA }),
  'PUT /api/attempts/:id/messages/:mid/folder': () => ({ folder: 'Team notices' }),
  'PUT /api/attempts/:id/auto-reply': () => ({ enabled: true, body: 'Foreign auto-reply.' }),
};

function concrete(url: string, attemptId: string): string {
  return url
    .replace(':id', attemptId)
    .replace(':cid', String(customerA))
    .replace(':pid', printoutA)
    .replace(':mid', String(messageA))
    .replace(':key', 'email-home-move')
    .replace(':phone', '%2B441134960412');
}

/** Every registered route scoped to one attempt (whatever other changes add under /api/attempts/:id). */
const attemptRoutes = () => t.app.routeAccess.filter((r) => r.url.startsWith('/api/attempts/:id'));

describe('a foreign centre cannot reach centre A’s attempts', () => {
  it('covers the attempt routes the app registers', () => {
    expect(attemptRoutes().length).toBeGreaterThan(15);
  });

  for (const who of ['assessor2', 'candidate2', 'candidate3']) {
    it(`${who}: every /api/attempts/:id route answers for centre A’s attempt exactly as for an unknown id`, async () => {
      const login = logins[who]!;
      const before = t.repos.attemptEvents.list(attemptA).length;
      const crmRows = () => t.repos.db.prepare('SELECT (SELECT COUNT(*) FROM crm_notes WHERE attempt_id = @a) + (SELECT COUNT(*) FROM crm_orders WHERE attempt_id = @a) + (SELECT COUNT(*) FROM crm_messages WHERE attempt_id = @a) + (SELECT COUNT(*) FROM attempt_printouts WHERE attempt_id = @a) + (SELECT COUNT(*) FROM crm_messages WHERE attempt_id = @a AND folder IS NOT NULL) + (SELECT COUNT(*) FROM crm_auto_replies WHERE attempt_id = @a) AS n').get({ a: attemptA });
      const crmBefore = crmRows();
      const holes: string[] = [];
      for (const route of attemptRoutes()) {
        const body = BODIES[`${route.method} ${route.url}`]?.();
        const send = (attemptId: string) =>
          t.app.inject({ method: route.method as 'GET', url: concrete(route.url, attemptId), headers: headers(login), ...(body === undefined ? {} : { payload: body as object }) });
        const foreign = await send(attemptA);
        const unknown = await send(randomUUID());
        if (foreign.statusCode < 300 || foreign.statusCode !== unknown.statusCode) {
          holes.push(`${route.method} ${route.url}: ${foreign.statusCode} (unknown id: ${unknown.statusCode}) ${foreign.body.slice(0, 120)}`);
        }
      }
      expect(holes).toEqual([]);
      expect(t.repos.attemptEvents.list(attemptA).length).toBe(before);
      // Nothing was written to centre A's attempt by the refused requests.
      expect(crmRows()).toEqual(crmBefore);
    });
  }

  it('assessor2 does not see centre A’s call, its recording, or the call in the list', async () => {
    const a2 = logins.assessor2!;
    expect((await t.app.inject({ method: 'GET', url: `/api/calls/${CALL_A}`, headers: headers(a2) })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: `/api/calls/${CALL_A}/recording`, headers: headers(a2) })).statusCode).toBe(404);
    const list = (await t.app.inject({ method: 'GET', url: '/api/calls', headers: headers(a2) })).json<{ calls: Array<{ id: string }> }>();
    expect(list.calls.map((c) => c.id)).not.toContain(CALL_A);
    // The centre's own assessor does hear it (the fixture is sound).
    expect((await t.app.inject({ method: 'GET', url: `/api/calls/${CALL_A}/recording`, headers: headers(logins.assessor1!) })).statusCode).toBe(200);
  });

  it('a candidate never gets a recording, not even of their own call', async () => {
    expect((await t.app.inject({ method: 'GET', url: `/api/calls/${CALL_A}/recording`, headers: headers(logins.candidate1!) })).statusCode).toBe(403);
  });

  it('a print-out id of attempt A asked for under the candidate’s own attempt B is not found', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/api/attempts/${attemptB}/printouts/${printoutA}`, headers: headers(logins.candidate2!) });
    expect(res.statusCode).toBe(404);
  });

  it('moderators are cross-centre by design (README: moderators see all), whatever centre they belong to', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/api/attempts/${attemptA}`, headers: headers(logins.moderator2!) });
    expect(res.statusCode).toBe(200);
  });
});

describe('realtime events across centres and roles', () => {
  async function socketFor(user: string): Promise<Socket> {
    const s = connectSocket(base, { path: '/socket.io', transports: ['websocket'], forceNew: true, reconnection: false, extraHeaders: { cookie: logins[user]!.cookie } });
    sockets.push(s);
    await new Promise<void>((resolve, reject) => {
      s.once('connect', resolve);
      s.once('connect_error', reject);
    });
    return s;
  }
  const event = (attemptId: string) => ({ clientId: randomUUID(), attemptId, type: 'search', payload: { query: 'Hughes', resultCount: 1 }, clientAt: Date.now() });

  it('timeline:watch of centre A’s attempt by centre B’s assessor is refused like an unknown attempt', async () => {
    const s = await socketFor('assessor2');
    const foreign = (await s.emitWithAck('timeline:watch', { attemptId: attemptA })) as { ok: boolean; error?: string };
    const unknown = (await s.emitWithAck('timeline:watch', { attemptId: randomUUID() })) as { ok: boolean; error?: string };
    expect(foreign).toMatchObject({ ok: false });
    expect(foreign.error).toBe(unknown.error);
  });

  it('timeline:watch by a candidate (even of their own attempt) is refused', async () => {
    const s = await socketFor('candidate1');
    expect(await s.emitWithAck('timeline:watch', { attemptId: attemptA })).toMatchObject({ ok: false });
  });

  for (const who of ['assessor1', 'assessor2', 'candidate2', 'candidate3']) {
    it(`desktop:event for candidate1’s attempt sent by ${who} is refused and stores nothing`, async () => {
      const before = t.repos.attemptEvents.list(attemptA).length;
      const s = await socketFor(who);
      const ack = (await s.emitWithAck('desktop:event', event(attemptA))) as { ok: boolean; error?: string };
      expect(ack).toMatchObject({ ok: false, error: 'not_found' });
      expect(t.repos.attemptEvents.list(attemptA).length).toBe(before);
    });
  }

  it('a watcher of centre B gets no pushes of centre A’s events', async () => {
    const watcher = await socketFor('assessor2');
    await watcher.emitWithAck('timeline:watch', { attemptId: attemptA });
    // A room name typed by hand: the server joins rooms only after the access check.
    watcher.emit('timeline:unwatch', { attemptId: attemptA });
    const pushed: unknown[] = [];
    watcher.on('timeline:event', (e) => pushed.push(e));
    const owner = await socketFor('candidate1');
    expect(await owner.emitWithAck('desktop:event', event(attemptA))).toMatchObject({ ok: true });
    await new Promise((r) => setTimeout(r, 200));
    expect(pushed).toEqual([]);
  });
});

describe('path traversal and id guessing on downloads', () => {
  const get = (url: string, who = 'assessor1') => t.app.inject({ method: 'GET', url, headers: headers(logins[who]!) });

  it('recording URLs accept nothing but a call UUID', async () => {
    for (const id of ['..%2F..%2F..%2Fetc%2Fpasswd', '..', '%2e%2e', `${CALL_A}%00`, `${CALL_A}.ogg`, CALL_A.toUpperCase(), `${CALL_A}/..`, '*']) {
      const res = await get(`/api/calls/${id}/recording`);
      expect([400, 404], `${id}: ${res.statusCode}`).toContain(res.statusCode);
      expect(res.headers['content-type'] ?? '').not.toMatch(/audio/);
    }
  });

  it('a recording path outside the recordings folder (a tampered row) is never served', async () => {
    const id = randomUUID();
    t.repos.calls.create({ id, centreId: t.centreId, callerUserId: t.users.assessor, calleeUserId: t.users.candidate, callerExtension: 'a', calleeExtension: 'c', candidateUserId: t.users.candidate, invitedAt: 2 });
    for (const p of ['/etc/passwd', path.join(t.dir, 'recordings', '..', 'test.sqlite'), `${path.join(t.dir, 'recordings')}-evil/x.ogg`]) {
      t.repos.calls.update(id, { state: 'ended', recordingPath: p, recordingStatus: 'complete' });
      const res = await get(`/api/calls/${id}/recording`);
      expect(res.statusCode, p).toBe(404);
    }
  });

  it('print-out URLs accept nothing but UUIDs, and a guessed print-out id is not found', async () => {
    for (const pid of ['..%2F..%2Ftest.sqlite', `${printoutA}-customer.pdf`, '..', printoutA.toUpperCase().replace(/-/g, '')]) {
      const res = await get(`/api/attempts/${attemptA}/printouts/${pid}`);
      expect([400, 404], `${pid}: ${res.statusCode}`).toContain(res.statusCode);
      expect(res.headers['content-type'] ?? '').not.toMatch(/pdf/);
    }
    expect((await get(`/api/attempts/${attemptA}/printouts/${randomUUID()}`)).statusCode).toBe(404);
    expect((await get(`/api/attempts/${attemptA}/printouts/${printoutA}`)).statusCode).toBe(200);
  });

  it('/metrics, outside the matrix because it checks access itself, is closed to anonymous and non-admin users', async () => {
    // It declares no config.access (admin session OR bearer token); tests/server/metrics.test.ts has the details.
    expect(t.app.routeAccess.map((r) => r.url)).not.toContain('/metrics');
    expect((await t.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
    expect((await get('/metrics', 'assessor2')).statusCode).toBe(403);
    expect((await get('/metrics', 'moderator2')).statusCode).toBe(403);
  });
});
