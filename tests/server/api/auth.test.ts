import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, sessionCookie, type TestApp } from '../../support/test-app.js';

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(async () => {
  await t.close();
});

describe('login', () => {
  it('logs in, sets an httpOnly SameSite=Strict cookie and returns the user and a CSRF token', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'assessor1', password: 'correct-horse-battery' } });
    expect(res.statusCode).toBe(200);
    const cookie = res.cookies.find((c) => c.name === 'callmark_session')!;
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.sameSite).toBe('Strict');
    expect(cookie.secure).toBeFalsy();
    const body = res.json();
    expect(body.user).toMatchObject({ username: 'assessor1', role: 'assessor', centreName: 'Northgate College' });
    expect(body.csrfToken).toMatch(/^[\w-]{20,}$/);
    // No password or hash: the only mention is the flag saying whether one must be changed.
    expect(body.user.mustChangePassword).toBe(false);
    expect(JSON.stringify(body).replace('"mustChangePassword"', '')).not.toMatch(/password/i);
  });

  it('stores only a hash of the session token', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin1', password: 'correct-horse-battery' } });
    const token = res.cookies.find((c) => c.name === 'callmark_session')!.value;
    const rows = t.repos.db.prepare('SELECT token_hash FROM sessions').all() as Array<{ token_hash: string }>;
    expect(rows).toHaveLength(1);
    expect(rows[0]!.token_hash).not.toBe(token);
    expect(rows[0]!.token_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('gives the same answer for an unknown user, a wrong password and a disabled account', async () => {
    t.repos.users.setDisabled(t.users.moderator, true);
    const attempts = [
      { username: 'nobody', password: 'correct-horse-battery' },
      { username: 'assessor1', password: 'wrong-password' },
      { username: 'moderator1', password: 'correct-horse-battery' },
    ];
    const bodies = [];
    for (const payload of attempts) {
      const res = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload });
      expect(res.statusCode).toBe(401);
      expect(res.cookies.find((c) => c.name === 'callmark_session')).toBeUndefined();
      bodies.push(res.body);
    }
    expect(new Set(bodies).size).toBe(1);
    expect(JSON.parse(bodies[0]!)).toEqual({ error: 'invalid_credentials', message: 'Invalid username or password.' });
  });

  it('matches usernames case-insensitively', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'Assessor1', password: 'correct-horse-battery' } });
    expect(res.statusCode).toBe(200);
  });

  it('rate-limits repeated logins from one address', async () => {
    const limited = await createTestApp({ loginRateLimitPerMinute: 3 });
    try {
      const codes = [];
      for (let i = 0; i < 5; i++) {
        const res = await limited.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'x', password: 'y' } });
        codes.push(res.statusCode);
      }
      expect(codes).toEqual([401, 401, 401, 429, 429]);
      const res = await limited.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'x', password: 'y' } });
      expect(res.json()).toMatchObject({ error: 'rate_limited' });
    } finally {
      await limited.close();
    }
  });

  it('refuses a login posted from another site (Origin check)', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      headers: { origin: 'https://evil.example', host: 'localhost:8443' },
      payload: { username: 'admin1', password: 'correct-horse-battery' },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().error).toBe('bad_origin');
  });
});

describe('sessions', () => {
  it('returns the current session and ends it on logout', async () => {
    const s = await t.loginAs('candidate');
    const me = await t.app.inject({ method: 'GET', url: '/api/auth/session', headers: { cookie: s.cookie } });
    expect(me.statusCode).toBe(200);
    expect(me.json().user.role).toBe('candidate');
    const out = await t.app.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie: s.cookie, 'x-csrf-token': s.csrf } });
    expect(out.statusCode).toBe(204);
    const after = await t.app.inject({ method: 'GET', url: '/api/auth/session', headers: { cookie: s.cookie } });
    expect(after.statusCode).toBe(401);
  });

  it('expires after the idle period, and slides while in use', async () => {
    const s = await t.loginAs('candidate');
    t.clock.advance(50 * 60_000);
    expect((await t.app.inject({ method: 'GET', url: '/api/auth/session', headers: { cookie: s.cookie } })).statusCode).toBe(200);
    t.clock.advance(50 * 60_000); // 100 min after login, 50 after last use: still alive
    expect((await t.app.inject({ method: 'GET', url: '/api/auth/session', headers: { cookie: s.cookie } })).statusCode).toBe(200);
    t.clock.advance(61 * 60_000);
    const res = await t.app.inject({ method: 'GET', url: '/api/auth/session', headers: { cookie: s.cookie } });
    expect(res.statusCode).toBe(401);
    expect(t.repos.db.prepare('SELECT COUNT(*) AS n FROM sessions').get()).toEqual({ n: 0 });
  });

  it('expires at the maximum age even when in use', async () => {
    const s = await t.loginAs('assessor');
    for (let i = 0; i < 12; i++) {
      t.clock.advance(59 * 60_000);
      await t.app.inject({ method: 'GET', url: '/api/auth/session', headers: { cookie: s.cookie } });
    }
    t.clock.advance(20 * 60_000); // 12 h 8 min after login
    expect((await t.app.inject({ method: 'GET', url: '/api/auth/session', headers: { cookie: s.cookie } })).statusCode).toBe(401);
  });

  it('locks a disabled user out at once, mid-session', async () => {
    const admin = await t.loginAs('admin');
    const cand = await t.loginAs('candidate');
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/users/${t.users.candidate}/disabled`,
      headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrf },
      payload: { disabled: true },
    });
    expect(res.statusCode).toBe(200);
    const me = await t.app.inject({ method: 'GET', url: '/api/auth/session', headers: { cookie: cand.cookie } });
    expect(me.statusCode).toBe(401);
  });

  it('refuses a state-changing request without the CSRF token', async () => {
    const admin = await t.loginAs('admin');
    const before = t.repos.centres.list().length;
    const missing = await t.app.inject({ method: 'POST', url: '/api/centres', headers: { cookie: admin.cookie }, payload: { name: 'New Centre' } });
    expect(missing.statusCode).toBe(403);
    expect(missing.json().error).toBe('csrf');
    const wrong = await t.app.inject({ method: 'POST', url: '/api/centres', headers: { cookie: admin.cookie, 'x-csrf-token': 'forged' }, payload: { name: 'New Centre' } });
    expect(wrong.statusCode).toBe(403);
    expect(t.repos.centres.list().length).toBe(before);
  });

  it('ignores a forged or unknown cookie', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/auth/session', headers: { cookie: 'callmark_session=forged' } });
    expect(res.statusCode).toBe(401);
  });

  it('replaces the old session when logging in again with a session cookie', async () => {
    const first = await t.loginAs('candidate');
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      headers: { cookie: first.cookie },
      payload: { username: 'candidate1', password: 'correct-horse-battery' },
    });
    expect(res.statusCode).toBe(200);
    expect(sessionCookie(res)).not.toBe(first.cookie);
    expect((await t.app.inject({ method: 'GET', url: '/api/auth/session', headers: { cookie: first.cookie } })).statusCode).toBe(401);
  });
});
