// An Ogg Opus file of two uncoupled mono streams written page by page (RFC 3533, RFC 7845): the C twin
// of ../ogg-opus-writer.ts with ../ogg.ts, byte for byte.
#ifndef CALLMARK_OGG_WRITER_H
#define CALLMARK_OGG_WRITER_H
#include <stddef.h>
#include <stdint.h>

#include "write-queue.h"

/** Where a resumed file goes on (what a writer thread found after its last whole page). */
typedef struct {
  uint32_t serial, sequence;
  int64_t granule, bytes;
} ogg_resume_point;

typedef struct {
  wq_file *out;   // the file's write queue (write-queue.h): opened by a writer thread, pages go there, in order
  int resuming;   // the writer thread has not yet said where the file goes on: no page may be made
  uint32_t serial;
  uint32_t sequence;
  int64_t granule; // samples of every packet written (RFC 7845 §4)
  uint8_t *page;   // the page being filled: its body from OGG_HEADER_MAX on
  size_t page_cap, body_bytes;
  int pending_packets, pending_segments;
  uint8_t lacing[255];
  int continued; // the next page goes on with a packet that the last one began (RFC 3533 §6)
  int closed;
  int64_t packets, samples, bytes;
} ogg_writer;

/**
 * Hands `path` to a writer thread to open (truncated, its header pages queued behind the open; or,
 * with `resume`, read to find its last whole page, `resuming` until ogg_writer_opened): 0, or an
 * errno (out of memory; without writer threads also the open's).
 */
int ogg_writer_open(ogg_writer *w, const char *path, uint32_t serial, int resume);
/** 1 once the writer thread has opened the file (a resume then goes on from what it found); *err its errno. */
int ogg_writer_opened(ogg_writer *w, int *err);
/** Blocks until ogg_writer_opened would say 1 (--replay). */
void ogg_writer_wait_opened(ogg_writer *w);
/** Appends one Ogg packet lasting `samples`; 0, or the errno of a failed write. */
int ogg_writer_write(ogg_writer *w, const uint8_t *packet, size_t len, int samples);
/** Writes the packets held so far as one page; 0, or an errno (of this write, or of an earlier one). */
int ogg_writer_flush(ogg_writer *w, int flags);
/** End-of-stream page, then fsync and close once written (ogg_writer_finished); 0, or an errno. */
int ogg_writer_close(ogg_writer *w);
/** Adds nothing more: what is queued is written, then the file closed without fsync. */
void ogg_writer_abandon(ogg_writer *w);
/** 1 once every page is written and the file closed; *err the first error of those writes, fsync or close. */
int ogg_writer_finished(ogg_writer *w, int *err);
/** Blocks until ogg_writer_finished (--replay). */
void ogg_writer_wait(ogg_writer *w);
/** Forgets the file (abandoning it if still open): its queue is freed once written and closed. */
void ogg_writer_release(ogg_writer *w);
#define OGG_FLAG_BOS 0x02
#define OGG_FLAG_EOS 0x04
#endif
