// The moderation sampling rule (pure): re-takes, results near a grade boundary, at least one sitting
// per assessor, a seeded percentage of the rest; deterministic and independent of input order.
import { describe, expect, it } from 'vitest';
import { proposeSample, SamplingConfigError, type SittingForSampling } from '../../../server/moderation/sampling.js';

const sitting = (id: string, assessor: number | null, total: number | null, retake = false): SittingForSampling => ({
  sittingId: id,
  assessorUserId: assessor,
  total,
  grade: total === null ? null : total >= 36 ? 'Distinction' : total >= 29 ? 'Merit' : total >= 24 ? 'Pass' : null,
  retake,
});

const reasonsOf = (p: ReturnType<typeof proposeSample>) => Object.fromEntries(p.chosen.map((c) => [c.sittingId, c.reasons]));

describe('proposeSample', () => {
  it('takes every re-take and every result within 2 marks of a boundary, with the reasons', () => {
    const p = proposeSample(
      [sitting('far', 1, 32), sitting('retake', 1, 32, true), sitting('b22', 1, 22), sitting('b26', 1, 26), sitting('b27', 1, 27), sitting('b38', 1, 38), sitting('b40', 1, 40)],
      { percentage: 0, perAssessor: 0 },
    );
    expect(reasonsOf(p)).toEqual({ retake: ['retake'], b22: ['near-boundary'], b26: ['near-boundary'], b27: ['near-boundary'], b38: ['near-boundary'] });
    expect(p.chosen.find((c) => c.sittingId === 'b27')!.explanations[0]).toBe('total 27 is 2 marks from the Merit boundary (29)');
  });

  it('always takes every fail, whatever the percentage and however far from a boundary', () => {
    const fail = (id: string, total: number): SittingForSampling => ({ ...sitting(id, 1, total), grade: null, failed: true });
    const p = proposeSample([sitting('pass', 1, 32), fail('f40', 40), fail('f12', 12), sitting('other', 1, 33)], { percentage: 0, perAssessor: 0 });
    expect(reasonsOf(p)).toEqual({ f40: ['fail'], f12: ['fail'] });
    expect(p.chosen[0]!.explanations).toEqual(['no grade: every fail is checked']);
  });

  it('gives a sitting every reason that applies', () => {
    const p = proposeSample([sitting('both', 1, 29, true)], { percentage: 0 });
    expect(p.chosen[0]!.reasons).toEqual(['retake', 'near-boundary']);
  });

  it('takes at least one sitting of every assessor, counting those already chosen', () => {
    const p = proposeSample(
      [sitting('a1', 1, 32), sitting('a2', 1, 32), sitting('b1', 2, 29), sitting('b2', 2, 32), sitting('c1', 3, 32), sitting('x', null, 32)],
      { percentage: 0 },
    );
    const r = reasonsOf(p);
    // Assessor 2 is covered by the boundary case b1; assessors 1 and 3 get one each; no assessor, no minimum.
    expect(r.b1).toEqual(['near-boundary']);
    expect(r.b2).toBeUndefined();
    expect(Object.entries(r).filter(([id, why]) => id.startsWith('a') && why.includes('assessor-minimum'))).toHaveLength(1);
    expect(r.c1).toEqual(['assessor-minimum']);
    expect(r.x).toBeUndefined();
  });

  it('takes the percentage (rounded up) of the rest', () => {
    const list = Array.from({ length: 21 }, (_, i) => sitting(`s${i}`, 1, 32));
    const p = proposeSample(list, { percentage: 10, perAssessor: 1 });
    // 1 for the assessor minimum, then 10% of the other 20 = 2.
    expect(p.chosen.filter((c) => c.reasons.includes('assessor-minimum'))).toHaveLength(1);
    expect(p.chosen.filter((c) => c.reasons.includes('random'))).toHaveLength(2);
    expect(proposeSample(list, { percentage: 100, perAssessor: 0 }).chosen).toHaveLength(21);
    expect(proposeSample(list, { percentage: 1, perAssessor: 0 }).chosen).toHaveLength(1);
  });

  it('is deterministic for a seed, independent of input order, and another seed picks differently', () => {
    const list = Array.from({ length: 40 }, (_, i) => sitting(`s${i}`, (i % 4) + 1, 31 + (i % 3)));
    const a = proposeSample(list, { seed: 'june-2025' });
    const b = proposeSample([...list].reverse(), { seed: 'june-2025' });
    const ids = (p: typeof a) => p.chosen.map((c) => c.sittingId).sort();
    expect(ids(b)).toEqual(ids(a));
    expect(proposeSample(list, { seed: 'june-2025' })).toEqual(a);
    const seeds = ['s1', 's2', 's3', 's4'].map((seed) => ids(proposeSample(list, { seed })).join());
    expect(new Set(seeds).size).toBeGreaterThan(1);
  });

  it('leaves sittings without a total out of the boundary rule but not out of the sample', () => {
    const p = proposeSample([sitting('open', 1, null), sitting('done', 2, 32)], { percentage: 100 });
    expect(reasonsOf(p)).toEqual({ open: ['assessor-minimum'], done: ['assessor-minimum'] });
  });

  it('uses configured boundaries and margin', () => {
    const p = proposeSample([sitting('a', 1, 50), sitting('b', 1, 47)], { boundaries: [50], boundaryMargin: 0, percentage: 0, perAssessor: 0 });
    expect(reasonsOf(p)).toEqual({ a: ['near-boundary'] });
  });

  it('refuses a bad configuration or a sitting listed twice', () => {
    expect(() => proposeSample([], { percentage: 120 })).toThrow(SamplingConfigError);
    expect(() => proposeSample([], { boundaryMargin: 1.5 })).toThrow(/boundaryMargin/);
    expect(() => proposeSample([sitting('a', 1, 1), sitting('a', 1, 1)])).toThrow(/twice/);
    expect(proposeSample([]).chosen).toEqual([]);
  });
});
