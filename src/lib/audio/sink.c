/* sink.c - audio sinks: format names, the public dispatch over the sink
 * vtable (sink.h), and the signal-safe table of live temporary files. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kazspeak/kazspeak.h"
#include "sink.h"
#include "status.h"

/* ---------------------------------------------------------------- formats */

static const struct {
    const char *ext;
    ks_format fmt;
} format_ext[] = {
    {"wav", KS_FORMAT_WAV}, {"flac", KS_FORMAT_FLAC}, {"ogg", KS_FORMAT_OGG},
    {"opus", KS_FORMAT_OPUS}, {"mp3", KS_FORMAT_MP3},
};

static int ascii_lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

static int ext_equal(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (ascii_lower((unsigned char)*a) != ascii_lower((unsigned char)*b))
            return 0;
    return *a == *b;
}

KS_API ks_format ks_format_from_path(const char *path)
{
    if (!path)
        return KS_FORMAT_NONE;
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    if (!dot || !dot[1])
        return KS_FORMAT_NONE;
    for (size_t i = 0; i < sizeof format_ext / sizeof format_ext[0]; i++)
        if (ext_equal(dot + 1, format_ext[i].ext))
            return format_ext[i].fmt;
    return KS_FORMAT_NONE;
}

KS_API const char *ks_format_list(void)
{
    return "wav, flac, ogg, opus, mp3";
}

/* ---------------------------------------------------------------- dispatch */

void sink_init(ks_sink *s, const sink_ops *ops, int rate)
{
    s->ops = ops;
    s->rate = rate;
    s->frames = 0;
    s->failed = KS_OK;
    s->fail_err.msg[0] = '\0';
}

KS_API ks_status ks_sink_write(ks_sink *s, const int16_t *pcm, size_t frames, ks_error *err)
{
    if (!s)
        return status_set(err, KS_EINVAL, "ks_sink_write: no sink");
    if (s->failed != KS_OK) {
        if (err)
            *err = s->fail_err;
        return s->failed;
    }
    if (frames == 0)
        return KS_OK;
    if (!pcm)
        return status_set(err, KS_EINVAL, "ks_sink_write: no samples");
    ks_status st = s->ops->write(s, pcm, frames, &s->fail_err);
    if (st != KS_OK) {
        s->failed = st;
        if (err)
            *err = s->fail_err;
        return st;
    }
    s->frames += frames;
    return KS_OK;
}

KS_API uint64_t ks_sink_frames(const ks_sink *s)
{
    return s ? s->frames : 0;
}

KS_API ks_status ks_sink_close(ks_sink *s, ks_error *err)
{
    if (!s)
        return status_set(err, KS_EINVAL, "ks_sink_close: no sink");
    if (s->failed != KS_OK) {
        ks_status st = s->failed;
        if (err)
            *err = s->fail_err;
        s->ops->abort(s);
        return st;
    }
    return s->ops->close(s, err);
}

KS_API void ks_sink_abort(ks_sink *s)
{
    if (s)
        s->ops->abort(s);
}

/* ---------------------------------------------------------------- temp files
 *
 * A fixed table so that a signal handler can walk it without locks or
 * allocation.  A slot is filled while `used` is 0 and only then marked used;
 * it is marked unused before it is reused.  The handler only calls unlink(2),
 * which is async-signal-safe; unlinking a name that was just renamed away is
 * harmless (ENOENT). */

#define SINK_TEMP_SLOTS 16
#define SINK_TEMP_PATH 4096

static struct {
    volatile sig_atomic_t used;
    char path[SINK_TEMP_PATH];
} temp_table[SINK_TEMP_SLOTS];

int sink_temp_add(const char *path)
{
    size_t n = strlen(path);
    if (n >= SINK_TEMP_PATH)
        return -1;
    for (int i = 0; i < SINK_TEMP_SLOTS; i++) {
        if (!temp_table[i].used) {
            memcpy(temp_table[i].path, path, n + 1);
            temp_table[i].used = 1;
            return i;
        }
    }
    return -1;
}

void sink_temp_remove(int slot)
{
    if (slot >= 0 && slot < SINK_TEMP_SLOTS)
        temp_table[slot].used = 0;
}

KS_API void ks_sink_cleanup_signal(void)
{
    for (int i = 0; i < SINK_TEMP_SLOTS; i++)
        if (temp_table[i].used)
            (void)unlink(temp_table[i].path);
}
