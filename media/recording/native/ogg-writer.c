// Ogg pages (RFC 3533) of an Ogg Opus file (RFC 7845), ported from ../ogg-opus-writer.ts and ../ogg.ts.
// Crash safety as there: a page is handed to the file's write queue (write-queue.c) every PAGE_PACKETS
// packets (0.2 s at 20 ms) and written through with write(2) by a writer thread within a turn of the
// loop, so after a crash the file holds everything but the last pages, every page whole and
// checksummed (a resume continues after the last whole one). https://www.rfc-editor.org/rfc/rfc3533 · https://www.rfc-editor.org/rfc/rfc7845
#define _GNU_SOURCE
#include "ogg-writer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PAGE_PACKETS 10
#define OGG_HEADER_MAX (27 + 255) // a page header with its segment table (RFC 3533 §6)

// CRC-32 of Ogg: polynomial 0x04c11db7, initial value 0, no reflection, no final xor (RFC 3533 §6).
// Eight tables, eight bytes folded in per step ("slicing-by-8", as ../ogg.ts): crc_table[k][i] is the
// CRC of byte i followed by k zero bytes. Measured: byte by byte, the CRC was 16 % of the receiver's
// CPU at 300 recorded calls (perf, bench/README.md).
static uint32_t crc_table[8][256];
static void crc_init(void) {
  if (crc_table[0][1]) return;
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t r = i << 24;
    for (int j = 0; j < 8; j++) r = r & 0x80000000u ? (r << 1) ^ 0x04c11db7u : r << 1;
    crc_table[0][i] = r;
  }
  for (int k = 1; k < 8; k++)
    for (int i = 0; i < 256; i++) crc_table[k][i] = (crc_table[k - 1][i] << 8) ^ crc_table[0][crc_table[k - 1][i] >> 24];
}
static uint32_t ogg_crc(const uint8_t *p, size_t n) {
  uint32_t crc = 0;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    crc ^= (uint32_t)p[i] << 24 | (uint32_t)p[i + 1] << 16 | (uint32_t)p[i + 2] << 8 | p[i + 3];
    crc = crc_table[7][crc >> 24] ^ crc_table[6][(crc >> 16) & 0xff] ^ crc_table[5][(crc >> 8) & 0xff] ^ crc_table[4][crc & 0xff] ^ crc_table[3][p[i + 4]] ^
          crc_table[2][p[i + 5]] ^ crc_table[1][p[i + 6]] ^ crc_table[0][p[i + 7]];
  }
  for (; i < n; i++) crc = (crc << 8) ^ crc_table[0][((crc >> 24) ^ p[i]) & 0xff];
  return crc;
}

static void put32(uint8_t *p, uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}

/** Fills in the page header in front of `segments` lacing values and `body` bytes at page + start. */
static size_t finish_page(uint8_t *page, size_t start, int flags, int64_t granule, uint32_t serial, uint32_t sequence, int segments, size_t body) {
  uint8_t *h = page + start;
  memcpy(h, "OggS", 4);
  h[4] = 0; // version
  h[5] = (uint8_t)flags;
  for (int i = 0; i < 8; i++) h[6 + i] = (uint8_t)((uint64_t)granule >> (8 * i));
  put32(h + 14, serial);
  put32(h + 18, sequence);
  put32(h + 22, 0);
  h[26] = (uint8_t)segments;
  size_t size = 27 + (size_t)segments + body;
  put32(h + 22, ogg_crc(h, size));
  return size;
}

/** A header page of one packet (oggPage of ogg.ts); the packet is < 255 bytes. */
static int write_header_page(ogg_writer *w, const uint8_t *packet, size_t len, int flags) {
  uint8_t page[27 + 1 + 255];
  page[27] = (uint8_t)len;
  memcpy(page + 28, packet, len);
  size_t size = finish_page(page, 0, flags, 0, w->serial, w->sequence++, 1, len);
  int err = wq_write(w->out, page, size);
  if (!err) w->bytes += (int64_t)size;
  return err;
}

static int64_t get64(const uint8_t *p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; i--) v = v << 8 | p[i];
  return (int64_t)v;
}

/**
 * Finds the last whole, checksummed page of a file this writer wrote, cuts what follows it and puts
 * the file's offset there (a writer thread's prepare, write-queue.h: the loop never reads the file).
 */
static int resume_after_last_page(int fd, void *result) {
  ogg_resume_point *at = result;
  struct stat st;
  if (fstat(fd, &st) != 0) return errno;
  size_t n = (size_t)st.st_size;
  uint8_t *buf = malloc(n ? n : 1);
  if (!buf) return ENOMEM;
  size_t got = 0;
  while (got < n) {
    ssize_t r = pread(fd, buf + got, n - got, (off_t)got);
    if (r <= 0) break;
    got += (size_t)r;
  }
  size_t off = 0, good = 0;
  while (off + 27 <= got && memcmp(buf + off, "OggS", 4) == 0) {
    int segments = buf[off + 26];
    if (off + 27 + (size_t)segments > got) break;
    size_t size = 27 + (size_t)segments;
    for (int i = 0; i < segments; i++) size += buf[off + 27 + i];
    if (off + size > got) break;
    uint32_t crc = (uint32_t)buf[off + 22] | (uint32_t)buf[off + 23] << 8 | (uint32_t)buf[off + 24] << 16 | (uint32_t)buf[off + 25] << 24;
    put32(buf + off + 22, 0);
    if (ogg_crc(buf + off, size) != crc) break;
    if (segments > 0 && buf[off + 27 + segments - 1] == 255) {
      off += size; // a packet goes on to the next page: only a page on which it ends is a place to continue
      continue;
    }
    at->serial = (uint32_t)buf[off + 14] | (uint32_t)buf[off + 15] << 8 | (uint32_t)buf[off + 16] << 16 | (uint32_t)buf[off + 17] << 24;
    at->sequence = ((uint32_t)buf[off + 18] | (uint32_t)buf[off + 19] << 8 | (uint32_t)buf[off + 20] << 16 | (uint32_t)buf[off + 21] << 24) + 1;
    at->granule = get64(buf + off + 6);
    off += size;
    good = off;
  }
  free(buf);
  if (at->sequence < 2) return EINVAL; // not even the two header pages: nothing to continue
  if (ftruncate(fd, (off_t)good) != 0) return errno;
  if (lseek(fd, 0, SEEK_END) < 0) return errno;
  at->bytes = (int64_t)good;
  return 0;
}

int ogg_writer_open(ogg_writer *w, const char *path, uint32_t serial, int resume) {
  crc_init();
  memset(w, 0, sizeof *w);
  w->serial = serial;
  w->page_cap = OGG_HEADER_MAX + 4096;
  w->page = malloc(w->page_cap);
  if (!w->page) return ENOMEM;
  // A writer thread creates the file (O_EXCL: a name in use is never written over; write-queue.c
  // takes a FIFO there) or, to resume, opens and reads it (created if the receiver that died had not
  // got to it): an open(2) that blocks holds that thread, never the receiver's loop, nor Node's.
  w->out = wq_open_path(path, O_RDWR | O_CREAT | (resume ? 0 : O_EXCL), resume ? resume_after_last_page : NULL, sizeof(ogg_resume_point));
  int err = w->out ? 0 : ENOMEM;
  if (!err && resume) {
    w->resuming = 1; // its pages wait for where the file goes on (ogg_writer_opened)
  } else if (!err) {
    // The identification header (RFC 7845 §5.1): mapping family 1, two streams, none coupled,
    // channel 0 (left) from stream 0 and channel 1 (right) from stream 1. Queued behind the open.
    static const uint8_t head[23] = {'O', 'p', 'u', 's', 'H', 'e', 'a', 'd', 1, 2, 0, 0, 0x80, 0xbb, 0, 0, 0, 0, 1, 2, 0, 0, 1};
    static const uint8_t tags[24] = {'O', 'p', 'u', 's', 'T', 'a', 'g', 's', 8, 0, 0, 0, 'c', 'a', 'l', 'l', 'm', 'a', 'r', 'k', 0, 0, 0, 0};
    err = write_header_page(w, head, sizeof head, OGG_FLAG_BOS);
    if (!err) err = write_header_page(w, tags, sizeof tags, 0);
  }
  if (err) {
    if (w->out) {
      wq_release(w->out); // closes the file once opened
      w->out = NULL;
    }
    free(w->page);
    w->page = NULL;
    w->closed = 1;
  }
  return err;
}

int ogg_writer_opened(ogg_writer *w, int *err) {
  *err = 0;
  if (!w->out) return 1;
  if (!wq_opened(w->out, err)) return 0;
  if (w->resuming && !*err) {
    const ogg_resume_point *at = wq_prepared(w->out);
    w->serial = at->serial;
    w->sequence = at->sequence;
    w->granule = at->granule;
    w->bytes = at->bytes;
  }
  w->resuming = 0;
  return 1;
}

void ogg_writer_wait_opened(ogg_writer *w) {
  if (w->out) wq_wait_opened(w->out);
}

/** A page of 255 lacing values of 255 bytes: the first 255 × 255 bytes of a packet that goes on. */
static int write_span_page(ogg_writer *w, const uint8_t *part) {
  size_t need = OGG_HEADER_MAX + 255 * 255;
  if (need > w->page_cap) {
    uint8_t *larger = realloc(w->page, need);
    if (!larger) return ENOMEM;
    w->page = larger;
    w->page_cap = need;
  }
  size_t start = OGG_HEADER_MAX - 27 - 255;
  memset(w->page + start + 27, 255, 255);
  memcpy(w->page + OGG_HEADER_MAX, part, 255 * 255);
  size_t size = finish_page(w->page, start, w->continued ? 0x01 : 0, -1, w->serial, w->sequence++, 255, 255 * 255);
  w->continued = 1;
  int err = wq_write(w->out, w->page + start, size);
  if (!err) w->bytes += (int64_t)size;
  return err;
}

int ogg_writer_write(ogg_writer *w, const uint8_t *packet, size_t len, int samples) {
  if (w->closed) return 0;
  int segments = (int)(len / 255) + 1; // lacing values of the packet (RFC 3533 §6)
  int err = 0;
  if (w->pending_segments + segments > 255) err = ogg_writer_flush(w, 0);
  // A packet of more than 255 lacing values (255 × 255 bytes or more: two peers' 120 ms of 1275-byte
  // frames, or padding) does not fit in one page: it spans pages, each after the first flagged as
  // continuing it, granule -1 where no packet ends (RFC 3533 §6; ../ogg-opus-writer.ts does the same).
  while (len >= 255 * 255) {
    int span_err = write_span_page(w, packet);
    if (!err) err = span_err;
    packet += 255 * 255;
    len -= 255 * 255;
  }
  if (OGG_HEADER_MAX + w->body_bytes + len > w->page_cap) {
    size_t cap = 2 * (OGG_HEADER_MAX + w->body_bytes + len);
    uint8_t *larger = realloc(w->page, cap);
    if (!larger) return ENOMEM;
    w->page = larger;
    w->page_cap = cap;
  }
  memcpy(w->page + OGG_HEADER_MAX + w->body_bytes, packet, len);
  w->body_bytes += len;
  for (size_t n = len;; n -= 255) {
    w->lacing[w->pending_segments++] = (uint8_t)(n < 255 ? n : 255);
    if (n < 255) break;
  }
  w->pending_packets++;
  w->granule += samples;
  w->packets++;
  w->samples += samples;
  if (w->pending_packets >= PAGE_PACKETS && !err) err = ogg_writer_flush(w, 0);
  return err;
}

int ogg_writer_flush(ogg_writer *w, int flags) {
  if (w->pending_packets == 0 && !(flags & OGG_FLAG_EOS)) return 0;
  int segments = w->pending_segments;
  size_t start = OGG_HEADER_MAX - 27 - (size_t)segments;
  memcpy(w->page + start + 27, w->lacing, (size_t)segments);
  size_t size = finish_page(w->page, start, flags | (w->continued ? 0x01 : 0), w->granule, w->serial, w->sequence++, segments, w->body_bytes);
  w->continued = 0;
  w->body_bytes = 0;
  w->pending_packets = 0;
  w->pending_segments = 0;
  int err = wq_write(w->out, w->page + start, size);
  if (!err) w->bytes += (int64_t)size;
  return err;
}

int ogg_writer_close(ogg_writer *w) {
  if (w->closed) return 0;
  w->closed = 1;
  int err = ogg_writer_flush(w, OGG_FLAG_EOS);
  wq_close(w->out, 1); // after the last page: fsync, close
  free(w->page);
  w->page = NULL;
  return err;
}

void ogg_writer_abandon(ogg_writer *w) {
  if (w->closed) return;
  w->closed = 1;
  if (w->out) wq_close(w->out, 1); // what is queued is still written, and fsynced: the process may be going away
  free(w->page);
  w->page = NULL;
}

int ogg_writer_finished(ogg_writer *w, int *err) {
  *err = 0;
  return w->out ? wq_done(w->out, err) : 1;
}

void ogg_writer_wait(ogg_writer *w) {
  if (w->out) wq_wait(w->out);
}

void ogg_writer_release(ogg_writer *w) {
  if (!w->closed) ogg_writer_abandon(w);
  wq_release(w->out);
  w->out = NULL;
}
