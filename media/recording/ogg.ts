// Ogg pages (RFC 3533) and the Ogg Opus headers (RFC 7845 §5), written and read back.
// https://www.rfc-editor.org/rfc/rfc3533 · https://www.rfc-editor.org/rfc/rfc7845

// CRC-32 of Ogg: polynomial 0x04c11db7, initial value 0, no reflection, no final xor (RFC 3533 §6).
// Eight tables, so that eight bytes are folded in per step ("slicing-by-8"): CRC_TABLES[k][i] is the
// CRC of byte i followed by k zero bytes.
const CRC_TABLES = (() => {
  const t = Array.from({ length: 8 }, () => new Uint32Array(256));
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let j = 0; j < 8; j++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
    t[0]![i] = r >>> 0;
  }
  for (let k = 1; k < 8; k++) for (let i = 0; i < 256; i++) t[k]![i] = ((t[k - 1]![i]! << 8) ^ t[0]![t[k - 1]![i]! >>> 24]!) >>> 0;
  return t;
})();

export function oggCrc(buf: Uint8Array): number {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = CRC_TABLES as [Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array];
  let crc = 0;
  let i = 0;
  for (const end = buf.length - 7; i < end; i += 8) {
    crc ^= (buf[i]! << 24) | (buf[i + 1]! << 16) | (buf[i + 2]! << 8) | buf[i + 3]!;
    crc = t7[crc >>> 24]! ^ t6[(crc >>> 16) & 0xff]! ^ t5[(crc >>> 8) & 0xff]! ^ t4[crc & 0xff]! ^ t3[buf[i + 4]!]! ^ t2[buf[i + 5]!]! ^ t1[buf[i + 6]!]! ^ t0[buf[i + 7]!]!;
  }
  for (; i < buf.length; i++) crc = (crc << 8) ^ t0[((crc >>> 24) ^ buf[i]!) & 0xff]!;
  return crc >>> 0;
}

export const FLAG_CONTINUED = 0x01;
export const FLAG_BOS = 0x02;
export const FLAG_EOS = 0x04;
export const MAX_SEGMENTS = 255;

/** One Ogg page holding whole packets (the header pages: each < 255 × 255 bytes; OggOpusWriter spans longer ones over pages). */
export function oggPage(o: { packets: readonly Uint8Array[]; granule: bigint; serial: number; sequence: number; flags: number }): Buffer {
  let segments = 0;
  let bytes = 0;
  for (const p of o.packets) {
    segments += Math.floor(p.length / 255) + 1;
    bytes += p.length;
  }
  if (segments > MAX_SEGMENTS) throw new Error(`an Ogg page holds at most ${MAX_SEGMENTS} segments; got ${segments}`);
  const page = Buffer.allocUnsafe(27 + segments + bytes);
  page.write('OggS', 0, 'latin1');
  page[4] = 0; // version
  page[5] = o.flags;
  page.writeBigInt64LE(o.granule, 6);
  page.writeUInt32LE(o.serial >>> 0, 14);
  page.writeUInt32LE(o.sequence >>> 0, 18);
  page.writeUInt32LE(0, 22); // CRC, filled below
  page[26] = segments;
  let lace = 27;
  let data = 27 + segments;
  for (const p of o.packets) {
    for (let n = p.length; ; n -= 255) {
      page[lace++] = Math.min(n, 255);
      if (n < 255) break;
    }
    page.set(p, data);
    data += p.length;
  }
  page.writeUInt32LE(oggCrc(page), 22);
  return page;
}

/**
 * The identification header (RFC 7845 §5.1). One channel: mapping family 0. Two channels: mapping
 * family 1 with two streams, none coupled, channel 0 (left) from stream 0 and channel 1 (right)
 * from stream 1: each side is its own mono Opus stream, so the decoder can never blend one side
 * into the other (coupled stereo would code mid/side and intensity stereo at low bitrates).
 */
export function opusHead(o: { channels: 1 | 2; preSkip?: number; inputRate?: number }): Buffer {
  const family = o.channels === 1 ? 0 : 1;
  const b = Buffer.alloc(family === 0 ? 19 : 21 + o.channels);
  b.write('OpusHead', 0, 'latin1');
  b[8] = 1; // version
  b[9] = o.channels;
  b.writeUInt16LE(o.preSkip ?? 0, 10);
  b.writeUInt32LE(o.inputRate ?? 48000, 12);
  b.writeInt16LE(0, 16); // output gain
  b[18] = family;
  if (family === 1) {
    b[19] = o.channels; // stream count: one mono stream per channel
    b[20] = 0; // coupled stream count
    for (let c = 0; c < o.channels; c++) b[21 + c] = c; // channel mapping: channel c ← stream c
  }
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

export interface OggPacket {
  data: Buffer;
  /** Granule position of the page on which the packet ends, if it is the page's last packet; else -1. */
  granule: bigint;
}

/**
 * The packets of a single-stream Ogg file in order, joined across lacing values and pages. Pages
 * that are cut short or fail their CRC end the reading (a file whose writer stopped mid-page).
 */
export function readOggPackets(buf: Buffer): OggPacket[] {
  const packets: OggPacket[] = [];
  let partial: Buffer[] = [];
  let off = 0;
  while (off + 27 <= buf.length && buf.toString('latin1', off, off + 4) === 'OggS') {
    const segments = buf[off + 26]!;
    const lacing = buf.subarray(off + 27, off + 27 + segments);
    const size = 27 + segments + lacing.reduce((s, x) => s + x, 0);
    if (off + size > buf.length) break;
    const page = Buffer.from(buf.subarray(off, off + size));
    const crc = page.readUInt32LE(22);
    page.writeUInt32LE(0, 22);
    if (oggCrc(page) !== crc) break;
    const granule = buf.readBigInt64LE(off + 6);
    let data = off + 27 + segments;
    const ending: number[] = [];
    for (const len of lacing) {
      partial.push(buf.subarray(data, data + len));
      data += len;
      if (len < 255) {
        ending.push(packets.length);
        packets.push({ data: Buffer.concat(partial), granule: -1n });
        partial = [];
      }
    }
    if (ending.length) packets[ending.at(-1)!]!.granule = granule;
    off += size;
  }
  return packets;
}
