// Standardisation over the real API: the IQA sets up an exercise on a recorded, centre-marked
// attempt with three assessors; each marks blind (never seeing the centre's or another's marks);
// the IQA sees agreement per criterion and per assessor (the figures of the hand-built case in
// tests/server/assessment/standardisation.test.ts, here over a real rubric) and exports the CSV.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StandardisationMarkingView, StandardisationResultsView, StandardisationSummary } from '../../../server/protocol/assurance.js';
import { call, createSitting, markAttempt, ok, startAttempt, startSitting } from '../../support/sitting-helpers.js';
import { createTestApp, type Login, type TestApp } from '../../support/test-app.js';

let t: TestApp;
let iqa: Login;
let a: Login;
let b: Login;
let c: Login;
let ids: number[];
let attemptId: string;
let exerciseId: string;
let rubric: Array<{ criterionId: string; maxMarks: number }>;

beforeAll(async () => {
  t = await createTestApp();
  const b1 = t.addUser({ username: 'assessor-b', displayName: 'Bola Adeyemi', role: 'assessor' });
  const c1 = t.addUser({ username: 'assessor-c', displayName: 'Ciara Doyle', role: 'assessor' });
  ids = [t.users.assessor, b1, c1];
  iqa = await t.loginAs('iqa');
  a = await t.loginAs('assessor');
  b = await t.login('assessor-b');
  c = await t.login('assessor-c');
  const s = await createSitting(t, a);
  await startSitting(t, a, s.id);
  attemptId = (await startAttempt(t, a, s.id, 1)).currentAttemptId!;
  // The attempt's recorded call.
  const callId = '00000000-0000-4000-8000-00000000ca11';
  t.repos.calls.create({ id: callId, centreId: t.centreId, callerUserId: t.users.assessor, calleeUserId: t.users.candidate, callerExtension: 'a', calleeExtension: 'c', candidateUserId: t.users.candidate, invitedAt: t.clock.now() });
  t.repos.calls.update(callId, { state: 'ended', recordingPath: `${t.dir}/recordings/x.ogg`, recordingStatus: 'complete', recordingDurationMs: 95_000 });
  t.clock.advance(1000);
  await markAttempt(t, a, attemptId, 8);
});
afterAll(async () => {
  await t.close();
});

describe('standardisation', () => {
  it('is set up by the IQA on a marked, recorded attempt with at least two assessors', async () => {
    const few = await call(t, iqa, 'POST', '/api/standardisation', { attemptId, title: 'Spring', assessorUserIds: [ids[0]] });
    expect(few.statusCode).toBe(400);
    expect((await call(t, a, 'POST', '/api/standardisation', { attemptId, title: 'Spring', assessorUserIds: ids })).statusCode).toBe(403);
    const made = await ok<StandardisationResultsView>(t, iqa, 'POST', '/api/standardisation', { attemptId, title: 'Spring standardisation', assessorUserIds: ids }, 201);
    exerciseId = made.id;
    expect(made.assessors.map((x) => x.name)).toEqual(['Test assessor', 'Bola Adeyemi', 'Ciara Doyle']);
    expect(made.overall).toEqual({ agreeing: 0, compared: 0, rate: null });
  });

  it('lets each assessor mark blind: no centre mark, no one else’s marks', async () => {
    const list = await ok<{ exercises: StandardisationSummary[] }>(t, b, 'GET', '/api/standardisation');
    expect(list.exercises).toEqual([expect.objectContaining({ id: exerciseId, participants: 3, submitted: 0, mySubmittedAt: null })]);
    const view = await ok<StandardisationMarkingView>(t, b, 'GET', `/api/standardisation/${exerciseId}`);
    rubric = view.criteria.map((x) => ({ criterionId: x.criterionId, maxMarks: x.maxMarks }));
    expect(view.criteria.every((x) => x.mark === null)).toBe(true);
    expect(view.recordings).toHaveLength(1);
    expect(Object.keys(view).sort()).toEqual(['candidateBrief', 'closedAt', 'criteria', 'id', 'recordings', 'scenarioTitle', 'submittedAt', 'title']);
    expect(Object.keys(view.criteria[0]!).sort()).toEqual(['band', 'comment', 'criterionId', 'description', 'mark', 'maxMarks']);
    expect((await call(t, b, 'GET', `/api/standardisation/${exerciseId}/agreement.csv`)).statusCode).toBe(403);
  });

  it('gives agreement per criterion and per assessor from the submitted marks, and exports it', async () => {
    const centre = new Map(t.repos.attemptMarks.forAttempt(attemptId).map((m) => [m.criterionId, m.mark]));
    // A gives the centre's marks; B the same but one criterion lower; C the same but two criteria lower.
    const lowerable = rubric.filter((r) => (centre.get(r.criterionId) ?? 0) > 0).map((r) => r.criterionId);
    const [x, y] = lowerable;
    const marksOf = (lower: string[]) => rubric.map((r) => ({ criterionId: r.criterionId, mark: (centre.get(r.criterionId) ?? 0) - (lower.includes(r.criterionId) ? 1 : 0) }));
    const partial = await call(t, a, 'PUT', `/api/standardisation/${exerciseId}/marks`, { marks: marksOf([]).slice(0, 2), submit: true });
    expect(partial.statusCode).toBe(400);
    await ok(t, a, 'PUT', `/api/standardisation/${exerciseId}/marks`, { marks: marksOf([]), submit: true });
    await ok(t, b, 'PUT', `/api/standardisation/${exerciseId}/marks`, { marks: marksOf([x!]), submit: true });
    // C's marks count only once submitted.
    await ok(t, c, 'PUT', `/api/standardisation/${exerciseId}/marks`, { marks: marksOf([x!, y!]) });
    let r = await ok<StandardisationResultsView>(t, iqa, 'GET', `/api/standardisation/${exerciseId}`);
    expect(r.assessors.map((s) => s.total)).toEqual([8, 7, null]);
    await ok(t, c, 'PUT', `/api/standardisation/${exerciseId}/marks`, { marks: [], submit: true });
    expect((await call(t, c, 'PUT', `/api/standardisation/${exerciseId}/marks`, { marks: marksOf([]) })).statusCode).toBe(409);

    r = await ok<StandardisationResultsView>(t, iqa, 'GET', `/api/standardisation/${exerciseId}`);
    const n = rubric.length;
    const row = (id: string) => r.criteria.find((k) => k.criterionId === id)!;
    // x: A 1 higher than B and C (pairs: B=C only); y: A=B, C lower; the rest: all three agree.
    expect(row(x!)).toMatchObject({ spread: 1, pairwise: { agreeing: 1, compared: 3 }, withReference: { agreeing: 1, compared: 3 } });
    expect(row(y!)).toMatchObject({ spread: 1, pairwise: { agreeing: 1, compared: 3 }, withReference: { agreeing: 2, compared: 3 } });
    expect(r.overall).toMatchObject({ agreeing: 3 * (n - 2) + 2, compared: 3 * n });
    expect(r.assessors.map((s) => [s.total, s.withReference.agreeing, s.withOthers.agreeing])).toEqual([
      [8, n, 2 * (n - 2) + 1],
      [7, n - 1, 2 * (n - 2) + 2],
      [6, n - 2, 2 * (n - 2) + 1],
    ]);
    expect(r.assessors[0]!.meanDifference).toBeCloseTo((1 + 0.5) / n, 10);

    const csv = await t.app.inject({ method: 'GET', url: `/api/standardisation/${exerciseId}/agreement.csv`, headers: { cookie: iqa.cookie } });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    const lines = csv.body.trim().split('\r\n');
    expect(lines[0]).toBe('Standardisation,Spring standardisation');
    const xLine = lines.find((l) => l.startsWith(`${x},`))!;
    expect(xLine.endsWith(',1,1,3,33.3,1,33.3')).toBe(true);
    expect(lines.find((l) => l.startsWith('Ciara Doyle,'))).toMatch(/^Ciara Doyle,\d{4}-\d\d-\d\dT[^,]+,6,/);
  });

  it('refuses an assessor with a personal interest in the candidate, and closes', async () => {
    await ok(t, c, 'POST', '/api/conflicts', { candidateUserId: t.users.candidate, nature: 'My neighbour.' }, 201);
    const again = await call(t, iqa, 'POST', '/api/standardisation', { attemptId, title: 'Again', assessorUserIds: ids });
    expect(again.statusCode).toBe(400);
    expect(again.json<{ fields: Record<string, string> }>().fields['assessorUserIds.2']).toMatch(/personal interest/);
    const closed = await ok<StandardisationResultsView>(t, iqa, 'POST', `/api/standardisation/${exerciseId}/close`);
    expect(closed.closedAt).toBe(t.clock.now());
    expect((await call(t, iqa, 'POST', `/api/standardisation/${exerciseId}/close`)).statusCode).toBe(409);
  });
});
