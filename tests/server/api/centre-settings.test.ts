// The centre administrator's settings and records over the real API: the centre number, the
// re-take limit (used when a re-take is asked for; a sitting keeps the limit it began with), the
// overrun policy ('warn' records the overrun of each assignment; 'stop' ends the sitting at its
// deadline, server-side), the 5-minute warning, candidate numbers, and special consideration,
// malpractice (JCQ M1 / M2(a)) and enquiries/appeals recorded against a sitting.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SittingDetail } from '../../../server/protocol/assessment.js';
import type { CentreView, SittingAssuranceView } from '../../../server/protocol/assurance.js';
import { call, createSitting, markAttempt, ok, startAttempt, startSitting } from '../../support/sitting-helpers.js';
import { createTestApp, type Login, type TestApp } from '../../support/test-app.js';

const MIN = 60_000;
let t: TestApp;
let admin: Login;
let assessor: Login;
let candidate: Login;

/** Moves the clock; logins idle longer than the test app's hour are logged in again. */
async function advance(ms: number): Promise<void> {
  t.clock.advance(ms);
  ({ admin, assessor, candidate } = await t.loginRoles('admin', 'assessor', 'candidate'));
}

const settings = (over: Partial<CentreView> = {}) => ({ centreNumber: null, releaseRule: 'moderated', maxRetakes: 1, overrunPolicy: 'warn', appealWindowDays: 30, ...over });
const setCentre = (over: Partial<CentreView>) => ok<{ centre: CentreView }>(t, admin, 'PUT', `/api/centres/${t.centreId}/settings`, settings(over));

beforeAll(async () => {
  t = await createTestApp();
  ({ admin, assessor, candidate } = await t.loginRoles('admin', 'assessor', 'candidate'));
});
afterAll(async () => {
  await t.close();
});

describe('centre settings', () => {
  it('are set by the admin only, checked field by field, and audited', async () => {
    const bad = await call(t, admin, 'PUT', `/api/centres/${t.centreId}/settings`, settings({ centreNumber: '12-34', maxRetakes: 9, releaseRule: 'never' as never }));
    expect(bad.statusCode).toBe(400);
    expect(Object.keys(bad.json<{ fields: Record<string, string> }>().fields).sort()).toEqual(['centreNumber', 'maxRetakes', 'releaseRule']);
    expect((await call(t, assessor, 'PUT', `/api/centres/${t.centreId}/settings`, settings())).statusCode).toBe(403);
    const { centre } = await setCentre({ centreNumber: '91234', maxRetakes: 2 });
    expect(centre).toMatchObject({ centreNumber: '91234', maxRetakes: 2, releaseRule: 'moderated' });
    const clash = await call(t, admin, 'PUT', `/api/centres/${t.foreignCentreId}/settings`, settings({ centreNumber: '91234' }));
    expect(clash.statusCode).toBe(400);
    expect(clash.json<{ fields: Record<string, string> }>().fields['centreNumber']).toMatch(/already belongs to Northgate College/);
    expect(t.repos.auditLog.forSubject('centre', t.centreId, 'centre-settings-changed')[0]).toMatchObject({ before: { maxRetakes: 1 }, after: { maxRetakes: 2, centreNumber: '91234' } });
    expect((await ok<{ centres: CentreView[] }>(t, admin, 'GET', '/api/centres')).centres.find((c) => c.id === t.centreId)).toMatchObject({ centreNumber: '91234' });
  });

  it('gives candidates numbers, unique in the centre', async () => {
    const res = await ok<{ user: { candidateNumber: string } }>(t, admin, 'POST', `/api/users/${t.users.candidate}/candidate-number`, { candidateNumber: '0042' });
    expect(res.user.candidateNumber).toBe('0042');
    const other = t.repos.users.create({ username: 'cand-b', displayName: 'Bea', role: 'candidate', centreId: t.centreId, passwordHash: '!' });
    const dup = await call(t, admin, 'POST', `/api/users/${other.id}/candidate-number`, { candidateNumber: '0042' });
    expect(dup.statusCode).toBe(400);
    expect((await call(t, admin, 'POST', `/api/users/${t.users.assessor}/candidate-number`, { candidateNumber: '7' })).statusCode).toBe(400);
    expect((await call(t, admin, 'POST', `/api/users/${other.id}/candidate-number`, { candidateNumber: 'A1' })).statusCode).toBe(400);
  });
});

describe('the re-take limit', () => {
  async function failedFirstAttempt(): Promise<SittingDetail> {
    const s = await createSitting(t, assessor);
    await startSitting(t, assessor, s.id);
    for (const [n, total] of [[1, 3], [2, 9], [3, 9], [4, 9]] as const) await markAttempt(t, assessor, (await startAttempt(t, assessor, s.id, n)).currentAttemptId!, total);
    return ok<SittingDetail>(t, assessor, 'GET', `/api/sittings/${s.id}`);
  }

  it('allows as many re-takes as the centre set when the sitting was created', async () => {
    await setCentre({ maxRetakes: 2 });
    const s = await failedFirstAttempt();
    await setCentre({ maxRetakes: 0 }); // later changes do not reach a sitting already created
    // S1 ships variants a, b and c: both re-takes get one the candidate has not had.
    for (const mark of [4, 5]) {
      const d = await startAttempt(t, assessor, s.id, 1);
      await markAttempt(t, assessor, d.currentAttemptId!, mark);
    }
    const third = await call(t, assessor, 'POST', `/api/sittings/${s.id}/assignments/1/attempts`);
    expect(third.statusCode).toBe(409);
    expect(third.json()).toMatchObject({ error: 'retake_limit_reached', message: expect.stringMatching(/used 2 of its 2 re-takes/) });
    expect(t.repos.sittings.findById(s.id)!.maxRetakes).toBe(2);
  });

  it('allows none when the centre says 0', async () => {
    await setCentre({ maxRetakes: 0 });
    const s = await failedFirstAttempt();
    expect(s.assignments[0]!.retakeAvailable).toBe(false);
    expect(s.result).toMatchObject({ status: 'no-grade', final: true });
    expect((await call(t, assessor, 'POST', `/api/sittings/${s.id}/assignments/1/attempts`)).json()).toMatchObject({ error: 'retake_limit_reached' });
    await setCentre({ maxRetakes: 1 });
  });
});

describe('the clock and the overrun policy', () => {
  it('warns at 5 minutes and, under "warn", records how far each assignment ran over', async () => {
    await setCentre({ overrunPolicy: 'warn' });
    const s = await createSitting(t, assessor);
    await startSitting(t, assessor, s.id);
    const a1 = (await startAttempt(t, assessor, s.id, 1)).currentAttemptId!;
    await advance(50 * MIN);
    expect((await ok<SittingDetail>(t, candidate, 'GET', `/api/sittings/${s.id}`)).clock).toMatchObject({ warning: 'none', overrunPolicy: 'warn' });
    await advance(5 * MIN);
    expect((await ok<SittingDetail>(t, candidate, 'GET', `/api/sittings/${s.id}`)).clock.warning).toBe('five-minutes');
    await advance(12 * MIN); // 67 minutes in: 7 over
    const over = await ok<SittingDetail>(t, assessor, 'GET', `/api/sittings/${s.id}`);
    expect(over.status).toBe('in-progress');
    expect(over.clock).toMatchObject({ state: 'time-up', warning: 'time-up', overrunMs: 7 * MIN });
    await ok(t, assessor, 'POST', `/api/attempts/${a1}/close`);
    expect(t.repos.attempts.findById(a1)!.overrunMs).toBe(7 * MIN);
    // The next assignment may still begin; its overrun counts from its own start.
    const a2 = (await startAttempt(t, assessor, s.id, 2)).currentAttemptId!;
    await advance(3 * MIN);
    const ended = await ok<SittingDetail>(t, assessor, 'POST', `/api/sittings/${s.id}/end`);
    expect(ended.assignments.map((a) => a.attempts[0]?.overrunMs ?? null)).toEqual([7 * MIN, 3 * MIN, null, null]);
    expect(t.repos.auditLog.forSubject('attempt', a2, 'attempt-closed')[0]!.after).toMatchObject({ overrunMs: 3 * MIN });
    const view = await ok<SittingAssuranceView>(t, assessor, 'GET', `/api/sittings/${s.id}/assurance`);
    expect(view.overrun).toEqual([
      { attemptId: a1, position: 1, overrunMs: 7 * MIN },
      { attemptId: a2, position: 2, overrunMs: 3 * MIN },
    ]);
  });

  it('under "stop", ends the sitting at its deadline on the server: the attempt closes, writes and new assignments are refused', async () => {
    await setCentre({ overrunPolicy: 'stop' });
    const s = await createSitting(t, assessor);
    await startSitting(t, assessor, s.id);
    const started = t.clock.now();
    const a1 = (await startAttempt(t, assessor, s.id, 1)).currentAttemptId!;
    await advance(61 * MIN);
    // The candidate's next write finds the sitting over: refused, and the sitting ended at the deadline.
    const wrapUp = await call(t, candidate, 'POST', `/api/attempts/${a1}/wrap-ups`, { code: 'INFO' });
    expect(wrapUp.statusCode).toBe(409);
    expect(wrapUp.json()).toMatchObject({ error: 'attempt_closed' });
    const after = t.repos.sittings.findById(s.id)!;
    expect(after).toMatchObject({ status: 'ended', endedAt: started + 60 * MIN });
    expect(t.repos.attempts.findById(a1)).toMatchObject({ status: 'closed', closedAt: started + 60 * MIN, overrunMs: 0 });
    expect(t.repos.auditLog.forSubject('sitting', s.id, 'sitting-ended')[0]).toMatchObject({ actorUserId: null, reason: expect.stringMatching(/stops sittings at time up/) });
    expect((await call(t, assessor, 'POST', `/api/sittings/${s.id}/assignments/2/attempts`)).statusCode).toBe(409);
  });

  it('under "stop", ends an untouched sitting with extra time at its later deadline, by the app\'s sweep', async () => {
    await setCentre({ overrunPolicy: 'stop' });
    const s = await createSitting(t, assessor, { extraTime: { kind: 'minutes', minutes: 15 } });
    await startSitting(t, assessor, s.id);
    const started = t.clock.now();
    await advance(74 * MIN);
    expect(t.repos.sittings.findById(s.id)).toMatchObject({ status: 'in-progress' });
    await advance(2 * MIN);
    expect(t.repos.sittings.findById(s.id)).toMatchObject({ status: 'ended', endedAt: started + 75 * MIN });
    await setCentre({ overrunPolicy: 'warn' });
  });

  it('under "stop", the app itself ends an untouched sitting once its clock passes the deadline (no real-time wait)', async () => {
    // The app's sweep runs on the injected clock: a test that moves time sees the sitting end, and a
    // sweep on real time can no longer race a test that moves time itself.
    await setCentre({ overrunPolicy: 'stop' });
    const s = await createSitting(t, assessor);
    await startSitting(t, assessor, s.id);
    const started = t.clock.now();
    t.clock.advance(59 * MIN);
    expect(t.repos.sittings.findById(s.id)).toMatchObject({ status: 'in-progress' });
    t.clock.advance(2 * MIN);
    expect(t.repos.sittings.findById(s.id)).toMatchObject({ status: 'ended', endedAt: started + 60 * MIN });
    await advance(0);
    await setCentre({ overrunPolicy: 'warn' });
  });
});

describe('special consideration, malpractice and enquiries', () => {
  let sittingId: string;
  beforeAll(async () => {
    sittingId = (await createSitting(t, assessor)).id;
  });

  it('records special consideration against a sitting', async () => {
    const bad = await call(t, admin, 'POST', `/api/sittings/${sittingId}/special-consideration`, { category: 'illness', incidentDate: '2026-02-30', details: '' });
    expect(bad.statusCode).toBe(400);
    expect(Object.keys(bad.json<{ fields: Record<string, string> }>().fields).sort()).toEqual(['details', 'incidentDate']);
    const view = await ok<SittingAssuranceView>(t, admin, 'POST', `/api/sittings/${sittingId}/special-consideration`, { category: 'illness', incidentDate: '2026-03-02', details: 'Migraine in assignment 3.', evidence: 'GP letter seen 3 March.', adjustmentRequested: '2% of the total.' }, 201);
    expect(view.specialConsiderations).toEqual([expect.objectContaining({ category: 'illness', incidentDate: '2026-03-02', evidence: 'GP letter seen 3 March.', recordedBy: expect.objectContaining({ id: t.users.admin }) })]);
    expect((await call(t, assessor, 'POST', `/api/sittings/${sittingId}/special-consideration`, { category: 'illness', incidentDate: '2026-03-02', details: 'x' })).statusCode).toBe(403);
  });

  it('records malpractice on JCQ forms M1 and M2(a)', async () => {
    await ok(t, admin, 'POST', `/api/sittings/${sittingId}/malpractice`, { form: 'M1', incidentDate: '2026-03-02', personsInvolved: 'The candidate', nature: 'Read answers from a phone.', statementObtained: true }, 201);
    const view = await ok<SittingAssuranceView>(t, admin, 'POST', `/api/sittings/${sittingId}/malpractice`, { form: 'M2a', incidentDate: '2026-03-02', personsInvolved: 'A. Assessor (centre assessor)', nature: 'Prompted the candidate during the call.', reportedToAwardingBodyOn: '2026-03-03' }, 201);
    expect(view.malpractice.map((m) => [m.form, m.statementObtained, m.reportedToAwardingBodyOn])).toEqual([
      ['M1', true, null],
      ['M2a', false, '2026-03-03'],
    ]);
    expect((await call(t, admin, 'POST', `/api/sittings/${sittingId}/malpractice`, { form: 'M3', incidentDate: '2026-03-02', personsInvolved: 'x', nature: 'y' })).statusCode).toBe(400);
  });

  it('records an enquiry or appeal and closes it once, with its outcome', async () => {
    const view = await ok<SittingAssuranceView>(t, admin, 'POST', `/api/sittings/${sittingId}/enquiries`, { kind: 'appeal', raisedBy: 'The candidate', receivedOn: '2026-04-01', grounds: 'The hold was under 60 s.' }, 201);
    const id = view.enquiries[0]!.id;
    expect(view.enquiries[0]).toMatchObject({ kind: 'appeal', closedAt: null, outcome: null });
    const closed = await ok<SittingAssuranceView>(t, admin, 'POST', `/api/enquiries/${id}/close`, { outcome: 'Not upheld: the hold was 74 s on the recording.' });
    expect(closed.enquiries[0]).toMatchObject({ outcome: 'Not upheld: the hold was 74 s on the recording.', closedBy: { id: t.users.admin } });
    expect((await call(t, admin, 'POST', `/api/enquiries/${id}/close`, { outcome: 'Again' })).statusCode).toBe(409);
    expect(t.repos.auditLog.forSubject('sitting', sittingId).map((e) => e.action)).toEqual(
      expect.arrayContaining(['special-consideration-recorded', 'malpractice-recorded', 'enquiry-recorded', 'enquiry-closed']),
    );
  });
});
