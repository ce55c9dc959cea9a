// The results export: one row per sitting (newest first) with who, when, the four assignment
// marks that count, the total that counts, the centre's total and the moderated total with a
// moderated flag, the grade, the sitting's status, the result (graded, incomplete, no-grade while
// a re-take is open, fail) and its reasons in words. Times are ISO 8601 UTC. Every figure is the
// one server/sittings/results.ts computes, as on the mark sheet and in every view.
import type { SittingRecord } from './sitting-record.js';
import { toCsv, type CsvCell } from './csv.js';

export const RESULTS_HEADER = [
  'sitting_id',
  'centre',
  'candidate',
  'candidate_username',
  'assessor',
  'scheduled_for',
  'started_at',
  'ended_at',
  'assignment_1',
  'mark_1',
  'assignment_2',
  'mark_2',
  'assignment_3',
  'mark_3',
  'assignment_4',
  'mark_4',
  'total',
  'centre_total',
  'moderated_total',
  'moderated',
  'grade',
  'sitting_status',
  'result',
  'reasons',
] as const;

const iso = (ms: number | null): string => (ms === null ? '' : new Date(ms).toISOString());

export function resultsCsv(records: readonly SittingRecord[]): string {
  const rows: CsvCell[][] = [[...RESULTS_HEADER]];
  for (const r of records) {
    const assignments = [0, 1, 2, 3].flatMap((i) => {
      const a = r.assignments[i];
      return [a ? a.scenarioKey.toUpperCase() : '', a?.countedMark ?? null];
    });
    const status = r.result.status === 'graded' ? 'graded' : r.result.final ? 'fail' : r.result.complete ? 'no-grade' : 'incomplete';
    rows.push([
      r.sitting.id,
      r.centreName,
      r.candidate.name,
      r.candidate.username,
      r.assessor?.name ?? '',
      iso(r.sitting.scheduledFor),
      iso(r.sitting.startedAt),
      iso(r.sitting.endedAt),
      ...assignments,
      r.result.total,
      r.result.centreTotal,
      r.result.moderated ? r.result.total : null,
      r.result.moderated ? 'yes' : 'no',
      r.result.grade ?? '',
      r.sitting.status,
      status,
      r.result.reasons.join(' '),
    ]);
  }
  return toCsv(rows);
}
