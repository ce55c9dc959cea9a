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

describe('every refusal in words, at its boundary', () => {
  const withBreaks: ClockSettings = { restBreaks: true };
  const refusal = (fn: () => unknown) => {
    const err = ruleError(fn);
    return { code: err.code, message: err.message, path: err.path };
  };
  it('settings', () => {
    expect(refusal(() => allowedTimeMs({ baseMinutes: 0 }))).toEqual({ code: 'bad-clock-settings', message: 'The sitting time must be a whole number of minutes from 1 to 600; got 0.', path: 'baseMinutes' });
    expect(refusal(() => allowedTimeMs({ extraTime: { kind: 'percent', percent: Infinity } }))).toEqual({
      code: 'bad-extra-time',
      message: 'Extra time as a percentage must be more than 0 and at most 100; got Infinity.',
      path: 'extraTime.percent',
    });
    expect(refusal(() => allowedTimeMs({ extraTime: { kind: 'minutes', minutes: Infinity } }))).toEqual({
      code: 'bad-extra-time',
      message: 'Extra time in minutes must be more than 0 and at most the sitting time (60); got Infinity.',
      path: 'extraTime.minutes',
    });
    expect(refusal(() => allowedTimeMs({ extraTime: { kind: 'minutes', minutes: '15' } } as unknown as ClockSettings)).message).toBe(
      'Extra time in minutes must be more than 0 and at most the sitting time (60); got 15.',
    );
    expect(refusal(() => allowedTimeMs({ extraTime: { kind: 'minutes', minutes: -1 } })).message).toContain('got -1');
    expect(refusal(() => allowedTimeMs({ extraTime: { kind: 'hours' } } as unknown as ClockSettings))).toEqual({
      code: 'bad-extra-time',
      message: "Extra time must be given as { kind: 'percent' } or { kind: 'minutes' }; got kind hours.",
      path: 'extraTime.kind',
    });
  });
  it('instants', () => {
    expect(refusal(() => readClock({}, { startedAt: START, now: Number.NaN }))).toEqual({ code: 'bad-instant', message: 'now must be a time in ms; got NaN.', path: 'now' });
    expect(refusal(() => readClock({}, { startedAt: null, endedAt: START, now: START }))).toEqual({
      code: 'bad-instant',
      message: 'A sitting cannot end before it starts: endedAt is set but startedAt is not.',
      path: 'endedAt',
    });
    expect(refusal(() => readClock(withBreaks, { startedAt: null, now: START, restBreaks: [{ from: START, to: null }] }))).toEqual({
      code: 'bad-rest-break',
      message: 'A rest break cannot be taken before the sitting starts.',
      path: 'restBreaks[0]',
    });
    expect(refusal(() => readClock({}, { startedAt: Number.POSITIVE_INFINITY, now: START }))).toEqual({ code: 'bad-instant', message: 'startedAt must be a time in ms; got Infinity.', path: 'startedAt' });
    expect(refusal(() => readClock({}, { startedAt: START, now: START - 1 }))).toEqual({ code: 'bad-instant', message: `The clock is read at ${START - 1}, before the sitting started at ${START}.`, path: 'now' });
    expect(refusal(() => readClock({}, { startedAt: START, endedAt: START + 2, now: START + 1 }))).toEqual({
      code: 'bad-instant',
      message: `endedAt ${START + 2} must lie between the start (${START}) and now (${START + 1}).`,
      path: 'endedAt',
    });
    // Ended the instant it started: allowed.
    expect(readClock({}, { startedAt: START, endedAt: START, now: START + 1 })).toMatchObject({ state: 'ended', elapsedMs: 0 });
    expect(refusal(() => readClock({}, { startedAt: START, now: START + 1, restBreaks: [{ from: START, to: START + 1 }] }))).toEqual({
      code: 'pause-not-allowed',
      message: 'The sitting clock only pauses for a rest break, and this candidate has no rest-break access arrangement.',
      path: 'restBreaks',
    });
  });
  it('rest breaks: each refusal names the break; breaks may touch the start, each other and now', () => {
    const read = (restBreaks: Array<{ from: number; to: number | null }>, endedAt: number | null = null) => readClock(withBreaks, { startedAt: START, endedAt, now: START + 20 * MIN, restBreaks });
    const ok = { from: START + MIN, to: START + 2 * MIN };
    expect(refusal(() => read([ok, { from: Number.NaN, to: null }]))).toEqual({ code: 'bad-rest-break', message: 'Rest break 2 has a time that is not ms.', path: 'restBreaks[1]' });
    expect(refusal(() => read([ok, { from: START + 3 * MIN, to: Number.NaN }])).message).toBe('Rest break 2 has a time that is not ms.');
    expect(refusal(() => read([ok, { from: START + 2 * MIN - 1, to: START + 3 * MIN }])).message).toBe(
      `Rest break 2 starts at ${START + 2 * MIN - 1}, before the sitting started or the previous break ended (${START + 2 * MIN}).`,
    );
    expect(refusal(() => read([ok, { from: START + 20 * MIN + 1, to: null }])).message).toBe(`Rest break 2 starts at ${START + 20 * MIN + 1}, after now (${START + 20 * MIN}).`);
    expect(refusal(() => read([ok, { from: START + 11 * MIN, to: null }], START + 10 * MIN)).message).toBe(`Rest break 2 starts at ${START + 11 * MIN}, after the sitting ended (${START + 10 * MIN}).`);
    expect(refusal(() => read([ok, { from: START + 3 * MIN, to: null }, { from: START + 4 * MIN, to: START + 5 * MIN }])).message).toBe('Rest break 2 has no end but is not the last one.');
    expect(refusal(() => read([ok, { from: START + 3 * MIN, to: START + 3 * MIN - 1 }])).message).toBe(`Rest break 2 ends (${START + 3 * MIN - 1}) before it starts (${START + 3 * MIN}).`);
    expect(refusal(() => read([ok, { from: START + 3 * MIN, to: START + 20 * MIN + 1 }])).message).toBe(`Rest break 2 ends at ${START + 20 * MIN + 1}, after now (${START + 20 * MIN}).`);
    expect(refusal(() => read([ok, { from: START + 3 * MIN, to: START + 11 * MIN }], START + 10 * MIN)).message).toBe(`Rest break 2 ends at ${START + 11 * MIN}, after the sitting ended (${START + 10 * MIN}).`);
    // Touching: from the start, back to back, a zero-length break, one ending now, one opening now.
    expect(read([{ from: START, to: START + MIN }, { from: START + MIN, to: START + MIN }, { from: START + 2 * MIN, to: START + 20 * MIN }])).toMatchObject({ state: 'running', pausedMs: 19 * MIN, elapsedMs: MIN });
    expect(read([{ from: START + 20 * MIN, to: null }])).toMatchObject({ state: 'paused', pausedMs: 0, elapsedMs: 20 * MIN });
    // A break still open when the sitting ended: the sitting is over, not paused.
    expect(read([{ from: START + 5 * MIN, to: null }], START + 10 * MIN)).toMatchObject({ state: 'ended', pausedMs: 5 * MIN });
  });
});
