// The API rate limit: per login session (so one busy user cannot starve the rest of a centre
// behind the same NAT address), per address before login, 429 in words, nothing else limited.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../support/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ apiRateLimitPerMinute: 5 });
});
afterAll(async () => {
  await t.close();
});

describe('API rate limit', () => {
  it('answers 429 with a message after the limit, per session, and leaves other sessions alone', async () => {
    const a = await t.loginAs('assessor');
    const b = await t.loginAs('candidate');
    const get = (cookie: string) => t.app.inject({ method: 'GET', url: '/api/auth/session', headers: { cookie } });
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await get(a.cookie)).statusCode);
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    const limited = await get(a.cookie);
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({ error: 'rate_limited', message: expect.stringMatching(/.+/) });
    expect((await get(b.cookie)).statusCode).toBe(200);
    // Not the API: not limited.
    expect((await t.app.inject({ method: 'GET', url: '/healthz' })).statusCode).not.toBe(429);
  });

  it('counts requests with a made-up session cookie against the address: a fresh random cookie per request buys no fresh bucket', async () => {
    const from = '198.51.100.77';
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      const res = await t.app.inject({ method: 'GET', url: '/api/auth/session', remoteAddress: from, headers: { cookie: `callmark_session=random-${i}-${Math.random()}` } });
      statuses.push(res.statusCode);
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5)).toEqual([429, 429]);
  });
});
