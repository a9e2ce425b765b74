/* datafile.h - the one way kazspeak reads its text data files: lexicons
 * (shipped, per voice, --lexicon, the user's lexicon.tsv), voice profiles and
 * the Latin transliteration tables.
 *
 * A data file must be a regular file of at most DATAFILE_MAX bytes with no NUL
 * byte.  It is never read from a FIFO, socket or device, so a user lexicon that
 * is a FIFO or a symlink to /dev/zero fails at once instead of hanging:
 *     "PATH: not a regular file"    FIFO, socket, character or block device
 *     "PATH: is a directory"
 *     "PATH: larger than 16 MiB"
 *     "PATH:N: NUL byte (not a text file)"   N is the line of the first NUL
 *     "PATH: <strerror>"            open or read failed
 */
#ifndef KS_DATAFILE_H
#define KS_DATAFILE_H
#include <stddef.h>

#include "kazspeak/kazspeak.h"

#define DATAFILE_MAX ((size_t)16 << 20)

/* A missing file (ENOENT) is not an error: datafile_read returns KS_OK with
 * out->missing set and out->data NULL. */
#define DATAFILE_OPTIONAL 1u

typedef struct datafile {
    char *data; /* the whole file plus a terminating '\0' (not counted in len); caller frees */
    size_t len;
    int missing; /* DATAFILE_OPTIONAL and the file does not exist */
} datafile;

/* Read `path` whole into out (zeroed first).  On failure out->data is NULL and
 * err holds one line naming the file: KS_EIO (cannot open or read, not a
 * regular file, a directory), KS_EPARSE (NUL byte), KS_ENOMEM (over the size
 * cap, out of memory). */
ks_status datafile_read(const char *path, unsigned flags, datafile *out, ks_error *err);

/* Whether `path` can be read by datafile_read, without reading it: KS_OK when
 * it is a regular file within the cap, else the error datafile_read would give
 * (a missing file included). */
ks_status datafile_check(const char *path, ks_error *err);

/* Free out->data; out may be NULL. */
void datafile_free(datafile *out);

#endif
