// The 5-minute warning, each attempt's overrun and the overrun policy.
import { describe, expect, it } from 'vitest';
import { readClock } from '../../../server/assessment/clock.js';
import { attemptOverrunMs, clockWarning, policyStopsSitting } from '../../../server/assessment/overrun.js';

const MIN = 60_000;
const T0 = Date.UTC(2026, 2, 2, 9, 0, 0);
const settings = { baseMinutes: 60 };
const at = (m: number) => T0 + m * MIN;

describe('clockWarning', () => {
  const read = (m: number) => readClock(settings, { startedAt: T0, now: at(m) });
  it('is quiet until 5 minutes are left, warns from then, and says time up at 60', () => {
    expect(clockWarning(read(54))).toBe('none');
    expect(clockWarning(read(55))).toBe('five-minutes');
    expect(clockWarning(read(59.9))).toBe('five-minutes');
    expect(clockWarning(read(60))).toBe('time-up');
    expect(clockWarning(read(75))).toBe('time-up');
    expect(clockWarning(readClock(settings, { startedAt: null, now: T0 }))).toBe('none');
    expect(clockWarning(readClock(settings, { startedAt: T0, endedAt: at(70), now: at(70) }))).toBe('none');
  });
});

describe('attemptOverrunMs', () => {
  const plain = { startedAt: T0, restBreaks: [] };
  it('counts only the part of an attempt past the time allowed', () => {
    expect(attemptOverrunMs(settings, plain, at(10), at(25))).toBe(0);
    expect(attemptOverrunMs(settings, plain, at(50), at(70))).toBe(10 * MIN);
    expect(attemptOverrunMs(settings, plain, at(65), at(80))).toBe(15 * MIN);
    expect(attemptOverrunMs(settings, plain, at(60), at(60))).toBe(0);
  });
  it('moves the deadline by a rest break (with the arrangement)', () => {
    const withBreak = { startedAt: T0, restBreaks: [{ from: at(55), to: at(60) }] };
    expect(attemptOverrunMs({ ...settings, restBreaks: true }, withBreak, at(50), at(70))).toBe(5 * MIN);
  });
  it('is 0 for a sitting that has not started', () => {
    expect(attemptOverrunMs(settings, { startedAt: null, restBreaks: [] }, at(0), at(90))).toBe(0);
  });
});

describe('policyStopsSitting', () => {
  it('stops at time up only under the stop policy', () => {
    expect(policyStopsSitting('stop', { state: 'time-up' })).toBe(true);
    expect(policyStopsSitting('stop', { state: 'running' })).toBe(false);
    expect(policyStopsSitting('warn', { state: 'time-up' })).toBe(false);
  });
});
