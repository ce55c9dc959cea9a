// The recorder's RTP receiver (media/recording/native/rtp-receiver.c) run directly in its live mode,
// without mediasoup or RtpReceiver: the test writes its control lines, sends it RTP from UDP sockets
// of its own (the source port is the leg's port) and reads its stdout frames: events (records from
// source port 0, native/control.h) and read marks, each with the time it was read.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import dgram from 'node:dgram';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
export const receiverBinary = path.join(root, 'node_modules', '.callmark', 'bin', 'callmark-rtp-receiver');

/** CLOCK_MONOTONIC in ms: the receiver's clock, which the times of its control lines are on. */
export const monoMs = (): number => Number(process.hrtime.bigint()) / 1e6;

export interface ReceiverProcess {
  child: ChildProcessWithoutNullStreams;
  port: number;
  /** Every event so far, as its text, with the monoMs() at which this process read it. */
  events: Array<{ text: string; readAtMs: number }>;
  /** What it wrote on stderr so far. */
  stderr(): string;
  /** Every read mark so far (its value and when it was read). */
  marks: Array<{ markMs: number; readAtMs: number }>;
  line(text: string): void;
  /** Asks for a read mark and resolves with the time it took to come back (ms), or rejects after `capMs`. */
  markRoundTrip(capMs?: number): Promise<number>;
  /** Closes stdin (as Node going away does) and waits for the process to end. */
  end(): Promise<number | null>;
}

/** `exitMs`: how long the process may take to write its recordings through once told to end (its default if not given). */
export async function startReceiverProcess(flushMs = 10, exitMs?: number): Promise<ReceiverProcess> {
  const args = ['127.0.0.1', '0', String(flushMs), ...(exitMs === undefined ? [] : [String(exitMs)])];
  const child = spawn(receiverBinary, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin.on('error', () => {});
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const events: ReceiverProcess['events'] = [];
  const marks: ReceiverProcess['marks'] = [];
  let pending = Buffer.alloc(0);
  let port = 0;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.stdout.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      if (!port) {
        const nl = pending.indexOf(0x0a);
        if (nl < 0) return;
        const m = /^ready (\d+)$/.exec(pending.subarray(0, nl).toString());
        if (!m) return reject(new Error(`unexpected start: ${pending.subarray(0, nl).toString()}`));
        port = Number(m[1]);
        pending = pending.subarray(nl + 1);
        resolve();
      }
      const readAtMs = monoMs();
      while (pending.length >= 4 && pending.length >= 4 + pending.readUInt32LE(0)) {
        const end = 4 + pending.readUInt32LE(0);
        const mark = pending.readDoubleLE(4);
        if (mark > 0) marks.push({ markMs: mark, readAtMs });
        for (let off = 12; off + 24 <= end; ) {
          const recordEnd = off + 2 + pending.readUInt16LE(off);
          if (pending.readUInt16LE(off + 2) === 0) events.push({ text: pending.toString('utf8', off + 24, recordEnd), readAtMs });
          off = recordEnd;
        }
        pending = pending.subarray(end);
      }
    });
  });
  const line = (text: string) => {
    child.stdin.write(`${text}\n`);
  };
  return {
    child,
    port,
    stderr: () => stderr,
    events,
    marks,
    line,
    async markRoundTrip(capMs = 2000) {
      const asked = monoMs();
      const before = marks.length;
      line('m');
      while (marks.length === before || marks.at(-1)!.markMs < asked) {
        if (monoMs() - asked > capMs) throw new Error(`no read mark within ${capMs} ms`);
        await new Promise((r) => setTimeout(r, 2));
      }
      return marks.at(-1)!.readAtMs - asked;
    },
    async end() {
      child.stdin.end();
      return exited;
    },
  };
}

/** A party sending RTP to the receiver from its own UDP port (that port and `ssrc` name its leg). */
export interface RtpSender {
  port: number;
  ssrc: number;
  sent: number;
  /** Sends one packet carrying `payload`, the next sequence number and a timestamp 960 (20 ms) further on. */
  send(payload: Buffer): void;
  close(): void;
}

export async function rtpSender(toPort: number, ssrc: number): Promise<RtpSender> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  let seq = 1;
  let ts = 1000;
  const sender: RtpSender = {
    port: socket.address().port,
    ssrc,
    sent: 0,
    send(payload) {
      // RFC 3550 §5.1: V=2, no padding, extension or CSRC; PT 111.
      const header = Buffer.alloc(12);
      header[0] = 0x80;
      header[1] = 111;
      header.writeUInt16BE(seq++ & 0xffff, 2);
      header.writeUInt32BE(ts >>> 0, 4);
      header.writeUInt32BE(ssrc >>> 0, 8);
      ts += 960;
      socket.send(Buffer.concat([header, payload]), toPort, '127.0.0.1');
      sender.sent++;
    },
    close() {
      socket.close();
    },
  };
  return sender;
}

/** One 20-ms CELT Opus frame (RFC 6716 §3.1, config 31, code 0) of `bytes` bytes after its TOC. */
export const opus20ms = (bytes: number, fill = 0x5a): Buffer => Buffer.concat([Buffer.from([31 << 3]), Buffer.alloc(bytes, fill)]);

/** `party` talks for `packets` × 20 ms, one `bytes`-byte frame every 20 ms (filled with its index unless `fill` is given). */
export async function talk(party: RtpSender, packets: number, bytes: number, fill?: number): Promise<void> {
  for (let i = 0; i < packets; i++) {
    party.send(opus20ms(bytes, fill ?? i & 0xff));
    await new Promise((r) => setTimeout(r, 20));
  }
}
