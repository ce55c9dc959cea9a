// The mark sheet PDF and the results CSV carry what an awarding body asks of them (issue 13): the
// qualification code (ASECCS2), the centre number, the candidate number, the identity check, the
// time allowed with extra time, the time actually taken (rest breaks not counted), the access
// arrangements, the overrun of the sitting and of the assignment that ran past time, the override
// reasons, the moderated marks with the moderator's reasons, the result state with the outcome,
// and every signature: who signed what, and when. Read back by content: the PDF through pdftotext,
// the CSV through its header.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModerationView } from '../../../server/protocol/moderation.js';
import { csvRow } from '../../support/csv.js';
import { call, createSitting, markAttempt, ok, startAttempt, startSitting, submitSitting } from '../../support/sitting-helpers.js';
import { createTestApp, type Login, type TestApp } from '../../support/test-app.js';

const MINUTE = 60_000;
let t: TestApp;
let assessor: Login;
let moderator: Login;
let sittingId: string;
let moderated: { criterionId: string; centre: number; moderated: number };

beforeAll(async () => {
  t = await createTestApp();
  assessor = await t.loginAs('assessor');
  const admin = await t.loginAs('admin');
  await ok(t, admin, 'PUT', `/api/centres/${t.centreId}/settings`, { centreNumber: '91234', releaseRule: 'moderated', maxRetakes: 1, overrunPolicy: 'warn', appealWindowDays: 30 });
  await ok(t, admin, 'POST', `/api/users/${t.users.candidate}/candidate-number`, { candidateNumber: '0042' });

  // One hour with 15 minutes' extra time and supervised rest breaks.
  sittingId = (await createSitting(t, assessor, { baseMinutes: 60, extraTime: { kind: 'minutes', minutes: 15 }, restBreaks: true })).id;
  await startSitting(t, assessor, sittingId);
  const attempt = async (n: number, minutes: number, total: number) => {
    const id = (await startAttempt(t, assessor, sittingId, n)).currentAttemptId!;
    t.clock.advance(minutes * MINUTE);
    await markAttempt(t, assessor, id, total);
    return id;
  };
  const first = await attempt(1, 10, 10);
  // A five-minute rest break: the clock stops.
  await ok(t, assessor, 'POST', `/api/sittings/${sittingId}/rest-break`, { action: 'start' });
  t.clock.advance(5 * MINUTE);
  await ok(t, assessor, 'POST', `/api/sittings/${sittingId}/rest-break`, { action: 'end' });
  await attempt(2, 10, 10);
  await attempt(3, 10, 10);
  // Assignment 4 starts at 30 minutes of working time and runs 50: 5 minutes past the 75 allowed.
  await attempt(4, 50, 9);
  // Sessions idle out over the 85 minutes the clock moved: staff log in again, as they would.
  ({ assessor, moderator } = await t.loginRoles('assessor', 'moderator'));
  await ok(t, assessor, 'POST', `/api/sittings/${sittingId}/end`);
  await submitSitting(t, assessor, sittingId);

  const view = await ok<ModerationView>(t, moderator, 'GET', `/api/attempts/${first}/moderation`);
  const c = view.criteria.find((x) => (x.centreMark ?? 0) > 0)!;
  moderated = { criterionId: c.criterionId, centre: c.centreMark!, moderated: c.centreMark! - 1 };
  await ok(t, moderator, 'PUT', `/api/attempts/${first}/moderation`, { marks: [{ criterionId: c.criterionId, mark: moderated.moderated, reason: 'The greeting is not heard on the recording.' }] });
  await ok(t, moderator, 'POST', `/api/sittings/${sittingId}/moderation-outcome`, { outcome: 'adjusted', reason: 'One criterion marked too generously.' });
});
afterAll(async () => {
  await t?.close();
});

describe('the mark sheet PDF', () => {
  let text = '';
  beforeAll(async () => {
    const res = await call(t, assessor, 'GET', `/api/sittings/${sittingId}/mark-sheet.pdf`);
    expect(res.statusCode).toBe(200);
    text = execFileSync('pdftotext', ['-layout', '-', '-'], { input: res.rawPayload }).toString('utf8').replace(/\s+/g, ' ');
  });

  it('names the qualification by its subject code, the centre and candidate by their numbers, and the identity check', () => {
    expect(text).toContain('Pearson LCCI Level 2 Certificate in Contact Centre Skills (VRQ) - Unit 2: Handling Inbound and Outbound Calls');
    expect(text).toContain('Qualification code ASECCS2');
    expect(text).toContain('Centre number 91234');
    expect(text).toContain('Candidate number 0042');
    expect(text).toMatch(/Identity checked Passport, by Test assessor on \d/);
  });

  it('gives the time allowed with the extra time, the time taken without the rest break, the access arrangements and the overrun', () => {
    expect(text).toContain('Time allowed 1 hour 15 minutes (1 hour with 15 minutes extra time)');
    expect(text).toContain('Time taken 1 hour 20 minutes (not counting 5 minutes of rest breaks)');
    expect(text).toContain('Access arrangements 15 minutes extra time; Supervised rest breaks');
    expect(text).toContain('Overrun 5 minutes past the time allowed (at time up the centre warns and records the overrun)');
    // Per assignment: the one that ran past time says by how much, the others none.
    expect(text).toContain('Time taken: 50 minutes. Overrun: 5 minutes past the time allowed.');
    expect(text.match(/Time taken: 10 minutes\. Overrun: none\./g)).toHaveLength(3);
  });

  it('gives the override reasons, the moderated mark with the moderator\u2019s reason, the outcome and the result state', () => {
    expect(text).toMatch(/U2-[\w.-]+: override reason: Heard on the recording\./);
    expect(text).toContain(`${moderated.criterionId}: moderated from ${moderated.centre} to ${moderated.moderated}. Moderator's reason: The greeting is not heard on the recording.`);
    expect(text).toContain('Result state Moderated: marks adjusted');
    expect(text).toContain('Moderation outcome: marks adjusted. Reason: One criterion marked too generously.');
    expect(text).toContain('Total: 38 / 48');
  });

  it('lists every signature: who signed what, and when', () => {
    for (const line of [
      /Candidate: declaration of authenticity at the start: signed electronically by Test candidate \(candidate\) on \d/,
      /Candidate: declaration of authenticity at the end: signed electronically by Test candidate \(candidate\) on \d/,
      /Assessor: mark sheet: signed electronically by Test assessor \(assessor\) on \d/,
      /Internal quality assurer: countersignature: signed electronically by Test iqa \(iqa\) on \d/,
      /Moderator: moderation outcome: signed electronically by Test moderator \(moderator\) on \d/,
    ]) expect(text).toMatch(line);
    expect(text).not.toContain('not signed yet');
  });
});

describe('the results CSV', () => {
  let cell: (name: string) => string;
  beforeAll(async () => {
    const res = await call(t, assessor, 'GET', '/api/results.csv');
    expect(res.statusCode).toBe(200);
    cell = csvRow(res.body, sittingId);
  });

  it('carries the identifiers, the times, the access arrangements and the overrun', () => {
    expect(cell('qualification_code')).toBe('ASECCS2');
    expect(cell('centre_number')).toBe('91234');
    expect(cell('candidate_number')).toBe('0042');
    expect(cell('identity_check')).toMatch(/^Passport, by Test assessor at 2026-/);
    expect(cell('time_allowed_seconds')).toBe(String(75 * 60));
    expect(cell('extra_time')).toBe(String(15 * 60));
    expect(cell('time_taken_seconds')).toBe(String(80 * 60));
    expect(cell('rest_breaks_seconds')).toBe(String(5 * 60));
    expect(cell('access_arrangements')).toBe('15 minutes extra time | Supervised rest breaks');
    expect(cell('overrun_seconds')).toBe(String(5 * 60));
    expect(cell('overrun_policy')).toBe('warn');
    expect([cell('overrun_1_seconds'), cell('overrun_2_seconds'), cell('overrun_3_seconds'), cell('overrun_4_seconds')]).toEqual(['0', '0', '0', '300']);
  });

  it('carries the moderated marks, the override reasons, the outcome and every signature', () => {
    expect(cell('total')).toBe('38');
    expect(cell('centre_total')).toBe('39');
    expect(cell('moderated')).toBe('yes');
    expect(cell('moderated_marks')).toBe(`A1 attempt 1 ${moderated.criterionId}: ${moderated.centre} -> ${moderated.moderated} (The greeting is not heard on the recording.)`);
    expect(cell('override_reasons')).toContain('A4 attempt 1 ');
    expect(cell('override_reasons')).toContain(': Heard on the recording.');
    expect(cell('result_state')).toBe('moderated');
    expect(cell('moderation_outcome')).toBe('adjusted');
    expect(cell('moderation_reason')).toBe('One criterion marked too generously.');
    const signatures = cell('signatures').split(' | ');
    expect(signatures).toHaveLength(5);
    expect(signatures).toEqual(expect.arrayContaining([
      expect.stringMatching(/^Assessor: mark sheet: Test assessor \(assessor\) at 2026-/),
      expect.stringMatching(/^Internal quality assurer: countersignature: Test iqa \(iqa\) at 2026-/),
      expect.stringMatching(/^Moderator: moderation outcome: Test moderator \(moderator\) at 2026-/),
      expect.stringMatching(/^Candidate: declaration of authenticity at the end: Test candidate \(candidate\) at 2026-/),
    ]));
  });
});
