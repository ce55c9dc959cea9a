// Where a sitting stands: each assignment's attempts with their centre marks, and the Unit 2 result
// over them (server/assessment/sitting.ts: the re-take policy picks the mark that counts, the
// grade rules give the result). Marks count only once the centre has finished marking an attempt.
import { sittingResult, type SittingResult } from '../assessment/sitting.js';
import { DEFAULT_RETAKE_POLICY, retakeDecision, type AttemptRecord, type RetakeDecision, type RetakePolicy } from '../assessment/retakes.js';
import { scenarioForAttemptKey } from '../assessment/scenario-loader.js';
import type { Scenario } from '../assessment/scenario-schema.js';
import type { Attempt } from '../db/repositories/attempts.js';
import type { Repositories } from '../db/repositories/index.js';
import type { Sitting } from '../db/repositories/sittings.js';
import type { SittingResultView } from '../protocol/assessment.js';
import { scenarioOfKey } from './catalogue.js';

export interface PositionStanding {
  position: number;
  scenarioKey: string;
  /** The scenario of the key (first variant); undefined only if its file has gone. */
  scenario: Scenario | undefined;
  /** Oldest first. */
  attempts: Attempt[];
  /** Centre mark of each attempt id (null until marking is finished). */
  marks: Map<string, number | null>;
  /** Moderated assignment mark of each attempt id (null while no criterion is moderated). */
  moderated: Map<string, number | null>;
  records: AttemptRecord[];
}

export interface SittingStanding {
  positions: PositionStanding[];
  computed: SittingResult;
  /** The sitting's open attempt, if any. */
  openAttempt: Attempt | undefined;
  /** The re-take policy of the sitting (the centre's re-take limit when it was created). */
  policy: RetakePolicy;
}

/** The sitting's re-take policy: the default, with the limit the centre had set when the sitting was created. */
export const retakePolicyOf = (sitting: Pick<Sitting, 'maxRetakes'>): RetakePolicy => ({ ...DEFAULT_RETAKE_POLICY, maxRetakes: sitting.maxRetakes });

/** "Assignment 2 (S4)": how the result's reasons name an assignment. */
export const assignmentLabel = (position: number, key: string): string => `${position} (${key.toUpperCase()})`;

/** The centre mark of an attempt: the sum of its criterion marks once marking is finished, else null. */
export function centreMark(repos: Repositories, attempt: Attempt): number | null {
  if (attempt.markedAt === null) return null;
  const scenario = scenarioForAttemptKey(attempt.scenarioKey);
  const ids = new Set(scenario?.rubric.map((c) => c.criterionId));
  return repos.attemptMarks
    .forAttempt(attempt.id)
    .filter((m) => scenario === undefined || ids.has(m.criterionId))
    .reduce((sum, m) => sum + m.mark, 0);
}

/**
 * The moderated assignment mark: once a moderator has changed any criterion of a centre-marked
 * attempt, the sum of every criterion's moderated mark where there is one and the centre's mark
 * elsewhere; null while nothing is moderated (the centre mark then counts).
 */
export function moderatedMark(repos: Repositories, attempt: Attempt): number | null {
  if (attempt.markedAt === null) return null;
  const moderated = repos.moderation.marksFor(attempt.id);
  if (moderated.length === 0) return null;
  const scenario = scenarioForAttemptKey(attempt.scenarioKey);
  const inRubric = (id: string) => scenario === undefined || scenario.rubric.some((c) => c.criterionId === id);
  const byCriterion = new Map(repos.attemptMarks.forAttempt(attempt.id).filter((m) => inRubric(m.criterionId)).map((m) => [m.criterionId, m.mark]));
  for (const m of moderated) if (inRubric(m.criterionId)) byCriterion.set(m.criterionId, m.mark);
  return [...byCriterion.values()].reduce((sum, m) => sum + m, 0);
}

/** `withModeration: false` gives the centre's own standing (what the centre proposed, e.g. for sampling). */
export function sittingStanding(repos: Repositories, sitting: Sitting, opts: { withModeration?: boolean } = {}): SittingStanding {
  const withModeration = opts.withModeration ?? true;
  const all = repos.attempts.forSitting(sitting.id);
  const positions = sitting.scenarioKeys.map((scenarioKey, i): PositionStanding => {
    const position = i + 1;
    const attempts = all.filter((a) => a.position === position);
    const marks = new Map(attempts.map((a) => [a.id, centreMark(repos, a)] as const));
    const moderated = new Map(attempts.map((a) => [a.id, withModeration ? moderatedMark(repos, a) : null] as const));
    const records: AttemptRecord[] = attempts.map((a) => ({
      attemptId: a.id,
      takenAt: a.createdAt,
      variantId: a.variant,
      centreMark: marks.get(a.id) ?? null,
      // Stored beside the centre marks (attempt_moderation); when set it is the mark that counts.
      moderatedMark: moderated.get(a.id) ?? null,
    }));
    return { position, scenarioKey, scenario: scenarioOfKey(scenarioKey), attempts, marks, moderated, records };
  });
  const policy = retakePolicyOf(sitting);
  const computed = sittingResult(
    positions.map((p) => ({ assignmentId: assignmentLabel(p.position, p.scenarioKey), attempts: p.records })),
    policy,
  );
  return { positions, computed, openAttempt: all.find((a) => a.status === 'open'), policy };
}

/** May assignment `p` be re-taken now under the sitting's policy (with `variantId`, if given)? */
export function retakeFor(p: PositionStanding, policy: RetakePolicy, variantId?: string | null): RetakeDecision {
  return retakeDecision(assignmentLabel(p.position, p.scenarioKey), p.records, variantId, policy);
}

/** The result in words for the wire. A graded result is final once the sitting has ended. */
export function resultView(sitting: Sitting, computed: SittingResult): SittingResultView {
  const r = computed.result;
  if (r.status === 'graded') return { status: 'graded', grade: r.grade, total: r.total, complete: true, reasons: [], final: sitting.status === 'ended' };
  return { status: 'no-grade', grade: null, total: r.total, complete: r.complete, reasons: r.reasons.map((x) => x.message), final: r.final };
}
