// Shared by the assessment rule tests: catching the rules' own error.
import { expect } from 'vitest';
import { AssessmentRuleError } from '../../../server/assessment/errors.js';

export function ruleError(fn: () => unknown): AssessmentRuleError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AssessmentRuleError);
    return err as AssessmentRuleError;
  }
  throw new Error('expected an AssessmentRuleError, nothing was thrown');
}
