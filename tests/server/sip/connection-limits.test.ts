// SIP WebSocket slots (SECURITY.md, finding "SIP connection slots"): a connection must register
// within a deadline or is closed; connections still waiting to register are counted apart from
// registered phones, so idle sockets from a centre's NAT address cannot lock its phones out; an
// authenticated connection with no registration left and nothing to do is closed when idle.
import { afterEach, describe, expect, it } from 'vitest';
import { RawSipClient, rawRequest, registerRaw, startUa, type TestUa } from '../../support/sip-clients.js';
import { createTestApp, type TestApp, type TestAppOptions } from '../../support/test-app.js';
import { until } from '../../support/until.js';

let t: TestApp | undefined;
const clients: RawSipClient[] = [];
const uas: TestUa[] = [];
afterEach(async () => {
  for (const u of uas.splice(0)) await u.stop();
  for (const c of clients.splice(0)) c.ws.terminate();
  await t?.close();
  t = undefined;
});

async function app(telephony: NonNullable<TestAppOptions['telephony']>): Promise<TestApp> {
  t = await createTestApp({ telephony });
  return t;
}

async function idle(a: TestApp, n: number): Promise<RawSipClient[]> {
  const opened: RawSipClient[] = [];
  for (let i = 0; i < n; i++) opened.push(await RawSipClient.connect(a.wsUrl));
  clients.push(...opened);
  return opened;
}

async function phone(a: TestApp, role: 'candidate' | 'assessor'): Promise<TestUa> {
  const creds = await a.sipCredentials(role);
  const u = await startUa({ wsUrl: a.wsUrl, extension: creds.extension, password: creds.password });
  uas.push(u);
  await u.register();
  return u;
}

describe('SIP connections that do not register', () => {
  it('are closed after the registration deadline, idle or not (OPTIONS and keep-alives do not count)', async () => {
    const a = await app({});
    const [silent, talker] = await idle(a, 2);
    talker!.send(rawRequest('OPTIONS'));
    await talker!.expectResponse(200);
    talker!.send('\r\n\r\n');
    expect(await talker!.next()).toBe('\r\n');
    // The deadline (10 s) runs on the server's clock: moved on here, not waited for.
    a.clock.advance(9_000);
    talker!.send(rawRequest('OPTIONS'));
    await talker!.expectResponse(200);
    a.clock.advance(1_001);
    const closed = await silent!.waitClosed(2000);
    expect(closed.code).toBe(1008);
    expect(closed.reason).toMatch(/register/i);
    expect((await talker!.waitClosed(2000)).code).toBe(1008);
    await until(() => a.app.telephony!.sip.connectionCount === 0);
  });

  it('a connection that registers in time stays open past the deadline', async () => {
    const a = await app({});
    const creds = await a.sipCredentials('candidate');
    const [c] = await idle(a, 1);
    await registerRaw(c!, creds.extension, creds.password);
    a.clock.advance(20_000);
    c!.send(rawRequest('OPTIONS'));
    await c!.expectResponse(200);
    expect(c!.closed).toBeUndefined();
  });

  it('a real phone registers while 200 idle sockets are open from the same address', async () => {
    const a = await app({});
    const sockets = await idle(a, 200);
    const u = await phone(a, 'candidate');
    expect(u.ua.isConnected()).toBe(true);
    expect(a.app.telephony!.sip.registrar.isRegistered(String(1000 + a.users.candidate))).toBe(true);
    // The idle sockets were not closed to make room: they are simply not counted against phones.
    expect(sockets.filter((s) => s.closed !== undefined)).toEqual([]);
  });

  it('beyond the per-address cap of unregistered connections, the oldest one waiting makes room', async () => {
    const a = await app({ maxPendingConnectionsPerIp: 3 });
    const [oldest, ...rest] = await idle(a, 3);
    const u = await phone(a, 'assessor');
    expect(u.ua.isConnected()).toBe(true);
    const closed = await oldest!.waitClosed(3000);
    expect(closed.code).toBe(1013);
    expect(rest.filter((s) => s.closed !== undefined)).toEqual([]);
  });

  it('registered phones per address are capped on their own count', async () => {
    const a = await app({ maxConnectionsPerIp: 1 });
    await idle(a, 5);
    await phone(a, 'candidate');
    const creds = await a.sipCredentials('assessor');
    const second = await startUa({ wsUrl: a.wsUrl, extension: creds.extension, password: creds.password });
    uas.push(second);
    await expect(second.register()).rejects.toThrow(/REGISTER rejected 503/);
  });
});

describe('idle registered connections', () => {
  it('a connection whose registration has lapsed, with no call, is closed once idle', async () => {
    const a = await app({ idleMs: 5 * 60_000 });
    const creds = await a.sipCredentials('candidate');
    const [c] = await idle(a, 1);
    await registerRaw(c!, creds.extension, creds.password);
    // Registered (for 10 minutes): 8 minutes without a message, past the idle time, is fine.
    a.clock.advance(8 * 60_000);
    c!.send(rawRequest('OPTIONS'));
    await c!.expectResponse(200);
    expect(c!.closed).toBeUndefined();
    // The registration runs out, and nothing is sent: closed at an idle check.
    a.clock.advance(15 * 60_000);
    const closed = await c!.waitClosed(2000);
    expect(closed.code).toBe(1000);
    expect(closed.reason).toMatch(/idle/i);
  });
});
