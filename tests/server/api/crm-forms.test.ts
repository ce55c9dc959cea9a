// Every field a scenario's answer key or rubric marks can be recorded through the desktop's forms:
// each request here is shaped exactly as client/src/desktop/crm-api.ts sends it, and each value is
// read back through the API. Bad input gets a 400 naming the field and changes nothing.
// Over the real app, a real SQLite file and real PDFs (pdftotext).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scenarioForAttemptKey } from '../../../server/assessment/scenario-loader.js';
import type { Scenario } from '../../../server/assessment/scenario-schema.js';
import { normaliseUkPhone } from '../../../server/crm/validation.js';
import { addDays, isoDate, ukDate } from '../../../server/sittings/relative-dates.js';
import { call as request, type Method } from '../../support/sitting-helpers.js';
import { createTestApp, type Login, type TestApp } from '../../support/test-app.js';
import type { Json } from '../../support/json.js';


let t: TestApp;
let candidate: Login;
let assessor: Login;

const call = (who: Login, method: Method, url: string, payload?: unknown) => request(t, who, method, url, payload);
/** The request must answer `status`; the JSON body. */
async function ok(method: Method, url: string, payload?: unknown, status = method === 'POST' ? 201 : 200): Promise<Json> {
  const res = await call(candidate, method, url, payload);
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(status);
  return res.json<Json>();
}
/** The request must be refused with 400 naming `field`; the message. */
async function refused(method: Method, url: string, payload: unknown, field: string): Promise<string> {
  const res = await call(candidate, method, url, payload);
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(400);
  expect(res.json()).toMatchObject({ error: 'validation', field });
  return res.json().message as string;
}

async function newAttempt(scenarioKey: string): Promise<string> {
  const res = await call(assessor, 'POST', '/api/attempts', { candidateUserId: t.users.candidate, scenarioKey });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().attempt.id as string;
}
const customerOf = (attemptId: string, account: string) => t.repos.crm.findCustomerByAccount(attemptId, account)!;
const detail = async (attemptId: string, account: string): Promise<Json> => (await ok('GET', `/api/attempts/${attemptId}/customers/${customerOf(attemptId, account).id}`)).customer as Json;
const pdfToText = (pdf: Buffer): string => execFileSync('pdftotext', ['-enc', 'UTF-8', '-layout', '-', '-'], { input: pdf }).toString('utf8').replace(/\s+/g, ' ');
const money = (pence: number) => `£${(pence / 100).toFixed(2)}`;

beforeAll(async () => {
  t = await createTestApp();
  ({ candidate, assessor } = await t.loginRoles('candidate', 'assessor'));
});
afterAll(async () => {
  await t.close();
});

describe('the case form', () => {
  let attemptId: string;
  let base: string;
  beforeAll(async () => {
    attemptId = await newAttempt('s3');
    base = `/api/attempts/${attemptId}/customers/${customerOf(attemptId, 'BL100777').id}`;
  });
  const cases = () => t.repos.crm.counts(attemptId).cases;

  it('offers the scenario\'s case categories, in words with their codes', async () => {
    const { categories } = await ok('GET', `/api/attempts/${attemptId}/case-categories`);
    expect(categories).toContainEqual({ code: 'MISSED_APPOINTMENT', label: 'Missed appointment' });
    expect(categories).toContainEqual({ code: 'HOME_MOVE', label: 'Home move' });
  });

  it('records category, priority, escalation and a goodwill credit keyed in pounds, and reads them back', async () => {
    const body = { type: 'complaint', priority: 'high', description: 'Second missed visit (4 and 18 November); asks for £200.', escalated: true, category: 'MISSED_APPOINTMENT', credit: '£20.00' };
    const made = (await ok('POST', `${base}/cases`, body)).case as Json;
    expect(made).toMatchObject({ type: 'complaint', priority: 'high', category: 'MISSED_APPOINTMENT', escalated: true, creditPence: 2000 });
    const back = (await detail(attemptId, 'BL100777')).cases.find((c: Json) => c.id === made.id);
    expect(back).toMatchObject({ reference: made.reference, category: 'MISSED_APPOINTMENT', priority: 'high', escalated: true, creditPence: 2000, description: body.description });
    // Other ways of keying the same money.
    for (const [credit, pence] of [['20', 2000], ['12.50', 1250], ['£1,250.00', 125000], ['0.99', 99]] as const) {
      expect((await ok('POST', `${base}/cases`, { ...body, credit })).case.creditPence, credit).toBe(pence);
    }
    expect((await ok('POST', `${base}/cases`, { ...body, credit: null })).case.creditPence).toBeNull();
    expect((await ok('POST', `${base}/cases`, { ...body, category: null, credit: '' })).case).toMatchObject({ category: null, creditPence: null });
  });

  it.each([
    [{ category: 'LOST_PARCEL' }, 'category', /"LOST_PARCEL" is not a case category here; choose one of: Home move, Billing, .*Missed appointment/],
    [{ category: 'missed_appointment' }, 'category', /not a case category/],
    [{ credit: 'twenty pounds' }, 'credit', /The goodwill credit "twenty pounds" is not an amount in pounds/],
    [{ credit: '£20.505' }, 'credit', /not an amount in pounds/],
    [{ credit: '-5' }, 'credit', /not an amount in pounds/],
    [{ credit: '£20.00', creditPence: 2000 }, 'credit', /once: in pounds or in pence, not both/],
    [{ creditPence: 12.5 }, 'creditPence', /integer/],
    [{ priority: 'critical' }, 'priority', /./],
  ])('refuses %j naming %s, and records nothing', async (change, field, message) => {
    const before = cases();
    const body = { type: 'complaint', priority: 'high', description: 'x', escalated: false, category: 'MISSED_APPOINTMENT', credit: null, ...change };
    expect(await refused('POST', `${base}/cases`, body, field)).toMatch(message);
    expect(cases()).toBe(before);
  });
});

describe('the order form', () => {
  let attemptId: string;
  let base: string;
  beforeAll(async () => {
    attemptId = await newAttempt('s4');
    base = `/api/attempts/${attemptId}/customers/${customerOf(attemptId, 'BL100602').id}`;
  });

  it('records several lines with their sale types, priced from the catalogue, and reads them back', async () => {
    const lines = [
      { productCode: 'BB-FIBRE-500', quantity: 1, saleType: 'upsell' },
      { productCode: 'WIFI-MESH', quantity: 2, saleType: 'cross_sell' },
      { productCode: 'TV-ESSENTIALS', quantity: 1, saleType: 'standard' },
    ];
    const order = (await ok('POST', `${base}/orders`, { lines })).order as Json;
    const back = (await detail(attemptId, 'BL100602')).orders.find((o: Json) => o.id === order.id);
    expect(back.lines.map((l: Json) => [l.productCode, l.quantity, l.saleType])).toEqual(lines.map((l) => [l.productCode, l.quantity, l.saleType]));
    const catalogue = t.repos.crm.productsByCode(attemptId);
    const expected = lines.reduce((sum, l) => sum + catalogue.get(l.productCode)!.pricePence * l.quantity, 0);
    expect(back.totalPence).toBe(expected);
  });

  it('refuses the same product on two lines (naming the second), and a product not in the catalogue; no order is stored', async () => {
    const before = t.repos.crm.counts(attemptId).orders;
    const twice = [
      { productCode: 'BB-FIBRE-500', quantity: 1, saleType: 'upsell' },
      { productCode: 'bb-fibre-500', quantity: 1, saleType: 'standard' },
    ];
    expect(await refused('POST', `${base}/orders`, { lines: twice }, 'lines.1.productCode')).toMatch(/Full Fibre 500 is on the order twice; put it on one line and change the quantity/);
    await refused('POST', `${base}/orders`, { lines: [{ productCode: 'WIFI-MESH', quantity: 1, saleType: 'standard' }, { productCode: 'NOPE', quantity: 1, saleType: 'standard' }] }, 'lines.1.productCode');
    await refused('POST', `${base}/orders`, { lines: [] }, 'lines');
    expect(t.repos.crm.counts(attemptId).orders).toBe(before);
  });

  it('fills the order-confirmation template and the print-out from an order of several lines', async () => {
    const lines = [
      { productCode: 'BB-FIBRE-500', quantity: 1, saleType: 'upsell' },
      { productCode: 'WIFI-MESH', quantity: 1, saleType: 'cross_sell' },
      { productCode: 'TV-ESSENTIALS', quantity: 1, saleType: 'standard' },
    ];
    const order = (await ok('POST', `${base}/orders`, { lines })).order as Json;
    const c = customerOf(attemptId, 'BL100602');
    const filled = await ok('GET', `/api/attempts/${attemptId}/message-templates/email-order-confirmation/filled?customerId=${c.id}&orderId=${order.id}`);
    expect(filled.unfilled).toEqual([]);
    expect(filled.subject).toBe(`Your Brightline order ${order.reference}`);
    for (const line of order.lines as Json[]) expect(filled.body).toContain(`${line.quantity} × ${line.productName}`);
    expect(filled.body).toContain(`Your new monthly price is ${money(order.monthlyPence)}`);
    expect(filled.body).toContain(`Dear ${c.title} ${c.lastName}`);
    expect(filled.body).toContain('Test candidate');
    // Sent as the desktop sends it, the message holds the filled text.
    const sent = (await ok('POST', `/api/attempts/${attemptId}/messages`, { channel: 'email', to: c.email, subject: filled.subject, body: filled.body, templateKey: 'email-order-confirmation', attachments: [{ kind: 'document', key: 'terms-summary' }], customerId: c.id }))
      .message as Json;
    expect(sent.body).toContain(order.reference);

    const printed = (await ok('POST', `/api/attempts/${attemptId}/printouts`, { kind: 'order', subjectId: order.id })).printout as Json;
    const text = pdfToText(fs.readFileSync(path.join(t.dir, 'printouts', attemptId, `${printed.id}-order.pdf`)));
    for (const line of order.lines as Json[]) {
      expect(text).toContain(line.productCode);
      expect(text).toContain(money(line.lineTotalPence));
    }
    expect(text).toContain(`Monthly total ${money(order.monthlyPence)} a month`);
    expect(text).toContain(`One-off total ${money(order.oneOffPence)}`);
    expect(text).toContain(`Order total ${money(order.totalPence)}`);
  });

  it('fills a template from a case and a callback, leaving what only the candidate can write', async () => {
    const c = customerOf(attemptId, 'BL100602');
    const kase = (await ok('POST', `${base}/cases`, { type: 'complaint', priority: 'medium', description: 'Slow speeds.', escalated: false, category: 'SERVICE_QUALITY', credit: null })).case as Json;
    const ack = await ok('GET', `/api/attempts/${attemptId}/message-templates/email-complaint-acknowledgement/filled?customerId=${c.id}&caseId=${kase.id}`);
    expect(ack.subject).toBe(`Your complaint ${kase.reference}`);
    expect(ack.unfilled).toEqual(['{{nextSteps}}']);
    const cb = (await ok('POST', `${base}/callbacks`, { dueAt: '2026-01-06T08:00', reason: 'Engineer visit', kind: 'task', priority: 'high', phone: null })).callback as Json;
    const sms = await ok('GET', `/api/attempts/${attemptId}/message-templates/sms-appointment/filled?customerId=${c.id}&caseId=${kase.id}&callbackId=${cb.id}`);
    expect(sms.body).toBe(`Brightline: your engineer visit is booked for Tuesday 6 January 2026, {{slot}}. Ref ${kase.reference}. Reply STOP to opt out.`);
    expect(sms.unfilled).toEqual(['{{slot}}']);
    expect(sms.values).toMatchObject({ callbackDue: 'Tuesday 6 January 2026 at 08:00', time: '08:00', caseReference: kase.reference });
  });

  it('refuses to fill from a record of another customer or an unknown one', async () => {
    const other = customerOf(attemptId, 'BL100603');
    const mine = t.repos.crm.ordersForCustomer(attemptId, customerOf(attemptId, 'BL100602').id)[0]!;
    expect(await refused('GET', `/api/attempts/${attemptId}/message-templates/email-order-confirmation/filled?customerId=${other.id}&orderId=${mine.id}`, undefined, 'orderId')).toMatch(/belongs to another customer/);
    await refused('GET', `/api/attempts/${attemptId}/message-templates/email-order-confirmation/filled?orderId=999999`, undefined, 'orderId');
    expect((await call(candidate, 'GET', `/api/attempts/${attemptId}/message-templates/no-such-template/filled`)).statusCode).toBe(404);
  });
});

describe('callbacks, tasks and the customer record', () => {
  let attemptId: string;
  beforeAll(async () => {
    attemptId = await newAttempt('s2');
  });

  it('records a task with its priority, and a callback on another number, and reads them back', async () => {
    const base = `/api/attempts/${attemptId}/customers/${customerOf(attemptId, 'BL100518').id}`;
    await ok('POST', `${base}/callbacks`, { dueAt: '2026-01-02T08:30', reason: 'Engineer visit, morning slot', kind: 'task', priority: 'high', phone: null });
    await ok('POST', `${base}/callbacks`, { dueAt: '2026-01-05T18:30', reason: 'Call back about the bill', kind: 'callback', priority: 'low', phone: '07700 900123' });
    const back = (await detail(attemptId, 'BL100518')).callbacks as Json[];
    expect(back.map((b) => [b.dueAt, b.kind, b.priority, b.phone])).toEqual([
      ['2026-01-02T08:30', 'task', 'high', null],
      ['2026-01-05T18:30', 'callback', 'low', '07700 900123'],
    ]);
    const before = t.repos.crm.counts(attemptId).callbacks;
    await refused('POST', `${base}/callbacks`, { dueAt: '2026-01-02T08:30', reason: 'x', kind: 'visit', priority: 'high', phone: null }, 'kind');
    await refused('POST', `${base}/callbacks`, { dueAt: '2026-01-02T08:30', reason: 'x', kind: 'task', priority: 'urgent', phone: null }, 'priority');
    expect(t.repos.crm.counts(attemptId).callbacks).toBe(before);
  });

  it('records the contact preference and the do-not-call flag, and refuses an unknown preference', async () => {
    const c = customerOf(attemptId, 'BL100518');
    const url = `/api/attempts/${attemptId}/customers/${c.id}`;
    const res = await ok('PATCH', url, { version: c.version, email: 'george.whitfield@example.co.uk', contactPreference: 'email', doNotCall: true });
    expect(res.changes.map((x: Json) => x.field)).toEqual(['email', 'contactPreference', 'doNotCall']);
    expect(await detail(attemptId, 'BL100518')).toMatchObject({ email: 'george.whitfield@example.co.uk', contactPreference: 'email', doNotCall: true });
    const now = customerOf(attemptId, 'BL100518');
    await refused('PATCH', url, { version: now.version, contactPreference: 'fax' }, 'contactPreference');
    await refused('PATCH', url, { version: now.version, doNotCall: 'yes' }, 'doNotCall');
    expect(customerOf(attemptId, 'BL100518')).toEqual(now);
  });
});

describe('the inbox: folders, replies and the auto-reply', () => {
  let attemptId: string;
  let incoming: Json[];
  beforeAll(async () => {
    attemptId = await newAttempt('s6');
    incoming = (await ok('GET', `/api/attempts/${attemptId}/messages?direction=in`)).messages as Json[];
  });
  const byIndex = (scenario: Scenario, i: number) => incoming.find((m) => m.subject === scenario.seed.messages[i]!.subject)!;

  it('lists the scenario\'s folders and files each message where the answer key expects it, read back from the inbox', async () => {
    const s6 = scenarioForAttemptKey('s6')!;
    expect((await ok('GET', `/api/attempts/${attemptId}/message-folders`)).folders).toEqual(s6.seed.messageFolders);
    for (const f of s6.answerKey.inbox!.file) {
      const m = byIndex(s6, f.message);
      const filed = (await ok('PUT', `/api/attempts/${attemptId}/messages/${m.id}/folder`, { folder: f.folder.toLowerCase() })).message as Json;
      expect(filed).toMatchObject({ id: m.id, folder: f.folder, filedAt: t.clock.now() });
    }
    const back = (await ok('GET', `/api/attempts/${attemptId}/messages?direction=in`)).messages as Json[];
    for (const f of s6.answerKey.inbox!.file) expect(back.find((m) => m.id === byIndex(s6, f.message).id)!.folder).toBe(f.folder);
    // Back to the inbox.
    const m = byIndex(s6, 2);
    expect((await ok('PUT', `/api/attempts/${attemptId}/messages/${m.id}/folder`, { folder: null })).message).toMatchObject({ folder: null, filedAt: null });
  });

  it('refuses an unknown folder (naming the folders) and filing a sent message; nothing moves', async () => {
    const m = incoming[0]!;
    const before = t.repos.crm.findMessage(attemptId, m.id);
    expect(await refused('PUT', `/api/attempts/${attemptId}/messages/${m.id}/folder`, { folder: 'Spam' }, 'folder')).toMatch(/There is no folder "Spam"; file it in one of: Faults - actioned, Team notices/);
    expect(t.repos.crm.findMessage(attemptId, m.id)).toEqual(before);
    const c = customerOf(attemptId, 'BL100455');
    const sent = (await ok('POST', `/api/attempts/${attemptId}/messages`, { channel: 'sms', to: c.mobile, body: 'Test', customerId: c.id })).message as Json;
    expect((await call(candidate, 'PUT', `/api/attempts/${attemptId}/messages/${sent.id}/folder`, { folder: 'Team notices' })).statusCode).toBe(404);
  });

  it('records which message a reply answers, and refuses a reply to a message that is not incoming', async () => {
    const m = incoming.find((x) => /Broadband keeps dropping/.test(x.subject))!;
    const reply = (await ok('POST', `/api/attempts/${attemptId}/messages`, { channel: 'email', to: m.from, subject: `Re: ${m.subject}`, body: 'We will call you back this morning.', inReplyTo: m.id })).message as Json;
    expect(reply.inReplyTo).toBe(m.id);
    expect(((await ok('GET', `/api/attempts/${attemptId}/messages?direction=out`)).messages as Json[]).find((x) => x.id === reply.id)!.inReplyTo).toBe(m.id);
    const before = t.repos.crm.counts(attemptId).messages;
    await refused('POST', `/api/attempts/${attemptId}/messages`, { channel: 'email', to: m.from, subject: 'Re', body: 'x', inReplyTo: reply.id }, 'inReplyTo');
    expect(t.repos.crm.counts(attemptId).messages).toBe(before);
  });

  it('saves the auto-reply, reads it back, and refuses switching it on with no text', async () => {
    expect((await ok('GET', `/api/attempts/${attemptId}/auto-reply`)).autoReply).toEqual({ enabled: false, body: null, updatedAt: null });
    const saved = (await ok('PUT', `/api/attempts/${attemptId}/auto-reply`, { enabled: true, body: '  Thank you for your e-mail. The team replies within one working day.  ' })).autoReply;
    expect(saved).toEqual({ enabled: true, body: 'Thank you for your e-mail. The team replies within one working day.', updatedAt: t.clock.now() });
    expect((await ok('GET', `/api/attempts/${attemptId}/auto-reply`)).autoReply).toEqual(saved);
    expect(await refused('PUT', `/api/attempts/${attemptId}/auto-reply`, { enabled: true, body: '   ' }, 'body')).toMatch(/Write the auto-reply message/);
    expect(await refused('PUT', `/api/attempts/${attemptId}/auto-reply`, { enabled: true, body: 'x'.repeat(2001) }, 'body')).toMatch(/at most 2000 characters/);
    expect((await ok('GET', `/api/attempts/${attemptId}/auto-reply`)).autoReply).toEqual(saved);
    expect((await ok('PUT', `/api/attempts/${attemptId}/auto-reply`, { enabled: false, body: saved.body })).autoReply).toMatchObject({ enabled: false, body: saved.body });
  });
});

/**
 * For each of S1–S6, every record its answer key expects is made through the desktop's requests
 * and read back: customer fields, cases, orders (optional lines too), callbacks in their window,
 * follow-ups from their templates to the right recipients with copies and attachments, print-outs,
 * filing, the auto-reply and the wrap-up.
 */
describe.each(['s1', 's2', 's3', 's4', 's5', 's6'])('every answer-key field of %s is recordable', (key) => {
  const scenario = scenarioForAttemptKey(key)!;
  const ak = scenario.answerKey;
  let attemptId: string;
  let url: string;
  const id = (account: string) => customerOf(attemptId, account).id;
  beforeAll(async () => {
    attemptId = await newAttempt(key);
    url = `/api/attempts/${attemptId}`;
  });

  it('customer fields', async () => {
    for (const expected of ak.customers) {
      const { accountNumber, ...fields } = expected;
      const before = customerOf(attemptId, accountNumber);
      await ok('PATCH', `${url}/customers/${before.id}`, { ...fields, version: before.version });
      const back = await detail(attemptId, accountNumber);
      for (const [field, value] of Object.entries(fields)) {
        if (field === 'phone' || field === 'mobile') expect(normaliseUkPhone(back[field]), field).toBe(normaliseUkPhone(value as string));
        else expect(back[field], field).toEqual(value);
      }
    }
  });

  it('cases, with category, priority, escalation and the credit', async () => {
    for (const k of ak.cases) {
      const body = {
        type: k.type,
        priority: k.priority[0],
        description: k.mustMention.map((m) => m.replace(/\{\{\w+\}\}/g, 'detail')).join('; ') || 'Logged.',
        escalated: k.escalated,
        category: k.category,
        credit: k.maxCreditPence === null ? null : money(k.maxCreditPence),
      };
      const made = (await ok('POST', `${url}/customers/${id(k.accountNumber)}/cases`, body)).case as Json;
      const back = (await detail(attemptId, k.accountNumber)).cases.find((c: Json) => c.id === made.id);
      expect(back).toMatchObject({ type: k.type, category: k.category, priority: k.priority[0], escalated: k.escalated, creditPence: k.maxCreditPence });
    }
  });

  it('orders, with their optional lines', async () => {
    for (const o of ak.orders) {
      const lines = [...o.lines, ...o.optionalLines].map((l) => ({ productCode: l.productCode, quantity: l.quantity, saleType: l.saleType }));
      const made = (await ok('POST', `${url}/customers/${id(o.accountNumber)}/orders`, { lines })).order as Json;
      const back = (await detail(attemptId, o.accountNumber)).orders.find((x: Json) => x.id === made.id);
      expect(back.lines.map((l: Json) => ({ productCode: l.productCode, quantity: l.quantity, saleType: l.saleType }))).toEqual(lines);
    }
  });

  it('callbacks and tasks, due inside their window', async () => {
    const day = ukDate(t.clock.now());
    for (const c of ak.callbacks) {
      const dueAt = `${isoDate(addDays(day, Math.max(c.due.earliest.days, 1), c.due.earliest.workingDays))}T${c.due.timeFrom ?? '10:00'}`;
      const body = { dueAt, reason: c.mustMention.join(', '), kind: c.kind, priority: c.priority[0], phone: null };
      await ok('POST', `${url}/customers/${id(c.accountNumber)}/callbacks`, body);
      const back = (await detail(attemptId, c.accountNumber)).callbacks as Json[];
      expect(back).toContainEqual(expect.objectContaining({ dueAt, kind: c.kind, priority: c.priority[0], reason: body.reason }));
    }
  });

  it('follow-ups from their templates, to the address on file, with copies and attachments', async () => {
    for (const f of ak.followUps) {
      const c = customerOf(attemptId, f.to.accountNumber);
      const filled = await ok('GET', `${url}/message-templates/${f.templateKey}/filled?customerId=${c.id}`);
      const body = filled.body.replace(/\{\{\w+\}\}/g, 'as agreed');
      const to = f.channel === 'email' ? c.email! : c.mobile!;
      const message =
        f.channel === 'email'
          ? { channel: 'email', to, cc: f.cc, subject: filled.subject.replace(/\{\{\w+\}\}/g, 'ref'), body, templateKey: f.templateKey, attachments: f.attachments.map((key) => ({ kind: 'document', key })), customerId: c.id }
          : { channel: 'sms', to, body, templateKey: f.templateKey, customerId: c.id };
      const sent = (await ok('POST', `${url}/messages`, message)).message as Json;
      expect(sent).toMatchObject({ channel: f.channel, to, cc: f.channel === 'email' ? f.cc : [], templateKey: f.templateKey });
      expect(sent.attachments.map((a: Json) => a.key)).toEqual(f.attachments);
    }
  });

  it('print-outs, filing, the auto-reply and the wrap-up', async () => {
    for (const p of ak.printouts) {
      const c = customerOf(attemptId, p.accountNumber);
      const subjectId = p.kind === 'customer' ? c.id : p.kind === 'case' ? t.repos.crm.casesForCustomer(attemptId, c.id)[0]!.id : t.repos.crm.ordersForCustomer(attemptId, c.id)[0]!.id;
      await ok('POST', `${url}/printouts`, { kind: p.kind, subjectId });
    }
    expect(((await ok('GET', `${url}/printouts`)).printouts as Json[]).map((p) => p.kind)).toEqual(ak.printouts.map((p) => p.kind));
    if (ak.inbox) {
      const messages = (await ok('GET', `${url}/messages?direction=in`)).messages as Json[];
      for (const f of ak.inbox.file) {
        const m = messages.find((x) => x.subject === scenario.seed.messages[f.message]!.subject)!;
        expect((await ok('PUT', `${url}/messages/${m.id}/folder`, { folder: f.folder })).message.folder).toBe(f.folder);
      }
      await ok('PUT', `${url}/auto-reply`, { enabled: true, body: 'Away today; back tomorrow.' });
    }
    const wrapUp = (await ok('POST', `${url}/wrap-ups`, { code: ak.wrapUp.codes[0], notes: 'Done as agreed.', customerId: id(ak.primaryAccount) })).wrapUp as Json;
    expect(wrapUp).toMatchObject({ code: ak.wrapUp.codes[0], customerId: id(ak.primaryAccount) });
  });
});
