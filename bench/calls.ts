// npm run bench:calls -- [N ...] [--seconds S] [--mix-concurrency C]
//
// Recorded calls on this machine, step by step. Two parts per step of N concurrent calls:
//  1. Media plane: N calls as the B2BUA builds them (router per call on the worker pool, each
//     party's audio a Producer, each consumed toward the other party, CallRecorder writing the stereo
//     Ogg while the call runs), fed with real Opus RTP (50 packets/s per party) by a separate load process through
//     PlainTransports. Measured over a steady window: CPU per call of the mediasoup workers, ffmpeg
//     and this Node process; memory per call; packet loss at the receiving side; media-flowing time
//     from set-up start; recording completeness in packets (packets written into the recording /
//     packets the call's producers received while it recorded).
//  2. Signalling: the production server as a child process; 2N sip.js user agents register and N
//     place calls at once (INVITE to 200 OK through the B2BUA, which sets up media and recording).
// Prints a table; no pass/fail. See bench/README.md for the method and recorded figures.
import { fork } from 'node:child_process';
import { randomInt } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { types as ms } from 'mediasoup';
import { z } from 'zod';
import { CallRecorder, MediaWorkerPool, setMixConcurrency } from '../media/index.js';
import { startServer } from '../tests/support/server-process.js';
import { Inviter, SessionState, startUa, UserAgent, type TestUa } from '../tests/support/sip-clients.js';
import { CentreReply, loginAs, loginFirstStartAdminAt, post, SipCredentialsReply } from './admin-api.js';
import { childrenNamed, percentile, sampleProcess } from './proc-stats.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const RECEIVER_COMM = 'callmark-rtp-re'; // the kernel keeps 15 characters of callmark-rtp-receiver
const args = process.argv.slice(2);
const secondsArg = args.indexOf('--seconds');
const windowSeconds = secondsArg >= 0 ? Number(args[secondsArg + 1]) : 15;
const mixArg = args.indexOf('--mix-concurrency');
// End-of-call mixes at once (the server's CALLMARK_MIX_CONCURRENCY; default one per core).
const mixConcurrency = mixArg >= 0 ? Number(args[mixArg + 1]) : os.availableParallelism();
setMixConcurrency(mixConcurrency);
const steps = args.filter((a, i) => /^\d+$/.test(a) && !['--seconds', '--mix-concurrency'].includes(args[i - 1] ?? '')).map(Number);
if (steps.length === 0) steps.push(5, 10, 20);

// ------------------------------------------------------------------ load generator process
const load = fork(path.join(here, 'rtp-load.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
// A failed step must not leave the load generator sending (it also exits when this process dies).
process.on('exit', () => load.kill());
let nextId = 1;
const pending = new Map<number, (m: Record<string, unknown>) => void>();
load.on('message', (m: Record<string, unknown>) => {
  const id = m.id as number | undefined;
  if (id && pending.has(id)) {
    pending.get(id)!(m);
    pending.delete(id);
  }
});
await new Promise<void>((r) => load.once('message', () => r()));
const ask = <T = Record<string, unknown>>(msg: Record<string, unknown>): Promise<T> =>
  new Promise((resolve) => {
    const id = nextId++;
    pending.set(id, resolve as (m: Record<string, unknown>) => void);
    load.send({ ...msg, id });
  });
await ask({ cmd: 'init' });

// ------------------------------------------------------------------ media plane
interface MediaCall {
  router: ms.Router;
  recorder: CallRecorder;
  producers: ms.Producer[];
  /** Packets the producers had received when the recording started. */
  receivedAtStart: number;
  sinkPorts: number[];
  sendPorts: number[];
  setupStart: number;
  slot: ReturnType<MediaWorkerPool['acquire']>;
}

async function party(router: ms.Router) {
  const transport = await router.createPlainTransport({ listenIp: '127.0.0.1', rtcpMux: true, comedia: true });
  const ssrc = randomInt(1, 2 ** 31);
  const producer = await transport.produce({
    kind: 'audio',
    rtpParameters: {
      codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2, parameters: {}, rtcpFeedback: [] }],
      encodings: [{ ssrc }],
    },
  });
  return { transport, producer, ssrc, port: transport.tuple.localPort };
}

async function toward(router: ms.Router, producer: ms.Producer): Promise<number> {
  const { port } = await ask<{ port: number }>({ cmd: 'sink' });
  const t = await router.createPlainTransport({ listenIp: '127.0.0.1', rtcpMux: true, comedia: false });
  await t.connect({ ip: '127.0.0.1', port });
  await t.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
  return port;
}

interface LoadReport {
  sent: Array<{ port: number; sent: number }>;
  sinks: Array<{ port: number; packets: number; firstAt: number }>;
}

/** Packets the load process sent into the calls' parties and received at their sinks between two reports. */
function packetsBetween(calls: ReadonlyArray<{ sendPorts: number[]; sinkPorts: number[] }>, from: LoadReport, to: LoadReport): { sent: number; received: number } {
  const byPort = <T extends { port: number }>(rows: T[], value: (r: T) => number) => new Map(rows.map((r) => [r.port, value(r)]));
  const sentFrom = byPort(from.sent, (r) => r.sent);
  const sentTo = byPort(to.sent, (r) => r.sent);
  const sinkFrom = byPort(from.sinks, (r) => r.packets);
  const sinkTo = byPort(to.sinks, (r) => r.packets);
  let sent = 0;
  let received = 0;
  for (const c of calls) {
    for (const p of c.sendPorts) sent += (sentTo.get(p) ?? 0) - (sentFrom.get(p) ?? 0);
    for (const p of c.sinkPorts) received += (sinkTo.get(p) ?? 0) - (sinkFrom.get(p) ?? 0);
  }
  return { sent, received };
}

const lossPercent = ({ sent, received }: { sent: number; received: number }) => (sent > 0 ? Math.max(0, (100 * (sent - received)) / sent) : NaN);

/** RTP packets the producers have received from the load process so far. */
async function receivedBy(producers: ms.Producer[]): Promise<number> {
  const stats = await Promise.all(producers.map((p) => p.getStats()));
  return stats.flat().reduce((s, st) => s + ('packetCount' in st ? Number(st.packetCount) : 0), 0);
}

async function mediaStep(pool: MediaWorkerPool, n: number, dir: string) {
  const calls: MediaCall[] = [];
  const baseline = { workers: pool.health().workers.map((w) => sampleProcess(w.pid)!), node: process.memoryUsage().rss };
  for (let i = 0; i < n; i++) {
    const setupStart = Date.now();
    const slot = pool.acquire();
    const router = await slot.worker.createRouter({ mediaCodecs: [{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2, preferredPayloadType: 111 }] });
    const a = await party(router);
    const b = await party(router);
    const sinkPorts = [await toward(router, a.producer), await toward(router, b.producer)];
    await ask({ cmd: 'start', streams: [{ port: a.port, ssrc: a.ssrc }, { port: b.port, ssrc: b.ssrc }] });
    const recorder = await CallRecorder.start({ router, left: a.producer, right: b.producer, file: path.join(dir, `call-${n}-${i}.ogg`) });
    const producers = [a.producer, b.producer];
    calls.push({ router, recorder, producers, receivedAtStart: await receivedBy(producers), sinkPorts, sendPorts: [a.port, b.port], setupStart, slot });
  }
  await new Promise((r) => setTimeout(r, 3000)); // warm-up
  const workerPids = pool.health().workers.map((w) => w.pid);
  const before = {
    workers: workerPids.map((p) => sampleProcess(p)!.cpuSeconds),
    ffmpeg: childrenNamed(process.pid, 'ffmpeg'),
    receiver: childrenNamed(process.pid, RECEIVER_COMM),
    node: process.cpuUsage(),
    report: await ask<LoadReport>({ cmd: 'report' }),
    at: Date.now(),
  };
  await new Promise((r) => setTimeout(r, windowSeconds * 1000));
  const after = {
    workers: workerPids.map((p) => sampleProcess(p)!),
    ffmpeg: childrenNamed(process.pid, 'ffmpeg'),
    receiver: childrenNamed(process.pid, RECEIVER_COMM),
    node: process.cpuUsage(before.node),
    report: await ask<LoadReport>({ cmd: 'report' }),
    at: Date.now(),
  };
  const wall = (after.at - before.at) / 1000;
  const workerCpu = after.workers.reduce((s, w, i) => s + (w.cpuSeconds - before.workers[i]!), 0) / wall;
  const ffBefore = new Map(before.ffmpeg.map((f) => [f.pid, f.cpuSeconds]));
  const ffmpegCpu = after.ffmpeg.reduce((s, f) => s + (f.cpuSeconds - (ffBefore.get(f.pid) ?? f.cpuSeconds)), 0) / wall;
  // Node and the recorder's RTP receiver process (the recording's share of this process).
  const receiverBefore = new Map(before.receiver.map((f) => [f.pid, f.cpuSeconds]));
  const receiverCpu = after.receiver.reduce((s, f) => s + (f.cpuSeconds - (receiverBefore.get(f.pid) ?? f.cpuSeconds)), 0) / wall;
  const nodeCpu = (after.node.user + after.node.system) / 1e6 / wall + receiverCpu;
  const steady = packetsBetween(calls, before.report, after.report);
  const sent = steady.sent;
  const flowing = calls.map((c) => Math.max(...c.sinkPorts.map((p) => after.report.sinks.find((s) => s.port === p)?.firstAt ?? Infinity)) - c.setupStart);
  const memory =
    after.workers.reduce((s, w, i) => s + w.rssBytes - (baseline.workers[i]?.rssBytes ?? 0), 0) +
    after.ffmpeg.reduce((s, f) => s + f.rssBytes, 0) +
    (process.memoryUsage().rss - baseline.node);
  // Stop: recordings finalised while packets still flow; completeness counted in packets (a
  // duration would count the silence that fills a lost packet as recorded).
  const completeness: number[] = [];
  const finaliseStarted = Date.now();
  await Promise.all(
    calls.map(async (c) => {
      const received = (await receivedBy(c.producers)) - c.receivedAtStart;
      await c.recorder.stop();
      completeness.push(Math.min(1, c.recorder.packetsRecorded / received));
    }),
  );
  // All N recordings end at once (the worst case: a whole cohort hangs up together): the wall time
  // until the last stereo file is final (two-party calls need no mix: the last page and a hash).
  const finaliseAllSeconds = (Date.now() - finaliseStarted) / 1000;
  // The parties' media kept flowing through mediasoup while the recordings were finished: was any of it lost?
  const whileMixing = packetsBetween(calls, after.report, await ask<LoadReport>({ cmd: 'report' }));
  await ask({ cmd: 'stop' });
  for (const c of calls) {
    c.router.close();
    pool.release(c.slot);
  }
  return {
    n,
    workerCpuPerCall: (100 * workerCpu) / n,
    ffmpegCpuPerCall: (100 * ffmpegCpu) / n,
    nodeCpuPerCall: (100 * nodeCpu) / n,
    machineCpu: (100 * (workerCpu + ffmpegCpu + nodeCpu)) / os.cpus().length,
    memoryPerCallMb: memory / n / 1024 / 1024,
    lossPercent: lossPercent(steady),
    // What the load process managed to send, against its target of 50 packets/s per party: below
    // 100 % the load generator (on the same two cores) is the limit, not the server.
    offeredPercent: (100 * sent) / (n * 2 * 50 * wall),
    flowingP50: percentile(flowing, 50),
    flowingP95: percentile(flowing, 95),
    completenessMin: Math.min(...completeness),
    finaliseAllSeconds,
    lossWhileMixingPercent: lossPercent(whileMixing),
  };
}

// ------------------------------------------------------------------ signalling through the real server
async function signallingStep(n: number) {
  const server = await startServer({
    env: {
      CALLMARK_ADMIN_PASSWORD: 'bench-admin-password',
      CALLMARK_LOG_LEVEL: 'error',
      CALLMARK_PUBLIC_IP: '127.0.0.1',
      CALLMARK_MEDIA_LISTEN_IP: '127.0.0.1',
      CALLMARK_LOGIN_RATE_LIMIT: '100000',
      // A production-sized RTP range (each call takes several ports), clear of the media part's 40000-47999.
      CALLMARK_RTC_MIN_PORT: '20000',
      CALLMARK_RTC_MAX_PORT: '39999',
      // All the benchmark's user agents come from 127.0.0.1.
      CALLMARK_SIP_MAX_CONNECTIONS_PER_IP: '10000',
    },
  });
  const base = server.url;
  const admin = await loginFirstStartAdminAt(base, 'bench-admin-password');
  const centre = (await post(base, admin, '/api/centres', { name: `Bench ${n}` }, CentreReply)).centre;
  const uas: Array<TestUa & { extension: string }> = [];
  const registerTimes: number[] = [];
  for (let i = 0; i < 2 * n; i++) {
    const username = `bench-${n}-${i}`;
    await post(base, admin, '/api/users', { username, displayName: `Bench ${i}`, role: i % 2 ? 'candidate' : 'assessor', centreId: centre.id, password: 'bench-user-password' }, z.unknown());
    const s = await loginAs(base, username, 'bench-user-password');
    const creds = await post(base, s, '/api/sip/credentials', {}, SipCredentialsReply);
    const ua = await startUa({ wsUrl: `${base.replace('http', 'ws')}sip`, extension: creds.extension, password: creds.password, onInvite: (inv) => void inv.accept() });
    const t0 = performance.now();
    await ua.register();
    registerTimes.push(performance.now() - t0);
    uas.push(Object.assign(ua, { extension: creds.extension }));
  }
  const inviteTimes: number[] = [];
  const inviters: Array<InstanceType<typeof Inviter>> = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: n }, (_, i) => {
      const caller = uas[2 * i]!;
      const callee = uas[2 * i + 1]!;
      const inviter = new Inviter(caller.ua, UserAgent.makeURI(`sip:${callee.extension}@callmark.local`)!);
      inviters.push(inviter);
      const t0 = performance.now();
      return new Promise<void>((resolve) => {
        void inviter.invite({
          requestDelegate: {
            onAccept: () => {
              inviteTimes.push(performance.now() - t0);
              resolve();
            },
            onReject: () => resolve(),
          },
        });
      });
    }),
  );
  const burstSeconds = (performance.now() - started) / 1000;
  const byeStart = performance.now();
  await Promise.all(
    inviters.map(
      (i) =>
        new Promise<void>((resolve) => {
          if (i.state !== SessionState.Established) return resolve();
          // Done when the B2BUA's 200 OK to the BYE arrives (sip.js calls itself terminated on sending).
          void i.bye({ requestDelegate: { onAccept: () => resolve(), onReject: () => resolve() } }).catch(() => resolve());
        }),
    ),
  );
  const byeSeconds = (performance.now() - byeStart) / 1000;
  for (const u of uas) await u.stop();
  await server.stop();
  fs.rmSync(server.dataDir, { recursive: true, force: true });
  return {
    registerP50: percentile(registerTimes, 50),
    registerP95: percentile(registerTimes, 95),
    inviteP50: percentile(inviteTimes, 50),
    inviteP95: percentile(inviteTimes, 95),
    answered: inviteTimes.length,
    callsPerSecond: inviteTimes.length / burstSeconds,
    byePerSecond: n / byeSeconds,
  };
}

// ------------------------------------------------------------------ run
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callmark-bench-'));
// Each call of the media part takes six ports (two parties, two sinks, two recorder legs): 8,000
// ports carry 1,300 calls. The signalling part's server uses 20000-39999; the media tests use this
// range too, so do not run the benchmark and the test suite at once.
const pool = await MediaWorkerPool.start({ workers: os.cpus().length, rtcMinPort: 40000, rtcMaxPort: 47999 });
console.log(`Callmark call benchmark: ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${pool.size} mediasoup workers, steady window ${windowSeconds} s`);
const rows: string[] = [];
const fmt = (v: number, d = 1) => (Number.isFinite(v) ? v.toFixed(d) : '-');
for (const n of steps) {
  const m = await mediaStep(pool, n, dir);
  const s = await signallingStep(n);
  const row = [
    String(n).padStart(5),
    `${fmt(s.inviteP50, 0)}/${fmt(s.inviteP95, 0)} ms`.padStart(13),
    `${fmt(m.flowingP50, 0)}/${fmt(m.flowingP95, 0)} ms`.padStart(13),
    `${fmt(m.workerCpuPerCall, 2)}`.padStart(7),
    `${fmt(m.ffmpegCpuPerCall, 2)}`.padStart(7),
    `${fmt(m.nodeCpuPerCall, 2)}`.padStart(6),
    `${fmt(m.machineCpu, 0)} %`.padStart(7),
    `${fmt(m.memoryPerCallMb, 1)}`.padStart(7),
    `${fmt(m.lossPercent, 2)} %`.padStart(8),
    `${fmt(m.offeredPercent, 0)} %`.padStart(6),
    `${fmt(100 * m.completenessMin, 1)} %`.padStart(9),
    `${fmt(m.finaliseAllSeconds, 1)} s`.padStart(8),
    `${fmt(m.lossWhileMixingPercent, 2)} %`.padStart(8),
    `${fmt(s.registerP50, 0)}/${fmt(s.registerP95, 0)} ms`.padStart(12),
  ].join(' |');
  rows.push(row);
  console.log(`step ${n} calls done (answered ${s.answered}/${n}; ${fmt(s.callsPerSecond)} call set-ups/s and ${fmt(s.byePerSecond)} BYE/s through the B2BUA, burst of ${n})`);
}
console.log('\ncalls | INVITE→200 p50/p95 | media flowing p50/p95 | worker %/call | ffmpeg %/call | node+receiver %/call | machine CPU | MB/call | loss | load sent | rec. complete (min) | all N final after hang-up | loss while finishing | REGISTER p50/p95');
console.log(` (CPU % of one core per call; machine CPU = share of all cores during the steady window; ${mixConcurrency} mixes at once)`);
for (const r of rows) console.log(r);
await pool.close();
load.kill();
fs.rmSync(dir, { recursive: true, force: true });
process.exit(0);
