// Hold segments and waits from hold/resume marks (holds.ts defines segment, check-back and wait).
import { describe, expect, it } from 'vitest';
import { holdMarksFromCall, holdMarksFromTimeline, holdSegments, holdWaits } from '../../../server/assessment/holds.js';
import type { CallFacts } from '../../../server/assessment/types.js';

const A = 1_000_000;
const s = (sec: number) => A + sec * 1000;
const call = (events: CallFacts['events'], extra: Partial<CallFacts> = {}): CallFacts => ({ ringingAt: A - 5000, answeredAt: A, endedAt: null, events, candidateLeg: 'callee', ...extra });

describe('holdSegments', () => {
  it('pairs each hold with the next resume', () => {
    const marks = holdMarksFromCall(call([
      { at: s(10), type: 'hold', leg: 'callee' },
      { at: s(40), type: 'resume', leg: 'callee' },
      { at: s(50), type: 'hold', leg: 'callee' },
      { at: s(111), type: 'resume', leg: 'callee' },
    ]));
    expect(holdSegments(marks)).toEqual([
      { start: s(10), end: s(40), durationMs: 30_000, endedBy: 'resume' },
      { start: s(50), end: s(111), durationMs: 61_000, endedBy: 'resume' },
    ]);
  });
  it("ignores the other leg's holds (the assessor playing the customer)", () => {
    const marks = holdMarksFromCall(call([
      { at: s(10), type: 'hold', leg: 'caller' },
      { at: s(100), type: 'resume', leg: 'caller' },
    ]));
    expect(holdSegments(marks)).toEqual([]);
    expect(holdSegments(holdMarksFromCall(call([{ at: s(10), type: 'hold', leg: 'caller' }, { at: s(100), type: 'resume', leg: 'caller' }], { candidateLeg: null })))).toHaveLength(1);
  });
  it('ignores a repeated hold and a resume without a hold', () => {
    const marks = holdMarksFromCall(call([
      { at: s(5), type: 'resume', leg: 'callee' },
      { at: s(10), type: 'hold', leg: 'callee' },
      { at: s(20), type: 'hold', leg: 'callee' },
      { at: s(30), type: 'resume', leg: 'callee' },
      { at: s(31), type: 'resume', leg: 'callee' },
    ]));
    expect(holdSegments(marks)).toEqual([{ start: s(10), end: s(30), durationMs: 20_000, endedBy: 'resume' }]);
  });
  it('a hold never resumed ends with the call (hangup event, else endedAt)', () => {
    expect(holdSegments(holdMarksFromCall(call([{ at: s(10), type: 'hold', leg: 'callee' }, { at: s(80), type: 'hangup', leg: 'caller' }, { at: s(81), type: 'end', leg: null }]))))
      .toEqual([{ start: s(10), end: s(80), durationMs: 70_000, endedBy: 'call-end' }]);
    expect(holdSegments(holdMarksFromCall(call([{ at: s(10), type: 'hold', leg: 'callee' }], { endedAt: s(75) }))))
      .toEqual([{ start: s(10), end: s(75), durationMs: 65_000, endedBy: 'call-end' }]);
  });
  it('a hold still open: measured to asOf, or unknown', () => {
    const marks = holdMarksFromCall(call([{ at: s(10), type: 'hold', leg: 'callee' }]));
    expect(holdSegments(marks, s(40))).toEqual([{ start: s(10), end: s(40), durationMs: 30_000, endedBy: 'open' }]);
    expect(holdSegments(marks)).toEqual([{ start: s(10), end: null, durationMs: null, endedBy: 'open' }]);
  });
  it('reads desktop hold/resume in seq order when there is no call', () => {
    const marks = holdMarksFromTimeline([
      { seq: 2, at: s(70), offsetMs: 70_000, type: 'resume', payload: {} },
      { seq: 1, at: s(10), offsetMs: 10_000, type: 'hold', payload: {} },
      { seq: 3, at: s(71), offsetMs: 71_000, type: 'field-changed', payload: { field: 'x' } },
    ]);
    expect(holdSegments(marks)).toEqual([{ start: s(10), end: s(70), durationMs: 60_000, endedBy: 'resume' }]);
  });
});

describe('holdWaits', () => {
  const seg = (from: number, to: number) => ({ start: s(from), end: s(to), durationMs: (to - from) * 1000, endedBy: 'resume' as const });
  it('a re-hold within 30 s of the resume continues the wait; 30 s exactly still does', () => {
    const waits = holdWaits([seg(0, 50), seg(80, 125)]);
    expect(waits).toEqual([{ segments: [seg(0, 50), seg(80, 125)], totalHoldMs: 95_000, checkInsMs: [30_000] }]);
  });
  it('a re-hold 30.001 s later starts a new wait', () => {
    const later = { start: s(80) + 1, end: s(125), durationMs: 45_000 - 1, endedBy: 'resume' as const };
    expect(holdWaits([seg(0, 50), later])).toHaveLength(2);
  });
  it('takes another gap', () => {
    expect(holdWaits([seg(0, 50), seg(80, 125)], 10_000)).toHaveLength(2);
  });
});

describe('marks from the call record, exactly', () => {
  it("the candidate's holds and resumes, every hang-up or end, then the call's end", () => {
    const c = call(
      [
        { at: s(5), type: 'ringing', leg: null },
        { at: s(10), type: 'hold', leg: 'callee' },
        { at: s(12), type: 'hold', leg: 'caller' },
        { at: s(20), type: 'resume', leg: null },
        { at: s(30), type: 'end', leg: null },
        { at: s(31), type: 'hangup', leg: 'caller' },
      ],
      { endedAt: s(32) },
    );
    expect(holdMarksFromCall(c)).toEqual([
      { at: s(10), type: 'hold' },
      { at: s(20), type: 'resume' },
      { at: s(30), type: 'end' },
      { at: s(31), type: 'end' },
      { at: s(32), type: 'end' },
    ]);
  });
  it('with no candidate leg recorded, every leg counts', () => {
    expect(holdMarksFromCall(call([{ at: s(12), type: 'hold', leg: 'caller' }], { candidateLeg: null }))).toEqual([{ at: s(12), type: 'hold' }]);
  });
  it('from the timeline: holds and resumes only, in stored order', () => {
    const entry = (seq: number, type: string, sec: number) => ({ seq, at: s(sec), offsetMs: sec * 1000, type, payload: {} });
    expect(holdMarksFromTimeline([entry(3, 'resume', 40), entry(1, 'hold', 10), entry(2, 'note-added', 20)])).toEqual([
      { at: s(10), type: 'hold' },
      { at: s(40), type: 'resume' },
    ]);
  });
  it('an open hold read at the very instant it began lasts 0 ms; read before it, its length is unknown', () => {
    expect(holdSegments([{ at: s(10), type: 'hold' }], s(10))).toEqual([{ start: s(10), end: s(10), durationMs: 0, endedBy: 'open' }]);
    expect(holdSegments([{ at: s(10), type: 'hold' }], s(9))).toEqual([{ start: s(10), end: null, durationMs: null, endedBy: 'open' }]);
  });
  it('a wait continued by a hold still open has no total yet; one after a call-end is a new wait', () => {
    const open = holdWaits([
      { start: s(0), end: s(50), durationMs: 50_000, endedBy: 'resume' },
      { start: s(55), end: null, durationMs: null, endedBy: 'open' },
    ]);
    expect(open).toEqual([{ segments: [expect.objectContaining({ start: s(0) }), expect.objectContaining({ start: s(55) })], totalHoldMs: null, checkInsMs: [5000] }]);
    const afterEnd = holdWaits([
      { start: s(0), end: s(50), durationMs: 50_000, endedBy: 'call-end' },
      { start: s(55), end: s(60), durationMs: 5000, endedBy: 'resume' },
    ]);
    expect(afterEnd.map((w) => w.totalHoldMs)).toEqual([50_000, 5000]);
    const afterOpen = holdWaits([
      { start: s(0), end: null, durationMs: null, endedBy: 'open' },
      { start: s(55), end: s(60), durationMs: 5000, endedBy: 'resume' },
    ]);
    expect(afterOpen.map((w) => w.totalHoldMs)).toEqual([null, 5000]);
  });
});
