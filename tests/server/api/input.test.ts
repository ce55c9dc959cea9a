// One validation style for the whole API (server/api/input.ts): a malformed request is a 400 that
// names every bad field at once (`fields`), each field the request does not take by its own name,
// and nothing is written. Over the real app: a route outside the attempt scope (users), one that
// checks its body in the handler (the moderation sample), and routes of the attempt scope whose CRM
// rules and record checks come after the body is well formed (messages, wrap-ups).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Login, type TestApp } from '../../support/test-app.js';

interface FieldErrors {
  error: string;
  field: string;
  message: string;
  fields: Record<string, string>;
}

let t: TestApp;
let admin: Login;
let moderator: Login;
let assessor: Login;
let candidate: Login;
beforeAll(async () => {
  t = await createTestApp();
  admin = await t.loginAs('admin');
  moderator = await t.loginAs('moderator');
  assessor = await t.loginAs('assessor');
  candidate = await t.loginAs('candidate');
});
afterAll(async () => {
  await t.close();
});

async function send(who: Login, method: 'POST' | 'GET', url: string, payload?: object) {
  return t.app.inject({ method, url, headers: { cookie: who.cookie, 'x-csrf-token': who.csrf }, ...(payload === undefined ? {} : { payload }) });
}
/** The request must be a 400 naming exactly `fields`; its body. */
async function refusedNaming(res: Awaited<ReturnType<typeof send>>, fields: string[]): Promise<FieldErrors> {
  expect(res.statusCode, res.body).toBe(400);
  const body = res.json<FieldErrors>();
  expect(body.error).toBe('validation');
  expect(Object.keys(body.fields).sort()).toEqual([...fields].sort());
  // The first problem is still the top-level field and message, as before.
  expect(body.fields[body.field]).toBe(body.message);
  return body;
}

describe('a route outside the attempt scope (POST /api/users)', () => {
  it('names two bad fields at once, and writes nothing', async () => {
    const users = t.repos.users.count();
    const res = await send(admin, 'POST', '/api/users', { username: 'x', displayName: '   ', role: 'superuser', centreId: t.centreId });
    const body = await refusedNaming(res, ['username', 'displayName', 'role']);
    expect(body.fields['role']).toMatch(/one of admin, candidate/);
    expect(t.repos.users.count()).toBe(users);
  });

  it('names a missing field and a wrong type together', async () => {
    const res = await send(admin, 'POST', '/api/users', { username: 'newuser', role: 'candidate', centreId: String(t.centreId) });
    const body = await refusedNaming(res, ['displayName', 'centreId']);
    expect(body.fields['displayName']).toContain('displayName');
  });

  it('names each unknown field by itself', async () => {
    const res = await send(admin, 'POST', '/api/users', { username: 'newuser', displayName: 'N', role: 'moderator', isAdmin: true, owner: 'me' });
    const body = await refusedNaming(res, ['isAdmin', 'owner']);
    expect(body.fields['isAdmin']).toMatch(/isAdmin is not a field/);
  });

  it('names the bad fields of a query string', async () => {
    await refusedNaming(await send(moderator, 'GET', '/api/audit-log?limit=0&centreId=x&colour=red'), ['limit', 'centreId', 'colour']);
  });
});

describe('a body checked in the handler (POST /api/moderation/sample/add)', () => {
  it('names each unknown field by itself, not as the body', async () => {
    const res = await send(moderator, 'POST', '/api/moderation/sample/add', { centreId: t.centreId, sittingId: 'nope', reason: '', extra: 1, more: 2 });
    await refusedNaming(res, ['sittingId', 'reason', 'extra', 'more']);
  });
});

describe('routes of the attempt scope', () => {
  let attemptId: string;
  let base: string;
  beforeAll(async () => {
    const res = await send(assessor, 'POST', '/api/attempts', { candidateUserId: t.users.candidate, scenarioKey: 'demo' });
    expect(res.statusCode, res.body).toBe(201);
    attemptId = res.json<{ attempt: { id: string } }>().attempt.id;
    base = `/api/attempts/${attemptId}`;
  });
  const messages = async () => (await send(candidate, 'GET', `${base}/messages`)).json<{ messages: unknown[] }>().messages.length;

  it('a message names every CRM rule it breaks at once (e-mail)', async () => {
    const before = await messages();
    const res = await send(candidate, 'POST', `${base}/messages`, { channel: 'email', to: 'priya@', cc: ['ok@example.com', 'nope'], subject: ' ', body: 'x' });
    const body = await refusedNaming(res, ['to', 'cc.1', 'subject']);
    expect(body.fields['to']).toMatch(/not a valid e-mail/);
    expect(body.fields['subject']).toMatch(/Enter the subject/);
    expect(await messages()).toBe(before);
  });

  it('a message names every CRM rule it breaks at once (SMS)', async () => {
    const res = await send(candidate, 'POST', `${base}/messages`, { channel: 'sms', to: '020 7946 0958', cc: ['a@example.com'], subject: 'Hi', body: 'x'.repeat(613) });
    const body = await refusedNaming(res, ['to', 'cc', 'subject', 'body']);
    expect(body.fields['to']).toMatch(/not a UK mobile/);
    expect(body.fields['body']).toMatch(/at most 612/);
  });

  it('a message names every record it refers to that does not exist', async () => {
    const res = await send(candidate, 'POST', `${base}/messages`, {
      channel: 'email',
      to: 'priya@example.com',
      subject: 'Hi',
      body: 'x',
      customerId: 999999,
      templateKey: 'no-such-template',
      attachments: [{ kind: 'document', key: 'secret-plans' }, { kind: 'order', orderId: 999999 }],
    });
    await refusedNaming(res, ['customerId', 'templateKey', 'attachments.0.key', 'attachments.1.orderId']);
  });

  it('a wrap-up names an unknown code, customer and call together', async () => {
    const res = await send(candidate, 'POST', `${base}/wrap-ups`, { code: 'LUNCH', customerId: 999999, callId: '00000000-0000-4000-8000-000000000000' });
    await refusedNaming(res, ['code', 'customerId', 'callId']);
    expect(t.repos.crm.listWrapUps(attemptId)).toEqual([]);
  });

  it('unknown fields in the attempt scope are each named by themselves', async () => {
    const res = await send(candidate, 'POST', `${base}/wrap-ups`, { code: 'INFO', colour: 'red', size: 2 });
    await refusedNaming(res, ['colour', 'size']);
  });
});
