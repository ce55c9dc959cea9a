// A centre's moderation sample as the moderator sees it: the sampling rule's proposal over the
// centre's ended sittings (server/moderation/sampling.ts, pure), with the moderator's own changes
// applied on top (a sitting added, or a proposed one taken out, each with a reason; the newest
// change of a sitting stands). The rule reads the CENTRE's results (without moderation), because
// the sample is chosen to check the centre's marking, and must not move once moderation begins;
// the list shows the result that counts, as every other view does (server/sittings/results.ts),
// with the centre's total beside it.
import type { Repositories } from '../../db/repositories/index.js';
import type { Sitting } from '../../db/repositories/sittings.js';
import type { Unit2Result } from '../../assessment/grades.js';
import type { Grade } from '../../protocol/assessment.js';
import type { SampleSittingView, SampleView } from '../../protocol/moderation.js';
import { sittingResults, type SittingResults } from '../../sittings/results.js';
import { person as personOf } from '../../sittings/views.js';
import { proposeSample, type SampledSitting, type SittingForSampling } from '../sampling.js';

const totalOf = (r: Unit2Result) => (r.status === 'graded' || r.complete ? r.total : null);
const gradeOf = (r: Unit2Result) => (r.status === 'graded' ? r.grade : null);

/** A sitting as the sampling rule reads it: by the CENTRE's marks (moderation and IQA sampling alike). */
export function forSamplingRule(results: SittingResults): SittingForSampling {
  const centre = results.centre.result;
  return {
    sittingId: results.sitting.id,
    assessorUserId: results.sitting.assessorUserId,
    total: totalOf(centre),
    grade: gradeOf(centre),
    retake: results.positions.some((p) => p.attempts.some(({ attempt }) => attempt.retakeOf !== null)),
    failed: centre.status === 'no-grade' && centre.complete,
  };
}

export function sampleView(repos: Repositories, centreId: number): SampleView {
  const person = (id: number | null) => personOf(repos, id);
  const ended = repos.sittings.list({ centreId }).filter((s) => s.status === 'ended');
  const facts = new Map<string, { sitting: Sitting; forRule: SittingForSampling; counted: { total: number | null; grade: Grade | null; moderated: boolean }; attempts: SampleSittingView['attempts'] }>();
  for (const sitting of ended) {
    const results = sittingResults(repos, sitting);
    const attempts = results.positions.flatMap((p) => p.attempts.map(({ attempt: a }) => ({ attemptId: a.id, position: a.position, scenarioKey: a.scenarioKey, retake: a.retakeOf !== null })));
    facts.set(sitting.id, {
      sitting,
      attempts,
      counted: { total: totalOf(results.counted.result), grade: gradeOf(results.counted.result), moderated: results.moderated },
      forRule: forSamplingRule(results),
    });
  }
  const proposal = proposeSample([...facts.values()].map((f) => f.forRule));
  const changes = repos.moderation.currentSampleChanges(centreId);
  const view = (id: string, source: 'rule' | 'added', chosen?: SampledSitting): SampleSittingView => {
    const f = facts.get(id)!;
    return {
      sittingId: id,
      candidate: person(f.sitting.candidateUserId)!,
      assessor: person(f.sitting.assessorUserId),
      endedAt: f.sitting.endedAt,
      total: f.counted.total,
      grade: f.counted.grade,
      centreTotal: f.forRule.total,
      centreGrade: f.forRule.grade,
      moderated: f.counted.moderated,
      source,
      reasons: chosen?.reasons ?? ['added'],
      explanations: chosen?.explanations ?? [],
      overrideReason: changes.get(id)?.reason ?? null,
      attempts: f.attempts,
    };
  };
  const proposed = new Set(proposal.chosen.map((c) => c.sittingId));
  const sample: SampleSittingView[] = [];
  const removed: SampleSittingView[] = [];
  for (const c of proposal.chosen) (changes.get(c.sittingId)?.action === 'remove' ? removed : sample).push(view(c.sittingId, 'rule', c));
  for (const [id, change] of changes) if (change.action === 'add' && !proposed.has(id) && facts.has(id)) sample.push(view(id, 'added'));
  const inSample = new Set(sample.map((s) => s.sittingId));
  const { percentage, boundaryMargin, perAssessor, includeRetakes, seed } = proposal.config;
  return {
    centreId,
    of: proposal.of,
    config: { percentage, boundaryMargin, perAssessor, includeRetakes, seed },
    sample,
    removed,
    sittings: ended.map((s) => ({ sittingId: s.id, candidate: person(s.candidateUserId)!, endedAt: s.endedAt, inSample: inSample.has(s.id) })),
  };
}

/** Whether the sitting is in the centre's sample as it stands (rule and changes together). */
export function inSample(view: SampleView, sittingId: string): boolean {
  return view.sample.some((s) => s.sittingId === sittingId);
}
