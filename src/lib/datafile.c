/* datafile.c - read a text data file whole, refusing anything that is not a
 * small regular file (see datafile.h).
 *
 * The path is stat()ed before it is opened, so a device or FIFO is never even
 * opened (opening some devices has side effects); the descriptor is fstat()ed
 * again after open(2) because the name may have been replaced in between.
 * O_NONBLOCK keeps that open(2) from blocking on a FIFO that appeared in the
 * meantime; O_NOCTTY keeps a terminal from becoming ours. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "datafile.h"
#include "status.h"

/* The error for a file that stat(2) or fstat(2) described as st; KS_OK when
 * it is a regular file within the cap. */
static ks_status check_kind(const char *path, const struct stat *st, ks_error *err)
{
    if (S_ISDIR(st->st_mode))
        return status_set(err, KS_EIO, "%s: is a directory", path);
    if (!S_ISREG(st->st_mode))
        return status_set(err, KS_EIO, "%s: not a regular file", path);
    if (st->st_size < 0 || (unsigned long long)st->st_size > DATAFILE_MAX)
        return status_set(err, KS_ENOMEM, "%s: larger than %zu MiB", path, DATAFILE_MAX >> 20);
    return KS_OK;
}

ks_status datafile_check(const char *path, ks_error *err)
{
    struct stat sb;
    if (!path || !*path)
        return status_set(err, KS_EINVAL, "no data file name");
    if (stat(path, &sb) != 0)
        return status_set(err, KS_EIO, "%s: %s", path, strerror(errno));
    return check_kind(path, &sb, err);
}

void datafile_free(datafile *out)
{
    if (!out)
        return;
    free(out->data);
    out->data = NULL;
    out->len = 0;
}

ks_status datafile_read(const char *path, unsigned flags, datafile *out, ks_error *err)
{
    int fd = -1;
    char *buf = NULL;
    ks_status st;
    struct stat sb;

    if (!out)
        return status_set(err, KS_EINVAL, "datafile_read: no output");
    memset(out, 0, sizeof *out);
    if (!path || !*path)
        return status_set(err, KS_EINVAL, "no data file name");

    if (stat(path, &sb) != 0) {
        if (errno == ENOENT && (flags & DATAFILE_OPTIONAL)) {
            out->missing = 1;
            return KS_OK;
        }
        return status_set(err, KS_EIO, "%s: %s", path, strerror(errno));
    }
    if ((st = check_kind(path, &sb, err)) != KS_OK)
        return st;

    do
        fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        int e = errno;
        if (e == ENOENT && (flags & DATAFILE_OPTIONAL)) {
            out->missing = 1;
            return KS_OK;
        }
        if (e == ENXIO) /* a socket, or a FIFO/device swapped in after stat */
            return status_set(err, KS_EIO, "%s: not a regular file", path);
        return status_set(err, KS_EIO, "%s: %s", path, strerror(e));
    }
    if (fstat(fd, &sb) != 0) {
        st = status_set(err, KS_EIO, "%s: %s", path, strerror(errno));
        goto fail;
    }
    if ((st = check_kind(path, &sb, err)) != KS_OK)
        goto fail;

    /* st_size is a hint: the file may grow or shrink while it is read. */
    size_t cap = (size_t)sb.st_size + 1, len = 0;
    if (cap < 4096)
        cap = 4096;
    buf = malloc(cap);
    if (!buf) {
        st = status_set(err, KS_ENOMEM, "%s: out of memory", path);
        goto fail;
    }
    for (;;) {
        if (len + 1 >= cap) {
            if (cap >= DATAFILE_MAX + 2) { /* read more than DATAFILE_MAX bytes */
                st = status_set(err, KS_ENOMEM, "%s: larger than %zu MiB", path, DATAFILE_MAX >> 20);
                goto fail;
            }
            size_t ncap = cap * 2 > DATAFILE_MAX + 2 ? DATAFILE_MAX + 2 : cap * 2;
            char *nb = realloc(buf, ncap);
            if (!nb) {
                st = status_set(err, KS_ENOMEM, "%s: out of memory", path);
                goto fail;
            }
            buf = nb;
            cap = ncap;
        }
        ssize_t r = read(fd, buf + len, cap - 1 - len);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            st = status_set(err, KS_EIO, "%s: %s", path, strerror(errno));
            goto fail;
        }
        if (r == 0)
            break;
        len += (size_t)r;
    }
    if (len > DATAFILE_MAX) {
        st = status_set(err, KS_ENOMEM, "%s: larger than %zu MiB", path, DATAFILE_MAX >> 20);
        goto fail;
    }
    close(fd);
    fd = -1;
    buf[len] = '\0';

    const char *nul = memchr(buf, '\0', len);
    if (nul) {
        size_t line = 1;
        for (const char *p = buf; p < nul; p++)
            line += *p == '\n';
        st = status_set(err, KS_EPARSE, "%s:%zu: NUL byte (not a text file)", path, line);
        goto fail;
    }
    out->data = buf;
    out->len = len;
    return KS_OK;
fail:
    if (fd >= 0)
        close(fd);
    free(buf);
    return st;
}
