// Every auto-checked rubric line of S1–S6, earned by one attempt and failed by another, driven as
// the desktop drives it: the real app, the real CRM routes (client/src/desktop/crm-api.ts shapes),
// real SIP user agents through the real B2BUA for the calls (ringing, answer, hold and resume,
// hang-up, the numbers dialled), and the suggestions read back from GET /api/attempts/:id/suggestions.
// Nothing is written to the timeline by the test: every piece of evidence is the server's record
// of an action. The server's clock is a ManualClock, so a 16 s ring or a 61 s hold takes no time.
//
// Per scenario (variant a, and again variant c with its own caller, accounts, numbers and answers,
// read from its file), one attempt does everything the answer key asks (EARN) and one does each line's
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
import { toRulesAutoChecks } from '../../../server/assessment/scenario-adapters.js';
import type { Scenario } from '../../../server/assessment/scenario-schema.js';
import type { AutoCheckDefinition } from '../../../server/assessment/types.js';
import { hashPassword } from '../../../server/auth/passwords.js';
import { addDays, isoDate, ukDate } from '../../../server/sittings/relative-dates.js';
import { call as request, candidateReady, type Method } from '../../support/sitting-helpers.js';
import { Inviter, SessionState, startUa, UserAgent, type TestUa } from '../../support/sip-clients.js';
import { createTestApp, PASSWORD, type Login, type TestApp } from '../../support/test-app.js';
import { until } from '../../support/until.js';
import type { Json } from '../../support/json.js';

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
    return res.json<Json>();
  }
  get url(): string {
    return `/api/attempts/${this.attemptId}`;
  }
  customer(account: string): Json {
    return t.repos.crm.findCustomerByAccount(this.attemptId, account)!;
  }
  base(account: string): string {
    return `${this.url}/customers/${this.customer(account).id}`;
  }
  /** Identity tab: answers the record's questions (right, wrong or left empty, per `how`), Check identity. */
  async identity(account: string, how: 'right' | 'wrong', questions = this.scenario.answerKey.identity.minFactors): Promise<void> {
    const seed = this.scenario.seed.customers.find((c) => c.accountNumber === account)!;
    const detail = (await this.ok('GET', this.base(account))).customer as Json;
    const answers = (detail.securityQuestions as Array<{ id: number; question: string }>).map((q, i) => {
      const right = seed.securityAnswers.find((a) => a.question === q.question)!.answer;
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
    return new Map(res.json<{ suggestions: CriterionSuggestion[] }>().suggestions.map((s) => [s.criterionId, s]));
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
  return new Desk(username, who, res.json<{ attempt: { id: string } }>().attempt.id, scenarioForAttemptKey(key)!);
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

/** What the work and the table read from the variant's own scenario file: its caller's account, numbers and answers. */
function factsOf(s: Scenario) {
  const ak = s.answerKey;
  const account = ak.primaryAccount;
  const expected = ak.customers.find((c) => c.accountNumber === account);
  const postcode = expected?.postcode ?? '';
  return {
    account,
    /** The values the key expects on the caller's record after the call. */
    expected: { addressLine1: expected?.addressLine1, addressLine2: expected?.addressLine2, town: expected?.town, postcode, mobile: expected?.mobile, email: expected?.email },
    /** The expected postcode with its last letter mistyped. */
    wrongPostcode: postcode.slice(0, -1) + (postcode.endsWith('X') ? 'Y' : 'X'),
    emailOnFile: s.seed.customers.find((c) => c.accountNumber === account)!.email ?? '',
    lookAlike: ak.untouchedAccounts[0]!,
    dial: ak.dialling?.mustDial[0] ?? '',
    doNotCall: ak.dialling?.mustNotDial[0] ?? '',
    callback: ak.callbacks[0],
    fact: (key: string): string => s.callerBrief.facts.find((f) => f.key === key)?.value ?? '',
    firstMessage: s.seed.messages[0]?.subject ?? '',
    copyTo: ak.followUps.flatMap((f) => f.cc),
  };
}
type Facts = ReturnType<typeof factsOf>;
const re = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const digits = (phone: string): string => phone.replace(/\s/g, '');
/** A time `minutes` after 'HH:MM'. */
const later = (hhmm: string, minutes: number): string => {
  const m = Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3)) + minutes;
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
};

const WORK: Record<string, (d: Desk, mode: Mode) => Promise<void>> = {
  s1: async (d, mode) => {
    const earn = mode === 'earn';
    const f = factsOf(d.scenario);
    const S1 = f.account;
    const to = f.expected;
    await inboundCall(d, earn ? 4 : 16, async (hold) => {
      if (earn) await d.identity(S1, 'right');
      // The new address (a mistyped postcode when failing); the stale mobile corrected, or left.
      await d.edit(S1, { addressLine1: to.addressLine1, addressLine2: to.addressLine2, town: to.town, postcode: earn ? to.postcode : f.wrongPostcode, ...(earn ? { mobile: to.mobile } : {}) });
      if (!earn) await d.identity(S1, 'right');
      await hold(earn ? 45 : 61);
      await d.raiseCase(S1, earn ? { type: 'query', category: 'HOME_MOVE', priority: 'low', description: `Moving on the date agreed to ${to.addressLine1}, ${to.addressLine2} ${to.postcode}.` } : { type: 'complaint', category: 'BILLING', priority: 'high' });
    });
    const kase = t.repos.crm.casesForCustomer(d.attemptId, d.customer(S1).id).find((c) => c.origin === 'attempt')!;
    await d.wrapUp(S1, earn ? 'MOVE' : 'INFO', earn ? 'Home move booked; new address and mobile keyed.' : '');
    await d.send(S1, { channel: 'email', templateKey: 'email-home-move', from: { caseId: kase.id }, ...(earn ? {} : { to: 'someone.else@example.com' }) });
  },

  s2: async (d, mode) => {
    const earn = mode === 'earn';
    const S2 = factsOf(d.scenario).account;
    await inboundCall(d, 5, async () => {
      if (earn) await d.identity(S2, 'right');
      await d.edit(S2, { email: factsOf(d.scenario).expected.email, contactPreference: earn ? 'email' : 'phone' });
      if (!earn) await d.identity(S2, 'right');
      const kase = await d.raiseCase(S2, { type: 'query', category: 'BILLING', priority: 'medium', description: 'Call-out charge explained.' });
      // The case printed; failing, the customer record instead.
      await d.print(earn ? 'case' : 'customer', earn ? kase.id : d.customer(S2).id);
    });
    await d.wrapUp(S2, 'BILLING', 'Bill explained; his daughter joined the call with his agreement.');
    await d.send(S2, { channel: 'email', templateKey: earn ? 'email-bill-explanation' : null });
  },

  s3: async (d, mode) => {
    const earn = mode === 'earn';
    const S3 = factsOf(d.scenario).account;
    await inboundCall(d, 5, async () => {
      await d.identity(S3, 'right');
      await d.raiseCase(S3, {
        type: 'complaint',
        category: 'MISSED_APPOINTMENT',
        priority: earn ? 'high' : 'medium',
        escalated: earn,
        credit: earn ? '£20.00' : '£50.00',
        description: `Second missed visit; ${factsOf(d.scenario).fact('lostTime')}; asked for ${factsOf(d.scenario).fact('demand')}.`,
      });
      await d.callback(S3, { kind: 'callback', priority: earn ? 'high' : 'low', dueAt: `${dayFrom(2, true)}T10:00`, reason: 'Team leader to call back about the complaint.' });
    });
    const kase = t.repos.crm.casesForCustomer(d.attemptId, d.customer(S3).id).find((c) => c.origin === 'attempt')!;
    await d.wrapUp(S3, earn ? 'COMPLAINT' : 'INFO', earn ? `Complaint ${kase.reference} logged and escalated.` : '');
    await d.send(S3, { channel: 'email', templateKey: 'email-complaint-acknowledgement', from: { caseId: kase.id }, ...(earn ? {} : { to: 'someone.else@example.com' }) });
  },

  s4: async (d, mode) => {
    const earn = mode === 'earn';
    const S4 = factsOf(d.scenario).account;
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
    const f = factsOf(d.scenario);
    const S5 = f.account;
    const due = f.callback!.due;
    // The call plan, before dialling (failing: written only after the call).
    if (earn) await d.note(S5, 'Plan: contract end date and current provider; ask about uploads; expect a price objection.');
    if (!earn) await outboundCall(d, f.doNotCall);
    await outboundCall(d, f.dial, async () => {
      await d.identity(S5, earn ? 'right' : 'wrong');
      // A day inside the key's window, half an hour into its time window (failing: a task at 07:30, before it).
      const day = dayFrom(due.earliest.days + 1, due.earliest.workingDays);
      await d.callback(S5, { kind: earn ? 'callback' : 'task', priority: 'normal', dueAt: `${day}T${earn ? later(due.timeFrom!, 30) : '07:30'}`, reason: `Call back before the ${f.fact('competitor')} contract ends.` });
    });
    if (!earn) await d.note(S5, 'Plan written after the call.');
    await d.wrapUp(S5, earn ? 'CALLBACK' : 'NO_SALE', earn ? `With ${f.fact('competitor')}; contract ends soon. Callback booked.` : 'Not interested.');
    await d.send(S5, { channel: 'email', templateKey: 'email-info-pack', attachments: earn ? ['info-pack'] : [] });
  },

  s6: async (d, mode) => {
    const earn = mode === 'earn';
    const f = factsOf(d.scenario);
    const S6 = f.account;
    // Failing: the team notices filed (one in the wrong folder) before the fault e-mail is touched.
    if (!earn) {
      await d.file(1, 'Faults - actioned');
      await d.file(2, 'Team notices');
    }
    let caseId = 0;
    let taskId = 0;
    await outboundCall(d, f.dial, async () => {
      if (earn) await d.identity(S6, 'right');
      caseId = (await d.raiseCase(S6, { type: 'query', category: earn ? 'FAULT' : 'BILLING', priority: 'high', description: 'Hub light flashes orange; broadband drops in the evenings.' })).id as number;
      if (!earn) await d.identity(S6, 'right');
      taskId = (await d.callback(S6, { kind: 'task', priority: 'high', dueAt: `${dayFrom(2, true)}T09:00`, reason: 'Engineer visit, morning slot.' })).id as number;
      // Failing also changes the look-alike account with the same name.
      if (!earn) await d.edit(f.lookAlike, { mobile: '07700 900999' });
    });
    await d.send(S6, { channel: 'sms', templateKey: earn ? 'sms-appointment' : null, from: { caseId, callbackId: taskId } });
    await d.send(S6, { channel: 'email', templateKey: 'email-fault-guide', from: { caseId }, cc: earn ? f.copyTo : [], attachments: earn ? ['troubleshooting-guide'] : [] });
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

const LINES: Record<string, (f: Facts) => Record<string, Line>> = {
  s1: (f) => ({
    'U2-1.1-answer-time': { earn: 1, earnSays: /Answered 4\.0 s after it started ringing/, failSays: /Answered 16\.0 s after it started ringing; the limit is 15 s/ },
    'U2-1.1-verify-id': { earn: 1, earnSays: /came after a passed identity check/, failSays: /changed for customer .*before|was only passed later/ },
    'U2-4.2-hold-max-60': { earn: 1, earnSays: /the longest 45\.0 s/, failSays: /Over the limit: hold .* lasted 61\.0 s/ },
    // One line, two rules: the new address keyed exactly and the planted stale mobile corrected; the failing attempt misses both, and the evidence names each.
    'U2-6.1-accurate-entry': { earn: 1, earnSays: /^(?=.*4 of 4 keyed fields match)(?=.*Corrected: mobile)/, failSays: new RegExp(`^(?=.*Wrong: postcode .*${re(f.wrongPostcode)})(?=.*Not corrected: mobile)`) },
    'U2-6.1-interaction-record': { earn: 1, earnSays: /the outcome "Home move booked" and \d+ characters of notes/, failSays: /should be "Home move booked".*Notes are required/ },
    'U2-1.4-confirmation': { earn: 'assessor', earnSays: /matches the key: a query \(home move\)/, failSays: /type "complaint", not query; category "billing", not home move/ },
    'U2-7.2-recipients': { earn: 'assessor', earnSays: new RegExp(`Sent: "Home move confirmation" e-mail to ${re(f.emailOnFile)}`), failSays: /Not sent: "Home move confirmation" e-mail.*recipient the key does not expect/ },
  }),
  s2: (f) => ({
    'U2-1.1-verify-id': { earn: 1, earnSays: /came after a passed identity check/, failSays: /was only passed later/ },
    'U2-7.3-accurate-content': { earn: 'assessor', earnSays: /made from the template "Bill explanation"/, failSays: /was not made from the template "Bill explanation"/ },
    'U2-7.3-produce': { earn: 1, earnSays: new RegExp(`Printed: the case of customer ${f.account}`), failSays: new RegExp(`Not printed: the case of customer ${f.account}`) },
    'U2-5.1-offer-written': { earn: 1, earnSays: /2 of 2 keyed fields match.*Sent: "Bill explanation" e-mail/, failSays: /Wrong: contact preference/ },
  }),
  s3: () => ({
    'U2-5.2-assertive': { earn: 1, earnSays: /Goodwill credit £20\.00 .*within the £20\.00 limit/, failSays: /over the £20\.00 limit: £50\.00/ },
    'U2-5.2-priority': { earn: 'assessor', earnSays: /matches the key: a complaint \(missed appointment\), priority high, escalated/, failSays: /priority "medium", not high; not escalated; a goodwill credit of £50\.00, over the £20\.00 limit/ },
    'U2-6.1-interaction-record': { earn: 1, earnSays: /the outcome "Complaint logged"/, failSays: /should be "Complaint logged".*Notes are required/ },
    'U2-5.2-follow-up': { earn: 'assessor', earnSays: /The callback booked .* matches the key/, failSays: /priority "low", not high/ },
    'U2-7.2-compose': { earn: 'assessor', earnSays: /Sent: "Complaint acknowledgement" e-mail/, failSays: /Not sent: "Complaint acknowledgement" e-mail/ },
  }),
  s4: () => ({
    'U2-2.1-answer-time': { earn: 1, earnSays: /Answered 3\.0 s/, failSays: /Answered 16\.0 s/ },
    'U2-2.1-verify-id': { earn: 1, earnSays: /came after a passed identity check/, failSays: /Order placed .*|was only passed later/ },
    // The up-sell (Full Fibre 500) and the cross-sell (Wi-Fi Mesh) are one line: the failing order has the wrong tier and an add-on nobody asked for.
    'U2-2.3-cross-up-sell': { earn: 1, earnSays: /holds 1 × Full Fibre 500 and the optional 1 × Wi-Fi Mesh Extender/, failSays: /^(?=.*1 × Full Fibre 500 is missing; 1 × Gigabit 900 is not a product the key allows)(?=.*1 × TV Essentials is not a product the key allows)/ },
    'U2-6.1-interaction-record': { earn: 1, earnSays: /the outcome "Sale made" and \d+ characters/, failSays: /Notes are required and were left empty/ },
    'U2-7.2-attachments': { earn: 'assessor', earnSays: /carried "Broadband terms summary"/, failSays: /without "Broadband terms summary", which it had to carry/ },
  }),
  s5: (f) => ({
    'U2-3.1-objectives': { earn: 1, earnSays: new RegExp(`A note was added to the record of ${f.account} .*before the first number was dialled`), failSays: new RegExp(`No note was added to the record of ${f.account} before the first number was dialled`) },
    'U2-3.2-comply': { earn: 1, earnSays: new RegExp(`Dialled ${digits(f.dial)}; no number marked do-not-call`), failSays: new RegExp(`Dialled ${digits(f.doNotCall)}, which is marked do-not-call`) },
    'U2-3.2-verify-id': { earn: 1, earnSays: /came after a passed identity check/, failSays: /never verified/ },
    'U2-3.3-next-stage': { earn: 'assessor', earnSays: /The callback booked .* matches the key/, failSays: new RegExp(`a "task", not a callback; due at 07:30, outside ${f.callback!.due.timeFrom} to ${f.callback!.due.timeTo}`) },
    'U2-6.1-interaction-record': { earn: 1, earnSays: /the outcome "Callback arranged"/, failSays: /should be "Callback arranged"/ },
    'U2-7.2-recipients': { earn: 1, earnSays: /carried "Broadband information pack"/, failSays: /without "Broadband information pack", which it had to carry/ },
  }),
  s6: (f) => ({
    'U2-6.3-security-procedure': { earn: 1, earnSays: /came after a passed identity check/, failSays: /was only passed later/ },
    'U2-7.1-update-system': { earn: 'assessor', earnSays: /matches the key: a query \(fault\).*The task booked .* matches the key/, failSays: /category "billing", not fault/ },
    'U2-7.2-compose': { earn: 'assessor', earnSays: /made from the template "Engineer appointment".*made from the template "Fault follow-up with guide"/, failSays: /was not made from the template "Engineer appointment"/ },
    'U2-7.2-recipients': { earn: 1, earnSays: new RegExp(`Sent: "Engineer appointment" SMS .*Sent: "Fault follow-up with guide" e-mail .*\\(cc ${re(f.copyTo.join(', '))}\\)`), failSays: new RegExp(`was sent with cc \\(none\\); the key's cc is ${re(f.copyTo.join(', '))}`) },
    'U2-7.2-attachments': { earn: 1, earnSays: /carried "Troubleshooting guide: broadband dropping"/, failSays: /without "Troubleshooting guide: broadband dropping", which it had to carry/ },
    'U2-6.2-retrieve-accurately': { earn: 'assessor', earnSays: new RegExp(`No look-alike account \\(${f.lookAlike}\\) was changed`), failSays: new RegExp(`changed on look-alike account ${f.lookAlike}`) },
    'U2-7.2-process-received': { earn: 1, earnSays: /was dealt with first.*Filed in "Team notices"/, failSays: new RegExp(`was filed .*before the e-mail "${re(f.firstMessage)}" was dealt with.*filed in "Faults - actioned", not "Team notices"`) },
  }),
};
/** The table's lines for one attempt key ("s1", "s1-c"), with that variant's values. */
const linesOf = (attemptKey: string): Record<string, Line> => {
  const s = scenarioForAttemptKey(attemptKey)!;
  return LINES[s.key]!(factsOf(s));
};

/** A rules check that can decide a line by itself (the others only ask the assessor to look). */
const decides = (c: AutoCheckDefinition): boolean => c.kind !== 'assessor-judgement' && !(c.kind === 'prepared-before-dial' && !c.noteRequired);

/** Variant a of S1–S6, then variant c: the same work, with each variant's own caller, numbers and answers. */
const ATTEMPT_KEYS = [...Object.keys(WORK), ...Object.keys(WORK).map((k) => `${k}-c`)];

describe('the table covers every auto-checked rubric line of S1–S6 (variants a and c)', () => {
  it.each(ATTEMPT_KEYS)('%s', (key) => {
    const decided = [...new Set(toRulesAutoChecks(scenarioForAttemptKey(key)!).filter(decides).map((c) => c.criterionId))].sort();
    expect(Object.keys(linesOf(key)).sort()).toEqual(decided);
  });
});

describe.each(ATTEMPT_KEYS)('%s through the desktop', (key) => {
  const got: Partial<Record<Mode, Map<string, CriterionSuggestion>>> = {};
  const result = async (mode: Mode): Promise<Map<string, CriterionSuggestion>> => {
    if (!got[mode]) {
      const d = await desk(key);
      await WORK[d.scenario.key]!(d, mode);
      got[mode] = await d.suggestions();
    }
    return got[mode];
  };

  it.each(Object.entries(linesOf(key)))('%s is earned', async (criterionId, line) => {
    const s = (await result('earn')).get(criterionId)!;
    const says = s.evidence.join(' ');
    if (line.earn === 'assessor') {
      expect(s.suggestedMarks, says).toBeNull();
      expect(s.outcome, says).toBe('no-data');
      expect(says).toMatch(/for the assessor to judge/);
    } else expect(s.suggestedMarks, says).toBe(line.earn);
    expect(says).toMatch(line.earnSays);
  });

  it.each(Object.entries(linesOf(key)))('%s is failed', async (criterionId, line) => {
    const s = (await result('fail')).get(criterionId)!;
    const says = s.evidence.join(' ');
    expect(s.suggestedMarks, says).toBe(0);
    expect(says).toMatch(line.failSays);
  });
});
