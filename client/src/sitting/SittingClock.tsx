// The sitting clock, counting from the server's last reading. The server owns the clock: the
// reading says its state and how much time was left when it was taken; between readings (the
// page polls about every 15 s) the display counts with the browser's monotonic clock from the
// moment the reading arrived, never from the browser's wall clock. A running clock that reaches
// zero shows "Time up" straight away; the next reading confirms it.
import { useEffect, useRef, useState } from 'react';
import type { ClockState, SittingClockView } from '../../../server/protocol/assessment.js';

/** mm:ss (minutes may pass 59), never negative. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

/** In words, for screen readers: "12 minutes 5 seconds". */
export function durationWords(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const m = Math.floor(s / 60);
  const r = s % 60;
  const parts: string[] = [];
  if (m) parts.push(`${m} minute${m === 1 ? '' : 's'}`);
  if (r || !m) parts.push(`${r} second${r === 1 ? '' : 's'}`);
  return parts.join(' ');
}

export interface LiveReading {
  state: ClockState;
  allowedMs: number;
  elapsedMs: number;
  remainingMs: number;
  overrunMs: number;
}

/** The reading `sinceMs` after it was taken (only a running or time-up clock moves). */
export function advance(clock: SittingClockView, sinceMs: number): LiveReading {
  const { state, allowedMs } = clock;
  if (state !== 'running' && state !== 'time-up') return { state, allowedMs, elapsedMs: clock.elapsedMs, remainingMs: clock.remainingMs, overrunMs: clock.overrunMs };
  const elapsedMs = clock.elapsedMs + Math.max(0, sinceMs);
  return {
    state: elapsedMs >= allowedMs ? 'time-up' : 'running',
    allowedMs,
    elapsedMs,
    remainingMs: Math.max(0, allowedMs - elapsedMs),
    overrunMs: Math.max(0, elapsedMs - allowedMs),
  };
}

/** A reading as it arrived: `receivedAt` is performance.now() at arrival. */
export interface ClockSnapshot {
  clock: SittingClockView;
  receivedAt: number;
}

export function useLiveReading(snapshot: ClockSnapshot | undefined): LiveReading | undefined {
  const [now, setNow] = useState(() => performance.now());
  const moving = snapshot?.clock.state === 'running' || snapshot?.clock.state === 'time-up';
  useEffect(() => {
    setNow(performance.now());
    if (!moving) return;
    const t = window.setInterval(() => setNow(performance.now()), 500);
    return () => window.clearInterval(t);
  }, [moving, snapshot]);
  return snapshot ? advance(snapshot.clock, now - snapshot.receivedAt) : undefined;
}

const WARNINGS_MIN = [10, 5, 1];
/** The clock turns amber with this much time left (server/assessment/overrun.ts, WARNING_BEFORE_END_MS). */
export const WARN_AT_MS = 5 * 60_000;

/**
 * The clock as a role="timer" (not announced every second) and a polite live region that says only
 * what matters: the state changing, and 10, 5 and 1 minute(s) left.
 */
export function SittingClock({ snapshot, label = 'Sitting clock', restBreaks }: { snapshot: ClockSnapshot | undefined; label?: string; restBreaks?: boolean }) {
  const r = useLiveReading(snapshot);
  const [announcement, setAnnouncement] = useState('');
  const last = useRef<{ state?: ClockState; warned: Set<number> }>({ warned: new Set() });
  useEffect(() => {
    if (!r) return;
    const prev = last.current;
    if (prev.state !== undefined && prev.state !== r.state) {
      setAnnouncement(
        r.state === 'time-up' ? 'Time is up.' : r.state === 'paused' ? 'Rest break: the clock is paused.' : r.state === 'running' ? 'The clock is running.' : r.state === 'ended' ? 'The sitting has ended.' : '',
      );
    } else if (r.state === 'running') {
      for (const m of WARNINGS_MIN) {
        const limit = m * 60_000;
        if (r.remainingMs <= limit && r.remainingMs > limit - 30_000 && !prev.warned.has(m)) {
          prev.warned.add(m);
          setAnnouncement(`${m} minute${m === 1 ? '' : 's'} left.`);
        }
      }
    }
    prev.state = r.state;
  }, [r]);
  if (!r) return null;
  let main: string;
  let detail: string;
  switch (r.state) {
    case 'not-started':
      main = formatDuration(r.allowedMs);
      detail = 'Not started';
      break;
    case 'running':
      main = formatDuration(r.remainingMs);
      detail = 'left';
      break;
    case 'paused':
      main = formatDuration(r.remainingMs);
      detail = restBreaks === false ? 'Paused' : 'Paused: rest break';
      break;
    case 'time-up':
      main = 'Time up';
      detail = `over by ${formatDuration(r.overrunMs)}`;
      break;
    case 'ended':
      main = 'Ended';
      detail = r.overrunMs > 0 ? `${formatDuration(r.allowedMs)} allowed, over by ${formatDuration(r.overrunMs)}` : `${formatDuration(r.elapsedMs)} used of ${formatDuration(r.allowedMs)}`;
      break;
  }
  const spoken =
    r.state === 'running'
      ? `${durationWords(r.remainingMs)} left of ${durationWords(r.allowedMs)}`
      : r.state === 'time-up'
        ? `Time up, over by ${durationWords(r.overrunMs)}`
        : r.state === 'paused'
          ? `Paused with ${durationWords(r.remainingMs)} left`
          : `${main}, ${detail}`;
  const warning = r.state === 'running' && r.remainingMs <= WARN_AT_MS;
  const policy = snapshot?.clock.overrunPolicy;
  return (
    <div className={`sitting-clock clock-${r.state}${warning ? ' clock-warning' : ''}`} data-testid="sitting-clock" data-state={r.state} data-warning={warning ? 'five-minutes' : undefined}>
      <div role="timer" aria-label={label} title={spoken}>
        <span className="clock-main" data-testid="clock-main">
          {main}
        </span>{' '}
        <span className="clock-detail">{detail}</span>
      </div>
      {r.state !== 'not-started' && r.state !== 'ended' && <div className="small muted">{formatDuration(r.allowedMs)} allowed</div>}
      {warning && (
        <div className="small clock-note" data-testid="clock-warning">
          5 minutes or less left{policy === 'stop' ? ': the sitting stops at time up.' : '.'}
        </div>
      )}
      {r.state === 'time-up' && policy && (
        <div className="small clock-note">{policy === 'stop' ? 'The sitting stops now.' : 'Time over the hour is recorded against the assignment.'}</div>
      )}
      <p className="visually-hidden" aria-live="polite">
        {announcement}
      </p>
    </div>
  );
}
