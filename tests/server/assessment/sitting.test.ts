// A sitting's result from the whole attempt history: re-takes feeding the grade.
import { describe, expect, it } from 'vitest';
import { DEFAULT_RETAKE_POLICY, type AttemptRecord } from '../../../server/assessment/retakes.js';
import { sittingResult, type SittingAssignment } from '../../../server/assessment/sitting.js';

const T = Date.UTC(2026, 2, 2, 9, 0, 0);
let n = 0;
const att = (centreMark: number | null, extra: Partial<AttemptRecord> = {}): AttemptRecord => ({ attemptId: `a${++n}`, takenAt: T + n * 60_000, centreMark, ...extra });
const sitting = (...marks: Array<Array<number | null>>): SittingAssignment[] => marks.map((ms, i) => ({ assignmentId: `S${i + 1}`, attempts: ms.map((m) => att(m)) }));

describe('sittingResult', () => {
  it('a re-take replacing a 5 turns "no grade yet" into a grade', () => {
    const before = sittingResult(sitting([5], [9], [9], [9]));
    expect(before.result).toMatchObject({ status: 'no-grade', final: false, total: 32, reasons: [{ code: 'below-minimum-retake-open', assignmentId: 'S1' }] });
    const after = sittingResult(sitting([5, 8], [9], [9], [9]));
    expect(after.result).toMatchObject({ status: 'graded', grade: 'Merit', total: 35 });
    expect(after.standings[0]).toMatchObject({ countedAttemptId: expect.any(String), attemptIds: [expect.any(String), expect.any(String)], mark: 8 });
  });
  it('a 5 with a total of 40 after the one re-take is used: final, no grade', () => {
    const r = sittingResult(sitting([4, 5], [12], [12], [11]));
    expect(r.result).toMatchObject({ status: 'no-grade', final: true, total: 40, reasons: [{ code: 'below-minimum', assignmentId: 'S1' }] });
  });
  it('a re-take awaiting its mark leaves the sitting incomplete', () => {
    const r = sittingResult(sitting([5, null], [12], [12], [12]));
    expect(r.result).toMatchObject({ status: 'no-grade', final: false, complete: false, total: 36 });
    expect(r.result.status === 'no-grade' && r.result.reasons[0]!.message).toMatch(/^Assignment S1 is not marked yet \(the re-take \(attempt 2\) is not marked yet\)\.$/);
  });
  it('three assignments, or one never taken: incomplete', () => {
    expect(sittingResult(sitting([12], [12], [12])).result).toMatchObject({ status: 'no-grade', complete: false, reasons: [{ code: 'incomplete' }] });
    expect(sittingResult(sitting([12], [12], [12], [])).result).toMatchObject({ status: 'no-grade', reasons: [{ code: 'incomplete', assignmentId: 'S4' }] });
  });
  it('boundaries through re-takes: 24 Pass and 36 Distinction', () => {
    expect(sittingResult(sitting([3, 6], [6], [6], [6])).result).toMatchObject({ status: 'graded', grade: 'Pass', total: 24 });
    expect(sittingResult(sitting([5, 12], [8], [8], [8])).result).toMatchObject({ status: 'graded', grade: 'Distinction', total: 36 });
  });
  it('with no re-takes allowed, a 5 is final at once', () => {
    const r = sittingResult(sitting([5], [12], [12], [11]), { ...DEFAULT_RETAKE_POLICY, maxRetakes: 0 });
    expect(r.result).toMatchObject({ status: 'no-grade', final: true, total: 40 });
  });
});
