// Re-takes (digest 1.2 stated; 1.4 [proposal]): only after a mark under 6, the latest attempt
// counts, one re-take by default, a different variant, earlier attempts kept on record.
import { describe, expect, it } from 'vitest';
import {
  assignmentStanding,
  DEFAULT_RETAKE_POLICY,
  effectiveMark,
  orderedAttempts,
  retakeDecision,
  validateRetakePolicy,
  type AttemptRecord,
} from '../../../server/assessment/retakes.js';
import { ruleError } from './support.js';

const T = Date.UTC(2026, 2, 2, 9, 0, 0);
const attempt = (n: number, centreMark: number | null, extra: Partial<AttemptRecord> = {}): AttemptRecord => ({
  attemptId: `att-${n}`,
  takenAt: T + n * 600_000,
  variantId: `v${n}`,
  centreMark,
  ...extra,
});

describe('the default policy', () => {
  it('is the digest 1.4 proposal: one re-take, latest counts, different variant', () => {
    expect(DEFAULT_RETAKE_POLICY).toEqual({ maxRetakes: 1, counts: 'latest', requireDifferentVariant: true });
  });
  it.each([
    [{ maxRetakes: -1 }, 'maxRetakes'],
    [{ maxRetakes: 1.5 }, 'maxRetakes'],
    [{ counts: 'best' as never }, 'counts'],
  ])('refuses %j', (patch, path) => {
    expect(ruleError(() => validateRetakePolicy({ ...DEFAULT_RETAKE_POLICY, ...patch }))).toMatchObject({ code: 'bad-retake-policy', path });
  });
});

describe('effectiveMark', () => {
  it('is the moderated mark when there is one, else the centre mark, else null', () => {
    expect(effectiveMark(attempt(1, 7))).toBe(7);
    expect(effectiveMark(attempt(1, 7, { moderatedMark: 5 }))).toBe(5);
    expect(effectiveMark(attempt(1, 7, { moderatedMark: null }))).toBe(7);
    expect(effectiveMark(attempt(1, null))).toBeNull();
  });
});

describe('assignmentStanding', () => {
  it('one attempt at 7: counts, no re-take', () => {
    expect(assignmentStanding('S1', [attempt(1, 7)])).toMatchObject({ mark: 7, countedAttemptId: 'att-1', retakeAvailable: false, retakesUsed: 0, retakesLeft: 1 });
  });
  it('one attempt at 5: counts for now, a re-take is open', () => {
    expect(assignmentStanding('S1', [attempt(1, 5)])).toMatchObject({ mark: 5, countedAttemptId: 'att-1', retakeAvailable: true, retakesLeft: 1 });
  });
  it('one attempt at 6 (the minimum): no re-take', () => {
    expect(assignmentStanding('S1', [attempt(1, 6)]).retakeAvailable).toBe(false);
  });
  it('a re-take replaces a 5; the 5 stays on record', () => {
    const s = assignmentStanding('S1', [attempt(1, 5), attempt(2, 8)]);
    expect(s).toMatchObject({ mark: 8, countedAttemptId: 'att-2', attemptIds: ['att-1', 'att-2'], retakesUsed: 1, retakesLeft: 0, retakeAvailable: false });
  });
  it('latest counts even when the re-take is lower; with the one re-take used, none is left', () => {
    expect(assignmentStanding('S1', [attempt(1, 5), attempt(2, 3)])).toMatchObject({ mark: 3, countedAttemptId: 'att-2', retakeAvailable: false });
  });
  it("the 'highest' policy keeps the better attempt", () => {
    const s = assignmentStanding('S1', [attempt(1, 5), attempt(2, 3)], { ...DEFAULT_RETAKE_POLICY, counts: 'highest' });
    expect(s).toMatchObject({ mark: 5, countedAttemptId: 'att-1' });
    expect(assignmentStanding('S1', [attempt(1, 4), attempt(2, 9)], { ...DEFAULT_RETAKE_POLICY, counts: 'highest' })).toMatchObject({ mark: 9, countedAttemptId: 'att-2' });
  });
  it('a re-take not yet marked: nothing counts yet, and says why', () => {
    const s = assignmentStanding('S1', [attempt(1, 5), attempt(2, null)]);
    expect(s).toMatchObject({ mark: null, countedAttemptId: null, pendingNote: 'the re-take (attempt 2) is not marked yet' });
  });
  it('no attempt yet', () => {
    expect(assignmentStanding('S1', [])).toMatchObject({ mark: null, pendingNote: 'no attempt taken yet', retakesUsed: 0 });
  });
  it('orders attempts by start time, whatever the array order', () => {
    const s = assignmentStanding('S1', [attempt(2, 8), attempt(1, 5)]);
    expect(s).toMatchObject({ attemptIds: ['att-1', 'att-2'], mark: 8 });
  });
  it('a moderated mark decides: centre 5 raised to 6 needs no re-take; centre 6 lowered to 5 opens one', () => {
    expect(assignmentStanding('S1', [attempt(1, 5, { moderatedMark: 6 })])).toMatchObject({ mark: 6, retakeAvailable: false });
    expect(assignmentStanding('S1', [attempt(1, 6, { moderatedMark: 5 })])).toMatchObject({ mark: 5, retakeAvailable: true });
  });
  it('with no limit, a third attempt is allowed after two marks under 6', () => {
    const policy = { ...DEFAULT_RETAKE_POLICY, maxRetakes: null };
    expect(assignmentStanding('S1', [attempt(1, 4), attempt(2, 5), attempt(3, 7)], policy)).toMatchObject({ mark: 7, retakesUsed: 2, retakesLeft: null });
    expect(assignmentStanding('S1', [attempt(1, 4), attempt(2, 5)], policy)).toMatchObject({ retakeAvailable: true, retakesLeft: null });
  });
});

describe('orderedAttempts refuses histories the rules do not allow', () => {
  it('a re-take after a mark of 6 or more', () => {
    const err = ruleError(() => orderedAttempts([attempt(1, 6), attempt(2, 9)], DEFAULT_RETAKE_POLICY, undefined, 'S2'));
    expect(err.code).toBe('retake-not-allowed');
    expect(err.message).toBe('Attempt att-2 of assignment S2 re-takes attempt att-1, which scored 6; only a mark below 6 may be re-taken.');
  });
  it('a re-take after a moderator lowered the mark under 6 is allowed', () => {
    expect(orderedAttempts([attempt(1, 6, { moderatedMark: 5 }), attempt(2, 9)]).length).toBe(2);
  });
  it('a re-take before the first attempt was marked', () => {
    expect(ruleError(() => orderedAttempts([attempt(1, null), attempt(2, 9)])).code).toBe('retake-before-mark');
  });
  it('more re-takes than the limit', () => {
    const err = ruleError(() => orderedAttempts([attempt(1, 4), attempt(2, 5), attempt(3, 7)], DEFAULT_RETAKE_POLICY, undefined, 'S4'));
    expect(err.message).toBe('Assignment S4 has 3 attempts; the policy allows 1 re-take (2 attempts).');
    expect(ruleError(() => orderedAttempts([attempt(1, 4), attempt(2, 7)], { ...DEFAULT_RETAKE_POLICY, maxRetakes: 0 })).code).toBe('retake-limit-exceeded');
  });
  it('duplicate attempt ids, bad marks, bad times', () => {
    expect(ruleError(() => orderedAttempts([attempt(1, 4), attempt(1, 7)])).code).toBe('duplicate-attempt');
    expect(ruleError(() => orderedAttempts([attempt(1, 13)])).code).toBe('mark-out-of-range');
    expect(ruleError(() => orderedAttempts([attempt(1, 5, { moderatedMark: 5.5 })])).code).toBe('mark-not-integer');
    expect(ruleError(() => orderedAttempts([attempt(1, 5, { takenAt: Number.NaN })])).code).toBe('bad-attempt-time');
  });
});

describe('retakeDecision', () => {
  it('allowed after a 5, with a new variant', () => {
    expect(retakeDecision('S1', [attempt(1, 5)], 'v2')).toEqual({ allowed: true, retakesLeftAfter: 0 });
  });
  it('refused with the same variant', () => {
    expect(retakeDecision('S1', [attempt(1, 5)], 'v1')).toMatchObject({ allowed: false, code: 'variant-used' });
    expect(retakeDecision('S1', [attempt(1, 5)], 'v1', { ...DEFAULT_RETAKE_POLICY, requireDifferentVariant: false })).toMatchObject({ allowed: true });
  });
  it('refused at 6 (the boundary) and above', () => {
    expect(retakeDecision('S1', [attempt(1, 6)], 'v2')).toEqual({
      allowed: false,
      code: 'at-or-above-minimum',
      message: 'Assignment S1 scored 6, at or above the minimum of 6; only a mark below 6 may be re-taken.',
    });
    expect(retakeDecision('S1', [attempt(1, 12)])).toMatchObject({ allowed: false, code: 'at-or-above-minimum' });
  });
  it('refused before anything is marked, or taken', () => {
    expect(retakeDecision('S1', [attempt(1, null)])).toMatchObject({ allowed: false, code: 'not-marked' });
    expect(retakeDecision('S1', [])).toMatchObject({ allowed: false, code: 'no-attempt' });
  });
  it('refused when the limit is reached', () => {
    expect(retakeDecision('S1', [attempt(1, 5), attempt(2, 4)], 'v3')).toEqual({ allowed: false, code: 'limit-reached', message: 'Assignment S1 has used 1 of its 1 re-take.' });
    expect(retakeDecision('S1', [attempt(1, 5)], 'v2', { ...DEFAULT_RETAKE_POLICY, maxRetakes: 0 })).toMatchObject({ allowed: false, code: 'limit-reached' });
  });
  it('a limit of 2 allows a second re-take after two marks under 6', () => {
    expect(retakeDecision('S1', [attempt(1, 5), attempt(2, 4)], 'v3', { ...DEFAULT_RETAKE_POLICY, maxRetakes: 2 })).toEqual({ allowed: true, retakesLeftAfter: 0 });
  });
});
