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

int cli_run_interactive(cli_ctx *c, ks_sink *sink);   /* interactive.c */
int cli_run_follow(cli_ctx *c, ks_sink *sink);        /* follow.c */

#endif
