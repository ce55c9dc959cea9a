// How many SIP WebSockets may be open, and for how long, so that idle sockets cannot take the
// slots of real phones (a whole centre shares one NAT address):
//   - a new connection must authenticate (a successful REGISTER, or a request that answers a
//     digest challenge) within `authDeadlineMs`, or it is closed (1008);
//   - connections still waiting to authenticate are counted per address and in total, apart from
//     authenticated ones; at either cap the OLDEST waiting connection is closed to make room (1013),
//     so a flood of idle sockets never locks a phone out, it only shortens its own sockets' lives;
//   - authenticated connections are capped per address on their own count (`maxRegisteredPerIp`);
//   - an authenticated connection that has sent nothing for `idleMs` is closed (1000) when
//     `isBusy` says it has nothing left to do (no registration binding, no call).
// Time and timers come from the injected clock, so a test moves time instead of waiting for it.
import { addressKey } from '../auth/client-address.js';
import type { Clock } from '../clock.js';
import type { SipConnection } from './connection.js';

export interface SipConnectionLimitOptions {
  authDeadlineMs: number;
  maxPendingPerIp: number;
  maxPendingTotal: number;
  maxRegisteredPerIp: number;
  idleMs: number;
}

export const DEFAULT_SIP_CONNECTION_LIMITS: SipConnectionLimitOptions = {
  authDeadlineMs: 10_000,
  maxPendingPerIp: 500,
  maxPendingTotal: 5_000,
  maxRegisteredPerIp: 200,
  idleMs: 15 * 60_000,
};

export class SipConnectionLimits {
  readonly options: SipConnectionLimitOptions;
  /** Waiting connections in the order they arrived (a Map iterates in insertion order), with their deadline's cancel. */
  private readonly pending = new Map<SipConnection, () => void>();
  private readonly pendingByAddress = new Map<string, Set<SipConnection>>();
  /** Authenticated connections, with their idle check's cancel. */
  private readonly authenticated = new Map<SipConnection, () => void>();
  private readonly authenticatedByAddress = new Map<string, number>();
  readonly stats = { closedUnauthenticated: 0, evicted: 0, closedIdle: 0, refusedRegistered: 0 };

  constructor(
    options: Partial<SipConnectionLimitOptions>,
    private readonly clock: Clock,
    /** Whether an authenticated connection still has work: a live registration or a call. */
    private readonly isBusy: (conn: SipConnection) => boolean,
  ) {
    this.options = { ...DEFAULT_SIP_CONNECTION_LIMITS, ...options };
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  /** A new connection: waits for authentication, making room if a cap is reached. */
  admit(conn: SipConnection): void {
    const key = addressKey(conn.remoteAddress);
    const mine = this.pendingByAddress.get(key) ?? new Set<SipConnection>();
    this.pendingByAddress.set(key, mine);
    if (mine.size >= this.options.maxPendingPerIp) this.evict(mine.values().next().value);
    if (this.pending.size >= this.options.maxPendingTotal) this.evict(this.pending.keys().next().value);
    mine.add(conn);
    const cancelDeadline = this.clock.setTimer(this.options.authDeadlineMs, () => {
      this.stats.closedUnauthenticated++;
      conn.close(1008, 'did not register in time');
    });
    this.pending.set(conn, cancelDeadline);
  }

  private evict(conn: SipConnection | undefined): void {
    if (!conn) return;
    this.stats.evicted++;
    this.forgetPending(conn);
    conn.close(1013, 'too many connections waiting to register from this address');
  }

  private forgetPending(conn: SipConnection): void {
    const cancelDeadline = this.pending.get(conn);
    if (cancelDeadline === undefined) return;
    cancelDeadline();
    this.pending.delete(conn);
    const key = addressKey(conn.remoteAddress);
    const mine = this.pendingByAddress.get(key);
    mine?.delete(conn);
    if (mine?.size === 0) this.pendingByAddress.delete(key);
  }

  /**
   * The connection has authenticated: it leaves the waiting count for the authenticated one.
   * False (and nothing changes) when its address already has `maxRegisteredPerIp` of those.
   */
  promote(conn: SipConnection): boolean {
    if (this.authenticated.has(conn)) return true;
    const key = addressKey(conn.remoteAddress);
    const count = this.authenticatedByAddress.get(key) ?? 0;
    if (count >= this.options.maxRegisteredPerIp) {
      this.stats.refusedRegistered++;
      return false;
    }
    this.forgetPending(conn);
    this.authenticatedByAddress.set(key, count + 1);
    this.authenticated.set(conn, this.idleTimer(conn));
    return true;
  }

  /** Checks the connection once it may have been quiet for `idleMs`; returns the cancel of the first check. */
  private idleTimer(conn: SipConnection): () => void {
    const check = (): void => {
      const quietFor = this.clock.now() - conn.lastMessageAt;
      if (quietFor >= this.options.idleMs && !this.isBusy(conn)) {
        this.stats.closedIdle++;
        conn.close(1000, 'idle: no registration and no call');
        return;
      }
      const next = this.clock.setTimer(Math.max(1, quietFor >= this.options.idleMs ? this.options.idleMs : this.options.idleMs - quietFor), check);
      if (this.authenticated.has(conn)) this.authenticated.set(conn, next);
    };
    return this.clock.setTimer(this.options.idleMs, check);
  }

  /** The connection has closed. */
  closed(conn: SipConnection): void {
    this.forgetPending(conn);
    const cancelIdle = this.authenticated.get(conn);
    if (cancelIdle === undefined) return;
    cancelIdle();
    this.authenticated.delete(conn);
    const key = addressKey(conn.remoteAddress);
    const n = (this.authenticatedByAddress.get(key) ?? 1) - 1;
    if (n > 0) this.authenticatedByAddress.set(key, n);
    else this.authenticatedByAddress.delete(key);
  }

  close(): void {
    for (const cancel of this.pending.values()) cancel();
    for (const cancel of this.authenticated.values()) cancel();
  }
}
