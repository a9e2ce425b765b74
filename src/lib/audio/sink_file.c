/* sink_file.c - audio files, encoded on a thread of their own, written
 * failure-safe, optionally scaled to a target loudness.
 *
 * The audio goes to an unnamed file in the destination folder
 * (open(folder, O_TMPFILE)), so a process killed with SIGKILL leaves nothing
 * behind.  On commit, after every write, the encoder's finish and fsync
 * succeeded, the file is linked to a fresh ".NAME.XXXXXX" in that folder
 * through /proc/self/fd/N (linkat, AT_SYMLINK_FOLLOW) and renamed onto NAME,
 * so an existing NAME is replaced atomically; the folder is then fsynced.
 * Only between that link and the rename does the temporary name exist, and it
 * is in the table ks_sink_cleanup_signal() empties.
 * Where O_TMPFILE is not supported (EOPNOTSUPP, EISDIR, EINVAL: old kernels,
 * some filesystems) or /proc is not mounted, the audio goes to a named
 * ".NAME.XXXXXX" from mkstemp instead, registered for the signal cleanup for
 * its whole life (a SIGKILL leaves it behind).  KAZSPEAK_NO_TMPFILE=1 in the
 * environment forces that named scheme (for tests).
 * An existing character device (/dev/null, /dev/full) is written directly:
 * there is nothing to rename and replacing a device node would be wrong.
 *
 * Encoding (enc.h) runs on a thread started by the open: ks_sink_write()
 * only copies the PCM into a ring of QUEUE_FRAMES frames (waiting when it is
 * full), so synthesis and encoding overlap on two cores.  The first encoder
 * error is kept; the next write (or the close) returns it.
 *
 * Loudness (ks_file_options.loudness) takes two passes: while the speech is
 * synthesized the thread measures it (loudness.h) and keeps the raw PCM in
 * a second unnamed temporary file (next to the output, else in $TMPDIR or
 * /tmp); the close then plans the gain under the true-peak ceiling, checks
 * it by measuring the scaled speech, and encodes from the raw file while
 * measuring again for the report.  Any failure discards the output as
 * always. */
#define _GNU_SOURCE /* O_TMPFILE */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "enc.h"
#include "fileio.h"
#include "kazspeak/kazspeak.h"
#include "loudness.h"
#include "sink.h"
#include "status.h"

#define QUEUE_FRAMES (1u << 18) /* about 12 s at 22050 Hz */
#define CHUNK 8192              /* frames the encoder takes at a time */
#define DEFAULT_TRUE_PEAK (-1.0)       /* dBTP, lossless files */
#define DEFAULT_TRUE_PEAK_LOSSY (-2.0) /* lossy decoders overshoot by up to ~1.5 dB at speech bit rates */
#define LOUD_TRIES 6       /* measurements of the scaled speech, at most */
#define LOUD_MAX_EXTRA 12.0 /* dB of gain beyond target - measured the limiter may be given */

typedef struct file_sink {
    ks_sink base;
    char *path;  /* final name */
    char *tmp;   /* temporary name: the named temp file, or the unnamed one once linked; else NULL */
    int anon;    /* fd is an unnamed O_TMPFILE file, not yet linked */
    int slot;    /* temp table slot, -1 if none */
    int fd;
    ks_format fmt;
    ks_file_options opt; /* a copy; the strings below are its tags */
    char *strs[5];
    enc *enc;
    /* loudness (loud == NULL without it) */
    loud *loud;
    int raw_fd;
    uint64_t raw_frames;
    ks_file_report rep;
    /* the encoder thread and its queue */
    pthread_t thread;
    int started;
    pthread_mutex_t mu;
    pthread_cond_t has_data, has_room;
    int16_t *q;
    size_t qhead, qlen;
    int closing, stop;
    ks_status th_status; /* the thread's first failure */
    ks_error th_err;
    int16_t chunk[CHUNK], scaled[CHUNK];
    fileio raw_io;
    fileio io; /* last: 64 KiB buffer */
} file_sink;

/* ---------------------------------------------------------------- helpers */

/* Release everything; remove the temporary file.  The thread has ended. */
static void file_discard(file_sink *f)
{
    if (f->enc)
        f->enc->ops->free(f->enc);
    loud_free(f->loud);
    if (f->raw_fd >= 0)
        close(f->raw_fd);
    if (f->fd >= 0)
        close(f->fd);
    if (f->tmp)
        unlink(f->tmp);
    sink_temp_remove(f->slot);
    if (f->started) {
        pthread_mutex_destroy(&f->mu);
        pthread_cond_destroy(&f->has_data);
        pthread_cond_destroy(&f->has_room);
    }
    for (int i = 0; i < 5; i++)
        free(f->strs[i]);
    free(f->q);
    free(f->tmp);
    free(f->path);
    free(f);
}

/* A failed write is reported with the errno the fileio kept (the real cause,
 * e.g. ENOSPC) rather than the encoder's own text. */
static ks_status io_check(file_sink *f, ks_status st, ks_error *err)
{
    if (f->io.err)
        return status_set(err, KS_EIO, "%s: %s", f->path, strerror(f->io.err));
    if (f->raw_io.err)
        return status_set(err, KS_EIO, "%s: temporary file for loudness: %s", f->path, strerror(f->raw_io.err));
    return st;
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


/* ---------------------------------------------------------------- loudness passes */

static int stopping(file_sink *f)
{
    pthread_mutex_lock(&f->mu);
    int s = f->stop;
    pthread_mutex_unlock(&f->mu);
    return s;
}

/* Walk the raw PCM once: scale by the plan, then measure into `m` and/or
 * encode.  0 frames when loud_plan was not run (gain 1). */
static ks_status raw_walk(file_sink *f, int planned, loud_meter *m, int encode, ks_error *err)
{
    uint64_t pos = 0;
    while (pos < f->raw_frames) {
        if (stopping(f))
            return status_set(err, KS_ESTOPPED, "%s: stopped", f->path);
        size_t n = f->raw_frames - pos < CHUNK ? (size_t)(f->raw_frames - pos) : CHUNK;
        size_t want = n * sizeof(int16_t), got = 0;
        while (got < want) {
            ssize_t r = pread(f->raw_fd, (char *)f->chunk + got, want - got, (off_t)(pos * sizeof(int16_t) + got));
            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0)
                return status_set(err, KS_EIO, "%s: temporary file for loudness: %s", f->path,
                                  r < 0 ? strerror(errno) : "shorter than written");
            got += (size_t)r;
        }
        const int16_t *out = f->chunk;
        if (planned) {
            loud_apply(f->loud, pos, f->chunk, f->scaled, n);
            out = f->scaled;
        }
        ks_status st;
        if (m && (st = loud_meter_add(m, out, n, err)) != KS_OK)
            return st;
        if (encode && (st = io_check(f, f->enc->ops->write(f->enc, out, n, err), err)) != KS_OK)
            return st;
        pos += n;
    }
    return KS_OK;
}

/* Measure the speech as the plan for `gain_db` scales it. */
static ks_status try_gain(file_sink *f, double gain_db, double ceiling, double *lufs, int *limited, ks_error *err)
{
    *limited = loud_plan(f->loud, gain_db, ceiling);
    if (*limited < 0)
        return status_set(err, KS_ENOMEM, "%s: out of memory (loudness)", f->path);
    loud_meter *m = NULL;
    ks_status st = loud_meter_new(&m, f->base.rate, 0, err);
    if (st == KS_OK)
        st = raw_walk(f, 1, m, 0, err);
    if (st == KS_OK)
        *lufs = loud_meter_lufs(m);
    loud_meter_free(m);
    return st;
}

/* Pass 2: plan the gain, check it, encode from the raw file. */
static ks_status loudness_finish(file_sink *f, ks_error *err)
{
    fileio_flush(&f->raw_io);
    ks_status st = io_check(f, KS_OK, err);
    if (st != KS_OK)
        return st;
    double target = f->opt.loudness;
    double ceiling = f->opt.true_peak != 0 ? f->opt.true_peak
                     : f->fmt == KS_FORMAT_WAV || f->fmt == KS_FORMAT_FLAC ? DEFAULT_TRUE_PEAK
                                                                           : DEFAULT_TRUE_PEAK_LOSSY;
    double measured = loud_measured(f->loud);
    f->rep.measured_lufs = measured;
    int planned = 0, limited = 0;
    if (isfinite(measured)) {
        /* Limiting takes away loudness, more the harder it works: find the gain
         * whose limited result is on target by the secant method (the result
         * grows monotonically with the gain, more slowly than it). */
        double first = target - measured, gain = first, lufs = measured;
        double g0 = 0, l0 = measured; /* the previous point: no gain, as measured */
        for (int i = 0; i < LOUD_TRIES; i++) {
            if ((st = try_gain(f, gain, ceiling, &lufs, &limited, err)) != KS_OK)
                return st;
            double shortfall = target - lufs;
            if (!isfinite(lufs) || fabs(shortfall) < 0.05 || i + 1 == LOUD_TRIES)
                break;
            double slope = (lufs - l0) / (gain - g0);
            if (!(slope > 0.05) || slope > 1.0)
                slope = 1.0;
            g0 = gain;
            l0 = lufs;
            gain += shortfall / slope;
            if (gain > first + LOUD_MAX_EXTRA)
                gain = first + LOUD_MAX_EXTRA;
            if (gain == g0)
                break;
        }
        planned = 1;
        f->rep.gain_db = gain;
        f->rep.limited = limited > 0;
        /* the last try's plan is the one in place */
    }
    loud_meter *m = NULL;
    if ((st = loud_meter_new(&m, f->base.rate, 1, err)) != KS_OK)
        return st;
    st = raw_walk(f, planned, m, 1, err);
    if (st == KS_OK) {
        f->rep.final_lufs = loud_meter_lufs(m);
        f->rep.true_peak_dbtp = loud_meter_true_peak_dbtp(m);
    }
    loud_meter_free(m);
    return st;
}

/* ---------------------------------------------------------------- the encoder thread */

static ks_status consume(file_sink *f, const int16_t *pcm, size_t n, ks_error *err)
{
    if (!f->loud)
        return io_check(f, f->enc->ops->write(f->enc, pcm, n, err), err);
    ks_status st = loud_add(f->loud, pcm, n, err);
    if (st != KS_OK)
        return st;
    fileio_write(&f->raw_io, pcm, n * sizeof *pcm);
    f->raw_frames += n;
    return io_check(f, KS_OK, err);
}

static ks_status finish_all(file_sink *f, ks_error *err)
{
    ks_status st;
    if (f->loud && (st = loudness_finish(f, err)) != KS_OK)
        return st;
    st = io_check(f, f->enc->ops->finish(f->enc, err), err);
    if (st != KS_OK)
        return st;
    fileio_flush(&f->io);
    return io_check(f, KS_OK, err);
}

static void *encoder_main(void *arg)
{
    file_sink *f = arg;
    ks_error err;
    ks_status st = KS_OK;
    for (;;) {
        pthread_mutex_lock(&f->mu);
        while (!f->qlen && !f->closing && !f->stop)
            pthread_cond_wait(&f->has_data, &f->mu);
        if (f->stop) {
            pthread_mutex_unlock(&f->mu);
            return NULL;
        }
        if (!f->qlen) { /* closing, all taken */
            pthread_mutex_unlock(&f->mu);
            st = finish_all(f, &err);
            break;
        }
        size_t n = f->qlen < CHUNK ? f->qlen : CHUNK;
        if (n > QUEUE_FRAMES - f->qhead)
            n = QUEUE_FRAMES - f->qhead;
        memcpy(f->chunk, f->q + f->qhead, n * sizeof *f->chunk);
        f->qhead = (f->qhead + n) % QUEUE_FRAMES;
        f->qlen -= n;
        pthread_cond_signal(&f->has_room);
        pthread_mutex_unlock(&f->mu);
        if ((st = consume(f, f->chunk, n, &err)) != KS_OK)
            break;
    }
    pthread_mutex_lock(&f->mu);
    if (st != KS_OK) {
        f->th_status = st;
        f->th_err = err;
    }
    f->stop = st != KS_OK;
    pthread_cond_broadcast(&f->has_room);
    pthread_mutex_unlock(&f->mu);
    return NULL;
}

/* Stop and wait for the thread (abort) or let it finish (close). */
static ks_status join_encoder(file_sink *f, int finish, ks_error *err)
{
    if (!f->started)
        return KS_OK;
    pthread_mutex_lock(&f->mu);
    if (finish)
        f->closing = 1;
    else
        f->stop = 1;
    pthread_cond_broadcast(&f->has_data);
    pthread_mutex_unlock(&f->mu);
    pthread_join(f->thread, NULL);
    if (finish && f->th_status != KS_OK) {
        if (err)
            *err = f->th_err;
        return f->th_status;
    }
    return KS_OK;
}

/* ---------------------------------------------------------------- vtable */

static ks_status file_write(ks_sink *s, const int16_t *pcm, size_t frames, ks_error *err)
{
    file_sink *f = (file_sink *)s;
    pthread_mutex_lock(&f->mu);
    while (frames) {
        while (f->qlen == QUEUE_FRAMES && f->th_status == KS_OK)
            pthread_cond_wait(&f->has_room, &f->mu);
        if (f->th_status != KS_OK)
            break;
        size_t tail = (f->qhead + f->qlen) % QUEUE_FRAMES;
        size_t n = QUEUE_FRAMES - f->qlen;
        if (n > QUEUE_FRAMES - tail)
            n = QUEUE_FRAMES - tail;
        if (n > frames)
            n = frames;
        memcpy(f->q + tail, pcm, n * sizeof *pcm);
        f->qlen += n;
        pcm += n;
        frames -= n;
        pthread_cond_signal(&f->has_data);
    }
    ks_status st = f->th_status;
    if (st != KS_OK && err)
        *err = f->th_err;
    pthread_mutex_unlock(&f->mu);
    return st;
}

static void file_abort(ks_sink *s)
{
    file_sink *f = (file_sink *)s;
    join_encoder(f, 0, NULL);
    file_discard(f);
}

static ks_status file_close(ks_sink *s, ks_error *err)
{
    file_sink *f = (file_sink *)s;
    ks_status st = join_encoder(f, 1, err);
    if (st != KS_OK)
        goto fail;
    if ((f->tmp || f->anon) && fsync(f->fd) != 0) {
        st = status_set(err, KS_EIO, "%s: %s", f->path, strerror(errno));
        goto fail;
    }
    if (f->anon && (st = link_anon(f, err)) != KS_OK)
        goto fail;
    int rc = close(f->fd);
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
    if (f->opt.report)
        *f->opt.report = f->rep;
    file_discard(f);
    return KS_OK;
fail:
    file_discard(f);
    return st;
}

static const sink_ops file_ops = {"file", file_write, file_close, file_abort};

/* ---------------------------------------------------------------- open */

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


/* An unnamed scratch file for the loudness pass: next to the output, else in
 * $TMPDIR or /tmp (a device such as /dev/null has no folder to write in). */
static int open_scratch(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? dup_range(path, slash == path ? 1 : (size_t)(slash - path)) : NULL;
    const char *tmpdir = getenv("TMPDIR");
    const char *dirs[3] = {dir ? dir : ".", tmpdir && *tmpdir ? tmpdir : "/tmp", "/tmp"};
    int fd = -1;
    for (int i = 0; i < 3 && fd < 0; i++) {
#ifdef O_TMPFILE
        fd = open(dirs[i], O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
#endif
        if (fd < 0) {
            size_t n = strlen(dirs[i]) + 32;
            char *t = malloc(n);
            if (!t)
                break;
            snprintf(t, n, "%s/.kazspeak-pcm.XXXXXX", dirs[i]);
            fd = mkstemp(t);
            if (fd >= 0) {
                unlink(t);
                (void)fcntl(fd, F_SETFD, FD_CLOEXEC);
            }
            free(t);
        }
    }
    free(dir);
    return fd;
}

static ks_status check_options(const char *path, ks_format fmt, const ks_file_options *o, ks_error *err)
{
    if (o->quality < 0 || o->quality > 10)
        return status_set(err, KS_EINVAL, "%s: quality %d: use 1..10", path, o->quality);
    if (o->bitrate < 0)
        return status_set(err, KS_EINVAL, "%s: bad bit rate %d", path, o->bitrate);
    if (o->quality && o->bitrate)
        return status_set(err, KS_EINVAL, "%s: give a quality or a bit rate, not both", path);
    if ((o->quality || o->bitrate) && (fmt == KS_FORMAT_WAV || fmt == KS_FORMAT_FLAC))
        return status_set(err, KS_EINVAL, "%s: %s is lossless: quality and bit rate do not apply", path,
                          fmt == KS_FORMAT_WAV ? "WAV" : "FLAC");
    if (o->loudness != 0 && !(o->loudness >= -70.0 && o->loudness <= -5.0))
        return status_set(err, KS_EINVAL, "%s: loudness %g LUFS: use -70..-5", path, o->loudness);
    if (!(o->true_peak >= -9.0 && o->true_peak <= 0.0))
        return status_set(err, KS_EINVAL, "%s: true-peak ceiling %g dBTP: use -9..0", path, o->true_peak);
    return KS_OK;
}

KS_API ks_status ks_sink_file_open(ks_sink **out, const char *path, ks_format fmt, int rate,
                                   ks_error *err)
{
    return ks_sink_file_open_with(out, path, fmt, rate, NULL, err);
}

KS_API ks_status ks_sink_file_open_with(ks_sink **out, const char *path, ks_format fmt, int rate,
                                        const ks_file_options *o, ks_error *err)
{
    if (!out)
        return status_set(err, KS_EINVAL, "ks_sink_file_open: no output pointer");
    *out = NULL;
    if (!path || !*path)
        return status_set(err, KS_EINVAL, "no output file name");
    if (fmt <= KS_FORMAT_NONE || fmt > KS_FORMAT_MP3)
        return status_set(err, KS_ENOTSUP, "%s: unknown audio file type (use one of: %s)", path,
                          ks_format_list());
    if (rate < SINK_MIN_RATE || rate > SINK_MAX_RATE)
        return status_set(err, KS_EINVAL, "%s: bad sample rate %d", path, rate);
    static const ks_file_options none;
    if (!o)
        o = &none;
    ks_status status = check_options(path, fmt, o, err);
    if (status != KS_OK)
        return status;
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
    f->raw_fd = -1;
    f->slot = -1;
    f->fmt = fmt;
    f->opt = *o;
    const char *tags[5] = {o->title, o->artist, o->album, o->date, o->comment};
    for (int i = 0; i < 5; i++)
        if (tags[i] && *tags[i] && !(f->strs[i] = dup_range(tags[i], strlen(tags[i])))) {
            status = status_set(err, KS_ENOMEM, "%s: out of memory", path);
            goto fail;
        }
    f->opt.title = f->strs[0];
    f->opt.artist = f->strs[1];
    f->opt.album = f->strs[2];
    f->opt.date = f->strs[3];
    f->opt.comment = f->strs[4];
    f->path = dup_range(path, plen);
    f->q = malloc(QUEUE_FRAMES * sizeof *f->q);
    if (!f->path || !f->q) {
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
    fileio_init(&f->io, f->fd);
    fileio_init(&f->raw_io, -1);

    enc_params p = {&f->io, f->path, fmt, rate, !direct, &f->opt};
    if (fmt == KS_FORMAT_MP3)
        status = enc_mp3_open(&f->enc, &p, err);
    else if (fmt == KS_FORMAT_OPUS)
        status = enc_opus_open(&f->enc, &p, err);
    else
        status = enc_sndfile_open(&f->enc, &p, err);
    status = io_check(f, status, err);
    if (status != KS_OK)
        goto fail;

    if (o->loudness != 0) {
        if ((status = loud_new(&f->loud, rate, err)) != KS_OK)
            goto fail;
        f->raw_fd = open_scratch(path);
        if (f->raw_fd < 0) {
            status = status_set(err, KS_EIO, "%s: no temporary file for the loudness pass: %s", path, strerror(errno));
            goto fail;
        }
        fileio_init(&f->raw_io, f->raw_fd);
    }

    if (pthread_mutex_init(&f->mu, NULL) != 0 || pthread_cond_init(&f->has_data, NULL) != 0 ||
        pthread_cond_init(&f->has_room, NULL) != 0) {
        status = status_set(err, KS_ENOMEM, "%s: cannot start the encoder", path);
        goto fail;
    }
    f->started = 1;
    if (pthread_create(&f->thread, NULL, encoder_main, f) != 0) {
        f->started = 0;
        pthread_mutex_destroy(&f->mu);
        pthread_cond_destroy(&f->has_data);
        pthread_cond_destroy(&f->has_room);
        status = status_set(err, KS_ENOMEM, "%s: cannot start the encoder thread", path);
        goto fail;
    }
    *out = &f->base;
    return KS_OK;
fail:
    file_discard(f);
    return status;
}
