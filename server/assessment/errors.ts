// The one error the assessment rules throw: for input that breaks a rule outright (a mark of 13,
// a fifth counted assignment, a pause without a rest-break arrangement), as opposed to a result
// that is simply "no grade yet", which the rules return as data.

export class AssessmentRuleError extends Error {
  constructor(
    /** A stable machine code, e.g. 'mark-not-integer', 'too-many-assignments'. */
    readonly code: string,
    message: string,
    /** Where in the input the bad value is, e.g. 'assignments[2].attempts[0].centreMark'. */
    readonly path?: string,
  ) {
    super(message);
    this.name = 'AssessmentRuleError';
  }
}
