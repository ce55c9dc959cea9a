// Appends Opus packets, as they are, to an Ogg Opus file (RFC 7845): no decoding, no re-encoding.
// One channel (mapping family 0) or two (family 1: two mono streams, left and right, each Ogg packet
// holding one Opus packet per stream; see ogg.ts and stream-muxer.ts).
//
// Crash safety: pages are written through (fs.writeSync) every PAGE_PACKETS packets, so after a
// crash the file holds everything but the last page (≤ 0.2 s at 20 ms packets), and every page is
// complete and checksummed: decoders read the file up to its last whole page.
//
// The packets of the page being filled are copied into one buffer that the writer keeps for its
// whole life, not held as Buffers until the page is written: held for 0.2 s, those outlive V8's young
// generation. The same bytes as before; 4 % less CPU per packet in bench/recording-path.ts
// (bench/README.md, "Where Node's share goes").
// The live stereo file is written by native/ogg-writer.c in the RTP receiver process, the same bytes
// (tests/media/recording/native-pipeline.test.ts); this one writes leg files and mixes.
import fs from 'node:fs';
import { FLAG_BOS, FLAG_CONTINUED, FLAG_EOS, MAX_SEGMENTS, oggCrc, oggPage, opusHead, opusTags } from './ogg.js';

const PAGE_PACKETS = 10; // 10 × 20 ms = one page every 200 ms
const HEADER_MAX = 27 + MAX_SEGMENTS; // a page header with its segment table (RFC 3533 §6)
const SPAN_BYTES = 255 * MAX_SEGMENTS; // a full page's body: 255 lacing values of 255

export interface OggOpusWriterStats {
  packets: number;
  samples: number;
  bytes: number;
}

export class OggOpusWriter {
  private readonly fd: number;
  private readonly serial: number;
  private sequence = 0;
  // Samples of every packet written, pre-skip included (RFC 7845 §4: playback lasts granule − pre-skip).
  // A number, not a bigint: exact up to 2^53 samples (5,900 years at 48 kHz), and no allocation per packet.
  private granule = 0;
  // The page being filled: its body from HEADER_MAX on, its header written in front of it at flush.
  private page = Buffer.allocUnsafe(HEADER_MAX + 4096);
  private bodyBytes = 0;
  private pendingPackets = 0;
  private readonly lacing = new Uint8Array(MAX_SEGMENTS);
  private pendingSegments = 0;
  // The page being filled starts with the rest of a packet begun on the page before (RFC 3533 §6).
  private continued = false;
  private closed = false;
  readonly stats: OggOpusWriterStats = { packets: 0, samples: 0, bytes: 0 };

  /**
   * preSkip: samples the decoder drops at the start (RFC 7845 §4.2); 0 for packets taken mid-stream.
   * serial: the stream's serial number (random unless given: the native pipeline's test compares files).
   */
  constructor(
    readonly file: string,
    readonly opts: { channels: 1 | 2; preSkip?: number; serial?: number } = { channels: 1 },
  ) {
    this.serial = opts.serial ?? (Math.random() * 0x100000000) >>> 0;
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
    // A packet of more than 255 lacing values (255 × 255 bytes or more: two peers' 120 ms of 1275-byte
    // frames, or padding) does not fit in one page: it spans pages, each after the first flagged as
    // continuing it, granule -1 where no packet ends (RFC 3533 §6). As native/ogg-writer.c does.
    let offset = 0;
    for (; packet.length - offset >= SPAN_BYTES; offset += SPAN_BYTES) this.writeSpanPage(packet.subarray(offset, offset + SPAN_BYTES));
    if (offset > 0) packet = packet.subarray(offset);
    if (HEADER_MAX + this.bodyBytes + packet.length > this.page.length) {
      const larger = Buffer.allocUnsafe(2 * (HEADER_MAX + this.bodyBytes + packet.length));
      this.page.copy(larger, HEADER_MAX, HEADER_MAX, HEADER_MAX + this.bodyBytes);
      this.page = larger;
    }
    this.page.set(packet, HEADER_MAX + this.bodyBytes);
    this.bodyBytes += packet.length;
    for (let n = packet.length; ; n -= 255) {
      this.lacing[this.pendingSegments++] = Math.min(n, 255);
      if (n < 255) break;
    }
    this.pendingPackets++;
    this.granule += samples;
    this.stats.packets++;
    this.stats.samples += samples;
    if (this.pendingPackets >= PAGE_PACKETS) this.flush();
  }

  /** Writes the packets held so far as one page (a crash loses at most what is pending). */
  flush(flags = 0): void {
    if (this.pendingPackets === 0 && !(flags & FLAG_EOS)) return;
    // The header goes right in front of the body, so the page is one contiguous run of bytes.
    const segments = this.pendingSegments;
    const start = HEADER_MAX - 27 - segments;
    const page = this.page;
    page.write('OggS', start, 'latin1');
    page[start + 4] = 0; // version
    page[start + 5] = flags | (this.continued ? FLAG_CONTINUED : 0);
    page.writeUIntLE(this.granule % 2 ** 48, start + 6, 6); // granule: 64-bit LE; < 2^53 (see above)
    page.writeUInt16LE(Math.floor(this.granule / 2 ** 48), start + 12);
    page.writeUInt32LE(this.serial, start + 14);
    page.writeUInt32LE(this.sequence++ >>> 0, start + 18);
    page.writeUInt32LE(0, start + 22); // CRC, filled below
    page[start + 26] = segments;
    page.set(this.lacing.subarray(0, segments), start + 27);
    const bytes = page.subarray(start, HEADER_MAX + this.bodyBytes);
    page.writeUInt32LE(oggCrc(bytes), start + 22);
    this.continued = false;
    this.bodyBytes = 0;
    this.pendingPackets = 0;
    this.pendingSegments = 0;
    fs.writeSync(this.fd, bytes);
    this.stats.bytes += bytes.length;
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

  /** A page of 255 lacing values of 255 bytes: the next 255 × 255 bytes of a packet that goes on. */
  private writeSpanPage(part: Buffer): void {
    const header = Buffer.alloc(27 + MAX_SEGMENTS, 255);
    header.write('OggS', 0, 'latin1');
    header[4] = 0; // version
    header[5] = this.continued ? FLAG_CONTINUED : 0;
    header.writeBigInt64LE(-1n, 6); // no packet ends on this page
    header.writeUInt32LE(this.serial, 14);
    header.writeUInt32LE(this.sequence++ >>> 0, 18);
    header.writeUInt32LE(0, 22); // CRC, filled below
    header[26] = MAX_SEGMENTS;
    const page = Buffer.concat([header, part]);
    page.writeUInt32LE(oggCrc(page), 22);
    this.continued = true;
    fs.writeSync(this.fd, page);
    this.stats.bytes += page.length;
  }

  private writePage(packets: readonly Buffer[], granule: bigint, flags: number): void {
    const page = oggPage({ packets, granule, serial: this.serial, sequence: this.sequence++, flags });
    fs.writeSync(this.fd, page);
    this.stats.bytes += page.length;
  }
}
