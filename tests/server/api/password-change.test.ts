// Self-service password change (POST /api/auth/password) and the forced change of a password an
// administrator set: the account can do nothing else until its owner has chosen their own.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, PASSWORD, type Login, type TestApp } from '../../support/test-app.js';

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(async () => {
  await t.close();
});

const headers = (l: Login) => ({ cookie: l.cookie, 'x-csrf-token': l.csrf });
const change = (l: Login, payload: object, remoteAddress?: string) =>
  t.app.inject({ method: 'POST', url: '/api/auth/password', headers: headers(l), payload, ...(remoteAddress ? { remoteAddress } : {}) });
const get = (l: Login, url: string) => t.app.inject({ method: 'GET', url, headers: headers(l) });
const NEW = 'a-brand-new-password';

describe('changing your own password', () => {
  it('needs the current password: a wrong one is refused on its field and changes nothing', async () => {
    const me = await t.loginAs('assessor');
    const res = await change(me, { currentPassword: 'not-my-password', newPassword: NEW });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json()).toMatchObject({ error: 'wrong_password', field: 'currentPassword' });
    await t.login('assessor1', PASSWORD);
    await expect(t.login('assessor1', NEW)).rejects.toThrow(/401/);
  });

  it('applies the password rules (length) and refuses the current password again', async () => {
    const me = await t.loginAs('assessor');
    const short = await change(me, { currentPassword: PASSWORD, newPassword: 'short' });
    expect(short.statusCode).toBe(400);
    expect(short.json()).toMatchObject({ field: 'newPassword' });
    expect(short.json().message).toMatch(/10 characters/);
    const same = await change(me, { currentPassword: PASSWORD, newPassword: PASSWORD });
    expect(same.statusCode).toBe(400);
    expect(same.json()).toMatchObject({ error: 'same_password', field: 'newPassword' });
    await t.login('assessor1', PASSWORD);
  });

  it('stores the new password as an scrypt hash, ends the account’s other sessions, keeps this one and audits the change', async () => {
    const elsewhere = await t.loginAs('candidate');
    const me = await t.loginAs('candidate');
    const other = await t.loginAs('assessor');
    const res = await change(me, { currentPassword: PASSWORD, newPassword: NEW });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().user).toMatchObject({ username: 'candidate1', mustChangePassword: false });
    expect(JSON.stringify(res.json())).not.toContain(NEW);
    // The other device's session of this account has ended; this one and other accounts' go on.
    expect((await get(elsewhere, '/api/auth/session')).statusCode).toBe(401);
    expect((await get(me, '/api/auth/session')).statusCode).toBe(200);
    expect((await get(other, '/api/auth/session')).statusCode).toBe(200);
    const stored = t.repos.users.findByUsernameWithHash('candidate1')!.passwordHash;
    expect(stored).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(stored).not.toContain(NEW);
    await expect(t.login('candidate1', PASSWORD)).rejects.toThrow(/401/);
    await t.login('candidate1', NEW);
    const audit = t.repos.auditLog.forSubject('user', t.users.candidate, 'password-changed');
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorUserId: t.users.candidate, actorRole: 'candidate', centreId: t.centreId, after: { otherSessionsEnded: 1 } });
    expect(JSON.stringify(audit[0])).not.toMatch(/scrypt|brand-new/);
  });

  it('counts wrong current passwords against the login limit of the account', async () => {
    const limited = await createTestApp({ loginRateLimitPerMinute: 3 });
    try {
      const me = await limited.loginAs('moderator');
      const codes: number[] = [];
      for (let i = 0; i < 5; i++) {
        const res = await limited.app.inject({ method: 'POST', url: '/api/auth/password', headers: headers(me), payload: { currentPassword: `guess-number-${i}`, newPassword: NEW } });
        codes.push(res.statusCode);
      }
      expect(codes.slice(0, 3)).toEqual([400, 400, 400]);
      expect(codes.slice(3)).toEqual([429, 429]);
      // Even the right password is refused while the limit holds: guessing gains nothing.
      const right = await limited.app.inject({ method: 'POST', url: '/api/auth/password', headers: headers(me), payload: { currentPassword: PASSWORD, newPassword: NEW } });
      expect(right.statusCode).toBe(429);
    } finally {
      await limited.close();
    }
  });

  it('needs a login and the CSRF token', async () => {
    expect((await t.app.inject({ method: 'POST', url: '/api/auth/password', payload: { currentPassword: PASSWORD, newPassword: NEW } })).statusCode).toBe(401);
    const me = await t.loginAs('assessor');
    const noToken = await t.app.inject({ method: 'POST', url: '/api/auth/password', headers: { cookie: me.cookie }, payload: { currentPassword: PASSWORD, newPassword: NEW } });
    expect(noToken.statusCode).toBe(403);
    await t.login('assessor1', PASSWORD);
  });
});

describe('a password an administrator set', () => {
  const adminPost = async (url: string, payload: object) => {
    const admin = await t.loginAs('admin');
    return t.app.inject({ method: 'POST', url, headers: headers(admin), payload });
  };

  it('must be changed at the first login: every other route is refused with a clear error until then', async () => {
    const made = await adminPost('/api/users', { username: 'newstarter', displayName: 'New Starter', role: 'assessor', centreId: t.centreId });
    expect(made.statusCode, made.body).toBe(201);
    const temporary = made.json().password as string;
    const login = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'newstarter', password: temporary } });
    expect(login.statusCode).toBe(200);
    expect(login.json().user.mustChangePassword).toBe(true);
    const me = await t.login('newstarter', temporary);

    for (const [method, url] of [
      ['GET', '/api/sittings'],
      ['POST', '/api/sittings'],
      ['GET', '/api/scenarios'],
      ['GET', '/api/results.csv'],
    ] as const) {
      const res = await t.app.inject({ method, url, headers: headers(me), ...(method === 'POST' ? { payload: {} } : {}) });
      expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(403);
      expect(res.json()).toEqual({ error: 'password_change_required', message: 'Choose a new password before you go on: the one you were given is for your first login only.' });
    }
    // What the page needs to show the change form and to leave still works.
    expect((await get(me, '/api/auth/session')).json().user.mustChangePassword).toBe(true);
    expect((await get(me, '/api/auth/status')).statusCode).toBe(200);

    const changed = await change(me, { currentPassword: temporary, newPassword: NEW });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json().user.mustChangePassword).toBe(false);
    expect((await get(me, '/api/sittings')).statusCode).toBe(200);
    expect(t.repos.users.findById(made.json().user.id)!.mustChangePassword).toBe(false);
  });

  it('applies to a password the administrator chose, and to a reset', async () => {
    const made = await adminPost('/api/users', { username: 'chosenone', displayName: 'Chosen', role: 'moderator', password: 'admin-chosen-password' });
    expect(made.json().user.mustChangePassword).toBe(true);
    const chosen = await t.login('chosenone', 'admin-chosen-password');
    expect((await get(chosen, '/api/moderation/sample')).json()).toMatchObject({ error: 'password_change_required' });

    const reset = await adminPost(`/api/users/${t.users.candidate}/password`, {});
    const candidate = await t.login('candidate1', reset.json().password as string);
    expect((await get(candidate, '/api/sittings')).json()).toMatchObject({ error: 'password_change_required' });
  });

  it('can be left by logging out', async () => {
    const made = await adminPost('/api/users', { username: 'leaver', displayName: 'Leaver', role: 'candidate', centreId: t.centreId });
    const me = await t.login('leaver', made.json().password as string);
    const out = await t.app.inject({ method: 'POST', url: '/api/auth/logout', headers: headers(me) });
    expect(out.statusCode).toBe(204);
  });
});
