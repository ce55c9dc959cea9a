// Walks every route the app registers with every role (and no login) and checks the answer:
// 401 without a session, 403 for a role the route does not allow, success for one it does.
// A route missing from the table fails the test, so a new route cannot skip this check.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scenarioForAttemptKey } from '../../../server/assessment/scenario-loader.js';
import { sampleView } from '../../../server/moderation/replay/sample.js';
import { ROLES, type Role } from '../../../server/protocol/roles.js';
import { createTestApp, type Login, type TestApp } from '../../support/test-app.js';

interface Probe {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  url: string;
  /** The concrete request for a path with parameters. */
  path?: (t: TestApp) => string;
  body?: (t: TestApp) => unknown;
  /** Content type of a non-JSON body (e.g. an upload). */
  contentType?: string;
  ok: number;
}

const probes: Probe[] = [
  { method: 'GET', url: '/healthz', ok: 200 },
  { method: 'POST', url: '/api/auth/login', body: () => ({ username: 'candidate1', password: 'correct-horse-battery' }), ok: 200 },
  { method: 'GET', url: '/api/auth/session', ok: 200 },
  { method: 'POST', url: '/api/auth/logout', ok: 204 },
  { method: 'GET', url: '/api/centres', ok: 200 },
  { method: 'POST', url: '/api/centres', body: () => ({ name: `Centre ${Math.random()}` }), ok: 201 },
  { method: 'GET', url: '/api/users', ok: 200 },
  {
    method: 'POST',
    url: '/api/users',
    body: (t) => ({ username: `u${Math.floor(Math.random() * 1e9)}`, displayName: 'New', role: 'candidate', centreId: t.centreId }),
    ok: 201,
  },
  { method: 'POST', url: '/api/users/:id/password', path: (t) => `/api/users/${t.repos.users.findByUsernameWithHash('candidate2')!.id}/password`, body: () => ({}), ok: 200 },
  {
    method: 'POST',
    url: '/api/users/:id/disabled',
    path: (t) => `/api/users/${t.users.moderator}/disabled`,
    body: () => ({ disabled: false }),
    ok: 200,
  },
  { method: 'GET', url: '/api/scenarios', ok: 200 },
  // Customised scenarios: CUSTOM_SCENARIO is the centre's variant of S1 (made in beforeAll).
  { method: 'GET', url: '/api/scenarios/:key', path: () => `/api/scenarios/${CUSTOM_SCENARIO}`, ok: 200 },
  { method: 'POST', url: '/api/scenarios/:key/clone', path: () => '/api/scenarios/s1/clone', body: (t) => ({ variant: `v${Math.floor(Math.random() * 1e9)}`, title: 'A copy', centreId: t.centreId }), ok: 201 },
  { method: 'PUT', url: '/api/scenarios/:key', path: () => `/api/scenarios/${CUSTOM_SCENARIO}`, body: (t) => JSON.parse(fs.readFileSync(path.join(t.dir, 'scenarios', `${CUSTOM_SCENARIO}.json`), 'utf8')) as unknown, ok: 200 },
  { method: 'DELETE', url: '/api/scenarios/:key', path: (t) => `/api/scenarios/${spareScenario(t)}`, ok: 204 },
  { method: 'GET', url: '/api/attempts/:id/suggestions', path: () => `/api/attempts/${CRM_ATTEMPT}/suggestions`, ok: 409 },
  { method: 'POST', url: '/api/sip/credentials', ok: 200 },
  { method: 'GET', url: '/api/directory', ok: 200 },
  { method: 'GET', url: '/api/calls', ok: 200 },
  { method: 'GET', url: '/api/calls/:id', path: () => `/api/calls/${CALL_ID}`, ok: 200 },
  { method: 'GET', url: '/api/calls/:id/recording', path: () => `/api/calls/${CALL_ID}/recording`, ok: 200 },
  { method: 'GET', url: '/api/attempts/:id/timeline', path: () => `/api/attempts/${TIMELINE_ATTEMPT_ID}/timeline`, ok: 200 },
  // CRM of the agent desktop: CRM_ATTEMPT is candidate1's open demo attempt (made in beforeAll).
  { method: 'POST', url: '/api/attempts', body: (t) => ({ candidateUserId: t.users.candidate }), ok: 201 },
  { method: 'GET', url: '/api/attempts/current', ok: 200 },
  { method: 'GET', url: '/api/attempts/:id', path: () => `/api/attempts/${CRM_ATTEMPT}`, ok: 200 },
  { method: 'GET', url: '/api/attempts/:id/customers', path: () => `/api/attempts/${CRM_ATTEMPT}/customers?q=Hughes`, ok: 200 },
  { method: 'GET', url: '/api/attempts/:id/customers/by-phone/:phone', path: () => `/api/attempts/${CRM_ATTEMPT}/customers/by-phone/%2B441134960412`, ok: 200 },
  { method: 'GET', url: '/api/attempts/:id/customers/:cid', path: (t) => `/api/attempts/${CRM_ATTEMPT}/customers/${t.repos.crm.findCustomerByAccount(CRM_ATTEMPT, 'BL100231')!.id}`, ok: 200 },
  {
    method: 'PATCH',
    url: '/api/attempts/:id/customers/:cid',
    path: (t) => `/api/attempts/${CRM_ATTEMPT}/customers/${t.repos.crm.findCustomerByAccount(CRM_ATTEMPT, 'BL100231')!.id}`,
    body: (t) => ({ version: t.repos.crm.findCustomerByAccount(CRM_ATTEMPT, 'BL100231')!.version, town: 'Leeds' }),
    ok: 200,
  },
  {
    method: 'POST',
    url: '/api/attempts/:id/customers/:cid/identity-check',
    path: (t) => `/api/attempts/${CRM_ATTEMPT}/customers/${t.repos.crm.findCustomerByAccount(CRM_ATTEMPT, 'BL100231')!.id}/identity-check`,
    body: (t) => ({ answers: [{ questionId: t.repos.crm.securityQuestions(CRM_ATTEMPT, t.repos.crm.findCustomerByAccount(CRM_ATTEMPT, 'BL100231')!.id)[0]!.id, answer: 'bluebell' }] }),
    ok: 201,
  },
  {
    method: 'POST',
    url: '/api/attempts/:id/customers/:cid/notes',
    path: (t) => `/api/attempts/${CRM_ATTEMPT}/customers/${t.repos.crm.findCustomerByAccount(CRM_ATTEMPT, 'BL100231')!.id}/notes`,
    body: () => ({ body: 'Called about her bill.' }),
    ok: 201,
  },
  {
    method: 'POST',
    url: '/api/attempts/:id/customers/:cid/orders',
    path: (t) => `/api/attempts/${CRM_ATTEMPT}/customers/${t.repos.crm.findCustomerByAccount(CRM_ATTEMPT, 'BL100231')!.id}/orders`,
    body: () => ({ lines: [{ productCode: 'WIFI-MESH', quantity: 1, saleType: 'cross_sell' }] }),
    ok: 201,
  },
  {
    method: 'POST',
    url: '/api/attempts/:id/customers/:cid/cases',
    path: (t) => `/api/attempts/${CRM_ATTEMPT}/customers/${t.repos.crm.findCustomerByAccount(CRM_ATTEMPT, 'BL100231')!.id}/cases`,
    body: () => ({ type: 'query', priority: 'low', description: 'Asked about the price change.' }),
    ok: 201,
  },
  {
    method: 'POST',
    url: '/api/attempts/:id/customers/:cid/callbacks',
    path: (t) => `/api/attempts/${CRM_ATTEMPT}/customers/${t.repos.crm.findCustomerByAccount(CRM_ATTEMPT, 'BL100231')!.id}/callbacks`,
    body: () => ({ dueAt: '2026-01-05T10:00', reason: 'Confirm the engineer visit.' }),
    ok: 201,
  },
  { method: 'POST', url: '/api/attempts/:id/wrap-ups', path: () => `/api/attempts/${CRM_ATTEMPT}/wrap-ups`, body: () => ({ code: 'INFO' }), ok: 201 },
  { method: 'GET', url: '/api/attempts/:id/messages', path: () => `/api/attempts/${CRM_ATTEMPT}/messages`, ok: 200 },
  {
    method: 'POST',
    url: '/api/attempts/:id/messages',
    path: () => `/api/attempts/${CRM_ATTEMPT}/messages`,
    body: () => ({ channel: 'email', to: 'margaret.hughes@example.co.uk', subject: 'Your call today', body: 'Thank you for calling.' }),
    ok: 201,
  },
  { method: 'GET', url: '/api/attempts/:id/products', path: () => `/api/attempts/${CRM_ATTEMPT}/products`, ok: 200 },
  { method: 'GET', url: '/api/attempts/:id/knowledge-base', path: () => `/api/attempts/${CRM_ATTEMPT}/knowledge-base?q=credit`, ok: 200 },
  { method: 'GET', url: '/api/attempts/:id/scripts', path: () => `/api/attempts/${CRM_ATTEMPT}/scripts`, ok: 200 },
  { method: 'GET', url: '/api/attempts/:id/wrap-up-codes', path: () => `/api/attempts/${CRM_ATTEMPT}/wrap-up-codes`, ok: 200 },
  { method: 'GET', url: '/api/attempts/:id/call-list', path: () => `/api/attempts/${CRM_ATTEMPT}/call-list`, ok: 200 },
  { method: 'GET', url: '/api/attempts/:id/message-templates', path: () => `/api/attempts/${CRM_ATTEMPT}/message-templates`, ok: 200 },
  { method: 'GET', url: '/api/attempts/:id/case-categories', path: () => `/api/attempts/${CRM_ATTEMPT}/case-categories`, ok: 200 },
  { method: 'GET', url: '/api/attempts/:id/message-folders', path: () => `/api/attempts/${CRM_ATTEMPT}/message-folders`, ok: 200 },
  {
    method: 'PUT',
    url: '/api/attempts/:id/messages/:mid/folder',
    path: (t) => `/api/attempts/${CRM_ATTEMPT}/messages/${t.repos.crm.listMessages(CRM_ATTEMPT, 'in')[0]!.id}/folder`,
    body: () => ({ folder: 'Team notices' }),
    ok: 200,
  },
  { method: 'GET', url: '/api/attempts/:id/auto-reply', path: () => `/api/attempts/${CRM_ATTEMPT}/auto-reply`, ok: 200 },
  { method: 'PUT', url: '/api/attempts/:id/auto-reply', path: () => `/api/attempts/${CRM_ATTEMPT}/auto-reply`, body: () => ({ enabled: true, body: 'Out of the office today.' }), ok: 200 },
  {
    method: 'GET',
    url: '/api/attempts/:id/message-templates/:key/filled',
    path: (t) => `/api/attempts/${CRM_ATTEMPT}/message-templates/email-home-move/filled?customerId=${t.repos.crm.findCustomerByAccount(CRM_ATTEMPT, 'BL100231')!.id}`,
    ok: 200,
  },
  // Print-outs: PRINTOUT_ID is one candidate1 printed in CRM_ATTEMPT (made in beforeAll).
  {
    method: 'POST',
    url: '/api/attempts/:id/printouts',
    path: () => `/api/attempts/${CRM_ATTEMPT}/printouts`,
    body: (t) => ({ kind: 'customer', subjectId: t.repos.crm.findCustomerByAccount(CRM_ATTEMPT, 'BL100231')!.id }),
    ok: 201,
  },
  { method: 'GET', url: '/api/attempts/:id/printouts', path: () => `/api/attempts/${CRM_ATTEMPT}/printouts`, ok: 200 },
  { method: 'GET', url: '/api/attempts/:id/printouts/:pid', path: () => `/api/attempts/${CRM_ATTEMPT}/printouts/${PRINTOUT_ID}`, ok: 200 },
  // Sittings and marking: SITTING is candidate1's started sitting with SITTING_ATTEMPT open on S1
  // (made in beforeAll); routes that change state get a fresh sitting for every request.
  { method: 'GET', url: '/api/sittings', ok: 200 },
  { method: 'POST', url: '/api/sittings', body: (t) => ({ candidateUserId: t.users.candidate, scenarioKeys: ['s1', 's4', 's5', 's3'] }), ok: 201 },
  { method: 'GET', url: '/api/sittings/:id', path: () => `/api/sittings/${SITTING}`, ok: 200 },
  { method: 'POST', url: '/api/sittings/:id/start', path: (t) => `/api/sittings/${freshSitting(t)}/start`, ok: 200 },
  { method: 'POST', url: '/api/sittings/:id/rest-break', path: (t) => `/api/sittings/${freshSitting(t, { start: true, restBreaks: true })}/rest-break`, body: () => ({ action: 'start' }), ok: 200 },
  { method: 'POST', url: '/api/sittings/:id/end', path: (t) => `/api/sittings/${freshSitting(t, { start: true })}/end`, ok: 200 },
  { method: 'POST', url: '/api/sittings/:id/assignments/:n/attempts', path: (t) => `/api/sittings/${freshSitting(t, { start: true })}/assignments/1/attempts`, ok: 200 },
  { method: 'POST', url: '/api/attempts/:id/close', path: (t) => `/api/attempts/${freshSittingAttempt(t)}/close`, ok: 200 },
  { method: 'GET', url: '/api/attempts/:id/brief', path: () => `/api/attempts/${SITTING_ATTEMPT}/brief`, ok: 200 },
  { method: 'GET', url: '/api/attempts/:id/bookmarks', path: () => `/api/attempts/${SITTING_ATTEMPT}/bookmarks`, ok: 200 },
  { method: 'POST', url: '/api/attempts/:id/bookmarks', path: () => `/api/attempts/${SITTING_ATTEMPT}/bookmarks`, body: () => ({ note: 'Good greeting.' }), ok: 201 },
  { method: 'GET', url: '/api/attempts/:id/marking', path: () => `/api/attempts/${SITTING_ATTEMPT}/marking`, ok: 200 },
  { method: 'PUT', url: '/api/attempts/:id/marks', path: () => `/api/attempts/${SITTING_ATTEMPT}/marks`, body: () => ({ marks: [] }), ok: 200 },
  { method: 'GET', url: '/api/sittings/:id/mark-sheet.pdf', path: () => `/api/sittings/${SITTING}/mark-sheet.pdf`, ok: 200 },
  { method: 'GET', url: '/api/results.csv', ok: 200 },
  // Moderation: CALL_ID has a stored analysis (made in beforeAll); packs of the timeline attempt and the sitting.
  { method: 'GET', url: '/api/calls/:id/peaks', path: () => `/api/calls/${CALL_ID}/peaks`, ok: 200 },
  { method: 'GET', url: '/api/attempts/:id/metrics', path: () => `/api/attempts/${TIMELINE_ATTEMPT_ID}/metrics`, ok: 200 },
  { method: 'GET', url: '/api/attempts/:id/pack.zip', path: () => `/api/attempts/${TIMELINE_ATTEMPT_ID}/pack.zip`, ok: 200 },
  { method: 'GET', url: '/api/sittings/:id/pack.zip', path: () => `/api/sittings/${SITTING}/pack.zip`, ok: 200 },
  { method: 'POST', url: '/api/packs', body: () => ({ attemptIds: [TIMELINE_ATTEMPT_ID] }), ok: 200 },
  { method: 'POST', url: '/api/packs/verify', body: () => Buffer.from('not a zip'), contentType: 'application/zip', ok: 400 },
  // Replay, moderated marks, audit log, sample (server/api/replay-routes.ts).
  { method: 'GET', url: '/api/attempts/:id/replay', path: () => `/api/attempts/${TIMELINE_ATTEMPT_ID}/replay`, ok: 200 },
  { method: 'GET', url: '/api/attempts/:id/moderation', path: () => `/api/attempts/${SITTING_ATTEMPT}/moderation`, ok: 200 },
  {
    method: 'PUT',
    url: '/api/attempts/:id/moderation',
    path: (t) => `/api/attempts/${freshMarkedAttempt(t)}/moderation`,
    body: () => ({ marks: [{ criterionId: 'U2-1.1-answer-time', mark: 0, reason: 'The phone rang for 40 s on the recording.' }] }),
    ok: 200,
  },
  { method: 'GET', url: '/api/audit-log', ok: 200 },
  { method: 'GET', url: '/api/moderation/sample', path: (t) => `/api/moderation/sample?centreId=${t.centreId}`, ok: 200 },
  { method: 'POST', url: '/api/moderation/sample/add', path: (t) => ((SAMPLE_SITTING = endedSitting(t, false)), '/api/moderation/sample/add'), body: (t) => ({ centreId: t.centreId, sittingId: SAMPLE_SITTING, reason: 'New assessor.' }), ok: 200 },
  { method: 'POST', url: '/api/moderation/sample/remove', path: (t) => ((SAMPLE_SITTING = endedSitting(t, true)), '/api/moderation/sample/remove'), body: (t) => ({ centreId: t.centreId, sittingId: SAMPLE_SITTING, reason: 'Seen last series.' }), ok: 200 },
];

const CALL_ID = '00000000-0000-4000-8000-000000000001';
const TIMELINE_ATTEMPT_ID = '00000000-0000-4000-8000-0000000000a1';
let CRM_ATTEMPT = '';
let SITTING = '';
let SITTING_ATTEMPT = '';

/** A new sitting of candidate1, scheduled or started, straight through the repository. */
function freshSitting(t: TestApp, opts: { start?: boolean; restBreaks?: boolean } = {}): string {
  const s = t.repos.sittings.create(
    { centreId: t.centreId, candidateUserId: t.users.candidate, assessorUserId: t.users.assessor, scenarioKeys: ['s1', 's4', 's5', 's3'], scheduledFor: null, baseMinutes: 60, extraTime: null, restBreaks: opts.restBreaks ?? false, createdBy: t.users.assessor },
    t.clock.now(),
  );
  if (opts.start) t.repos.sittings.start(s.id, t.clock.now());
  return s.id;
}

/** An open S1 attempt in a new started sitting of candidate1. */
function freshSittingAttempt(t: TestApp): string {
  const sittingId = freshSitting(t, { start: true });
  return t.repos.attempts.create({ centreId: t.centreId, candidateUserId: t.users.candidate, assessorUserId: t.users.assessor, scenarioKey: 's1', sittingId, position: 1, variant: 'a', scenarioVersion: 1 }, t.clock.now()).id;
}
let CUSTOM_SCENARIO = '';
/** A fresh, unused copy of S1 for the centre, written straight into the data folder. */
function spareScenario(t: TestApp): string {
  const key = `s1-c${t.centreId}-spare${Math.floor(Math.random() * 1e9)}`;
  const text = fs.readFileSync(path.join(t.dir, 'scenarios', `${CUSTOM_SCENARIO}.json`), 'utf8');
  fs.writeFileSync(path.join(t.dir, 'scenarios', `${key}.json`), text.replace(`"variant": "${CUSTOM_SCENARIO.slice(3)}"`, `"variant": "${key.slice(3)}"`));
  return key;
}
/** An S1 attempt of candidate1 whose centre marking is finished (every criterion 1). */
function freshMarkedAttempt(t: TestApp): string {
  const id = freshSittingAttempt(t);
  for (const criterionId of scenarioForAttemptKey('s1')!.rubric.map((c) => c.criterionId)) {
    t.repos.attemptMarks.save({ attemptId: id, criterionId, mark: 1, comment: '', overrideReason: null, updatedAt: t.clock.now(), updatedBy: t.users.assessor });
  }
  t.repos.attempts.markFinished(id, t.users.assessor, t.clock.now());
  return id;
}

let SAMPLE_SITTING = '';
/** A new ended sitting that is (or is not) in the centre's sample as it stands. */
function endedSitting(t: TestApp, inSample: boolean): string {
  for (let i = 0; i < 50; i++) {
    const id = freshSitting(t, { start: true });
    t.repos.sittings.end(id, t.clock.now());
    if (sampleView(t.repos, t.centreId).sample.some((s) => s.sittingId === id) === inSample) return id;
  }
  throw new Error('no sitting found for the sample probe');
}
let PRINTOUT_ID = '';
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ telephony: {} });
  // A recorded call between the centre's assessor and candidate, visible to every role allowed.
  const dir = path.join(t.dir, 'recordings');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `${CALL_ID}.ogg`), 'OggS fake');
  t.repos.calls.create({ id: CALL_ID, centreId: t.centreId, callerUserId: t.users.assessor, calleeUserId: t.users.candidate, callerExtension: 'a', calleeExtension: 'c', candidateUserId: t.users.candidate, invitedAt: 1 });
  t.repos.calls.update(CALL_ID, { state: 'ended', recordingPath: path.join(dir, `${CALL_ID}.ogg`), recordingStatus: 'complete' });
  // An attempt of the centre's candidate, whose desktop timeline the centre's assessor may read.
  t.repos.attempts.create({ id: TIMELINE_ATTEMPT_ID, centreId: t.centreId, candidateUserId: t.users.candidate, scenarioKey: 'demo' }, t.clock.now());
  t.repos.recordingAnalysis.saveDone({ callId: CALL_ID, recordingSha256: 'ab'.repeat(32), analyserVersion: 1, analysedAt: 1, durationMs: 40, channels: 2, peaksPerSecond: 50, peaks: new Uint8Array([1, 2, 3, 4]), talkMs: [0, 0], silenceMs: 40, overtalkMs: 0, segments: [[], []] });
  // A demo attempt of the centre's candidate with its CRM copy, made the way the assessor makes one.
  const assessor = await t.loginAs('assessor');
  const made = await t.app.inject({ method: 'POST', url: '/api/attempts', headers: { cookie: assessor.cookie, 'x-csrf-token': assessor.csrf }, payload: { candidateUserId: t.users.candidate } });
  CRM_ATTEMPT = (made.json() as { attempt: { id: string } }).attempt.id;
  const candidate = await t.loginAs('candidate');
  const printed = await t.app.inject({ method: 'POST', url: `/api/attempts/${CRM_ATTEMPT}/printouts`, headers: { cookie: candidate.cookie, 'x-csrf-token': candidate.csrf }, payload: { kind: 'customer', subjectId: t.repos.crm.findCustomerByAccount(CRM_ATTEMPT, 'BL100231')!.id } });
  PRINTOUT_ID = (printed.json() as { printout: { id: string } }).printout.id;
  const cloned = await t.app.inject({ method: 'POST', url: '/api/scenarios/s1/clone', headers: { cookie: assessor.cookie, 'x-csrf-token': assessor.csrf }, payload: { variant: 'matrix', title: 'Matrix copy' } });
  CUSTOM_SCENARIO = (cloned.json() as { key: string }).key;
  SITTING = freshSitting(t, { start: true });
  const started = await t.app.inject({ method: 'POST', url: `/api/sittings/${SITTING}/assignments/1/attempts`, headers: { cookie: assessor.cookie, 'x-csrf-token': assessor.csrf } });
  SITTING_ATTEMPT = (started.json() as { currentAttemptId: string }).currentAttemptId;
});
afterAll(async () => {
  await t.close();
});

describe('authorization matrix', () => {
  it('has a probe for every registered route', () => {
    // The SIP WebSocket authenticates with SIP digest, not the session: tested in tests/server/sip.
    const registered = t.app.routeAccess.filter((r) => r.url !== '/sip').map((r) => `${r.method} ${r.url}`).sort();
    const probed = probes.map((p) => `${p.method} ${p.url}`).sort();
    expect(probed).toEqual(registered);
  });

  const who: Array<Role | 'anonymous'> = ['anonymous', ...ROLES];
  for (const probe of probes) {
    for (const role of who) {
      it(`${probe.method} ${probe.url} as ${role}`, async () => {
        const access = t.app.routeAccess.find((r) => r.method === probe.method && r.url === probe.url)!.access;
        const login: Login | undefined = role === 'anonymous' ? undefined : await t.loginAs(role);
        const res = await t.app.inject({
          method: probe.method,
          url: probe.path ? probe.path(t) : probe.url,
          headers: { ...(login ? { cookie: login.cookie, 'x-csrf-token': login.csrf } : {}), ...(probe.contentType ? { 'content-type': probe.contentType } : {}) },
          ...(probe.body ? { payload: probe.body(t) as object } : {}),
        });
        const allowed = access === 'public' || (role !== 'anonymous' && (access === 'authenticated' || access.includes(role)));
        if (allowed) expect(res.statusCode, res.body).toBe(probe.ok);
        else if (role === 'anonymous') expect(res.statusCode, res.body).toBe(401);
        else expect(res.statusCode, res.body).toBe(403);
      });
    }
  }

  it('refuses to start when an /api route forgets to declare its access', async () => {
    const { default: Fastify } = await import('fastify');
    const { registerAccessControl } = await import('../../../server/auth/access.js');
    const app = Fastify();
    registerAccessControl(app, { resolve: () => undefined } as never);
    expect(() => app.get('/api/oops', async () => 'x')).toThrow(/does not declare config.access/);
  });
});
