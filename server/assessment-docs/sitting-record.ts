// Everything the documents of a sitting print (mark sheet, results export), gathered once from the
// database as plain data: the qualification (subject code), centre and candidate with their
// numbers, who assessed, when, the time allowed (base and extra time), the time taken, the access
// arrangements and overrun, the identity check, each assignment's attempts with their criterion
// marks, override reasons and comments (centre mark, moderated mark with the moderator's reason,
// and the mark that counts), totals, the Unit 2 result, the result state with the moderation
// outcome, and every signature (who signed what, when).
import type { ExtraTime } from '../assessment/clock.js';
import { QUALIFICATION } from '../assessment/qualification.js';
import type { ModerationOutcome, ResultState } from '../assessment/result-states.js';
import { identityCheckOf } from '../assurance/preparation.js';
import { signatureViews } from '../assurance/signatures.js';
import type { Repositories } from '../db/repositories/index.js';
import type { Sitting } from '../db/repositories/sittings.js';
import type { RubricLineView, SittingResultView } from '../protocol/assessment.js';
import type { OverrunPolicy } from '../protocol/sitting-states.js';
import { sentences } from '../protocol/words.js';
import { ID_DOCUMENT_WORDS, OUTCOME_WORDS, RESULT_STATE_WORDS, type SignatureKind, type SignatureView } from '../protocol/assurance.js';
import { scenarioOfAttempt } from '../assessment/scenario-loader.js';
import { resultView, sittingResults } from '../sittings/results.js';
import { sittingClock } from '../sittings/sitting-clock.js';

export interface CriterionLine extends RubricLineView {
  /** The centre assessor's mark. */
  centreMark: number | null;
  /** The moderator's mark, when a moderator changed this criterion. */
  moderatedMark: number | null;
  /** The mark that counts: moderated ?? centre. */
  mark: number | null;
  comment: string;
  /** Why the assessor's mark differs from the automatic suggestion, when it does. */
  overrideReason: string | null;
  /** Why the moderator changed the mark, when they did. */
  moderationReason: string | null;
}

export interface AttemptRecordLine {
  attemptId: string;
  number: number;
  variant: string;
  startedAt: number;
  closedAt: number | null;
  markedAt: number | null;
  /** How long the attempt ran (start to close), null while open. */
  takenMs: number | null;
  /** How much of it ran past the sitting's time allowed (0 when none; null while open). */
  overrunMs: number | null;
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

/** The time of the sitting: allowed (base + extra), taken, rest breaks and overrun. */
export interface SittingTiming {
  baseMinutes: number;
  extraTime: ExtraTime | null;
  /** Base time plus extra time. */
  allowedMs: number;
  /** Working time used (start to end or to now, less rest breaks); 0 before the start. */
  takenMs: number;
  restBreaksAllowed: boolean;
  restBreakMs: number;
  /** How far past the time allowed the sitting ran. */
  overrunMs: number;
  overrunPolicy: OverrunPolicy;
}

/** A signature as the sitting record prints it: the signature's view (server/protocol/assurance.ts) with its signer in words. */
export interface SignatureLine extends Omit<SignatureView, 'id' | 'by'> {
  /** What was signed, in words ("Assessor: mark sheet"). */
  what: string;
  name: string;
  role: string;
}

export interface SittingRecord {
  sitting: Sitting;
  qualification: typeof QUALIFICATION;
  centreName: string;
  centreNumber: string | null;
  candidate: { id: number; name: string; username: string; candidateNumber: string | null };
  assessor: { id: number; name: string } | null;
  timing: SittingTiming;
  /** The access arrangements agreed for the sitting, in words (empty: none). */
  accessArrangements: string[];
  identityCheck: { document: string; detail: string; checkedBy: string; checkedAt: number } | null;
  assignments: AssignmentRecord[];
  result: SittingResultView;
  resultState: ResultState;
  /** The state in words ("Moderated: marks adjusted"). */
  resultStateWords: string;
  outcome: ModerationOutcome | null;
  /** The moderator's reason for the outcome, once moderated. */
  outcomeReason: string | null;
  signatures: SignatureLine[];
}

export const SIGNATURE_WHAT: Record<SignatureKind, string> = {
  'candidate-declaration-start': 'Candidate: declaration of authenticity at the start',
  'candidate-declaration-end': 'Candidate: declaration of authenticity at the end',
  'assessor-mark-sheet': 'Assessor: mark sheet',
  'iqa-countersignature': 'Internal quality assurer: countersignature',
  'moderator-outcome': 'Moderator: moderation outcome',
};

/** "10 minutes", "25%": extra time as agreed. */
export const extraTimeWords = (e: ExtraTime): string => (e.kind === 'percent' ? `${e.percent}% extra time` : `${e.minutes} minutes extra time`);

/** The access arrangements of a sitting in words. */
export function accessArrangementsOf(sitting: Pick<Sitting, 'extraTime' | 'restBreaks'>): string[] {
  return [...(sitting.extraTime ? [extraTimeWords(sitting.extraTime)] : []), ...(sitting.restBreaks ? ['Supervised rest breaks'] : [])];
}

/**
 * Every figure comes from server/sittings/results.ts, the one place marks are added up; the time
 * taken from the sitting clock (server/sittings/views.ts), read at `now` while the sitting runs.
 */
export function sittingRecord(repos: Repositories, sitting: Sitting, now: number): SittingRecord {
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
      const rubric = new Map((scenarioOfAttempt(a)?.rubric ?? []).map((c) => [c.criterionId, c]));
      const centreMarks = new Map(repos.attemptMarks.forAttempt(a.id).map((m) => [m.criterionId, m]));
      const moderation = new Map(repos.moderation.marksFor(a.id).map((m) => [m.criterionId, m.reason]));
      return {
        attemptId: a.id,
        number: i + 1,
        variant: a.variant ?? 'a',
        startedAt: a.createdAt,
        closedAt: a.closedAt,
        markedAt: a.markedAt,
        takenMs: a.closedAt === null ? null : a.closedAt - a.createdAt,
        overrunMs: a.closedAt === null ? null : (a.overrunMs ?? 0),
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
          comment: centreMarks.get(c.criterionId)?.comment ?? '',
          overrideReason: centreMarks.get(c.criterionId)?.overrideReason ?? null,
          moderationReason: c.moderated === null ? null : (moderation.get(c.criterionId) ?? null),
        })),
      };
    }),
  }));
  const centre = repos.centres.findById(sitting.centreId);
  const clock = sittingClock(repos, sitting, now);
  const check = identityCheckOf(repos, sitting.id);
  const moderatedStep = repos.assurance.steps(sitting.id).filter((s) => s.toState === 'moderated').at(-1);
  return {
    sitting,
    qualification: QUALIFICATION,
    centreName: centre?.name ?? `centre ${sitting.centreId}`,
    centreNumber: centre?.centreNumber ?? null,
    candidate: { id: sitting.candidateUserId, name: candidate?.displayName ?? `user ${sitting.candidateUserId}`, username: candidate?.username ?? '', candidateNumber: candidate?.candidateNumber ?? null },
    assessor: assessor ? { id: assessor.id, name: assessor.displayName } : null,
    timing: {
      baseMinutes: sitting.baseMinutes,
      extraTime: sitting.extraTime,
      allowedMs: clock.allowedMs,
      takenMs: clock.elapsedMs,
      restBreaksAllowed: sitting.restBreaks,
      restBreakMs: clock.pausedMs,
      overrunMs: clock.overrunMs,
      overrunPolicy: sitting.overrunPolicy,
    },
    accessArrangements: accessArrangementsOf(sitting),
    identityCheck: check
      ? { document: ID_DOCUMENT_WORDS[check.documentType], detail: check.documentDetail, checkedBy: repos.users.findById(check.checkedByUserId)?.displayName ?? `user ${check.checkedByUserId}`, checkedAt: check.checkedAt }
      : null,
    assignments,
    result: resultView(results),
    resultState: sitting.resultState,
    resultStateWords: sitting.resultState === 'moderated' && sitting.resultOutcome ? `Moderated: ${OUTCOME_WORDS[sitting.resultOutcome].toLowerCase()}` : RESULT_STATE_WORDS[sitting.resultState],
    outcome: sitting.resultOutcome,
    outcomeReason: sitting.resultState === 'moderated' ? (moderatedStep?.reason ?? null) : null,
    signatures: signatureViews(repos, sitting).map((s) => ({
      kind: s.kind,
      what: SIGNATURE_WHAT[s.kind],
      name: s.by.name,
      role: s.by.role,
      signedAt: s.signedAt,
      statement: s.statement,
      subjectSha256: s.subjectSha256,
      stillMatches: s.stillMatches,
      superseded: s.superseded,
    })),
  };
}

/** "Pass", "Merit", "Distinction", or "No grade (…)" in one phrase. */
export function resultWords(result: SittingResultView): string {
  if (result.status === 'graded') return result.grade!;
  return `No grade${result.final ? ' (fail)' : ''}: ${sentences(result.reasons)}`;
}
