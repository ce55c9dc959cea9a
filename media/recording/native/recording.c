// One live stereo recording, ported from media/recorder.ts (CallRecorder's stereo-file half): the
// packets of its legs go through their relays (relay.c) into the two channels, which the muxer
// (mux.c) pairs into the Ogg Opus file (ogg-writer.c). A full disk fails the recording (an "error"
// event), never the process or the call.
#define _GNU_SOURCE
#include "recording.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

rec_emit recording_emit;

// Silence is filled only up to the last packet this recording got from its worker, unless nothing
// has come for this long (recorder.ts, WORKER_QUIET_MS).
#define WORKER_QUIET_SAMPLES (2000 * 48)
// A file's open (a writer thread's) or its last pages and fsync that take this long are told to Node
// ("slow"): a stalled disk is visible in the call's events and log within seconds, not only when
// Node's own cap (30 s) runs out. An open that has not returned by OPEN_FAIL_MS fails the recording:
// the audio held for it meanwhile is in memory only.
#define OPEN_SLOW_MS 2000
#define OPEN_FAIL_MS 10000
#define CLOSE_SLOW_MS 2000
#define STEP 120 // the timeline's step: 2.5 ms at 48 kHz (relay.c)

/** Math.round of JavaScript: halves go up. */
static int64_t js_round(double x) {
  double f = floor(x);
  return (int64_t)(x - f >= 0.5 ? f + 1 : f);
}

int64_t rec_samples_at(const recording *r, double ms) {
  return js_round((ms - r->t0_ms) * 48);
}

static void emitf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void emitf(const char *fmt, ...) {
  char line[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  if (recording_emit) recording_emit(line);
}

static void fail(recording *r, const char *what, int err) {
  if (r->failed) return;
  r->failed = 1;
  const char *name = strerrorname_np(err);
  emitf("error %u recording %s: %s %s failed (%s: %s)", r->id, r->name, what, r->name, name ? name : "E?", strerror(err));
}

/** A failure whose reason is not an errno (a stalled open): "error <id> recording <name>: <what> failed (<why>)". */
static void fail_why(recording *r, const char *what, const char *why) {
  if (r->failed) return;
  r->failed = 1;
  emitf("error %u recording %s: %s %s failed (%s)", r->id, r->name, what, r->name, why);
}

static int64_t floor_step(int64_t x) {
  int64_t q = x / STEP;
  if (x % STEP != 0 && x < 0) q--;
  return q * STEP;
}

static void sink(void *ctx, const uint8_t *packet, size_t len, int samples) {
  recording *r = ctx;
  if (r->failed) return;
  int err = ogg_writer_write(&r->writer, packet, len, samples);
  if (err) fail(r, "writing", err);
}

recording *rec_open(uint32_t id, double t0_ms, uint32_t serial, const char *path, int resume, double at_ms) {
  recording *r = calloc(1, sizeof *r);
  if (!r) abort();
  r->id = id;
  r->t0_ms = t0_ms;
  const char *slash = strrchr(path, '/');
  r->name = strdup(slash ? slash + 1 : path);
  mux_init(&r->muxer, sink, r);
  r->resume = resume;
  int err = ogg_writer_open(&r->writer, path, serial, resume);
  if (err) {
    fail(r, resume ? "reopening" : "opening", err);
    r->writer.closed = 1;
    return r;
  }
  r->opening = 1;
  if (resume) {
    // The process that wrote the file died: what it had not written through is lost, and the
    // recording goes on from its last page, in silence up to now. Where that page is, a writer
    // thread finds out (rec_poll_open); meanwhile the channels go on from now, and the silence
    // between the file's end and now is put in front of them then.
    r->resume_now = rec_samples_at(r, at_ms);
    int64_t start = floor_step(r->resume_now);
    r->muxer.position = start;
    for (int i = 0; i < 2; i++) r->muxer.ch[i].end = start;
    r->heard_at = r->resume_now;
  }
  return r;
}

/** The writer thread has opened the file: a failure fails the recording; a resume goes on from the file's end. */
static void opened(recording *r, int err) {
  r->opening = 0;
  if (err) {
    fail(r, r->resume ? "reopening" : "opening", err);
    ogg_writer_abandon(&r->writer);
    return;
  }
  if (!r->resume || r->failed) return;
  int64_t end = r->writer.granule;
  if (r->resume_now - end > (int64_t)24 * 3600 * 48000) {
    // The gap would be filled with silence at once: a day of it is a file that is not this recording's.
    fail_why(r, "reopening", "its last page is more than a day before the time to resume at");
    ogg_writer_abandon(&r->writer);
    return;
  }
  int untouched = !r->legs && r->muxer.ch[0].count == r->muxer.ch[0].head && r->muxer.ch[1].count == r->muxer.ch[1].head;
  if (untouched) {
    // Nothing placed yet (always so in --replay): as when the file was read before anything else.
    r->muxer.position = end;
    for (int i = 0; i < 2; i++) {
      r->muxer.ch[i].end = end;
      relay_fill_silence(&r->muxer.ch[i], r->resume_now - end);
    }
  } else if (end % STEP == 0 && end <= r->muxer.position) {
    // The same timeline as above (a file this writer wrote ends on a whole step): the gap goes in front.
    for (int i = 0; i < 2; i++) mux_channel_prepend_silence(&r->muxer.ch[i], r->muxer.position - end);
    r->muxer.position = end;
  } else {
    fail_why(r, "reopening", "its last page ends after the time to resume at, or not on a 2.5-ms step");
    ogg_writer_abandon(&r->writer);
    return;
  }
  if (r->finish_pending) {
    r->finish_pending = 0;
    mux_finish(&r->muxer);
    int close_err = ogg_writer_close(&r->writer);
    if (close_err) fail(r, "closing", close_err);
  } else {
    r->dirty = 1; // what was placed meanwhile is paired at the next drain
  }
}

void rec_poll_open(recording *r, double clock_ms) {
  if (!r->opening) return;
  if (!r->open_clock_ms) r->open_clock_ms = clock_ms;
  int err;
  if (ogg_writer_opened(&r->writer, &err)) return opened(r, err);
  double waited = clock_ms - r->open_clock_ms;
  if (waited >= OPEN_FAIL_MS) {
    r->opening = 0;
    char why[128];
    snprintf(why, sizeof why, "open(2) had not returned after %d s: the disk or filesystem is stalled", OPEN_FAIL_MS / 1000);
    fail_why(r, r->resume ? "reopening" : "opening", why);
    ogg_writer_abandon(&r->writer); // written and closed if the open ever returns; nothing more added
  } else if (waited >= OPEN_SLOW_MS && !r->open_slow_told) {
    r->open_slow_told = 1;
    emitf("slow %u recording %s: opening %s has not finished after %d s (the disk or filesystem is stalled?); its audio is held in memory meanwhile, and the recording fails if the open has not returned after %d s",
          r->id, r->name, r->name, OPEN_SLOW_MS / 1000, OPEN_FAIL_MS / 1000);
  }
}

void rec_wait_open(recording *r) {
  if (!r->opening) return;
  ogg_writer_wait_opened(&r->writer);
  int err;
  ogg_writer_opened(&r->writer, &err);
  opened(r, err);
}

void rec_poll_closing_slow(recording *r, double clock_ms) {
  if (r->close_slow_told || !r->stop_clock_ms || r->failed) return;
  if (clock_ms - r->stop_clock_ms < CLOSE_SLOW_MS) return;
  r->close_slow_told = 1;
  emitf("slow %u recording %s: writing the last pages of %s and its fsync have not finished after %d s (the disk is stalled?); \"closed\" or \"error\" follows when they do",
        r->id, r->name, r->name, CLOSE_SLOW_MS / 1000);
}

rec_leg *rec_find_leg(recording *r, uint32_t leg_id) {
  for (rec_leg *l = r->legs; l; l = l->next)
    if (l->id == leg_id) return l;
  return NULL;
}

void rec_add_leg(recording *r, uint32_t leg_id, int side, uint16_t port, uint32_t ssrc, double at_ms) {
  if (r->torn_down || rec_find_leg(r, leg_id)) return;
  rec_leg *leg = calloc(1, sizeof *leg);
  if (!leg) abort();
  leg->id = leg_id;
  leg->side = side ? 1 : 0;
  leg->port = port;
  leg->ssrc = ssrc;
  int64_t now = rec_samples_at(r, at_ms);
  mux_channel *channel = &r->muxer.ch[leg->side];
  relay_fill_silence(channel, now - channel->end); // the new party starts now
  relay_init(&leg->relay, channel, now);
  rec_leg **tail = &r->legs;
  while (*tail) tail = &(*tail)->next;
  *tail = leg;
}

/** The lag of the recording's other active legs (recorder.ts, othersOf): the leg's drift is measured against them. */
static void set_others(recording *r, rec_leg *leg) {
  int64_t min = RELAY_NO_OTHER_MIN, max = RELAY_NO_OTHER_MAX;
  for (rec_leg *l = r->legs; l; l = l->next) {
    if (l == leg || l->ended || l->has_end || !relay_active(&l->relay, r->heard_at)) continue;
    if (l->relay.last_lag < min) min = l->relay.last_lag;
    if (l->relay.last_lag > max) max = l->relay.last_lag;
  }
  leg->relay.others_min = min;
  leg->relay.others_max = max;
  leg->relay.others_wall_clock = 0;
}

void rec_packet(recording *r, rec_leg *leg, uint32_t ssrc, uint32_t timestamp, const uint8_t *payload, size_t len, double arrival_ms) {
  // A failed recording writes nothing more: nothing is queued for it either.
  if (leg->ended || r->torn_down || r->failed) return;
  int64_t arrival = rec_samples_at(r, arrival_ms);
  if (arrival > r->heard_at) r->heard_at = arrival;
  set_others(r, leg);
  relay_receive(&leg->relay, ssrc, timestamp, payload, len, arrival);
  r->dirty = 1;
}

void rec_drain(recording *r) {
  if (r->writer.resuming) return; // no page before the file says where it goes on (rec_poll_open)
  r->dirty = 0;
  if (r->torn_down || r->failed) return;
  mux_drain(&r->muxer);
}

void rec_tick(recording *r, double wall_ms) {
  if (r->torn_down || r->failed) return;
  int64_t wall = rec_samples_at(r, wall_ms);
  int quiet = wall - r->heard_at > WORKER_QUIET_SAMPLES;
  int64_t now = quiet ? wall : (wall < r->heard_at ? wall : r->heard_at);
  // The recording's progress: how far its legs' packets have reached on the timeline. A worker that
  // falls behind delays them all, and silence is filled behind their progress, not the arrival clock.
  int64_t progress = now;
  if (!quiet) {
    int64_t reach = INT64_MIN;
    for (rec_leg *l = r->legs; l; l = l->next)
      if (!l->ended && !l->has_end && l->relay.has_lag && l->relay.reach > reach) reach = l->relay.reach;
    if (reach != INT64_MIN && reach < now) progress = reach;
  }
  for (rec_leg *l = r->legs; l; l = l->next) {
    if (l->ended || l->has_end) continue;
    set_others(r, l);
    relay_tick(&l->relay, now, progress);
  }
  for (int i = 0; i < 2; i++) {
    int fed = 0;
    for (rec_leg *l = r->legs; l; l = l->next)
      if (!l->ended && l->side == i) fed = 1;
    if (!fed) relay_fill_idle(&r->muxer.ch[i], progress);
  }
  rec_drain(r);
}

void rec_end_leg(recording *r, rec_leg *leg, double at_ms) {
  if (leg->ended || leg->has_end) return;
  leg->has_end = 1;
  leg->ends_at = rec_samples_at(r, at_ms);
  relay_end(&leg->relay, leg->ends_at);
}

static void emit_leg_stats(recording *r, rec_leg *l) {
  relay_stats *s = &l->relay.stats;
  l->reported = *s;
  emitf("stats %u %u %lld %lld %lld %lld %lld %lld %lld %lld", r->id, l->id, (long long)s->received, (long long)s->forwarded, (long long)s->silence_samples,
        (long long)s->dropped, (long long)s->dropped_invalid, (long long)s->dropped_late, (long long)s->dropped_drift, (long long)s->resyncs);
}

/** closeLeg: silence up to where it ended; its packets are no longer taken. */
static void close_leg_at(recording *r, rec_leg *leg, int64_t now) {
  if (leg->ended) return;
  leg->ended = 1;
  if (!r->failed) relay_flush(&leg->relay, now);
  emit_leg_stats(r, leg);
}

void rec_close_leg(recording *r, rec_leg *leg) {
  if (leg->ended || !leg->has_end || r->torn_down) return;
  close_leg_at(r, leg, leg->ends_at);
  rec_drain(r);
}

void rec_stop(recording *r, double at_ms) {
  if (r->torn_down) return;
  int64_t now = rec_samples_at(r, at_ms);
  for (rec_leg *l = r->legs; l; l = l->next) close_leg_at(r, l, l->has_end ? l->ends_at : now);
  // Both channels last until now: a silent one is filled up to the same instant.
  for (int i = 0; i < 2; i++) relay_fill_silence(&r->muxer.ch[i], now - r->muxer.ch[i].end);
  r->torn_down = 1;
  if (!r->failed && r->writer.resuming) {
    r->finish_pending = 1; // the last page once the file says where it goes on (opened)
  } else if (!r->failed) {
    mux_finish(&r->muxer);
    int err = ogg_writer_close(&r->writer);
    if (err) fail(r, "closing", err);
  } else {
    ogg_writer_close(&r->writer); // already failing: the partial file is kept as written
  }
}

int rec_stop_finished(recording *r) {
  // The last pages are written and the file fsynced by a writer thread (write-queue.c): "closed"
  // only then. A failed recording does not wait for a disk that may be stuck.
  if (!r->failed) {
    int err;
    if (r->finish_pending || !ogg_writer_finished(&r->writer, &err)) return 0;
    if (err) fail(r, "closing", err);
  }
  for (int i = 0; i < 2; i++) {
    mux_channel_stats *s = &r->muxer.ch[i].stats;
    emitf("channel %u %d %lld %lld %lld %lld %lld %lld %lld", r->id, i, (long long)s->audio_packets, (long long)s->joined_packets, (long long)s->malformed_packets,
          (long long)s->silence_samples, (long long)s->shifts, (long long)s->max_debt, (long long)s->dropped_packets);
  }
  emitf("closed %u %lld %lld %lld", r->id, (long long)r->muxer.position, (long long)r->writer.packets, (long long)r->writer.bytes);
  return 1;
}

void rec_report_stats(recording *r) {
  for (rec_leg *l = r->legs; l; l = l->next)
    if (!l->ended && memcmp(&l->reported, &l->relay.stats, sizeof l->reported) != 0) emit_leg_stats(r, l);
}

void rec_abandon(recording *r) {
  if (r->torn_down) return;
  r->torn_down = 1;
  if (!r->failed && !r->writer.resuming) {
    mux_drain(&r->muxer);
    ogg_writer_flush(&r->writer, 0);
  }
  ogg_writer_abandon(&r->writer);
}

void rec_free(recording *r) {
  for (rec_leg *l = r->legs, *next; l; l = next) {
    next = l->next;
    relay_free(&l->relay);
    free(l);
  }
  mux_free(&r->muxer);
  ogg_writer_release(&r->writer);
  free(r->name);
  free(r);
}
