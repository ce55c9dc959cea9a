// Sitting isolation with real sip.js user agents through the real B2BUA: while a candidate is in a
// sitting, their phone reaches and is reached by their assessor only (and, for an assignment that
// names a part to transfer to, the centre's staff who play it). A call to or from anyone else, a
// transfer or conference to them included, is refused 403 with a reason phrase saying why; the
// phone directory shows a candidate no other candidate, and in a sitting only who they may call.
import type { Invitation as InvitationT, Session } from 'sip.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../../server/auth/passwords.js';
import type { SittingDetail } from '../../../server/protocol/assessment.js';
import type { DirectoryEntry } from '../../../server/protocol/telephony.js';
import { Inviter, registeredPhone, SessionState, UserAgent, type TestUa } from '../../support/sip-clients.js';
import { candidateReady, ok, startSitting } from '../../support/sitting-helpers.js';
import { useTelephonyApp } from '../../support/telephony-app.js';
import { PASSWORD, type Login } from '../../support/test-app.js';
import { until } from '../../support/until.js';

const h = useTelephonyApp({ rtcPorts: [47000, 47499], telephony: { noAnswerTimeoutMs: 1500 } });
let assessor: Login;
let sitting: SittingDetail;

beforeAll(async () => {
  const hash = await hashPassword(PASSWORD);
  // A second candidate and a second assessor of the same centre.
  h.t.repos.users.create({ username: 'candidate3', displayName: 'Candidate 3', role: 'candidate', centreId: h.t.centreId, passwordHash: hash });
  h.t.repos.users.create({ username: 'assessor3', displayName: 'Assessor 3', role: 'assessor', centreId: h.t.centreId, passwordHash: hash });
  assessor = await h.t.loginAs('assessor');
  // candidate1 in a running sitting of assessor1, on assignment 1 (S1).
  sitting = await ok<SittingDetail>(h.t, assessor, 'POST', '/api/sittings', { candidateUserId: h.t.users.candidate, scenarioKeys: ['s1', 's4', 's5', 's3'] }, 201);
  await startSitting(h.t, assessor, sitting.id);
  await ok(h.t, assessor, 'POST', `/api/sittings/${sitting.id}/assignments/1/attempts`);
  // Their desktop is Ready: calls to them are offered at once (not held for an agent who is not).
  await candidateReady(h.t, 'candidate1');
});

type Phone = TestUa & { extension: string; session?: Session };
const extensionOf = (username: string) => h.t.repos.users.findByUsernameWithHash(username)!.extension;

/** A registered phone that answers every call. */
async function phone(username: string): Promise<Phone> {
  const me: Phone = await registeredPhone(h.t, username, h.uas, (inv: InvitationT) => {
    me.session = inv;
    setTimeout(() => void inv.accept().catch(() => {}), 20);
  });
  return me;
}

/** Calls and hangs up if answered; the final status and reason phrase. */
async function dial(from: Phone, to: Phone): Promise<{ status: number; reason: string }> {
  const inviter = new Inviter(from.ua, UserAgent.makeURI(`sip:${to.extension}@callmark.local`)!);
  const result = await new Promise<{ status: number; reason: string }>((resolve) => {
    void inviter.invite({
      requestDelegate: {
        onAccept: (r) => resolve({ status: r.message.statusCode ?? 0, reason: r.message.reasonPhrase ?? '' }),
        onReject: (r) => resolve({ status: r.message.statusCode ?? 0, reason: r.message.reasonPhrase ?? '' }),
      },
    });
  });
  if (result.status === 200) {
    await until(() => inviter.state === SessionState.Established);
    await inviter.bye();
    await until(() => h.t.app.telephony!.b2bua!.activeCalls === 0);
  }
  return result;
}

/** REFER from a party in an answered call; the sipfrag of the final NOTIFY. */
function refer(session: Session, targetExt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no final NOTIFY')), 8000);
    void session.refer(UserAgent.makeURI(`sip:${targetExt}@callmark.local`)!, {
      onNotify: (n) => {
        void n.accept();
        if (/terminated/i.test(n.request.getHeader('Subscription-State') ?? '')) {
          clearTimeout(timer);
          resolve(n.request.body.trim());
        }
      },
    });
  });
}

const directory = async (who: Login): Promise<DirectoryEntry[]> => (await ok<{ entries: DirectoryEntry[] }>(h.t, who, 'GET', '/api/directory')).entries;

describe('a candidate in a sitting', () => {
  it('calls their assessor and is called by them', async () => {
    const candidate = await phone('candidate1');
    const own = await phone('assessor1');
    expect(await dial(candidate, own)).toEqual({ status: 200, reason: 'OK' });
    expect(await dial(own, candidate)).toEqual({ status: 200, reason: 'OK' });
  });

  it('cannot call another candidate, nor be called by one: 403 with the reason', async () => {
    const candidate = await phone('candidate1');
    const peer = await phone('candidate3');
    const out = await dial(candidate, peer);
    expect(out.status).toBe(403);
    expect(out.reason).toBe('Forbidden (during your sitting you can call your assessor only)');
    const inbound = await dial(peer, candidate);
    expect(inbound.status).toBe(403);
    expect(inbound.reason).toBe('Forbidden (this candidate is in a sitting)');
    expect(peer.incoming).toHaveLength(0);
    expect(candidate.incoming).toHaveLength(0);
  });

  it('cannot reach another assessor of the centre, either way', async () => {
    const candidate = await phone('candidate1');
    const other = await phone('assessor3');
    expect(await dial(candidate, other)).toEqual({ status: 403, reason: 'Forbidden (during your sitting you can call your assessor only)' });
    expect(await dial(other, candidate)).toEqual({ status: 403, reason: 'Forbidden (this candidate is in a sitting)' });
  });

  it('cannot transfer the assessor\'s call to another candidate: the REFER fails with 403', async () => {
    const candidate = await phone('candidate1');
    const own = await phone('assessor1');
    const peer = await phone('candidate3');
    const inviter = new Inviter(own.ua, UserAgent.makeURI(`sip:${candidate.extension}@callmark.local`)!);
    await inviter.invite();
    await until(() => inviter.state === SessionState.Established && candidate.session?.state === SessionState.Established);
    expect(await refer(candidate.session!, peer.extension)).toMatch(/^SIP\/2.0 403 /);
    expect(peer.incoming).toHaveLength(0);
    expect(inviter.state).toBe(SessionState.Established);
    await inviter.bye();
  });

  it('sees only their assessor in the directory, with presence', async () => {
    await phone('assessor1');
    const candidate = await h.t.loginAs('candidate');
    const entries = await directory(candidate);
    expect(entries.map((e) => [e.displayName, e.role, e.registered])).toEqual([['Test assessor', 'assessor', true]]);
  });
});

describe('outside a sitting', () => {
  it('a candidate sees no other candidate in the directory; staff see everyone', async () => {
    const other = await h.t.login('candidate3');
    const names = (await directory(other)).map((e) => e.displayName).sort();
    expect(names).toEqual(['Assessor 3', 'Test assessor']);
    const staff = (await directory(assessor)).map((e) => e.displayName).sort();
    expect(staff).toEqual(['Assessor 3', 'Candidate 3', 'Test candidate']);
  });

  it('a candidate not in a sitting still cannot reach one who is', async () => {
    const candidate = await phone('candidate1');
    const peer = await phone('candidate3');
    expect((await dial(peer, candidate)).status).toBe(403);
  });
});

describe('an assignment that names a part to transfer to', () => {
  it('lets the candidate reach the centre\'s other staff (who play it), never another candidate', async () => {
    // The centre's variant of S3 with a team leader to transfer to, in a sitting of candidate3.
    const cloned = await ok<{ key: string }>(h.t, assessor, 'POST', '/api/scenarios/s3/clone', { variant: 'escalate', title: 'Complaint with a team leader' }, 201);
    const variant = await ok<{ text: string }>(h.t, assessor, 'GET', `/api/scenarios/${cloned.key}`);
    const raw = JSON.parse(variant.text) as { version: number; candidateBrief: { transferTargets?: unknown } };
    raw.candidateBrief.transferTargets = [{ label: 'Team leader' }];
    raw.version += 1;
    await ok(h.t, assessor, 'PUT', `/api/scenarios/${cloned.key}`, raw);
    const candidate3 = h.t.repos.users.findByUsernameWithHash('candidate3')!.id;
    const s = await ok<SittingDetail>(h.t, assessor, 'POST', '/api/sittings', { candidateUserId: candidate3, scenarioKeys: [cloned.key, 's4', 's5', 's1'] }, 201);
    await startSitting(h.t, assessor, s.id);
    await ok(h.t, assessor, 'POST', `/api/sittings/${s.id}/assignments/1/attempts`);

    const candidate = await phone('candidate3');
    const teamLeader = await phone('assessor3');
    const peer = await phone('candidate1');
    expect((await dial(candidate, teamLeader)).status).toBe(200);
    expect((await dial(candidate, peer)).status).toBe(403);
    const names = (await directory(await h.t.login('candidate3'))).map((e) => e.displayName).sort();
    expect(names).toEqual(['Assessor 3', 'Test assessor']);
    expect(extensionOf('assessor3')).toBe(teamLeader.extension);
  });
});

describe('after the sitting ends', () => {
  it('the candidate reaches the centre\'s staff again', async () => {
    await ok(h.t, assessor, 'POST', `/api/sittings/${sitting.id}/end`);
    const candidate = await phone('candidate1');
    const other = await phone('assessor3');
    expect((await dial(candidate, other)).status).toBe(200);
  });
});
