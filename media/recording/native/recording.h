// A live stereo recording in the receiver process: its Ogg Opus file, its two channels, its legs.
// The C twin of what media/recorder.ts does for the stereo file (CallRecorder's tick, addLeg on a
// free side, endLeg, teardown), driven by the commands of ./control.h.
#ifndef CALLMARK_RECORDING_H
#define CALLMARK_RECORDING_H
#include <stddef.h>
#include <stdint.h>

#include "mux.h"
#include "ogg-writer.h"
#include "relay.h"

typedef struct rec_leg {
  uint32_t id;
  int side;
  uint16_t port;
  uint32_t ssrc;
  int ended;
  int has_end;
  int64_t ends_at;
  leg_relay relay;
  relay_stats reported; // the counters last sent to Node (rec_report_stats)
  struct rec_leg *next;
} rec_leg;

typedef struct recording {
  uint32_t id;
  double t0_ms; // CLOCK_MONOTONIC ms of the recording's t=0
  char *name;   // the file's base name, for messages
  ogg_writer writer;
  stream_muxer muxer;
  rec_leg *legs; // in the order they were added
  int64_t heard_at;
  int failed;
  int torn_down;
  int dirty; // got packets since its last drain
  // Its file is opened (and, to resume, read) by a writer thread (write-queue.c), not this loop.
  int resume;          // continues a file a dead receiver wrote
  int opening;         // the writer thread has not said yet whether the open worked
  double open_clock_ms; // the loop's clock when the open was handed over
  int open_slow_told;
  int64_t resume_now;   // samples: where the resumed recording goes on (the open line's time)
  int finish_pending;   // stopped while resuming: the last page waits for where the file goes on
  double stop_clock_ms; // the loop's clock at the stop (0: not stopped)
  int close_slow_told;
  struct recording *next;
} recording;

/** Events for Node (text lines): what a recording tells about itself. */
typedef void (*rec_emit)(const char *line);
extern rec_emit recording_emit;

int64_t rec_samples_at(const recording *r, double ms);
recording *rec_open(uint32_t id, double t0_ms, uint32_t serial, const char *path, int resume, double at_ms);
rec_leg *rec_find_leg(recording *r, uint32_t leg_id);
void rec_add_leg(recording *r, uint32_t leg_id, int side, uint16_t port, uint32_t ssrc, double at_ms);
void rec_packet(recording *r, rec_leg *leg, uint32_t ssrc, uint32_t timestamp, const uint8_t *payload, size_t len, double arrival_ms);
void rec_drain(recording *r);
void rec_tick(recording *r, double wall_ms);
void rec_end_leg(recording *r, rec_leg *leg, double at_ms);
void rec_close_leg(recording *r, rec_leg *leg);
/** Each turn (live): the outcome of the open once a writer thread has it (a resume goes on from the file's end; a failure is an "error"); "slow" when it takes OPEN_SLOW_MS, a failure at OPEN_FAIL_MS. */
void rec_poll_open(recording *r, double clock_ms);
/** --replay: waits for the open, then as rec_poll_open (events in the order of the lines). */
void rec_wait_open(recording *r);
/** A stopped recording whose last pages and fsync take CLOSE_SLOW_MS says so once ("slow"). */
void rec_poll_closing_slow(recording *r, double clock_ms);
/** teardown: every leg closed (its counters), both channels to `at`, the last page handed to the writer. */
void rec_stop(recording *r, double at_ms);
/** After rec_stop: 1 once the file is written through and closed; then the channels' counters and "closed" are emitted. */
int rec_stop_finished(recording *r);
/** Sends the counters of each open leg whose counters changed since they were last sent (the live view). */
void rec_report_stats(recording *r);
/** The process is going away without a stop: what is written stays, nothing more is added. */
void rec_abandon(recording *r);
void rec_free(recording *r);
#endif
