import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type Login, type TestApp } from '../../support/test-app.js';

let t: TestApp;
let admin: Login;
beforeEach(async () => {
  t = await createTestApp();
  admin = await t.loginAs('admin');
});
afterEach(async () => {
  await t.close();
});

const post = (url: string, payload: object) =>
  t.app.inject({ method: 'POST', url, headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrf }, payload });

describe('user administration', () => {
  it('creates a user of each role in a centre, who can then log in', async () => {
    for (const role of ['candidate', 'assessor', 'moderator', 'admin'] as const) {
      const res = await post('/api/users', { username: `new-${role}`, displayName: `New ${role}`, role, centreId: t.centreId });
      expect(res.statusCode, res.body).toBe(201);
      const { user, password } = res.json();
      expect(user).toMatchObject({ username: `new-${role}`, role, centreId: t.centreId, disabled: false });
      expect(password).toMatch(/^[\w]{4}-/);
      const login = await t.login(`new-${role}`, password);
      expect(login.userId).toBe(user.id);
    }
  });

  it('uses a password chosen by the admin and does not echo it', async () => {
    const res = await post('/api/users', { username: 'chosen', displayName: 'Chosen', role: 'moderator', password: 'a-chosen-password' });
    expect(res.statusCode).toBe(201);
    expect(res.json().password).toBeUndefined();
    await t.login('chosen', 'a-chosen-password');
  });

  it('refuses a duplicate username with 409 on the field', async () => {
    const res = await post('/api/users', { username: 'CANDIDATE1', displayName: 'Dup', role: 'candidate', centreId: t.centreId });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ error: 'duplicate', field: 'username' });
  });

  it('refuses a centre that does not exist', async () => {
    const res = await post('/api/users', { username: 'ghost', displayName: 'G', role: 'assessor', centreId: 999 });
    expect(res.statusCode).toBe(400);
    expect(res.json().field).toBe('centreId');
  });

  it('resets a password: the old one stops working and the user is logged out', async () => {
    const cand = await t.loginAs('candidate');
    const res = await post(`/api/users/${t.users.candidate}/password`, {});
    expect(res.statusCode).toBe(200);
    const { password } = res.json();
    expect((await t.app.inject({ method: 'GET', url: '/api/auth/session', headers: { cookie: cand.cookie } })).statusCode).toBe(401);
    await expect(t.loginAs('candidate')).rejects.toThrow(/401/);
    await t.login('candidate1', password);
  });

  it('disables and re-enables a user', async () => {
    expect((await post(`/api/users/${t.users.assessor}/disabled`, { disabled: true })).json().user.disabled).toBe(true);
    await expect(t.loginAs('assessor')).rejects.toThrow(/401/);
    expect((await post(`/api/users/${t.users.assessor}/disabled`, { disabled: false })).json().user.disabled).toBe(false);
    await t.loginAs('assessor');
  });

  it('will not let an admin disable themself', async () => {
    const res = await post(`/api/users/${t.users.admin}/disabled`, { disabled: true });
    expect(res.statusCode).toBe(409);
    expect(t.repos.users.findById(t.users.admin)!.disabled).toBe(false);
  });

  it('answers 404 for an unknown user id', async () => {
    expect((await post('/api/users/424242/password', {})).statusCode).toBe(404);
  });

  it('creates centres and refuses duplicates', async () => {
    expect((await post('/api/centres', { name: 'Eastbrook Centre' })).statusCode).toBe(201);
    const dup = await post('/api/centres', { name: 'Eastbrook Centre' });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().field).toBe('name');
  });

  it('lists users filtered by centre', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/api/users?centreId=${t.foreignCentreId}`, headers: { cookie: admin.cookie } });
    expect(res.json().users.map((u: { username: string }) => u.username)).toEqual(['candidate2']);
  });
});
