// Records one call server-side: one stereo Opus/Ogg file, candidate on the left channel, everyone
// else (the caller; in a conference the other parties too) on the right.
//
// Path of the audio while the call runs: producer → Consumer on a PlainTransport → a UDP socket in
// this process → the leg relay (recording/leg-relay.ts: puts the leg on the recording's wall clock
// and turns time without packets into Opus silence) → the leg's own mono Ogg/Opus file, written
// packet by packet without decoding (recording/ogg-opus-writer.ts). When the call ends, one ffmpeg
// run mixes the leg files into the stereo file (recording/mix.ts) and the leg files are removed.
//
// Why not mix live with one ffmpeg per call (the first design)? Measured with bench/recording-modes.ts:
// live mixing costs ~1.5 % of a core and ~53 MB per call for the whole call; leg files cost ~0.14 %
// of Node and no extra memory, then ~0.3 s of CPU per call-minute once, at the end.
//
// Crash safety: the leg files and `manifest.json` (which legs, on which side, from when) sit in
// '<file>.legs/'. Pages are written through every 0.2 s, so after a crash finishLegFiles() (run at
// the next start) mixes everything but the last 0.2 s. A full disk stops the recording, never the call.
import dgram from 'node:dgram';
import { randomInt } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { types as ms } from 'mediasoup';
import { probeDurationMs, sha256File } from './recording/file-info.js';
import { LegRelay, type LegRelayStats } from './recording/leg-relay.js';
import { runMix, type LegFile } from './recording/mix.js';
import { OggOpusWriter } from './recording/ogg-opus-writer.js';
import { parseRtp } from './recording/rtp.js';

export { probeDurationMs, sha256File } from './recording/file-info.js';

export interface RecordingResult {
  file: string;
  sha256: string;
  durationMs: number;
  bytes: number;
}

export type RecordingSide = 'left' | 'right';

export interface RecorderOptions {
  router: ms.Router;
  /** Candidate: recorded on the left channel. */
  left: ms.Producer;
  /** Caller: recorded on the right channel. */
  right: ms.Producer;
  /** Output file (Ogg/Opus), e.g. <recordings>/<callId>.ogg; its directory must exist. */
  file: string;
  /** Address for the PlainTransports and the relay sockets. Default 127.0.0.1. */
  listenIp?: string;
  /** Writing failed (e.g. the disk is full); the call goes on, unrecorded from here. */
  onFailure?: (err: Error) => void;
}

/** What '<file>.legs/manifest.json' holds: enough to mix the legs without this process. */
export interface LegManifest {
  version: 1;
  /** Wall-clock ms of the recording's t=0. */
  startedAt: number;
  legs: Array<{ file: string; side: RecordingSide; startMs: number; endMs: number | null }>;
}

const TICK_MS = 20;
/** Mixing is tried this often before the legs are left for the next start (e.g. ffmpeg killed). */
const MIX_ATTEMPTS = 3;

interface Leg {
  producer: ms.Producer;
  side: RecordingSide;
  startMs: number;
  file: string;
  socket: dgram.Socket;
  transport: ms.PlainTransport;
  consumer: ms.Consumer;
  writer: OggOpusWriter;
  relay: LegRelay;
  ended: boolean;
}

export function legsDirOf(file: string): string {
  return `${file}.legs`;
}

export class CallRecorder {
  private readonly legs: Leg[] = [];
  private readonly ticker: NodeJS.Timeout;
  private readonly t0 = performance.now();
  private readonly timestampBase = randomInt(1, 2 ** 31);
  private stopping: Promise<RecordingResult> | undefined;
  private failure: Error | undefined;
  private tornDown = false;
  private readonly legsDir: string;
  /** Why each failed try to mix the legs failed (the call is flagged when any did). */
  readonly mixFailures: string[] = [];
  /** Wall-clock ms at which the recording's t=0 lies. */
  readonly startedAt = Date.now();

  private constructor(private readonly opts: RecorderOptions) {
    this.legsDir = legsDirOf(opts.file);
    // setImmediate: run the tick after this loop turn's pending UDP reads, so that a stall of our own
    // event loop is not taken for a silent leg (timers run before I/O in Node's loop).
    this.ticker = setInterval(() => setImmediate(() => this.tick()), TICK_MS);
  }

  /** Resolves once both legs are being written. */
  static async start(opts: RecorderOptions): Promise<CallRecorder> {
    if (fs.existsSync(opts.file) || fs.existsSync(legsDirOf(opts.file))) throw new Error(`recording ${opts.file} exists already`);
    fs.mkdirSync(legsDirOf(opts.file));
    const recorder = new CallRecorder(opts);
    try {
      await recorder.addLeg('left', opts.left);
      await recorder.addLeg('right', opts.right);
    } catch (err) {
      recorder.teardown();
      fs.rmSync(recorder.legsDir, { recursive: true, force: true });
      throw err;
    }
    return recorder;
  }

  /** There is no process per call any more; kept for callers that log it. */
  get pid(): number | undefined {
    return undefined;
  }

  /** Set once writing failed (onFailure was called); stop() then describes the partial file. */
  get failed(): Error | undefined {
    return this.failure;
  }

  /** Per-leg counters of the relays of the first two legs (forwarded packets, silence, drops). */
  get relayStats(): { left: LegRelayStats | undefined; right: LegRelayStats | undefined } {
    return { left: this.legs.find((l) => l.side === 'left')?.relay.stats, right: this.legs.find((l) => l.side === 'right')?.relay.stats };
  }

  /** Milliseconds since the recording's t=0 (monotonic). */
  get elapsedMs(): number {
    return performance.now() - this.t0;
  }

  /**
   * Records another producer from now on, on one side (a conference party, or a transfer target
   * taking the place of a party who left). It starts `elapsedMs` into the recording.
   */
  async addLeg(side: RecordingSide, producer: ms.Producer): Promise<void> {
    if (this.tornDown || this.stopping) throw new Error('the recording has ended');
    const ip = this.opts.listenIp ?? '127.0.0.1';
    const startMs = Math.round(this.elapsedMs);
    const startSamples = startMs * 48;
    const file = `${String(this.legs.length).padStart(2, '0')}-${side}.ogg`;
    const { socket, transport, consumer } = await openLeg(this.opts.router, producer, ip);
    let writer: OggOpusWriter;
    try {
      writer = new OggOpusWriter(path.join(this.legsDir, file));
    } catch (err) {
      closeSocketAndTransport(socket, transport);
      throw err;
    }
    const leg: Leg = {
      producer,
      side,
      startMs,
      file,
      socket,
      transport,
      consumer,
      writer,
      ended: false,
      relay: new LegRelay({
        payloadType: consumer.rtpParameters.codecs[0]!.payloadType,
        ssrc: randomInt(1, 2 ** 31),
        timestampBase: this.timestampBase,
        clock: () => Math.round((performance.now() - this.t0) * 48) - startSamples,
        send: (packet) => this.write(leg, packet),
      }),
    };
    this.legs.push(leg);
    this.writeManifest();
    socket.on('message', (msg) => leg.relay.receive(msg));
    leg.relay.start();
    await consumer.resume();
  }

  /** Stops recording a producer (its party left); the leg's audio so far stays in the recording. */
  endLeg(producer: ms.Producer): void {
    for (const leg of this.legs) {
      if (leg.producer !== producer || leg.ended) continue;
      leg.relay.flush();
      this.closeLeg(leg);
    }
    this.writeManifest();
  }

  /** Ends every leg at the wall clock, mixes them into the stereo file, hashes and probes it. */
  stop(): Promise<RecordingResult> {
    this.stopping ??= (async () => {
      // A silent leg is only filled every 0.5 s: bring every leg up to now, or the file ends early.
      if (!this.tornDown) for (const leg of this.legs) if (!leg.ended) leg.relay.flush();
      const durationMs = Math.round(this.elapsedMs);
      this.teardown();
      this.writeManifest();
      // The mix is one short ffmpeg run: if it dies (killed, out of memory), the legs are intact
      // and it is simply run again; after MIX_ATTEMPTS the legs stay for the next start.
      for (let attempt = 1; ; attempt++) {
        try {
          return await finishLegFiles(this.opts.file, { durationMs });
        } catch (err) {
          this.mixFailures.push((err as Error).message);
          if (attempt >= MIX_ATTEMPTS) throw err;
        }
      }
    })();
    return this.stopping;
  }

  /**
   * For shutdown paths that cannot wait: stops writing at once (what was written stays in the leg
   * files). A later stop() still mixes them.
   */
  kill(): void {
    this.teardown();
  }

  private tick(): void {
    for (const leg of this.legs) if (!leg.ended) leg.relay.tick();
  }

  private write(leg: Leg, packet: Buffer): void {
    if (leg.ended || this.failure) return;
    const rtp = parseRtp(packet);
    if (!rtp) return;
    try {
      leg.writer.write(rtp.payload);
    } catch (err) {
      this.fail(new Error(`recording ${path.basename(this.opts.file)}: writing ${leg.file} failed (${(err as Error).message})`));
    }
  }

  private fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    try {
      this.opts.onFailure?.(err);
    } catch {
      /* a failing listener must not take the server down */
    }
  }

  private closeLeg(leg: Leg): void {
    if (leg.ended) return;
    leg.ended = true;
    closeSocketAndTransport(leg.socket, leg.transport);
    try {
      leg.writer.close();
    } catch (err) {
      this.fail(new Error(`recording ${path.basename(this.opts.file)}: closing ${leg.file} failed (${(err as Error).message})`));
    }
  }

  private writeManifest(): void {
    const manifest: LegManifest = {
      version: 1,
      startedAt: this.startedAt,
      legs: this.legs.map((l) => ({ file: l.file, side: l.side, startMs: l.startMs, endMs: l.ended ? l.startMs + Math.round(l.writer.durationSeconds * 1000) : null })),
    };
    try {
      const tmp = path.join(this.legsDir, 'manifest.json.tmp');
      fs.writeFileSync(tmp, JSON.stringify(manifest));
      fs.renameSync(tmp, path.join(this.legsDir, 'manifest.json'));
    } catch (err) {
      this.fail(new Error(`recording ${path.basename(this.opts.file)}: the leg manifest could not be written (${(err as Error).message})`));
    }
  }

  private teardown(): void {
    if (this.tornDown) return;
    this.tornDown = true;
    clearInterval(this.ticker);
    for (const leg of this.legs) this.closeLeg(leg);
  }
}

/**
 * Mixes the leg files of '<file>.legs/' into the stereo recording `file`, then removes them:
 * at the end of a call, and at start-up for a call the server did not live to finish. The legs
 * stay if mixing fails, so it can be tried again.
 */
export async function finishLegFiles(file: string, opts: { durationMs?: number } = {}): Promise<RecordingResult> {
  const dir = legsDirOf(file);
  const manifest = JSON.parse(await fs.promises.readFile(path.join(dir, 'manifest.json'), 'utf8')) as LegManifest;
  const present = manifest.legs.filter((l) => fs.existsSync(path.join(dir, l.file)) && fs.statSync(path.join(dir, l.file)).size > 0);
  const side = (s: RecordingSide): LegFile[] => present.filter((l) => l.side === s).map((l) => ({ file: path.join(dir, l.file), startMs: l.startMs }));
  const tmp = `${file}.mixing.ogg`;
  await runMix({ left: side('left'), right: side('right'), outFile: tmp, durationMs: opts.durationMs });
  // ffmpeg may exit 0 with a truncated file (e.g. the disk filled up): only a file that reads back
  // whole replaces the legs, which are otherwise kept for another try.
  const durationMs = await probeDurationMs(tmp).catch((err: Error) => {
    throw new Error(`the mixed recording ${path.basename(file)} is unreadable; its leg files are kept: ${err.message}`);
  });
  if (opts.durationMs !== undefined && durationMs < opts.durationMs - 500) {
    throw new Error(`the mixed recording ${path.basename(file)} lasts ${durationMs} ms of ${opts.durationMs} ms; its leg files are kept`);
  }
  await fs.promises.rename(tmp, file);
  await fs.promises.rm(dir, { recursive: true, force: true });
  const [sha256, stat] = await Promise.all([sha256File(file), fs.promises.stat(file)]);
  return { file, sha256, durationMs, bytes: stat.size };
}

async function openLeg(router: ms.Router, producer: ms.Producer, ip: string): Promise<{ socket: dgram.Socket; transport: ms.PlainTransport; consumer: ms.Consumer }> {
  const socket = dgram.createSocket({ type: ip.includes(':') ? 'udp6' : 'udp4' });
  socket.on('error', () => {}); // nothing sent from here; never let a socket error crash the server
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
    // Opus only: nothing else (e.g. telephone-event) may reach the relay, which writes Opus packets.
    const opusOnly = { codecs: (router.rtpCapabilities.codecs ?? []).filter((c) => c.mimeType.toLowerCase() === 'audio/opus'), headerExtensions: [] };
    const consumer = await transport.consume({ producerId: producer.id, rtpCapabilities: opusOnly, paused: true });
    const codec = consumer.rtpParameters.codecs[0];
    if (!codec || codec.mimeType.toLowerCase() !== 'audio/opus') throw new Error(`cannot record ${codec?.mimeType ?? 'no codec'}: only Opus`);
    return { socket, transport, consumer };
  } catch (err) {
    if (transport) closeSocketAndTransport(socket, transport);
    else socket.close();
    throw err;
  }
}

function closeSocketAndTransport(socket: dgram.Socket, transport: ms.PlainTransport): void {
  socket.removeAllListeners('message');
  try {
    socket.close();
  } catch {
    /* already closed */
  }
  if (!transport.closed) transport.close();
}
