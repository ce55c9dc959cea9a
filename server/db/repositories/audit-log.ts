// The audit trail: append-only (triggers refuse UPDATE and DELETE) and hash-chained, so that a row
// changed or removed behind the triggers' back is found by verifyAuditChain(), which names the
// first row that no longer fits.
//
// Each row's hash is SHA-256 (hex) of the canonical JSON (keys sorted, no spaces) of
//   { id, at, actorUserId, actorRole, centreId, action, subjectType, subjectId, before, after, reason, prevHash }
// where before/after are the JSON values (not their text) and prevHash is the previous row's hash,
// 64 zeros for the first row. This is the one place that writes the chain: every feature that
// audits something calls append() inside its own transaction, so the change and its audit row are
// stored together or not at all.
import type { AuditLogEntryView } from '../../protocol/moderation.js';
import type { SessionUser } from '../../protocol/roles.js';
import { canonicalJson, GENESIS_HASH, sha256Hex } from '../../hash-chain.js';
import type { Db } from '../connection.js';
import { whereSet } from '../where.js';

// The canonical JSON and the genesis hash of every hash chain (server/hash-chain.ts) serve the audit log too.
export { canonicalJson, GENESIS_HASH };

export interface AuditActor {
  userId: number;
  role: string;
}

export interface AuditInput {
  at: number;
  /** null for the system itself (start-up, a scheduled job). */
  actor: AuditActor | null;
  centreId: number | null;
  /** What happened, e.g. 'mark-changed', 'sitting-created', 'sitting-started', 'attempt-started'. */
  action: string;
  /** What it happened to, e.g. 'sitting', 'attempt'. */
  subjectType: string;
  subjectId: string | number;
  before?: unknown;
  after?: unknown;
  reason?: string | null;
}

/** The actor of an entry about what a signed-in user did: who they are and the role they acted in. */
export const auditActor = (user: Pick<SessionUser, 'id' | 'role'>): AuditActor => ({ userId: user.id, role: user.role });

/** What an entry is about, filed under the centre that subject belongs to. */
export const auditSubject = (subjectType: string, subject: { id: string | number; centreId: number | null }): Pick<AuditInput, 'centreId' | 'subjectType' | 'subjectId'> => ({
  centreId: subject.centreId,
  subjectType,
  subjectId: subject.id,
});

/** A stored entry: the entry as the audit log shows it (protocol/moderation.ts), its actor as stored, and the chain's previous hash. */
export interface AuditEntry extends Omit<AuditLogEntryView, 'actor'> {
  actorUserId: number | null;
  actorRole: string | null;
  prevHash: string;
}

interface AuditRow {
  id: number;
  at: number;
  actor_user_id: number | null;
  actor_role: string | null;
  centre_id: number | null;
  action: string;
  subject_type: string;
  subject_id: string;
  before: string | null;
  after: string | null;
  reason: string | null;
  prev_hash: string;
  hash: string;
}

/** The hash of one row (everything but its own hash). */
export function auditRowHash(e: Omit<AuditEntry, 'hash'>): string {
  const fields = {
    id: e.id,
    at: e.at,
    actorUserId: e.actorUserId,
    actorRole: e.actorRole,
    centreId: e.centreId,
    action: e.action,
    subjectType: e.subjectType,
    subjectId: e.subjectId,
    before: e.before ?? null,
    after: e.after ?? null,
    reason: e.reason,
    prevHash: e.prevHash,
  };
  return sha256Hex(canonicalJson(fields));
}

const parse = (text: string | null): unknown => (text === null ? null : (JSON.parse(text) as unknown));

/** For pages: a tampered row is reported by the chain check; the page still shows its raw text. */
const parseOrRaw = (text: string | null): unknown => {
  try {
    return parse(text);
  } catch {
    return text;
  }
};

const toEntry = (r: AuditRow, read: (text: string | null) => unknown = parse): AuditEntry => ({
  id: r.id,
  at: r.at,
  actorUserId: r.actor_user_id,
  actorRole: r.actor_role,
  centreId: r.centre_id,
  action: r.action,
  subjectType: r.subject_type,
  subjectId: r.subject_id,
  before: read(r.before),
  after: read(r.after),
  reason: r.reason,
  prevHash: r.prev_hash,
  hash: r.hash,
});

export interface AuditFilter {
  subjectType?: string;
  subjectId?: string;
  centreId?: number;
  action?: string;
  /** Only rows with a smaller id (the next, older page). */
  before?: number;
  limit: number;
}

export type AuditChainCheck =
  | { ok: true; rows: number; head: string }
  | {
      ok: false;
      rows: number;
      /** The first row that does not fit the chain (or whose stored text cannot be read). */
      brokenId: number;
      problem: 'hash-mismatch' | 'prev-hash-mismatch' | 'unreadable';
      message: string;
    };

/**
 * Walks rows in id order and checks every prev_hash against the row before and every hash against
 * the row's own content. Takes raw rows so that a row whose JSON was tampered into nonsense is
 * reported too, rather than throwing.
 */
export function verifyAuditChain(rows: Iterable<AuditRow>): AuditChainCheck {
  let prev = GENESIS_HASH;
  let count = 0;
  for (const r of rows) {
    count++;
    if (r.prev_hash !== prev) {
      return { ok: false, rows: count, brokenId: r.id, problem: 'prev-hash-mismatch', message: `Audit row ${r.id} does not follow the row before it (its prev_hash is not that row's hash): a row was removed, added or reordered.` };
    }
    let entry: AuditEntry;
    try {
      entry = toEntry(r);
    } catch {
      return { ok: false, rows: count, brokenId: r.id, problem: 'unreadable', message: `Audit row ${r.id} holds before/after text that is not JSON: it was changed after it was written.` };
    }
    if (auditRowHash(entry) !== r.hash) {
      return { ok: false, rows: count, brokenId: r.id, problem: 'hash-mismatch', message: `Audit row ${r.id} no longer matches its hash: it was changed after it was written.` };
    }
    prev = r.hash;
  }
  return { ok: true, rows: count, head: prev };
}

export class AuditLogRepository {
  constructor(private readonly db: Db) {}

  /**
   * Appends one row to the chain. Must run inside the caller's transaction (the head read and the
   * insert must not be split, and the audited change must be stored with its row, or neither).
   */
  append(input: AuditInput): AuditEntry {
    if (!this.db.inTransaction) throw new Error('AuditLogRepository.append must run inside the transaction of the change it records');
    const head = this.db.prepare('SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1').get() as { id: number; hash: string } | undefined;
    // before/after go through JSON once, so the hash covers exactly what is stored and read back.
    const roundTrip = (v: unknown): unknown => (v === undefined || v === null ? null : (JSON.parse(canonicalJson(v)) as unknown));
    const unhashed: Omit<AuditEntry, 'hash'> = {
      id: (head?.id ?? 0) + 1,
      at: input.at,
      actorUserId: input.actor?.userId ?? null,
      actorRole: input.actor?.role ?? null,
      centreId: input.centreId,
      action: input.action,
      subjectType: input.subjectType,
      subjectId: String(input.subjectId),
      before: roundTrip(input.before),
      after: roundTrip(input.after),
      reason: input.reason ?? null,
      prevHash: head?.hash ?? GENESIS_HASH,
    };
    const entry: AuditEntry = { ...unhashed, hash: auditRowHash(unhashed) };
    this.db
      .prepare(
        `INSERT INTO audit_log (id, at, actor_user_id, actor_role, centre_id, action, subject_type, subject_id, before, after, reason, prev_hash, hash)
         VALUES (@id, @at, @actorUserId, @actorRole, @centreId, @action, @subjectType, @subjectId, @before, @after, @reason, @prevHash, @hash)`,
      )
      .run({
        ...entry,
        before: entry.before === null ? null : canonicalJson(entry.before),
        after: entry.after === null ? null : canonicalJson(entry.after),
      });
    return entry;
  }

  /** Rows about one subject, oldest first (optionally one action only). */
  forSubject(subjectType: string, subjectId: string | number, action?: string): AuditEntry[] {
    const rows = (action === undefined
      ? this.db.prepare('SELECT * FROM audit_log WHERE subject_type = ? AND subject_id = ? ORDER BY id').all(subjectType, String(subjectId))
      : this.db.prepare('SELECT * FROM audit_log WHERE subject_type = ? AND subject_id = ? AND action = ? ORDER BY id').all(subjectType, String(subjectId), action)) as AuditRow[];
    return rows.map((r) => toEntry(r));
  }

  /** Rows newest first, filtered: the paged read the moderation pages show. */
  page(f: AuditFilter): AuditEntry[] {
    const { where, args } = whereSet(f, {
      subjectType: 'subject_type = @subjectType',
      subjectId: 'subject_id = @subjectId',
      centreId: 'centre_id = @centreId',
      action: 'action = @action',
      before: 'id < @before',
    });
    const rows = this.db.prepare(`SELECT * FROM audit_log${where} ORDER BY id DESC LIMIT @limit`).all({ ...args, limit: f.limit }) as AuditRow[];
    return rows.map((r) => toEntry(r, parseOrRaw));
  }

  /** Checks the whole chain (streamed, so a long log is not held in memory at once). */
  verify(): AuditChainCheck {
    return verifyAuditChain(this.db.prepare('SELECT * FROM audit_log ORDER BY id').iterate() as Iterable<AuditRow>);
  }
}
