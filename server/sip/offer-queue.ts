// Calls waiting for their agent, as in an ACD queue: a call to a candidate whose desktop is not
// Ready is not offered to their phone; the caller is told it is queued and keeps hearing it ring
// (RFC 3261 §21.1.4, https://www.rfc-editor.org/rfc/rfc3261#section-21.1.4: "182 Queued: The
// called party is temporarily unavailable, but the server has decided to queue the call rather
// than reject it. When the callee becomes available, it will return the appropriate final status
// response."). The call is offered, first come first served, once the gate says the agent may take
// calls (server/realtime/agent-state.ts: the agent state the server recorded) and the agent's
// phone is not busy with another call.
import type { User } from '../db/repositories/users.js';

export interface OfferGate {
  /** Whether a call may ring this user's phone now. */
  mayOffer(user: User): boolean;
  /** Tells `listener` (with the user's id) whenever mayOffer may have changed for that user. */
  onChange(listener: (userId: number) => void): void;
}

interface Waiting {
  callId: string;
  user: User;
  /** true: offer the call now; false: it was withdrawn (ended while it waited). */
  settle: (offer: boolean) => void;
}

export class OfferQueue {
  /** Oldest first. */
  private readonly waiting: Waiting[] = [];

  constructor(
    private readonly gate: OfferGate,
    /** Whether the extension's phone is in a call or being offered one. */
    private readonly busy: (extension: string) => boolean,
  ) {
    gate.onChange((userId) => this.offerNext(userId));
  }

  /** Whether a new call to `user` must wait: the agent may not take calls, or earlier calls wait for them. */
  mustWait(user: User): boolean {
    return !this.gate.mayOffer(user) || this.waiting.some((w) => w.user.id === user.id);
  }

  /** Resolves true when the call is to be offered, false when it was withdrawn first. */
  wait(callId: string, user: User): Promise<boolean> {
    return new Promise((settle) => {
      this.waiting.push({ callId, user, settle });
      // The state may have changed between mustWait() and now (the media was set up meanwhile).
      this.offerNext(user.id);
    });
  }

  /** The call ended while it waited (the caller hung up, the server is shutting down). */
  withdraw(callId: string): void {
    const i = this.waiting.findIndex((w) => w.callId === callId);
    if (i < 0) return;
    const [gone] = this.waiting.splice(i, 1);
    gone!.settle(false);
  }

  /** Offers the oldest call waiting for this user, when they may take it now. */
  offerNext(userId: number): void {
    const i = this.waiting.findIndex((w) => w.user.id === userId);
    if (i < 0) return;
    const next = this.waiting[i]!;
    if (!this.gate.mayOffer(next.user) || this.busy(next.user.extension)) return;
    this.waiting.splice(i, 1);
    next.settle(true);
  }

  get size(): number {
    return this.waiting.length;
  }
}
