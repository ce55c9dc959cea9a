// The call recorder's RTP input: one native process (native/rtp-receiver.c, compiled by
// scripts/setup.mjs) owns the UDP socket every recording's PlainTransport sends to. It reads the
// packets in batches, stamps each with its kernel arrival time and hands them to this process a few
// milliseconds' worth at a time over a pipe, so Node handles one event per batch instead of one
// per packet. Packets are routed to whoever subscribed to their (source port, SSRC): a recording's
// PlainTransport has its own local port, and each of its consumers its own SSRC. A mediasoup worker
// built with Callmark's patch (media/worker-patch/) does not send those packets as UDP datagrams but
// writes them in 10-ms batches to the process's Unix socket; they reach this file the same way.
//
// The live stereo recordings are written by the process itself (native/recording.c and the files it
// uses): Node opens one, adds and ends its legs, and stops it with text lines on the process's stdin
// (native/control.h), and hears back only rare events (a leg's counters when it closes, a failed
// write, the end), as records from source port 0. Only the packets of legs that stay in TypeScript
// (an added party's own leg file) still reach Node, a batch at a time.
//
// If the process dies it is started again on the same port (the transports stay connected to it);
// what arrived meanwhile is lost and becomes silence in the recordings, and subscribers are told
// (a native recording then continues its file after its last whole page).
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { performance } from 'node:perf_hooks';
import { nativeBinary } from '../native-binary.js';

const FLUSH_MS = 10;
const RECORD_HEADER = 24; // bytes of a record before its payload, length field included
const FRAME_HEADER = 12; // u32le length, f64le read mark

export interface ReceivedRtp {
  ssrc: number;
  timestamp: number;
  sequenceNumber: number;
  payloadType: number;
  /** Arrival on performance.now()'s clock (ms): the kernel's receive stamp, or for packets batched by a patched worker the moment the worker sent them. */
  arrivalMs: number;
  payload: Buffer;
}

/** Whoever owns subscriptions (a recording): told once per batch, and about restarts. */
export interface RtpSubscriber {
  /** After each batch that brought this subscriber packets. */
  afterBatch(): void;
  /** The receiving process died and was started again (or could not be). */
  onReceiverRestart(err: Error, restarted: boolean): void;
}

/** A live stereo recording written by the receiving process (native/recording.c). */
export interface NativeRecordingOwner extends RtpSubscriber {
  /** One event of the process about this recording, split into words: ['stats', id, leg, ...], ['closed', ...], ['error', id, ...message], ['slow', id, ...message] (its open or its last writes take seconds), ['refused', id, ...why and line]. */
  onNativeEvent(words: string[]): void;
}


// CLOCK_MONOTONIC (process.hrtime, the helper's clock) minus performance.now(): constant.
const monoToPerf = () => Number(process.hrtime.bigint()) / 1e6 - performance.now();

const receivers = new Map<string, Promise<RtpReceiver>>();

export class RtpReceiver {
  private child!: ChildProcessByStdio<Writable, Readable, null>;
  private readonly subscribers = new Map<number, { owner: RtpSubscriber; receive: (packet: ReceivedRtp) => void }>();
  private readonly recordings = new Map<number, NativeRecordingOwner>();
  private nextRecordingId = 1;
  private pending: Buffer = Buffer.alloc(0);
  private readonly scratch: ReceivedRtp = { ssrc: 0, timestamp: 0, sequenceNumber: 0, payloadType: 0, arrivalMs: 0, payload: Buffer.alloc(0) };
  private readonly offsetMs = monoToPerf();
  private stopping = false;
  private readonly counterWaiters: Array<(line: string) => void> = [];
  private readonly markWaiters: Array<{ atMs: number; done: (complete: boolean) => void }> = [];
  /** performance.now() time up to which every packet that reached the process has been handed to subscribers. */
  private readMarkMs = -Infinity;
  /** The last control lines the process refused (why, and the line's start), oldest first: a bug of Node's side. */
  readonly refused: string[] = [];
  /** Times the receiving process was started again after dying. */
  restarts = 0;
  packets = 0;

  private constructor(
    readonly ip: string,
    public port: number,
  ) {}

  /** The receiver of this process for an address (started on first use). */
  static shared(ip = '127.0.0.1'): Promise<RtpReceiver> {
    let r = receivers.get(ip);
    if (!r) {
      r = (async () => {
        const receiver = new RtpReceiver(ip, 0);
        await receiver.spawn();
        return receiver;
      })();
      receivers.set(ip, r);
      r.catch(() => receivers.delete(ip));
    }
    return r;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /**
   * Routes the packets from `port` with `ssrc` to `receive` until the returned function is called.
   * The packet object is reused for the next packet: `receive` may keep its payload, not the object.
   */
  subscribe(port: number, ssrc: number, owner: RtpSubscriber, receive: (packet: ReceivedRtp) => void): () => void {
    const key = port * 2 ** 32 + (ssrc >>> 0);
    const entry = { owner, receive };
    this.subscribers.set(key, entry);
    return () => {
      if (this.subscribers.get(key) === entry) this.subscribers.delete(key);
    };
  }

  /** An id for a native recording (control.h) whose events go to `owner` until `forget`. */
  registerRecording(owner: NativeRecordingOwner): number {
    const id = this.nextRecordingId++;
    this.recordings.set(id, owner);
    return id;
  }

  forgetRecording(id: number): void {
    this.recordings.delete(id);
  }

  /** A control line for the process (native/control.h); times in it are monoMs() of performance.now() times. */
  command(line: string): void {
    if (this.child.stdin.writable) this.child.stdin.write(`${line}\n`);
  }

  /** performance.now() time → the process's clock (CLOCK_MONOTONIC ms), as printed in control lines. */
  monoMs(perfMs: number): number {
    return perfMs + this.offsetMs;
  }

  /**
   * The process's counters (SIGUSR1): packets handed to Node, of which `worker_records` came in
   * batches from patched mediasoup workers (media/worker-patch/) rather than as UDP datagrams;
   * RTCP, malformed and dropped packets.
   */
  counters(): Promise<Record<string, number>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('callmark-rtp-receiver did not report its counters')), 5000);
      this.counterWaiters.push((line) => {
        clearTimeout(timer);
        resolve(Object.fromEntries(line.split(' ').map((kv) => kv.split('=')).map(([k, v]) => [k!, Number(v)])));
      });
      this.child.kill('SIGUSR1');
    });
  }

  private takeCounters(line: string): void {
    for (const waiter of this.counterWaiters.splice(0)) waiter(line);
  }

  /**
   * Resolves once every packet that reached the receiving process up to `atMs` (performance.now()'s
   * clock) has been handed to its subscriber: true then, false if `capMs` passed first or the process
   * was restarted meanwhile. Packets are read every FLUSH_MS and a patched worker batches them for up
   * to 10 ms, so some that arrived before a moment reach Node only after it: a recording's leg that
   * ends at that moment waits for them rather than losing them.
   */
  readUpTo(atMs: number, capMs = 1000): Promise<boolean> {
    if (this.readMarkMs >= atMs) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter = {
        atMs,
        done: (complete: boolean) => {
          clearTimeout(timer);
          resolve(complete);
        },
      };
      const timer = setTimeout(() => {
        const i = this.markWaiters.indexOf(waiter);
        if (i >= 0) this.markWaiters.splice(i, 1);
        resolve(false);
      }, capMs);
      this.markWaiters.push(waiter);
      this.askForMark();
    });
  }

  /** A byte on the process's stdin: it writes a frame (with its read mark) at its next turn even if nothing arrived. */
  private askForMark(): void {
    if (this.child.stdin.writable) this.child.stdin.write('m\n');
  }

  private takeMark(markMs: number): void {
    if (markMs > this.readMarkMs) this.readMarkMs = markMs;
    if (this.markWaiters.length === 0) return;
    for (let i = this.markWaiters.length - 1; i >= 0; i--) {
      const waiter = this.markWaiters[i]!;
      if (waiter.atMs <= this.readMarkMs) {
        this.markWaiters.splice(i, 1);
        waiter.done(true);
      }
    }
    if (this.markWaiters.length > 0) this.askForMark();
  }

  /** Stops the process (tests); the next shared() starts a new one. */
  async stop(): Promise<void> {
    this.stopping = true;
    receivers.delete(this.ip);
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.child.stdin.end();
    await exited;
  }

  private spawn(): Promise<void> {
    // Its stderr is this process's own (the server's log): what it says on its way out (a recording
    // not written through, native/rtp-receiver.c) is seen even when this process has exited first.
    // Its counters come on fd 3.
    const child = spawn(nativeBinary('callmark-rtp-receiver'), [this.ip, String(this.port), String(FLUSH_MS)], {
      stdio: ['pipe', 'pipe', 'inherit', 'pipe'],
    }) as ChildProcessByStdio<Writable, Readable, null>;
    this.child = child;
    this.pending = Buffer.alloc(0);
    const countersPipe = child.stdio[3] as Readable;
    countersPipe.on('data', (d: Buffer) => {
      const counters = /^packets=.*$/m.exec(d.toString());
      if (counters) this.takeCounters(counters[0]);
    });
    // Neither the process nor its pipes keep Node running; it exits by itself when stdin closes.
    child.unref();
    child.stdin.on('error', () => {});
    return new Promise<void>((resolve, reject) => {
      let ready = false;
      child.stdout.on('data', (chunk: Buffer) => {
        if (!ready) {
          this.pending = Buffer.concat([this.pending, chunk]);
          const nl = this.pending.indexOf(0x0a);
          if (nl < 0) return;
          const m = /^ready (\d+)$/.exec(this.pending.subarray(0, nl).toString());
          if (!m) return reject(new Error(`callmark-rtp-receiver: unexpected start: ${this.pending.subarray(0, nl).toString()}`));
          this.port = Number(m[1]);
          ready = true;
          const rest = this.pending.subarray(nl + 1);
          this.pending = Buffer.alloc(0);
          (child.stdout as unknown as { unref(): void }).unref();
          (child.stdin as unknown as { unref(): void }).unref();
          (countersPipe as unknown as { unref(): void }).unref();
          resolve();
          if (rest.length) this.onData(rest);
          return;
        }
        this.onData(chunk);
      });
      child.once('error', reject);
      child.once('exit', (code, signal) => {
        const err = new Error(`callmark-rtp-receiver exited (${signal ?? `code ${code}`}; what it said is in the server's log)`);
        if (!ready) return reject(err);
        if (!this.stopping) this.restart(err);
      });
    });
  }

  private restart(err: Error): void {
    this.restarts++;
    // What was on its way is lost: nobody waits for it.
    for (const waiter of this.markWaiters.splice(0)) waiter.done(false);
    this.readMarkMs = -Infinity;
    this.spawn().then(
      () => {
        for (const s of this.owners()) s.onReceiverRestart(err, true);
      },
      (again: unknown) => {
        receivers.delete(this.ip);
        const why = new Error(`${err.message}; starting it again failed: ${again instanceof Error ? again.message : String(again)}`);
        for (const s of this.owners()) s.onReceiverRestart(why, false);
      },
    );
  }

  private owners(): Set<RtpSubscriber> {
    return new Set([...[...this.subscribers.values()].map((s) => s.owner), ...this.recordings.values()]);
  }

  /**
   * The process refused a control line (native/control.h: a field out of range, something left over, a
   * line too long): a bug on this side, which changed nothing there. Told to the recording it names
   * (its onRetry), or else logged.
   */
  private onRefused(words: string[]): void {
    const text = words.slice(2).join(' ');
    this.refused.push(text);
    if (this.refused.length > 20) this.refused.shift();
    const owner = this.recordings.get(Number(words[1]));
    if (owner) owner.onNativeEvent(words);
    else console.warn(`callmark-rtp-receiver refused a control line: ${text}`);
  }

  private onData(chunk: Buffer): void {
    let buf = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const touched = new Set<RtpSubscriber>();
    const marks: number[] = [];
    const events: string[][] = [];
    while (buf.length >= 4) {
      const frameLength = buf.readUInt32LE(0);
      if (buf.length < 4 + frameLength) break;
      const end = 4 + frameLength;
      const mark = buf.readDoubleLE(4); // 0: that turn could not read everything
      let off = FRAME_HEADER;
      while (off + RECORD_HEADER <= end) {
        const recordEnd = off + 2 + buf.readUInt16LE(off);
        if (buf.readUInt16LE(off + 2) === 0) {
          // An event of a native recording (source port 0): its text follows the header.
          const words = buf.toString('utf8', off + RECORD_HEADER, recordEnd).split(' ');
          events.push(words);
          off = recordEnd;
          continue;
        }
        const sub = this.subscribers.get(buf.readUInt16LE(off + 2) * 2 ** 32 + buf.readUInt32LE(off + 4));
        if (sub) {
          this.packets++;
          // One object for every packet: a subscriber keeps what it needs (the payload), never the object.
          const p = this.scratch;
          p.ssrc = buf.readUInt32LE(off + 4);
          p.timestamp = buf.readUInt32LE(off + 8);
          p.sequenceNumber = buf.readUInt16LE(off + 12);
          p.payloadType = buf[off + 14]!;
          p.arrivalMs = buf.readDoubleLE(off + 16) - this.offsetMs;
          p.payload = buf.subarray(off + RECORD_HEADER, recordEnd);
          sub.receive(p);
          touched.add(sub.owner);
        }
        off = recordEnd;
      }
      buf = buf.subarray(end);
      if (mark > 0) marks.push(mark - this.offsetMs);
    }
    this.pending = buf.length ? Buffer.from(buf) : Buffer.alloc(0);
    for (const s of touched) s.afterBatch();
    for (const words of events) {
      if (words[0] === 'refused') this.onRefused(words);
      else this.recordings.get(Number(words[1]))?.onNativeEvent(words);
    }
    for (const m of marks) this.takeMark(m);
  }
}
