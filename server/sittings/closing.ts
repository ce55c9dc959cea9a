// Closing an attempt of a sitting, and ending a sitting when its time is up under the centre's
// 'stop' overrun policy. Every attempt closes through closeSittingAttempt, which records how much
// of it ran past the time allowed (server/assessment/overrun.ts), so the overrun of each assignment
// is stored whichever way it ended: closed by the assessor, by final marks, or with the sitting.
import { attemptOverrunMs, policyStopsSitting } from '../assessment/overrun.js';
import type { Attempt } from '../db/repositories/attempts.js';
import { type AuditActor, auditSubject } from '../db/repositories/audit-log.js';
import type { Repositories } from '../db/repositories/index.js';
import type { Sitting } from '../db/repositories/sittings.js';
import { sittingClock } from './sitting-clock.js';

/** The overrun of an attempt of `sitting` that runs from its start to `at`. */
export function overrunOf(repos: Repositories, sitting: Sitting, attempt: Pick<Attempt, 'createdAt'>, at: number): number {
  return attemptOverrunMs(
    { baseMinutes: sitting.baseMinutes, extraTime: sitting.extraTime, restBreaks: sitting.restBreaks },
    { startedAt: sitting.startedAt, restBreaks: repos.sittings.restBreaks(sitting.id) },
    attempt.createdAt,
    at,
  );
}

/**
 * Closes an open attempt at `at` with its overrun, and writes its audit row; false if it was closed
 * already. Call inside a transaction. A practice attempt (no sitting) closes with no overrun.
 */
export function closeAttempt(repos: Repositories, attempt: Attempt, at: number, actor: AuditActor | null, reason: string | null, auditAt = at): boolean {
  const sitting = attempt.sittingId ? repos.sittings.findById(attempt.sittingId) : undefined;
  const overrunMs = sitting ? overrunOf(repos, sitting, attempt, at) : null;
  if (!repos.attempts.close(attempt.id, at, overrunMs)) return false;
  repos.auditLog.append({
    at: auditAt,
    actor,
    ...auditSubject('attempt', attempt),
    action: 'attempt-closed',
    before: { status: 'open' },
    after: { status: 'closed', closedAt: at, overrunMs },
    reason,
  });
  return true;
}

export const STOP_REASON = 'The time allowed ran out, and the centre stops sittings at time up.';

/**
 * Under the 'stop' policy, a sitting whose time is up ends at its deadline: the attempt in progress
 * closes then, and nothing new may start. Idempotent; returns the sitting as it now stands. Called
 * by every sitting route, by the candidate's writes to an attempt, and by a sweep every few seconds.
 */
export function enforceOverrunPolicy(repos: Repositories, sitting: Sitting, now: number): Sitting {
  if (sitting.status !== 'in-progress' || sitting.overrunPolicy !== 'stop') return sitting;
  const clock = sittingClock(repos, sitting, now);
  if (!policyStopsSitting(sitting.overrunPolicy, clock) || clock.deadline === null) return sitting;
  const open = repos.attempts.forSitting(sitting.id).filter((a) => a.status === 'open');
  // Never before anything already stored (a break or an attempt begun in the moments before a late sweep).
  const endAt = Math.max(clock.deadline, ...repos.sittings.restBreaks(sitting.id).map((b) => b.from), ...open.map((a) => a.createdAt));
  repos.transaction(() => {
    const fresh = repos.sittings.findById(sitting.id);
    if (!fresh || fresh.status !== 'in-progress') return;
    for (const a of open) closeAttempt(repos, a, endAt, null, STOP_REASON, now);
    if (repos.sittings.end(sitting.id, endAt)) {
      repos.auditLog.append({ at: now, actor: null, ...auditSubject('sitting', sitting), action: 'sitting-ended', before: { status: 'in-progress' }, after: { status: 'ended', endedAt: endAt }, reason: STOP_REASON });
    }
  });
  return repos.sittings.findById(sitting.id)!;
}

/** Ends every running sitting whose time is up under the 'stop' policy. */
export function sweepOverruns(repos: Repositories, now: number): number {
  let ended = 0;
  for (const id of repos.sittings.runningWithStopPolicy()) {
    const s = repos.sittings.findById(id);
    if (s && enforceOverrunPolicy(repos, s, now).status === 'ended') ended++;
  }
  return ended;
}
