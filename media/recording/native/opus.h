// Opus packet framing without a codec (RFC 6716 §3): the C twin of ../opus-packet.ts, byte for byte.
// https://www.rfc-editor.org/rfc/rfc6716#section-3
#ifndef CALLMARK_OPUS_H
#define CALLMARK_OPUS_H
#include <stddef.h>
#include <stdint.h>

// A joined packet may collect a few more frames than the 48 a packet may hold before it is refused.
#define OPUS_FRAMES_MAX 128

typedef struct {
  uint8_t toc; // TOC byte without its frame-count code
  int count;
  const uint8_t *frame[OPUS_FRAMES_MAX];
  size_t len[OPUS_FRAMES_MAX];
  int samples;
} opus_frames;

int opus_frame_samples(uint8_t toc);
/** opusPacketSamples: samples at 48 kHz from the TOC byte and frame count; 0 if malformed. */
int opus_packet_samples(const uint8_t *p, size_t n);
/** simpleOpusPacketSamples: -1 for codes 2 and 3 (ask opus_parse). */
int opus_simple_samples(const uint8_t *p, size_t n);
/** parseOpusPacket: 1 and the frames (pointing into p), or 0 for a malformed packet. */
int opus_parse(const uint8_t *p, size_t n, opus_frames *out);
/** buildOpusPacket into out (room for 3 + 2 × count + data bytes); returns its length. */
size_t opus_build(uint8_t toc, const uint8_t *const *frames, const size_t *lens, int count, int self_delimited, uint8_t *out);
/** Upper bound of opus_build's output. */
size_t opus_build_bound(const size_t *lens, int count);
/** pairSelfDelimited: first (code 0 or 1, self-delimited) then last, into out; 0 if first is of code 2 or 3. */
size_t opus_pair_self_delimited(const uint8_t *first, size_t first_len, const uint8_t *last, size_t last_len, uint8_t *out);
/** silencePacket: a packet of CELT silence lasting `samples` (120..5760, a multiple of 120); returns its length (≤ 160). */
size_t opus_silence(int samples, int self_delimited, uint8_t *out);
#endif
