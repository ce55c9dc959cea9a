// Puts one party's RTP on the recording's timeline: which Opus packet goes where, and where there is
// silence instead. It writes into a channel of the stream muxer (stream-muxer.ts), which turns the
// channel into Opus packets of the recording file.
//
//  - a real packet is placed where the wall clock says it belongs (its RTP timestamps keep it there,
//    so network jitter does not move it); time nobody filled becomes silence;
//  - a leg's start is the earliest its first packets say (HOLD): a late-forwarded first packet does
//    not move it;
//  - when nothing arrives for STALL, silence is committed up to just behind the recording's progress
//    (how far the packets of its legs have reached on the timeline: the wall clock when nobody is
//    late), so the file keeps growing (and a crash loses little) during holds; a leg whose packets
//    keep coming, however late, is not silent and is not filled, unless it falls LAG_CAP behind;
//  - legs that drift apart (a sender's clock, or legs anchored while the worker held them back by
//    different amounts) are realigned by giving the leg that is behind the others silence, never by
//    leaving out the audio of the one ahead, keeping every leg within DRIFT_MAX of the others
//    (measured against the other legs' lag, not the wall clock's: a worker that falls behind delays
//    every leg alike, and that is not a sender's clock). Only a leg LEAD_CAP ahead of the wall clock
//    (the others cannot be delayed further) or with no other leg given (measured against the wall
//    clock) is pulled back by dropping; a leg alone in its recording is its recording's clock.
// The clock is the packets' arrival time as the worker or the kernel stamped it (rtp-receiver.ts), so a
// busy Node event loop does not move them. The relay does no I/O.
// The live stereo file is written by the RTP receiver process with native/relay.c, a port of this file
// held to it by tests/media/recording/native-pipeline.test.ts; this one writes the leg files of added
// parties and is the reference.
import { opusPacketSamples } from './opus-packet.js';

const RATE = 48; // samples per ms (Opus RTP clock)
const STEP = 120; // 2.5 ms: the shortest Opus frame; silence is committed in whole steps
// Nothing for this long: the leg is silent, fill it. Shorter delays count as jitter: the packets are
// still placed by their timestamps. (Measured: a loaded 2-core machine delayed packets by 400 ms.)
const STALL = 500 * RATE;
// When a silent leg is filled, stay this far behind the wall clock, so that a packet sent just before
// now but forwarded late (a starved worker; the frozen worker of the tests forwards 200 ms late) still
// finds its place free. Not larger: the other side's audio waits in the muxer for this one's silence.
const FILL_LAG = 250 * RATE;
// ... but 1 s behind while another leg keeps arriving: then the silent leg's own worker may have
// stopped (a loaded machine), and its backlog, delivered at once when it resumes, finds its places free
// if the stop lasted up to this long. Not LAG_CAP: during a hold (one party sends nothing) the file
// must keep growing (a crash then loses little), and the other side's audio waits in the muxer this long.
const STOP_FILL_LAG = 1000 * RATE;
// A leg whose packets keep coming but reach further and further behind the recording's progress (its
// own worker lags while the others' does not) is filled up to this far behind it, and what comes later
// than that is left out (droppedLate): the other side's audio waits in the muxer for it, and that wait
// must stay bounded.
const LAG_CAP = 2000 * RATE;
// A channel that no leg feeds: nothing can arrive late for it.
const IDLE_FILL_LAG = 60 * RATE;
// A leg's first packets are held back until they span this much arrival time (or, if no more come,
// until the ticker sees HOLD_MAX pass), and the leg is anchored on the earliest of them, each taken back
// by its RTP timestamp: a starved worker forwards the first packets late, in a burst, and stamps them
// when it handles them; the ones it forwards on time after the burst say when the leg really began.
const HOLD = 120 * RATE;
const HOLD_MAX = 250 * RATE;
// A packet this far in the future means a new timestamp base. Above LEAD_CAP, with room for jitter: a
// leg realigned to legs ahead of the wall clock is placed up to LEAD_CAP after its arrival.
const AHEAD_RESYNC = 1000 * RATE;
const BEHIND_RESYNC = 1000 * RATE; // ... and so does one this far in the past
const LATE_RESYNC = 25; // and so many late packets in a row (a burst after a stall has fewer)
const DRIFT_WINDOW = 3000 * RATE;
// Larger than the send jitter of real senders (ffmpeg's RTP muxer alone shows a 20 ms sawtooth),
// or corrections would chase jitter; real clock drift (< 100 ppm) takes minutes to get here.
export const DRIFT_MAX = 30 * RATE;
// At most this much is corrected at a time (every other window at the most: 1,600 ppm, far above real
// drift): a leg that lags because its packets come late for a while (a loaded sender or worker) is
// not moved by the whole delay, which would then have to be dropped again when the delay goes away.
const DRIFT_STEP = 10 * RATE;
// A leg behind the others gets up to this much silence at a time (every other window at the most). No
// audio is lost by it, so it need not creep like DRIFT_STEP: legs anchored hundreds of ms apart (the
// worker held one back longer) are realigned within half a minute, with a few short pauses. If the leg
// was only late for a while, the others get silence in turn when it comes back: again nothing is lost.
const REALIGN_STEP = 100 * RATE;
// How far ahead of the wall clock (its packets' arrival) silence may push a leg to realign it with
// legs ahead of it. Past that, the leg ahead is pulled back by dropping (DRIFT_STEP at a time): a
// sender whose clock runs fast, for over LEAD_CAP / its drift (1,000 ppm: 8 minutes), is dropped from
// as before, and the recording's timeline never runs more than LEAD_CAP ahead of the wall clock.
const LEAD_CAP = 500 * RATE;

/** Where a leg's audio goes: a channel of the recording, `end` samples long so far. */
export interface ChannelTimeline {
  readonly end: number;
  /** Appends an Opus packet; false if it is not a valid Opus packet (then nothing is appended). */
  audio(payload: Buffer, samples: number): boolean;
  /** Appends silence (a multiple of 120 samples). */
  silence(samples: number): void;
}

/** How late the recording's other active legs are: the least and the most of their last packets' lag. */
export interface OtherLegsLag {
  min: number;
  max: number;
}
/** The wall clock as the reference: the others' lag is 0 (a relay on its own, as before). */
export const WALL_CLOCK: OtherLegsLag = { min: 0, max: 0 };
/** No other leg is active: a lone leg is its recording's clock. */
export const NO_OTHER_LEG: OtherLegsLag = { min: Infinity, max: -Infinity };

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
  /** Packets left out, all reasons together (the three below). */
  dropped: number;
  /** ... not Opus packets (no length). */
  droppedInvalid: number;
  /** ... whose place had been written already: a duplicate, reordered, or later than FILL_LAG after a stall was filled. */
  droppedLate: number;
  /** ... left out to correct a sender's clock that runs fast. */
  droppedDrift: number;
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
  return fillSilence(channel, now - IDLE_FILL_LAG - channel.end);
}

/** The lag of the active legs of `legs` other than `leg` (the recording's legs still ticked). */
export function othersOf(legs: Iterable<LegRelay>, leg: LegRelay, heard: number): OtherLegsLag {
  let min = Infinity;
  let max = -Infinity;
  for (const l of legs) {
    if (l === leg || !l.activeAt(heard)) continue;
    min = Math.min(min, l.lastLag!);
    max = Math.max(max, l.lastLag!);
  }
  return { min, max };
}

/**
 * The recording's progress: how far the packets of its legs (those still ticked) have reached on the
 * timeline, no further than `now`; `now` itself if none has placed a packet. A worker that falls
 * behind delays every leg alike: silence is filled behind their progress, not behind the arrival clock.
 */
export function progressOf(legs: Iterable<LegRelay>, now: number): number {
  let reach = -Infinity;
  for (const l of legs) if (l.lastLag !== undefined) reach = Math.max(reach, l.reach);
  return reach === -Infinity ? now : Math.min(reach, now);
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
  private windowLags: number[] = []; // each placed packet's lag against the other legs'
  private windowOwnLags: number[] = []; // ... and against the wall clock (its arrival)
  private lastExcess = 0; // sign of the previous window's excess lag, if any
  private endsAt = Infinity; // the leg ended here: audio placed from here on is not its
  // The first packets of a leg (or of a new SSRC), held back until the leg is anchored.
  private held: Array<{ payload: Buffer; extTs: number; dur: number; arrival: number }> = [];
  /** When its last packet came (any packet, placed or not): a leg that gets none for STALL is silent. */
  lastArrival: number;
  /** Its last placed packet's arrival minus its place's end (undefined until one is placed). */
  lastLag: number | undefined;
  /** The end of its last placed packet on the timeline (-Infinity until one is placed). */
  reach = -Infinity;
  /** The recording's other active legs' lag, set by the recording before each receive or tick. */
  others: OtherLegsLag = WALL_CLOCK;
  readonly stats: LegRelayStats = { received: 0, forwarded: 0, silenceSamples: 0, dropped: 0, droppedInvalid: 0, droppedLate: 0, droppedDrift: 0, resyncs: 0 };

  /** `channel`: where the audio goes; `clock`: samples (48 kHz) since the recording's t=0, monotonic. */
  constructor(
    private readonly channel: ChannelTimeline,
    private readonly clock: () => number,
  ) {
    this.lastArrival = clock();
    this.resetWindow(this.lastArrival);
  }

  /** Whether it counts as another leg's reference: it has placed a packet, and got one within STALL of `heard`. */
  activeAt(heard: number): boolean {
    return this.lastLag !== undefined && heard - this.lastArrival <= STALL;
  }

  /** One RTP packet that arrived `now` (samples since t=0, from its kernel arrival time). */
  receive(pkt: RtpIn, now = this.clock()): void {
    const dur = opusPacketSamples(pkt.payload);
    if (now > this.lastArrival) this.lastArrival = now;
    if (dur === 0) {
      this.stats.received++;
      this.stats.dropped++;
      this.stats.droppedInvalid++;
      return;
    }
    if (pkt.ssrc !== this.inSsrc) {
      this.release(); // a new source: what the old one left waiting is placed first
      this.inSsrc = pkt.ssrc;
      this.mapped = false;
      this.extTs = pkt.timestamp;
    } else {
      this.extTs += (pkt.timestamp - this.lastTs) | 0; // signed 32-bit difference unwraps
    }
    this.lastTs = pkt.timestamp;

    if (!this.mapped) {
      // The leg's start: hold the packet back until enough have come to tell when it began.
      this.held.push({ payload: pkt.payload, extTs: this.extTs, dur, arrival: now });
      if (now - this.held[0]!.arrival >= HOLD) this.release();
      return;
    }
    this.resyncIfNewBase(this.extTs, dur, now);
    this.place(pkt.payload, this.extTs, dur, now);
  }

  private resyncIfNewBase(extTs: number, dur: number, now: number): void {
    const at = extTs + this.offset;
    const pos = this.channel.end;
    if (at + dur > now + AHEAD_RESYNC || at + dur < pos - BEHIND_RESYNC || this.lateStreak >= LATE_RESYNC) {
      // A new timestamp base: the packet ends now (it has just arrived); later ones follow their RTP
      // timestamps. If that place is already taken, it goes right after it.
      this.stats.resyncs++;
      this.anchor(Math.max(pos, now - dur) - extTs, now);
    }
  }

  /**
   * Anchors the held packets: each, taken back by its RTP timestamp, says the leg began no later than
   * its arrival; the earliest of those is when it began (a late-forwarded packet only says "later").
   * If that place is already taken (the leg began right after the recording did), the leg starts
   * right after it: at most a packet ahead of the wall clock, and nothing dropped.
   */
  private release(): void {
    const held = this.held;
    if (held.length === 0) return;
    this.held = [];
    let offset = Infinity;
    for (const p of held) offset = Math.min(offset, p.arrival - p.dur - p.extTs);
    const last = held[held.length - 1]!.arrival;
    // The other legs show how far behind the worker is: their lag, shared, is not this leg's start.
    const shared = this.others.min === Infinity ? 0 : Math.max(0, this.others.min);
    this.anchor(Math.max(this.channel.end - held[0]!.extTs, offset - shared), last);
    for (const p of held) {
      // Held packets obey the rule of later ones: a timestamp far from the others is a new base, not a
      // place hours ahead to fill with silence (a peer's leaps of 2^31 would each add 12 hours).
      this.resyncIfNewBase(p.extTs, p.dur, p.arrival);
      this.place(p.payload, p.extTs, p.dur, p.arrival);
    }
  }

  private anchor(offset: number, now: number): void {
    this.offset = offset;
    this.mapped = true;
    this.lateStreak = 0;
    this.dropBudget = 0;
    this.lastExcess = 0;
    this.resetWindow(now);
  }

  /** Places a packet of extended timestamp `extTs` that arrived `now` where the offset puts it. */
  private place(payload: Buffer, extTs: number, dur: number, now: number): void {
    const pos = this.channel.end;
    const at = extTs + this.offset;
    if (at >= this.endsAt) return; // placed after the leg ended: not this leg's audio, however early it arrived
    this.stats.received++;
    if (at < pos) {
      // Its place has already been written (a duplicate, a reordered or a very late packet).
      this.lateStreak++;
      this.stats.dropped++;
      this.stats.droppedLate++;
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
      this.stats.droppedDrift++;
      return;
    }
    if (!this.channel.audio(payload, dur)) {
      this.stats.dropped++;
      this.stats.droppedInvalid++;
      return;
    }
    this.stats.forwarded++;
    this.reach = this.channel.end;
    const lag = now - this.reach;
    this.lastLag = lag;
    // Against the other legs: a lag they share (a worker behind) or a lead they share (all anchored
    // while it was behind) is the recording's, not this sender's clock.
    // Measured against the other leg that is furthest ahead (the least lag): the legs behind it get
    // silence until they line up with it. No other active leg: nothing to line up with.
    const { min } = this.others;
    this.windowLags.push(min === Infinity ? 0 : lag - min);
    this.windowOwnLags.push(lag);
  }

  /**
   * The leg ends at `endsAt` (samples since t=0): from now on a packet is its audio only if it is
   * placed before then. Placed, not arrived: a starved worker stamps packets when it forwards them,
   * which can be long after they were sent, while their RTP timestamps still put them in place.
   */
  end(endsAt: number): void {
    this.endsAt = endsAt;
  }

  /**
   * Called every ~20-250 ms. `now`: the arrival clock (what the recording last heard from its worker);
   * `progress`: how far the recording's legs have reached on the timeline (no further than `now`).
   */
  tick(now = this.clock(), progress = now): void {
    if (this.held.length > 0) {
      // No more packets came to end the hold: anchor on those that did. Meanwhile the channel waits.
      if (now - this.held[0]!.arrival < HOLD_MAX) return;
      this.release();
    }
    const pos = this.channel.end;
    // Silent: nothing came for STALL. Packets that keep coming late are not silence: their places wait.
    // While another leg keeps arriving, the silent one is filled STOP_FILL_LAG behind, not FILL_LAG:
    // its own worker may have stopped, and its backlog then comes when the worker resumes.
    const othersArrive = this.others !== WALL_CLOCK && this.others.min !== Infinity;
    if (now - this.lastArrival > STALL && progress - pos > STALL) {
      this.fill(Math.floor((progress - (othersArrive ? STOP_FILL_LAG : FILL_LAG) - pos) / (20 * RATE)) * 20 * RATE);
      this.resetWindow(now);
      this.lastExcess = 0;
      return;
    }
    if (progress - pos > LAG_CAP) {
      this.fill(Math.floor((progress - LAG_CAP - pos) / (20 * RATE)) * 20 * RATE);
      this.resetWindow(now);
      this.lastExcess = 0;
      return;
    }
    if (now - this.windowStart < DRIFT_WINDOW || this.windowLags.length < 25) return;
    // Where this leg sits against the wall clock: a low percentile of the packets' lag (jitter only
    // adds delay, and a few early outliers must not count). Correct only when two windows in a row
    // agree, so that a burst of jitter is never mistaken for drift.
    const lowest = (lags: number[]) => [...lags].sort((a, b) => a - b)[Math.floor(lags.length / 10)]!;
    const lag = lowest(this.windowLags);
    const excess = lag > DRIFT_MAX ? 1 : lag < -DRIFT_MAX ? -1 : 0;
    if (excess !== 0 && excess === this.lastExcess) {
      // How far ahead of the wall clock the leg already is (its lag against its packets' arrival).
      const own = lowest(this.windowOwnLags);
      // Behind the others: silence, no further than LEAD_CAP ahead of the wall clock.
      // Against the wall clock (no other leg given), too much silence could only be undone by dropping:
      // DRIFT_STEP, as for dropping.
      if (excess > 0) this.offset += this.fill(Math.min(lag, this.others === WALL_CLOCK ? DRIFT_STEP : REALIGN_STEP, own + LEAD_CAP));
      // Ahead of them: they get the silence (each is behind this one), unless none can be delayed.
      else if (this.others === WALL_CLOCK || own < -LEAD_CAP) this.dropBudget = Math.min(-lag, DRIFT_STEP);
      this.lastExcess = 0;
    } else {
      this.lastExcess = excess;
    }
    this.resetWindow(now);
  }

  /** Silence up to the wall clock now: the leg ends, or the recording is being stopped. */
  flush(now = this.clock()): void {
    this.release();
    this.fill(now - this.channel.end);
  }

  private resetWindow(now: number): void {
    this.windowStart = now;
    this.windowLags = [];
    this.windowOwnLags = [];
  }

  private fill(samples: number): number {
    const covered = fillSilence(this.channel, samples);
    this.stats.silenceSamples += covered;
    return covered;
  }
}
