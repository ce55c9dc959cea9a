// The recordings' file writes, off the receiver's loop: the loop hands each file's pages over (a
// copy, in order) and writer threads open and write them, so that a disk that blocks for seconds (a
// full journal, a slow network filesystem, an open(2) that waits on a lease or a dead NFS server)
// stalls no socket read and no other file's writes. Without wq_start (the fuzz harness) every call
// opens and writes at once in the caller's thread, as before.
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
/** What a writer does right after opening a file, before its first write (find where to resume): fills `result`; 0 or an errno. */
typedef int (*wq_prepare)(int fd, void *result);
/**
 * A file that a writer opens (open(path, flags)) and then prepares (if `prepare`, into a zeroed
 * `result_size` bytes the queue owns), before anything queued for it is written; the caller learns
 * the outcome from wq_opened. NULL if out of memory.
 */
wq_file *wq_open_path(const char *path, int flags, wq_prepare prepare, size_t result_size);
/** What prepare wrote, once wq_opened says 1; valid until wq_release. */
const void *wq_prepared(wq_file *f);
/** 1 once the writer has opened (and prepared) the file; *err then its errno (0: ready). */
int wq_opened(wq_file *f, int *err);
/** Blocks until wq_opened (--replay: the next line waits for the file, as when the open was inline). */
void wq_wait_opened(wq_file *f);
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
/** The same, but only until `deadline_ms` (CLOCK_MONOTONIC); returns how many files are still not closed. */
int wq_wait_all_until(double deadline_ms);
#endif
