// A SIP connection is bound to the login session whose credentials it authenticated with
// (SECURITY.md, finding "a SIP connection outlives the logout of the session that issued its
// credentials"): that session's logout closes it, and once that session has ended the connection
// may not place calls, whatever other session of the same user is still live.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../../server/auth/sessions.js';
import { RawSipClient, rawRequest, registerRaw, startUa, type TestUa } from '../../support/sip-clients.js';
import { createTestApp, type Login, type TestApp } from '../../support/test-app.js';
import { until } from '../../support/until.js';

let t: TestApp;
const uas: TestUa[] = [];
beforeAll(async () => {
  t = await createTestApp({ telephony: {} });
});
afterAll(async () => {
  for (const u of uas) await u.stop();
  await t.close();
});

async function credentialsOf(s: Login): Promise<{ extension: string; password: string }> {
  const res = await t.app.inject({ method: 'POST', url: '/api/sip/credentials', headers: { cookie: s.cookie, 'x-csrf-token': s.csrf } });
  expect(res.statusCode).toBe(200);
  return res.json<{ extension: string; password: string }>();
}

const sessionHashOf = (s: Login): string => hashToken(decodeURIComponent(s.cookie.split('=')[1]!));

describe('SIP connections bound to their login session', () => {
  it('logging out the session that issued the credentials closes its SIP connection, while another session of the same user keeps its own', async () => {
    const first = await t.login('assessor1');
    const second = await t.login('assessor1');
    const ua1 = await startUa({ wsUrl: t.wsUrl, ...(await credentialsOf(first)) });
    const ua2 = await startUa({ wsUrl: t.wsUrl, ...(await credentialsOf(second)) });
    uas.push(ua1, ua2);
    await ua1.register();
    await ua2.register();
    const logout = await t.app.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie: first.cookie, 'x-csrf-token': first.csrf } });
    expect(logout.statusCode).toBe(204);
    await until(() => !ua1.ua.isConnected());
    // The other session's phone is untouched and still reachable.
    expect(ua2.ua.isConnected()).toBe(true);
    expect(t.app.telephony!.sip.registrar.isRegistered(String(1000 + t.users.assessor))).toBe(true);
  });

  it('a connection whose session has ended may not INVITE, even while another session of the user is live', async () => {
    const first = await t.login('candidate1');
    const second = await t.login('candidate1');
    await credentialsOf(second);
    const creds = await credentialsOf(first);
    const c = await RawSipClient.connect(t.wsUrl);
    await registerRaw(c, creds.extension, creds.password);
    // The first session ends without a logout (it expired, or was deleted): the second is live.
    t.repos.sessions.delete(sessionHashOf(first));
    c.send(rawRequest('INVITE', { from: creds.extension, to: '1999', uri: 'sip:1999@callmark.local', headers: { 'Content-Type': 'application/sdp' }, body: 'v=0\r\n' }));
    const refused = await c.expectResponse(403);
    expect(refused.split('\r\n')[0]).toMatch(/login session has ended/);
    expect((await c.waitClosed()).code).toBe(1008);
  });

  it('a connection whose session expires without a logout is closed at the next check', async () => {
    const s = await t.login('candidate1');
    const creds = await credentialsOf(s);
    const c = await RawSipClient.connect(t.wsUrl);
    await registerRaw(c, creds.extension, creds.password);
    t.repos.sessions.delete(sessionHashOf(s));
    // The check runs every minute on the server's clock.
    t.clock.advance(60_000);
    const closed = await c.waitClosed(2000);
    expect(closed).toEqual({ code: 1008, reason: 'login session ended' });
  });
});

