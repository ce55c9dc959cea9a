// rtpengine (Debian's rtpengine-daemon) as the benchmark's reference media relay: started in
// userspace (no kernel forwarding table), recording every call to pcap, and driven over its "ng"
// control protocol: bencoded dictionaries over UDP, each request prefixed with a cookie that the
// reply repeats (https://rtpengine.readthedocs.io/en/latest/ng_control_protocol.html).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import fs from 'node:fs';
import path from 'node:path';
import bencode from 'bencode';

export interface RtpengineOptions {
  /** First and last UDP port rtpengine may use for media. */
  portMin: number;
  portMax: number;
  /** Where the pcap recordings go. */
  recordingDir: string;
  /** Worker threads (default: rtpengine's, one per core). */
  threads?: number;
}

type NgValue = string | number | NgValue[] | { [key: string]: NgValue };
type NgDict = { [key: string]: NgValue };
/** An ng protocol command: a dictionary whose `command` names it. */
type NgCommand = NgDict & { command: string };

function asText(v: unknown): NgValue {
  if (v instanceof Uint8Array) return Buffer.from(v).toString('utf8');
  if (Array.isArray(v)) return v.map(asText);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, asText(x)]));
  return v as number;
}

async function freeUdpPort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export class Rtpengine {
  private readonly socket = dgram.createSocket('udp4');
  private readonly waiting = new Map<string, { resolve: (d: NgDict) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  private stderrTail = '';

  private constructor(
    private readonly child: ChildProcess,
    private readonly ngPort: number,
  ) {
    this.socket.on('message', (msg) => {
      const space = msg.indexOf(0x20);
      if (space < 0) return;
      const cookie = msg.subarray(0, space).toString();
      const w = this.waiting.get(cookie);
      if (!w) return;
      this.waiting.delete(cookie);
      clearTimeout(w.timer);
      try {
        // (bencode 4.0.1's decode(data, 'utf8') fails on dictionaries: turn byte strings into text here.)
        w.resolve(asText(bencode.decode(msg.subarray(space + 1))) as NgDict);
      } catch (err) {
        w.reject(err as Error);
      }
    });
    child.stderr?.on('data', (d: Buffer) => (this.stderrTail = (this.stderrTail + d.toString()).slice(-4000)));
  }

  static async start(o: RtpengineOptions): Promise<Rtpengine> {
    fs.mkdirSync(o.recordingDir, { recursive: true });
    const ngPort = await freeUdpPort();
    const args = [
      '--foreground', '--log-stderr', '--log-level=4', '--config-file=none',
      '--table=-1', // userspace forwarding: no kernel module
      '--interface=127.0.0.1',
      `--listen-ng=127.0.0.1:${ngPort}`,
      `--port-min=${o.portMin}`, `--port-max=${o.portMax}`,
      `--recording-dir=${o.recordingDir}`, '--recording-method=pcap', '--recording-format=raw',
      '--timeout=600', '--silent-timeout=600', '--delete-delay=0',
      `--pidfile=${path.join(o.recordingDir, 'rtpengine.pid')}`,
      ...(o.threads ? [`--num-threads=${o.threads}`] : []),
    ];
    // cwd: a core dump, if rtpengine crashes, lands with its recordings, not in the checkout.
    const child = spawn('rtpengine', args, { cwd: o.recordingDir, stdio: ['ignore', 'ignore', 'pipe'] });
    // A benchmark that fails or is interrupted must not leave rtpengine running.
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    child.once('exit', () => process.off('exit', killOnExit));
    const engine = new Rtpengine(child, ngPort);
    await new Promise<void>((r) => engine.socket.bind(0, '127.0.0.1', r));
    // Ready once it answers a ping.
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`rtpengine exited at start (${child.exitCode}): ${engine.stderrTail}`);
      const pong = await engine.request({ command: 'ping' }, 300).catch(() => undefined);
      if (pong?.result === 'pong') return engine;
      if (Date.now() > deadline) throw new Error(`rtpengine did not answer on its ng port: ${engine.stderrTail}`);
    }
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Sends a command and waits for its reply; UDP, so it is sent again (same cookie) until answered. */
  request(dict: NgCommand, timeoutMs = 10_000): Promise<NgDict> {
    const cookie = randomBytes(8).toString('hex');
    const message = Buffer.concat([Buffer.from(`${cookie} `), Buffer.from(bencode.encode(dict))]);
    return new Promise((resolve, reject) => {
      const send = () => this.socket.send(message, this.ngPort, '127.0.0.1');
      const resend = setInterval(send, 1000);
      const timer = setTimeout(() => {
        clearInterval(resend);
        this.waiting.delete(cookie);
        reject(new Error(`rtpengine did not answer ${dict.command} in ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(cookie, {
        resolve: (d) => {
          clearInterval(resend);
          resolve(d);
        },
        reject,
        timer,
      });
      send();
    });
  }

  /** One ng command that must succeed; returns its SDP. */
  async sdpCommand(dict: NgCommand): Promise<string> {
    const reply = await this.request(dict);
    if (reply.result !== 'ok' || typeof reply.sdp !== 'string') throw new Error(`rtpengine ${dict.command} failed: ${JSON.stringify(reply)}`);
    return reply.sdp;
  }

  private stopped = false;

  async stop(): Promise<void> {
    if (!this.stopped) this.socket.close();
    this.stopped = true;
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}

/** The SDP of one party: Opus on one audio m-line, plain RTP or SDES-keyed SRTP. */
export function partySdp(o: { port: number; srtpKey?: string; cryptoTag?: number; sessionId: number }): string {
  return [
    'v=0',
    `o=- ${o.sessionId} 1 IN IP4 127.0.0.1`,
    's=-',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    `m=audio ${o.port} ${o.srtpKey ? 'RTP/SAVP' : 'RTP/AVP'} 111`,
    'a=rtpmap:111 opus/48000/2',
    'a=rtcp-mux',
    ...(o.srtpKey ? [`a=crypto:${o.cryptoTag ?? 1} AES_CM_128_HMAC_SHA1_80 inline:${o.srtpKey}`] : []),
    'a=sendrecv',
    '',
  ].join('\r\n');
}

/** Port of the audio m-line, and the AES_CM_128_HMAC_SHA1_80 key (with its tag) if SRTP. */
export function readSdp(sdp: string): { port: number; srtpKey?: string; cryptoTag?: number } {
  const port = Number(/^m=audio (\d+) /m.exec(sdp)?.[1]);
  if (!Number.isInteger(port) || port <= 0) throw new Error(`no audio port in rtpengine's SDP:\n${sdp}`);
  const crypto = /^a=crypto:(\d+) AES_CM_128_HMAC_SHA1_80 inline:([A-Za-z0-9+/=]+)/m.exec(sdp);
  return crypto ? { port, cryptoTag: Number(crypto[1]), srtpKey: crypto[2] } : { port };
}

/** Packets in the pcap files under a directory (rtpengine writes one file per call). */
export function countPcapPackets(dir: string): { files: number; packets: number } {
  let files = 0;
  let packets = 0;
  const walk = (d: string) => {
    if (!fs.existsSync(d)) return;
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.pcap')) {
        files++;
        const buf = fs.readFileSync(p);
        // libpcap format: a 24-byte global header, then records of a 16-byte header + incl_len bytes.
        const le = buf.readUInt32LE(0) === 0xa1b2c3d4;
        let off = 24;
        while (off + 16 <= buf.length) {
          const incl = le ? buf.readUInt32LE(off + 8) : buf.readUInt32BE(off + 8);
          if (off + 16 + incl > buf.length) break;
          packets++;
          off += 16 + incl;
        }
      }
    }
  };
  walk(dir);
  return { files, packets };
}
