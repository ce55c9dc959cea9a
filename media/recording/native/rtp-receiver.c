// callmark-rtp-receiver: takes the RTP that mediasoup sends to the call recorder off Node's
// per-packet path. One process per Node process; every recording's PlainTransport sends to its one
// UDP socket. It reads packets in batches (recvmmsg), stamps each with the kernel's arrival time
// (SO_TIMESTAMPNS, turned into CLOCK_MONOTONIC, the clock of Node's process.hrtime), parses the RTP
// header, drops RTCP, and hands Node one buffer of packets every few milliseconds on stdout
// instead of one event per packet; it wakes up once per batch, not once per packet. Node
// (media/recording/rtp-receiver.ts) does the rest.
//
//   callmark-rtp-receiver <ip> <port|0> <flush-ms> [exit-ms]
// prints "ready <port>\n" on stdout, then binary frames, each:
//   u32le frame length (bytes after this field), f64le read mark (CLOCK_MONOTONIC, ms: every packet
//   that had reached this process's sockets by then is in this frame or an earlier one; 0 if a
//   turn could not read everything), then records:
//   u16le record length (bytes after this field), u16le source port, u32le SSRC, u32le RTP timestamp,
//   u16le sequence number, u8 payload type, u8 reserved, f64le arrival (CLOCK_MONOTONIC, ms), payload.
// A frame is written every flush-ms while packets arrive; the line "m" on stdin asks for one at the
// next turn even if none did (Node waits for a read mark before it ends a recording's leg, so that
// packets which arrived before the end but were still on their way are kept). Exits when stdin closes
// (Node went away), after writing through and fsyncing what its recordings hold, waiting for the
// writers at most exit-ms (default EXIT_MS) after stdin closed; SIGTERM starts the same bound at
// once, but the process goes on recording until stdin closes or the bound passes (the server, sent
// the same SIGTERM, still stops its calls meanwhile). A recording not written through by then is
// named on stderr (which reaches the server's log), and the exit code is 1; its file holds every
// whole page that was written, readable up to there (and resumable). Counters go to fd 3 on SIGUSR1
// (to stderr if fd 3 is not open): Node reads them there and leaves stderr to the server's own, so
// that what this process says on its way out is seen even when Node has already exited.
//
// The live stereo recordings are written here, not in Node: the other lines on stdin (control.h)
// open a recording, add and end its legs and stop it; the packets of those legs are placed
// (relay.c), paired (mux.c) and made into Ogg pages (ogg-writer.c) in this process's own turn, and
// never reach Node. The files are opened (a resume: read) and their pages written by writer threads
// (write-queue.c): this loop only hands them over, so a disk or filesystem that blocks never stops
// it reading; a file whose queue fills (256 KiB), or whose open has not returned after 10 s, fails
// its recording instead, and an open or a stop's last writes that take 2 s say so ("slow"). What the recordings tell Node (a leg's counters, every second while they
// change and when it closes; a failed write; the end, once the file is fsynced and closed) goes in
// the frames as records whose source port is 0, their text after the header; so does "refused" for
// a control line that is malformed or longer than 8,192 bytes (refused whole, changing nothing).
// Every 100 ms each recording also fills its silent legs (recording.c). Packets of any other
// (port, SSRC) go to Node as before.
//
//   callmark-rtp-receiver --replay
// reads control lines (with the replay-only "pkt", "drain" and "tick") from stdin and prints the
// events as lines: tests/media/recording/native-pipeline.test.ts compares it with the TypeScript.
//
// A mediasoup worker built with Callmark's patch (media/worker-patch/CallmarkRecordingSink.hpp) does
// not send the recordings' RTP to the UDP socket one datagram at a time: it connects to the abstract
// Unix stream socket "callmark-rtp-<port>" opened here next to it and writes every packet of ~10 ms
// at once, each as: u16le length of what follows, u16le the transport's UDP port, f64le the time it
// was sent (CLOCK_MONOTONIC, ms), the RTP packet. Those are handled exactly like UDP arrivals.
//
// RTP header parsing follows RFC 3550 §5.1 (version 2, CSRC count, extension, padding); RTCP on the
// same port (rtcp-mux) is recognised by its packet type 192-223 (RFC 5761 §4).
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "control.h"
#include "write-queue.h"

#define BATCH 64
#define PKT_MAX 2048
#define REC_HEADER 22 // bytes of a record after its length field, before the payload
#define TICK_MS 100 // the recordings' silence filling (recorder.ts's TICK_MS)
#define OUT_MAX (8 << 20) // beyond this Node is not reading: drop (counted) rather than grow
#define STATS_MS 1000 // a leg's counters go to Node this often while they change (the live view)
// The recordings' files are written by threads (write-queue.c): a file whose disk blocks holds one,
// the others go on. Each file may hold this much not yet written (~30 s of a call at 2 × 32 kbit/s)
// before its recording fails with ENOBUFS: a stalled disk costs memory up to this, never the loop.
#define WRITERS 4
#define WRITE_QUEUE_MAX (256 << 10)
// The writers get this long to write through and fsync every file once the process is told to end:
// the server gives itself 20 s on SIGTERM (server/shutdown-step.ts), this ends a few seconds before.
#define EXIT_MS 15000

static uint8_t *out;
static size_t out_len, out_frame_start;
static volatile sig_atomic_t report_counters, got_sigterm;
static unsigned long long c_packets, c_rtcp, c_malformed, c_dropped_full, c_bytes_out, c_pipeline;

static void put16(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
}
static void put32(uint8_t *p, uint32_t v) {
  put16(p, v);
  put16(p + 2, v >> 16);
}

static double clock_ms(clockid_t id) {
  struct timespec t;
  clock_gettime(id, &t);
  return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

#define FRAME_HEADER 12 // u32le length, f64le read mark
#define CONTROL_LINE_MAX 8192 // bytes of a control line without its newline (a path is at most PATH_MAX, 4096)

static double monotonic_ms(void) {
  return clock_ms(CLOCK_MONOTONIC);
}

static void begin_frame(void) {
  out_frame_start = out_len;
  out_len += FRAME_HEADER;
}

static void end_frame(double read_mark) {
  put32(out + out_frame_start, (uint32_t)(out_len - out_frame_start - 4));
  memcpy(out + out_frame_start + 4, &read_mark, 8);
}

/** Writes what it can without blocking; the rest waits for the next turn. */
static void drain(void) {
  size_t done = 0;
  while (done < out_len) {
    ssize_t w = write(STDOUT_FILENO, out + done, out_len - done);
    if (w > 0) {
      done += (size_t)w;
      c_bytes_out += (unsigned long long)w;
    } else if (w < 0 && errno == EINTR) {
      continue;
    } else {
      break; // EAGAIN: the pipe is full; EPIPE: Node is gone and stdin will close too
    }
  }
  memmove(out, out + done, out_len - done);
  out_len -= done;
}

static void add_packet(const uint8_t *p, int len, uint16_t src_port, double arrival_ms) {
  if (len < 12 || (p[0] >> 6) != 2) {
    c_malformed++;
    return;
  }
  if (p[1] >= 192 && p[1] <= 223) {
    c_rtcp++;
    return;
  }
  int off = 12 + 4 * (p[0] & 0x0f);
  if (p[0] & 0x10) {
    if (len < off + 4) {
      c_malformed++;
      return;
    }
    off += 4 + 4 * (p[off + 2] << 8 | p[off + 3]);
  }
  int end = len;
  if (p[0] & 0x20) end -= p[len - 1];
  if (end <= off) {
    c_malformed++;
    return;
  }
  // A leg of a live stereo recording: placed, paired and written here (recording.c), never sent to Node.
  uint32_t ssrc = (uint32_t)p[8] << 24 | (uint32_t)p[9] << 16 | (uint32_t)p[10] << 8 | p[11];
  recording *rec;
  rec_leg *leg = control_route(src_port, ssrc, &rec);
  if (leg) {
    rec_packet(rec, leg, ssrc, (uint32_t)p[4] << 24 | (uint32_t)p[5] << 16 | (uint32_t)p[6] << 8 | p[7], p + off, (size_t)(end - off), arrival_ms);
    c_packets++;
    c_pipeline++;
    return;
  }
  size_t need = 2 + REC_HEADER + (size_t)(end - off);
  if (out_len + need > OUT_MAX) {
    c_dropped_full++;
    return;
  }
  uint8_t *r = out + out_len;
  put16(r, (uint32_t)(need - 2));
  put16(r + 2, src_port);
  put32(r + 4, ssrc);
  put32(r + 8, (uint32_t)p[4] << 24 | (uint32_t)p[5] << 16 | (uint32_t)p[6] << 8 | p[7]);
  put16(r + 12, (uint32_t)(p[2] << 8 | p[3]));
  r[14] = p[1] & 0x7f;
  r[15] = 0;
  memcpy(r + 16, &arrival_ms, 8); // x86-64 and arm64 are little-endian, like f64le
  memcpy(r + 24, p + off, (size_t)(end - off));
  out_len += need;
  c_packets++;
}

// Node's control lines (stdin, non-blocking). Read whenever the loop wakes with stdin readable, and
// again after every read of packets and before those packets are placed: a packet read at time t was
// sent before t, so every line Node wrote before sending it is in the pipe by then and is taken here
// first. A leg's first packets therefore always find the leg that Node announced before it let them
// flow, however many lines wait (a cohort starting) and however late this process runs on a loaded
// machine; before, the rest of a burst of lines waited for the next turn, and those packets went to
// Node as unknown ones and were lost. Lines handled between two reads of one turn are safe: Node sends
// a stop only after a read mark says everything before it was read (readUpTo), and a stop with packets
// of the turn still unplaced finishes them as it would in the next turn.
static int mark_wanted;   // a line asked for a read mark: this turn's frame carries one
static int control_ended; // stdin ended or failed: Node went away
static void read_control(void) {
  static char line[CONTROL_LINE_MAX + 1];
  static size_t line_len;
  static int line_too_long;
  while (!control_ended) {
    char tmp[4096];
    ssize_t r = read(STDIN_FILENO, tmp, sizeof tmp);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (r <= 0) {
      control_ended = 1;
      return;
    }
    for (ssize_t i = 0; i < r; i++) {
      if (tmp[i] != '\n') {
        if (line_len < CONTROL_LINE_MAX) line[line_len++] = tmp[i];
        else line_too_long = 1;
        continue;
      }
      line[line_len] = 0;
      line_len = 0;
      // A line longer than this is refused whole: cut, its path would name another file.
      if (line_too_long) control_refuse_long_line(line, CONTROL_LINE_MAX);
      else if (control_line(line)) mark_wanted = 1;
      line_too_long = 0;
    }
    if ((size_t)r < sizeof tmp) return; // a short read took all the pipe held (no second read just to see EAGAIN)
  }
}

// Connections from patched mediasoup workers (one per worker), each with what it sent that does not
// yet make a whole record.
#define MAX_CONNS 64
#define CONN_BUF (1 << 20)
static struct conn {
  int fd;
  uint8_t *buf;
  size_t len;
} conns[MAX_CONNS];
static unsigned long long c_worker_records, c_refused_peers;

static int listen_for_workers(uint16_t port) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  int n = snprintf(addr.sun_path + 1, sizeof addr.sun_path - 1, "callmark-rtp-%u", port); // abstract name
  int rcvbuf = 4 << 20;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  if (bind(fd, (struct sockaddr *)&addr, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)n)) < 0 || listen(fd, MAX_CONNS) < 0) {
    perror("callmark-rtp-receiver: worker socket (recordings fall back to UDP)");
    close(fd);
    return -1;
  }
  return fd;
}

/** Takes new worker connections, then every whole record each has sent. */
static void read_workers(int listen_fd) {
  for (;;) {
    int c = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (c < 0) break;
    // Only a worker of our own user may put packets into recordings (nothing forged): an abstract
    // socket has no file permissions, so any local process could connect.
    struct ucred peer;
    socklen_t peer_len = sizeof peer;
    if (getsockopt(c, SOL_SOCKET, SO_PEERCRED, &peer, &peer_len) != 0 || peer.uid != getuid()) {
      c_refused_peers++;
      close(c);
      continue;
    }
    int slot = -1;
    for (int i = 0; i < MAX_CONNS && slot < 0; i++)
      if (conns[i].buf == NULL || conns[i].fd < 0) slot = i;
    if (slot < 0) {
      close(c); // the worker will try again at its next flush
      continue;
    }
    if (!conns[slot].buf && !(conns[slot].buf = malloc(CONN_BUF))) {
      close(c);
      continue;
    }
    conns[slot].fd = c;
    conns[slot].len = 0;
  }
  for (int i = 0; i < MAX_CONNS; i++) {
    struct conn *k = &conns[i];
    if (!k->buf || k->fd < 0) continue;
    for (;;) {
      ssize_t r = read(k->fd, k->buf + k->len, CONN_BUF - k->len);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) {
        if (r == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
          close(k->fd); // the worker went away
          k->fd = -1;
        }
        break;
      }
      int drained = (size_t)r < CONN_BUF - k->len; // a short read took all the socket held (then no second read just to see EAGAIN)
      k->len += (size_t)r;
      read_control(); // the lines written before these packets were sent (see read_control)
      size_t off = 0;
      while (k->len - off >= 2) {
        size_t rec = (size_t)(k->buf[off] | k->buf[off + 1] << 8);
        if (k->len - off < 2 + rec) break;
        if (rec > 10) {
          double sent_ms;
          memcpy(&sent_ms, k->buf + off + 4, 8);
          add_packet(k->buf + off + 12, (int)(rec - 10), (uint16_t)(k->buf[off + 2] | k->buf[off + 3] << 8), sent_ms);
          c_worker_records++;
        } else {
          c_malformed++;
        }
        off += 2 + rec;
      }
      memmove(k->buf, k->buf + off, k->len - off);
      k->len -= off;
      if (drained) break;
    }
  }
}

// Events of the recordings (recording.c), sent in the next frame as records from source port 0:
// u16le length, u16le 0, 20 zero bytes, the event's text.
static uint8_t *events;
static size_t events_len, events_cap;

static void emit_event(const char *line) {
  size_t text = strlen(line), need = 2 + REC_HEADER + text;
  if (events_len + need > events_cap) {
    size_t cap = 2 * (events_len + need) + 4096;
    uint8_t *larger = realloc(events, cap);
    if (!larger) return;
    events = larger;
    events_cap = cap;
  }
  uint8_t *r = events + events_len;
  memset(r, 0, 2 + REC_HEADER);
  put16(r, (uint32_t)(need - 2));
  memcpy(r + 2 + REC_HEADER, line, text);
  events_len += need;
}

static void print_event(const char *line) {
  printf("%s\n", line);
}

/** --replay: the control lines of control.h from stdin, events as lines on stdout (the differential test). */
static int replay(void) {
  recording_emit = print_event;
  // The same writer thread as live, but a full queue waits instead of failing: the output must not
  // depend on how fast the thread is.
  if (wq_start(1, WRITE_QUEUE_MAX, 1) != 0) return 1;
  char *line = NULL;
  size_t cap = 0;
  ssize_t n;
  while ((n = getline(&line, &cap, stdin)) > 0) {
    if (line[n - 1] == '\n') line[n - 1] = 0;
    control_line(line);
    wq_kick();
  }
  free(line);
  control_abandon_all();
  return 0;
}

static void on_usr1(int sig) {
  (void)sig;
  report_counters = 1;
}

static void on_term(int sig) {
  (void)sig;
  got_sigterm = 1;
}

/** The process ends: every recording is written through and fsynced, waiting at most until `deadline_ms`. */
static int end_process(double deadline_ms, const char *why) {
  int left = control_abandon_all_until(deadline_ms, stderr);
  if (!left) return 0;
  fprintf(stderr, "callmark-rtp-receiver: %s; exiting with %d recording%s not written through (named above)\n", why, left, left == 1 ? "" : "s");
  fflush(stderr);
  _exit(1); // the writers stuck in the kernel are not waited for
}

int main(int argc, char **argv) {
  if (argc == 2 && strcmp(argv[1], "--replay") == 0) return replay();
  if (argc != 4 && argc != 5) {
    fprintf(stderr, "usage: %s <ip> <port|0> <flush-ms> [exit-ms]\n", argv[0]);
    return 2;
  }
  int flush_ms = atoi(argv[3]);
  if (flush_ms < 1) flush_ms = 1;
  int exit_ms = argc == 5 ? atoi(argv[4]) : EXIT_MS;
  if (exit_ms < 0) exit_ms = 0;
  signal(SIGPIPE, SIG_IGN);
  FILE *counters_out = fcntl(3, F_GETFD) != -1 ? fdopen(3, "w") : NULL;
  if (!counters_out) counters_out = stderr;
  signal(SIGUSR1, on_usr1);
  struct sigaction term = {.sa_handler = on_term};
  sigemptyset(&term.sa_mask);
  sigaction(SIGTERM, &term, NULL);
  out = malloc(OUT_MAX + FRAME_HEADER); // a frame's header may start at OUT_MAX
  if (!out) return 1;
  int wq_err = wq_start(WRITERS, WRITE_QUEUE_MAX, 0);
  if (wq_err) {
    fprintf(stderr, "callmark-rtp-receiver: writer threads: %s\n", strerror(wq_err));
    return 1;
  }

  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  if (fd < 0) {
    perror("socket");
    return 1;
  }
  int one = 1, rcvbuf = 8 << 20;
  setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one);
  // As root the buffer may exceed net.core.rmem_max; otherwise the kernel caps it there.
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) < 0) setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[2]))};
  if (inet_pton(AF_INET, argv[1], &addr.sin_addr) != 1) {
    fprintf(stderr, "not an IPv4 address: %s\n", argv[1]);
    return 2;
  }
  if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
    perror("bind");
    return 1;
  }
  socklen_t alen = sizeof addr;
  getsockname(fd, (struct sockaddr *)&addr, &alen);
  int workers_fd = listen_for_workers(ntohs(addr.sin_port));
  fcntl(STDOUT_FILENO, F_SETPIPE_SZ, 1 << 20);
  printf("ready %u\n", ntohs(addr.sin_port));
  fflush(stdout);
  fcntl(STDOUT_FILENO, F_SETFL, fcntl(STDOUT_FILENO, F_GETFL) | O_NONBLOCK);

  static uint8_t bufs[BATCH][PKT_MAX];
  static char ctrl[BATCH][64];
  struct mmsghdr msgs[BATCH];
  struct iovec iov[BATCH];
  struct sockaddr_in from[BATCH];
  double next_flush = clock_ms(CLOCK_MONOTONIC) + flush_ms;
  double next_tick = next_flush + TICK_MS;
  double next_stats = next_flush + STATS_MS;
  recording_emit = emit_event;
  control_set_live(monotonic_ms);
  fcntl(STDIN_FILENO, F_SETFL, fcntl(STDIN_FILENO, F_GETFL) | O_NONBLOCK);
  double exit_deadline = 0; // set by SIGTERM: the process ends by then even if stdin stays open

  // Wakes every flush-ms, not per packet: the packets wait in the socket buffer meanwhile (their
  // arrival times are the kernel's, so waiting does not move them), and each wake-up reads them all
  // with a few recvmmsg calls and writes them to Node with one write.
  for (;;) {
    if (report_counters) {
      report_counters = 0;
      int live = 0;
      for (recording *r = recordings; r; r = r->next) live++;
      fprintf(counters_out, "packets=%llu worker_records=%llu refused_peers=%llu rtcp=%llu malformed=%llu dropped_full=%llu bytes_out=%llu pipeline=%llu recordings=%d\n", c_packets, c_worker_records,
              c_refused_peers, c_rtcp, c_malformed, c_dropped_full, c_bytes_out, c_pipeline, live);
      fflush(counters_out);
    }
    if (got_sigterm && !exit_deadline) {
      exit_deadline = monotonic_ms() + exit_ms;
      fprintf(stderr, "callmark-rtp-receiver: SIGTERM: recording goes on until stdin closes, for at most %d ms\n", exit_ms);
    }
    if (exit_deadline && monotonic_ms() >= exit_deadline) return end_process(exit_deadline, "SIGTERM, and stdin still open");
    int wait = (int)(next_flush - clock_ms(CLOCK_MONOTONIC) + 0.999);
    struct pollfd fds[2] = {{.fd = STDIN_FILENO, .events = POLLIN}, {.fd = STDOUT_FILENO, .events = out_len ? POLLOUT : 0}};
    int n = poll(fds, 2, wait > 0 ? wait : 0);
    if (n < 0 && errno != EINTR) return 1;
    if (fds[0].revents) read_control();
    if (control_ended) {
      // Node went away: what the recordings have is written through, then this process ends.
      double now = monotonic_ms();
      return end_process(exit_deadline && exit_deadline < now + exit_ms ? exit_deadline : now + exit_ms, "stdin closed");
    }
    if (out_len) drain();
    double now = clock_ms(CLOCK_MONOTONIC);
    if (now < next_flush) continue;
    next_flush += flush_ms;
    if (next_flush < now) next_flush = now + flush_ms; // fell behind (stopped): do not spin
    begin_frame();
    // Taken before reading: whatever was in the sockets at this instant is read below, unless the
    // output buffer fills first (then this turn claims nothing).
    double read_mark = clock_ms(CLOCK_MONOTONIC);
    int read_all = 1;
    unsigned long long dropped_before = c_dropped_full;
    if (workers_fd >= 0) read_workers(workers_fd);
    for (;;) {
      for (int i = 0; i < BATCH; i++) {
        iov[i].iov_base = bufs[i];
        iov[i].iov_len = PKT_MAX;
        memset(&msgs[i].msg_hdr, 0, sizeof msgs[i].msg_hdr);
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
        msgs[i].msg_hdr.msg_name = &from[i];
        msgs[i].msg_hdr.msg_namelen = sizeof from[i];
        msgs[i].msg_hdr.msg_control = ctrl[i];
        msgs[i].msg_hdr.msg_controllen = sizeof ctrl[i];
      }
      int got = recvmmsg(fd, msgs, BATCH, MSG_DONTWAIT, NULL);
      if (got <= 0) break;
      read_control(); // the lines written before these packets were sent (see read_control)
      // The kernel stamps arrivals with CLOCK_REALTIME; shift them onto CLOCK_MONOTONIC.
      double mono = clock_ms(CLOCK_MONOTONIC), real = clock_ms(CLOCK_REALTIME);
      for (int i = 0; i < got; i++) {
        double arrival = mono;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&msgs[i].msg_hdr); c; c = CMSG_NXTHDR(&msgs[i].msg_hdr, c)) {
          if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
            struct timespec ts;
            memcpy(&ts, CMSG_DATA(c), sizeof ts);
            double a = mono - (real - ((double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6));
            if (a <= mono && a > mono - 10000) arrival = a; // ignore a clock step
          }
        }
        add_packet(bufs[i], (int)msgs[i].msg_len, ntohs(from[i].sin_port), arrival);
      }
      if (got < BATCH) break;
      if (out_len >= OUT_MAX - (256 << 10)) {
        read_all = 0;
        break;
      }
    }
    if (c_dropped_full != dropped_before) read_all = 0;
    // The recordings that got packets pair and write them; every TICK_MS each also fills silent
    // legs (CallRecorder's tick of media/recorder.ts, now in this process's own turn).
    control_drain_dirty();
    double turn_end = clock_ms(CLOCK_MONOTONIC);
    if (turn_end >= next_tick) {
      control_tick_all(turn_end);
      next_tick += TICK_MS;
      if (next_tick < turn_end) next_tick = turn_end + TICK_MS;
    }
    // The pages of this turn go to the writer threads; stopped recordings whose files are closed say so.
    wq_kick();
    control_poll_opening(turn_end);
    control_poll_closing(turn_end);
    if (turn_end >= next_stats) {
      control_report_stats();
      next_stats = turn_end + STATS_MS;
    }
    if (events_len && out_len + events_len <= OUT_MAX) {
      memcpy(out + out_len, events, events_len);
      out_len += events_len;
      events_len = 0;
    }
    if (out_len - out_frame_start > FRAME_HEADER || (mark_wanted && out_len <= OUT_MAX)) {
      end_frame(read_all ? read_mark : 0);
      mark_wanted = 0;
    } else {
      out_len = out_frame_start; // nothing arrived and nobody asked (or Node is not reading): no frame
    }
    if (out_len) drain();
  }
}
