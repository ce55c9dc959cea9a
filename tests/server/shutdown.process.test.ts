// SIGTERM during a call: both parties get a BYE saying why, the recording is finalised (not left
// partial), and the server exits 0. Real server process, real sip.js user agents.
// And every step of the shutdown is bounded: a peer that never answers (a frozen tab, a dropped
// network), a half-sent request or a media worker that hangs while an answer is being applied
// must not keep the server from stopping within its grace (exit 0, not the forced exit 1).
import fs from 'node:fs';
import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { header, statusOf } from '../support/raw-caller.js';
import { rawCallee, type PhoneSource } from '../support/raw-callee.js';
import { cannedSdp, Inviter, nextMatching, RawSipClient, rawRequest, registerRaw, SessionState, startUa, UserAgent, type TestUa } from '../support/sip-clients.js';
import { serverProcesses, type ServerProcess } from '../support/server-process.js';
import { until } from '../support/until.js';

const env = { CALLMARK_MEDIA_WORKERS: '1', CALLMARK_PUBLIC_IP: '127.0.0.1', CALLMARK_MEDIA_LISTEN_IP: '127.0.0.1' };
const servers = serverProcesses({ args: ['--demo'], env });
const uas: TestUa[] = [];
const raws: RawSipClient[] = [];
const sockets: net.Socket[] = [];
const stoppedWorkers: number[] = [];
afterAll(async () => {
  for (const pid of stoppedWorkers) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone with its server */
    }
  }
  for (const s of sockets) s.destroy();
  for (const r of raws) r.ws.terminate();
  for (const u of uas) await u.stop();
  await servers.stopAll();
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
    const server = await servers.start();
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
    const again = await servers.restart(server);
    expect(again.output()).not.toContain('interrupted');
    const s = await session(again.url, 'demo-assessor');
    const { calls } = (await (await fetch(new URL('/api/calls', again.url), { headers: { cookie: s.cookie } })).json()) as {
      calls: Array<{ state: string; endReason: string; recording: { status: string; durationMs: number } | null }>;
    };
    expect(calls[0]).toMatchObject({ state: 'ended', endReason: 'ended-by-server: server shutting down' });
    expect(calls[0]!.recording?.status).toBe('complete');
    // Finalised: a readable file with a duration (the recorder starts shortly after the answer).
    expect(calls[0]!.recording!.durationMs).toBeGreaterThan(500);
    expect(await again.stop('SIGTERM')).toBe(0);
  });
});

/** A raw TCP connection to the server (no HTTP or WebSocket library: it does only what is written here). */
function rawConnection(server: ServerProcess): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(server.port, '127.0.0.1', () => resolve(socket));
    sockets.push(socket);
    socket.once('error', reject);
  });
}

/** A server's media worker processes (its children named mediasoup-worker), from /proc. */
function mediaWorkersOf(server: ServerProcess): number[] {
  return fs
    .readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .flatMap((d) => {
      try {
        const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
        const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        return parent === server.child.pid && name.startsWith('mediasoup-worke') ? [Number(d)] : [];
      } catch {
        return [];
      }
    });
}

describe('every shutdown step is bounded', () => {
  it('a SIP WebSocket whose peer never answers the close (a frozen tab, a dropped network) does not hold it: exit 0', { timeout: 60_000 }, async () => {
    const server = await servers.start();
    // The WebSocket opening handshake (RFC 6455 §4.1), then nothing: no close frame back, no FIN.
    const socket = await rawConnection(server);
    const upgraded = new Promise<string>((resolve) => socket.once('data', (d) => resolve(d.toString())));
    socket.write(
      `GET /sip HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: sip\r\n\r\n',
    );
    expect(await upgraded).toMatch(/^HTTP\/1\.1 101 /);
    expect(await server.stop('SIGTERM')).toBe(0);
    expect(server.output()).toMatch(/shutdown: .*connection.* still open/);
  });

  it('a request half sent when SIGTERM comes does not hold it: exit 0', { timeout: 60_000 }, async () => {
    const server = await servers.start();
    const socket = await rawConnection(server);
    socket.write(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n`);
    // The server has the connection (and the start of the request) before the signal.
    await until(() => socket.bytesWritten > 0);
    await new Promise((r) => setTimeout(r, 200));
    expect(await server.stop('SIGTERM')).toBe(0);
  });

  it('SIGTERM while the callee\'s answer is being applied to a media worker that hangs: the call is ended and stored, exit 0', { timeout: 90_000 }, async () => {
    const server = await servers.start();
    const source: PhoneSource = {
      wsUrl: `${server.url.replace('http', 'ws')}sip`,
      sipCredentials: async (username) => {
        const s = await session(server.url, username);
        return (await (await fetch(new URL('/api/sip/credentials', server.url), { method: 'POST', headers: { cookie: s.cookie, 'x-csrf-token': s.csrf } })).json()) as { extension: string; password: string };
      },
    };
    const callee = await rawCallee(source, 'demo-candidate', raws);
    const assessor = await source.sipCredentials('demo-assessor');
    const caller = await RawSipClient.connect(source.wsUrl);
    raws.push(caller);
    await registerRaw(caller, assessor.extension, assessor.password);

    const callId = `shutdown-answer-${Date.now()}`;
    const uri = `sip:${callee.extension}@callmark.local`;
    caller.send(
      rawRequest('INVITE', {
        uri,
        callId,
        cseq: 1,
        branch: `z9hG4bKshut${Date.now()}`,
        headers: { From: `<sip:${assessor.extension}@callmark.local>;tag=shutcaller`, To: `<${uri}>`, Contact: `<sip:${assessor.extension}@raw.invalid;transport=ws>`, 'Content-Type': 'application/sdp' },
        body: cannedSdp('offer'),
      }),
    );
    const invite = await callee.nextRequest('INVITE');
    callee.respond(invite, '180 Ringing');
    await nextMatching(caller, (m) => m.startsWith('SIP/2.0 180 ') && m.includes(callId), 8000);

    // The worker stops; the callee answers: the B2BUA ACKs the 200 and waits for the worker, inside
    // applying the answer, when SIGTERM comes. The worker never goes on.
    const workers = mediaWorkersOf(server);
    expect(workers).toHaveLength(1);
    process.kill(workers[0]!, 'SIGSTOP');
    stoppedWorkers.push(workers[0]!);
    callee.respond(invite, '200 OK', cannedSdp('answer'));
    await callee.nextRequest('ACK', header(invite, 'Call-ID'));

    expect(await server.stop('SIGTERM')).toBe(0);
    // The caller was told the call could not go on (503, the server shutting down).
    const final = await nextMatching(caller, (m) => /^SIP\/2\.0 [3-6]\d\d /.test(m) && header(m, 'CSeq') === '1 INVITE', 8000);
    expect(statusOf(final)).toBe(503);

    // What was accepted is stored: the call ended for the shutdown, not left in progress.
    const again = await servers.restart(server);
    const s = await session(again.url, 'demo-assessor');
    const { calls } = (await (await fetch(new URL('/api/calls', again.url), { headers: { cookie: s.cookie } })).json()) as { calls: Array<{ state: string; endReason: string }> };
    expect(calls[0]).toMatchObject({ state: 'ended', endReason: 'failed: server shutting down' });
    expect(await again.stop('SIGTERM')).toBe(0);
  });
});
