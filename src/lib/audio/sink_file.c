/* sink_file.c - audio files through libsndfile, written failure-safe.
 *
 * The audio goes to an unnamed file in the destination folder
 * (open(folder, O_TMPFILE)), so a process killed with SIGKILL leaves nothing
 * behind.  On commit, after every write, sf_close and fsync succeeded, the
 * file is linked to a fresh ".NAME.XXXXXX" in that folder through
 * /proc/self/fd/N (linkat, AT_SYMLINK_FOLLOW) and renamed onto NAME, so an
 * existing NAME is replaced atomically; the folder is then fsynced.  Only
 * between that link and the rename does the temporary name exist, and it is
 * in the table ks_sink_cleanup_signal() empties.
 * Where O_TMPFILE is not supported (EOPNOTSUPP, EISDIR, EINVAL: old kernels,
 * some filesystems) or /proc is not mounted, the audio goes to a named
 * ".NAME.XXXXXX" from mkstemp instead, registered for the signal cleanup for
 * its whole life (a SIGKILL leaves it behind).  KAZSPEAK_NO_TMPFILE=1 in the
 * environment forces that named scheme (for tests).
 * libsndfile 1.2.0 drops some write errors (MP3 encoder, the final Ogg
 * flush), so it writes through our own SF_VIRTUAL_IO callbacks, which keep
 * the first errno; that errno is checked after each libsndfile call.
 * Opus only takes 8/12/16/24/48 kHz: other rates are resampled block by
 * block with libsamplerate (memory stays flat).
 * An existing character device (/dev/null, /dev/full) is written directly:
 * there is nothing to rename and replacing a device node would be wrong. */
#define _GNU_SOURCE /* O_TMPFILE */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <samplerate.h>
#include <sndfile.h>

#include "kazspeak/kazspeak.h"
#include "sink.h"
#include "status.h"

#define RESAMPLE_BLOCK 1024 /* input frames per libsamplerate call */

#define VIO_BUFFER 65536

typedef struct vio_file {
    int fd;
    int err; /* first errno seen, 0 if none */
    size_t wlen;              /* bytes waiting in wbuf */
    char wbuf[VIO_BUFFER];    /* writes are gathered: one write(2) per 64 KiB, not per eSpeak block */
} vio_file;

typedef struct file_sink {
    ks_sink base;
    char *path;  /* final name */
    char *tmp;   /* temporary name: the named temp file, or the unnamed one once linked; else NULL */
    int anon;    /* fd is an unnamed O_TMPFILE file, not yet linked */
    int slot;    /* temp table slot, -1 if none */
    int fd;
    vio_file vio;
    SNDFILE *sf;
    ks_format fmt;
    int out_rate;
    /* Opus resampling (src == NULL when the input rate is usable as is) */
    SRC_STATE *src;
    double ratio;
    float in_f[RESAMPLE_BLOCK];
    float *out_f;
    long out_cap;
} file_sink;

/* ---------------------------------------------------------------- virtual I/O */

/* Write out the gathered bytes; the first error is recorded in v->err. */
static void vio_flush(vio_file *v)
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

static sf_count_t vio_get_filelen(void *user)
{
    vio_file *v = user;
    vio_flush(v);
    struct stat st;
    if (fstat(v->fd, &st) != 0) {
        if (!v->err)
            v->err = errno;
        return -1;
    }
    return (sf_count_t)st.st_size;
}

static sf_count_t vio_seek(sf_count_t offset, int whence, void *user)
{
    vio_file *v = user;
    vio_flush(v);
    off_t r = lseek(v->fd, (off_t)offset, whence);
    if (r < 0) {
        if (!v->err)
            v->err = errno;
        return -1;
    }
    return (sf_count_t)r;
}

static sf_count_t vio_read(void *ptr, sf_count_t count, void *user)
{
    vio_file *v = user;
    vio_flush(v);
    sf_count_t done = 0;
    while (done < count) {
        ssize_t r = read(v->fd, (char *)ptr + done, (size_t)(count - done));
        if (r < 0) {
            if (errno == EINTR)
                continue;
            if (!v->err)
                v->err = errno;
            break;
        }
        if (r == 0)
            break;
        done += (sf_count_t)r;
    }
    return done;
}

/* After the first failure the bytes are dropped but reported as written:
 * the caller checks vio.err after every libsndfile call, and libsndfile's own
 * failure paths are avoided (1.2.0's Ogg/Vorbis open leaks its encoder state
 * when a header write fails).  The file is deleted anyway. */
static sf_count_t vio_write(const void *ptr, sf_count_t count, void *user)
{
    vio_file *v = user;
    const char *p = ptr;
    size_t left = count > 0 ? (size_t)count : 0;
    while (!v->err && left) {
        size_t room = VIO_BUFFER - v->wlen;
        size_t n = left < room ? left : room;
        memcpy(v->wbuf + v->wlen, p, n);
        v->wlen += n;
        p += n;
        left -= n;
        if (v->wlen == VIO_BUFFER)
            vio_flush(v);
    }
    return count;
}

static sf_count_t vio_tell(void *user)
{
    vio_file *v = user;
    off_t r = lseek(v->fd, 0, SEEK_CUR); /* the kernel's position plus what is still gathered */
    if (r < 0) {
        if (!v->err)
            v->err = errno;
        return -1;
    }
    return (sf_count_t)r + (sf_count_t)v->wlen;
}

static SF_VIRTUAL_IO vio_ops = {vio_get_filelen, vio_seek, vio_read, vio_write, vio_tell};

/* ---------------------------------------------------------------- helpers */

static const char *format_name(ks_format f)
{
    switch (f) {
    case KS_FORMAT_WAV: return "WAV";
    case KS_FORMAT_FLAC: return "FLAC";
    case KS_FORMAT_OGG: return "Ogg Vorbis";
    case KS_FORMAT_OPUS: return "Ogg Opus";
    case KS_FORMAT_MP3: return "MP3";
    default: return "unknown";
    }
}

/* Release everything; remove the temporary file. */
static void file_discard(file_sink *f)
{
    if (f->src)
        src_delete(f->src);
    if (f->sf)
        sf_close(f->sf);
    if (f->fd >= 0)
        close(f->fd);
    if (f->tmp)
        unlink(f->tmp);
    sink_temp_remove(f->slot);
    free(f->out_f);
    free(f->tmp);
    free(f->path);
    free(f);
}

/* libsndfile's text for error number e.  sf_error_number() PRINTS to stdout
 * when given a number it does not know (1.2.0 knows 1..183), so stay within
 * that range. */
static const char *sf_text(int e)
{
    if (e <= 0 || e > 183)
        return "the encoder failed";
    return sf_error_number(e);
}

/* The error for a failed libsndfile call: the recorded errno first (the real
 * cause, e.g. ENOSPC), else libsndfile's own text for `sf_err`. */
static ks_status file_fail(file_sink *f, ks_error *err, int sf_err)
{
    if (f->vio.err)
        return status_set(err, KS_EIO, "%s: %s", f->path, strerror(f->vio.err));
    return status_set(err, KS_EIO, "%s: %s", f->path, sf_text(sf_err));
}

static ks_status write_float(file_sink *f, const float *x, sf_count_t n, ks_error *err)
{
    if (n <= 0)
        return KS_OK;
    sf_count_t w = sf_write_float(f->sf, x, n);
    if (w != n || f->vio.err)
        return file_fail(f, err, sf_error(f->sf));
    return KS_OK;
}

/* Push n input floats through the resampler (end_of_input when `eoi`) and
 * write what comes out. */
static ks_status resample_feed(file_sink *f, const float *in, long n, int eoi, ks_error *err)
{
    long used = 0;
    for (;;) {
        SRC_DATA d;
        memset(&d, 0, sizeof d);
        d.data_in = in + used;
        d.input_frames = n - used;
        d.data_out = f->out_f;
        d.output_frames = f->out_cap;
        d.end_of_input = eoi;
        d.src_ratio = f->ratio;
        int e = src_process(f->src, &d);
        if (e)
            return status_set(err, KS_EAUDIO, "%s: resampling failed: %s", f->path, src_strerror(e));
        used += d.input_frames_used;
        ks_status st = write_float(f, f->out_f, (sf_count_t)d.output_frames_gen, err);
        if (st != KS_OK)
            return st;
        if (d.output_frames_gen == 0 && (used >= n || d.input_frames_used == 0))
            break; /* nothing more to get now */
        if (!eoi && used >= n)
            break;
    }
    return KS_OK;
}

/* ---------------------------------------------------------------- temporary names */

/* "DIR/.BASE.XXXXXX" (or ".BASE.XXXXXX" with no folder in `path`), with BASE
 * shortened to keep the name within NAME_MAX; NULL when out of memory. */
static char *temp_pattern(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    size_t dirlen = slash ? (size_t)(slash - path) : 0;
    size_t baselen = strlen(base);
    if (baselen > 200)
        baselen = 200;
    /* dir + "/." + base + ".XXXXXX" */
    size_t n = (slash ? dirlen + 1 : 0) + 1 + baselen + 7 + 1;
    char *t = malloc(n);
    if (!t)
        return NULL;
    if (slash)
        snprintf(t, n, "%.*s/.%.*s.XXXXXX", (int)dirlen, path, (int)baselen, base);
    else
        snprintf(t, n, ".%.*s.XXXXXX", (int)baselen, base);
    return t;
}

/* Replace the trailing XXXXXX of t with random letters and digits. */
static void fill_random(char *t)
{
    static const char chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    unsigned char r[6];
    if (getrandom(r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        unsigned long x = (unsigned long)ts.tv_nsec ^ ((unsigned long)getpid() << 16) ^ (unsigned long)(uintptr_t)t;
        for (size_t i = 0; i < sizeof r; i++, x = x * 6364136223846793005UL + 1442695040888963407UL)
            r[i] = (unsigned char)(x >> 33);
    }
    char *x = t + strlen(t) - 6;
    for (size_t i = 0; i < sizeof r; i++)
        x[i] = chars[r[i] % (sizeof chars - 1)];
}

/* Give the unnamed O_TMPFILE file a fresh ".NAME.XXXXXX" in its folder,
 * registered for the signal cleanup; the caller renames it onto f->path. */
static ks_status link_anon(file_sink *f, ks_error *err)
{
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", f->fd);
    char *t = temp_pattern(f->path);
    if (!t)
        return status_set(err, KS_ENOMEM, "%s: out of memory", f->path);
    for (int tries = 0;; tries++) {
        fill_random(t);
        /* in the table before the name exists: a signal in between finds
         * nothing to unlink, a signal after finds it */
        f->slot = sink_temp_add(t);
        if (linkat(AT_FDCWD, proc, AT_FDCWD, t, AT_SYMLINK_FOLLOW) == 0)
            break;
        int e = errno;
        sink_temp_remove(f->slot);
        f->slot = -1;
        if (e != EEXIST || tries >= 100) {
            free(t);
            return status_set(err, KS_EIO, "%s: cannot name the temporary file: %s", f->path, strerror(e));
        }
    }
    f->tmp = t;
    f->anon = 0;
    return KS_OK;
}

/* ---------------------------------------------------------------- vtable */

static ks_status file_write(ks_sink *s, const int16_t *pcm, size_t frames, ks_error *err)
{
    file_sink *f = (file_sink *)s;
    if (!f->src) {
        sf_count_t w = sf_write_short(f->sf, pcm, (sf_count_t)frames);
        if (w != (sf_count_t)frames || f->vio.err)
            return file_fail(f, err, sf_error(f->sf));
        return KS_OK;
    }
    size_t off = 0;
    while (off < frames) {
        size_t n = frames - off;
        if (n > RESAMPLE_BLOCK)
            n = RESAMPLE_BLOCK;
        src_short_to_float_array(pcm + off, f->in_f, (int)n);
        ks_status st = resample_feed(f, f->in_f, (long)n, 0, err);
        if (st != KS_OK)
            return st;
        off += n;
    }
    return KS_OK;
}

static void file_abort(ks_sink *s)
{
    file_discard((file_sink *)s);
}

static ks_status file_close(ks_sink *s, ks_error *err)
{
    file_sink *f = (file_sink *)s;
    ks_status st = KS_OK;
    if (f->src) {
        st = resample_feed(f, f->in_f, 0, 1, err);
        if (st != KS_OK)
            goto fail;
    }
    int rc = sf_close(f->sf);
    f->sf = NULL;
    vio_flush(&f->vio);
    if (rc != 0 || f->vio.err) {
        st = file_fail(f, err, rc);
        goto fail;
    }
    if ((f->tmp || f->anon) && fsync(f->fd) != 0) {
        st = status_set(err, KS_EIO, "%s: %s", f->path, strerror(errno));
        goto fail;
    }
    if (f->anon && (st = link_anon(f, err)) != KS_OK)
        goto fail;
    rc = close(f->fd);
    f->fd = -1;
    if (rc != 0) {
        st = status_set(err, KS_EIO, "%s: %s", f->path, strerror(errno));
        goto fail;
    }
    if (f->tmp) {
        if (rename(f->tmp, f->path) != 0) {
            st = status_set(err, KS_EIO, "%s: cannot rename the temporary file: %s", f->path,
                            strerror(errno));
            goto fail;
        }
        sink_temp_remove(f->slot);
        f->slot = -1;
        free(f->tmp);
        f->tmp = NULL;
        /* Make the rename durable.  The file is committed by now, so a
         * failure here (some filesystems refuse fsync on folders) is not
         * reported. */
        const char *slash = strrchr(f->path, '/');
        char *dir = NULL;
        if (slash) {
            size_t n = slash == f->path ? 1 : (size_t)(slash - f->path);
            dir = malloc(n + 1);
            if (dir) {
                memcpy(dir, f->path, n);
                dir[n] = '\0';
            }
        }
        int dfd = open(dir ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) {
            (void)fsync(dfd);
            close(dfd);
        }
        free(dir);
    }
    file_discard(f);
    return KS_OK;
fail:
    file_discard(f);
    return st;
}

static const sink_ops file_ops = {"file", file_write, file_close, file_abort};

/* ---------------------------------------------------------------- open */

static int opus_rate_for(int rate)
{
    static const int ok[] = {8000, 12000, 16000, 24000, 48000};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (rate <= ok[i])
            return ok[i];
    return 48000;
}

static int sf_format_for(ks_format fmt)
{
    switch (fmt) {
    case KS_FORMAT_WAV: return SF_FORMAT_WAV | SF_FORMAT_PCM_16;
    case KS_FORMAT_FLAC: return SF_FORMAT_FLAC | SF_FORMAT_PCM_16;
    case KS_FORMAT_OGG: return SF_FORMAT_OGG | SF_FORMAT_VORBIS;
    case KS_FORMAT_OPUS: return SF_FORMAT_OGG | SF_FORMAT_OPUS;
    case KS_FORMAT_MP3: return SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III;
    default: return 0;
    }
}

static char *dup_range(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

/* O_TMPFILE unless KAZSPEAK_NO_TMPFILE is set (to anything but "" or "0"). */
static int want_tmpfile(void)
{
    const char *e = getenv("KAZSPEAK_NO_TMPFILE");
    return !e || !*e || strcmp(e, "0") == 0;
}

/* Open an unnamed file in the folder of f->path (O_TMPFILE): 1 on success,
 * 0 when the kernel, filesystem or a missing /proc rules it out (use a named
 * temporary file), -1 with errno set on another error. */
static int open_anon(file_sink *f, mode_t mode)
{
#ifdef O_TMPFILE
    if (!want_tmpfile())
        return 0;
    const char *path = f->path;
    const char *slash = strrchr(path, '/');
    char *dir = slash ? dup_range(path, slash == path ? 1 : (size_t)(slash - path)) : NULL;
    if (slash && !dir) {
        errno = ENOMEM;
        return -1;
    }
    int fd = open(dir ? dir : ".", O_TMPFILE | O_RDWR | O_CLOEXEC, mode);
    int e = errno;
    free(dir);
    if (fd < 0) {
        errno = e;
        return e == EOPNOTSUPP || e == EISDIR || e == EINVAL ? 0 : -1;
    }
    /* committing needs /proc/self/fd/N (linkat with AT_EMPTY_PATH needs a capability) */
    char proc[64];
    struct stat st;
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
    if (lstat(proc, &st) != 0) {
        close(fd);
        return 0;
    }
    f->fd = fd;
    f->anon = 1;
    return 1;
#else
    (void)f;
    (void)mode;
    return 0;
#endif
}

/* Create the temporary file next to f->path: unnamed when possible, else
 * ".NAME.XXXXXX". */
static ks_status make_temp(file_sink *f, ks_error *err)
{
    const char *path = f->path;
    const char *slash = strrchr(path, '/');
    size_t dirlen = slash ? (size_t)(slash - path) : 0;
    /* Replacing a file keeps its permissions (a private 0600 recording stays
     * private); a new file gets 0666 minus the umask, as open(2) would give. */
    struct stat old;
    mode_t mode;
    if (stat(path, &old) == 0 && S_ISREG(old.st_mode)) {
        mode = old.st_mode & 07777;
    } else {
        mode_t mask = umask(0);
        umask(mask);
        mode = (mode_t)(0666 & ~mask);
    }

    int r = open_anon(f, mode);
    if (r == 0) {
        f->tmp = temp_pattern(path);
        if (!f->tmp)
            return status_set(err, KS_ENOMEM, "%s: out of memory", path);
        f->fd = mkstemp(f->tmp);
        if (f->fd < 0) {
            int e = errno;
            free(f->tmp);
            f->tmp = NULL;
            errno = e;
            r = -1;
        }
    }
    if (r < 0) {
        int e = errno;
        if (slash)
            return status_set(err, KS_EIO, "%s: cannot create a file in %.*s: %s", path,
                              dirlen ? (int)dirlen : 1, dirlen ? path : "/", strerror(e));
        return status_set(err, KS_EIO, "%s: cannot create a file in the current folder: %s",
                          path, strerror(e));
    }
    if (f->tmp) {
        (void)fcntl(f->fd, F_SETFD, FD_CLOEXEC);
        f->slot = sink_temp_add(f->tmp);
        if (f->slot < 0)
            return status_set(err, KS_ENOMEM, "%s: too many audio files open at once", path);
    }
    if (fchmod(f->fd, mode) != 0)
        return status_set(err, KS_EIO, "%s: %s", path, strerror(errno));
    return KS_OK;
}

KS_API ks_status ks_sink_file_open(ks_sink **out, const char *path, ks_format fmt, int rate,
                                   ks_error *err)
{
    if (!out)
        return status_set(err, KS_EINVAL, "ks_sink_file_open: no output pointer");
    *out = NULL;
    if (!path || !*path)
        return status_set(err, KS_EINVAL, "no output file name");
    if (fmt == KS_FORMAT_NONE || !sf_format_for(fmt))
        return status_set(err, KS_ENOTSUP, "%s: unknown audio file type (use one of: %s)", path,
                          ks_format_list());
    if (rate < SINK_MIN_RATE || rate > SINK_MAX_RATE)
        return status_set(err, KS_EINVAL, "%s: bad sample rate %d", path, rate);
    size_t plen = strlen(path);
    if (path[plen - 1] == '/')
        return status_set(err, KS_EIO, "%s: is a directory", path);

    int direct = 0;
    struct stat st;
    if (stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return status_set(err, KS_EIO, "%s: is a directory", path);
        if (S_ISCHR(st.st_mode))
            direct = 1;
        else if (!S_ISREG(st.st_mode))
            return status_set(err, KS_EIO, "%s: not a regular file", path);
    } else if (errno != ENOENT) {
        return status_set(err, KS_EIO, "%s: %s", path, strerror(errno));
    }

    file_sink *f = calloc(1, sizeof *f);
    if (!f)
        return status_set(err, KS_ENOMEM, "%s: out of memory", path);
    sink_init(&f->base, &file_ops, rate);
    f->fd = -1;
    f->slot = -1;
    f->fmt = fmt;
    f->out_rate = fmt == KS_FORMAT_OPUS ? opus_rate_for(rate) : rate;
    ks_status status = KS_OK;
    f->path = dup_range(path, plen);
    if (!f->path) {
        status = status_set(err, KS_ENOMEM, "%s: out of memory", path);
        goto fail;
    }
    if (direct) {
        f->fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
        if (f->fd < 0) {
            status = status_set(err, KS_EIO, "%s: %s", path, strerror(errno));
            goto fail;
        }
    } else {
        status = make_temp(f, err);
        if (status != KS_OK)
            goto fail;
    }
    f->vio.fd = f->fd;

    SF_INFO info;
    memset(&info, 0, sizeof info);
    info.samplerate = f->out_rate;
    info.channels = 1;
    info.format = sf_format_for(fmt);
    f->sf = sf_open_virtual(&vio_ops, SFM_WRITE, &info, &f->vio);
    if (!f->sf) {
        if (f->vio.err)
            status = status_set(err, KS_EIO, "%s: %s", path, strerror(f->vio.err));
        else
            status = status_set(err, KS_ENOTSUP, "%s: cannot write %s at %d Hz: %s", path,
                                format_name(fmt), f->out_rate, sf_strerror(NULL));
        goto fail;
    }
    if (fmt == KS_FORMAT_OGG) {
        double q = 0.4;
        sf_command(f->sf, SFC_SET_VBR_ENCODING_QUALITY, &q, sizeof q);
    } else if (fmt == KS_FORMAT_MP3) {
        /* CBR: libsndfile's reader mis-measures VBR MP3 without a Xing header. */
        /* (1.2.0 returns 0 from this command on success: ask afterwards) */
        int mode = SF_BITRATE_MODE_CONSTANT;
        sf_command(f->sf, SFC_SET_BITRATE_MODE, &mode, sizeof mode);
        if (sf_command(f->sf, SFC_GET_BITRATE_MODE, NULL, 0) != SF_BITRATE_MODE_CONSTANT) {
            status = status_set(err, KS_EAUDIO, "%s: cannot set constant bit rate: %s", path,
                                sf_text(sf_error(f->sf)));
            goto fail;
        }
    }
    if (f->vio.err) {
        status = status_set(err, KS_EIO, "%s: %s", path, strerror(f->vio.err));
        goto fail;
    }
    if (f->out_rate != rate) {
        int e = 0;
        f->src = src_new(SRC_SINC_FASTEST, 1, &e);
        if (!f->src) {
            status = status_set(err, KS_EAUDIO, "%s: resampler: %s", path, src_strerror(e));
            goto fail;
        }
        f->ratio = (double)f->out_rate / (double)rate;
        f->out_cap = (long)(RESAMPLE_BLOCK * f->ratio) + 256;
        f->out_f = malloc((size_t)f->out_cap * sizeof *f->out_f);
        if (!f->out_f) {
            status = status_set(err, KS_ENOMEM, "%s: out of memory", path);
            goto fail;
        }
    }
    *out = &f->base;
    return KS_OK;
fail:
    file_discard(f);
    return status;
}
