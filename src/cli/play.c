/* play.c - plain playback through the sound card, and --list-devices.
 *
 * KAZSPEAK_TIMING=1 in the environment prints, at the end, the time from the
 * start of the program to the first audible sample handed to PortAudio. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

/* ---------------------------------------------------------------- --list-devices */

static void print_device(const ks_audio_device *d, void *user)
{
    int *count = user;
    (*count)++;
    printf("%3d  %-40s %6d Hz  %-8s%s\n", d->index, d->name, d->default_rate, d->host_api,
           d->is_default ? "  (default)" : "");
}

int cli_run_list_devices(void)
{
    ks_error err;
    int count = 0;
    ks_playback_set_quiet(2);
    if (ks_playback_list_devices(print_device, &count, &err) != KS_OK) {
        cli_error("%s: use -w FILE to write the audio to a file", err.msg);
        return CLI_EXIT_NODEVICE;
    }
    if (count == 0) {
        fflush(stdout);
        cli_error("no sound output devices found: use -w FILE to write the audio to a file");
        return CLI_EXIT_NODEVICE;
    }
    return CLI_EXIT_OK;
}

/* ---------------------------------------------------------------- plain playback */

static int on_poll(void *user)
{
    (void)user;
    return cli_signal_received != 0;
}

int cli_run_play(cli_ctx *c)
{
    ks_sink *sink;
    cli_input in;
    ks_buf args = {0};
    int rc = cli_playback_start(c, &sink, &in, &args);
    if (rc)
        return rc;
    ks_reader_callbacks cb = {NULL, NULL, on_poll, NULL};
    ks_reader *r;
    rc = cli_reader_new(c, sink, &cb, &r) != 0 ? CLI_EXIT_ERROR : cli_read_aloud(c, &in, r);
    ks_reader_free(r);
    cli_input_close(&in);
    ks_buf_free(&args);
    return cli_playback_finish(sink, rc);
}
