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

describe('proposeSample: the seeded order, the words, and what the configuration refuses', () => {
  const ten = Array.from({ length: 10 }, (_, i) => sitting(`s${i}`, 1, 32));
  const randomPicks = (p: ReturnType<typeof proposeSample>) => p.chosen.filter((c) => c.reasons.includes('random')).map((c) => c.sittingId);
  // Known answers, worked out apart from the code (Python's hashlib): the ids sorted by the hex of
  // SHA-256("<seed>\n<id>"), the order a moderator re-derives from the seed.
  const ORDER: Record<string, string[]> = {
    callmark: ['s5', 's1', 's3', 's6', 's4', 's0', 's8', 's2', 's7', 's9'],
    'june-2025': ['s3', 's7', 's0', 's4', 's5', 's1', 's8', 's9', 's2', 's6'],
  };

  it('picks the percentage in the order of SHA-256(seed, newline, id), whatever order the sittings come in', () => {
    for (const [seed, order] of Object.entries(ORDER)) {
      for (let k = 1; k <= 10; k++) {
        const config = { seed, percentage: k * 10, perAssessor: 0 };
        expect(new Set(randomPicks(proposeSample(ten, config)))).toEqual(new Set(order.slice(0, k)));
        expect(new Set(randomPicks(proposeSample([...ten].reverse(), config)))).toEqual(new Set(order.slice(0, k)));
      }
    }
    // The default seed is "callmark".
    expect(randomPicks(proposeSample(ten, { percentage: 30, perAssessor: 0 })).sort()).toEqual(['s1', 's3', 's5']);
  });

  it('takes the assessor minimum in the seeded order too, and reports in the caller’s order', () => {
    const p = proposeSample(ten, { perAssessor: 2, percentage: 0 });
    expect(p.chosen.map((c) => c.sittingId)).toEqual(['s1', 's5']);
    expect(p.of).toBe(10);
  });

  it('says why, in words, for each reason', () => {
    const p = proposeSample([sitting('retake', 1, 32, true), sitting('one', 2, 30), sitting('plain', 3, 32), ...ten.map((s) => ({ ...s, assessorUserId: 4 }))], { perAssessor: 1, percentage: 10 });
    const why = Object.fromEntries(p.chosen.map((c) => [c.sittingId, c.explanations]));
    expect(why.retake).toEqual(['an assignment was re-taken']);
    expect(why.one).toEqual(['total 30 is 1 mark from the Merit boundary (29)']);
    expect(why.plain).toEqual(['at least 1 sitting of every assessor']);
    expect(why.s5).toEqual(['at least 1 sitting of every assessor']);
    expect(why.s1).toEqual(['10% of the remaining sittings (seed "callmark")']);
    const two = proposeSample(ten, { perAssessor: 2, percentage: 0, seed: 'callmark' });
    expect(two.chosen.map((c) => c.explanations)).toEqual([['at least 2 sittings of every assessor'], ['at least 2 sittings of every assessor']]);
    expect(proposeSample([sitting('exact', 1, 29)], { perAssessor: 0, percentage: 0 }).chosen[0]!.explanations).toEqual(['total 29 is 0 marks from the Merit boundary (29)']);
  });

  it('names the nearest boundary, the lower one on a tie, by its place in the list', () => {
    const near = (total: number, boundaries: number[], margin = 2) => proposeSample([sitting('x', 1, total)], { boundaries, boundaryMargin: margin, perAssessor: 0, percentage: 0 }).chosen[0]?.explanations[0];
    // Within 2 of both 24 and 26: the nearer (26) is named, wherever it is in the list.
    expect(near(26, [24, 26])).toBe('total 26 is 0 marks from the Merit boundary (26)');
    expect(near(24, [26, 24])).toBe('total 24 is 0 marks from the Merit boundary (24)');
    // Equally near two boundaries: the lower one.
    expect(near(25, [24, 26])).toBe('total 25 is 1 mark from the Pass boundary (24)');
    expect(near(25, [26, 24])).toBe('total 25 is 1 mark from the Merit boundary (24)');
    // A fourth boundary has no grade name: it is named by its place.
    expect(near(41, [24, 29, 36, 40])).toBe('total 41 is 1 mark from boundary 4 (40)');
    expect(near(33, [24, 29, 36])).toBeUndefined();
  });

  it('never puts a sitting without a total near a boundary, even one at 0', () => {
    const p = proposeSample([sitting('open', 1, null)], { boundaries: [0, 1], perAssessor: 0, percentage: 0 });
    expect(p.chosen).toEqual([]);
  });

  it('counts a sitting chosen for another reason towards its assessor’s minimum without giving it a second reason', () => {
    const p = proposeSample([sitting('retake', 1, 32, true), sitting('a', 1, 32), sitting('b', 1, 32)], { perAssessor: 4, percentage: 0 });
    expect(reasonsOf(p)).toEqual({ retake: ['retake'], a: ['assessor-minimum'], b: ['assessor-minimum'] });
  });

  it('refuses each bad setting with its reason, and takes the edges', () => {
    const refused = (config: Parameters<typeof proposeSample>[1]) => {
      try {
        proposeSample([], config);
      } catch (err) {
        expect(err).toBeInstanceOf(SamplingConfigError);
        return (err as Error).message;
      }
      return 'accepted';
    };
    expect(refused({ percentage: -1 })).toBe('percentage must be from 0 to 100; got -1');
    expect(refused({ percentage: 100.5 })).toBe('percentage must be from 0 to 100; got 100.5');
    expect(refused({ percentage: Number.NaN })).toBe('percentage must be from 0 to 100; got NaN');
    expect(refused({ boundaryMargin: -1 })).toBe('boundaryMargin must be a whole number of marks, 0 or more; got -1');
    expect(refused({ boundaryMargin: 1.5 })).toBe('boundaryMargin must be a whole number of marks, 0 or more; got 1.5');
    expect(refused({ perAssessor: -1 })).toBe('perAssessor must be a whole number, 0 or more; got -1');
    expect(refused({ perAssessor: 1.5 })).toBe('perAssessor must be a whole number, 0 or more; got 1.5');
    expect(refused({ boundaries: [24, Number.NaN] })).toBe('boundaries must be numbers');
    expect(refused({ boundaries: [Number.POSITIVE_INFINITY, 29] })).toBe('boundaries must be numbers');
    expect(() => proposeSample([sitting('a', 1, 1), sitting('a', 1, 1)])).toThrow('sitting a is listed twice');
    for (const ok of [{ percentage: 0 }, { percentage: 100 }, { boundaryMargin: 0 }, { perAssessor: 0 }, { boundaries: [] }]) expect(refused(ok)).toBe('accepted');
  });
});
