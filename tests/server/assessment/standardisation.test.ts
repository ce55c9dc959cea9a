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

describe('standardisation figures worked by hand', () => {
  // Criteria A (2 marks), B and C (1 mark). Assessor 2 did not mark C.
  const criteria = [
    { criterionId: 'A', maxMarks: 2 },
    { criterionId: 'B', maxMarks: 1 },
    { criterionId: 'C', maxMarks: 1 },
  ];
  const marks = new Map<number, Map<string, number>>([
    [1, new Map([['A', 2], ['B', 1], ['C', 0]])],
    [2, new Map([['A', 1], ['B', 1]])],
    [3, new Map([['A', 2], ['B', 0], ['C', 0]])],
  ]);
  const reference = new Map([['A', 2], ['B', 1], ['C', 0]]);
  const a = (agreeing: number, compared: number) => ({ agreeing, compared, rate: compared === 0 ? null : agreeing / compared });

  it('per criterion: pairs agreeing, lowest, highest, spread and agreement with the reference', () => {
    const f = standardisationFigures(criteria, marks, reference);
    expect(f.criteria).toEqual([
      { criterionId: 'A', maxMarks: 2, reference: 2, marks: [2, 1, 2], lowest: 1, highest: 2, spread: 1, pairwise: a(1, 3), withReference: a(2, 3) },
      { criterionId: 'B', maxMarks: 1, reference: 1, marks: [1, 1, 0], lowest: 0, highest: 1, spread: 1, pairwise: a(1, 3), withReference: a(2, 3) },
      { criterionId: 'C', maxMarks: 1, reference: 0, marks: [0, null, 0], lowest: 0, highest: 0, spread: 0, pairwise: a(1, 1), withReference: a(2, 2) },
    ]);
    expect(f.overall).toEqual(a(3, 7));
    expect(f.referenceTotal).toBe(3);
  });

  it('per assessor: criteria marked, total, agreement with the others and the reference, mean difference', () => {
    const f = standardisationFigures(criteria, marks, reference);
    expect(f.assessors.map(({ meanDifference: _, ...rest }) => rest)).toEqual([
      { assessorId: 1, criteriaMarked: 3, total: 3, withOthers: a(3, 5), withReference: a(3, 3) },
      { assessorId: 2, criteriaMarked: 2, total: 2, withOthers: a(1, 4), withReference: a(1, 2) },
      { assessorId: 3, criteriaMarked: 3, total: 2, withOthers: a(2, 5), withReference: a(2, 3) },
    ]);
    const diffs = f.assessors.map((x) => x.meanDifference);
    expect(diffs[0]).toBeCloseTo(1 / 3, 10);
    expect(diffs[1]).toBeCloseTo(-0.25, 10);
    expect(diffs[2]).toBeCloseTo(-1 / 6, 10);
  });

  it('without a full reference: no reference total, nothing compared where the reference has no mark', () => {
    const f = standardisationFigures(criteria, marks, new Map([['A', 2]]));
    expect(f.referenceTotal).toBeNull();
    expect(f.criteria[1]).toMatchObject({ reference: null, withReference: a(0, 0) });
    expect(f.assessors[0]!.withReference).toEqual(a(1, 1));
    const none = standardisationFigures(criteria, marks);
    expect(none.referenceTotal).toBeNull();
    expect(none.assessors[0]!.withReference).toEqual(a(0, 0));
  });

  it('a lone assessor, or a criterion nobody marked, has nothing to compare', () => {
    const f = standardisationFigures(criteria, new Map([[9, new Map([['A', 1]])]]));
    expect(f.assessors).toEqual([{ assessorId: 9, criteriaMarked: 1, total: 1, withOthers: a(0, 0), withReference: a(0, 0), meanDifference: null }]);
    expect(f.criteria[1]).toMatchObject({ marks: [null], lowest: null, highest: null, spread: null, pairwise: a(0, 0) });
    expect(f.overall).toEqual(a(0, 0));
  });

  it('refuses a criterion outside the attempt and a mark outside 0 to its maximum, naming both', () => {
    const refuse = (m: Map<number, Map<string, number>>) => {
      try {
        standardisationFigures(criteria, m);
      } catch (e) {
        if (e instanceof AssessmentRuleError) return { code: e.code, message: e.message, path: e.path };
        throw new Error(`expected an AssessmentRuleError, got ${String(e)}`);
      }
      return undefined;
    };
    expect(refuse(new Map([[4, new Map([['Z', 0]])]]))).toEqual({ code: 'unknown-criterion', message: 'Assessor 4 marked Z, which is not a criterion of the attempt.', path: 'marks' });
    expect(refuse(new Map([[4, new Map([['A', 3]])]]))).toEqual({ code: 'bad-mark', message: "Assessor 4's mark for A must be a whole number from 0 to 2; got 3.", path: 'marks' });
    expect(refuse(new Map([[4, new Map([['A', -1]])]]))?.code).toBe('bad-mark');
    expect(refuse(new Map([[4, new Map([['A', 1.5]])]]))?.code).toBe('bad-mark');
    expect(refuse(new Map([[4, new Map([['A', 2], ['B', 0]])]]))).toBeUndefined();
  });
});
