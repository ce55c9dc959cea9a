// Standardisation exercises: the centre's IQA picks a recorded, centre-marked attempt and several of
// the centre's assessors; each marks it blind (an assessor sees the recording, the candidate's brief
// and the rubric, never the centre's marks nor another assessor's); the IQA sees the agreement per
// criterion and per assessor (server/assessment/standardisation.ts) and exports it as CSV. The
// attempt's own centre marks are the reference. An assessor who declared a personal interest in the
// attempt's candidate cannot take part.
import { standardisationFigures } from '../assessment/standardisation.js';
import { scenarioOfAttempt } from '../assessment/scenario-loader.js';
import type { Scenario } from '../assessment/scenario-schema.js';
import { toCsv, type CsvCell } from '../assessment-docs/csv.js';
import type { Attempt } from '../db/repositories/attempts.js';
import type { Repositories } from '../db/repositories/index.js';
import type { StandardisationExercise } from '../db/repositories/standardisation.js';
import { FieldProblems } from '../http/field-problems.js';
import { HttpError } from '../http/errors.js';
import { attemptCalls } from '../moderation/attempt-calls.js';
import type { StandardisationMarkingView, StandardisationResultsView, StandardisationSummary } from '../protocol/assurance.js';
import type { SessionUser } from '../protocol/roles.js';
import { person } from '../sittings/views.js';
import { refuseIfConflicted } from './conflicts.js';
import { auditActor, auditSubject } from '../db/repositories/audit-log.js';

export const MAX_STANDARDISATION_COMMENT = 2000;

function scenarioOf(attempt: Attempt): Scenario {
  const scenario = scenarioOfAttempt(attempt);
  if (!scenario) throw new HttpError(409, 'no_rubric', `The attempt's scenario (${attempt.scenarioKey}) has no rubric to mark against.`);
  return scenario;
}

const recordings = (repos: Repositories, attempt: Attempt) =>
  attemptCalls(repos, attempt)
    .filter((c) => c.recordingPath && c.recordingStatus !== 'recording')
    .map((c) => ({ callId: c.id, url: `/api/calls/${c.id}/recording`, durationMs: c.recordingDurationMs }));

export function createExercise(repos: Repositories, me: SessionUser, input: { attemptId: string; title: string; assessorUserIds: number[] }, now: number): StandardisationExercise {
  const problems = new FieldProblems();
  const attempt = repos.attempts.findById(input.attemptId.toLowerCase());
  if (!attempt || attempt.centreId !== me.centreId) problems.add('attemptId', 'There is no such attempt in your centre.');
  else if (attempt.markedAt === null) problems.add('attemptId', 'Choose an attempt the centre has finished marking: its marks are the reference.');
  else if (!scenarioOfAttempt(attempt)) problems.add('attemptId', 'This attempt has no rubric (a practice attempt).');
  else if (recordings(repos, attempt).length === 0) problems.add('attemptId', 'This attempt has no recording to mark from.');
  const ids = [...new Set(input.assessorUserIds)];
  if (ids.length < 2) problems.add('assessorUserIds', 'Choose at least two assessors: standardisation compares their marks.');
  ids.forEach((id, i) => {
    const u = repos.users.findById(id);
    if (!u || u.role !== 'assessor' || u.centreId !== me.centreId) problems.add(`assessorUserIds.${i}`, `There is no assessor with id ${id} in your centre.`);
    else if (u.disabled) problems.add(`assessorUserIds.${i}`, `${u.displayName}'s account is disabled.`);
    else if (attempt && repos.assurance.conflict(id, attempt.candidateUserId)) problems.add(`assessorUserIds.${i}`, `${u.displayName} declared a personal interest in this candidate.`);
  });
  problems.throwIfAny();
  return repos.transaction(() => {
    const ex = repos.standardisation.create({ centreId: me.centreId!, attemptId: attempt!.id, title: input.title.trim(), createdBy: me.id, assessorUserIds: ids }, now);
    repos.auditLog.append({ at: now, actor: auditActor(me), ...auditSubject('standardisation', ex), action: 'standardisation-created', after: { attemptId: ex.attemptId, title: ex.title, assessorUserIds: ids } });
    return ex;
  });
}

/** The attempts an exercise may use: the centre's, marked by the centre, with a recording; newest first. */
export function exerciseCandidates(repos: Repositories, me: SessionUser): Array<{ attemptId: string; label: string; markedAt: number }> {
  const out: Array<{ attemptId: string; label: string; markedAt: number }> = [];
  for (const sitting of repos.sittings.list({ centreId: me.centreId ?? -1 })) {
    for (const a of repos.attempts.forSitting(sitting.id)) {
      const scenario = scenarioOfAttempt(a);
      if (a.markedAt === null || !scenario || recordings(repos, a).length === 0) continue;
      const candidate = person(repos, a.candidateUserId)!.name;
      out.push({ attemptId: a.id, label: `${candidate}: assignment ${a.position ?? '?'}, ${scenario.title}`, markedAt: a.markedAt });
    }
  }
  return out.sort((x, y) => y.markedAt - x.markedAt);
}

/** The exercise if the user may see it: the centre's IQA and admins, and its own assessors; else the 404 of an unknown id. */
export function visibleExercise(repos: Repositories, me: SessionUser, id: string): StandardisationExercise {
  const ex = repos.standardisation.find(id.toLowerCase());
  const ok =
    ex &&
    (me.role === 'admin' ||
      (me.role === 'iqa' && me.centreId === ex.centreId) ||
      (me.role === 'assessor' && repos.standardisation.participants(ex.id).some((p) => p.assessorUserId === me.id)));
  if (!ex || !ok) throw new HttpError(404, 'not_found', 'There is no such standardisation exercise.');
  return ex;
}

export function exerciseSummaries(repos: Repositories, me: SessionUser, centreId?: number): StandardisationSummary[] {
  const list =
    me.role === 'assessor' ? repos.standardisation.listFor(me.id) : me.role === 'iqa' ? repos.standardisation.list(me.centreId ?? -1) : centreId !== undefined ? repos.standardisation.list(centreId) : repos.centres.list().flatMap((c) => repos.standardisation.list(c.id));
  return list.map((ex) => {
    const participants = repos.standardisation.participants(ex.id);
    const attempt = repos.attempts.findById(ex.attemptId)!;
    return {
      id: ex.id,
      title: ex.title,
      createdAt: ex.createdAt,
      closedAt: ex.closedAt,
      attempt: { attemptId: attempt.id, title: scenarioOfAttempt(attempt)?.title ?? attempt.scenarioKey.toUpperCase() },
      participants: participants.length,
      submitted: participants.filter((p) => p.submittedAt !== null).length,
      ...(me.role === 'assessor' ? { mySubmittedAt: participants.find((p) => p.assessorUserId === me.id)?.submittedAt ?? null } : {}),
    };
  });
}

/** What an assessor marks from: the recording, the candidate's brief, the rubric and their own marks only. */
export function markingView(repos: Repositories, me: SessionUser, ex: StandardisationExercise): StandardisationMarkingView {
  const attempt = repos.attempts.findById(ex.attemptId)!;
  const scenario = scenarioOf(attempt);
  const mine = new Map(repos.standardisation.marks(ex.id, me.id).map((m) => [m.criterionId, m]));
  const me_ = repos.standardisation.participants(ex.id).find((p) => p.assessorUserId === me.id);
  return {
    id: ex.id,
    title: ex.title,
    closedAt: ex.closedAt,
    scenarioTitle: scenario.title,
    candidateBrief: { role: scenario.candidateBrief.role, situation: scenario.candidateBrief.situation, tasks: scenario.candidateBrief.tasks },
    recordings: recordings(repos, attempt),
    criteria: scenario.rubric.map((c) => ({ criterionId: c.criterionId, band: c.band, description: c.description, maxMarks: c.maxMarks, mark: mine.get(c.criterionId)?.mark ?? null, comment: mine.get(c.criterionId)?.comment ?? '' })),
    submittedAt: me_?.submittedAt ?? null,
  };
}

export function saveStandardisationMarks(
  repos: Repositories,
  me: SessionUser,
  ex: StandardisationExercise,
  input: { marks: Array<{ criterionId: string; mark: number; comment?: string | undefined }>; submit?: boolean | undefined },
  now: number,
): void {
  const attempt = repos.attempts.findById(ex.attemptId)!;
  refuseIfConflicted(repos, me.id, attempt.candidateUserId, "mark this candidate's work");
  if (ex.closedAt !== null) throw new HttpError(409, 'exercise_closed', 'This standardisation exercise is closed.');
  const participant = repos.standardisation.participants(ex.id).find((p) => p.assessorUserId === me.id);
  if (!participant) throw new HttpError(404, 'not_found', 'There is no such standardisation exercise.');
  if (participant.submittedAt !== null) throw new HttpError(409, 'already_submitted', 'You have submitted your marks for this exercise; they can no longer change.');
  const scenario = scenarioOf(attempt);
  const rubric = new Map(scenario.rubric.map((c) => [c.criterionId, c]));
  const problems = new FieldProblems();
  const seen = new Set<string>();
  input.marks.forEach((m, i) => {
    const c = rubric.get(m.criterionId);
    if (!c) return problems.add(`marks.${i}.criterionId`, `Criterion ${m.criterionId} is not in the rubric of ${scenario.key.toUpperCase()}.`);
    if (seen.has(m.criterionId)) return problems.add(`marks.${i}.criterionId`, `Criterion ${m.criterionId} is marked twice.`);
    seen.add(m.criterionId);
    if (!Number.isInteger(m.mark) || m.mark < 0 || m.mark > c.maxMarks) problems.add(`marks.${i}.mark`, `The mark for ${m.criterionId} must be a whole number from 0 to ${c.maxMarks}.`);
    if ((m.comment ?? '').length > MAX_STANDARDISATION_COMMENT) problems.add(`marks.${i}.comment`, `The comment must be at most ${MAX_STANDARDISATION_COMMENT} characters.`);
  });
  if (input.submit) {
    const saved = new Set(repos.standardisation.marks(ex.id, me.id).map((m) => m.criterionId));
    const missing = scenario.rubric.filter((c) => !saved.has(c.criterionId) && !seen.has(c.criterionId)).map((c) => c.criterionId);
    if (missing.length) problems.add('submit', `Mark every criterion before submitting (${missing.join(', ')}).`);
  }
  problems.throwIfAny();
  repos.transaction(() => {
    for (const m of input.marks) {
      repos.standardisation.saveMark({ exerciseId: ex.id, assessorUserId: me.id, criterionId: m.criterionId, mark: m.mark, comment: (m.comment ?? '').trim(), updatedAt: now });
      repos.auditLog.append({ at: now, actor: auditActor(me), ...auditSubject('standardisation', ex), action: 'standardisation-mark-changed', after: { criterionId: m.criterionId, mark: m.mark } });
    }
    if (input.submit && repos.standardisation.submit(ex.id, me.id, now)) {
      repos.auditLog.append({ at: now, actor: auditActor(me), ...auditSubject('standardisation', ex), action: 'standardisation-submitted' });
    }
  });
}

/** The agreement figures, for the IQA and admins. Only submitted marks count. */
export function resultsView(repos: Repositories, ex: StandardisationExercise): StandardisationResultsView {
  const attempt = repos.attempts.findById(ex.attemptId)!;
  const scenario = scenarioOf(attempt);
  const participants = repos.standardisation.participants(ex.id);
  const submitted = participants.filter((p) => p.submittedAt !== null);
  const marks = new Map(submitted.map((p) => [p.assessorUserId, new Map(repos.standardisation.marks(ex.id, p.assessorUserId).map((m) => [m.criterionId, m.mark]))]));
  const reference = new Map(repos.attemptMarks.forAttempt(attempt.id).map((m) => [m.criterionId, m.mark]));
  const figures = standardisationFigures(scenario.rubric.map((c) => ({ criterionId: c.criterionId, maxMarks: c.maxMarks })), marks, reference);
  const byId = new Map(figures.assessors.map((a) => [a.assessorId, a]));
  const empty = { agreeing: 0, compared: 0, rate: null };
  return {
    id: ex.id,
    title: ex.title,
    createdAt: ex.createdAt,
    closedAt: ex.closedAt,
    scenarioTitle: scenario.title,
    attemptId: attempt.id,
    assessors: participants.map((p) => {
      const f = byId.get(p.assessorUserId);
      return {
        ...person(repos, p.assessorUserId)!,
        submittedAt: p.submittedAt,
        total: f ? f.total : null,
        withOthers: f?.withOthers ?? empty,
        withReference: f?.withReference ?? empty,
        meanDifference: f?.meanDifference ?? null,
      };
    }),
    criteria: figures.criteria.map((c) => ({
      criterionId: c.criterionId,
      description: scenario.rubric.find((r) => r.criterionId === c.criterionId)?.description ?? c.criterionId,
      maxMarks: c.maxMarks,
      reference: c.reference,
      // In the order of `assessors` (the participants), null for those who have not submitted.
      marks: participants.map((p) => (p.submittedAt === null ? null : (marks.get(p.assessorUserId)?.get(c.criterionId) ?? null))),
      spread: c.spread,
      pairwise: c.pairwise,
      withReference: c.withReference,
    })),
    overall: figures.overall,
    referenceTotal: figures.referenceTotal,
  };
}

const percent = (rate: number | null): CsvCell => (rate === null ? '' : Math.round(rate * 1000) / 10);

/** The figures as CSV: one row per criterion, then one per assessor. */
export function resultsCsv(v: StandardisationResultsView): string {
  const names = v.assessors.map((a) => a.name);
  const rows: CsvCell[][] = [
    ['Standardisation', v.title],
    ['Scenario', v.scenarioTitle],
    [],
    ['Criterion', 'Description', 'Max marks', 'Centre mark (reference)', ...names, 'Spread', 'Pairs agreeing', 'Pairs compared', 'Pairwise agreement %', 'Assessors giving the reference mark', 'Agreement with reference %'],
    ...v.criteria.map((c) => [c.criterionId, c.description, c.maxMarks, c.reference, ...c.marks, c.spread, c.pairwise.agreeing, c.pairwise.compared, percent(c.pairwise.rate), c.withReference.agreeing, percent(c.withReference.rate)]),
    ['All criteria', '', '', v.referenceTotal, ...v.assessors.map((a) => a.total), '', v.overall.agreeing, v.overall.compared, percent(v.overall.rate), '', ''],
    [],
    ['Assessor', 'Submitted', 'Total', 'Marks agreeing with another assessor', 'Compared', 'Agreement with the others %', 'Criteria at the reference mark', 'Criteria compared', 'Agreement with reference %', 'Mean difference from the others'],
    ...v.assessors.map((a) => [
      a.name,
      a.submittedAt === null ? 'no' : new Date(a.submittedAt).toISOString(),
      a.total,
      a.withOthers.agreeing,
      a.withOthers.compared,
      percent(a.withOthers.rate),
      a.withReference.agreeing,
      a.withReference.compared,
      percent(a.withReference.rate),
      a.meanDifference === null ? '' : Math.round(a.meanDifference * 100) / 100,
    ]),
  ];
  return toCsv(rows);
}
