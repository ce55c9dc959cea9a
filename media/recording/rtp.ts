// Just enough RTP and Opus to relay one audio leg: read a packet's timestamp and payload, write a
// clean packet (no extensions, our own sequence numbers), know how long an Opus packet lasts, and
// make Opus packets of pure silence to fill time in which a party sent nothing.

export interface RtpPacket {
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  payload: Buffer;
}

/** Parses an RTP packet; undefined for RTCP (RFC 5761 demultiplexing) and for anything malformed. */
export function parseRtp(buf: Buffer): RtpPacket | undefined {
  if (buf.length < 12 || buf[0]! >> 6 !== 2) return undefined;
  const second = buf[1]!;
  if (second >= 192 && second <= 223) return undefined; // RTCP SR/RR/SDES/BYE/APP
  let offset = 12 + 4 * (buf[0]! & 0x0f);
  if (buf[0]! & 0x10) {
    if (buf.length < offset + 4) return undefined;
    offset += 4 + 4 * buf.readUInt16BE(offset + 2);
  }
  let end = buf.length;
  if (buf[0]! & 0x20) end -= buf[buf.length - 1]!;
  if (end <= offset) return undefined;
  return {
    payloadType: second & 0x7f,
    sequenceNumber: buf.readUInt16BE(2),
    timestamp: buf.readUInt32BE(4),
    ssrc: buf.readUInt32BE(8),
    payload: buf.subarray(offset, end),
  };
}

export function buildRtp(p: { payloadType: number; sequenceNumber: number; timestamp: number; ssrc: number; payload: Buffer }): Buffer {
  const out = Buffer.allocUnsafe(12 + p.payload.length);
  out[0] = 0x80;
  out[1] = p.payloadType & 0x7f;
  out.writeUInt16BE(p.sequenceNumber & 0xffff, 2);
  out.writeUInt32BE(p.timestamp >>> 0, 4);
  out.writeUInt32BE(p.ssrc >>> 0, 8);
  p.payload.copy(out, 12);
  return out;
}

/** Samples at 48 kHz in one Opus packet (RFC 6716 §3.1: TOC byte and frame count); 0 if malformed. */
export function opusPacketSamples(payload: Buffer): number {
  if (payload.length < 1) return 0;
  const toc = payload[0]!;
  const config = toc >> 3;
  let frameSamples: number;
  if (config < 12) frameSamples = [480, 960, 1920, 2880][config & 3]!; // SILK 10/20/40/60 ms
  else if (config < 16) frameSamples = [480, 960][config & 1]!; // hybrid 10/20 ms
  else frameSamples = [120, 240, 480, 960][config & 3]!; // CELT 2.5/5/10/20 ms
  const code = toc & 3;
  let frames = code === 0 ? 1 : code === 3 ? (payload[1] ?? 0) & 0x3f : 2;
  if (code === 3 && payload.length < 2) frames = 0;
  const samples = frames * frameSamples;
  return samples > 5760 ? 0 : samples; // a packet holds at most 120 ms
}

/** CELT-only silence frames by length in samples: TOC (config 28..31, mono, one frame) + a silence flag. */
const SILENCE: ReadonlyArray<readonly [number, Buffer]> = [
  [960, Buffer.from([0xf8, 0xff, 0xfe])],
  [480, Buffer.from([0xf0, 0xff, 0xfe])],
  [240, Buffer.from([0xe8, 0xff, 0xfe])],
  [120, Buffer.from([0xe0, 0xff, 0xfe])],
];

/** Splits a gap into silent Opus packets (longest first); the remainder below 2.5 ms is not covered. */
export function silencePackets(samples: number): Array<{ samples: number; payload: Buffer }> {
  const out: Array<{ samples: number; payload: Buffer }> = [];
  let left = Math.floor(samples);
  for (const [size, payload] of SILENCE) {
    while (left >= size) {
      out.push({ samples: size, payload });
      left -= size;
    }
  }
  return out;
}
