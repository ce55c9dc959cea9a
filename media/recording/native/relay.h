// One party's RTP placed on the recording's timeline: the C twin of ../leg-relay.ts, rule for rule.
#ifndef CALLMARK_RELAY_H
#define CALLMARK_RELAY_H
#include <stddef.h>
#include <stdint.h>

#include "mux.h"

typedef struct {
  int64_t received, forwarded, silence_samples, dropped, dropped_invalid, dropped_late, dropped_drift, resyncs;
} relay_stats;

typedef struct {
  uint8_t *payload;
  size_t len;
  int64_t ext_ts, dur, arrival;
} held_packet;

typedef struct {
  mux_channel *channel;
  int mapped;
  int64_t offset; // timeline position = extended input timestamp + offset
  int64_t in_ssrc; // -1: none yet
  uint32_t last_ts;
  int64_t ext_ts;
  int late_streak;
  int64_t drop_budget;
  int64_t window_start;
  int64_t *window_lags;     // each placed packet's lag against the other legs'
  int64_t *window_own_lags; // ... and against the wall clock (its arrival)
  size_t window_count, window_cap;
  int last_excess;
  int64_t ends_at; // INT64_MAX until the leg is told to end
  int64_t last_arrival; // when its last packet came (placed or not)
  int has_lag;          // a packet has been placed: last_lag and reach hold
  int64_t last_lag;     // its last placed packet's arrival minus its place's end
  int64_t reach;        // the end of its last placed packet on the timeline
  int64_t others_min, others_max; // the other active legs' lag (leg-relay.ts, OtherLegsLag)
  int others_wall_clock;          // no legs given: measured against the wall clock (WALL_CLOCK), others_min 0
  held_packet *held;
  size_t held_count, held_cap;
  relay_stats stats;
} leg_relay;

/** Silence up to `samples`, in whole 2.5 ms steps; returns what was committed (fillSilence). */
int64_t relay_fill_silence(mux_channel *c, int64_t samples);
/** fillIdle: a channel no leg feeds follows the wall clock, IDLE_FILL_LAG behind. */
int64_t relay_fill_idle(mux_channel *c, int64_t now);
/** No other leg is active (NO_OTHER_LEG of leg-relay.ts). */
#define RELAY_NO_OTHER_MIN INT64_MAX
#define RELAY_NO_OTHER_MAX INT64_MIN
/** activeAt: it has placed a packet, and got one within STALL of `heard`. */
int relay_active(const leg_relay *r, int64_t heard);
void relay_init(leg_relay *r, mux_channel *channel, int64_t now);
void relay_free(leg_relay *r);
void relay_receive(leg_relay *r, uint32_t ssrc, uint32_t timestamp, const uint8_t *payload, size_t len, int64_t now);
void relay_end(leg_relay *r, int64_t ends_at);
void relay_tick(leg_relay *r, int64_t now, int64_t progress);
void relay_flush(leg_relay *r, int64_t now);
#endif
