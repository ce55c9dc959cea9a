// A centre's moderation sample as the moderator sees it: the sampling rule's proposal over the
// centre's ended sittings (server/moderation/sampling.ts, pure), with the moderator's own changes
// applied on top (a sitting added, or a proposed one taken out, each with a reason; the newest
// change of a sitting stands). The rule reads the CENTRE's results (without moderation), because
// the sample is chosen to check the centre's marking, and must not move once moderation begins.
import type { Repositories } from '../../db/repositories/index.js';
import type { Sitting } from '../../db/repositories/sittings.js';
import type { SampleSittingView, SampleView } from '../../protocol/moderation.js';
import { sittingStanding } from '../../sittings/standing.js';
import { person as personOf } from '../../sittings/views.js';
import { proposeSample, type SampledSitting, type SittingForSampling } from '../sampling.js';

export function sampleView(repos: Repositories, centreId: number): SampleView {
  const person = (id: number | null) => personOf(repos, id);
  const ended = repos.sittings.list({ centreId }).filter((s) => s.status === 'ended');
  const facts = new Map<string, { sitting: Sitting; forRule: SittingForSampling; attempts: SampleSittingView['attempts'] }>();
  for (const sitting of ended) {
    const standing = sittingStanding(repos, sitting, { withModeration: false });
    const r = standing.computed.result;
    const attempts = standing.positions.flatMap((p) => p.attempts.map((a) => ({ attemptId: a.id, position: a.position, scenarioKey: a.scenarioKey, retake: a.retakeOf !== null })));
    facts.set(sitting.id, {
      sitting,
      attempts,
      forRule: {
        sittingId: sitting.id,
        assessorUserId: sitting.assessorUserId,
        total: r.status === 'graded' || r.complete ? r.total : null,
        grade: r.status === 'graded' ? r.grade : null,
        retake: attempts.some((a) => a.retake),
        failed: r.status === 'no-grade' && r.complete,
      },
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
      total: f.forRule.total,
      grade: f.forRule.grade,
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
