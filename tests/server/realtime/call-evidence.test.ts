// S5 (outbound sales) driven as the desktop drives it, with real SIP user agents through the real
// B2BUA: the call events the server sees enter the attempt's timeline as server records (the
// number each call dialled among them), and the suggestions read them. One candidate writes the
// call plan before dialling, rings a do-not-call lead first, then the right one, and e-mails the
// information pack without the pack: the do-not-call and information-pack criteria are 0, the
// call plan is not "account data before identity". Another does it all right and earns them.
import type { Invitation as InvitationT } from 'sip.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MediaWorkerPool } from '../../../media/index.js';
import { Inviter, SessionState, startUa, UserAgent, type TestUa } from '../../support/sip-clients.js';
import { ok, startSitting } from '../../support/sitting-helpers.js';
import { createTestApp, type Login, type TestApp } from '../../support/test-app.js';
import { until } from '../../support/until.js';

const LEAD = 'BL100903';
const LEAD_NUMBER = '01314960544';
const DO_NOT_CALL = '07700900301';

let t: TestApp;
let pool: MediaWorkerPool;
let assessor: Login;
const uas: TestUa[] = [];

beforeAll(async () => {
  pool = await MediaWorkerPool.start({ workers: 1, rtcMinPort: 43000, rtcMaxPort: 43499 });
  t = await createTestApp({ telephony: { pool } });
  t.addUser({ username: 'candidate7', displayName: 'Second candidate', role: 'candidate' });
  assessor = await t.loginAs('assessor');
});
afterEach(async () => {
  for (const u of uas.splice(0)) await u.stop();
  await until(() => t.app.telephony!.b2bua!.activeCalls === 0);
});
afterAll(async () => {
  await t?.close();
  await pool?.close();
});

async function phone(username: string, onInvite?: (inv: InvitationT) => void): Promise<TestUa> {
  const creds = await t.sipCredentials(username);
  const u = await startUa({ wsUrl: t.wsUrl, extension: creds.extension, password: creds.password, onInvite });
  uas.push(u);
  await u.register();
  return u;
}

/** Dials a customer number from the candidate's phone; resolves with the final status once the call is over (hung up after answer). */
async function dial(from: TestUa, number: string): Promise<number> {
  const inviter = new Inviter(from.ua, UserAgent.makeURI(`sip:${number}@callmark.local`)!);
  const status = await new Promise<number>((resolve) => {
    void inviter.invite({ requestDelegate: { onAccept: (r) => resolve(r.message.statusCode ?? 0), onReject: (r) => resolve(r.message.statusCode ?? 0) } });
  });
  if (status === 200) {
    await inviter.bye();
    await until(() => inviter.state === SessionState.Terminated);
  }
  await until(() => t.app.telephony!.b2bua!.activeCalls === 0);
  return status;
}

/** S5 as assignment 3 of a started sitting for the candidate; the lead's customer id. */
async function s5Attempt(candidateUserId: number): Promise<{ attemptId: string; leadId: number }> {
  const sitting = await ok<{ id: string }>(t, assessor, 'POST', '/api/sittings', { candidateUserId, scenarioKeys: ['s1', 's4', 's5', 's3'] }, 201);
  await startSitting(t, assessor, sitting.id);
  const started = await ok<{ currentAttemptId: string }>(t, assessor, 'POST', `/api/sittings/${sitting.id}/assignments/3/attempts`);
  return { attemptId: started.currentAttemptId, leadId: t.repos.crm.findCustomerByAccount(started.currentAttemptId, LEAD)!.id };
}

async function suggestionsOf(attemptId: string): Promise<Map<string, { suggestedMarks: number | null; evidence: string[] }>> {
  const res = await ok<{ suggestions: Array<{ criterionId: string; suggestedMarks: number | null; evidence: string[] }> }>(t, assessor, 'GET', `/api/attempts/${attemptId}/suggestions`);
  return new Map(res.suggestions.map((s) => [s.criterionId, s]));
}

async function work(candidate: Login, attemptId: string, leadId: number, opts: { dialDoNotCallFirst: boolean; attachPack: boolean }): Promise<void> {
  // The call plan, before dialling (the brief asks for it).
  await ok(t, candidate, 'POST', `/api/attempts/${attemptId}/customers/${leadId}/notes`, { body: 'Plan: contract end date, current provider; ask about uploads; expect a price objection.' }, 201);
  await phone('assessor1', (inv) => void inv.accept());
  const cand = await phone(candidate === loginOf.first ? 'candidate1' : 'candidate7');
  if (opts.dialDoNotCallFirst) expect(await dial(cand, DO_NOT_CALL)).toBe(200);
  // The right lead; identity by one question, as S5 asks.
  const inviter = new Inviter(cand.ua, UserAgent.makeURI(`sip:${LEAD_NUMBER}@callmark.local`)!);
  await new Promise<void>((resolve) => void inviter.invite({ requestDelegate: { onAccept: () => resolve() } }));
  const detail = await ok<{ customer: { securityQuestions: Array<{ id: number; question: string }> } }>(t, candidate, 'GET', `/api/attempts/${attemptId}/customers/${leadId}`);
  const born = detail.customer.securityQuestions.find((q) => /born/.test(q.question))!;
  await ok(t, candidate, 'POST', `/api/attempts/${attemptId}/customers/${leadId}/identity-check`, { answers: [{ questionId: born.id, answer: 'Dundee' }] }, 201);
  await inviter.bye();
  await until(() => t.app.telephony!.b2bua!.activeCalls === 0);
  const lead = t.repos.crm.findCustomer(attemptId, leadId)!;
  await ok(
    t,
    candidate,
    'POST',
    `/api/attempts/${attemptId}/messages`,
    {
      channel: 'email',
      to: lead.email,
      subject: 'Your Brightline information pack',
      body: 'Dear Mr Campbell, as promised, here is our information pack.',
      templateKey: 'email-info-pack',
      customerId: leadId,
      attachments: opts.attachPack ? [{ kind: 'document', key: 'info-pack' }] : [],
    },
    201,
  );
}

const loginOf: { first?: Login } = {};

describe('S5 through SIP and the desktop API', () => {
  it('fails do-not-call and the information pack from the server\u2019s own records, and keeps the call plan out of the identity check', async () => {
    const candidate = await t.loginAs('candidate');
    loginOf.first = candidate;
    const { attemptId, leadId } = await s5Attempt(t.users.candidate);
    await work(candidate, attemptId, leadId, { dialDoNotCallFirst: true, attachPack: false });

    // The server's call records are on the timeline, the numbers dialled with them.
    const calls = t.repos.attemptEvents.list(attemptId, { types: ['call-started', 'call-answered', 'call-ended'] });
    expect(calls.every((e) => e.source === 'server')).toBe(true);
    expect(calls.filter((e) => e.type === 'call-started').map((e) => e.payload.dialledNumber)).toEqual([DO_NOT_CALL, LEAD_NUMBER]);

    const s = await suggestionsOf(attemptId);
    expect(s.get('U2-3.2-comply')).toMatchObject({ suggestedMarks: 0, evidence: [expect.stringContaining(`Dialled ${DO_NOT_CALL}, which is marked do-not-call`)] });
    expect(s.get('U2-7.2-recipients')?.suggestedMarks).toBe(0);
    expect(s.get('U2-7.2-recipients')?.evidence.join(' ')).toContain('without "Broadband information pack", which it had to carry');
    expect(s.get('U2-3.2-verify-id')?.suggestedMarks).toBe(1);
    expect(s.get('U2-3.2-verify-id')?.evidence.join(' ')).toContain('preparation before the call');
    expect(s.get('U2-3.1-objectives')?.suggestedMarks).toBe(1);
  });

  it('earns them when only the right lead is rung and the pack goes with the e-mail', async () => {
    const candidate = await t.login('candidate7');
    const { attemptId, leadId } = await s5Attempt(candidate.userId);
    await work(candidate, attemptId, leadId, { dialDoNotCallFirst: false, attachPack: true });
    const s = await suggestionsOf(attemptId);
    expect(s.get('U2-3.2-comply')?.suggestedMarks).toBe(1);
    expect(s.get('U2-7.2-recipients')?.suggestedMarks).toBe(1);
    expect(s.get('U2-3.2-verify-id')?.suggestedMarks).toBe(1);
  });
});
