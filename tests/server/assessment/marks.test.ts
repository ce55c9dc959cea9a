// An assignment's mark from per-criterion marks: whole marks within each criterion, every criterion
// marked once, rubric adding up to 12.
import { describe, expect, it } from 'vitest';
import { assignmentMarkFromCriteria, validateRubric } from '../../../server/assessment/marks.js';
import { ruleError } from './support.js';

const rubric = [
  { criterionId: 'U2-1.1-answer-time', maxMarks: 2 },
  { criterionId: 'U2-1.1-verify-id', maxMarks: 2 },
  { criterionId: 'U2-4.2-hold-max-60', maxMarks: 2 },
  { criterionId: 'U2-6.1-accurate-entry', maxMarks: 2 },
  { criterionId: 'U2-6.1-interaction-record', maxMarks: 2 },
  { criterionId: 'U2-7.2-recipients', maxMarks: 2 },
];
const all = (m: number) => rubric.map((c) => ({ criterionId: c.criterionId, marks: m }));

describe('validateRubric', () => {
  it('accepts six criteria of 2 marks', () => expect(() => validateRubric(rubric)).not.toThrow());
  it('refuses a rubric of 11 or 13 marks', () => {
    expect(ruleError(() => validateRubric(rubric.slice(1).concat({ criterionId: 'x', maxMarks: 1 }))).message).toBe("The rubric's criteria add up to 11 marks; an assignment is marked out of 12.");
    expect(ruleError(() => validateRubric([...rubric, { criterionId: 'x', maxMarks: 1 }])).code).toBe('rubric-total');
  });
  it('refuses a repeated id, and 0 or fractional criterion marks', () => {
    expect(ruleError(() => validateRubric([...rubric.slice(0, 5), { ...rubric[0]!, maxMarks: 2 }])).code).toBe('duplicate-criterion');
    expect(ruleError(() => validateRubric([{ criterionId: 'a', maxMarks: 0 }, { criterionId: 'b', maxMarks: 12 }])).path).toBe('rubric[0].maxMarks');
    expect(ruleError(() => validateRubric([{ criterionId: 'a', maxMarks: 1.5 }, { criterionId: 'b', maxMarks: 10.5 }])).code).toBe('bad-criterion-marks');
  });
});

describe('assignmentMarkFromCriteria', () => {
  it('adds the criterion marks: 0, 6 and 12', () => {
    expect(assignmentMarkFromCriteria(all(0), rubric)).toBe(0);
    expect(assignmentMarkFromCriteria(all(1), rubric)).toBe(6);
    expect(assignmentMarkFromCriteria(all(2), rubric)).toBe(12);
  });
  it('refuses a criterion mark above its maximum, negative or fractional', () => {
    for (const bad of [3, -1, 1.5]) {
      const marks = all(1);
      marks[2] = { ...marks[2]!, marks: bad };
      const err = ruleError(() => assignmentMarkFromCriteria(marks, rubric));
      expect(err).toMatchObject({ code: 'bad-criterion-mark', path: 'marks[2].marks' });
      expect(err.message).toBe(`The mark for U2-4.2-hold-max-60 must be a whole number from 0 to 2; got ${bad}.`);
    }
  });
  it('refuses an unknown criterion, a criterion marked twice, and unmarked criteria', () => {
    expect(ruleError(() => assignmentMarkFromCriteria([...all(1), { criterionId: 'U2-9.9-nope', marks: 0 }], rubric)).code).toBe('unknown-criterion');
    expect(ruleError(() => assignmentMarkFromCriteria([...all(1), { criterionId: rubric[0]!.criterionId, marks: 0 }], rubric)).code).toBe('duplicate-criterion');
    const err = ruleError(() => assignmentMarkFromCriteria(all(1).slice(2), rubric));
    expect(err.message).toBe('Not every criterion is marked yet: U2-1.1-answer-time, U2-1.1-verify-id.');
  });
});

describe('what each refusal says, and where', () => {
  const refusal = (fn: () => unknown) => {
    const err = ruleError(fn);
    return { code: err.code, message: err.message, path: err.path };
  };
  it('rubric', () => {
    expect(refusal(() => validateRubric([...rubric.slice(0, 5), { ...rubric[0]!, maxMarks: 2 }]))).toEqual({ code: 'duplicate-criterion', message: 'Rubric criterion U2-1.1-answer-time appears twice.', path: 'rubric[5].criterionId' });
    expect(refusal(() => validateRubric([{ criterionId: 'a', maxMarks: 0 }, { criterionId: 'b', maxMarks: 12 }]))).toEqual({
      code: 'bad-criterion-marks',
      message: 'Rubric criterion a must carry a whole number of marks, at least 1; got 0.',
      path: 'rubric[0].maxMarks',
    });
    expect(refusal(() => validateRubric(rubric.slice(1))).path).toBe('rubric');
  });
  it('marks', () => {
    expect(refusal(() => assignmentMarkFromCriteria([{ criterionId: 'U2-9.9-nope', marks: 0 }, ...all(1)], rubric))).toEqual({
      code: 'unknown-criterion',
      message: "Criterion U2-9.9-nope is not in this scenario's rubric.",
      path: 'marks[0].criterionId',
    });
    expect(refusal(() => assignmentMarkFromCriteria([...all(1), { criterionId: rubric[1]!.criterionId, marks: 0 }], rubric))).toEqual({
      code: 'duplicate-criterion',
      message: 'Criterion U2-1.1-verify-id is marked twice.',
      path: 'marks[6].criterionId',
    });
    const notANumber = all(1).map((m, i) => (i === 0 ? { ...m, marks: '1' as unknown as number } : m));
    expect(refusal(() => assignmentMarkFromCriteria(notANumber, rubric))).toEqual({
      code: 'bad-criterion-mark',
      message: 'The mark for U2-1.1-answer-time must be a whole number from 0 to 2; got 1.',
      path: 'marks[0].marks',
    });
    expect(refusal(() => assignmentMarkFromCriteria(all(1).slice(1), rubric))).toEqual({ code: 'criteria-unmarked', message: 'Not every criterion is marked yet: U2-1.1-answer-time.', path: 'marks' });
  });
});
