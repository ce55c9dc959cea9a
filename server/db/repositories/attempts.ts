// Assignment attempts: one candidate working one scenario on its own copy of the CRM data. A
// practice attempt stands alone; an attempt of a sitting names its sitting, the assignment's
// position, the scenario variant and version it used, and (for a re-take) the attempt it re-takes.
import type { DesktopAttempt } from '../../protocol/crm.js';
import { randomUUID } from 'node:crypto';
import type { Db } from '../connection.js';

export type AttemptStatus = DesktopAttempt['status'];

/** The stored attempt: what the desktop reads of it (protocol/crm.ts DesktopAttempt) and the rest. */
export interface Attempt extends DesktopAttempt {
  centreId: number;
  candidateUserId: number;
  assessorUserId: number | null;
  variant: string | null;
  scenarioVersion: number | null;
  /** The earlier attempt of the same assignment that this one re-takes. */
  retakeOf: string | null;
  /** Said once when the attempt began, e.g. why a re-take uses the same variant again. */
  note: string | null;
  /** When the centre's marking was finished (the attempt then has a centre mark). */
  markedAt: number | null;
  markedBy: number | null;
  /** How much of the attempt ran past the sitting's time allowed, written when it closed (null: not closed, or no sitting). */
  overrunMs: number | null;
}

const SELECT = `SELECT id, centre_id AS centreId, candidate_user_id AS candidateUserId, assessor_user_id AS assessorUserId,
  scenario_key AS scenarioKey, status, created_at AS createdAt, closed_at AS closedAt, sitting_id AS sittingId, position,
  variant, scenario_version AS scenarioVersion, retake_of AS retakeOf, note, marked_at AS markedAt, marked_by AS markedBy, overrun_ms AS overrunMs FROM attempts`;

export interface NewAttempt {
  id?: string;
  centreId: number;
  candidateUserId: number;
  assessorUserId?: number | null;
  scenarioKey: string;
  sittingId?: string | null;
  position?: number | null;
  variant?: string | null;
  scenarioVersion?: number | null;
  retakeOf?: string | null;
  note?: string | null;
}

export class AttemptRepository {
  constructor(private readonly db: Db) {}

  findById(id: string): Attempt | undefined {
    return this.db.prepare(`${SELECT} WHERE id = ?`).get(id) as Attempt | undefined;
  }

  /** The candidate's open attempts, newest first. */
  openForCandidate(candidateUserId: number): Attempt[] {
    return this.db.prepare(`${SELECT} WHERE candidate_user_id = ? AND status = 'open' ORDER BY created_at DESC, rowid DESC`).all(candidateUserId) as Attempt[];
  }

  /** Every attempt of a sitting, by position, then in the order taken. */
  forSitting(sittingId: string): Attempt[] {
    return this.db.prepare(`${SELECT} WHERE sitting_id = ? ORDER BY position, created_at, rowid`).all(sittingId) as Attempt[];
  }

  create(input: NewAttempt, now: number): Attempt {
    const attempt: Attempt = {
      id: input.id ?? randomUUID(),
      centreId: input.centreId,
      candidateUserId: input.candidateUserId,
      assessorUserId: input.assessorUserId ?? null,
      scenarioKey: input.scenarioKey,
      status: 'open',
      createdAt: now,
      closedAt: null,
      sittingId: input.sittingId ?? null,
      position: input.position ?? null,
      variant: input.variant ?? null,
      scenarioVersion: input.scenarioVersion ?? null,
      retakeOf: input.retakeOf ?? null,
      note: input.note ?? null,
      markedAt: null,
      markedBy: null,
      overrunMs: null,
    };
    this.db
      .prepare(
        `INSERT INTO attempts (id, centre_id, candidate_user_id, assessor_user_id, scenario_key, status, created_at,
           sitting_id, position, variant, scenario_version, retake_of, note)
         VALUES (@id, @centreId, @candidateUserId, @assessorUserId, @scenarioKey, @status, @createdAt,
           @sittingId, @position, @variant, @scenarioVersion, @retakeOf, @note)`,
      )
      .run({ ...attempt });
    return attempt;
  }

  /** open → closed, with the time it ran past the sitting's time allowed; false if it was already closed. */
  close(id: string, now: number, overrunMs: number | null = null): boolean {
    return this.db.prepare("UPDATE attempts SET status = 'closed', closed_at = ?, overrun_ms = ? WHERE id = ? AND status = 'open'").run(now, overrunMs, id).changes === 1;
  }

  /** Records that the centre's marking is finished; false if it already was. */
  markFinished(id: string, by: number, now: number): boolean {
    return this.db.prepare('UPDATE attempts SET marked_at = ?, marked_by = ? WHERE id = ? AND marked_at IS NULL').run(now, by, id).changes === 1;
  }
}
