// The identity check as centres run it, through the desktop's own API: the scenario says how many
// questions must be asked and answered correctly; an unanswered question was not asked; the answer
// says what happened in words; the stored check, the marking suggestion and the replay agree.
// S1 (Mrs Hughes, three questions on her record, two required): two answered correctly and one
// left empty must verify; the edges: one wrong, fewer asked than required. S5 requires one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IdentityOutcome } from '../../../server/assessment/identity.js';
import type { ReplayView } from '../../../server/protocol/moderation.js';
import { createSitting, ok, startAttempt, startSitting } from '../../support/sitting-helpers.js';
import { createTestApp, type Login, type TestApp } from '../../support/test-app.js';

let t: TestApp;
let assessor: Login;
let candidate: Login;

beforeAll(async () => {
  t = await createTestApp();
  ({ assessor, candidate } = await t.loginRoles('assessor', 'candidate'));
});
afterAll(async () => {
  await t?.close();
});

/** The check's answer: the outcome in figures and words. */
type CheckAnswer = Pick<IdentityOutcome, 'passed' | 'required' | 'asked' | 'correct' | 'summary'>;

/** A fresh practice attempt of the scenario; the customer's security questions by their wording. */
async function customerOf(scenarioKey: string, account: string): Promise<{ attemptId: string; customerId: number; question: (text: RegExp) => number }> {
  const attemptId = (await ok<{ attempt: { id: string } }>(t, assessor, 'POST', '/api/attempts', { candidateUserId: t.users.candidate, scenarioKey }, 201)).attempt.id;
  const customerId = t.repos.crm.findCustomerByAccount(attemptId, account)!.id;
  const detail = await ok<{ customer: { securityQuestions: Array<{ id: number; question: string }> } }>(t, candidate, 'GET', `/api/attempts/${attemptId}/customers/${customerId}`);
  return { attemptId, customerId, question: (text) => detail.customer.securityQuestions.find((q) => text.test(q.question))!.id };
}

const check = (attemptId: string, customerId: number, answers: Array<{ questionId: number; answer: string }>) =>
  ok<CheckAnswer>(t, candidate, 'POST', `/api/attempts/${attemptId}/customers/${customerId}/identity-check`, { answers }, 201);

describe('S1, Mrs Hughes: two questions required of the three on her record', () => {
  it('two answered correctly and the third left empty: verified, said in words', async () => {
    const c = await customerOf('s1', 'BL100231');
    const res = await check(c.attemptId, c.customerId, [
      { questionId: c.question(/memorable word/), answer: 'Bluebell' },
      { questionId: c.question(/first school/), answer: 'st chads' },
      { questionId: c.question(/previous address/), answer: '  ' },
    ]);
    expect(res).toMatchObject({ passed: true, required: 2, asked: 2, correct: 2, summary: '2 asked, 2 correct: verified' });
    const stored = t.repos.attemptEvents.list(c.attemptId, { types: ['identity-check'] });
    expect(stored.map((e) => [e.source, e.payload.passed, e.payload.summary])).toEqual([['server', true, 'Margaret Hughes (BL100231): 2 asked, 2 correct: verified']]);
    expect(t.repos.crm.identityChecks(c.attemptId, c.customerId).map((x) => x.passed)).toEqual([true]);
  });

  it('one of the two answers wrong: not verified, and why', async () => {
    const c = await customerOf('s1', 'BL100231');
    const res = await check(c.attemptId, c.customerId, [
      { questionId: c.question(/memorable word/), answer: 'bluebell' },
      { questionId: c.question(/first school/), answer: 'St Mary' },
      { questionId: c.question(/previous address/), answer: '' },
    ]);
    expect(res).toMatchObject({ passed: false, asked: 2, correct: 1, summary: '2 asked, 1 correct: not verified (1 answer was wrong)' });
  });

  it('three asked, one of them wrong: not verified even with two right', async () => {
    const c = await customerOf('s1', 'BL100231');
    const res = await check(c.attemptId, c.customerId, [
      { questionId: c.question(/memorable word/), answer: 'bluebell' },
      { questionId: c.question(/first school/), answer: "St Chad's" },
      { questionId: c.question(/previous address/), answer: '4 Otley Road' },
    ]);
    expect(res).toMatchObject({ passed: false, asked: 3, correct: 2, summary: '3 asked, 2 correct: not verified (1 answer was wrong)' });
  });

  it('fewer asked than required: not verified, saying how many are needed', async () => {
    const c = await customerOf('s1', 'BL100231');
    const res = await check(c.attemptId, c.customerId, [
      { questionId: c.question(/memorable word/), answer: 'bluebell' },
      { questionId: c.question(/first school/), answer: '' },
    ]);
    expect(res).toMatchObject({ passed: false, asked: 1, correct: 1, summary: '1 asked, 1 correct: not verified (2 questions must be asked and answered correctly)' });
  });
});

describe('S5: the scenario asks for one question', () => {
  it('one answered correctly verifies Mr Campbell', async () => {
    const c = await customerOf('s5', 'BL100903');
    const res = await check(c.attemptId, c.customerId, [{ questionId: c.question(/born/), answer: 'Dundee' }]);
    expect(res).toMatchObject({ passed: true, required: 1, summary: '1 asked, 1 correct: verified' });
  });
});

describe('the suggestion and the replay use the same rule', () => {
  it('in a sitting, two right and one empty: verify-id is suggested in full and the replay says "2 asked, 2 correct: verified"', async () => {
    const sitting = await createSitting(t, assessor);
    await startSitting(t, assessor, sitting.id);
    const attemptId = (await startAttempt(t, assessor, sitting.id, 1)).currentAttemptId!;
    const customerId = t.repos.crm.findCustomerByAccount(attemptId, 'BL100231')!.id;
    const detail = await ok<{ customer: { securityQuestions: Array<{ id: number; question: string }> } }>(t, candidate, 'GET', `/api/attempts/${attemptId}/customers/${customerId}`);
    const id = (re: RegExp) => detail.customer.securityQuestions.find((q) => re.test(q.question))!.id;
    await check(attemptId, customerId, [
      { questionId: id(/memorable word/), answer: 'bluebell' },
      { questionId: id(/first school/), answer: "St Chad's" },
      { questionId: id(/previous address/), answer: '' },
    ]);
    const suggestions = await ok<{ suggestions: Array<{ criterionId: string; suggestedMarks: number | null; evidence: string[] }> }>(t, assessor, 'GET', `/api/attempts/${attemptId}/suggestions`);
    const verifyId = suggestions.suggestions.find((s) => s.criterionId === 'U2-1.1-verify-id')!;
    expect(verifyId.suggestedMarks).toBe(1);
    expect(verifyId.evidence.join(' ')).toContain('2 asked, 2 correct: verified');
    const replay = await ok<ReplayView>(t, assessor, 'GET', `/api/attempts/${attemptId}/replay`);
    expect(replay.events.find((e) => e.type === 'identity-check')).toMatchObject({ recordedBy: 'server', summary: '2 asked, 2 correct: verified' });
  });
});
