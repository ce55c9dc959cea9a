// The mark that counts per criterion and per attempt (server/assessment/counted-marks.ts).
import { describe, expect, it } from 'vitest';
import { countAttempt } from '../../../server/assessment/counted-marks.js';

const rubric = [
  { criterionId: 'a', maxMarks: 2 },
  { criterionId: 'b', maxMarks: 1 },
  { criterionId: 'c', maxMarks: 1 },
];
const marks = (entries: Record<string, number>) => new Map(Object.entries(entries));

describe('countAttempt', () => {
  it('nothing moderated: the centre marks count', () => {
    expect(countAttempt(rubric, marks({ a: 2, b: 1, c: 0 }), marks({}), true)).toEqual({
      criteria: [
        { criterionId: 'a', maxMarks: 2, centre: 2, moderated: null, counts: 2 },
        { criterionId: 'b', maxMarks: 1, centre: 1, moderated: null, counts: 1 },
        { criterionId: 'c', maxMarks: 1, centre: 0, moderated: null, counts: 0 },
      ],
      centreTotal: 3,
      moderatedTotal: null,
      countedTotal: 3,
      moderated: false,
    });
  });
  it('a moderated criterion counts over the centre mark, in the criterion and in the total', () => {
    const count = countAttempt(rubric, marks({ a: 2, b: 1, c: 0 }), marks({ b: 0 }), true);
    expect(count.criteria[1]).toEqual({ criterionId: 'b', maxMarks: 1, centre: 1, moderated: 0, counts: 0 });
    expect(count).toMatchObject({ centreTotal: 3, moderatedTotal: 2, countedTotal: 2, moderated: true });
  });
  it('until the centre has finished marking nothing counts, and moderation is not applied', () => {
    expect(countAttempt(rubric, marks({ a: 2 }), marks({ a: 0 }), false)).toMatchObject({ centreTotal: null, moderatedTotal: null, countedTotal: null, moderated: false, criteria: [{ centre: 2, moderated: null, counts: 2 }, {}, {}] });
  });
  it('marks of criteria no longer in the rubric are ignored', () => {
    expect(countAttempt(rubric, marks({ a: 1, b: 1, c: 1, old: 4 }), marks({ old: 0 }), true)).toMatchObject({ centreTotal: 3, moderated: false, countedTotal: 3 });
  });
});
