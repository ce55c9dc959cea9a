// Moderated marks over the real API and SQLite: stored beside the centre's marks (never over them),
// a reason for every changed criterion, 0..maxMarks, each change audited in the hash-chained log
// with before/after/reason, and the sitting's result (and the centre's sitting view) using the
// moderated mark. Plus the audit-log route and the moderation sample with a moderator's changes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SittingDetail, ValidationErrorBody } from '../../../server/protocol/assessment.js';
import type { AuditLogPage, ModerationView, SampleView } from '../../../server/protocol/moderation.js';
import { call, createSitting, markAttempt, ok, startAttempt, startSitting, submitSitting } from '../../support/sitting-helpers.js';
import { createTestApp, type Login, type TestApp } from '../../support/test-app.js';

let t: TestApp;
let assessor: Login;
let candidate: Login;
let moderator: Login;
let admin: Login;
let sittingId: string;
const attemptIds: string[] = [];

beforeAll(async () => {
  t = await createTestApp();
  ({ assessor, candidate, moderator, admin } = await t.loginRoles('assessor', 'candidate', 'moderator', 'admin'));
  // A sitting of four assignments, each marked 9 by the centre: 36, a Distinction (boundary 36).
  const sitting = await createSitting(t, assessor);
  sittingId = sitting.id;
  await startSitting(t, assessor, sittingId);
  for (let n = 1; n <= 4; n++) {
    const id = (await startAttempt(t, assessor, sittingId, n)).currentAttemptId!;
    attemptIds.push(id);
    await markAttempt(t, assessor, id, 9);
  }
  await ok(t, assessor, 'POST', `/api/sittings/${sittingId}/end`);
  // Moderation checks a submitted sitting: signed by the assessor, countersigned by the IQA.
  await submitSitting(t, assessor, sittingId);
});
afterAll(async () => {
  await t.close();
});

describe('moderated marks', () => {
  it('shows the centre marks with nothing moderated yet, to staff of the centre', async () => {
    const view = await ok<ModerationView>(t, assessor, 'GET', `/api/attempts/${attemptIds[0]}/moderation`);
    expect(view).toMatchObject({ centreMarked: true, centreTotal: 9, moderatedTotal: null, countedTotal: 9 });
    expect(view.sittingResult).toMatchObject({ status: 'graded', grade: 'Distinction', total: 36 });
    expect(view.criteria.every((c) => c.moderatedMark === null && c.centreMark !== null)).toBe(true);
    expect((await call(t, candidate, 'GET', `/api/attempts/${attemptIds[0]}/moderation`)).statusCode).toBe(403);
  });

  it('needs a reason for every changed criterion, and marks from 0 to maxMarks', async () => {
    const view = await ok<ModerationView>(t, moderator, 'GET', `/api/attempts/${attemptIds[0]}/moderation`);
    const [a, b] = view.criteria.filter((c) => c.centreMark! > 0);
    const res = await call(t, moderator, 'PUT', `/api/attempts/${attemptIds[0]}/moderation`, {
      marks: [
        { criterionId: a!.criterionId, mark: a!.centreMark! - 1 },
        { criterionId: b!.criterionId, mark: b!.maxMarks + 1, reason: 'Too generous.' },
        { criterionId: 'U2-nope', mark: 0, reason: 'x' },
      ],
    });
    expect(res.statusCode).toBe(400);
    const body = res.json<ValidationErrorBody>();
    expect(Object.keys(body.fields).sort()).toEqual(['marks.0.reason', 'marks.1.mark', 'marks.2.criterionId']);
    // Nothing was stored.
    expect(t.repos.moderation.marksFor(attemptIds[0]!)).toEqual([]);
    // The same mark as the centre's needs no reason and changes nothing.
    const same = await ok<ModerationView>(t, moderator, 'PUT', `/api/attempts/${attemptIds[0]}/moderation`, { marks: [{ criterionId: a!.criterionId, mark: a!.centreMark! }] });
    expect(same.moderatedTotal).toBeNull();
  });

  it('stores a moderated mark beside the centre mark, audited, and the sitting result uses it', async () => {
    const before = await ok<ModerationView>(t, moderator, 'GET', `/api/attempts/${attemptIds[0]}/moderation`);
    const c = before.criteria.find((x) => x.centreMark! > 0)!;
    const view = await ok<ModerationView>(t, moderator, 'PUT', `/api/attempts/${attemptIds[0]}/moderation`, {
      marks: [{ criterionId: c.criterionId, mark: c.centreMark! - 1, reason: 'The recording shows no read-back of the postcode.' }],
    });
    const moderated = view.criteria.find((x) => x.criterionId === c.criterionId)!;
    expect(moderated).toMatchObject({ centreMark: c.centreMark, moderatedMark: c.centreMark! - 1, reason: 'The recording shows no read-back of the postcode.', moderatedBy: { name: 'Test moderator' } });
    expect(view).toMatchObject({ centreTotal: 9, moderatedTotal: 8, countedTotal: 8 });
    // 35: Merit now (Distinction starts at 36).
    expect(view.sittingResult).toMatchObject({ status: 'graded', grade: 'Merit', total: 35 });
    // The centre's own mark is untouched.
    expect(t.repos.attemptMarks.forAttempt(attemptIds[0]!).find((m) => m.criterionId === c.criterionId)!.mark).toBe(c.centreMark);
    // Audited in the same chain, with before, after and the reason.
    const rows = t.repos.auditLog.forSubject('attempt', attemptIds[0]!, 'moderated-mark-changed');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      actorUserId: t.users.moderator,
      actorRole: 'moderator',
      before: { criterionId: c.criterionId, centreMark: c.centreMark, mark: null },
      after: { criterionId: c.criterionId, centreMark: c.centreMark, mark: c.centreMark! - 1 },
      reason: 'The recording shows no read-back of the postcode.',
    });
    expect(t.repos.auditLog.verify().ok).toBe(true);
    expect(view.history).toEqual([expect.objectContaining({ criterionId: c.criterionId, before: null, after: c.centreMark! - 1, by: expect.objectContaining({ role: 'moderator' }) })]);

    // The centre sees the outcome: the sitting detail shows the moderated mark and grade.
    const detail = await ok<SittingDetail>(t, assessor, 'GET', `/api/sittings/${sittingId}`);
    expect(detail.assignments[0]!.attempts[0]).toMatchObject({ mark: 8, moderatedMark: 8 });
    expect(detail.assignments[0]!.countedMark).toBe(8);
    expect(detail.result).toMatchObject({ grade: 'Merit', total: 35 });
  });

  it('withdraws a moderation when the centre mark is given back, with its reason audited', async () => {
    const view = await ok<ModerationView>(t, moderator, 'GET', `/api/attempts/${attemptIds[0]}/moderation`);
    const c = view.criteria.find((x) => x.moderatedMark !== null)!;
    const back = await ok<ModerationView>(t, admin, 'PUT', `/api/attempts/${attemptIds[0]}/moderation`, { marks: [{ criterionId: c.criterionId, mark: c.centreMark!, reason: 'Second moderator heard the read-back at 02:10.' }] });
    expect(back).toMatchObject({ moderatedTotal: null, countedTotal: 9 });
    expect(back.sittingResult).toMatchObject({ grade: 'Distinction', total: 36 });
    expect(back.history.map((h) => [h.before, h.after])).toEqual([
      [null, c.centreMark! - 1],
      [c.centreMark! - 1, null],
    ]);
  });

  it('is for moderators and admins only, and only once the centre has finished marking', async () => {
    const view = await ok<ModerationView>(t, moderator, 'GET', `/api/attempts/${attemptIds[1]}/moderation`);
    const body = { marks: [{ criterionId: view.criteria[0]!.criterionId, mark: 0, reason: 'No.' }] };
    expect((await call(t, assessor, 'PUT', `/api/attempts/${attemptIds[1]}/moderation`, body)).statusCode).toBe(403);
    expect((await call(t, candidate, 'PUT', `/api/attempts/${attemptIds[1]}/moderation`, body)).statusCode).toBe(403);
    // An attempt still being marked.
    const other = await createSitting(t, assessor);
    await startSitting(t, assessor, other.id);
    const open = (await startAttempt(t, assessor, other.id, 1)).currentAttemptId!;
    const res = await call(t, moderator, 'PUT', `/api/attempts/${open}/moderation`, body);
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ error: 'not_marked' });
  });
});

describe('the audit log for moderators', () => {
  it('pages newest first, filters by subject, and checks the chain', async () => {
    const page = await ok<AuditLogPage>(t, moderator, 'GET', `/api/audit-log?subjectType=attempt&subjectId=${attemptIds[0]}&limit=2`);
    expect(page.chain).toMatchObject({ ok: true });
    expect(page.entries).toHaveLength(2);
    expect(page.entries[0]!.id).toBeGreaterThan(page.entries[1]!.id);
    expect(page.entries.every((e) => e.subjectId === attemptIds[0])).toBe(true);
    expect(page.entries[0]).toMatchObject({ action: 'moderated-mark-changed', actor: { name: 'Test admin', role: 'admin' } });
    const next = await ok<AuditLogPage>(t, moderator, 'GET', `/api/audit-log?subjectType=attempt&subjectId=${attemptIds[0]}&limit=2&before=${page.nextBefore}`);
    expect(next.entries[0]!.id).toBeLessThan(page.entries[1]!.id);
    expect(next.chain).toBeUndefined();
    expect((await call(t, assessor, 'GET', '/api/audit-log')).statusCode).toBe(403);
  });
});

describe('the moderation sample', () => {
  it('proposes by the rule, and a moderator adds or removes a sitting with a reason (audited)', async () => {
    const view = await ok<SampleView>(t, moderator, 'GET', `/api/moderation/sample?centreId=${t.centreId}`);
    expect(view.of).toBe(1);
    // 36 is on the Distinction boundary: proposed as near-boundary, and for the assessor minimum.
    expect(view.sample).toEqual([expect.objectContaining({ sittingId, source: 'rule', total: 36, grade: 'Distinction', reasons: expect.arrayContaining(['near-boundary']) })]);
    expect(view.sample[0]!.attempts).toHaveLength(4);
    const missing = await call(t, moderator, 'POST', '/api/moderation/sample/remove', { centreId: t.centreId, sittingId, reason: '' });
    expect(missing.statusCode).toBe(400);
    const removed = await ok<SampleView>(t, moderator, 'POST', '/api/moderation/sample/remove', { centreId: t.centreId, sittingId, reason: 'Moderated in person last week.' });
    expect(removed.sample).toEqual([]);
    expect(removed.removed[0]).toMatchObject({ sittingId, overrideReason: 'Moderated in person last week.' });
    expect((await call(t, moderator, 'POST', '/api/moderation/sample/remove', { centreId: t.centreId, sittingId, reason: 'Again.' })).statusCode).toBe(409);
    const added = await ok<SampleView>(t, admin, 'POST', '/api/moderation/sample/add', { centreId: t.centreId, sittingId, reason: 'Back in after all.' });
    expect(added.sample.map((s) => s.sittingId)).toEqual([sittingId]);
    expect(t.repos.auditLog.forSubject('sitting', sittingId).filter((e) => e.action.startsWith('sample-')).map((e) => e.action)).toEqual(['sample-sitting-removed', 'sample-sitting-added']);
    expect((await call(t, assessor, 'GET', `/api/moderation/sample?centreId=${t.centreId}`)).statusCode).toBe(403);
  });
});
