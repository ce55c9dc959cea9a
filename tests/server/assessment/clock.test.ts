// The sitting clock: one hour by default, extra time as an access arrangement, rest breaks only
// with that arrangement, time-up and overrun at exact boundaries. Instants are plain numbers.
import { describe, expect, it } from 'vitest';
import { allowedTimeMs, readClock, type ClockSettings } from '../../../server/assessment/clock.js';
import { ruleError } from './support.js';

const MIN = 60_000;
const START = Date.UTC(2026, 2, 2, 9, 0, 0);
const HOUR = 60 * MIN;

describe('allowedTimeMs', () => {
  it('is one hour by default', () => {
    expect(allowedTimeMs()).toBe(HOUR);
    expect(allowedTimeMs({ extraTime: null })).toBe(HOUR);
  });
  it('takes another base time', () => {
    expect(allowedTimeMs({ baseMinutes: 90 })).toBe(90 * MIN);
    expect(allowedTimeMs({ baseMinutes: 1 })).toBe(MIN);
    expect(allowedTimeMs({ baseMinutes: 600 })).toBe(600 * MIN);
  });
  it('adds extra time as a percentage, rounded up to the second', () => {
    expect(allowedTimeMs({ extraTime: { kind: 'percent', percent: 25 } })).toBe(75 * MIN);
    expect(allowedTimeMs({ extraTime: { kind: 'percent', percent: 50 } })).toBe(90 * MIN);
    expect(allowedTimeMs({ extraTime: { kind: 'percent', percent: 100 } })).toBe(120 * MIN);
    expect(allowedTimeMs({ extraTime: { kind: 'percent', percent: 33.3 } })).toBe(HOUR + 1_199_000); // 1 198 800 ms → 1 199 s
    expect(allowedTimeMs({ extraTime: { kind: 'percent', percent: 0.001 } })).toBe(HOUR + 1000); // 36 ms → a whole second
  });
  it('adds extra time in minutes, rounded up to the second', () => {
    expect(allowedTimeMs({ extraTime: { kind: 'minutes', minutes: 15 } })).toBe(75 * MIN);
    expect(allowedTimeMs({ extraTime: { kind: 'minutes', minutes: 60 } })).toBe(120 * MIN);
    expect(allowedTimeMs({ extraTime: { kind: 'minutes', minutes: 0.01 } })).toBe(HOUR + 1000);
    expect(allowedTimeMs({ baseMinutes: 30, extraTime: { kind: 'minutes', minutes: 7.5 } })).toBe(37.5 * MIN);
  });
  it.each([
    [{ baseMinutes: 0 }, 'bad-clock-settings', 'got 0'],
    [{ baseMinutes: 59.5 }, 'bad-clock-settings', 'whole number of minutes'],
    [{ baseMinutes: 601 }, 'bad-clock-settings', 'from 1 to 600'],
    [{ extraTime: { kind: 'percent', percent: 0 } }, 'bad-extra-time', 'more than 0 and at most 100; got 0'],
    [{ extraTime: { kind: 'percent', percent: -25 } }, 'bad-extra-time', 'got -25'],
    [{ extraTime: { kind: 'percent', percent: 100.5 } }, 'bad-extra-time', 'got 100.5'],
    [{ extraTime: { kind: 'percent', percent: Number.NaN } }, 'bad-extra-time', 'got NaN'],
    [{ extraTime: { kind: 'minutes', minutes: 0 } }, 'bad-extra-time', 'at most the sitting time (60); got 0'],
    [{ extraTime: { kind: 'minutes', minutes: 61 } }, 'bad-extra-time', 'got 61'],
    [{ extraTime: { kind: 'hours', hours: 1 } }, 'bad-extra-time', 'got kind hours'],
  ] as Array<[ClockSettings, string, string]>)('refuses %j', (settings, code, text) => {
    const err = ruleError(() => allowedTimeMs(settings));
    expect(err.code).toBe(code);
    expect(err.message).toContain(text);
  });
});

describe('readClock', () => {
  const read = (now: number, settings: ClockSettings = {}, extra: Partial<Parameters<typeof readClock>[1]> = {}) => readClock(settings, { startedAt: START, now, ...extra });

  it('before the start', () => {
    expect(readClock({}, { startedAt: null, now: START })).toEqual({ state: 'not-started', allowedMs: HOUR, elapsedMs: 0, remainingMs: HOUR, overrunMs: 0, overrun: false, pausedMs: 0, deadline: null });
  });
  it('at the start: the whole hour left', () => {
    expect(read(START)).toEqual({ state: 'running', allowedMs: HOUR, elapsedMs: 0, remainingMs: HOUR, overrunMs: 0, overrun: false, pausedMs: 0, deadline: START + HOUR });
  });
  it('1 ms before the hour: running, 1 ms left', () => {
    expect(read(START + HOUR - 1)).toMatchObject({ state: 'running', remainingMs: 1, overrun: false });
  });
  it('at exactly the hour: time up, no overrun yet', () => {
    expect(read(START + HOUR)).toMatchObject({ state: 'time-up', remainingMs: 0, overrunMs: 0, overrun: false });
  });
  it('1 ms past the hour: overrun by 1 ms', () => {
    expect(read(START + HOUR + 1)).toMatchObject({ state: 'time-up', remainingMs: 0, overrunMs: 1, overrun: true });
  });
  it('25% extra time: still running at 61 minutes, time up at 75', () => {
    const extra: ClockSettings = { extraTime: { kind: 'percent', percent: 25 } };
    expect(read(START + 61 * MIN, extra)).toMatchObject({ state: 'running', remainingMs: 14 * MIN, deadline: START + 75 * MIN });
    expect(read(START + 75 * MIN, extra)).toMatchObject({ state: 'time-up', overrun: false });
    expect(read(START + 75 * MIN + 1, extra)).toMatchObject({ overrun: true, overrunMs: 1 });
  });
  it('ended early: the reading stays fixed however late it is read', () => {
    const a = read(START + 50 * MIN, {}, { endedAt: START + 40 * MIN });
    const b = read(START + 500 * MIN, {}, { endedAt: START + 40 * MIN });
    expect(a).toEqual(b);
    expect(a).toMatchObject({ state: 'ended', elapsedMs: 40 * MIN, remainingMs: 20 * MIN, overrun: false });
  });
  it('ended late: overrun is recorded', () => {
    expect(read(START + 2 * HOUR, {}, { endedAt: START + HOUR + 90_000 })).toMatchObject({ state: 'ended', overrun: true, overrunMs: 90_000 });
  });
  it('refuses readings before the start and ends outside the sitting', () => {
    expect(ruleError(() => read(START - 1)).code).toBe('bad-instant');
    expect(ruleError(() => read(START + MIN, {}, { endedAt: START + 2 * MIN })).path).toBe('endedAt');
    expect(ruleError(() => read(START + MIN, {}, { endedAt: START - 1 })).path).toBe('endedAt');
    expect(ruleError(() => readClock({}, { startedAt: null, endedAt: START, now: START })).code).toBe('bad-instant');
    expect(ruleError(() => read(Number.NaN)).path).toBe('now');
  });
});

describe('rest breaks', () => {
  const withBreaks: ClockSettings = { restBreaks: true };
  it('are refused without the rest-break arrangement', () => {
    const err = ruleError(() => readClock({}, { startedAt: START, now: START + 20 * MIN, restBreaks: [{ from: START + 5 * MIN, to: START + 10 * MIN }] }));
    expect(err.code).toBe('pause-not-allowed');
    expect(err.message).toContain('no rest-break access arrangement');
  });
  it('a finished 5-minute break gives the 5 minutes back', () => {
    const r = readClock(withBreaks, { startedAt: START, now: START + 30 * MIN, restBreaks: [{ from: START + 10 * MIN, to: START + 15 * MIN }] });
    expect(r).toMatchObject({ state: 'running', elapsedMs: 25 * MIN, pausedMs: 5 * MIN, remainingMs: 35 * MIN, deadline: START + 65 * MIN });
  });
  it('during a break the clock is paused: two readings a minute apart show the same time used', () => {
    const breaks = [{ from: START + 10 * MIN, to: null }];
    const a = readClock(withBreaks, { startedAt: START, now: START + 12 * MIN, restBreaks: breaks });
    const b = readClock(withBreaks, { startedAt: START, now: START + 13 * MIN, restBreaks: breaks });
    expect(a).toMatchObject({ state: 'paused', elapsedMs: 10 * MIN, remainingMs: 50 * MIN });
    expect(b.elapsedMs).toBe(a.elapsedMs);
    expect(b.deadline! - a.deadline!).toBe(MIN);
  });
  it('with extra time and breaks together', () => {
    const r = readClock({ restBreaks: true, extraTime: { kind: 'minutes', minutes: 15 } }, { startedAt: START, now: START + 80 * MIN, restBreaks: [{ from: START + 20 * MIN, to: START + 25 * MIN }] });
    expect(r).toMatchObject({ state: 'time-up', elapsedMs: 75 * MIN, overrun: false });
  });
  it('a break open when the sitting ended is closed at the end', () => {
    const r = readClock(withBreaks, { startedAt: START, endedAt: START + 30 * MIN, now: START + 40 * MIN, restBreaks: [{ from: START + 20 * MIN, to: null }] });
    expect(r).toMatchObject({ state: 'ended', elapsedMs: 20 * MIN, pausedMs: 10 * MIN });
  });
  it.each([
    ['starting before the sitting', [{ from: START - 1, to: START + MIN }], 'before the sitting started'],
    ['ending before it starts', [{ from: START + 5 * MIN, to: START + 4 * MIN }], 'ends'],
    ['overlapping the previous one', [{ from: START + MIN, to: START + 5 * MIN }, { from: START + 4 * MIN, to: START + 6 * MIN }], 'previous break ended'],
    ['open but not last', [{ from: START + MIN, to: null }, { from: START + 4 * MIN, to: START + 6 * MIN }], 'not the last one'],
    ['starting after now', [{ from: START + 21 * MIN, to: null }], 'after now'],
    ['ending after now', [{ from: START + 5 * MIN, to: START + 21 * MIN }], 'after now'],
  ])('refuses a break %s', (_name, breaks, text) => {
    const err = ruleError(() => readClock(withBreaks, { startedAt: START, now: START + 20 * MIN, restBreaks: breaks }));
    expect(err.code).toBe('bad-rest-break');
    expect(err.message).toContain(text);
  });
});
