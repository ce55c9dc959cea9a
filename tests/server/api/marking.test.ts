// Marking over the real API and SQLite: the marking view (rubric, suggestions, bookmarks),
// validation of a save, override and change reasons, the hash-chained audit trail (and a tampered
// row found by verifyAuditChain), finishing marks, grades over four marked attempts, re-takes with
// the earlier attempt kept, what the candidate sees, the mark sheet PDF and the results CSV.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../../server/db/repositories/audit-log.js';
import type { Bookmark, MarkingView, SittingDetail, SittingSummary, ValidationErrorBody } from '../../../server/protocol/assessment.js';
import { RESULTS_HEADER } from '../../../server/assessment-docs/results-csv.js';
import { csvRow } from '../../support/csv.js';
import { call, createSitting, markAttempt, ok, startAttempt, startSitting } from '../../support/sitting-helpers.js';
import { createTestApp, FOREIGN_ASSESSOR, type Login, type TestApp } from '../../support/test-app.js';

let t: TestApp;
let assessor: Login;
let candidate: Login;
let moderator: Login;
let admin: Login;
let foreignAssessor: Login;

beforeAll(async () => {
  t = await createTestApp();
  t.addUser(FOREIGN_ASSESSOR);
  ({ assessor, candidate, moderator, admin } = await t.loginRoles('assessor', 'candidate', 'moderator', 'admin'));
  foreignAssessor = await t.login('assessor2');
});
afterAll(async () => {
  await t.close();
});

/** A started sitting with assignment 1 open. */
async function sittingWithAttempt(keys?: string[]): Promise<{ sitting: SittingDetail; attemptId: string }> {
  const sitting = await createSitting(t, assessor, {}, keys);
  await startSitting(t, assessor, sitting.id);
  const detail = await startAttempt(t, assessor, sitting.id, 1);
  return { sitting: detail, attemptId: detail.currentAttemptId! };
}

describe('the marking view and bookmarks', () => {
  let attemptId: string;
  let callId: string;
  beforeAll(async () => {
    ({ attemptId } = await sittingWithAttempt());
    // The attempt's call, answered 5 s after it rang.
    const t0 = t.clock.now() + 1000;
    callId = randomUUID();
    t.repos.calls.create({ id: callId, centreId: t.centreId, callerUserId: t.users.assessor, calleeUserId: t.users.candidate, callerExtension: 'a', calleeExtension: 'c', candidateUserId: t.users.candidate, invitedAt: t0 });
    t.repos.calls.update(callId, { state: 'answered', ringingAt: t0 + 100, answeredAt: t0 + 5100 });
    t.clock.advance(20_000);
  });

  it('shows the rubric with suggestions, for staff of the centre only', async () => {
    const view = await ok<MarkingView>(t, assessor, 'GET', `/api/attempts/${attemptId}/marking`);
    expect(view.scenarioKey).toBe('s1');
    expect(view.criteria.reduce((s, c) => s + c.maxMarks, 0)).toBe(12);
    expect(view.criteria.every((c) => c.mark === null && c.comment === '')).toBe(true);
    expect(view.total).toBeNull();
    const answer = view.criteria.find((c) => c.criterionId === 'U2-1.1-answer-time')!;
    expect(answer.suggestion).toMatchObject({ suggestedMarks: 1, evidence: expect.stringMatching(/5(\.0)? ?s/) });
    expect(view.markingStatus).toBe('in-progress');
    expect((await ok<MarkingView>(t, moderator, 'GET', `/api/attempts/${attemptId}/marking`)).attemptId).toBe(attemptId);
    expect((await call(t, candidate, 'GET', `/api/attempts/${attemptId}/marking`)).statusCode).toBe(403);
    expect((await call(t, foreignAssessor, 'GET', `/api/attempts/${attemptId}/marking`)).statusCode).toBe(404);
    expect((await call(t, moderator, 'PUT', `/api/attempts/${attemptId}/marks`, { marks: [] })).statusCode).toBe(403);
  });

  it('stores a bookmark with its offset from the answer and its cue; candidates never see them', async () => {
    const b = await ok<Bookmark>(t, assessor, 'POST', `/api/attempts/${attemptId}/bookmarks`, { note: 'Old mobile raised', cueId: 'old-mobile' }, 201);
    expect(b).toMatchObject({ attemptId, callId, cueId: 'old-mobile', cueWhen: 'While the candidate is confirming her details', note: 'Old mobile raised', by: { id: t.users.assessor, name: 'Test assessor' } });
    expect(b.offsetMs).toBe(20_000 - 1000 - 5100);
    const bad = await call(t, assessor, 'POST', `/api/attempts/${attemptId}/bookmarks`, { note: ' ', cueId: 'no-such-cue' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<ValidationErrorBody>().fields).toHaveProperty('note');
    const badCue = await call(t, assessor, 'POST', `/api/attempts/${attemptId}/bookmarks`, { note: 'x', cueId: 'no-such-cue' });
    expect(badCue.json<ValidationErrorBody>().fields).toHaveProperty('cueId');
    expect((await ok<{ bookmarks: Bookmark[] }>(t, moderator, 'GET', `/api/attempts/${attemptId}/bookmarks`)).bookmarks).toHaveLength(1);
    expect((await call(t, candidate, 'GET', `/api/attempts/${attemptId}/bookmarks`)).statusCode).toBe(403);
    expect((await call(t, candidate, 'POST', `/api/attempts/${attemptId}/bookmarks`, { note: 'x' })).statusCode).toBe(403);
    expect((await ok<MarkingView>(t, assessor, 'GET', `/api/attempts/${attemptId}/marking`)).bookmarks).toHaveLength(1);
  });
});

describe('saving marks', () => {
  let attemptId: string;
  let view: MarkingView;
  beforeAll(async () => {
    ({ attemptId } = await sittingWithAttempt());
    view = await ok<MarkingView>(t, assessor, 'GET', `/api/attempts/${attemptId}/marking`);
  });

  it('refuses bad marks with a message per field and changes nothing', async () => {
    const rowsBefore = t.repos.auditLog.verify().rows;
    const [a, b, c] = view.criteria;
    const res = await call(t, assessor, 'PUT', `/api/attempts/${attemptId}/marks`, {
      marks: [
        { criterionId: 'U2-9.9-nonsense', mark: 1 },
        { criterionId: a!.criterionId, mark: a!.maxMarks + 1, overrideReason: 'x' },
        { criterionId: b!.criterionId, mark: 0.5 },
        { criterionId: c!.criterionId, mark: 0, comment: 'x'.repeat(2001) },
      ],
    });
    expect(res.statusCode).toBe(400);
    const body = res.json<ValidationErrorBody>();
    expect(Object.keys(body.fields).sort()).toEqual(['marks.2.mark', 'marks.3.comment']);
    // Semantic checks come once the shape is right.
    const res2 = await call(t, assessor, 'PUT', `/api/attempts/${attemptId}/marks`, {
      marks: [
        { criterionId: 'U2-9.9-nonsense', mark: 1 },
        { criterionId: a!.criterionId, mark: a!.maxMarks + 1, overrideReason: 'x' },
        { criterionId: b!.criterionId, mark: 0, overrideReason: 'x' },
        { criterionId: b!.criterionId, mark: 0, overrideReason: 'x' },
      ],
      final: true,
    });
    expect(res2.statusCode).toBe(400);
    const fields = res2.json<ValidationErrorBody>().fields;
    expect(fields['marks.0.criterionId']).toMatch(/not in the rubric/);
    expect(fields['marks.1.mark']).toMatch(/from 0 to 1/);
    expect(fields['marks.3.criterionId']).toMatch(/twice/);
    expect(fields['final']).toMatch(/not every criterion/);
    expect(t.repos.attemptMarks.forAttempt(attemptId)).toEqual([]);
    expect(t.repos.auditLog.verify().rows).toBe(rowsBefore);
  });

  it('needs an override reason to depart from a decided suggestion', async () => {
    const decided = view.criteria.find((c) => c.suggestion?.suggestedMarks != null)!;
    expect(decided).toBeDefined();
    const other = decided.suggestion!.suggestedMarks === 0 ? 1 : 0;
    const res = await call(t, assessor, 'PUT', `/api/attempts/${attemptId}/marks`, { marks: [{ criterionId: decided.criterionId, mark: other }] });
    expect(res.statusCode).toBe(400);
    expect(res.json<ValidationErrorBody>().fields).toHaveProperty('marks.0.overrideReason');
    const saved = await ok<MarkingView>(t, assessor, 'PUT', `/api/attempts/${attemptId}/marks`, { marks: [{ criterionId: decided.criterionId, mark: other, overrideReason: 'Did it off the system.' }] });
    expect(saved.criteria.find((c) => c.criterionId === decided.criterionId)).toMatchObject({ mark: other, overrideReason: 'Did it off the system.' });
  });

  it('writes one audit row per change with before, after and reason, and needs a reason to change a saved mark', async () => {
    const c = view.criteria.find((x) => x.suggestion === null || x.suggestion.suggestedMarks === null)!;
    const first = await ok<MarkingView>(t, assessor, 'PUT', `/api/attempts/${attemptId}/marks`, { marks: [{ criterionId: c.criterionId, mark: 1, comment: 'Clear greeting.' }] });
    expect(first.criteria.find((x) => x.criterionId === c.criterionId)).toMatchObject({ mark: 1, comment: 'Clear greeting.' });
    // Same again: no change, no row.
    const rows = t.repos.auditLog.verify().rows;
    await ok(t, assessor, 'PUT', `/api/attempts/${attemptId}/marks`, { marks: [{ criterionId: c.criterionId, mark: 1 }] });
    expect(t.repos.auditLog.verify().rows).toBe(rows);

    const noReason = await call(t, assessor, 'PUT', `/api/attempts/${attemptId}/marks`, { marks: [{ criterionId: c.criterionId, mark: 0 }] });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json<ValidationErrorBody>().fields).toHaveProperty('reason');
    const changed = await ok<MarkingView>(t, assessor, 'PUT', `/api/attempts/${attemptId}/marks`, { marks: [{ criterionId: c.criterionId, mark: 0, comment: 'Greeting missed the company name.' }], reason: 'Listened again.' });
    const history = changed.history.filter((h) => h.criterionId === c.criterionId);
    expect(history).toHaveLength(2);
    expect(history[0]).toMatchObject({ before: null, after: 1, commentBefore: null, commentAfter: 'Clear greeting.', reason: null, by: { id: t.users.assessor, role: 'assessor' } });
    expect(history[1]).toMatchObject({ before: 1, after: 0, commentBefore: 'Clear greeting.', commentAfter: 'Greeting missed the company name.', reason: 'Listened again.' });
    const rowsNow = t.repos.auditLog.forSubject('attempt', attemptId, 'mark-changed');
    expect(rowsNow.at(-1)).toMatchObject({ action: 'mark-changed', actorUserId: t.users.assessor, centreId: t.centreId, before: { criterionId: c.criterionId, mark: 1 }, after: { criterionId: c.criterionId, mark: 0 }, reason: 'Listened again.' });
    // A comment-only change is recorded too.
    await ok(t, assessor, 'PUT', `/api/attempts/${attemptId}/marks`, { marks: [{ criterionId: c.criterionId, mark: 0, comment: 'Greeting lacked the company name.' }] });
    expect(t.repos.auditLog.forSubject('attempt', attemptId, 'mark-changed')).toHaveLength(rowsNow.length + 1);
    expect(t.repos.auditLog.verify()).toMatchObject({ ok: true });
  });

  it('finishes marking with final: closes the attempt and gives it its mark', async () => {
    const done = await markAttempt(t, assessor, attemptId, 9, { reason: 'Full marking.' });
    expect(done).toMatchObject({ total: 9, status: 'closed', markingStatus: 'marked' });
    const sitting = await ok<SittingDetail>(t, assessor, 'GET', `/api/sittings/${done.sittingId}`);
    expect(sitting.assignments[0]!.attempts[0]).toMatchObject({ mark: 9, status: 'closed', markingStatus: 'marked' });
    expect(sitting.assignments[0]!.countedMark).toBe(9);
    expect(sitting.assignments[0]!.retakeAvailable).toBe(false);
    expect(t.repos.auditLog.forSubject('attempt', attemptId).map((e) => e.action)).toEqual(expect.arrayContaining(['marking-finished', 'attempt-closed']));
  });

  it('finds a tampered audit row and names it', () => {
    expect(t.repos.auditLog.verify()).toMatchObject({ ok: true });
    const target = t.repos.auditLog.forSubject('attempt', attemptId, 'mark-changed')[1]!;
    // Behind the triggers' back: a raw connection drops the guard and edits a row.
    const raw = new Database(path.join(t.dir, 'test.sqlite'));
    try {
      raw.exec('DROP TRIGGER audit_log_no_update');
      expect(() => raw.prepare('UPDATE audit_log SET reason = ? WHERE id = ?').run('nothing to see', target.id)).not.toThrow();
      const check = verifyAuditChain(raw.prepare('SELECT * FROM audit_log ORDER BY id').all() as never);
      expect(check).toMatchObject({ ok: false, brokenId: target.id, problem: 'hash-mismatch', message: expect.stringContaining(`row ${target.id} `) });
      expect(t.repos.auditLog.verify()).toMatchObject({ ok: false, brokenId: target.id });
      // A deleted row breaks the link of the row after it.
      raw.exec('DROP TRIGGER audit_log_no_delete');
      raw.prepare('UPDATE audit_log SET reason = ? WHERE id = ?').run(target.reason, target.id);
      expect(t.repos.auditLog.verify()).toMatchObject({ ok: true });
      raw.prepare('DELETE FROM audit_log WHERE id = ?').run(target.id);
      expect(t.repos.auditLog.verify()).toMatchObject({ ok: false, brokenId: target.id + 1, problem: 'prev-hash-mismatch' });
    } finally {
      raw.close();
    }
  });
});

describe('grades over four marked attempts, and re-takes', () => {
  async function fourMarked(totals: number[]): Promise<SittingDetail> {
    const sitting = await createSitting(t, assessor);
    await startSitting(t, assessor, sitting.id);
    for (let n = 1; n <= 4; n++) {
      const d = await startAttempt(t, assessor, sitting.id, n);
      await markAttempt(t, assessor, d.currentAttemptId!, totals[n - 1]!);
    }
    return ok<SittingDetail>(t, assessor, 'GET', `/api/sittings/${sitting.id}`);
  }

  it('6 + 6 + 6 + 6 = 24 is a Pass', async () => {
    const d = await fourMarked([6, 6, 6, 6]);
    expect(d.result).toMatchObject({ status: 'graded', grade: 'Pass', total: 24, complete: true, reasons: [], final: false });
    expect(d.assignments.map((a) => a.countedMark)).toEqual([6, 6, 6, 6]);
    expect(d.assignments.every((a) => !a.retakeAvailable)).toBe(true);
    // No re-take of a mark of 6 or more.
    const refused = await call(t, assessor, 'POST', `/api/sittings/${d.id}/assignments/2/attempts`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().message).toMatch(/at or above the minimum/);
    const ended = await ok<SittingDetail>(t, assessor, 'POST', `/api/sittings/${d.id}/end`);
    expect(ended.result).toMatchObject({ grade: 'Pass', final: true });
  });

  it('12 + 12 + 12 + 5 has no grade while the re-take is open; the re-take keeps the earlier attempt', async () => {
    const d = await fourMarked([12, 12, 12, 5]);
    expect(d.result).toMatchObject({ status: 'no-grade', grade: null, total: 41, complete: true, final: false });
    expect(d.result!.reasons).toEqual([expect.stringMatching(/Assignment 4 \(S3\) scored 5, below the minimum of 6; it may be re-taken/)]);
    expect(d.assignments[3]!.retakeAvailable).toBe(true);
    const first = d.assignments[3]!.attempts[0]!.attemptId;

    // The candidate sees no mark and no result yet: the centre releases results after moderation (the default rule).
    const mine = await ok<SittingDetail>(t, candidate, 'GET', `/api/sittings/${d.id}`);
    expect(mine.assignments.map((a) => a.attempts[0]!.mark)).toEqual([null, null, null, null]);
    expect(mine.result).toBeUndefined();
    expect(mine.assignments.some((a) => a.retakeAvailable)).toBe(false);

    const retake = await startAttempt(t, assessor, d.id, 4);
    const attempts = retake.assignments[3]!.attempts;
    expect(attempts).toHaveLength(2);
    expect(attempts[0]).toMatchObject({ attemptId: first, mark: 5, status: 'closed' });
    expect(attempts[1]).toMatchObject({ number: 2, variant: 'b', status: 'open', mark: null, note: expect.stringMatching(/on variant b/) });
    expect(t.repos.attempts.findById(attempts[1]!.attemptId)!.retakeOf).toBe(first);
    expect(retake.result!.reasons[0]).toMatch(/not marked yet/);
    expect(retake.assignments[3]!.countedMark).toBeNull();

    // The re-taken attempt cannot be lifted to 6 afterwards: the re-take would have had no grounds.
    const lift = await call(t, assessor, 'PUT', `/api/attempts/${first}/marks`, {
      marks: (await ok<MarkingView>(t, assessor, 'GET', `/api/attempts/${first}/marking`)).criteria.map((c) => ({ criterionId: c.criterionId, mark: c.maxMarks, overrideReason: 'x' })),
      reason: 'Second thoughts.',
    });
    expect(lift.statusCode).toBe(409);

    await markAttempt(t, assessor, attempts[1]!.attemptId, 7);
    const after = await ok<SittingDetail>(t, assessor, 'GET', `/api/sittings/${d.id}`);
    expect(after.result).toMatchObject({ status: 'graded', grade: 'Distinction', total: 43 });
    expect(after.assignments[3]!.countedMark).toBe(7);
    // The limit (one re-take) is reached.
    expect(after.assignments[3]!.retakeAvailable).toBe(false);
  });

  it('a re-take also below 6 with none left is a fail, final', async () => {
    const d = await fourMarked([6, 6, 6, 2]);
    const r = await startAttempt(t, assessor, d.id, 4);
    await markAttempt(t, assessor, r.currentAttemptId!, 3);
    const after = await ok<SittingDetail>(t, assessor, 'GET', `/api/sittings/${d.id}`);
    expect(after.result).toMatchObject({ status: 'no-grade', final: true, total: 21 });
    expect(after.result!.reasons[0]).toMatch(/no re-take is left/);
    const again = await call(t, assessor, 'POST', `/api/sittings/${d.id}/assignments/4/attempts`);
    expect(again.statusCode).toBe(409);
    expect(again.json().message).toMatch(/re-take/);
    // Not released to the candidate before moderation, fail or not.
    const list = await ok<{ sittings: SittingSummary[] }>(t, candidate, 'GET', '/api/sittings');
    expect(list.sittings.find((s) => s.id === d.id)!.result).toBeUndefined();
  });
});

describe('the mark sheet and the results export', () => {
  let sitting: SittingDetail;
  beforeAll(async () => {
    ({ assessor, candidate, moderator, admin } = await t.loginRoles('assessor', 'candidate', 'moderator', 'admin'));
    foreignAssessor = await t.login('assessor2');
    sitting = await createSitting(t, assessor, { scheduledFor: Date.UTC(2026, 0, 5, 9) });
    await startSitting(t, assessor, sitting.id);
    for (const [n, total] of [[1, 8], [2, 7], [3, 9], [4, 6]] as const) {
      const d = await startAttempt(t, assessor, sitting.id, n);
      await markAttempt(t, assessor, d.currentAttemptId!, total);
    }
    await ok(t, assessor, 'POST', `/api/sittings/${sitting.id}/end`);
  });

  it('prints the mark sheet: centre, people, criteria marks and comments, totals and grade', async () => {
    const res = await call(t, assessor, 'GET', `/api/sittings/${sitting.id}/mark-sheet.pdf`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    const text = execFileSync('pdftotext', ['-layout', '-', '-'], { input: res.rawPayload }).toString('utf8').replace(/\s+/g, ' ');
    for (const expected of ['Candidate Mark Sheet', 'Northgate College', 'Test candidate', 'Test assessor', 'Assignment 1: S1', 'Assignment 4: S3', 'U2-1.1-answer-time', 'Comment on U2-1.1-answer-time', 'Assignment total: 8 / 12', 'Total: 30 / 48', 'Grade: Merit', 'Signatures', 'Assessor: not signed yet.']) {
      expect(text).toContain(expected);
    }
    expect((await call(t, moderator, 'GET', `/api/sittings/${sitting.id}/mark-sheet.pdf`)).statusCode).toBe(200);
    expect((await call(t, candidate, 'GET', `/api/sittings/${sitting.id}/mark-sheet.pdf`)).statusCode).toBe(403);
    expect((await call(t, foreignAssessor, 'GET', `/api/sittings/${sitting.id}/mark-sheet.pdf`)).statusCode).toBe(404);
  });

  it('exports one CSV row per sitting of the centre, quoted per RFC 4180 and safe from formula injection', async () => {
    const evilId = t.addUser({ username: 'evil', displayName: '=HYPERLINK("http://x","Click, me")', role: 'candidate' });
    const s2 = await ok<SittingDetail>(t, assessor, 'POST', '/api/sittings', { candidateUserId: evilId, scenarioKeys: ['s1', 's2', 's3', 's4'] }, 201);
    const res = await call(t, assessor, 'GET', '/api/results.csv');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toMatch(/attachment; filename="callmark-results-\d{4}-\d{2}-\d{2}\.csv"/);
    const lines = res.body.split('\r\n');
    expect(lines.at(-1)).toBe('');
    expect(lines[0]!.split(',')).toEqual([...RESULTS_HEADER]);
    const cell = csvRow(res.body, sitting.id);
    expect(['centre', 'candidate', 'candidate_username', 'assessor', 'scheduled_for'].map(cell)).toEqual(['Northgate College', 'Test candidate', 'candidate1', 'Test assessor', '2026-01-05T09:00:00.000Z']);
    expect(['assignment_1', 'mark_1', 'assignment_2', 'mark_2', 'assignment_3', 'mark_3', 'assignment_4', 'mark_4', 'total', 'centre_total', 'moderated_total', 'moderated', 'grade', 'sitting_status', 'result'].map(cell)).toEqual(['S1', '8', 'S4', '7', 'S5', '9', 'S3', '6', '30', '30', '', 'no', 'Merit', 'ended', 'graded']);
    const evilRow = lines.find((l) => l.startsWith(s2.id))!;
    expect(evilRow).toContain(`,"'=HYPERLINK(""http://x"",""Click, me"")",evil,`);
    expect(evilRow).toContain(',scheduled,incomplete,');
    // One row per sitting of the centre, none of another centre.
    const centreSittings = t.repos.sittings.list({ centreId: t.centreId }).length;
    expect(lines.length - 2).toBe(centreSittings);
    const foreign = await call(t, foreignAssessor, 'GET', '/api/results.csv');
    expect(foreign.body).not.toContain(sitting.id);
    expect((await call(t, candidate, 'GET', '/api/results.csv')).statusCode).toBe(403);
    expect((await call(t, admin, 'GET', `/api/results.csv?centreId=${t.foreignCentreId}`)).body).not.toContain(sitting.id);
  });
});
