// A sitting's Unit 2 result from the full attempt history of its chosen assignments: re-take
// rules (retakes.ts) pick the mark that counts for each, grade rules (grades.ts) give the result.

import { UNIT2_GRADES, unit2Result, type GradeConfig, type Unit2Result } from './grades.js';
import { assignmentStanding, DEFAULT_RETAKE_POLICY, type AssignmentStanding, type AttemptRecord, type RetakePolicy } from './retakes.js';

export interface SittingAssignment {
  /** The chosen scenario (one of the four). */
  assignmentId: string;
  /** Every attempt of it in this sitting, earlier ones included. */
  attempts: readonly AttemptRecord[];
}

export interface SittingResult {
  result: Unit2Result;
  standings: readonly AssignmentStanding[];
}

export function sittingResult(
  assignments: readonly SittingAssignment[],
  policy: RetakePolicy = DEFAULT_RETAKE_POLICY,
  cfg: GradeConfig = UNIT2_GRADES,
): SittingResult {
  const standings = assignments.map((a) => assignmentStanding(a.assignmentId, a.attempts, policy, cfg));
  return { result: unit2Result(standings, cfg), standings };
}
