// The desktop timeline of an attempt: every candidate action, stamped by the server and stored
// exactly once per client id, numbered 1, 2, 3… per attempt. The table is append-only (triggers
// refuse UPDATE and DELETE), so a stored event is never changed. Each attempt's events form a hash
// chain (server/hash-chain.ts): every row stores the hash of the row before it (prev_hash) and
// its own (hash), computed here inside the insert's transaction, so a row changed or removed later
// by hand (outside this code) shows in the moderation pack's verification.
// Every event says who recorded it (source: the server, or the candidate's browser); from
// migration 10 on the source is inside the hash too (server/hash-chain.ts).
import { attemptEventHash, GENESIS_HASH } from '../../hash-chain.js';
import type { EventSource, TimelineEvent } from '../../protocol/timeline.js';
import type { Db } from '../connection.js';

/** A stored timeline event: the wire shape (server/protocol/timeline.ts) plus its row id. */
export interface AttemptEvent extends Omit<TimelineEvent, 'payload'> {
  id: number;
  payload: Record<string, unknown>;
  /** false only for rows stored before migration 10, whose hash does not cover their source. */
  sourceInChain: boolean;
  /** The hash of the attempt's previous event (GENESIS_HASH for seq 1). */
  prevHash: string;
  /** SHA-256 over prevHash and this event's content (chain v1). */
  hash: string;
}

export type NewAttemptEvent = Pick<AttemptEvent, 'at' | 'clientAt' | 'callId' | 'offsetMs' | 'type' | 'payload' | 'source'>;

/** Which events a read returns (all by default), in seq order. */
export interface EventFilter {
  afterSeq?: number;
  limit?: number;
  /** Only these types. */
  types?: readonly string[];
  /** Only events recorded by this source. */
  source?: EventSource;
}

/** What an attempt's browser-reported events hold: how many, and their payloads' bytes (UTF-8 JSON). */
export interface BrowserUsage {
  events: number;
  bytes: number;
}

/** The newest event of an attempt's chain. */
export interface ChainHead {
  seq: number;
  hash: string;
}

interface EventRow extends Omit<AttemptEvent, 'payload' | 'sourceInChain'> {
  payload: string;
  sourceInChain: number;
}

const SELECT = `SELECT id, attempt_id AS attemptId, seq, client_id AS clientId, at, client_at AS clientAt, call_id AS callId,
  offset_ms AS offsetMs, type, payload, source, source_in_chain AS sourceInChain, prev_hash AS prevHash, hash FROM attempt_events`;

const toEvent = (r: EventRow): AttemptEvent => ({ ...r, payload: JSON.parse(r.payload) as Record<string, unknown>, sourceInChain: r.sourceInChain === 1 });

/** The WHERE clause and arguments of a filtered read. */
function where(attemptId: string, f: EventFilter): { sql: string; args: unknown[] } {
  const parts = ['attempt_id = ?', 'seq > ?'];
  const args: unknown[] = [attemptId, f.afterSeq ?? 0];
  if (f.types) {
    parts.push(`type IN (${f.types.map(() => '?').join(', ') || 'NULL'})`);
    args.push(...f.types);
  }
  if (f.source) {
    parts.push('source = ?');
    args.push(f.source);
  }
  return { sql: parts.join(' AND '), args };
}

export class AttemptEventRepository {
  private readonly appendTx: (attemptId: string, clientId: string, event: NewAttemptEvent) => { event: AttemptEvent; duplicate: boolean };

  constructor(private readonly db: Db) {
    const findByClientId = db.prepare(`${SELECT} WHERE attempt_id = ? AND client_id = ?`);
    const last = db.prepare('SELECT seq, hash FROM attempt_events WHERE attempt_id = ? ORDER BY seq DESC LIMIT 1');
    const insert = db.prepare(
      `INSERT INTO attempt_events (attempt_id, seq, client_id, at, client_at, call_id, offset_ms, type, payload, source, source_in_chain, prev_hash, hash)
       VALUES (@attemptId, @seq, @clientId, @at, @clientAt, @callId, @offsetMs, @type, @payload, @source, 1, @prevHash, @hash)`,
    );
    const tx = db.transaction((attemptId: string, clientId: string, event: NewAttemptEvent) => {
      const existing = findByClientId.get(attemptId, clientId) as EventRow | undefined;
      if (existing) return { event: toEvent(existing), duplicate: true };
      const head = last.get(attemptId) as { seq: number; hash: string } | undefined;
      const seq = (head?.seq ?? 0) + 1;
      const payload = JSON.stringify(event.payload);
      // The hash covers the payload as it will be read back (a JSON round trip), not the caller's object.
      const content = { attemptId, seq, clientId, at: event.at, clientAt: event.clientAt, callId: event.callId, offsetMs: event.offsetMs, type: event.type, payload: JSON.parse(payload) as Record<string, unknown>, source: event.source };
      const prevHash = head?.hash ?? GENESIS_HASH;
      // The source is hashed with the rest (hash-chain.ts): a label changed later breaks the chain.
      const hash = attemptEventHash(prevHash, content);
      const info = insert.run({ ...content, payload, prevHash, hash });
      const stored: AttemptEvent = { id: Number(info.lastInsertRowid), ...content, sourceInChain: true, prevHash, hash };
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

  /**
   * The attempt's events in seq order, filtered (see EventFilter). Without a limit this reads the
   * whole timeline into memory: readers of a timeline of unknown length use `pages` instead.
   */
  list(attemptId: string, filter: EventFilter = {}): AttemptEvent[] {
    const w = where(attemptId, filter);
    const rows = this.db.prepare(`${SELECT} WHERE ${w.sql} ORDER BY seq LIMIT ?`).all(...w.args, filter.limit ?? -1) as EventRow[];
    return rows.map(toEvent);
  }

  /**
   * The attempt's events in seq order, a page of `pageSize` at a time (one query per page), so
   * that a long timeline is never held in memory whole. Stops early when the caller stops.
   */
  *pages(attemptId: string, filter: Omit<EventFilter, 'limit'> = {}, pageSize = 500): Generator<AttemptEvent[]> {
    let afterSeq = filter.afterSeq ?? 0;
    for (;;) {
      const page = this.list(attemptId, { ...filter, afterSeq, limit: pageSize });
      if (page.length === 0) return;
      yield page;
      if (page.length < pageSize) return;
      afterSeq = page[page.length - 1]!.seq;
    }
  }

  /** The same events one at a time (read in pages). */
  *each(attemptId: string, filter: Omit<EventFilter, 'limit'> = {}, pageSize = 500): Generator<AttemptEvent> {
    for (const page of this.pages(attemptId, filter, pageSize)) yield* page;
  }

  /** How many browser-reported events the attempt holds, and their payload bytes. */
  browserUsage(attemptId: string): BrowserUsage {
    const row = this.db
      .prepare("SELECT COUNT(*) AS events, COALESCE(SUM(length(CAST(payload AS BLOB))), 0) AS bytes FROM attempt_events WHERE attempt_id = ? AND source = 'browser'")
      .get(attemptId) as BrowserUsage;
    return row;
  }
}
