// The states of a sitting and of its result, written once: the wire types (assessment.ts,
// assurance.ts), the database rows and the result-state machine (server/assessment/result-states.ts)
// all derive from these lists.

/** Where a sitting stands. 'cancelled': called off before it started (its reason in `cancellation`). */
export const SITTING_STATUSES = ['scheduled', 'in-progress', 'ended', 'cancelled'] as const;
export type SittingStatus = (typeof SITTING_STATUSES)[number];

/** Where a sitting's result stands: draft → centre-final → iqa-countersigned → moderated. */
export const RESULT_STATES = ['draft', 'centre-final', 'iqa-countersigned', 'moderated'] as const;
export type ResultState = (typeof RESULT_STATES)[number];

/** The moderator's outcome of a moderated sitting. */
export const MODERATION_OUTCOMES = ['accepted', 'adjusted', 'rejected'] as const;
export type ModerationOutcome = (typeof MODERATION_OUTCOMES)[number];
