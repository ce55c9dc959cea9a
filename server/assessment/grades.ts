// Unit 2 marks and grades, after shared/docs/assessment-domain.md ("the digest") section 1.2 and
// its grade function. Seed: 000_8c9ec5b3598aeb30.txt, "Specification at a glance" / "Assessment
// summary", Unit 2 bullets.
//
// - Four assignments are counted (digest 1.2 "4 of the 6").
// - Each assignment is marked 0-12 in whole marks (12 is [inferred]: 48 / 4, digest 1.2 and 1.5.4).
// - Each assignment needs at least 6 (stated); below 6 it may be re-taken (retakes.ts).
// - Total over the four: Pass 24-28, Merit 29-35, Distinction 36-48 (stated; boundaries are
//   "percentage of 48 rounded up", digest 1.2 arithmetic check and 1.5.5).
// - The stray "Pass - 7-12 errors" line is ignored (digest 1.5.1).
// - No Fail band is printed; an assignment that stays below 6 means no grade, recorded as a fail
//   once no re-take is left (digest 1.2 "Fail ... [inferred]"). A total below 24 with every
//   assignment at 6 or more cannot happen with these numbers (4 x 6 = 24) but is still handled,
//   since every number is configuration (digest 1.2 "every number comes from configuration").
// - Incomplete (fewer than four marked): no grade (digest grade function 'INCOMPLETE').

import { AssessmentRuleError } from './errors.js';

export interface GradeConfig {
  /** Assignments counted in a sitting. */
  assignments: number;
  /** Highest mark of one assignment. */
  maxMark: number;
  /** Lowest mark an assignment must reach. */
  minMark: number;
  /** Lowest total for each grade. */
  pass: number;
  merit: number;
  distinction: number;
}

/** Digest 1.2: 4 assignments, 12 marks each, minimum 6, Pass 24, Merit 29, Distinction 36 (to 48). */
export const UNIT2_GRADES: Readonly<GradeConfig> = Object.freeze({ assignments: 4, maxMark: 12, minMark: 6, pass: 24, merit: 29, distinction: 36 });

export type Grade = 'Pass' | 'Merit' | 'Distinction';

/** Throws when a grade configuration is not self-consistent. */
export function validateGradeConfig(cfg: GradeConfig): void {
  const whole = (name: keyof GradeConfig, min: number) => {
    const v = cfg[name];
    if (!Number.isInteger(v) || v < min) throw new AssessmentRuleError('bad-grade-config', `Grade configuration: ${name} must be a whole number of at least ${min}; got ${String(v)}.`, name);
  };
  whole('assignments', 1);
  whole('maxMark', 1);
  whole('minMark', 0);
  whole('pass', 0);
  whole('merit', 0);
  whole('distinction', 0);
  const top = cfg.assignments * cfg.maxMark;
  if (cfg.minMark > cfg.maxMark) throw new AssessmentRuleError('bad-grade-config', `Grade configuration: minMark ${cfg.minMark} is above maxMark ${cfg.maxMark}.`, 'minMark');
  if (!(cfg.pass < cfg.merit && cfg.merit < cfg.distinction && cfg.distinction <= top)) {
    throw new AssessmentRuleError(
      'bad-grade-config',
      `Grade configuration: boundaries must rise, pass < merit < distinction <= ${top} (assignments x maxMark); got ${cfg.pass}, ${cfg.merit}, ${cfg.distinction}.`,
      'pass',
    );
  }
}

/**
 * Checks one assignment mark: a whole number from 0 to maxMark (12). Returns it, or throws with
 * what was wrong and where (`label`, e.g. 'assignment S3 attempt 2').
 */
export function validateAssignmentMark(mark: unknown, cfg: GradeConfig = UNIT2_GRADES, label = 'assignment mark'): number {
  if (typeof mark !== 'number' || Number.isNaN(mark)) {
    throw new AssessmentRuleError('mark-not-number', `The ${label} must be a whole number from 0 to ${cfg.maxMark}; got ${describe(mark)}.`, label);
  }
  if (!Number.isInteger(mark)) {
    throw new AssessmentRuleError('mark-not-integer', `The ${label} must be a whole number from 0 to ${cfg.maxMark}; got ${mark}, which is not whole.`, label);
  }
  if (mark < 0 || mark > cfg.maxMark) {
    throw new AssessmentRuleError('mark-out-of-range', `The ${label} must be from 0 to ${cfg.maxMark}; got ${mark}.`, label);
  }
  return mark;
}

function describe(v: unknown): string {
  if (typeof v === 'string') return `the text "${v}"`;
  if (typeof v === 'number') return String(v);
  if (v === null) return 'null';
  return typeof v;
}

/**
 * The band of a total over all counted assignments: Pass 24-28, Merit 29-35, Distinction 36-48,
 * or null below the Pass boundary. Throws for a total that four marks could not make.
 */
export function gradeForTotal(total: number, cfg: GradeConfig = UNIT2_GRADES): Grade | null {
  validateGradeConfig(cfg);
  const top = cfg.assignments * cfg.maxMark;
  if (!Number.isInteger(total) || total < 0 || total > top) {
    throw new AssessmentRuleError('total-out-of-range', `A sitting total must be a whole number from 0 to ${top}; got ${total}.`, 'total');
  }
  if (total >= cfg.distinction) return 'Distinction';
  if (total >= cfg.merit) return 'Merit';
  if (total >= cfg.pass) return 'Pass';
  return null;
}

/** Where one counted assignment stands (retakes.ts works this out from its attempts). */
export interface CountedMark {
  assignmentId: string;
  /** The mark that counts (moderated if any, else centre; the re-take policy's attempt), or null if not marked yet. */
  mark: number | null;
  /** True when a mark below the minimum may still be recovered by a re-take (none taken yet, limit not reached). */
  retakeAvailable?: boolean;
  /** Why the mark is null, for the reason text (e.g. 'the re-take (attempt 2) is not marked yet'). */
  pendingNote?: string;
}

export type NoGradeCode =
  /** Fewer than four assignments in the sitting, or one not marked yet (digest grade function). */
  | 'incomplete'
  /** An assignment below 6 that may still be re-taken (seed: "they may re-take that assignment"). */
  | 'below-minimum-retake-open'
  /** An assignment below 6 with no re-take left: Fail [inferred] (digest 1.2). */
  | 'below-minimum'
  /** Every assignment at or above the minimum but the total under Pass (unreachable with 4 x 6 = 24). */
  | 'below-pass';

export interface NoGradeReason {
  code: NoGradeCode;
  assignmentId?: string;
  message: string;
}

export type Unit2Result =
  | { status: 'graded'; grade: Grade; total: number; marks: readonly CountedMark[] }
  | {
      status: 'no-grade';
      /** True when nothing left can change it: a fail (digest 1.2 [inferred]). False: still pending. */
      final: boolean;
      /** Sum of the marks counted so far (all four when complete). */
      total: number;
      complete: boolean;
      reasons: readonly NoGradeReason[];
      marks: readonly CountedMark[];
    };

/**
 * The Unit 2 result of a sitting from the mark that counts for each chosen assignment. More than
 * `assignments` (4) entries, a repeated assignment id or a bad mark throws; fewer, or an unmarked
 * one, is 'incomplete'.
 */
export function unit2Result(counted: readonly CountedMark[], cfg: GradeConfig = UNIT2_GRADES): Unit2Result {
  validateGradeConfig(cfg);
  if (counted.length > cfg.assignments) {
    throw new AssessmentRuleError(
      'too-many-assignments',
      `A sitting counts exactly ${cfg.assignments} assignments; got ${counted.length} (${counted.map((c) => c.assignmentId).join(', ')}).`,
      'counted',
    );
  }
  const seen = new Set<string>();
  counted.forEach((c, i) => {
    if (seen.has(c.assignmentId)) throw new AssessmentRuleError('duplicate-assignment', `Assignment ${c.assignmentId} is counted twice in one sitting.`, `counted[${i}].assignmentId`);
    seen.add(c.assignmentId);
    if (c.mark !== null) validateAssignmentMark(c.mark, cfg, `mark of assignment ${c.assignmentId}`);
  });

  const reasons: NoGradeReason[] = [];
  const missing = cfg.assignments - counted.length;
  if (missing > 0) {
    reasons.push({ code: 'incomplete', message: `Only ${counted.length} of the ${cfg.assignments} assignments are in the sitting; ${missing} more must be taken.` });
  }
  for (const c of counted) {
    if (c.mark === null) {
      reasons.push({ code: 'incomplete', assignmentId: c.assignmentId, message: `Assignment ${c.assignmentId} is not marked yet${c.pendingNote ? ` (${c.pendingNote})` : ''}.` });
    } else if (c.mark < cfg.minMark) {
      reasons.push(
        c.retakeAvailable
          ? { code: 'below-minimum-retake-open', assignmentId: c.assignmentId, message: `Assignment ${c.assignmentId} scored ${c.mark}, below the minimum of ${cfg.minMark}; it may be re-taken.` }
          : { code: 'below-minimum', assignmentId: c.assignmentId, message: `Assignment ${c.assignmentId} scored ${c.mark}, below the minimum of ${cfg.minMark}, and no re-take is left.` },
      );
    }
  }
  const total = counted.reduce((sum, c) => sum + (c.mark ?? 0), 0);
  const complete = missing === 0 && counted.every((c) => c.mark !== null);

  if (reasons.length === 0) {
    const grade = gradeForTotal(total, cfg);
    if (grade) return { status: 'graded', grade, total, marks: counted };
    reasons.push({ code: 'below-pass', message: `The total of ${total} is below the Pass mark of ${cfg.pass}.` });
  }
  const final = reasons.some((r) => r.code === 'below-minimum' || r.code === 'below-pass');
  return { status: 'no-grade', final, total, complete, reasons, marks: counted };
}
