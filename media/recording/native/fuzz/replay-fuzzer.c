// libFuzzer harness for the recording pipeline (../control.c and what it drives): the input is a
// --replay script (control.h), run in-process. Not built by setup or CI: see ./README.md.
//
// What Node sends is trusted; what a peer sends is not. So the harness keeps the trusted fields sane
// and leaves the hostile ones alone: the path of "open" is replaced by a file of its own (the
// pipeline writes where it is told), and lines whose times (ms) lie more than a minute from the last
// "open"'s t0 are skipped (Node's clock; a stop 30 years on would only make the fuzzer write 30
// years of silence). Payloads, SSRCs, RTP timestamps, arrival times within that minute and the order
// of the commands are the fuzzer's. fsync is a no-op here (speed).
#include "../control.c"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];
static double t0_ms;

int fsync(int fd) {
  (void)fd;
  return 0;
}

static void quiet(const char *line) {
  (void)line;
}

/** The time (ms) a line of `format` carries, read as control.c reads it; 1 if it is within range or unread. */
static int time_ok(const char *args, const char *format) {
  double v;
  if (sscanf(args, format, &v) != 1) return 1;
  v -= t0_ms;
  return v >= -60e3 && v <= 60e3;
}

static void run_line(char *line) {
  // The formats of control.c with the other fields skipped: the harness must see the time it will.
  static const struct {
    const char *cmd, *format;
  } times[] = {{"leg ", "%*u %*u %*u %*u %*u %lf"}, {"end ", "%*u %*u %lf"}, {"stop ", "%*u %lf"}, {"pkt ", "%*u %*u %lf"}, {"tick ", "%*u %lf"}};
  for (size_t c = 0; c < sizeof times / sizeof *times; c++) {
    size_t n = strlen(times[c].cmd);
    if (strncmp(line, times[c].cmd, n) == 0 && !time_ok(line + n, times[c].format)) return;
  }
  if (strncmp(line, "open ", 5) == 0) {
    unsigned id, serial;
    int resume;
    double t0, at;
    if (sscanf(line + 5, "%u %lf %u %d %lf", &id, &t0, &serial, &resume, &at) != 5) return;
    if (!(t0 >= -1e9 && t0 <= 1e9 && at >= t0 - 60e3 && at <= t0 + 60e3)) return;
    if (!find(id)) t0_ms = t0; // control.c refuses a second "open" of the same id
    char path[128], cmd[256];
    snprintf(path, sizeof path, "%s/rec-%u.ogg", dir, id % 4);
    if (!resume) unlink(path); // the receiver creates a new recording's file (O_EXCL)
    snprintf(cmd, sizeof cmd, "open %u %.17g %u %d %.17g %s", id, t0, serial, resume, at, path);
    control_line(cmd);
    return;
  }
  control_line(line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!dir[0]) {
    snprintf(dir, sizeof dir, "/dev/shm/callmark-replay-fuzz-%d", (int)getpid());
    mkdir(dir, 0700);
    recording_emit = quiet;
  }
  t0_ms = 0;
  char *text = malloc(size + 1);
  memcpy(text, data, size);
  text[size] = 0;
  for (char *line = text, *next; line; line = next) {
    next = strchr(line, '\n');
    if (next) *next++ = 0;
    run_line(line);
  }
  free(text);
  // The process goes on to the next input: what this one left open is abandoned and freed.
  // (No writer threads here: a stopped recording is closed at once, none waits in `closing`.)
  while (recordings) {
    recording *r = recordings;
    rec_abandon(r);
    unlink_recording(r);
    rec_free(r);
  }
  return 0;
}
