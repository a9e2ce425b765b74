/* fileio.h - buffered writes to a file descriptor that remember the first errno.
 *
 * libsndfile 1.2.0 drops some write errors (the MP3 encoder, the final Ogg
 * flush), and our own encoders write in small pieces: every encoder writes
 * through a fileio, which gathers bytes into one write(2) per 64 KiB and keeps
 * the first error in `err`.  After the first failure bytes are dropped but
 * reported as written; callers check `err` after each step.  fileio_sf_ops
 * offers the same file to libsndfile (sf_open_virtual). */
#ifndef KS_FILEIO_H
#define KS_FILEIO_H
#include <stddef.h>
#include <stdint.h>

#include <sndfile.h>

#define FILEIO_BUFFER 65536

typedef struct fileio {
    int fd;
    int err;     /* first errno seen, 0 if none */
    size_t wlen; /* bytes waiting in wbuf */
    char wbuf[FILEIO_BUFFER];
} fileio;

void fileio_init(fileio *v, int fd);
/* Write out the gathered bytes. */
void fileio_flush(fileio *v);
void fileio_write(fileio *v, const void *p, size_t n);
/* lseek after a flush; -1 (err set) on failure. */
int64_t fileio_seek(fileio *v, int64_t offset, int whence);
int64_t fileio_tell(fileio *v);
/* Read up to n bytes at the current position (after a flush); bytes read, -1 on error. */
int64_t fileio_read(fileio *v, void *p, size_t n);

extern SF_VIRTUAL_IO fileio_sf_ops;

#endif
