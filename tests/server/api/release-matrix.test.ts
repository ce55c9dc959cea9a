// The results release rule over EVERY route a candidate can call, in every phase of a sitting and
// under each of the centre's three rules. A route that is not the candidate's sittings list or
// detail must never carry a mark, total, grade, result or outcome; the list and the detail carry
// them only when the rule releases them, labelled provisional until moderation is complete. A
// candidate route missing from the table fails the test, so a new route cannot skip the check.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReleaseRule } from '../../../server/assessment/release-rule.js';
import type { SittingDetail, SittingSummary } from '../../../server/protocol/assessment.js';
import { call, createSitting, declareEnd, markAttempt, ok, startAttempt, startSitting } from '../../support/sitting-helpers.js';
import { createTestApp, type Login, type TestApp } from '../../support/test-app.js';

interface Ctx {
  sittingId: string;
  sittingAttempt: string;
  practiceAttempt: string;
  customerId: number;
  printoutId: string;
  callId: string;
  /** An incoming message of the practice attempt's inbox, and one of its message templates. */
  inboxMessageId: number;
  templateKey: string;
}

interface CandidateRoute {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH';
  url: string;
  path?: (c: Ctx) => string;
  body?: (c: Ctx, t: TestApp) => unknown;
  /** Statuses the route may answer with here (a repeated write may be refused; no answer may carry results). */
  status: number[];
  /** The candidate's own sittings: results appear here when released. */
  shows?: 'list' | 'detail';
}

const practice = (suffix: string) => (c: Ctx) => `/api/attempts/${c.practiceAttempt}${suffix}`;
const customer = (suffix: string) => (c: Ctx) => `/api/attempts/${c.practiceAttempt}/customers/${c.customerId}${suffix}`;

const routes: CandidateRoute[] = [
  { method: 'GET', url: '/healthz', status: [200] },
  { method: 'GET', url: '/api/auth/session', status: [200] },
  { method: 'GET', url: '/api/auth/status', status: [200] },
  // Logging in and out: a fresh login each time (login() below), so the candidate's session survives.
  { method: 'POST', url: '/api/auth/login', body: () => ({ username: 'candidate1', password: 'correct-horse-battery' }), status: [200] },
  { method: 'POST', url: '/api/auth/logout', status: [204] },
  // The right current password and a new one the length rule refuses: nothing changes (and no failed guess is counted).
  { method: 'POST', url: '/api/auth/password', body: () => ({ currentPassword: 'correct-horse-battery', newPassword: 'short' }), status: [400] },
  { method: 'GET', url: '/api/attempts/current', status: [200] },
  { method: 'GET', url: '/api/attempts/:id', path: (c) => `/api/attempts/${c.sittingAttempt}`, status: [200] },
  { method: 'GET', url: '/api/attempts/:id/customers', path: (c) => `/api/attempts/${c.sittingAttempt}/customers?q=Hughes`, status: [200] },
  { method: 'GET', url: '/api/attempts/:id/customers/by-phone/:phone', path: practice('/customers/by-phone/%2B441134960412'), status: [200] },
  { method: 'GET', url: '/api/attempts/:id/customers/:cid', path: customer(''), status: [200] },
  { method: 'PATCH', url: '/api/attempts/:id/customers/:cid', path: customer(''), body: (c, t) => ({ version: t.repos.crm.findCustomerByAccount(c.practiceAttempt, 'BL100231')!.version, town: 'Leeds' }), status: [200] },
  {
    method: 'POST',
    url: '/api/attempts/:id/customers/:cid/identity-check',
    path: customer('/identity-check'),
    body: (c, t) => ({ answers: [{ questionId: t.repos.crm.securityQuestions(c.practiceAttempt, c.customerId)[0]!.id, answer: 'bluebell' }] }),
    status: [201],
  },
  { method: 'POST', url: '/api/attempts/:id/customers/:cid/notes', path: customer('/notes'), body: () => ({ body: 'Asked about her bill.' }), status: [201] },
  { method: 'POST', url: '/api/attempts/:id/customers/:cid/orders', path: customer('/orders'), body: () => ({ lines: [{ productCode: 'WIFI-MESH', quantity: 1, saleType: 'cross_sell' }] }), status: [201] },
  { method: 'POST', url: '/api/attempts/:id/customers/:cid/cases', path: customer('/cases'), body: () => ({ type: 'query', priority: 'low', description: 'Price change.' }), status: [201] },
  { method: 'POST', url: '/api/attempts/:id/customers/:cid/callbacks', path: customer('/callbacks'), body: () => ({ dueAt: '2026-01-05T10:00', reason: 'Engineer visit.' }), status: [201] },
  { method: 'GET', url: '/api/attempts/:id/agent-state', path: practice('/agent-state'), status: [200] },
  { method: 'POST', url: '/api/attempts/:id/agent-state', path: practice('/agent-state'), body: () => ({ state: 'ready' }), status: [200] },
  { method: 'POST', url: '/api/attempts/:id/wrap-ups', path: practice('/wrap-ups'), body: () => ({ code: 'INFO' }), status: [201] },
  { method: 'GET', url: '/api/attempts/:id/messages', path: (c) => `/api/attempts/${c.sittingAttempt}/messages`, status: [200] },
  { method: 'POST', url: '/api/attempts/:id/messages', path: practice('/messages'), body: () => ({ channel: 'email', to: 'margaret.hughes@example.co.uk', subject: 'Your call', body: 'Thank you.' }), status: [201] },
  { method: 'GET', url: '/api/attempts/:id/products', path: practice('/products'), status: [200] },
  { method: 'GET', url: '/api/attempts/:id/knowledge-base', path: practice('/knowledge-base?q=credit'), status: [200] },
  { method: 'GET', url: '/api/attempts/:id/scripts', path: practice('/scripts'), status: [200] },
  { method: 'GET', url: '/api/attempts/:id/wrap-up-codes', path: practice('/wrap-up-codes'), status: [200] },
  { method: 'GET', url: '/api/attempts/:id/call-list', path: practice('/call-list'), status: [200] },
  { method: 'GET', url: '/api/attempts/:id/message-templates', path: practice('/message-templates'), status: [200] },
  { method: 'GET', url: '/api/attempts/:id/message-templates/:key/filled', path: (c) => `/api/attempts/${c.practiceAttempt}/message-templates/${c.templateKey}/filled?customerId=${c.customerId}`, status: [200] },
  { method: 'GET', url: '/api/attempts/:id/case-categories', path: (c) => `/api/attempts/${c.sittingAttempt}/case-categories`, status: [200] },
  { method: 'GET', url: '/api/attempts/:id/message-folders', path: (c) => `/api/attempts/${c.sittingAttempt}/message-folders`, status: [200] },
  { method: 'PUT', url: '/api/attempts/:id/messages/:mid/folder', path: (c) => `/api/attempts/${c.practiceAttempt}/messages/${c.inboxMessageId}/folder`, body: () => ({ folder: null }), status: [200] },
  { method: 'GET', url: '/api/attempts/:id/auto-reply', path: (c) => `/api/attempts/${c.sittingAttempt}/auto-reply`, status: [200] },
  { method: 'PUT', url: '/api/attempts/:id/auto-reply', path: practice('/auto-reply'), body: () => ({ enabled: true, body: 'I am away until Monday.' }), status: [200] },
  { method: 'POST', url: '/api/attempts/:id/printouts', path: practice('/printouts'), body: (c) => ({ kind: 'customer', subjectId: c.customerId }), status: [201] },
  { method: 'GET', url: '/api/attempts/:id/printouts', path: practice('/printouts'), status: [200] },
  { method: 'GET', url: '/api/attempts/:id/printouts/:pid', path: (c) => `/api/attempts/${c.practiceAttempt}/printouts/${c.printoutId}`, status: [200] },
  { method: 'GET', url: '/api/sittings', status: [200], shows: 'list' },
  { method: 'GET', url: '/api/sittings/:id', path: (c) => `/api/sittings/${c.sittingId}`, status: [200], shows: 'detail' },
  { method: 'GET', url: '/api/attempts/:id/brief', path: (c) => `/api/attempts/${c.sittingAttempt}/brief`, status: [200] },
  // Both declarations are given once; later calls are refused (409), which must not carry results either.
  { method: 'POST', url: '/api/sittings/:id/declarations', path: (c) => `/api/sittings/${c.sittingId}/declarations`, body: () => ({ moment: 'end', confirm: true }), status: [200, 409] },
  { method: 'POST', url: '/api/sip/credentials', status: [200] },
  { method: 'GET', url: '/api/directory', status: [200] },
  { method: 'GET', url: '/api/calls', status: [200] },
  { method: 'GET', url: '/api/calls/:id', path: (c) => `/api/calls/${c.callId}`, status: [200] },
];

/** Keys that carry results; `retakeAvailable: true` says a mark was below 6. */
const RESULT_KEYS = new Set(['mark', 'marks', 'countedMark', 'moderatedMark', 'centreMark', 'centreTotal', 'moderatedTotal', 'countedTotal', 'grade', 'result', 'sittingResult']);

/** Where in a JSON answer results are given (paths), leaving out the release flags themselves. */
function resultsIn(value: unknown, at = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => resultsIn(v, `${at}[${i}]`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => {
    const here = `${at}.${k}`;
    if (RESULT_KEYS.has(k) && v !== null && v !== undefined) return [here];
    if (k === 'retakeAvailable' && v === true) return [here];
    if (k === 'release' && v && typeof v === 'object' && (v as { outcome?: unknown }).outcome) return [`${here}.outcome`];
    return resultsIn(v, here);
  });
}

const PHASES = ['in progress, partly marked', 'ended and marked', 'centre-final', 'iqa-countersigned', 'moderated'] as const;
type Phase = (typeof PHASES)[number];
const RULES: ReleaseRule[] = ['centre-final', 'iqa-countersigned', 'moderated'];
/** Written out by hand: the phases in which each rule shows the candidate their results. */
const RELEASED: Record<ReleaseRule, Phase[]> = {
  'centre-final': ['centre-final', 'iqa-countersigned', 'moderated'],
  'iqa-countersigned': ['iqa-countersigned', 'moderated'],
  moderated: ['moderated'],
};

let t: TestApp;
let assessor: Login;
let candidate: Login;
const ctx = {} as Ctx;
const attempts: string[] = [];

async function setRule(rule: ReleaseRule): Promise<void> {
  const admin = await t.loginAs('admin');
  await ok(t, admin, 'PUT', `/api/centres/${t.centreId}/settings`, { centreNumber: null, releaseRule: rule, maxRetakes: 1, overrunPolicy: 'warn', appealWindowDays: 30 });
}

/** Calls every candidate route as the candidate; checks each answer and gives the sittings answers back. */
async function probeAll(phase: Phase, rule: ReleaseRule): Promise<{ list: SittingSummary; detail: SittingDetail }> {
  let list: SittingSummary | undefined;
  let detail: SittingDetail | undefined;
  for (const r of routes) {
    // Login and logout act on a session of their own, so the candidate's stays.
    const who = r.url === '/api/auth/logout' ? await t.loginAs('candidate') : r.url === '/api/auth/login' ? undefined : candidate;
    const res = await call(t, who, r.method, r.path ? r.path(ctx) : r.url, r.body?.(ctx, t));
    const where = `${r.method} ${r.url} (${phase}, rule ${rule})`;
    expect(r.status, `${where}: ${res.statusCode} ${res.body.slice(0, 300)}`).toContain(res.statusCode);
    if (!(res.headers['content-type'] ?? '').toString().includes('json')) continue;
    const body = res.json<unknown>();
    if (r.shows === 'list') list = (body as { sittings: SittingSummary[] }).sittings.find((s) => s.id === ctx.sittingId);
    else if (r.shows === 'detail') detail = body as SittingDetail;
    else expect(resultsIn(body), where).toEqual([]);
  }
  return { list: list!, detail: detail! };
}

beforeAll(async () => {
  // With telephony, so the phone's routes (SIP credentials, directory) are there too.
  t = await createTestApp({ telephony: {} });
  ({ assessor, candidate } = await t.loginRoles('assessor', 'candidate'));
  // A practice attempt (open: the candidate's writes go there) with a print-out.
  const made = await ok<{ attempt: { id: string } }>(t, assessor, 'POST', '/api/attempts', { candidateUserId: t.users.candidate }, 201);
  ctx.practiceAttempt = made.attempt.id;
  ctx.customerId = t.repos.crm.findCustomerByAccount(ctx.practiceAttempt, 'BL100231')!.id;
  ctx.inboxMessageId = t.repos.crm.listMessages(ctx.practiceAttempt, 'in')[0]!.id;
  ctx.templateKey = t.repos.crm.listTemplates(ctx.practiceAttempt)[0]!.key;
  ctx.printoutId = (await ok<{ printout: { id: string } }>(t, candidate, 'POST', `/api/attempts/${ctx.practiceAttempt}/printouts`, { kind: 'customer', subjectId: ctx.customerId }, 201)).printout.id;
  // A call of the candidate's.
  ctx.callId = '00000000-0000-4000-8000-00000000c0de';
  t.repos.calls.create({ id: ctx.callId, centreId: t.centreId, callerUserId: t.users.assessor, calleeUserId: t.users.candidate, callerExtension: 'a', calleeExtension: 'c', candidateUserId: t.users.candidate, invitedAt: t.clock.now() });
  // The sitting: started, two of four assignments marked (7 and 8) so far.
  ctx.sittingId = (await createSitting(t, assessor)).id;
  await startSitting(t, assessor, ctx.sittingId);
  for (const [n, total] of [[1, 7], [2, 8]] as const) {
    const id = (await startAttempt(t, assessor, ctx.sittingId, n)).currentAttemptId!;
    attempts.push(id);
    await markAttempt(t, assessor, id, total);
  }
  ctx.sittingAttempt = attempts[0]!;
});
afterAll(async () => {
  await t.close();
});

describe('the release rule over every candidate route', () => {
  it('has a row for every route a candidate can call', () => {
    const forCandidates = t.app.routeAccess
      .filter((r) => r.url !== '/sip' && (r.access === 'public' || r.access === 'authenticated' || r.access.includes('candidate')))
      .map((r) => `${r.method} ${r.url}`)
      .sort();
    expect(routes.map((r) => `${r.method} ${r.url}`).sort()).toEqual(forCandidates);
  });

  const advance: Record<Phase, () => Promise<void>> = {
    'in progress, partly marked': async () => {},
    'ended and marked': async () => {
      for (const [n, total] of [[3, 9], [4, 10]] as const) {
        const id = (await startAttempt(t, assessor, ctx.sittingId, n)).currentAttemptId!;
        attempts.push(id);
        await markAttempt(t, assessor, id, total);
      }
      await ok(t, assessor, 'POST', `/api/sittings/${ctx.sittingId}/end`);
      await declareEnd(t, ctx.sittingId);
    },
    'centre-final': async () => {
      await ok(t, assessor, 'POST', `/api/sittings/${ctx.sittingId}/sign`, { confirm: true });
    },
    'iqa-countersigned': async () => {
      const iqa = await t.loginAs('iqa');
      for (const a of attempts) {
        const v = await ok<{ criteria: Array<{ criterionId: string }> }>(t, iqa, 'GET', `/api/iqa/attempts/${a}`);
        await ok(t, iqa, 'PUT', `/api/iqa/attempts/${a}/reviews`, { verdicts: v.criteria.map((c) => ({ criterionId: c.criterionId, verdict: 'agree' })) });
      }
      await ok(t, iqa, 'POST', `/api/sittings/${ctx.sittingId}/countersign`, { confirm: true });
    },
    moderated: async () => {
      const moderator = await t.loginAs('moderator');
      await ok(t, moderator, 'POST', `/api/sittings/${ctx.sittingId}/moderation-outcome`, { outcome: 'accepted' });
    },
  };

  for (const phase of PHASES) {
    it(`follows each rule when the sitting is ${phase}`, async () => {
      await advance[phase]();
      for (const rule of RULES) {
        await setRule(rule);
        const { list, detail } = await probeAll(phase, rule);
        const released = RELEASED[rule].includes(phase);
        const label = `${phase}, rule ${rule}`;
        const marksInDetail = detail.assignments.flatMap((a) => a.attempts.map((x) => x.mark)).filter((m) => m !== null);
        if (!released) {
          expect(resultsIn(list), label).toEqual([]);
          expect(resultsIn(detail), label).toEqual([]);
          expect(detail.release, label).toEqual({ released: false, provisional: false, outcome: null });
          continue;
        }
        const provisional = phase !== 'moderated';
        expect(detail.release, label).toEqual({ released: true, provisional, outcome: provisional ? null : 'accepted' });
        expect(list.release, label).toEqual(detail.release);
        expect(detail.result, label).toMatchObject({ status: 'graded', grade: 'Merit', total: 34, final: !provisional });
        expect(list.result, label).toMatchObject({ total: 34, final: !provisional });
        expect(marksInDetail, label).toEqual([7, 8, 9, 10]);
      }
    });
  }

  it('never tells the candidate where the result stands inside the centre', async () => {
    const mine = await ok<SittingDetail>(t, candidate, 'GET', `/api/sittings/${ctx.sittingId}`);
    expect(mine.resultState).toBeUndefined();
    expect(mine.outcome).toBeUndefined();
    expect((await call(t, candidate, 'GET', `/api/sittings/${ctx.sittingId}/assurance`)).statusCode).toBe(403);
  });
});
