// The states of a sitting and of its result, and the centre's settings over them, written once: the
// wire types (assessment.ts, assurance.ts), the database rows and the rules in server/assessment/
// (result-states.ts, release-rule.ts, overrun.ts) all derive from these lists.

/** Where a sitting stands. 'cancelled': called off before it started (its reason in `cancellation`). */
export const SITTING_STATUSES = ['scheduled', 'in-progress', 'ended', 'cancelled'] as const;
export type SittingStatus = (typeof SITTING_STATUSES)[number];

/** Where a sitting's result stands: draft → centre-final → iqa-countersigned → moderated. */
export const RESULT_STATES = ['draft', 'centre-final', 'iqa-countersigned', 'moderated'] as const;
export type ResultState = (typeof RESULT_STATES)[number];

/** The moderator's outcome of a moderated sitting. */
export const MODERATION_OUTCOMES = ['accepted', 'adjusted', 'rejected'] as const;
export type ModerationOutcome = (typeof MODERATION_OUTCOMES)[number];

/** The earliest result state at which a candidate sees their marks and result (the centre's release rule). */
export const RELEASE_RULES = ['centre-final', 'iqa-countersigned', 'moderated'] as const satisfies readonly ResultState[];
export type ReleaseRule = (typeof RELEASE_RULES)[number];

/** What happens at time up: 'warn' (the work goes on, the overrun recorded) or 'stop' (the sitting ends). */
export const OVERRUN_POLICIES = ['warn', 'stop'] as const;
export type OverrunPolicy = (typeof OVERRUN_POLICIES)[number];
