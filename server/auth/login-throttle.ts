// Login limits, per client address and per account, whatever cookie a request carries.
//
// Per address (the proxy-aware client address, IPv6 by /64): a token bucket of failed logins,
// `perAddressPerMinute` of them, refilled at that rate per minute. Beyond it: 429 until a token is
// back (back-off). An address that fails `perAddressPerMinute × ADDRESS_LOCK_MINUTES_AT_LIMIT`
// times within the lock window (i.e. guesses at the full rate for minutes on end) is locked for
// `lockMs`. Successful logins cost nothing, so a whole centre behind one NAT address logs in freely.
//
// Per account (the username as typed, lower-cased, whether or not it exists, so the answers do not
// tell which accounts exist): ACCOUNT_FREE_FAILURES wrong passwords are free; after that every
// further try waits a doubling delay (1 s, 2 s, 4 s, ...), and ACCOUNT_LOCK_FAILURES failures lock
// the account for `lockMs`. A successful login clears the account's failures. A locked account is
// refused even with the right password.
//
// Attempts are reserved before the password is checked (the check takes tens of milliseconds), so
// concurrent requests cannot all slip through before the first failure is counted.
// Admins see the current locks and lift them (server/api/login-lock-routes.ts). The state is kept
// in memory: one process serves everything; a restart forgets it.
import type { Clock } from '../clock.js';
import type { LoginLock, LoginLockKind } from '../protocol/login-locks.js';
import { addressKey } from './client-address.js';

export const ACCOUNT_FREE_FAILURES = 5;
export const ACCOUNT_LOCK_FAILURES = 10;
const ADDRESS_LOCK_MINUTES_AT_LIMIT = 5;
/** More tracked subjects than this (an attack from very many addresses): the stalest are dropped. */
const MAX_TRACKED = 100_000;

export interface LoginThrottleOptions {
  clock: Clock;
  perAddressPerMinute: number;
  /** How long a lock lasts, and how long failures are remembered (default 15 min). */
  lockMs?: number;
}

interface AddressState {
  tokens: number;
  refilledAt: number;
  /** Times of failures within the lock window, oldest first. */
  failures: number[];
  lockedUntil: number;
  inFlight: number;
}

interface AccountState {
  failures: number;
  lastFailureAt: number;
  /** No attempt before this time (back-off). */
  nextAttemptAt: number;
  lockedUntil: number;
  inFlight: number;
}

export type LoginRefusal = { kind: LoginLockKind; reason: 'backoff' | 'locked'; retryAfterMs: number };

/** A reserved attempt: call exactly one of its methods once the password has been checked. */
export interface LoginAttempt {
  failed(): void;
  succeeded(): void;
  /** Nothing was checked (e.g. the server was too busy): give the reservation back. */
  abandoned(): void;
}

export class LoginThrottle {
  private readonly addresses = new Map<string, AddressState>();
  private readonly accounts = new Map<string, AccountState>();
  private readonly lockMs: number;
  private readonly addressLockFailures: number;

  constructor(private readonly opts: LoginThrottleOptions) {
    this.lockMs = opts.lockMs ?? 15 * 60_000;
    this.addressLockFailures = opts.perAddressPerMinute * ADDRESS_LOCK_MINUTES_AT_LIMIT;
  }

  private now(): number {
    return this.opts.clock.now();
  }

  private address(key: string): AddressState {
    const now = this.now();
    let s = this.addresses.get(key);
    if (!s) {
      s = { tokens: this.opts.perAddressPerMinute, refilledAt: now, failures: [], lockedUntil: 0, inFlight: 0 };
      this.addresses.set(key, s);
      this.bound(this.addresses);
    }
    const rate = this.opts.perAddressPerMinute / 60_000;
    s.tokens = Math.min(this.opts.perAddressPerMinute, s.tokens + (now - s.refilledAt) * rate);
    s.refilledAt = now;
    // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, an empty list's failures[0] is undefined and `undefined <= n` is false.
    while (s.failures.length > 0 && s.failures[0]! <= now - this.lockMs) s.failures.shift();
    if (s.lockedUntil !== 0 && s.lockedUntil <= now) s.lockedUntil = 0;
    return s;
  }

  private account(key: string): AccountState {
    const now = this.now();
    let s = this.accounts.get(key);
    if (!s) {
      s = { failures: 0, lastFailureAt: 0, nextAttemptAt: 0, lockedUntil: 0, inFlight: 0 };
      this.accounts.set(key, s);
      this.bound(this.accounts);
    }
    // A lock that has run out, or failures long past, start again from nothing.
    const lockRanOut = s.lockedUntil !== 0 && s.lockedUntil <= now;
    // Stryker disable next-line ConditionalExpression,LogicalOperator,EqualityOperator: equivalent when dropped: a lock in force ends lockMs after the last failure, and with no failures there is nothing to reset.
    const unlockedWithFailures = s.lockedUntil === 0 && s.failures > 0;
    if (lockRanOut || (unlockedWithFailures && s.lastFailureAt <= now - this.lockMs)) {
      Object.assign(s, { failures: 0, lastFailureAt: 0, nextAttemptAt: 0, lockedUntil: 0 });
    }
    return s;
  }

  private bound<T>(map: Map<string, T>): void {
    if (map.size <= MAX_TRACKED) return;
    this.prune();
    // Still too many: drop the oldest entries (a Map iterates in insertion order).
    for (const key of map.keys()) {
      if (map.size <= MAX_TRACKED * 0.9) break;
      map.delete(key);
    }
  }

  /** Reserves an attempt for this address and username, or says why it must wait. */
  begin(clientAddress: string | undefined, username: string): LoginAttempt | LoginRefusal {
    const now = this.now();
    const addressId = addressKey(clientAddress);
    const accountId = username.trim().toLowerCase();
    const a = this.address(addressId);
    const u = this.account(accountId);
    // Stryker disable next-line EqualityOperator: equivalent, address() and account() have already set a lock ending now to 0.
    if (a.lockedUntil > now) return { kind: 'address', reason: 'locked', retryAfterMs: a.lockedUntil - now };
    // Stryker disable next-line EqualityOperator: as above.
    if (u.lockedUntil > now) return { kind: 'account', reason: 'locked', retryAfterMs: u.lockedUntil - now };
    if (a.tokens < 1) return { kind: 'address', reason: 'backoff', retryAfterMs: Math.ceil((1 - a.tokens) / (this.opts.perAddressPerMinute / 60_000)) };
    if (u.nextAttemptAt > now) return { kind: 'account', reason: 'backoff', retryAfterMs: u.nextAttemptAt - now };
    // Concurrent attempts on one account: never more in flight than failures left before back-off.
    if (u.inFlight >= Math.max(1, ACCOUNT_FREE_FAILURES - u.failures)) return { kind: 'account', reason: 'backoff', retryAfterMs: 1000 };
    a.tokens -= 1;
    a.inFlight++;
    u.inFlight++;
    let settled = false;
    const settle = (outcome: 'failed' | 'succeeded' | 'abandoned') => {
      if (settled) return;
      settled = true;
      a.inFlight--;
      u.inFlight--;
      const at = this.now();
      if (outcome !== 'failed') {
        // Only failures spend the address's allowance.
        a.tokens = Math.min(this.opts.perAddressPerMinute, a.tokens + 1);
        if (outcome === 'succeeded') Object.assign(u, { failures: 0, lastFailureAt: 0, nextAttemptAt: 0 });
        return;
      }
      a.failures.push(at);
      if (a.failures.length >= this.addressLockFailures) a.lockedUntil = at + this.lockMs;
      u.failures++;
      u.lastFailureAt = at;
      if (u.failures >= ACCOUNT_LOCK_FAILURES) u.lockedUntil = at + this.lockMs;
      else if (u.failures >= ACCOUNT_FREE_FAILURES) u.nextAttemptAt = at + 1000 * 2 ** (u.failures - ACCOUNT_FREE_FAILURES);
    };
    // Stryker disable next-line StringLiteral: equivalent, any outcome but 'failed' and 'succeeded' is handled as abandoned.
    return { failed: () => settle('failed'), succeeded: () => settle('succeeded'), abandoned: () => settle('abandoned') };
  }

  /** The locks in force now, soonest to end first. */
  locks(): LoginLock[] {
    this.prune();
    const now = this.now();
    const out: LoginLock[] = [];
    // Stryker disable next-line EqualityOperator: equivalent, prune() (through address() and account()) has set a lock ending now to 0.
    for (const [subject, s] of this.addresses) if (s.lockedUntil > now) out.push({ kind: 'address', subject, failures: s.failures.length, lockedUntil: s.lockedUntil });
    // Stryker disable next-line EqualityOperator: as above.
    for (const [subject, s] of this.accounts) if (s.lockedUntil > now) out.push({ kind: 'account', subject, failures: s.failures, lockedUntil: s.lockedUntil });
    return out.sort((x, y) => x.lockedUntil - y.lockedUntil);
  }

  /** Lifts a lock (and forgets the failures behind it); false when there was none. */
  lift(kind: LoginLockKind, subject: string): boolean {
    const now = this.now();
    if (kind === 'address') {
      const key = subject.includes('/') ? subject : addressKey(subject);
      const s = this.addresses.get(key);
      if (!s || s.lockedUntil <= now) return false;
      Object.assign(s, { lockedUntil: 0, failures: [], tokens: this.opts.perAddressPerMinute, refilledAt: now });
      return true;
    }
    const s = this.accounts.get(subject.trim().toLowerCase());
    if (!s || s.lockedUntil <= now) return false;
    Object.assign(s, { failures: 0, lastFailureAt: 0, nextAttemptAt: 0, lockedUntil: 0 });
    return true;
  }

  /** Forgets subjects with nothing left to remember. */
  prune(): void {
    for (const [key] of this.addresses) {
      const s = this.address(key);
      if (s.inFlight === 0 && s.lockedUntil === 0 && s.failures.length === 0 && s.tokens >= this.opts.perAddressPerMinute) this.addresses.delete(key);
    }
    for (const [key] of this.accounts) {
      const s = this.account(key);
      if (s.inFlight === 0 && s.lockedUntil === 0 && s.failures === 0) this.accounts.delete(key);
    }
  }

  /** How many addresses and accounts are remembered: the memory the limits hold, which prune() and the MAX_TRACKED bound keep down. */
  tracked(): { addresses: number; accounts: number } {
    return { addresses: this.addresses.size, accounts: this.accounts.size };
  }
}

export const isRefusal = (x: LoginAttempt | LoginRefusal): x is LoginRefusal => 'reason' in x;
