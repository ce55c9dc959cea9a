// One result everywhere (issue 11): after a moderator lowers one criterion of an ended sitting, the
// mark sheet PDF (its text, by pdftotext), the sittings list and detail, the moderation sample
// list, the candidate's own view and the results CSV all show the same marks that count: per
// criterion (centre, moderated, counts), per assignment and in total, with the centre's own
// total beside them. The bug seen: "Mark that counts: 9 / 12" over a criteria table and an
// "Assignment total" of 10 / 12, and a sample list at 41/48 while the sittings table said 40/48.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SittingDetail, SittingSummary } from '../../../server/protocol/assessment.js';
import type { ModerationView, SampleView } from '../../../server/protocol/moderation.js';
import { csvRow } from '../../support/csv.js';
import { call, createSitting, markAttempt, ok, startAttempt, startSitting, submitSitting } from '../../support/sitting-helpers.js';
import { createTestApp, type Login, type TestApp } from '../../support/test-app.js';

let t: TestApp;
let assessor: Login;
let candidate: Login;
let moderator: Login;
let sittingId: string;
const attemptIds: string[] = [];
/** The criterion the moderator lowers on assignment 1, and its marks. */
let changed: { criterionId: string; centre: number; moderated: number; maxMarks: number };

beforeAll(async () => {
  t = await createTestApp();
  ({ assessor, candidate, moderator } = await t.loginRoles('assessor', 'candidate', 'moderator'));
  const sitting = await createSitting(t, assessor);
  sittingId = sitting.id;
  await startSitting(t, assessor, sittingId);
  // 10 + 10 + 10 + 11 = 41, a Distinction by the centre's marks.
  for (const [n, total] of [[1, 10], [2, 10], [3, 10], [4, 11]] as const) {
    const id = (await startAttempt(t, assessor, sittingId, n)).currentAttemptId!;
    attemptIds.push(id);
    await markAttempt(t, assessor, id, total);
  }
  await ok(t, assessor, 'POST', `/api/sittings/${sittingId}/end`);
  // Signed by the assessor and countersigned by the IQA: moderation comes next.
  await submitSitting(t, assessor, sittingId);
  // The moderator takes one mark off one criterion of assignment 1: 9 / 12, 40 / 48.
  const view = await ok<ModerationView>(t, moderator, 'GET', `/api/attempts/${attemptIds[0]}/moderation`);
  const c = view.criteria.find((x) => (x.centreMark ?? 0) > 0)!;
  changed = { criterionId: c.criterionId, centre: c.centreMark!, moderated: c.centreMark! - 1, maxMarks: c.maxMarks };
  await ok(t, moderator, 'PUT', `/api/attempts/${attemptIds[0]}/moderation`, { marks: [{ criterionId: c.criterionId, mark: changed.moderated, reason: 'No identity check is heard on the recording.' }] });
  // Signed off as adjusted: the result is released to the candidate (the default release rule).
  await ok(t, moderator, 'POST', `/api/sittings/${sittingId}/moderation-outcome`, { outcome: 'adjusted', reason: 'One criterion marked too generously.' });
});
afterAll(async () => {
  await t?.close();
});

describe('one result everywhere after moderation', () => {
  it('the mark sheet PDF: each criterion with the centre mark, the moderated mark and the one that counts, and the same totals', async () => {
    const res = await call(t, assessor, 'GET', `/api/sittings/${sittingId}/mark-sheet.pdf`);
    expect(res.statusCode).toBe(200);
    const layout = execFileSync('pdftotext', ['-layout', '-', '-'], { input: res.rawPayload }).toString('utf8');
    const text = layout.replace(/\s+/g, ' ');
    // Assignment 1: the mark that counts, the attempt and its total agree.
    expect(text).toContain('Mark that counts: 9 / 12');
    expect(text).toMatch(/Attempt 1 \(variant a\), started .*?: total 9 \/ 12 after moderation \(counts\)/);
    expect(text).toContain('Assignment total: 9 / 12 Centre mark 10 / 12, moderated mark 9 / 12: the moderated mark counts.');
    const first = text.slice(text.indexOf('Assignment 1:'), text.indexOf('Assignment 2:'));
    expect(first).not.toMatch(/total:? 10 \/ 12/);
    // The changed criterion's row: centre, moderated, counts of max.
    const row = layout.split('\n').find((l) => l.includes(`${changed.criterionId}:`))!;
    expect(row.replace(/\s+/g, ' ')).toMatch(new RegExp(` ${changed.centre} ${changed.moderated} ${changed.moderated} ?/ ?${changed.maxMarks} `));
    expect(text).toContain('Centre Moderated Counts');
    expect(text).toContain('Total: 40 / 48');
    expect(text).toContain("After moderation. The centre's total before moderation: 41 / 48.");
    expect(text).toContain('Grade: Distinction');
  });

  it('the sittings list and detail (assessor and moderator) and the candidate\u2019s own view', async () => {
    for (const who of [assessor, moderator, candidate]) {
      const list = await ok<{ sittings: SittingSummary[] }>(t, who, 'GET', '/api/sittings');
      expect(list.sittings.find((s) => s.id === sittingId)!.result).toMatchObject({ status: 'graded', grade: 'Distinction', total: 40, centreTotal: 41, moderated: true });
      const detail = await ok<SittingDetail>(t, who, 'GET', `/api/sittings/${sittingId}`);
      expect(detail.result).toMatchObject({ total: 40, centreTotal: 41, moderated: true });
      expect(detail.assignments.map((a) => a.countedMark)).toEqual([9, 10, 10, 11]);
      expect(detail.assignments[0]!.attempts[0]).toMatchObject({ mark: 9, centreMark: 10, moderatedMark: 9 });
    }
    const view = await ok<ModerationView>(t, moderator, 'GET', `/api/attempts/${attemptIds[0]}/moderation`);
    expect(view).toMatchObject({ centreTotal: 10, moderatedTotal: 9, countedTotal: 9, sittingResult: { total: 40, centreTotal: 41 } });
  });

  it('the moderation sample list shows the same total, the centre\u2019s beside it', async () => {
    const sample = await ok<SampleView>(t, moderator, 'GET', `/api/moderation/sample?centreId=${t.centreId}`);
    const entry = [...sample.sample, ...sample.removed].find((s) => s.sittingId === sittingId)!;
    expect(entry).toMatchObject({ total: 40, grade: 'Distinction', centreTotal: 41, centreGrade: 'Distinction', moderated: true });
  });

  it('the results CSV: the marks that count, both totals and the moderated flag', async () => {
    const res = await call(t, assessor, 'GET', '/api/results.csv');
    const cell = csvRow(res.body, sittingId);
    expect([cell('mark_1'), cell('mark_2'), cell('mark_3'), cell('mark_4')]).toEqual(['9', '10', '10', '11']);
    expect(cell('total')).toBe('40');
    expect(cell('centre_total')).toBe('41');
    expect(cell('moderated_total')).toBe('40');
    expect(cell('moderated')).toBe('yes');
    expect(cell('grade')).toBe('Distinction');
  });
});
