// The desktop timeline of an attempt: every candidate action, stamped by the server and stored
// exactly once per client id, numbered 1, 2, 3… per attempt. The table is append-only (triggers
// refuse UPDATE and DELETE), so a stored event is never changed. Each attempt's events form a hash
// chain (server/moderation/chain.ts): every row stores the hash of the row before it (prev_hash) and
// its own (hash), computed here inside the insert's transaction, so a row changed or removed later
// by hand (outside this code) shows in the moderation pack's verification.
import { attemptEventHash, GENESIS_HASH } from '../../moderation/chain.js';
import type { TimelineEvent } from '../../protocol/timeline.js';
import type { Db } from '../connection.js';

/** A stored timeline event: the wire shape (server/protocol/timeline.ts) plus its row id. */
export interface AttemptEvent extends Omit<TimelineEvent, 'payload'> {
  id: number;
  payload: Record<string, unknown>;
  /** The hash of the attempt's previous event (GENESIS_HASH for seq 1). */
  prevHash: string;
  /** SHA-256 over prevHash and this event's content (chain v1). */
  hash: string;
}

export type NewAttemptEvent = Pick<AttemptEvent, 'at' | 'clientAt' | 'callId' | 'offsetMs' | 'type' | 'payload'>;

/** The newest event of an attempt's chain. */
export interface ChainHead {
  seq: number;
  hash: string;
}

interface EventRow extends Omit<AttemptEvent, 'payload'> {
  payload: string;
}

const SELECT = `SELECT id, attempt_id AS attemptId, seq, client_id AS clientId, at, client_at AS clientAt, call_id AS callId,
  offset_ms AS offsetMs, type, payload, prev_hash AS prevHash, hash FROM attempt_events`;

const toEvent = (r: EventRow): AttemptEvent => ({ ...r, payload: JSON.parse(r.payload) as Record<string, unknown> });

export class AttemptEventRepository {
  private readonly appendTx: (attemptId: string, clientId: string, event: NewAttemptEvent) => { event: AttemptEvent; duplicate: boolean };

  constructor(private readonly db: Db) {
    const findByClientId = db.prepare(`${SELECT} WHERE attempt_id = ? AND client_id = ?`);
    const last = db.prepare('SELECT seq, hash FROM attempt_events WHERE attempt_id = ? ORDER BY seq DESC LIMIT 1');
    const insert = db.prepare(
      `INSERT INTO attempt_events (attempt_id, seq, client_id, at, client_at, call_id, offset_ms, type, payload, prev_hash, hash)
       VALUES (@attemptId, @seq, @clientId, @at, @clientAt, @callId, @offsetMs, @type, @payload, @prevHash, @hash)`,
    );
    const tx = db.transaction((attemptId: string, clientId: string, event: NewAttemptEvent) => {
      const existing = findByClientId.get(attemptId, clientId) as EventRow | undefined;
      if (existing) return { event: toEvent(existing), duplicate: true };
      const head = last.get(attemptId) as { seq: number; hash: string } | undefined;
      const seq = (head?.seq ?? 0) + 1;
      const payload = JSON.stringify(event.payload);
      // The hash covers the payload as it will be read back (a JSON round trip), not the caller's object.
      const content = { attemptId, seq, clientId, at: event.at, clientAt: event.clientAt, callId: event.callId, offsetMs: event.offsetMs, type: event.type, payload: JSON.parse(payload) as Record<string, unknown> };
      const prevHash = head?.hash ?? GENESIS_HASH;
      const hash = attemptEventHash(prevHash, content);
      const info = insert.run({ ...content, payload, prevHash, hash });
      const stored: AttemptEvent = { id: Number(info.lastInsertRowid), ...content, prevHash, hash };
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

  /** The newest event's seq and hash, or undefined when the attempt has no events yet. */
  head(attemptId: string): ChainHead | undefined {
    return this.db.prepare('SELECT seq, hash FROM attempt_events WHERE attempt_id = ? ORDER BY seq DESC LIMIT 1').get(attemptId) as ChainHead | undefined;
  }

  /**
   * The attempt a call belongs to: the one whose desktop actions were linked to the call, or else
   * the candidate's attempt that was open when the call was answered (or offered, if never
   * answered), the newest if several were. Undefined for a call outside any attempt.
   */
  attemptForCall(call: { id: string; candidateUserId: number | null; invitedAt: number; answeredAt: number | null }): string | undefined {
    const linked = this.db.prepare('SELECT attempt_id AS id FROM attempt_events WHERE call_id = ? ORDER BY id LIMIT 1').get(call.id) as { id: string } | undefined;
    if (linked) return linked.id;
    if (call.candidateUserId === null) return undefined;
    const at = call.answeredAt ?? call.invitedAt;
    const open = this.db
      .prepare('SELECT id FROM attempts WHERE candidate_user_id = ? AND created_at <= ? AND (closed_at IS NULL OR closed_at >= ?) ORDER BY created_at DESC, rowid DESC LIMIT 1')
      .get(call.candidateUserId, at, at) as { id: string } | undefined;
    return open?.id;
  }

  /** The ids of the calls an attempt's events are linked to, oldest link first. */
  callIdsOfAttempt(attemptId: string): string[] {
    const rows = this.db.prepare('SELECT call_id AS id, MIN(seq) AS first FROM attempt_events WHERE attempt_id = ? AND call_id IS NOT NULL GROUP BY call_id ORDER BY first').all(attemptId) as Array<{ id: string }>;
    return rows.map((r) => r.id);
  }

  /** The attempt's events in seq order, optionally only those after a seq. */
  list(attemptId: string, opts: { afterSeq?: number; limit?: number } = {}): AttemptEvent[] {
    const rows = this.db
      .prepare(`${SELECT} WHERE attempt_id = ? AND seq > ? ORDER BY seq LIMIT ?`)
      .all(attemptId, opts.afterSeq ?? 0, opts.limit ?? -1) as EventRow[];
    return rows.map(toEvent);
  }
}
