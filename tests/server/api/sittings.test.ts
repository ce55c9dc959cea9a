// Sittings over the real API and a real SQLite file: creation with the coverage warning, per-field
// validation, who may see and run a sitting, the server-side clock (extra time, rest breaks, a
// re-read and a rebuilt app on the same database file), attempts of the four assignments, briefs,
// and the audit rows every change writes.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../server/app.js';
import { scenarioForAttemptKey } from '../../../server/assessment/scenario-loader.js';
import { openDatabase } from '../../../server/db/connection.js';
import { createRepositories } from '../../../server/db/repositories/index.js';
import type { AttemptBrief, CoverageCheckView, SittingDetail, SittingSummary, ValidationErrorBody } from '../../../server/protocol/assessment.js';
import { call, createSitting, ok, startAttempt, startSitting } from '../../support/sitting-helpers.js';
import { createTestApp, FOREIGN_ASSESSOR, type Login, type TestApp } from '../../support/test-app.js';

const MIN = 60_000;
let t: TestApp;
let assessor: Login;
let candidate: Login;
let moderator: Login;
let admin: Login;
let foreignAssessor: Login;
let foreignCandidate: Login;

beforeAll(async () => {
  t = await createTestApp();
  t.addUser(FOREIGN_ASSESSOR);
  ({ assessor, candidate, moderator, admin } = await t.loginRoles('assessor', 'candidate', 'moderator', 'admin'));
  foreignAssessor = await t.login('assessor2');
  foreignCandidate = await t.login('candidate2');
});
afterAll(async () => {
  await t.close();
});

describe('creating a sitting', () => {
  it('stores four assignments and returns the coverage warnings without refusing', async () => {
    const s = await createSitting(t, assessor, {}, ['s1', 's2', 's3', 's6']);
    expect(s.status).toBe('scheduled');
    expect(s.assignments.map((a) => a.scenarioKey)).toEqual(['s1', 's2', 's3', 's6']);
    expect(s.assessor).toEqual({ id: t.users.assessor, name: 'Test assessor' });
    expect(s.candidate.id).toBe(t.users.candidate);
    expect(s.clock.state).toBe('not-started');
    expect(s.clock.allowedMs).toBe(60 * MIN);
    expect(s.coverageWarnings.map((w) => w.area).sort()).toEqual(['inbound-sales', 'outbound-sales']);
    expect(s.result).toMatchObject({ status: 'no-grade', complete: false });
    expect(s.currentAttemptId).toBeNull();
    const full = await createSitting(t, assessor, {}, ['s1', 's4', 's5', 's3']);
    expect(full.coverageWarnings).toEqual([]);
  });

  it('checks the coverage of a choice before the sitting exists, with the rule creation uses, storing nothing', async () => {
    const before = t.repos.sittings.list().length;
    const audit = t.repos.auditLog.verify().rows;
    const check = async (scenarioKeys: unknown, who: Login = assessor) => call(t, who, 'POST', '/api/sittings/coverage-check', { scenarioKeys });
    const partial = await check(['s1', 's2']);
    expect(partial.statusCode).toBe(200);
    expect(partial.json<CoverageCheckView>().warnings.map((w) => w.area).sort()).toEqual(['inbound-sales', 'outbound-sales']);
    expect(partial.json<CoverageCheckView>().problems).toEqual([]);
    const none = (await check([])).json<CoverageCheckView>();
    expect(none.warnings.map((w) => w.area).sort()).toEqual(['inbound-sales', 'inbound-service', 'outbound-sales']);
    const full = (await check(['s1', 's4', 's5', 's3'], admin)).json<CoverageCheckView>();
    expect(full).toEqual({ warnings: [], problems: [] });
    // The same warnings the created sitting then carries.
    const created = await createSitting(t, assessor, {}, ['s1', 's2', 's3', 's6']);
    const same = (await check(['s1', 's2', 's3', 's6'])).json<CoverageCheckView>();
    expect(same.warnings).toEqual(created.coverageWarnings);
    // Bad input: a clear error per field, nothing stored.
    const bad = await check(['s1', 's9']);
    expect(bad.statusCode).toBe(400);
    expect(Object.keys(bad.json<ValidationErrorBody>().fields)).toEqual(['scenarioKeys.1']);
    expect((await check('s1')).statusCode).toBe(400);
    expect((await check(['s1', 's2', 's3', 's4', 's5', 's6', 's1'])).statusCode).toBe(400);
    const extra = await call(t, assessor, 'POST', '/api/sittings/coverage-check', { scenarioKeys: ['s1'], candidateUserId: 1 });
    expect(extra.statusCode).toBe(400);
    expect((await check(['s1'], candidate)).statusCode).toBe(403);
    expect(t.repos.sittings.list().length).toBe(before + 1);
    expect(t.repos.auditLog.verify().rows).toBe(audit + 1);
  });

  it('answers bad input with a message per field and stores nothing', async () => {
    const before = t.repos.sittings.list().length;
    const audit = t.repos.auditLog.verify().rows;
    const res = await call(t, assessor, 'POST', '/api/sittings', { candidateUserId: t.users.candidate, scenarioKeys: ['s1', 's9', 's1'], baseMinutes: 0, extraTime: { kind: 'percent', percent: 150 } });
    expect(res.statusCode).toBe(400);
    const body = res.json<ValidationErrorBody>();
    expect(body.error).toBe('validation');
    expect(Object.keys(body.fields).sort()).toEqual(['baseMinutes', 'extraTime.percent', 'scenarioKeys', 'scenarioKeys.1']);
    expect(body.fields['scenarioKeys']).toMatch(/four|different/);
    expect(body.field).toBeDefined();

    // The clock rule judges extra minutes against the base time.
    const minutes = await call(t, assessor, 'POST', '/api/sittings', { candidateUserId: t.users.candidate, scenarioKeys: ['s1', 's2', 's3', 's4'], baseMinutes: 30, extraTime: { kind: 'minutes', minutes: 45 } });
    expect(minutes.statusCode).toBe(400);
    expect(minutes.json<ValidationErrorBody>().fields['extraTime.minutes']).toMatch(/at most the sitting time \(30\)/);

    // A candidate of another centre, and a user who is not a candidate, look the same: unknown.
    const foreign = t.repos.users.findByUsernameWithHash('candidate2')!.id;
    for (const id of [foreign, t.users.assessor, 99999]) {
      const r = await call(t, assessor, 'POST', '/api/sittings', { candidateUserId: id, scenarioKeys: ['s1', 's2', 's3', 's4'] });
      expect(r.statusCode).toBe(400);
      expect(r.json<ValidationErrorBody>().fields).toEqual({ candidateUserId: expect.stringMatching(/no candidate/) });
    }
    const unknownField = await call(t, assessor, 'POST', '/api/sittings', { candidateUserId: t.users.candidate, scenarioKeys: ['s1', 's2', 's3', 's4'], colour: 'red' });
    expect(unknownField.statusCode).toBe(400);
    expect(t.repos.sittings.list().length).toBe(before);
    expect(t.repos.auditLog.verify().rows).toBe(audit);
  });

  it('is refused to candidates and moderators; an admin may create one for any centre', async () => {
    expect((await call(t, candidate, 'POST', '/api/sittings', { candidateUserId: t.users.candidate, scenarioKeys: ['s1', 's2', 's3', 's4'] })).statusCode).toBe(403);
    expect((await call(t, moderator, 'POST', '/api/sittings', { candidateUserId: t.users.candidate, scenarioKeys: ['s1', 's2', 's3', 's4'] })).statusCode).toBe(403);
    const foreign = t.repos.users.findByUsernameWithHash('candidate2')!.id;
    const s = await ok<SittingDetail>(t, admin, 'POST', '/api/sittings', { candidateUserId: foreign, scenarioKeys: ['s1', 's2', 's3', 's4'] }, 201);
    expect(s.centreId).toBe(t.foreignCentreId);
    expect(s.assessor).toBeNull();
    // The named assessor must belong to the candidate's centre.
    const wrong = await call(t, admin, 'POST', '/api/sittings', { candidateUserId: foreign, scenarioKeys: ['s1', 's2', 's3', 's4'], assessorUserId: t.users.assessor });
    expect(wrong.json<ValidationErrorBody>().fields).toHaveProperty('assessorUserId');
  });
});

describe('the candidates a new sitting can be for', () => {
  type Candidate = { userId: number; displayName: string; username: string; candidateNumber: string | null; centreName: string };
  const list = async (who: Login) => (await ok<{ candidates: Candidate[] }>(t, who, 'GET', '/api/sittings/candidates')).candidates;

  it('an assessor gets their centre\'s candidates with what tells two apart (candidate number, username), never an extension', async () => {
    t.addUser({ username: 'jhughes2', displayName: 'Test candidate', role: 'candidate' });
    const gone = t.addUser({ username: 'gone1', displayName: 'Left the course', role: 'candidate' });
    t.repos.users.setDisabled(gone, true);
    t.repos.users.setCandidateNumber(t.users.candidate, '0042');
    const mine = await list(assessor);
    expect(mine.find((c) => c.userId === t.users.candidate)).toEqual({ userId: t.users.candidate, displayName: 'Test candidate', username: 'candidate1', candidateNumber: '0042', centreName: 'Northgate College' });
    expect(mine.find((c) => c.username === 'jhughes2')).toMatchObject({ displayName: 'Test candidate', candidateNumber: null });
    // Only enabled candidates of the assessor's own centre, and nothing but what the form shows.
    expect(mine.map((c) => c.username)).not.toContain('candidate2');
    expect(mine.map((c) => c.username)).not.toContain('gone1');
    expect(mine.map((c) => c.username)).not.toContain('assessor1');
    for (const c of mine) expect(Object.keys(c).sort()).toEqual(['candidateNumber', 'centreName', 'displayName', 'userId', 'username']);
  });

  it('an admin, who may create a sitting in any centre, gets every centre\'s candidates with the centre\'s name', async () => {
    const all = await list(admin);
    expect(all.find((c) => c.username === 'candidate2')).toMatchObject({ displayName: 'Foreign candidate', centreName: 'Southfield Academy' });
    expect(all.find((c) => c.username === 'candidate1')).toMatchObject({ centreName: 'Northgate College' });
  });

  it('a candidate or moderator may not list them', async () => {
    expect((await call(t, candidate, 'GET', '/api/sittings/candidates')).statusCode).toBe(403);
    expect((await call(t, moderator, 'GET', '/api/sittings/candidates')).statusCode).toBe(403);
  });
});

describe('who sees a sitting', () => {
  let sitting: SittingDetail;
  beforeAll(async () => {
    sitting = await createSitting(t, assessor);
  });

  it('candidates see only their own, assessors their centre, moderators and admins read', async () => {
    expect((await ok<SittingDetail>(t, candidate, 'GET', `/api/sittings/${sitting.id}`)).id).toBe(sitting.id);
    expect((await call(t, foreignCandidate, 'GET', `/api/sittings/${sitting.id}`)).statusCode).toBe(404);
    expect((await call(t, foreignAssessor, 'GET', `/api/sittings/${sitting.id}`)).statusCode).toBe(404);
    expect((await ok<SittingDetail>(t, moderator, 'GET', `/api/sittings/${sitting.id}`)).id).toBe(sitting.id);
    expect((await ok<SittingDetail>(t, admin, 'GET', `/api/sittings/${sitting.id}`)).id).toBe(sitting.id);

    const mine = await ok<{ sittings: SittingSummary[] }>(t, candidate, 'GET', '/api/sittings');
    expect(mine.sittings.length).toBeGreaterThan(0);
    expect(mine.sittings.every((s) => s.candidate.id === t.users.candidate)).toBe(true);
    expect((await ok<{ sittings: SittingSummary[] }>(t, foreignAssessor, 'GET', '/api/sittings')).sittings.every((s) => s.centreId === t.foreignCentreId)).toBe(true);
    expect((await ok<{ sittings: SittingSummary[] }>(t, foreignCandidate, 'GET', '/api/sittings')).sittings.some((s) => s.id === sitting.id)).toBe(false);
  });

  it('names each sitting\'s centre, for the moderator\'s list across centres', async () => {
    const all = (await ok<{ sittings: SittingSummary[] }>(t, moderator, 'GET', '/api/sittings')).sittings;
    expect(all.find((s) => s.id === sitting.id)?.centreName).toBe('Northgate College');
    expect(all.filter((s) => s.centreId === t.foreignCentreId).every((s) => s.centreName === 'Southfield Academy')).toBe(true);
  });

  it('only the centre assessor and admins run it: others get 403 or 404 and nothing changes', async () => {
    expect((await call(t, candidate, 'POST', `/api/sittings/${sitting.id}/start`)).statusCode).toBe(403);
    expect((await call(t, moderator, 'POST', `/api/sittings/${sitting.id}/start`)).statusCode).toBe(403);
    expect((await call(t, foreignAssessor, 'POST', `/api/sittings/${sitting.id}/start`)).statusCode).toBe(404);
    expect(t.repos.sittings.findById(sitting.id)!.status).toBe('scheduled');
  });

  it('shows the candidate no coverage warnings, and no result in the list until there is one', async () => {
    const mine = await ok<SittingDetail>(t, candidate, 'GET', `/api/sittings/${sitting.id}`);
    expect(mine.coverageWarnings).toEqual([]);
    const list = await ok<{ sittings: SittingSummary[] }>(t, candidate, 'GET', '/api/sittings');
    expect(list.sittings.find((s) => s.id === sitting.id)!.result).toBeUndefined();
    const staff = await ok<{ sittings: SittingSummary[] }>(t, assessor, 'GET', '/api/sittings');
    expect(staff.sittings.find((s) => s.id === sitting.id)!.result).toMatchObject({ status: 'no-grade' });
  });

  it('tells sittings apart in the lists: staff see the four assignments, everyone when it was created', async () => {
    const staff = (await ok<{ sittings: SittingSummary[] }>(t, assessor, 'GET', '/api/sittings')).sittings.find((s) => s.id === sitting.id)!;
    expect(staff.assignmentNames).toEqual(['S1', 'S4', 'S5', 'S3']);
    expect(staff.createdAt).toBe(t.repos.sittings.findById(sitting.id)!.createdAt);
    const mine = (await ok<{ sittings: SittingSummary[] }>(t, candidate, 'GET', '/api/sittings')).sittings.find((s) => s.id === sitting.id)!;
    expect(mine.assignmentNames).toBeUndefined();
    expect(typeof mine.createdAt).toBe('number');
  });

  it('refuses to end a sitting that has not started, in words, and changes nothing', async () => {
    const audit = t.repos.auditLog.verify().rows;
    const res = await call(t, assessor, 'POST', `/api/sittings/${sitting.id}/end`, {});
    expect(res.statusCode).toBe(409);
    expect(res.json<{ message: string }>().message).toBe('This sitting has not started yet, so there is nothing to end; cancel it instead.');
    expect(t.repos.sittings.findById(sitting.id)!.status).toBe('scheduled');
    expect(t.repos.auditLog.verify().rows).toBe(audit);
  });
});

describe('the sitting clock', () => {
  it('runs on the server from stored instants: a re-read and a rebuilt app on the same file give the same time', async () => {
    const s = await createSitting(t, assessor);
    const started = await startSitting(t, assessor, s.id);
    expect(started.status).toBe('in-progress');
    expect(started.clock).toMatchObject({ state: 'running', elapsedMs: 0, remainingMs: 60 * MIN, deadline: t.clock.now() + 60 * MIN });
    t.clock.advance(10 * MIN);
    const first = await ok<SittingDetail>(t, candidate, 'GET', `/api/sittings/${s.id}`);
    const again = await ok<SittingDetail>(t, candidate, 'GET', `/api/sittings/${s.id}`);
    expect(first.clock.elapsedMs).toBe(10 * MIN);
    expect(again.clock).toEqual(first.clock);
    // Starting again never resets it.
    expect((await call(t, assessor, 'POST', `/api/sittings/${s.id}/start`)).statusCode).toBe(409);

    // A second app on the same database file (a restart) reads the same clock.
    const db = openDatabase(path.join(t.dir, 'test.sqlite'));
    const app2 = await buildApp({ repos: createRepositories(db), clock: t.clock, sessionIdleMs: 3_600_000, sessionMaxMs: 43_200_000, loginRateLimitPerMinute: 1000, bodyLimitBytes: 65536, secureCookies: false, printoutsDir: path.join(t.dir, 'printouts') });
    try {
      await app2.ready();
      const res = await app2.inject({ method: 'GET', url: `/api/sittings/${s.id}`, headers: { cookie: assessor.cookie } });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json<SittingDetail>().clock).toEqual(first.clock);
    } finally {
      await app2.close();
      db.close();
    }
  });

  it('adds extra time as a percentage or as minutes, and keeps counting past time up', async () => {
    const pct = await createSitting(t, assessor, { extraTime: { kind: 'percent', percent: 25 } });
    expect(pct.clock.allowedMs).toBe(75 * MIN);
    expect(pct.extraTime).toEqual({ kind: 'percent', percent: 25 });
    const mins = await createSitting(t, assessor, { baseMinutes: 45, extraTime: { kind: 'minutes', minutes: 10 } });
    expect(mins.clock.allowedMs).toBe(55 * MIN);
    await startSitting(t, assessor, mins.id);
    t.clock.advance(56 * MIN);
    const late = await ok<SittingDetail>(t, assessor, 'GET', `/api/sittings/${mins.id}`);
    expect(late.clock).toMatchObject({ state: 'time-up', remainingMs: 0, overrunMs: MIN });
    const ended = await ok<SittingDetail>(t, assessor, 'POST', `/api/sittings/${mins.id}/end`);
    expect(ended.status).toBe('ended');
    expect(ended.clock.state).toBe('ended');
    t.clock.advance(5 * MIN);
    expect((await ok<SittingDetail>(t, assessor, 'GET', `/api/sittings/${mins.id}`)).clock.elapsedMs).toBe(56 * MIN);
  });

  it('refuses a rest break unless it was arranged; an arranged break pauses the clock', async () => {
    const plain = await createSitting(t, assessor);
    await startSitting(t, assessor, plain.id);
    const refused = await call(t, assessor, 'POST', `/api/sittings/${plain.id}/rest-break`, { action: 'start' });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().message).toMatch(/rest-break access arrangement/);
    expect(t.repos.sittings.restBreaks(plain.id)).toEqual([]);
    const bad = await call(t, assessor, 'POST', `/api/sittings/${plain.id}/rest-break`, { action: 'nap' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<ValidationErrorBody>().fields).toHaveProperty('action');

    const arranged = await createSitting(t, assessor, { restBreaks: true });
    await startSitting(t, assessor, arranged.id);
    t.clock.advance(5 * MIN);
    const paused = await ok<SittingDetail>(t, assessor, 'POST', `/api/sittings/${arranged.id}/rest-break`, { action: 'start' });
    expect(paused.clock.state).toBe('paused');
    expect((await call(t, assessor, 'POST', `/api/sittings/${arranged.id}/rest-break`, { action: 'start' })).statusCode).toBe(409);
    // No attempt begins while the candidate is on a break.
    expect((await call(t, assessor, 'POST', `/api/sittings/${arranged.id}/assignments/1/attempts`)).statusCode).toBe(409);
    t.clock.advance(7 * MIN);
    const resumed = await ok<SittingDetail>(t, assessor, 'POST', `/api/sittings/${arranged.id}/rest-break`, { action: 'end' });
    expect(resumed.clock).toMatchObject({ state: 'running', elapsedMs: 5 * MIN });
    t.clock.advance(MIN);
    expect((await ok<SittingDetail>(t, assessor, 'GET', `/api/sittings/${arranged.id}`)).clock).toMatchObject({ elapsedMs: 6 * MIN, deadline: expect.any(Number) });
    expect((await call(t, assessor, 'POST', `/api/sittings/${arranged.id}/rest-break`, { action: 'end' })).statusCode).toBe(409);
  });
});

describe('attempts of a sitting', () => {
  let s: SittingDetail;
  beforeAll(async () => {
    // The clock tests moved time on past the session idle limit: log in afresh.
    ({ assessor, candidate } = await t.loginRoles('assessor', 'candidate'));
    foreignCandidate = await t.login('candidate2');
    s = await createSitting(t, assessor, {}, ['s1', 's4', 's5', 's3']);
  });

  it('waits for the clock, then opens one attempt at a time with its own CRM copy', async () => {
    const early = await call(t, assessor, 'POST', `/api/sittings/${s.id}/assignments/1/attempts`);
    expect(early.statusCode).toBe(409);
    expect(early.json().error).toBe('sitting_not_running');
    await startSitting(t, assessor, s.id);
    const one = await startAttempt(t, assessor, s.id, 1);
    const first = one.assignments[0]!.attempts[0]!;
    expect(one.currentAttemptId).toBe(first.attemptId);
    expect(first).toMatchObject({ number: 1, variant: 'a', status: 'open', mark: null, markingStatus: 'in-progress' });
    const attempt = t.repos.attempts.findById(first.attemptId)!;
    expect(attempt).toMatchObject({ sittingId: s.id, position: 1, scenarioKey: 's1', variant: 'a', scenarioVersion: scenarioForAttemptKey('s1')!.version, candidateUserId: t.users.candidate, assessorUserId: t.users.assessor });
    expect(t.repos.crm.listCustomers(attempt.id).length).toBeGreaterThan(0);
    // The candidate's desktop finds it as the current attempt.
    expect((await ok<{ attempt: { id: string } }>(t, candidate, 'GET', '/api/attempts/current')).attempt.id).toBe(attempt.id);

    // Nothing else is closed silently: a second attempt waits until the first is closed.
    const busy = await call(t, assessor, 'POST', `/api/sittings/${s.id}/assignments/2/attempts`);
    expect(busy.statusCode).toBe(409);
    expect(busy.json()).toMatchObject({ error: 'attempt_open', message: expect.stringContaining(attempt.id) });
    // A re-take before any mark is refused by the rules.
    await ok(t, assessor, 'POST', `/api/attempts/${attempt.id}/close`);
    const retake = await call(t, assessor, 'POST', `/api/sittings/${s.id}/assignments/1/attempts`);
    expect(retake.statusCode).toBe(409);
    expect(retake.json().message).toMatch(/not marked yet/);
    const two = await startAttempt(t, assessor, s.id, 2);
    expect(two.assignments[1]!.attempts).toHaveLength(1);
    expect(two.assignments[0]!.attempts[0]).toMatchObject({ status: 'closed', markingStatus: 'awaiting-marks' });
    expect((await call(t, assessor, 'POST', `/api/sittings/${s.id}/assignments/5/attempts`)).statusCode).toBe(400);
  });

  it('gives the candidate the task card only, and staff the caller brief with dates worked out', async () => {
    const detail = await ok<SittingDetail>(t, assessor, 'GET', `/api/sittings/${s.id}`);
    const inbound = detail.assignments[0]!.attempts[0]!.attemptId;
    const mine = await ok<AttemptBrief>(t, candidate, 'GET', `/api/attempts/${inbound}/brief`);
    expect(mine.candidateBrief.tasks.length).toBeGreaterThan(0);
    expect(mine).not.toHaveProperty('callerBrief');
    expect(mine).not.toHaveProperty('presentNumber');
    expect(JSON.stringify(mine)).not.toMatch(/persona|openingLine|answerKey|rubric/);
    const staff = await ok<AttemptBrief>(t, assessor, 'GET', `/api/attempts/${inbound}/brief`);
    expect(staff.callerBrief!.persona.name).toMatch(/Hughes/);
    expect(staff.callerBrief!.cues.length).toBeGreaterThan(0);
    expect(staff.presentNumber).toBe('0113 496 0412');
    expect(staff.dialNumber).toBeNull();
    expect((await call(t, foreignCandidate, 'GET', `/api/attempts/${inbound}/brief`)).statusCode).toBe(404);

    // Titles: the candidate reads the candidate-facing one everywhere; the staff title names the
    // caller and the town she is moving to, which the candidate must find out.
    const title = (key: string) => scenarioForAttemptKey(key)!;
    expect(mine.title).toBe(title('s1').candidateTitle);
    expect(staff.title).toBe(title('s1').title);
    expect(staff.candidateTitle).toBe(title('s1').candidateTitle);
    expect(JSON.stringify(mine)).not.toMatch(/Hughes|Rawdon/);
    const candidateView = await ok<SittingDetail>(t, candidate, 'GET', `/api/sittings/${s.id}`);
    expect(candidateView.assignments.map((a) => a.title)).toEqual(['s1', 's4', 's5', 's3'].map((k) => title(k).candidateTitle));
    expect(JSON.stringify(candidateView)).not.toMatch(/Hughes|Rawdon|faster|missed engineer visit/i);
    expect(detail.assignments.map((a) => a.title)).toEqual(['s1', 's4', 's5', 's3'].map((k) => title(k).title));

    // Outbound (S5): the candidate dials the customer's phone number as on their record (the server
    // routes it to the assessor playing the customer), never an extension; the contract ends 42 days after the sitting day.
    await ok(t, assessor, 'POST', `/api/attempts/${detail.currentAttemptId}/close`);
    const three = await startAttempt(t, assessor, s.id, 3);
    const outbound = three.currentAttemptId!;
    const extension = t.repos.users.findById(t.users.assessor)!.extension;
    const dial = (await ok<AttemptBrief>(t, candidate, 'GET', `/api/attempts/${outbound}/brief`)).dialNumber;
    expect(dial).toBe(scenarioForAttemptKey('s5')!.callerBrief.persona.phone);
    expect(dial).toBe('0131 496 0544');
    expect(dial).not.toBe(extension);
    const brief = await ok<AttemptBrief>(t, assessor, 'GET', `/api/attempts/${outbound}/brief`);
    expect(brief.direction).toBe('outbound');
    expect(brief.presentNumber).toBeNull();
    const day = new Date(t.repos.sittings.findById(s.id)!.startedAt!);
    const expected = new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate() + 42)).toISOString().slice(0, 10);
    const fact = brief.callerBrief!.facts.find((f) => f.key === 'contractEnd')!;
    expect(fact.date).toBe(expected);
    expect(fact.value).toMatch(/^[A-Z][a-z]+day \d{1,2} [A-Z][a-z]+ \d{4}$/);
  });

  it('ends the sitting, closing the open attempt with an audit row, and the chain is intact', async () => {
    const ended = await ok<SittingDetail>(t, assessor, 'POST', `/api/sittings/${s.id}/end`);
    expect(ended.currentAttemptId).toBeNull();
    expect(ended.assignments[2]!.attempts[0]!.status).toBe('closed');
    expect((await call(t, assessor, 'POST', `/api/sittings/${s.id}/end`)).statusCode).toBe(409);
    // No new assignment once it has ended.
    expect((await call(t, assessor, 'POST', `/api/sittings/${s.id}/assignments/4/attempts`)).statusCode).toBe(409);
    const actions = t.repos.auditLog.forSubject('sitting', s.id).map((e) => e.action);
    expect(actions).toEqual(['sitting-created', 'identity-checked', 'sitting-signed', 'sitting-started', 'sitting-ended']);
    const closed = t.repos.auditLog.forSubject('attempt', ended.assignments[2]!.attempts[0]!.attemptId);
    expect(closed.map((e) => e.action)).toEqual(['attempt-started', 'attempt-closed']);
    expect(closed[1]).toMatchObject({ actorUserId: t.users.assessor, actorRole: 'assessor', centreId: t.centreId, reason: 'The sitting ended.', before: { status: 'open' } });
    expect(t.repos.auditLog.verify()).toMatchObject({ ok: true });
  });
});
