// Calls wait for their agent as in an ACD queue (server/sip/offer-queue.ts), whichever way they come:
// dialled directly, transferred by REFER (RFC 3515) or brought into a conference. Real sip.js phones
// and real mediasoup workers through the real B2BUA; the candidate is in a running sitting whose
// assignment names a part the centre's staff play (so staff may transfer calls to them), and their
// desktop's agent state is set through the real API. The server's clock is the test's.
//
//   - a call to a candidate who is Not ready gets 182 Queued and rings only when they go Ready;
//     their caller CANCELling takes it out of the queue; two waiting calls are offered oldest first
//   - a blind transfer or a conference party to a Not ready candidate waits in the same queue: the
//     referrer hears "182 Queued" in a NOTIFY (message/sipfrag), the candidate's phone rings when
//     they go Ready, and the transfer or conference completes; waiting transfers and direct calls
//     share one first-come-first-served order
//   - the wait ends cleanly: the call ending while a transfer waits (nothing rings later, media
//     freed, recording finalised, events stored), and the sitting ending (the waiting transfer fails
//     with a final NOTIFY, the waiting direct call is refused, the call being transferred goes on)
import type { Invitation as InvitationT, Session } from 'sip.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../../server/auth/passwords.js';
import type { SittingDetail } from '../../../server/protocol/assessment.js';
import { Inviter, registeredPhone, SessionState, UserAgent, type TestUa } from '../../support/sip-clients.js';
import { ok, startSitting } from '../../support/sitting-helpers.js';
import { useTelephonyApp } from '../../support/telephony-app.js';
import { PASSWORD, type Login } from '../../support/test-app.js';
import { until } from '../../support/until.js';

const h = useTelephonyApp({ rtcPorts: [48400, 48449] });
let assessor: Login;
let sitting: SittingDetail;
let attemptId: string;

beforeAll(async () => {
  const t = h.t;
  const hash = await hashPassword(PASSWORD);
  // The team leader and a colleague: the centre's staff, who play the assignment's parts.
  t.repos.users.create({ username: 'teamleader', displayName: 'Team Leader', role: 'assessor', centreId: t.centreId, passwordHash: hash });
  t.repos.users.create({ username: 'colleague', displayName: 'A Colleague', role: 'assessor', centreId: t.centreId, passwordHash: hash });
  assessor = await t.loginAs('assessor');
  // The centre's variant of S3 with a team leader to transfer to: staff may reach the candidate.
  const cloned = await ok<{ key: string }>(t, assessor, 'POST', '/api/scenarios/s3/clone', { variant: 'queue', title: 'Complaint with a team leader' }, 201);
  const variant = await ok<{ text: string }>(t, assessor, 'GET', `/api/scenarios/${cloned.key}`);
  const raw = JSON.parse(variant.text) as { version: number; candidateBrief: { transferTargets?: unknown } };
  raw.candidateBrief.transferTargets = [{ label: 'Team leader' }];
  raw.version += 1;
  await ok(t, assessor, 'PUT', `/api/scenarios/${cloned.key}`, raw);
  sitting = await ok<SittingDetail>(t, assessor, 'POST', '/api/sittings', { candidateUserId: t.users.candidate, scenarioKeys: [cloned.key, 's4', 's5', 's1'] }, 201);
  await startSitting(t, assessor, sitting.id);
  await ok(t, assessor, 'POST', `/api/sittings/${sitting.id}/assignments/1/attempts`);
  attemptId = t.repos.attempts.openForCandidate(t.users.candidate)[0]!.id;
});

type Phone = TestUa & { extension: string; session?: Session };

/** A registered phone; `answers` picks it up (after a moment) whenever it rings. */
async function phone(username: string, answers = true): Promise<Phone> {
  const me: Phone = await registeredPhone(h.t, username, h.uas, (inv: InvitationT) => {
    me.session = inv;
    if (answers) setTimeout(() => void inv.accept().catch(() => {}), 20);
  });
  return me;
}

/** The candidate's desktop changes agent state, through the API (as its Ready / Not ready buttons do). */
async function agentState(state: 'ready' | 'not-ready'): Promise<void> {
  const candidate = await h.t.loginAs('candidate');
  await ok(h.t, candidate, 'POST', `/api/attempts/${attemptId}/agent-state`, { state });
}

/** `from` calls `to`; resolves with the Inviter and the first final status (or 0 while none came). */
function dial(from: Phone, to: Phone): { inviter: InstanceType<typeof Inviter>; provisional: number[]; final: Promise<number> } {
  const inviter = new Inviter(from.ua, UserAgent.makeURI(`sip:${to.extension}@callmark.local`)!);
  from.session = inviter;
  const provisional: number[] = [];
  const final = new Promise<number>((resolve) => {
    void inviter.invite({
      requestDelegate: {
        onProgress: (r) => provisional.push(r.message.statusCode ?? 0),
        onAccept: (r) => resolve(r.message.statusCode ?? 0),
        onReject: (r) => resolve(r.message.statusCode ?? 0),
      },
    });
  });
  return { inviter, provisional, final };
}

/** A connected call from `from` to `to` (who answers). */
async function connected(from: Phone, to: Phone): Promise<void> {
  const { inviter, final } = dial(from, to);
  expect(await final).toBe(200);
  await until(() => inviter.state === SessionState.Established && to.session?.state === SessionState.Established);
}

/** REFER from the party's session: the sipfrag of each NOTIFY as it comes, and the final one. */
function refer(from: Phone, targetExt: string, kind: 'blind' | 'conference' = 'blind'): { frags: string[]; final: Promise<string> } {
  const frags: string[] = [];
  const final = new Promise<string>((resolve) => {
    void from.session!.refer(UserAgent.makeURI(`sip:${targetExt}@callmark.local`)!, {
      requestOptions: kind === 'conference' ? { extraHeaders: ['X-Callmark-Refer: conference'] } : undefined,
      onNotify: (n) => {
        void n.accept();
        frags.push(n.request.body.trim());
        if (/terminated/i.test(n.request.getHeader('Subscription-State') ?? '')) resolve(n.request.body.trim());
      },
    });
  });
  return { frags, final };
}

/**
 * The candidate Not ready; the customer (assessor1) put through to the team leader, who transfers
 * them (or, `conference`, brings the candidate in): waiting in the queue, the team leader told so.
 */
async function transferWaiting(kind: 'blind' | 'conference' = 'blind') {
  await agentState('not-ready');
  const candidate = await phone('candidate1');
  const customer = await phone('assessor1');
  const teamLeader = await phone('teamleader');
  await connected(customer, teamLeader);
  const transfer = refer(teamLeader, candidate.extension, kind);
  await until(() => transfer.frags.includes('SIP/2.0 182 Queued'));
  return { candidate, customer, teamLeader, transfer };
}

/** A colleague then dials the candidate: it waits too (182 Queued), behind the transfer. */
async function directCallWaiting(candidate: Phone) {
  const colleague = await phone('colleague');
  const direct = dial(colleague, candidate);
  await until(() => direct.provisional.includes(182));
  return { colleague, direct };
}

const b2bua = () => h.t.app.telephony!.b2bua!;
const routers = () => h.pool.health().workers.reduce((n, w) => n + w.routers, 0);
const callsNewestFirst = () => h.t.repos.calls.list({ limit: 10 });
const eventTypes = (callId: string) => h.t.repos.calls.events(callId).map((e) => e.type);

describe('a call to a candidate who is Not ready', { timeout: 30_000 }, () => {
  it('waits (182 Queued) and leaves the queue when its caller CANCELs: nothing rings later', async () => {
    await agentState('not-ready');
    const candidate = await phone('candidate1');
    const caller = await phone('assessor1');
    const { inviter, provisional, final } = dial(caller, candidate);
    await until(() => provisional.includes(182));
    expect(b2bua().queuedCalls).toBe(1);
    await inviter.cancel();
    expect(await final).toBe(487);
    await until(() => b2bua().activeCalls === 0);
    expect(b2bua().queuedCalls).toBe(0);
    const [call] = callsNewestFirst();
    expect(eventTypes(call!.id)).toEqual(expect.arrayContaining(['queued', 'cancel', 'end']));
    expect(eventTypes(call!.id)).not.toContain('offered');
    await agentState('ready');
    expect(candidate.incoming).toHaveLength(0);
  });

  it('two waiting calls are offered in the order they arrived', async () => {
    await agentState('not-ready');
    const candidate = await phone('candidate1');
    const first = await phone('assessor1');
    const second = await phone('teamleader');
    const a = dial(first, candidate);
    await until(() => a.provisional.includes(182));
    const b = dial(second, candidate);
    await until(() => b.provisional.includes(182));
    expect(b2bua().queuedCalls).toBe(2);

    await agentState('ready');
    expect(await a.final).toBe(200);
    expect(candidate.incoming).toHaveLength(1);
    expect(candidate.incoming[0]!.remoteIdentity.uri.user).toBe(first.extension);
    // The second rings only once the candidate's phone is free again.
    await until(() => candidate.session?.state === SessionState.Established);
    await candidate.session!.bye();
    expect(await b.final).toBe(200);
    expect(candidate.incoming[1]!.remoteIdentity.uri.user).toBe(second.extension);
    // Each waited for the candidate, named as the users table has them (the replay: "Waiting for Test candidate").
    for (const call of callsNewestFirst().slice(0, 2)) {
      const events = h.t.repos.calls.events(call.id);
      expect(events.find((e) => e.type === 'queued')?.detail).toMatchObject({ targetName: 'Test candidate' });
      expect(events.find((e) => e.type === 'offered')?.detail).toMatchObject({ targetName: 'Test candidate' });
    }
    await until(() => candidate.session?.state === SessionState.Established);
    await candidate.session!.bye();
  });
});

describe('a transfer or conference to a candidate who is Not ready', { timeout: 30_000 }, () => {
  it('a blind transfer waits in the queue (NOTIFY 182 Queued), rings when they go Ready, and completes', async () => {
    const { candidate, customer, teamLeader, transfer } = await transferWaiting();
    const { frags, final } = transfer;
    expect(frags).toEqual(['SIP/2.0 100 Trying', 'SIP/2.0 182 Queued']);
    expect(candidate.incoming).toHaveLength(0);
    expect(b2bua().queuedCalls).toBe(1);
    const [call] = callsNewestFirst();
    expect(eventTypes(call!.id)).toEqual(expect.arrayContaining(['transfer-requested', 'queued']));
    // Named as the users table has them (the replay says "Waiting for Test candidate"), as transfers are.
    expect(h.t.repos.calls.events(call!.id).find((e) => e.type === 'queued')?.detail).toMatchObject({ target: candidate.extension, targetName: 'Test candidate' });
    // The customer and the team leader still talk while the transfer waits.
    expect(customer.session!.state).toBe(SessionState.Established);
    // A long wait keeps the REFER's subscription alive: "182 Queued" again before its 60 s run out.
    h.t.clock.advance(30_000);
    await until(() => frags.length === 3);
    expect(frags[2]).toBe('SIP/2.0 182 Queued');

    await agentState('ready');
    expect(await final).toBe('SIP/2.0 200 OK');
    expect(candidate.incoming).toHaveLength(1);
    expect(candidate.incoming[0]!.request.getHeader('Referred-By')).toContain(teamLeader.extension);
    expect(candidate.incoming[0]!.remoteIdentity.uri.user).toBe(customer.extension);
    await until(() => teamLeader.session!.state === SessionState.Terminated);
    expect(customer.session!.state).toBe(SessionState.Established);
    const order = eventTypes(call!.id).filter((e) => ['transfer-requested', 'queued', 'offered', 'transferred'].includes(e));
    expect(order).toEqual(['transfer-requested', 'queued', 'offered', 'transferred']);
    expect(h.t.repos.calls.events(call!.id).find((e) => e.type === 'offered')?.detail).toMatchObject({ target: candidate.extension, targetName: 'Test candidate' });
    expect(b2bua().queuedCalls).toBe(0);
    await candidate.session!.bye();
  });

  it('a conference party waits in the queue too, and joins when they go Ready', async () => {
    const { candidate, customer, teamLeader, transfer } = await transferWaiting('conference');
    expect(candidate.incoming).toHaveLength(0);
    await agentState('ready');
    expect(await transfer.final).toBe('SIP/2.0 200 OK');
    const [call] = callsNewestFirst();
    const order = eventTypes(call!.id).filter((e) => ['conference-requested', 'queued', 'offered', 'conference-started'].includes(e));
    expect(order).toEqual(['conference-requested', 'queued', 'offered', 'conference-started']);
    expect(customer.session!.state).toBe(SessionState.Established);
    expect(teamLeader.session!.state).toBe(SessionState.Established);
    await customer.session!.bye();
    await teamLeader.session!.bye();
  });

  it('a waiting transfer and a direct call share one queue, offered first come first served', async () => {
    const { candidate, customer, transfer } = await transferWaiting();
    const { colleague, direct } = await directCallWaiting(candidate);
    expect(b2bua().queuedCalls).toBe(2);

    await agentState('ready');
    expect(await transfer.final).toBe('SIP/2.0 200 OK');
    // The transferred customer rang first; the colleague's call waits until the candidate is free.
    expect(candidate.incoming[0]!.remoteIdentity.uri.user).toBe(customer.extension);
    expect(candidate.incoming).toHaveLength(1);
    expect(b2bua().queuedCalls).toBe(1);
    await until(() => customer.session!.state === SessionState.Established && candidate.session?.state === SessionState.Established);
    await customer.session!.bye();
    expect(await direct.final).toBe(200);
    expect(candidate.incoming[1]!.remoteIdentity.uri.user).toBe(colleague.extension);
    await until(() => candidate.session?.state === SessionState.Established);
    await candidate.session!.bye();
  });

  it('the call ending while the transfer waits takes it out of the queue: nothing rings later, nothing leaks', async () => {
    const { candidate, customer } = await transferWaiting();
    const [call] = callsNewestFirst();

    // The customer hangs up while the transfer waits.
    await customer.session!.bye();
    await until(() => b2bua().activeCalls === 0);
    expect(b2bua().queuedCalls).toBe(0);
    // The call's media is freed: no router left on the worker.
    await until(() => routers() === 0);
    await until(() => h.t.repos.calls.find(call!.id)?.recordingStatus === 'complete');
    const stored = h.t.repos.calls.find(call!.id)!;
    expect(stored.state).toBe('ended');
    expect(stored.recordingSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(eventTypes(call!.id)).toEqual(expect.arrayContaining(['transfer-requested', 'queued', 'hangup', 'end', 'recording-finished']));
    expect(eventTypes(call!.id)).not.toContain('offered');
    // Going Ready later rings nothing.
    await agentState('ready');
    expect(candidate.incoming).toHaveLength(0);
    expect(b2bua().queuedCalls).toBe(0);
  });
});

// Last: it ends the sitting.
describe('the sitting ending while calls wait for the candidate', { timeout: 30_000 }, () => {
  it('fails the waiting transfer (final NOTIFY), refuses the waiting direct call, and the call being transferred goes on', async () => {
    const { candidate, customer, teamLeader, transfer } = await transferWaiting();
    const { direct } = await directCallWaiting(candidate);
    const [directCall, transferCall] = callsNewestFirst();

    await ok(h.t, assessor, 'POST', `/api/sittings/${sitting.id}/end`);
    // The queue looks again on the server's clock.
    h.t.clock.advance(5_000);
    expect(await transfer.final).toMatch(/^SIP\/2\.0 480 /);
    expect(await direct.final).toBe(480);
    await until(() => b2bua().queuedCalls === 0 && b2bua().activeCalls === 1);
    // Only the call being transferred still holds media: the refused direct call's is freed.
    await until(() => routers() === 1);
    expect(candidate.incoming).toHaveLength(0);
    expect(eventTypes(transferCall!.id)).toEqual(expect.arrayContaining(['queued', 'transfer-failed']));
    expect(eventTypes(directCall!.id)).toEqual(expect.arrayContaining(['queued', 'end']));
    // The customer and the team leader are still connected.
    expect(customer.session!.state).toBe(SessionState.Established);
    expect(teamLeader.session!.state).toBe(SessionState.Established);
    await customer.session!.bye();
  });
});
