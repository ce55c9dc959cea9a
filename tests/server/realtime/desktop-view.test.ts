// The assessor's live mirror of the candidate's desktop over real socket.io connections against the
// real app: a view reaches only the attempt's watchers, and only from the attempt's own candidate
// while it is open; a malformed, oversized or unknown-field view is refused and relayed to nobody;
// nobody outside the attempt's supervisors can watch it; a watcher who joins late gets the latest
// view; the agent state and call come from what the server recorded, never from the view; and no
// view is ever stored on the timeline.
import { randomUUID } from 'node:crypto';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { copySeedToAttempt, demoSeed } from '../../../server/crm/attempt-copy.js';
import type { Attempt } from '../../../server/db/repositories/attempts.js';
import type { DesktopView, DesktopViewAck, DesktopViewRelay, DesktopViewWatchAck, DesktopStatusRelay } from '../../../server/protocol/desktop-view.js';
import { MAX_VIEW_FIELD_CHARS } from '../../../server/protocol/desktop-view.js';
import { ok } from '../../support/sitting-helpers.js';
import { createTestApp, FOREIGN_ASSESSOR, OTHER_CANDIDATE, type TestApp } from '../../support/test-app.js';

let t: TestApp;
let base: string;
const cookies: Record<string, string> = {};
const sockets: Socket[] = [];
let otherCandidate: number;

beforeAll(async () => {
  t = await createTestApp({ telephony: {} });
  base = t.wsUrl.replace(/^ws/, 'http').replace(/\/sip$/, '');
  t.addUser(FOREIGN_ASSESSOR);
  otherCandidate = t.addUser(OTHER_CANDIDATE);
  for (const name of ['candidate1', 'candidate3', 'assessor1', 'assessor2', 'moderator1']) cookies[name] = (await t.login(name)).cookie;
});
afterEach(() => {
  for (const s of sockets.splice(0)) s.disconnect();
});
afterAll(async () => {
  await t?.close();
});

async function connected(user: string): Promise<Socket> {
  const s = connectSocket(base, { path: '/socket.io', transports: ['websocket'], forceNew: true, reconnection: false, extraHeaders: { cookie: cookies[user]! } });
  sockets.push(s);
  await new Promise<void>((resolve, reject) => {
    s.once('connect', resolve);
    s.once('connect_error', reject);
  });
  return s;
}

/** An open attempt with the demo CRM copied in; its first customer's id. */
function newAttempt(candidate = t.users.candidate): { attempt: Attempt; customerId: number } {
  const attempt = t.repos.attempts.create({ centreId: t.centreId, candidateUserId: candidate, scenarioKey: 'demo' }, t.clock.now());
  copySeedToAttempt(t.repos, attempt.id, demoSeed(), t.clock.now());
  return { attempt, customerId: t.repos.crm.listCustomers(attempt.id)[0]!.id };
}

const view = (customerId: number | null, over: Partial<DesktopView> = {}): DesktopView => ({
  customerId,
  recordTab: customerId === null ? null : 'details',
  toolTab: 'inbox',
  form: customerId === null ? null : { name: 'details', fields: { firstName: 'Sam' } },
  ...over,
});

const update = (s: Socket, input: unknown) => s.emitWithAck('desktop-view:update', input) as Promise<DesktopViewAck>;
const watch = (s: Socket, attemptId: string) => s.emitWithAck('desktop-view:watch', { attemptId }) as Promise<DesktopViewWatchAck>;

/** Every relay a socket receives, in order. */
function relays(s: Socket): DesktopViewRelay[] {
  const got: DesktopViewRelay[] = [];
  s.on('desktop-view:changed', (r: DesktopViewRelay) => got.push(r));
  return got;
}
/** Resolves once the list holds n items. */
async function untilCount<T>(list: T[], n: number): Promise<T[]> {
  while (list.length < n) await new Promise((r) => setTimeout(r, 10));
  return list;
}

/**
 * Whether a refused view reached the watcher: the attempt's own candidate then sends a good view,
 * which (handled after the refused one, on the watcher's one ordered connection) must be the first
 * thing the watcher receives.
 */
async function firstRelayAfter(watcherGot: DesktopViewRelay[], candidate: Socket, attemptId: string, customerId: number): Promise<DesktopViewRelay> {
  const good = view(customerId, { form: { name: 'note', fields: { body: 'marker' } } });
  expect(await update(candidate, { attemptId, view: good })).toEqual({ ok: true });
  await untilCount(watcherGot, 1);
  return watcherGot[0]!;
}

describe('who may send a view', () => {
  it('relays a view from the attempt’s own candidate to its assessor, and stores nothing on the timeline', async () => {
    const { attempt, customerId } = newAttempt();
    const assessor = await connected('assessor1');
    const got = relays(assessor);
    expect(await watch(assessor, attempt.id)).toMatchObject({ ok: true, latest: null });
    const candidate = await connected('candidate1');
    expect(await update(candidate, { attemptId: attempt.id, view: view(customerId) })).toEqual({ ok: true });
    const [first] = await untilCount(got, 1);
    expect(first).toMatchObject({ attemptId: attempt.id, view: view(customerId) });
    expect(t.repos.attemptEvents.list(attempt.id)).toEqual([]);
  });

  it('refuses a view from staff (not a candidate) and relays it to nobody', async () => {
    const { attempt, customerId } = newAttempt();
    const watcher = await connected('assessor1');
    const got = relays(watcher);
    await watch(watcher, attempt.id);
    const staff = await connected('moderator1');
    const forged = { attemptId: attempt.id, view: view(customerId, { form: { name: 'note', fields: { body: 'forged' } } }) };
    expect(await update(staff, forged)).toMatchObject({ ok: false, error: 'not_found' });
    expect(await update(watcher, forged)).toMatchObject({ ok: false, error: 'not_found' });
    const candidate = await connected('candidate1');
    expect((await firstRelayAfter(got, candidate, attempt.id, customerId)).view.form?.fields).toEqual({ body: 'marker' });
  });

  it('refuses a view from the candidate of another attempt and relays it to nobody', async () => {
    const { attempt, customerId } = newAttempt();
    newAttempt(otherCandidate);
    const watcher = await connected('assessor1');
    const got = relays(watcher);
    await watch(watcher, attempt.id);
    const other = await connected('candidate3');
    expect(await update(other, { attemptId: attempt.id, view: view(customerId, { form: { name: 'note', fields: { body: 'forged' } } }) })).toMatchObject({ ok: false, error: 'not_found' });
    const candidate = await connected('candidate1');
    expect((await firstRelayAfter(got, candidate, attempt.id, customerId)).view.form?.fields).toEqual({ body: 'marker' });
  });

  it('refuses malformed, oversized and unknown-field views and relays none of them', async () => {
    const { attempt, customerId } = newAttempt();
    const other = newAttempt(otherCandidate);
    const watcher = await connected('assessor1');
    const got = relays(watcher);
    await watch(watcher, attempt.id);
    const candidate = await connected('candidate1');
    const bad: Array<[unknown, string]> = [
      ['not an object', 'validation'],
      [{ attemptId: attempt.id }, 'validation'],
      [{ attemptId: attempt.id, view: { ...view(customerId), extra: 1 } }, 'validation'],
      [{ attemptId: attempt.id, view: view(customerId, { recordTab: 'passwords' as never }) }, 'validation'],
      [{ attemptId: attempt.id, view: view(customerId, { form: { name: 'details', fields: { password: 'x' } } }) }, 'validation'],
      [{ attemptId: attempt.id, view: view(customerId, { form: { name: 'secret' as never, fields: {} } }) }, 'validation'],
      [{ attemptId: attempt.id, view: view(customerId, { form: { name: 'note', fields: { body: 'x'.repeat(MAX_VIEW_FIELD_CHARS + 1) } } }) }, 'validation'],
      // Each field within its limit, the whole view over 8 KB.
      [{ attemptId: attempt.id, view: view(customerId, { form: { name: 'case', fields: { description: 'x'.repeat(2000), reason: 'y' } } }) }, 'validation'],
      [{ attemptId: attempt.id, view: view(customerId, { form: { name: 'order', fields: Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`line${i + 1}Product`, 'p'.repeat(1900)])) } }) }, 'validation'],
      [{ attemptId: attempt.id, view: view(customerId, { form: { name: 'note', fields: { body: 7 as never } } }) }, 'validation'],
      // A customer that is not in this attempt's records.
      [{ attemptId: attempt.id, view: view(other.customerId + 100000) }, 'validation'],
    ];
    for (const [input, error] of bad) expect(await update(candidate, input), JSON.stringify(input).slice(0, 120)).toMatchObject({ ok: false, error });
    expect((await firstRelayAfter(got, candidate, attempt.id, customerId)).view.form?.fields).toEqual({ body: 'marker' });
  });

  it('refuses a view of a closed attempt', async () => {
    const { attempt, customerId } = newAttempt();
    t.repos.attempts.close(attempt.id, t.clock.now());
    const candidate = await connected('candidate1');
    expect(await update(candidate, { attemptId: attempt.id, view: view(customerId) })).toMatchObject({ ok: false, error: 'attempt_closed' });
  });
});

describe('who may watch', () => {
  it('refuses an assessor of another centre, and relays nothing to them', async () => {
    const { attempt, customerId } = newAttempt();
    const foreign = await connected('assessor2');
    const foreignGot = relays(foreign);
    expect(await watch(foreign, attempt.id)).toMatchObject({ ok: false, error: 'not_found' });
    const own = await connected('assessor1');
    const ownGot = relays(own);
    await watch(own, attempt.id);
    const candidate = await connected('candidate1');
    await firstRelayAfter(ownGot, candidate, attempt.id, customerId);
    // The foreign socket's connection is its own; a second good view, seen by the assessor, follows the first on the server too.
    await update(candidate, { attemptId: attempt.id, view: view(customerId) });
    await untilCount(ownGot, 2);
    expect(await foreign.emitWithAck('desktop-view:watch', { attemptId: 'x' })).toMatchObject({ ok: false });
    expect(foreignGot).toEqual([]);
  });

  it('refuses a candidate watching another attempt’s mirror (or their own), and relays nothing to them', async () => {
    const { attempt, customerId } = newAttempt();
    const nosy = await connected('candidate3');
    const nosyGot = relays(nosy);
    expect(await watch(nosy, attempt.id)).toMatchObject({ ok: false, error: 'not_found' });
    const candidate = await connected('candidate1');
    const ownGot = relays(candidate);
    expect(await watch(candidate, attempt.id)).toMatchObject({ ok: false, error: 'not_found' });
    const assessor = await connected('assessor1');
    const assessorGot = relays(assessor);
    await watch(assessor, attempt.id);
    await firstRelayAfter(assessorGot, candidate, attempt.id, customerId);
    // A round trip on each socket after the relay was sent: anything relayed to them would be in by now.
    await nosy.emitWithAck('desktop-view:watch', { attemptId: attempt.id });
    await candidate.emitWithAck('desktop-view:watch', { attemptId: attempt.id });
    expect(nosyGot).toEqual([]);
    expect(ownGot).toEqual([]);
  });

  it('gives a watcher who joins late the latest view', async () => {
    const { attempt, customerId } = newAttempt();
    const candidate = await connected('candidate1');
    await update(candidate, { attemptId: attempt.id, view: view(customerId, { recordTab: 'notes' }) });
    await update(candidate, { attemptId: attempt.id, view: view(customerId, { recordTab: 'orders' }) });
    const late = await connected('assessor1');
    const ack = await watch(late, attempt.id);
    expect(ack).toMatchObject({ ok: true, latest: { attemptId: attempt.id, view: { recordTab: 'orders' } } });
  });
});

describe('agent state and call, from the server’s own records', () => {
  it('reports what the server recorded, pushes each change, and ignores anything a view might claim', async () => {
    const { attempt, customerId } = newAttempt();
    const assessor = await connected('assessor1');
    const statuses: DesktopStatusRelay[] = [];
    assessor.on('desktop-view:status', (s: DesktopStatusRelay) => statuses.push(s));
    const first = await watch(assessor, attempt.id);
    expect(first).toMatchObject({ ok: true, status: { agentState: 'not-ready', agentSince: null, call: null } });
    const candidate = await connected('candidate1');
    // A view claiming a call is refused outright: calls are not part of a view.
    expect(await update(candidate, { attemptId: attempt.id, view: { ...view(customerId), call: { answered: true } } })).toMatchObject({ ok: false, error: 'validation' });

    // The candidate's state change through its route, a call through the B2BUA's own call records.
    const login = await t.login('candidate1');
    const t0 = t.clock.now();
    await ok(t, login, 'POST', `/api/attempts/${attempt.id}/agent-state`, { state: 'ready' });
    const callId = randomUUID();
    t.repos.calls.create({ id: callId, centreId: t.centreId, callerUserId: t.users.assessor, calleeUserId: t.users.candidate, callerExtension: 'a', calleeExtension: 'c', candidateUserId: t.users.candidate, invitedAt: t0 + 1_000 });
    t.repos.calls.addEvent(callId, t0 + 1_000, 'invite', null, { from: 'a', to: 'c' });
    t.repos.calls.update(callId, { state: 'answered', answeredAt: t0 + 2_000 });
    t.repos.calls.addEvent(callId, t0 + 2_000, 'answered');
    t.repos.calls.addEvent(callId, t0 + 3_000, 'hold', 'callee');
    await untilCount(statuses, 4);
    expect(statuses[3]!.status).toMatchObject({
      agentState: 'ready',
      agentSince: t0,
      call: { direction: 'inbound', answered: true, startedAt: t0 + 1_000, answeredAt: t0 + 2_000, heldSince: t0 + 3_000, heldByCandidate: true },
    });
    t.repos.calls.addEvent(callId, t0 + 4_000, 'resume', 'callee');
    await untilCount(statuses, 5);
    expect(statuses[4]!.status.call).toMatchObject({ answered: true, heldSince: null });
    t.repos.calls.update(callId, { state: 'ended', endedAt: t0 + 5_000 });
    t.repos.calls.addEvent(callId, t0 + 5_000, 'end', null, { outcome: 'hangup' });
    await untilCount(statuses, 6);
    expect(statuses[5]!.status).toMatchObject({ agentState: 'ready', call: null, lastSeq: 6 });
  });
});

describe('a view is never evidence', () => {
  it('puts no view on the timeline, however many arrive', async () => {
    const { attempt, customerId } = newAttempt();
    const candidate = await connected('candidate1');
    for (let i = 0; i < 5; i += 1) expect(await update(candidate, { attemptId: attempt.id, view: view(customerId, { form: { name: 'note', fields: { body: `n${i}-${randomUUID()}` } } }) })).toEqual({ ok: true });
    expect(t.repos.attemptEvents.list(attempt.id)).toEqual([]);
  });
});
