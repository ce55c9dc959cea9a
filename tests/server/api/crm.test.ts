// The CRM API of the agent desktop over the real app and a real SQLite file: attempts, search,
// screen pop, record edits with diffs and optimistic concurrency, identity checks, orders, cases,
// callbacks, wrap-up, messages, reference data; who may see and change what.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Customer } from '../../../server/protocol/crm.js';
import type { Role } from '../../../server/protocol/roles.js';
import { createTestApp, FOREIGN_ASSESSOR, OTHER_CANDIDATE, type Login, type TestApp } from '../../support/test-app.js';
import type { Json } from '../../support/json.js';
import { call as request, type Method } from '../../support/sitting-helpers.js';

/** A customer as the API sends it, with whatever else the reply carries. */
type CustomerJson = Customer & Record<string, unknown>;

let t: TestApp;
const as: Partial<Record<Role | 'candidate2' | 'candidate3' | 'foreignAssessor', Login>> = {};
let attemptId: string;

const call = (who: Login | undefined, method: Method, url: string, payload?: unknown) => request(t, who, method, url, payload);
const cand = (method: Method, path: string, payload?: unknown) => call(as.candidate, method, `/api/attempts/${attemptId}${path}`, payload);
const search = async (q: string) => (await cand('GET', `/customers?q=${encodeURIComponent(q)}`)).json<{ count: number; customers: CustomerJson[] }>();
const byAccount = async (account: string): Promise<CustomerJson> => {
  const r = await search(account);
  expect(r.count, account).toBe(1);
  return r.customers[0]!;
};
const detail = async (id: number) => (await cand('GET', `/customers/${id}`)).json().customer as CustomerJson & Json;

beforeAll(async () => {
  t = await createTestApp();
  // Another candidate of the same centre, and an assessor of the foreign centre.
  t.addUser(OTHER_CANDIDATE);
  t.addUser(FOREIGN_ASSESSOR);
  for (const role of ['candidate', 'assessor', 'moderator', 'admin'] as const) as[role] = await t.loginAs(role);
  as.candidate2 = await t.login('candidate2');
  as.candidate3 = await t.login('candidate3');
  as.foreignAssessor = await t.login('assessor2');
  // The attempt most tests work on: candidate1's, started by the centre's assessor.
  const res = await call(as.assessor, 'POST', '/api/attempts', { candidateUserId: t.users.candidate });
  if (res.statusCode !== 201) throw new Error(`attempt not created: ${res.statusCode} ${res.body}`);
  attemptId = res.json().attempt.id;
});
afterAll(async () => {
  await t.close();
});

describe('practice attempts', () => {
  const candidate3 = () => t.repos.users.findByUsernameWithHash('candidate3')!.id;

  it('a candidate without an open attempt is told there is none (200, no attempt: the desktop between assignments, not an error)', async () => {
    const res = await call(as.candidate3, 'GET', '/api/attempts/current');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ attempt: null, company: null });
  });

  it('an assessor cannot start one for a foreign, unknown or non-candidate user (400 naming the field), and nothing is created', async () => {
    const foreign = t.repos.users.findByUsernameWithHash('candidate2')!.id;
    for (const candidateUserId of [foreign, 999_999, t.users.moderator]) {
      const res = await call(as.assessor, 'POST', '/api/attempts', { candidateUserId });
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json()).toMatchObject({ error: 'validation', field: 'candidateUserId' });
      expect(res.json().message).toBe(`There is no candidate with id ${candidateUserId} in your centre.`);
    }
    const foreignAssessor = await call(as.foreignAssessor, 'POST', '/api/attempts', { candidateUserId: candidate3() });
    expect(foreignAssessor.statusCode).toBe(400);
    expect(foreignAssessor.json().field).toBe('candidateUserId');
    const bad = await call(as.assessor, 'POST', '/api/attempts', { candidateUserId: candidate3(), scenarioKey: 'S9' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().field).toBe('scenarioKey');
    const typed = await call(as.assessor, 'POST', '/api/attempts', { candidateUserId: String(candidate3()) });
    expect(typed.statusCode).toBe(400);
    expect(typed.json().field).toBe('candidateUserId');
    expect(t.repos.attempts.openForCandidate(candidate3())).toEqual([]);
    expect(t.repos.attempts.openForCandidate(foreign)).toEqual([]);
  });

  it('an assessor starts a demo attempt for a candidate of the centre, with its own copy of the seed', async () => {
    const res = await call(as.assessor, 'POST', '/api/attempts', { candidateUserId: candidate3() });
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json();
    expect(body.attempt).toMatchObject({ candidateUserId: candidate3(), assessorUserId: t.users.assessor, centreId: t.centreId, scenarioKey: 'demo', status: 'open' });
    expect(body.copied.customers).toBe(8);
    const otherId: string = body.attempt.id;
    expect(otherId).not.toBe(attemptId);
    expect(t.repos.crm.counts(otherId).customers).toBe(8);

    const current = await call(as.candidate3, 'GET', '/api/attempts/current');
    expect(current.statusCode).toBe(200);
    expect(current.json().attempt.id).toBe(otherId);
    expect(current.json().company.name).toBe('Brightline Home Services');
    expect((await call(as.candidate, 'GET', '/api/attempts/current')).json().attempt.id).toBe(attemptId);

    // Same seed, different rows: candidate3's record ids are not candidate1's, and are 404 there.
    const mine = (await call(as.candidate3, 'GET', `/api/attempts/${otherId}/customers?q=BL100231`)).json().customers[0] as CustomerJson;
    const theirs = await byAccount('BL100231');
    expect(mine.id).not.toBe(theirs.id);
    expect((await call(as.candidate3, 'GET', `/api/attempts/${otherId}/customers/${theirs.id}`)).statusCode).toBe(404);
  });
});

describe('customer search', () => {
  it.each([
    ['Hughes', ['BL100231', 'BL100232']],
    ['hughes', ['BL100231', 'BL100232']],
    ['Margaret Hughes', ['BL100231']],
    ['mrs hughes', ['BL100231']],
    ['BL100231', ['BL100231']],
    ['bl1002', ['BL100231', 'BL100232']],
    ['LS6 3HN', ['BL100231']],
    ['ls63hn', ['BL100231']],
    ['margaret.hughes@example', ['BL100231']],
    ['T.NOWAK@example.net', ['BL100777']],
    ['0113 496 0412', ['BL100231']],
    ['+44 7700 900785', ['BL100232']],
    ['496 0544', ['BL100903']],
    ['Zebedee', []],
    ['%%', []],
    ['__', []],
  ])('%j finds %j, with the result count', async (q, accounts) => {
    const r = await search(q);
    expect(r.count).toBe(accounts.length);
    expect(r.customers.map((c) => c.accountNumber).sort()).toEqual(accounts);
  });

  it('refuses a query shorter than two characters, naming q', async () => {
    for (const q of ['x', '  ']) {
      const res = await cand('GET', `/customers?q=${encodeURIComponent(q)}`);
      expect(res.statusCode).toBe(400);
      expect(res.json().field).toBe('q');
    }
    const missing = await cand('GET', '/customers');
    expect(missing.statusCode).toBe(400);
    expect(missing.json().field).toBe('q');
  });
});

describe('screen pop by caller number', () => {
  it.each(['01134960412', '0113 496 0412', '+441134960412', '+44 (0)113 496 0412', '0044 113 496 0412', '(0113) 496-0412', '+447700900412'])(
    '%j pops Mrs Margaret Hughes',
    async (phone) => {
      const res = await cand('GET', `/customers/by-phone/${encodeURIComponent(phone)}`);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ count: 1, customers: [{ accountNumber: 'BL100231', firstName: 'Margaret' }] });
    },
  );

  it('an unknown or internal number pops nothing (the desktop opens search)', async () => {
    for (const phone of ['01134960000', '1003', 'anonymous']) {
      const res = await cand('GET', `/customers/by-phone/${encodeURIComponent(phone)}`);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ count: 0, customers: [] });
    }
  });
});

describe('customer record', () => {
  it('holds notes, orders, cases, callbacks and the security questions but never the answers', async () => {
    const nowak = await byAccount('BL100777');
    const res = await cand('GET', `/customers/${nowak.id}`);
    expect(res.statusCode).toBe(200);
    const c = res.json().customer;
    expect(c.notes).toHaveLength(2);
    expect(c.orders).toHaveLength(1);
    expect(c.orders[0].lines.map((l: { productCode: string; saleType: string }) => [l.productCode, l.saleType])).toEqual([
      ['BB-FIBRE-500', 'standard'],
      ['WIFI-MESH', 'cross_sell'],
    ]);
    expect(c.cases[0]).toMatchObject({ reference: 'CAS-000001', type: 'complaint', category: 'MISSED_APPOINTMENT', priority: 'high', status: 'open' });
    expect(c.callbacks).toEqual([]);
    expect(c.securityQuestions.map((q: { question: string }) => q.question)).toEqual(['What is your memorable word?', "What is your mother's maiden name?"]);
    expect(res.body).not.toMatch(/Wollaton|Kowalska/);
  });

  it('an id of no customer in this attempt is 404', async () => {
    const res = await cand('GET', '/customers/999999');
    expect(res.statusCode).toBe(404);
  });
});

describe('editing a customer record', () => {
  it('saves the changes and returns each changed field with its old and new value', async () => {
    const m = await byAccount('BL100231');
    const res = await cand('PATCH', `/customers/${m.id}`, {
      version: m.version,
      addressLine1: '2 Park Square East',
      addressLine2: '',
      postcode: 'ls1 2nd',
      phone: '+44 113 496 0999',
      town: 'Leeds',
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().changes).toEqual([
      { field: 'addressLine1', old: '14 Ashgrove Road', new: '2 Park Square East' },
      { field: 'addressLine2', old: 'Headingley', new: null },
      { field: 'postcode', old: 'LS6 3HN', new: 'LS1 2ND' },
      { field: 'phone', old: '0113 496 0412', new: '+44 113 496 0999' },
    ]);
    expect(res.json().customer).toMatchObject({ version: m.version + 1, postcode: 'LS1 2ND', addressLine2: null, town: 'Leeds' });
    // The screen pop follows the new number.
    expect((await cand('GET', '/customers/by-phone/01134960999')).json().count).toBe(1);
    expect((await cand('GET', '/customers/by-phone/01134960412')).json().count).toBe(0);
  });

  it('the same number in another format, or unchanged values, are no change and keep the version', async () => {
    const c = await byAccount('BL100903');
    const res = await cand('PATCH', `/customers/${c.id}`, { version: c.version, phone: '+44 131 496 0544', town: 'Edinburgh', mobile: '07700-900-544' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().changes).toEqual([]);
    expect(res.json().customer).toMatchObject({ version: c.version, phone: '0131 496 0544', mobile: '07700 900544' });
  });

  it('a stale version is refused with 409 version_conflict and nothing is written', async () => {
    const m = await byAccount('BL100232');
    const first = await cand('PATCH', `/customers/${m.id}`, { version: m.version, email: 'dan.hughes@example.com' });
    expect(first.statusCode).toBe(200);
    const before = await detail(m.id);
    const stale = await cand('PATCH', `/customers/${m.id}`, { version: m.version, town: 'Bath', email: 'other@example.com' });
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({ error: 'version_conflict', field: 'version' });
    expect(await detail(m.id)).toEqual(before);
    expect(before).toMatchObject({ town: 'Bristol', email: 'dan.hughes@example.com', version: m.version + 1 });
  });

  it.each([
    [{ postcode: 'LS99 ZZZ' }, 'postcode', /not a valid UK postcode/],
    [{ phone: '12345' }, 'phone', /not a valid UK phone number/],
    [{ phone: '' }, 'phone', /Enter the phone number/],
    [{ mobile: '0114 496 0127' }, 'mobile', /not a UK mobile number/],
    [{ email: 'george@' }, 'email', /not a valid e-mail address/],
    [{ dateOfBirth: '2015-06-01' }, 'dateOfBirth', /18 or over/],
    [{ dateOfBirth: '1944-02-30' }, 'dateOfBirth', /not a real calendar date/],
    [{ dateOfBirth: '2030-01-01' }, 'dateOfBirth', /not in the past/],
    [{ firstName: '  ' }, 'firstName', /Enter the first name/],
    [{ lastName: 'Wh1tfield' }, 'lastName', /letters/],
    [{ town: 'x'.repeat(61) }, 'town', /at most 60/],
    [{ contactPreference: 'fax' }, 'contactPreference', /./],
    [{ doNotCall: 'yes' }, 'doNotCall', /./],
    [{ balancePence: 0 }, 'balancePence', /./],
  ])('%j → 400 naming %s, and nothing is written', async (change, field, message) => {
    const w = await byAccount('BL100518');
    const before = await detail(w.id);
    // A valid change goes with the bad one: it must not be saved either.
    const res = await cand('PATCH', `/customers/${w.id}`, { version: w.version, addressLine1: '5 Church Walk', ...change });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json()).toMatchObject({ error: 'validation', field });
    expect(res.json().message).toMatch(message);
    expect(await detail(w.id)).toEqual(before);
  });

  it('a missing version is 400 naming version', async () => {
    const w = await byAccount('BL100518');
    const res = await cand('PATCH', `/customers/${w.id}`, { town: 'Rotherham' });
    expect(res.statusCode).toBe(400);
    expect(res.json().field).toBe('version');
  });
});

describe('identity check', () => {
  it('checks each answer, passes only with two right answers, and records every check', async () => {
    const m = await byAccount('BL100231');
    const questions = (await detail(m.id)).securityQuestions as Array<{ id: number; question: string }>;
    const q = (text: RegExp) => questions.find((x) => text.test(x.question))!.id;

    const pass = await cand('POST', `/customers/${m.id}/identity-check`, {
      answers: [
        { questionId: q(/memorable/), answer: ' BLUEBELL ' },
        { questionId: q(/school/), answer: 'st chads' },
      ],
    });
    expect(pass.statusCode, pass.body).toBe(201);
    expect(pass.json()).toMatchObject({ passed: true, results: [{ correct: true }, { correct: true }] });

    const oneWrong = await cand('POST', `/customers/${m.id}/identity-check`, {
      answers: [
        { questionId: q(/memorable/), answer: 'bluebell' },
        { questionId: q(/previous address/), answer: '12 Otley Road' },
      ],
    });
    expect(oneWrong.json()).toMatchObject({ passed: false, results: [{ correct: true }, { correct: false, given: '12 Otley Road' }] });
    expect(oneWrong.body).not.toMatch(/"2 Otley Road"/);

    const onlyOne = await cand('POST', `/customers/${m.id}/identity-check`, { answers: [{ questionId: q(/memorable/), answer: 'bluebell' }] });
    expect(onlyOne.json()).toMatchObject({ passed: false, required: 2, results: [{ correct: true }] });

    const checks = (await detail(m.id)).identityChecks as Array<{ passed: boolean }>;
    expect(checks.map((c) => c.passed)).toEqual([true, false, false]);
  });

  it("refuses another customer's question, naming the answer", async () => {
    const m = await byAccount('BL100231');
    const d = await byAccount('BL100232');
    const danielQuestion = ((await detail(d.id)).securityQuestions as Array<{ id: number }>)[0]!.id;
    const before = ((await detail(m.id)).identityChecks as unknown[]).length;
    const res = await cand('POST', `/customers/${m.id}/identity-check`, { answers: [{ questionId: danielQuestion, answer: 'harbourside' }] });
    expect(res.statusCode).toBe(400);
    expect(res.json().field).toBe('answers.0.questionId');
    expect(((await detail(m.id)).identityChecks as unknown[]).length).toBe(before);
  });
});

describe('orders, cases, notes and callbacks', () => {
  it('an order is priced from the catalogue on the server, with up-sell and cross-sell lines', async () => {
    const p = await byAccount('BL100602');
    const res = await cand('POST', `/customers/${p.id}/orders`, {
      lines: [
        { productCode: 'BB-FIBRE-500', quantity: 1, saleType: 'upsell' },
        { productCode: 'WIFI-MESH', quantity: 2, saleType: 'cross_sell' },
      ],
    });
    expect(res.statusCode, res.body).toBe(201);
    // £38.00 a month + 2 × £59.99 once.
    expect(res.json().order).toMatchObject({ status: 'placed', totalPence: 15798, monthlyPence: 3800, oneOffPence: 11998, reference: 'ORD-000009' });
    expect(res.json().order.lines).toMatchObject([
      { productCode: 'BB-FIBRE-500', quantity: 1, unitPricePence: 3800, lineTotalPence: 3800, saleType: 'upsell' },
      { productCode: 'WIFI-MESH', quantity: 2, unitPricePence: 5999, lineTotalPence: 11998, saleType: 'cross_sell' },
    ]);
    expect((await detail(p.id)).orders).toHaveLength(2);
  });

  it('an unknown product, a price from the client or a bad quantity is refused and no order is written', async () => {
    const p = await byAccount('BL100602');
    const cases: Array<[unknown, string]> = [
      [{ lines: [{ productCode: 'BB-FIBRE-100', quantity: 1 }, { productCode: 'BB-NOPE', quantity: 1 }] }, 'lines.1.productCode'],
      [{ lines: [{ productCode: 'BB-FIBRE-100', quantity: 1, unitPricePence: 1 }] }, 'unitPricePence'],
      [{ lines: [{ productCode: 'BB-FIBRE-100', quantity: 0 }] }, 'lines.0.quantity'],
      [{ lines: [] }, 'lines'],
    ];
    for (const [body, field] of cases) {
      const res = await cand('POST', `/customers/${p.id}/orders`, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().field).toBe(field);
    }
    expect((await detail(p.id)).orders).toHaveLength(2);
  });

  it('cases, notes and callbacks are created on the record', async () => {
    const n = await byAccount('BL100777');
    const kase = await cand('POST', `/customers/${n.id}/cases`, {
      type: 'complaint',
      priority: 'high',
      category: 'MISSED_APPOINTMENT',
      description: 'Third contact about missed visits; customer wants £100. Escalated to team leader.',
      escalated: true,
      creditPence: 2000,
    });
    expect(kase.statusCode, kase.body).toBe(201);
    expect(kase.json().case).toMatchObject({ reference: 'CAS-000003', escalated: true, status: 'open', creditPence: 2000, origin: 'attempt' });
    const note = await cand('POST', `/customers/${n.id}/notes`, { body: 'Apologised; explained the compensation policy.' });
    expect(note.statusCode).toBe(201);
    const cb = await cand('POST', `/customers/${n.id}/callbacks`, { dueAt: '2026-01-05T09:30', reason: 'Team leader decision on the credit', priority: 'high', phone: '07700 900660' });
    expect(cb.statusCode, cb.body).toBe(201);
    expect(cb.json().callback).toMatchObject({ dueAt: '2026-01-05T09:30', kind: 'callback', priority: 'high', status: 'open' });
    const d = await detail(n.id);
    expect(d.cases).toHaveLength(2);
    expect(d.notes[0].body).toBe('Apologised; explained the compensation policy.');
    expect(d.callbacks).toHaveLength(1);
  });

  it.each([
    ['callbacks', { dueAt: '2025-12-31T10:00', reason: 'Too late' }, 'dueAt', /in the past/],
    ['callbacks', { dueAt: '2026-02-30T10:00', reason: 'No such day' }, 'dueAt', /not a real calendar date/],
    ['callbacks', { dueAt: '2026-01-05T09:30', reason: '   ' }, 'reason', /Enter the reason/],
    ['callbacks', { dueAt: '2026-01-05T09:30', reason: 'x', phone: '999' }, 'phone', /not a valid UK phone number/],
    ['cases', { type: 'complaint', priority: 'high', description: 'x', creditPence: -500 }, 'creditPence', /cannot be negative/],
    ['cases', { type: 'praise', priority: 'high', description: 'x' }, 'type', /./],
    ['notes', { body: '' }, 'body', /Enter the body/],
  ])('POST %s %j → 400 naming %s, nothing written', async (what, body, field, message) => {
    const n = await byAccount('BL100777');
    const before = await detail(n.id);
    const res = await cand('POST', `/customers/${n.id}/${what}`, body);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json()).toMatchObject({ field });
    expect(res.json().message).toMatch(message);
    expect(await detail(n.id)).toEqual(before);
  });
});

describe('wrap-up', () => {
  it('needs a code of this attempt, and notes when the code says so', async () => {
    const n = await byAccount('BL100777');
    const unknown = await cand('POST', '/wrap-ups', { code: 'LUNCH', notes: 'x' });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toMatchObject({ field: 'code' });
    expect(unknown.json().message).toMatch(/choose one of INFO, MOVE/);
    const noNotes = await cand('POST', '/wrap-ups', { code: 'COMPLAINT', customerId: n.id });
    expect(noNotes.statusCode).toBe(400);
    expect(noNotes.json().field).toBe('notes');
    const foreignCustomer = await cand('POST', '/wrap-ups', { code: 'INFO', customerId: 999999 });
    expect(foreignCustomer.json().field).toBe('customerId');
    const noCall = await cand('POST', '/wrap-ups', { code: 'INFO', callId: '00000000-0000-4000-8000-000000000000' });
    expect(noCall.json().field).toBe('callId');
    expect(t.repos.crm.listWrapUps(attemptId)).toEqual([]);

    const ok = await cand('POST', '/wrap-ups', { code: 'COMPLAINT', customerId: n.id, notes: 'Complaint logged CAS-000003, callback booked.' });
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json().wrapUp).toMatchObject({ code: 'COMPLAINT', customerId: n.id });
    expect(t.repos.crm.listWrapUps(attemptId)).toHaveLength(1);
  });
});

describe('messages', () => {
  it('the inbox holds the seeded messages', async () => {
    const res = await cand('GET', '/messages?direction=in');
    expect(res.statusCode).toBe(200);
    expect(res.json().messages).toHaveLength(3);
  });

  it('sends an e-mail with a template and attachments to a valid address', async () => {
    const p = await byAccount('BL100602');
    const order = (await detail(p.id)).orders[0];
    const res = await cand('POST', '/messages', {
      channel: 'email',
      customerId: p.id,
      to: 'priya.natarajan@example.com',
      cc: ['sales.team@brightline.example.co.uk'],
      subject: `Your Brightline order ${order.reference}`,
      body: 'Dear Dr Natarajan, thank you for your order.',
      templateKey: 'email-order-confirmation',
      attachments: [{ kind: 'document', key: 'terms-summary' }, { kind: 'order', orderId: order.id }],
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().message).toMatchObject({
      direction: 'out',
      from: 'customer.care@brightline.example.co.uk',
      to: 'priya.natarajan@example.com',
      attachments: [
        { kind: 'document', key: 'terms-summary', name: 'brightline-terms-summary.pdf' },
        { kind: 'order', orderId: order.id, name: `order-confirmation-${order.reference}.pdf` },
      ],
    });
    const sms = await cand('POST', '/messages', { channel: 'sms', customerId: p.id, to: '+44 7700 900958', body: 'Brightline: your order is confirmed.', templateKey: 'sms-appointment' });
    expect(sms.statusCode, sms.body).toBe(201);
    expect((await cand('GET', '/messages?direction=out')).json().messages).toHaveLength(2);
  });

  it.each([
    [{ channel: 'email', to: 'priya.natarajan@', subject: 'Hi', body: 'x' }, 'to', /not a valid e-mail/],
    [{ channel: 'email', to: 'priya@example.com', cc: ['ok@example.com', 'nope'], subject: 'Hi', body: 'x' }, 'cc.1', /not a valid e-mail/],
    [{ channel: 'email', to: 'priya@example.com', body: 'x' }, 'subject', /Enter the subject/],
    [{ channel: 'sms', to: '020 7946 0958', body: 'x' }, 'to', /not a UK mobile/],
    [{ channel: 'sms', to: 'priya@example.com', body: 'x' }, 'to', /not a valid UK phone/],
    [{ channel: 'sms', to: '07700 900958', subject: 'Hi', body: 'x' }, 'subject', /no subject/],
    [{ channel: 'sms', to: '07700 900958', body: 'x'.repeat(613) }, 'body', /at most 612/],
    [{ channel: 'email', to: 'priya@example.com', subject: 'Hi', body: 'x', templateKey: 'sms-callback' }, 'templateKey', /for SMS, not e-mail/],
    [{ channel: 'email', to: 'priya@example.com', subject: 'Hi', body: 'x', attachments: [{ kind: 'document', key: 'secret-plans' }] }, 'attachments.0.key', /no document/],
    [{ channel: 'email', to: 'priya@example.com', subject: 'Hi', body: 'x', attachments: [{ kind: 'order', orderId: 999999 }] }, 'attachments.0.orderId', /no order/],
    [{ channel: 'fax', to: '020 7946 0958', body: 'x' }, 'channel', /./],
  ])('%j → 400 naming %s, nothing sent', async (body, field, message) => {
    const before = (await cand('GET', '/messages')).json().messages.length;
    const res = await cand('POST', '/messages', body);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json()).toMatchObject({ field });
    expect(res.json().message).toMatch(message);
    expect((await cand('GET', '/messages')).json().messages.length).toBe(before);
  });
});

describe('reference data', () => {
  it('lists products, knowledge base (searchable), scripts, wrap-up codes, call list and templates', async () => {
    const products = (await cand('GET', '/products')).json().products;
    expect(products).toHaveLength(6);
    expect(products.find((p: { code: string }) => p.code === 'WIFI-MESH')).toMatchObject({ pricePence: 5999, priceBasis: 'one_off', features: expect.any(Array) });
    expect((await cand('GET', '/knowledge-base')).json().articles.length).toBe(6);
    expect((await cand('GET', '/knowledge-base?q=goodwill%20credit')).json().articles.map((a: { slug: string }) => a.slug)).toEqual(['goodwill-credits']);
    expect((await cand('GET', '/scripts')).json().scripts.map((s: { key: string }) => s.key)).toContain('outbound-contract-end');
    expect((await cand('GET', '/wrap-up-codes')).json().codes[0]).toEqual({ code: 'INFO', label: 'Information given', requiresNote: false });
    const entries = (await cand('GET', '/call-list')).json().entries as Array<{ name: string; doNotCall: boolean }>;
    expect(entries.map((e) => [e.name, e.doNotCall])).toEqual([
      ['Mr Robert Campbell', false],
      ['Miss Chloe Bennett', true],
      ['Mr Alan Pryce', false],
      ['Mrs Joan Ellis', true],
    ]);
    const tpl = (await cand('GET', '/message-templates')).json();
    expect(tpl.templates.length).toBe(6);
    expect(tpl.documents.map((d: { key: string }) => d.key)).toEqual(['terms-summary', 'info-pack', 'troubleshooting-guide']);
  });
});

describe('who may see and change an attempt', () => {
  const urls = () => [
    `/api/attempts/${attemptId}`,
    `/api/attempts/${attemptId}/customers?q=Hughes`,
    `/api/attempts/${attemptId}/customers/by-phone/01134960999`,
    `/api/attempts/${attemptId}/products`,
    `/api/attempts/${attemptId}/messages`,
  ];

  it('the centre assessor, moderators and admins read it', async () => {
    for (const who of [as.assessor, as.moderator, as.admin]) {
      for (const url of urls()) expect((await call(who, 'GET', url)).statusCode, url).toBe(200);
      expect((await call(who, 'GET', `/api/attempts/${attemptId}/customers?q=Hughes`)).json().count).toBe(2);
    }
  });

  it('other candidates and foreign assessors get the same 404 as for an unknown id', async () => {
    const unknown = await call(as.assessor, 'GET', '/api/attempts/00000000-0000-4000-8000-000000000000');
    expect(unknown.statusCode).toBe(404);
    for (const who of [as.candidate2, as.candidate3, as.foreignAssessor]) {
      for (const url of urls()) {
        const res = await call(who, 'GET', url);
        expect(res.statusCode, url).toBe(404);
        expect(res.json()).toEqual(unknown.json());
      }
    }
  });

  it('another candidate cannot write to it (404), and nothing changes', async () => {
    const m = await byAccount('BL100231');
    const before = await detail(m.id);
    const base = `/api/attempts/${attemptId}/customers/${m.id}`;
    const writes: Array<[Method, string, unknown]> = [
      ['PATCH', base, { version: m.version, town: 'Hull' }],
      ['POST', `${base}/notes`, { body: 'not mine' }],
      ['POST', `${base}/identity-check`, { answers: [{ questionId: before.securityQuestions[0].id, answer: 'bluebell' }] }],
      ['POST', `/api/attempts/${attemptId}/wrap-ups`, { code: 'INFO' }],
    ];
    for (const [method, url, body] of writes) {
      const res = await call(as.candidate3, method, url, body);
      expect(res.statusCode, url).toBe(404);
      expect(res.json().error).toBe('not_found');
    }
    expect(await detail(m.id)).toEqual(before);
  });

  it('readers who are not the candidate cannot write (403 by role)', async () => {
    const m = await byAccount('BL100231');
    for (const who of [as.assessor, as.moderator, as.admin]) {
      const res = await call(who, 'POST', `/api/attempts/${attemptId}/customers/${m.id}/notes`, { body: 'x' });
      expect(res.statusCode).toBe(403);
    }
  });

  it('a candidate cannot start an attempt, nor get another candidate\'s attempt as current', async () => {
    const res = await call(as.candidate, 'POST', '/api/attempts', { candidateUserId: t.users.candidate });
    expect(res.statusCode).toBe(403);
    const other = await call(as.candidate2, 'GET', '/api/attempts/current');
    expect(other.statusCode).toBe(200);
    expect(other.json().attempt).toBeNull();
  });
});

describe('a closed attempt', () => {
  it('is read-only: every write is 409 and nothing is written; reads still work', async () => {
    const created = await call(as.assessor, 'POST', '/api/attempts', { candidateUserId: t.users.candidate });
    expect(created.statusCode).toBe(201);
    const closedId: string = created.json().attempt.id;
    expect((await call(as.candidate, 'GET', '/api/attempts/current')).json().attempt.id).toBe(closedId);
    // Closing belongs to the Assessment issue; until then the test closes it directly.
    t.repos.db.prepare("UPDATE attempts SET status = 'closed', closed_at = ? WHERE id = ?").run(t.clock.now(), closedId);

    const base = `/api/attempts/${closedId}`;
    const m = (await call(as.candidate, 'GET', `${base}/customers?q=BL100231`)).json().customers[0] as CustomerJson;
    const counts = t.repos.crm.counts(closedId);
    const writes: Array<[Method, string, unknown]> = [
      ['PATCH', `${base}/customers/${m.id}`, { version: m.version, town: 'Hull' }],
      ['POST', `${base}/customers/${m.id}/notes`, { body: 'late' }],
      ['POST', `${base}/customers/${m.id}/orders`, { lines: [{ productCode: 'BB-FIBRE-100', quantity: 1 }] }],
      ['POST', `${base}/customers/${m.id}/cases`, { type: 'query', priority: 'low', description: 'late' }],
      ['POST', `${base}/customers/${m.id}/callbacks`, { dueAt: '2026-01-05T09:30', reason: 'late' }],
      ['POST', `${base}/customers/${m.id}/identity-check`, { answers: [{ questionId: 1, answer: 'x' }] }],
      ['POST', `${base}/wrap-ups`, { code: 'INFO' }],
      ['POST', `${base}/messages`, { channel: 'sms', to: '07700 900412', body: 'late' }],
    ];
    for (const [method, url, body] of writes) {
      const res = await call(as.candidate, method, url, body);
      expect(res.statusCode, url).toBe(409);
      expect(res.json().error).toBe('attempt_closed');
    }
    expect(t.repos.crm.counts(closedId)).toEqual(counts);
    expect((await call(as.candidate, 'GET', `${base}/customers/${m.id}`)).statusCode).toBe(200);
    expect((await call(as.assessor, 'GET', base)).json().attempt.status).toBe('closed');
    // The first attempt is open again as the candidate's current one.
    expect((await call(as.candidate, 'GET', '/api/attempts/current')).json().attempt.id).toBe(attemptId);
  });
});

describe('practice attempts on the scenario files', () => {
  it('lists S1–S6 for staff only, and an attempt on S1 gets S1’s own CRM data', async () => {
    const t = await createTestApp();
    try {
      const assessor = await t.loginAs('assessor');
      const list = await t.app.inject({ method: 'GET', url: '/api/scenarios', headers: { cookie: assessor.cookie } });
      const keys = list.json().scenarios.map((s: { key: string }) => s.key);
      expect(keys).toEqual(expect.arrayContaining(['demo', 's1', 's2', 's3', 's4', 's5', 's6']));
      expect(JSON.stringify(list.json())).not.toMatch(/answerKey|callerBrief|rubric/);
      const candidate = await t.loginAs('candidate');
      expect((await t.app.inject({ method: 'GET', url: '/api/scenarios', headers: { cookie: candidate.cookie } })).statusCode).toBe(403);

      const res = await t.app.inject({
        method: 'POST',
        url: '/api/attempts',
        headers: { cookie: assessor.cookie, 'x-csrf-token': assessor.csrf },
        payload: { candidateUserId: t.users.candidate, scenarioKey: 's1' },
      });
      expect(res.statusCode, res.body).toBe(201);
      const attemptId = res.json().attempt.id;
      const found = await t.app.inject({ method: 'GET', url: `/api/attempts/${attemptId}/customers?q=Hughes`, headers: { cookie: candidate.cookie } });
      expect(found.json().count).toBeGreaterThan(0);
    } finally {
      await t.close();
    }
  });
});

describe('search bounds', () => {
  it('answers at most MAX_SEARCH_RESULTS rows however broad the query', async () => {
    const { MAX_SEARCH_RESULTS } = await import('../../../server/db/repositories/crm.js');
    const t = await createTestApp();
    try {
      const assessor = await t.loginAs('assessor');
      const made = await t.app.inject({ method: 'POST', url: '/api/attempts', headers: { cookie: assessor.cookie, 'x-csrf-token': assessor.csrf }, payload: { candidateUserId: t.users.candidate } });
      const attemptId = made.json().attempt.id as string;
      const template = t.repos.crm.listCustomers(attemptId)[0]!;
      const insert = t.repos.db.prepare(
        `INSERT INTO crm_customers (attempt_id, account_number, title, first_name, last_name, date_of_birth, address_line1, address_line2, town, postcode, phone, phone_norm, mobile, mobile_norm, email, contact_preference, do_not_call, version, created_at, updated_at)
         SELECT attempt_id, ?, title, first_name, last_name, date_of_birth, address_line1, address_line2, town, postcode, phone, phone_norm, mobile, mobile_norm, email, contact_preference, do_not_call, 1, created_at, updated_at FROM crm_customers WHERE id = ?`,
      );
      for (let i = 0; i < MAX_SEARCH_RESULTS + 50; i++) insert.run(`ZZ${String(i).padStart(6, '0')}`, template.id);
      const candidate = await t.loginAs('candidate');
      const res = await t.app.inject({ method: 'GET', url: `/api/attempts/${attemptId}/customers?q=${encodeURIComponent(template.lastName)}`, headers: { cookie: candidate.cookie } });
      expect(res.statusCode).toBe(200);
      expect(res.json().customers.length).toBe(MAX_SEARCH_RESULTS);
    } finally {
      await t.close();
    }
  });
});
