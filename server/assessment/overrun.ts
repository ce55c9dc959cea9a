// Time running out in a sitting: the 5-minute warning, how much of an assignment's attempt ran past
// the time allowed, and the centre's overrun policy. Pure, no I/O.
// - Seed 000: "The examination will be 1 hour" (digest 1.2, 1.4: one clock for the sitting).
// - [proposal] The centre chooses what happens at time up: 'warn' (the work may go on; every
//   minute past the time allowed is recorded against the attempt in progress) or 'stop' (the
//   sitting ends at the deadline: the attempt in progress is closed then and nothing new starts).
import { OVERRUN_POLICIES, type OverrunPolicy } from '../protocol/sitting-states.js';
import { readClock, type ClockReading, type ClockSettings, type RestBreak } from './clock.js';

export { OVERRUN_POLICIES, type OverrunPolicy } from '../protocol/sitting-states.js';
export const DEFAULT_OVERRUN_POLICY: OverrunPolicy = 'warn';
export const isOverrunPolicy = (p: unknown): p is OverrunPolicy => (OVERRUN_POLICIES as readonly unknown[]).includes(p);

/** The clock warns when this much working time is left. */
export const WARNING_BEFORE_END_MS = 5 * 60_000;

export type ClockWarning = 'none' | 'five-minutes' | 'time-up';

export function clockWarning(c: Pick<ClockReading, 'state' | 'remainingMs' | 'elapsedMs' | 'allowedMs'>): ClockWarning {
  if (c.state === 'not-started' || c.state === 'ended') return 'none';
  if (c.elapsedMs >= c.allowedMs) return 'time-up';
  return c.remainingMs <= WARNING_BEFORE_END_MS ? 'five-minutes' : 'none';
}

/** Whether the policy ends the sitting now: 'stop' once the time allowed is used up. */
export const policyStopsSitting = (policy: OverrunPolicy, c: Pick<ClockReading, 'state'>): boolean => policy === 'stop' && c.state === 'time-up';

/** The sitting's clock read at instant `t`, from its start and the rest breaks begun by then. */
function readAt(settings: ClockSettings, startedAt: number, breaks: readonly RestBreak[], t: number): ClockReading {
  const upToT = breaks.filter((b) => b.from <= t).map((b) => ({ from: b.from, to: b.to !== null && b.to <= t ? b.to : null }));
  return readClock(settings, { startedAt, restBreaks: upToT, now: t });
}

/**
 * How much working time of the attempt [from, to] lay past the time allowed: the overrun at `to`
 * less the overrun at `from` (an attempt begun after time up counts from its start; rest breaks
 * move the deadline as the clock says).
 */
export function attemptOverrunMs(settings: ClockSettings, sitting: { startedAt: number | null; restBreaks: readonly RestBreak[] }, from: number, to: number): number {
  if (sitting.startedAt === null || to <= sitting.startedAt || to <= from) return 0;
  const start = Math.max(from, sitting.startedAt);
  return Math.max(0, readAt(settings, sitting.startedAt, sitting.restBreaks, to).overrunMs - readAt(settings, sitting.startedAt, sitting.restBreaks, start).overrunMs);
}
