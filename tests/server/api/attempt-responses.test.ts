// What the attempt routes send is what their response schemas declare (server/api/attempt-scope.ts):
// a handler that returns a whole stored row still sends only the declared fields. The candidate's
// own attempt carries nothing about its marking (who marked it, when), nor the assessor's notes on it.
// And a malformed body is refused naming every bad field at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Login, type TestApp } from '../../support/test-app.js';

let t: TestApp;
let candidate: Login;
let assessor: Login;
let attemptId: string;

const call = (who: Login, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
  t.app.inject({ method, url, headers: { cookie: who.cookie, 'x-csrf-token': who.csrf }, ...(payload ? { payload } : {}) });

/** The attempt fields the agent desktop is sent. */
const DESKTOP_ATTEMPT_FIELDS = ['closedAt', 'createdAt', 'id', 'position', 'scenarioKey', 'sittingId', 'status'];

beforeAll(async () => {
  t = await createTestApp();
  candidate = await t.loginAs('candidate');
  assessor = await t.loginAs('assessor');
  const res = await call(assessor, 'POST', '/api/attempts', { candidateUserId: t.users.candidate });
  if (res.statusCode !== 201) throw new Error(`attempt not created: ${res.statusCode} ${res.body}`);
  attemptId = res.json().attempt.id;
  // Marked by the centre: the stored row now says who marked it and when.
  t.repos.db.prepare('UPDATE attempts SET marked_at = ?, marked_by = ?, note = ? WHERE id = ?').run(t.clock.now(), t.users.assessor, 'Re-take with the same variant', attemptId);
});
afterAll(async () => {
  await t.close();
});

describe('response schemas', () => {
  it('the attempt as the desktop reads it holds only the declared fields: nothing of its marking', async () => {
    for (const url of [`/api/attempts/${attemptId}`, '/api/attempts/current']) {
      const res = await call(candidate, 'GET', url);
      expect(res.statusCode, res.body).toBe(200);
      const attempt = res.json().attempt as Record<string, unknown>;
      expect(Object.keys(attempt).sort(), url).toEqual(DESKTOP_ATTEMPT_FIELDS);
      expect(attempt).not.toHaveProperty('markedAt');
      expect(attempt).not.toHaveProperty('markedBy');
      expect(res.json().company).toMatchObject({ name: expect.any(String) });
    }
  });

  it('a customer record is sent with exactly the fields of CustomerDetail', async () => {
    const found = (await call(candidate, 'GET', `/api/attempts/${attemptId}/customers?q=BL100518`)).json();
    expect(found.count).toBe(1);
    const res = await call(candidate, 'GET', `/api/attempts/${attemptId}/customers/${found.customers[0].id}`);
    expect(res.statusCode, res.body).toBe(200);
    expect(Object.keys(res.json().customer).sort()).toEqual(
      [
        'accountNumber', 'addressLine1', 'addressLine2', 'callbacks', 'cases', 'contactPreference', 'createdAt', 'dateOfBirth', 'doNotCall', 'email',
        'firstName', 'id', 'identityChecks', 'lastName', 'mobile', 'notes', 'orders', 'phone', 'postcode', 'securityQuestions', 'title', 'town', 'updatedAt', 'version',
      ].sort(),
    );
    // The security questions go to the desktop without their answers.
    for (const q of res.json().customer.securityQuestions) expect(Object.keys(q).sort()).toEqual(['id', 'question']);
  });
});

describe('one validation style', () => {
  it('a body with several bad fields is refused naming each of them, and nothing is written', async () => {
    const found = (await call(candidate, 'GET', `/api/attempts/${attemptId}/customers?q=BL100518`)).json().customers[0];
    const res = await call(candidate, 'PATCH', `/api/attempts/${attemptId}/customers/${found.id}`, {
      version: found.version,
      postcode: 'LS99 ZZZ',
      email: 'george@',
      doNotCall: 'yes',
    });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json()).toMatchObject({ error: 'validation', field: 'postcode' });
    expect(Object.keys(res.json().fields).sort()).toEqual(['doNotCall', 'email', 'postcode']);
    expect(res.json().fields.email).toMatch(/not a valid e-mail address/);
    const after = (await call(candidate, 'GET', `/api/attempts/${attemptId}/customers/${found.id}`)).json().customer;
    expect(after.version).toBe(found.version);
  });
});
