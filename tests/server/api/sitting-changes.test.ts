// Putting a sitting right before it starts: a different date and time, assessor or candidate
// (PATCH /api/sittings/:id), or calling it off with a reason (POST /api/sittings/:id/cancel). Each
// change is stored with its audit row; a started, ended or cancelled sitting is refused with a
// clear error and nothing changes. Also what the candidate's list shows of a sitting.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SittingDetail, SittingSummary } from '../../../server/protocol/assessment.js';
import { call, createSitting, ok, prepareSitting, startAttempt, startSitting } from '../../support/sitting-helpers.js';
import { createTestApp, type Login, type TestApp } from '../../support/test-app.js';

let t: TestApp;
let assessor: Login;
let foreignAssessor: Login;
let secondCandidate: number;
let secondAssessor: number;
let foreignCandidate: number;

beforeAll(async () => {
  t = await createTestApp();
  secondCandidate = t.addUser({ username: 'candidate5', displayName: 'Second Candidate', role: 'candidate' });
  secondAssessor = t.addUser({ username: 'assessor5', displayName: 'Second Assessor', role: 'assessor' });
  t.addUser({ username: 'assessor6', displayName: 'Foreign Assessor', role: 'assessor', centre: 'foreign' });
  foreignCandidate = t.repos.users.findByUsernameWithHash('candidate2')!.id;
  assessor = await t.loginAs('assessor');
  foreignAssessor = await t.login('assessor6');
});
afterAll(async () => {
  await t.close();
});

const edit = (id: string, body: object, who = assessor) => call(t, who, 'PATCH', `/api/sittings/${id}`, body);
const cancel = (id: string, body: object, who = assessor) => call(t, who, 'POST', `/api/sittings/${id}/cancel`, body);

describe('editing a sitting before it starts', () => {
  it('changes the planned date and time, the assessor and the candidate, with an audit row of before and after', async () => {
    const s = await createSitting(t, assessor, { scheduledFor: Date.UTC(2026, 11, 7, 9, 0) });
    const planned = Date.UTC(2026, 11, 8, 14, 30);
    const res = await edit(s.id, { scheduledFor: planned, assessorUserId: secondAssessor, candidateUserId: secondCandidate });
    expect(res.statusCode, res.body).toBe(200);
    const d = res.json<SittingDetail>();
    expect(d).toMatchObject({ status: 'scheduled', scheduledFor: planned, assessor: { id: secondAssessor, name: 'Second Assessor' }, candidate: { id: secondCandidate, name: 'Second Candidate' } });
    const rows = t.repos.auditLog.forSubject('sitting', s.id, 'sitting-edited');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      actorUserId: t.users.assessor,
      before: { candidateUserId: t.users.candidate, assessorUserId: t.users.assessor, scheduledFor: Date.UTC(2026, 11, 7, 9, 0) },
      after: { candidateUserId: secondCandidate, assessorUserId: secondAssessor, scheduledFor: planned },
    });
    // The first candidate no longer sees it; the second one does.
    const first = await t.loginAs('candidate');
    expect((await ok<{ sittings: SittingSummary[] }>(t, first, 'GET', '/api/sittings')).sittings.some((x) => x.id === s.id)).toBe(false);
    const second = await t.login('candidate5');
    expect((await ok<{ sittings: SittingSummary[] }>(t, second, 'GET', '/api/sittings')).sittings.some((x) => x.id === s.id)).toBe(true);
    // null clears the planned time.
    expect((await edit(s.id, { scheduledFor: null })).json<SittingDetail>().scheduledFor).toBeNull();
  });

  it('refuses another centre’s candidate or assessor on their field, and changes nothing', async () => {
    const s = await createSitting(t, assessor);
    const res = await edit(s.id, { candidateUserId: foreignCandidate, assessorUserId: t.repos.users.findByUsernameWithHash('assessor6')!.id });
    expect(res.statusCode).toBe(400);
    expect(Object.keys(res.json().fields).sort()).toEqual(['assessorUserId', 'candidateUserId']);
    expect(t.repos.sittings.findById(s.id)).toMatchObject({ candidateUserId: t.users.candidate, assessorUserId: t.users.assessor });
    expect((await edit(s.id, {})).statusCode).toBe(400);
    // Another centre's assessor cannot find it at all.
    expect((await edit(s.id, { scheduledFor: 1 }, foreignAssessor)).statusCode).toBe(404);
  });

  it('keeps the candidate once their identity check or declaration is recorded', async () => {
    const s = await createSitting(t, assessor);
    await prepareSitting(t, assessor, s.id);
    const res = await edit(s.id, { candidateUserId: secondCandidate });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ error: 'preparation_recorded', field: 'candidateUserId' });
    expect(res.json().message).toMatch(/Cancel this sitting and create one for the other candidate/);
    // The time can still move.
    expect((await edit(s.id, { scheduledFor: Date.UTC(2026, 11, 9, 10, 0) })).statusCode).toBe(200);
  });

  it('refuses a started sitting with a clear error, changing nothing', async () => {
    const s = await createSitting(t, assessor);
    await startSitting(t, assessor, s.id);
    const res = await edit(s.id, { scheduledFor: 5 });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toEqual({ error: 'sitting_started', message: 'This sitting has started, so it can no longer be changed. End it when the candidate has finished.' });
    expect(t.repos.sittings.findById(s.id)!.scheduledFor).toBeNull();
    expect(t.repos.auditLog.forSubject('sitting', s.id, 'sitting-edited')).toEqual([]);
  });
});

describe('cancelling a sitting', () => {
  it('records when, by whom and why; the sitting then cannot start, change, be cancelled again or be prepared', async () => {
    const s = await createSitting(t, assessor);
    expect((await cancel(s.id, {})).statusCode).toBe(400);
    expect((await cancel(s.id, { reason: '  ' })).json()).toMatchObject({ field: 'reason' });
    const res = await cancel(s.id, { reason: 'Created for the wrong candidate.' });
    expect(res.statusCode, res.body).toBe(200);
    const d = res.json<SittingDetail>();
    expect(d.status).toBe('cancelled');
    expect(d.cancellation).toEqual({ at: t.clock.now(), by: 'Test assessor', reason: 'Created for the wrong candidate.' });
    const rows = t.repos.auditLog.forSubject('sitting', s.id, 'sitting-cancelled');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actorUserId: t.users.assessor, reason: 'Created for the wrong candidate.', after: { status: 'cancelled' } });

    const again = await cancel(s.id, { reason: 'Twice.' });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ error: 'sitting_cancelled' });
    expect((await edit(s.id, { scheduledFor: 5 })).json()).toMatchObject({ error: 'sitting_cancelled' });
    expect((await call(t, assessor, 'POST', `/api/sittings/${s.id}/start`)).json()).toMatchObject({ error: 'sitting_cancelled' });
    expect((await call(t, assessor, 'POST', `/api/sittings/${s.id}/end`)).json().message).toMatch(/cancelled/);
    expect((await call(t, assessor, 'POST', `/api/sittings/${s.id}/identity-check`, { documentType: 'passport' })).json()).toMatchObject({ error: 'sitting_cancelled' });
    // The database itself refuses to start it, whatever the route says.
    expect(t.repos.sittings.start(s.id, t.clock.now())).toBe(false);
    expect(() => t.repos.db.prepare("UPDATE sittings SET status = 'in-progress', started_at = 1 WHERE id = ?").run(s.id)).toThrow(/cancelled sitting cannot start/);
  });

  it('refuses a started sitting with a clear error, changing nothing', async () => {
    const s = await createSitting(t, assessor);
    await startSitting(t, assessor, s.id);
    const res = await cancel(s.id, { reason: 'Too late.' });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toEqual({ error: 'sitting_started', message: 'This sitting has started, so it can no longer be cancelled. End it when the candidate has finished.' });
    expect(t.repos.sittings.findById(s.id)!.status).toBe('in-progress');
  });

  it('is not what the candidate’s page shows, and is left out of the results export', async () => {
    const s = await createSitting(t, assessor);
    await cancel(s.id, { reason: 'Duplicate of another sitting.' });
    const candidate = await t.loginAs('candidate');
    const mine = (await ok<{ sittings: SittingSummary[] }>(t, candidate, 'GET', '/api/sittings')).sittings.find((x) => x.id === s.id)!;
    expect(mine.status).toBe('cancelled');
    expect(mine.declarationDue).toBeNull();
    const csv = (await call(t, assessor, 'GET', '/api/results.csv')).body;
    const rows = csv.trim().split('\n').length - 1;
    const counted = t.repos.sittings.list({ centreId: t.centreId }).filter((x) => x.status !== 'cancelled').length;
    expect(rows).toBe(counted);
  });
});

describe('the candidate’s list of sittings', () => {
  it('names the assignments taken, with the candidate-facing titles, and no result before release', async () => {
    const s = await createSitting(t, assessor);
    await startSitting(t, assessor, s.id);
    const after = await startAttempt(t, assessor, s.id, 1);
    const candidate = await t.loginAs('candidate');
    const mine = (await ok<{ sittings: SittingSummary[] }>(t, candidate, 'GET', '/api/sittings')).sittings.find((x) => x.id === s.id)!;
    const candidateView = await ok<SittingDetail>(t, candidate, 'GET', `/api/sittings/${s.id}`);
    expect(mine.assignmentsTaken).toEqual([{ position: 1, title: candidateView.assignments[0]!.title }]);
    expect(mine.result).toBeUndefined();
    const staff = (await ok<{ sittings: SittingSummary[] }>(t, assessor, 'GET', '/api/sittings')).sittings.find((x) => x.id === s.id)!;
    expect(staff.assignmentsTaken).toEqual([{ position: 1, title: after.assignments[0]!.title }]);
  });
});
