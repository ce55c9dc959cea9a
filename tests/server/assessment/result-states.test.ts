// The result-state machine of a sitting: every listed transition, and every other (state, action)
// pair refused with the rule's error.
import { describe, expect, it } from 'vitest';
import { AssessmentRuleError } from '../../../server/assessment/errors.js';
import {
  isModerated,
  nextResultState,
  RESULT_ACTIONS,
  RESULT_STATES,
  RESULT_TRANSITIONS,
  type ResultAction,
  type ResultState,
} from '../../../server/assessment/result-states.js';

describe('result states', () => {
  it('lists the transitions of the workflow, and only those', () => {
    expect(RESULT_TRANSITIONS.map((t) => `${t.from} --${t.action}--> ${t.to}`)).toEqual([
      'draft --sign-mark-sheet--> centre-final',
      'centre-final --return-to-assessor--> draft',
      'centre-final --countersign--> iqa-countersigned',
      'iqa-countersigned --record-outcome--> moderated',
    ]);
  });

  it('walks draft → centre-final → IQA-countersigned → moderated', () => {
    let s: ResultState = 'draft';
    s = nextResultState(s, 'sign-mark-sheet');
    expect(s).toBe('centre-final');
    s = nextResultState(s, 'countersign');
    expect(s).toBe('iqa-countersigned');
    s = nextResultState(s, 'record-outcome');
    expect(s).toBe('moderated');
    expect(isModerated(s)).toBe(true);
  });

  it('lets the IQA send a signed sitting back to the assessor', () => {
    expect(nextResultState('centre-final', 'return-to-assessor')).toBe('draft');
  });

  const allowed = new Set(RESULT_TRANSITIONS.map((t) => `${t.from}|${t.action}`));
  for (const state of RESULT_STATES) {
    for (const action of RESULT_ACTIONS) {
      if (allowed.has(`${state}|${action}`)) continue;
      it(`refuses ${action} in state ${state}`, () => {
        let thrown: unknown;
        try {
          nextResultState(state, action);
        } catch (err) {
          thrown = err;
        }
        expect(thrown).toBeInstanceOf(AssessmentRuleError);
        expect((thrown as AssessmentRuleError).code).toBe('result-state-out-of-order');
        expect((thrown as AssessmentRuleError).message).toMatch(/^The sitting's result is /);
      });
    }
  }

  it('refuses what is not a state or an action at all', () => {
    expect(() => nextResultState('final' as ResultState, 'countersign')).toThrow(AssessmentRuleError);
    expect(() => nextResultState('draft', 'publish' as ResultAction)).toThrow(AssessmentRuleError);
  });
});
