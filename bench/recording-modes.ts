// Which way of recording a call is cheaper, measured: (A) live stereo mixing, one ffmpeg per call
// decoding both legs, mixing and encoding while the call runs (what the recorder did first), against
// (B) each leg written as it arrives into its own Ogg/Opus file by Node (no decoding, no ffmpeg during
// the call) and mixed into the stereo file once, when the call ends.
//
// Both modes get the same input: N calls × 2 legs of real Opus packets (a tone encoded by ffmpeg),
// 50 packets/s per leg, sent from this process on the relay's timing. Over a steady window it reads
// the CPU of every ffmpeg (/proc) and of this process; for (B) it then finalises every call and
// reads ffmpeg's own utime+stime (-benchmark) and the wall time of the mixing.
//
//   npm run bench:recording -- [N ...] [--seconds S]
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FfmpegProcess, recorderArgs, recorderSdp, waitUntilListening } from './live-mix-ffmpeg.js';
import { OggOpusWriter } from '../media/recording/ogg-opus-writer.js';
import { mixLegsArgs } from '../media/recording/mix.js';
import { childrenNamed, sampleProcess } from './proc-stats.js';

const args = process.argv.slice(2);
const secondsAt = args.indexOf('--seconds');
const windowSeconds = secondsAt >= 0 ? Number(args[secondsAt + 1]) : 20;
const steps = args.filter((a, i) => i !== secondsAt && i !== secondsAt + 1).map(Number).filter((n) => n > 0);
if (steps.length === 0) steps.push(10, 40);

async function tonePayloads(): Promise<Buffer[]> {
  const sock = dgram.createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  const out: Buffer[] = [];
  sock.on('message', (m) => {
    if (m.length > 12 && (m[1]! & 0x7f) === 111) out.push(Buffer.from(m.subarray(12)));
  });
  await new Promise<void>((resolve, reject) => {
    const ff = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=2', '-ac', '1', '-c:a', 'libopus', '-b:a', '32k', '-frame_duration', '20', '-payload_type', '111', '-f', 'rtp', `rtp://127.0.0.1:${sock.address().port}?pkt_size=1200`]);
    ff.on('exit', (c) => (c === 0 ? resolve() : reject(new Error(`ffmpeg exited ${c}`))));
  });
  await new Promise((r) => setTimeout(r, 200));
  sock.close();
  return out;
}

function rtp(payload: Buffer, seq: number, ts: number, ssrc: number): Buffer {
  const h = Buffer.alloc(12);
  h[0] = 0x80;
  h[1] = 111;
  h.writeUInt16BE(seq & 0xffff, 2);
  h.writeUInt32BE(ts >>> 0, 4);
  h.writeUInt32BE(ssrc, 8);
  return Buffer.concat([h, payload]);
}

/** Calls the sink of every leg on a 20 ms packet schedule (catching up after timer jitter). */
function pace(legs: number, sink: (leg: number, n: number) => void): () => void {
  const started = Date.now();
  let sent = 0;
  const timer = setInterval(() => {
    const due = Math.floor((Date.now() - started) / 20) + 1;
    for (; sent < due; sent++) for (let l = 0; l < legs; l++) sink(l, sent);
  }, 10);
  return () => clearInterval(timer);
}

const cpuOfThisProcess = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

async function liveMix(n: number, payloads: Buffer[], dir: string) {
  const sock = dgram.createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  const calls: Array<{ ff: FfmpegProcess; ports: number[] }> = [];
  for (let i = 0; i < n; i++) {
    const ports = [48000 + 8 * i, 48004 + 8 * i];
    const sdpFile = path.join(dir, `a${i}.sdp`);
    fs.writeFileSync(sdpFile, recorderSdp('127.0.0.1', ports.map((port) => ({ port, payloadType: 111 }))));
    const ff = FfmpegProcess.spawn(recorderArgs({ sdpFile, outFile: path.join(dir, `a${i}.ogg`), ip: '127.0.0.1', idleTimeoutS: 10 }));
    await waitUntilListening(ff, ports, 10_000);
    calls.push({ ff, ports });
  }
  const stop = pace(2 * n, (leg, k) => {
    const call = calls[leg >> 1]!;
    sock.send(rtp(payloads[k % payloads.length]!, k, k * 960, 1000 + leg), call.ports[leg & 1]!, '127.0.0.1');
  });
  await new Promise((r) => setTimeout(r, 3000));
  const ffCpu0 = childrenNamed(process.pid, 'ffmpeg').reduce((s, p) => s + p.cpuSeconds, 0);
  const node0 = cpuOfThisProcess();
  await new Promise((r) => setTimeout(r, windowSeconds * 1000));
  const ffSamples = childrenNamed(process.pid, 'ffmpeg');
  const ffCpu = ffSamples.reduce((s, p) => s + p.cpuSeconds, 0) - ffCpu0;
  const nodeCpu = cpuOfThisProcess() - node0;
  const rss = ffSamples.reduce((s, p) => s + p.rssBytes, 0);
  stop();
  await Promise.all(calls.map((c) => c.ff.quit(5000)));
  sock.close();
  return { duringPerCall: (100 * ffCpu) / windowSeconds / n, nodePerCall: (100 * nodeCpu) / windowSeconds / n, mbPerCall: rss / n / 2 ** 20 };
}

async function perLeg(n: number, payloads: Buffer[], dir: string) {
  const writers = Array.from({ length: 2 * n }, (_, leg) => new OggOpusWriter(path.join(dir, `b${leg >> 1}-${leg & 1}.ogg`)));
  const rss0 = sampleProcess(process.pid)!.rssBytes;
  const stop = pace(2 * n, (leg, k) => writers[leg]!.write(payloads[k % payloads.length]!));
  await new Promise((r) => setTimeout(r, 3000));
  const node0 = cpuOfThisProcess();
  await new Promise((r) => setTimeout(r, windowSeconds * 1000));
  const nodeCpu = cpuOfThisProcess() - node0;
  const rss = sampleProcess(process.pid)!.rssBytes - rss0;
  stop();
  for (const w of writers) w.close();
  const callSeconds = writers[0]!.durationSeconds;
  // Finalise: one ffmpeg per call, two at a time (the cores), as calls ending together would be.
  let mixCpu = 0;
  const started = Date.now();
  const queue = Array.from({ length: n }, (_, i) => i);
  await Promise.all(
    Array.from({ length: os.cpus().length }, async () => {
      for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
        const a = mixLegsArgs({ left: [path.join(dir, `b${i}-0.ogg`)], right: [path.join(dir, `b${i}-1.ogg`)], outFile: path.join(dir, `b${i}.ogg`) });
        mixCpu += await runBenchmarked(a);
      }
    }),
  );
  const mixWall = (Date.now() - started) / 1000;
  return {
    duringPerCall: 0,
    nodePerCall: (100 * nodeCpu) / windowSeconds / n,
    mbPerCall: Math.max(0, rss) / n / 2 ** 20,
    mixCpuPerCallMinute: mixCpu / n / (callSeconds / 60),
    mixWall,
    callSeconds,
  };
}

/** Runs ffmpeg with -benchmark and returns its utime+stime in seconds. */
function runBenchmarked(ffArgs: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    // -benchmark reports at the info log level: drop the recorder's '-loglevel warning'.
    const at = ffArgs.indexOf('-loglevel');
    const withInfo = at >= 0 ? [...ffArgs.slice(0, at), ...ffArgs.slice(at + 2)] : ffArgs;
    const ff = spawn('ffmpeg', ['-benchmark', ...withInfo], { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    ff.stdout.on('data', (d) => (text += d));
    ff.stderr.on('data', (d) => (text += d));
    ff.on('exit', (code) => {
      const m = /utime=([\d.]+)s stime=([\d.]+)s/.exec(text);
      if (code !== 0 || !m) return reject(new Error(`ffmpeg mix failed (${code}): ${text.slice(-500)}`));
      resolve(Number(m[1]) + Number(m[2]));
    });
  });
}

const payloads = await tonePayloads();
console.log(`Recording modes: ${os.cpus().length} cores, steady window ${windowSeconds} s; CPU in % of one core per call`);
console.log('calls | A live mix: ffmpeg %/call, Node %/call, MB/call | B per leg: ffmpeg during call, Node %/call, MB/call, mix CPU s per call-minute, mix wall for all');
for (const n of steps) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callmark-recmodes-'));
  const a = await liveMix(n, payloads, dir);
  const b = await perLeg(n, payloads, dir);
  console.log(
    `${String(n).padStart(5)} | A ${a.duringPerCall.toFixed(2)} %, ${a.nodePerCall.toFixed(2)} %, ${a.mbPerCall.toFixed(1)} MB | ` +
      `B 0, ${b.nodePerCall.toFixed(3)} %, ${b.mbPerCall.toFixed(2)} MB, ${b.mixCpuPerCallMinute.toFixed(2)} s, ${b.mixWall.toFixed(1)} s (${n} calls of ${b.callSeconds.toFixed(0)} s)`,
  );
  fs.rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
