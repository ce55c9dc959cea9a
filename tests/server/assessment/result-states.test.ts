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

/** The rule error a call throws, as code, message and path. */
function refusal(f: () => unknown): { code: string; message: string; path: string | undefined } {
  try {
    f();
  } catch (err) {
    if (err instanceof AssessmentRuleError) return { code: err.code, message: err.message, path: err.path };
    throw new Error(`expected an AssessmentRuleError, got ${String(err)}`);
  }
  throw new Error('nothing was thrown');
}

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
    expect(refusal(() => nextResultState('final' as ResultState, 'record-outcome'))).toEqual({
      code: 'result-state-unknown',
      message: '"final" is not a result state (draft, centre-final, iqa-countersigned, moderated).',
      path: 'state',
    });
    expect(refusal(() => nextResultState('centre-final', 'publish' as ResultAction))).toEqual({
      code: 'result-action-unknown',
      message: '"publish" is not a result step (sign-mark-sheet, return-to-assessor, countersign, record-outcome).',
      path: 'action',
    });
  });

  it('says in words where the result stands and what may come next', () => {
    expect(refusal(() => nextResultState('draft', 'countersign'))).toEqual({
      code: 'result-state-out-of-order',
      message: "The sitting's result is a draft (the centre is still marking), so countersigning is not possible now; the next step is the assessor signing the mark sheet.",
      path: 'state',
    });
    expect(refusal(() => nextResultState('centre-final', 'record-outcome')).message).toBe(
      "The sitting's result is signed by the assessor and waiting for the internal quality assurer, so recording a moderation outcome is not possible now; the next step is sending it back to the assessor or countersigning.",
    );
    expect(refusal(() => nextResultState('iqa-countersigned', 'return-to-assessor')).message).toBe(
      "The sitting's result is countersigned and waiting for moderation, so sending it back to the assessor is not possible now; the next step is recording a moderation outcome.",
    );
    expect(refusal(() => nextResultState('moderated', 'sign-mark-sheet')).message).toBe("The sitting's result is moderated, so the assessor signing the mark sheet is not possible now; nothing follows.");
  });

  it('only a moderated result is moderated', () => {
    expect(RESULT_STATES.filter(isModerated)).toEqual(['moderated']);
  });
});
