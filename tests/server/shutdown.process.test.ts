// SIGTERM during a call: both parties get a BYE saying why, the recording is finalised (not left
// partial), and the server exits 0. Real server process, real sip.js user agents.
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { Inviter, SessionState, startUa, UserAgent, type TestUa } from '../support/sip-clients.js';
import { startServer, type ServerProcess } from '../support/server-process.js';
import { until } from '../support/until.js';

const servers: ServerProcess[] = [];
const uas: TestUa[] = [];
afterAll(async () => {
  for (const u of uas) await u.stop();
  for (const s of servers) await s.stop('SIGKILL');
  if (servers[0]) fs.rmSync(servers[0].dataDir, { recursive: true, force: true });
});

/** How long a condition here may take: real calls, media workers and processes. */
const WAIT_MS = 10_000;

async function session(base: string, username: string) {
  const res = await fetch(new URL('/api/auth/login', base), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: 'demo-password' }) });
  const body = (await res.json()) as { csrfToken: string };
  return { cookie: res.headers.get('set-cookie')!.split(';')[0]!, csrf: body.csrfToken };
}

async function phone(base: string, username: string, onInvite?: Parameters<typeof startUa>[0]['onInvite']) {
  const s = await session(base, username);
  const creds = (await (await fetch(new URL('/api/sip/credentials', base), { method: 'POST', headers: { cookie: s.cookie, 'x-csrf-token': s.csrf } })).json()) as { extension: string; password: string };
  const ua = await startUa({ wsUrl: `${base.replace('http', 'ws')}sip`, extension: creds.extension, password: creds.password, onInvite });
  uas.push(ua);
  await ua.register();
  return Object.assign(ua, { extension: creds.extension });
}

describe('graceful shutdown', () => {
  it('ends calls with a BYE and a reason, finalises the recording, exits 0', async () => {
    const env = { CALLMARK_MEDIA_WORKERS: '1', CALLMARK_PUBLIC_IP: '127.0.0.1', CALLMARK_MEDIA_LISTEN_IP: '127.0.0.1' };
    const server = await startServer({ args: ['--demo'], env });
    servers.push(server);
    const reasons: string[] = [];
    const callee = await phone(server.url, 'demo-candidate', (inv) => {
      inv.delegate = { onBye: (bye) => reasons.push(bye.request.getHeader('reason') ?? '') };
      void inv.accept();
    });
    const caller = await phone(server.url, 'demo-assessor');
    const inviter = new Inviter(caller.ua, UserAgent.makeURI(`sip:${callee.extension}@callmark.local`)!);
    inviter.delegate = { onBye: (bye) => reasons.push(bye.request.getHeader('reason') ?? '') };
    await inviter.invite();
    await until(() => inviter.state === SessionState.Established, WAIT_MS);
    await new Promise((r) => setTimeout(r, 2500));

    expect(await server.stop('SIGTERM')).toBe(0);
    await until(() => reasons.length === 2, WAIT_MS);
    expect(reasons.every((r) => /text="server shutting down"/.test(r))).toBe(true);

    // Demo mode again: without it the demo accounts are disabled at start.
    const again = await startServer({ dataDir: server.dataDir, args: ['--demo'], env });
    servers.push(again);
    expect(again.output()).not.toContain('interrupted');
    const s = await session(again.url, 'demo-assessor');
    const { calls } = (await (await fetch(new URL('/api/calls', again.url), { headers: { cookie: s.cookie } })).json()) as {
      calls: Array<{ state: string; endReason: string; recording: { status: string; durationMs: number } | null }>;
    };
    expect(calls[0]).toMatchObject({ state: 'ended', endReason: 'ended-by-server: server shutting down' });
    expect(calls[0]!.recording?.status).toBe('complete');
    // Finalised: a readable file with a duration (the recorder starts shortly after the answer).
    expect(calls[0]!.recording!.durationMs).toBeGreaterThan(500);
  });
});
