// Turns one or two channel timelines (each a run of Opus packets and silences, see leg-relay.ts)
// into the Ogg packets of the recording, while the call runs: no decoding, no re-encoding.
//
// Two channels make an Ogg Opus stream of mapping family 1 with two uncoupled mono streams (ogg.ts):
// each Ogg packet holds one Opus packet per stream, "all of the Opus packets in a single Ogg packet
// MUST be constrained to have the same duration", and every stream but the last uses the
// self-delimiting framing of RFC 6716 Appendix B (RFC 7845 §5.1.1 and §3,
// https://www.rfc-editor.org/rfc/rfc7845#section-5.1.1). So the two channels are paired packet by
// packet:
//  - a packet against silence: the silence becomes a silent packet of the same length;
//  - two packets of one length (browsers send 20 ms): paired as they are;
//  - packets of different lengths (e.g. 20 ms against 10 ms): the shorter side's frames are joined
//    into one packet as long as the other (RFC 6716 §3.2 code 1-3 framing, same TOC configuration);
//  - when that cannot be done (a different configuration, or a side's packets not lining up with
//    the other's), one side gets silence for the other's packet and its own audio follows a little
//    later: its "debt", paid back from its next silence. No received packet is left out, unless a
//    side talks without any pause until its debt passes 1 s (never with browsers, which send 20 ms
//    packets on both sides; counted in its stats).
// Each party therefore stays alone in its own channel, at every instant.
// The live stereo file is paired by native/mux.c in the RTP receiver process, a port of this file held
// to it by tests/media/recording/native-pipeline.test.ts; this one is the reference.
import { buildOpusPacket, pairSelfDelimited, parseOpusPacket, silencePacket, simpleOpusPacketSamples, type OpusFrames } from './opus-packet.js';
import type { ChannelTimeline } from './leg-relay.js';

const MAX_SILENT_PACKET = 960; // pure silence on both sides goes out in 20 ms packets
const MAX_FRAMES = 48; // RFC 6716 §3.2.5: at most 48 frames (and 120 ms) in a packet
const MAX_DEBT = 48_000; // 1 s

// An audio item's frames are split out only when they are needed (joining or reframing packets):
// most packets are paired as they come (pairSelfDelimited), and not splitting them saves an
// allocation or three per packet.
type AudioItem = { kind: 'audio'; payload: Buffer; frames: OpusFrames | undefined; samples: number };
type Item = AudioItem | { kind: 'silence'; samples: number };

/** The frames of an audio item (already checked by MuxChannel.audio, so never undefined). */
function framesOf(item: AudioItem): OpusFrames {
  return (item.frames ??= parseOpusPacket(item.payload)!);
}

export interface MuxChannelStats {
  /** Received packets written as they came. */
  audioPackets: number;
  /** Received packets joined with neighbours into one longer packet. */
  joinedPackets: number;
  malformedPackets: number;
  /** Silence written, in samples. */
  silenceSamples: number;
  /** Times this channel's audio had to wait for the other channel's packet (see "debt"). */
  shifts: number;
  /** Largest delay of this channel's audio behind its place, in samples (0 with browsers). */
  maxDebt: number;
  /** Received packets left out because the debt passed MAX_DEBT (0 with browsers). */
  droppedPackets: number;
}

export class MuxChannel implements ChannelTimeline {
  private items: Item[] = [];
  private head = 0;
  /** Samples queued, not yet written. */
  queued = 0;
  /** Samples committed to this channel since t=0: where the next packet or silence goes. */
  end = 0;
  /** Samples by which the queued audio is written later than its place. */
  debt = 0;
  readonly stats: MuxChannelStats = { audioPackets: 0, joinedPackets: 0, malformedPackets: 0, silenceSamples: 0, shifts: 0, maxDebt: 0, droppedPackets: 0 };

  constructor(start = 0) {
    this.end = start;
  }

  audio(payload: Buffer, samples: number): boolean {
    const simple = simpleOpusPacketSamples(payload);
    const frames = simple === undefined ? parseOpusPacket(payload) : undefined;
    const valid = simple === undefined ? frames !== undefined && frames.samples === samples : simple !== 0 && simple === samples;
    if (!valid || samples % 120 !== 0) {
      this.stats.malformedPackets++;
      return false;
    }
    this.items.push({ kind: 'audio', payload, frames, samples });
    this.queued += samples;
    this.end += samples;
    return true;
  }

  silence(samples: number): void {
    if (samples <= 0) return;
    if (samples % 120 !== 0) throw new Error(`silence must be whole 2.5 ms steps, not ${samples} samples`);
    const last = this.items[this.items.length - 1];
    if (this.items.length > this.head && last?.kind === 'silence') last.samples += samples;
    else this.items.push({ kind: 'silence', samples });
    this.queued += samples;
    this.end += samples;
  }

  peek(offset = 0): Item | undefined {
    return this.items[this.head + offset];
  }

  get length(): number {
    return this.items.length - this.head;
  }

  pop(): void {
    const item = this.items[this.head++]!;
    this.queued -= item.samples;
    if (this.head > 256 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }

  /** Drops everything queued (the padding left when the recording ends). */
  clear(): void {
    this.items = [];
    this.head = 0;
    this.queued = 0;
  }

  /** Takes `samples` of the silence at the head. */
  takeSilence(samples: number): void {
    const item = this.peek()!;
    if (item.samples <= samples) this.pop();
    else {
      item.samples -= samples;
      this.queued -= samples;
    }
  }

  /** Pays back debt from silence at the head: the audio after it moves back to its place. */
  repay(): void {
    while (this.debt > 0) {
      const item = this.peek();
      if (item?.kind !== 'silence') return;
      const r = Math.min(this.debt, item.samples);
      this.takeSilence(r);
      this.debt -= r;
    }
  }

  /**
   * A side that has talked without a pause for so long that its debt passed MAX_DEBT catches up by
   * leaving out packets (counted): the recording must not drift away from the wall clock.
   */
  limitDebt(): void {
    while (this.debt > MAX_DEBT) {
      const item = this.peek();
      if (item?.kind !== 'audio') return;
      this.pop();
      this.debt -= item.samples;
      this.stats.droppedPackets++;
    }
  }

  owe(samples: number): void {
    this.debt += samples;
    this.stats.shifts++;
    this.stats.maxDebt = Math.max(this.stats.maxDebt, this.debt);
  }
}

/** Writes each Ogg packet and its length in samples (the Ogg Opus writer's write()). */
export type PacketSink = (packet: Buffer, samples: number) => void;

export class StreamMuxer {
  readonly channels: MuxChannel[];
  /** Samples written so far. */
  position = 0;

  constructor(
    channelCount: 1 | 2,
    private readonly sink: PacketSink,
  ) {
    this.channels = Array.from({ length: channelCount }, () => new MuxChannel());
  }

  /** Writes everything that can be written now. */
  drain(): void {
    if (this.channels.length === 1) this.drainMono(this.channels[0]!, Infinity);
    else this.drainPairs(Infinity);
  }

  /** End of the recording: writes what is queued, each side padded with silence to the longer one. */
  finish(): void {
    const goal = this.position + Math.max(...this.channels.map((c) => c.queued));
    if (this.channels.length === 1) return this.drainMono(this.channels[0]!, goal);
    for (let round = 0; round < 4 && this.position < goal; round++) {
      // Enough silence behind each side that nothing waits for a packet that will never come.
      const longest = Math.max(...this.channels.map((c) => c.queued + c.debt));
      for (const c of this.channels) c.silence(Math.ceil((longest - c.queued + 5760) / 120) * 120);
      this.drainPairs(goal);
    }
    // What is left is the padding beyond the longer side: not part of the recording.
    for (const c of this.channels) c.clear();
  }

  private drainMono(c: MuxChannel, goal: number): void {
    for (let item = c.peek(); item && this.position < goal; item = c.peek()) {
      if (item.kind === 'audio') {
        this.write(item.payload, item.samples);
        c.stats.audioPackets++;
        c.pop();
      } else {
        const d = Math.min(item.samples, MAX_SILENT_PACKET);
        this.write(silencePacket(d), d);
        c.stats.silenceSamples += d;
        c.takeSilence(d);
      }
    }
  }

  private drainPairs(goal: number): void {
    const [a, b] = this.channels as [MuxChannel, MuxChannel];
    while (this.position < goal) {
      a.repay();
      b.repay();
      a.limitDebt();
      b.limitDebt();
      const ha = a.peek();
      const hb = b.peek();
      if (!ha || !hb) return;
      if (ha.kind === 'silence' && hb.kind === 'silence') {
        const d = Math.min(ha.samples, hb.samples, MAX_SILENT_PACKET, goal - this.position);
        this.writePair(silencePacket(d, true), silencePacket(d), d);
        a.stats.silenceSamples += d;
        b.stats.silenceSamples += d;
        a.takeSilence(d);
        b.takeSilence(d);
      } else if (ha.kind === 'audio' && hb.kind === 'audio' && ha.samples === hb.samples) {
        const pair = pairSelfDelimited(ha.payload, hb.payload);
        if (pair) this.write(pair, ha.samples);
        else this.writePair(buildOpusPacket(framesOf(ha).toc, framesOf(ha).frames, true), hb.payload, ha.samples);
        a.stats.audioPackets++;
        b.stats.audioPackets++;
        a.pop();
        b.pop();
      } else {
        // One side has audio that is longer than what the other side has at the same place.
        const [long, short] = ha.kind === 'audio' && (hb.kind === 'silence' || ha.samples > hb.samples) ? [a, b] : [b, a];
        const d = long.peek()!.samples;
        const filler = this.fillerFor(short, d);
        if (filler === 'wait') return;
        if (filler === 'unpairable') {
          // The short side's next packet goes out on its own, against silence on the long side,
          // whose audio follows right after it.
          const item = short.peek() as AudioItem;
          const own = (sd: boolean) => (sd ? buildOpusPacket(framesOf(item).toc, framesOf(item).frames, true) : item.payload);
          if (short === a) this.writePair(own(true), silencePacket(item.samples), item.samples);
          else this.writePair(silencePacket(item.samples, true), own(false), item.samples);
          short.stats.audioPackets++;
          short.pop();
          long.stats.silenceSamples += item.samples;
          long.owe(item.samples);
          continue;
        }
        const longItem = long.peek() as AudioItem;
        const longPacket = (sd: boolean) => (sd ? buildOpusPacket(framesOf(longItem).toc, framesOf(longItem).frames, true) : longItem.payload);
        const shortPacket = (sd: boolean) => (filler === 'silence' ? silencePacket(d, sd) : buildOpusPacket(filler.toc, filler.frames, sd));
        if (long === a) this.writePair(longPacket(true), shortPacket(false), d);
        else this.writePair(shortPacket(true), longPacket(false), d);
        long.stats.audioPackets++;
        long.pop();
      }
    }
  }

  /**
   * What the short side writes against `d` samples of the other side's audio: its own frames joined
   * into one packet, silence, 'unpairable' (its next packets cannot be joined to last d), or 'wait'
   * (what it has queued does not decide it yet). Takes from the short side's queue what it uses.
   */
  private fillerFor(short: MuxChannel, d: number): OpusFrames | 'silence' | 'unpairable' | 'wait' {
    const head = short.peek()!;
    if (head.kind === 'silence') {
      if (head.samples >= d) {
        short.takeSilence(d);
        short.stats.silenceSamples += d;
        return 'silence';
      }
      if (short.length < 2) return 'wait';
      // Its next audio would start inside the other side's packet: it starts after it instead.
      short.takeSilence(head.samples);
      short.stats.silenceSamples += d;
      short.owe(d - head.samples);
      return 'silence';
    }
    // Join the short side's next packets if they have the same configuration and add up to d.
    const frames: Uint8Array[] = [];
    let total = 0;
    let count = 0;
    for (let i = 0; total < d; i++) {
      const item = short.peek(i);
      if (!item) return 'wait';
      if (item.kind !== 'audio' || framesOf(item).toc !== framesOf(head).toc) break;
      frames.push(...framesOf(item).frames);
      total += item.samples;
      count++;
    }
    if (total === d && frames.length <= MAX_FRAMES) {
      for (let i = 0; i < count; i++) short.pop();
      short.stats.joinedPackets += count;
      return { toc: framesOf(head).toc, frames, samples: d };
    }
    return 'unpairable';
  }

  private writePair(first: Buffer, last: Buffer, samples: number): void {
    const packet = Buffer.allocUnsafe(first.length + last.length);
    packet.set(first, 0);
    packet.set(last, first.length);
    this.write(packet, samples);
  }

  private write(packet: Buffer, samples: number): void {
    this.sink(packet, samples);
    this.position += samples;
  }
}
