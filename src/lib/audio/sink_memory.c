/* sink_memory.c - PCM collected in a growing int16 buffer (tests,
 * speech-dispatcher).  Capped at SINK_MEMORY_MAX frames (KS_ENOMEM). */
#include <stdlib.h>
#include <string.h>

#include "kazspeak/kazspeak.h"
#include "sink.h"
#include "status.h"

#define SINK_MEMORY_MAX ((size_t)1 << 28) /* frames: 512 MiB of int16 */

typedef struct memory_sink {
    ks_sink base;
    int16_t *data;
    size_t len, cap; /* frames */
} memory_sink;

static ks_status memory_write(ks_sink *s, const int16_t *pcm, size_t frames, ks_error *err)
{
    memory_sink *m = (memory_sink *)s;
    if (frames > SINK_MEMORY_MAX - m->len)
        return status_set(err, KS_ENOMEM, "memory sink: more than %zu frames",
                          (size_t)SINK_MEMORY_MAX);
    if (m->len + frames > m->cap) {
        size_t cap = m->cap ? m->cap : 4096;
        while (cap < m->len + frames)
            cap *= 2;
        if (cap > SINK_MEMORY_MAX)
            cap = SINK_MEMORY_MAX;
        int16_t *d = realloc(m->data, cap * sizeof *d);
        if (!d)
            return status_set(err, KS_ENOMEM, "memory sink: out of memory");
        m->data = d;
        m->cap = cap;
    }
    memcpy(m->data + m->len, pcm, frames * sizeof *pcm);
    m->len += frames;
    return KS_OK;
}

static void memory_abort(ks_sink *s)
{
    memory_sink *m = (memory_sink *)s;
    free(m->data);
    free(m);
}

static ks_status memory_close(ks_sink *s, ks_error *err)
{
    (void)err;
    memory_abort(s);
    return KS_OK;
}

static const sink_ops memory_ops = {"memory", memory_write, memory_close, memory_abort};

KS_API ks_status ks_sink_memory_open(ks_sink **out, int rate, ks_error *err)
{
    if (!out)
        return status_set(err, KS_EINVAL, "ks_sink_memory_open: no output pointer");
    *out = NULL;
    if (rate < SINK_MIN_RATE || rate > SINK_MAX_RATE)
        return status_set(err, KS_EINVAL, "bad sample rate %d", rate);
    memory_sink *m = calloc(1, sizeof *m);
    if (!m)
        return status_set(err, KS_ENOMEM, "out of memory");
    sink_init(&m->base, &memory_ops, rate);
    *out = &m->base;
    return KS_OK;
}

KS_API const int16_t *ks_sink_memory_data(const ks_sink *s, size_t *frames)
{
    if (!s || s->ops != &memory_ops) {
        if (frames)
            *frames = 0;
        return NULL;
    }
    const memory_sink *m = (const memory_sink *)s;
    if (frames)
        *frames = m->len;
    return m->data;
}
