/* sink_wav.c - WAV streamed on a file descriptor (stdout, a pipe).
 *
 * libsndfile cannot write WAV to a pipe, so the 44-byte header is written
 * here with RIFF and data sizes of 0xFFFFFFFF ("unknown", as espeak-ng
 * --stdout does), followed by raw little-endian PCM16.  When the descriptor
 * is a regular file opened without O_APPEND, close() fills in the real sizes
 * (same bytes count, a fully valid file).  Partial writes, EINTR and
 * non-blocking descriptors are handled; EPIPE (with SIGPIPE ignored by the
 * program) becomes KS_EIO "...: Broken pipe".  The descriptor stays open. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kazspeak/kazspeak.h"
#include "sink.h"
#include "status.h"

#define WAV_HEADER 44
#define WAV_CHUNK 2048 /* samples converted per write(2) */

typedef struct wav_sink {
    ks_sink base;
    int fd;
    int patch;       /* regular, seekable, not O_APPEND: fix sizes at close */
    off_t start;     /* offset of the header in the file (when patch) */
    uint64_t bytes;  /* PCM bytes written */
    char name[32];   /* "stdout" or "fd N", for messages */
} wav_sink;

static void put_le32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v & 0xff);
    p[1] = (unsigned char)((v >> 8) & 0xff);
    p[2] = (unsigned char)((v >> 16) & 0xff);
    p[3] = (unsigned char)((v >> 24) & 0xff);
}

static void put_le16(unsigned char *p, uint16_t v)
{
    p[0] = (unsigned char)(v & 0xff);
    p[1] = (unsigned char)((v >> 8) & 0xff);
}

/* Write all n bytes; returns 0 or an errno value. */
static int write_all(int fd, const unsigned char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                struct pollfd pfd = {fd, POLLOUT, 0};
                if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
                    return errno;
                continue;
            }
            return errno;
        }
        if (w == 0)
            return EIO;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static void wav_header(unsigned char h[WAV_HEADER], int rate, uint32_t riff, uint32_t data)
{
    memcpy(h, "RIFF", 4);
    put_le32(h + 4, riff);
    memcpy(h + 8, "WAVEfmt ", 8);
    put_le32(h + 16, 16);             /* fmt chunk size */
    put_le16(h + 20, 1);              /* PCM */
    put_le16(h + 22, 1);              /* mono */
    put_le32(h + 24, (uint32_t)rate);
    put_le32(h + 28, (uint32_t)rate * 2u); /* bytes per second */
    put_le16(h + 32, 2);              /* block align */
    put_le16(h + 34, 16);             /* bits per sample */
    memcpy(h + 36, "data", 4);
    put_le32(h + 40, data);
}

static ks_status wav_write(ks_sink *s, const int16_t *pcm, size_t frames, ks_error *err)
{
    wav_sink *w = (wav_sink *)s;
    unsigned char buf[WAV_CHUNK * 2];
    size_t off = 0;
    while (off < frames) {
        size_t n = frames - off;
        if (n > WAV_CHUNK)
            n = WAV_CHUNK;
        for (size_t i = 0; i < n; i++)
            put_le16(buf + 2 * i, (uint16_t)pcm[off + i]);
        int e = write_all(w->fd, buf, n * 2);
        if (e)
            return status_set(err, KS_EIO, "%s: %s", w->name, strerror(e));
        w->bytes += n * 2;
        off += n;
    }
    return KS_OK;
}

static ks_status wav_close(ks_sink *s, ks_error *err)
{
    wav_sink *w = (wav_sink *)s;
    ks_status st = KS_OK;
    if (w->patch && w->bytes <= 0xFFFFFFFFu - 36u) {
        unsigned char b[4];
        put_le32(b, (uint32_t)(w->bytes + 36));
        ssize_t r1 = pwrite(w->fd, b, 4, w->start + 4);
        put_le32(b, (uint32_t)w->bytes);
        ssize_t r2 = r1 == 4 ? pwrite(w->fd, b, 4, w->start + 40) : -1;
        if (r1 != 4 || r2 != 4)
            st = status_set(err, KS_EIO, "%s: cannot update the WAV header: %s", w->name,
                            (r1 < 0 || r2 < 0) ? strerror(errno) : "short write");
    }
    free(w);
    return st;
}

static void wav_abort(ks_sink *s)
{
    free(s);
}

static const sink_ops wav_ops = {"wav-stream", wav_write, wav_close, wav_abort};

KS_API ks_status ks_sink_wav_stream_open(ks_sink **out, int fd, int rate, ks_error *err)
{
    if (!out)
        return status_set(err, KS_EINVAL, "ks_sink_wav_stream_open: no output pointer");
    *out = NULL;
    if (fd < 0)
        return status_set(err, KS_EINVAL, "bad file descriptor %d", fd);
    if (rate < SINK_MIN_RATE || rate > SINK_MAX_RATE)
        return status_set(err, KS_EINVAL, "bad sample rate %d", rate);
    wav_sink *w = calloc(1, sizeof *w);
    if (!w)
        return status_set(err, KS_ENOMEM, "out of memory");
    sink_init(&w->base, &wav_ops, rate);
    w->fd = fd;
    if (fd == 1)
        snprintf(w->name, sizeof w->name, "stdout");
    else
        snprintf(w->name, sizeof w->name, "fd %d", fd);

    struct stat st;
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0 && !(fl & O_APPEND) && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        off_t pos = lseek(fd, 0, SEEK_CUR);
        if (pos >= 0) {
            w->patch = 1;
            w->start = pos;
        }
    }

    unsigned char h[WAV_HEADER];
    wav_header(h, rate, 0xFFFFFFFFu, 0xFFFFFFFFu);
    int e = write_all(fd, h, sizeof h);
    if (e) {
        ks_status st2 = status_set(err, KS_EIO, "%s: %s", w->name, strerror(e));
        free(w);
        return st2;
    }
    *out = &w->base;
    return KS_OK;
}
