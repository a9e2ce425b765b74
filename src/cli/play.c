/* play.c - plain playback through the sound card, --list-devices, and the
 * pieces the live modes share (opening the device, finishing, timing).
 *
 * KAZSPEAK_TIMING=1 in the environment prints, at the end, the time from the
 * start of the program to the first audible sample handed to PortAudio. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "play.h"

double play_t0;
static double t_play, t_engine, t_device; /* stages, for KAZSPEAK_TIMING */

double play_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#if defined(__GNUC__)
__attribute__((constructor))
#endif
static void play_mark_start(void)
{
    play_t0 = play_now();
}

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

/* ---------------------------------------------------------------- shared */

int play_open(cli_ctx *c, ks_sink **sink)
{
    ks_error err;
    int device = KS_DEVICE_DEFAULT;
    *sink = NULL;
    ks_playback_set_quiet(2); /* the terminal is the user's: no sound-system chatter */
    if (c->opt.device) {
        ks_status st = ks_playback_find_device(c->opt.device, &device, &err);
        if (st == KS_EINVAL) {
            cli_error("--device %s", err.msg);
            return CLI_EXIT_USAGE;
        }
        if (st != KS_OK) {
            cli_error("%s: use -w FILE to write the audio to a file", err.msg);
            return CLI_EXIT_NODEVICE;
        }
    }
    if (ks_sink_playback_open(sink, device, ks_engine_sample_rate(c->eng), &err) != KS_OK) {
        cli_error("%s: use -w FILE to write the audio to a file", err.msg);
        return CLI_EXIT_NODEVICE;
    }
    return 0;
}

int play_timing_on(void)
{
    const char *t = getenv("KAZSPEAK_TIMING");
    return t && *t && strcmp(t, "0") != 0;
}

int play_normalize(cli_ctx *c, const char *text, size_t len, ks_buf *out)
{
    ks_error err;
    size_t bad = (size_t)-1;
    ks_buf_reset(out);
    if (cli_normalize(c, text, len, out, &bad, &err) != KS_OK) {
        cli_error("%s", err.msg);
        return -1;
    }
    for (size_t i = 0; i < out->len; i++)
        if (out->data[i] != ' ' && out->data[i] != '\n' && out->data[i] != '\t' && out->data[i] != '\r')
            return 1;
    return 0;
}

typedef struct speak_state {
    ks_sink *sink;
    int (*poll)(void *);
    void *user;
    size_t slice;
    ks_status failed;
    ks_error err;
} speak_state;

static int speak_pcm(const int16_t *pcm, size_t frames, void *user)
{
    speak_state *s = user;
    for (size_t off = 0; off < frames;) {
        if (cli_signal_received || (s->poll && s->poll(s->user)))
            return 1;
        size_t n = frames - off < s->slice ? frames - off : s->slice;
        ks_status st = ks_sink_write(s->sink, pcm + off, n, &s->err);
        if (st != KS_OK) {
            s->failed = st;
            return 1;
        }
        off += n;
    }
    return 0;
}

ks_status play_speak(cli_ctx *c, ks_sink *sink, const char *norm, size_t len, int (*poll)(void *user), void *user,
                     ks_error *err)
{
    speak_state s;
    memset(&s, 0, sizeof s);
    s.sink = sink;
    s.poll = poll;
    s.user = user;
    s.slice = (size_t)ks_engine_sample_rate(c->eng) * PLAY_SLICE_MS / 1000;
    if (s.slice < 16)
        s.slice = 16;
    ks_status st = ks_engine_speak(c->eng, norm, len, KS_SPEAK_PHONEMES, speak_pcm, NULL, &s, err);
    if (s.failed != KS_OK) {
        if (err)
            *err = s.err;
        return s.failed;
    }
    return st;
}

static void report_timing(ks_sink *sink)
{
    if (!play_timing_on())
        return;
    ks_playback_stats_t ps;
    if (ks_playback_stats(sink, &ps) != KS_OK)
        return;
    if (ps.first_sound > 0)
        fprintf(stderr,
                "kazspeak: timing: first sound handed to the device %.1f ms after start (data loaded %.1f, engine "
                "%.1f, device open %.1f)",
                (ps.first_sound - play_t0) * 1000, (t_play - play_t0) * 1000, (t_engine - play_t0) * 1000,
                (t_device - play_t0) * 1000);
    else
        fprintf(stderr, "kazspeak: timing: no audible sample was played");
    fprintf(stderr, "; device rate %d Hz, output latency %.1f ms, %lu underflows, %.2f s played\n", ps.device_rate,
            ps.latency * 1000, ps.underflows, ps.device_rate ? (double)ps.device_frames / ps.device_rate : 0.0);
}

int play_finish(cli_ctx *c, ks_sink *sink, int rc)
{
    (void)c;
    ks_error err;
    report_timing(sink);
    if (rc != CLI_EXIT_OK) {
        ks_sink_abort(sink); /* interrupted or failed: stop the sound at once */
        return rc;
    }
    if (ks_sink_close(sink, &err) != KS_OK) {
        cli_error("%s: use -w FILE to write the audio to a file", err.msg);
        return CLI_EXIT_NODEVICE;
    }
    return CLI_EXIT_OK;
}

/* ---------------------------------------------------------------- plain playback */

static void *warm_thread(void *arg)
{
    (void)arg;
    ks_error err;
    /* failure is reported by play_open, which tries again */
    return ks_playback_warmup(&err) == KS_OK ? (void *)1 : NULL;
}

int cli_run_play(cli_ctx *c)
{
    t_play = play_now();
    /* PortAudio's device scan and eSpeak's start-up run side by side. */
    pthread_t th;
    int threaded = pthread_create(&th, NULL, warm_thread, NULL) == 0;
    int eng = cli_load_engine(c);
    void *warm = NULL;
    if (threaded)
        pthread_join(th, &warm);
    if (eng != 0) {
        if (warm)
            ks_playback_warmup_release();
        return CLI_EXIT_ERROR;
    }
    t_engine = play_now();
    ks_sink *sink;
    int rc = play_open(c, &sink);
    if (warm)
        ks_playback_warmup_release(); /* the sink holds its own reference */
    if (rc)
        return rc;
    t_device = play_now();
    if (c->opt.interactive)
        return cli_run_interactive(c, sink);
    if (c->opt.follow)
        return cli_run_follow(c, sink);
    cli_input in;
    ks_buf args = {0};
    if (cli_input_open(&in, &c->opt, &args) != 0) {
        ks_buf_free(&args);
        ks_sink_abort(sink);
        return CLI_EXIT_ERROR;
    }
    rc = cli_speak_stream(c, &in, sink, NULL, 0);
    cli_input_close(&in);
    ks_buf_free(&args);
    if (rc != CLI_EXIT_OK) {
        report_timing(sink);
        /* A device failure was printed by the stream loop; say what to do. */
        ks_error err;
        int dev_failed = 0;
        if (!cli_signal_received) {
            /* close returns the sticky failure of a failed write */
            dev_failed = ks_sink_close(sink, &err) == KS_EAUDIO;
        } else {
            ks_sink_abort(sink);
        }
        if (dev_failed) {
            cli_error("the sound device failed: use -w FILE to write the audio to a file");
            return CLI_EXIT_NODEVICE;
        }
        return rc;
    }
    return play_finish(c, sink, CLI_EXIT_OK);
}
