// Standardisation agreement figures on a case built and worked out by hand:
//
//   criterion (max)   A   B   C   reference
//   c1 (2)            2   2   1   2
//   c2 (3)            3   2   2   2
//   c3 (1)            1   1   1   0
//
// Pairs per criterion (AB, AC, BC): c1 1 of 3 agree, c2 1 of 3, c3 3 of 3; overall 5 of 9.
// With the reference: c1 A,B (2 of 3), c2 B,C (2 of 3), c3 none (0 of 3).
// Per assessor, marks equal to another's: A 3 of 6 (c1 B, c3 B C), B 4 of 6, C 3 of 6;
// with the reference: A 1 of 3, B 2 of 3, C 1 of 3;
// mean difference from the others' mean: A (0.5 + 1 + 0)/3 = 0.5, B (0.5 − 0.5 + 0)/3 = 0,
// C (−1 − 0.5 + 0)/3 = −0.5. Totals A 6, B 5, C 4; reference 4.
import { describe, expect, it } from 'vitest';
import { AssessmentRuleError } from '../../../server/assessment/errors.js';
import { standardisationFigures } from '../../../server/assessment/standardisation.js';

const criteria = [
  { criterionId: 'c1', maxMarks: 2 },
  { criterionId: 'c2', maxMarks: 3 },
  { criterionId: 'c3', maxMarks: 1 },
];
const A = 11;
const B = 12;
const C = 13;
const marks = new Map([
  [A, new Map([['c1', 2], ['c2', 3], ['c3', 1]])],
  [B, new Map([['c1', 2], ['c2', 2], ['c3', 1]])],
  [C, new Map([['c1', 1], ['c2', 2], ['c3', 1]])],
]);
const reference = new Map([['c1', 2], ['c2', 2], ['c3', 0]]);

describe('standardisationFigures', () => {
  const f = standardisationFigures(criteria, marks, reference);

  it('gives pairwise agreement, spread and agreement with the reference per criterion', () => {
    expect(f.criteria.map((c) => [c.criterionId, c.pairwise.agreeing, c.pairwise.compared, c.spread, c.withReference.agreeing, c.withReference.compared])).toEqual([
      ['c1', 1, 3, 1, 2, 3],
      ['c2', 1, 3, 1, 2, 3],
      ['c3', 3, 3, 0, 0, 3],
    ]);
    expect(f.criteria[0]!.marks).toEqual([2, 2, 1]);
    expect(f.criteria[2]!.pairwise.rate).toBe(1);
    expect(f.overall).toEqual({ agreeing: 5, compared: 9, rate: 5 / 9 });
  });

  it('gives agreement with the others and the reference, and the mean difference, per assessor', () => {
    expect(f.assessors.map((a) => [a.assessorId, a.total, a.withOthers.agreeing, a.withOthers.compared, a.withReference.agreeing, a.withReference.compared])).toEqual([
      [A, 6, 3, 6, 1, 3],
      [B, 5, 4, 6, 2, 3],
      [C, 4, 3, 6, 1, 3],
    ]);
    expect(f.assessors[0]!.meanDifference).toBeCloseTo(0.5, 10);
    expect(f.assessors[1]!.meanDifference).toBeCloseTo(0, 10);
    expect(f.assessors[2]!.meanDifference).toBeCloseTo(-0.5, 10);
    expect(f.referenceTotal).toBe(4);
  });

  it('leaves an unmarked criterion out of the comparisons', () => {
    const partial = new Map([
      [A, new Map([['c1', 2]])],
      [B, new Map([['c1', 2], ['c2', 1]])],
    ]);
    const g = standardisationFigures(criteria, partial);
    expect(g.criteria[1]!.pairwise).toEqual({ agreeing: 0, compared: 0, rate: null });
    expect(g.criteria[1]!.withReference.rate).toBeNull();
    expect(g.assessors[1]).toMatchObject({ criteriaMarked: 2, total: 3, withOthers: { agreeing: 1, compared: 1 }, meanDifference: 0 });
    expect(g.referenceTotal).toBeNull();
  });

  it('refuses a mark outside the criterion or an unknown criterion', () => {
    expect(() => standardisationFigures(criteria, new Map([[A, new Map([['c3', 2]])]]))).toThrow(AssessmentRuleError);
    expect(() => standardisationFigures(criteria, new Map([[A, new Map([['c9', 0]])]]))).toThrow(/not a criterion/);
  });
});
