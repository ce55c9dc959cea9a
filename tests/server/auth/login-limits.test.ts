// Login limits (SECURITY.md, finding "login rate limit bypass"): per client address and per
// account, whatever cookie is sent; back-off, then a temporary lock an admin can lift.
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, PASSWORD, type TestApp } from '../../support/test-app.js';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const randomCookie = () => `callmark_session=${randomBytes(32).toString('base64url')}`;

async function login(app: TestApp, username: string, password: string, opts: { cookie?: string; from?: string } = {}) {
  return app.app.inject({
    method: 'POST',
    url: '/api/auth/login',
    remoteAddress: opts.from ?? '127.0.0.1',
    headers: opts.cookie ? { cookie: opts.cookie } : {},
    payload: { username, password },
  });
}

describe('login limit per client address', () => {
  it('a flood of wrong passwords, each with a fresh random session cookie, gets 429 after the limit, and then even the right password waits', async () => {
    t = await createTestApp({ loginRateLimitPerMinute: 10 });
    const statuses: number[] = [];
    // A different account each time, so only the address limit can stop it.
    for (let i = 0; i < 12; i++) statuses.push((await login(t, i % 2 ? 'assessor1' : 'candidate1', `wrong-${i}`, { cookie: randomCookie() })).statusCode);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses.slice(10)).toEqual([429, 429]);
    const right = await login(t, 'admin1', PASSWORD, { cookie: randomCookie() });
    expect(right.statusCode).toBe(429);
    expect(right.json()).toMatchObject({ error: 'rate_limited', message: expect.stringMatching(/too many failed logins/i) });
    expect(Number(right.headers['retry-after'])).toBeGreaterThan(0);
    // Another address is not affected.
    expect((await login(t, 'admin1', PASSWORD, { from: '192.0.2.44' })).statusCode).toBe(200);
    // The limit refills: a minute later the address may try again.
    t.clock.advance(61_000);
    expect((await login(t, 'admin1', PASSWORD)).statusCode).toBe(200);
  });

  it('successful logins from one address (a centre behind one NAT) do not count', async () => {
    t = await createTestApp({ loginRateLimitPerMinute: 3 });
    for (let i = 0; i < 20; i++) expect((await login(t, 'candidate1', PASSWORD)).statusCode).toBe(200);
  });

  it('an address that keeps failing at the limit is locked, and an admin can lift the lock', async () => {
    t = await createTestApp({ loginRateLimitPerMinute: 5 });
    const attacker = '198.51.100.9';
    let failures = 0;
    // Sustained guessing at the allowed rate: 5 a minute.
    for (let minute = 0; minute < 10; minute++) {
      for (let i = 0; i < 5; i++) if ((await login(t, `nobody${minute}-${i}`, 'guess', { from: attacker })).statusCode === 401) failures++;
      t.clock.advance(61_000);
    }
    expect(failures).toBeLessThan(50);
    const locked = await login(t, 'candidate1', PASSWORD, { from: attacker });
    expect(locked.statusCode).toBe(429);
    const admin = await t.loginAs('admin');
    const list = await t.app.inject({ method: 'GET', url: '/api/login-locks', headers: { cookie: admin.cookie } });
    expect(list.statusCode).toBe(200);
    const lock = list.json<{ locks: Array<{ kind: string; subject: string; failures: number; lockedUntil: number }> }>().locks.find((l) => l.subject === attacker);
    expect(lock).toMatchObject({ kind: 'address', subject: attacker });
    expect(lock!.lockedUntil).toBeGreaterThan(t.clock.now());
    const lift = await t.app.inject({
      method: 'POST',
      url: '/api/login-locks/lift',
      headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrf },
      payload: { kind: 'address', subject: attacker },
    });
    expect(lift.statusCode).toBe(200);
    expect((await login(t, 'candidate1', PASSWORD, { from: attacker })).statusCode).toBe(200);
  });
});

describe('login limit per account', () => {
  it('backs off after a few wrong passwords from any address, then locks the account until an admin lifts it', async () => {
    t = await createTestApp({ loginRateLimitPerMinute: 1000 });
    // Every guess from a new address: the account limit alone must hold.
    let n = 0;
    const from = () => `203.0.113.${++n}`;
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await login(t, 'assessor1', `wrong-${i}`, { from: from() })).statusCode);
    expect(statuses).toEqual([401, 401, 401, 401, 401]);
    // Back-off: the next try at once is refused without checking the password.
    const backoff = await login(t, 'assessor1', PASSWORD, { from: from() });
    expect(backoff.statusCode).toBe(429);
    expect(Number(backoff.headers['retry-after'])).toBeGreaterThan(0);
    // Waiting out each back-off, the guesses go on until the lock.
    let failures = 5;
    let isLocked = false;
    for (let i = 0; i < 40 && !isLocked; i++) {
      const res = await login(t, 'assessor1', `wrong-again-${i}`, { from: from() });
      if (res.statusCode === 401) {
        failures++;
        continue;
      }
      expect(res.statusCode).toBe(429);
      if (/locked/i.test(res.json().message)) isLocked = true;
      else t.clock.advance(Number(res.headers['retry-after']) * 1000);
    }
    expect(isLocked).toBe(true);
    expect(failures).toBeLessThanOrEqual(10);
    // Locked: the right password is refused too, and stays refused for a while.
    t.clock.advance(5 * 60_000);
    const locked = await login(t, 'assessor1', PASSWORD, { from: from() });
    expect(locked.statusCode).toBe(429);
    expect(locked.json().message).toMatch(/locked/i);
    // An unknown username behaves exactly the same (the answer does not tell which accounts exist).
    for (let i = 0; i < 5; i++) await login(t, 'no-such-user', `wrong-${i}`, { from: from() });
    expect((await login(t, 'no-such-user', 'x', { from: from() })).statusCode).toBe(429);
    // Other accounts are not affected.
    expect((await login(t, 'candidate1', PASSWORD, { from: from() })).statusCode).toBe(200);
    // The admin sees the locked account and lifts the lock.
    const admin = await t.loginAs('admin');
    const list = (await t.app.inject({ method: 'GET', url: '/api/login-locks', headers: { cookie: admin.cookie } })).json<{ locks: Array<{ kind: string; subject: string; userId: number | null }> }>();
    expect(list.locks).toContainEqual(expect.objectContaining({ kind: 'account', subject: 'assessor1', userId: t.users.assessor }));
    const lift = await t.app.inject({
      method: 'POST',
      url: '/api/login-locks/lift',
      headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrf },
      payload: { kind: 'account', subject: 'assessor1' },
    });
    expect(lift.statusCode).toBe(200);
    expect((await login(t, 'assessor1', PASSWORD, { from: from() })).statusCode).toBe(200);
  });

  it('a successful login clears the account\'s failures', async () => {
    t = await createTestApp({ loginRateLimitPerMinute: 1000 });
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 4; i++) expect((await login(t, 'candidate1', 'wrong')).statusCode).toBe(401);
      expect((await login(t, 'candidate1', PASSWORD)).statusCode).toBe(200);
    }
  });

  it('only admins may list or lift login locks', async () => {
    t = await createTestApp();
    for (const role of ['candidate', 'assessor', 'moderator'] as const) {
      const s = await t.loginAs(role);
      expect((await t.app.inject({ method: 'GET', url: '/api/login-locks', headers: { cookie: s.cookie } })).statusCode).toBe(403);
      const lift = await t.app.inject({ method: 'POST', url: '/api/login-locks/lift', headers: { cookie: s.cookie, 'x-csrf-token': s.csrf }, payload: { kind: 'account', subject: 'admin1' } });
      expect(lift.statusCode).toBe(403);
    }
  });
});
