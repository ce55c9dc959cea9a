// callmark-sched-slice <slice-us> <pid>...: gives every thread of each process a scheduler slice of
// <slice-us> microseconds (0: the kernel's default again), keeping its policy and nice value.
//
// Why: a mediasoup worker forwards each packet the moment it wakes; if a core is busy (the other
// worker, the recorder's receiver writing its pages, Node, ffmpeg, anything else on the machine) the
// packet waits until the worker gets the core. Linux's EEVDF scheduler (6.6 and later) picks the
// runnable task with the earliest virtual deadline, its vruntime plus its slice; since 6.12 a task may
// ask for its own slice (sched_setattr's sched_runtime for SCHED_OTHER, clamped to 0.1-100 ms: "sched/eevdf:
// Use sched_attr::sched_runtime to set request/slice suggestion", https://git.kernel.org/torvalds/c/857b158dc5e8), and a
// waking task with a shorter slice than the running one preempts it ("sched/eevdf: Allow shorter
// slices to wakeup-preempt", https://git.kernel.org/torvalds/c/85e511df3cec). The worker runs ~10 µs
// per packet and then sleeps, so a 0.1-ms slice costs it nothing and puts it first when it wakes;
// it does not get more CPU than its share (the slice changes when it runs, not its weight). Older
// kernels accept the call and ignore the slice. Node has no API for sched_setattr, hence this
// program (media/worker-pool.ts runs it for each worker it starts; compiled by scripts/setup.mjs).
//
// Exit status 0 if every thread was set, 1 otherwise (the error on stderr).
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

// struct sched_attr of sched_setattr(2) (glibc 2.36 has no wrapper and no header for it).
struct sched_attr_v1 {
  uint32_t size;
  uint32_t sched_policy;
  uint64_t sched_flags;
  int32_t sched_nice;
  uint32_t sched_priority;
  uint64_t sched_runtime;
  uint64_t sched_deadline;
  uint64_t sched_period;
  uint32_t sched_util_min;
  uint32_t sched_util_max;
};

#define SCHED_OTHER_POLICY 0
#define SCHED_BATCH_POLICY 3

static int set_thread(int tid, uint64_t slice_ns) {
  struct sched_attr_v1 attr;
  memset(&attr, 0, sizeof attr);
  if (syscall(SYS_sched_getattr, tid, &attr, sizeof attr, 0) < 0) {
    if (errno == ESRCH) return 0; // the thread has just ended
    fprintf(stderr, "sched_getattr(%d): %s\n", tid, strerror(errno));
    return -1;
  }
  // A real-time or idle policy was chosen by someone else on purpose: leave it.
  if (attr.sched_policy != SCHED_OTHER_POLICY && attr.sched_policy != SCHED_BATCH_POLICY) return 0;
  attr.size = sizeof attr;
  attr.sched_flags = 0;
  attr.sched_runtime = slice_ns; // sched_nice and sched_policy as read: unchanged
  attr.sched_deadline = attr.sched_period = 0;
  if (syscall(SYS_sched_setattr, tid, &attr, 0) < 0) {
    if (errno == ESRCH) return 0;
    fprintf(stderr, "sched_setattr(%d): %s\n", tid, strerror(errno));
    return -1;
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s <slice-us> <pid>...\n", argv[0]);
    return 2;
  }
  char *end;
  unsigned long long slice_us = strtoull(argv[1], &end, 10);
  if (*end || slice_us > 100000) {
    fprintf(stderr, "slice must be 0-100000 µs: %s\n", argv[1]);
    return 2;
  }
  int failed = 0;
  for (int i = 2; i < argc; i++) {
    char dir[64];
    snprintf(dir, sizeof dir, "/proc/%d/task", atoi(argv[i]));
    DIR *d = opendir(dir);
    if (!d) {
      fprintf(stderr, "%s: %s\n", dir, strerror(errno));
      failed = 1;
      continue;
    }
    for (struct dirent *e; (e = readdir(d));) {
      if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
      if (set_thread(atoi(e->d_name), (uint64_t)slice_us * 1000) < 0) failed = 1;
    }
    closedir(d);
  }
  return failed;
}
