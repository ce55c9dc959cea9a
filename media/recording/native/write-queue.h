// The recordings' file writes, off the receiver's loop: the loop hands each file's pages over (a
// copy, in order) and writer threads write them, so that a disk that blocks for seconds (a full
// journal, a slow network filesystem) stalls no socket read and no other file's writes. Without
// wq_start (the fuzz harness) every call writes at once in the caller's thread, as before.
#ifndef CALLMARK_WRITE_QUEUE_H
#define CALLMARK_WRITE_QUEUE_H
#include <stddef.h>
#include <stdint.h>

typedef struct wq_file wq_file;

/**
 * Starts `threads` writer threads. A file holds at most `limit` bytes not yet written: beyond that
 * wq_write fails with ENOBUFS (live: the recording fails rather than grow or block), or, with
 * `wait_when_full`, waits for room (--replay, whose output must not depend on timing). 0, or an errno.
 */
int wq_start(int threads, size_t limit, int wait_when_full);
/** Takes over `fd`; NULL if out of memory (then fd is still the caller's). */
wq_file *wq_open(int fd);
/** Queues a copy of n bytes; 0, or the errno of an earlier failed write (sticky), or ENOBUFS (full). */
int wq_write(wq_file *f, const uint8_t *p, size_t n);
/** Wakes the writers for what was queued since the last call (the loop calls it once per turn). */
void wq_kick(void);
/** After everything queued: fsync (if `sync`) and close. The handle stays the caller's until wq_release. */
void wq_close(wq_file *f, int sync);
/** 1 once closed; *err then is the first error of its writes, fsync or close (0: none). */
int wq_done(wq_file *f, int *err);
/** Blocks until closed (--replay: the next line waits for the file, as when writes were inline). */
void wq_wait(wq_file *f);
/** The caller is done with it (closing it without fsync if not yet asked): freed once closed. */
void wq_release(wq_file *f);
/** Blocks until every file asked to close is closed (the process is about to exit). */
void wq_wait_all(void);
#endif
