// Read-only queries for /metrics (server/metrics/). They read the append-only call and desktop
// timelines by id range, so each scrape reads only the rows added since the previous one.
import type { Db } from '../connection.js';

export interface CallOutcomeCount {
  /** 'end' (a call ended; outcome says how), 'interrupted' (cut off by a stop) or 'recording-failed'. */
  type: 'end' | 'interrupted' | 'recording-failed';
  outcome: string | null;
  n: number;
}

export class OperationsRepository {
  constructor(private readonly db: Db) {}

  lastCallEventId(): number {
    return (this.db.prepare('SELECT COALESCE(MAX(id), 0) AS id FROM call_events').get() as { id: number }).id;
  }

  /** Ends, interruptions and recording failures among call events with afterId < id <= uptoId. */
  callOutcomes(afterId: number, uptoId: number): CallOutcomeCount[] {
    return this.db
      .prepare(
        `SELECT type, CASE WHEN type = 'end' THEN json_extract(detail, '$.outcome') END AS outcome, COUNT(*) AS n
         FROM call_events WHERE id > ? AND id <= ? AND type IN ('end', 'interrupted', 'recording-failed')
         GROUP BY 1, 2`,
      )
      .all(afterId, uptoId) as CallOutcomeCount[];
  }

  lastAttemptEventId(): number {
    return (this.db.prepare('SELECT COALESCE(MAX(id), 0) AS id FROM attempt_events').get() as { id: number }).id;
  }

  /** Server receive time minus client time of desktop events after afterId, oldest first. */
  desktopEventLags(afterId: number, limit: number): Array<{ id: number; lagMs: number }> {
    return this.db
      .prepare('SELECT id, at - client_at AS lagMs FROM attempt_events WHERE id > ? AND client_at IS NOT NULL ORDER BY id LIMIT ?')
      .all(afterId, limit) as Array<{ id: number; lagMs: number }>;
  }
}
