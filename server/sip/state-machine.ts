// A state machine over a transition table, in the manner of sip.js's core
// (src/core/transactions/*.ts, src/core/dialogs/*.ts): a state whose doc comment lists the allowed
// transitions, and a `stateTransition()` that throws on any other. Here the table is data, so one
// class serves every machine of the B2BUA (call-state.ts) and a test can walk it.
//
// Timers belong to states: each state names the timers that may run in it, and every transition
// stops the ones the new state does not name. That is the one place a call's timers are cleared.
import type { Clock } from '../clock.js';

/** For each state: the states it may change to, and the named timers that may run in it. */
export type TransitionTable<S extends string, T extends string> = {
  readonly [state in S]: { readonly to: readonly S[]; readonly timers: readonly T[] };
};

export class InvalidTransitionError extends Error {
  constructor(machine: string, from: string, to: string) {
    super(`${machine}: invalid state transition from ${from} to ${to}`);
    this.name = 'InvalidTransitionError';
  }
}

export class StateMachine<S extends string, T extends string = never> {
  private current: S;
  private readonly timers = new Map<T, () => void>();

  constructor(
    /** Named in the error of an invalid transition. */
    readonly name: string,
    private readonly table: TransitionTable<S, T>,
    initial: S,
    private readonly clock: Clock,
  ) {
    this.current = initial;
  }

  get state(): S {
    return this.current;
  }

  is(...states: S[]): boolean {
    return states.includes(this.current);
  }

  /** Whether the table allows changing from the current state to `to`. */
  may(to: S): boolean {
    return this.table[this.current].to.includes(to);
  }

  /** Changes state; throws on a change the table does not list. Stops the timers `to` does not allow. */
  transition(to: S): void {
    if (!this.may(to)) throw new InvalidTransitionError(this.name, this.current, to);
    this.current = to;
    const allowed = this.table[to].timers;
    for (const [timer, cancel] of [...this.timers]) {
      if (allowed.includes(timer)) continue;
      cancel();
      this.timers.delete(timer);
    }
  }

  /** Starts (or restarts) a named timer on the injected clock; throws if the current state does not allow it. */
  startTimer(timer: T, ms: number, fire: () => void): void {
    if (!this.table[this.current].timers.includes(timer)) throw new Error(`${this.name}: timer ${timer} may not run in state ${this.current}`);
    this.stopTimer(timer);
    const cancel = this.clock.setTimer(ms, () => {
      this.timers.delete(timer);
      fire();
    });
    this.timers.set(timer, cancel);
  }

  stopTimer(timer: T): void {
    this.timers.get(timer)?.();
    this.timers.delete(timer);
  }

  isRunning(timer: T): boolean {
    return this.timers.has(timer);
  }
}
