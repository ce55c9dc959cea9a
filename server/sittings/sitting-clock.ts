// A sitting's clock read now from its stored times and rest breaks (server/assessment/clock.ts has
// the rule). Its own module because both the views and closing an attempt read it, and the views
// also import marking, which closes attempts.
import { readClock, type ClockReading } from '../assessment/clock.js';
import type { Repositories } from '../db/repositories/index.js';
import type { Sitting } from '../db/repositories/sittings.js';

/**
 * The clock from the stored instants: the same answer after a refresh, a reconnect or a restart.
 * `now` is never taken as earlier than the last stored instant: the rules refuse a reading before
 * the start, and a system clock stepped back a little (NTP) must not make the sitting unreadable.
 */
export function sittingClock(repos: Repositories, sitting: Sitting, now: number): ClockReading {
  const breaks = repos.sittings.restBreaks(sitting.id);
  const latest = Math.max(sitting.startedAt ?? now, sitting.endedAt ?? now, ...breaks.map((b) => Math.max(b.from, b.to ?? b.from)));
  return readClock(
    { baseMinutes: sitting.baseMinutes, extraTime: sitting.extraTime, restBreaks: sitting.restBreaks },
    { startedAt: sitting.startedAt, endedAt: sitting.endedAt, restBreaks: breaks, now: Math.max(now, latest) },
  );
}
