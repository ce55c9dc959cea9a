// An assignment's mark from the assessor's per-criterion marks (issue 5: "12 marks in all, per
// criterion with a comment"; digest 4.0 "Rubric": criteria whose marks add up to 12).

import { AssessmentRuleError } from './errors.js';
import { UNIT2_GRADES, validateAssignmentMark, type GradeConfig } from './grades.js';
import type { RubricCriterion } from './types.js';

export interface CriterionMark {
  criterionId: string;
  marks: number;
}

/** Throws unless the rubric has distinct ids, whole positive marks and adds up to maxMark (12). */
export function validateRubric(rubric: readonly RubricCriterion[], cfg: GradeConfig = UNIT2_GRADES): void {
  const seen = new Set<string>();
  rubric.forEach((c, i) => {
    if (seen.has(c.criterionId)) throw new AssessmentRuleError('duplicate-criterion', `Rubric criterion ${c.criterionId} appears twice.`, `rubric[${i}].criterionId`);
    seen.add(c.criterionId);
    if (!Number.isInteger(c.maxMarks) || c.maxMarks < 1) {
      throw new AssessmentRuleError('bad-criterion-marks', `Rubric criterion ${c.criterionId} must carry a whole number of marks, at least 1; got ${c.maxMarks}.`, `rubric[${i}].maxMarks`);
    }
  });
  const sum = rubric.reduce((s, c) => s + c.maxMarks, 0);
  if (sum !== cfg.maxMark) throw new AssessmentRuleError('rubric-total', `The rubric's criteria add up to ${sum} marks; an assignment is marked out of ${cfg.maxMark}.`, 'rubric');
}

/**
 * The assignment mark: the sum of one mark per rubric criterion, each a whole number from 0 to
 * that criterion's marks. Every criterion must be marked exactly once; unknown ids are refused.
 */
export function assignmentMarkFromCriteria(marks: readonly CriterionMark[], rubric: readonly RubricCriterion[], cfg: GradeConfig = UNIT2_GRADES): number {
  validateRubric(rubric, cfg);
  const byId = new Map(rubric.map((c) => [c.criterionId, c]));
  const given = new Set<string>();
  let sum = 0;
  marks.forEach((m, i) => {
    const criterion = byId.get(m.criterionId);
    if (!criterion) throw new AssessmentRuleError('unknown-criterion', `Criterion ${m.criterionId} is not in this scenario's rubric.`, `marks[${i}].criterionId`);
    if (given.has(m.criterionId)) throw new AssessmentRuleError('duplicate-criterion', `Criterion ${m.criterionId} is marked twice.`, `marks[${i}].criterionId`);
    given.add(m.criterionId);
    if (typeof m.marks !== 'number' || !Number.isInteger(m.marks) || m.marks < 0 || m.marks > criterion.maxMarks) {
      throw new AssessmentRuleError(
        'bad-criterion-mark',
        `The mark for ${m.criterionId} must be a whole number from 0 to ${criterion.maxMarks}; got ${String(m.marks)}.`,
        `marks[${i}].marks`,
      );
    }
    sum += m.marks;
  });
  const unmarked = rubric.filter((c) => !given.has(c.criterionId)).map((c) => c.criterionId);
  if (unmarked.length) throw new AssessmentRuleError('criteria-unmarked', `Not every criterion is marked yet: ${unmarked.join(', ')}.`, 'marks');
  return validateAssignmentMark(sum, cfg);
}
