// The result states of a sitting, as a state machine: pure, no I/O. Where each step comes from:
// - seed 000 ("Assessment summary", Unit 2): the centre marks and fills in the candidate mark
//   sheet, forwards it, and Pearson moderates; "Moderation may lead to an adjustment to the final
//   result" and Pearson "reserves the right to reject candidates' submissions";
// - seed 003 ("Internal quality assurance", "Countersigning strategy") and 002 ("Internal Quality
//   Assurance"): an internal quality assurer checks and countersigns assessment decisions before
//   they leave the centre.
//
//   draft ──sign-mark-sheet──▶ centre-final ──countersign──▶ iqa-countersigned ──record-outcome──▶ moderated
//     ▲                             │                                                   (accepted | adjusted | rejected)
//     └────return-to-assessor───────┘
//
// Any (state, action) pair not listed in RESULT_TRANSITIONS is refused.
import { RESULT_STATES, type ResultState } from '../protocol/sitting-states.js';
import { AssessmentRuleError } from './errors.js';

// The states and outcomes themselves are listed once, in server/protocol/sitting-states.ts.
export { MODERATION_OUTCOMES, RESULT_STATES, type ModerationOutcome, type ResultState } from '../protocol/sitting-states.js';

export const RESULT_ACTIONS = ['sign-mark-sheet', 'return-to-assessor', 'countersign', 'record-outcome'] as const;
export type ResultAction = (typeof RESULT_ACTIONS)[number];


export interface ResultTransition {
  from: ResultState;
  action: ResultAction;
  to: ResultState;
  /** Who takes the step, in words. */
  by: string;
}

export const RESULT_TRANSITIONS: readonly ResultTransition[] = Object.freeze([
  { from: 'draft', action: 'sign-mark-sheet', to: 'centre-final', by: 'the assessor, signing the mark sheet' },
  { from: 'centre-final', action: 'return-to-assessor', to: 'draft', by: 'the internal quality assurer, sending it back with a reason' },
  { from: 'centre-final', action: 'countersign', to: 'iqa-countersigned', by: 'the internal quality assurer, countersigning' },
  { from: 'iqa-countersigned', action: 'record-outcome', to: 'moderated', by: 'the moderator, signing off the outcome' },
]);

const STATE_WORDS: Record<ResultState, string> = {
  draft: 'a draft (the centre is still marking)',
  'centre-final': 'signed by the assessor and waiting for the internal quality assurer',
  'iqa-countersigned': 'countersigned and waiting for moderation',
  moderated: 'moderated',
};

const ACTION_WORDS: Record<ResultAction, string> = {
  'sign-mark-sheet': 'the assessor signing the mark sheet',
  'return-to-assessor': 'sending it back to the assessor',
  countersign: 'countersigning',
  'record-outcome': 'recording a moderation outcome',
};

export const isResultState = (s: unknown): s is ResultState => (RESULT_STATES as readonly unknown[]).includes(s);
export const isResultAction = (a: unknown): a is ResultAction => (RESULT_ACTIONS as readonly unknown[]).includes(a);
export const isModerated = (s: ResultState): boolean => s === 'moderated';

/** The state after `action`; throws AssessmentRuleError('result-state-out-of-order') for a step the machine does not allow. */
export function nextResultState(state: ResultState, action: ResultAction): ResultState {
  if (!isResultState(state)) throw new AssessmentRuleError('result-state-unknown', `"${String(state)}" is not a result state (${RESULT_STATES.join(', ')}).`, 'state');
  if (!isResultAction(action)) throw new AssessmentRuleError('result-action-unknown', `"${String(action)}" is not a result step (${RESULT_ACTIONS.join(', ')}).`, 'action');
  const step = RESULT_TRANSITIONS.find((t) => t.from === state && t.action === action);
  if (!step) {
    const next = RESULT_TRANSITIONS.filter((t) => t.from === state).map((t) => ACTION_WORDS[t.action]);
    throw new AssessmentRuleError(
      'result-state-out-of-order',
      `The sitting's result is ${STATE_WORDS[state]}, so ${ACTION_WORDS[action]} is not possible now${next.length ? `; the next step is ${next.join(' or ')}` : '; nothing follows'}.`,
      'state',
    );
  }
  return step.to;
}

/** The order of the states for the release rule: a later state has passed every earlier one. */
export const resultStateRank = (s: ResultState): number => RESULT_STATES.indexOf(s);
