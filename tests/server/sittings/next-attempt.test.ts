// Re-takes get a variant the candidate has not had (issue 13), through the real API: on every
// scenario S1–S6, with the centre allowing three re-takes, a re-take below 6 opens variant b, the
// next one variant c, each with another caller, account and presented number in the attempt's own
// CRM copy, and a fourth attempt is refused because every variant has been used, with a reason
// saying how to put it right; a centre's own variant of the key then serves. The re-take limit is
// the centre's setting, copied into the sitting when it is created.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scenarioForAttemptKey } from '../../../server/assessment/scenario-loader.js';
import type { AttemptBrief, SittingDetail } from '../../../server/protocol/assessment.js';
import { variantsOf } from '../../../server/sittings/catalogue.js';
import { call, createSitting, markAttempt, ok, startAttempt, startSitting } from '../../support/sitting-helpers.js';
import { createTestApp, type Login, type TestApp } from '../../support/test-app.js';

let t: TestApp;
let assessor: Login;
let admin: Login;

beforeAll(async () => {
  t = await createTestApp();
  ({ assessor, admin } = await t.loginRoles('assessor', 'admin'));
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

describe('re-takes on every scenario get the variants the candidate has not had, then are refused', () => {
  beforeAll(async () => {
    await ok(t, admin, 'PUT', `/api/centres/${t.centreId}/settings`, settings(3));
  });
  afterAll(async () => {
    await ok(t, admin, 'PUT', `/api/centres/${t.centreId}/settings`, settings(1));
  });

  it.each([[['s1', 's4', 's5', 's3']], [['s2', 's4', 's5', 's6']]])('%j', async (keys) => {
    const d = await allMarked(keys, 5);
    expect(t.repos.sittings.findById(d.id)!.maxRetakes).toBe(3);
    for (let n = 1; n <= keys.length; n++) {
      const first = d.assignments[n - 1]!.attempts[0]!;
      expect(first.variant).toBe('a');
      const earlier = [await ok<AttemptBrief>(t, assessor, 'GET', `/api/attempts/${first.attemptId}/brief`)];
      let previous = first.attemptId;
      for (const [number, variant] of [[2, 'b'], [3, 'c']] as const) {
        const r = await startAttempt(t, assessor, d.id, n);
        const retake = r.assignments[n - 1]!.attempts[number - 1]!;
        expect(retake).toMatchObject({ number, variant, status: 'open', note: expect.stringMatching(new RegExp(`on variant ${variant}`)) });
        const stored = t.repos.attempts.findById(retake.attemptId)!;
        expect(stored).toMatchObject({ scenarioKey: `${keys[n - 1]}-${variant}`, variant, retakeOf: previous, scenarioVersion: scenarioForAttemptKey(`${keys[n - 1]}-${variant}`)!.version });
        // Another caller, another account than every earlier attempt: the staff brief and the attempt's CRM copy say so.
        const after = await ok<AttemptBrief>(t, assessor, 'GET', `/api/attempts/${retake.attemptId}/brief`);
        const accounts = t.repos.crm.listCustomers(retake.attemptId).map((c) => c.accountNumber);
        expect(accounts).toContain(after.callerBrief!.persona.accountNumber);
        for (const before of earlier) {
          expect(after.callerBrief!.persona.name).not.toBe(before.callerBrief!.persona.name);
          expect(after.callerBrief!.persona.accountNumber).not.toBe(before.callerBrief!.persona.accountNumber);
          if (before.presentNumber) expect(after.presentNumber).not.toBe(before.presentNumber);
          expect(accounts).not.toContain(before.callerBrief!.persona.accountNumber);
          // The candidate's title is the same assignment type: nothing of either caller.
          expect(after.candidateTitle).toBe(before.candidateTitle);
        }
        earlier.push(after);
        previous = retake.attemptId;
        await markAttempt(t, assessor, retake.attemptId, number === 2 ? 4 : 3);
      }
      // A fourth attempt is within the limit (three re-takes), but every shipped variant has been heard.
      const fourth = await call(t, assessor, 'POST', `/api/sittings/${d.id}/assignments/${n}/attempts`);
      expect(fourth.statusCode, fourth.body).toBe(409);
      expect(fourth.json()).toMatchObject({ error: 'retake_no_unused_variant', message: expect.stringContaining(`(${keys[n - 1]!.toUpperCase()}: a, b, c)`) });
      expect(t.repos.attempts.forSitting(d.id).filter((a) => a.position === n)).toHaveLength(3);
    }
  });
});

describe('when every variant has been used', () => {
  let sittingId: string;
  beforeAll(async () => {
    // The centre allows three re-takes; S1 ships three variants (a, b, c).
    await ok(t, admin, 'PUT', `/api/centres/${t.centreId}/settings`, settings(3));
    const d = await allMarked(['s1', 's4', 's5', 's3'], 4);
    sittingId = d.id;
    await ok(t, admin, 'PUT', `/api/centres/${t.centreId}/settings`, settings(1));
    for (const [number, variant] of [[2, 'b'], [3, 'c']] as const) {
      const r = await startAttempt(t, assessor, sittingId, 1);
      expect(r.assignments[0]!.attempts[number - 1]!.variant).toBe(variant);
      await markAttempt(t, assessor, r.currentAttemptId!, 3);
    }
  });

  it('refuses the re-take with the reason and the remedy, and starts nothing', async () => {
    const refused = await call(t, assessor, 'POST', `/api/sittings/${sittingId}/assignments/1/attempts`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ error: 'retake_no_unused_variant', message: expect.stringMatching(/already had every version of assignment 1 \(S1: a, b, c\).*Scenarios page/) });
    expect(t.repos.attempts.forSitting(sittingId).filter((a) => a.position === 1)).toHaveLength(3);
  });

  it("uses the centre's own variant of the key once it has one, and the sitting keeps the limit it was created with", async () => {
    await ok(t, assessor, 'POST', '/api/scenarios/s1-b/clone', { variant: 'retakes', title: 'Moving home (centre version)' }, 201);
    const c = await startAttempt(t, assessor, sittingId, 1);
    const fourth = c.assignments[0]!.attempts[3]!;
    expect(fourth).toMatchObject({ number: 4, variant: `c${t.centreId}-retakes`, status: 'open' });
    expect(t.repos.attempts.findById(fourth.attemptId)!.scenarioKey).toBe(`s1-c${t.centreId}-retakes`);
    await markAttempt(t, assessor, fourth.attemptId, 2);
    // Three re-takes used: the limit the sitting was created with (3), though the centre now says 1.
    const limit = await call(t, assessor, 'POST', `/api/sittings/${sittingId}/assignments/1/attempts`);
    expect(limit.statusCode).toBe(409);
    expect(limit.json()).toMatchObject({ error: 'retake_limit_reached', message: expect.stringMatching(/used 3 of its 3 re-takes/) });
  });

  it("never offers one centre's variant to another centre's sittings", () => {
    const mine = variantsOf('s1', t.centreId).map((s) => s.variant);
    expect(mine).toEqual(['a', 'b', 'c', `c${t.centreId}-retakes`]);
    expect(variantsOf('s1', t.foreignCentreId).map((s) => s.variant)).toEqual(['a', 'b', 'c']);
    expect(variantsOf('s1').map((s) => s.variant)).toEqual(['a', 'b', 'c']);
  });
});
