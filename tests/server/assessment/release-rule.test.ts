// The release rule over every (rule, state): released from the rule's state on, provisional until
// moderated, the outcome only once moderated and released.
import { describe, expect, it } from 'vitest';
import { candidateRelease, RELEASE_RULES } from '../../../server/assessment/release-rule.js';
import { RESULT_STATES } from '../../../server/assessment/result-states.js';

describe('candidateRelease', () => {
  const expected: Record<string, Record<string, [boolean, boolean]>> = {
    // rule → state → [released, provisional]
    'centre-final': { draft: [false, false], 'centre-final': [true, true], 'iqa-countersigned': [true, true], moderated: [true, false] },
    'iqa-countersigned': { draft: [false, false], 'centre-final': [false, false], 'iqa-countersigned': [true, true], moderated: [true, false] },
    moderated: { draft: [false, false], 'centre-final': [false, false], 'iqa-countersigned': [false, false], moderated: [true, false] },
  };
  for (const rule of RELEASE_RULES) {
    for (const state of RESULT_STATES) {
      it(`rule ${rule}, state ${state}`, () => {
        const r = candidateRelease(rule, state, state === 'moderated' ? 'adjusted' : null);
        expect([r.released, r.provisional]).toEqual(expected[rule]![state]);
        expect(r.outcome).toBe(state === 'moderated' ? 'adjusted' : null);
      });
    }
  }
  it('never gives an outcome before moderation, even if one is passed', () => {
    expect(candidateRelease('centre-final', 'iqa-countersigned', 'rejected').outcome).toBeNull();
  });
});
