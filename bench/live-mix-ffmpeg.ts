// The first recorder design, kept for bench/recording-modes.ts to compare against: one ffmpeg per
// call taking both legs as RTP, mixing them to stereo and encoding Opus while the call runs.
// (media/recorder.ts now writes leg files and mixes at the end.)
// start, know when it listens, stop it cleanly, notice when it dies.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';

export interface LegInput {
  port: number; // even; ffmpeg also binds port + 1 for RTCP
  payloadType: number;
}

/** Two m-lines: stream 0 = left (candidate), stream 1 = right (caller). */
export function recorderSdp(ip: string, legs: readonly LegInput[]): string {
  const family = ip.includes(':') ? 'IP6' : 'IP4';
  const lines = ['v=0', `o=- 0 0 IN ${family} ${ip}`, 's=callmark-recording', `c=IN ${family} ${ip}`, 't=0 0'];
  for (const leg of legs) {
    lines.push(`m=audio ${leg.port} RTP/AVP ${leg.payloadType}`, `a=rtcp:${leg.port + 1}`, `a=rtpmap:${leg.payloadType} opus/48000/2`, 'a=recvonly');
  }
  return lines.join('\r\n') + '\r\n';
}

export interface RecorderArgsOptions {
  sdpFile: string;
  outFile: string;
  ip: string;
  /** ffmpeg ends (and finalises the file) after this long without packets: the relay is gone. */
  idleTimeoutS: number;
}

export function recorderArgs(o: RecorderArgsOptions): string[] {
  // Each leg may arrive as stereo Opus; fold it to mono. aresample async=1 is a safety net only:
  // the relay already sends gap-free timestamps.
  const leg = (i: number, label: string) => `[0:a:${i}]pan=mono|c0=0.5*c0+0.5*c1,aresample=async=1:first_pts=0[${label}]`;
  return [
    '-hide_banner', '-nostats', '-loglevel', 'warning',
    '-protocol_whitelist', 'file,udp,rtp',
    '-localaddr', o.ip, // bind the RTP ports on our interface only, not 0.0.0.0
    '-listen_timeout', String(o.idleTimeoutS),
    '-i', o.sdpFile,
    '-filter_complex', `${leg(0, 'l')};${leg(1, 'r')};[l][r]join=inputs=2:channel_layout=stereo:map=0.0-FL|1.0-FR[out]`,
    '-map', '[out]',
    '-c:a', 'libopus', '-b:a', '32k', '-application', 'voip', '-frame_duration', '20',
    // Small Ogg pages written through at once: after a crash the file holds all but the last ~0.2 s.
    '-flush_packets', '1', '-page_duration', '200000',
    '-f', 'ogg', '-y', o.outFile,
  ];
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class FfmpegProcess {
  readonly exited: Promise<ExitInfo>;
  private tail = '';
  private exit: ExitInfo | undefined;

  private constructor(private readonly child: ChildProcess) {
    child.stderr?.on('data', (d: Buffer) => (this.tail = (this.tail + d.toString()).slice(-4000)));
    // A write to stdin after ffmpeg died must not crash the server.
    child.stdin?.on('error', () => {});
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      });
      child.once('error', (err) => {
        this.tail += `\n${err.message}`;
        this.exit = { code: -1, signal: null };
        resolve(this.exit);
      });
    });
  }

  static spawn(args: string[]): FfmpegProcess {
    // stdin stays a pipe: 'q' on it is ffmpeg's way to finish the file properly.
    return new FfmpegProcess(spawn('ffmpeg', args, { stdio: ['pipe', 'ignore', 'pipe'] }));
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  get stderrTail(): string {
    return this.tail.trim();
  }

  /** Asks ffmpeg to finish ('q'); SIGKILLs it if it has not exited after graceMs. */
  async quit(graceMs: number): Promise<ExitInfo> {
    if (!this.running) return this.exited;
    this.child.stdin?.write('q');
    const timer = setTimeout(() => this.kill(), graceMs);
    const info = await this.exited;
    clearTimeout(timer);
    return info;
  }

  kill(): void {
    if (this.running) this.child.kill('SIGKILL');
  }
}

/**
 * Resolves once ffmpeg has bound all the ports, so that nothing sent afterwards is lost. Reads
 * /proc/net/udp (Linux); elsewhere it falls back to waiting a second after the start.
 */
export async function waitUntilListening(ff: FfmpegProcess, ports: readonly number[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const wanted = ports.flatMap((p) => [p, p + 1]);
  for (;;) {
    if (!ff.running) throw new Error(`ffmpeg exited before listening: ${ff.stderrTail}`);
    const bound = await boundUdpPorts();
    if (bound === undefined) {
      await new Promise((r) => setTimeout(r, 1000));
      if (!ff.running) throw new Error(`ffmpeg exited before listening: ${ff.stderrTail}`);
      return;
    }
    if (wanted.every((p) => bound.has(p))) return;
    if (Date.now() > deadline) throw new Error(`ffmpeg did not bind UDP ports ${wanted.join(',')} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function boundUdpPorts(): Promise<Set<number> | undefined> {
  const ports = new Set<number>();
  let found = false;
  for (const file of ['/proc/net/udp', '/proc/net/udp6']) {
    let text: string;
    try {
      text = await fs.promises.readFile(file, 'utf8');
    } catch {
      continue;
    }
    found = true;
    for (const line of text.split('\n').slice(1)) {
      const local = line.trim().split(/\s+/)[1];
      const hex = local?.split(':')[1];
      if (hex) ports.add(parseInt(hex, 16));
    }
  }
  return found ? ports : undefined;
}
