// Pairs the two channels' Opus packets into the Ogg packets of a family-1 stream of two uncoupled
// mono streams, ported from ../stream-muxer.ts (its header says why each rule is there): "all of the
// Opus packets in a single Ogg packet MUST be constrained to have the same duration", and every
// stream but the last is self-delimited (RFC 7845 §3, §5.1.1; RFC 6716 Appendix B).
// https://www.rfc-editor.org/rfc/rfc7845#section-5.1.1
#include "mux.h"

#include <stdlib.h>
#include <string.h>

#include "opus.h"

#define MAX_SILENT_PACKET 960 // pure silence on both sides goes out in 20 ms packets
#define MAX_FRAMES 48         // RFC 6716 §3.2.5
#define MAX_DEBT 48000        // 1 s

static mux_item *push(mux_channel *c) {
  if (c->count == c->cap) {
    if (c->head > 0) {
      memmove(c->items, c->items + c->head, (c->count - c->head) * sizeof *c->items);
      c->count -= c->head;
      c->head = 0;
    }
    if (c->count == c->cap) {
      c->cap = c->cap ? 2 * c->cap : 64;
      c->items = realloc(c->items, c->cap * sizeof *c->items);
      if (!c->items) abort();
    }
  }
  return &c->items[c->count++];
}

static mux_item *peek(mux_channel *c, size_t offset) {
  return c->head + offset < c->count ? &c->items[c->head + offset] : NULL;
}

static size_t length(mux_channel *c) {
  return c->count - c->head;
}

// A channel keeps this many payload buffers for reuse: more than a second of 20-ms packets queued is
// rare (the muxer pairs every turn), so the spares stay few.
#define MAX_SPARE 64

/** A buffer for a payload of `len` bytes: a reused slab when it fits (perf: malloc was 5 % of the receiver). */
static uint8_t *payload_buffer(mux_channel *c, size_t len) {
  if (len > MUX_SLAB) {
    uint8_t *p = malloc(len);
    if (!p) abort();
    return p;
  }
  if (c->spare) {
    uint8_t *p = c->spare;
    memcpy(&c->spare, p, sizeof c->spare);
    c->spare_count--;
    return p;
  }
  uint8_t *p = malloc(MUX_SLAB);
  if (!p) abort();
  return p;
}

static void payload_release(mux_channel *c, uint8_t *p, size_t len) {
  if (!p) return;
  if (len > MUX_SLAB || c->spare_count >= MAX_SPARE) {
    free(p);
    return;
  }
  memcpy(p, &c->spare, sizeof c->spare);
  c->spare = p;
  c->spare_count++;
}

static void spares_free(mux_channel *c) {
  while (c->spare) {
    uint8_t *p = c->spare;
    memcpy(&c->spare, p, sizeof c->spare);
    free(p);
  }
  c->spare_count = 0;
}

static void pop(mux_channel *c) {
  mux_item *item = &c->items[c->head++];
  c->queued -= item->samples;
  payload_release(c, item->payload, item->len);
  item->payload = NULL;
  if (c->head == c->count) c->head = c->count = 0;
}

int mux_channel_audio(mux_channel *c, const uint8_t *payload, size_t len, int samples) {
  int simple = opus_simple_samples(payload, len);
  int valid;
  if (simple < 0) {
    opus_frames f;
    valid = opus_parse(payload, len, &f) && f.samples == samples;
  } else {
    valid = simple != 0 && simple == samples;
  }
  if (!valid || samples % 120 != 0) {
    c->stats.malformed_packets++;
    return 0;
  }
  mux_item *item = push(c);
  item->audio = 1;
  item->samples = samples;
  item->payload = payload_buffer(c, len);
  memcpy(item->payload, payload, len);
  item->len = len;
  c->queued += samples;
  c->end += samples;
  return 1;
}

void mux_channel_silence(mux_channel *c, int64_t samples) {
  if (samples <= 0) return;
  mux_item *last = length(c) > 0 ? &c->items[c->count - 1] : NULL;
  if (last && !last->audio) {
    last->samples += samples;
  } else {
    mux_item *item = push(c);
    item->audio = 0;
    item->samples = samples;
    item->payload = NULL;
    item->len = 0;
  }
  c->queued += samples;
  c->end += samples;
}

void mux_channel_prepend_silence(mux_channel *c, int64_t samples) {
  if (samples <= 0) return;
  mux_item *first = length(c) > 0 ? &c->items[c->head] : NULL;
  if (first && !first->audio) {
    first->samples += samples;
  } else {
    if (c->head == 0) {
      push(c); // room at the end; everything moves up one
      memmove(c->items + 1, c->items, (c->count - 1) * sizeof *c->items);
    } else {
      c->head--;
    }
    c->items[c->head] = (mux_item){.audio = 0, .samples = samples};
  }
  c->queued += samples;
}

static void clear(mux_channel *c) {
  while (length(c) > 0) pop(c);
  c->queued = 0;
}

static void take_silence(mux_channel *c, int64_t samples) {
  mux_item *item = peek(c, 0);
  if (item->samples <= samples) {
    pop(c);
  } else {
    item->samples -= samples;
    c->queued -= samples;
  }
}

static void repay(mux_channel *c) {
  while (c->debt > 0) {
    mux_item *item = peek(c, 0);
    if (!item || item->audio) return;
    int64_t r = c->debt < item->samples ? c->debt : item->samples;
    take_silence(c, r);
    c->debt -= r;
  }
}

static void limit_debt(mux_channel *c) {
  while (c->debt > MAX_DEBT) {
    mux_item *item = peek(c, 0);
    if (!item || !item->audio) return;
    int64_t samples = item->samples;
    pop(c);
    c->debt -= samples;
    c->stats.dropped_packets++;
  }
}

static void owe(mux_channel *c, int64_t samples) {
  c->debt += samples;
  c->stats.shifts++;
  if (c->debt > c->stats.max_debt) c->stats.max_debt = c->debt;
}

void mux_init(stream_muxer *m, mux_sink sink, void *ctx) {
  memset(m, 0, sizeof *m);
  m->sink = sink;
  m->ctx = ctx;
}

void mux_free(stream_muxer *m) {
  for (int i = 0; i < 2; i++) {
    clear(&m->ch[i]);
    spares_free(&m->ch[i]);
    free(m->ch[i].items);
  }
  free(m->scratch);
  memset(m, 0, sizeof *m);
}

static uint8_t *scratch(stream_muxer *m, size_t n) {
  if (n > m->scratch_cap) {
    m->scratch_cap = 2 * n;
    m->scratch = realloc(m->scratch, m->scratch_cap);
    if (!m->scratch) abort();
  }
  return m->scratch;
}

static void write_packet(stream_muxer *m, const uint8_t *packet, size_t len, int64_t samples) {
  m->sink(m->ctx, packet, len, (int)samples);
  m->position += samples;
}

/** An Opus packet as self-delimited or as it is: the first or the last stream of a pair. */
typedef struct {
  uint8_t buf[160]; // silence, or a self-delimited rebuild, goes here when short enough
  uint8_t *heap;
  const uint8_t *p;
  size_t len;
} framed;

static void framed_free(framed *f) {
  free(f->heap);
  f->heap = NULL;
}

static void frame_built(framed *f, uint8_t toc, const uint8_t *const *frames, const size_t *lens, int count, int sd) {
  size_t bound = opus_build_bound(lens, count);
  uint8_t *out = f->buf;
  f->heap = NULL;
  if (bound > sizeof f->buf) {
    f->heap = malloc(bound);
    if (!f->heap) abort();
    out = f->heap;
  }
  f->len = opus_build(toc, frames, lens, count, sd, out);
  f->p = out;
}

static void frame_item(framed *f, mux_item *item, int sd) {
  if (!sd) {
    f->heap = NULL;
    f->p = item->payload;
    f->len = item->len;
    return;
  }
  opus_frames fr;
  opus_parse(item->payload, item->len, &fr); // valid: checked by mux_channel_audio
  frame_built(f, fr.toc, fr.frame, fr.len, fr.count, 1);
}

static void frame_silence(framed *f, int64_t samples, int sd) {
  f->heap = NULL;
  f->len = opus_silence((int)samples, sd, f->buf);
  f->p = f->buf;
}

static void write_pair(stream_muxer *m, framed *first, framed *last, int64_t samples) {
  uint8_t *packet = scratch(m, first->len + last->len);
  memcpy(packet, first->p, first->len);
  memcpy(packet + first->len, last->p, last->len);
  write_packet(m, packet, first->len + last->len, samples);
  framed_free(first);
  framed_free(last);
}

enum filler_kind { FILL_FRAMES, FILL_SILENCE, FILL_UNPAIRABLE, FILL_WAIT };

typedef struct {
  uint8_t toc;
  int count;
  const uint8_t *frame[OPUS_FRAMES_MAX];
  size_t len[OPUS_FRAMES_MAX];
  int items; // queue items joined (popped once the packet has been written)
} joined;

/**
 * fillerFor: what the short side writes against `d` samples of the other side's audio. Unlike the
 * TypeScript, the joined items are popped by the caller after the packet is built (their frames
 * point into them).
 */
static enum filler_kind filler_for(mux_channel *s, int64_t d, joined *j) {
  mux_item *head = peek(s, 0);
  if (!head->audio) {
    if (head->samples >= d) {
      take_silence(s, d);
      s->stats.silence_samples += d;
      return FILL_SILENCE;
    }
    if (length(s) < 2) return FILL_WAIT;
    // Its next audio would start inside the other side's packet: it starts after it instead.
    int64_t had = head->samples;
    take_silence(s, had);
    s->stats.silence_samples += d;
    owe(s, d - had);
    return FILL_SILENCE;
  }
  opus_frames hf;
  opus_parse(head->payload, head->len, &hf);
  j->toc = hf.toc;
  j->count = 0;
  int overflow = 0;
  int64_t total = 0;
  int count = 0;
  for (size_t i = 0; total < d; i++) {
    mux_item *item = peek(s, i);
    if (!item) return FILL_WAIT;
    if (!item->audio) break;
    opus_frames f;
    opus_parse(item->payload, item->len, &f);
    if (f.toc != hf.toc) break;
    for (int k = 0; k < f.count; k++) {
      if (j->count < OPUS_FRAMES_MAX) {
        j->frame[j->count] = f.frame[k];
        j->len[j->count] = f.len[k];
      } else {
        overflow = 1;
      }
      j->count++;
    }
    total += item->samples;
    count++;
  }
  if (total == d && j->count <= MAX_FRAMES && !overflow) {
    j->items = count;
    s->stats.joined_packets += count;
    return FILL_FRAMES;
  }
  return FILL_UNPAIRABLE;
}

static void drain_pairs(stream_muxer *m, int64_t goal) {
  mux_channel *a = &m->ch[0], *b = &m->ch[1];
  while (m->position < goal) {
    repay(a);
    repay(b);
    limit_debt(a);
    limit_debt(b);
    mux_item *ha = peek(a, 0), *hb = peek(b, 0);
    if (!ha || !hb) return;
    framed first, last;
    if (!ha->audio && !hb->audio) {
      int64_t d = ha->samples < hb->samples ? ha->samples : hb->samples;
      if (d > MAX_SILENT_PACKET) d = MAX_SILENT_PACKET;
      if (d > goal - m->position) d = goal - m->position;
      frame_silence(&first, d, 1);
      frame_silence(&last, d, 0);
      write_pair(m, &first, &last, d);
      a->stats.silence_samples += d;
      b->stats.silence_samples += d;
      take_silence(a, d);
      take_silence(b, d);
    } else if (ha->audio && hb->audio && ha->samples == hb->samples) {
      uint8_t *packet = scratch(m, ha->len + 2 + hb->len);
      size_t n = opus_pair_self_delimited(ha->payload, ha->len, hb->payload, hb->len, packet);
      if (n) {
        write_packet(m, packet, n, ha->samples);
      } else {
        frame_item(&first, ha, 1);
        frame_item(&last, hb, 0);
        write_pair(m, &first, &last, ha->samples);
      }
      a->stats.audio_packets++;
      b->stats.audio_packets++;
      pop(a);
      pop(b);
    } else {
      // One side has audio that is longer than what the other side has at the same place.
      int a_long = ha->audio && (!hb->audio || ha->samples > hb->samples);
      mux_channel *lng = a_long ? a : b, *shrt = a_long ? b : a;
      int64_t d = peek(lng, 0)->samples;
      joined j;
      enum filler_kind filler = filler_for(shrt, d, &j);
      if (filler == FILL_WAIT) return;
      if (filler == FILL_UNPAIRABLE) {
        // The short side's next packet goes out on its own, against silence on the long side,
        // whose audio follows right after it.
        mux_item *item = peek(shrt, 0);
        int64_t samples = item->samples;
        if (shrt == a) {
          frame_item(&first, item, 1);
          frame_silence(&last, samples, 0);
        } else {
          frame_silence(&first, samples, 1);
          frame_item(&last, item, 0);
        }
        write_pair(m, &first, &last, samples);
        shrt->stats.audio_packets++;
        pop(shrt);
        lng->stats.silence_samples += samples;
        owe(lng, samples);
        continue;
      }
      mux_item *long_item = peek(lng, 0);
      framed *long_f = lng == a ? &first : &last, *short_f = lng == a ? &last : &first;
      frame_item(long_f, long_item, lng == a);
      if (filler == FILL_SILENCE) frame_silence(short_f, d, shrt == a);
      else frame_built(short_f, j.toc, j.frame, j.len, j.count, shrt == a);
      write_pair(m, &first, &last, d);
      if (filler == FILL_FRAMES)
        for (int i = 0; i < j.items; i++) pop(shrt);
      lng->stats.audio_packets++;
      pop(lng);
    }
  }
}

void mux_drain(stream_muxer *m) {
  drain_pairs(m, INT64_MAX);
}

void mux_finish(stream_muxer *m) {
  int64_t longest_queued = m->ch[0].queued > m->ch[1].queued ? m->ch[0].queued : m->ch[1].queued;
  int64_t goal = m->position + longest_queued;
  for (int round = 0; round < 4 && m->position < goal; round++) {
    // Enough silence behind each side that nothing waits for a packet that will never come.
    int64_t longest = 0;
    for (int i = 0; i < 2; i++)
      if (m->ch[i].queued + m->ch[i].debt > longest) longest = m->ch[i].queued + m->ch[i].debt;
    for (int i = 0; i < 2; i++) {
      int64_t x = longest - m->ch[i].queued + 5760; // > 0
      mux_channel_silence(&m->ch[i], (x + 119) / 120 * 120);
    }
    drain_pairs(m, goal);
  }
  // What is left is the padding beyond the longer side: not part of the recording.
  for (int i = 0; i < 2; i++) clear(&m->ch[i]);
}
