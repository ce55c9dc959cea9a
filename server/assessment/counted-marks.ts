// The mark that counts, criterion by criterion, for one assignment attempt (digest 1.2: "the
// moderated mark if any, else the centre mark"; 1.3: moderator adjustments are stored beside the
// centre's marks, never over them). Pure: the server gathers the marks (server/sittings/results.ts).
//
// Per criterion of the rubric:
//   centre     the centre assessor's mark (null until marked)
//   moderated  the moderator's mark, when a moderator changed that criterion (else null)
//   counts     moderated ?? centre
// Per attempt, once the centre has FINISHED marking it (before that nothing counts):
//   centreTotal     sum of the centre marks
//   moderatedTotal  sum of what counts per criterion, when any criterion is moderated (else null)
//   countedTotal    moderatedTotal ?? centreTotal: the attempt's mark everywhere it is shown
//   moderated       whether any criterion's moderated mark stands
// Marks for criteria no longer in the rubric are ignored.

export interface RubricLine {
  criterionId: string;
  maxMarks: number;
}

export interface CriterionCount {
  criterionId: string;
  maxMarks: number;
  centre: number | null;
  moderated: number | null;
  counts: number | null;
}

export interface AttemptCount {
  criteria: CriterionCount[];
  centreTotal: number | null;
  moderatedTotal: number | null;
  countedTotal: number | null;
  moderated: boolean;
}

/**
 * The counted marks of one attempt. `markingFinished`: the centre has finished its marking
 * (attempt.markedAt); until then the totals are null whatever is saved, and moderation (which
 * checks a finished marking) does not count either.
 */
export function countAttempt(
  rubric: readonly RubricLine[],
  centreMarks: ReadonlyMap<string, number>,
  moderatedMarks: ReadonlyMap<string, number>,
  markingFinished: boolean,
): AttemptCount {
  const criteria = rubric.map((c): CriterionCount => {
    const centre = centreMarks.get(c.criterionId) ?? null;
    const moderated = markingFinished ? (moderatedMarks.get(c.criterionId) ?? null) : null;
    return { criterionId: c.criterionId, maxMarks: c.maxMarks, centre, moderated, counts: moderated ?? centre };
  });
  if (!markingFinished) return { criteria, centreTotal: null, moderatedTotal: null, countedTotal: null, moderated: false };
  const sum = (pick: (c: CriterionCount) => number | null) => criteria.reduce((total, c) => total + (pick(c) ?? 0), 0);
  const moderated = criteria.some((c) => c.moderated !== null);
  const centreTotal = sum((c) => c.centre);
  const moderatedTotal = moderated ? sum((c) => c.counts) : null;
  return { criteria, centreTotal, moderatedTotal, countedTotal: moderatedTotal ?? centreTotal, moderated };
}
