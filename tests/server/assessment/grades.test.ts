// Unit 2 marks and grade bands (digest 1.2): every band boundary, the 6-mark minimum, incomplete
// sittings and the precise refusal of impossible marks.
import { describe, expect, it } from 'vitest';
import { gradeForTotal, UNIT2_GRADES, unit2Result, validateAssignmentMark, validateGradeConfig, type CountedMark } from '../../../server/assessment/grades.js';
import { ruleError } from './support.js';

const counted = (...marks: Array<number | null>): CountedMark[] => marks.map((mark, i) => ({ assignmentId: `A${i + 1}`, mark }));

describe('the Unit 2 numbers', () => {
  it('are the digest 1.2 numbers', () => {
    expect(UNIT2_GRADES).toEqual({ assignments: 4, maxMark: 12, minMark: 6, pass: 24, merit: 29, distinction: 36 });
  });
  it('put each boundary at its percentage of 48 rounded up (digest 1.2 arithmetic check)', () => {
    expect(Math.ceil(0.5 * 48)).toBe(UNIT2_GRADES.pass);
    expect(Math.ceil(0.6 * 48)).toBe(UNIT2_GRADES.merit);
    expect(Math.ceil(0.75 * 48)).toBe(UNIT2_GRADES.distinction);
    expect(UNIT2_GRADES.assignments * UNIT2_GRADES.maxMark).toBe(48);
  });
});

describe('gradeForTotal', () => {
  it.each([
    [0, null],
    [23, null],
    [24, 'Pass'],
    [28, 'Pass'],
    [29, 'Merit'],
    [35, 'Merit'],
    [36, 'Distinction'],
    [48, 'Distinction'],
  ] as const)('total %i → %s', (total, grade) => {
    expect(gradeForTotal(total)).toBe(grade);
  });
  it('gives every total from 0 to 48 exactly one band, matching the printed ranges', () => {
    for (let t = 0; t <= 48; t++) {
      const printed = t >= 36 && t <= 48 ? 'Distinction' : t >= 29 && t <= 35 ? 'Merit' : t >= 24 && t <= 28 ? 'Pass' : null;
      expect(gradeForTotal(t), `total ${t}`).toBe(printed);
    }
  });
  it.each([49, -1, 23.5, Number.NaN, Infinity])('refuses the total %s', (t) => {
    const err = ruleError(() => gradeForTotal(t));
    expect(err.code).toBe('total-out-of-range');
    expect(err.message).toContain('from 0 to 48');
  });
});

describe('validateAssignmentMark', () => {
  it.each([0, 1, 5, 6, 11, 12])('accepts %i', (m) => expect(validateAssignmentMark(m)).toBe(m));
  it.each([
    [13, 'mark-out-of-range', 'got 13'],
    [-1, 'mark-out-of-range', 'got -1'],
    [12.5, 'mark-not-integer', 'got 12.5, which is not whole'],
    [5.999, 'mark-not-integer', 'not whole'],
    [Number.NaN, 'mark-not-number', 'got NaN'],
    ['6', 'mark-not-number', 'the text "6"'],
    [null, 'mark-not-number', 'got null'],
    [undefined, 'mark-not-number', 'got undefined'],
  ] as const)('refuses %s with %s', (m, code, text) => {
    const err = ruleError(() => validateAssignmentMark(m, UNIT2_GRADES, 'mark of S3'));
    expect(err.code).toBe(code);
    expect(err.message).toContain(text);
    expect(err.message).toContain('mark of S3');
    expect(err.path).toBe('mark of S3');
  });
});

describe('unit2Result: totals over four assignments', () => {
  it.each([
    [[6, 6, 6, 6], 24, 'Pass'],
    [[7, 7, 7, 7], 28, 'Pass'],
    [[8, 7, 7, 7], 29, 'Merit'],
    [[9, 9, 9, 8], 35, 'Merit'],
    [[9, 9, 9, 9], 36, 'Distinction'],
    [[12, 12, 12, 12], 48, 'Distinction'],
    [[6, 6, 12, 12], 36, 'Distinction'],
  ] as const)('%j → %i, %s', (marks, total, grade) => {
    const r = unit2Result(counted(...marks));
    expect(r).toMatchObject({ status: 'graded', grade, total });
  });

  it('total 23 can only come from an assignment under 6: no grade for the minimum, not for the band', () => {
    const r = unit2Result(counted(5, 6, 6, 6));
    expect(r).toMatchObject({ status: 'no-grade', total: 23, complete: true, reasons: [{ code: 'below-minimum' }] });
    expect(r.status === 'no-grade' && r.reasons).toHaveLength(1);
  });

  it('total 23 with every assignment at the minimum is below Pass (only reachable with another configuration)', () => {
    const cfg = { ...UNIT2_GRADES, minMark: 5 };
    const r = unit2Result(counted(5, 6, 6, 6), cfg);
    expect(r).toMatchObject({ status: 'no-grade', final: true, total: 23, reasons: [{ code: 'below-pass' }] });
    expect(unit2Result(counted(6, 6, 6, 6), cfg)).toMatchObject({ status: 'graded', grade: 'Pass', total: 24 });
  });

  it('a 5 in one assignment with a total of 40: no grade, reason names the assignment and the minimum', () => {
    const marks: CountedMark[] = [
      { assignmentId: 'S1', mark: 12 },
      { assignmentId: 'S3', mark: 5, retakeAvailable: true },
      { assignmentId: 'S4', mark: 12 },
      { assignmentId: 'S5', mark: 11 },
    ];
    const open = unit2Result(marks);
    expect(open).toMatchObject({ status: 'no-grade', total: 40, final: false });
    expect(open.status === 'no-grade' && open.reasons).toEqual([{ code: 'below-minimum-retake-open', assignmentId: 'S3', message: 'Assignment S3 scored 5, below the minimum of 6; it may be re-taken.' }]);

    const closed = unit2Result(marks.map((m) => ({ ...m, retakeAvailable: false })));
    expect(closed).toMatchObject({ status: 'no-grade', final: true, total: 40 });
    expect(closed.status === 'no-grade' && closed.reasons).toEqual([{ code: 'below-minimum', assignmentId: 'S3', message: 'Assignment S3 scored 5, below the minimum of 6, and no re-take is left.' }]);
  });

  it('6 is enough and 5 is not, in any position', () => {
    for (let i = 0; i < 4; i++) {
      const six = [12, 12, 12, 12];
      six[i] = 6;
      expect(unit2Result(counted(...six)).status).toBe('graded');
      const five = [12, 12, 12, 12];
      five[i] = 5;
      expect(unit2Result(counted(...five)).status).toBe('no-grade');
    }
  });

  it('0 in an assignment is a valid mark, below the minimum', () => {
    expect(unit2Result(counted(0, 12, 12, 12))).toMatchObject({ status: 'no-grade', total: 36, reasons: [{ code: 'below-minimum', assignmentId: 'A1' }] });
  });

  it('lists every assignment below the minimum', () => {
    const r = unit2Result(counted(5, 4, 12, 12));
    expect(r.status === 'no-grade' && r.reasons.map((x) => x.assignmentId)).toEqual(['A1', 'A2']);
  });
});

describe('unit2Result: incomplete sittings', () => {
  it('three marked assignments: incomplete, with the partial total, not final', () => {
    const r = unit2Result(counted(12, 12, 12));
    expect(r).toMatchObject({ status: 'no-grade', final: false, complete: false, total: 36 });
    expect(r.status === 'no-grade' && r.reasons).toEqual([{ code: 'incomplete', message: 'Only 3 of the 4 assignments are in the sitting; 1 more must be taken.' }]);
  });
  it('no assignments at all', () => {
    expect(unit2Result([])).toMatchObject({ status: 'no-grade', final: false, complete: false, total: 0, reasons: [{ code: 'incomplete' }] });
  });
  it('four chosen, one not marked yet: incomplete naming it', () => {
    const r = unit2Result([...counted(12, 12, 12), { assignmentId: 'S6', mark: null, pendingNote: 'the re-take (attempt 2, x) is not marked yet' }]);
    expect(r).toMatchObject({ status: 'no-grade', final: false, complete: false, total: 36 });
    expect(r.status === 'no-grade' && r.reasons).toEqual([
      { code: 'incomplete', assignmentId: 'S6', message: 'Assignment S6 is not marked yet (the re-take (attempt 2, x) is not marked yet).' },
    ]);
  });
  it('incomplete but already failed (a 4 with no re-take left) is final', () => {
    const r = unit2Result([{ assignmentId: 'S1', mark: 4, retakeAvailable: false }, ...counted(12, null)]);
    expect(r).toMatchObject({ status: 'no-grade', final: true, complete: false });
    expect(r.status === 'no-grade' && r.reasons.map((x) => x.code).sort()).toEqual(['below-minimum', 'incomplete', 'incomplete']);
  });
});

describe('unit2Result refuses impossible input', () => {
  it('a fifth counted assignment', () => {
    const err = ruleError(() => unit2Result(counted(12, 12, 12, 12, 12)));
    expect(err.code).toBe('too-many-assignments');
    expect(err.message).toBe('A sitting counts exactly 4 assignments; got 5 (A1, A2, A3, A4, A5).');
  });
  it('the same assignment twice', () => {
    const err = ruleError(() => unit2Result([{ assignmentId: 'S1', mark: 9 }, { assignmentId: 'S1', mark: 9 }]));
    expect(err).toMatchObject({ code: 'duplicate-assignment', path: 'counted[1].assignmentId' });
  });
  it.each([13, -1, 7.5])('a counted mark of %s', (m) => {
    const err = ruleError(() => unit2Result(counted(12, 12, 12, m)));
    expect(err.message).toContain('mark of assignment A4');
  });
});

describe('validateGradeConfig', () => {
  it('accepts the Unit 2 numbers', () => expect(() => validateGradeConfig(UNIT2_GRADES)).not.toThrow());
  it.each([
    [{ assignments: 0 }, 'assignments must be a whole number of at least 1'],
    [{ maxMark: 12.5 }, 'maxMark must be a whole number'],
    [{ minMark: 13 }, 'minMark 13 is above maxMark 12'],
    [{ merit: 24 }, 'boundaries must rise'],
    [{ distinction: 49 }, 'distinction <= 48'],
  ])('refuses %j', (patch, text) => {
    const err = ruleError(() => validateGradeConfig({ ...UNIT2_GRADES, ...patch }));
    expect(err.code).toBe('bad-grade-config');
    expect(err.message).toContain(text);
  });
});
