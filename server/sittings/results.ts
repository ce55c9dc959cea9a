// The result of a sitting, computed in ONE place. Everything that shows a mark or a total reads it
// from here: the sittings table and detail (views.ts), the candidate's view, the moderation sample
// list (moderation/replay/sample.ts), the moderation view, the mark sheet PDF and the results CSV
// (assessment-docs/sitting-record.ts). Nothing else adds marks up.
//
// The layers, each from the one below:
//   criterion   centre mark, moderated mark (a moderator's change, stored beside it), and the mark
//               that counts = moderated ?? centre              (assessment/counted-marks.ts)
//   attempt     centre total, moderated total (when any criterion is moderated), counted total =
//               moderated ?? centre; nothing counts until the centre has finished marking it
//   assignment  the attempt whose mark counts under the re-take policy, and that mark
//                                                              (assessment/retakes.ts)
//   sitting     the Unit 2 result over the four assignments: total and grade, or no grade with
//               the reasons                                     (assessment/sitting.ts, grades.ts)
// Two results are worked out side by side: `counted` (with moderation: the result that counts,
// shown everywhere), and `centre` (the centre's marks only: what the centre proposed, which the
// moderation sampling rule reads so that the sample does not move once moderation begins).
import { countAttempt, type AttemptCount } from '../assessment/counted-marks.js';
import { UNIT2_GRADES } from '../assessment/grades.js';
import { DEFAULT_RETAKE_POLICY, retakeDecision, type AssignmentStanding, type AttemptRecord, type RetakeDecision, type RetakePolicy } from '../assessment/retakes.js';
import { scenarioOfAttempt } from '../assessment/scenario-loader.js';
import type { Scenario } from '../assessment/scenario-schema.js';
import { sittingResult, type SittingResult } from '../assessment/sitting.js';
import type { Attempt } from '../db/repositories/attempts.js';
import type { Repositories } from '../db/repositories/index.js';
import type { Sitting } from '../db/repositories/sittings.js';
import type { SittingResultView } from '../protocol/assessment.js';
import { scenarioOfKey } from './catalogue.js';

export type { AttemptCount, CriterionCount } from '../assessment/counted-marks.js';

/** An attempt with its counted marks. */
export interface AttemptResult {
  attempt: Attempt;
  count: AttemptCount;
}

/** One of the sitting's four assignments. */
export interface PositionResult {
  position: number;
  scenarioKey: string;
  /** The scenario of the key (first variant); undefined only if its file has gone. */
  scenario: Scenario | undefined;
  /** Oldest first. */
  attempts: AttemptResult[];
  /** The attempts as the re-take rules read them (centre and moderated totals). */
  records: AttemptRecord[];
  /** Which attempt counts and its mark, moderation applied: the assignment's mark. */
  counted: AssignmentStanding;
  /** The same by the centre's marks only. */
  centre: AssignmentStanding;
}

export interface SittingResults {
  sitting: Sitting;
  positions: PositionResult[];
  /** The result that counts (moderated marks where there are any). */
  counted: SittingResult;
  /** The centre's own result (its marks only). */
  centre: SittingResult;
  /** Some attempt's marks were changed by a moderator. */
  moderated: boolean;
  /** The sitting's open attempt, if any. */
  openAttempt: Attempt | undefined;
  /** The re-take policy of the sitting (the centre's re-take limit when it was created). */
  policy: RetakePolicy;
}

/** The sitting's re-take policy: the default, with the limit the centre had set when the sitting was created. */
export const retakePolicyOf = (sitting: Pick<Sitting, 'maxRetakes'>): RetakePolicy => ({ ...DEFAULT_RETAKE_POLICY, maxRetakes: sitting.maxRetakes });

/** "Assignment 2 (S4)": how the result's reasons name an assignment. */
export const assignmentLabel = (position: number, key: string): string => `${position} (${key.toUpperCase()})`;

/** The counted marks of one attempt (see the top of this file). */
export function attemptCount(repos: Repositories, attempt: Attempt): AttemptCount {
  // The rubric of the version the attempt was sat on (a version held nowhere throws, naming it).
  const scenario = scenarioOfAttempt(attempt);
  const centre = new Map(repos.attemptMarks.forAttempt(attempt.id).map((m) => [m.criterionId, m.mark]));
  const moderated = new Map(repos.moderation.marksFor(attempt.id).map((m) => [m.criterionId, m.mark]));
  // No scenario (a practice data set, or an attempt with no recorded version whose file has gone):
  // every saved criterion is its rubric (maximum unknown).
  const rubric = scenario?.rubric ?? [...centre.keys()].map((criterionId) => ({ criterionId, maxMarks: 0 }));
  return countAttempt(rubric, centre, moderated, attempt.markedAt !== null);
}

/**
 * The attempts by the centre's marks only. An earlier attempt keeps its moderated mark when only
 * that mark was below the minimum: it is what allowed the re-take that followed (retakes.ts
 * refuses a history without it), and under the 'latest' policy an earlier attempt never counts.
 */
function centreRecords(records: readonly AttemptRecord[]): AttemptRecord[] {
  return records.map((r, i) => {
    const last = i === records.length - 1;
    const retakeRestsOnModeration = !last && r.centreMark !== null && r.centreMark >= UNIT2_GRADES.minMark;
    return retakeRestsOnModeration ? r : { ...r, moderatedMark: null };
  });
}

export function sittingResults(repos: Repositories, sitting: Sitting): SittingResults {
  const all = repos.attempts.forSitting(sitting.id);
  const gathered = sitting.scenarioKeys.map((scenarioKey, i) => {
    const position = i + 1;
    const attempts = all.filter((a) => a.position === position).map((attempt) => ({ attempt, count: attemptCount(repos, attempt) }));
    const records: AttemptRecord[] = attempts.map(({ attempt, count }) => ({
      attemptId: attempt.id,
      takenAt: attempt.createdAt,
      variantId: attempt.variant,
      centreMark: count.centreTotal,
      moderatedMark: count.moderatedTotal,
    }));
    return { position, scenarioKey, scenario: scenarioOfKey(scenarioKey), attempts, records };
  });
  const policy = retakePolicyOf(sitting);
  const counted = sittingResult(gathered.map((p) => ({ assignmentId: assignmentLabel(p.position, p.scenarioKey), attempts: p.records })), policy);
  const centre = sittingResult(gathered.map((p) => ({ assignmentId: assignmentLabel(p.position, p.scenarioKey), attempts: centreRecords(p.records) })), policy);
  const positions = gathered.map((p, i): PositionResult => ({ ...p, counted: counted.standings[i]!, centre: centre.standings[i]! }));
  return {
    sitting,
    positions,
    counted,
    centre,
    moderated: positions.some((p) => p.attempts.some((a) => a.count.moderated)),
    openAttempt: all.find((a) => a.status === 'open'),
    policy,
  };
}

/** May assignment `p` be re-taken now under the sitting's policy (with `variantId`, if given)? */
export function retakeFor(p: PositionResult, policy: RetakePolicy, variantId?: string | null): RetakeDecision {
  return retakeDecision(assignmentLabel(p.position, p.scenarioKey), p.records, variantId, policy);
}

/**
 * The result for the wire: the result that counts, with the centre's own total beside it and
 * whether moderation changed anything. A graded result is final once the sitting has ended.
 */
export function resultView(results: SittingResults): SittingResultView {
  const r = results.counted.result;
  const shared = { centreTotal: results.centre.result.total, moderated: results.moderated };
  if (r.status === 'graded') return { status: 'graded', grade: r.grade, total: r.total, complete: true, reasons: [], final: results.sitting.status === 'ended', ...shared };
  return { status: 'no-grade', grade: null, total: r.total, complete: r.complete, reasons: r.reasons.map((x) => x.message), final: r.final, ...shared };
}
