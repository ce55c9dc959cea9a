// Puts one leg's RTP on the recording's timeline before ffmpeg sees it.
//
// Why this exists: ffmpeg's mixing filters (join/amerge/amix) wait for audio on every input, so a
// leg that sends nothing (hold, a muted or broken browser, a leg that starts late) stalls the whole
// output: nothing reaches the file while it lasts (a crash then loses it all), a leg that never sends
// gives no file at all, and ffmpeg cannot even be stopped with 'q' while it waits. So each leg goes
// through this relay, which hands ffmpeg one gap-free stream per leg:
//  - a real packet is placed where the wall clock says it belongs (its RTP timestamps keep it there,
//    so network jitter does not move it); time nobody filled becomes Opus silence packets;
//  - when nothing arrives for STALL, silence is sent up to just behind the wall clock, so ffmpeg
//    keeps writing (and the file keeps growing) during holds;
//  - slow drift between the sender's clock and ours is corrected by inserting a little silence or
//    dropping a packet, keeping both legs within DRIFT_MAX of the wall clock and so of each other.
// Timestamps out are ours (contiguous, one clock for both legs), so ffmpeg needs no RTCP to align.
// The relay does no I/O: it takes packets and clock readings and calls send().
import { buildRtp, opusPacketSamples, parseRtp, silencePackets } from './rtp.js';

const RATE = 48; // samples per ms (Opus RTP clock)
// Nothing for this long: the leg is silent, fill it. Shorter delays count as jitter: the packets are
// still placed by their timestamps. (Measured: a loaded 2-core machine delayed packets by 400 ms.)
const STALL = 500 * RATE;
const FILL_LAG = 60 * RATE; // stay this far behind the wall clock when filling, so a resuming packet lands after the silence
const ANCHOR_SLACK = 5 * RATE; // an anchoring packet may overlap sent silence by this much
const AHEAD_RESYNC = 500 * RATE; // a packet this far in the future means a new timestamp base
const BEHIND_RESYNC = 1000 * RATE; // ... and so does one this far in the past
const LATE_RESYNC = 25; // and so many late packets in a row (a burst after a stall has fewer)
const DRIFT_WINDOW = 3000 * RATE;
// Larger than the send jitter of real senders (ffmpeg's RTP muxer alone shows a 20 ms sawtooth),
// or corrections would chase jitter; real clock drift (< 100 ppm) takes minutes to get here.
const DRIFT_MAX = 30 * RATE;

export interface LegRelayOptions {
  payloadType: number;
  ssrc: number;
  /** RTP timestamp of timeline position 0. */
  timestampBase: number;
  /** Samples (48 kHz) since the recording's t=0, from a monotonic clock. */
  clock: () => number;
  send: (packet: Buffer) => void;
}

export interface LegRelayStats {
  forwarded: number;
  silenceSamples: number;
  dropped: number;
  resyncs: number;
}

export class LegRelay {
  /** Timeline position (samples) up to which audio has been sent. */
  private pos = 0;
  private seq = Math.floor(Math.random() * 0x10000);
  private mapped = false;
  private offset = 0; // timeline position = extended input timestamp + offset
  private inSsrc = -1;
  private lastTs = 0;
  private extTs = 0;
  private lateStreak = 0;
  private dropBudget = 0;
  private windowStart = 0;
  private windowLags: number[] = [];
  private lastExcess = 0; // sign of the previous window's excess lag, if any
  readonly stats: LegRelayStats = { forwarded: 0, silenceSamples: 0, dropped: 0, resyncs: 0 };

  constructor(private readonly opts: LegRelayOptions) {}

  /**
   * Sends a first, shortest silence at once so that ffmpeg sees both legs begin at t=0 (a longer one
   * would push the first real packets ahead of the wall clock).
   */
  start(): void {
    this.fill(120);
    this.resetWindow(this.opts.clock());
  }

  receive(buf: Buffer): void {
    const pkt = parseRtp(buf);
    if (!pkt) return;
    const dur = opusPacketSamples(pkt.payload);
    if (dur === 0) return;
    const now = this.opts.clock();

    if (pkt.ssrc !== this.inSsrc) {
      this.inSsrc = pkt.ssrc;
      this.mapped = false;
      this.extTs = pkt.timestamp;
    } else {
      this.extTs += (pkt.timestamp - this.lastTs) | 0; // signed 32-bit difference unwraps
    }
    this.lastTs = pkt.timestamp;

    let at = this.extTs + this.offset;
    if (!this.mapped || at + dur > now + AHEAD_RESYNC || at + dur < this.pos - BEHIND_RESYNC || this.lateStreak >= LATE_RESYNC) {
      // Anchor: the packet ends now (it has just arrived); later ones follow their RTP timestamps.
      // If its place is mostly taken by silence already sent (it came right after t=0), skip it and
      // anchor on the next one rather than start the leg ahead of the wall clock.
      if (now - dur < this.pos - ANCHOR_SLACK) {
        this.stats.dropped++;
        return;
      }
      if (this.mapped) this.stats.resyncs++;
      this.offset = Math.max(this.pos, now - dur) - this.extTs;
      at = this.extTs + this.offset;
      this.mapped = true;
      this.lateStreak = 0;
      this.dropBudget = 0;
      this.lastExcess = 0;
      this.resetWindow(now);
    }
    if (at < this.pos) {
      // Its place has already been sent (a duplicate, a reordered or a very late packet).
      this.lateStreak++;
      this.stats.dropped++;
      return;
    }
    this.lateStreak = 0;
    if (at > this.pos) {
      // Lost packets, DTX or a pause: silence up to the packet; a remainder under 2.5 ms moves it earlier.
      const gap = at - this.pos;
      this.offset -= gap - this.fill(gap);
      at = this.pos;
    }
    if (this.dropBudget >= dur / 2) {
      // The sender's clock runs fast: skip audio until it is back in line with ours (to the nearest packet).
      this.dropBudget -= dur;
      this.offset -= dur;
      this.stats.dropped++;
      return;
    }
    this.emit(pkt.payload, at);
    this.pos = at + dur;
    this.stats.forwarded++;
    this.windowLags.push(now - this.pos);
  }

  /** Called every ~20 ms. */
  tick(): void {
    const now = this.opts.clock();
    if (now - this.pos > STALL) {
      this.fill(Math.floor((now - FILL_LAG - this.pos) / (20 * RATE)) * 20 * RATE);
      this.resetWindow(now);
      this.lastExcess = 0;
      return;
    }
    if (now - this.windowStart < DRIFT_WINDOW || this.windowLags.length < 25) return;
    // Where this leg sits against the wall clock: a low percentile of the packets' lag (jitter only
    // adds delay, and a few early outliers must not count). Correct only when two windows in a row
    // agree, so that a burst of jitter is never mistaken for drift.
    const lag = [...this.windowLags].sort((a, b) => a - b)[Math.floor(this.windowLags.length / 10)]!;
    const excess = lag > DRIFT_MAX ? 1 : lag < -DRIFT_MAX ? -1 : 0;
    if (excess !== 0 && excess === this.lastExcess) {
      if (excess > 0) this.offset += this.fill(lag);
      else this.dropBudget = -lag;
      this.lastExcess = 0;
    } else {
      this.lastExcess = excess;
    }
    this.resetWindow(now);
  }

  /** Silence up to the wall clock now, so a recording that is being stopped lasts as long as the call. */
  flush(): void {
    const now = this.opts.clock();
    if (now > this.pos) this.fill(now - this.pos);
  }

  private resetWindow(now: number): void {
    this.windowStart = now;
    this.windowLags = [];
  }

  /** Sends silence from pos on; returns the samples covered (whole 2.5 ms steps). */
  private fill(samples: number): number {
    let covered = 0;
    for (const s of silencePackets(samples)) {
      this.emit(s.payload, this.pos);
      this.pos += s.samples;
      covered += s.samples;
    }
    this.stats.silenceSamples += covered;
    return covered;
  }

  private emit(payload: Buffer, at: number): void {
    this.seq = (this.seq + 1) & 0xffff;
    this.opts.send(
      buildRtp({
        payloadType: this.opts.payloadType,
        sequenceNumber: this.seq,
        timestamp: (this.opts.timestampBase + at) % 2 ** 32,
        ssrc: this.opts.ssrc,
        payload,
      }),
    );
  }
}
