// Who may see and change an attempt: one rule for every attempt route (CRM, print-outs, the
// timeline, marking suggestions). An attempt a user may not see answers exactly like an unknown id,
// so ids cannot be probed.
import type { Clock } from '../clock.js';
import type { Attempt } from '../db/repositories/attempts.js';
import type { Repositories } from '../db/repositories/index.js';
import { HttpError } from '../http/errors.js';
import type { SessionUser } from '../protocol/roles.js';
import { enforceOverrunPolicy } from '../sittings/closing.js';

/** Staff who supervise the attempt: admins, moderators, and the assessors of its centre. */
export function canSuperviseAttempt(user: SessionUser, attempt: Attempt): boolean {
  if (user.role === 'admin' || user.role === 'moderator') return true;
  return user.role === 'assessor' && user.centreId !== null && user.centreId === attempt.centreId;
}

/** Supervisors, and the attempt's own candidate. */
export function canReadAttempt(user: SessionUser, attempt: Attempt): boolean {
  return canSuperviseAttempt(user, attempt) || (user.role === 'candidate' && attempt.candidateUserId === user.id);
}

export const attemptNotFound = (): HttpError => new HttpError(404, 'not_found', 'There is no such attempt.');

export class AttemptAccess {
  /** With a clock, writes check the sitting's time first: under the 'stop' policy a sitting past its time has ended. */
  constructor(
    private readonly repos: Repositories,
    private readonly clock?: Clock,
  ) {}

  private find(id: string): Attempt | undefined {
    return this.repos.attempts.findById(id.toLowerCase());
  }

  /** The attempt if this user may read it; otherwise the 404 of an unknown id. */
  readable(user: SessionUser, id: string): Attempt {
    const attempt = this.find(id);
    if (!attempt || !canReadAttempt(user, attempt)) throw attemptNotFound();
    return attempt;
  }

  /** The attempt if this user is its candidate and it is open (409 once closed, saying `closedMessage`). */
  writable(user: SessionUser, id: string, closedMessage: string): Attempt {
    let attempt = this.readable(user, id);
    if (attempt.candidateUserId !== user.id) throw attemptNotFound();
    if (attempt.status === 'open' && attempt.sittingId && this.clock) {
      const sitting = this.repos.sittings.findById(attempt.sittingId);
      if (sitting && enforceOverrunPolicy(this.repos, sitting, this.clock.now()).status === 'ended') attempt = this.find(attempt.id)!;
    }
    if (attempt.status !== 'open') throw new HttpError(409, 'attempt_closed', closedMessage);
    return attempt;
  }

  /** The attempt if this user supervises it (staff only). */
  supervised(user: SessionUser, id: string): Attempt {
    const attempt = this.find(id);
    if (!attempt || !canSuperviseAttempt(user, attempt)) throw attemptNotFound();
    return attempt;
  }
}
