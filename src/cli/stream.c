/* stream.c - read the whole input aloud through the reader (files, --stdout,
 * plain playback), and -w FILE / --stdout with the progress bar and captions
 * as event handlers. Memory stays flat and the first audio leaves before the
 * rest of the input is read; on a pipe that stays open, a finished sentence is
 * spoken at once. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "captions.h"
#include "cli.h"
#include "parallel.h"

#define READ_CHUNK 16384

/* ---------------------------------------------------------------- the loop */

static void warn_bad_utf8(cli_ctx *c, const cli_input *in, const ks_reader *r)
{
    uint64_t bad = ks_reader_bad_utf8(r);
    if (bad == UINT64_MAX || c->bad_utf8_warned)
        return;
    c->bad_utf8_warned = 1;
    cli_error("warning: %s: invalid UTF-8 at byte offset %llu (replaced with U+FFFD)", in->name,
              (unsigned long long)bad);
}

/* One reader step's status -> 0, or an exit status (error printed). */
static int step_status(ks_status st, const ks_error *err, const cli_input *in)
{
    if (st == KS_OK)
        return 0;
    if (cli_signal_received)
        return cli_signal_status();
    if (st == KS_ESTOPPED)
        return CLI_EXIT_ERROR; /* a handler stopped it and said why */
    if (st == KS_EIO && strstr(err->msg, "Broken pipe"))
        return 141; /* the reader of --stdout went away: end quietly, like SIGPIPE */
    if (st == KS_EAUDIO || st == KS_EIO)
        cli_error("%s", err->msg);
    else
        cli_error("%s: %s", in->name, err->msg);
    return st == KS_EAUDIO ? CLI_EXIT_NODEVICE : CLI_EXIT_ERROR;
}

int cli_read_aloud(cli_ctx *c, cli_input *in, ks_reader *r)
{
    char chunk[READ_CHUNK];
    ks_error err;
    for (;;) {
        long n = cli_input_read(in, chunk, sizeof chunk);
        if (n < 0)
            return cli_signal_received ? cli_signal_status() : CLI_EXIT_ERROR;
        ks_status st = n == 0 ? ks_reader_finish(r, &err) : ks_reader_feed(r, chunk, (size_t)n, &err);
        /* a stream with nothing more to read now: speak the sentence it ended */
        if (st == KS_OK && n > 0 && cli_input_idle(in))
            st = ks_reader_flush(r, &err);
        warn_bad_utf8(c, in, r);
        int rc = step_status(st, &err, in);
        if (rc != 0 || n == 0)
            return rc;
    }
}

/* ---------------------------------------------------------------- progress bar */

typedef struct progress {
    int on;
    double t0, last;
    int rate;
    uint64_t total;  /* input bytes, when known */
    uint64_t spoken; /* input bytes spoken */
    uint64_t frames; /* audio written */
} progress;

static void fmt_time(char *dst, size_t n, double s)
{
    if (s < 0)
        s = 0;
    long t = (long)(s + 0.5);
    if (t >= 3600)
        snprintf(dst, n, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
    else
        snprintf(dst, n, "%ld:%02ld", t / 60, t % 60);
}

/* What has been spoken, not what has been read: the share is the input bytes
 * of the utterances finished so far. */
static void progress_draw(progress *p, int final)
{
    if (!p->on)
        return;
    double t = cli_now();
    if (!final && t - p->last < 0.1)
        return;
    p->last = t;
    double share = p->total ? (double)p->spoken / (double)p->total : 0.0;
    if (share > 1 || final)
        share = 1;
    char audio[32], left[32];
    fmt_time(audio, sizeof audio, (double)p->frames / p->rate);
    double elapsed = t - p->t0;
    if (share > 0.001)
        fmt_time(left, sizeof left, elapsed * (1 - share) / share);
    else
        snprintf(left, sizeof left, "?");
    char bar[31];
    int filled = (int)(share * 30);
    for (int i = 0; i < 30; i++)
        bar[i] = i < filled ? '#' : '.';
    bar[30] = '\0';
    if (p->total)
        fprintf(stderr, "\r[%s] %3d%%  audio %s  left %s   ", bar, (int)(share * 100), audio, left);
    else
        fprintf(stderr, "\raudio %s   ", audio);
    if (final)
        fputc('\n', stderr);
    fflush(stderr);
}

/* ---------------------------------------------------------------- -w / --stdout */

typedef struct write_job {
    progress bar;
    cli_captions *cap;
} write_job;

static int on_event(const ks_reader_event *ev, void *user)
{
    write_job *w = user;
    if (w->cap)
        cli_captions_event(w->cap, ev);
    if (ev->type == KS_READER_UTTERANCE_END) {
        w->bar.spoken = ev->text_offset + ev->text_len;
        w->bar.frames = ev->sample;
        progress_draw(&w->bar, 0);
    }
    return 0;
}

static int on_pcm(const int16_t *pcm, size_t frames, uint64_t frame, void *user)
{
    write_job *w = user;
    if (w->cap)
        cli_captions_pcm(w->cap, pcm, frames, frame);
    return 0;
}

/* -j N: the workers' events reach the captions; the bar follows all the workers */
static int on_par_event(const ks_reader_event *ev, void *user)
{
    write_job *w = user;
    if (w->cap)
        cli_captions_event(w->cap, ev);
    return 0;
}

static void on_par_progress(uint64_t spoken, uint64_t frames, void *user)
{
    write_job *w = user;
    w->bar.spoken = spoken;
    w->bar.frames = frames;
    progress_draw(&w->bar, 0);
}

static int on_poll(void *user)
{
    (void)user;
    return cli_signal_received != 0;
}

static int output_format(const char *path, ks_format *fmt)
{
    *fmt = ks_format_from_path(path);
    struct stat st;
    if (*fmt == KS_FORMAT_NONE && stat(path, &st) == 0 && S_ISCHR(st.st_mode))
        *fmt = KS_FORMAT_WAV; /* /dev/null, /dev/full: a device has no extension */
    if (*fmt == KS_FORMAT_NONE) {
        const char *dot = strrchr(path, '.');
        cli_error("%s: unknown audio format '%s' (known: %s)", path, dot ? dot : "", ks_format_list());
        return -1;
    }
    return 0;
}

/* Speak the input into the open sink; 0 or an exit status. */
static int write_all(cli_ctx *c, ks_sink *sink, write_job *w)
{
    cli_input in;
    ks_buf args = {0};
    if (cli_input_open(&in, &c->opt, &args) != 0) {
        ks_buf_free(&args);
        return CLI_EXIT_ERROR;
    }
    w->bar.total = in.total;
    int rc;
    if (cli_parallel_applies(c, &in)) {
        cli_par_hooks ph = {on_par_event, w->cap ? on_pcm : NULL, on_par_progress, w};
        rc = cli_parallel_write(c, &in, sink, &ph);
    } else {
        ks_reader_callbacks cb = {on_event, w->cap ? on_pcm : NULL, on_poll, w};
        ks_reader *r;
        rc = cli_reader_new(c, sink, &cb, &r) != 0 ? CLI_EXIT_ERROR : cli_read_aloud(c, &in, r);
        ks_reader_free(r);
    }
    cli_input_close(&in);
    ks_buf_free(&args);
    if (rc == CLI_EXIT_OK)
        progress_draw(&w->bar, 1);
    else if (w->bar.on)
        fputc('\n', stderr);
    return rc;
}

/* One line on stderr: what --loudness measured and reached. */
static void report_loudness(const char *path, const ks_file_report *r)
{
    if (!isfinite(r->measured_lufs)) {
        fprintf(stderr, "%s: loudness: silence, nothing to scale\n", path);
        return;
    }
    fprintf(stderr, "%s: loudness %.1f LUFS measured, %.1f LUFS final (gain %+.1f dB, true peak %.1f dBTP%s)\n",
            path, r->measured_lufs, r->final_lufs, r->gain_db, r->true_peak_dbtp, r->limited ? ", limited" : "");
}

/* Audio and captions are committed both or neither: the captions are written
 * to a temporary file first; only when that worked is the audio committed,
 * and only when that worked are the captions renamed into place. */
static int commit_outputs(cli_ctx *c, ks_sink *sink, cli_captions *cap, const ks_file_report *loudness)
{
    ks_error err;
    if (cap && cli_captions_prepare(cap, ks_sink_frames(sink)) != 0) {
        ks_sink_abort(sink);
        if (!cli_signal_received)
            cli_error("%s; neither it nor %s was written", cli_captions_error(cap), c->opt.wav_file);
        cli_captions_free(cap);
        return cli_signal_received ? cli_signal_status() : CLI_EXIT_ERROR;
    }
    if (ks_sink_close(sink, &err) != KS_OK) {
        cli_captions_free(cap); /* removes the prepared captions */
        if (c->opt.to_stdout && strstr(err.msg, "Broken pipe"))
            return 141; /* the reader went away: end quietly, like SIGPIPE */
        if (cap)
            cli_error("%s; neither it nor %s was written", err.msg, c->opt.captions);
        else
            cli_error("%s", err.msg);
        return CLI_EXIT_ERROR;
    }
    if (loudness)
        report_loudness(c->opt.wav_file, loudness);
    int rc = cap && cli_captions_commit(cap) != 0 ? CLI_EXIT_ERROR : CLI_EXIT_OK;
    cli_captions_free(cap);
    return rc;
}

int cli_run_write(cli_ctx *c)
{
    ks_error err;
    ks_format fmt = KS_FORMAT_WAV;
    if (c->opt.wav_file && output_format(c->opt.wav_file, &fmt) != 0)
        return CLI_EXIT_USAGE;
    if (cli_load_engine(c) != 0)
        return CLI_EXIT_ERROR;
    int rate = ks_engine_sample_rate(c->eng);
    write_job w;
    memset(&w, 0, sizeof w);
    w.bar.on = c->opt.wav_file && !c->opt.quiet && isatty(STDERR_FILENO);
    w.bar.t0 = cli_now();
    w.bar.rate = rate;
    if (c->opt.captions && cli_captions_new(&w.cap, c->opt.captions, rate) != 0)
        return CLI_EXIT_ERROR;
    ks_sink *sink = NULL;
    ks_file_report report;
    ks_file_options fo = c->opt.file;
    fo.report = &report;
    ks_status st = c->opt.wav_file ? ks_sink_file_open_with(&sink, c->opt.wav_file, fmt, rate, &fo, &err)
                                   : ks_sink_wav_stream_open(&sink, STDOUT_FILENO, rate, &err);
    if (st != KS_OK) {
        cli_error("%s", err.msg);
        cli_captions_free(w.cap);
        return CLI_EXIT_ERROR;
    }
    int rc = write_all(c, sink, &w);
    if (rc != CLI_EXIT_OK) {
        ks_sink_abort(sink);
        cli_captions_free(w.cap);
        if (cli_signal_received && c->opt.wav_file)
            cli_error("interrupted by signal %d: %s was not written", cli_signal_received, c->opt.wav_file);
        return rc;
    }
    return commit_outputs(c, sink, w.cap, fo.loudness != 0 ? &report : NULL);
}
