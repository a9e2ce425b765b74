/* play.h - playback through the sound card: plain, live (-i) and follow mode
 * (issue 5; play.c, interactive.c, follow.c). */
#ifndef KS_CLI_PLAY_H
#define KS_CLI_PLAY_H
#include "cli.h"

/* --list-devices: print the output devices. Exit status. */
int cli_run_list_devices(void);
/* Plain playback of the input, or -i / --follow. Exit status
 * (CLI_EXIT_NODEVICE when there is no usable sound device). */
int cli_run_play(cli_ctx *c);

/* Shared by the playback modes (play.c). */
int play_open(cli_ctx *c, ks_sink **sink);            /* 0, or an exit status (message printed) */
int play_finish(cli_ctx *c, ks_sink *sink, int rc);   /* close or abort; returns the final exit status */
double play_now(void);                                /* CLOCK_MONOTONIC seconds */
extern double play_t0;                                /* program start (play_now() at start-up) */

/* Normalize one sentence or line into out (reset first). Returns 1 when there
 * is something to say, 0 when it is blank, -1 on error (printed). */
int play_normalize(cli_ctx *c, const char *text, size_t len, ks_buf *out);
/* Speak normalized text into the sink in device writes of at most
 * PLAY_SLICE_MS, calling poll (when not NULL) before each; poll returning
 * non-zero stops.  Returns KS_OK, KS_ESTOPPED (poll or a signal), or an error
 * (message in err; a failed device write is KS_EAUDIO). */
#define PLAY_SLICE_MS 10
ks_status play_speak(cli_ctx *c, ks_sink *sink, const char *norm, size_t len, int (*poll)(void *user), void *user,
                     ks_error *err);
/* KAZSPEAK_TIMING is set: print timing figures on stderr. */
int play_timing_on(void);

int cli_run_interactive(cli_ctx *c, ks_sink *sink);   /* interactive.c */
int cli_run_follow(cli_ctx *c, ks_sink *sink);        /* follow.c */

#endif
