// Writer threads for the recordings' files (write-queue.h). Each file has one buffer that the loop
// appends to and one that a writer writes from: a writer takes everything queued at once (swapping
// the two under the lock) and writes it with one write(2), so pages keep their order and a file is
// never written by two threads at once. Files with something queued wait in one FIFO list; the loop
// wakes a writer once per turn, not once per page (at 300 recorded calls ~15 files get a page per
// 10-ms turn). A file whose disk blocks holds one writer; the others go on with the other files.
// The open of a file is its first job, done by a writer like a write (an open(2) may block too: a
// lease, a dead network filesystem); what the loop queues meanwhile waits behind it, in order. When
// every writer has been busy for a while and files wait, one more writer is started (up to
// MAX_THREADS), so that a few files stuck in the kernel do not stop all the others.
#define _GNU_SOURCE
#include "write-queue.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_THREADS 16
#define STARVED_KICKS 50 // turns (~0.5 s) in which files waited and no writer was free: start one more

struct wq_file {
  int fd;               // -1 until a writer opened it
  char *path;           // to open (freed once opened)
  int flags;
  wq_prepare prepare;
  void *prepared;        // what prepare found (owned here: the caller may be gone before the open returns)
  int opened, open_err; // the open (and prepare) ran; its errno
  uint8_t *buf;         // queued by the loop, not yet taken by a writer
  size_t len, cap;
  uint8_t *wbuf;        // taken by a writer (busy), being written
  size_t wlen, wcap;
  int busy, ready;      // a writer has it; it is in the ready list
  int close_asked, sync, done, released;
  int io_err;           // first error of write, fsync or close (sticky)
  int full;             // a write found no room: the file takes nothing more
  struct wq_file *next; // in the ready list
};

static int threaded, wait_when_full, threads_started, threads_idle, starved_kicks;
static size_t limit;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t work = PTHREAD_COND_INITIALIZER; // something is ready
static pthread_cond_t idle; // a writer finished something (CLOCK_MONOTONIC, for wq_wait_all_until)
static wq_file *ready_head, *ready_tail;
static int closing_files;

static int write_all(int fd, const uint8_t *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

static int finish(int fd, int sync, int err) {
  if (fd < 0) return err; // never opened: nothing to close
  // EINVAL: a special file (a pipe, a FIFO) has nothing to synchronise; its data went where it goes.
  if (!err && sync && fsync(fd) != 0 && errno != EINVAL) err = errno;
  if (close(fd) != 0 && !err && errno != EINTR) err = errno;
  return err;
}

/** Under mu: puts f at the end of the ready list unless a writer has it or it is already there. */
static void make_ready(wq_file *f) {
  if (f->busy || f->ready) return;
  f->ready = 1;
  f->next = NULL;
  if (ready_tail) ready_tail->next = f;
  else ready_head = f;
  ready_tail = f;
}

/** Opens f (no lock held: the writer that has it busy is its only user); 0 or an errno. */
static int open_file(wq_file *f, const char *path) {
  int fd = open(path, f->flags | O_CLOEXEC, 0666);
  // A FIFO at a new file's path is a reader waiting for the stream (it holds nothing to keep): it is
  // written into. Anything else there (a regular file: another recording's evidence) stays refused.
  struct stat st;
  if (fd < 0 && errno == EEXIST && lstat(path, &st) == 0 && S_ISFIFO(st.st_mode)) fd = open(path, (f->flags & ~(O_CREAT | O_EXCL)) | O_CLOEXEC);
  if (fd < 0) return errno;
  f->fd = fd;
  return f->prepare ? f->prepare(fd, f->prepared) : 0;
}

static void free_file(wq_file *f) {
  free(f->path);
  free(f->prepared);
  free(f->buf);
  free(f->wbuf);
  free(f);
}

static void *writer(void *arg) {
  (void)arg;
  pthread_mutex_lock(&mu);
  for (;;) {
    threads_idle++;
    while (!ready_head) pthread_cond_wait(&work, &mu);
    threads_idle--;
    wq_file *f = ready_head;
    ready_head = f->next;
    if (!ready_head) ready_tail = NULL;
    f->ready = 0;
    f->busy = 1;
    // Everything queued so far is this turn's: swap the buffers, write without the lock.
    uint8_t *b = f->wbuf;
    size_t bcap = f->wcap;
    f->wbuf = f->buf;
    f->wcap = f->cap;
    f->wlen = f->len;
    f->buf = b;
    f->cap = bcap;
    f->len = 0;
    int close_now = f->close_asked, skip = f->io_err != 0, sync = f->sync, open_now = !f->opened;
    pthread_mutex_unlock(&mu);
    // First the open, then what was queued behind it: the file's order is kept.
    int open_err = open_now ? open_file(f, f->path) : 0;
    if (open_err) skip = 1;
    // After a failed write nothing more goes into the file: what follows would be after a hole.
    int err = open_err ? open_err : skip || f->wlen == 0 ? 0 : write_all(f->fd, f->wbuf, f->wlen);
    if (close_now) err = finish(f->fd, sync, err ? err : (skip ? -1 : 0));
    if (err < 0) err = 0; // the earlier error is already kept
    pthread_mutex_lock(&mu);
    if (open_now) {
      f->opened = 1;
      f->open_err = open_err;
      free(f->path);
      f->path = NULL;
    }
    if (err && !f->io_err) f->io_err = err;
    f->wlen = 0;
    f->busy = 0;
    if (close_now) {
      f->done = 1;
      closing_files--;
      if (f->released) free_file(f);
    } else if (f->len > 0 || f->close_asked) {
      make_ready(f);
    }
    pthread_cond_broadcast(&idle);
  }
  return NULL;
}

static int start_thread(void) {
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 256 << 10); // a writer only calls open, write, fsync and close (and the resume's scan)
  pthread_t t;
  int err = pthread_create(&t, &attr, writer, NULL);
  pthread_attr_destroy(&attr);
  if (err) return err;
  pthread_detach(t);
  threads_started++;
  threaded = 1;
  return 0;
}

int wq_start(int threads, size_t bytes, int wait) {
  limit = bytes;
  wait_when_full = wait;
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&idle, &ca);
  pthread_condattr_destroy(&ca);
  for (int i = 0; i < threads; i++) {
    int err = start_thread();
    if (err) return i > 0 ? 0 : err; // fewer writers still write everything
  }
  return 0;
}

wq_file *wq_open_path(const char *path, int flags, wq_prepare prepare, size_t result_size) {
  wq_file *f = calloc(1, sizeof *f);
  if (!f) return NULL;
  f->fd = -1;
  f->flags = flags;
  f->prepare = prepare;
  if (!(f->prepared = calloc(1, result_size ? result_size : 1))) {
    free(f);
    return NULL;
  }
  if (!threaded) {
    // No writers (the fuzz harness): the open happens here and now, as before.
    f->opened = 1;
    f->io_err = f->open_err = open_file(f, path);
    return f;
  }
  if (!(f->path = strdup(path))) {
    free(f->prepared);
    free(f);
    return NULL;
  }
  pthread_mutex_lock(&mu);
  make_ready(f);
  pthread_cond_signal(&work);
  pthread_mutex_unlock(&mu);
  return f;
}

int wq_opened(wq_file *f, int *err) {
  if (!threaded) {
    *err = f->open_err;
    return 1;
  }
  pthread_mutex_lock(&mu);
  int opened = f->opened;
  *err = f->open_err;
  pthread_mutex_unlock(&mu);
  return opened;
}

const void *wq_prepared(wq_file *f) {
  return f->prepared;
}

void wq_wait_opened(wq_file *f) {
  if (!threaded) return;
  pthread_mutex_lock(&mu);
  while (!f->opened) pthread_cond_wait(&idle, &mu);
  pthread_mutex_unlock(&mu);
}

int wq_write(wq_file *f, const uint8_t *p, size_t n) {
  if (!threaded) {
    if (f->io_err) return f->io_err;
    return f->io_err = write_all(f->fd, p, n);
  }
  pthread_mutex_lock(&mu);
  while (!f->io_err && !f->full && f->len + f->wlen + n > limit && f->len + f->wlen > 0) {
    if (!wait_when_full) {
      f->full = 1; // the queue holds `limit` bytes the disk has not taken: the recording fails
      break;
    }
    make_ready(f);
    pthread_cond_signal(&work);
    pthread_cond_wait(&idle, &mu);
  }
  int err = f->io_err ? f->io_err : f->full ? ENOBUFS : 0;
  if (!err && f->len + n > f->cap) {
    size_t cap = 2 * (f->len + n) + 4096;
    uint8_t *larger = realloc(f->buf, cap);
    if (larger) {
      f->buf = larger;
      f->cap = cap;
    } else {
      err = ENOMEM;
    }
  }
  if (!err) {
    memcpy(f->buf + f->len, p, n);
    f->len += n;
    make_ready(f);
  }
  pthread_mutex_unlock(&mu);
  return err;
}

void wq_kick(void) {
  if (!threaded) return;
  pthread_mutex_lock(&mu);
  // One writer: it takes the ready files one by one while the others sleep. If it is stuck in a
  // blocked file, the next turn's kick wakes another for what is still waiting.
  if (ready_head) pthread_cond_signal(&work);
  // Files wait and every writer is busy (stuck in a blocked open, write or fsync, or just busy):
  // after STARVED_KICKS such turns in a row, one more writer.
  starved_kicks = ready_head && threads_idle == 0 ? starved_kicks + 1 : 0;
  int more = starved_kicks >= STARVED_KICKS && threads_started < MAX_THREADS;
  if (more) starved_kicks = 0;
  pthread_mutex_unlock(&mu);
  if (more) start_thread();
}

void wq_close(wq_file *f, int sync) {
  if (!threaded) {
    if (!f->close_asked) {
      f->close_asked = 1;
      f->io_err = finish(f->fd, sync, f->io_err);
      f->done = 1;
    }
    return;
  }
  pthread_mutex_lock(&mu);
  if (!f->close_asked) {
    f->close_asked = 1;
    f->sync = sync;
    closing_files++;
    make_ready(f);
    pthread_cond_signal(&work);
  }
  pthread_mutex_unlock(&mu);
}

int wq_done(wq_file *f, int *err) {
  if (!threaded) {
    *err = f->io_err;
    return f->done;
  }
  pthread_mutex_lock(&mu);
  int done = f->done;
  *err = f->io_err;
  pthread_mutex_unlock(&mu);
  return done;
}

void wq_wait(wq_file *f) {
  if (!threaded) return;
  pthread_mutex_lock(&mu);
  while (!f->done) pthread_cond_wait(&idle, &mu);
  pthread_mutex_unlock(&mu);
}

void wq_release(wq_file *f) {
  if (!f) return;
  wq_close(f, 0);
  if (threaded) pthread_mutex_lock(&mu);
  int done = f->done;
  f->released = 1;
  if (threaded) pthread_mutex_unlock(&mu);
  if (done) free_file(f);
}

void wq_wait_all(void) {
  if (!threaded) return;
  pthread_mutex_lock(&mu);
  while (closing_files > 0) pthread_cond_wait(&idle, &mu);
  pthread_mutex_unlock(&mu);
}

int wq_wait_all_until(double deadline_ms) {
  if (!threaded) return 0;
  struct timespec at = {.tv_sec = (time_t)(deadline_ms / 1000), .tv_nsec = (long)((deadline_ms - (double)(time_t)(deadline_ms / 1000) * 1000) * 1e6)};
  if (at.tv_nsec >= 1000000000L) at.tv_nsec = 999999999L;
  if (at.tv_nsec < 0) at.tv_nsec = 0;
  pthread_mutex_lock(&mu);
  while (closing_files > 0 && pthread_cond_timedwait(&idle, &mu, &at) != ETIMEDOUT) {
  }
  int left = closing_files;
  pthread_mutex_unlock(&mu);
  return left;
}
