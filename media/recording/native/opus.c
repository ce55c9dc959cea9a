// Opus framing (RFC 6716 §3 and Appendix B), ported from ../opus-packet.ts: the recording's native
// pipeline must write the same bytes as the TypeScript one (tests/media/recording/native-pipeline.test.ts).
#include "opus.h"

#include <string.h>

int opus_frame_samples(uint8_t toc) {
  // RFC 6716 §3.1, Table 2
  int config = toc >> 3;
  static const int silk[4] = {480, 960, 1920, 2880}, hybrid[2] = {480, 960}, celt[4] = {120, 240, 480, 960};
  if (config < 12) return silk[config & 3];
  if (config < 16) return hybrid[config & 1];
  return celt[config & 3];
}

int opus_packet_samples(const uint8_t *p, size_t n) {
  if (n < 1) return 0;
  int code = p[0] & 3;
  int frames = code == 0 ? 1 : code == 3 ? (n > 1 ? p[1] & 0x3f : 0) : 2;
  int samples = frames * opus_frame_samples(p[0]);
  return samples > 5760 ? 0 : samples; // at most 120 ms in a packet (RFC 6716 §3.2.5)
}

int opus_simple_samples(const uint8_t *p, size_t n) {
  if (n < 1) return 0;
  int code = p[0] & 3;
  if (code > 1) return -1;
  size_t data = n - 1;
  if (code == 1 && data % 2 != 0) return 0; // R3
  size_t frame_length = code == 0 ? data : data / 2;
  if (frame_length > 1275) return 0; // R2
  return (code + 1) * opus_frame_samples(p[0]);
}

/** A frame length (RFC 6716 §3.2.1): one byte below 252, else two: first + 4 × second. */
static int read_length(const uint8_t *p, size_t n, size_t at, size_t *length, size_t *bytes) {
  if (at >= n) return 0;
  if (p[at] < 252) {
    *length = p[at];
    *bytes = 1;
    return 1;
  }
  if (at + 1 >= n) return 0;
  *length = p[at] + 4 * (size_t)p[at + 1];
  *bytes = 2;
  return 1;
}

static size_t write_length(size_t v, uint8_t *out) {
  if (v < 252) {
    out[0] = (uint8_t)v;
    return 1;
  }
  out[0] = (uint8_t)(252 + (v & 3));
  out[1] = (uint8_t)((v - 252) >> 2);
  return 2;
}

int opus_parse(const uint8_t *p, size_t n, opus_frames *out) {
  if (n < 1) return 0;
  out->toc = p[0] & 0xfc;
  int code = p[0] & 3;
  int frame_samples = opus_frame_samples(p[0]);
  out->count = 0;
  if (code == 0) {
    out->frame[0] = p + 1;
    out->len[0] = n - 1;
    out->count = 1;
  } else if (code == 1) {
    if ((n - 1) % 2 != 0) return 0; // R3
    size_t half = (n - 1) / 2;
    out->frame[0] = p + 1;
    out->len[0] = half;
    out->frame[1] = p + 1 + half;
    out->len[1] = half;
    out->count = 2;
  } else if (code == 2) {
    size_t len, bytes;
    if (!read_length(p, n, 1, &len, &bytes) || 1 + bytes + len > n) return 0; // R4
    size_t start = 1 + bytes;
    out->frame[0] = p + start;
    out->len[0] = len;
    out->frame[1] = p + start + len;
    out->len[1] = n - start - len;
    out->count = 2;
  } else {
    if (n < 2) return 0;
    int count = p[1] & 0x3f;
    int vbr = (p[1] & 0x80) != 0, padded = (p[1] & 0x40) != 0;
    if (count == 0 || count * frame_samples > 5760) return 0; // R5
    size_t at = 2, padding = 0;
    if (padded) {
      // Padding length: bytes of 255 add 254 each, the first byte below 255 ends it (RFC 6716 §3.2.5).
      for (;;) {
        if (at >= n) return 0;
        uint8_t b = p[at++];
        padding += b == 255 ? 254 : b;
        if (b != 255) break;
      }
    }
    if (padding > n) return 0;
    size_t end = n - padding;
    if (end < at) return 0;
    size_t sizes[48];
    if (vbr) {
      size_t used = 0;
      for (int i = 0; i < count - 1; i++) {
        size_t len, bytes;
        if (!read_length(p, n, at, &len, &bytes)) return 0;
        sizes[i] = len;
        used += len;
        at += bytes;
      }
      if (at + used > end) return 0; // R6
      sizes[count - 1] = end - at - used;
    } else {
      if ((end - at) % (size_t)count != 0) return 0; // R7
      for (int i = 0; i < count; i++) sizes[i] = (end - at) / (size_t)count;
    }
    for (int i = 0; i < count; i++) {
      // subarray() clamps at the end of the packet; so does this.
      size_t from = at < n ? at : n, to = at + sizes[i] < n ? at + sizes[i] : n;
      out->frame[i] = p + from;
      out->len[i] = to - from;
      at += sizes[i];
    }
    out->count = count;
  }
  for (int i = 0; i < out->count; i++)
    if (out->len[i] > 1275) return 0; // R2
  out->samples = out->count * frame_samples;
  return 1;
}

size_t opus_build_bound(const size_t *lens, int count) {
  size_t total = 3 + 2 * (size_t)count;
  for (int i = 0; i < count; i++) total += lens[i];
  return total;
}

size_t opus_build(uint8_t toc, const uint8_t *const *frames, const size_t *lens, int count, int self_delimited, uint8_t *out) {
  uint8_t base = toc & 0xfc;
  int equal = 1;
  for (int i = 1; i < count; i++)
    if (lens[i] != lens[0]) equal = 0;
  size_t h = 0;
  if (count == 1) {
    out[h++] = base | 0;
    if (self_delimited) h += write_length(lens[0], out + h);
  } else if (count == 2 && equal) {
    out[h++] = base | 1;
    if (self_delimited) h += write_length(lens[0], out + h);
  } else if (count == 2) {
    out[h++] = base | 2;
    h += write_length(lens[0], out + h);
    if (self_delimited) h += write_length(lens[1], out + h);
  } else if (equal) {
    out[h++] = base | 3;
    out[h++] = (uint8_t)count; // CBR, no padding
    if (self_delimited) h += write_length(lens[0], out + h);
  } else {
    out[h++] = base | 3;
    out[h++] = (uint8_t)(0x80 | count); // VBR, no padding
    for (int i = 0; i < count - 1; i++) h += write_length(lens[i], out + h);
    if (self_delimited) h += write_length(lens[count - 1], out + h);
  }
  for (int i = 0; i < count; i++) {
    memcpy(out + h, frames[i], lens[i]);
    h += lens[i];
  }
  return h;
}

size_t opus_pair_self_delimited(const uint8_t *first, size_t first_len, const uint8_t *last, size_t last_len, uint8_t *out) {
  int code = first[0] & 3;
  if (code > 1) return 0;
  size_t frame_length = code == 0 ? first_len - 1 : (first_len - 1) / 2;
  out[0] = first[0];
  size_t h = 1 + write_length(frame_length, out + 1);
  memcpy(out + h, first + 1, first_len - 1);
  memcpy(out + h + first_len - 1, last, last_len);
  return h + first_len - 1 + last_len;
}

size_t opus_silence(int samples, int self_delimited, uint8_t *out) {
  // A CELT frame that decodes to silence: the range coder's silence flag set (RFC 6716 §4.3, Table 56),
  // in the longest CELT fullband mono frames that divide the length (RFC 6716 §3.1, Table 2).
  static const uint8_t silent_frame[2] = {0xff, 0xfe};
  static const int celt[4][2] = {{960, 31 << 3}, {480, 30 << 3}, {240, 29 << 3}, {120, 28 << 3}};
  int k = 0;
  while (!(samples % celt[k][0] == 0 && samples / celt[k][0] <= 48)) k++;
  int count = samples / celt[k][0];
  const uint8_t *frames[48];
  size_t lens[48];
  for (int i = 0; i < count; i++) {
    frames[i] = silent_frame;
    lens[i] = 2;
  }
  return opus_build((uint8_t)celt[k][1], frames, lens, count, self_delimited, out);
}
