// Assignment attempts: one candidate working one scenario on its own copy of the CRM data.
// Read access plus create; the Assessment issue adds the rest of the life cycle (closing, sittings).
import { randomUUID } from 'node:crypto';
import type { Db } from '../connection.js';

export type AttemptStatus = 'open' | 'closed';

export interface Attempt {
  id: string;
  centreId: number;
  candidateUserId: number;
  assessorUserId: number | null;
  scenarioKey: string;
  status: AttemptStatus;
  createdAt: number;
  closedAt: number | null;
}

const SELECT = `SELECT id, centre_id AS centreId, candidate_user_id AS candidateUserId, assessor_user_id AS assessorUserId,
  scenario_key AS scenarioKey, status, created_at AS createdAt, closed_at AS closedAt FROM attempts`;

export class AttemptRepository {
  constructor(private readonly db: Db) {}

  findById(id: string): Attempt | undefined {
    return this.db.prepare(`${SELECT} WHERE id = ?`).get(id) as Attempt | undefined;
  }

  /** The candidate's open attempts, newest first. */
  openForCandidate(candidateUserId: number): Attempt[] {
    return this.db.prepare(`${SELECT} WHERE candidate_user_id = ? AND status = 'open' ORDER BY created_at DESC, rowid DESC`).all(candidateUserId) as Attempt[];
  }

  create(input: { id?: string; centreId: number; candidateUserId: number; assessorUserId?: number | null; scenarioKey: string }, now: number): Attempt {
    const attempt: Attempt = {
      id: input.id ?? randomUUID(),
      centreId: input.centreId,
      candidateUserId: input.candidateUserId,
      assessorUserId: input.assessorUserId ?? null,
      scenarioKey: input.scenarioKey,
      status: 'open',
      createdAt: now,
      closedAt: null,
    };
    this.db
      .prepare(
        `INSERT INTO attempts (id, centre_id, candidate_user_id, assessor_user_id, scenario_key, status, created_at)
         VALUES (@id, @centreId, @candidateUserId, @assessorUserId, @scenarioKey, @status, @createdAt)`,
      )
      .run(attempt);
    return attempt;
  }
}
