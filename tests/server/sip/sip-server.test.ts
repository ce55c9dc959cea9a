// The SIP-over-WebSocket server exercised by real sip.js user agents and by a raw client sending
// hand-made and malformed messages. No media here (see b2bua tests for calls).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../support/test-app.js';
import { RawSipClient, rawRequest, registerRaw, sendWithDigest, startUa, type TestUa } from '../../support/sip-clients.js';

let t: TestApp;
const uas: TestUa[] = [];
beforeAll(async () => {
  // A slow refill (one message per 5 s past the burst), so the flood test's OPTIONS still finds the
  // bucket empty on a loaded machine: at 5 per second a 200 ms pause let it through.
  t = await createTestApp({ telephony: { sipRate: { burst: 40, perSecond: 5 } } });
});
afterAll(async () => {
  for (const u of uas) await u.stop();
  await t.close();
});

async function ua(role: 'candidate' | 'assessor', password?: string): Promise<TestUa> {
  const creds = await t.sipCredentials(role);
  const u = await startUa({ wsUrl: t.wsUrl, extension: creds.extension, password: password ?? creds.password });
  uas.push(u);
  return u;
}

describe('registrar', () => {
  it('a sip.js UA registers with the credentials the API gives to its login session', async () => {
    const u = await ua('candidate');
    await u.register();
    const ext = String(1000 + t.users.candidate);
    expect(t.app.telephony!.sip.registrar.isRegistered(ext)).toBe(true);
    const admin = await t.loginAs('assessor');
    const dir = await t.app.inject({ method: 'GET', url: '/api/directory', headers: { cookie: admin.cookie } });
    expect(dir.json().entries).toContainEqual(expect.objectContaining({ extension: ext, registered: true, role: 'candidate' }));
    await u.stop();
    await new Promise((r) => setTimeout(r, 100));
    expect(t.app.telephony!.sip.registrar.isRegistered(ext)).toBe(false);
  });

  it('refuses a wrong password', async () => {
    const u = await ua('assessor', 'not-the-password');
    await expect(u.register()).rejects.toThrow(/REGISTER rejected (401|403)/);
  });

  it('credentials die with the login session (logout or disable)', async () => {
    const s = await t.login('assessor1');
    const creds = (await t.app.inject({ method: 'POST', url: '/api/sip/credentials', headers: { cookie: s.cookie, 'x-csrf-token': s.csrf } })).json();
    await t.app.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie: s.cookie, 'x-csrf-token': s.csrf } });
    const u = await startUa({ wsUrl: t.wsUrl, extension: creds.extension, password: creds.password });
    uas.push(u);
    await expect(u.register()).rejects.toThrow(/REGISTER rejected/);
  });

  it('disabling a user ends their registration and closes their SIP connection at once', async () => {
    const u = await ua('assessor');
    await u.register();
    const ext = String(1000 + t.users.assessor);
    expect(t.app.telephony!.sip.registrar.isRegistered(ext)).toBe(true);
    const admin = await t.loginAs('admin');
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/users/${t.users.assessor}/disabled`,
      headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrf },
      payload: { disabled: true },
    });
    expect(res.statusCode).toBe(200);
    expect(t.app.telephony!.sip.registrar.isRegistered(ext)).toBe(false);
    for (let i = 0; i < 100 && u.ua.isConnected(); i++) await new Promise((r) => setTimeout(r, 20));
    expect(u.ua.isConnected()).toBe(false);
    await t.app.inject({
      method: 'POST',
      url: `/api/users/${t.users.assessor}/disabled`,
      headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrf },
      payload: { disabled: false },
    });
  });

  it('logging out ends the phone connection of that login session (other sessions: session-binding.test.ts)', async () => {
    const s = await t.login('candidate1');
    const creds = (await t.app.inject({ method: 'POST', url: '/api/sip/credentials', headers: { cookie: s.cookie, 'x-csrf-token': s.csrf } })).json();
    const u = await startUa({ wsUrl: t.wsUrl, extension: creds.extension, password: creds.password });
    uas.push(u);
    await u.register();
    await t.app.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie: s.cookie, 'x-csrf-token': s.csrf } });
    for (let i = 0; i < 100 && u.ua.isConnected(); i++) await new Promise((r) => setTimeout(r, 20));
    expect(u.ua.isConnected()).toBe(false);
  });

  it('gives the same SIP password to every tab of one login session, and another to another session', async () => {
    const s = await t.login('assessor1');
    const get = async (x: { cookie: string; csrf: string }) =>
      (await t.app.inject({ method: 'POST', url: '/api/sip/credentials', headers: { cookie: x.cookie, 'x-csrf-token': x.csrf } })).json().password;
    const first = await get(s);
    expect(await get(s)).toBe(first);
    expect(await get(await t.login('assessor1'))).not.toBe(first);
  });

  it('only candidates and assessors get SIP credentials', async () => {
    for (const role of ['moderator', 'admin'] as const) {
      const s = await t.loginAs(role);
      const res = await t.app.inject({ method: 'POST', url: '/api/sip/credentials', headers: { cookie: s.cookie, 'x-csrf-token': s.csrf } });
      expect(res.statusCode).toBe(403);
    }
  });
});

describe('raw SIP over WebSocket', () => {
  it('refuses a WebSocket without the "sip" subprotocol', async () => {
    const c = await RawSipClient.connect(t.wsUrl, null);
    const closed = await c.waitClosed();
    expect(closed.code).toBe(1002);
    expect(closed.reason).toContain('subprotocol');
  });

  it('answers OPTIONS with 200 and Allow, and CRLF keep-alives with CRLF', async () => {
    const c = await RawSipClient.connect(t.wsUrl);
    c.send(rawRequest('OPTIONS'));
    const res = await c.expectResponse(200);
    expect(res).toMatch(/^Allow: .*INVITE.*REGISTER/m);
    c.send('\r\n\r\n');
    expect(await c.next()).toBe('\r\n');
    c.close();
  });

  it('challenges REGISTER with SHA-256 and MD5 digests', async () => {
    const c = await RawSipClient.connect(t.wsUrl);
    c.send(rawRequest('REGISTER', { headers: { Contact: '<sip:abc@x.invalid;transport=ws>' } }));
    const res = await c.expectResponse(401);
    expect(res).toMatch(/WWW-Authenticate: Digest realm="callmark.local", nonce="[^"]+", algorithm=SHA-256, qop="auth"/);
    expect(res).toMatch(/WWW-Authenticate: Digest .*algorithm=MD5/);
    c.close();
  });

  it('registers a client that answers the SHA-256 challenge (RFC 8760), and refuses a wrong SHA-256 response', async () => {
    const creds = await t.sipCredentials('candidate');
    const c = await RawSipClient.connect(t.wsUrl);
    await expect(registerRaw(c, creds.extension, 'not-the-password', 'callmark.local', 'SHA-256')).rejects.toThrow(/REGISTER refused: SIP\/2\.0 (401|403) /);
    expect(t.app.telephony!.sip.registrar.isRegistered(creds.extension)).toBe(false);
    await registerRaw(c, creds.extension, creds.password, 'callmark.local', 'SHA-256');
    expect(t.app.telephony!.sip.registrar.isRegistered(creds.extension)).toBe(true);
    c.close();
  });

  it('answers bad requests with the right status and stays up', async () => {
    const c = await RawSipClient.connect(t.wsUrl);
    c.send(rawRequest('FOO'));
    expect(await c.expectResponse(501)).toMatch(/^Allow: /m);
    c.send(rawRequest('SUBSCRIBE'));
    await c.expectResponse(405);
    c.send(rawRequest('OPTIONS', { headers: { 'Content-Length': '400' } }));
    expect(await c.expectResponse(400)).toMatch(/Warning: 399 callmark "Content-Length 400 exceeds/);
    c.send(rawRequest('OPTIONS', { headers: { 'Max-Forwards': null } }));
    await c.expectResponse(400);
    c.send(rawRequest('OPTIONS', { headers: { Require: 'foo' } }));
    expect(await c.expectResponse(420)).toMatch(/^Unsupported: foo/m);
    c.send(rawRequest('INVITE', { uri: 'sip:1001@callmark.local', to: '1001', headers: { 'Content-Type': 'application/sdp' }, body: 'v=0\r\n' }));
    await c.expectResponse(407);
    c.send(rawRequest('BYE', { headers: { To: '<sip:1@callmark.local>;tag=nope' } }));
    await c.expectResponse(503); // signalling-only server: no B2BUA, so nothing is in a dialog
    c.send('complete garbage\r\n\r\n');
    c.send('INVITE sip:x SIP/2.0\r\nVia: broken\r\n\r\n');
    c.send(rawRequest('OPTIONS'));
    await c.expectResponse(200);
    c.close();
  });

  it('answers an oversized message with 513 and keeps the connection', async () => {
    const c = await RawSipClient.connect(t.wsUrl);
    c.send(rawRequest('OPTIONS', { headers: { 'Content-Type': 'text/plain' }, body: 'x'.repeat(70 * 1024) }));
    await c.expectResponse(513);
    c.send(rawRequest('OPTIONS'));
    await c.expectResponse(200);
    c.close();
  });

  it('answers 400 to a request the parser refuses as a whole (e.g. an unterminated Contact)', async () => {
    const c = await RawSipClient.connect(t.wsUrl);
    c.send(rawRequest('REGISTER', { headers: { Contact: '<sip:abc@x.invalid', Expires: '0' } }));
    expect(await c.expectResponse(400)).toMatch(/^Warning: 399 callmark/m);
    c.close();
  });

  // Per-address caps (waiting and registered connections counted apart) and the registration
  // deadline: tests/server/sip/connection-limits.test.ts.

  it('answers a retransmitted request with the same response, without processing it again', async () => {
    const c = await RawSipClient.connect(t.wsUrl);
    const req = rawRequest('OPTIONS', { branch: 'z9hG4bKretransmit1' });
    c.send(req);
    const first = await c.expectResponse(200);
    c.send(req);
    const second = await c.expectResponse(200);
    expect(second).toBe(first);
    c.close();
  });

  it('rate-limits a flood of REGISTERs from one connection with 503 and Retry-After', async () => {
    // Its own app, refilling one token every 5 s on the server's clock, which only the test moves.
    const flood = await createTestApp({ telephony: { sipRate: { burst: 40, perSecond: 0.2 } } });
    try {
      const c = await RawSipClient.connect(flood.wsUrl);
      const statuses: string[] = [];
      for (let i = 0; i < 60; i++) c.send(rawRequest('REGISTER', { headers: { Contact: '<sip:abc@x.invalid;transport=ws>' } }));
      for (let i = 0; i < 60; i++) statuses.push((await c.next()).split(' ')[1]!);
      expect(statuses.filter((s) => s === '401')).toHaveLength(40);
      expect(statuses.filter((s) => s === '503')).toHaveLength(20);
      c.send(rawRequest('OPTIONS'));
      const after = await c.next();
      expect(after).toMatch(/^SIP\/2\.0 503 .*\r\n(.*\r\n)*Retry-After: 10/);
      // 5 s on (within the 10 s it has to register), one token has come back: the next request is answered.
      flood.clock.advance(5_000);
      c.send(rawRequest('OPTIONS'));
      expect((await c.next()).split(' ')[1]).toBe('200');
      c.send(rawRequest('OPTIONS'));
      expect((await c.next()).split(' ')[1]).toBe('503');
      c.close();
    } finally {
      await flood.close();
    }
  });
});

// RFC 3261 §10.2.2 and §10.3 (https://www.rfc-editor.org/rfc/rfc3261#section-10.3), with a raw
// SIP-over-WebSocket client that computes its own digest.
describe('REGISTER bindings (RFC 3261 §10.3)', () => {
  it('Contact: * with Expires: 0 removes every binding of the address of record', async () => {
    const creds = await t.sipCredentials('candidate');
    const u = await startUa({ wsUrl: t.wsUrl, extension: creds.extension, password: creds.password });
    uas.push(u);
    await u.register();
    const c = await RawSipClient.connect(t.wsUrl);
    await registerRaw(c, creds.extension, creds.password);
    expect(t.app.telephony!.sip.registrar.bindingsOf(creds.extension)).toHaveLength(2);
    const res = await sendWithDigest(c, 'REGISTER', { extension: creds.extension, password: creds.password, headers: { Contact: '*', Expires: '0' } });
    expect(res).toMatch(/^SIP\/2\.0 200 /);
    expect(res).not.toMatch(/^Contact:/m);
    expect(t.app.telephony!.sip.registrar.bindingsOf(creds.extension)).toHaveLength(0);
    expect(t.app.telephony!.sip.registrar.isRegistered(creds.extension)).toBe(false);
    c.close();
  });

  it('refuses Contact: * with an expiry other than zero, or beside another Contact, with 400 and keeps the bindings', async () => {
    const creds = await t.sipCredentials('candidate');
    const c = await RawSipClient.connect(t.wsUrl);
    await registerRaw(c, creds.extension, creds.password);
    const notZero = await sendWithDigest(c, 'REGISTER', { extension: creds.extension, password: creds.password, headers: { Contact: '*', Expires: '600' } });
    expect(notZero).toMatch(/^SIP\/2\.0 400 /);
    // In one header value the wildcard cannot be read as a Contact at all: 400 before any challenge.
    c.send(rawRequest('REGISTER', { from: creds.extension, to: creds.extension, headers: { Contact: '*, <sip:x@y.invalid;transport=ws>', Expires: '0' } }));
    await c.expectResponse(400);
    const noExpires = await sendWithDigest(c, 'REGISTER', { extension: creds.extension, password: creds.password, headers: { Contact: '*' } });
    expect(noExpires).toMatch(/^SIP\/2\.0 400 /);
    expect(t.app.telephony!.sip.registrar.isRegistered(creds.extension)).toBe(true);
    c.close();
  });

  it('binds every Contact of one REGISTER, each with its own expiry, and lists all current bindings in the 200', async () => {
    const creds = await t.sipCredentials('assessor');
    const c = await RawSipClient.connect(t.wsUrl);
    const res = await sendWithDigest(c, 'REGISTER', {
      extension: creds.extension,
      password: creds.password,
      headers: { Contact: '<sip:a@one.invalid;transport=ws>;expires=300, <sip:b@two.invalid;transport=ws>', Expires: '900' },
    });
    expect(res).toMatch(/^SIP\/2\.0 200 /);
    expect(res).toMatch(/^Contact: <sip:a@one\.invalid;transport=ws>;expires=300$/m);
    expect(res).toMatch(/^Contact: <sip:b@two\.invalid;transport=ws>;expires=900$/m);
    expect(t.app.telephony!.sip.registrar.bindingsOf(creds.extension).map((b) => b.contact).sort()).toEqual(['sip:a@one.invalid;transport=ws', 'sip:b@two.invalid;transport=ws']);
    // Removing one of them (expires=0) keeps the other.
    const removeOne = await sendWithDigest(c, 'REGISTER', { extension: creds.extension, password: creds.password, headers: { Contact: '<sip:a@one.invalid;transport=ws>;expires=0' } });
    expect(removeOne).toMatch(/^SIP\/2\.0 200 /);
    expect(removeOne).not.toMatch(/one\.invalid/);
    expect(t.app.telephony!.sip.registrar.bindingsOf(creds.extension).map((b) => b.contact)).toEqual(['sip:b@two.invalid;transport=ws']);
    c.close();
  });

  it('refuses the whole REGISTER with 423 when one of its Contacts asks for too short an expiry', async () => {
    const creds = await t.sipCredentials('assessor');
    const c = await RawSipClient.connect(t.wsUrl);
    const res = await sendWithDigest(c, 'REGISTER', {
      extension: creds.extension,
      password: creds.password,
      headers: { Contact: '<sip:a@three.invalid;transport=ws>;expires=300, <sip:b@four.invalid;transport=ws>;expires=5' },
    });
    expect(res).toMatch(/^SIP\/2\.0 423 /);
    expect(res).toMatch(/^Min-Expires: 60/m);
    expect(t.app.telephony!.sip.registrar.bindingsOf(creds.extension).map((b) => b.contact)).not.toContain('sip:a@three.invalid;transport=ws');
    c.close();
  });
});

describe('digest challenge order', () => {
  // A client that keeps only one WWW-Authenticate header and knows only MD5 (sip.js keeps the last
  // one; simple desk phones keep the first) can answer, and a client that can use SHA-256 finds it.
  for (const pick of ['first', 'last'] as const) {
    it(`an MD5-only client that keeps the ${pick} challenge header registers`, async () => {
      const creds = await t.sipCredentials('candidate');
      const c = await RawSipClient.connect(t.wsUrl);
      const res = await sendWithDigest(c, 'REGISTER', { extension: creds.extension, password: creds.password, pick, md5Only: true, headers: { Contact: `<sip:${pick}@keeps.invalid;transport=ws>` } });
      expect(res).toMatch(/^SIP\/2\.0 200 /);
      c.close();
    });
  }
});

describe('Allow and Supported state what is implemented', () => {
  it('every method in Allow is handled (never 405/501), known others get 405 with the same Allow; Require of an unsupported option tag gets 420', async () => {
    const c = await RawSipClient.connect(t.wsUrl);
    c.send(rawRequest('OPTIONS'));
    const options = await c.expectResponse(200);
    const allow = /^Allow: (.*)$/m.exec(options)![1]!;
    expect(/^Supported: (.*)$/m.exec(options)![1]).toBe('100rel, timer');
    const methods = allow.split(',').map((m) => m.trim());
    expect(methods).toEqual(expect.arrayContaining(['INVITE', 'ACK', 'CANCEL', 'BYE', 'OPTIONS', 'INFO', 'REFER', 'REGISTER', 'UPDATE', 'PRACK']));
    for (const method of methods.filter((m) => m !== 'ACK')) {
      c.send(rawRequest(method, { headers: { To: method === 'INVITE' || method === 'REGISTER' || method === 'OPTIONS' ? '<sip:9999@callmark.local>' : '<sip:9999@callmark.local>;tag=x' } }));
      const status = Number((await c.next()).split(' ')[1]);
      expect([405, 501], method).not.toContain(status);
    }
    for (const method of ['SUBSCRIBE', 'NOTIFY', 'MESSAGE', 'PUBLISH']) {
      c.send(rawRequest(method));
      expect(await c.expectResponse(405)).toContain(`\r\nAllow: ${allow}\r\n`);
    }
    c.send(rawRequest('OPTIONS', { headers: { Require: 'timer' } }));
    await c.expectResponse(200);
    c.send(rawRequest('OPTIONS', { headers: { Require: 'timer, 100rel, foo' } }));
    expect(await c.expectResponse(420)).toMatch(/^Unsupported: foo$/m);
    c.close();
  });
});
