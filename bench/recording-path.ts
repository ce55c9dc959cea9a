// npx tsx bench/recording-path.ts [calls] [--seconds S]
//
// The recorder's per-packet path in Node alone, without mediasoup or sockets: frames in the format
// native/rtp-receiver.c writes (10 ms of every call's two legs each) are handed to RtpReceiver's frame
// parser as if they came from its pipe, and every recording's two legs are placed (leg-relay.ts),
// paired (stream-muxer.ts) and written as Ogg pages (ogg-opus-writer.ts) to a temporary directory,
// driven the way recorder.ts drives them (afterBatch after every frame, tick every 100 ms). Simulated
// time runs as fast as the CPU allows; prints CPU per packet and what that would be per call at
// 50 packets/s per party. Prints figures; no pass/fail.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { LegRelay } from '../media/recording/leg-relay.js';
import { OggOpusWriter } from '../media/recording/ogg-opus-writer.js';
import { RtpReceiver, type ReceivedRtp, type RtpSubscriber } from '../media/recording/rtp-receiver.js';
import { StreamMuxer } from '../media/recording/stream-muxer.js';
import { oggPackets } from './loadgen.js';
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const calls = Number(args.find((a, i) => /^\d+$/.test(a) && !(args[i - 1] ?? '').startsWith('--')) ?? 300);
const seconds = Number(args[args.indexOf('--seconds') + 1] ?? 20) || 20;

function opusPackets(): Buffer[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callmark-recpath-'));
  const ogg = path.join(dir, 'tone.ogg');
  const ff = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'sine=f=440:d=4', '-ac', '1', '-c:a', 'libopus', '-b:a', '32k', '-application', 'voip', '-frame_duration', '20', ogg]);
  if (ff.status !== 0) throw new Error(`ffmpeg: ${ff.stderr.toString()}`);
  const packets = oggPackets(fs.readFileSync(ogg)).slice(2);
  fs.rmSync(dir, { recursive: true });
  return packets;
}

const RECORD_HEADER = 24;
const FRAME_HEADER = 12;

/** One frame as rtp-receiver.c writes it: u32 length, f64 read mark, then records. */
function frame(records: Array<{ port: number; ssrc: number; ts: number; seq: number; arrivalMono: number; payload: Buffer }>, markMono: number): Buffer {
  const size = FRAME_HEADER + records.reduce((s, r) => s + RECORD_HEADER + r.payload.length, 0);
  const b = Buffer.alloc(size);
  b.writeUInt32LE(size - 4, 0);
  b.writeDoubleLE(markMono, 4);
  let off = FRAME_HEADER;
  for (const r of records) {
    b.writeUInt16LE(RECORD_HEADER - 2 + r.payload.length, off);
    b.writeUInt16LE(r.port, off + 2);
    b.writeUInt32LE(r.ssrc, off + 4);
    b.writeUInt32LE(r.ts >>> 0, off + 8);
    b.writeUInt16LE(r.seq & 0xffff, off + 12);
    b[off + 14] = 111;
    b.writeDoubleLE(r.arrivalMono, off + 16);
    r.payload.copy(b, off + RECORD_HEADER);
    off += RECORD_HEADER + r.payload.length;
  }
  return b;
}

const packets = opusPackets();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callmark-recpath-'));
// The receiver's parser without its process: the same class, its pipe replaced by direct calls.
const receiver = Object.create(RtpReceiver.prototype) as RtpReceiver;
Object.assign(receiver, { subscribers: new Map(), pending: Buffer.alloc(0), offsetMs: 0, markWaiters: [], readMarkMs: -Infinity, packets: 0, counterWaiters: [], scratch: { ssrc: 0, timestamp: 0, sequenceNumber: 0, payloadType: 0, arrivalMs: 0, payload: Buffer.alloc(0) } });
const feed = (chunk: Buffer) => (receiver as unknown as { onData(c: Buffer): void }).onData(chunk);

let simNow = 0; // simulated performance.now(), ms
interface Rec extends RtpSubscriber {
  writer: OggOpusWriter;
  muxer: StreamMuxer;
  relays: LegRelay[];
}
const recs: Rec[] = [];
for (let c = 0; c < calls; c++) {
  const writer = new OggOpusWriter(path.join(dir, `${c}.ogg`), { channels: 2 });
  const muxer = new StreamMuxer(2, (p, s) => writer.write(p, s));
  const clock = () => Math.round(simNow * 48);
  const relays = [0, 1].map((side) => new LegRelay(muxer.channels[side]!, clock));
  const rec: Rec = {
    writer,
    muxer,
    relays,
    afterBatch: () => muxer.drain(),
    onReceiverRestart: () => {},
  };
  relays.forEach((relay, side) => receiver.subscribe(40000, c * 2 + side + 1, rec, (p: ReceivedRtp) => relay.receive(p, Math.round(p.arrivalMs * 48))));
  recs.push(rec);
}

// Prebuilt 10-ms frames: every call's two legs send every 20 ms, half the calls in each 10-ms slot.
const slots = 2 * packets.length; // frames until the payloads repeat
const frames: Buffer[] = [];
for (let f = 0; f < slots; f++) {
  const recsInFrame = [];
  for (let c = f % 2; c < calls; c += 2) {
    const n = Math.floor(f / 2);
    for (const side of [0, 1]) recsInFrame.push({ port: 40000, ssrc: c * 2 + side + 1, ts: n * 960, seq: n, arrivalMono: 0, payload: packets[n % packets.length]! });
  }
  frames.push(frame(recsInFrame, 0));
}

const totalFrames = seconds * 100;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
let sent = 0;
for (let f = 0; f < totalFrames; f++) {
  simNow = f * 10 + 5;
  const b = frames[f % slots]!;
  // Arrival stamps and timestamps move on with simulated time (patched in place).
  let off = FRAME_HEADER;
  b.writeDoubleLE(simNow, 4);
  const n = Math.floor(f / 2);
  while (off < b.length) {
    b.writeUInt32LE((n * 960) >>> 0, off + 8);
    b.writeUInt16LE(n & 0xffff, off + 12);
    b.writeDoubleLE(simNow - 1, off + 16);
    off += 2 + b.readUInt16LE(off);
    sent++;
  }
  feed(b);
  if (f % 10 === 9) for (const r of recs) {
    for (const relay of r.relays) relay.tick(Math.round(simNow * 48));
    r.afterBatch();
  }
}
const wall = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
const cpuUs = cpu.user + cpu.system;
for (const r of recs) r.writer.close();
const written = recs.reduce((s, r) => s + r.writer.stats.packets, 0);
fs.rmSync(dir, { recursive: true });
console.log(`${calls} calls, ${seconds} s simulated: ${sent} packets in, ${written} Ogg packets out, wall ${wall.toFixed(0)} ms, CPU ${(cpuUs / 1000).toFixed(0)} ms`);
console.log(`CPU per received packet ${(cpuUs / sent).toFixed(2)} µs → ${((cpuUs / sent) * 100 / 1e4).toFixed(4)} % of a core per call at 100 packets/s per call`);
