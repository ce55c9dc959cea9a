// The moderation sample a centre proposes: which sittings the moderator should look at. A pure,
// deterministic function of the sittings and the rule's configuration (the same seed always
// proposes the same sample, whatever order the sittings come in).
//
// The default rule (configurable):
//   0. every fail (a complete sitting with no grade)   reason 'fail'
//   1. every re-take                                   reason 'retake'
//   2. every result within `boundaryMargin` marks of a grade boundary (|total − boundary| ≤ margin,
//      boundaries = the lowest total of each grade)    reason 'near-boundary'
//   3. at least `perAssessor` sittings of every assessor (those chosen above count)
//                                                      reason 'assessor-minimum'
//   4. `percentage` % of the sittings still not chosen (rounded up)
//                                                      reason 'random'
// Picks in 3 and 4 follow a seeded order: the hex of SHA-256(seed, a newline, sitting id), so they are spread fairly but
// reproducible, and a moderator can re-derive them from the seed.
import { createHash } from 'node:crypto';
import { UNIT2_GRADES } from '../assessment/grades.js';

export interface SittingForSampling {
  sittingId: string;
  assessorUserId: number | null;
  /** Total of the four counted marks; null when the sitting has no total yet. */
  total: number | null;
  grade: 'Pass' | 'Merit' | 'Distinction' | null;
  /** Any assignment of the sitting was re-taken. */
  retake: boolean;
  /** The sitting is complete with no grade (a fail). */
  failed?: boolean;
}

export interface SamplingConfig {
  /** Of the sittings the other rules did not choose, 0–100. */
  percentage: number;
  /** Marks either side of a boundary that make a result "near" it. */
  boundaryMargin: number;
  /** The lowest total of each grade. */
  boundaries: readonly number[];
  perAssessor: number;
  includeRetakes: boolean;
  /** Every fail is in the sample (issue 13: a sample always includes fails). */
  includeFails: boolean;
  seed: string;
}

export const DEFAULT_SAMPLING: Readonly<SamplingConfig> = Object.freeze({
  percentage: 10,
  boundaryMargin: 2,
  boundaries: [UNIT2_GRADES.pass, UNIT2_GRADES.merit, UNIT2_GRADES.distinction],
  perAssessor: 1,
  includeRetakes: true,
  includeFails: true,
  seed: 'callmark',
});

export type SampleReason = 'fail' | 'retake' | 'near-boundary' | 'assessor-minimum' | 'random';

export interface SampledSitting {
  sittingId: string;
  reasons: SampleReason[];
  /** The reasons in words, e.g. "total 27 is 2 marks from the Merit boundary (29)". */
  explanations: string[];
}

export interface SampleProposal {
  chosen: SampledSitting[];
  /** How many of all sittings were chosen, and the rule used. */
  of: number;
  config: SamplingConfig;
}

export class SamplingConfigError extends Error {}

export function validateSamplingConfig(c: SamplingConfig): void {
  if (!(c.percentage >= 0 && c.percentage <= 100)) throw new SamplingConfigError(`percentage must be from 0 to 100; got ${c.percentage}`);
  if (!Number.isInteger(c.boundaryMargin) || c.boundaryMargin < 0) throw new SamplingConfigError(`boundaryMargin must be a whole number of marks, 0 or more; got ${c.boundaryMargin}`);
  if (!Number.isInteger(c.perAssessor) || c.perAssessor < 0) throw new SamplingConfigError(`perAssessor must be a whole number, 0 or more; got ${c.perAssessor}`);
  if (c.boundaries.some((b) => !Number.isFinite(b))) throw new SamplingConfigError('boundaries must be numbers');
}

const GRADE_NAMES = ['Pass', 'Merit', 'Distinction'];

const seededKey = (seed: string, id: string): string => createHash('sha256').update(`${seed}\n${id}`).digest('hex');

export function proposeSample(sittings: readonly SittingForSampling[], config: Partial<SamplingConfig> = {}): SampleProposal {
  const cfg: SamplingConfig = { ...DEFAULT_SAMPLING, ...config };
  validateSamplingConfig(cfg);
  const ids = new Set<string>();
  for (const s of sittings) {
    if (ids.has(s.sittingId)) throw new SamplingConfigError(`sitting ${s.sittingId} is listed twice`);
    ids.add(s.sittingId);
  }
  // Seeded order, independent of the input order.
  const ordered = [...sittings].sort((a, b) => {
    const ka = seededKey(cfg.seed, a.sittingId);
    const kb = seededKey(cfg.seed, b.sittingId);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
  const chosen = new Map<string, SampledSitting>();
  const choose = (s: SittingForSampling, reason: SampleReason, why: string) => {
    const entry = chosen.get(s.sittingId) ?? { sittingId: s.sittingId, reasons: [], explanations: [] };
    entry.reasons.push(reason);
    entry.explanations.push(why);
    chosen.set(s.sittingId, entry);
  };

  for (const s of ordered) {
    if (cfg.includeFails && s.failed) choose(s, 'fail', 'no grade: every fail is checked');
    if (cfg.includeRetakes && s.retake) choose(s, 'retake', 'an assignment was re-taken');
    if (s.total !== null) {
      const near = cfg.boundaries
        .map((b, i) => ({ b, i, d: Math.abs(s.total! - b) }))
        .filter((x) => x.d <= cfg.boundaryMargin)
        .sort((x, y) => x.d - y.d || x.b - y.b)[0];
      if (near) {
        const grade = GRADE_NAMES[near.i];
        const boundary = grade === undefined ? `boundary ${near.i + 1}` : `the ${grade} boundary`;
        choose(s, 'near-boundary', `total ${s.total} is ${near.d} mark${near.d === 1 ? '' : 's'} from ${boundary} (${near.b})`);
      }
    }
  }

  const byAssessor = new Map<number, SittingForSampling[]>();
  for (const s of ordered) if (s.assessorUserId !== null) byAssessor.set(s.assessorUserId, [...(byAssessor.get(s.assessorUserId) ?? []), s]);
  // Each assessor's picks look only at that assessor's sittings (in the seeded order), and the
  // result is reported in the caller's order, so the order the assessors are visited in is free.
  for (const list of byAssessor.values()) {
    let have = list.filter((s) => chosen.has(s.sittingId)).length;
    for (const s of list) {
      if (have >= cfg.perAssessor) break;
      if (chosen.has(s.sittingId)) continue;
      // In words for staff screens: no ids (the views name the assessor beside it).
      choose(s, 'assessor-minimum', `at least ${cfg.perAssessor} sitting${cfg.perAssessor === 1 ? '' : 's'} of every assessor`);
      have++;
    }
  }

  const rest = ordered.filter((s) => !chosen.has(s.sittingId));
  const take = Math.ceil((rest.length * cfg.percentage) / 100);
  for (const s of rest.slice(0, take)) choose(s, 'random', `${cfg.percentage}% of the remaining sittings (seed "${cfg.seed}")`);

  // Report in the caller's order.
  const result = sittings.map((s) => chosen.get(s.sittingId)).filter((x): x is SampledSitting => x !== undefined);
  return { chosen: result, of: sittings.length, config: cfg };
}
