// The identity rule at its edges (server/assessment/identity.ts).
import { describe, expect, it } from 'vitest';
import { answersOf, identityOutcome, requiredQuestions } from '../../../server/assessment/identity.js';

const right = { asked: true, correct: true };
const wrong = { asked: true, correct: false };
const empty = { asked: false, correct: false };

describe('identityOutcome', () => {
  it('enough asked, all right: verified', () => {
    expect(identityOutcome([right, right], 2)).toEqual({ required: 2, asked: 2, correct: 2, wrong: 0, passed: true, summary: '2 asked, 2 correct: verified' });
  });
  it('an unanswered question counts as not asked', () => {
    expect(identityOutcome([right, right, empty], 2)).toMatchObject({ asked: 2, passed: true, summary: '2 asked, 2 correct: verified' });
    expect(identityOutcome([right, empty, empty], 2)).toMatchObject({ asked: 1, passed: false, summary: '1 asked, 1 correct: not verified (2 questions must be asked and answered correctly)' });
  });
  it('fewer asked than required: not verified', () => {
    expect(identityOutcome([right], 2).passed).toBe(false);
    expect(identityOutcome([], 1)).toMatchObject({ passed: false, summary: '0 asked, 0 correct: not verified (1 question must be asked and answered correctly)' });
  });
  it('one wrong: not verified, however many are right', () => {
    expect(identityOutcome([right, right, wrong], 2)).toMatchObject({ passed: false, wrong: 1, summary: '3 asked, 2 correct: not verified (1 answer was wrong)' });
    expect(identityOutcome([wrong, wrong], 2).summary).toBe('2 asked, 0 correct: not verified (2 answers were wrong)');
  });
  it('refuses a requirement that is not a whole number of at least 1', () => {
    expect(() => identityOutcome([right], 0)).toThrow(RangeError);
    expect(() => requiredQuestions(1.5, 3)).toThrow(RangeError);
  });
});

describe('requiredQuestions', () => {
  it("the scenario's number, default 2, or every question on a record holding fewer (at least 1)", () => {
    expect(requiredQuestions(undefined, 3)).toBe(2);
    expect(requiredQuestions(1, 3)).toBe(1);
    expect(requiredQuestions(3, 2)).toBe(2);
    expect(requiredQuestions(2, 0)).toBe(1);
  });
});

describe('answersOf', () => {
  it('reads the questions the server recorded, or counts, or nothing', () => {
    expect(answersOf({ questions: [{ questionId: 1, asked: true, correct: true }, { questionId: 2, asked: false, correct: false }] })).toEqual([right, empty]);
    expect(answersOf({ asked: 2, correct: 1 })).toEqual([right, wrong]);
    expect(answersOf({ questions: 3, correct: 3 })).toEqual([right, right, right]);
    expect(answersOf({ passed: true })).toBeUndefined();
    expect(answersOf({ questions: [{ asked: 'yes' }] })).toBeUndefined();
    expect(answersOf({ asked: 1, correct: 2 })).toBeUndefined();
  });
});

describe('answersOf: a payload that does not say clearly gives no answers', () => {
  it('refuses a questions list with any entry that is not an object with boolean asked and correct', () => {
    const ok = { asked: true, correct: false };
    expect(answersOf({ questions: [ok, null] })).toBeUndefined();
    expect(answersOf({ questions: [ok, 'asked'] })).toBeUndefined();
    expect(answersOf({ questions: [ok, 1] })).toBeUndefined();
    expect(answersOf({ questions: [{ asked: true, correct: 'yes' }] })).toBeUndefined();
    expect(answersOf({ questions: [{ asked: 'yes', correct: true }] })).toBeUndefined();
    expect(answersOf({ questions: [] })).toEqual([]);
  });

  it('refuses counts that are not whole, negative, more correct than asked, over 100, or a questions text', () => {
    expect(answersOf({ asked: 2.5, correct: 1 })).toBeUndefined();
    expect(answersOf({ asked: 2, correct: 1.5 })).toBeUndefined();
    expect(answersOf({ asked: 2, correct: -1 })).toBeUndefined();
    expect(answersOf({ asked: 2, correct: '2' })).toBeUndefined();
    expect(answersOf({ asked: 101, correct: 0 })).toBeUndefined();
    expect(answersOf({ asked: 100, correct: 0 })).toHaveLength(100);
    expect(answersOf({ questions: 'two', correct: 1 })).toBeUndefined();
    expect(answersOf({ correct: 1 })).toBeUndefined();
    expect(answersOf({ asked: 2, correct: 2 })).toEqual([{ asked: true, correct: true }, { asked: true, correct: true }]);
  });

  it('a number of questions must be whole and at least 1, and the error says what it got', () => {
    expect(() => requiredQuestions(0, 3)).toThrow('an identity check needs a whole number of questions of at least 1; got 0');
    expect(() => requiredQuestions(1.5, 3)).toThrow('got 1.5');
    expect(() => identityOutcome([], 0)).toThrow('an identity check needs a whole number of questions of at least 1; got 0');
    expect(requiredQuestions(1, 3)).toBe(1);
  });
});
