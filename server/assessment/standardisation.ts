// Agreement figures of a standardisation exercise: several assessors mark the same recorded attempt
// blind, criterion by criterion. Pure, no I/O. (Seeds 002/003, "Internal quality assurance": the
// IQA confirms that assessment decisions are sound and consistent; standardisation is how a centre
// checks its assessors mark alike.)
//
// Definitions (every figure is "agreeing / compared", so it can be checked by hand):
// - per criterion, pairwise agreement: of all pairs of assessors who marked it, how many gave the
//   same mark; spread: highest mark − lowest; agreement with the reference: how many assessors gave
//   the reference mark (the centre's own mark of the attempt, when there is one);
// - per assessor, agreement with the others: over every criterion, how many of the other
//   assessors' marks equal theirs; agreement with the reference: criteria where they gave the
//   reference mark; mean difference: the average, over the criteria, of their mark minus the mean
//   of the others' marks (above 0: more generous than the others, below 0: stricter).
// Assessors who did not mark a criterion are left out of its comparisons.
import { AssessmentRuleError } from './errors.js';

export interface StandardisationCriterion {
  criterionId: string;
  maxMarks: number;
}

export interface Agreement {
  agreeing: number;
  compared: number;
  /** agreeing / compared, or null when nothing could be compared. */
  rate: number | null;
}

export interface CriterionAgreement {
  criterionId: string;
  maxMarks: number;
  reference: number | null;
  /** Each assessor's mark (null: not marked), in the order the assessors were given. */
  marks: Array<number | null>;
  lowest: number | null;
  highest: number | null;
  spread: number | null;
  pairwise: Agreement;
  withReference: Agreement;
}

export interface AssessorAgreement {
  assessorId: number;
  criteriaMarked: number;
  total: number;
  withOthers: Agreement;
  withReference: Agreement;
  /** Average of (own mark − mean of the others' marks) over criteria with at least one other mark; null when none. */
  meanDifference: number | null;
}

export interface StandardisationFigures {
  criteria: CriterionAgreement[];
  assessors: AssessorAgreement[];
  /** Pairwise agreement over every criterion together. */
  overall: Agreement;
  referenceTotal: number | null;
}

const agreement = (agreeing: number, compared: number): Agreement => ({ agreeing, compared, rate: compared === 0 ? null : agreeing / compared });

export function standardisationFigures(
  criteria: readonly StandardisationCriterion[],
  /** Assessor id → criterion id → mark. */
  marks: ReadonlyMap<number, ReadonlyMap<string, number>>,
  reference?: ReadonlyMap<string, number>,
): StandardisationFigures {
  const assessorIds = [...marks.keys()];
  const known = new Map(criteria.map((c) => [c.criterionId, c]));
  for (const [assessor, byCriterion] of marks) {
    for (const [criterionId, mark] of byCriterion) {
      const c = known.get(criterionId);
      if (!c) throw new AssessmentRuleError('unknown-criterion', `Assessor ${assessor} marked ${criterionId}, which is not a criterion of the attempt.`, 'marks');
      if (!Number.isInteger(mark) || mark < 0 || mark > c.maxMarks) {
        throw new AssessmentRuleError('bad-mark', `Assessor ${assessor}'s mark for ${criterionId} must be a whole number from 0 to ${c.maxMarks}; got ${mark}.`, 'marks');
      }
    }
  }

  let allPairs = 0;
  let allAgreeing = 0;
  const perCriterion: CriterionAgreement[] = criteria.map((c) => {
    const given = assessorIds.map((a) => marks.get(a)!.get(c.criterionId) ?? null);
    const present = given.filter((m): m is number => m !== null);
    let pairs = 0;
    let same = 0;
    for (let i = 0; i < present.length; i++) for (let j = i + 1; j < present.length; j++) {
      pairs++;
      if (present[i] === present[j]) same++;
    }
    allPairs += pairs;
    allAgreeing += same;
    const ref = reference?.get(c.criterionId) ?? null;
    return {
      criterionId: c.criterionId,
      maxMarks: c.maxMarks,
      reference: ref,
      marks: given,
      lowest: present.length ? Math.min(...present) : null,
      highest: present.length ? Math.max(...present) : null,
      spread: present.length ? Math.max(...present) - Math.min(...present) : null,
      pairwise: agreement(same, pairs),
      withReference: ref === null ? agreement(0, 0) : agreement(present.filter((m) => m === ref).length, present.length),
    };
  });

  const perAssessor: AssessorAgreement[] = assessorIds.map((a, index) => {
    let withOthers = 0;
    let compared = 0;
    let refAgree = 0;
    let refCompared = 0;
    let diffSum = 0;
    let diffCount = 0;
    let total = 0;
    let marked = 0;
    for (const c of perCriterion) {
      const own = c.marks[index];
      if (own === null || own === undefined) continue;
      marked++;
      total += own;
      const others = c.marks.filter((m, i): m is number => i !== index && m !== null);
      compared += others.length;
      withOthers += others.filter((m) => m === own).length;
      if (others.length) {
        diffSum += own - others.reduce((s, m) => s + m, 0) / others.length;
        diffCount++;
      }
      if (c.reference !== null) {
        refCompared++;
        if (c.reference === own) refAgree++;
      }
    }
    return {
      assessorId: a,
      criteriaMarked: marked,
      total,
      withOthers: agreement(withOthers, compared),
      withReference: agreement(refAgree, refCompared),
      meanDifference: diffCount === 0 ? null : diffSum / diffCount,
    };
  });

  const refValues = criteria.map((c) => reference?.get(c.criterionId));
  return {
    criteria: perCriterion,
    assessors: perAssessor,
    overall: agreement(allAgreeing, allPairs),
    referenceTotal: reference && refValues.every((v) => v !== undefined) ? refValues.reduce((s: number, v) => s + (v ?? 0), 0) : null,
  };
}
