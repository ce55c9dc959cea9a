// The account, telephony and sample routes send what their response schemas declare
// (server/api/account-responses.ts, telephony-responses.ts, moderation-responses.ts): a handler that
// returns a whole stored row still sends only the declared fields, at every depth.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Login, type TestApp } from '../../support/test-app.js';

let t: TestApp;
let admin: Login;
let candidate: Login;
beforeAll(async () => {
  t = await createTestApp();
  admin = await t.loginAs('admin');
  candidate = await t.loginAs('candidate');
});
afterAll(async () => {
  await t.close();
});

const get = (who: Login, url: string) => t.app.inject({ method: 'GET', url, headers: { cookie: who.cookie } });
const keys = (o: object) => Object.keys(o).sort();

describe('response schemas outside the attempt scope', () => {
  it('a centre is sent as its view: the stored row’s creation time stays behind', async () => {
    // The repository's centre has createdAt; the wire type (CentreView) does not.
    expect(t.repos.centres.list()[0]).toHaveProperty('createdAt');
    const res = await get(admin, '/api/centres');
    expect(res.statusCode, res.body).toBe(200);
    for (const centre of res.json<{ centres: object[] }>().centres) {
      expect(keys(centre)).toEqual(['appealWindowDays', 'centreNumber', 'id', 'isDemo', 'maxRetakes', 'name', 'overrunPolicy', 'releaseRule']);
    }
  });

  it('a user account carries no password hash, at any depth', async () => {
    const res = await get(admin, '/api/users');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.body).not.toMatch(/passwordHash|scrypt/);
    for (const user of res.json<{ users: object[] }>().users) {
      expect(keys(user)).toEqual(['candidateNumber', 'centreId', 'createdAt', 'disabled', 'displayName', 'extension', 'id', 'mustChangePassword', 'role', 'updatedAt', 'username']);
    }
  });

  it('the session says who is logged in and nothing more', async () => {
    const res = await get(candidate, '/api/auth/session');
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<{ user: object }>();
    expect(keys(body)).toEqual(['csrfToken', 'expiresAt', 'user']);
    expect(keys(body.user)).toEqual(['centreId', 'centreIsDemo', 'centreName', 'displayName', 'id', 'mustChangePassword', 'role', 'username']);
  });
});
