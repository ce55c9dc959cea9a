// Internal quality assurance of a centre's marking (seeds 002 and 003, "Internal quality
// assurance", "Countersigning strategy"): the IQA samples signed sittings before they are
// submitted, agrees or disagrees with each centre mark (a disagreement needs a reason), and then
// countersigns the sitting or sends it back to the assessor.
//
// The IQA's sample uses the moderation sampling rule (server/moderation/sampling.ts: every fail,
// every re-take, results near a boundary, at least one sitting per assessor, 10 % of the rest),
// over the centre's signed sittings, with its own seed. A verdict stands for the centre mark it was
// given on: once the assessor changes that mark it is out of date and the criterion is reviewed again.
import { scenarioOfAttempt } from '../assessment/scenario-loader.js';
import type { Attempt } from '../db/repositories/attempts.js';
import type { IqaReview } from '../db/repositories/assurance.js';
import type { Repositories } from '../db/repositories/index.js';
import type { Sitting } from '../db/repositories/sittings.js';
import { FieldProblems } from '../http/field-problems.js';
import { HttpError } from '../http/errors.js';
import { attemptCalls } from '../moderation/attempt-calls.js';
import { proposeSample } from '../moderation/sampling.js';
import type { IqaAttemptView, IqaQueueView, IqaSittingView, IqaVerdict } from '../protocol/assurance.js';
import type { SessionUser } from '../protocol/roles.js';
import { blank } from '../sittings/marking.js';
import { attemptCount, sittingResults } from '../sittings/results.js';
import { forSamplingRule } from '../moderation/replay/sample.js';
import { person } from '../sittings/views.js';
import { refuseIfConflicted } from './conflicts.js';
import { auditActor } from '../db/repositories/audit-log.js';

export const IQA_SAMPLE_SEED = 'callmark-iqa';
export const MAX_VERDICT_REASON = 2000;

/** The centre's IQA sample: sitting id → the reasons it was chosen. */
export function iqaSample(repos: Repositories, centreId: number): Map<string, string[]> {
  const signed = repos.sittings.list({ centreId }).filter((s) => s.resultState !== 'draft');
  const proposal = proposeSample(signed.map((s) => forSamplingRule(sittingResults(repos, s))), { seed: IQA_SAMPLE_SEED });
  return new Map(proposal.chosen.map((c) => [c.sittingId, c.explanations]));
}

/** The verdict standing on each (attempt, criterion): the newest, if given on the mark the criterion has now. */
function standingVerdicts(repos: Repositories, sitting: Sitting): Map<string, IqaReview & { outOfDate: boolean }> {
  const current = new Map<string, number>();
  for (const a of repos.attempts.forSitting(sitting.id)) for (const m of repos.attemptMarks.forAttempt(a.id)) current.set(`${a.id}|${m.criterionId}`, m.mark);
  const latest = new Map<string, IqaReview & { outOfDate: boolean }>();
  for (const r of repos.assurance.iqaReviews(sitting.id)) {
    const key = `${r.attemptId}|${r.criterionId}`;
    latest.set(key, { ...r, outOfDate: current.get(key) !== r.centreMark });
  }
  return latest;
}

/** The rubric criteria of an attempt that carry a centre mark. */
function markedCriteria(repos: Repositories, attempt: Attempt): string[] {
  const rubric = scenarioOfAttempt(attempt)?.rubric.map((c) => c.criterionId);
  const marked = repos.attemptMarks.forAttempt(attempt.id).map((m) => m.criterionId);
  return rubric ? rubric.filter((c) => marked.includes(c)) : marked;
}

export interface IqaReviewState {
  inSample: boolean;
  reviewed: number;
  toReview: number;
  disagreements: number;
}

export function iqaReviewState(repos: Repositories, sitting: Sitting, sample?: Map<string, string[]>): IqaReviewState {
  const verdicts = standingVerdicts(repos, sitting);
  let reviewed = 0;
  let total = 0;
  let disagreements = 0;
  for (const a of repos.attempts.forSitting(sitting.id)) {
    for (const c of markedCriteria(repos, a)) {
      total++;
      const v = verdicts.get(`${a.id}|${c}`);
      if (!v || v.outOfDate) continue;
      reviewed++;
      if (v.verdict === 'disagree') disagreements++;
    }
  }
  const inSample = sitting.resultState !== 'draft' && (sample ?? iqaSample(repos, sitting.centreId)).has(sitting.id);
  return { inSample, reviewed, toReview: total - reviewed, disagreements };
}

function sittingRow(repos: Repositories, me: SessionUser, sitting: Sitting, sample: Map<string, string[]>): IqaSittingView {
  const verdicts = standingVerdicts(repos, sitting);
  const facts = forSamplingRule(sittingResults(repos, sitting));
  const positions = new Map<number | null, number>();
  return {
    sittingId: sitting.id,
    candidate: person(repos, sitting.candidateUserId)!,
    assessor: person(repos, sitting.assessorUserId),
    endedAt: sitting.endedAt,
    state: sitting.resultState,
    inSample: sample.has(sitting.id),
    sampleReasons: sample.get(sitting.id) ?? [],
    total: facts.total,
    grade: facts.grade,
    conflict: repos.assurance.conflict(me.id, sitting.candidateUserId) !== undefined,
    attempts: repos.attempts.forSitting(sitting.id).map((a) => {
      const criteria = markedCriteria(repos, a);
      const standing = criteria.map((c) => verdicts.get(`${a.id}|${c}`)).filter((v) => v !== undefined && !v.outOfDate);
      const number = (positions.get(a.position) ?? 0) + 1;
      positions.set(a.position, number);
      return {
        attemptId: a.id,
        position: a.position,
        title: scenarioOfAttempt(a)?.title ?? a.scenarioKey.toUpperCase(),
        number,
        centreMark: attemptCount(repos, a).centreTotal,
        reviewed: standing.length,
        criteria: criteria.length,
        disagreements: standing.filter((v) => v!.verdict === 'disagree').length,
      };
    }),
  };
}

export function iqaQueue(repos: Repositories, me: SessionUser, centreId: number): IqaQueueView {
  const sample = iqaSample(repos, centreId);
  const signed = repos.sittings.list({ centreId }).filter((s) => s.resultState !== 'draft');
  return {
    centreId,
    awaiting: signed.filter((s) => s.resultState === 'centre-final').map((s) => sittingRow(repos, me, s, sample)),
    done: signed
      .filter((s) => s.resultState !== 'centre-final')
      .sort((a, b) => (b.resultStateAt ?? 0) - (a.resultStateAt ?? 0))
      .map((s) => sittingRow(repos, me, s, sample)),
  };
}

/** The attempt of a sitting of the IQA's own centre, or the 404 of an unknown id. */
export function iqaAttempt(repos: Repositories, me: SessionUser, attemptId: string): { attempt: Attempt; sitting: Sitting } {
  const attempt = repos.attempts.findById(attemptId.toLowerCase());
  const sitting = attempt?.sittingId ? repos.sittings.findById(attempt.sittingId) : undefined;
  if (!attempt || !sitting || me.centreId === null || sitting.centreId !== me.centreId) throw new HttpError(404, 'not_found', 'There is no such attempt in your centre.');
  return { attempt, sitting };
}

export function iqaAttemptView(repos: Repositories, attempt: Attempt, sitting: Sitting): IqaAttemptView {
  const scenario = scenarioOfAttempt(attempt);
  const marks = new Map(repos.attemptMarks.forAttempt(attempt.id).map((m) => [m.criterionId, m]));
  const verdicts = standingVerdicts(repos, sitting);
  const rubric = scenario?.rubric ?? [...marks.keys()].map((criterionId) => ({ criterionId, band: '', description: criterionId, maxMarks: 0 }));
  return {
    attemptId: attempt.id,
    sittingId: sitting.id,
    state: sitting.resultState,
    candidate: person(repos, sitting.candidateUserId)!,
    position: attempt.position,
    title: scenario?.title ?? attempt.scenarioKey.toUpperCase(),
    centreTotal: attemptCount(repos, attempt).centreTotal,
    criteria: rubric.map((c) => {
      const m = marks.get(c.criterionId);
      const v = verdicts.get(`${attempt.id}|${c.criterionId}`);
      return {
        criterionId: c.criterionId,
        band: c.band,
        description: c.description,
        maxMarks: c.maxMarks,
        centreMark: m?.mark ?? null,
        comment: m?.comment ?? '',
        overrideReason: m?.overrideReason ?? null,
        verdict: v?.verdict ?? null,
        reason: v?.reason ?? '',
        outOfDate: v?.outOfDate ?? false,
      };
    }),
    recordings: attemptCalls(repos, attempt)
      .filter((c) => c.recordingPath && c.recordingStatus !== 'recording')
      .map((c) => ({ callId: c.id, url: `/api/calls/${c.id}/recording`, durationMs: c.recordingDurationMs })),
  };
}

/** Stores the IQA's verdicts on an attempt of a signed sitting (all checked first; nothing stored on a refusal). */
export function saveIqaReviews(
  repos: Repositories,
  attempt: Attempt,
  sitting: Sitting,
  me: SessionUser,
  verdicts: ReadonlyArray<{ criterionId: string; verdict: IqaVerdict; reason?: string | undefined }>,
  now: number,
): void {
  refuseIfConflicted(repos, me.id, sitting.candidateUserId, "review this candidate's marks");
  if (sitting.resultState !== 'centre-final') {
    throw new HttpError(409, 'not_awaiting_iqa', sitting.resultState === 'draft' ? 'The assessor has not signed this mark sheet yet: the IQA reviews signed marks.' : 'This sitting has been countersigned: its review is closed.');
  }
  const marks = new Map(repos.attemptMarks.forAttempt(attempt.id).map((m) => [m.criterionId, m.mark]));
  const problems = new FieldProblems();
  const seen = new Set<string>();
  verdicts.forEach((v, i) => {
    if (!marks.has(v.criterionId)) return problems.add(`verdicts.${i}.criterionId`, `Criterion ${v.criterionId} has no centre mark on this attempt.`);
    if (seen.has(v.criterionId)) return problems.add(`verdicts.${i}.criterionId`, `Criterion ${v.criterionId} is given twice.`);
    seen.add(v.criterionId);
    if (v.verdict === 'disagree' && blank(v.reason)) problems.add(`verdicts.${i}.reason`, `Say why you disagree with the mark for ${v.criterionId}.`);
    if ((v.reason ?? '').length > MAX_VERDICT_REASON) problems.add(`verdicts.${i}.reason`, `The reason must be at most ${MAX_VERDICT_REASON} characters.`);
  });
  problems.throwIfAny();
  repos.transaction(() => {
    for (const v of verdicts) {
      const review = repos.assurance.addIqaReview({
        sittingId: sitting.id,
        attemptId: attempt.id,
        criterionId: v.criterionId,
        centreMark: marks.get(v.criterionId)!,
        verdict: v.verdict,
        reason: (v.reason ?? '').trim(),
        reviewerUserId: me.id,
        at: now,
      });
      repos.auditLog.append({
        at: now,
        actor: auditActor(me),
        centreId: sitting.centreId,
        action: 'iqa-verdict',
        subjectType: 'attempt',
        subjectId: attempt.id,
        after: { criterionId: review.criterionId, centreMark: review.centreMark, verdict: review.verdict },
        reason: review.reason || null,
      });
    }
  });
}
