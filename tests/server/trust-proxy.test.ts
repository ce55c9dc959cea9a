// Behind a TLS-terminating reverse proxy (SECURITY.md, finding "behind a TLS proxy is unsafe"):
// with CALLMARK_TRUST_PROXY naming the proxy, the client address comes from X-Forwarded-For and
// the scheme from X-Forwarded-Proto, but only when the proxy itself sent them; anyone else's
// forwarding headers are ignored. Cookies are Secure and HSTS is sent when the proxy says HTTPS.
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createTestApp, PASSWORD, type TestApp } from '../support/test-app.js';
import { until } from '../support/until.js';

const PROXY = '10.0.0.1';
let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

function login(a: TestApp, username: string, password: string, from: string, headers: Record<string, string> = {}) {
  return a.app.inject({ method: 'POST', url: '/api/auth/login', remoteAddress: from, headers, payload: { username, password } });
}

async function failTen(a: TestApp, from: string, headers: Record<string, string>): Promise<void> {
  for (let i = 0; i < 10; i++) expect((await login(a, `nobody${i}`, 'wrong', from, headers)).statusCode).toBe(401);
  expect((await login(a, 'nobody', 'wrong', from, headers)).statusCode).toBe(429);
}

describe('with CALLMARK_TRUST_PROXY', () => {
  it('counts failed logins per client behind the proxy, from the address the proxy appended', async () => {
    t = await createTestApp({ loginRateLimitPerMinute: 10, trustProxy: [PROXY] });
    // The attacker sends their own X-Forwarded-For; the proxy appends the address it saw.
    await failTen(t, PROXY, { 'x-forwarded-for': `192.0.2.200, 203.0.113.66` });
    // Another client behind the same proxy is not affected, nor is the forged address.
    expect((await login(t, 'candidate1', PASSWORD, PROXY, { 'x-forwarded-for': '203.0.113.67' })).statusCode).toBe(200);
    expect((await login(t, 'assessor1', PASSWORD, PROXY, { 'x-forwarded-for': '192.0.2.200' })).statusCode).toBe(200);
    expect((await login(t, 'admin1', PASSWORD, PROXY, { 'x-forwarded-for': '203.0.113.66' })).statusCode).toBe(429);
  });

  it('ignores forwarding headers from a peer that is not the proxy: spoofing them locks out only the spoofer', async () => {
    t = await createTestApp({ loginRateLimitPerMinute: 10, trustProxy: [PROXY] });
    const attacker = '198.51.100.7';
    await failTen(t, attacker, { 'x-forwarded-for': '203.0.113.67' });
    expect((await login(t, 'candidate1', PASSWORD, PROXY, { 'x-forwarded-for': '203.0.113.67' })).statusCode).toBe(200);
    // Nor does a spoofed X-Forwarded-Proto make cookies Secure or send HSTS.
    const direct = await login(t, 'assessor1', PASSWORD, '198.51.100.8', { 'x-forwarded-proto': 'https' });
    expect(direct.statusCode).toBe(200);
    expect(direct.cookies.find((c) => c.name === 'callmark_session')!.secure).toBeFalsy();
    expect(direct.headers['strict-transport-security']).toBeUndefined();
  });

  it('sets Secure cookies and HSTS when the proxy says it terminated TLS', async () => {
    t = await createTestApp({ trustProxy: [PROXY] });
    const res = await login(t, 'candidate1', PASSWORD, PROXY, { 'x-forwarded-for': '203.0.113.9', 'x-forwarded-proto': 'https' });
    expect(res.statusCode).toBe(200);
    expect(res.cookies.find((c) => c.name === 'callmark_session')!.secure).toBe(true);
    expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    const page = await t.app.inject({ method: 'GET', url: '/healthz', remoteAddress: PROXY, headers: { 'x-forwarded-proto': 'https' } });
    expect(page.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    const plain = await t.app.inject({ method: 'GET', url: '/healthz', remoteAddress: PROXY, headers: { 'x-forwarded-proto': 'http' } });
    expect(plain.headers['strict-transport-security']).toBeUndefined();
  });

  it('accepts CIDR ranges and counts SIP connections per forwarded client', async () => {
    t = await createTestApp({ trustProxy: ['127.0.0.0/8'], telephony: { maxPendingConnectionsPerIp: 1 } });
    const open = (client: string) =>
      new Promise<WebSocket>((resolve, reject) => {
        const ws = new WebSocket(t!.wsUrl, 'sip', { headers: { 'x-forwarded-for': client } });
        ws.once('open', () => resolve(ws));
        ws.once('error', reject);
      });
    const a = await open('203.0.113.10');
    const b = await open('203.0.113.11');
    let aClosed = false;
    let bClosed: number | undefined;
    a.on('close', () => (aClosed = true));
    b.on('close', (code) => (bClosed = code));
    await new Promise((r) => setTimeout(r, 200));
    // Two clients behind the proxy: each has its own waiting slot.
    expect(aClosed).toBe(false);
    expect(bClosed).toBeUndefined();
    // A second waiting connection from the same client takes that client's slot.
    const b2 = await open('203.0.113.11');
    await until(() => bClosed !== undefined);
    expect(bClosed).toBe(1013);
    expect(aClosed).toBe(false);
    a.terminate();
    b2.terminate();
  });
});

describe('without CALLMARK_TRUST_PROXY', () => {
  it('takes the client address from the connection, whatever X-Forwarded-For says', async () => {
    t = await createTestApp({ loginRateLimitPerMinute: 10 });
    await failTen(t, '198.51.100.20', { 'x-forwarded-for': '203.0.113.1' });
    // The forged address is not blocked; the connection's address is.
    expect((await login(t, 'candidate1', PASSWORD, '203.0.113.1')).statusCode).toBe(200);
    expect((await login(t, 'candidate1', PASSWORD, '198.51.100.20', { 'x-forwarded-for': '203.0.113.2' })).statusCode).toBe(429);
    const res = await login(t, 'assessor1', PASSWORD, '198.51.100.21', { 'x-forwarded-proto': 'https' });
    expect(res.cookies.find((c) => c.name === 'callmark_session')!.secure).toBeFalsy();
    expect(res.headers['strict-transport-security']).toBeUndefined();
  });
});
