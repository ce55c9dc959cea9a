// Calls waiting for their agent, as in an ACD queue: a call to a candidate whose desktop is not
// Ready is not offered to their phone; the caller is told it is queued and keeps hearing it ring
// (RFC 3261 §21.1.4, https://www.rfc-editor.org/rfc/rfc3261#section-21.1.4: "182 Queued: The
// called party is temporarily unavailable, but the server has decided to queue the call rather
// than reject it. When the callee becomes available, it will return the appropriate final status
// response."). The call is offered, first come first served, once the gate says the agent may take
// calls (server/realtime/agent-state.ts: the agent state the server recorded) and the agent's
// phone is not busy with another call.
//
// One queue for every way a call reaches the agent: dialled directly (call-setup.ts), transferred
// to them or bringing them into a conference by REFER (transfer.ts). Each waits under the id of its
// call; the call ending withdraws it. When the agent stops taking calls altogether (their sitting
// has ended: the gate no longer holds calls for them) every call still waiting for them stops
// waiting. The gate tells of agent-state changes; a sitting ending is found by looking again
// every RECHECK_MS of the injected clock while calls wait.
import { repeatEvery, type Clock } from '../clock.js';
import type { User } from '../db/repositories/users.js';

export interface OfferGate {
  /** Whether a call may ring this user's phone now. */
  mayOffer(user: User): boolean;
  /**
   * Whether calls to this user wait for their desktop at all now (a candidate in a sitting); once
   * not, calls still waiting for them stop waiting.
   */
  holdsCallsFor(user: User): boolean;
  /** Tells `listener` (with the user's id) whenever mayOffer may have changed for that user. */
  onChange(listener: (userId: number) => void): void;
}

/** How a wait ended: offered to the agent's phone, withdrawn (the call ended), or the agent left (their sitting ended). */
export type WaitOutcome = 'offered' | 'withdrawn' | 'agent-left';

/**
 * The refusal of a call whose agent left while it waited. RFC 3261 §21.4.18,
 * https://www.rfc-editor.org/rfc/rfc3261#section-21.4.18: "480 Temporarily Unavailable: The
 * callee's end system was contacted successfully but the callee is currently unavailable ... The
 * reason phrase SHOULD indicate a more precise cause as to why the callee is unavailable."
 */
export const AGENT_LEFT = { status: 480, reason: 'Temporarily Unavailable (the sitting has ended)' } as const;

/** How often waiting calls are looked at again, on the injected clock (a sitting ending tells no one). */
export const RECHECK_MS = 2_000;

interface Waiting {
  callId: string;
  user: User;
  /** Run at once when the call is offered, before anything else may be (so it counts as the agent's). */
  onOffered: () => void;
  settle: (outcome: WaitOutcome) => void;
}

export class OfferQueue {
  /** Oldest first. */
  private readonly waiting: Waiting[] = [];
  /** Stops the look-again sweep; set while calls wait. */
  private stopRecheck: (() => void) | undefined;

  constructor(
    private readonly gate: OfferGate,
    /** Whether the extension's phone is in a call or being offered one. */
    private readonly busy: (extension: string) => boolean,
    private readonly clock: Clock,
  ) {
    gate.onChange((userId) => this.offerNext(userId));
  }

  /** Whether a new call to `user` must wait: the agent may not take calls, or earlier calls wait for them. */
  mustWait(user: User): boolean {
    return !this.gate.mayOffer(user) || this.waiting.some((w) => w.user.id === user.id);
  }

  /**
   * Resolves when the call is offered, withdrawn, or its agent left. `onOffered` runs the moment it
   * is offered (the caller marks the agent busy with it there, before another call could be offered).
   */
  wait(callId: string, user: User, onOffered: () => void): Promise<WaitOutcome> {
    return new Promise((settle) => {
      this.waiting.push({ callId, user, onOffered, settle });
      this.stopRecheck ??= repeatEvery(this.clock, RECHECK_MS, () => this.recheck());
      // The state may have changed between mustWait() and now (the media was set up meanwhile).
      this.offerNext(user.id);
    });
  }

  /** The call ended while it waited (the caller hung up, the server is shutting down). */
  withdraw(callId: string): void {
    for (const gone of this.waiting.filter((w) => w.callId === callId)) this.settle(gone, 'withdrawn');
  }

  /** Offers the oldest call waiting for this user, when they may take it now. */
  offerNext(userId: number): void {
    const next = this.waiting.find((w) => w.user.id === userId);
    if (!next) return;
    if (!this.gate.holdsCallsFor(next.user)) {
      for (const w of this.waiting.filter((x) => x.user.id === userId)) this.settle(w, 'agent-left');
      return;
    }
    if (!this.gate.mayOffer(next.user) || this.busy(next.user.extension)) return;
    this.settle(next, 'offered');
  }

  get size(): number {
    return this.waiting.length;
  }

  /** Looks at every agent with calls waiting (what the gate was not told of: a sitting ending). */
  private recheck(): void {
    for (const userId of new Set(this.waiting.map((w) => w.user.id))) this.offerNext(userId);
  }

  private settle(w: Waiting, outcome: WaitOutcome): void {
    const i = this.waiting.indexOf(w);
    if (i < 0) return;
    this.waiting.splice(i, 1);
    if (this.waiting.length === 0) {
      this.stopRecheck?.();
      this.stopRecheck = undefined;
    }
    if (outcome === 'offered') w.onOffered();
    w.settle(outcome);
  }
}
