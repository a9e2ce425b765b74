/* stream.c - sentence-by-sentence synthesis: read a little, split a sentence,
 * normalize it, speak it, repeat. Memory stays flat and the first audio leaves
 * before the rest of the input is read. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "captions.h"
#include "cli.h"

#define READ_CHUNK 16384
#define MAX_SENTENCE 65536
#define MAX_SSML (64 << 20)

typedef struct stream_state {
    cli_ctx *c;
    ks_sink *sink;
    const cli_stream_hooks *hooks;
    uint64_t frames_before; /* sink frames when the current sentence started */
    int failed;             /* a sink write failed (message in err) */
    int warned_utf8;        /* the invalid UTF-8 warning was given */
    uint64_t offset;        /* input bytes before the current sentence */
    ks_error err;
} stream_state;

static int on_pcm(const int16_t *pcm, size_t frames, void *user)
{
    stream_state *s = user;
    if (cli_signal_received)
        return 1;
    if (s->hooks && s->hooks->on_pcm)
        s->hooks->on_pcm(pcm, frames, ks_sink_frames(s->sink), s->hooks->user);
    if (ks_sink_write(s->sink, pcm, frames, &s->err) != KS_OK) {
        s->failed = 1;
        return 1;
    }
    return 0;
}

static int on_event(const ks_event *ev, void *user)
{
    stream_state *s = user;
    if (s->hooks && s->hooks->on_event)
        return s->hooks->on_event(ev, s->frames_before, s->hooks->user);
    return 0;
}

/* ---------------------------------------------------------------- progress bar */

typedef struct progress {
    int on;
    double t0, last;
    int rate;
} progress;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

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

static void progress_draw(progress *p, const cli_input *in, uint64_t frames, int final)
{
    if (!p->on)
        return;
    double t = now_s();
    if (!final && t - p->last < 0.1)
        return;
    p->last = t;
    double share = in->total ? (double)in->consumed / (double)in->total : 0.0;
    if (share > 1)
        share = 1;
    if (final)
        share = 1;
    char audio[32], left[32];
    fmt_time(audio, sizeof audio, (double)frames / p->rate);
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
    if (in->total)
        fprintf(stderr, "\r[%s] %3d%%  audio %s  left %s   ", bar, (int)(share * 100), audio, left);
    else
        fprintf(stderr, "\raudio %s   ", audio);
    if (final)
        fputc('\n', stderr);
    fflush(stderr);
}

/* ---------------------------------------------------------------- the loop */

/* Speak already prepared text into the sink: 0 ok, -1 error (printed), -2 signal. */
static int speak_text(stream_state *s, const char *text, size_t len, unsigned flags)
{
    ks_error err;
    s->frames_before = ks_sink_frames(s->sink);
    ks_status st = ks_engine_speak(s->c->eng, text, len, flags, on_pcm, on_event, s, &err);
    if (s->failed)
        return -1;
    if (st == KS_ESTOPPED)
        return cli_signal_received ? -2 : 0;
    if (st != KS_OK) {
        cli_error("%s", err.msg);
        return -1;
    }
    return 0;
}

static int speak_sentence(stream_state *s, ks_buf *norm, const char *text, size_t len, const cli_input *in)
{
    ks_error err;
    size_t bad = (size_t)-1;
    ks_buf_reset(norm);
    if (cli_normalize(s->c, text, len, norm, &bad, &err) != KS_OK) {
        cli_error("%s: %s", in->name, err.msg);
        return -1;
    }
    if (bad != (size_t)-1 && !s->warned_utf8) {
        s->warned_utf8 = 1;
        cli_error("warning: %s: invalid UTF-8 at byte offset %llu (replaced with U+FFFD)", in->name,
                  (unsigned long long)(s->offset + bad));
    }
    /* Skip sentences with nothing to say. */
    size_t i = 0;
    while (i < norm->len && (norm->data[i] == ' ' || norm->data[i] == '\n' || norm->data[i] == '\t' ||
                             norm->data[i] == '\r'))
        i++;
    if (i == norm->len)
        return 0;
    if (s->hooks && s->hooks->on_sentence)
        s->hooks->on_sentence(text, len, norm->data, norm->len, ks_sink_frames(s->sink), s->hooks->user);
    return speak_text(s, norm->data, norm->len, KS_SPEAK_PHONEMES);
}

/* --ssml: the whole document becomes eSpeak SSML (text nodes transliterated and
 * normalized) and is spoken in one call. */
static int speak_ssml(stream_state *s, ks_buf *out, const char *text, size_t len, const cli_input *in)
{
    ks_error err;
    unsigned flags = 0;
    ks_buf_reset(out);
    if (ks_ssml_to_espeak(s->c->norm, s->c->translit, s->c->opt.script, text, len, out, &flags, &err) != KS_OK) {
        cli_error("%s: %s", in->name, err.msg);
        return -1;
    }
    return speak_text(s, out->data ? out->data : "", out->len, flags);
}

int cli_speak_stream(cli_ctx *c, cli_input *in, ks_sink *sink, const cli_stream_hooks *hooks, int show_progress)
{
    stream_state s;
    memset(&s, 0, sizeof s);
    s.c = c;
    s.sink = sink;
    s.hooks = hooks;
    progress p = {show_progress, now_s(), 0, ks_engine_sample_rate(c->eng)};
    ks_buf pending = {0}, norm = {0};
    size_t start = 0;
    int eof = 0, rc = 0;
    char chunk[READ_CHUNK];
    while (!cli_signal_received) {
        size_t n = 0;
        if (c->opt.ssml) /* an SSML document is read whole, then spoken at once */
            n = eof ? pending.len - start : 0;
        else if (pending.len > start)
            n = ks_sentence_split(pending.data + start, pending.len - start, eof, MAX_SENTENCE);
        if (n == 0) {
            if (eof)
                break;
            long r = cli_input_read(in, chunk, sizeof chunk);
            if (r < 0) {
                rc = cli_signal_received ? -2 : -1;
                break;
            }
            if (r == 0) {
                eof = 1;
                continue;
            }
            if (start > 0 && start >= pending.len / 2) {
                memmove(pending.data, pending.data + start, pending.len - start);
                pending.len -= start;
                start = 0;
            }
            if ((c->opt.ssml && pending.len + (size_t)r > MAX_SSML) || ks_buf_append(&pending, chunk, (size_t)r) != 0) {
                if (c->opt.ssml)
                    cli_error("%s: SSML input larger than %d MiB", in->name, MAX_SSML >> 20);
                else
                    cli_error("%s: out of memory", in->name);
                rc = -1;
                break;
            }
            continue;
        }
        if (n == 0) /* empty SSML input */
            break;
        int r = c->opt.ssml ? speak_ssml(&s, &norm, pending.data + start, n, in)
                            : speak_sentence(&s, &norm, pending.data + start, n, in);
        start += n;
        s.offset += n;
        if (r != 0) {
            rc = r;
            break;
        }
        progress_draw(&p, in, ks_sink_frames(sink), 0);
    }
    if (cli_signal_received)
        rc = -2;
    int pipe_broken = 0;
    if (s.failed) {
        if (c->opt.to_stdout && strstr(s.err.msg, "Broken pipe"))
            pipe_broken = 1; /* the reader went away: end quietly, like SIGPIPE */
        else
            cli_error("%s", s.err.msg);
    }
    if (rc == 0)
        progress_draw(&p, in, ks_sink_frames(sink), 1);
    else if (p.on)
        fputc('\n', stderr);
    ks_buf_free(&pending);
    ks_buf_free(&norm);
    if (pipe_broken)
        return 141;
    return rc == -2 ? 128 + cli_signal_received : rc ? CLI_EXIT_ERROR : CLI_EXIT_OK;
}

/* ---------------------------------------------------------------- -w / --stdout */

int cli_run_write(cli_ctx *c)
{
    ks_error err;
    ks_format fmt = KS_FORMAT_WAV;
    if (c->opt.wav_file) {
        fmt = ks_format_from_path(c->opt.wav_file);
        struct stat st;
        if (fmt == KS_FORMAT_NONE && stat(c->opt.wav_file, &st) == 0 && S_ISCHR(st.st_mode))
            fmt = KS_FORMAT_WAV; /* /dev/null, /dev/full: a device has no extension */
        if (fmt == KS_FORMAT_NONE) {
            const char *dot = strrchr(c->opt.wav_file, '.');
            cli_error("%s: unknown audio format '%s' (known: %s)", c->opt.wav_file, dot ? dot : "",
                      ks_format_list());
            return CLI_EXIT_USAGE;
        }
    }
    if (cli_load_engine(c) != 0)
        return CLI_EXIT_ERROR;
    cli_captions *cap = NULL;
    cli_stream_hooks cap_hooks;
    if (c->opt.captions) {
        if (cli_captions_new(&cap, c->opt.captions, ks_engine_sample_rate(c->eng)) != 0)
            return CLI_EXIT_ERROR;
        cli_captions_hooks(cap, &cap_hooks);
    }
    cli_input in;
    ks_buf args = {0};
    if (cli_input_open(&in, &c->opt, &args) != 0) {
        ks_buf_free(&args);
        cli_captions_free(cap);
        return CLI_EXIT_ERROR;
    }
    ks_sink *sink = NULL;
    ks_status st = c->opt.wav_file ? ks_sink_file_open(&sink, c->opt.wav_file, fmt, ks_engine_sample_rate(c->eng), &err)
                                   : ks_sink_wav_stream_open(&sink, STDOUT_FILENO, ks_engine_sample_rate(c->eng), &err);
    if (st != KS_OK) {
        cli_error("%s", err.msg);
        cli_input_close(&in);
        ks_buf_free(&args);
        cli_captions_free(cap);
        return CLI_EXIT_ERROR;
    }
    int show = c->opt.wav_file && !c->opt.quiet && isatty(STDERR_FILENO);
    int rc = cli_speak_stream(c, &in, sink, cap ? &cap_hooks : NULL, show);
    cli_input_close(&in);
    ks_buf_free(&args);
    if (rc != CLI_EXIT_OK) {
        ks_sink_abort(sink);
        cli_captions_free(cap);
        if (rc == 141)
            return rc;
        /* The error itself was reported (one line); a signal is reported here. */
        if (cli_signal_received && c->opt.wav_file)
            cli_error("interrupted by signal %d: %s was not written", cli_signal_received, c->opt.wav_file);
        return rc;
    }
    uint64_t frames = ks_sink_frames(sink);
    if (ks_sink_close(sink, &err) != KS_OK) {
        cli_captions_free(cap);
        if (c->opt.to_stdout && strstr(err.msg, "Broken pipe"))
            return 141; /* the reader went away: end quietly, like SIGPIPE */
        cli_error("%s", err.msg);
        return CLI_EXIT_ERROR;
    }
    if (cap) { /* captions only once the audio is committed */
        int r = cli_captions_finish(cap, frames);
        cli_captions_free(cap);
        if (r != 0)
            return cli_signal_received ? 128 + cli_signal_received : CLI_EXIT_ERROR;
    }
    return CLI_EXIT_OK;
}
