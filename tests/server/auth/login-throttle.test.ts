// The login limits on their own (server/auth/login-throttle.ts) with a hand-driven clock: the
// per-address bucket and lock, the per-account back-off and lock, reservations for checks in
// flight, and lifting locks. tests/server/auth/login-limits.test.ts drives the same limits through
// the login route.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../server/clock.js';
import { ACCOUNT_FREE_FAILURES, ACCOUNT_LOCK_FAILURES, isRefusal, LoginThrottle, type LoginAttempt, type LoginRefusal } from '../../../server/auth/login-throttle.js';

const MINUTE = 60_000;
const LOCK = 15 * MINUTE;

function throttle(perAddressPerMinute: number, lockMs?: number) {
  const clock = new ManualClock();
  return { clock, limits: new LoginThrottle({ clock, perAddressPerMinute, ...(lockMs === undefined ? {} : { lockMs }) }) };
}

function reserved(x: LoginAttempt | LoginRefusal): LoginAttempt {
  if (isRefusal(x)) throw new Error(`refused: ${JSON.stringify(x)}`);
  return x;
}

const fail = (limits: LoginThrottle, address: string, username: string) => reserved(limits.begin(address, username)).failed();

describe('per client address', () => {
  it('allows perAddressPerMinute failures, then backs off until a token has refilled', () => {
    const { clock, limits } = throttle(4);
    for (let i = 0; i < 4; i++) fail(limits, '192.0.2.1', `user${i}`);
    expect(limits.begin('192.0.2.1', 'someone')).toEqual({ kind: 'address', reason: 'backoff', retryAfterMs: 15_000 });
    clock.advance(7_500);
    expect(limits.begin('192.0.2.1', 'someone')).toEqual({ kind: 'address', reason: 'backoff', retryAfterMs: 7_500 });
    expect(isRefusal(limits.begin('192.0.2.2', 'someone'))).toBe(false);
    clock.advance(7_500);
    expect(isRefusal(limits.begin('192.0.2.1', 'someone'))).toBe(false);
  });

  it('refills no further than the full allowance however long it waits', () => {
    const { clock, limits } = throttle(2);
    clock.advance(10 * MINUTE);
    fail(limits, '192.0.2.1', 'a');
    fail(limits, '192.0.2.1', 'b');
    expect(limits.begin('192.0.2.1', 'c')).toMatchObject({ kind: 'address', reason: 'backoff' });
  });

  it('successful and abandoned checks give their token back, never beyond the allowance', () => {
    const { clock, limits } = throttle(2);
    reserved(limits.begin('192.0.2.1', 'a')).succeeded();
    reserved(limits.begin('192.0.2.1', 'b')).abandoned();
    const late = reserved(limits.begin('192.0.2.1', 'c'));
    clock.advance(MINUTE);
    limits.locks(); // refills the bucket to the full 2
    late.succeeded();
    fail(limits, '192.0.2.1', 'd');
    fail(limits, '192.0.2.1', 'e');
    expect(limits.begin('192.0.2.1', 'f')).toMatchObject({ kind: 'address', reason: 'backoff' });
  });

  it('locks an address that fails at the full rate for five minutes, for the lock period', () => {
    const { clock, limits } = throttle(4);
    for (let minute = 0; minute < 5; minute++) {
      for (let i = 0; i < 4; i++) fail(limits, '192.0.2.1', `user${minute}-${i}`);
      if (minute < 4) clock.advance(MINUTE);
    }
    const lockedAt = clock.now();
    expect(limits.begin('192.0.2.1', 'admin1')).toEqual({ kind: 'address', reason: 'locked', retryAfterMs: LOCK });
    expect(limits.locks()).toEqual([{ kind: 'address', subject: '192.0.2.1', failures: 20, lockedUntil: lockedAt + LOCK }]);
    clock.advance(LOCK - 1);
    expect(limits.begin('192.0.2.1', 'admin1')).toEqual({ kind: 'address', reason: 'locked', retryAfterMs: 1 });
    clock.advance(1);
    expect(isRefusal(limits.begin('192.0.2.1', 'admin1'))).toBe(false);
    expect(limits.locks()).toEqual([]);
  });

  it('forgets failures older than the lock period, so slow guessing never locks', () => {
    const { clock, limits } = throttle(4);
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 4; i++) fail(limits, '192.0.2.1', `user${round}-${i}`);
      clock.advance(LOCK / 4);
    }
    expect(isRefusal(limits.begin('192.0.2.1', 'admin1'))).toBe(false);
    expect(limits.locks()).toEqual([]);
  });

  it('counts an IPv6 /64 as one address, and an admin lifts its lock by any address in it', () => {
    const { clock, limits } = throttle(1, 10 * MINUTE);
    for (let i = 0; i < 5; i++) {
      fail(limits, `2001:db8:1:2::${i + 1}`, `user${i}`);
      clock.advance(MINUTE);
    }
    expect(limits.begin('2001:db8:1:2:ffff::9', 'x')).toMatchObject({ kind: 'address', reason: 'locked' });
    expect(isRefusal(limits.begin('2001:db8:1:3::1', 'x'))).toBe(false);
    expect(limits.locks()).toEqual([expect.objectContaining({ kind: 'address', subject: '2001:db8:1:2::/64', failures: 5 })]);
    expect(limits.lift('address', '2001:db8:1:2::77')).toBe(true);
    expect(isRefusal(limits.begin('2001:db8:1:2::1', 'x'))).toBe(false);
    expect(limits.lift('address', '2001:db8:1:2::77')).toBe(false);
  });

  it('an admin lifts an address lock by the subject the lock list shows, restoring the full allowance', () => {
    const { clock, limits } = throttle(1, 10 * MINUTE);
    for (let i = 0; i < 5; i++) {
      fail(limits, '2001:db8::1', `user${i}`);
      clock.advance(MINUTE);
    }
    expect(limits.lift('address', '2001:db8::/64')).toBe(true);
    fail(limits, '2001:db8::1', 'again');
    expect(limits.begin('2001:db8::1', 'again')).toMatchObject({ kind: 'address', reason: 'backoff' });
    expect(limits.lift('address', '198.51.100.1')).toBe(false);
  });
});

describe('per account', () => {
  it(`lets ${ACCOUNT_FREE_FAILURES} wrong passwords through, then doubles the wait, and locks at ${ACCOUNT_LOCK_FAILURES}`, () => {
    const { clock, limits } = throttle(1000);
    for (let i = 0; i < ACCOUNT_FREE_FAILURES; i++) fail(limits, `192.0.2.${i}`, i % 2 ? ' Ann ' : 'ann');
    for (const wait of [1000, 2000, 4000, 8000, 16000]) {
      expect(limits.begin('198.51.100.1', 'ANN')).toEqual({ kind: 'account', reason: 'backoff', retryAfterMs: wait });
      clock.advance(wait - 1);
      expect(limits.begin('198.51.100.1', 'ann')).toEqual({ kind: 'account', reason: 'backoff', retryAfterMs: 1 });
      clock.advance(1);
      fail(limits, '198.51.100.1', 'ann');
    }
    expect(limits.begin('198.51.100.2', 'ann')).toEqual({ kind: 'account', reason: 'locked', retryAfterMs: LOCK });
    expect(limits.locks()).toEqual([{ kind: 'account', subject: 'ann', failures: ACCOUNT_LOCK_FAILURES, lockedUntil: clock.now() + LOCK }]);
    expect(isRefusal(limits.begin('198.51.100.2', 'bob'))).toBe(false);
    expect(limits.lift('account', ' Ann ')).toBe(true);
    expect(limits.lift('account', 'ann')).toBe(false);
    expect(limits.lift('account', 'nobody')).toBe(false);
    // Lifted: the failures are forgotten too.
    for (let i = 0; i < ACCOUNT_FREE_FAILURES - 1; i++) fail(limits, '198.51.100.3', 'ann');
    expect(isRefusal(limits.begin('198.51.100.3', 'ann'))).toBe(false);
  });

  it('a lock runs out after the lock period and the account starts again from nothing', () => {
    const { clock, limits } = throttle(1000, 10 * MINUTE);
    for (let i = 0; i < ACCOUNT_LOCK_FAILURES; i++) {
      fail(limits, '192.0.2.1', 'ann');
      clock.advance(20_000);
    }
    expect(limits.begin('192.0.2.1', 'ann')).toMatchObject({ kind: 'account', reason: 'locked' });
    clock.advance(10 * MINUTE);
    for (let i = 0; i < ACCOUNT_FREE_FAILURES - 1; i++) fail(limits, '192.0.2.1', 'ann');
    expect(isRefusal(limits.begin('192.0.2.1', 'ann'))).toBe(false);
  });

  it('a successful login clears the account\'s failures', () => {
    const { limits } = throttle(1000);
    for (let i = 0; i < ACCOUNT_FREE_FAILURES - 1; i++) fail(limits, '192.0.2.1', 'ann');
    reserved(limits.begin('192.0.2.1', 'ann')).succeeded();
    for (let i = 0; i < ACCOUNT_FREE_FAILURES - 1; i++) fail(limits, '192.0.2.1', 'ann');
    expect(isRefusal(limits.begin('192.0.2.1', 'ann'))).toBe(false);
  });

  it('an abandoned check does not clear the account\'s failures', () => {
    const { limits } = throttle(1000);
    for (let i = 0; i < ACCOUNT_FREE_FAILURES - 1; i++) fail(limits, '192.0.2.1', 'ann');
    reserved(limits.begin('192.0.2.1', 'ann')).abandoned();
    fail(limits, '192.0.2.1', 'ann');
    expect(limits.begin('192.0.2.1', 'ann')).toMatchObject({ kind: 'account', reason: 'backoff', retryAfterMs: 1000 });
  });

  it('forgets failures once the last is a lock period old, and not a moment before', () => {
    const { clock, limits } = throttle(1000);
    for (let i = 0; i < ACCOUNT_FREE_FAILURES - 1; i++) fail(limits, '192.0.2.1', 'ann');
    clock.advance(LOCK - 1);
    fail(limits, '192.0.2.1', 'ann');
    expect(limits.begin('192.0.2.1', 'ann')).toMatchObject({ kind: 'account', reason: 'backoff' });
    const { clock: clock2, limits: limits2 } = throttle(1000);
    for (let i = 0; i < ACCOUNT_FREE_FAILURES - 1; i++) fail(limits2, '192.0.2.1', 'ann');
    clock2.advance(LOCK);
    fail(limits2, '192.0.2.1', 'ann');
    expect(isRefusal(limits2.begin('192.0.2.1', 'ann'))).toBe(false);
  });
});

describe('checks in flight', () => {
  it('never has more checks of one account in flight than failures left before back-off', () => {
    const { clock, limits } = throttle(1000);
    const open = Array.from({ length: ACCOUNT_FREE_FAILURES }, (_, i) => reserved(limits.begin(`192.0.2.${i}`, 'ann')));
    expect(limits.begin('192.0.2.99', 'ann')).toEqual({ kind: 'account', reason: 'backoff', retryAfterMs: 1000 });
    open[0]!.abandoned();
    const again = reserved(limits.begin('192.0.2.99', 'ann'));
    for (const attempt of [...open.slice(1), again]) attempt.failed();
    // Five failures: back-off, then one check at a time.
    clock.advance(1000);
    reserved(limits.begin('192.0.2.1', 'ann'));
    expect(limits.begin('192.0.2.2', 'ann')).toEqual({ kind: 'account', reason: 'backoff', retryAfterMs: 1000 });
  });

  it('with four failures already, only one check at a time', () => {
    const { limits } = throttle(1000);
    for (let i = 0; i < ACCOUNT_FREE_FAILURES - 1; i++) fail(limits, '192.0.2.1', 'ann');
    const first = reserved(limits.begin('192.0.2.1', 'ann'));
    expect(limits.begin('192.0.2.1', 'ann')).toEqual({ kind: 'account', reason: 'backoff', retryAfterMs: 1000 });
    first.succeeded();
    expect(isRefusal(limits.begin('192.0.2.1', 'ann'))).toBe(false);
  });

  it('settles a reservation once, whatever is called after', () => {
    const { limits } = throttle(1000);
    const attempt = reserved(limits.begin('192.0.2.1', 'ann'));
    for (let i = 0; i < ACCOUNT_LOCK_FAILURES; i++) attempt.failed();
    attempt.succeeded();
    for (let i = 0; i < ACCOUNT_FREE_FAILURES - 2; i++) fail(limits, '192.0.2.1', 'ann');
    expect(isRefusal(limits.begin('192.0.2.1', 'ann'))).toBe(false);
  });
});

describe('the lock list', () => {
  it('lists address and account locks, soonest to end first', () => {
    const { clock, limits } = throttle(2, 10 * MINUTE);
    for (let i = 0; i < ACCOUNT_LOCK_FAILURES; i++) {
      fail(limits, `192.0.2.${i}`, 'ann');
      clock.advance(MINUTE);
    }
    const annUntil = clock.now() - MINUTE + 10 * MINUTE;
    for (let i = 0; i < 10; i++) {
      fail(limits, '198.51.100.7', `user${i}`);
      if (i % 2) clock.advance(MINUTE);
    }
    const addressUntil = clock.now() - MINUTE + 10 * MINUTE;
    expect(limits.locks()).toEqual([
      { kind: 'account', subject: 'ann', failures: ACCOUNT_LOCK_FAILURES, lockedUntil: annUntil },
      { kind: 'address', subject: '198.51.100.7', failures: 10, lockedUntil: addressUntil },
    ]);
  });
});

/** Address 192.0.2.1 locked for 10 minutes from now (five failures, a minute apart, from different accounts). */
function lockedAddress() {
  const t = throttle(1, 10 * MINUTE);
  for (let i = 0; i < 5; i++) {
    fail(t.limits, '192.0.2.1', `user${i}`);
    if (i < 4) t.clock.advance(MINUTE);
  }
  expect(t.limits.locks()).toMatchObject([{ kind: 'address', lockedUntil: t.clock.now() + 10 * MINUTE }]);
  return t;
}

/** Account 'ann' locked for 10 minutes from now (ten failures, waiting out each back-off, from different addresses). */
function lockedAccount() {
  const t = throttle(1000, 10 * MINUTE);
  for (let i = 0; i < ACCOUNT_LOCK_FAILURES; i++) {
    fail(t.limits, `198.51.100.${i}`, 'ann');
    if (i < ACCOUNT_LOCK_FAILURES - 1) t.clock.advance(20_000);
  }
  expect(t.limits.locks()).toMatchObject([{ kind: 'account', lockedUntil: t.clock.now() + 10 * MINUTE }]);
  return t;
}

describe('the instant a lock ends', () => {
  it('an account lock ending now is over: its failures start again from nothing', () => {
    const { clock, limits } = throttle(1000, 10 * MINUTE);
    for (let i = 0; i < ACCOUNT_LOCK_FAILURES; i++) {
      fail(limits, '192.0.2.1', 'ann');
      if (i < ACCOUNT_LOCK_FAILURES - 1) clock.advance(20_000);
    }
    clock.advance(10 * MINUTE);
    // One more failure right at the end of the lock is the first of a new count, not the eleventh.
    fail(limits, '192.0.2.1', 'ann');
    expect(isRefusal(limits.begin('192.0.2.1', 'ann'))).toBe(false);
  });

  it('an admin cannot lift a lock that ends now (there is none left to lift)', () => {
    const address = lockedAddress();
    address.clock.advance(10 * MINUTE);
    expect(address.limits.lift('address', '192.0.2.1')).toBe(false);
    const account = lockedAccount();
    account.clock.advance(10 * MINUTE);
    expect(account.limits.lift('account', 'ann')).toBe(false);
  });

  it('a lifted address starts with no failures: it takes the full five minutes of failures to lock it again', () => {
    const { clock, limits } = throttle(1, 10 * MINUTE);
    for (let i = 0; i < 5; i++) {
      fail(limits, '192.0.2.1', `user${i}`);
      clock.advance(MINUTE);
    }
    expect(limits.lift('address', '192.0.2.1')).toBe(true);
    for (let i = 0; i < 4; i++) {
      fail(limits, '192.0.2.1', `again${i}`);
      clock.advance(MINUTE);
    }
    expect(limits.locks()).toEqual([]);
    fail(limits, '192.0.2.1', 'again4');
    expect(limits.locks()).toMatchObject([{ kind: 'address', subject: '192.0.2.1', failures: 5 }]);
  });

  it('a successful check gives back only the token it took, never refilling the allowance', () => {
    const { limits } = throttle(3);
    fail(limits, '192.0.2.1', 'a');
    fail(limits, '192.0.2.1', 'b');
    reserved(limits.begin('192.0.2.1', 'c')).succeeded();
    fail(limits, '192.0.2.1', 'd');
    expect(limits.begin('192.0.2.1', 'e')).toMatchObject({ kind: 'address', reason: 'backoff' });
  });
});

describe('what the limits remember', () => {
  it('prune() forgets an address and an account with nothing left to count, and keeps the rest', () => {
    const { clock, limits } = throttle(2, 10 * MINUTE);
    expect(limits.tracked()).toEqual({ addresses: 0, accounts: 0 });
    // Idle after a success: forgotten.
    reserved(limits.begin('192.0.2.1', 'idle')).succeeded();
    // A check still in flight: kept, even once its address's token has refilled.
    const inFlight = reserved(limits.begin('192.0.2.2', 'busy'));
    // One failure, not locked: kept (address and account).
    fail(limits, '192.0.2.3', 'failing');
    clock.advance(MINUTE);
    limits.prune();
    expect(limits.tracked()).toEqual({ addresses: 2, accounts: 2 });
    inFlight.abandoned();
    limits.prune();
    expect(limits.tracked()).toEqual({ addresses: 1, accounts: 1 });
    // Once the failure is a lock period old, nothing is left.
    clock.advance(9 * MINUTE);
    limits.prune();
    expect(limits.tracked()).toEqual({ addresses: 0, accounts: 0 });
  });

  it('keeps an address whose allowance is still refilling, and forgets it once full', () => {
    const { clock, limits } = throttle(2, 10 * MINUTE);
    reserved(limits.begin('192.0.2.1', 'a')).failed();
    clock.advance(10 * MINUTE);
    // The failure is forgotten, the token back: nothing left.
    reserved(limits.begin('192.0.2.1', 'b')).succeeded();
    reserved(limits.begin('192.0.2.1', 'c')).failed();
    clock.advance(10 * MINUTE - 1);
    limits.prune();
    expect(limits.tracked().addresses).toBe(1);
    clock.advance(1);
    limits.prune();
    expect(limits.tracked().addresses).toBe(0);
  });

  it('keeps a lock until it ends and forgets it at that instant', () => {
    for (const { clock, limits } of [lockedAddress(), lockedAccount()]) {
      clock.advance(10 * MINUTE - 1);
      limits.prune();
      expect(limits.tracked().addresses + limits.tracked().accounts).toBeGreaterThan(0);
      clock.advance(1);
      limits.prune();
      // The last failure is exactly a lock period old and the lock ends now: all forgotten.
      expect(limits.tracked()).toEqual({ addresses: 0, accounts: 0 });
    }
  });

  it('the lock list prunes as it reads', () => {
    const { limits } = throttle(5);
    reserved(limits.begin('192.0.2.1', 'ann')).succeeded();
    expect(limits.locks()).toEqual([]);
    expect(limits.tracked()).toEqual({ addresses: 0, accounts: 0 });
  });

  it('remembers at most 100,000 addresses and accounts: beyond that the oldest are dropped to 90,000', () => {
    const { limits } = throttle(5);
    const pending: LoginAttempt[] = [];
    // Checks held in flight, so prune() can forget none of them.
    for (let i = 0; i < 100_000; i++) pending.push(reserved(limits.begin(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, `user${i}`)));
    expect(limits.tracked()).toEqual({ addresses: 100_000, accounts: 100_000 });
    pending.push(reserved(limits.begin('192.0.2.1', 'newest')));
    expect(limits.tracked()).toEqual({ addresses: 90_000, accounts: 90_000 });
    // The newest stays, the oldest went: its check settling changes nothing remembered.
    pending[0]!.failed();
    expect(limits.tracked()).toEqual({ addresses: 90_000, accounts: 90_000 });
  });
});
