// Re-takes of one assignment. Rules from shared/docs/assessment-domain.md ("the digest"):
// - Stated (1.2; seed 000_8c9ec5b3598aeb30.txt, Unit 2 bullets): "Where a candidate scores less
//   than 6 in any assignment, they may re-take that assignment." No limit is given (1.5.6).
// - [proposal] (1.4): a re-take is a new attempt linked to the failed one, using a different
//   variant of the same scenario type; both are kept on record and shown to moderators; the
//   LATEST attempt's mark counts; the number of re-takes is configurable, default 1.
// - The mark that counts for an attempt is the moderated mark if any, else the centre mark
//   (digest 1.2, comment in the grade function; moderator marks sit beside centre marks, 1.3).
// Nothing here deletes an attempt: every function reads the full history and says which counts.

import { AssessmentRuleError } from './errors.js';
import { UNIT2_GRADES, validateAssignmentMark, type CountedMark, type GradeConfig } from './grades.js';

export interface AttemptRecord {
  attemptId: string;
  /** When the attempt started (ms); orders the attempts. Equal times keep the array order. */
  takenAt: number;
  /** The scenario variant used (digest 4.8: each type has at least two variants for re-takes). */
  variantId?: string | null;
  /** The centre assessor's mark, null until marked. */
  centreMark: number | null;
  /** The moderator's mark, stored beside the centre mark; when set it is the one that counts. */
  moderatedMark?: number | null;
}

export interface RetakePolicy {
  /** Re-takes allowed per assignment; null = no limit (the seed's own wording). Digest 1.4: default 1. */
  maxRetakes: number | null;
  /** Which attempt counts. Digest 1.4 [proposal]: 'latest'. 'highest' is there for a centre that decides otherwise. */
  counts: 'latest' | 'highest';
  /** A re-take must use a variant not used before for this assignment (digest 1.4, 4.8). */
  requireDifferentVariant: boolean;
}

export const DEFAULT_RETAKE_POLICY: Readonly<RetakePolicy> = Object.freeze({ maxRetakes: 1, counts: 'latest', requireDifferentVariant: true });

export function validateRetakePolicy(policy: RetakePolicy): void {
  if (policy.maxRetakes !== null && (!Number.isInteger(policy.maxRetakes) || policy.maxRetakes < 0)) {
    throw new AssessmentRuleError('bad-retake-policy', `Re-take policy: maxRetakes must be a whole number of at least 0, or null for no limit; got ${policy.maxRetakes}.`, 'maxRetakes');
  }
  if (policy.counts !== 'latest' && policy.counts !== 'highest') {
    throw new AssessmentRuleError('bad-retake-policy', `Re-take policy: counts must be 'latest' or 'highest'; got ${String(policy.counts)}.`, 'counts');
  }
}

/** The mark that counts for one attempt: moderated if set, else centre, else null (not marked). */
export function effectiveMark(attempt: AttemptRecord): number | null {
  return attempt.moderatedMark ?? attempt.centreMark;
}

/**
 * The attempts in the order taken, after checking the history is one the rules allow: ids unique,
 * marks valid, no more than 1 + maxRetakes attempts, and every attempt before the last below the
 * minimum (by centre or moderated mark: a re-take only follows a mark under 6).
 */
export function orderedAttempts(attempts: readonly AttemptRecord[], policy: RetakePolicy = DEFAULT_RETAKE_POLICY, cfg: GradeConfig = UNIT2_GRADES, assignmentId = '?'): AttemptRecord[] {
  validateRetakePolicy(policy);
  const ids = new Set<string>();
  attempts.forEach((a, i) => {
    const where = `assignment ${assignmentId} attempt ${a.attemptId}`;
    if (ids.has(a.attemptId)) throw new AssessmentRuleError('duplicate-attempt', `Attempt ${a.attemptId} appears twice for assignment ${assignmentId}.`, `attempts[${i}].attemptId`);
    ids.add(a.attemptId);
    if (!Number.isFinite(a.takenAt)) throw new AssessmentRuleError('bad-attempt-time', `The start time of ${where} is not a number of ms.`, `attempts[${i}].takenAt`);
    if (a.centreMark !== null) validateAssignmentMark(a.centreMark, cfg, `centre mark of ${where}`);
    if (a.moderatedMark !== undefined && a.moderatedMark !== null) validateAssignmentMark(a.moderatedMark, cfg, `moderated mark of ${where}`);
  });
  const ordered = attempts.map((a, i) => ({ a, i })).sort((x, y) => x.a.takenAt - y.a.takenAt || x.i - y.i).map((x) => x.a);
  if (policy.maxRetakes !== null && ordered.length > policy.maxRetakes + 1) {
    throw new AssessmentRuleError(
      'retake-limit-exceeded',
      `Assignment ${assignmentId} has ${ordered.length} attempts; the policy allows ${policy.maxRetakes} re-take${policy.maxRetakes === 1 ? '' : 's'} (${policy.maxRetakes + 1} attempts).`,
      'attempts',
    );
  }
  ordered.slice(0, -1).forEach((a, k) => {
    const next = ordered[k + 1]!;
    const marks = [a.centreMark, a.moderatedMark ?? null].filter((m): m is number => m !== null);
    if (marks.length === 0) {
      throw new AssessmentRuleError('retake-before-mark', `Attempt ${next.attemptId} of assignment ${assignmentId} was taken before attempt ${a.attemptId} was marked; a re-take follows a mark.`, 'attempts');
    }
    if (!marks.some((m) => m < cfg.minMark)) {
      throw new AssessmentRuleError(
        'retake-not-allowed',
        `Attempt ${next.attemptId} of assignment ${assignmentId} re-takes attempt ${a.attemptId}, which scored ${marks.join('/')}; only a mark below ${cfg.minMark} may be re-taken.`,
        'attempts',
      );
    }
  });
  return ordered;
}

export interface AssignmentStanding extends CountedMark {
  /** The attempt whose mark counts, or null while it is not marked. */
  countedAttemptId: string | null;
  /** Every attempt, in the order taken (earlier ones are kept on record). */
  attemptIds: string[];
  retakesUsed: number;
  /** null = no limit. */
  retakesLeft: number | null;
}

/** Which attempt counts for one assignment, its mark, and whether a re-take is still open. */
export function assignmentStanding(assignmentId: string, attempts: readonly AttemptRecord[], policy: RetakePolicy = DEFAULT_RETAKE_POLICY, cfg: GradeConfig = UNIT2_GRADES): AssignmentStanding {
  const ordered = orderedAttempts(attempts, policy, cfg, assignmentId);
  const retakesUsed = Math.max(0, ordered.length - 1);
  const retakesLeft = policy.maxRetakes === null ? null : policy.maxRetakes - retakesUsed;
  const base = { assignmentId, attemptIds: ordered.map((a) => a.attemptId), retakesUsed, retakesLeft };
  const latest = ordered[ordered.length - 1];
  if (!latest) return { ...base, mark: null, countedAttemptId: null, retakeAvailable: false, pendingNote: 'no attempt taken yet' };
  const latestMark = effectiveMark(latest);
  if (latestMark === null) {
    // Shown to staff in the result's reasons: the attempt by its number, never its id.
    const note = ordered.length > 1 ? `the re-take (attempt ${ordered.length}) is not marked yet` : 'the first attempt is not marked yet';
    return { ...base, mark: null, countedAttemptId: null, retakeAvailable: false, pendingNote: note };
  }
  let counted = latest;
  if (policy.counts === 'highest') {
    for (const a of ordered) if ((effectiveMark(a) ?? -1) > (effectiveMark(counted) ?? -1)) counted = a;
  }
  const mark = effectiveMark(counted)!;
  const retakeAvailable = mark < cfg.minMark && (retakesLeft === null || retakesLeft > 0);
  return { ...base, mark, countedAttemptId: counted.attemptId, retakeAvailable };
}

export type RetakeDecision =
  | { allowed: true; retakesLeftAfter: number | null }
  | { allowed: false; code: 'no-attempt' | 'not-marked' | 'at-or-above-minimum' | 'limit-reached' | 'variant-used'; message: string };

/**
 * May a new attempt of this assignment be started as a re-take now, with `variantId` if given?
 * Only after the latest attempt is marked below the minimum, within the limit, and (by default)
 * with a variant not used before.
 */
export function retakeDecision(
  assignmentId: string,
  attempts: readonly AttemptRecord[],
  variantId?: string | null,
  policy: RetakePolicy = DEFAULT_RETAKE_POLICY,
  cfg: GradeConfig = UNIT2_GRADES,
): RetakeDecision {
  const ordered = orderedAttempts(attempts, policy, cfg, assignmentId);
  const latest = ordered[ordered.length - 1];
  if (!latest) return { allowed: false, code: 'no-attempt', message: `Assignment ${assignmentId} has not been taken yet, so there is nothing to re-take.` };
  const mark = effectiveMark(latest);
  if (mark === null) return { allowed: false, code: 'not-marked', message: `Attempt ${ordered.length} of assignment ${assignmentId} is not marked yet; a re-take follows a mark below ${cfg.minMark}.` };
  if (mark >= cfg.minMark) return { allowed: false, code: 'at-or-above-minimum', message: `Assignment ${assignmentId} scored ${mark}, at or above the minimum of ${cfg.minMark}; only a mark below ${cfg.minMark} may be re-taken.` };
  const used = ordered.length - 1;
  if (policy.maxRetakes !== null && used >= policy.maxRetakes) {
    return { allowed: false, code: 'limit-reached', message: `Assignment ${assignmentId} has used ${used} of its ${policy.maxRetakes} re-take${policy.maxRetakes === 1 ? '' : 's'}.` };
  }
  if (policy.requireDifferentVariant && variantId) {
    const earlier = ordered.find((a) => a.variantId === variantId);
    if (earlier) return { allowed: false, code: 'variant-used', message: `Variant ${variantId} was already used by attempt ${ordered.indexOf(earlier) + 1}; a re-take uses a different variant.` };
  }
  return { allowed: true, retakesLeftAfter: policy.maxRetakes === null ? null : policy.maxRetakes - used - 1 };
}
