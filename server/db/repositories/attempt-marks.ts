// The centre's current mark per attempt and rubric criterion, with its comment and the reason
// given when it differs from the automatic suggestion. The history of every change is in the
// audit log ('mark-changed'); this table holds only what stands now.
import { selectFrom, snakeCaseColumns, upsertInto } from '../columns.js';
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

const COLUMNS = snakeCaseColumns<AttemptMark>()(['attemptId', 'criterionId', 'mark', 'comment', 'overrideReason', 'updatedAt', 'updatedBy']);
const SELECT = selectFrom('attempt_marks', COLUMNS);
const SAVE = upsertInto('attempt_marks', COLUMNS, ['attemptId', 'criterionId']);

export class AttemptMarkRepository {
  constructor(private readonly db: Db) {}

  forAttempt(attemptId: string): AttemptMark[] {
    return this.db.prepare(`${SELECT} WHERE attempt_id = ? ORDER BY criterion_id`).all(attemptId) as AttemptMark[];
  }

  /** Inserts or replaces the mark of one criterion. */
  save(m: AttemptMark): void {
    this.db.prepare(SAVE).run(m);
  }
}
