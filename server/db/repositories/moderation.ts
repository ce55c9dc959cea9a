// Moderated marks (beside the centre's, never over them) and moderators' changes to a centre's
// sample. The paged read of the audit log is AuditLogRepository.page().
import { selectFrom, snakeCaseColumns, upsertInto } from '../columns.js';
import type { Db } from '../connection.js';

export interface ModeratedMark {
  attemptId: string;
  criterionId: string;
  mark: number;
  reason: string;
  updatedAt: number;
  updatedBy: number;
}

export interface SampleChange {
  id: number;
  centreId: number;
  sittingId: string;
  action: 'add' | 'remove';
  reason: string;
  at: number;
  byUserId: number;
}

const MARK_COLUMNS = snakeCaseColumns<ModeratedMark>()(['attemptId', 'criterionId', 'mark', 'reason', 'updatedAt', 'updatedBy']);
const SELECT_MARK = selectFrom('attempt_moderation', MARK_COLUMNS);
const SAVE_MARK = upsertInto('attempt_moderation', MARK_COLUMNS, ['attemptId', 'criterionId']);

export class ModerationRepository {
  constructor(private readonly db: Db) {}

  marksFor(attemptId: string): ModeratedMark[] {
    return this.db.prepare(`${SELECT_MARK} WHERE attempt_id = ? ORDER BY criterion_id`).all(attemptId) as ModeratedMark[];
  }

  saveMark(m: ModeratedMark): void {
    this.db.prepare(SAVE_MARK).run(m);
  }

  /** The moderated mark is withdrawn: the centre mark stands again. */
  removeMark(attemptId: string, criterionId: string): void {
    this.db.prepare('DELETE FROM attempt_moderation WHERE attempt_id = ? AND criterion_id = ?').run(attemptId, criterionId);
  }

  addSampleChange(c: Omit<SampleChange, 'id'>): SampleChange {
    const info = this.db
      .prepare('INSERT INTO moderation_sample_changes (centre_id, sitting_id, action, reason, at, by_user_id) VALUES (@centreId, @sittingId, @action, @reason, @at, @byUserId)')
      .run(c);
    return { id: Number(info.lastInsertRowid), ...c };
  }

  /** The change that stands for each sitting of the centre (its newest row). */
  currentSampleChanges(centreId: number): Map<string, SampleChange> {
    const rows = this.db
      .prepare(
        `SELECT id, centre_id AS centreId, sitting_id AS sittingId, action, reason, at, by_user_id AS byUserId
         FROM moderation_sample_changes WHERE centre_id = ? ORDER BY id`,
      )
      .all(centreId) as SampleChange[];
    return new Map(rows.map((r) => [r.sittingId, r]));
  }

  /** The attempt's CRM copy was anonymised by the retention job (its values are placeholders). */
  attemptAnonymised(attemptId: string): boolean {
    const row = this.db.prepare('SELECT anonymised_at AS at FROM attempts WHERE id = ?').get(attemptId) as { at: number | null } | undefined;
    return row?.at !== null && row?.at !== undefined;
  }
}
