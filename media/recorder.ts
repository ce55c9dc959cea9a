// Records one call server-side into one stereo Ogg Opus file, written while the call runs:
// candidate on the left channel, everyone else (the caller; in a conference the other parties too)
// on the right, each channel its own mono Opus stream, so a party is never heard on the other side.
//
// Path of the audio: producer → Consumer on the recording's PlainTransport (one per call, every
// leg's consumer on it, told apart by SSRC) → the native RTP receiver (recording/rtp-receiver.ts),
// which itself writes the stereo file: it places each packet on the recording's wall clock
// (native/relay.c, the rules of recording/leg-relay.ts), pairs the two channels' Opus packets into
// multistream packets (native/mux.c, those of recording/stream-muxer.ts) and writes the Ogg pages
// (native/ogg-writer.c). Node only opens the recording, adds and ends legs, and stops it (control
// lines, native/control.h); no packet of the stereo file reaches Node, and no timer of Node's runs
// for it. No decoding, no re-encoding, no process per call, nothing to do when the call ends but
// write the last page. tests/media/recording/native-pipeline.test.ts holds the C to the TypeScript.
//
// Why: the previous recorder wrote one file per leg from Node's own UDP sockets and mixed them with
// ffmpeg when the call ended; the mix cost more CPU than the call (bench/README.md, issue 18).
//
// A party who joins while both channels are taken (a conference party; a transfer target while the
// side's first party is still there) is written to its own mono file in '<file>.legs/' (with
// 'manifest.json'); when the call ends, one ffmpeg run mixes those into their side (recording/mix.ts).
// Only then is audio decoded and encoded, and each side is still encoded as its own mono stream.
//
// A leg file is the one part still written by Node (leg-relay.ts → stream-muxer.ts →
// ogg-opus-writer.ts): its party's packets come to Node in batches, as all did before.
//
// Crash safety: pages are written through every 0.2 s. After a crash the stereo file holds the call
// up to then (if Node dies, the receiver writes what it has and exits; if the receiver dies, it is
// started again and continues the file after its last whole page); leg files of added parties are
// mixed at the next start (finishLegFiles). A full disk stops the recording, never the call.
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { types as ms } from 'mediasoup';
import { probeDurationMs, sha256File } from './recording/file-info.js';
import { LegRelay, othersOf, progressOf, type LegRelayStats } from './recording/leg-relay.js';
import { mergeMonoSides, runMix, type LegFile } from './recording/mix.js';
import { OggOpusWriter } from './recording/ogg-opus-writer.js';
import { RtpReceiver, type NativeRecordingOwner, type ReceivedRtp } from './recording/rtp-receiver.js';
import { StreamMuxer } from './recording/stream-muxer.js';

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
  /** Writing failed (e.g. the disk is full); the call goes on, unrecorded from here. */
  onFailure?: (err: Error) => void;
  /** A recording step failed and was retried, or lost a moment of audio: for the call's events and the log. */
  onRetry?: (message: string) => void;
  /**
   * A step of the file is slow (the receiver's open of it, or its last writes and fsync after the
   * stop, took seconds: a stalled disk), or finished only after stop() gave up on it: for the call's
   * events and the log.
   */
  onDelay?: (message: string) => void;
}

/** What '<file>.legs/manifest.json' holds: the added parties' leg files, to be mixed into `file`. */
export interface LegManifest {
  /** 2: `file` is the stereo recording and the legs are added parties; 1 (older recorder): the legs are everything. */
  version: 1 | 2;
  /** Wall-clock ms of the recording's t=0. */
  startedAt: number;
  legs: Array<{ file: string; side: RecordingSide; startMs: number; endMs: number | null }>;
}

// Fills silent leg files (added parties) and writes what waits for them; a leg is "silent" only
// after 0.5 s without packets. (The stereo file's legs are ticked by the receiver, native/rtp-receiver.c.)
const TICK_MS = 100;
// A leg silent for 0.5 s is filled with silence (leg-relay.ts), but only up to the last packet this
// recording got from its worker (both legs come from one worker): when nothing comes from either leg,
// the worker may be starved, holding packets it will forward late, not silence. Only when nothing has
// come for this long is the wall clock trusted instead (both parties silent, or the worker stuck).
const WORKER_QUIET_MS = 2000;
/** Mixing added parties is tried this often before their legs are left for the next start. */
const MIX_ATTEMPTS = 3;
const LISTEN_IP = '127.0.0.1';
// A leg that ends at T (its party left, or the recording stops) keeps taking the packets its relay
// places before T (by their RTP timestamps, not by when the worker stamped them: a starved worker
// forwards late) until the worker has answered a request sent at T and the receiver has read
// everything up to then + END_SETTLE_MS: a patched worker holds packets for up to 10 ms before it
// writes them (media/worker-patch/), and the receiver reads every 10 ms, so the last ones reach Node
// after T. The rest is slack for a worker that was late writing its batch.
const END_SETTLE_MS = 40;
/** ... but never waits longer than this for them (the receiver is stuck or was restarted). */
const END_SETTLE_CAP_MS = 1000;
/** The receiver finishes the stereo file (last page, fsync) within this (a thousand at once take seconds), or it is reported as not done. */
const CLOSE_CAP_MS = 30_000;

interface Leg {
  producer: ms.Producer;
  side: RecordingSide;
  consumer: ms.Consumer;
  /** Its id in the receiver's recording (a leg of the stereo file), or its own mono file (an added party). */
  native?: { id: number; port: number; ssrc: number };
  own?: { file: string; writer: OggOpusWriter; muxer: StreamMuxer; startMs: number; relay: LegRelay };
  /** Its counters: the relay's own for a leg file, the receiver's last report for a stereo leg. */
  stats: LegRelayStats;
  unsubscribe: () => void;
  ended: boolean;
  /** Set when the leg has been told to end (samples since t=0): packets placed from here on are not its. */
  endsAt?: number;
  /** ... the same moment on performance.now()'s clock. */
  endsAtMs?: number;
  /** Resolves once the leg is closed (its last packets placed, silence up to endsAt). */
  closing?: Promise<void>;
}

export function legsDirOf(file: string): string {
  return `${file}.legs`;
}

// One timer for every recording in the process that has leg files: their silent legs are filled, and
// their muxers drained.
const live = new Set<CallRecorder>();
let ticker: NodeJS.Timeout | undefined;
function track(recorder: CallRecorder, on: boolean): void {
  if (on) live.add(recorder);
  else live.delete(recorder);
  if (live.size > 0 && !ticker) {
    // setImmediate: run the tick after this loop turn's pending reads, so that a stall of our own
    // event loop is not taken for a silent leg.
    ticker = setInterval(() => setImmediate(() => live.forEach((r) => r.tick())), TICK_MS);
    ticker.unref();
  } else if (live.size === 0 && ticker) {
    clearInterval(ticker);
    ticker = undefined;
  }
}

const emptyStats = (): LegRelayStats => ({ received: 0, forwarded: 0, silenceSamples: 0, dropped: 0, droppedInvalid: 0, droppedLate: 0, droppedDrift: 0, resyncs: 0 });

/** What the receiver reports when it has finished the stereo file ("closed", native/recording.c). */
interface ClosedFile {
  positionSamples: number;
}

export class CallRecorder implements NativeRecordingOwner {
  private readonly legs: Leg[] = [];
  // tickedRelays(), kept between changes: it is read for every packet of a leg file, and filtering
  // the legs each time allocated per packet. Cleared where a leg is added, told to end, or closed.
  private ticked: LegRelay[] | undefined;
  private readonly t0 = performance.now();
  /** Latest arrival (samples since t=0) of a packet of a leg file: the worker forwarded up to then. */
  private heardAt = 0;
  private transport!: ms.PlainTransport;
  private receiver!: RtpReceiver;
  /** The stereo file's id in the receiver (native/control.h). */
  private nativeId = 0;
  private readonly serial = (Math.random() * 0x100000000) >>> 0;
  private nextLegId = 1;
  /** When the stereo file was told to end (performance.now() ms), once it was. */
  private stoppedAtMs: number | undefined;
  private closedFile: ClosedFile | undefined;
  /** stop() gave up waiting for the receiver to finish the file (CLOSE_CAP_MS): its end, if it comes, is told through onDelay. */
  private gaveUpOnClose = false;
  private readonly closedWaiters: Array<() => void> = [];
  private stopping: Promise<RecordingResult> | undefined;
  private failure: Error | undefined;
  private tornDown = false;
  private readonly legsDir: string;
  /** Why each failed try to mix added parties failed. */
  readonly mixFailures: string[] = [];
  /** Wall-clock ms at which the recording's t=0 lies. */
  readonly startedAt = Date.now();

  private constructor(private readonly opts: RecorderOptions) {
    this.legsDir = legsDirOf(opts.file);
    // Not created here: the receiver creates it on a writer thread (O_EXCL), so that a disk that
    // stalls holds that thread and never this process's event loop (every call of the server).
  }

  /** Resolves once both parties are being recorded. */
  static async start(opts: RecorderOptions): Promise<CallRecorder> {
    // The path ends the receiver's "open" control line (native/control.h): a newline would start a
    // control line of its own, a NUL would cut the path short.
    if (/[\n\r\0]/.test(opts.file)) throw new Error(`recording file path ${JSON.stringify(opts.file)} may not hold a newline, carriage return or NUL`);
    if (fs.existsSync(opts.file) || fs.existsSync(legsDirOf(opts.file))) throw new Error(`recording ${opts.file} exists already`);
    const recorder = new CallRecorder(opts);
    try {
      recorder.receiver = await RtpReceiver.shared(LISTEN_IP);
      recorder.nativeId = recorder.receiver.registerRecording(recorder);
      recorder.openNative(false, recorder.t0);
      recorder.transport = await opts.router.createPlainTransport({ listenIp: LISTEN_IP, rtcpMux: true, comedia: false });
      await recorder.transport.connect({ ip: LISTEN_IP, port: recorder.receiver.port });
      await recorder.addLeg('left', opts.left);
      await recorder.addLeg('right', opts.right);
    } catch (err) {
      recorder.teardown(performance.now());
      await recorder.closed(2000);
      fs.rmSync(opts.file, { force: true });
      fs.rmSync(recorder.legsDir, { recursive: true, force: true });
      throw err;
    }
    return recorder;
  }

  /** There is no process per call; kept for callers that log it. */
  get pid(): number | undefined {
    return undefined;
  }

  /** Set once writing failed (onFailure was called). */
  get failed(): Error | undefined {
    return this.failure;
  }

  /**
   * Per-leg counters of the first two legs (packets placed, silence, drops). A leg of the stereo file
   * is counted by the receiver, which reports when the leg closes (and at the end of the recording).
   */
  get relayStats(): { left: LegRelayStats | undefined; right: LegRelayStats | undefined } {
    return { left: this.legs.find((l) => l.side === 'left')?.stats, right: this.legs.find((l) => l.side === 'right')?.stats };
  }

  /** Received packets written into the recording so far (as last reported), over every leg (silence not counted). */
  get packetsRecorded(): number {
    return this.legs.reduce((s, l) => s + l.stats.forwarded, 0);
  }

  /** Milliseconds since the recording's t=0 (monotonic). */
  get elapsedMs(): number {
    return performance.now() - this.t0;
  }

  private samplesAt(perfMs: number): number {
    return Math.round((perfMs - this.t0) * 48);
  }

  private mono(perfMs: number): string {
    return String(this.receiver.monoMs(perfMs));
  }

  /** Opens the stereo file in the receiver: a new one, or (resume) the one a dead receiver was writing. */
  private openNative(resume: boolean, atMs: number): void {
    this.receiver.command(`open ${this.nativeId} ${this.mono(this.t0)} ${this.serial} ${resume ? 1 : 0} ${this.mono(atMs)} ${path.resolve(this.opts.file)}`);
  }

  private sendLeg(leg: Leg, atMs: number): void {
    const n = leg.native!;
    this.receiver.command(`leg ${this.nativeId} ${n.id} ${leg.side === 'left' ? 0 : 1} ${n.port} ${n.ssrc} ${this.mono(atMs)}`);
  }

  /**
   * Records another producer from now on, on one side (a conference party, or a transfer target
   * taking the place of a party who left). It starts `elapsedMs` into the recording.
   */
  async addLeg(side: RecordingSide, producer: ms.Producer): Promise<void> {
    if (this.tornDown || this.stopping) throw new Error('the recording has ended');
    // Opus only: nothing else (e.g. telephone-event) may reach the recording, which writes Opus packets.
    const router = this.opts.router;
    const opusOnly = { codecs: (router.rtpCapabilities.codecs ?? []).filter((c) => c.mimeType.toLowerCase() === 'audio/opus'), headerExtensions: [] };
    const consumer = await this.transport.consume({ producerId: producer.id, rtpCapabilities: opusOnly, paused: true });
    const codec = consumer.rtpParameters.codecs[0];
    const ssrc = consumer.rtpParameters.encodings?.[0]?.ssrc;
    if (!codec || codec.mimeType.toLowerCase() !== 'audio/opus' || ssrc === undefined) {
      consumer.close();
      throw new Error(`cannot record ${codec?.mimeType ?? 'no codec'}: only Opus`);
    }
    const onSide = (l: Leg) => l.side === side && l.native !== undefined;
    // A party who has just left this side still has packets on their way: let them land first.
    await Promise.all(this.legs.flatMap((l) => (onSide(l) && l.closing ? [l.closing] : [])));
    if (this.tornDown || this.stopping) {
      consumer.close();
      throw new Error('the recording has ended');
    }
    const nowMs = performance.now();
    const taken = this.legs.some((l) => !l.ended && onSide(l));
    const port = this.transport.tuple.localPort;
    let leg: Leg;
    if (!taken) {
      // The side's channel is free (its first party, or the one before has left): the receiver
      // writes this party there from now on.
      leg = { producer, side, consumer, native: { id: this.nextLegId++, port, ssrc }, stats: emptyStats(), unsubscribe: () => {}, ended: false };
      this.sendLeg(leg, nowMs);
    } else {
      fs.mkdirSync(this.legsDir, { recursive: true });
      const file = `${String(this.legs.length).padStart(2, '0')}-${side}.ogg`;
      let writer: OggOpusWriter;
      try {
        writer = new OggOpusWriter(path.join(this.legsDir, file), { channels: 1 });
      } catch (err) {
        consumer.close();
        throw err;
      }
      const now = this.samplesAt(nowMs);
      const muxer = new StreamMuxer(1, (packet, samples) => this.writeMuxed(writer, packet, samples));
      // The leg file begins when the party joins: its channel starts counting there.
      muxer.channels[0]!.end = now;
      const relay = new LegRelay(muxer.channels[0]!, () => this.samplesAt(performance.now()));
      const own = { file, writer, muxer, startMs: Math.round(now / 48), relay };
      leg = { producer, side, consumer, own, stats: relay.stats, unsubscribe: () => {}, ended: false };
      leg.unsubscribe = this.receiver.subscribe(port, ssrc, this, (p: ReceivedRtp) => {
        if (leg.ended) return;
        // After the party left, the relay keeps only what its RTP timestamps place before the end.
        const arrival = this.samplesAt(p.arrivalMs);
        if (arrival > this.heardAt) this.heardAt = arrival;
        relay.others = othersOf(this.tickedRelays(), relay, this.heardAt);
        relay.receive(p, arrival);
      });
      track(this, true);
    }
    this.legs.push(leg);
    this.ticked = undefined;
    if (leg.own) this.writeManifest();
    await consumer.resume();
  }

  /**
   * Stops recording a producer (its party left) now; the leg's audio up to now stays in the
   * recording, including packets sent before now that reach the receiver later (a starved worker).
   * Resolves (within about END_SETTLE_CAP_MS twice; never rejects: a failure is reported through
   * onFailure) once the leg is closed: only then may the caller close the party's transport or
   * producer, which would discard what the worker still holds of it.
   */
  endLeg(producer: ms.Producer): Promise<void> {
    const nowMs = performance.now();
    const ending: Array<Promise<void>> = [];
    for (const leg of this.legs) {
      if (leg.producer !== producer || leg.ended) continue;
      ending.push(leg.closing ?? this.endLegAt(leg, nowMs));
    }
    return Promise.all(ending).then(() => {});
  }

  /** Ends a leg at `atMs` (performance.now()'s clock) once the packets sent by then are in. */
  private endLegAt(leg: Leg, atMs: number): Promise<void> {
    const endsAt = this.samplesAt(atMs);
    leg.endsAt = endsAt;
    leg.endsAtMs = atMs;
    this.ticked = undefined;
    if (leg.native) this.receiver.command(`end ${this.nativeId} ${leg.native.id} ${this.mono(atMs)}`);
    else leg.own!.relay.end(endsAt);
    // The consumer stays open until the leg closes: a starved worker may not yet have forwarded what
    // the party sent before atMs (closing it now could discard that). What the party sent later is
    // dropped by the relay, which places every packet by its RTP timestamp.
    leg.closing = this.workerAnswer(END_SETTLE_CAP_MS)
      .then((answered) => {
        if (!answered.inTime && !this.tornDown) this.retry(`recording ${path.basename(this.opts.file)}: the media worker did not answer within ${END_SETTLE_CAP_MS} ms of the end of a leg; that party's last moment may be silent`);
        return this.receiver.readUpTo(Math.max(atMs, answered.atMs) + END_SETTLE_MS, END_SETTLE_CAP_MS);
      })
      .then((complete) => {
        if (!complete && !this.tornDown) this.retry(`recording ${path.basename(this.opts.file)}: a party's last packets did not reach the recorder within ${END_SETTLE_CAP_MS} ms of the end of its leg; that moment may be silent`);
        if (leg.ended) return;
        this.closeLeg(leg, endsAt);
        this.writeManifest();
        this.afterBatch();
      })
      .catch((err: unknown) => this.fail(err instanceof Error ? err : new Error(String(err))));
    return leg.closing;
  }

  /**
   * When (performance.now()) the worker answered a request sent now: by then it has handled what
   * it had received before (the request waits behind it), so its batches hold those packets. Gives
   * up after `capMs` (a frozen worker); a closed transport or dead worker answers at once.
   */
  private workerAnswer(capMs: number): Promise<{ atMs: number; inTime: boolean }> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve({ atMs: performance.now(), inTime: false }), capMs);
      const answered = (): void => {
        clearTimeout(timer);
        resolve({ atMs: performance.now(), inTime: true });
      };
      if (this.transport.closed) answered();
      else this.transport.getStats().then(answered, answered);
    });
  }

  /** Resolves once the receiver has finished the stereo file (or after `capMs`: it is gone). */
  private closed(capMs: number): Promise<void> {
    if (this.closedFile || this.stoppedAtMs === undefined) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, capMs);
      this.closedWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Writes the last page and returns the finished recording's hash and length. */
  stop(): Promise<RecordingResult> {
    this.stopping ??= (async () => {
      const wasTornDown = this.tornDown;
      if (!wasTornDown) {
        // The recording ends now; packets that arrived by now but are still on their way are kept.
        const nowMs = performance.now();
        await Promise.all(this.legs.filter((l) => !l.ended).map((l) => l.closing ?? this.endLegAt(l, nowMs)));
        this.teardown(nowMs);
      }
      await this.closed(CLOSE_CAP_MS);
      if (this.failure) throw new Error(`the recording could not be written: ${this.failure.message}`);
      if (!this.closedFile) {
        this.gaveUpOnClose = true;
        throw new Error(`the RTP receiver did not finish the recording ${path.basename(this.opts.file)} within ${CLOSE_CAP_MS} ms`);
      }
      if (wasTornDown && !fs.existsSync(this.opts.file)) throw new Error(`the recording ${path.basename(this.opts.file)} is missing`);
      const durationMs = Math.round(this.closedFile.positionSamples / 48);
      if (!fs.existsSync(this.legsDir)) {
        const [sha256, stat] = await Promise.all([sha256File(this.opts.file), fs.promises.stat(this.opts.file)]);
        return { file: this.opts.file, sha256, durationMs, bytes: stat.size };
      }
      // Added parties: one short ffmpeg run mixes them in. If it dies (killed, out of memory), it is
      // simply run again; after MIX_ATTEMPTS the legs stay for the next start.
      for (let attempt = 1; ; attempt++) {
        try {
          return await finishLegFiles(this.opts.file, { durationMs });
        } catch (err) {
          const message = (err as Error).message;
          this.mixFailures.push(message);
          this.retry(`mixing the added parties into ${path.basename(this.opts.file)} failed (attempt ${attempt} of ${MIX_ATTEMPTS})${attempt < MIX_ATTEMPTS ? ', trying again' : ''}: ${message}`);
          if (attempt >= MIX_ATTEMPTS) throw err;
        }
      }
    })();
    return this.stopping;
  }

  /** For shutdown paths that cannot wait: ends the file at once. A later stop() still returns its facts. */
  kill(): void {
    this.teardown(performance.now());
  }

  /** The shared ticker: fills the leg files' silent legs up to just behind the wall clock and writes what is ready. */
  tick(): void {
    if (this.tornDown) return;
    const wall = this.samplesAt(performance.now());
    // Silence is filled up to what the worker is known to have forwarded (WORKER_QUIET_MS).
    const quiet = wall - this.heardAt > WORKER_QUIET_MS * 48;
    const now = quiet ? wall : Math.min(wall, this.heardAt);
    // ... and behind how far the legs' packets have reached (progressOf): a worker behind is not silence.
    const relays = this.tickedRelays();
    const progress = quiet ? now : progressOf(relays, now);
    for (const relay of relays) {
      relay.others = othersOf(relays, relay, this.heardAt);
      relay.tick(now, progress);
    }
    this.afterBatch();
  }

  /** The relays of the leg files still ticked (not ended, not told to end). */
  private tickedRelays(): LegRelay[] {
    return (this.ticked ??= this.legs.filter((l) => l.own && !l.ended && l.endsAt === undefined).map((l) => l.own!.relay));
  }

  afterBatch(): void {
    if (this.tornDown || this.failure) return;
    for (const leg of this.legs) if (leg.own && !leg.ended) leg.own.muxer.drain();
  }

  onNativeEvent(words: string[]): void {
    const n = (i: number) => Number(words[i]);
    if (words[0] === 'stats') {
      const leg = this.legs.find((l) => l.native?.id === n(2));
      if (!leg) return;
      const [received, forwarded, silenceSamples, dropped, droppedInvalid, droppedLate, droppedDrift, resyncs] = words.slice(3).map(Number);
      // The receiver's relay's counters (after a receiver restart: since the leg was added to the new one).
      Object.assign(leg.stats, { received, forwarded, silenceSamples, dropped, droppedInvalid, droppedLate, droppedDrift, resyncs });
    } else if (words[0] === 'error') {
      this.fail(new Error(words.slice(2).join(' ')));
    } else if (words[0] === 'slow') {
      // The receiver's open, or its last writes and fsync, are taking seconds: a stalled disk. Its
      // outcome ("closed" or "error") follows.
      this.delay(`the RTP receiver is slow with ${path.basename(this.opts.file)}: ${words.slice(2).join(' ')}`);
    } else if (words[0] === 'refused') {
      this.retry(`the RTP receiver refused a control line of ${path.basename(this.opts.file)} (a bug; nothing was changed): ${words.slice(2).join(' ')}`);
    } else if (words[0] === 'closed') {
      this.closedFile = { positionSamples: n(2) };
      if (this.gaveUpOnClose) this.delay(`the RTP receiver finished ${path.basename(this.opts.file)} after all, after the stop had given up on it (${CLOSE_CAP_MS} ms): the file is whole`);
      this.receiver.forgetRecording(this.nativeId);
      for (const done of this.closedWaiters.splice(0)) done();
    }
  }

  onReceiverRestart(err: Error, restarted: boolean): void {
    if (!restarted) return this.fail(err);
    this.retry(`the RTP receiver stopped (${err.message}); it was started again, and audio from that moment is missing`);
    if (this.closedFile) return;
    // The new process continues the stereo file after its last whole page, its legs from now on.
    const nowMs = performance.now();
    this.openNative(true, nowMs);
    for (const leg of this.legs) {
      if (!leg.native || leg.ended) continue;
      this.sendLeg(leg, nowMs);
      if (leg.endsAtMs !== undefined) this.receiver.command(`end ${this.nativeId} ${leg.native.id} ${this.mono(leg.endsAtMs)}`);
    }
    if (this.stoppedAtMs !== undefined) this.receiver.command(`stop ${this.nativeId} ${this.mono(Math.max(this.stoppedAtMs, nowMs))}`);
  }

  private delay(message: string): void {
    tell(this.opts.onDelay, message);
  }

  private retry(message: string): void {
    tell(this.opts.onRetry, message);
  }

  private writeMuxed(writer: OggOpusWriter, packet: Buffer, samples: number): void {
    if (this.failure) return;
    try {
      writer.write(packet, samples);
    } catch (err) {
      this.fail(new Error(`recording ${path.basename(this.opts.file)}: writing ${path.basename(writer.file)} failed (${(err as Error).message})`));
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

  /** Ends a leg at `now` (samples since t=0): silence up to then, then its file (if it has its own) is finished. */
  private closeLeg(leg: Leg, now: number): void {
    if (leg.ended) return;
    leg.ended = true;
    this.ticked = undefined;
    leg.unsubscribe();
    if (!leg.consumer.closed) leg.consumer.close();
    // A stereo leg is closed by the receiver, after everything it read before this line (control.h).
    if (leg.native) return this.receiver.command(`close-leg ${this.nativeId} ${leg.native.id}`);
    if (this.failure || !leg.own) return;
    leg.own.relay.flush(now);
    leg.own.muxer.finish();
    try {
      leg.own.writer.close();
    } catch (err) {
      this.fail(new Error(`recording ${path.basename(this.opts.file)}: closing ${leg.own.file} failed (${(err as Error).message})`));
    }
  }

  private writeManifest(): void {
    if (!this.legs.some((l) => l.own)) return;
    const manifest: LegManifest = {
      version: 2,
      startedAt: this.startedAt,
      legs: this.legs.flatMap((l) =>
        l.own ? [{ file: l.own.file, side: l.side, startMs: l.own.startMs, endMs: l.ended ? l.own.startMs + Math.round(l.own.writer.durationSeconds * 1000) : null }] : [],
      ),
    };
    try {
      const tmp = path.join(this.legsDir, 'manifest.json.tmp');
      fs.writeFileSync(tmp, JSON.stringify(manifest));
      fs.renameSync(tmp, path.join(this.legsDir, 'manifest.json'));
    } catch (err) {
      this.fail(new Error(`recording ${path.basename(this.opts.file)}: the leg manifest could not be written (${(err as Error).message})`));
    }
  }

  /**
   * Ends the recording at `nowMs` (performance.now()): every leg file still open is closed there, or
   * where it was told to end; the receiver does the same for the stereo file and says when it is done.
   */
  private teardown(nowMs: number): void {
    if (this.tornDown) return;
    const now = this.samplesAt(nowMs);
    for (const leg of this.legs) if (leg.own) this.closeLeg(leg, leg.endsAt ?? now);
    for (const leg of this.legs) {
      // The receiver closes its legs itself at the stop, each where it was told to end.
      leg.ended = true;
      leg.unsubscribe();
      if (!leg.consumer.closed) leg.consumer.close();
    }
    this.ticked = undefined;
    this.tornDown = true;
    track(this, false);
    if (this.transport && !this.transport.closed) this.transport.close();
    if (this.receiver && this.nativeId) {
      this.stoppedAtMs = nowMs;
      this.receiver.command(`stop ${this.nativeId} ${this.mono(nowMs)}`);
    }
    this.writeManifest();
  }
}

/**
 * Mixes the added parties' leg files of '<file>.legs/' into the stereo recording `file`, then removes
 * them: at the end of a call, and at start-up for a call the server did not live to finish. The
 * legs stay if mixing fails, so it can be tried again. Without leg files, `file` is final as it is.
 */
export async function finishLegFiles(file: string, opts: { durationMs?: number } = {}): Promise<RecordingResult> {
  const dir = legsDirOf(file);
  if (!fs.existsSync(dir)) {
    const [sha256, stat, durationMs] = await Promise.all([sha256File(file), fs.promises.stat(file), probeDurationMs(file)]);
    return { file, sha256, durationMs, bytes: stat.size };
  }
  const manifestFile = path.join(dir, 'manifest.json');
  const manifest: LegManifest = fs.existsSync(manifestFile)
    ? (JSON.parse(await fs.promises.readFile(manifestFile, 'utf8')) as LegManifest)
    : { version: 2, startedAt: 0, legs: [] };
  const present = manifest.legs.filter((l) => fs.existsSync(path.join(dir, l.file)) && fs.statSync(path.join(dir, l.file)).size > 0);
  const side = (s: RecordingSide): LegFile[] => present.filter((l) => l.side === s).map((l) => ({ file: path.join(dir, l.file), startMs: l.startMs }));
  const base = manifest.version === 2 && fs.existsSync(file) && fs.statSync(file).size > 0 ? file : undefined;
  const tmp = `${file}.mixing`;
  fs.mkdirSync(tmp, { recursive: true });
  try {
    const sides = { left: path.join(tmp, 'left.ogg'), right: path.join(tmp, 'right.ogg') };
    await runMix({ base, left: side('left'), right: side('right'), outFiles: sides, durationMs: opts.durationMs });
    const out = path.join(tmp, 'stereo.ogg');
    mergeMonoSides(sides.left, sides.right, out);
    // ffmpeg may exit 0 with a truncated file (e.g. the disk filled up): only a file that reads back
    // whole replaces the recording, whose legs are otherwise kept for another try.
    const durationMs = await probeDurationMs(out).catch((err: Error) => {
      throw new Error(`the mixed recording ${path.basename(file)} is unreadable; its leg files are kept: ${err.message}`);
    });
    if (opts.durationMs !== undefined && durationMs < opts.durationMs - 500) {
      throw new Error(`the mixed recording ${path.basename(file)} lasts ${durationMs} ms of ${opts.durationMs} ms; its leg files are kept`);
    }
    await fs.promises.rename(out, file);
    await fs.promises.rm(dir, { recursive: true, force: true });
    const [sha256, stat] = await Promise.all([sha256File(file), fs.promises.stat(file)]);
    return { file, sha256, durationMs, bytes: stat.size };
  } finally {
    await fs.promises.rm(tmp, { recursive: true, force: true });
  }
}

/** Tells a listener of the recorder's steps (onRetry, onDelay): a failing listener must not take the server down. */
function tell(listener: ((message: string) => void) | undefined, message: string): void {
  try {
    listener?.(message);
  } catch {
    /* ignored: see above */
  }
}
