// Sittings as the wire shows them (server/protocol/assessment.ts), for staff and for the candidate.
// Nothing of a caller brief, rubric or criterion mark is in these views. The candidate's view
// differs where the protocol says: the candidate-facing titles, no coverage warnings, and marks
// and the result only when the centre's release rule allows (server/assurance/release.ts),
// labelled provisional until moderated; until then every mark, total, grade and "a re-take is
// open" is left out.
import type { ClockReading } from '../assessment/clock.js';
import { checkSelection } from '../assessment/coverage.js';
import { candidateTitleOf } from '../assessment/candidate-title.js';
import { clockWarning } from '../assessment/overrun.js';
import { declarationsOf, identityCheckOf } from '../assurance/preparation.js';
import { releaseFor } from '../assurance/release.js';
import { toCoverageScenario } from '../assessment/scenario-adapters.js';
import type { Repositories } from '../db/repositories/index.js';
import type { Sitting } from '../db/repositories/sittings.js';
import type { AssignmentView, AttemptView, CoverageWarningView, SittingClockView, SittingDetail, SittingSummary } from '../protocol/assessment.js';
import type { SessionUser } from '../protocol/roles.js';
import { resultView, retakeFor, sittingResults, type SittingResults } from './results.js';
import { assignmentKeyOf, scenarioOfKey } from './catalogue.js';
import { markingStatus } from './marking.js';
import { sittingClock } from './sitting-clock.js';

const clockView = (c: ClockReading, now: number, sitting: Sitting): SittingClockView => ({
  state: c.state,
  allowedMs: c.allowedMs,
  elapsedMs: c.elapsedMs,
  remainingMs: c.remainingMs,
  overrunMs: c.overrunMs,
  readAt: now,
  deadline: c.deadline,
  warning: clockWarning(c),
  overrunPolicy: sitting.overrunPolicy,
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

function summaryOf(repos: Repositories, sitting: Sitting, results: SittingResults, viewer: SessionUser): SittingSummary {
  const computed = resultView(results);
  const forCandidate = viewer.role === 'candidate';
  const release = forCandidate ? releaseFor(repos, sitting) : undefined;
  // A candidate sees a result only once released, and as final only once moderated.
  const result = release ? { ...computed, final: computed.final && !release.provisional } : computed;
  const showResult = !release || release.released;
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
    createdAt: sitting.createdAt,
    ...(forCandidate ? {} : { assignmentNames: sitting.scenarioKeys.map((k) => assignmentKeyOf(k).toUpperCase()) }),
    // Which assignments were taken is no result: it is shown whatever the release rule says.
    assignmentsTaken: results.positions.filter((p) => p.attempts.length > 0).map((p) => ({ position: p.position, title: assignmentTitle(p, viewer) })),
    ...(sitting.cancellation ? { cancellation: { at: sitting.cancellation.at, by: person(repos, sitting.cancellation.byUserId)!.name, reason: sitting.cancellation.reason } } : {}),
    ...(showResult ? { result } : {}),
    ...(release ? { release, declarationDue: declarationDue(repos, sitting) } : { resultState: sitting.resultState, outcome: sitting.resultOutcome }),
  };
}

/** An assignment's title as the viewer may read it: the candidate-facing one for a candidate (the full one may give the caller's facts away). */
function assignmentTitle(p: SittingResults['positions'][number], viewer: SessionUser): string {
  return p.scenario ? (viewer.role === 'candidate' ? candidateTitleOf(p.scenario) : p.scenario.title) : p.scenarioKey.toUpperCase();
}

/** The declaration the candidate still has to confirm on this sitting, if any. */
function declarationDue(repos: Repositories, sitting: Sitting): 'start' | 'end' | null {
  if (sitting.status === 'in-progress' || sitting.status === 'cancelled') return null;
  const d = declarationsOf(repos, sitting.id);
  if (sitting.status === 'scheduled') return d.start === null ? 'start' : null;
  return d.end === null ? 'end' : null;
}

export function sittingSummary(repos: Repositories, sitting: Sitting, viewer: SessionUser): SittingSummary {
  return summaryOf(repos, sitting, sittingResults(repos, sitting), viewer);
}

export function sittingDetail(repos: Repositories, sitting: Sitting, viewer: SessionUser, now: number): SittingDetail {
  const results = sittingResults(repos, sitting);
  const summary = summaryOf(repos, sitting, results, viewer);
  // Marks are shown to staff, and to the candidate once released.
  const marksShown = summary.release === undefined || summary.release.released;
  const retakeWindow = sitting.status !== 'scheduled' && results.openAttempt === undefined && sitting.resultState === 'draft';
  const assignments: AssignmentView[] = results.positions.map((p) => {
    const attempts: AttemptView[] = p.attempts.map(({ attempt: a, count }, i) => ({
      attemptId: a.id,
      number: i + 1,
      variant: a.variant ?? 'a',
      status: a.status,
      startedAt: a.createdAt,
      closedAt: a.closedAt,
      // The mark that counts for the attempt: moderated when a moderator changed it (results.ts).
      mark: marksShown ? count.countedTotal : null,
      centreMark: marksShown ? count.centreTotal : null,
      moderatedMark: marksShown ? count.moderatedTotal : null,
      note: a.note,
      markingStatus: markingStatus(a),
      overrunMs: a.overrunMs,
    }));
    return {
      position: p.position,
      scenarioKey: p.scenarioKey,
      title: assignmentTitle(p, viewer),
      direction: p.scenario?.direction ?? 'inbound',
      type: p.scenario?.type ?? 'service',
      attempts,
      countedMark: marksShown ? p.counted.mark : null,
      retakeAvailable: marksShown && retakeWindow && p.attempts.length > 0 && retakeFor(p, results.policy).allowed,
    };
  });
  return {
    ...summary,
    baseMinutes: sitting.baseMinutes,
    extraTime: sitting.extraTime,
    restBreaks: sitting.restBreaks,
    clock: clockView(sittingClock(repos, sitting, now), now, sitting),
    assignments,
    coverageWarnings: viewer.role === 'candidate' ? [] : coverageFor(sitting.scenarioKeys),
    currentAttemptId: results.openAttempt?.id ?? null,
    preparation: { identityChecked: identityCheckOf(repos, sitting.id) !== undefined, declarations: declarationsOf(repos, sitting.id) },
  };
}
