// Applies the control lines of control.h to the recordings, and routes live packets to their legs.
#include "control.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

recording *recordings;

// Routes: (source port, SSRC) → leg, chained in a fixed table (a few thousand legs at most).
#define ROUTE_BUCKETS 16384
typedef struct route {
  uint16_t port;
  uint32_t ssrc;
  recording *rec;
  rec_leg *leg;
  struct route *next;
} route;
static route *routes[ROUTE_BUCKETS];

static size_t bucket(uint16_t port, uint32_t ssrc) {
  return ((uint32_t)port * 2654435761u ^ ssrc * 40503u) % ROUTE_BUCKETS;
}

static void route_add(recording *r, rec_leg *leg) {
  route *x = malloc(sizeof *x);
  if (!x) abort();
  *x = (route){.port = leg->port, .ssrc = leg->ssrc, .rec = r, .leg = leg};
  size_t b = bucket(leg->port, leg->ssrc);
  x->next = routes[b];
  routes[b] = x;
}

static void route_remove(rec_leg *leg) {
  for (route **p = &routes[bucket(leg->port, leg->ssrc)]; *p; p = &(*p)->next) {
    if ((*p)->leg == leg) {
      route *x = *p;
      *p = x->next;
      free(x);
      return;
    }
  }
}

rec_leg *control_route(uint16_t port, uint32_t ssrc, recording **rec) {
  for (route *x = routes[bucket(port, ssrc)]; x; x = x->next) {
    if (x->port == port && x->ssrc == ssrc) {
      *rec = x->rec;
      return x->leg;
    }
  }
  return NULL;
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
