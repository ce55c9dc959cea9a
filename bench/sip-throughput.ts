// SIP signalling throughput over WebSocket against the production server (a child process):
// REGISTER refreshes per second and complete calls (INVITE → 200 → ACK … BYE → 200) per second
// through the B2BUA, each with p50/p95 latency, from C concurrent user agents.
//
// Each REGISTER is the full digest exchange sip.js does (REGISTER → 401 → REGISTER with
// credentials → 200), so one "registration" is two transactions. Each call sets up a mediasoup
// router, two WebRtcTransports and a recorder, and tears them down on BYE; the user agents use
// canned SDP, so no media flows (bench/calls.ts measures media).
//
//   npm run bench:sip -- [--agents C] [--seconds S]
import fs from 'node:fs';
import { z } from 'zod';
import { startServer } from '../tests/support/server-process.js';
import { Inviter, SessionState, startUa, UserAgent, type TestUa } from '../tests/support/sip-clients.js';
import { CentreReply, loginAs, loginFirstStartAdminAt, post, SipCredentialsReply } from './admin-api.js';
import { percentile } from './proc-stats.js';

const args = process.argv.slice(2);
const opt = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const agents = opt('--agents', 40);
const seconds = opt('--seconds', 10);

const server = await startServer({
  env: {
    CALLMARK_ADMIN_PASSWORD: 'bench-admin-password',
    CALLMARK_LOG_LEVEL: 'error',
    CALLMARK_PUBLIC_IP: '127.0.0.1',
    CALLMARK_MEDIA_LISTEN_IP: '127.0.0.1',
    CALLMARK_LOGIN_RATE_LIMIT: '100000',
    CALLMARK_RTC_MIN_PORT: '20000',
    CALLMARK_RTC_MAX_PORT: '39999',
    CALLMARK_SIP_MAX_CONNECTIONS_PER_IP: '10000',
    // A user agent refreshing in a tight loop is what this measures: lift the per-connection limit.
    CALLMARK_SIP_RATE_PER_SECOND: '1000000',
    CALLMARK_SIP_RATE_BURST: '1000000',
  },
});
// A benchmark that fails half-way must not leave its server running.
process.on('exit', () => {
  try {
    process.kill(-server.child.pid!, 'SIGKILL');
  } catch {
    /* already gone */
  }
});
const base = server.url;
const admin = await loginFirstStartAdminAt(base, 'bench-admin-password');

const centre = (await post(base, admin, '/api/centres', { name: 'SIP bench' }, CentreReply)).centre;
const uas: Array<TestUa & { extension: string }> = [];
for (let i = 0; i < agents; i++) {
  const username = `sipbench-${i}`;
  await post(base, admin, '/api/users', { username, displayName: `SIP bench ${i}`, role: i % 2 ? 'candidate' : 'assessor', centreId: centre.id, password: 'bench-user-password' }, z.unknown());
  const s = await loginAs(base, username, 'bench-user-password');
  const creds = await post(base, s, '/api/sip/credentials', {}, SipCredentialsReply);
  const ua = await startUa({ wsUrl: `${base.replace('http', 'ws')}sip`, extension: creds.extension, password: creds.password, onInvite: (inv) => void inv.accept() });
  await ua.register();
  uas.push(Object.assign(ua, { extension: creds.extension }));
}
console.log(`SIP throughput: ${agents} user agents over WebSocket, ${seconds} s per part, production server on ${base}`);

/** Runs `once` in a loop on every worker until the time is up; returns latencies and the rate. */
async function loop(workers: number, once: (w: number) => Promise<number>) {
  const latencies: number[] = [];
  let failures = 0;
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      while (performance.now() < deadline) {
        try {
          latencies.push(await once(w));
        } catch (err) {
          if (failures++ === 0) console.log(`first failure: ${(err as Error).message}`);
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  return { perSecond: latencies.length / elapsed, p50: percentile(latencies, 50), p95: percentile(latencies, 95), done: latencies.length, failures };
}

const refresh = (ua: TestUa) =>
  new Promise<number>((resolve, reject) => {
    const t0 = performance.now();
    void ua.registerer
      .register({ requestDelegate: { onAccept: () => resolve(performance.now() - t0), onReject: (r) => reject(new Error(`${r.message.statusCode} ${r.message.reasonPhrase}`)) } })
      .catch(reject);
  });
const reg = await loop(agents, (w) => refresh(uas[w]!));

const callOnce = (caller: TestUa, calleeExtension: string) =>
  new Promise<number>((resolve, reject) => {
    const inviter = new Inviter(caller.ua, UserAgent.makeURI(`sip:${calleeExtension}@callmark.local`)!);
    const t0 = performance.now();
    let setup = 0;
    void inviter.invite({
      requestDelegate: {
        onAccept: () => {
          setup = performance.now() - t0;
          if (inviter.state !== SessionState.Established) return reject(new Error('not established'));
          void inviter.bye({ requestDelegate: { onAccept: () => resolve(setup), onReject: () => reject(new Error('BYE rejected')) } }).catch(reject);
        },
        onReject: (r) => reject(new Error(`${r.message.statusCode} ${r.message.reasonPhrase}`)),
      },
    });
  });
const calls = await loop(agents / 2, (w) => callOnce(uas[2 * w]!, uas[2 * w + 1]!.extension));

for (const u of uas) await u.stop();
await server.stop();
fs.rmSync(server.dataDir, { recursive: true, force: true });

console.log('part | per second | p50 | p95 | done | failed');
console.log(`REGISTER (digest, 2 transactions each) | ${reg.perSecond.toFixed(0)} | ${reg.p50.toFixed(1)} ms | ${reg.p95.toFixed(1)} ms | ${reg.done} | ${reg.failures}`);
console.log(`call INVITE→200 + BYE→200 (${agents / 2} callers) | ${calls.perSecond.toFixed(1)} | ${calls.p50.toFixed(1)} ms | ${calls.p95.toFixed(1)} ms | ${calls.done} | ${calls.failures}`);
process.exit(0);
