// Bad input gets a clear 4xx naming the problem, and nothing is written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Login, type TestApp } from '../../support/test-app.js';

let t: TestApp;
let admin: Login;
beforeAll(async () => {
  t = await createTestApp();
  admin = await t.loginAs('admin');
});
afterAll(async () => {
  await t.close();
});

const counts = () => ({ users: t.repos.users.count(), centres: t.repos.centres.list().length });

async function postUsers(payload: string, contentType = 'application/json') {
  return t.app.inject({
    method: 'POST',
    url: '/api/users',
    headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrf, 'content-type': contentType },
    payload,
  });
}

describe('input validation', () => {
  it('malformed JSON → 400 invalid_json', async () => {
    const before = counts();
    const res = await postUsers('{"username": "abc", ');
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe('invalid_json');
    expect(counts()).toEqual(before);
  });

  it('missing field → 400 naming the field', async () => {
    const before = counts();
    const res = await postUsers(JSON.stringify({ username: 'newuser', role: 'candidate', centreId: t.centreId }));
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'validation', field: 'displayName' });
    expect(res.json().message).toContain('displayName');
    expect(counts()).toEqual(before);
  });

  it('wrong type → 400 naming the field (no silent coercion)', async () => {
    const res = await postUsers(JSON.stringify({ username: 'newuser', displayName: 'N', role: 'candidate', centreId: String(t.centreId) }));
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'validation', field: 'centreId' });
  });

  it('unknown role → 400 naming the field', async () => {
    const res = await postUsers(JSON.stringify({ username: 'newuser', displayName: 'N', role: 'superuser' }));
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'validation', field: 'role' });
  });

  it('unexpected extra field → 400 naming it', async () => {
    const res = await postUsers(JSON.stringify({ username: 'newuser', displayName: 'N', role: 'moderator', isAdmin: true }));
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'validation', field: 'isAdmin' });
  });

  it('candidate without a centre → 400 on centreId', async () => {
    const before = counts();
    const res = await postUsers(JSON.stringify({ username: 'newuser', displayName: 'N', role: 'candidate' }));
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'validation', field: 'centreId' });
    expect(counts()).toEqual(before);
  });

  it('oversized body → 413 and nothing written', async () => {
    const before = counts();
    const res = await postUsers(JSON.stringify({ username: 'big', displayName: 'x'.repeat(100_000), role: 'moderator' }));
    expect(res.statusCode).toBe(413);
    expect(res.json().error).toBe('body_too_large');
    expect(counts()).toEqual(before);
  });

  it('wrong content type → 415', async () => {
    const res = await postUsers('username=a', 'application/x-www-form-urlencoded');
    expect(res.statusCode).toBe(415);
  });

  it('bad path parameter → 400', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/users/abc/disabled',
      headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrf },
      payload: { disabled: true },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe('validation');
  });

  it('unknown API route → 404 JSON', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/nope' });
    expect(res.statusCode).toBe(404);
    expect(res.json().error).toBe('not_found');
  });

  it('login with a wrong type → 400 naming the field', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin1', password: 12345 } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'validation', field: 'password' });
  });
});

describe('security headers', () => {
  it('every response carries a Content-Security-Policy and the usual protections', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/healthz' });
    expect(res.headers['content-security-policy']).toMatch(/default-src 'self'/);
    expect(res.headers['content-security-policy']).toMatch(/script-src 'self'(;|$)/);
    expect(res.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
  });

  it('lets the page connect only to its own host: connect-src names no other host, and WebSockets only to this one', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/healthz', headers: { host: 'callmark.example.org:8443' } });
    const connect = /connect-src ([^;]*)/.exec(res.headers['content-security-policy'] as string)![1]!.split(' ');
    expect(connect).toEqual(["'self'", 'wss://callmark.example.org:8443', 'ws://callmark.example.org:8443']);
    // A Host that is not a host name gives no WebSocket source at all, not a broken policy.
    const odd = await t.app.inject({ method: 'GET', url: '/healthz', headers: { host: 'bad host;script-src *' } });
    expect(/connect-src ([^;]*)/.exec(odd.headers['content-security-policy'] as string)![1]).toBe("'self'");
  });
});

