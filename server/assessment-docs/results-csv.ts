// The results export: one row per sitting (newest first) with the qualification's subject code,
// the centre and candidate with their numbers, who assessed, when, the time allowed (base and
// extra time) and taken, the access arrangements, the overrun (the sitting's, the centre's policy,
// and per assignment), the four assignment marks that count, the total that counts, the centre's
// total and the moderated total with a moderated flag, the moderated marks and the moderator's
// reasons, the assessor's override reasons, the grade, the sitting's status, the result (graded,
// incomplete, no-grade while a re-take is open, fail) and its reasons in words, the result state
// and moderation outcome, and every signature (who signed what, when). Times are ISO 8601 UTC;
// durations whole seconds. Every figure is the one server/sittings/results.ts computes, as on the
// mark sheet and in every view. A list in one cell is separated by " | ".
import type { AssignmentRecord, AttemptRecordLine, CriterionLine, SittingRecord } from './sitting-record.js';
import { toCsv, type CsvCell } from './csv.js';
import { sentences } from '../protocol/words.js';

export const RESULTS_HEADER = [
  'sitting_id',
  'qualification_code',
  'centre',
  'centre_number',
  'candidate',
  'candidate_username',
  'candidate_number',
  'assessor',
  'identity_check',
  'scheduled_for',
  'started_at',
  'ended_at',
  'time_allowed_seconds',
  'extra_time',
  'time_taken_seconds',
  'rest_breaks_seconds',
  'access_arrangements',
  'overrun_seconds',
  'overrun_policy',
  'assignment_1',
  'mark_1',
  'overrun_1_seconds',
  'assignment_2',
  'mark_2',
  'overrun_2_seconds',
  'assignment_3',
  'mark_3',
  'overrun_3_seconds',
  'assignment_4',
  'mark_4',
  'overrun_4_seconds',
  'total',
  'centre_total',
  'moderated_total',
  'moderated',
  'moderated_marks',
  'override_reasons',
  'grade',
  'sitting_status',
  'result',
  'reasons',
  'result_state',
  'moderation_outcome',
  'moderation_reason',
  'signatures',
] as const;

const iso = (ms: number | null): string => (ms === null ? '' : new Date(ms).toISOString());
const seconds = (ms: number): number => Math.round(ms / 1000);
const list = (items: readonly string[]): string => items.join(' | ');

export function resultsCsv(records: readonly SittingRecord[]): string {
  const rows: CsvCell[][] = [[...RESULTS_HEADER]];
  for (const r of records) {
    const assignments = [0, 1, 2, 3].flatMap((i) => {
      const a = r.assignments[i];
      const overrun = a?.attempts.reduce((sum, at) => sum + (at.overrunMs ?? 0), 0) ?? null;
      return [a ? a.scenarioKey.toUpperCase() : '', a?.countedMark ?? null, a ? seconds(overrun ?? 0) : null];
    });
    // "A1 attempt 1 C3: 2 -> 1 (reason)": each criterion a moderator changed, and each override.
    const lines = (pick: (a: AssignmentRecord, at: AttemptRecordLine, c: CriterionLine) => string | null): string =>
      list(r.assignments.flatMap((a) => a.attempts.flatMap((at) => at.criteria.flatMap((c) => pick(a, at, c) ?? []))));
    const status = r.result.status === 'graded' ? 'graded' : r.result.final ? 'fail' : r.result.complete ? 'no-grade' : 'incomplete';
    const id = r.identityCheck;
    rows.push([
      r.sitting.id,
      r.qualification.subjectCode,
      r.centreName,
      r.centreNumber,
      r.candidate.name,
      r.candidate.username,
      r.candidate.candidateNumber,
      r.assessor?.name ?? '',
      id ? `${id.document}, by ${id.checkedBy} at ${iso(id.checkedAt)}` : '',
      iso(r.sitting.scheduledFor),
      iso(r.sitting.startedAt),
      iso(r.sitting.endedAt),
      seconds(r.timing.allowedMs),
      r.timing.extraTime ? seconds(r.timing.allowedMs - r.timing.baseMinutes * 60_000) : 0,
      r.sitting.startedAt === null ? null : seconds(r.timing.takenMs),
      seconds(r.timing.restBreakMs),
      list(r.accessArrangements),
      seconds(r.timing.overrunMs),
      r.timing.overrunPolicy,
      ...assignments,
      r.result.total,
      r.result.centreTotal,
      r.result.moderated ? r.result.total : null,
      r.result.moderated ? 'yes' : 'no',
      lines((a, at, c) => (c.moderatedMark === null ? null : `A${a.position} attempt ${at.number} ${c.criterionId}: ${c.centreMark ?? '-'} -> ${c.moderatedMark} (${c.moderationReason ?? ''})`)),
      lines((a, at, c) => (c.overrideReason ? `A${a.position} attempt ${at.number} ${c.criterionId}: ${c.overrideReason}` : null)),
      r.result.grade ?? '',
      r.sitting.status,
      status,
      sentences(r.result.reasons),
      r.resultState,
      r.outcome ?? '',
      r.outcomeReason ?? '',
      list(r.signatures.map((s) => `${s.what}: ${s.name} (${s.role}) at ${iso(s.signedAt)}${s.superseded ? ' [replaced]' : s.stillMatches ? '' : ' [record changed since]'}`)),
    ]);
  }
  return toCsv(rows);
}
