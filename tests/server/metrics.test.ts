// GET /metrics on the real app with a real mediasoup worker, a registered sip.js user agent and a
// socket.io client: who may read it (admin session or bearer token only), and that each metric
// reflects what the server is doing.
import { randomUUID } from 'node:crypto';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MediaWorkerPool } from '../../media/index.js';
import { ROLES } from '../../server/protocol/roles.js';
import { startUa, type TestUa } from '../support/sip-clients.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const TOKEN = 'metrics-token-0123456789abcdef';
let pool: MediaWorkerPool;
let t: TestApp;
let ua: TestUa | undefined;
let socket: Socket | undefined;

beforeAll(async () => {
  pool = await MediaWorkerPool.start({ workers: 1, rtcMinPort: 48800, rtcMaxPort: 48899 });
  t = await createTestApp({ telephony: { pool }, metrics: { token: TOKEN, processMetrics: true } });
});
afterAll(async () => {
  socket?.disconnect();
  await ua?.stop();
  await t?.close();
  await pool?.close();
});

const scrape = async (headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }) => t.app.inject({ method: 'GET', url: '/metrics', headers });

/** The value of one sample line, e.g. value(text, 'callmark_calls_ended_total{outcome="completed"}'). */
function value(text: string, sample: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return line === undefined ? undefined : Number(line.slice(sample.length + 1));
}

describe('GET /metrics access', () => {
  it('refuses anonymous requests and a wrong or malformed token with 401', async () => {
    expect((await scrape({})).statusCode).toBe(401);
    expect((await scrape({ authorization: 'Bearer wrong-token-wrong-token' })).statusCode).toBe(401);
    expect((await scrape({ authorization: `Basic ${TOKEN}` })).statusCode).toBe(401);
    expect((await scrape({ authorization: `Bearer ${TOKEN}x` })).statusCode).toBe(401);
  });

  it('refuses every logged-in role but admin with 403, and lets admins in', async () => {
    for (const role of ROLES) {
      const login = await t.loginAs(role);
      const res = await scrape({ cookie: login.cookie });
      expect(res.statusCode, role).toBe(role === 'admin' ? 200 : 403);
    }
  });

  it('answers the bearer token with the Prometheus text format', async () => {
    const res = await scrape();
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.body).toContain('# TYPE callmark_calls_in_progress gauge');
    expect(res.body).toContain('callmark_nodejs_eventloop_lag_seconds');
  });

  it('accepts no token at all when none is configured', async () => {
    const other = await createTestApp({});
    try {
      const res = await other.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer anything-at-all-here' } });
      expect(res.statusCode).toBe(401);
    } finally {
      await other.close();
    }
  });
});

describe('GET /metrics values', () => {
  it('counts SIP registrations, connections and messages, with no call in progress', async () => {
    const creds = await t.sipCredentials('candidate');
    ua = await startUa({ wsUrl: t.wsUrl, ...creds });
    await ua.register();
    const text = (await scrape()).body;
    expect(value(text, 'callmark_sip_registrations')).toBe(1);
    expect(value(text, 'callmark_sip_connections')).toBe(1);
    expect(value(text, 'callmark_sip_messages_received_total')).toBeGreaterThanOrEqual(2);
    expect(value(text, 'callmark_calls_in_progress')).toBe(0);
  });

  it('reports mediasoup worker CPU time and live workers', async () => {
    const text = (await scrape()).body;
    expect(value(text, 'callmark_media_workers_alive')).toBe(1);
    expect(value(text, 'callmark_media_worker_cpu_seconds_total{worker="0",mode="user"}')).toBeGreaterThanOrEqual(0);
    expect(value(text, 'callmark_media_worker_cpu_seconds_total{worker="0",mode="system"}')).toBeGreaterThanOrEqual(0);
    // The end-of-call mix queue: nothing mixing, nothing waiting.
    expect(value(text, 'callmark_recording_mixes_running')).toBe(0);
    expect(value(text, 'callmark_recording_mixes_waiting')).toBe(0);
  });

  it('counts ended calls by outcome and recording failures from the call timeline, incrementally', async () => {
    const call = (outcome: string, failedRecording = false): void => {
      const id = randomUUID();
      t.repos.calls.create({ id, centreId: t.centreId, callerUserId: t.users.assessor, calleeUserId: t.users.candidate, callerExtension: 'a', calleeExtension: 'c', candidateUserId: t.users.candidate, invitedAt: 1 });
      if (failedRecording) t.repos.calls.addEvent(id, 2, 'recording-failed', null, { message: 'ffmpeg died' });
      t.repos.calls.addEvent(id, 3, 'end', null, { outcome, reason: 'x', status: 200 });
    };
    call('completed');
    call('completed', true);
    call('no-answer');
    call('something-new');
    let text = (await scrape()).body;
    expect(value(text, 'callmark_calls_ended_total{outcome="completed"}')).toBe(2);
    expect(value(text, 'callmark_calls_ended_total{outcome="no-answer"}')).toBe(1);
    expect(value(text, 'callmark_calls_ended_total{outcome="other"}')).toBe(1);
    expect(value(text, 'callmark_recording_failures_total')).toBe(1);
    call('completed', true);
    text = (await scrape()).body;
    expect(value(text, 'callmark_calls_ended_total{outcome="completed"}')).toBe(3);
    expect(value(text, 'callmark_recording_failures_total')).toBe(2);
  });

  it('counts socket.io connections and observes desktop event lag', async () => {
    const base = t.wsUrl.replace(/^ws/, 'http').replace(/\/sip$/, '');
    const login = await t.loginAs('candidate');
    socket = connectSocket(base, { path: '/socket.io', transports: ['websocket'], forceNew: true, reconnection: false, extraHeaders: { cookie: login.cookie } });
    await new Promise<void>((resolve, reject) => {
      socket!.once('connect', resolve);
      socket!.once('connect_error', reject);
    });
    const attempt = t.repos.attempts.create({ centreId: t.centreId, candidateUserId: t.users.candidate, scenarioKey: 'demo' }, t.clock.now());
    // The server stamps with the (manual) test clock: a client time 2 s before it is a 2 s lag.
    for (const lag of [2000, 2000, 40_000]) {
      const ack = (await socket.emitWithAck('desktop:event', { clientId: randomUUID(), attemptId: attempt.id, type: 'search', payload: { query: 'x', resultCount: 0 }, clientAt: t.clock.now() - lag })) as { ok: boolean };
      expect(ack.ok).toBe(true);
    }
    const text = (await scrape()).body;
    expect(value(text, 'callmark_realtime_connections')).toBe(1);
    expect(value(text, 'callmark_desktop_event_lag_seconds_count')).toBe(3);
    expect(value(text, 'callmark_desktop_event_lag_seconds_bucket{le="2.5"}')).toBe(2);
    expect(value(text, 'callmark_desktop_event_lag_seconds_sum')).toBe(44);
    // A second scrape reads nothing twice.
    expect(value((await scrape()).body, 'callmark_desktop_event_lag_seconds_count')).toBe(3);
  });

  it('times HTTP requests by route pattern, never by raw URL', async () => {
    await t.app.inject({ method: 'GET', url: '/healthz' });
    await t.app.inject({ method: 'GET', url: `/api/calls/${randomUUID()}` });
    const text = (await scrape()).body;
    expect(value(text, 'callmark_http_request_duration_seconds_count{method="GET",route="/healthz",status_code="200"}')).toBeGreaterThanOrEqual(1);
    expect(value(text, 'callmark_http_request_duration_seconds_count{method="GET",route="/api/calls/:id",status_code="401"}')).toBe(1);
    expect(text).not.toMatch(/route="\/api\/calls\/[0-9a-f]{8}-/);
  });
});
