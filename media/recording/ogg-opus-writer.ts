// Writes one leg's Opus packets, as they are, into an Ogg/Opus file (RFC 7845): no decoding and no
// re-encoding, so recording a leg costs a few microseconds of Node per packet instead of an ffmpeg.
//
// Crash safety: audio pages are written through (fs.writeSync) every PAGE_PACKETS packets, so after
// a crash the file holds everything but the last page (≤ 0.2 s at 20 ms packets) and every page is
// complete and checksummed: decoders read the file up to its last whole page.
import fs from 'node:fs';
import { opusPacketSamples } from './rtp.js';

const PAGE_PACKETS = 10; // 10 × 20 ms = one page every 200 ms
const MAX_SEGMENTS = 255;

// CRC-32 of Ogg: polynomial 0x04c11db7, initial value 0, no reflection, no final xor.
const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let j = 0; j < 8; j++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
    t[i] = r >>> 0;
  }
  return t;
})();

export function oggCrc(buf: Uint8Array): number {
  let crc = 0;
  for (const byte of buf) crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ byte) & 0xff]!) >>> 0;
  return crc >>> 0;
}

const FLAG_CONTINUED = 0x01;
const FLAG_BOS = 0x02;
const FLAG_EOS = 0x04;

/** One Ogg page holding whole packets (none may span pages here: each is < 255 × 255 bytes). */
export function oggPage(o: { packets: readonly Uint8Array[]; granule: bigint; serial: number; sequence: number; flags: number }): Buffer {
  const lacing: number[] = [];
  for (const p of o.packets) {
    let n = p.length;
    while (n >= 255) {
      lacing.push(255);
      n -= 255;
    }
    lacing.push(n);
  }
  if (lacing.length > MAX_SEGMENTS) throw new Error(`an Ogg page holds at most ${MAX_SEGMENTS} segments; got ${lacing.length}`);
  const header = Buffer.alloc(27 + lacing.length);
  header.write('OggS', 0, 'latin1');
  header[4] = 0; // version
  header[5] = o.flags;
  header.writeBigInt64LE(o.granule, 6);
  header.writeUInt32LE(o.serial >>> 0, 14);
  header.writeUInt32LE(o.sequence >>> 0, 18);
  header.writeUInt32LE(0, 22); // CRC, filled below
  header[26] = lacing.length;
  lacing.forEach((v, i) => (header[27 + i] = v));
  const page = Buffer.concat([header, ...o.packets]);
  page.writeUInt32LE(oggCrc(page), 22);
  return page;
}

/** The identification header (RFC 7845 §5.1): mono, no pre-skip (the packets come from a live encoder mid-stream). */
export function opusHead(channels = 1, inputRate = 48000): Buffer {
  const b = Buffer.alloc(19);
  b.write('OpusHead', 0, 'latin1');
  b[8] = 1; // version
  b[9] = channels;
  b.writeUInt16LE(0, 10); // pre-skip
  b.writeUInt32LE(inputRate, 12);
  b.writeInt16LE(0, 16); // output gain
  b[18] = 0; // channel mapping family 0: mono or stereo
  return b;
}

export function opusTags(vendor = 'callmark'): Buffer {
  const v = Buffer.from(vendor, 'utf8');
  const b = Buffer.alloc(8 + 4 + v.length + 4);
  b.write('OpusTags', 0, 'latin1');
  b.writeUInt32LE(v.length, 8);
  v.copy(b, 12);
  b.writeUInt32LE(0, 12 + v.length); // no user comments
  return b;
}

export interface OggOpusWriterStats {
  packets: number;
  samples: number;
  bytes: number;
}

/**
 * One mono Ogg/Opus file, appended packet by packet. Mono because a leg is one person: a stereo
 * packet (TOC stereo flag) is still valid in a mono stream, the decoder downmixes it.
 */
export class OggOpusWriter {
  private readonly fd: number;
  private readonly serial = (Math.random() * 0x100000000) >>> 0;
  private sequence = 0;
  private granule = 0n;
  private pending: Buffer[] = [];
  private closed = false;
  readonly stats: OggOpusWriterStats = { packets: 0, samples: 0, bytes: 0 };

  constructor(readonly file: string) {
    this.fd = fs.openSync(file, 'wx');
    this.writePage([opusHead()], 0n, FLAG_BOS);
    this.writePage([opusTags()], 0n, 0);
  }

  /** Appends one Opus packet (an RTP payload); packets that are not Opus are skipped. */
  write(packet: Buffer): void {
    if (this.closed) return;
    const samples = opusPacketSamples(packet);
    if (samples === 0) return;
    this.pending.push(Buffer.from(packet));
    this.granule += BigInt(samples);
    this.stats.packets++;
    this.stats.samples += samples;
    if (this.pending.length >= PAGE_PACKETS) this.flush();
  }

  /** Writes the packets held so far as one page (a crash loses at most what is pending). */
  flush(flags = 0): void {
    if (this.pending.length === 0 && !(flags & FLAG_EOS)) return;
    this.writePage(this.pending, this.granule, flags);
    this.pending = [];
  }

  /** Last page with end-of-stream, then close. Safe to call twice. */
  close(): void {
    if (this.closed) return;
    this.flush(FLAG_EOS);
    this.closed = true;
    fs.fsyncSync(this.fd);
    fs.closeSync(this.fd);
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

export { FLAG_BOS, FLAG_CONTINUED, FLAG_EOS };
