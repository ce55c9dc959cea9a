// The one source of "now" for server logic, and of timers that fire at a moment of that time, so
// tests can move time instead of waiting.
export interface Clock {
  now(): number;
  /** Calls `fire` once, `ms` from now; the returned function cancels it. Never keeps the process alive. */
  setTimer(ms: number, fire: () => void): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer: (ms, fire) => {
    const timer = setTimeout(fire, ms);
    timer.unref();
    return () => clearTimeout(timer);
  },
};

/**
 * Calls `fire` every `ms` of the clock's time until the returned function is called: a sweep on the
 * injected clock, so a test that moves time sees it run, and it never races a test on real time.
 */
export function repeatEvery(clock: Clock, ms: number, fire: () => void): () => void {
  let cancel: (() => void) | undefined;
  let stopped = false;
  const arm = (): void => {
    cancel = clock.setTimer(ms, () => {
      if (stopped) return;
      arm();
      fire();
    });
  };
  arm();
  return () => {
    stopped = true;
    cancel?.();
  };
}

export class ManualClock implements Clock {
  private readonly timers = new Map<number, { at: number; fire: () => void }>();
  private nextTimer = 0;

  constructor(private current = Date.UTC(2026, 0, 1, 9, 0, 0)) {}
  now(): number {
    return this.current;
  }
  setTimer(ms: number, fire: () => void): () => void {
    const id = this.nextTimer++;
    this.timers.set(id, { at: this.current + ms, fire });
    return () => this.timers.delete(id);
  }
  /** Moves time on, firing the timers that fall due, in order. */
  advance(ms: number): void {
    const end = this.current + ms;
    for (;;) {
      const due = [...this.timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.current = Math.max(this.current, due[1].at);
      due[1].fire();
    }
    this.current = end;
  }
}
