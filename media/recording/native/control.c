// Applies the control lines of control.h to the recordings, and routes live packets to their legs.
#include "control.h"

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

static void unlink_and_free(recording *r) {
  for (rec_leg *l = r->legs; l; l = l->next) route_remove(l);
  for (recording **p = &recordings; *p; p = &(*p)->next) {
    if (*p == r) {
      *p = r->next;
      break;
    }
  }
  rec_free(r);
}

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

int control_line(char *line) {
  char cmd[16];
  int used = 0;
  if (sscanf(line, "%15s%n", cmd, &used) != 1) return 0;
  char *args = line + used;
  unsigned id, leg_id, serial, side, port, ssrc, ts;
  int resume, n = 0;
  double t0, at;
  if (strcmp(cmd, "m") == 0) return 1;
  if (strcmp(cmd, "open") == 0) {
    if (sscanf(args, "%u %lf %u %d %lf %n", &id, &t0, &serial, &resume, &at, &n) < 5 || n == 0 || find(id)) return 0;
    recording *r = rec_open(id, t0, serial, args + n, resume, at);
    r->next = recordings;
    recordings = r;
  } else if (strcmp(cmd, "leg") == 0) {
    if (sscanf(args, "%u %u %u %u %u %lf", &id, &leg_id, &side, &port, &ssrc, &at) != 6) return 0;
    recording *r = find(id);
    if (!r || rec_find_leg(r, leg_id)) return 0;
    rec_add_leg(r, leg_id, (int)side, (uint16_t)port, ssrc, at);
    rec_leg *leg = rec_find_leg(r, leg_id);
    if (leg) route_add(r, leg);
  } else if (strcmp(cmd, "end") == 0) {
    if (sscanf(args, "%u %u %lf", &id, &leg_id, &at) != 3) return 0;
    recording *r = find(id);
    rec_leg *leg = r ? rec_find_leg(r, leg_id) : NULL;
    if (leg) rec_end_leg(r, leg, at);
  } else if (strcmp(cmd, "close-leg") == 0) {
    if (sscanf(args, "%u %u", &id, &leg_id) != 2) return 0;
    recording *r = find(id);
    rec_leg *leg = r ? rec_find_leg(r, leg_id) : NULL;
    if (leg && !leg->ended) {
      rec_close_leg(r, leg);
      if (leg->ended) route_remove(leg);
    }
  } else if (strcmp(cmd, "stop") == 0) {
    if (sscanf(args, "%u %lf", &id, &at) != 2) return 0;
    recording *r = find(id);
    if (!r) return 0;
    rec_stop(r, at);
    unlink_and_free(r);
  } else if (strcmp(cmd, "pkt") == 0) {
    if (sscanf(args, "%u %u %lf %u %u %n", &id, &leg_id, &at, &ssrc, &ts, &n) < 5 || n == 0) return 0;
    recording *r = find(id);
    rec_leg *leg = r ? rec_find_leg(r, leg_id) : NULL;
    if (!leg) return 0;
    char *hex = args + n;
    size_t len = strcspn(hex, " \r\n") / 2;
    uint8_t *payload = malloc(len ? len : 1);
    if (!payload) abort();
    for (size_t i = 0; i < len; i++) payload[i] = (uint8_t)((unsigned)hexval(hex[2 * i]) << 4 | (unsigned)hexval(hex[2 * i + 1]));
    rec_packet(r, leg, ssrc, ts, payload, len, at);
    free(payload);
  } else if (strcmp(cmd, "drain") == 0) {
    if (sscanf(args, "%u", &id) != 1) return 0;
    recording *r = find(id);
    if (r) rec_drain(r);
  } else if (strcmp(cmd, "tick") == 0) {
    if (sscanf(args, "%u %lf", &id, &at) != 2) return 0;
    recording *r = find(id);
    if (r) rec_tick(r, at);
  }
  return 0;
}

void control_drain_dirty(void) {
  for (recording *r = recordings; r; r = r->next)
    if (r->dirty) rec_drain(r);
}

void control_tick_all(double wall_ms) {
  for (recording *r = recordings; r; r = r->next) rec_tick(r, wall_ms);
}

void control_abandon_all(void) {
  for (recording *r = recordings; r; r = r->next) rec_abandon(r);
}
