// The two channels of the stereo recording and their pairing into two-stream Ogg Opus packets: the C
// twin of ../stream-muxer.ts (MuxChannel, StreamMuxer with two channels), decision for decision.
#ifndef CALLMARK_MUX_H
#define CALLMARK_MUX_H
#include <stddef.h>
#include <stdint.h>

typedef struct {
  int audio; // 1: an Opus packet (payload), 0: silence
  int64_t samples;
  uint8_t *payload;
  size_t len;
} mux_item;

typedef struct {
  int64_t audio_packets, joined_packets, malformed_packets, silence_samples, shifts, max_debt, dropped_packets;
} mux_channel_stats;

typedef struct {
  mux_item *items;
  size_t head, count, cap; // items[head .. count) are queued
  int64_t queued, end, debt;
  mux_channel_stats stats;
  void *spare; // payload buffers of MUX_SLAB bytes that popped items gave back, linked through their first bytes
  size_t spare_count;
} mux_channel;

/** A queued payload up to this size lives in a reused buffer of the channel, not in one malloc per packet. */
#define MUX_SLAB 512

/** Where the muxer's packets go (the Ogg writer). */
typedef void (*mux_sink)(void *ctx, const uint8_t *packet, size_t len, int samples);

typedef struct {
  mux_channel ch[2];
  int64_t position;
  mux_sink sink;
  void *ctx;
  uint8_t *scratch;
  size_t scratch_cap;
} stream_muxer;

/** Appends an Opus packet (copied); 0 if it is not valid for `samples` (then nothing is appended). */
int mux_channel_audio(mux_channel *c, const uint8_t *payload, size_t len, int samples);
/** Appends silence (a multiple of 120 samples). */
void mux_channel_silence(mux_channel *c, int64_t samples);
/** Puts silence in front of what is queued (a resumed file's gap, once the file says where it ends); `end` stays. */
void mux_channel_prepend_silence(mux_channel *c, int64_t samples);
void mux_init(stream_muxer *m, mux_sink sink, void *ctx);
void mux_free(stream_muxer *m);
void mux_drain(stream_muxer *m);
void mux_finish(stream_muxer *m);
#endif
