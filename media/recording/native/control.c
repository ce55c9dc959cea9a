// Applies the control lines of control.h to the recordings, and routes live packets to their legs.
#include "control.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

recording *recordings;

// Routes: (source port, SSRC) → leg, in an open-addressed table (linear probing, at most half full):
// a packet's lookup reads one or two adjacent slots instead of following a chain of separately
// allocated nodes (perf: the chained lookup was 12 % of the receiver's CPU at 300 recorded calls,
// cache misses). Two legs may share a key (a leg told to end but not yet closed, and its successor):
// the newest is in the slot and is the one found, the older ones wait in `older` until it goes.
typedef struct route {
  recording *rec;
  rec_leg *leg;
  struct route *next;
} route;
typedef struct {
  uint32_t ssrc;
  uint16_t port;
  uint8_t used;
  recording *rec;
  rec_leg *leg;
  route *older; // earlier legs with the same key, newest first (rare)
} route_slot;
static route_slot *slots;
static size_t slot_mask, slot_count; // capacity - 1 (a power of two), slots used

static size_t slot_of(uint16_t port, uint32_t ssrc) {
  uint32_t h = (ssrc ^ (uint32_t)port * 0x9e3779b1u) * 0x85ebca6bu;
  return (h ^ h >> 16) & slot_mask;
}

static route_slot *slot_find(uint16_t port, uint32_t ssrc) {
  if (!slots) return NULL;
  for (size_t i = slot_of(port, ssrc);; i = (i + 1) & slot_mask) {
    route_slot *s = &slots[i];
    if (!s->used) return NULL;
    if (s->ssrc == ssrc && s->port == port) return s;
  }
}

static void slot_put(route_slot *into, size_t mask, const route_slot *s) {
  size_t i = slot_of(s->port, s->ssrc);
  while (into[i].used) i = (i + 1) & mask;
  into[i] = *s;
}

static void slots_grow(void) {
  size_t cap = slots ? 2 * (slot_mask + 1) : 1024;
  route_slot *larger = calloc(cap, sizeof *larger);
  if (!larger) abort();
  route_slot *old = slots;
  size_t old_cap = slots ? slot_mask + 1 : 0;
  slots = larger;
  slot_mask = cap - 1;
  for (size_t i = 0; i < old_cap; i++)
    if (old[i].used) slot_put(slots, slot_mask, &old[i]);
  free(old);
}

static void route_add(recording *r, rec_leg *leg) {
  route_slot *s = slot_find(leg->port, leg->ssrc);
  if (s) {
    // The same key again: the newest leg takes the slot, the one it held waits behind it.
    route *x = malloc(sizeof *x);
    if (!x) abort();
    *x = (route){.rec = s->rec, .leg = s->leg, .next = s->older};
    s->older = x;
    s->rec = r;
    s->leg = leg;
    return;
  }
  if (!slots || 2 * (slot_count + 1) > slot_mask + 1) slots_grow();
  slot_put(slots, slot_mask, &(route_slot){.ssrc = leg->ssrc, .port = leg->port, .used = 1, .rec = r, .leg = leg});
  slot_count++;
}

/** Empties slot i, moving later slots of its probe run back so that every key stays reachable. */
static void slot_delete(size_t i) {
  for (size_t j = (i + 1) & slot_mask;; j = (j + 1) & slot_mask) {
    if (!slots[j].used) break;
    size_t home = slot_of(slots[j].port, slots[j].ssrc);
    // slots[j] may move to i if its home is not in (i, j] (cyclically).
    if (i <= j ? (home <= i || home > j) : (home <= i && home > j)) {
      slots[i] = slots[j];
      i = j;
    }
  }
  slots[i] = (route_slot){0};
  slot_count--;
}

static void route_remove(rec_leg *leg) {
  route_slot *s = slot_find(leg->port, leg->ssrc);
  if (!s) return;
  if (s->leg == leg) {
    route *x = s->older;
    if (x) {
      s->rec = x->rec;
      s->leg = x->leg;
      s->older = x->next;
      free(x);
    } else {
      slot_delete((size_t)(s - slots));
    }
    return;
  }
  for (route **p = &s->older; *p; p = &(*p)->next) {
    if ((*p)->leg == leg) {
      route *x = *p;
      *p = x->next;
      free(x);
      return;
    }
  }
}

rec_leg *control_route(uint16_t port, uint32_t ssrc, recording **rec) {
  route_slot *s = slot_find(port, ssrc);
  if (!s) return NULL;
  *rec = s->rec;
  return s->leg;
}

static recording *find(uint32_t id) {
  for (recording *r = recordings; r; r = r->next)
    if (r->id == id) return r;
  return NULL;
}

// Stopped recordings whose last pages a writer thread has not yet written and fsynced: their
// "closed" waits for that (control_poll_closing), and their packets no longer find them.
static recording *closing;

static void unlink_recording(recording *r) {
  for (rec_leg *l = r->legs; l; l = l->next) route_remove(l);
  for (recording **p = &recordings; *p; p = &(*p)->next) {
    if (*p == r) {
      *p = r->next;
      break;
    }
  }
}

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Strict parsing. The lines are Node's (recorder.ts), but a bug there must not make this process fill
// days of silence, cut a port to 16 bits or read "-1" as 4294967295: every field is checked whole
// (sscanf took "-1" for %u, "nan", "inf" and hex floats for %lf, and ignored what followed), and a line
// that fails is refused whole, changing nothing ("refused" event, control.h).
// A time this far from the recording's t=0 (--replay) or, live, from now is a bug. Live, a line's time
// is checked against now, not t0: a recording may last longer than a day (a stuck call, a server left
// running) and its lines must still be taken; what the bound is for (a bug's time making this process
// fill days of silence at once) is as well served by "within a day of now".
#define MAX_SPAN_MS (24.0 * 3600 * 1000)
// Live, a resumed recording may have started this long ago (a new one: a day, as above); beyond that
// its "open" is refused ("refused" event, which Node logs in the call's events).
#define MAX_RESUMED_AGE_MS (31.0 * 24 * 3600 * 1000)
#define MAX_TIME_MS 1e13                 // CLOCK_MONOTONIC ms: 300 years of uptime

static double (*live_clock)(void);
static const char *why; // what was wrong with the line being parsed

void control_set_live(double (*now_ms)(void)) {
  live_clock = now_ms;
}

/** The next field: after one or more spaces, up to the next space or the end; NULL if there is none. */
static char *field(char **p) {
  char *s = *p;
  if (*s != ' ') return NULL;
  while (*s == ' ') s++;
  if (!*s) return NULL;
  char *e = s;
  while (*e && *e != ' ') e++;
  *p = e;
  return s;
}

/** A whole number in [min, max]: decimal digits only (no sign, no fraction). */
static int take_uint(char **p, uint32_t min, uint32_t max, const char *name, uint32_t *out) {
  char *s = field(p);
  uint64_t v = 0;
  char *c = s;
  if (s)
    for (; c < *p && *c >= '0' && *c <= '9' && v <= UINT32_MAX; c++) v = v * 10 + (uint64_t)(*c - '0');
  if (!s || c != *p || v < min || v > max) {
    if (!why) why = name;
    return 0;
  }
  *out = (uint32_t)v;
  return 1;
}

/** A time in ms: a finite decimal number (no hex, nan or inf), 0 <= t <= MAX_TIME_MS (-MAX_TIME_MS with `signed_ok`). */
static int take_time_from(char **p, const char *name, double *out, int signed_ok) {
  char *s = field(p);
  int ok = s != NULL;
  for (char *c = s; ok && c < *p; c++) ok = strchr("0123456789+-.eE", *c) != NULL;
  char *end = NULL;
  double v = ok ? strtod(s, &end) : 0;
  if (!ok || end != *p || !isfinite(v) || v < (signed_ok ? -MAX_TIME_MS : 0) || v > MAX_TIME_MS) {
    if (!why) why = name;
    return 0;
  }
  *out = v;
  return 1;
}

static int take_time(char **p, const char *name, double *out) {
  return take_time_from(p, name, out, 0);
}

/**
 * A recording's t0: only times' differences with it count, so it may lie before this boot's clock
 * zero (a recording resumed 25 hours on, on a machine up for less: the tests; never Node's own).
 */
static int take_t0(char **p, double *out) {
  return take_time_from(p, "invalid t0", out, 1);
}

/** A time of recording r (or, for "open", of one starting at t0): within MAX_SPAN_MS of t0. */
static int near(double t0, double t, const char *name) {
  if (fabs(t - t0) <= MAX_SPAN_MS) return 1;
  if (!why) why = name;
  return 0;
}

/** A time of a line about recording r: live, within a day of now; --replay, within a day of its t0. */
static int near_rec(const recording *r, double t) {
  return live_clock ? near(live_clock(), t, "a time a day or more from now") : near(r->t0_ms, t, "a time a day or more from t0");
}

static int line_ends(char *p) {
  while (*p == ' ') p++;
  if (*p && !why) why = "something after the last field";
  return *p == 0;
}

/** Refuses a line: a "refused" event with the recording's id (0 if it has none) and the line's start. */
static void refuse(const char *line, const char *reason) {
  char *p = (char *)line;
  while (*p && *p != ' ') p++;
  uint32_t id = 0;
  const char *saved = why;
  if (!take_uint(&p, 1, UINT32_MAX, "", &id)) id = 0;
  why = saved;
  char text[512];
  snprintf(text, sizeof text, "refused %u %s: %.200s%s", id, reason, line, strlen(line) > 200 ? "..." : "");
  if (recording_emit) recording_emit(text);
}

void control_refuse_long_line(const char *start, size_t limit) {
  char reason[64];
  snprintf(reason, sizeof reason, "a control line longer than %zu bytes", limit);
  char text[512];
  snprintf(text, sizeof text, "refused 0 %s: %.100s...", reason, start);
  if (recording_emit) recording_emit(text);
}

static int parse_line(char *line, int *mark) {
  char *p = line;
  while (*p && *p != ' ') p++;
  size_t cmd_len = (size_t)(p - line);
#define IS(name) (cmd_len == sizeof name - 1 && memcmp(line, name, cmd_len) == 0)
  uint32_t id, leg_id, serial, resume, side, port, ssrc, ts;
  double t0, at;
  if (IS("m")) {
    if (!line_ends(p)) return 0;
    *mark = 1;
    return 1;
  }
  if (IS("open")) {
    if (!take_uint(&p, 1, UINT32_MAX, "invalid recording id", &id) || !take_t0(&p, &t0) || !take_uint(&p, 0, UINT32_MAX, "invalid serial", &serial) ||
        !take_uint(&p, 0, 1, "invalid resume (0 or 1)", &resume) || !take_time(&p, "invalid time", &at))
      return 0;
    if (!live_clock && !near(t0, at, "a time a day or more from t0")) return 0;
    if (live_clock) {
      double now = live_clock();
      if (!near(now, at, "a time a day or more from now")) return 0;
      if (!resume && !near(now, t0, "a t0 a day or more from now")) return 0;
      if (resume && (t0 > now + MAX_SPAN_MS || now - t0 > MAX_RESUMED_AGE_MS)) {
        why = t0 > now ? "a t0 a day or more from now" : "a t0 more than 31 days ago (a recording longer than that is not resumed)";
        return 0;
      }
    }
    if (*p != ' ') {
      why = "no path";
      return 0;
    }
    while (*p == ' ') p++;
    if (!*p) {
      why = "no path";
      return 0;
    }
    if (find(id)) return 1; // already open (a repeated line): nothing to do
    recording *r = rec_open(id, t0, serial, p, (int)resume, at);
    r->next = recordings;
    recordings = r;
    if (!live_clock) rec_wait_open(r); // --replay: the open's outcome before the next line, as when it was inline
    return 1;
  }
  if (IS("leg")) {
    if (!take_uint(&p, 1, UINT32_MAX, "invalid recording id", &id) || !take_uint(&p, 0, UINT32_MAX, "invalid leg id", &leg_id) || !take_uint(&p, 0, 1, "invalid side (0 or 1)", &side) ||
        !take_uint(&p, 1, 65535, "invalid port (1-65535)", &port) || !take_uint(&p, 0, UINT32_MAX, "invalid SSRC", &ssrc) || !take_time(&p, "invalid time", &at) || !line_ends(p))
      return 0;
    recording *r = find(id);
    if (r && !near_rec(r, at)) return 0;
    if (!r || rec_find_leg(r, leg_id)) return 1;
    rec_add_leg(r, leg_id, (int)side, (uint16_t)port, ssrc, at);
    rec_leg *leg = rec_find_leg(r, leg_id);
    if (leg) route_add(r, leg);
    return 1;
  }
  if (IS("end")) {
    if (!take_uint(&p, 1, UINT32_MAX, "invalid recording id", &id) || !take_uint(&p, 0, UINT32_MAX, "invalid leg id", &leg_id) || !take_time(&p, "invalid time", &at) || !line_ends(p)) return 0;
    recording *r = find(id);
    if (r && !near_rec(r, at)) return 0;
    rec_leg *leg = r ? rec_find_leg(r, leg_id) : NULL;
    if (leg) rec_end_leg(r, leg, at);
    return 1;
  }
  if (IS("close-leg")) {
    if (!take_uint(&p, 1, UINT32_MAX, "invalid recording id", &id) || !take_uint(&p, 0, UINT32_MAX, "invalid leg id", &leg_id) || !line_ends(p)) return 0;
    recording *r = find(id);
    rec_leg *leg = r ? rec_find_leg(r, leg_id) : NULL;
    if (leg && !leg->ended) {
      rec_close_leg(r, leg);
      if (leg->ended) route_remove(leg);
    }
    return 1;
  }
  if (IS("stop")) {
    if (!take_uint(&p, 1, UINT32_MAX, "invalid recording id", &id) || !take_time(&p, "invalid time", &at) || !line_ends(p)) return 0;
    recording *r = find(id);
    if (r && !near_rec(r, at)) return 0;
    if (!r) return 1;
    rec_stop(r, at);
    r->stop_clock_ms = live_clock ? live_clock() : 0;
    unlink_recording(r);
    if (!live_clock) ogg_writer_wait(&r->writer); // --replay: events in the order of the lines
    if (rec_stop_finished(r)) {
      rec_free(r);
    } else {
      r->next = closing;
      closing = r;
    }
    return 1;
  }
  // The replay-only commands: the live process places, drains and ticks in its own turn.
  if (live_clock && (IS("pkt") || IS("drain") || IS("tick"))) {
    why = "a replay-only command";
    return 0;
  }
  if (IS("pkt")) {
    if (!take_uint(&p, 1, UINT32_MAX, "invalid recording id", &id) || !take_uint(&p, 0, UINT32_MAX, "invalid leg id", &leg_id) || !take_time(&p, "invalid arrival", &at) ||
        !take_uint(&p, 0, UINT32_MAX, "invalid SSRC", &ssrc) || !take_uint(&p, 0, UINT32_MAX, "invalid timestamp", &ts))
      return 0;
    // The payload may be empty (a malformed packet of no bytes): then nothing follows the timestamp.
    char *hex = p;
    while (*hex == ' ') hex++;
    for (p = hex; *p && *p != ' ';) p++;
    size_t digits = (size_t)(p - hex);
    if (digits % 2 != 0) {
      why = "invalid payload (not an even number of hex digits)";
      return 0;
    }
    for (size_t i = 0; i < digits; i++)
      if (hexval(hex[i]) < 0) {
        why = "invalid payload (not an even number of hex digits)";
        return 0;
      }
    if (!line_ends(p)) return 0;
    recording *r = find(id);
    if (r && !near(r->t0_ms, at, "an arrival a day or more from t0")) return 0;
    rec_leg *leg = r ? rec_find_leg(r, leg_id) : NULL;
    if (!leg) return 1;
    size_t len = digits / 2;
    uint8_t *payload = malloc(len ? len : 1);
    if (!payload) abort();
    for (size_t i = 0; i < len; i++) payload[i] = (uint8_t)((unsigned)hexval(hex[2 * i]) << 4 | (unsigned)hexval(hex[2 * i + 1]));
    rec_packet(r, leg, ssrc, ts, payload, len, at);
    free(payload);
    return 1;
  }
  if (IS("drain")) {
    if (!take_uint(&p, 1, UINT32_MAX, "invalid recording id", &id) || !line_ends(p)) return 0;
    recording *r = find(id);
    if (r) rec_drain(r);
    return 1;
  }
  if (IS("tick")) {
    if (!take_uint(&p, 1, UINT32_MAX, "invalid recording id", &id) || !take_time(&p, "invalid time", &at) || !line_ends(p)) return 0;
    recording *r = find(id);
    if (r && !near_rec(r, at)) return 0;
    if (r) rec_tick(r, at);
    return 1;
  }
#undef IS
  why = "an unknown command";
  return 0;
}

int control_line(char *line) {
  int mark = 0;
  why = NULL;
  if (!parse_line(line, &mark)) refuse(line, why ? why : "malformed");
  return mark;
}

void control_drain_dirty(void) {
  for (recording *r = recordings; r; r = r->next)
    if (r->dirty) rec_drain(r);
}

void control_tick_all(double wall_ms) {
  for (recording *r = recordings; r; r = r->next) rec_tick(r, wall_ms);
}

void control_poll_opening(double clock_ms) {
  for (recording *r = recordings; r; r = r->next) rec_poll_open(r, clock_ms);
}

void control_poll_closing(double clock_ms) {
  for (recording **p = &closing; *p;) {
    recording *r = *p;
    rec_poll_open(r, clock_ms); // stopped before its file was even open
    rec_poll_closing_slow(r, clock_ms);
    if (rec_stop_finished(r)) {
      *p = r->next;
      rec_free(r);
    } else {
      p = &r->next;
    }
  }
}

void control_report_stats(void) {
  for (recording *r = recordings; r; r = r->next) rec_report_stats(r);
}

void control_abandon_all(void) {
  for (recording *r = recordings; r; r = r->next) rec_abandon(r);
  wq_wait_all(); // everything handed to the writers is written before the process ends
}

/** Prints one recording whose file is not written through and closed; 1 if it is not. */
static int report_unfinished(recording *r, FILE *to, const char *state) {
  int err;
  if (!r->failed && r->finish_pending) {
    fprintf(to, "callmark-rtp-receiver: recording %u (%s) not finished: %s; its file was still being read to resume\n", r->id, r->name, state);
    return 1;
  }
  if (ogg_writer_finished(&r->writer, &err)) return 0;
  fprintf(to, "callmark-rtp-receiver: recording %u (%s) not finished: %s; %s\n", r->id, r->name, state,
          r->opening ? "its open(2) never returned (a stalled disk or filesystem)" : "its last writes or fsync did not return (a stalled disk); it holds every whole page written before");
  return 1;
}

int control_abandon_all_until(double deadline_ms, FILE *report) {
  for (recording *r = recordings; r; r = r->next) rec_abandon(r);
  wq_wait_all_until(deadline_ms);
  int left = 0;
  for (recording *r = recordings; r; r = r->next) left += report_unfinished(r, report, "not stopped");
  for (recording *r = closing; r; r = r->next) left += report_unfinished(r, report, "stopped");
  return left;
}
