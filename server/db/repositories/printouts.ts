// Print-outs of an attempt (migration 5): one row per PDF a candidate printed, pointing at the file
// under the print-outs directory with its SHA-256. The table is append-only (triggers refuse UPDATE
// and DELETE), so a print-out, once stored as evidence, is never changed or removed.
import type { PrintoutKind, PrintoutSummary } from '../../protocol/printouts.js';
import type { Db } from '../connection.js';

export type { PrintoutKind };

/** A stored print-out: the summary the API shows (server/protocol/printouts.ts) but its URL, with its attempt, file and who printed it. */
export interface Printout extends Omit<PrintoutSummary, 'url'> {
  attemptId: string;
  /** Relative to the print-outs directory: '<attempt id>/<id>-<kind>.pdf'. */
  file: string;
  createdBy: number;
}

const SELECT = `SELECT id, attempt_id AS attemptId, kind, subject_id AS subjectId, title, file, sha256, bytes, pages,
  created_at AS createdAt, created_by AS createdBy FROM attempt_printouts`;

export class PrintoutRepository {
  constructor(private readonly db: Db) {}

  insert(p: Printout): Printout {
    this.db
      .prepare(
        `INSERT INTO attempt_printouts (id, attempt_id, kind, subject_id, title, file, sha256, bytes, pages, created_at, created_by)
         VALUES (@id, @attemptId, @kind, @subjectId, @title, @file, @sha256, @bytes, @pages, @createdAt, @createdBy)`,
      )
      .run(p);
    return { ...p };
  }

  /** The print-out, if it belongs to this attempt. */
  find(attemptId: string, id: string): Printout | undefined {
    return this.db.prepare(`${SELECT} WHERE attempt_id = ? AND id = ?`).get(attemptId, id) as Printout | undefined;
  }

  /** The attempt's print-outs in the order they were made. */
  list(attemptId: string): Printout[] {
    return this.db.prepare(`${SELECT} WHERE attempt_id = ? ORDER BY created_at, rowid`).all(attemptId) as Printout[];
  }
}
