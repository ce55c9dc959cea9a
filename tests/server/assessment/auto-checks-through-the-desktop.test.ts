// Every auto-checked rubric line of S1–S6, earned by one attempt and failed by another, driven as
// the desktop drives it: the real app, the real CRM routes (client/src/desktop/crm-api.ts shapes),
// real SIP user agents through the real B2BUA for the calls (ringing, answer, hold and resume,
// hang-up, the numbers dialled), and the suggestions read back from GET /api/attempts/:id/suggestions.
// Nothing is written to the timeline by the test: every piece of evidence is the server's record
// of an action. The server's clock is a ManualClock, so a 16 s ring or a 61 s hold takes no time.
//
// Per scenario, one attempt does everything the answer key asks (EARN) and one does each line's
// typical mistake (FAIL), each by its own candidate so their calls never mix. The table lists,
// per line, what the earning attempt is suggested: full marks, or 'assessor' where the line also
// has a part no rule reads (what a message, case or callback says), so the rules leave the mark
// to the assessor with every objective part shown as met; the failing attempt is suggested 0,
// with the evidence naming the mistake. The first test checks the table covers every rubric line
// of the shipped scenarios that has a rule able to decide it.
import type { Invitation as InvitationT } from 'sip.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MediaWorkerPool } from '../../../media/index.js';
import type { CriterionSuggestion } from '../../../server/assessment/auto-checks.js';
import { scenarioForAttemptKey } from '../../../server/assessment/scenario-loader.js';
import { toRulesAutoChecks, type Scenario } from '../../../server/assessment/scenario-schema.js';
import type { AutoCheckDefinition } from '../../../server/assessment/types.js';
import { hashPassword } from '../../../server/auth/passwords.js';
import { addDays, isoDate, ukDate } from '../../../server/sittings/relative-dates.js';
import { call as request, candidateReady, type Method } from '../../support/sitting-helpers.js';
import { Inviter, SessionState, startUa, UserAgent, type TestUa } from '../../support/sip-clients.js';
import { createTestApp, PASSWORD, type Login, type TestApp } from '../../support/test-app.js';
import { until } from '../../support/until.js';

type Json = Record<string, any>;
type Mode = 'earn' | 'fail';

let t: TestApp;
let pool: MediaWorkerPool;
let assessor: Login;

beforeAll(async () => {
  pool = await MediaWorkerPool.start({ workers: 1, rtcMinPort: 49600, rtcMaxPort: 49799 });
  t = await createTestApp({ telephony: { pool } });
  assessor = await t.loginAs('assessor');
});
afterAll(async () => {
  await t?.close();
  await pool?.close();
});

// --- the desktop's requests ----------------------------------------------------------------------

/** One candidate's practice attempt of a scenario, and the requests their desktop makes. */
class Desk {
  constructor(
    readonly username: string,
    readonly who: Login,
    readonly attemptId: string,
    readonly scenario: Scenario,
  ) {}

  async ok(method: Method | 'PATCH', url: string, payload?: unknown, status = method === 'POST' ? 201 : 200): Promise<Json> {
    const res = method === 'PATCH'
      ? await t.app.inject({ method, url, headers: { cookie: this.who.cookie, 'x-csrf-token': this.who.csrf }, payload: payload as object })
      : await request(t, this.who, method, url, payload);
    expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(status);
    return res.json() as Json;
  }
  get url(): string {
    return `/api/attempts/${this.attemptId}`;
  }
  customer(account: string): Json {
    return t.repos.crm.findCustomerByAccount(this.attemptId, account)! as unknown as Json;
  }
  base(account: string): string {
    return `${this.url}/customers/${this.customer(account).id}`;
  }
  /** Identity tab: answers the record's questions (right, wrong or left empty, per `how`), Check identity. */
  async identity(account: string, how: 'right' | 'wrong', questions = this.scenario.answerKey.identity.minFactors): Promise<void> {
    const seed = this.scenario.seed.customers.find((c) => c.accountNumber === account)!;
    const detail = (await this.ok('GET', this.base(account))).customer as Json;
    const answers = (detail.securityQuestions as Array<{ id: number; question: string }>).map((q, i) => {
      const right = seed.securityAnswers!.find((a) => a.question === q.question)!.answer;
      return { questionId: q.id, answer: i >= questions ? '' : how === 'right' ? right : 'not sure' };
    });
    expect((await this.ok('POST', `${this.base(account)}/identity-check`, { answers })).passed).toBe(how === 'right');
  }
  async edit(account: string, fields: Json): Promise<void> {
    await this.ok('PATCH', this.base(account), { ...fields, version: this.customer(account).version });
  }
  async note(account: string, body: string): Promise<void> {
    await this.ok('POST', `${this.base(account)}/notes`, { body });
  }
  async raiseCase(account: string, body: Json): Promise<Json> {
    return (await this.ok('POST', `${this.base(account)}/cases`, { description: 'Logged on the call.', escalated: false, category: null, credit: null, ...body })).case as Json;
  }
  async order(account: string, lines: Json[]): Promise<Json> {
    return (await this.ok('POST', `${this.base(account)}/orders`, { lines })).order as Json;
  }
  async callback(account: string, body: Json): Promise<Json> {
    return (await this.ok('POST', `${this.base(account)}/callbacks`, { reason: 'Call back as agreed.', phone: null, ...body })).callback as Json;
  }
  /** Compose: a template filled by the server from the records chosen, placeholders left for the candidate written in. */
  async send(account: string, message: { channel: 'email' | 'sms'; templateKey: string | null; to?: string; cc?: string[]; attachments?: string[]; from?: { orderId?: number; caseId?: number; callbackId?: number } }): Promise<void> {
    const c = this.customer(account);
    let subject = 'Following our call';
    let body = 'As we discussed on the phone today.';
    if (message.templateKey) {
      const q = new URLSearchParams({ customerId: String(c.id), ...Object.fromEntries(Object.entries(message.from ?? {}).map(([k, v]) => [k, String(v)])) });
      const filled = await this.ok('GET', `${this.url}/message-templates/${message.templateKey}/filled?${q}`);
      subject = String(filled.subject ?? subject).replace(/\{\{\w+\}\}/g, 'as agreed');
      body = String(filled.body).replace(/\{\{\w+\}\}/g, 'as agreed');
    }
    const to = message.to ?? (message.channel === 'email' ? c.email : c.mobile);
    await this.ok(
      'POST',
      `${this.url}/messages`,
      message.channel === 'email'
        ? { channel: 'email', to, cc: message.cc ?? [], subject, body, templateKey: message.templateKey, attachments: (message.attachments ?? []).map((key) => ({ kind: 'document', key })), customerId: c.id }
        : { channel: 'sms', to, body, templateKey: message.templateKey, customerId: c.id },
    );
  }
  async wrapUp(account: string, code: string, notes: string): Promise<void> {
    await this.ok('POST', `${this.url}/wrap-ups`, { code, notes, customerId: this.customer(account).id });
  }
  async print(kind: 'customer' | 'case' | 'order', subjectId: number): Promise<void> {
    await this.ok('POST', `${this.url}/printouts`, { kind, subjectId });
  }
  /** Inbox: files the seed's message `index` in `folder`. */
  async file(index: number, folder: string): Promise<void> {
    const subject = this.scenario.seed.messages[index]!.subject;
    const m = ((await this.ok('GET', `${this.url}/messages?direction=in`)).messages as Json[]).find((x) => x.subject === subject)!;
    await this.ok('PUT', `${this.url}/messages/${m.id}/folder`, { folder });
  }
  async suggestions(): Promise<Map<string, CriterionSuggestion>> {
    const res = await request(t, assessor, 'GET', `${this.url}/suggestions`);
    expect(res.statusCode, res.body).toBe(200);
    return new Map((res.json() as { suggestions: CriterionSuggestion[] }).suggestions.map((s) => [s.criterionId, s]));
  }
}

let candidates = 0;
/** A new candidate of the centre with a practice attempt of `key` started by the assessor. */
async function desk(key: string): Promise<Desk> {
  const username = `through-desk-${++candidates}`;
  t.repos.users.create({ username, displayName: `Candidate ${candidates}`, role: 'candidate', centreId: t.centreId, passwordHash: await hashPassword(PASSWORD) });
  const who = await t.login(username);
  const res = await request(t, assessor, 'POST', '/api/attempts', { candidateUserId: who.userId, scenarioKey: key });
  expect(res.statusCode, res.body).toBe(201);
  return new Desk(username, who, (res.json() as { attempt: { id: string } }).attempt.id, scenarioForAttemptKey(key)!);
}

/** A date `days` (working days or not) from the attempt's day, 'YYYY-MM-DD'. */
const dayFrom = (days: number, workingDays: boolean): string => isoDate(addDays(ukDate(t.clock.now()), days, workingDays));

// --- calls ----------------------------------------------------------------------------------------

async function phone(username: string, onInvite?: (inv: InvitationT) => void): Promise<TestUa> {
  const creds = await t.sipCredentials(username);
  const u = await startUa({ wsUrl: t.wsUrl, extension: creds.extension, password: creds.password, onInvite });
  await u.register();
  return u;
}
const latestCall = (userId: number) => t.repos.calls.list({ userId, limit: 1 })[0]!;
const callEvents = (callId: string) => t.repos.calls.events(callId).map((e) => e.type);
const reinvite = (session: InvitationT | InstanceType<typeof Inviter>, hold: boolean) =>
  new Promise<void>((resolve, reject) => {
    session.sessionDescriptionHandlerOptionsReInvite = { hold } as never;
    void session.invite({ requestDelegate: { onAccept: () => resolve(), onReject: (r) => reject(new Error(String(r.message.statusCode))) } });
  });

/**
 * The assessor rings the candidate (presenting the persona's number); the candidate answers after
 * `ringSeconds` on the server's clock; `during` runs on the call (holds with `hold`); the candidate hangs up.
 */
async function inboundCall(d: Desk, ringSeconds: number, during: (hold: (seconds: number) => Promise<void>) => Promise<void>): Promise<void> {
  let invitation: InvitationT | undefined;
  const cand = await phone(d.username, (inv) => (invitation = inv));
  const caller = await phone('assessor1');
  // The candidate's desktop is Ready: the call is offered to their phone (offer-queue.ts).
  await candidateReady(t, d.username);
  try {
    const inviter = new Inviter(caller.ua, UserAgent.makeURI(`sip:${cand.ua.configuration.uri.user}@callmark.local`)!, { extraHeaders: [`X-Presented-Number: ${d.customer(d.scenario.answerKey.primaryAccount).phone}`] });
    void inviter.invite();
    await until(() => invitation !== undefined && latestCall(d.who.userId)?.ringingAt != null);
    t.clock.advance(ringSeconds * 1000);
    await invitation!.accept();
    await until(() => inviter.state === SessionState.Established);
    const callId = latestCall(d.who.userId).id;
    await during(async (seconds) => {
      await reinvite(invitation!, true);
      await until(() => callEvents(callId).includes('hold'));
      t.clock.advance(seconds * 1000);
      await reinvite(invitation!, false);
      await until(() => callEvents(callId).filter((e) => e === 'resume').length === callEvents(callId).filter((e) => e === 'hold').length);
    });
    await invitation!.bye();
    await until(() => t.app.telephony!.b2bua!.activeCalls === 0);
  } finally {
    await cand.stop();
    await caller.stop();
  }
}

/** The candidate dials `number` (the assessor plays whoever answers); `during` runs on the call; the candidate hangs up. */
async function outboundCall(d: Desk, number: string, during: () => Promise<void> = async () => {}): Promise<void> {
  const cand = await phone(d.username);
  const played = await phone('assessor1', (inv) => void inv.accept());
  try {
    const inviter = new Inviter(cand.ua, UserAgent.makeURI(`sip:${number.replace(/\s/g, '')}@callmark.local`)!);
    await new Promise<void>((resolve, reject) => void inviter.invite({ requestDelegate: { onAccept: () => resolve(), onReject: (r) => reject(new Error(`dialling ${number}: ${r.message.statusCode}`)) } }));
    await until(() => inviter.state === SessionState.Established);
    await during();
    await inviter.bye();
    await until(() => t.app.telephony!.b2bua!.activeCalls === 0);
  } finally {
    await cand.stop();
    await played.stop();
  }
}

// --- the work of each scenario, done right (earn) or with each line's mistake (fail) ------------

const S1 = 'BL100231';
const S2 = 'BL100518';
const S3 = 'BL100777';
const S4 = 'BL100602';
const S5 = 'BL100903';
const S6 = 'BL100455';

const WORK: Record<string, (d: Desk, mode: Mode) => Promise<void>> = {
  s1: async (d, mode) => {
    const earn = mode === 'earn';
    await inboundCall(d, earn ? 4 : 16, async (hold) => {
      if (earn) await d.identity(S1, 'right');
      // The new address (a mistyped postcode when failing); the stale mobile corrected, or left.
      await d.edit(S1, { addressLine1: '22 Larkfield Crescent', addressLine2: 'Rawdon', town: 'Leeds', postcode: earn ? 'LS19 6EH' : 'LS19 6EX', ...(earn ? { mobile: '07700 900871' } : {}) });
      if (!earn) await d.identity(S1, 'right');
      await hold(earn ? 45 : 61);
      await d.raiseCase(S1, earn ? { type: 'query', category: 'HOME_MOVE', priority: 'low', description: 'Moving on the date agreed to 22 Larkfield Crescent, Rawdon LS19 6EH.' } : { type: 'complaint', category: 'BILLING', priority: 'high' });
    });
    const kase = t.repos.crm.casesForCustomer(d.attemptId, d.customer(S1).id).find((c) => c.origin === 'attempt')!;
    await d.wrapUp(S1, earn ? 'MOVE' : 'INFO', earn ? 'Home move booked; new address and mobile keyed.' : '');
    await d.send(S1, { channel: 'email', templateKey: 'email-home-move', from: { caseId: kase.id }, ...(earn ? {} : { to: 'm.hughes@example.com' }) });
  },

  s2: async (d, mode) => {
    const earn = mode === 'earn';
    await inboundCall(d, 5, async () => {
      if (earn) await d.identity(S2, 'right');
      await d.edit(S2, { email: 'george.whitfield@example.co.uk', contactPreference: earn ? 'email' : 'phone' });
      if (!earn) await d.identity(S2, 'right');
      const kase = await d.raiseCase(S2, { type: 'query', category: 'BILLING', priority: 'medium', description: 'Call-out charge £65.00 explained.' });
      // The case printed; failing, the customer record instead.
      await d.print(earn ? 'case' : 'customer', earn ? kase.id : d.customer(S2).id);
    });
    await d.wrapUp(S2, 'BILLING', 'Bill explained; his daughter joined the call with his agreement.');
    await d.send(S2, { channel: 'email', templateKey: earn ? 'email-bill-explanation' : null });
  },

  s3: async (d, mode) => {
    const earn = mode === 'earn';
    await inboundCall(d, 5, async () => {
      await d.identity(S3, 'right');
      await d.raiseCase(S3, {
        type: 'complaint',
        category: 'MISSED_APPOINTMENT',
        priority: earn ? 'high' : 'medium',
        escalated: earn,
        credit: earn ? '£20.00' : '£50.00',
        description: 'Second missed visit: 4 November and 18 November; asked for £200.',
      });
      await d.callback(S3, { kind: 'callback', priority: earn ? 'high' : 'low', dueAt: `${dayFrom(2, true)}T10:00`, reason: 'Team leader to call back about the complaint.' });
    });
    const kase = t.repos.crm.casesForCustomer(d.attemptId, d.customer(S3).id).find((c) => c.origin === 'attempt')!;
    await d.wrapUp(S3, earn ? 'COMPLAINT' : 'INFO', earn ? `Complaint ${kase.reference} logged and escalated.` : '');
    await d.send(S3, { channel: 'email', templateKey: 'email-complaint-acknowledgement', from: { caseId: kase.id }, ...(earn ? {} : { to: 'tomasz.nowak@example.com' }) });
  },

  s4: async (d, mode) => {
    const earn = mode === 'earn';
    let orderId = 0;
    await inboundCall(d, earn ? 3 : 16, async () => {
      if (earn) await d.identity(S4, 'right');
      const order = await d.order(
        S4,
        earn
          ? [
              { productCode: 'BB-FIBRE-500', quantity: 1, saleType: 'upsell' },
              { productCode: 'WIFI-MESH', quantity: 1, saleType: 'cross_sell' },
            ]
          : [
              { productCode: 'BB-GIGA-900', quantity: 1, saleType: 'upsell' },
              { productCode: 'TV-ESSENTIALS', quantity: 1, saleType: 'cross_sell' },
            ],
      );
      orderId = order.id as number;
      if (!earn) await d.identity(S4, 'right');
    });
    await d.wrapUp(S4, 'SALE', earn ? 'Upgraded to Full Fibre 500 with a mesh extender.' : '');
    await d.send(S4, { channel: 'email', templateKey: 'email-order-confirmation', from: { orderId }, attachments: earn ? ['terms-summary'] : [] });
  },

  s5: async (d, mode) => {
    const earn = mode === 'earn';
    // The call plan, before dialling (failing: written only after the call).
    if (earn) await d.note(S5, 'Plan: contract end date and current provider; ask about uploads; expect a price objection.');
    if (!earn) await outboundCall(d, '07700 900301');
    await outboundCall(d, '0131 496 0544', async () => {
      await d.identity(S5, earn ? 'right' : 'wrong');
      const day = dayFrom(43, false);
      await d.callback(S5, { kind: earn ? 'callback' : 'task', priority: 'normal', dueAt: `${day}T${earn ? '18:30' : '12:00'}`, reason: 'Call back before the Northwire contract ends.' });
    });
    if (!earn) await d.note(S5, 'Plan written after the call.');
    await d.wrapUp(S5, earn ? 'CALLBACK' : 'NO_SALE', earn ? 'With Northwire; contract ends in seven weeks. Callback booked.' : 'Not interested.');
    await d.send(S5, { channel: 'email', templateKey: 'email-info-pack', attachments: earn ? ['info-pack'] : [] });
  },

  s6: async (d, mode) => {
    const earn = mode === 'earn';
    // Failing: the team notices filed (one in the wrong folder) before the fault e-mail is touched.
    if (!earn) {
      await d.file(1, 'Faults - actioned');
      await d.file(2, 'Team notices');
    }
    let caseId = 0;
    let taskId = 0;
    await outboundCall(d, '07700 900233', async () => {
      if (earn) await d.identity(S6, 'right');
      caseId = (await d.raiseCase(S6, { type: 'query', category: earn ? 'FAULT' : 'BILLING', priority: 'high', description: 'Hub light flashes orange; broadband drops in the evenings.' })).id as number;
      if (!earn) await d.identity(S6, 'right');
      taskId = (await d.callback(S6, { kind: 'task', priority: 'high', dueAt: `${dayFrom(2, true)}T09:00`, reason: 'Engineer visit, morning slot.' })).id as number;
      // Failing also changes the look-alike account with the same name.
      if (!earn) await d.edit('BL100445', { mobile: '07700 900234' });
    });
    await d.send(S6, { channel: 'sms', templateKey: earn ? 'sms-appointment' : null, from: { caseId, callbackId: taskId } });
    await d.send(S6, { channel: 'email', templateKey: 'email-fault-guide', from: { caseId }, cc: earn ? ['field.support@brightline.example.co.uk'] : [], attachments: earn ? ['troubleshooting-guide'] : [] });
    await d.file(0, 'Faults - actioned');
    if (earn) {
      await d.file(1, 'Team notices');
      await d.file(2, 'Team notices');
    }
    await d.wrapUp(S6, 'FAULT', 'Fault booked for an engineer; SMS and guide sent.');
  },
};

// --- what each line is suggested -----------------------------------------------------------------

/** Per auto-checked line: the earning attempt's suggestion (marks, or 'assessor': left to the assessor, every objective part met) and what the failing attempt's evidence says. */
type Line = { earn: number | 'assessor'; earnSays: RegExp; failSays: RegExp };

const LINES: Record<string, Record<string, Line>> = {
  s1: {
    'U2-1.1-answer-time': { earn: 1, earnSays: /Answered 4\.0 s after it started ringing/, failSays: /Answered 16\.0 s after it started ringing; the limit is 15 s/ },
    'U2-1.1-verify-id': { earn: 1, earnSays: /came after a passed identity check/, failSays: /field-changed .*before|was only passed later/ },
    'U2-4.2-hold-max-60': { earn: 1, earnSays: /the longest 45\.0 s/, failSays: /Over the limit: hold .* lasted 61\.0 s/ },
    'U2-6.1-accurate-entry': { earn: 1, earnSays: /4 of 4 keyed fields match/, failSays: /Wrong: postcode .*LS19 6EX/ },
    'U2-6.1-correct-errors': { earn: 1, earnSays: /Corrected: mobile/, failSays: /Not corrected: mobile/ },
    'U2-6.1-interaction-record': { earn: 1, earnSays: /code "MOVE" and \d+ characters of notes/, failSays: /should be "MOVE".*Notes are required/ },
    'U2-1.4-confirmation': { earn: 'assessor', earnSays: /matches the key: a query \(HOME_MOVE\)/, failSays: /type "complaint", not query; category "BILLING", not HOME_MOVE/ },
    'U2-7.2-recipients': { earn: 'assessor', earnSays: /Sent: email-home-move to margaret\.hughes@example\.co\.uk/, failSays: /Not sent: email-home-move.*recipient the key does not expect/ },
  },
  s2: {
    'U2-1.1-verify-id': { earn: 1, earnSays: /came after a passed identity check/, failSays: /was only passed later/ },
    'U2-7.3-accurate-content': { earn: 'assessor', earnSays: /made from the template email-bill-explanation/, failSays: /was not made from the template email-bill-explanation/ },
    'U2-7.3-produce': { earn: 1, earnSays: /Printed: the case of customer BL100518/, failSays: /Not printed: the case of customer BL100518/ },
    'U2-5.1-offer-written': { earn: 1, earnSays: /2 of 2 keyed fields match.*Sent: email-bill-explanation/, failSays: /Wrong: contactPreference/ },
  },
  s3: {
    'U2-5.2-assertive': { earn: 1, earnSays: /Goodwill credit £20\.00 .*within the £20\.00 limit/, failSays: /over the £20\.00 limit: £50\.00/ },
    'U2-5.2-priority': { earn: 'assessor', earnSays: /matches the key: a complaint \(MISSED_APPOINTMENT\), priority high, escalated/, failSays: /priority "medium", not high; not escalated; a goodwill credit of £50\.00, over the £20\.00 limit/ },
    'U2-6.1-interaction-record': { earn: 1, earnSays: /code "COMPLAINT"/, failSays: /should be "COMPLAINT".*Notes are required/ },
    'U2-5.2-follow-up': { earn: 'assessor', earnSays: /The callback booked .* matches the key/, failSays: /priority "low", not high/ },
    'U2-7.2-compose': { earn: 'assessor', earnSays: /Sent: email-complaint-acknowledgement/, failSays: /Not sent: email-complaint-acknowledgement/ },
  },
  s4: {
    'U2-2.1-answer-time': { earn: 1, earnSays: /Answered 3\.0 s/, failSays: /Answered 16\.0 s/ },
    'U2-2.1-verify-id': { earn: 1, earnSays: /came after a passed identity check/, failSays: /order-created .*|was only passed later/ },
    'U2-2.2-needs-match': { earn: 1, earnSays: /holds 1 × BB-FIBRE-500 and the optional 1 × WIFI-MESH/, failSays: /1 × BB-FIBRE-500 is missing; 1 × BB-GIGA-900 is not a product the key allows/ },
    'U2-2.3-cross-up-sell': { earn: 1, earnSays: /optional 1 × WIFI-MESH/, failSays: /1 × TV-ESSENTIALS is not a product the key allows/ },
    'U2-6.1-interaction-record': { earn: 1, earnSays: /code "SALE" and \d+ characters/, failSays: /Notes are required and were left empty/ },
    'U2-7.2-attachments': { earn: 'assessor', earnSays: /carried terms-summary/, failSays: /without terms-summary, which it had to carry/ },
  },
  s5: {
    'U2-3.1-objectives': { earn: 1, earnSays: /A note was added to the record of BL100903 .*before the first number was dialled/, failSays: /No note was added to the record of BL100903 before the first number was dialled/ },
    'U2-3.2-comply': { earn: 1, earnSays: /Dialled 01314960544; no number marked do-not-call/, failSays: /Dialled 07700900301, which is marked do-not-call/ },
    'U2-3.2-verify-id': { earn: 1, earnSays: /came after a passed identity check/, failSays: /never verified/ },
    'U2-3.3-next-stage': { earn: 'assessor', earnSays: /The callback booked .* matches the key/, failSays: /a "task", not a callback; due at 12:00, outside 18:00 to 20:00/ },
    'U2-6.1-interaction-record': { earn: 1, earnSays: /code "CALLBACK"/, failSays: /should be "CALLBACK"/ },
    'U2-7.2-recipients': { earn: 1, earnSays: /carried info-pack/, failSays: /without info-pack, which it had to carry/ },
  },
  s6: {
    'U2-6.3-security-procedure': { earn: 1, earnSays: /came after a passed identity check/, failSays: /was only passed later/ },
    'U2-7.1-update-system': { earn: 'assessor', earnSays: /matches the key: a query \(FAULT\).*The task booked .* matches the key/, failSays: /category "BILLING", not FAULT/ },
    'U2-7.2-compose': { earn: 'assessor', earnSays: /made from the template sms-appointment.*made from the template email-fault-guide/, failSays: /was not made from the template sms-appointment/ },
    'U2-7.2-recipients': { earn: 1, earnSays: /Sent: sms-appointment .*Sent: email-fault-guide .*\(cc field\.support@brightline\.example\.co\.uk\)/, failSays: /was sent with cc \(none\); the key's cc is field\.support@brightline\.example\.co\.uk/ },
    'U2-7.2-attachments': { earn: 1, earnSays: /carried troubleshooting-guide/, failSays: /without troubleshooting-guide, which it had to carry/ },
    'U2-6.2-retrieve-accurately': { earn: 'assessor', earnSays: /No look-alike account \(BL100445\) was changed/, failSays: /field-changed on look-alike account BL100445/ },
    'U2-7.2-process-received': { earn: 1, earnSays: /was dealt with first.*Filed in "Team notices"/, failSays: /was filed .*before the e-mail "Broadband keeps dropping - account BL100445" was dealt with.*filed in "Faults - actioned", not "Team notices"/ },
  },
};

/** A rules check that can decide a line by itself (the others only ask the assessor to look). */
const decides = (c: AutoCheckDefinition): boolean => c.kind !== 'assessor-judgement' && !(c.kind === 'prepared-before-dial' && !c.noteRequired);

describe('the table covers every auto-checked rubric line of S1–S6', () => {
  it.each(Object.keys(WORK))('%s', (key) => {
    const decided = [...new Set(toRulesAutoChecks(scenarioForAttemptKey(key)!).filter(decides).map((c) => c.criterionId))].sort();
    expect(Object.keys(LINES[key]!).sort()).toEqual(decided);
  });
});

describe.each(Object.keys(WORK))('%s through the desktop', (key) => {
  const got: Partial<Record<Mode, Map<string, CriterionSuggestion>>> = {};
  const result = async (mode: Mode): Promise<Map<string, CriterionSuggestion>> => {
    if (!got[mode]) {
      const d = await desk(key);
      await WORK[key]!(d, mode);
      got[mode] = await d.suggestions();
    }
    return got[mode]!;
  };

  it.each(Object.entries(LINES[key]!))('%s is earned', async (criterionId, line) => {
    const s = (await result('earn')).get(criterionId)!;
    const says = s.evidence.join(' ');
    if (line.earn === 'assessor') {
      expect(s.suggestedMarks, says).toBeNull();
      expect(s.outcome, says).toBe('no-data');
      expect(says).toMatch(/for the assessor to judge/);
    } else expect(s.suggestedMarks, says).toBe(line.earn);
    expect(says).toMatch(line.earnSays);
  });

  it.each(Object.entries(LINES[key]!))('%s is failed', async (criterionId, line) => {
    const s = (await result('fail')).get(criterionId)!;
    const says = s.evidence.join(' ');
    expect(s.suggestedMarks, says).toBe(0);
    expect(says).toMatch(line.failSays);
  });
});
