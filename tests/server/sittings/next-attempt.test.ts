// Re-takes get a variant the candidate has not had (issue 13), through the real API: on every
// scenario S1–S6 a re-take below 6 opens variant b, with another caller, account and presented
// number in the attempt's own CRM copy. When every variant has been used the re-take is refused
// with a reason saying how to put it right; a centre's own variant of the key then serves. The
// re-take limit is the centre's setting, copied into the sitting when it is created.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AttemptBrief, SittingDetail } from '../../../server/protocol/assessment.js';
import { variantsOf } from '../../../server/sittings/catalogue.js';
import { call, createSitting, markAttempt, ok, startAttempt, startSitting } from '../../support/sitting-helpers.js';
import { createTestApp, type Login, type TestApp } from '../../support/test-app.js';

let t: TestApp;
let assessor: Login;
let admin: Login;

beforeAll(async () => {
  t = await createTestApp();
  assessor = await t.loginAs('assessor');
  admin = await t.loginAs('admin');
});
afterAll(async () => {
  await t.close();
});

const settings = (maxRetakes: number) => ({ centreNumber: null, releaseRule: 'moderated', maxRetakes, overrunPolicy: 'warn', appealWindowDays: 30 });

/** A started sitting of `keys` with every assignment marked `total`. */
async function allMarked(keys: string[], total: number): Promise<SittingDetail> {
  const sitting = await createSitting(t, assessor, {}, keys);
  await startSitting(t, assessor, sitting.id);
  for (let n = 1; n <= keys.length; n++) {
    const d = await startAttempt(t, assessor, sitting.id, n);
    await markAttempt(t, assessor, d.currentAttemptId!, total);
  }
  return ok<SittingDetail>(t, assessor, 'GET', `/api/sittings/${sitting.id}`);
}

describe('a re-take on every scenario gets a variant the candidate has not had', () => {
  it.each([[['s1', 's4', 's5', 's3']], [['s2', 's4', 's5', 's6']]])('%j', async (keys) => {
    const d = await allMarked(keys, 5);
    for (let n = 1; n <= keys.length; n++) {
      const first = d.assignments[n - 1]!.attempts[0]!;
      expect(first.variant).toBe('a');
      const r = await startAttempt(t, assessor, d.id, n);
      const retake = r.assignments[n - 1]!.attempts[1]!;
      expect(retake).toMatchObject({ number: 2, variant: 'b', status: 'open', note: expect.stringMatching(/on variant b/) });
      const stored = t.repos.attempts.findById(retake.attemptId)!;
      expect(stored).toMatchObject({ scenarioKey: `${keys[n - 1]}-b`, variant: 'b', retakeOf: first.attemptId, scenarioVersion: 1 });
      // Another caller, another account: the staff brief and the attempt's CRM copy say so.
      const before = await ok<AttemptBrief>(t, assessor, 'GET', `/api/attempts/${first.attemptId}/brief`);
      const after = await ok<AttemptBrief>(t, assessor, 'GET', `/api/attempts/${retake.attemptId}/brief`);
      expect(after.callerBrief!.persona.name).not.toBe(before.callerBrief!.persona.name);
      expect(after.callerBrief!.persona.accountNumber).not.toBe(before.callerBrief!.persona.accountNumber);
      if (before.presentNumber) expect(after.presentNumber).not.toBe(before.presentNumber);
      const accounts = t.repos.crm.listCustomers(retake.attemptId).map((c) => c.accountNumber);
      expect(accounts).toContain(after.callerBrief!.persona.accountNumber);
      expect(accounts).not.toContain(before.callerBrief!.persona.accountNumber);
      // The candidate's title is the same assignment type: nothing of either caller.
      expect(after.candidateTitle).toBe(before.candidateTitle);
      await markAttempt(t, assessor, retake.attemptId, 7);
    }
  });
});

describe('when every variant has been used', () => {
  let sittingId: string;
  beforeAll(async () => {
    // The centre allows two re-takes; S1 ships two variants (a, b).
    await ok(t, admin, 'PUT', `/api/centres/${t.centreId}/settings`, settings(2));
    const d = await allMarked(['s1', 's4', 's5', 's3'], 4);
    sittingId = d.id;
    await ok(t, admin, 'PUT', `/api/centres/${t.centreId}/settings`, settings(1));
    const b = await startAttempt(t, assessor, sittingId, 1);
    expect(b.assignments[0]!.attempts[1]!.variant).toBe('b');
    await markAttempt(t, assessor, b.currentAttemptId!, 3);
  });

  it('refuses the re-take with the reason and the remedy, and starts nothing', async () => {
    const refused = await call(t, assessor, 'POST', `/api/sittings/${sittingId}/assignments/1/attempts`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ error: 'retake_no_unused_variant', message: expect.stringMatching(/already had every version of assignment 1 \(S1: a, b\).*Scenarios page/) });
    expect(t.repos.attempts.forSitting(sittingId).filter((a) => a.position === 1)).toHaveLength(2);
  });

  it("uses the centre's own variant of the key once it has one, and the sitting keeps the limit it was created with", async () => {
    await ok(t, assessor, 'POST', '/api/scenarios/s1-b/clone', { variant: 'retakes', title: 'Moving home (centre version)' }, 201);
    const c = await startAttempt(t, assessor, sittingId, 1);
    const third = c.assignments[0]!.attempts[2]!;
    expect(third).toMatchObject({ number: 3, variant: `c${t.centreId}-retakes`, status: 'open' });
    expect(t.repos.attempts.findById(third.attemptId)!.scenarioKey).toBe(`s1-c${t.centreId}-retakes`);
    await markAttempt(t, assessor, third.attemptId, 2);
    // Two re-takes used: the limit the sitting was created with (2), though the centre now says 1.
    const limit = await call(t, assessor, 'POST', `/api/sittings/${sittingId}/assignments/1/attempts`);
    expect(limit.statusCode).toBe(409);
    expect(limit.json()).toMatchObject({ error: 'retake_limit_reached', message: expect.stringMatching(/used 2 of its 2 re-takes/) });
  });

  it("never offers one centre's variant to another centre's sittings", () => {
    const mine = variantsOf('s1', t.centreId).map((s) => s.variant);
    expect(mine).toEqual(['a', 'b', `c${t.centreId}-retakes`]);
    expect(variantsOf('s1', t.foreignCentreId).map((s) => s.variant)).toEqual(['a', 'b']);
    expect(variantsOf('s1').map((s) => s.variant)).toEqual(['a', 'b']);
  });
});
