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

/** Token `i` (0 = the command) of `line`, parsed as a time; 1 if it is within range or absent. */
static int time_ok(const char *line, int i) {
  const char *p = line;
  for (int k = 0; k < i; k++) {
    p = strchr(p, ' ');
    if (!p) return 1;
    while (*p == ' ') p++;
  }
  double v = strtod(p, NULL) - t0_ms;
  return v >= -60e3 && v <= 60e3;
}

static void run_line(char *line) {
  static const struct {
    const char *cmd;
    int times[2];
  } times[] = {{"leg ", {6, 0}}, {"end ", {3, 0}}, {"stop ", {2, 0}}, {"pkt ", {3, 0}}, {"tick ", {2, 0}}};
  for (size_t c = 0; c < sizeof times / sizeof *times; c++) {
    if (strncmp(line, times[c].cmd, strlen(times[c].cmd)) != 0) continue;
    for (int k = 0; k < 2; k++)
      if (times[c].times[k] && !time_ok(line, times[c].times[k])) return;
  }
  if (strncmp(line, "open ", 5) == 0) {
    unsigned id, serial;
    int resume;
    double t0, at;
    if (sscanf(line + 5, "%u %lf %u %d %lf", &id, &t0, &serial, &resume, &at) != 5) return;
    if (!(t0 >= -1e9 && t0 <= 1e9 && at >= t0 - 60e3 && at <= t0 + 60e3)) return;
    t0_ms = t0;
    char path[128], cmd[256];
    snprintf(path, sizeof path, "%s/rec-%u.ogg", dir, id % 4);
    if (!resume) close(open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)); // Node creates the file
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
  while (recordings) {
    rec_abandon(recordings);
    unlink_and_free(recordings);
  }
  return 0;
}
