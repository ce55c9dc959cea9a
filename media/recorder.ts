// Records one call server-side: one stereo Opus/Ogg file, candidate (left producer) on the left
// channel, caller (right producer) on the right.
//
// Path of the audio: producer → paused Consumer on a PlainTransport → a UDP relay in this process
// (recording/leg-relay.ts: puts the leg on the wall-clock timeline and turns time without packets
// into silence) → ffmpeg (decodes both legs, joins them to stereo, encodes Opus, writes small Ogg
// pages straight through). Consumers are resumed only once ffmpeg listens, so the start is not lost.
// Because the relay always feeds ffmpeg, ffmpeg can always be stopped cleanly with 'q'; and if this
// process dies, ffmpeg sees its input go quiet, finishes the file and exits by itself.
import dgram from 'node:dgram';
import { randomInt } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { types as ms } from 'mediasoup';
import { FfmpegProcess, recorderArgs, recorderSdp, waitUntilListening, type ExitInfo } from './recording/ffmpeg.js';
import { probeDurationMs, sha256File } from './recording/file-info.js';
import { LegRelay, type LegRelayStats } from './recording/leg-relay.js';
import { DEFAULT_RECORDER_PORTS, releasePortPairs, reservePortPairs, type PortRange } from './recording/ports.js';

export { probeDurationMs, sha256File } from './recording/file-info.js';
export type { PortRange } from './recording/ports.js';

export interface RecordingResult {
  file: string;
  sha256: string;
  durationMs: number;
  bytes: number;
}

export interface RecorderOptions {
  router: ms.Router;
  /** Candidate: recorded on the left channel. */
  left: ms.Producer;
  /** Caller: recorded on the right channel. */
  right: ms.Producer;
  /** Output file (Ogg/Opus), e.g. <recordings>/<callId>.ogg; its directory must exist. */
  file: string;
  /** Address for the PlainTransports, the relay and ffmpeg. Default 127.0.0.1. */
  listenIp?: string;
  /** Local UDP ports that ffmpeg may bind (pairs: even RTP + odd RTCP). Default 47000-47999. */
  portRange?: PortRange;
  /** ffmpeg died or could not be kept running; the call goes on unrecorded from here. */
  onFailure?: (err: Error) => void;
}

const STOP_GRACE_MS = 10_000; // 'q' normally ends ffmpeg within ~0.2 s
const LISTEN_TIMEOUT_MS = 5_000;
const IDLE_TIMEOUT_S = 5; // ffmpeg exits this long after the relay (i.e. this process) went away
const START_ATTEMPTS = 3; // a port taken by another program between our bind test and ffmpeg's bind
const TICK_MS = 20;

interface Leg {
  producer: ms.Producer;
  socket: dgram.Socket;
  transport: ms.PlainTransport;
  consumer: ms.Consumer;
  payloadType: number;
  relay?: LegRelay;
}

export class CallRecorder {
  private ticker: NodeJS.Timeout | undefined;
  private stopping: Promise<RecordingResult> | undefined;
  private failure: Error | undefined;
  private tornDown = false;

  private constructor(
    private readonly opts: RecorderOptions,
    private readonly legs: readonly [Leg, Leg],
    private readonly ffmpeg: FfmpegProcess,
    private readonly ports: readonly number[],
    /** Wall-clock ms at which the recording's t=0 lies. */
    readonly startedAt: number,
  ) {}

  /** Resolves once ffmpeg listens and both consumers are resumed. */
  static async start(opts: RecorderOptions): Promise<CallRecorder> {
    const ip = opts.listenIp ?? '127.0.0.1';
    const legs: Leg[] = [];
    try {
      for (const producer of [opts.left, opts.right]) legs.push(await openLeg(opts.router, producer, ip));
      const [left, right] = legs as [Leg, Leg];
      let lastError: unknown;
      for (let attempt = 0; attempt < START_ATTEMPTS; attempt++) {
        const ports = await reservePortPairs(2, opts.portRange ?? DEFAULT_RECORDER_PORTS, ip);
        let ffmpeg: FfmpegProcess | undefined;
        try {
          ffmpeg = await startFfmpeg(opts.file, ip, [
            { port: ports[0]!, payloadType: left.payloadType },
            { port: ports[1]!, payloadType: right.payloadType },
          ]);
        } catch (err) {
          releasePortPairs(ports);
          lastError = err;
          if (/bind failed|address already in use/i.test(String(err))) continue;
          throw err;
        }
        return await CallRecorder.begin(opts, [left, right], ffmpeg, ports, ip);
      }
      throw lastError;
    } catch (err) {
      for (const leg of legs) closeLeg(leg);
      throw err;
    }
  }

  private static async begin(opts: RecorderOptions, legs: [Leg, Leg], ffmpeg: FfmpegProcess, ports: number[], ip: string): Promise<CallRecorder> {
    const t0 = performance.now();
    const recorder = new CallRecorder(opts, legs, ffmpeg, ports, Date.now());
    const clock = () => Math.round((performance.now() - t0) * 48);
    const timestampBase = randomInt(1, 2 ** 31);
    legs.forEach((leg, i) => {
      const port = ports[i]!;
      leg.relay = new LegRelay({
        payloadType: leg.payloadType,
        ssrc: randomInt(1, 2 ** 31),
        timestampBase,
        clock,
        // A tick queued before teardown may still run: never send on a closed socket (it throws).
        send: (packet) => {
          if (!recorder.tornDown) leg.socket.send(packet, port, ip);
        },
      });
      leg.socket.on('message', (msg) => leg.relay?.receive(msg));
    });
    for (const leg of legs) leg.relay?.start();
    // setImmediate: run the tick after this loop turn's pending UDP reads, so that a stall of our own
    // event loop is not taken for a silent leg (timers run before I/O in Node's loop).
    const tick = () => {
      for (const leg of legs) leg.relay?.tick();
    };
    recorder.ticker = setInterval(() => setImmediate(tick), TICK_MS);
    void ffmpeg.exited.then((info) => recorder.onFfmpegExit(info));
    try {
      await Promise.all(legs.map((leg) => leg.consumer.resume()));
    } catch (err) {
      recorder.kill();
      throw err;
    }
    return recorder;
  }

  /** ffmpeg's process id (monitoring, tests). */
  get pid(): number | undefined {
    return this.ffmpeg.pid;
  }

  /** Set once ffmpeg died unexpectedly (onFailure was called); stop() then describes the partial file. */
  get failed(): Error | undefined {
    return this.failure;
  }

  /** Per-leg counters of the relay (forwarded packets, silence inserted, packets dropped). */
  get relayStats(): { left: LegRelayStats | undefined; right: LegRelayStats | undefined } {
    return { left: this.legs[0].relay?.stats, right: this.legs[1].relay?.stats };
  }

  /** Finishes the file cleanly, then hashes and probes it. After a failure: the partial file. */
  stop(): Promise<RecordingResult> {
    this.stopping ??= (async () => {
      // A silent leg is only filled every STALL (0.5 s): bring both up to now, or the file ends early.
      // The relay keeps ffmpeg fed until it has exited, so 'q' is always read and the file finalised.
      if (!this.tornDown) for (const leg of this.legs) leg.relay?.flush();
      const exit = await this.ffmpeg.quit(STOP_GRACE_MS);
      this.teardown();
      try {
        const [sha256, durationMs, stat] = await Promise.all([sha256File(this.opts.file), probeDurationMs(this.opts.file), fs.promises.stat(this.opts.file)]);
        return { file: this.opts.file, sha256, durationMs, bytes: stat.size };
      } catch (err) {
        const why = this.failure ?? new Error(`ffmpeg ended with ${describeExit(exit)}: ${this.ffmpeg.stderrTail}`);
        throw new Error(`recording ${this.opts.file} is unusable (${why.message}): ${(err as Error).message}`);
      }
    })();
    return this.stopping;
  }

  /**
   * For shutdown paths that cannot wait: SIGKILLs ffmpeg at once. The file keeps what was flushed
   * (all but the last ~0.2 s); a later stop() still hashes and probes it.
   */
  kill(): void {
    this.ffmpeg.kill();
    this.teardown();
  }

  private onFfmpegExit(info: ExitInfo): void {
    if (this.stopping || this.tornDown) return;
    this.failure = new Error(`ffmpeg recording ${path.basename(this.opts.file)} exited unexpectedly (${describeExit(info)}): ${this.ffmpeg.stderrTail}`);
    this.teardown();
    try {
      this.opts.onFailure?.(this.failure);
    } catch {
      /* a failing listener must not take the server down */
    }
  }

  private teardown(): void {
    if (this.tornDown) return;
    this.tornDown = true;
    clearInterval(this.ticker);
    for (const leg of this.legs) closeLeg(leg);
    releasePortPairs(this.ports);
  }
}

async function openLeg(router: ms.Router, producer: ms.Producer, ip: string): Promise<Leg> {
  const socket = dgram.createSocket({ type: ip.includes(':') ? 'udp6' : 'udp4' });
  socket.on('error', () => {}); // a send to an ffmpeg that just died must not crash the server
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ port: 0, address: ip }, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  let transport: ms.PlainTransport | undefined;
  try {
    // rtcp-mux: the relay needs one port per leg; it ignores mediasoup's RTCP anyway.
    transport = await router.createPlainTransport({ listenIp: ip, rtcpMux: true, comedia: false });
    await transport.connect({ ip, port: socket.address().port });
    // Opus only: nothing else (e.g. telephone-event) may reach the relay, which labels packets as Opus.
    const opusOnly = { codecs: (router.rtpCapabilities.codecs ?? []).filter((c) => c.mimeType.toLowerCase() === 'audio/opus'), headerExtensions: [] };
    const consumer = await transport.consume({ producerId: producer.id, rtpCapabilities: opusOnly, paused: true });
    const codec = consumer.rtpParameters.codecs[0];
    if (!codec || codec.mimeType.toLowerCase() !== 'audio/opus') throw new Error(`cannot record ${codec?.mimeType ?? 'no codec'}: only Opus`);
    // The consumer sends with the router's payload type; the SDP for ffmpeg must say the same.
    return { producer, socket, transport, consumer, payloadType: codec.payloadType };
  } catch (err) {
    transport?.close();
    socket.close();
    throw err;
  }
}

function closeLeg(leg: Leg): void {
  leg.socket.removeAllListeners('message');
  try {
    leg.socket.close();
  } catch {
    /* already closed */
  }
  if (!leg.transport.closed) leg.transport.close();
}

/** Writes the SDP to a private temp dir, starts ffmpeg and waits until it listens; removes the SDP. */
async function startFfmpeg(file: string, ip: string, legs: Array<{ port: number; payloadType: number }>): Promise<FfmpegProcess> {
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'callmark-rec-'));
  const sdpFile = path.join(dir, 'input.sdp');
  try {
    await fs.promises.writeFile(sdpFile, recorderSdp(ip, legs));
    const ffmpeg = FfmpegProcess.spawn(recorderArgs({ sdpFile, outFile: file, ip, idleTimeoutS: IDLE_TIMEOUT_S }));
    try {
      await waitUntilListening(
        ffmpeg,
        legs.map((l) => l.port),
        LISTEN_TIMEOUT_MS,
      );
    } catch (err) {
      ffmpeg.kill();
      await ffmpeg.exited;
      throw err;
    }
    return ffmpeg;
  } finally {
    await fs.promises.rm(dir, { recursive: true, force: true });
  }
}

function describeExit(info: ExitInfo): string {
  return info.signal ? `signal ${info.signal}` : `code ${String(info.code)}`;
}
