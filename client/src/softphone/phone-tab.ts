// One active phone per browser: the tab that holds the Web Lock "callmark-softphone" runs the
// softphone; any other tab of the same login shows that the phone is open elsewhere, with a button
// that moves it here (the lock is stolen, so the first tab's phone unregisters and stops). A tab
// waiting without the lock takes it by itself when the active tab is closed. Without this a second
// tab would register too and only one of the two would ring.
// Web Locks: https://w3c.github.io/web-locks/ ("steal": "any held locks with the same name will be
// released, and the request will be granted"; the holder's request promise rejects with an
// AbortError). The tabs tell each other whether the active phone is on a call over a
// BroadcastChannel, so a call is never cut by moving the phone.

export type TabRole = { kind: 'checking' } | { kind: 'active' } | { kind: 'elsewhere'; otherInCall: boolean };

const LOCK = 'callmark-softphone';
const CHANNEL = 'callmark-softphone';

type Message = { type: 'who' } | { type: 'status'; inCall: boolean };

export interface PhoneTabEvents {
  role(role: TabRole): void;
  /** This tab now has the phone: start it. */
  active(): void;
  /** Another tab took the phone: stop it here. */
  lost(): void;
}

export class PhoneTab {
  private release: (() => void) | undefined;
  private waiting: AbortController | undefined;
  private readonly channel: BroadcastChannel | undefined;
  private inCall = false;
  private disposed = false;
  private current: TabRole = { kind: 'checking' };

  constructor(private readonly events: PhoneTabEvents) {
    this.channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(CHANNEL) : undefined;
    this.channel?.addEventListener('message', (e: MessageEvent<Message>) => this.onMessage(e.data));
  }

  start(): void {
    // Web Locks exist in secure contexts only; without them every tab has its phone, as before.
    if (!('locks' in navigator)) return this.activate();
    this.request({ ifAvailable: true });
  }

  /** Moves the phone to this tab. */
  useHere(): void {
    if (this.current.kind !== 'elsewhere' || this.current.otherInCall) return;
    this.waiting?.abort();
    this.waiting = undefined;
    this.request({ steal: true });
  }

  /** The active phone's call state, told to the other tabs. */
  announceCall(inCall: boolean): void {
    this.inCall = inCall;
    if (this.current.kind === 'active') this.post({ type: 'status', inCall });
  }

  dispose(): void {
    this.disposed = true;
    this.waiting?.abort();
    this.release?.();
    this.release = undefined;
    this.channel?.close();
  }

  private request(options: LockOptions): void {
    let held = false;
    navigator.locks
      .request(LOCK, options, (lock) => {
        if (!lock) {
          this.waitForTurn();
          return undefined;
        }
        held = true;
        if (this.disposed) return undefined;
        this.activate();
        return new Promise<void>((resolve) => (this.release = resolve));
      })
      .catch(() => {
        // Rejected: our waiting request was withdrawn (nothing to do), or the lock we held was stolen.
        if (held && !this.disposed) {
          this.release = undefined;
          this.events.lost();
          this.waitForTurn();
        }
      });
  }

  /** Shows the phone as open elsewhere, asks the active tab about its call, and queues for the lock. */
  private waitForTurn(): void {
    if (this.disposed) return;
    this.setRole({ kind: 'elsewhere', otherInCall: false });
    this.post({ type: 'who' });
    const ctl = new AbortController();
    this.waiting = ctl;
    this.request({ signal: ctl.signal });
  }

  private activate(): void {
    this.waiting = undefined;
    this.setRole({ kind: 'active' });
    this.events.active();
    this.post({ type: 'status', inCall: this.inCall });
  }

  private onMessage(message: Message): void {
    if (message.type === 'who' && this.current.kind === 'active') this.post({ type: 'status', inCall: this.inCall });
    if (message.type === 'status' && this.current.kind === 'elsewhere') this.setRole({ kind: 'elsewhere', otherInCall: message.inCall });
  }

  private setRole(role: TabRole): void {
    this.current = role;
    this.events.role(role);
  }

  private post(message: Message): void {
    this.channel?.postMessage(message);
  }
}
