// The sitting clock, as pure arithmetic on instants the caller supplies (no Date.now()).
//
// Digest (shared/docs/assessment-domain.md):
// - 1.2 / 1.5.3: "The examination will be 1 hour" (stated), scope unclear.
// - 1.4 [proposal]: one 60-minute clock for the whole sitting (all four calls and their follow-up
//   work), configurable, with per-candidate extensions for access arrangements.
// - 3.6: access arrangements are agreed before the assessment; the proposal lists "extra time"
//   and "rest breaks" among them. The digest gives no percentage or cap, so extra time is taken
//   either as a percentage of the base time or as minutes, rounded UP to a whole second (never
//   shorter than approved). Caps here (100%, or the base time in minutes) only catch typing errors.
// - Pausing: only a rest break pauses the clock, and only for a candidate with the rest-break
//   arrangement; any other pause is refused. Time on a rest break does not count.
// - Overrun: the clock keeps counting after time is up (state 'time-up'); overrunMs says by how
//   much. Elapsed exactly equal to the time allowed is time up but not an overrun.

import { AssessmentRuleError } from './errors.js';
import type { ClockState, ExtraTimeInput, SittingClockView } from '../protocol/assessment.js';

/** Extra time agreed as an access arrangement (the wire form, server/protocol/assessment.ts). */
export type ExtraTime = ExtraTimeInput;

export interface ClockSettings {
  /** Base time for the sitting in whole minutes; default 60 (digest 1.2). */
  baseMinutes?: number;
  /** Approved extra time (access arrangement), if any. */
  extraTime?: ExtraTime | null;
  /** Approved supervised rest breaks (access arrangement): the only thing that may pause the clock. */
  restBreaks?: boolean;
}

export const DEFAULT_SITTING_MINUTES = 60;
const MINUTE = 60_000;
const SECOND = 1000;

/** One rest break: from `from` until `to` (null while it goes on). */
export interface RestBreak {
  from: number;
  to: number | null;
}

export interface ClockInput {
  /** When the sitting started; null if not started. */
  startedAt: number | null;
  /** When the sitting was closed, if it was. */
  endedAt?: number | null;
  restBreaks?: readonly RestBreak[];
  /** The instant to read the clock at. */
  now: number;
}

export type { ClockState };

/** A reading of the sitting clock: what the sitting's clock view shows (server/protocol/assessment.ts), and more. */
export interface ClockReading extends Pick<SittingClockView, 'state' | 'allowedMs' | 'elapsedMs' | 'remainingMs' | 'overrunMs' | 'deadline'> {
  /** elapsedMs > allowedMs. */
  overrun: boolean;
  /** Rest-break time so far. */
  pausedMs: number;
}

const fail = (code: string, message: string, path?: string): never => {
  throw new AssessmentRuleError(code, message, path);
};

/** Base time plus extra time, in ms; throws for settings outside the rules above. */
export function allowedTimeMs(settings: ClockSettings = {}): number {
  const base = settings.baseMinutes ?? DEFAULT_SITTING_MINUTES;
  if (!Number.isInteger(base) || base < 1 || base > 600) fail('bad-clock-settings', `The sitting time must be a whole number of minutes from 1 to 600; got ${base}.`, 'baseMinutes');
  const baseMs = base * MINUTE;
  const extra = settings.extraTime;
  if (!extra) return baseMs;
  if (extra.kind === 'percent') {
    const p = extra.percent;
    if (typeof p !== 'number' || !Number.isFinite(p) || p <= 0 || p > 100) fail('bad-extra-time', `Extra time as a percentage must be more than 0 and at most 100; got ${String(p)}.`, 'extraTime.percent');
    return baseMs + Math.ceil((baseMs * p) / 100 / SECOND) * SECOND;
  }
  if (extra.kind === 'minutes') {
    const m = extra.minutes;
    if (typeof m !== 'number' || !Number.isFinite(m) || m <= 0 || m > base) fail('bad-extra-time', `Extra time in minutes must be more than 0 and at most the sitting time (${base}); got ${String(m)}.`, 'extraTime.minutes');
    return baseMs + Math.ceil((m * MINUTE) / SECOND) * SECOND;
  }
  return fail('bad-extra-time', `Extra time must be given as { kind: 'percent' } or { kind: 'minutes' }; got kind ${String((extra as { kind?: unknown }).kind)}.`, 'extraTime.kind');
}

/** Reads the sitting clock at `input.now`. */
export function readClock(settings: ClockSettings, input: ClockInput): ClockReading {
  const allowedMs = allowedTimeMs(settings);
  const { startedAt, now } = input;
  const endedAt = input.endedAt ?? null;
  const breaks = input.restBreaks ?? [];
  if (!Number.isFinite(now)) fail('bad-instant', `now must be a time in ms; got ${now}.`, 'now');
  if (startedAt === null) {
    if (endedAt !== null) fail('bad-instant', 'A sitting cannot end before it starts: endedAt is set but startedAt is not.', 'endedAt');
    if (breaks.length) fail('bad-rest-break', 'A rest break cannot be taken before the sitting starts.', 'restBreaks[0]');
    return { state: 'not-started', allowedMs, elapsedMs: 0, remainingMs: allowedMs, overrunMs: 0, overrun: false, pausedMs: 0, deadline: null };
  }
  if (!Number.isFinite(startedAt)) fail('bad-instant', `startedAt must be a time in ms; got ${startedAt}.`, 'startedAt');
  if (now < startedAt) fail('bad-instant', `The clock is read at ${now}, before the sitting started at ${startedAt}.`, 'now');
  if (endedAt !== null && (endedAt < startedAt || endedAt > now)) fail('bad-instant', `endedAt ${endedAt} must lie between the start (${startedAt}) and now (${now}).`, 'endedAt');
  if (breaks.length && !settings.restBreaks) {
    fail('pause-not-allowed', 'The sitting clock only pauses for a rest break, and this candidate has no rest-break access arrangement.', 'restBreaks');
  }
  const stop = endedAt ?? now;
  let pausedMs = 0;
  let previousEnd = startedAt;
  let inBreak = false;
  breaks.forEach((b, i) => {
    const path = `restBreaks[${i}]`;
    if (!Number.isFinite(b.from) || (b.to !== null && !Number.isFinite(b.to))) fail('bad-rest-break', `Rest break ${i + 1} has a time that is not ms.`, path);
    if (b.from < previousEnd) fail('bad-rest-break', `Rest break ${i + 1} starts at ${b.from}, before the sitting started or the previous break ended (${previousEnd}).`, path);
    if (b.from > stop) fail('bad-rest-break', `Rest break ${i + 1} starts at ${b.from}, after ${endedAt !== null ? 'the sitting ended' : 'now'} (${stop}).`, path);
    if (b.to === null) {
      if (i !== breaks.length - 1) fail('bad-rest-break', `Rest break ${i + 1} has no end but is not the last one.`, path);
      pausedMs += stop - b.from;
      inBreak = endedAt === null;
      previousEnd = stop;
    } else {
      if (b.to < b.from) fail('bad-rest-break', `Rest break ${i + 1} ends (${b.to}) before it starts (${b.from}).`, path);
      if (b.to > stop) fail('bad-rest-break', `Rest break ${i + 1} ends at ${b.to}, after ${endedAt !== null ? 'the sitting ended' : 'now'} (${stop}).`, path);
      pausedMs += b.to - b.from;
      previousEnd = b.to;
    }
  });
  const elapsedMs = stop - startedAt - pausedMs;
  const remainingMs = Math.max(0, allowedMs - elapsedMs);
  const overrunMs = Math.max(0, elapsedMs - allowedMs);
  const timeUp = elapsedMs >= allowedMs;
  const state: ClockState = endedAt !== null ? 'ended' : timeUp ? 'time-up' : inBreak ? 'paused' : 'running';
  return { state, allowedMs, elapsedMs, remainingMs, overrunMs, overrun: elapsedMs > allowedMs, pausedMs, deadline: startedAt + pausedMs + allowedMs };
}
