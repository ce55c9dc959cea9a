// The centre's current mark per attempt and rubric criterion, with its comment and the reason
// given when it differs from the automatic suggestion. The history of every change is in the
// audit log ('mark-changed'); this table holds only what stands now.
import type { Db } from '../connection.js';

export interface AttemptMark {
  attemptId: string;
  criterionId: string;
  mark: number;
  comment: string;
  overrideReason: string | null;
  updatedAt: number;
  updatedBy: number;
}

const SELECT = `SELECT attempt_id AS attemptId, criterion_id AS criterionId, mark, comment, override_reason AS overrideReason,
  updated_at AS updatedAt, updated_by AS updatedBy FROM attempt_marks`;

export class AttemptMarkRepository {
  constructor(private readonly db: Db) {}

  forAttempt(attemptId: string): AttemptMark[] {
    return this.db.prepare(`${SELECT} WHERE attempt_id = ? ORDER BY criterion_id`).all(attemptId) as AttemptMark[];
  }

  /** Inserts or replaces the mark of one criterion. */
  save(m: AttemptMark): void {
    this.db
      .prepare(
        `INSERT INTO attempt_marks (attempt_id, criterion_id, mark, comment, override_reason, updated_at, updated_by)
         VALUES (@attemptId, @criterionId, @mark, @comment, @overrideReason, @updatedAt, @updatedBy)
         ON CONFLICT (attempt_id, criterion_id) DO UPDATE SET mark = excluded.mark, comment = excluded.comment,
           override_reason = excluded.override_reason, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
      )
      .run(m);
  }
}
