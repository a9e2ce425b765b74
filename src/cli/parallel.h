/* parallel.h - one long text into one audio file with N worker processes
 * (kazspeak -j N -f FILE -w OUT). */
#ifndef KS_CLI_PARALLEL_H
#define KS_CLI_PARALLEL_H
#include <stdint.h>

#include "cli.h"

/* The write path's handlers: the reader's own event and pcm callbacks (captions),
 * called in order with positions as -j 1 gives them, and the progress of all the
 * workers together (input bytes spoken, frames made), for one progress bar. */
typedef struct cli_par_hooks {
    int (*event)(const ks_reader_event *ev, void *user);
    int (*pcm)(const int16_t *pcm, size_t frames, uint64_t frame, void *user);
    void (*progress)(uint64_t spoken, uint64_t frames, void *user);
    void *user;
} cli_par_hooks;

/* The number of workers -j gives (0: the number of cores). */
int cli_jobs(const cli_opts *o);

/* Does `in` go to worker processes? -w FILE (not --stdout), -j above 1, plain text
 * (not SSML) from a regular file of at least CLI_PAR_MIN_BYTES. */
#define CLI_PAR_MIN_BYTES 16384
int cli_parallel_applies(const cli_ctx *c, const cli_input *in);

/* Speak all of `in` into `sink` (opened, engine loaded): the text is cut into the
 * utterances the reader of -j 1 makes, contiguous ranges of them (balanced by
 * bytes) go to forked workers, and their audio and events are written in order,
 * range 1 while the later ones are still being made. Every utterance is
 * synthesized from the same engine state (ks_engine_set_isolated), so the samples
 * and the caption events are those of -j 1. 0, or an exit status (error printed;
 * 128+N after signal N: the workers are stopped, the caller aborts the sink). */
int cli_parallel_write(cli_ctx *c, cli_input *in, ks_sink *sink, const cli_par_hooks *h);

#endif
