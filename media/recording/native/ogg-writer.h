// An Ogg Opus file of two uncoupled mono streams written page by page (RFC 3533, RFC 7845): the C twin
// of ../ogg-opus-writer.ts with ../ogg.ts, byte for byte.
#ifndef CALLMARK_OGG_WRITER_H
#define CALLMARK_OGG_WRITER_H
#include <stddef.h>
#include <stdint.h>

typedef struct {
  int fd;
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

/** Creates `path` (or, with `resume`, continues it after its last whole page); 0, or an errno. */
int ogg_writer_open(ogg_writer *w, const char *path, uint32_t serial, int resume);
/** Appends one Ogg packet lasting `samples`; 0, or the errno of a failed write. */
int ogg_writer_write(ogg_writer *w, const uint8_t *packet, size_t len, int samples);
/** Writes the packets held so far as one page; 0, or an errno. */
int ogg_writer_flush(ogg_writer *w, int flags);
/** End-of-stream page, fsync, close; 0, or an errno (the file is closed either way). */
int ogg_writer_close(ogg_writer *w);
/** Closes without writing anything more (the process is going away, or writing failed). */
void ogg_writer_abandon(ogg_writer *w);
#define OGG_FLAG_BOS 0x02
#define OGG_FLAG_EOS 0x04
#endif
