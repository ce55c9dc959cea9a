// npm run bench:media -- [N ...] [--seconds S] [--reps R] [--modes rtp,srtp] [--systems callmark,rtpengine] [--workers W] [--fill-routers F] [--worker-slice-us U] [--phases ordered|spread[,...]] [--relay-priority P,...] [--loadgen-priority P] [--cpu-prof DIR]
//
// Callmark's recorded calls against rtpengine's, on the same load, on this machine. For every
// number of concurrent calls N, mode (plain RTP legs or SRTP legs keyed by SDES) and repetition, each
// system in turn (the order alternating between repetitions) relays and records N calls whose two
// parties are played by one native load generator (bench/native/rtp-loadgen.c): real Opus packets,
// 50 per second per party, each party sending to the relay and receiving the other party.
//
//  - rtpengine: Debian's rtpengine-daemon, userspace forwarding (--table=-1), every call recorded to
//    pcap (--recording-method=pcap, "record call"), set up over its ng control protocol.
//  - Callmark: the media plane as the B2BUA builds it (media/): a router per call on the worker pool
//    (one mediasoup worker per core), each party a PlainTransport (with SRTP for the SRTP mode) whose
//    Producer is consumed toward the other party, and the CallRecorder as built.
//
// Measured over a steady window (after a warm-up): CPU of everything the system runs (rtpengine's
// process; mediasoup workers + the recorder's processes + this Node process for Callmark), per call;
// forwarding latency per packet (kernel receive timestamp at the receiving party minus the time just
// before the sending party's sendto); loss. Then every call hangs up at once and what that costs is
// measured too (CPU and wall time until every recording is final), and the recorded packets are
// counted against the packets sent. Prints figures and Callmark/rtpengine ratios; no pass/fail.
import { execFileSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import os from 'node:os';
import path from 'node:path';
import type { types as ms } from 'mediasoup';
import { CallRecorder, DEFAULT_FILL_ROUTERS, DEFAULT_WORKER_SLICE_US, MediaWorkerPool } from '../media/index.js';
import { RtpReceiver } from '../media/recording/rtp-receiver.js';
import { LoadGenerator, srtpKey, writeOpusPackets, type LoadReport } from './loadgen.js';
import { percentile, sampleProcess } from './proc-stats.js';
import { countPcapPackets, partySdp, readSdp, Rtpengine } from './rtpengine.js';

type Mode = 'rtp' | 'srtp';
type System = 'callmark' | 'rtpengine';

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const windowSeconds = Number(opt('--seconds') ?? 20);
const reps = Number(opt('--reps') ?? 2);
const modes = (opt('--modes') ?? 'rtp,srtp').split(',') as Mode[];
const systems = (opt('--systems') ?? 'rtpengine,callmark').split(',') as System[];
const steps = args.filter((a, i) => /^\d+$/.test(a) && !(args[i - 1] ?? '').startsWith('--')).map(Number);
if (steps.length === 0) steps.push(100, 300);
const WARMUP_MS = 3000;
// --cpu-prof DIR: V8's CPU profile of this process over each measurement window (not the set-up), one
// .cpuprofile per run, for Chrome DevTools or bench/cpu-profile-summary.ts. Profiling costs CPU
// itself: do not take the CPU figures of a profiled run.
const cpuProfileDir = opt('--cpu-prof');
const cores = os.availableParallelism();
// --workers W: Callmark's mediasoup workers (default one per core, as the server runs).
const workerCount = Number(opt('--workers') ?? cores);
// --fill-routers F: the pool's fillRouters (calls packed onto one worker up to F, then spread);
// default the pool's own (DEFAULT_FILL_ROUTERS), as the server runs unless configured otherwise; 0 spreads.
const fillRouters = Number(opt('--fill-routers') ?? DEFAULT_FILL_ROUTERS);
// --worker-slice-us U: the workers' scheduler slice (media/worker-pool.ts); default the pool's own
// (DEFAULT_WORKER_SLICE_US), as the server runs unless configured otherwise; 0 leaves the kernel's.
const workerSliceUs = Number(opt('--worker-slice-us') ?? DEFAULT_WORKER_SLICE_US);
// --phases ordered|spread: where in the 20-ms packet period each party sends (bench/native/rtp-loadgen.c,
// "start"). ordered (default, as every figure before 2026-12-07 14:30 UTC): party k at k/N of the period, so
// the calls a worker took in order (the pool fills one worker with the first fillRouters calls) all send in
// one slice of the period and that worker idles the rest; spread: a golden-ratio stride, every worker's
// calls over the whole period, as calls that start at random times are (bench/README.md, "SRTP forwarding
// p99 at 300 calls"). The same for both systems. With both (`ordered,spread`), every repetition runs each in
// turn (the order reversed in even repetitions), interleaved.
type Phases = 'ordered' | 'spread';
const phaseList = (opt('--phases') ?? 'ordered').split(',').map((p): Phases => {
  if (p !== 'ordered' && p !== 'spread') throw new Error(`--phases ordered|spread, not ${p}`);
  return p;
});
// --relay-priority P[,P...]: the CPU priority of each system's relay, set from here on every thread of
// the relay's processes after its calls are set up (Callmark: the mediasoup workers; rtpengine: its one
// process, forwarding and recording threads alike), while the load generator, the recorder's receiver and
// this process keep the bench's own (nice 19 under the documented command). P: `inherit` (default: the
// bench's), `nice:N` (-20..19), `rr:N` or `fifo:N` (SCHED_RR / SCHED_FIFO at priority N, 1..99; needs
// root or CAP_SYS_NICE). With several, every repetition runs each in turn (the order reversed in even
// repetitions), so that priorities are compared interleaved, on the same load (bench/README.md, stop 30).
type RelayPriority = { kind: 'inherit' } | { kind: 'nice'; value: number } | { kind: 'rr' | 'fifo'; value: number };
const relayPriorities: RelayPriority[] = (opt('--relay-priority') ?? 'inherit').split(',').map(parsePriority);
function parsePriority(p: string): RelayPriority {
  if (p === 'inherit') return { kind: 'inherit' };
  const m = /^(nice|rr|fifo):(-?\d+)$/.exec(p);
  const value = Number(m?.[2]);
  if (m?.[1] === 'nice' && value >= -20 && value <= 19) return { kind: 'nice', value };
  if ((m?.[1] === 'rr' || m?.[1] === 'fifo') && value >= 1 && value <= 99) return { kind: m[1], value };
  throw new Error(`a priority is inherit|nice:N|rr:N|fifo:N, not ${p}`);
}
// --loadgen-priority P (same forms): the load generator's, set as it starts, for every run. It plays the
// parties and the network: if the relays may preempt it, it falls behind its 1-ms timer and then sends
// the packets that came due at once (rtp-loadgen.c, send_due), a burst that real phones never make, and
// the relay's latency then includes the burst's own queue (bench/README.md, stop 30).
const loadgenPriority = parsePriority(opt('--loadgen-priority') ?? 'inherit');
const priorityName = (p: RelayPriority) => (p.kind === 'inherit' ? 'inherit' : `${p.kind}:${p.value}`);

const CLK_TCK = 100;
/** CPU seconds of this process's exited, waited-for children (ffmpeg, ffprobe): /proc/self/stat cutime + cstime. */
function childrenCpuSeconds(): number {
  const stat = fs.readFileSync('/proc/self/stat', 'utf8');
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(rest[13]) + Number(rest[14])) / CLK_TCK;
}
const nodeCpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
/** Live children of this process by name (comm is cut to 15 characters by the kernel). */
function childPids(comm: string): number[] {
  return fs
    .readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .map(Number)
    .filter((pid) => {
      const s = sampleProcess(pid);
      return s !== undefined && s.ppid === process.pid && s.comm === comm.slice(0, 15);
    });
}

/** Every thread of a process (/proc/<pid>/task). */
const threadsOf = (pid: number) => fs.readdirSync(`/proc/${pid}/task`).map(Number);

/**
 * Gives every thread of the processes the priority, then reads back what each thread has
 * (/proc/<tid>/stat: nice, policy, RT priority) and returns it, e.g. "nice 0 ×12" or "RR 1 ×3", so
 * that a run says what it measured, not what it asked for.
 */
function applyRelayPriority(pids: number[], p: RelayPriority): string {
  for (const pid of pids) {
    if (p.kind === 'nice') for (const tid of threadsOf(pid)) os.setPriority(tid, p.value);
    // chrt -a: every task (thread) of the process.
    else if (p.kind === 'rr' || p.kind === 'fifo') execFileSync('chrt', ['-a', p.kind === 'rr' ? '-r' : '-f', '-p', String(p.value), String(pid)]);
  }
  const seen = new Map<string, number>();
  for (const pid of pids) {
    for (const tid of threadsOf(pid)) {
      let stat: string;
      try {
        stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      } catch {
        continue; // the thread has just ended
      }
      // Fields after the command: [16] nice, [37] rt_priority, [38] policy (proc(5), counted from state = 0).
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const policy = Number(f[38]);
      const name = policy === 1 ? `FIFO ${f[37]}` : policy === 2 ? `RR ${f[37]}` : policy === 5 ? 'IDLE' : `nice ${f[16]}`;
      seen.set(name, (seen.get(name) ?? 0) + 1);
    }
  }
  return [...seen].map(([k, v]) => `${k} ×${v}`).join(', ');
}

/** This process's group: the bench's own processes (flock, nice, npx, tsx, this Node, every child). */
const ownGroup = Number(fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ')[2]);
/** Busy CPU seconds of the whole machine (/proc/stat: all but idle and iowait) and of the bench's group. */
function machineAndOwnCpu(): { machine: number; own: number } {
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const machine = f.reduce((s, x, i) => (i === 3 || i === 4 || i >= 8 ? s : s + x), 0) / CLK_TCK;
  let own = 0;
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const rest = fs.readFileSync(`/proc/${e}/stat`, 'utf8').split(') ').pop()!.split(' ');
      if (Number(rest[2]) === ownGroup) own += (Number(rest[11]) + Number(rest[12])) / CLK_TCK;
    } catch {
      /* exited meanwhile */
    }
  }
  return { machine, own };
}

interface CpuParts {
  [part: string]: number;
}
interface RunResult {
  system: System;
  mode: Mode;
  n: number;
  rep: number;
  phases: Phases;
  priority: RelayPriority;
  /** The relay's threads' priority as read back from /proc after it was set. */
  priorityApplied: string;
  loadgenApplied: string;
  /** CPU of processes outside the bench's own (other jobs, the VM's own), % of one core: mean and the highest 1-s sample. */
  otherCpu: { mean: number; max: number };
  setupSeconds: number;
  /** Share of one core per call during the steady window, by part. */
  cpuPerCall: CpuParts;
  report: LoadReport;
  loadgenCpuShare: number;
  /** CPU seconds per call spent from hang-up until every recording is final, and how long that took. */
  hangupCpuPerCall: number;
  readySeconds: number;
  recordedPackets: number;
  sentPackets: number;
  /** Callmark: the packets sent but not in the recordings, by where they were left out. */
  notRecorded?: Record<string, number>;
}

// ------------------------------------------------------------------ rtpengine
async function runRtpengine(n: number, mode: Mode, rep: number, phases: Phases, priority: RelayPriority, packets: string, dir: string): Promise<RunResult> {
  const recordingDir = fs.mkdtempSync(path.join(dir, 'rtpengine-'));
  const engine = await Rtpengine.start({ portMin: 20000, portMax: 29999, recordingDir });
  const load = LoadGenerator.start(packets);
  const loadgenApplied = applyRelayPriority([load.pid], loadgenPriority);
  try {
    const ports = await load.open(2 * n);
    const t0 = performance.now();
    for (let c = 0; c < n; c++) {
      const callId = `bench-${rep}-${c}`;
      const [a, b] = [2 * c, 2 * c + 1];
      const keyA = mode === 'srtp' ? srtpKey() : undefined;
      const keyB = mode === 'srtp' ? srtpKey() : undefined;
      const offer = readSdp(
        await engine.sdpCommand({
          command: 'offer', 'call-id': callId, 'from-tag': 'a', sdp: partySdp({ port: ports[a]!, srtpKey: keyA, sessionId: a }),
          'record call': 'yes', ICE: 'remove', replace: ['origin', 'session-connection'], 'rtcp-mux': ['accept'],
        }),
      );
      const answer = readSdp(
        await engine.sdpCommand({
          command: 'answer', 'call-id': callId, 'from-tag': 'a', 'to-tag': 'b', sdp: partySdp({ port: ports[b]!, srtpKey: keyB, cryptoTag: offer.cryptoTag, sessionId: b }),
          ICE: 'remove', replace: ['origin', 'session-connection'], 'rtcp-mux': ['accept'],
        }),
      );
      // A sends to the port rtpengine answered for it, B to the port in rtpengine's offer to B.
      await load.configure(a, { destPort: answer.port, ssrc: randomInt(1, 2 ** 31), payloadType: 111, peer: b, txKey: keyA, rxKey: answer.srtpKey });
      await load.configure(b, { destPort: offer.port, ssrc: randomInt(1, 2 ** 31), payloadType: 111, peer: a, txKey: keyB, rxKey: offer.srtpKey });
    }
    const setupSeconds = (performance.now() - t0) / 1000;
    const priorityApplied = applyRelayPriority([engine.pid], priority);
    const steady = await measureWindow(load, phases, () => sampleProcess(engine.pid)!.cpuSeconds, () => ({ rtpengine: sampleProcess(engine.pid)!.cpuSeconds }));
    await load.run('stop');
    await sleep(300);
    const sent = (await load.totals()).reduce((s, x) => s + x, 0);
    const cpuBefore = sampleProcess(engine.pid)!.cpuSeconds;
    const hangup = performance.now();
    for (let c = 0; c < n; c += 20) {
      await Promise.all(Array.from({ length: Math.min(20, n - c) }, (_, k) => engine.request({ command: 'delete', 'call-id': `bench-${rep}-${c + k}`, 'from-tag': 'a' })));
    }
    const readySeconds = (performance.now() - hangup) / 1000;
    const hangupCpu = sampleProcess(engine.pid)!.cpuSeconds - cpuBefore;
    await engine.stop(); // closes and flushes the pcap files
    const recorded = countPcapPackets(recordingDir);
    return { system: 'rtpengine', mode, n, rep, phases, priority, priorityApplied, loadgenApplied, setupSeconds, ...steady, hangupCpuPerCall: hangupCpu / n, readySeconds, recordedPackets: recorded.packets, sentPackets: sent };
  } finally {
    await load.quit();
    await engine.stop();
    fs.rmSync(recordingDir, { recursive: true, force: true });
  }
}

// ------------------------------------------------------------------ Callmark
const OPUS: ms.RtpCodecParameters = { mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2, parameters: {}, rtcpFeedback: [] };

async function runCallmark(n: number, mode: Mode, rep: number, phases: Phases, priority: RelayPriority, packets: string, dir: string): Promise<RunResult> {
  const recordings = fs.mkdtempSync(path.join(dir, 'callmark-'));
  const pool = await MediaWorkerPool.start({ workers: workerCount, fillRouters, workerSliceUs, rtcMinPort: 10000, rtcMaxPort: 19999, logLevel: 'error' });
  const load = LoadGenerator.start(packets);
  const loadgenApplied = applyRelayPriority([load.pid], loadgenPriority);
  const calls: Array<{ router: ms.Router; recorder: CallRecorder; slot: ReturnType<MediaWorkerPool['acquire']> }> = [];
  const receiver = await RtpReceiver.shared();
  const receiverBefore = await receiver.counters();
  try {
    const ports = await load.open(2 * n);
    const t0 = performance.now();
    const party = async (router: ms.Router, loadPort: number) => {
      const transport = await router.createPlainTransport({
        listenIp: '127.0.0.1', rtcpMux: true, comedia: false,
        ...(mode === 'srtp' ? { enableSrtp: true, srtpCryptoSuite: 'AES_CM_128_HMAC_SHA1_80' as const } : {}),
      });
      const txKey = mode === 'srtp' ? srtpKey() : undefined;
      await transport.connect({ ip: '127.0.0.1', port: loadPort, ...(txKey ? { srtpParameters: { cryptoSuite: 'AES_CM_128_HMAC_SHA1_80', keyBase64: txKey } } : {}) });
      const ssrc = randomInt(1, 2 ** 31);
      const producer = await transport.produce({ kind: 'audio', rtpParameters: { codecs: [OPUS], encodings: [{ ssrc }] } });
      return { transport, producer, ssrc, txKey, rxKey: transport.srtpParameters?.keyBase64 };
    };
    const setUp = async (c: number) => {
      const slot = pool.acquire();
      const router = await slot.worker.createRouter({ mediaCodecs: [{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2, preferredPayloadType: 111 }] });
      const [a, b] = [2 * c, 2 * c + 1];
      const pa = await party(router, ports[a]!);
      const pb = await party(router, ports[b]!);
      await pa.transport.consume({ producerId: pb.producer.id, rtpCapabilities: router.rtpCapabilities });
      await pb.transport.consume({ producerId: pa.producer.id, rtpCapabilities: router.rtpCapabilities });
      const recorder = await CallRecorder.start({ router, left: pa.producer, right: pb.producer, file: path.join(recordings, `call-${c}.ogg`) });
      calls.push({ router, recorder, slot });
      await load.configure(a, { destPort: pa.transport.tuple.localPort, ssrc: pa.ssrc, payloadType: 111, peer: b, txKey: pa.txKey, rxKey: pa.rxKey });
      await load.configure(b, { destPort: pb.transport.tuple.localPort, ssrc: pb.ssrc, payloadType: 111, peer: a, txKey: pb.txKey, rxKey: pb.rxKey });
    };
    for (let c = 0; c < n; c += 10) await Promise.all(Array.from({ length: Math.min(10, n - c) }, (_, k) => setUp(c + k)));
    const setupSeconds = (performance.now() - t0) / 1000;

    const workerPids = pool.health().workers.map((w) => w.pid);
    const priorityApplied = applyRelayPriority(workerPids, priority);
    const helperPids = () => childPids('callmark-rtp-receiver');
    const parts = () => ({
      mediasoup: workerPids.reduce((s, p) => s + (sampleProcess(p)?.cpuSeconds ?? 0), 0),
      receiver: helperPids().reduce((s, p) => s + (sampleProcess(p)?.cpuSeconds ?? 0), 0),
      node: nodeCpuSeconds(),
      ffmpeg: childrenCpuSeconds() + childPids('ffmpeg').reduce((s, p) => s + (sampleProcess(p)?.cpuSeconds ?? 0), 0),
    });
    const total = () => Object.values(parts()).reduce((s, x) => s + x, 0);
    const steady = await measureWindow(load, phases, total, parts);
    await load.run('stop');
    await sleep(300);
    const sent = (await load.totals()).reduce((s, x) => s + x, 0);
    const cpuBefore = total();
    const hangup = performance.now();
    const results = await Promise.all(calls.map((c) => c.recorder.stop()));
    const readySeconds = (performance.now() - hangup) / 1000;
    const hangupCpu = total() - cpuBefore;
    const recordedPackets = calls.reduce((s, c) => s + c.recorder.packetsRecorded, 0);
    if (results.length !== n) throw new Error('a recording did not finish');
    // Where the packets that are not in the recordings were left out: the leg relays' counters by
    // reason (relayStats), and what never reached a relay (lost on the way, or placed after its leg's end).
    const legs = calls.flatMap((c) => [c.recorder.relayStats.left, c.recorder.relayStats.right]).flatMap((l) => (l ? [l] : []));
    const legTotal = (k: 'received' | 'droppedLate' | 'droppedDrift' | 'droppedInvalid') => legs.reduce((s, l) => s + l[k], 0);
    const receiverAfter = await receiver.counters();
    const notRecorded = {
      'never reached a relay': sent - legTotal('received'),
      'late (place written)': legTotal('droppedLate'),
      drift: legTotal('droppedDrift'),
      'not Opus': legTotal('droppedInvalid'),
      'receiver buffer full': (receiverAfter.dropped_full ?? 0) - (receiverBefore.dropped_full ?? 0),
    };
    return { system: 'callmark', mode, n, rep, phases, priority, priorityApplied, loadgenApplied, setupSeconds, ...steady, hangupCpuPerCall: hangupCpu / n, readySeconds, recordedPackets, sentPackets: sent, notRecorded };
  } finally {
    for (const c of calls) {
      c.recorder.kill();
      c.router.close();
      pool.release(c.slot);
    }
    await load.quit();
    await pool.close();
    fs.rmSync(recordings, { recursive: true, force: true });
  }
}

// ------------------------------------------------------------------ shared
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function measureWindow(load: LoadGenerator, phases: Phases, total: () => number, parts: () => CpuParts) {
  await load.run(phases === 'spread' ? 'start spread' : 'start');
  await sleep(WARMUP_MS);
  const loadBefore = (await load.report()).cpu;
  await load.run('window-start');
  const profiler = cpuProfileDir ? new Session() : undefined;
  if (profiler) {
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.start');
  }
  const before = { parts: parts(), total: total(), at: performance.now() };
  // Other processes' CPU, in 1-s samples: a run beside another job's full core says little about latency.
  const otherSamples: number[] = [];
  let last = { ...machineAndOwnCpu(), at: performance.now() };
  const otherTimer = setInterval(() => {
    const now = { ...machineAndOwnCpu(), at: performance.now() };
    otherSamples.push(Math.max(0, now.machine - last.machine - (now.own - last.own)) / ((now.at - last.at) / 1000));
    last = now;
  }, 1000);
  await sleep(windowSeconds * 1000);
  clearInterval(otherTimer);
  const after = { parts: parts(), at: performance.now() };
  if (profiler && cpuProfileDir) {
    const { profile } = await profiler.post('Profiler.stop');
    fs.mkdirSync(cpuProfileDir, { recursive: true });
    fs.writeFileSync(path.join(cpuProfileDir, `window-${Date.now()}.cpuprofile`), JSON.stringify(profile));
    profiler.disconnect();
  }
  await load.run('window-end');
  await sleep(500); // packets sent just before the end still count, if they arrive
  const report = await load.report();
  const wall = (after.at - before.at) / 1000;
  const n = (await load.totals()).length / 2;
  const cpuPerCall: CpuParts = {};
  for (const [k, v] of Object.entries(after.parts)) cpuPerCall[k] = (v - (before.parts[k] ?? 0)) / wall / n;
  const otherCpu = { mean: otherSamples.reduce((s, x) => s + x, 0) / Math.max(1, otherSamples.length), max: Math.max(0, ...otherSamples) };
  return { cpuPerCall, report, loadgenCpuShare: (report.cpu - loadBefore) / wall, otherCpu };
}

const sum = (p: CpuParts) => Object.values(p).reduce((s, x) => s + x, 0);
const pct = (x: number, d = 3) => (100 * x).toFixed(d);
const millis = (us: number) => (us < 0 ? '-' : (us / 1000).toFixed(2));
const median = (xs: number[]) => percentile(xs, 50);

function printRun(r: RunResult): void {
  const loss = r.report.sent > 0 ? (100 * (r.report.sent - r.report.received)) / r.report.sent : NaN;
  const parts = Object.entries(r.cpuPerCall).map(([k, v]) => `${k} ${pct(v)}`).join(', ');
  console.log(
    `| ${r.mode} | ${r.n} | ${r.rep} | ${r.system} | ${r.phases} | ${r.priorityApplied} (load generator ${r.loadgenApplied}) | ${new Date().toISOString().slice(11, 19)}, load ${os.loadavg()[0]!.toFixed(2)}, other ${pct(r.otherCpu.mean, 0)} / ${pct(r.otherCpu.max, 0)} % | ${pct(sum(r.cpuPerCall))} (${parts}) | ${millis(r.report.p50)} / ${millis(r.report.p99)} / ${millis(r.report.max)} | ${loss.toFixed(3)} % | ${((100 * r.recordedPackets) / r.sentPackets).toFixed(2)} % | ${r.hangupCpuPerCall.toFixed(4)} s, ready ${r.readySeconds.toFixed(2)} s | ${r.setupSeconds.toFixed(1)} s | ${pct(r.loadgenCpuShare, 1)} % |`,
  );
}

// ------------------------------------------------------------------ run
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callmark-bench-media-'));
const packetsFile = path.join(dir, 'opus-packets.bin');
const packetCount = writeOpusPackets(packetsFile);
console.log(`Media side by side: ${cores} cores, Callmark on ${workerCount} mediasoup worker(s)${fillRouters > 0 ? ` filled up to ${fillRouters} calls each` : ''}, scheduler slice ${workerSliceUs > 0 ? `${workerSliceUs} µs` : "the kernel's"}, phases ${phaseList.join(' / ')}, relay priority ${relayPriorities.map(priorityName).join(' / ')}, load generator ${priorityName(loadgenPriority)}, ${Math.round(os.totalmem() / 2 ** 30)} GiB; ${packetCount} distinct Opus packets (20 ms, 32 kb/s) looped, 50/s per party; warm-up ${WARMUP_MS / 1000} s, window ${windowSeconds} s; ${reps} repetitions, systems interleaved`);
console.log('CPU in % of one core per call; latency p50 / p99 / max in ms; recorded = packets in the recordings / packets the parties sent\n');
console.log('| mode | calls | rep | system | phases | relay threads | end (UTC), load, other CPU mean / max | CPU %/call (parts) | latency p50 / p99 / max | loss | recorded | hang-up: CPU s/call, all final after | set-up | load generator CPU |');
console.log('| --- | ---: | ---: | --- | --- | --- | --- | --- | --- | ---: | ---: | --- | ---: | ---: |');
const results: RunResult[] = [];
for (const n of steps) {
  for (const mode of modes) {
    for (let rep = 1; rep <= reps; rep++) {
      const order = rep % 2 === 1 ? systems : [...systems].reverse();
      for (const phases of rep % 2 === 1 ? phaseList : [...phaseList].reverse()) {
        for (const priority of rep % 2 === 1 ? relayPriorities : [...relayPriorities].reverse()) {
          for (const system of order) {
            const r = system === 'rtpengine' ? await runRtpengine(n, mode, rep, phases, priority, packetsFile, dir) : await runCallmark(n, mode, rep, phases, priority, packetsFile, dir);
            results.push(r);
            printRun(r);
          }
        }
      }
    }
  }
}
const withDrops = results.filter((r) => r.notRecorded);
if (withDrops.length > 0) {
  console.log("\nCallmark: packets sent but not in the recordings, by where the recorder left them out");
  console.log(`| mode | calls | rep | not recorded | ${Object.keys(withDrops[0]!.notRecorded!).join(' | ')} |`);
  console.log(`| --- | ---: | ---: | ---: |${Object.keys(withDrops[0]!.notRecorded!).map(() => ' ---: |').join('')}`);
  for (const r of withDrops) console.log(`| ${r.mode} | ${r.n} | ${r.rep} | ${r.sentPackets - r.recordedPackets} | ${Object.values(r.notRecorded!).join(' | ')} |`);
}
console.log('\nRatios Callmark / rtpengine (medians over repetitions; CPU per call counts the hang-up cost spread over the call length)');
console.log('| mode | calls | phases | relay priority | CPU per call | latency p99 | call length in the benchmark |');
console.log('| --- | ---: | --- | --- | ---: | ---: | ---: |');
const callSeconds = WARMUP_MS / 1000 + windowSeconds + 1;
for (const n of steps) {
  for (const mode of modes) for (const phases of phaseList) for (const priority of relayPriorities) {
    const of = (s: System) => results.filter((r) => r.n === n && r.mode === mode && r.system === s && r.phases === phases && r.priority === priority);
    const cm = of('callmark');
    const re = of('rtpengine');
    if (cm.length === 0 || re.length === 0) continue;
    const cpu = (rs: RunResult[]) => median(rs.map((r) => sum(r.cpuPerCall) + r.hangupCpuPerCall / callSeconds));
    const p99 = (rs: RunResult[]) => median(rs.map((r) => r.report.p99));
    console.log(`| ${mode} | ${n} | ${phases} | ${priorityName(priority)} | ${(cpu(cm) / cpu(re)).toFixed(2)} (${pct(cpu(cm))} / ${pct(cpu(re))}) | ${(p99(cm) / p99(re)).toFixed(2)} (${millis(p99(cm))} / ${millis(p99(re))} ms) | ${callSeconds.toFixed(0)} s |`);
  }
}
fs.rmSync(dir, { recursive: true, force: true });
process.exit(0);
