// Puts one party's RTP on the recording's timeline, ported from ../leg-relay.ts (its header and
// constants say why each rule is there): packets placed by their RTP timestamps on the wall clock of
// their arrival, a leg's first packets held back until they span HOLD and anchored on the earliest,
// silence where nothing came, legs that drift apart realigned by silence for the one behind (dropping
// only past LEAD_CAP ahead of the wall clock, or with no other leg given). No I/O.
#include "relay.h"

#include <stdlib.h>
#include <string.h>

#include "opus.h"

#define RATE 48
#define STEP 120
#define STALL (500 * RATE)
#define FILL_LAG (250 * RATE)
#define STOP_FILL_LAG (1000 * RATE)
#define LAG_CAP (2000 * RATE)
#define IDLE_FILL_LAG (60 * RATE)
#define HOLD (120 * RATE)
#define HOLD_MAX (250 * RATE)
#define AHEAD_RESYNC (1000 * RATE)
#define BEHIND_RESYNC (1000 * RATE)
#define LATE_RESYNC 25
#define DRIFT_WINDOW (3000 * RATE)
#define DRIFT_MAX (30 * RATE)
#define DRIFT_STEP (10 * RATE)
#define REALIGN_STEP (100 * RATE)
#define LEAD_CAP (500 * RATE)

/** Math.floor(a / b) for b > 0. */
static int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && a < 0) ? q - 1 : q;
}

int64_t relay_fill_silence(mux_channel *c, int64_t samples) {
  int64_t covered = floor_div(samples, STEP) * STEP;
  if (covered < 0) covered = 0;
  if (covered > 0) mux_channel_silence(c, covered);
  return covered;
}

int64_t relay_fill_idle(mux_channel *c, int64_t now) {
  return relay_fill_silence(c, now - IDLE_FILL_LAG - c->end);
}

static int64_t fill(leg_relay *r, int64_t samples) {
  int64_t covered = relay_fill_silence(r->channel, samples);
  r->stats.silence_samples += covered;
  return covered;
}

static void reset_window(leg_relay *r, int64_t now) {
  r->window_start = now;
  r->window_count = 0;
}

void relay_init(leg_relay *r, mux_channel *channel, int64_t now) {
  memset(r, 0, sizeof *r);
  r->channel = channel;
  r->in_ssrc = -1;
  r->ends_at = INT64_MAX;
  r->last_arrival = now;
  r->reach = INT64_MIN;
  r->others_wall_clock = 1; // until the recording says which legs are the others (WALL_CLOCK)
  reset_window(r, now);
}

int relay_active(const leg_relay *r, int64_t heard) {
  return r->has_lag && heard - r->last_arrival <= STALL;
}

void relay_free(leg_relay *r) {
  for (size_t i = 0; i < r->held_count; i++) free(r->held[i].payload);
  free(r->held);
  free(r->window_lags);
  free(r->window_own_lags);
  r->held = NULL;
  r->window_lags = r->window_own_lags = NULL;
  r->held_count = r->window_count = 0;
}

static void anchor(leg_relay *r, int64_t offset, int64_t now) {
  r->offset = offset;
  r->mapped = 1;
  r->late_streak = 0;
  r->drop_budget = 0;
  r->last_excess = 0;
  reset_window(r, now);
}

static void place(leg_relay *r, const uint8_t *payload, size_t len, int64_t ext_ts, int64_t dur, int64_t now) {
  int64_t pos = r->channel->end;
  int64_t at = ext_ts + r->offset;
  if (at >= r->ends_at) return; // placed after the leg ended: not this leg's audio
  r->stats.received++;
  if (at < pos) {
    // Its place has already been written (a duplicate, a reordered or a very late packet).
    r->late_streak++;
    r->stats.dropped++;
    r->stats.dropped_late++;
    return;
  }
  r->late_streak = 0;
  if (at > pos) {
    // Lost packets, DTX or a pause: silence up to the packet; a remainder under 2.5 ms moves it earlier.
    int64_t gap = at - pos;
    r->offset -= gap - fill(r, gap);
  }
  if (2 * r->drop_budget >= dur) {
    // The sender's clock runs fast: skip audio until it is back in line with ours.
    r->drop_budget -= dur;
    r->offset -= dur;
    r->stats.dropped++;
    r->stats.dropped_drift++;
    return;
  }
  if (!mux_channel_audio(r->channel, payload, len, (int)dur)) {
    r->stats.dropped++;
    r->stats.dropped_invalid++;
    return;
  }
  r->stats.forwarded++;
  r->reach = r->channel->end;
  int64_t lag = now - r->reach;
  r->last_lag = lag;
  r->has_lag = 1;
  // Against the other leg furthest ahead (the least lag): the legs behind it get silence until they
  // line up with it. No other active leg: nothing to line up with.
  if (r->window_count == r->window_cap) {
    r->window_cap = r->window_cap ? 2 * r->window_cap : 256;
    r->window_lags = realloc(r->window_lags, r->window_cap * sizeof *r->window_lags);
    r->window_own_lags = realloc(r->window_own_lags, r->window_cap * sizeof *r->window_own_lags);
    if (!r->window_lags || !r->window_own_lags) abort();
  }
  r->window_own_lags[r->window_count] = lag;
  r->window_lags[r->window_count++] = r->others_min == RELAY_NO_OTHER_MIN ? 0 : lag - r->others_min;
}

static void resync_if_new_base(leg_relay *r, int64_t ext_ts, int64_t dur, int64_t now) {
  int64_t at = ext_ts + r->offset;
  int64_t pos = r->channel->end;
  if (at + dur > now + AHEAD_RESYNC || at + dur < pos - BEHIND_RESYNC || r->late_streak >= LATE_RESYNC) {
    // A new timestamp base: the packet ends now; later ones follow their RTP timestamps.
    r->stats.resyncs++;
    int64_t start = now - dur > pos ? now - dur : pos;
    anchor(r, start - ext_ts, now);
  }
}

/** Anchors the held packets on the earliest arrival they imply, then places them. */
static void release(leg_relay *r) {
  if (r->held_count == 0) return;
  held_packet *held = r->held;
  size_t n = r->held_count;
  r->held = NULL;
  r->held_count = r->held_cap = 0;
  int64_t offset = INT64_MAX;
  for (size_t i = 0; i < n; i++) {
    int64_t o = held[i].arrival - held[i].dur - held[i].ext_ts;
    if (o < offset) offset = o;
  }
  // The other legs show how far behind the worker is: their lag, shared, is not this leg's start.
  int64_t shared = r->others_min == RELAY_NO_OTHER_MIN || r->others_min < 0 ? 0 : r->others_min;
  offset -= shared;
  int64_t from_end = r->channel->end - held[0].ext_ts;
  anchor(r, from_end > offset ? from_end : offset, held[n - 1].arrival);
  for (size_t i = 0; i < n; i++) {
    // Held packets obey the rule of later ones: a timestamp far from the others is a new base, not a
    // place hours ahead to fill with silence (a peer's leaps of 2^31 would each add 12 hours).
    resync_if_new_base(r, held[i].ext_ts, held[i].dur, held[i].arrival);
    place(r, held[i].payload, held[i].len, held[i].ext_ts, held[i].dur, held[i].arrival);
    free(held[i].payload);
  }
  free(held);
}

void relay_receive(leg_relay *r, uint32_t ssrc, uint32_t timestamp, const uint8_t *payload, size_t len, int64_t now) {
  int64_t dur = opus_packet_samples(payload, len);
  if (now > r->last_arrival) r->last_arrival = now;
  if (dur == 0) {
    r->stats.received++;
    r->stats.dropped++;
    r->stats.dropped_invalid++;
    return;
  }
  if ((int64_t)ssrc != r->in_ssrc) {
    release(r); // a new source: what the old one left waiting is placed first
    r->in_ssrc = ssrc;
    r->mapped = 0;
    r->ext_ts = timestamp;
  } else {
    r->ext_ts += (int32_t)(timestamp - r->last_ts); // signed 32-bit difference unwraps
  }
  r->last_ts = timestamp;

  if (!r->mapped) {
    // The leg's start: hold the packet back until enough have come to tell when it began.
    if (r->held_count == r->held_cap) {
      r->held_cap = r->held_cap ? 2 * r->held_cap : 16;
      r->held = realloc(r->held, r->held_cap * sizeof *r->held);
      if (!r->held) abort();
    }
    held_packet *h = &r->held[r->held_count++];
    h->payload = malloc(len);
    if (!h->payload) abort();
    memcpy(h->payload, payload, len);
    h->len = len;
    h->ext_ts = r->ext_ts;
    h->dur = dur;
    h->arrival = now;
    if (now - r->held[0].arrival >= HOLD) release(r);
    return;
  }
  resync_if_new_base(r, r->ext_ts, dur, now);
  place(r, payload, len, r->ext_ts, dur, now);
}

void relay_end(leg_relay *r, int64_t ends_at) {
  r->ends_at = ends_at;
}

static int cmp64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return x < y ? -1 : x > y;
}

void relay_tick(leg_relay *r, int64_t now, int64_t progress) {
  if (r->held_count > 0) {
    // No more packets came to end the hold: anchor on those that did. Meanwhile the channel waits.
    if (now - r->held[0].arrival < HOLD_MAX) return;
    release(r);
  }
  int64_t pos = r->channel->end;
  // Silent: nothing came for STALL. Packets that keep coming late are not silence: their places wait.
  // While another leg keeps arriving, the silent one is filled STOP_FILL_LAG behind, not FILL_LAG:
  // its own worker may have stopped, and its backlog then comes when the worker resumes.
  int others_arrive = !r->others_wall_clock && r->others_min != RELAY_NO_OTHER_MIN;
  if (now - r->last_arrival > STALL && progress - pos > STALL) {
    fill(r, floor_div(progress - (others_arrive ? STOP_FILL_LAG : FILL_LAG) - pos, 20 * RATE) * 20 * RATE);
    reset_window(r, now);
    r->last_excess = 0;
    return;
  }
  if (progress - pos > LAG_CAP) {
    fill(r, floor_div(progress - LAG_CAP - pos, 20 * RATE) * 20 * RATE);
    reset_window(r, now);
    r->last_excess = 0;
    return;
  }
  if (now - r->window_start < DRIFT_WINDOW || r->window_count < 25) return;
  // A low percentile of the packets' lag behind the wall clock; corrected only when two windows agree.
  qsort(r->window_lags, r->window_count, sizeof *r->window_lags, cmp64);
  int64_t lag = r->window_lags[r->window_count / 10];
  int excess = lag > DRIFT_MAX ? 1 : lag < -DRIFT_MAX ? -1 : 0;
  if (excess != 0 && excess == r->last_excess) {
    // How far ahead of the wall clock the leg already is (its lag against its packets' arrival).
    qsort(r->window_own_lags, r->window_count, sizeof *r->window_own_lags, cmp64);
    int64_t own = r->window_own_lags[r->window_count / 10];
    if (excess > 0) {
      // Behind the others: silence, no further than LEAD_CAP ahead of the wall clock.
      // Against the wall clock, too much silence could only be undone by dropping: DRIFT_STEP.
      int64_t max_step = r->others_wall_clock ? DRIFT_STEP : REALIGN_STEP;
      int64_t step = lag < max_step ? lag : max_step;
      if (own + LEAD_CAP < step) step = own + LEAD_CAP;
      r->offset += fill(r, step);
    } else if (r->others_wall_clock || own < -LEAD_CAP) {
      // Ahead of them: they get the silence (each is behind this one), unless none can be delayed.
      r->drop_budget = -lag < DRIFT_STEP ? -lag : DRIFT_STEP;
    }
    r->last_excess = 0;
  } else {
    r->last_excess = excess;
  }
  reset_window(r, now);
}

void relay_flush(leg_relay *r, int64_t now) {
  release(r);
  fill(r, now - r->channel->end);
}
