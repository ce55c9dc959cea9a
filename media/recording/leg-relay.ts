// Puts one party's RTP on the recording's timeline: which Opus packet goes where, and where there is
// silence instead. It writes into a channel of the stream muxer (stream-muxer.ts), which turns the
// channel into Opus packets of the recording file.
//
//  - a real packet is placed where the wall clock says it belongs (its RTP timestamps keep it there,
//    so network jitter does not move it); time nobody filled becomes silence;
//  - when nothing arrives for STALL, silence is committed up to just behind the wall clock, so the
//    file keeps growing (and a crash loses little) during holds;
//  - slow drift between the sender's clock and ours is corrected by inserting a little silence or
//    dropping a packet, keeping every leg within DRIFT_MAX of the wall clock and so of the others.
// The clock is the packets' arrival time as the kernel stamped it (rtp-receiver.ts), so a busy Node
// event loop does not move them. The relay does no I/O.
import { opusPacketSamples } from './opus-packet.js';

const RATE = 48; // samples per ms (Opus RTP clock)
const STEP = 120; // 2.5 ms: the shortest Opus frame; silence is committed in whole steps
// Nothing for this long: the leg is silent, fill it. Shorter delays count as jitter: the packets are
// still placed by their timestamps. (Measured: a loaded 2-core machine delayed packets by 400 ms.)
const STALL = 500 * RATE;
const FILL_LAG = 60 * RATE; // stay this far behind the wall clock when filling, so a resuming packet lands after the silence
const AHEAD_RESYNC = 500 * RATE; // a packet this far in the future means a new timestamp base
const BEHIND_RESYNC = 1000 * RATE; // ... and so does one this far in the past
const LATE_RESYNC = 25; // and so many late packets in a row (a burst after a stall has fewer)
const DRIFT_WINDOW = 3000 * RATE;
// Larger than the send jitter of real senders (ffmpeg's RTP muxer alone shows a 20 ms sawtooth),
// or corrections would chase jitter; real clock drift (< 100 ppm) takes minutes to get here.
export const DRIFT_MAX = 30 * RATE;

/** Where a leg's audio goes: a channel of the recording, `end` samples long so far. */
export interface ChannelTimeline {
  readonly end: number;
  /** Appends an Opus packet; false if it is not a valid Opus packet (then nothing is appended). */
  audio(payload: Buffer, samples: number): boolean;
  /** Appends silence (a multiple of 120 samples). */
  silence(samples: number): void;
}

export interface RtpIn {
  ssrc: number;
  timestamp: number;
  payload: Buffer;
}

export interface LegRelayStats {
  /** Packets received from mediasoup for this leg (not those placed after its end: they are not its). */
  received: number;
  /** Packets placed in the recording. */
  forwarded: number;
  silenceSamples: number;
  dropped: number;
  resyncs: number;
}

/** Silence up to `samples`, in whole 2.5 ms steps; returns what was committed. */
export function fillSilence(channel: ChannelTimeline, samples: number): number {
  const covered = Math.max(0, Math.floor(samples / STEP) * STEP);
  if (covered > 0) channel.silence(covered);
  return covered;
}

/** Keeps a channel that no leg feeds growing with silence, FILL_LAG behind the wall clock. */
export function fillIdle(channel: ChannelTimeline, now: number): number {
  return fillSilence(channel, now - FILL_LAG - channel.end);
}

export class LegRelay {
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
  private endsAt = Infinity; // the leg ended here: audio placed from here on is not its
  readonly stats: LegRelayStats = { received: 0, forwarded: 0, silenceSamples: 0, dropped: 0, resyncs: 0 };

  /** `channel`: where the audio goes; `clock`: samples (48 kHz) since the recording's t=0, monotonic. */
  constructor(
    private readonly channel: ChannelTimeline,
    private readonly clock: () => number,
  ) {
    this.resetWindow(clock());
  }

  /** One RTP packet that arrived `now` (samples since t=0, from its kernel arrival time). */
  receive(pkt: RtpIn, now = this.clock()): void {
    const dur = opusPacketSamples(pkt.payload);
    if (dur === 0) {
      this.stats.received++;
      this.stats.dropped++;
      return;
    }
    if (pkt.ssrc !== this.inSsrc) {
      this.inSsrc = pkt.ssrc;
      this.mapped = false;
      this.extTs = pkt.timestamp;
    } else {
      this.extTs += (pkt.timestamp - this.lastTs) | 0; // signed 32-bit difference unwraps
    }
    this.lastTs = pkt.timestamp;

    const pos = this.channel.end;
    let at = this.extTs + this.offset;
    if (!this.mapped || at + dur > now + AHEAD_RESYNC || at + dur < pos - BEHIND_RESYNC || this.lateStreak >= LATE_RESYNC) {
      // Anchor: the packet ends now (it has just arrived); later ones follow their RTP timestamps.
      // If that place is already taken (it came right after the leg began), it goes right after:
      // at most one packet ahead of the wall clock, and nothing dropped.
      if (this.mapped) this.stats.resyncs++;
      this.offset = Math.max(pos, now - dur) - this.extTs;
      at = this.extTs + this.offset;
      this.mapped = true;
      this.lateStreak = 0;
      this.dropBudget = 0;
      this.lastExcess = 0;
      this.resetWindow(now);
    }
    if (at >= this.endsAt) return; // placed after the leg ended: not this leg's audio, however early it arrived
    this.stats.received++;
    if (at < pos) {
      // Its place has already been written (a duplicate, a reordered or a very late packet).
      this.lateStreak++;
      this.stats.dropped++;
      return;
    }
    this.lateStreak = 0;
    if (at > pos) {
      // Lost packets, DTX or a pause: silence up to the packet; a remainder under 2.5 ms moves it earlier.
      const gap = at - pos;
      this.offset -= gap - this.fill(gap);
    }
    if (this.dropBudget >= dur / 2) {
      // The sender's clock runs fast: skip audio until it is back in line with ours (to the nearest packet).
      this.dropBudget -= dur;
      this.offset -= dur;
      this.stats.dropped++;
      return;
    }
    if (!this.channel.audio(pkt.payload, dur)) {
      this.stats.dropped++;
      return;
    }
    this.stats.forwarded++;
    this.windowLags.push(now - this.channel.end);
  }

  /**
   * The leg ends at `endsAt` (samples since t=0): from now on a packet is its audio only if it is
   * placed before then. Placed, not arrived: a starved worker stamps packets when it forwards them,
   * which can be long after they were sent, while their RTP timestamps still put them in place.
   */
  end(endsAt: number): void {
    this.endsAt = endsAt;
  }

  /** Called every ~20 ms. */
  tick(now = this.clock()): void {
    const pos = this.channel.end;
    if (now - pos > STALL) {
      this.fill(Math.floor((now - FILL_LAG - pos) / (20 * RATE)) * 20 * RATE);
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

  /** Silence up to the wall clock now: the leg ends, or the recording is being stopped. */
  flush(now = this.clock()): void {
    this.fill(now - this.channel.end);
  }

  private resetWindow(now: number): void {
    this.windowStart = now;
    this.windowLags = [];
  }

  private fill(samples: number): number {
    const covered = fillSilence(this.channel, samples);
    this.stats.silenceSamples += covered;
    return covered;
  }
}
