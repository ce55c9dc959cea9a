// The live stereo recording is written by the native receiver (media/recording/native/: relay.c,
// mux.c, ogg-writer.c, recording.c), not by Node. Its reference is the TypeScript pipeline it was
// ported from (leg-relay.ts, stream-muxer.ts, ogg-opus-writer.ts, and CallRecorder's stereo-file
// rules, mirrored by ReferenceRecording below). Differential test: both are driven by the same
// generated command scripts (the receiver's --replay mode reads the control lines of control.h) and
// must write byte-identical files and report identical counters.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DRIFT_MAX, fillIdle, fillSilence, LegRelay, othersOf, progressOf } from '../../../media/recording/leg-relay.js';
import { opusPacketSamples } from '../../../media/recording/opus-packet.js';
import { readOggPackets } from '../../../media/recording/ogg.js';
import { OggOpusWriter } from '../../../media/recording/ogg-opus-writer.js';
import { StreamMuxer, type MuxChannel } from '../../../media/recording/stream-muxer.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const binary = path.join(root, 'node_modules', '.callmark', 'bin', 'callmark-rtp-receiver');
const WORKER_QUIET_MS = 2000; // media/recorder.ts

/** CallRecorder's stereo-file rules (media/recorder.ts) on the TypeScript pipeline, driven by control lines. */
class ReferenceRecording {
  private readonly writer: OggOpusWriter;
  private readonly muxer: StreamMuxer;
  private readonly legs = new Map<number, { side: 0 | 1; relay: LegRelay; channel: MuxChannel; ended: boolean; endsAt?: number }>();
  private heardAt = 0;
  private tornDown = false;
  readonly events: string[] = [];

  constructor(
    private readonly id: number,
    private readonly t0: number,
    serial: number,
    file: string,
  ) {
    this.writer = new OggOpusWriter(file, { channels: 2, serial });
    this.muxer = new StreamMuxer(2, (packet, samples) => this.writer.write(packet, samples));
  }

  private samplesAt(ms: number): number {
    return Math.round((ms - this.t0) * 48);
  }

  leg(legId: number, side: 0 | 1, atMs: number): void {
    const now = this.samplesAt(atMs);
    const channel = this.muxer.channels[side]!;
    fillSilence(channel, now - channel.end);
    this.legs.set(legId, { side, channel, relay: new LegRelay(channel, () => now), ended: false });
  }

  pkt(legId: number, arrivalMs: number, ssrc: number, timestamp: number, payload: Buffer): void {
    const leg = this.legs.get(legId)!;
    if (leg.ended || this.tornDown) return;
    const arrival = this.samplesAt(arrivalMs);
    if (arrival > this.heardAt) this.heardAt = arrival;
    leg.relay.others = othersOf(this.ticked(), leg.relay, this.heardAt);
    leg.relay.receive({ ssrc, timestamp, payload }, arrival);
  }

  drain(): void {
    if (!this.tornDown) this.muxer.drain();
  }

  tick(wallMs: number): void {
    if (this.tornDown) return;
    const wall = this.samplesAt(wallMs);
    const quiet = wall - this.heardAt > WORKER_QUIET_MS * 48;
    const now = quiet ? wall : Math.min(wall, this.heardAt);
    const progress = quiet ? now : progressOf(this.ticked(), now);
    for (const leg of this.legs.values()) {
      if (leg.ended || leg.endsAt !== undefined) continue;
      leg.relay.others = othersOf(this.ticked(), leg.relay, this.heardAt);
      leg.relay.tick(now, progress);
    }
    for (const channel of this.muxer.channels) if (![...this.legs.values()].some((l) => !l.ended && l.channel === channel)) fillIdle(channel, progress);
    this.drain();
  }

  /** The legs still ticked: not ended, not told to end. */
  private ticked(): LegRelay[] {
    return [...this.legs.values()].filter((l) => !l.ended && l.endsAt === undefined).map((l) => l.relay);
  }

  end(legId: number, atMs: number): void {
    const leg = this.legs.get(legId)!;
    if (leg.ended || leg.endsAt !== undefined) return;
    leg.endsAt = this.samplesAt(atMs);
    leg.relay.end(leg.endsAt);
  }

  private closeLeg(legId: number, now: number): void {
    const leg = this.legs.get(legId)!;
    if (leg.ended) return;
    leg.ended = true;
    leg.relay.flush(now);
    const s = leg.relay.stats;
    this.events.push(`stats ${this.id} ${legId} ${s.received} ${s.forwarded} ${s.silenceSamples} ${s.dropped} ${s.droppedInvalid} ${s.droppedLate} ${s.droppedDrift} ${s.resyncs}`);
  }

  closeLegCommand(legId: number): void {
    const leg = this.legs.get(legId)!;
    if (leg.ended || leg.endsAt === undefined || this.tornDown) return;
    this.closeLeg(legId, leg.endsAt);
    this.drain();
  }

  stop(atMs: number): void {
    const now = this.samplesAt(atMs);
    for (const [id, leg] of this.legs) this.closeLeg(id, leg.endsAt ?? now);
    for (const channel of this.muxer.channels) fillSilence(channel, now - channel.end);
    this.tornDown = true;
    this.muxer.finish();
    this.writer.close();
    this.muxer.channels.forEach((c, i) => {
      const s = c.stats;
      this.events.push(`channel ${this.id} ${i} ${s.audioPackets} ${s.joinedPackets} ${s.malformedPackets} ${s.silenceSamples} ${s.shifts} ${s.maxDebt} ${s.droppedPackets}`);
    });
    this.events.push(`closed ${this.id} ${this.muxer.position} ${this.writer.stats.packets} ${this.writer.stats.bytes}`);
  }
}

/** Runs a script of control lines (control.h) through the reference; returns its events. */
function runReference(lines: string[]): string[] {
  let rec: ReferenceRecording | undefined;
  for (const line of lines) {
    const [cmd, ...a] = line.split(' ');
    const n = (i: number) => Number(a[i]);
    if (cmd === 'open') rec = new ReferenceRecording(n(0), n(1), n(2), a.slice(5).join(' '));
    else if (cmd === 'leg') rec!.leg(n(1), n(2) as 0 | 1, n(5));
    else if (cmd === 'pkt') rec!.pkt(n(1), n(2), n(3), n(4), Buffer.from(a[5] ?? '', 'hex'));
    else if (cmd === 'drain') rec!.drain();
    else if (cmd === 'tick') rec!.tick(n(1));
    else if (cmd === 'end') rec!.end(n(1), n(2));
    else if (cmd === 'close-leg') rec!.closeLegCommand(n(1));
    else if (cmd === 'stop') rec!.stop(n(1));
  }
  return rec!.events;
}

function runNative(lines: string[]): string[] {
  const r = spawnSync(binary, ['--replay'], { input: lines.join('\n') + '\n', encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`callmark-rtp-receiver --replay: ${r.status} ${r.signal} ${r.stderr}`);
  return r.stdout.split('\n').filter((l) => l.length > 0);
}

// ---------------------------------------------------------------- generated scripts
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** TOC configurations (RFC 6716 §3.1, Table 2) by frame length in ms. */
const TOC = { celt2_5: 28 << 3, celt5: 29 << 3, celt10: 30 << 3, celt20: 31 << 3, silk10: 8 << 3, silk20: 9 << 3, silk40: 10 << 3, silk60: 11 << 3, hybrid20: 13 << 3 } as const;
type PacketKind = 'code0' | 'code1' | 'code2' | 'code3cbr' | 'code3vbr' | 'code3pad' | 'code3huge' | 'code3max' | 'malformed';

function opusPacket(rand: () => number, toc: number, kind: PacketKind, frames = 3): Buffer {
  const bytes = (n: number) => Array.from({ length: n }, () => Math.floor(rand() * 256));
  const size = () => 20 + Math.floor(rand() * (rand() < 0.05 ? 400 : 80)); // now and then a frame of ≥ 252 bytes (two-byte lengths)
  switch (kind) {
    case 'code0':
      return Buffer.from([toc, ...bytes(size())]);
    case 'code1': {
      const s = size();
      return Buffer.from([toc | 1, ...bytes(2 * s)]);
    }
    case 'code2': {
      const s = 10 + Math.floor(rand() * 100);
      return Buffer.from([toc | 2, s, ...bytes(s), ...bytes(size())]);
    }
    case 'code3cbr':
      return Buffer.from([toc | 3, frames, ...bytes(frames * 30)]);
    case 'code3vbr': {
      const sizes = Array.from({ length: frames }, () => 5 + Math.floor(rand() * 60));
      return Buffer.from([toc | 3, 0x80 | frames, ...sizes.slice(0, -1), ...sizes.flatMap((s) => bytes(s))]);
    }
    case 'code3pad':
      return Buffer.from([toc | 3, 0x40 | frames, 7, ...bytes(frames * 12), ...bytes(7)]);
    // Too long for one Ogg page (255 × 255 bytes or more: it spans pages, RFC 3533 §6): one frame
    // padded by 256 × 254 bytes (RFC 6716 §3.2.5: length bytes 255 … 255, 0) ...
    case 'code3huge':
      return Buffer.concat([Buffer.from([toc | 3, 0x40 | 1, ...Array<number>(256).fill(255), 0]), Buffer.from(bytes(10)), Buffer.alloc(256 * 254, Math.floor(rand() * 256))]);
    // ... or 48 frames of 1275 bytes (120 ms of 2.5 ms CELT: the largest valid packet, R5).
    case 'code3max':
      return Buffer.concat([Buffer.from([toc | 3, 48]), Buffer.alloc(48 * 1275, Math.floor(rand() * 256))]);
    case 'malformed': {
      const pick = Math.floor(rand() * 4);
      if (pick === 0) return Buffer.alloc(0);
      if (pick === 1) return Buffer.from([toc | 3]); // code 3 without its count byte
      if (pick === 2) return Buffer.from([toc | 1, 1, 2]); // code 1 with an odd length (R3)
      return Buffer.from([toc | 2, 200, 1, 2]); // code 2 whose first frame runs past the end (R4)
    }
  }
}

interface LegPlan {
  id: number;
  side: 0 | 1;
  /** Recording ms at which its leg command is given (its party joins). */
  joinMs: number;
  /** Recording ms at which the party starts sending, and stops. */
  fromMs: number;
  toMs: number;
  ssrc: number;
  packetMs: number;
  toc: number;
  kinds?: PacketKind[];
  /** Sender clock error: ppm (positive: fast). */
  ppm?: number;
  /** Network/worker delay of the packet sent at ms (default: jitter 0-4 ms). */
  delay?: (sentMs: number, rand: () => number) => number;
  /** The sender sends nothing in these spans (a hold, a pause: its timestamps run on). */
  pauses?: Array<[number, number]>;
  /** Lost packets, as a probability. */
  loss?: number;
  /** The leg ends here (end at, close-leg 60 ms later), optionally sending on (packets for an ended leg). */
  endMs?: number;
  /** The RTP timestamp jumps (a new base) at this ms; or the SSRC changes. */
  jumpMs?: number;
  /** ... by this many samples (default: far ahead). */
  jumpBy?: number;
  newSsrcMs?: number;
  duplicates?: number;
}

interface Plan {
  seed: number;
  durationMs: number;
  legs: LegPlan[];
  /** The recording's tick every this many ms (a multiple of 10; default 100), shifted by `tickPhaseMs`. */
  tickMs?: number;
  tickPhaseMs?: number;
}

function script(plan: Plan, file: string): string[] {
  const rand = prng(plan.seed);
  const t0 = 100_000 + rand() * 1000; // CLOCK_MONOTONIC ms, not a round number
  const lines: string[] = [`open 1 ${t0} ${0x1234abcd} 0 ${t0} ${file}`];
  type Ev = { at: number; order: number; line: string };
  const events: Ev[] = [];
  let order = 0;
  const add = (at: number, line: string) => events.push({ at, order: order++, line });
  for (const leg of plan.legs) {
    add(leg.joinMs, `leg 1 ${leg.id} ${leg.side} 40000 ${leg.ssrc} ${t0 + leg.joinMs}`);
    let ts = Math.floor(rand() * 2 ** 32);
    let ssrc = leg.ssrc;
    const samples = leg.packetMs * 48;
    for (let sent = leg.fromMs, k = 0; sent < leg.toMs; sent += leg.packetMs * (1 - (leg.ppm ?? 0) / 1e6), k++) {
      ts = (ts + samples) >>> 0;
      if (leg.jumpMs !== undefined && sent >= leg.jumpMs && sent < leg.jumpMs + leg.packetMs) ts = (ts + (leg.jumpBy ?? 123_456_789)) >>> 0;
      if (leg.newSsrcMs !== undefined && sent >= leg.newSsrcMs && sent < leg.newSsrcMs + leg.packetMs) ssrc = (ssrc + 1) >>> 0;
      if (leg.pauses?.some(([a, b]) => sent >= a && sent < b)) continue;
      if (leg.loss && rand() < leg.loss) continue;
      const kinds = leg.kinds ?? ['code0'];
      const payload = opusPacket(rand, leg.toc, kinds[k % kinds.length]!).toString('hex');
      const arrival = sent + (leg.delay ? leg.delay(sent, rand) : rand() * 4);
      add(arrival, `pkt 1 ${leg.id} ${t0 + arrival} ${ssrc} ${ts} ${payload}`);
      if (leg.duplicates && rand() < leg.duplicates) add(arrival + rand() * 30, `pkt 1 ${leg.id} ${t0 + arrival + 1} ${ssrc} ${ts} ${payload}`);
    }
    if (leg.endMs !== undefined) {
      add(leg.endMs, `end 1 ${leg.id} ${t0 + leg.endMs}`);
      add(leg.endMs + 60, `close-leg 1 ${leg.id}`);
    }
  }
  events.sort((a, b) => a.at - b.at || a.order - b.order);
  // The receiver's turn: every 10 ms, what arrived by then is placed, then paired (drain); every
  // 100 ms the recording's tick. Control lines come at their time, between turns.
  let i = 0;
  for (let turn = 10; turn <= plan.durationMs; turn += 10) {
    let packets = false;
    while (i < events.length && events[i]!.at < turn) {
      lines.push(events[i]!.line);
      packets ||= events[i]!.line.startsWith('pkt');
      i++;
    }
    if (packets) lines.push('drain 1');
    if ((turn + (plan.tickPhaseMs ?? 0)) % (plan.tickMs ?? 100) === 0) lines.push(`tick 1 ${t0 + turn + rand() * 2}`);
  }
  lines.push(`stop 1 ${t0 + plan.durationMs}`);
  return lines;
}

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callmark-native-pipeline-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

let runs = 0;
function compare(plan: Plan): { events: string[]; file: Buffer } {
  const name = `case-${runs++}`;
  const tsFile = path.join(dir, `${name}-ts.ogg`);
  const cFile = path.join(dir, `${name}-c.ogg`);
  const reference = runReference(script(plan, tsFile));
  const native = runNative(script(plan, cFile));
  const tsBytes = fs.readFileSync(tsFile);
  const cBytes = fs.readFileSync(cFile);
  expect(native).toEqual(reference);
  expect(cBytes.length).toBe(tsBytes.length);
  expect(cBytes.equals(tsBytes)).toBe(true);
  return { events: reference, file: tsBytes };
}

/** Where in the file (samples) the last packet the leg's party sent ends. */
function lastPacketEnd(plan: Plan, legId: number, file: Buffer): number {
  const last = script(plan, 'x').filter((l) => l.startsWith(`pkt 1 ${legId} `)).at(-1)!;
  const payload = Buffer.from(last.split(' ')[6]!, 'hex').subarray(1); // its frame, after the TOC byte
  let end = 0;
  for (const p of readOggPackets(file).slice(2)) {
    end += opusPacketSamples(p.data);
    if (p.data.includes(payload)) return end;
  }
  throw new Error(`leg ${legId}'s last packet is not in the file`);
}

const talk = (id: number, side: 0 | 1, over: Partial<LegPlan> = {}): LegPlan => ({ id, side, joinMs: 0, fromMs: 5, toMs: 6000, ssrc: 1000 + id, packetMs: 20, toc: TOC.celt20, ...over });

describe('the native recording pipeline writes what the TypeScript one writes', () => {
  it.skipIf(!fs.existsSync(binary))('is built (node scripts/setup.mjs)', () => expect(fs.existsSync(binary)).toBe(true));

  it('20 ms packets on both sides, with jitter', () => {
    const { events, file } = compare({ seed: 1, durationMs: 6000, legs: [talk(1, 0), talk(2, 1, { toc: TOC.hybrid20 })] });
    expect(events.at(-1)).toMatch(/^closed 1 /);
    expect(readOggPackets(file).length).toBeGreaterThan(250); // the case is not empty
  });

  for (const [name, toc, packetMs] of [
    ['10 ms CELT', TOC.celt10, 10],
    ['40 ms SILK', TOC.silk40, 40],
    ['60 ms SILK', TOC.silk60, 60],
    ['5 ms CELT', TOC.celt5, 5],
  ] as const) {
    it(`${name} packets against 20 ms`, () => {
      compare({ seed: 2 + packetMs, durationMs: 5000, legs: [talk(1, 0, { toc: TOC.celt20 }), talk(2, 1, { toc, packetMs })] });
    });
  }

  it('packets of code 1, 2 and 3 (CBR, VBR, padded), and 10 ms against 20 ms of each', () => {
    compare({
      seed: 7,
      durationMs: 5000,
      legs: [talk(1, 0, { toc: TOC.celt10, packetMs: 20, kinds: ['code1', 'code2', 'code0', 'code1'] }), talk(2, 1, { toc: TOC.celt10, packetMs: 30, kinds: ['code3cbr', 'code3vbr', 'code3pad'] })],
    });
    compare({ seed: 8, durationMs: 4000, legs: [talk(1, 0, { toc: TOC.celt10, packetMs: 10 }), talk(2, 1, { toc: TOC.celt20, packetMs: 20, kinds: ['code0', 'code1'] })] });
  });

  it('packets too long for one Ogg page span pages (65 kB of padding; both peers at 120 ms of 1275-byte frames)', () => {
    const continued = (file: Buffer) => pages(file).filter((p) => p.flags & 0x01).length;
    const padded = compare({ seed: 19, durationMs: 3000, legs: [talk(1, 0, { toMs: 3000, kinds: ['code0', 'code0', 'code3huge'] }), talk(2, 1, { toMs: 3000, kinds: ['code0', 'code3huge', 'code0', 'code0'] })] });
    expect(continued(padded.file)).toBeGreaterThan(20);
    const max = { toc: TOC.celt2_5, packetMs: 120, kinds: ['code3max' as const], toMs: 3000 };
    const largest = compare({ seed: 20, durationMs: 3000, legs: [talk(1, 0, max), talk(2, 1, max)] });
    expect(readOggPackets(largest.file).filter((p) => p.data.length > 2 * 48 * 1275).length).toBeGreaterThan(10);
    expect(continued(largest.file)).toBeGreaterThan(10);
  });

  it('losses, duplicates, a hold of 3 s and malformed payloads', () => {
    compare({
      seed: 9,
      durationMs: 8000,
      legs: [
        talk(1, 0, { loss: 0.05, duplicates: 0.05, kinds: ['code0', 'code0', 'code0', 'code0', 'code0', 'code0', 'code0', 'malformed'], toMs: 8000 }),
        talk(2, 1, { pauses: [[2000, 5000]], toMs: 8000 }),
      ],
    });
  });

  it('a starved worker: late bursts of 200-400 ms, and a party starting 2 s late in a burst', () => {
    const burst = (spans: Array<[number, number]>) => (sent: number, rand: () => number) => {
      for (const [a, b] of spans) if (sent >= a && sent < b) return b - sent + rand() * 2;
      return rand() * 3;
    };
    compare({
      seed: 10,
      durationMs: 7000,
      legs: [talk(1, 0, { delay: burst([[1000, 1200], [4000, 4400]]), toMs: 7000 }), talk(2, 1, { fromMs: 2000, toMs: 7000, delay: burst([[2000, 2200], [4000, 4400]]) })],
    });
  });

  it('silence on both sides for 3 s (the worker quiet), then talk again', () => {
    compare({ seed: 11, durationMs: 7000, legs: [talk(1, 0, { pauses: [[1500, 4500]], toMs: 7000 }), talk(2, 1, { pauses: [[1500, 4500]], toMs: 7000 })] });
  });

  for (const ppm of [-1000, 1000]) {
    it(`a sender clock ${ppm > 0 ? 'fast' : 'slow'} by ${Math.abs(ppm)} ppm over 40 s (drift corrected by silence, none of it left out)`, () => {
      const plan: Plan = { seed: 12, durationMs: 40_000, legs: [talk(1, 0, { toMs: 40_000 }), talk(2, 1, { toMs: 40_000, ppm })] };
      const { events, file } = compare(plan);
      const [left, right] = ['stats 1 1 ', 'stats 1 2 '].map((p) => events.find((e) => e.startsWith(p))!.split(' ').map(Number));
      // Slow: the slow sender's side gets the silence. Fast: its audio is kept, and the other side
      // gets the silence (the file runs ahead of the wall clock by up to 1,000 ppm, at most LEAD_CAP).
      const [slower, faster] = ppm < 0 ? [right!, left!] : [left!, right!];
      expect(slower[5]).toBeGreaterThan(48 * 30); // silence inserted
      expect([left![9], right![9], faster[5]]).toEqual([0, 0, 0]); // none dropped; no silence for the leg ahead
      const [l, r] = plan.legs.map((leg) => lastPacketEnd(plan, leg.id, file));
      expect(Math.abs(l! - r!)).toBeLessThanOrEqual(DRIFT_MAX);
    });
  }

  it('a sender clock fast by 1500 ppm for 7 minutes: the other side delayed up to 0.5 s ahead of the wall clock, then the fast one dropped from', () => {
    const plan: Plan = { seed: 21, durationMs: 420_000, legs: [talk(1, 0, { toMs: 420_000 }), talk(2, 1, { toMs: 420_000, ppm: 1500 })] };
    const { events, file } = compare(plan);
    const [left, right] = ['stats 1 1 ', 'stats 1 2 '].map((p) => events.find((e) => e.startsWith(p))!.split(' ').map(Number));
    expect(left![5]).toBeGreaterThan(48 * 400); // the other side: silence up to LEAD_CAP (0.5 s) and no further
    expect(left![5]).toBeLessThan(48 * 600);
    expect(right![9]).toBeGreaterThan(0); // then the fast leg is dropped from (DRIFT_STEP at a time)
    expect([left![9], left![10], right![10]]).toEqual([0, 0, 0]); // none of the slow one's left out; no resync
    const [l, r] = plan.legs.map((leg) => lastPacketEnd(plan, leg.id, file));
    // Within DRIFT_MAX, give or take what 1500 ppm adds between two corrections (two windows) and a packet.
    expect(Math.abs(l! - r!)).toBeLessThanOrEqual(DRIFT_MAX + 20 * 48);
    expect(l!).toBeLessThanOrEqual(48 * (420_000 + 600)); // the timeline at most about LEAD_CAP ahead
  });

  it('a lone leg whose sender clock is fast by 1000 ppm is its recording\'s clock: nothing dropped, no silence added', () => {
    const { events } = compare({ seed: 22, durationMs: 40_000, legs: [talk(1, 0, { toMs: 40_000, ppm: 1000 })] });
    const left = events.find((e) => e.startsWith('stats 1 1 '))!.split(' ').map(Number);
    expect([left[9], left[5]! < 48 * 10]).toEqual([0, true]);
  });

  // A worker falling behind (an overloaded machine): each packet reaches the receiver `lag` ms after
  // it was sent, stamped then; the lag grows from 0 at `from` to `max` at `to` and stays, until the
  // worker catches up at `catchUp` (its backlog delivered at once). While it is stopped (`stops`),
  // nothing arrives; what it would have forwarded comes at the end of the stop.
  const behind =
    (o: { from?: number; to?: number; max?: number; catchUp?: number; stops?: Array<[number, number]>; base?: number }) =>
    (sent: number, rand: () => number) => {
      const { from = 0, to = 1, max = 0, catchUp = Infinity, stops = [], base = 0 } = o;
      const lag = base + (sent <= from ? 0 : sent >= to ? max : ((sent - from) / (to - from)) * max);
      let arrival = sent + (sent >= catchUp ? 0 : lag) + rand() * 2;
      // A backlog comes at once, in the order it was sent (as the worker forwards it).
      if (sent < catchUp && arrival > catchUp) arrival = catchUp + sent / 1e4;
      if (sent >= catchUp) arrival = Math.max(arrival, catchUp + 3); // after the backlog
      for (const [a, b] of stops) if (arrival >= a && arrival < b) arrival = b + sent / 1e4;
      return arrival - sent;
    };
  /** Every packet sent is placed: none left out (late or for drift), and no silence inside the talk. */
  function expectEveryPacketKept(plan: Plan, events: string[], realignedMs = 0): void {
    const sent = script(plan, 'x').filter((l) => l.startsWith('pkt'));
    for (const leg of plan.legs) {
      const [received, forwarded, silence, , , late, drift] = events
        .find((e) => e.startsWith(`stats 1 ${leg.id} `))!
        .split(' ')
        .slice(3)
        .map(Number);
      const packets = sent.filter((l) => l.split(' ')[2] === String(leg.id)).length;
      expect({ leg: leg.id, received, forwarded, late, drift }).toEqual({ leg: leg.id, received: packets, forwarded: packets, late: 0, drift: 0 });
      // Silence only before the party began and after it stopped (the stop fills up to then), and what
      // realigns legs that were put `realignedMs` apart.
      expect(silence!).toBeLessThanOrEqual(48 * (leg.fromMs - leg.joinMs + plan.durationMs - leg.toMs + 25 + realignedMs));
    }
  }

  describe('a worker that falls behind (an overloaded machine): every packet is recorded', () => {
    for (const tickMs of [20, 100, 250]) {
      it(`the lag grows from 0 to 600 ms over 3 s and stays (ticks every ${tickMs} ms)`, () => {
        const delay = behind({ from: 1000, to: 4000, max: 600 });
        const plan: Plan = { seed: 40 + tickMs, durationMs: 9500, tickMs, tickPhaseMs: 10, legs: [talk(1, 0, { toMs: 8000, delay }), talk(2, 1, { toMs: 8000, delay, toc: TOC.silk20 })] };
        expectEveryPacketKept(plan, compare(plan).events);
      });
    }

    it('stops of 300-600 ms on top of a lag of 200 ms, then the backlog delivered at once', () => {
      const delay = behind({ from: 500, to: 1500, max: 200, stops: [[2000, 2300], [3500, 4100], [5000, 5450], [6000, 6600]], catchUp: 7000 });
      const plan: Plan = { seed: 44, durationMs: 9000, legs: [talk(1, 0, { toMs: 8000, delay }), talk(2, 1, { toMs: 8000, delay, packetMs: 40, toc: TOC.silk40 })] };
      expectEveryPacketKept(plan, compare(plan).events);
    });

    it('a lag of 550 ms for 20 s, then the worker catches up (no drift inserted, none dropped)', () => {
      const delay = behind({ from: 500, to: 1500, max: 550, catchUp: 22_000 });
      const plan: Plan = { seed: 45, durationMs: 30_000, legs: [talk(1, 0, { toMs: 29_000, delay }), talk(2, 1, { toMs: 29_000, delay })] };
      expectEveryPacketKept(plan, compare(plan).events);
    });

    it('legs that start while the worker is 450 ms behind, which catches up 3 s later', () => {
      const delay = behind({ base: 450, catchUp: 3000 });
      const plan: Plan = { seed: 46, durationMs: 24_000, legs: [talk(1, 0, { toMs: 23_000, delay }), talk(2, 1, { toMs: 23_000, delay })] };
      expectEveryPacketKept(plan, compare(plan).events);
    });

    it('falling behind and catching up, again and again for 30 s (the left backlog first, then the right)', () => {
      for (const [period, rise, max, shift] of [[3000, 2500, 400, 0.5], [2000, 1500, 600, 0.5], [1500, 1000, 300, 5], [4000, 3000, 700, 0.5]] as const) {
        // The lag rises to `max` over `rise` ms, and at the end of each period the backlog comes at once,
        // the right leg's `shift` ms after the left's.
        const saw = (legShift: number) => (sent: number, rand: () => number) => {
          const start = Math.floor(sent / period) * period;
          const lag = Math.min((sent - start) / rise, 1) * max;
          let arrival = sent + lag + rand() * 2;
          if (arrival > start + period) arrival = start + period + legShift + sent / 1e4;
          return arrival - sent;
        };
        const plan: Plan = { seed: 48, durationMs: 31_000, legs: [talk(1, 0, { toMs: 30_000, delay: saw(0) }), talk(2, 1, { toMs: 30_000, delay: saw(shift) })] };
        expectEveryPacketKept(plan, compare(plan).events);
      }
    });

    // Two legs anchored while the worker held them back by different amounts (an overloaded machine:
    // lags of 0.1-0.9 s), then the worker catches up. The legs sit that far apart on the timeline;
    // they are realigned without leaving out any of the audio the parties said.
    for (const [first, second, joinMs] of [[100, 300, 0], [300, 100, 0], [0, 500, 0], [500, 0, 0], [100, 300, 1500], [500, 0, 1500]] as const) {
      it(`legs anchored ${first} and ${second} ms behind${joinMs ? ` (the second joining ${joinMs} ms later)` : ''}, then the worker catches up: realigned, none left out`, () => {
        const catchUp = 3000 + joinMs;
        const plan: Plan = {
          seed: 60 + first + second + joinMs,
          durationMs: 46_000,
          legs: [
            talk(1, 0, { toMs: 45_000, delay: behind({ base: first, catchUp }) }),
            talk(2, 1, { joinMs, fromMs: joinMs + 5, toMs: 45_000, delay: behind({ base: second, catchUp }) }),
          ],
        };
        const { events, file } = compare(plan);
        expectEveryPacketKept(plan, events, Math.max(first, second));
        // Aligned as the drift rule keeps them: the two sides' last packets end within DRIFT_MAX.
        const [left, right] = plan.legs.map((leg) => lastPacketEnd(plan, leg.id, file));
        expect(Math.abs(left! - right!)).toBeLessThanOrEqual(DRIFT_MAX);
      });
    }

    // One leg's own worker stops (nothing at all comes for it) while the other leg keeps arriving;
    // at the end of each stop its backlog comes at once. A stop up to STOP_FILL_LAG is not silence.
    it("one leg's worker stopping for 0.6 and 0.95 s while the other keeps arriving: its backlog is placed, none left out", () => {
      const delay = behind({ stops: [[2000, 2600], [4000, 4950]] });
      const plan: Plan = { seed: 49, durationMs: 11_000, legs: [talk(1, 0, { toMs: 10_000 }), talk(2, 1, { toMs: 10_000, delay })] };
      expectEveryPacketKept(plan, compare(plan).events);
    });

    it('one leg 700 ms behind (its own worker lags), the other on time', () => {
      const plan: Plan = { seed: 47, durationMs: 9000, legs: [talk(1, 0, { toMs: 8000 }), talk(2, 1, { toMs: 8000, delay: behind({ from: 1000, to: 2500, max: 700, catchUp: 6000 }) })] };
      expectEveryPacketKept(plan, compare(plan).events);
    });
  });

  it('a timestamp jump and a new SSRC (resync)', () => {
    compare({ seed: 13, durationMs: 5000, legs: [talk(1, 0, { jumpMs: 2000, toMs: 5000 }), talk(2, 1, { newSsrcMs: 2500, toMs: 5000 })] });
    // 0.6 s back: each packet's place is taken, until LATE_RESYNC of them in a row say it is a new base.
    const { events } = compare({ seed: 18, durationMs: 5000, legs: [talk(1, 0, { toMs: 5000 }), talk(2, 1, { jumpMs: 2000, jumpBy: -600 * 48, toMs: 5000 })] });
    expect(events.find((e) => e.startsWith('stats 1 2 '))!.split(' ').map(Number)[10]).toBeGreaterThan(0); // resyncs
  });

  it('a leg ending while its party sends on (packets for an ended leg), and another taking the side', () => {
    compare({
      seed: 14,
      durationMs: 7000,
      legs: [
        talk(1, 0, { toMs: 7000 }),
        talk(2, 1, { toMs: 5000, endMs: 3000 }),
        talk(3, 1, { joinMs: 3100, fromMs: 3150, toMs: 7000, toc: TOC.silk20 }),
      ],
    });
  });

  it('a leg ending while the worker holds its last packets (they arrive after the end, placed before it)', () => {
    compare({
      seed: 15,
      durationMs: 5000,
      legs: [talk(1, 0, { toMs: 5000 }), talk(2, 1, { toMs: 5000, endMs: 2500, delay: (sent, rand) => (sent >= 2300 && sent < 2600 ? 2620 - sent : rand() * 3) })],
    });
  });

  it('a side that nobody feeds for a while, and a recording stopped before its legs said anything', () => {
    compare({ seed: 16, durationMs: 4000, legs: [talk(1, 0, { toMs: 4000 }), talk(2, 1, { joinMs: 1500, fromMs: 1600, toMs: 4000 })] });
    compare({ seed: 17, durationMs: 200, legs: [talk(1, 0, { toMs: 200 }), talk(2, 1, { fromMs: 100, toMs: 200 })] });
  });

  it('random mixes of everything above', () => {
    for (let seed = 100; seed < 112; seed++) {
      const rand = prng(seed);
      const tocs = [TOC.celt20, TOC.celt10, TOC.silk20, TOC.silk40, TOC.silk60, TOC.hybrid20, TOC.celt2_5];
      const ms = [20, 10, 20, 40, 60, 20, 10];
      const pick = () => Math.floor(rand() * tocs.length);
      const [a, b] = [pick(), pick()];
      const kinds: PacketKind[][] = [['code0'], ['code0', 'code1'], ['code0', 'code2', 'malformed'], ['code3cbr', 'code3vbr']];
      compare({
        seed,
        durationMs: 6000,
        legs: [
          talk(1, 0, { toc: tocs[a]!, packetMs: ms[a]!, loss: rand() * 0.1, duplicates: rand() * 0.05, kinds: kinds[Math.floor(rand() * 4)]!, toMs: 6000, pauses: rand() < 0.5 ? [[1000, 1000 + rand() * 3000]] : [] }),
          talk(2, 1, { toc: tocs[b]!, packetMs: ms[b]!, loss: rand() * 0.1, kinds: kinds[Math.floor(rand() * 4)]!, toMs: 6000, ppm: (rand() - 0.5) * 4000, delay: (sent, r) => (sent > 2500 && sent < 2800 ? 2800 - sent : r() * 6) }),
        ],
      });
    }
  });
});

/** Each page's sequence number and granule position (RFC 3533 §6), reading up to the first bad page. */
function pages(file: Buffer): Array<{ sequence: number; granule: bigint; flags: number }> {
  const out: Array<{ sequence: number; granule: bigint; flags: number }> = [];
  for (let off = 0; off + 27 <= file.length && file.toString('latin1', off, off + 4) === 'OggS'; ) {
    const segments = file[off + 26]!;
    const size = 27 + segments + file.subarray(off + 27, off + 27 + segments).reduce((s, x) => s + x, 0);
    if (off + size > file.length) break;
    out.push({ sequence: file.readUInt32LE(off + 18), granule: file.readBigInt64LE(off + 6), flags: file[off + 5]! });
    off += size;
  }
  return out;
}

describe('the native recording after its process died', () => {
  it.skipIf(!fs.existsSync(binary))('continues the file after its last whole page: a torn page is cut off, sequence and granule go on', () => {
    const file = path.join(dir, 'resumed.ogg');
    const first = script({ seed: 30, durationMs: 3000, legs: [talk(1, 0, { toMs: 3000 }), talk(2, 1, { toMs: 3000 })] }, file).filter((l) => !l.startsWith('stop'));
    const t0 = Number(first[0]!.split(' ')[2]);
    runNative(first); // ends without a stop: stdin closes, what it holds is written through (no end-of-stream page)
    const written = fs.readFileSync(file);
    const before = pages(written);
    expect(before.length).toBeGreaterThan(10);
    expect(before.at(-1)!.flags & 4).toBe(0);
    // A crash in the middle of a page write: half a page at the end.
    fs.appendFileSync(file, written.subarray(written.length - 300, written.length - 100));
    const at = t0 + 4000;
    const payload = Buffer.from([0xfc, ...Array.from({ length: 60 }, (_, i) => i)]).toString('hex');
    const second = [`open 1 ${t0} 99 1 ${at} ${file}`, `leg 1 1 0 40000 7 ${at}`, `leg 1 2 1 40000 8 ${at}`];
    for (let k = 0; k < 100; k++) {
      const arrival = at + 20 * k;
      second.push(`pkt 1 1 ${arrival} 7 ${k * 960} ${payload}`, `pkt 1 2 ${arrival} 8 ${k * 960} ${payload}`, 'drain 1');
      if (k % 5 === 0) second.push(`tick 1 ${arrival}`);
    }
    second.push(`stop 1 ${at + 2000}`);
    const events = runNative(second);
    expect(events.filter((e) => e.startsWith('error'))).toEqual([]);
    expect(events.at(-1)).toMatch(/^closed 1 /);
    const resumed = fs.readFileSync(file);
    const after = pages(resumed);
    expect(after.reduce((n, p, i) => n + (p.sequence === i ? 0 : 1), 0)).toBe(0);
    // Every page reads back (none torn), numbered on from the last whole one, the granule never going back.
    expect(after.length).toBeGreaterThan(before.length + 5);
    after.forEach((p, i) => expect(p.sequence).toBe(i));
    for (let i = 1; i < after.length; i++) expect(after[i]!.granule >= after[i - 1]!.granule).toBe(true);
    expect(after.at(-1)!.flags & 4).toBe(4); // end of stream
    // The recording lasts until the stop, the time the process was away in silence: 6 s from t0.
    expect(Number(after.at(-1)!.granule)).toBe(6000 * 48);
  });
});
