// Sittings as the wire shows them (server/protocol/assessment.ts), for staff and for the candidate.
// Nothing of a caller brief, rubric or criterion mark is in these views, so the candidate's view
// differs only where the protocol says: the candidate-facing titles, no coverage warnings, and a
// result in the list only once there is one to see.
import { readClock, type ClockReading } from '../assessment/clock.js';
import { checkSelection } from '../assessment/coverage.js';
import { candidateTitleOf } from '../assessment/candidate-title.js';
import { toCoverageScenario } from '../assessment/scenario-schema.js';
import type { Repositories } from '../db/repositories/index.js';
import type { Sitting } from '../db/repositories/sittings.js';
import type { AssignmentView, AttemptView, CoverageWarningView, SittingClockView, SittingDetail, SittingSummary } from '../protocol/assessment.js';
import type { SessionUser } from '../protocol/roles.js';
import { resultView, retakeFor, sittingStanding, type SittingStanding } from './standing.js';
import { scenarioOfKey } from './catalogue.js';
import { markingStatus } from './marking.js';

/**
 * The clock from the stored instants: the same answer after a refresh, a reconnect or a restart.
 * `now` is never taken as earlier than the last stored instant: the rules refuse a reading before
 * the start, and a system clock stepped back a little (NTP) must not make the sitting unreadable.
 */
export function sittingClock(repos: Repositories, sitting: Sitting, now: number): ClockReading {
  const breaks = repos.sittings.restBreaks(sitting.id);
  const latest = Math.max(sitting.startedAt ?? now, sitting.endedAt ?? now, ...breaks.map((b) => Math.max(b.from, b.to ?? b.from)));
  return readClock(
    { baseMinutes: sitting.baseMinutes, extraTime: sitting.extraTime, restBreaks: sitting.restBreaks },
    { startedAt: sitting.startedAt, endedAt: sitting.endedAt, restBreaks: breaks, now: Math.max(now, latest) },
  );
}

const clockView = (c: ClockReading, now: number): SittingClockView => ({
  state: c.state,
  allowedMs: c.allowedMs,
  elapsedMs: c.elapsedMs,
  remainingMs: c.remainingMs,
  overrunMs: c.overrunMs,
  readAt: now,
  deadline: c.deadline,
});

/** Coverage warnings for a choice of keys (digest 1.4: warn, never refuse). */
export function coverageFor(keys: readonly string[]): CoverageWarningView[] {
  const chosen = keys.map((k) => scenarioOfKey(k)).filter((s) => s !== undefined).map((s) => toCoverageScenario(s));
  return checkSelection(chosen).warnings.map((w) => ({ area: w.area, message: w.message }));
}

/** A user as the views name them ('user <id>' when the account is gone); null for no user. */
export const person = (repos: Repositories, id: number | null): { id: number; name: string } | null => {
  if (id === null) return null;
  const u = repos.users.findById(id);
  return { id, name: u?.displayName ?? `user ${id}` };
};

function summaryOf(repos: Repositories, sitting: Sitting, standing: SittingStanding, viewer: SessionUser): SittingSummary {
  const result = resultView(sitting, standing.computed);
  const forCandidate = viewer.role === 'candidate';
  // A candidate sees a result in the list only when it is one: graded, or a fail nothing can change.
  const showResult = !forCandidate || result.status === 'graded' || result.final;
  return {
    id: sitting.id,
    centreId: sitting.centreId,
    centreName: repos.centres.findById(sitting.centreId)?.name ?? `centre ${sitting.centreId}`,
    candidate: person(repos, sitting.candidateUserId)!,
    assessor: person(repos, sitting.assessorUserId),
    status: sitting.status,
    scheduledFor: sitting.scheduledFor,
    startedAt: sitting.startedAt,
    endedAt: sitting.endedAt,
    ...(showResult ? { result } : {}),
  };
}

export function sittingSummary(repos: Repositories, sitting: Sitting, viewer: SessionUser): SittingSummary {
  return summaryOf(repos, sitting, sittingStanding(repos, sitting), viewer);
}

export function sittingDetail(repos: Repositories, sitting: Sitting, viewer: SessionUser, now: number): SittingDetail {
  const standing = sittingStanding(repos, sitting);
  const retakeWindow = sitting.status !== 'scheduled' && standing.openAttempt === undefined;
  const assignments: AssignmentView[] = standing.positions.map((p) => {
    const attempts: AttemptView[] = p.attempts.map((a, i) => ({
      attemptId: a.id,
      number: i + 1,
      variant: a.variant ?? 'a',
      status: a.status,
      startedAt: a.createdAt,
      closedAt: a.closedAt,
      // The mark that counts for the attempt: moderated when a moderator changed it (protocol AttemptView).
      mark: p.moderated.get(a.id) ?? p.marks.get(a.id) ?? null,
      moderatedMark: p.moderated.get(a.id) ?? null,
      note: a.note,
      markingStatus: markingStatus(a),
    }));
    const counted = standing.computed.standings[p.position - 1];
    return {
      position: p.position,
      scenarioKey: p.scenarioKey,
      // The candidate reads the candidate-facing title: the full one may give the caller's facts away.
      title: p.scenario ? (viewer.role === 'candidate' ? candidateTitleOf(p.scenario) : p.scenario.title) : p.scenarioKey.toUpperCase(),
      direction: p.scenario?.direction ?? 'inbound',
      type: p.scenario?.type ?? 'service',
      attempts,
      countedMark: counted?.mark ?? null,
      retakeAvailable: retakeWindow && p.attempts.length > 0 && retakeFor(p).allowed,
    };
  });
  return {
    ...summaryOf(repos, sitting, standing, viewer),
    baseMinutes: sitting.baseMinutes,
    extraTime: sitting.extraTime,
    restBreaks: sitting.restBreaks,
    clock: clockView(sittingClock(repos, sitting, now), now),
    assignments,
    coverageWarnings: viewer.role === 'candidate' ? [] : coverageFor(sitting.scenarioKeys),
    result: resultView(sitting, standing.computed),
    currentAttemptId: standing.openAttempt?.id ?? null,
  };
}
