// Just enough of the Opus packet format (RFC 6716 §3) to record without decoding: how long a packet
// lasts, its frames, the same frames framed again (also self-delimited, for a multistream packet),
// and packets of pure silence to fill time in which a party sent nothing.
// https://www.rfc-editor.org/rfc/rfc6716#section-3

/** Samples at 48 kHz of one frame, from the TOC byte's configuration (RFC 6716 §3.1, Table 2). */
export function frameSamplesOf(toc: number): number {
  const config = toc >> 3;
  if (config < 12) return [480, 960, 1920, 2880][config & 3]!; // SILK 10/20/40/60 ms
  if (config < 16) return [480, 960][config & 1]!; // hybrid 10/20 ms
  return [120, 240, 480, 960][config & 3]!; // CELT 2.5/5/10/20 ms
}

/** Samples at 48 kHz in one Opus packet (RFC 6716 §3.1: TOC byte and frame count); 0 if malformed. */
export function opusPacketSamples(payload: Uint8Array): number {
  if (payload.length < 1) return 0;
  const code = payload[0]! & 3;
  let frames = code === 0 ? 1 : code === 3 ? (payload[1] ?? 0) & 0x3f : 2;
  if (code === 3 && payload.length < 2) frames = 0;
  const samples = frames * frameSamplesOf(payload[0]!);
  return samples > 5760 ? 0 : samples; // a packet holds at most 120 ms (RFC 6716 §3.2.5)
}

export interface OpusFrames {
  /** The TOC byte without its frame-count code: configuration and stereo flag, shared by every frame. */
  toc: number;
  frames: Uint8Array[];
  /** Samples at 48 kHz of the whole packet. */
  samples: number;
}

/** Reads a frame length (RFC 6716 §3.2.1): one byte below 252, else two: first + 4 × second. */
function readLength(p: Uint8Array, at: number): [length: number, bytes: number] | undefined {
  if (at >= p.length) return undefined;
  const first = p[at]!;
  if (first < 252) return [first, 1];
  if (at + 1 >= p.length) return undefined;
  return [first + 4 * p[at + 1]!, 2];
}

function writeLength(n: number): number[] {
  if (n < 252) return [n];
  return [252 + (n & 3), (n - 252) >> 2];
}

/**
 * parseOpusPacket's verdict for the packets browsers send, without splitting them: for a packet of
 * code 0 or 1 (one frame, or two of equal size) its samples if it is valid (R1-R3 and R2's 1275-byte
 * limit of RFC 6716 §3.4), 0 if it is not; undefined for codes 2 and 3 (ask parseOpusPacket).
 */
export function simpleOpusPacketSamples(p: Uint8Array): number | undefined {
  if (p.length < 1) return 0;
  const code = p[0]! & 3;
  if (code > 1) return undefined;
  const data = p.length - 1;
  if (code === 1 && data % 2 !== 0) return 0; // R3
  const frameLength = code === 0 ? data : data / 2;
  if (frameLength > 1275) return 0; // R2
  return (code + 1) * frameSamplesOf(p[0]!);
}

/**
 * Splits an Opus packet into its frames, checking the framing rules of RFC 6716 §3.4 (R1-R7) that
 * matter here; undefined for a malformed packet.
 */
export function parseOpusPacket(p: Uint8Array): OpusFrames | undefined {
  if (p.length < 1) return undefined;
  const toc = p[0]! & 0xfc;
  const code = p[0]! & 3;
  const frameSamples = frameSamplesOf(p[0]!);
  const frames: Uint8Array[] = [];
  if (code === 0) {
    frames.push(p.subarray(1));
  } else if (code === 1) {
    // R3: two frames of equal size, so the rest is even.
    if ((p.length - 1) % 2 !== 0) return undefined;
    const n = (p.length - 1) / 2;
    frames.push(p.subarray(1, 1 + n), p.subarray(1 + n));
  } else if (code === 2) {
    const len = readLength(p, 1);
    if (!len || 1 + len[1] + len[0] > p.length) return undefined; // R4
    const start = 1 + len[1];
    frames.push(p.subarray(start, start + len[0]), p.subarray(start + len[0]));
  } else {
    if (p.length < 2) return undefined;
    const count = p[1]! & 0x3f;
    const vbr = (p[1]! & 0x80) !== 0;
    const padded = (p[1]! & 0x40) !== 0;
    if (count === 0 || count * frameSamples > 5760) return undefined; // R5
    let at = 2;
    let padding = 0;
    if (padded) {
      // Padding length: bytes of 255 add 254 each, the first byte below 255 ends it (RFC 6716 §3.2.5).
      for (;;) {
        if (at >= p.length) return undefined;
        const b = p[at++]!;
        padding += b === 255 ? 254 : b;
        if (b !== 255) break;
      }
    }
    const end = p.length - padding;
    if (end < at) return undefined;
    const sizes: number[] = [];
    if (vbr) {
      for (let i = 0; i < count - 1; i++) {
        const len = readLength(p, at);
        if (!len) return undefined;
        sizes.push(len[0]);
        at += len[1];
      }
      const used = sizes.reduce((s, x) => s + x, 0);
      if (at + used > end) return undefined; // R6
      sizes.push(end - at - used);
    } else {
      if ((end - at) % count !== 0) return undefined; // R7
      for (let i = 0; i < count; i++) sizes.push((end - at) / count);
    }
    for (const size of sizes) {
      frames.push(p.subarray(at, at + size));
      at += size;
    }
  }
  if (frames.some((f) => f.length > 1275)) return undefined; // R2
  return { toc, frames, samples: frames.length * frameSamples };
}

/**
 * Frames with one TOC configuration, framed as the shortest packet that holds them (RFC 6716 §3.2).
 * selfDelimited: with the extra length of RFC 6716 Appendix B, so that another packet may follow it
 * (every stream but the last of a multistream packet, RFC 7845 §3): code 0 and code 1 give their
 * frame length, code 2 the second frame's length after the first's, code 3 the length shared by all
 * frames (CBR) or the last frame's length after the others' (VBR).
 * https://www.rfc-editor.org/rfc/rfc6716#appendix-B
 */
export function buildOpusPacket(toc: number, frames: readonly Uint8Array[], selfDelimited = false): Buffer {
  const base = toc & 0xfc;
  const sizes = frames.map((f) => f.length);
  const equal = sizes.every((s) => s === sizes[0]);
  const head: number[] = [];
  if (frames.length === 1) {
    head.push(base | 0);
    if (selfDelimited) head.push(...writeLength(sizes[0]!));
  } else if (frames.length === 2 && equal) {
    head.push(base | 1);
    if (selfDelimited) head.push(...writeLength(sizes[0]!));
  } else if (frames.length === 2) {
    head.push(base | 2, ...writeLength(sizes[0]!));
    if (selfDelimited) head.push(...writeLength(sizes[1]!));
  } else if (equal) {
    head.push(base | 3, frames.length); // CBR, no padding
    if (selfDelimited) head.push(...writeLength(sizes[0]!));
  } else {
    head.push(base | 3, 0x80 | frames.length); // VBR, no padding
    for (const s of sizes.slice(0, -1)) head.push(...writeLength(s));
    if (selfDelimited) head.push(...writeLength(sizes.at(-1)!));
  }
  const out = Buffer.allocUnsafe(head.length + sizes.reduce((s, x) => s + x, 0));
  out.set(head, 0);
  let at = head.length;
  for (const f of frames) {
    out.set(f, at);
    at += f.length;
  }
  return out;
}

/**
 * The two streams of a two-stream Ogg Opus packet (RFC 7845 §3) in one buffer, when the first
 * packet is of code 0 or 1 (one frame, or two of equal size: what browsers send): its
 * self-delimited form is its TOC byte, then the length of its (first) frame, then its frame data
 * as it is (RFC 6716 Appendix B: "for code 0 packets, the TOC byte is immediately followed by the
 * length of the single frame"; "for code 1 packets, the TOC byte is immediately followed by the
 * length of the first frame"), and the last packet follows unchanged. One allocation per pair, the
 * same bytes as buildOpusPacket's framing followed by `last`. Undefined for other codes (the caller
 * frames those with buildOpusPacket). `first` must be a valid Opus packet (parseOpusPacket).
 * https://www.rfc-editor.org/rfc/rfc6716#appendix-B
 */
export function pairSelfDelimited(first: Uint8Array, last: Uint8Array): Buffer | undefined {
  const code = first[0]! & 3;
  if (code > 1) return undefined;
  const frameLength = code === 0 ? first.length - 1 : (first.length - 1) / 2;
  const lengthBytes = frameLength < 252 ? 1 : 2;
  const out = Buffer.allocUnsafe(first.length + lengthBytes + last.length);
  out[0] = first[0]!;
  if (lengthBytes === 1) out[1] = frameLength;
  else {
    out[1] = 252 + (frameLength & 3);
    out[2] = (frameLength - 252) >> 2;
  }
  out.set(first.subarray(1), 1 + lengthBytes);
  out.set(last, first.length + lengthBytes);
  return out;
}

/** Silence packets by length and framing: they never change, so each is built once. */
const silenceCache = new Map<number, Buffer>();

/** A CELT frame that decodes to silence: the range coder's silence flag set (RFC 6716 §4.3, Table 56). */
const SILENT_CELT_FRAME = Buffer.from([0xff, 0xfe]);
/** TOC configurations of CELT fullband mono by frame length in samples (RFC 6716 §3.1, Table 2). */
const CELT_TOC: ReadonlyArray<readonly [number, number]> = [
  [960, 31 << 3],
  [480, 30 << 3],
  [240, 29 << 3],
  [120, 28 << 3],
];

/**
 * One Opus packet of silence lasting exactly `samples` (a multiple of 120, i.e. 2.5 ms, up to
 * 120 ms): the longest CELT frames that divide it, CBR-framed.
 */
export function silencePacket(samples: number, selfDelimited = false): Buffer {
  if (samples <= 0 || samples > 5760 || samples % 120 !== 0) throw new Error(`no Opus packet lasts ${samples} samples`);
  const key = selfDelimited ? -samples : samples;
  const cached = silenceCache.get(key);
  if (cached) return Buffer.from(cached);
  const [frame, toc] = CELT_TOC.find(([n]) => samples % n === 0 && samples / n <= 48)!;
  const packet = buildOpusPacket(toc, Array.from({ length: samples / frame }, () => SILENT_CELT_FRAME), selfDelimited);
  silenceCache.set(key, Buffer.from(packet));
  return packet;
}
