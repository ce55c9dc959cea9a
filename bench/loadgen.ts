// Drives bench/native/rtp-loadgen (built by `node scripts/setup.mjs --for-bench`): the one native
// process that plays every party of every call in the side-by-side benchmark. See the C file for
// the protocol; this module prepares its Opus packets and turns its replies into numbers.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const LOADGEN_BIN = path.join(root, 'node_modules', '.callmark', 'bin', 'rtp-loadgen');

export interface LegConfig {
  /** Where this party sends (the relay's port for it). */
  destPort: number;
  ssrc: number;
  payloadType: number;
  /** Index of the leg whose packets this leg receives (the other party). */
  peer: number;
  /** SRTP master key+salt (base64, 30 bytes) for what this leg sends / receives; undefined: plain RTP. */
  txKey?: string;
  rxKey?: string;
}

export interface LoadReport {
  sent: number;
  received: number;
  unmatched: number;
  /** Latency percentiles, microseconds (kernel receive timestamp minus send time). */
  p50: number;
  p95: number;
  p99: number;
  p999: number;
  max: number;
  srtpErrors: number;
  /** CPU seconds the load generator has used so far. */
  cpu: number;
}

export const srtpKey = (): string => randomBytes(30).toString('base64');

/**
 * Real Opus packets (20 ms, mono, 32 kb/s) of 10 s of a gliding tone, so that no two packets in the
 * loop are the same (the load generator matches received packets to sent ones by payload).
 */
export function writeOpusPackets(file: string): number {
  const ogg = `${file}.ogg`;
  const ff = spawnSync('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi',
    '-i', "aevalsrc='0.4*sin(2*PI*(330+110*sin(2*PI*0.3*t))*t)':s=48000:d=10",
    '-ac', '1', '-c:a', 'libopus', '-b:a', '32k', '-application', 'voip', '-frame_duration', '20', ogg,
  ]);
  if (ff.status !== 0) throw new Error(`ffmpeg could not make the Opus packets: ${ff.stderr.toString()}`);
  const packets = oggPackets(fs.readFileSync(ogg)).slice(2); // skip OpusHead and OpusTags
  fs.rmSync(ogg);
  const seen = new Set(packets.map((p) => p.toString('base64')));
  if (seen.size !== packets.length) throw new Error('the Opus packets repeat; latency matching needs them distinct');
  const out = Buffer.concat(packets.flatMap((p) => [Buffer.from([p.length >> 8, p.length & 0xff]), p]));
  fs.writeFileSync(file, out);
  return packets.length;
}

/** The packets of an Ogg stream (one logical stream), joined across lacing values and pages. */
export function oggPackets(buf: Buffer): Buffer[] {
  const packets: Buffer[] = [];
  let partial: Buffer[] = [];
  let off = 0;
  while (off + 27 <= buf.length && buf.toString('latin1', off, off + 4) === 'OggS') {
    const segments = buf[off + 26]!;
    const lacing = buf.subarray(off + 27, off + 27 + segments);
    let data = off + 27 + segments;
    for (const len of lacing) {
      partial.push(buf.subarray(data, data + len));
      data += len;
      if (len < 255) {
        packets.push(Buffer.concat(partial));
        partial = [];
      }
    }
    off = data;
  }
  return packets;
}

export class LoadGenerator {
  private buffer = '';
  private readonly lines: string[] = [];
  private wake: (() => void) | undefined;

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      this.buffer += d;
      let i;
      while ((i = this.buffer.indexOf('\n')) >= 0) {
        this.lines.push(this.buffer.slice(0, i));
        this.buffer = this.buffer.slice(i + 1);
      }
      this.wake?.();
    });
    child.stderr.on('data', (d: Buffer) => process.stderr.write(`[loadgen] ${d.toString()}`));
  }

  static start(packetsFile: string): LoadGenerator {
    if (!fs.existsSync(LOADGEN_BIN)) throw new Error(`${LOADGEN_BIN} is missing: run node scripts/setup.mjs --for-bench`);
    return new LoadGenerator(spawn(LOADGEN_BIN, [packetsFile], { stdio: ['pipe', 'pipe', 'pipe'] }));
  }

  get pid(): number {
    return this.child.pid!;
  }

  private async command(line: string): Promise<string> {
    this.child.stdin.write(`${line}\n`);
    const deadline = Date.now() + 30_000;
    while (this.lines.length === 0) {
      if (this.child.exitCode !== null) throw new Error(`the load generator exited (${this.child.exitCode})`);
      if (Date.now() > deadline) throw new Error(`the load generator did not answer "${line}"`);
      await new Promise<void>((r) => {
        this.wake = r;
        setTimeout(r, 200);
      });
    }
    const reply = this.lines.shift()!;
    if (reply.startsWith('error')) throw new Error(`load generator: ${reply}`);
    return reply;
  }

  /** Binds n sockets; returns their ports. */
  async open(n: number): Promise<number[]> {
    const reply = await this.command(`legs ${n}`);
    return reply.split(' ').slice(1).map(Number);
  }

  async configure(index: number, c: LegConfig): Promise<void> {
    await this.command(`leg ${index} ${c.destPort} ${c.ssrc >>> 0} ${c.payloadType} ${c.peer} ${c.txKey ?? '-'} ${c.rxKey ?? '-'}`);
  }

  async run(cmd: 'start' | 'start spread' | 'stop' | 'window-start' | 'window-end'): Promise<void> {
    await this.command(cmd);
  }

  async report(): Promise<LoadReport> {
    const reply = await this.command('report');
    const kv = Object.fromEntries(reply.split(' ').slice(1).map((p) => p.split('=') as [string, string]));
    const n = (k: string) => Number(kv[k]);
    return { sent: n('sent'), received: n('received'), unmatched: n('unmatched'), p50: n('p50'), p95: n('p95'), p99: n('p99'), p999: n('p999'), max: n('max'), srtpErrors: n('srtp_errors'), cpu: n('cpu') };
  }

  /** Packets each leg has sent since it started. */
  async totals(): Promise<number[]> {
    const reply = await this.command('totals');
    return reply.split(' ').slice(1).map(Number);
  }

  async quit(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.child.stdin.end('quit\n');
    await exited;
  }
}
