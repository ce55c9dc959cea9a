// Everything the documents of a sitting print (mark sheet, results export), gathered once from the
// database as plain data: who, when, each assignment's attempts with their criterion marks and
// comments, totals and the Unit 2 result.
import type { Repositories } from '../db/repositories/index.js';
import type { Sitting } from '../db/repositories/sittings.js';
import type { SittingResultView } from '../protocol/assessment.js';
import { scenarioForAttemptKey } from '../assessment/scenario-loader.js';
import { resultView, sittingStanding } from '../sittings/standing.js';

export interface CriterionLine {
  criterionId: string;
  band: string;
  description: string;
  maxMarks: number;
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
  /** The centre mark once marking is finished, else null. */
  total: number | null;
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

export function sittingRecord(repos: Repositories, sitting: Sitting): SittingRecord {
  const standing = sittingStanding(repos, sitting);
  const candidate = repos.users.findById(sitting.candidateUserId);
  const assessor = sitting.assessorUserId === null ? undefined : repos.users.findById(sitting.assessorUserId);
  const assignments = standing.positions.map((p): AssignmentRecord => {
    const counted = standing.computed.standings[p.position - 1];
    return {
      position: p.position,
      scenarioKey: p.scenarioKey,
      title: p.scenario?.title ?? p.scenarioKey.toUpperCase(),
      direction: p.scenario?.direction ?? '',
      type: p.scenario?.type ?? '',
      countedMark: counted?.mark ?? null,
      attempts: p.attempts.map((a, i) => {
        const rubric = scenarioForAttemptKey(a.scenarioKey)?.rubric ?? [];
        const marks = new Map(repos.attemptMarks.forAttempt(a.id).map((m) => [m.criterionId, m]));
        return {
          attemptId: a.id,
          number: i + 1,
          variant: a.variant ?? 'a',
          startedAt: a.createdAt,
          closedAt: a.closedAt,
          markedAt: a.markedAt,
          total: p.marks.get(a.id) ?? null,
          counted: counted?.countedAttemptId === a.id,
          note: a.note,
          criteria: rubric.map((c) => ({
            criterionId: c.criterionId,
            band: c.band,
            description: c.description,
            maxMarks: c.maxMarks,
            mark: marks.get(c.criterionId)?.mark ?? null,
            comment: marks.get(c.criterionId)?.comment ?? '',
          })),
        };
      }),
    };
  });
  return {
    sitting,
    centreName: repos.centres.findById(sitting.centreId)?.name ?? `centre ${sitting.centreId}`,
    candidate: { id: sitting.candidateUserId, name: candidate?.displayName ?? `user ${sitting.candidateUserId}`, username: candidate?.username ?? '' },
    assessor: assessor ? { id: assessor.id, name: assessor.displayName } : null,
    assignments,
    result: resultView(sitting, standing.computed),
  };
}

/** "Pass", "Merit", "Distinction", or "No grade (…)" in one phrase. */
export function resultWords(result: SittingResultView): string {
  if (result.status === 'graded') return result.grade!;
  return `No grade${result.final ? ' (fail)' : ''}: ${result.reasons.join(' ')}`;
}
