// Appends Opus packets, as they are, to an Ogg Opus file (RFC 7845): no decoding, no re-encoding.
// One channel (mapping family 0) or two (family 1: two mono streams, left and right, each Ogg packet
// holding one Opus packet per stream; see ogg.ts and stream-muxer.ts).
//
// Crash safety: pages are written through (fs.writeSync) every PAGE_PACKETS packets, so after a
// crash the file holds everything but the last page (≤ 0.2 s at 20 ms packets), and every page is
// complete and checksummed: decoders read the file up to its last whole page.
import fs from 'node:fs';
import { FLAG_BOS, FLAG_EOS, MAX_SEGMENTS, oggPage, opusHead, opusTags } from './ogg.js';

const PAGE_PACKETS = 10; // 10 × 20 ms = one page every 200 ms

export interface OggOpusWriterStats {
  packets: number;
  samples: number;
  bytes: number;
}

export class OggOpusWriter {
  private readonly fd: number;
  private readonly serial = (Math.random() * 0x100000000) >>> 0;
  private sequence = 0;
  // Samples of every packet written, pre-skip included (RFC 7845 §4: playback lasts granule − pre-skip).
  // A number, not a bigint: exact up to 2^53 samples (5,900 years at 48 kHz), and no allocation per packet.
  private granule = 0;
  private pending: Buffer[] = [];
  private pendingSegments = 0;
  private closed = false;
  readonly stats: OggOpusWriterStats = { packets: 0, samples: 0, bytes: 0 };

  /** preSkip: samples the decoder drops at the start (RFC 7845 §4.2); 0 for packets taken mid-stream. */
  constructor(
    readonly file: string,
    readonly opts: { channels: 1 | 2; preSkip?: number } = { channels: 1 },
  ) {
    this.fd = fs.openSync(file, 'wx');
    try {
      this.writePage([opusHead({ channels: opts.channels, preSkip: opts.preSkip })], 0n, FLAG_BOS);
      this.writePage([opusTags()], 0n, 0);
    } catch (err) {
      fs.closeSync(this.fd);
      throw err;
    }
  }

  /** Appends one Ogg packet lasting `samples` (48 kHz); throws if the write fails (e.g. ENOSPC). */
  write(packet: Buffer, samples: number): void {
    if (this.closed) return;
    const segments = Math.floor(packet.length / 255) + 1; // lacing values of the packet (RFC 3533 §6)
    if (this.pendingSegments + segments > MAX_SEGMENTS) this.flush();
    this.pending.push(packet);
    this.pendingSegments += segments;
    this.granule += samples;
    this.stats.packets++;
    this.stats.samples += samples;
    if (this.pending.length >= PAGE_PACKETS) this.flush();
  }

  /** Writes the packets held so far as one page (a crash loses at most what is pending). */
  flush(flags = 0): void {
    if (this.pending.length === 0 && !(flags & FLAG_EOS)) return;
    const packets = this.pending;
    this.pending = [];
    this.pendingSegments = 0;
    this.writePage(packets, BigInt(this.granule), flags);
  }

  /** Last page with end-of-stream, then close. Safe to call twice; the file is closed even if writing fails. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.flush(FLAG_EOS);
      fs.fsyncSync(this.fd);
    } finally {
      fs.closeSync(this.fd);
    }
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Seconds of audio written. */
  get durationSeconds(): number {
    return this.stats.samples / 48000;
  }

  private writePage(packets: readonly Buffer[], granule: bigint, flags: number): void {
    const page = oggPage({ packets, granule, serial: this.serial, sequence: this.sequence++, flags });
    fs.writeSync(this.fd, page);
    this.stats.bytes += page.length;
  }
}
