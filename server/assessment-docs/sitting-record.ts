// Everything the documents of a sitting print (mark sheet, results export), gathered once from the
// database as plain data: who, when, each assignment's attempts with their criterion marks and
// comments (centre mark, moderated mark and the mark that counts), totals and the Unit 2 result.
import type { Repositories } from '../db/repositories/index.js';
import type { Sitting } from '../db/repositories/sittings.js';
import type { SittingResultView } from '../protocol/assessment.js';
import { scenarioForAttemptKey } from '../assessment/scenario-loader.js';
import { resultView, sittingResults } from '../sittings/results.js';

export interface CriterionLine {
  criterionId: string;
  band: string;
  description: string;
  maxMarks: number;
  /** The centre assessor's mark. */
  centreMark: number | null;
  /** The moderator's mark, when a moderator changed this criterion. */
  moderatedMark: number | null;
  /** The mark that counts: moderated ?? centre. */
  mark: number | null;
  comment: string;
}

export interface AttemptRecordLine {
  attemptId: string;
  number: number;
  variant: string;
  startedAt: number;
  closedAt: number | null;
  markedAt: number | null;
  /** The mark that counts once marking is finished (moderated total when moderated), else null. */
  total: number | null;
  /** The centre's total once marking is finished, else null. */
  centreTotal: number | null;
  /** The moderated total, when a moderator changed any criterion, else null. */
  moderatedTotal: number | null;
  moderated: boolean;
  counted: boolean;
  note: string | null;
  criteria: CriterionLine[];
}

export interface AssignmentRecord {
  position: number;
  scenarioKey: string;
  title: string;
  direction: string;
  type: string;
  countedMark: number | null;
  attempts: AttemptRecordLine[];
}

export interface SittingRecord {
  sitting: Sitting;
  centreName: string;
  candidate: { id: number; name: string; username: string };
  assessor: { id: number; name: string } | null;
  assignments: AssignmentRecord[];
  result: SittingResultView;
}

/** Every figure comes from server/sittings/results.ts, the one place marks are added up. */
export function sittingRecord(repos: Repositories, sitting: Sitting): SittingRecord {
  const results = sittingResults(repos, sitting);
  const candidate = repos.users.findById(sitting.candidateUserId);
  const assessor = sitting.assessorUserId === null ? undefined : repos.users.findById(sitting.assessorUserId);
  const assignments = results.positions.map((p): AssignmentRecord => ({
    position: p.position,
    scenarioKey: p.scenarioKey,
    title: p.scenario?.title ?? p.scenarioKey.toUpperCase(),
    direction: p.scenario?.direction ?? '',
    type: p.scenario?.type ?? '',
    countedMark: p.counted.mark,
    attempts: p.attempts.map(({ attempt: a, count }, i) => {
      const rubric = new Map((scenarioForAttemptKey(a.scenarioKey)?.rubric ?? []).map((c) => [c.criterionId, c]));
      const comments = new Map(repos.attemptMarks.forAttempt(a.id).map((m) => [m.criterionId, m.comment]));
      return {
        attemptId: a.id,
        number: i + 1,
        variant: a.variant ?? 'a',
        startedAt: a.createdAt,
        closedAt: a.closedAt,
        markedAt: a.markedAt,
        total: count.countedTotal,
        centreTotal: count.centreTotal,
        moderatedTotal: count.moderatedTotal,
        moderated: count.moderated,
        counted: p.counted.countedAttemptId === a.id,
        note: a.note,
        criteria: count.criteria.map((c) => ({
          criterionId: c.criterionId,
          band: rubric.get(c.criterionId)?.band ?? '',
          description: rubric.get(c.criterionId)?.description ?? '',
          maxMarks: c.maxMarks,
          centreMark: c.centre,
          moderatedMark: c.moderated,
          mark: c.counts,
          comment: comments.get(c.criterionId) ?? '',
        })),
      };
    }),
  }));
  return {
    sitting,
    centreName: repos.centres.findById(sitting.centreId)?.name ?? `centre ${sitting.centreId}`,
    candidate: { id: sitting.candidateUserId, name: candidate?.displayName ?? `user ${sitting.candidateUserId}`, username: candidate?.username ?? '' },
    assessor: assessor ? { id: assessor.id, name: assessor.displayName } : null,
    assignments,
    result: resultView(results),
  };
}

/** "Pass", "Merit", "Distinction", or "No grade (…)" in one phrase. */
export function resultWords(result: SittingResultView): string {
  if (result.status === 'graded') return result.grade!;
  return `No grade${result.final ? ' (fail)' : ''}: ${result.reasons.join(' ')}`;
}
