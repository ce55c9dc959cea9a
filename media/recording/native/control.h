// The receiver's control protocol: text lines from Node on stdin (the same lines drive --replay).
//
//   m                                             a read mark at the next turn (rtp-receiver.c)
//   open <rec> <t0-ms> <serial> <resume> <at-ms> <path>   a stereo recording; this process creates the file
//                                                 (O_EXCL) (resume 1: the process before this one wrote it)
//   leg <rec> <leg> <side 0|1> <port> <ssrc> <at-ms>      a leg on a free side, from at-ms on
//   end <rec> <leg> <at-ms>                       the leg ends at at-ms (packets placed before it stay its)
//   close-leg <rec> <leg>                         ... and everything sent by then has been read: close it
//   stop <rec> <at-ms>                            the recording ends at at-ms: last page, counters, "closed"
// and, for --replay only (the live process does these in its own turn):
//   pkt <rec> <leg> <arrival-ms> <ssrc> <timestamp> <payload hex>
//   drain <rec>                                   what a batch of packets does after it is placed
//   tick <rec> <wall-ms>                          the recording's 100-ms turn
// Times are CLOCK_MONOTONIC milliseconds (Node's performance.now() plus a constant). Events go back
// as text lines (recording.c): stats, channel, closed, error; and "refused" for a line not taken.
#ifndef CALLMARK_CONTROL_H
#define CALLMARK_CONTROL_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "recording.h"

extern recording *recordings;

/**
 * Runs one command line (without its newline); returns 1 if it asked for a read mark. A line that is
 * not exactly one of the above (a field that is not a whole number in range or a finite time within a
 * day of the recording's t0, something left over, an unknown command) is refused whole, changing
 * nothing, with the event "refused <rec or 0> <why>: <the line's start>".
 */
int control_line(char *line);
/** The live process: times are checked against its clock too, and the replay-only commands refused. */
void control_set_live(double (*now_ms)(void));
/** A line longer than the live process reads (limit bytes) was dropped whole: its "refused" event. */
void control_refuse_long_line(const char *start, size_t limit);
/** The live leg that packets from (port, ssrc) belong to, or NULL. */
rec_leg *control_route(uint16_t port, uint32_t ssrc, recording **rec);
/** Drains every recording that got packets since its last drain. */
void control_drain_dirty(void);
void control_tick_all(double wall_ms);
/** Each turn: the outcome of every open a writer thread has finished; "slow" or a failure for one that takes too long (rec_poll_open). */
void control_poll_opening(double clock_ms);
/** Sends "closed" for each stopped recording whose file is now written through and closed ("slow" for one that takes CLOSE_SLOW_MS). */
void control_poll_closing(double clock_ms);
/** The live view: each open leg's counters, if they changed since last sent (rec_report_stats). */
void control_report_stats(void);
/** Node went away: every recording writes through what it holds (this waits for the writers). */
void control_abandon_all(void);
/**
 * The process is ending (stdin closed, or SIGTERM): the same, but waits for the writers only until
 * `deadline_ms` (CLOCK_MONOTONIC); names each recording whose file is not written through and closed
 * by then on `report`, and returns how many there are.
 */
int control_abandon_all_until(double deadline_ms, FILE *report);
#endif
