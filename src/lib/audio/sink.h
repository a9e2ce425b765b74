/* sink.h - internal audio-sink vtable.
 *
 * Every sink (file, streamed WAV, memory, and later playback) starts with a
 * `ks_sink` base and supplies a `sink_ops` table.  The public functions in
 * sink.c dispatch through it and keep the shared bookkeeping:
 *   - frames: input frames accepted so far (ks_sink_frames);
 *   - a sticky failure: after a write fails, later writes and close return
 *     the same status and message without calling the back-end again.
 *
 * Adding a back-end (e.g. sink_portaudio.c):
 *     struct pa_sink { ks_sink base; ...; };
 *     static const sink_ops pa_ops = { "portaudio", pa_write, pa_close, pa_abort };
 *     ks_status ks_sink_playback_open(ks_sink **out, ..., ks_error *err) {
 *         struct pa_sink *p = calloc(1, sizeof *p);
 *         sink_init(&p->base, &pa_ops, rate);  ... open the device ...
 *         *out = &p->base; return KS_OK; }
 * `write` is only called with frames > 0 and a non-NULL pcm; `close` and
 * `abort` must release everything including the struct itself (free(s)).
 */
#ifndef KS_SINK_H
#define KS_SINK_H
#include <stddef.h>
#include <stdint.h>

#include "kazspeak/kazspeak.h"

typedef struct sink_ops {
    const char *name; /* "file", "wav-stream", "memory", ... */
    /* Consume `frames` mono int16 frames at the input rate. */
    ks_status (*write)(ks_sink *s, const int16_t *pcm, size_t frames, ks_error *err);
    /* Flush, finish and commit; frees the sink whatever the result.  Called
     * only when no write failed (see `abort`). */
    ks_status (*close)(ks_sink *s, ks_error *err);
    /* Discard: stop at once, remove temporary output; frees the sink. */
    void (*abort)(ks_sink *s);
} sink_ops;

struct ks_sink {
    const sink_ops *ops;
    int rate;          /* input sample rate */
    uint64_t frames;   /* input frames accepted */
    ks_status failed;  /* sticky status of the first failed write, KS_OK if none */
    ks_error fail_err; /* its message */
};

/* Fill the base part of a freshly allocated sink. */
void sink_init(ks_sink *s, const sink_ops *ops, int rate);

/* Rates accepted by every sink. */
#define SINK_MIN_RATE 1000
#define SINK_MAX_RATE 384000

/* Temporary-file registry used by ks_sink_cleanup_signal (sink.c).
 * sink_temp_add copies `path` into a free slot; it returns the slot index or
 * -1 when the table is full or the path too long.  sink_temp_remove frees a
 * slot (call it after the file was renamed or unlinked). */
int sink_temp_add(const char *path);
void sink_temp_remove(int slot);

#endif
