// CallRecorder against real mediasoup, the real RTP receiver process and real ffmpeg: tone
// generators play the parties (440 Hz on the candidate's leg, 880 Hz on the caller's), and the
// recordings are decoded and measured with a Goertzel detector. Edges are found on a 25 ms window
// moved in 5 ms steps.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { types as ms } from 'mediasoup';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CallRecorder, finishLegFiles, legsDirOf, MediaWorkerPool, probeDurationMs, type RecorderOptions } from '../../media/index.js';
import { LegRelay } from '../../media/recording/leg-relay.js';
import { readOggPackets } from '../../media/recording/ogg.js';
import { RtpReceiver } from '../../media/recording/rtp-receiver.js';
import { MuxChannel } from '../../media/recording/stream-muxer.js';
import { decodeAudio, envelopeIndex as idx, envelopeTime as time, toneEnvelope as envelope, tonePower, type DecodedAudio } from '../support/audio.js';
import { startToneProducer, type ToneOptions, type ToneProducer } from '../support/rtp-tone.js';
import { sleep, until } from '../support/until.js';

const EDGE = 0.06; // s: the product's alignment requirement

let pool: MediaWorkerPool;
let dir: string;
const cleanups: Array<() => unknown> = [];

beforeAll(async () => {
  pool = await MediaWorkerPool.start({ workers: 1, rtcMinPort: 45000, rtcMaxPort: 45799 });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callmark-recorder-test-'));
});
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});
afterAll(async () => {
  await pool?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function newRouter(): Promise<ms.Router> {
  const slot = pool.acquire();
  const router = await slot.worker.createRouter({
    mediaCodecs: [{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2, preferredPayloadType: 111 }],
  });
  cleanups.push(() => {
    router.close();
    pool.release(slot);
  });
  return router;
}

async function tone(router: ms.Router, hz: number, opts?: ToneOptions): Promise<ToneProducer> {
  const t = await startToneProducer(router, hz, opts);
  cleanups.push(() => t.stop());
  return t;
}

async function record(opts: Omit<RecorderOptions, 'file'> & { name: string }): Promise<{ rec: CallRecorder; file: string }> {
  const file = path.join(dir, `${opts.name}.ogg`);
  const rec = await CallRecorder.start({ ...opts, file });
  cleanups.push(() => rec.kill());
  return { rec, file };
}

/** Seconds since the recording's t=0. */
const at = (rec: CallRecorder, wallMs: number) => (wallMs - rec.startedAt) / 1000;

const slice = (env: number[], from: number, to: number) => env.slice(Math.max(0, idx(from)), Math.min(env.length, idx(to)));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const max = (xs: number[]) => xs.reduce((a, b) => Math.max(a, b), 0);
const min = (xs: number[]) => xs.reduce((a, b) => Math.min(a, b), Infinity);
// An edge is where the tone crosses 20 % of its level. Not 50 %: after a splice (silence, then the
// sender's packets again) the Opus decoder needs ~50 ms to reach full amplitude, because CELT codes
// band energies relative to the previous frame, which it did not see. That fade-in is the codec's,
// not a misplacement; measured placement errors are below 5 ms.
const EDGE_LEVEL = 0.2;
/** First time in [from, to) at which the tone is present. */
function onset(env: number[], level: number, from: number, to = time(env.length)): number {
  for (let i = Math.max(0, idx(from)); i < Math.min(env.length, idx(to)); i++) if (env[i]! > level * EDGE_LEVEL) return time(i);
  return NaN;
}
/** Last time in [from, to) at which the tone is present. */
function offset(env: number[], level: number, from: number, to: number): number {
  for (let i = Math.min(env.length, idx(to)) - 1; i >= Math.max(0, idx(from)); i--) if (env[i]! > level * EDGE_LEVEL) return time(i);
  return NaN;
}
/** An edge caused by an action between wall times before and after (s since t=0) lies within EDGE of it. */
function expectEdge(edge: number, before: number, after: number): void {
  expect(edge).toBeGreaterThan(before - EDGE);
  expect(edge).toBeLessThan(after + EDGE);
}
/** The right side's 880 Hz tone ends where its party left: within EDGE of `span` (recording time, s). */
async function expectRightToneEndsWithin(file: string, [leftAt, leftDone]: [number, number]): Promise<void> {
  const audio = await decodeAudio(file);
  const env880 = envelope(audio, 1, 880);
  const level880 = median(slice(env880, 0.3, leftAt - 0.3));
  expectEdge(offset(env880, level880, leftAt - 1, leftAt + 1), leftAt, leftDone);
}
/** Runs an action and returns the span of recording time (s) during which it took effect. */
async function during(rec: CallRecorder, action: () => Promise<unknown>): Promise<[number, number]> {
  const before = at(rec, Date.now());
  await action();
  return [before, at(rec, Date.now())];
}
/** Ends `producer`'s leg now: the span in which the leave took effect, not when the leg closed. */
const leaveNow = (rec: CallRecorder, producer: ms.Producer) => during(rec, async () => {
  void rec.endLeg(producer);
});
const seconds = (a: DecodedAudio) => a.channels[0]!.length / a.sampleRate;

function ffprobeStream(file: string): Record<string, string> {
  const r = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name,channels,sample_rate:format=format_name', '-of', 'default=noprint_wrappers=1', file], { encoding: 'utf8' });
  return Object.fromEntries(r.stdout.trim().split('\n').map((l) => l.split('=') as [string, string]));
}

/** Freezes the pool's mediasoup worker (SIGSTOP) for `ms`, as a starved machine may: it forwards nothing meanwhile. */
async function freezeWorker(ms: number): Promise<void> {
  const worker = pool.health().workers[0]!.pid;
  process.kill(worker, 'SIGSTOP');
  try {
    await sleep(ms);
  } finally {
    process.kill(worker, 'SIGCONT');
  }
}

/** Keeps this process's event loop busy for `ms`, as a loaded server's may be: nothing is read meanwhile. */
function holdEventLoop(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    /* busy */
  }
}

describe('CallRecorder', () => {
  it('records the candidate on the left and the caller on the right, as long as the wall clock says', async () => {
    const router = await newRouter();
    const left = await tone(router, 440);
    const right = await tone(router, 880);
    const { rec, file } = await record({ name: 'channels', router, left: left.producer, right: right.producer });
    await sleep(4000);
    const stoppedAt = Date.now();
    const result = await rec.stop();

    const audio = await decodeAudio(file);
    expect(audio.channels).toHaveLength(2);
    const wall = at(rec, stoppedAt);
    expect(Math.abs(seconds(audio) - wall)).toBeLessThan(0.3);
    expect(Math.abs(result.durationMs / 1000 - wall)).toBeLessThan(0.3);

    const [l, r] = audio.channels as [Float32Array, Float32Array];
    const from = 0.2 * audio.sampleRate;
    const l440 = tonePower(l, 48000, 440, from);
    const l880 = tonePower(l, 48000, 880, from);
    const r880 = tonePower(r, 48000, 880, from);
    const r440 = tonePower(r, 48000, 440, from);
    expect(l440).toBeGreaterThan(0.01);
    expect(r880).toBeGreaterThan(0.01);
    // Separation, not purity: 880 Hz is 440's second harmonic, and when the machine is loaded the
    // sender's late packets become silence in the leg, whose edges put some energy there (a full
    // suite run saw a ratio of 48). A party on the wrong channel would give a ratio near 1.
    expect(l440 / l880).toBeGreaterThan(20);
    expect(r880 / r440).toBeGreaterThan(20);
  });

  it('gets the recording from the patched worker in batches over its socket, not one datagram per packet, and records it in full', async () => {
    const router = await newRouter();
    const left = await tone(router, 440);
    const right = await tone(router, 880);
    const receiver = await RtpReceiver.shared();
    const before = await receiver.counters();
    const { rec, file } = await record({ name: 'worker-batches', router, left: left.producer, right: right.producer });
    await sleep(3000);
    await rec.stop();
    const after = await receiver.counters();

    // Every packet of this recording came through the worker's batch socket (media/worker-patch/).
    const batched = after.worker_records! - before.worker_records!;
    const all = after.packets! - before.packets!;
    expect(rec.packetsRecorded).toBeGreaterThan(200); // 2 parties × 50 packets/s × 3 s, less the start
    expect(batched).toBe(all);
    expect(batched).toBeGreaterThanOrEqual(rec.packetsRecorded);
    // And the audio is each party's, on its own side.
    const audio = await decodeAudio(file);
    const [l, r] = audio.channels as [Float32Array, Float32Array];
    const from = 0.2 * audio.sampleRate;
    expect(tonePower(l, 48000, 440, from) / tonePower(l, 48000, 880, from)).toBeGreaterThan(20);
    expect(tonePower(r, 48000, 880, from) / tonePower(r, 48000, 440, from)).toBeGreaterThan(20);
  });

  // Python, not Node: Node's libuv names an abstract socket with sun_path's trailing zero bytes, a different name.
  const python = spawnSync('python3', ['-c', '0']).status === 0;
  it.skipIf(process.getuid?.() !== 0 || !python)("refuses the workers' batch socket to a process of another user (nothing forged)", async () => {
    const receiver = await RtpReceiver.shared();
    const before = await receiver.counters();
    // A well-formed record (transport port 1, SSRC 1234, one 20 ms Opus frame), sent by user 'nobody'.
    const forger = [
      'import socket, struct',
      'rtp = bytes([0x80, 111]) + bytes(6) + struct.pack(">I", 1234) + bytes([0xfc, 0, 0])',
      's = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)',
      `s.connect("\\0callmark-rtp-${receiver.port}")`,
      's.sendall(struct.pack("<HHd", 10 + len(rtp), 1, 0.0) + rtp)',
      's.close()',
    ].join('\n');
    const r = spawnSync('python3', ['-c', forger], { uid: 65534, gid: 65534, encoding: 'utf8', timeout: 10_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    await sleep(100);
    const after = await receiver.counters();
    expect(after.refused_peers! - before.refused_peers!).toBe(1);
    expect(after.worker_records! - before.worker_records!).toBe(0);
  });

  it('writes two uncoupled mono streams while the call runs: each party alone on its channel at every instant', async () => {
    const router = await newRouter();
    const left = await tone(router, 500);
    const right = await tone(router, 1130);
    const { rec, file } = await record({ name: 'alone', router, left: left.producer, right: right.producer });
    await sleep(1500);
    // The file is written during the call, not at its end.
    expect(fs.statSync(file).size).toBeGreaterThan(5000);
    await sleep(1500);
    await rec.stop();
    const head = readOggPackets(fs.readFileSync(file))[0]!.data;
    expect([head[9], head[18], head[19], head[20], head[21], head[22]]).toEqual([2, 1, 2, 0, 0, 1]); // family 1, 2 streams, none coupled
    const audio = await decodeAudio(file);
    const [l, r] = audio.channels as [Float32Array, Float32Array];
    const win = (x: Float32Array, hz: number, t: number) => tonePower(x, 48000, hz, Math.round(t * 48000), Math.round((t + 0.05) * 48000));
    const levelL = median(Array.from({ length: 40 }, (_, i) => win(l, 500, 0.5 + i * 0.05)));
    const levelR = median(Array.from({ length: 40 }, (_, i) => win(r, 1130, 0.5 + i * 0.05)));
    expect(levelL).toBeGreaterThan(0.01);
    expect(levelR).toBeGreaterThan(0.01);
    for (let t = 0; t + 0.05 < seconds(audio); t += 0.05) {
      expect(win(l, 1130, t)).toBeLessThan(levelR * 0.02);
      expect(win(r, 500, t)).toBeLessThan(levelL * 0.02);
    }
    // Every packet mediasoup forwarded to the recorder is in the file (none dropped on the way in).
    expect(rec.relayStats.left!.dropped + rec.relayStats.right!.dropped).toBe(0);
    expect(rec.packetsRecorded).toBe(rec.relayStats.left!.received + rec.relayStats.right!.received);
  });

  it("keeps each leg's counters (relayStats) current while the call runs, not only when the leg closes", async () => {
    const router = await newRouter();
    const left = await tone(router, 440);
    const right = await tone(router, 880);
    const { rec } = await record({ name: 'live-counters', router, left: left.producer, right: right.producer });
    await sleep(2500);
    // 50 packets a second each; the receiver sends changed counters every second.
    const mid = { left: rec.relayStats.left!.received, right: rec.relayStats.right!.received };
    expect(mid.left).toBeGreaterThan(40);
    expect(mid.right).toBeGreaterThan(40);
    expect(rec.relayStats.left!.forwarded).toBeGreaterThan(40);
    await until(() => rec.relayStats.left!.received > mid.left + 25, 3000, 'the counters to move on');
    await rec.stop();
    expect(rec.relayStats.left!.received).toBeGreaterThan(mid.left + 25);
  });

  it('renders a 3 s pause of the caller as silence in place, while the candidate keeps its timing', async () => {
    const router = await newRouter();
    const left = await tone(router, 440);
    const right = await tone(router, 880);
    const { rec, file } = await record({ name: 'hold', router, left: left.producer, right: right.producer });
    await sleep(2000);
    const [pausedAt, paused] = await during(rec, () => right.pause());
    await sleep(500);
    const sizeEarly = fs.statSync(file).size;
    await sleep(2300);
    // The file keeps growing while one side is silent (a crash during a hold loses little).
    expect(fs.statSync(file).size).toBeGreaterThan(sizeEarly + 2 * 2000); // the other side's packets go on
    await sleep(200);
    const [resumedAt, resumed] = await during(rec, () => right.resume());
    await sleep(2000);
    const stoppedAt = at(rec, Date.now());
    await rec.stop();

    const audio = await decodeAudio(file);
    expect(Math.abs(seconds(audio) - stoppedAt)).toBeLessThan(0.3); // the pause is not cut out
    const envL = envelope(audio, 0, 440);
    const envR = envelope(audio, 1, 880);
    const levelR = median(slice(envR, 0.3, pausedAt - 0.2));
    const levelL = median(slice(envL, 0.3, stoppedAt - 0.3));
    expect(levelR).toBeGreaterThan(0.01);

    const off = offset(envR, levelR, pausedAt - 1, pausedAt + 1);
    const on = onset(envR, levelR, pausedAt + 1, resumedAt + 1);
    expectEdge(off, pausedAt, paused);
    expectEdge(on, resumedAt, resumed);
    expect(max(slice(envR, off + 0.1, on - 0.1))).toBeLessThan(levelR * 0.05); // silence, not noise
    expect(median(slice(envR, on + 0.1, stoppedAt - 0.3))).toBeGreaterThan(levelR * 0.7);
    // The candidate's tone never stops, before, during and after the caller's pause. (A stop would be
    // near zero; a quarter leaves room for a tone generator briefly starved of CPU on a loaded machine.)
    expect(min(slice(envL, 0.1, stoppedAt - 0.3))).toBeGreaterThan(levelL * 0.25);
    expect(rec.relayStats.right?.silenceSamples ?? 0).toBeGreaterThan(2.5 * 48000);
  });

  it('keeps a party that starts 2 s late silent until then, and both legs aligned', async () => {
    const router = await newRouter();
    const left = await tone(router, 440);
    const right = await tone(router, 880, { paused: true });
    const { rec, file } = await record({ name: 'late', router, left: left.producer, right: right.producer });
    // t=0 is when the recorder was asked to start; the candidate is recorded from the moment it resolved.
    const ready = at(rec, Date.now());
    await sleep(2000);
    const [resumedAt, resumed] = await during(rec, () => right.resume());
    await sleep(2000);
    // Both parties stop at the same instant: their last audio must end at the same place in the file.
    const [pausedAt, paused] = await during(rec, () => Promise.all([left.pause(), right.pause()]));
    await sleep(1000);
    await rec.stop();

    const audio = await decodeAudio(file);
    const envL = envelope(audio, 0, 440);
    const envR = envelope(audio, 1, 880);
    const levelL = median(slice(envL, 0.3, pausedAt - 0.2));
    const levelR = median(slice(envR, resumedAt + 0.3, pausedAt - 0.2));

    const onR = onset(envR, levelR, 0);
    expectEdge(onR, resumedAt, resumed);
    expect(max(slice(envR, 0, onR - 0.1))).toBeLessThan(levelR * 0.05);
    expectEdge(onset(envL, levelL, 0), 0, ready); // no gap at the start beyond the recorder's own set-up

    const offL = offset(envL, levelL, pausedAt - 1, pausedAt + 1);
    const offR = offset(envR, levelR, pausedAt - 1, pausedAt + 1);
    expectEdge(offL, pausedAt, paused);
    expectEdge(offR, pausedAt, paused);
    expect(Math.abs(offL - offR)).toBeLessThan(EDGE);
  });

  // A starved worker forwards a late party's first packets late, stamped when it handles them: here
  // it is frozen (SIGSTOP) for 200 ms right after the party starts sending, so its first packets
  // reach the recorder in one burst. Their RTP timestamps, and the packets forwarded on time after
  // the burst, still say when the party started: the tone starts there, not at the burst.
  it('starts a late party where it started sending when a starved worker forwards its first packets late', async () => {
    const router = await newRouter();
    const left = await tone(router, 440);
    const right = await tone(router, 880, { paused: true });
    const { rec, file } = await record({ name: 'late-starved', router, left: left.producer, right: right.producer });
    await sleep(2000);
    const [resumedAt, resumed] = await during(rec, () => right.resume());
    await freezeWorker(200);
    await sleep(1500);
    const stoppedAt = at(rec, Date.now());
    await rec.stop();

    const audio = await decodeAudio(file);
    const envR = envelope(audio, 1, 880);
    const levelR = median(slice(envR, resumedAt + 0.5, stoppedAt - 0.3));
    expectEdge(onset(envR, levelR, 0), resumedAt, resumed);
  });

  it('adds a conference party on the right at the moment it joins, and ends a leg that leaves', async () => {
    const router = await newRouter();
    const left = await tone(router, 440);
    const right = await tone(router, 880);
    const third = await tone(router, 660);
    const { rec, file } = await record({ name: 'conference', router, left: left.producer, right: right.producer });
    await sleep(1500);
    const [joinedAt, joined] = await during(rec, () => rec.addLeg('right', third.producer));
    await sleep(1500);
    const [leftAt, leftDone] = await leaveNow(rec, right.producer);
    await sleep(1000);
    const stoppedAt = at(rec, Date.now());
    await rec.stop();

    const audio = await decodeAudio(file);
    expect(Math.abs(seconds(audio) - stoppedAt)).toBeLessThan(0.3);
    const env660 = envelope(audio, 1, 660);
    const env880 = envelope(audio, 1, 880);
    const level660 = median(slice(env660, joinedAt + 0.3, stoppedAt - 0.3));
    const level880 = median(slice(env880, 0.3, leftAt - 0.2));
    expectEdge(onset(env660, level660, 0.2), joinedAt, joined);
    expectEdge(offset(env880, level880, leftAt - 1, leftAt + 1), leftAt, leftDone);
    // Never on the candidate's side. The bound is a quarter, not 5 %: the candidate's 440 Hz tone,
    // Opus-coded, leaks into the 660 Hz window at up to ~6 % on a loaded CI machine, while a mixing
    // mistake would put the third party there at full level.
    expect(max(slice(envelope(audio, 0, 660), 0.2, stoppedAt - 0.2))).toBeLessThan(level660 * 0.25);
    expect(fs.existsSync(legsDirOf(file))).toBe(false);
    // Mixed at the end, the sides are still two separate mono streams.
    const head = readOggPackets(fs.readFileSync(file))[0]!.data;
    expect([head[18], head[19], head[20]]).toEqual([1, 2, 0]);
  });

  // Packets reach Node in batches (the worker's 10-ms batches, the receiver's 10-ms reads) and a busy
  // event loop holds them longer: here it is held for 150 ms, as a loaded server may be, just before
  // the party leaves. Whatever arrived before the moment of leaving is still that party's audio.
  it('keeps the packets that arrived before a party left but reached the recorder after it (a busy event loop)', async () => {
    const router = await newRouter();
    const left = await tone(router, 440);
    const right = await tone(router, 880);
    const { rec, file } = await record({ name: 'late-batch-leave', router, left: left.producer, right: right.producer });
    await sleep(1500);
    holdEventLoop(150);
    const [leftAt, leftDone] = await leaveNow(rec, right.producer);
    await sleep(1000);
    await rec.stop();

    await expectRightToneEndsWithin(file, [leftAt, leftDone]);
  });

  // A starved worker forwards late: it stamps each packet when it hands it on, not when its sender
  // sent it. Here the worker is frozen (SIGSTOP) for 200 ms and the party leaves 120 ms into it: the
  // tone sent until then is the party's audio, although the worker stamps it after the party left.
  it('keeps what a party sent before leaving when the mediasoup worker forwards it late (a starved worker)', async () => {
    const router = await newRouter();
    const left = await tone(router, 440);
    const right = await tone(router, 880);
    const { rec, file } = await record({ name: 'starved-worker-leave', router, left: left.producer, right: right.producer });
    await sleep(1500);
    const worker = pool.health().workers[0]!.pid;
    let span: [number, number];
    process.kill(worker, 'SIGSTOP');
    try {
      await sleep(120);
      span = await leaveNow(rec, right.producer);
      await sleep(80);
    } finally {
      process.kill(worker, 'SIGCONT');
    }
    const [leftAt, leftDone] = span;
    await sleep(1000);
    await rec.stop();

    await expectRightToneEndsWithin(file, [leftAt, leftDone]);
  });

  // A worker starved for longer than a leg may be silent (0.5 s) forwards everything it held at once,
  // late. Nothing came from it meanwhile, from either leg: that is not silence, and the recorder must
  // not fill the legs' places with silence before the packets arrive (they would be left out).
  it('keeps every packet of both parties when the mediasoup worker is starved for 0.9 s', async () => {
    const router = await newRouter();
    const left = await tone(router, 440);
    const right = await tone(router, 880);
    const { rec, file } = await record({ name: 'starved-worker-talk', router, left: left.producer, right: right.producer });
    await sleep(1500);
    const frozenAt = at(rec, Date.now());
    await freezeWorker(900);
    await sleep(1500);
    const stoppedAt = at(rec, Date.now());
    await rec.stop();

    const { left: l, right: r } = rec.relayStats;
    expect([l!.droppedLate, r!.droppedLate]).toEqual([0, 0]);
    expect(rec.packetsRecorded).toBe(l!.received + r!.received);
    // And the tones go on through the freeze, each in its place.
    const audio = await decodeAudio(file);
    for (const [channel, hz] of [[0, 440], [1, 880]] as const) {
      const env = envelope(audio, channel, hz);
      const level = median(slice(env, 0.3, stoppedAt - 0.3));
      expect(min(slice(env, frozenAt - 0.2, frozenAt + 1.1))).toBeGreaterThan(level * 0.25);
    }
  });

  // An overloaded machine starves the worker again and again: each time it forwards what it held
  // late, stamped when it does (issue 18). Lateness of our own worker is not the senders': every
  // packet it forwarded to the recording is in the file, none left out as late or for drift.
  it('keeps every packet when the mediasoup worker is stopped 100-300 ms at a time, over and over', async () => {
    const router = await newRouter();
    const left = await tone(router, 440);
    const right = await tone(router, 880);
    const sentBy = async () => (await Promise.all([left, right].map((t) => t.producer.getStats()))).map((s) => s[0]?.packetCount ?? 0);
    const { rec, file } = await record({ name: 'stopped-again-and-again', router, left: left.producer, right: right.producer });
    const before = await sentBy();
    await sleep(800);
    for (const [stopMs, runMs] of [[100, 60], [300, 40], [200, 100], [300, 20], [250, 80], [150, 30], [300, 300], [100, 20]] as const) {
      await freezeWorker(stopMs);
      await sleep(runMs);
    }
    await sleep(800);
    const after = await sentBy();
    const stoppedAt = at(rec, Date.now());
    await rec.stop();

    const { left: l, right: r } = rec.relayStats;
    for (const s of [l!, r!]) expect({ late: s.droppedLate, drift: s.droppedDrift, forwarded: s.forwarded }).toEqual({ late: 0, drift: 0, forwarded: s.received });
    // What the parties sent while the recording ran, all of it (give or take the packets in flight at
    // its start and stop).
    [l!, r!].forEach((s, i) => expect(s.forwarded).toBeGreaterThanOrEqual(after[i]! - before[i]! - 3));
    const audio = await decodeAudio(file);
    for (const [channel, hz] of [[0, 440], [1, 880]] as const) {
      const env = envelope(audio, channel, hz);
      const level = median(slice(env, 0.3, stoppedAt - 0.3));
      expect(min(slice(env, 0.5, stoppedAt - 0.5))).toBeGreaterThan(level * 0.25);
    }
  });

  it('keeps the packets that arrived before the recording stopped but reached the recorder after it', async () => {
    const router = await newRouter();
    const left = await tone(router, 440);
    const right = await tone(router, 880);
    const { rec, file } = await record({ name: 'late-batch-stop', router, left: left.producer, right: right.producer });
    await sleep(1500);
    holdEventLoop(150);
    const stoppedAt = at(rec, Date.now());
    await rec.stop();

    const audio = await decodeAudio(file);
    expect(Math.abs(seconds(audio) - stoppedAt)).toBeLessThan(0.05);
    for (const [channel, hz] of [[0, 440], [1, 880]] as const) {
      const env = envelope(audio, channel, hz);
      const level = median(slice(env, 0.3, stoppedAt - 0.3));
      // The last window that fits in the file is centred 12.5 ms before its end.
      expect(offset(env, level, stoppedAt - 1, stoppedAt + 1)).toBeGreaterThan(stoppedAt - EDGE);
    }
  });

  it('reports a full disk, keeps the call going, and says why the recording cannot be finished', async (ctx) => {
    const small = path.join(dir, 'full-disk');
    fs.mkdirSync(small);
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=48k', 'tmpfs', small]);
    if (mounted.status !== 0) ctx.skip(); // needs root (CI runs as root)
    cleanups.push(() => spawnSync('umount', ['-l', small]));
    const router = await newRouter();
    const left = await tone(router, 440);
    const right = await tone(router, 880);
    let failure: Error | undefined;
    const file = path.join(small, 'full.ogg');
    const rec = await CallRecorder.start({ router, left: left.producer, right: right.producer, file, onFailure: (e) => (failure = e) });
    cleanups.push(() => rec.kill());
    await until(() => failure !== undefined, 15_000);
    expect(failure?.message).toMatch(/ENOSPC/);
    expect(rec.failed).toBe(failure);
    // The parties' media is untouched: the producers still flow.
    expect(left.producer.closed || right.producer.closed).toBe(false);
    await expect(rec.stop()).rejects.toThrow(/could not be written.*ENOSPC/);
    expect(fs.existsSync(file)).toBe(true); // what was written before the disk filled is kept
  }, 30_000);

  /**
   * A disk that stops answering: a small ext4 file system on a loop device, frozen with fsfreeze(8)
   * (every write to it waits until it is thawed, as on a stalled network or SAN disk). Skips the test
   * without root. A writer waiting on a frozen file system cannot be killed, so the disk is thawed
   * before anything else is cleaned up (cleanups run last first), and by a watchdog if this process dies.
   */
  function stallingDisk(ctx: { skip(): void }, name: string): { disk: string; freeze: () => void; thaw: () => void } {
    const disk = path.join(dir, name);
    fs.mkdirSync(disk);
    const image = `${disk}.img`;
    fs.writeFileSync(image, '');
    fs.truncateSync(image, 16 << 20);
    const made = spawnSync('mkfs.ext4', ['-q', image]);
    const mounted = made.status === 0 ? spawnSync('mount', ['-o', 'loop', image, disk]) : made;
    if (mounted.status !== 0) ctx.skip(); // needs root and a loop device (CI runs as root)
    cleanups.push(() => spawnSync('umount', ['-l', disk]));
    const thaw = () => void spawnSync('fsfreeze', ['-u', disk]);
    return {
      disk,
      freeze: () => {
        cleanups.push(thaw);
        const watchdog = spawn('sh', ['-c', `sleep 40; fsfreeze -u '${disk}'`], { detached: true, stdio: 'ignore' });
        watchdog.unref();
        cleanups.push(() => watchdog.kill());
        expect(spawnSync('fsfreeze', ['-f', disk]).status).toBe(0);
      },
      thaw,
    };
  }

  /** The file is final and whole (every page checksummed, the last one the end of the stream) and holds `minMs` of audio. */
  async function expectWhole(file: string, minMs: number) {
    expect(readOggPackets(fs.readFileSync(file)).length).toBeGreaterThan(minMs / 20 - 10);
    expect(await probeDurationMs(file)).toBeGreaterThan(minMs - 100);
  }

  // The server turns onDelay into a recording-delayed call event and a log warning (server/sip/call-recording.ts).
  it('tells onDelay within seconds when the stopped recording\'s last writes stall, and finishes the file once the disk answers', async (ctx) => {
    const { disk, freeze, thaw } = stallingDisk(ctx, 'stop-stalls');
    const router = await newRouter();
    const left = await tone(router, 440);
    const right = await tone(router, 880);
    const delays: string[] = [];
    const file = path.join(disk, 'frozen.ogg');
    const rec = await CallRecorder.start({ router, left: left.producer, right: right.producer, file, onDelay: (m) => delays.push(m) });
    cleanups.push(() => rec.kill());
    await sleep(1500);
    freeze();
    const frozenAt = performance.now();
    const stopped = rec.stop();
    await until(() => delays.length > 0, 6000, 'onDelay');
    expect(performance.now() - frozenAt).toBeGreaterThan(1900); // `slow` comes at 2 s, not at once
    expect(delays[0]).toMatch(/frozen\.ogg.*have not finished after 2 s/);
    expect(rec.failed).toBeUndefined();
    thaw();
    await stopped;
    expect(delays).toHaveLength(1);
    await expectWhole(file, 1500);
  }, 30_000);

  it('tells onDelay within seconds when the file cannot be created yet, keeps the audio meanwhile, and writes it all once the disk answers', async (ctx) => {
    const { disk, freeze, thaw } = stallingDisk(ctx, 'open-stalls');
    freeze();
    const router = await newRouter();
    const left = await tone(router, 440);
    const right = await tone(router, 880);
    const delays: string[] = [];
    const file = path.join(disk, 'frozen.ogg');
    const startedAt = performance.now();
    const rec = await CallRecorder.start({ router, left: left.producer, right: right.producer, file, onDelay: (m) => delays.push(m) });
    cleanups.push(() => rec.kill());
    expect(performance.now() - startedAt).toBeLessThan(1500); // the call is not held up by the disk
    await until(() => delays.length > 0, 6000, 'onDelay');
    expect(delays[0]).toMatch(/opening frozen\.ogg has not finished after 2 s/);
    await sleep(1000);
    thaw(); // before the 10-s bound at which the recording would fail
    await sleep(1000);
    expect(rec.failed).toBeUndefined();
    const result = await rec.stop();
    expect(result.durationMs).toBeGreaterThan(3500);
    await expectWhole(file, 3500); // the audio of the stalled seconds was held, not lost
  }, 30_000);

  it('mixes an added party in again when the end-of-call ffmpeg is killed, and says it happened', async () => {
    const router = await newRouter();
    const left = await tone(router, 440);
    const right = await tone(router, 880);
    const third = await tone(router, 660);
    const retries: string[] = [];
    const { rec, file } = await record({ name: 'mix-killed', router, left: left.producer, right: right.producer, onRetry: (m) => retries.push(m) });
    await sleep(1000);
    await rec.addLeg('right', third.producer);
    await sleep(2000);
    // Kill the first mixing ffmpeg as soon as it appears (a child of this process writing into <file>.mixing/).
    let killed = 0;
    const hunter = setInterval(() => {
      if (killed) return;
      for (const pid of fs.readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
        try {
          const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
          if (cmd.startsWith('ffmpeg') && cmd.includes('mix-killed.ogg.mixing')) {
            process.kill(Number(pid), 'SIGKILL');
            killed = Number(pid);
          }
        } catch {
          /* gone */
        }
      }
    }, 5);
    const result = await rec.stop().finally(() => clearInterval(hunter));
    expect(killed).toBeGreaterThan(0);
    expect(rec.mixFailures).toHaveLength(1);
    expect(rec.mixFailures[0]).toMatch(/SIGKILL/);
    // The retry is reported, for the call's events and the log.
    expect(retries).toHaveLength(1);
    expect(retries[0]).toMatch(/attempt 1 of 3.*trying again.*SIGKILL/);
    const audio = await decodeAudio(file);
    expect(Math.abs(seconds(audio) - result.durationMs / 1000)).toBeLessThan(0.05);
    expect(seconds(audio)).toBeGreaterThan(2.7);
    expect(tonePower(audio.channels[0]!, 48000, 440, 4800)).toBeGreaterThan(0.01);
    expect(tonePower(audio.channels[1]!, 48000, 660, 48000 * 1.5)).toBeGreaterThan(0.01);
  });

  it('starts the RTP receiver again when it dies, says so, and records on after the gap', async () => {
    const router = await newRouter();
    const left = await tone(router, 440);
    const right = await tone(router, 880);
    const retries: string[] = [];
    const { rec, file } = await record({ name: 'receiver-killed', router, left: left.producer, right: right.producer, onRetry: (m) => retries.push(m) });
    await sleep(1500);
    const receiver = await RtpReceiver.shared();
    const pid = receiver.pid!;
    process.kill(pid, 'SIGKILL');
    await until(() => retries.length > 0, 10_000);
    expect(retries[0]).toMatch(/RTP receiver stopped .*SIGKILL.*started again/);
    expect(receiver.pid).not.toBe(pid);
    const [restartedAt] = await during(rec, () => sleep(2000));
    await rec.stop();
    expect(rec.failed).toBeUndefined();
    const audio = await decodeAudio(file);
    // Both parties are in the recording again after the restart, each on its own side.
    const from = Math.round((restartedAt + 0.8) * 48000);
    expect(tonePower(audio.channels[0]!, 48000, 440, from)).toBeGreaterThan(0.01);
    expect(tonePower(audio.channels[1]!, 48000, 880, from)).toBeGreaterThan(0.01);
  });

  // The receiver's "open" control line ends with the file's path (native/control.h): a newline in it
  // would make the rest of the path a control line of its own; a NUL would cut it.
  it('refuses a file path holding a newline, carriage return or NUL before anything starts', async () => {
    const router = await newRouter();
    const left = await tone(router, 440);
    const right = await tone(router, 880);
    for (const name of ['evil\nstop 1 0.ogg', 'evil\r.ogg', 'evil\0.ogg']) {
      const file = path.join(dir, name);
      await expect(CallRecorder.start({ router, left: left.producer, right: right.producer, file })).rejects.toThrow(/may not hold a newline, carriage return or NUL/);
      expect(fs.readdirSync(dir).filter((f) => f.startsWith('evil'))).toEqual([]);
    }
  });

  it('returns the sha256, size and ffprobe duration of a finished Ogg/Opus stereo file', async () => {
    const router = await newRouter();
    const left = await tone(router, 440);
    const right = await tone(router, 880);
    const { rec, file } = await record({ name: 'result', router, left: left.producer, right: right.producer });
    await sleep(2500);
    const result = await rec.stop();

    expect(result.file).toBe(file);
    expect(result.sha256).toBe(createHash('sha256').update(fs.readFileSync(file)).digest('hex'));
    expect(result.bytes).toBe(fs.statSync(file).size);
    expect(result.durationMs).toBe(await probeDurationMs(file));
    const audio = await decodeAudio(file);
    expect(Math.abs(result.durationMs / 1000 - seconds(audio))).toBeLessThan(0.05);
    expect(ffprobeStream(file)).toMatchObject({ codec_name: 'opus', channels: '2', sample_rate: '48000', format_name: 'ogg' });
    expect(rec.failed).toBeUndefined();
    expect(fs.existsSync(legsDirOf(file))).toBe(false); // two parties: no leg files at all
  });

  it('runs two recorders at once without their ports or files colliding', async () => {
    const routers = [await newRouter(), await newRouter()];
    const tones = [
      [await tone(routers[0]!, 440), await tone(routers[0]!, 880)],
      [await tone(routers[1]!, 660), await tone(routers[1]!, 1320)],
    ] as const;
    const started = await Promise.all(
      tones.map(([l, r], i) => record({ name: `concurrent-${i}`, router: routers[i]!, left: l.producer, right: r.producer })),
    );
    await sleep(3000);
    const results = await Promise.all(started.map(({ rec }) => rec.stop()));
    expect(results[0]!.sha256).not.toBe(results[1]!.sha256);

    const expected = [
      { mine: [440, 880], theirs: [660, 1320] },
      { mine: [660, 1320], theirs: [440, 880] },
    ];
    for (const [i, { file }] of started.entries()) {
      const audio = await decodeAudio(file);
      expect(Math.abs(seconds(audio) - 3)).toBeLessThan(0.3);
      for (const ch of [0, 1]) {
        const x = audio.channels[ch]!;
        const mine = tonePower(x, 48000, expected[i]!.mine[ch]!, 9600);
        const theirs = tonePower(x, 48000, expected[i]!.theirs[ch]!, 9600);
        expect(mine).toBeGreaterThan(0.01);
        expect(mine / theirs).toBeGreaterThan(50);
      }
    }
  });

  it('leaves a playable recording of the call up to the moment the whole Node process is SIGKILLed', async () => {
    const file = path.join(dir, 'node-crash.ogg');
    // A separate Node process with its own worker and parties; only the file and t=0 come back.
    const script = `
      import * as mediasoup from 'mediasoup';
      import { CallRecorder } from './media/recorder.ts';
      import { startToneProducer } from './tests/support/rtp-tone.ts';
      const worker = await mediasoup.createWorker({ rtcMinPort: 45800, rtcMaxPort: 45999, logLevel: 'error' });
      const router = await worker.createRouter({ mediaCodecs: [{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 }] });
      const left = await startToneProducer(router, 440, { maxSeconds: 8 });
      const right = await startToneProducer(router, 880, { maxSeconds: 8 });
      const rec = await CallRecorder.start({ router, left: left.producer, right: right.producer, file: ${JSON.stringify(file)} });
      console.log(JSON.stringify({ startedAt: rec.startedAt }));
      setInterval(() => {}, 1000);
    `;
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    cleanups.push(() => child.kill('SIGKILL'));
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    await until(() => out.includes('\n') || child.exitCode !== null, 20_000).catch(() => {});
    const info = JSON.parse(out.split('\n')[0] || 'null') as { startedAt: number } | null;
    expect(info, err).not.toBeNull();
    await sleep(3000);
    child.kill('SIGKILL');
    const elapsed = (Date.now() - info!.startedAt) / 1000;
    await until(() => child.exitCode !== null || child.signalCode !== null, 5000);
    // The RTP receiver sees its parent gone and exits. What the next start does for an interrupted call:
    const result = await finishLegFiles(file);
    expect(result.bytes).toBe(fs.statSync(file).size);
    const audio = await decodeAudio(file);
    expect(seconds(audio)).toBeGreaterThanOrEqual(elapsed - 3);
    expect(seconds(audio)).toBeLessThanOrEqual(elapsed + 0.1);
    expect(tonePower(audio.channels[0]!, 48000, 440, 4800)).toBeGreaterThan(0.01);
    expect(tonePower(audio.channels[1]!, 48000, 880, 4800)).toBeGreaterThan(0.01);
  }, 40_000);
});

describe('LegRelay', () => {
  const opus20ms = Buffer.from([0x78, 0x01, 0x02]); // hybrid 20 ms, one frame

  function harness() {
    let now = 0;
    const channel = new MuxChannel();
    const relay = new LegRelay(channel, () => now);
    let ts = 0;
    const packet = (timestamp: number) => ({ ssrc: 99, timestamp, payload: opus20ms });
    /** The channel's content: audio packets and silences, in order. */
    const items = () => Array.from({ length: channel.length }, (_, i) => channel.peek(i)!);
    return { relay, channel, items, packet, advance: (ms: number) => (now += ms * 48), at: () => now, nextTs: () => (ts += 960) };
  }

  it('turns a leg that sends nothing into silence that follows the wall clock', () => {
    const h = harness();
    for (let i = 0; i < 100; i++) {
      h.advance(20);
      h.relay.tick();
    }
    expect(h.items().every((it) => it.kind === 'silence')).toBe(true);
    // Silence stays between 60 ms (room for a late packet) and 0.5 s (the stall limit) behind the clock.
    expect(h.at() - h.channel.end).toBeGreaterThanOrEqual(60 * 48);
    expect(h.at() - h.channel.end).toBeLessThanOrEqual(520 * 48);
  });

  for (const [name, ppm] of [['slow', -1000], ['fast', 1000]] as const) {
    it(`keeps a sender whose clock runs ${name} (${ppm} ppm) within 45 ms of the wall clock`, () => {
      const h = harness();
      const interval = 20 / (1 + ppm / 1e6); // wall ms between 20 ms packets
      let next = 0;
      let ts = 0;
      let worst = 0;
      for (let wall = 0; wall < 120_000; wall += 1) {
        h.advance(1);
        if (wall >= next) {
          h.relay.receive(h.packet(ts));
          ts += 960;
          next += interval;
          if (wall > 1000) worst = Math.max(worst, Math.abs(h.at() - h.channel.end));
        }
        if (wall % 20 === 0) h.relay.tick();
      }
      // Uncorrected, 1000 ppm (ten times a poor sound card) would add up to 120 ms in two minutes.
      expect(worst).toBeLessThan(45 * 48);
      if (ppm < 0) expect(h.relay.stats.silenceSamples).toBeGreaterThan(48 * 60);
      else expect(h.relay.stats.dropped).toBeGreaterThan(2);
    });
  }

  // Load is not drift: packets that reach the recorder 150 ms late for 10 s (a starved sender or
  // worker) and then on time again must not make it add 150 ms of silence and then drop packets to
  // get back (the bench's 'drift' drops under heavy load).
  it('does not take a delay of 10 s that then goes away for clock drift: no packet dropped', () => {
    const h = harness();
    const delayOf = (k: number) => (k * 20 >= 5000 && k * 20 < 15000 ? 150 : 0);
    for (let wall = 0, k = 0; wall < 30_000; wall++) {
      h.advance(1);
      while (wall >= k * 20 + delayOf(k)) h.relay.receive(h.packet(k++ * 960));
      if (wall % 100 === 0) h.relay.tick();
    }
    expect(h.relay.stats.forwarded).toBe(1500);
    expect(h.relay.stats.droppedDrift).toBe(0);
    // And the leg still ends at the wall clock, within a packet or two.
    expect(Math.abs(h.at() - h.channel.end)).toBeLessThan(45 * 48);
  });

  it('places packets after a gap at their wall-clock time and drops duplicates', () => {
    const h = harness();
    let ts = 5000;
    for (let i = 0; i < 50; i++) {
      h.advance(20);
      h.relay.receive(h.packet((ts += 960)));
      h.relay.tick();
    }
    h.relay.receive(h.packet(ts)); // duplicate
    for (let i = 0; i < 150; i++) {
      h.advance(20); // 3 s without packets; the sender's clock runs on
      ts += 960;
      h.relay.tick();
    }
    h.advance(20);
    h.relay.receive(h.packet((ts += 960)));
    expect(h.relay.stats.dropped).toBe(1);
    expect(h.relay.stats.forwarded).toBe(51);
    const items = h.items();
    expect(items.at(-1)!.kind).toBe('audio');
    expect(items.at(-2)!.kind).toBe('silence');
    // The resumed packet ends where the wall clock is now (within one packet).
    expect(Math.abs(h.channel.end - h.at())).toBeLessThanOrEqual(960);
  });

  it('does not drop the first packet of a leg that arrives right after the leg began', () => {
    const h = harness();
    h.advance(5);
    h.relay.receive(h.packet(h.nextTs())); // 5 ms after t=0, a 20 ms packet: its place would start before 0
    h.advance(20);
    h.relay.receive(h.packet(h.nextTs()));
    h.advance(300); // a leg's first packets are held back until it is anchored; the ticker ends the hold
    h.relay.tick();
    expect(h.relay.stats.forwarded).toBe(2);
    expect(h.relay.stats.dropped).toBe(0);
  });

  it("anchors a leg whose first packets came late in one burst on the ones that came on time after it", () => {
    const h = harness();
    h.advance(1000);
    h.relay.tick();
    // The party starts sending at 1000 ms; a starved worker forwards its first 10 packets at 1200 ms.
    const firstTs = 777_000;
    h.advance(200);
    for (let i = 0; i < 10; i++) h.relay.receive(h.packet(firstTs + i * 960));
    for (let i = 10; i < 30; i++) {
      h.advance(20);
      h.relay.receive(h.packet(firstTs + i * 960));
    }
    expect(h.relay.stats.forwarded).toBe(30);
    expect(h.relay.stats.dropped).toBe(0);
    // Silence up to where the party began, 1000 ms (within a packet), not up to the burst.
    const items = h.items();
    const silence = items.filter((it) => it.kind === 'silence').reduce((sum, it) => sum + it.samples, 0);
    expect(items[0]!.kind).toBe('silence');
    expect(Math.abs(silence - 1000 * 48)).toBeLessThanOrEqual(960);
  });
});
