// Sittings: one candidate's Unit 2 session of four assignments, its settings (access
// arrangements) and the instants the sitting clock is read from (start, end, rest breaks).
import { randomUUID } from 'node:crypto';
import type { ExtraTime, RestBreak } from '../../assessment/clock.js';
import type { OverrunPolicy } from '../../assessment/overrun.js';
import type { ModerationOutcome, ResultState } from '../../assessment/result-states.js';
import type { SittingStatus } from '../../protocol/sitting-states.js';
import type { Db } from '../connection.js';
import { whereSet } from '../where.js';

// A 'cancelled' sitting is stored as cancelled_at on a 'scheduled' row (migration 14).

export interface Sitting {
  id: string;
  centreId: number;
  candidateUserId: number;
  assessorUserId: number | null;
  status: SittingStatus;
  scheduledFor: number | null;
  baseMinutes: number;
  extraTime: ExtraTime | null;
  restBreaks: boolean;
  startedAt: number | null;
  endedAt: number | null;
  createdBy: number;
  createdAt: number;
  /** The four scenario keys, position 1 first. */
  scenarioKeys: string[];
  /** Where the result stands (server/assessment/result-states.ts), since when, and the moderation outcome once moderated. */
  resultState: ResultState;
  resultOutcome: ModerationOutcome | null;
  resultStateAt: number | null;
  /** The centre's settings when the sitting was created: re-takes per assignment, what happens at time up. */
  maxRetakes: number;
  overrunPolicy: OverrunPolicy;
  /** Set when the sitting was cancelled before it started: when, by whom and why. */
  cancellation: { at: number; byUserId: number; reason: string } | null;
}

/** What may change of a sitting before it starts. */
export interface SittingChanges {
  candidateUserId: number;
  assessorUserId: number | null;
  scheduledFor: number | null;
}

export interface StoredRestBreak extends RestBreak {
  id: number;
}

interface SittingRow {
  id: string;
  centre_id: number;
  candidate_user_id: number;
  assessor_user_id: number | null;
  status: SittingStatus;
  scheduled_for: number | null;
  base_minutes: number;
  extra_time: string | null;
  rest_breaks: number;
  started_at: number | null;
  ended_at: number | null;
  created_by: number;
  created_at: number;
  result_state: ResultState;
  result_outcome: ModerationOutcome | null;
  result_state_at: number | null;
  max_retakes: number;
  overrun_policy: OverrunPolicy;
  cancelled_at: number | null;
  cancelled_by: number | null;
  cancel_reason: string | null;
}

export interface NewSitting {
  centreId: number;
  candidateUserId: number;
  assessorUserId: number | null;
  scenarioKeys: readonly string[];
  scheduledFor: number | null;
  baseMinutes: number;
  extraTime: ExtraTime | null;
  restBreaks: boolean;
  createdBy: number;
  /** Default 1 (the rule before centres could set it). */
  maxRetakes?: number;
  /** Default 'warn'. */
  overrunPolicy?: OverrunPolicy;
}

export class SittingRepository {
  constructor(private readonly db: Db) {}

  private keys(id: string): string[] {
    return (this.db.prepare('SELECT scenario_key AS k FROM sitting_assignments WHERE sitting_id = ? ORDER BY position').all(id) as Array<{ k: string }>).map((r) => r.k);
  }

  private toSitting(r: SittingRow): Sitting {
    return {
      id: r.id,
      centreId: r.centre_id,
      candidateUserId: r.candidate_user_id,
      assessorUserId: r.assessor_user_id,
      status: r.cancelled_at !== null ? 'cancelled' : r.status,
      scheduledFor: r.scheduled_for,
      baseMinutes: r.base_minutes,
      extraTime: r.extra_time === null ? null : (JSON.parse(r.extra_time) as ExtraTime),
      restBreaks: r.rest_breaks === 1,
      startedAt: r.started_at,
      endedAt: r.ended_at,
      createdBy: r.created_by,
      createdAt: r.created_at,
      scenarioKeys: this.keys(r.id),
      resultState: r.result_state,
      resultOutcome: r.result_outcome,
      resultStateAt: r.result_state_at,
      maxRetakes: r.max_retakes,
      overrunPolicy: r.overrun_policy,
      cancellation: r.cancelled_at !== null ? { at: r.cancelled_at, byUserId: r.cancelled_by!, reason: r.cancel_reason! } : null,
    };
  }

  create(input: NewSitting, now: number): Sitting {
    const id = randomUUID();
    this.db
      .prepare(
        `INSERT INTO sittings (id, centre_id, candidate_user_id, assessor_user_id, status, scheduled_for, base_minutes, extra_time, rest_breaks, created_by, created_at, max_retakes, overrun_policy)
         VALUES (?, ?, ?, ?, 'scheduled', ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        id,
        input.centreId,
        input.candidateUserId,
        input.assessorUserId,
        input.scheduledFor,
        input.baseMinutes,
        input.extraTime ? JSON.stringify(input.extraTime) : null,
        input.restBreaks ? 1 : 0,
        input.createdBy,
        now,
        input.maxRetakes ?? 1,
        input.overrunPolicy ?? 'warn',
      );
    const add = this.db.prepare('INSERT INTO sitting_assignments (sitting_id, position, scenario_key) VALUES (?, ?, ?)');
    input.scenarioKeys.forEach((key, i) => add.run(id, i + 1, key));
    return this.findById(id)!;
  }

  findById(id: string): Sitting | undefined {
    const row = this.db.prepare('SELECT * FROM sittings WHERE id = ?').get(id) as SittingRow | undefined;
    return row && this.toSitting(row);
  }

  /** Newest first; filtered by centre and/or candidate when given. */
  list(filter: { centreId?: number; candidateUserId?: number } = {}): Sitting[] {
    const { where, args } = whereSet(filter, { centreId: 'centre_id = @centreId', candidateUserId: 'candidate_user_id = @candidateUserId' });
    return (this.db.prepare(`SELECT * FROM sittings${where} ORDER BY created_at DESC, rowid DESC`).all(args) as SittingRow[]).map((r) => this.toSitting(r));
  }

  /** Sittings running under the 'stop' overrun policy (the ones time up must end). */
  runningWithStopPolicy(): string[] {
    return (this.db.prepare("SELECT id FROM sittings WHERE status = 'in-progress' AND overrun_policy = 'stop'").all() as Array<{ id: string }>).map((r) => r.id);
  }

  /** The candidate's sitting whose clock is running, if any (the newest, should there be two). */
  inProgressFor(candidateUserId: number): Sitting | undefined {
    const row = this.db
      .prepare("SELECT * FROM sittings WHERE candidate_user_id = ? AND status = 'in-progress' ORDER BY started_at DESC, rowid DESC LIMIT 1")
      .get(candidateUserId) as SittingRow | undefined;
    return row && this.toSitting(row);
  }

  /** scheduled → in-progress; false if it was not scheduled (or was cancelled). */
  start(id: string, now: number): boolean {
    return this.db.prepare("UPDATE sittings SET status = 'in-progress', started_at = ? WHERE id = ? AND status = 'scheduled' AND cancelled_at IS NULL").run(now, id).changes === 1;
  }

  /** Changes the candidate, assessor and planned time of a sitting not started nor cancelled; false (nothing changed) otherwise. */
  edit(id: string, changes: SittingChanges): boolean {
    return (
      this.db
        .prepare("UPDATE sittings SET candidate_user_id = @candidateUserId, assessor_user_id = @assessorUserId, scheduled_for = @scheduledFor WHERE id = @id AND status = 'scheduled' AND cancelled_at IS NULL")
        .run({ id, ...changes }).changes === 1
    );
  }

  /** Cancels a sitting that has not started; false (nothing changed) when it started or was cancelled already. */
  cancel(id: string, byUserId: number, reason: string, now: number): boolean {
    return (
      this.db
        .prepare("UPDATE sittings SET cancelled_at = ?, cancelled_by = ?, cancel_reason = ? WHERE id = ? AND status = 'scheduled' AND cancelled_at IS NULL")
        .run(now, byUserId, reason, id).changes === 1
    );
  }

  /** in-progress → ended, closing an open rest break at the same instant. */
  end(id: string, now: number): boolean {
    this.db.prepare('UPDATE sitting_rest_breaks SET to_at = ? WHERE sitting_id = ? AND to_at IS NULL').run(now, id);
    return this.db.prepare("UPDATE sittings SET status = 'ended', ended_at = ? WHERE id = ? AND status = 'in-progress'").run(now, id).changes === 1;
  }

  /**
   * Moves the result state from `from` to `to` (compare and set: false, changing nothing, when the
   * state is no longer `from`, e.g. another request moved it first).
   */
  setResultState(id: string, from: ResultState, to: ResultState, outcome: ModerationOutcome | null, at: number): boolean {
    return (
      this.db
        .prepare('UPDATE sittings SET result_state = @to, result_outcome = @outcome, result_state_at = @at WHERE id = @id AND result_state = @from')
        .run({ id, from, to, outcome, at }).changes === 1
    );
  }

  restBreaks(id: string): StoredRestBreak[] {
    return this.db.prepare('SELECT id, from_at AS "from", to_at AS "to" FROM sitting_rest_breaks WHERE sitting_id = ? ORDER BY from_at, id').all(id) as StoredRestBreak[];
  }

  startRestBreak(id: string, now: number): StoredRestBreak {
    const info = this.db.prepare('INSERT INTO sitting_rest_breaks (sitting_id, from_at) VALUES (?, ?)').run(id, now);
    return { id: Number(info.lastInsertRowid), from: now, to: null };
  }

  /** Ends the open rest break; false if none was open. */
  endRestBreak(id: string, now: number): boolean {
    return this.db.prepare('UPDATE sitting_rest_breaks SET to_at = ? WHERE sitting_id = ? AND to_at IS NULL').run(now, id).changes === 1;
  }
}
