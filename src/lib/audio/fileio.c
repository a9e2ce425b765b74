/* fileio.c - buffered, error-remembering file writes (see fileio.h). */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"

void fileio_init(fileio *v, int fd)
{
    v->fd = fd;
    v->err = 0;
    v->wlen = 0;
}

void fileio_flush(fileio *v)
{
    size_t done = 0;
    while (!v->err && done < v->wlen) {
        ssize_t w = write(v->fd, v->wbuf + done, v->wlen - done);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            v->err = errno;
            break;
        }
        if (w == 0) {
            v->err = EIO;
            break;
        }
        done += (size_t)w;
    }
    v->wlen = 0;
}

void fileio_write(fileio *v, const void *ptr, size_t left)
{
    const char *p = ptr;
    while (!v->err && left) {
        size_t room = FILEIO_BUFFER - v->wlen;
        size_t n = left < room ? left : room;
        memcpy(v->wbuf + v->wlen, p, n);
        v->wlen += n;
        p += n;
        left -= n;
        if (v->wlen == FILEIO_BUFFER)
            fileio_flush(v);
    }
}

int64_t fileio_seek(fileio *v, int64_t offset, int whence)
{
    fileio_flush(v);
    off_t r = lseek(v->fd, (off_t)offset, whence);
    if (r < 0) {
        if (!v->err)
            v->err = errno;
        return -1;
    }
    return (int64_t)r;
}

int64_t fileio_tell(fileio *v)
{
    off_t r = lseek(v->fd, 0, SEEK_CUR); /* the kernel's position plus what is still gathered */
    if (r < 0) {
        if (!v->err)
            v->err = errno;
        return -1;
    }
    return (int64_t)r + (int64_t)v->wlen;
}

int64_t fileio_read(fileio *v, void *ptr, size_t count)
{
    fileio_flush(v);
    size_t done = 0;
    while (done < count) {
        ssize_t r = read(v->fd, (char *)ptr + done, count - done);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            if (!v->err)
                v->err = errno;
            return -1;
        }
        if (r == 0)
            break;
        done += (size_t)r;
    }
    return (int64_t)done;
}

/* ---------------------------------------------------------------- libsndfile */

static sf_count_t sfio_length(void *user)
{
    fileio *v = user;
    fileio_flush(v);
    struct stat st;
    if (fstat(v->fd, &st) != 0) {
        if (!v->err)
            v->err = errno;
        return -1;
    }
    return (sf_count_t)st.st_size;
}

static sf_count_t sfio_seek(sf_count_t offset, int whence, void *user)
{
    return (sf_count_t)fileio_seek(user, (int64_t)offset, whence);
}

static sf_count_t sfio_read(void *ptr, sf_count_t count, void *user)
{
    int64_t r = fileio_read(user, ptr, count > 0 ? (size_t)count : 0);
    return r < 0 ? 0 : (sf_count_t)r;
}

/* Reported as written even after a failure: libsndfile's own failure paths
 * are avoided (1.2.0's Ogg/Vorbis open leaks its encoder state when a header
 * write fails); the caller checks err and deletes the file anyway. */
static sf_count_t sfio_write(const void *ptr, sf_count_t count, void *user)
{
    if (count > 0)
        fileio_write(user, ptr, (size_t)count);
    return count;
}

static sf_count_t sfio_tell(void *user)
{
    return (sf_count_t)fileio_tell(user);
}

SF_VIRTUAL_IO fileio_sf_ops = {sfio_length, sfio_seek, sfio_read, sfio_write, sfio_tell};
