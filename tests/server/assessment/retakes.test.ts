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

describe('what staff are told, word for word', () => {
  const refusal = (fn: () => unknown) => {
    const err = ruleError(fn);
    return { code: err.code, message: err.message, path: err.path };
  };
  it('a bad policy', () => {
    expect(refusal(() => validateRetakePolicy({ ...DEFAULT_RETAKE_POLICY, maxRetakes: -1 })).message).toBe('Re-take policy: maxRetakes must be a whole number of at least 0, or null for no limit; got -1.');
    expect(refusal(() => validateRetakePolicy({ ...DEFAULT_RETAKE_POLICY, counts: 'best' as never })).message).toBe("Re-take policy: counts must be 'latest' or 'highest'; got best.");
  });
  it('histories the rules do not allow', () => {
    expect(refusal(() => orderedAttempts([attempt(1, 4), attempt(1, 7)], DEFAULT_RETAKE_POLICY, undefined, 'S3'))).toEqual({ code: 'duplicate-attempt', message: 'Attempt att-1 appears twice for assignment S3.', path: 'attempts[1].attemptId' });
    expect(refusal(() => orderedAttempts([attempt(1, 4), attempt(2, 5, { takenAt: Number.NaN })], DEFAULT_RETAKE_POLICY, undefined, 'S3'))).toEqual({
      code: 'bad-attempt-time',
      message: 'The start time of assignment S3 attempt att-2 is not a number of ms.',
      path: 'attempts[1].takenAt',
    });
    expect(refusal(() => orderedAttempts([attempt(1, 13)], DEFAULT_RETAKE_POLICY, undefined, 'S3')).path).toBe('centre mark of assignment S3 attempt att-1');
    expect(refusal(() => orderedAttempts([attempt(1, 4, { moderatedMark: 13 })], DEFAULT_RETAKE_POLICY, undefined, 'S3')).path).toBe('moderated mark of assignment S3 attempt att-1');
    expect(refusal(() => orderedAttempts([attempt(1, 4), attempt(2, 5), attempt(3, 5)], { ...DEFAULT_RETAKE_POLICY, maxRetakes: 0 }, undefined, 'S3'))).toEqual({
      code: 'retake-limit-exceeded',
      message: 'Assignment S3 has 3 attempts; the policy allows 0 re-takes (1 attempts).',
      path: 'attempts',
    });
    expect(refusal(() => orderedAttempts([attempt(1, null), attempt(2, 9)], DEFAULT_RETAKE_POLICY, undefined, 'S3'))).toEqual({
      code: 'retake-before-mark',
      message: 'Attempt att-2 of assignment S3 was taken before attempt att-1 was marked; a re-take follows a mark.',
      path: 'attempts',
    });
    expect(refusal(() => orderedAttempts([attempt(1, 7, { moderatedMark: 6 }), attempt(2, 9)], DEFAULT_RETAKE_POLICY, undefined, 'S3'))).toEqual({
      code: 'retake-not-allowed',
      message: 'Attempt att-2 of assignment S3 re-takes attempt att-1, which scored 7/6; only a mark below 6 may be re-taken.',
      path: 'attempts',
    });
  });
  it('two attempts started in the same millisecond keep the order given', () => {
    const first = attempt(1, 4, { takenAt: T });
    const second = attempt(2, 8, { takenAt: T });
    expect(orderedAttempts([first, second]).map((a) => a.attemptId)).toEqual(['att-1', 'att-2']);
    expect(ruleError(() => orderedAttempts([attempt(2, 8, { takenAt: T }), attempt(1, 4, { takenAt: T })])).code).toBe('retake-not-allowed');
  });
  it('standing before any attempt, and while the first is unmarked', () => {
    expect(assignmentStanding('S1', [])).toEqual({ assignmentId: 'S1', attemptIds: [], retakesUsed: 0, retakesLeft: 1, mark: null, countedAttemptId: null, retakeAvailable: false, pendingNote: 'no attempt taken yet' });
    expect(assignmentStanding('S1', [attempt(1, null)])).toEqual({
      assignmentId: 'S1',
      attemptIds: ['att-1'],
      retakesUsed: 0,
      retakesLeft: 1,
      mark: null,
      countedAttemptId: null,
      retakeAvailable: false,
      pendingNote: 'the first attempt is not marked yet',
    });
  });
  it("'highest': of two equal marks the later attempt counts (the latest rule breaks the tie)", () => {
    const policy = { ...DEFAULT_RETAKE_POLICY, counts: 'highest' as const, maxRetakes: 2 };
    expect(assignmentStanding('S1', [attempt(1, 5), attempt(2, 3), attempt(3, 5)], policy)).toMatchObject({ mark: 5, countedAttemptId: 'att-3' });
  });
  it('the decision in words, and the re-takes left after it', () => {
    expect(retakeDecision('S1', [])).toEqual({ allowed: false, code: 'no-attempt', message: 'Assignment S1 has not been taken yet, so there is nothing to re-take.' });
    expect(retakeDecision('S1', [attempt(1, null)])).toEqual({ allowed: false, code: 'not-marked', message: 'Attempt 1 of assignment S1 is not marked yet; a re-take follows a mark below 6.' });
    // Staff read an attempt's number, never its id (issue 17).
    expect(retakeDecision('S1', [attempt(1, 4), attempt(2, null)], 'v3', { ...DEFAULT_RETAKE_POLICY, maxRetakes: 2 })).toMatchObject({ message: 'Attempt 2 of assignment S1 is not marked yet; a re-take follows a mark below 6.' });
    expect(retakeDecision('S1', [attempt(1, 5), attempt(2, 4)], 'v3', { ...DEFAULT_RETAKE_POLICY, maxRetakes: 2 })).toEqual({ allowed: true, retakesLeftAfter: 0 });
    expect(retakeDecision('S1', [attempt(1, 5), attempt(2, 4), attempt(3, 4)], 'v4', { ...DEFAULT_RETAKE_POLICY, maxRetakes: 2 })).toEqual({ allowed: false, code: 'limit-reached', message: 'Assignment S1 has used 2 of its 2 re-takes.' });
    expect(retakeDecision('S1', [attempt(1, 5)], 'v1')).toEqual({ allowed: false, code: 'variant-used', message: 'Variant v1 was already used by attempt 1; a re-take uses a different variant.' });
    expect(retakeDecision('S1', [attempt(1, 4), attempt(2, 4)], 'v2', { ...DEFAULT_RETAKE_POLICY, maxRetakes: 2 })).toMatchObject({ code: 'variant-used', message: 'Variant v2 was already used by attempt 2; a re-take uses a different variant.' });
    expect(retakeDecision('S1', [attempt(1, 5)], 'v2', { ...DEFAULT_RETAKE_POLICY, maxRetakes: null })).toEqual({ allowed: true, retakesLeftAfter: null });
    expect(retakeDecision('S1', [attempt(1, 5)], null)).toEqual({ allowed: true, retakesLeftAfter: 0 });
  });
});
