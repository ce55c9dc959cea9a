import type { CallEventView, CallState, CallSummary } from '../../protocol/telephony.js';
import { selectFrom, snakeCaseColumns } from '../columns.js';
import type { Db } from '../connection.js';
import { whereSet } from '../where.js';

export type { CallState };
export type RecordingStatus = 'recording' | 'complete' | 'partial' | 'failed';

/** A call as stored: the summary's instants, state and outcome (server/protocol/telephony.ts), who took part, and the recording. */
export interface CallRecord extends Pick<CallSummary, 'id' | 'candidateUserId' | 'state' | 'invitedAt' | 'ringingAt' | 'answeredAt' | 'endedAt' | 'endReason' | 'sipStatus'> {
  centreId: number | null;
  callerUserId: number | null;
  calleeUserId: number | null;
  callerExtension: string;
  calleeExtension: string;
  recordingPath: string | null;
  recordingStatus: RecordingStatus | null;
  recordingStartedAt: number | null;
  recordingSha256: string | null;
  recordingDurationMs: number | null;
  recordingBytes: number | null;
}

/** A stored call event: the wire shape GET /api/calls/:id sends (server/protocol/telephony.ts). */
export type CallEvent = CallEventView;
/** One side of a call's dialog. */
export type CallLeg = NonNullable<CallEventView['leg']>;

const COLUMNS = snakeCaseColumns<CallRecord>()(['id', 'centreId', 'callerUserId', 'calleeUserId', 'callerExtension', 'calleeExtension', 'candidateUserId', 'state', 'invitedAt', 'ringingAt', 'answeredAt', 'endedAt', 'endReason', 'sipStatus', 'recordingPath', 'recordingStatus', 'recordingStartedAt', 'recordingSha256', 'recordingDurationMs', 'recordingBytes']);

const SELECT = selectFrom('calls', COLUMNS);

/** Told when a call's recording gets its SHA-256 (finalised, or recovered after a crash). */
export type RecordingHashedListener = (call: CallRecord) => void;

/** Told of every call event as it is stored (its attempt's timeline records it as evidence). */
export type CallEventListener = (event: CallEvent) => void;

export class CallRepository {
  private readonly recordingHashed: RecordingHashedListener[] = [];
  private readonly eventAdded: CallEventListener[] = [];

  constructor(private readonly db: Db) {}

  /**
   * Listeners run inside the transaction that stores the hash (a listener that throws undoes it),
   * so whatever they record with it, e.g. the attempt's hash-chain entry, is stored with it or not at all.
   */
  onRecordingHashed(listener: RecordingHashedListener): void {
    this.recordingHashed.push(listener);
  }

  create(call: Pick<CallRecord, 'id' | 'centreId' | 'callerUserId' | 'calleeUserId' | 'callerExtension' | 'calleeExtension' | 'candidateUserId' | 'invitedAt'>): void {
    this.db
      .prepare(
        `INSERT INTO calls (id, centre_id, caller_user_id, callee_user_id, caller_extension, callee_extension, candidate_user_id, state, invited_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'setup', ?)`,
      )
      .run(call.id, call.centreId, call.callerUserId, call.calleeUserId, call.callerExtension, call.calleeExtension, call.candidateUserId, call.invitedAt);
  }

  /** Updates the named fields of a call. */
  update(id: string, fields: Partial<Omit<CallRecord, 'id'>>): void {
    const keys = Object.keys(fields) as Array<keyof CallRecord>;
    if (keys.length === 0) return;
    const sets = keys.map((k) => `${COLUMNS[k]} = @${k}`).join(', ');
    const run = () => this.db.prepare(`UPDATE calls SET ${sets} WHERE id = @id`).run({ ...fields, id });
    if (!fields.recordingSha256 || this.recordingHashed.length === 0) {
      run();
      return;
    }
    this.db.transaction(() => {
      run();
      const call = this.find(id);
      if (call) for (const listener of this.recordingHashed) listener(call);
    })();
  }

  find(id: string): CallRecord | undefined {
    return this.db.prepare(`${SELECT} WHERE id = ?`).get(id) as CallRecord | undefined;
  }

  list(filter: { centreId?: number; userId?: number; limit?: number } = {}): CallRecord[] {
    const { where, args } = whereSet(filter, { centreId: 'centre_id = @centreId', userId: '(caller_user_id = @userId OR callee_user_id = @userId)' });
    return this.db.prepare(`${SELECT}${where} ORDER BY invited_at DESC, rowid DESC LIMIT @limit`).all({ ...args, limit: filter.limit ?? 200 }) as CallRecord[];
  }

  /** Calls that were in progress when the server stopped. */
  listUnfinished(): CallRecord[] {
    return this.db.prepare(`${SELECT} WHERE state IN ('setup', 'ringing', 'answered')`).all() as CallRecord[];
  }

  /** Calls that ended while their recording was still being finalised (the end-of-call mix). */
  listRecordingsNotFinalised(): CallRecord[] {
    return this.db.prepare(`${SELECT} WHERE state = 'ended' AND recording_status = 'recording' AND recording_path IS NOT NULL`).all() as CallRecord[];
  }

  /**
   * Listeners run inside the transaction that stores the call event (one that throws undoes it),
   * so what they record from it, e.g. the attempt's timeline entry, is stored with it or not at all.
   */
  onEvent(listener: CallEventListener): void {
    this.eventAdded.push(listener);
  }

  addEvent(callId: string, at: number, type: string, leg: 'caller' | 'callee' | null = null, detail: Record<string, unknown> | null = null): void {
    const insert = () => {
      const info = this.db.prepare('INSERT INTO call_events (call_id, at, type, leg, detail) VALUES (?, ?, ?, ?, ?)').run(callId, at, type, leg, detail ? JSON.stringify(detail) : null);
      return { id: Number(info.lastInsertRowid), callId, at, type, leg, detail: detail ? (JSON.parse(JSON.stringify(detail)) as Record<string, unknown>) : null };
    };
    if (this.eventAdded.length === 0) {
      insert();
      return;
    }
    this.db.transaction(() => {
      const event = insert();
      for (const listener of this.eventAdded) listener(event);
    })();
  }

  /**
   * The leg the call's candidate is on, null when the call has none. The caller's or the callee's
   * when they placed or took the call. A call between staff put through to them (server/sip/transfer.ts)
   * has neither party as its candidate: they took the place of whoever transferred it, the caller
   * or the callee, and the 'transferred' event naming their extension (`to`) carries that leg.
   */
  candidateLeg(call: Pick<CallRecord, 'id' | 'candidateUserId' | 'callerUserId' | 'calleeUserId'>): CallLeg | null {
    if (call.candidateUserId === null) return null;
    if (call.candidateUserId === call.callerUserId) return 'caller';
    if (call.candidateUserId === call.calleeUserId) return 'callee';
    const joined = this.db
      .prepare(
        `SELECT e.leg FROM call_events e JOIN users u ON u.id = ?
          WHERE e.call_id = ? AND e.type = 'transferred' AND json_extract(e.detail, '$.to') = u.extension ORDER BY e.id LIMIT 1`,
      )
      .get(call.candidateUserId, call.id) as { leg: CallLeg | null } | undefined;
    return joined?.leg === 'caller' ? 'caller' : 'callee';
  }

  events(callId: string): CallEvent[] {
    const rows = this.db.prepare('SELECT id, call_id AS callId, at, type, leg, detail FROM call_events WHERE call_id = ? ORDER BY id').all(callId) as Array<
      Omit<CallEvent, 'detail'> & { detail: string | null }
    >;
    return rows.map((r) => ({ ...r, detail: r.detail ? (JSON.parse(r.detail) as Record<string, unknown>) : null }));
  }
}
