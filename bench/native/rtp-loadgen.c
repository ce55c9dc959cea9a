// The media benchmark's load generator: one native process that plays every party of every call,
// so that rtpengine and Callmark get exactly the same packets from exactly the same sender.
//
// Each "leg" is one party: a UDP socket on 127.0.0.1 that sends real Opus packets at 50 packets/s
// (RTP, or SRTP AES_CM_128_HMAC_SHA1_80 keyed by SDES) to the relay, and receives what the relay
// forwards from the other party. Every received packet is matched to the packet the other party
// sent (same Opus payload, same sequence-number offset), and its latency is the kernel's receive
// timestamp (SO_TIMESTAMPNS) minus the time taken just before sendto(): the relay's forwarding time
// plus the loopback path, without this process's own scheduling on the receive side.
//
// Control is line-based on stdin/stdout (bench/media-side-by-side.ts drives it):
//   legs N                          bind N sockets; replies "ports p1 ... pN"
//   leg I PORT SSRC PT PEER TX RX    leg I sends to 127.0.0.1:PORT with SSRC and payload type PT; it
//                                   receives what leg PEER sent; TX/RX: SRTP master key+salt in base64
//                                   (30 bytes) for what it sends / receives, or "-" for plain RTP
//   start [spread]                  start sending, the legs' phases spread over the 20 ms period: in leg
//                                   order (leg k at k/N of the period), or with "spread" by a golden-ratio
//                                   stride (leg k at frac(k * 0.618...) of it), so that any run of
//                                   consecutive legs (the calls one relay worker took in order) has its
//                                   phases spread over the whole period, as calls that start at random
//                                   times do, instead of sharing one slice of it
//   window-start / window-end       the measured window, by send time
//   report                          "report sent=.. received=.. unmatched=.. p50=.. p95=.. p99=.. max=.. (µs) srtp_errors=.."
//   totals                          "totals n0 n1 ..." packets each leg has sent since start
//   stop                            stop sending;  quit  exit
// Build: cc -O2 -o rtp-loadgen rtp-loadgen.c -lsrtp2   (scripts/setup.mjs --for-bench does it)
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <srtp2/srtp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define MAX_PAYLOADS 4096
#define HISTORY 1024        // sent packets remembered per leg (20 s at 50/s)
#define HIST_US 200000      // latency histogram: 1 µs buckets up to 200 ms
#define BATCH 64
#define PKT_MAX 1500

typedef struct {
  uint16_t seq;
  uint16_t payload;
  int64_t sent_ns;
} Sent;

typedef struct {
  int fd;
  uint16_t port;
  int configured;
  struct sockaddr_in dest;
  uint32_t ssrc;
  uint8_t pt;
  int peer;
  srtp_t tx, rx;
  int64_t next_ns;
  uint16_t seq;
  uint32_t ts;
  uint32_t count;      // packets sent so far
  Sent history[HISTORY];
  int synced;          // seq_delta known
  uint16_t seq_delta;  // received seq - sent seq of the peer's stream
} Leg;

static Leg *legs;
static int nlegs;
static uint8_t *payloads[MAX_PAYLOADS];
static uint16_t payload_len[MAX_PAYLOADS];
static int npayloads;
static int sending;
static int64_t window_start = -1, window_end = -1;
static uint64_t w_sent, w_received, w_unmatched, w_srtp_errors, w_late;
static uint32_t *hist;
static uint64_t hist_over;
static int64_t hist_max;

static int64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_REALTIME, &t);
  return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static void die(const char *what) {
  perror(what);
  exit(1);
}

static void load_payloads(const char *file) {
  // File format: repeated [uint16 big-endian length][Opus packet].
  FILE *f = fopen(file, "rb");
  if (!f) die(file);
  uint8_t hdr[2];
  while (npayloads < MAX_PAYLOADS && fread(hdr, 1, 2, f) == 2) {
    uint16_t n = (uint16_t)(hdr[0] << 8 | hdr[1]);
    payloads[npayloads] = malloc(n);
    if (fread(payloads[npayloads], 1, n, f) != n) break;
    payload_len[npayloads++] = n;
  }
  fclose(f);
  if (npayloads < 100) {
    fprintf(stderr, "need at least 100 Opus packets in %s\n", file);
    exit(1);
  }
}

static int b64val(int c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == '-') return 62;
  if (c == '/' || c == '_') return 63;
  return -1;
}

static int b64decode(const char *in, uint8_t *out, int max) {
  int n = 0, bits = 0;
  uint32_t acc = 0;
  for (; *in && *in != '='; in++) {
    int v = b64val(*in);
    if (v < 0) return -1;
    acc = acc << 6 | (uint32_t)v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      if (n >= max) return -1;
      out[n++] = (uint8_t)(acc >> bits);
    }
  }
  return n;
}

static srtp_t srtp_session(const char *key64, int inbound, uint32_t ssrc) {
  if (strcmp(key64, "-") == 0) return NULL;
  static uint8_t key[64];
  if (b64decode(key64, key, sizeof key) != 30) {
    fprintf(stderr, "bad SRTP key %s\n", key64);
    exit(1);
  }
  srtp_policy_t p;
  memset(&p, 0, sizeof p);
  srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p.rtp);
  srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p.rtcp);
  p.ssrc.type = inbound ? ssrc_any_inbound : ssrc_specific;
  p.ssrc.value = ssrc;
  p.key = key;
  p.window_size = 1024;
  p.allow_repeat_tx = 0;
  srtp_t s;
  if (srtp_create(&s, &p) != srtp_err_status_ok) {
    fprintf(stderr, "srtp_create failed\n");
    exit(1);
  }
  return s;
}

static void open_legs(int n) {
  legs = calloc((size_t)n, sizeof(Leg));
  nlegs = n;
  printf("ports");
  for (int i = 0; i < n; i++) {
    Leg *l = &legs[i];
    l->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    if (l->fd < 0) die("socket");
    int one = 1, buf = 1 << 20;
    setsockopt(l->fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one);
    setsockopt(l->fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(l->fd, (struct sockaddr *)&a, sizeof a) < 0) die("bind");
    socklen_t len = sizeof a;
    getsockname(l->fd, (struct sockaddr *)&a, &len);
    l->port = ntohs(a.sin_port);
    l->peer = -1;
    printf(" %u", l->port);
  }
  printf("\n");
  fflush(stdout);
}

static void send_packet(Leg *l, int64_t t) {
  uint8_t pkt[PKT_MAX + 64];
  int p = (int)(l->count % (uint32_t)npayloads);
  int len = 12 + payload_len[p];
  pkt[0] = 0x80;
  pkt[1] = l->pt;
  pkt[2] = (uint8_t)(l->seq >> 8);
  pkt[3] = (uint8_t)l->seq;
  pkt[4] = (uint8_t)(l->ts >> 24);
  pkt[5] = (uint8_t)(l->ts >> 16);
  pkt[6] = (uint8_t)(l->ts >> 8);
  pkt[7] = (uint8_t)l->ts;
  pkt[8] = (uint8_t)(l->ssrc >> 24);
  pkt[9] = (uint8_t)(l->ssrc >> 16);
  pkt[10] = (uint8_t)(l->ssrc >> 8);
  pkt[11] = (uint8_t)l->ssrc;
  memcpy(pkt + 12, payloads[p], payload_len[p]);
  if (l->tx && srtp_protect(l->tx, pkt, &len) != srtp_err_status_ok) {
    w_srtp_errors++;
    return;
  }
  Sent *h = &l->history[l->seq % HISTORY];
  h->seq = l->seq;
  h->payload = (uint16_t)p;
  h->sent_ns = now_ns();
  (void)t;
  if (sendto(l->fd, pkt, (size_t)len, 0, (struct sockaddr *)&l->dest, sizeof l->dest) < 0 && errno != EAGAIN) {
    // Counted as sent: the relay is the one that did not take it.
  }
  if (window_start >= 0 && h->sent_ns >= window_start && (window_end < 0 || h->sent_ns < window_end)) w_sent++;
  l->seq++;
  l->ts += 960;
  l->count++;
}

static void send_due(int64_t t) {
  for (int i = 0; i < nlegs; i++) {
    Leg *l = &legs[i];
    if (!l->configured) continue;
    // Send every packet that is due, so that a late wake-up does not lower the rate.
    int guard = 0;
    while (l->next_ns <= t && guard++ < 10) {
      send_packet(l, t);
      l->next_ns += 20000000;
    }
    if (l->next_ns <= t) l->next_ns = t + 20000000; // far behind (stopped process): skip, do not burst
  }
}

static void record_latency(int64_t ns) {
  int64_t us = ns / 1000;
  if (us < 0) us = 0;
  if (us > hist_max) hist_max = us;
  if (us < HIST_US) hist[us]++;
  else hist_over++;
}

static int match_payload(const Leg *src, uint16_t seq, const uint8_t *payload, int len) {
  const Sent *h = &src->history[seq % HISTORY];
  if (h->sent_ns == 0 || h->seq != seq) return 0;
  return payload_len[h->payload] == len && memcmp(payloads[h->payload], payload, (size_t)len) == 0;
}

static void on_packet(Leg *l, uint8_t *pkt, int len, int64_t rx_ns) {
  if (len < 12 || (pkt[0] >> 6) != 2) return;
  if (pkt[1] >= 192 && pkt[1] <= 223) return; // RTCP (rtcp-mux)
  if (l->rx && srtp_unprotect(l->rx, pkt, &len) != srtp_err_status_ok) {
    w_srtp_errors++;
    return;
  }
  int off = 12 + 4 * (pkt[0] & 0x0f);
  if (pkt[0] & 0x10) {
    if (len < off + 4) return;
    off += 4 + 4 * (pkt[off + 2] << 8 | pkt[off + 3]);
  }
  int end = len;
  if (pkt[0] & 0x20) end -= pkt[len - 1];
  if (end <= off || l->peer < 0) return;
  const Leg *src = &legs[l->peer];
  uint16_t rseq = (uint16_t)(pkt[2] << 8 | pkt[3]);
  const uint8_t *payload = pkt + off;
  int plen = end - off;
  if (!l->synced || !match_payload(src, (uint16_t)(rseq - l->seq_delta), payload, plen)) {
    // Find the packet by its payload among the peer's recent ones (payloads repeat only every
    // npayloads packets, more than HISTORY apart is checked by the caller of this benchmark).
    l->synced = 0;
    for (uint32_t k = 0; k < HISTORY && k < src->count; k++) {
      uint16_t s = (uint16_t)(src->seq - 1 - k);
      if (match_payload(src, s, payload, plen)) {
        l->seq_delta = (uint16_t)(rseq - s);
        l->synced = 1;
        break;
      }
    }
    if (!l->synced) {
      if (window_start >= 0) w_unmatched++;
      return;
    }
  }
  const Sent *h = &src->history[(uint16_t)(rseq - l->seq_delta) % HISTORY];
  if (window_start >= 0 && h->sent_ns >= window_start && (window_end < 0 || h->sent_ns < window_end)) {
    w_received++;
    record_latency(rx_ns - h->sent_ns);
  }
}

static void receive(Leg *l) {
  static uint8_t bufs[BATCH][PKT_MAX];
  static char ctrl[BATCH][64];
  struct mmsghdr msgs[BATCH];
  struct iovec iov[BATCH];
  for (;;) {
    for (int i = 0; i < BATCH; i++) {
      iov[i].iov_base = bufs[i];
      iov[i].iov_len = PKT_MAX;
      memset(&msgs[i].msg_hdr, 0, sizeof msgs[i].msg_hdr);
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
      msgs[i].msg_hdr.msg_control = ctrl[i];
      msgs[i].msg_hdr.msg_controllen = sizeof ctrl[i];
    }
    int n = recvmmsg(l->fd, msgs, BATCH, MSG_DONTWAIT, NULL);
    if (n <= 0) return;
    for (int i = 0; i < n; i++) {
      int64_t rx = 0;
      for (struct cmsghdr *c = CMSG_FIRSTHDR(&msgs[i].msg_hdr); c; c = CMSG_NXTHDR(&msgs[i].msg_hdr, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
          struct timespec ts;
          memcpy(&ts, CMSG_DATA(c), sizeof ts);
          rx = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
        }
      }
      if (rx == 0) rx = now_ns();
      on_packet(l, bufs[i], (int)msgs[i].msg_len, rx);
    }
    if (n < BATCH) return;
  }
}

static int64_t percentile(uint64_t total, double p) {
  if (total == 0) return -1;
  uint64_t want = (uint64_t)(p * (double)total + 0.999999), acc = 0;
  if (want < 1) want = 1;
  for (int i = 0; i < HIST_US; i++) {
    acc += hist[i];
    if (acc >= want) return i;
  }
  return hist_max;
}

static void report(void) {
  uint64_t total = 0;
  for (int i = 0; i < HIST_US; i++) total += hist[i];
  total += hist_over;
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  double cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
  printf("report sent=%llu received=%llu unmatched=%llu p50=%lld p95=%lld p99=%lld p999=%lld max=%lld srtp_errors=%llu cpu=%.3f\n",
         (unsigned long long)w_sent, (unsigned long long)w_received, (unsigned long long)w_unmatched, (long long)percentile(total, 0.50),
         (long long)percentile(total, 0.95), (long long)percentile(total, 0.99), (long long)percentile(total, 0.999), (long long)hist_max,
         (unsigned long long)w_srtp_errors, cpu);
  fflush(stdout);
}

static void command(char *line) {
  char tx[128], rx[128];
  int i, n;
  unsigned port, ssrc, pt;
  int peer;
  if (sscanf(line, "legs %d", &n) == 1) {
    open_legs(n);
  } else if (sscanf(line, "leg %d %u %u %u %d %127s %127s", &i, &port, &ssrc, &pt, &peer, tx, rx) == 7 && i >= 0 && i < nlegs) {
    Leg *l = &legs[i];
    l->dest.sin_family = AF_INET;
    l->dest.sin_port = htons((uint16_t)port);
    l->dest.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    l->ssrc = ssrc;
    l->pt = (uint8_t)pt;
    l->peer = peer;
    l->tx = srtp_session(tx, 0, ssrc);
    l->rx = srtp_session(rx, 1, 0);
    l->seq = (uint16_t)(ssrc * 7u);
    l->ts = ssrc * 13u;
    l->configured = 1;
    printf("ok\n");
    fflush(stdout);
  } else if (strcmp(line, "start") == 0 || strcmp(line, "start spread") == 0) {
    int64_t t = now_ns();
    int spread = line[5] != 0;
    // 12,360,680 ns = 0.6180339887... of the 20-ms period (the golden ratio's fractional part).
    for (int k = 0; k < nlegs; k++)
      legs[k].next_ns = t + (spread ? (int64_t)(((uint64_t)k * 12360680u) % 20000000u) : (int64_t)k * 20000000 / (nlegs ? nlegs : 1));
    sending = 1;
    printf("ok\n");
    fflush(stdout);
  } else if (strcmp(line, "window-start") == 0) {
    w_sent = w_received = w_unmatched = w_srtp_errors = w_late = 0;
    memset(hist, 0, HIST_US * sizeof *hist);
    hist_over = 0;
    hist_max = 0;
    window_end = -1;
    window_start = now_ns();
    printf("ok\n");
    fflush(stdout);
  } else if (strcmp(line, "window-end") == 0) {
    window_end = now_ns();
    printf("ok\n");
    fflush(stdout);
  } else if (strcmp(line, "report") == 0) {
    report();
  } else if (strcmp(line, "totals") == 0) {
    printf("totals");
    for (int k = 0; k < nlegs; k++) printf(" %u", legs[k].count);
    printf("\n");
    fflush(stdout);
  } else if (strcmp(line, "stop") == 0) {
    sending = 0;
    printf("ok\n");
    fflush(stdout);
  } else if (strcmp(line, "quit") == 0) {
    exit(0);
  } else {
    printf("error unknown command: %s\n", line);
    fflush(stdout);
  }
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s <opus-packets-file>\n", argv[0]);
    return 2;
  }
  load_payloads(argv[1]);
  if (srtp_init() != srtp_err_status_ok) die("srtp_init");
  hist = calloc(HIST_US, sizeof *hist);
  int ep = epoll_create1(0);
  int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
  struct itimerspec its = {.it_interval = {0, 1000000}, .it_value = {0, 1000000}};
  timerfd_settime(tfd, 0, &its, NULL);
  struct epoll_event ev = {.events = EPOLLIN, .data.u64 = (uint64_t)-1};
  epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &ev);
  ev.data.u64 = (uint64_t)-2;
  epoll_ctl(ep, EPOLL_CTL_ADD, STDIN_FILENO, &ev);
  int registered = 0;
  char line[4096];
  size_t used = 0;
  struct epoll_event events[256];
  for (;;) {
    if (registered < nlegs) {
      for (; registered < nlegs; registered++) {
        ev.data.u64 = (uint64_t)registered;
        epoll_ctl(ep, EPOLL_CTL_ADD, legs[registered].fd, &ev);
      }
    }
    int n = epoll_wait(ep, events, 256, -1);
    if (n < 0 && errno != EINTR) die("epoll_wait");
    for (int k = 0; k < n; k++) {
      uint64_t id = events[k].data.u64;
      if (id == (uint64_t)-1) {
        uint64_t expirations;
        if (read(tfd, &expirations, sizeof expirations) < 0) continue;
        if (sending) send_due(now_ns());
      } else if (id == (uint64_t)-2) {
        ssize_t r = read(STDIN_FILENO, line + used, sizeof line - 1 - used);
        if (r <= 0) exit(0); // the benchmark went away
        used += (size_t)r;
        line[used] = 0;
        char *nl;
        while ((nl = strchr(line, '\n'))) {
          *nl = 0;
          command(line);
          used -= (size_t)(nl + 1 - line);
          memmove(line, nl + 1, used + 1);
        }
      } else {
        receive(&legs[id]);
      }
    }
  }
}
