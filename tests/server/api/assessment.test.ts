// Pre-filled marking suggestions run the scenario's auto-checks over an attempt's real data.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Login, type TestApp } from '../../support/test-app.js';

let t: TestApp;
let assessor: Login;
let attemptId: string;

beforeAll(async () => {
  t = await createTestApp();
  assessor = await t.loginAs('assessor');
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/attempts',
    headers: { cookie: assessor.cookie, 'x-csrf-token': assessor.csrf },
    payload: { candidateUserId: t.users.candidate, scenarioKey: 's1' },
  });
  attemptId = res.json().attempt.id;

  // The call: rang 5 s before the candidate answered, then a 61 s hold by the candidate.
  const t0 = t.clock.now() + 1000;
  const callId = randomUUID();
  t.repos.calls.create({ id: callId, centreId: t.centreId, callerUserId: t.users.assessor, calleeUserId: t.users.candidate, callerExtension: 'a', calleeExtension: 'c', candidateUserId: t.users.candidate, invitedAt: t0 });
  t.repos.calls.update(callId, { state: 'ended', ringingAt: t0 + 100, answeredAt: t0 + 5100, endedAt: t0 + 120_000 });
  t.repos.calls.addEvent(callId, t0 + 20_000, 'hold', 'callee');
  t.repos.calls.addEvent(callId, t0 + 81_000, 'resume', 'callee');
  t.repos.calls.addEvent(callId, t0 + 120_000, 'end');

  // The desktop: a field changed before the identity check.
  const customer = t.repos.crm.listCustomers(attemptId).find((c) => c.lastName === 'Hughes' && c.firstName === 'Margaret')!;
  const at = (ms: number) => ({ at: t0 + 5100 + ms, clientAt: null, callId, offsetMs: ms });
  t.repos.attemptEvents.append(attemptId, randomUUID(), { ...at(2000), type: 'record-opened', payload: { customerId: customer.id }, source: 'browser' });
  t.repos.attemptEvents.append(attemptId, randomUUID(), { ...at(4000), type: 'field-changed', payload: { customerId: customer.id, field: 'postcode', old: 'LS6 3HN', new: 'LS6 3HM' }, source: 'server' });
  t.repos.attemptEvents.append(attemptId, randomUUID(), { ...at(9000), type: 'identity-check', payload: { customerId: customer.id, passed: true, questions: 3, correct: 3 }, source: 'server' });
});
afterAll(async () => {
  await t.close();
});

describe('marking suggestions', () => {
  it('flags the 61 s hold and the change made before the identity check, with evidence', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/api/attempts/${attemptId}/suggestions`, headers: { cookie: assessor.cookie } });
    expect(res.statusCode, res.body).toBe(200);
    const byId = new Map(res.json().suggestions.map((s: { criterionId: string }) => [s.criterionId, s]));
    const hold = byId.get('U2-4.2-hold-max-60') as { outcome: string; suggestedMarks: number; maxMarks: number; evidence: string[] };
    expect(hold.outcome).not.toBe('met');
    expect(hold.suggestedMarks).toBeLessThan(hold.maxMarks);
    expect(hold.evidence.join(' ')).toMatch(/61/);
    const identity = byId.get('U2-1.1-verify-id') as { outcome: string; suggestedMarks: number; maxMarks: number };
    expect(identity.outcome).not.toBe('met');
    expect(identity.suggestedMarks).toBeLessThan(identity.maxMarks);
    const answer = byId.get('U2-1.1-answer-time') as { suggestedMarks: number | null; evidence: string[] };
    expect(answer.evidence.join(' ')).toMatch(/5(\.0)? ?s/);
  });

  it('is for staff only, and a foreign centre gets 404', async () => {
    const candidate = await t.loginAs('candidate');
    expect((await t.app.inject({ method: 'GET', url: `/api/attempts/${attemptId}/suggestions`, headers: { cookie: candidate.cookie } })).statusCode).toBe(403);
    const moderator = await t.loginAs('moderator');
    expect((await t.app.inject({ method: 'GET', url: `/api/attempts/${attemptId}/suggestions`, headers: { cookie: moderator.cookie } })).statusCode).toBe(200);
    const foreign = t.repos.attempts.create({ centreId: t.foreignCentreId, candidateUserId: t.repos.users.findByUsernameWithHash('candidate2')!.id, scenarioKey: 's1' }, t.clock.now());
    expect((await t.app.inject({ method: 'GET', url: `/api/attempts/${foreign.id}/suggestions`, headers: { cookie: assessor.cookie } })).statusCode).toBe(404);
  });
});
