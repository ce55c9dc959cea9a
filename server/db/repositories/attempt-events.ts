// The desktop timeline of an attempt: every candidate action, stamped by the server and stored
// exactly once per client id, numbered 1, 2, 3… per attempt. The table is append-only (triggers
// refuse UPDATE and DELETE), so a stored event is never changed.
import type { TimelineEvent } from '../../protocol/timeline.js';
import type { Db } from '../connection.js';

/** A stored timeline event: the wire shape (server/protocol/timeline.ts) plus its row id. */
export interface AttemptEvent extends Omit<TimelineEvent, 'payload'> {
  id: number;
  payload: Record<string, unknown>;
}

export type NewAttemptEvent = Pick<AttemptEvent, 'at' | 'clientAt' | 'callId' | 'offsetMs' | 'type' | 'payload'>;

interface EventRow extends Omit<AttemptEvent, 'payload'> {
  payload: string;
}

const SELECT = `SELECT id, attempt_id AS attemptId, seq, client_id AS clientId, at, client_at AS clientAt, call_id AS callId,
  offset_ms AS offsetMs, type, payload FROM attempt_events`;

const toEvent = (r: EventRow): AttemptEvent => ({ ...r, payload: JSON.parse(r.payload) as Record<string, unknown> });

export class AttemptEventRepository {
  private readonly appendTx: (attemptId: string, clientId: string, event: NewAttemptEvent) => { event: AttemptEvent; duplicate: boolean };

  constructor(private readonly db: Db) {
    const findByClientId = db.prepare(`${SELECT} WHERE attempt_id = ? AND client_id = ?`);
    const nextSeq = db.prepare('SELECT COALESCE(MAX(seq), 0) + 1 AS seq FROM attempt_events WHERE attempt_id = ?');
    const insert = db.prepare(
      `INSERT INTO attempt_events (attempt_id, seq, client_id, at, client_at, call_id, offset_ms, type, payload)
       VALUES (@attemptId, @seq, @clientId, @at, @clientAt, @callId, @offsetMs, @type, @payload)`,
    );
    const tx = db.transaction((attemptId: string, clientId: string, event: NewAttemptEvent) => {
      const existing = findByClientId.get(attemptId, clientId) as EventRow | undefined;
      if (existing) return { event: toEvent(existing), duplicate: true };
      const { seq } = nextSeq.get(attemptId) as { seq: number };
      const payload = JSON.stringify(event.payload);
      const info = insert.run({ attemptId, seq, clientId, at: event.at, clientAt: event.clientAt, callId: event.callId, offsetMs: event.offsetMs, type: event.type, payload });
      const stored: AttemptEvent = { id: Number(info.lastInsertRowid), attemptId, seq, clientId, ...event, payload: JSON.parse(payload) as Record<string, unknown> };
      return { event: stored, duplicate: false };
    });
    // IMMEDIATE: the write lock is taken before MAX(seq) is read, so two writers cannot pick the same seq.
    this.appendTx = (attemptId, clientId, event) => tx.immediate(attemptId, clientId, event);
  }

  /**
   * Stores an event once. A second append with the same (attempt, client id) stores nothing and
   * returns the event stored the first time, unchanged, with duplicate: true.
   */
  append(attemptId: string, clientId: string, event: NewAttemptEvent): { event: AttemptEvent; duplicate: boolean } {
    return this.appendTx(attemptId, clientId, event);
  }

  findByClientId(attemptId: string, clientId: string): AttemptEvent | undefined {
    const row = this.db.prepare(`${SELECT} WHERE attempt_id = ? AND client_id = ?`).get(attemptId, clientId) as EventRow | undefined;
    return row && toEvent(row);
  }

  /** The attempt's events in seq order, optionally only those after a seq. */
  list(attemptId: string, opts: { afterSeq?: number; limit?: number } = {}): AttemptEvent[] {
    const rows = this.db
      .prepare(`${SELECT} WHERE attempt_id = ? AND seq > ? ORDER BY seq LIMIT ?`)
      .all(attemptId, opts.afterSeq ?? 0, opts.limit ?? -1) as EventRow[];
    return rows.map(toEvent);
  }
}
