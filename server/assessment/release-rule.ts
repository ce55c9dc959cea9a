// The centre's results release rule: when a candidate may see the marks and result of a sitting,
// and whether what they see is provisional. Pure, no I/O.
// - Seed 000 ("Assessment summary"): the centre's marks are moderated and "moderation may lead to
//   an adjustment to the final result", so any result shown before moderation is provisional.
// - [proposal] The centre chooses the earliest state at which results are shown: after the
//   assessor signs the mark sheet, after the internal quality assurer countersigns, or only once
//   moderation is complete (the default: nothing is shown that could still change).
import { RELEASE_RULES, type ReleaseRule } from '../protocol/sitting-states.js';
import { MODERATION_OUTCOMES, resultStateRank, type ModerationOutcome, type ResultState } from './result-states.js';

export { RELEASE_RULES, type ReleaseRule } from '../protocol/sitting-states.js';
export const DEFAULT_RELEASE_RULE: ReleaseRule = 'moderated';

export const RELEASE_RULE_WORDS: Record<ReleaseRule, string> = {
  'centre-final': 'as soon as the assessor signs the mark sheet (provisional until moderation)',
  'iqa-countersigned': 'once the internal quality assurer countersigns (provisional until moderation)',
  moderated: 'only when moderation is complete',
};

export interface CandidateRelease {
  /** The candidate may see marks and the result. */
  released: boolean;
  /** What they see may still change (moderation is not complete). */
  provisional: boolean;
  /** The moderation outcome, once moderated and released. */
  outcome: ModerationOutcome | null;
}

export const isReleaseRule = (r: unknown): r is ReleaseRule => (RELEASE_RULES as readonly unknown[]).includes(r);

export function candidateRelease(rule: ReleaseRule, state: ResultState, outcome: ModerationOutcome | null): CandidateRelease {
  const released = resultStateRank(state) >= resultStateRank(rule);
  const moderated = state === 'moderated';
  return {
    released,
    provisional: released && !moderated,
    outcome: released && moderated && outcome !== null && MODERATION_OUTCOMES.includes(outcome) ? outcome : null,
  };
}
