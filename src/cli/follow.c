/* follow.c - --follow: speak each line of standard input (or -f FILE, e.g. a
 * FIFO) as soon as it arrives, for a teleprompter or a captions feed.
 *
 * One thread owns eSpeak and PortAudio.  Each line is spoken by the reader;
 * input is read with poll(2) from the reader's poll hook, between device writes
 * of at most 10 ms, so new lines are queued (or, with --interrupt, cut off the
 * current one) within a few milliseconds.  When the queue is empty and no
 * input is waiting, the device is drained and the program sleeps in poll(2).
 * An empty line, or the end of the input, ends the program once the queue has
 * been spoken.  Each line is one utterance: its leading silence is trimmed. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#define FOLLOW_MAX_LINE 65536 /* a longer line is cut and spoken in parts */
#define FOLLOW_MAX_QUEUE 4096 /* lines waiting; beyond this reading pauses */
#define FOLLOW_MAX_QUEUED ((size_t)8 << 20) /* bytes waiting; likewise (memory stays bounded) */

typedef struct fline {
    char *text;
    size_t len;
    double arrived; /* cli_now() when its newline was read */
    unsigned long number;
} fline;

typedef struct follow {
    cli_ctx *c;
    ks_sink *sink;
    ks_reader *reader;
    int fd;
    const char *name;
    ks_buf pending; /* bytes read, not yet a complete line */
    fline *q;
    size_t head, count, cap;
    unsigned long lines_read;
    size_t queued; /* bytes of the lines waiting */
    int eof, ended; /* end of input / empty line seen */
    int read_error;
    int cut;        /* --interrupt: a newer line arrived, stop the current one */
    int timing;
} follow;

static void q_free_line(fline *l)
{
    free(l->text);
    l->text = NULL;
}

static int q_push(follow *f, const char *text, size_t len, double t)
{
    if (f->count == f->cap) {
        size_t ncap = f->cap ? f->cap * 2 : 16;
        fline *nq = malloc(ncap * sizeof *nq);
        if (!nq)
            return -1;
        for (size_t i = 0; i < f->count; i++)
            nq[i] = f->q[(f->head + i) % f->cap];
        free(f->q);
        f->q = nq;
        f->head = 0;
        f->cap = ncap;
    }
    char *copy = malloc(len + 1);
    if (!copy)
        return -1;
    memcpy(copy, text, len);
    copy[len] = '\0';
    fline *l = &f->q[(f->head + f->count) % f->cap];
    l->text = copy;
    l->len = len;
    l->arrived = t;
    l->number = ++f->lines_read;
    f->count++;
    f->queued += len;
    return 0;
}

static fline q_pop(follow *f)
{
    fline l = f->q[f->head];
    f->queued -= l.len;
    f->head = (f->head + 1) % f->cap;
    f->count--;
    return l;
}

static int blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
            return 0;
    return 1;
}

/* Move the complete lines of f->pending into the queue. */
static int take_lines(follow *f, double t)
{
    size_t start = 0;
    for (;;) {
        const char *nl = f->pending.len > start ? memchr(f->pending.data + start, '\n', f->pending.len - start) : NULL;
        size_t len;
        if (nl)
            len = (size_t)(nl - (f->pending.data + start));
        else if (f->pending.len - start >= FOLLOW_MAX_LINE || (f->eof && f->pending.len > start))
            len = f->pending.len - start; /* too long, or the last line without a newline */
        else
            break;
        const char *line = f->pending.data + start;
        start += len + (nl ? 1 : 0);
        if (f->ended)
            continue; /* after the empty line: ignored */
        if (blank(line, len)) {
            f->ended = 1;
            continue;
        }
        if (len && line[len - 1] == '\r')
            len--;
        if (f->c->opt.interrupt) {
            /* the newest line wins: drop what is still waiting, cut the current one */
            while (f->count) {
                fline old = q_pop(f);
                q_free_line(&old);
            }
            f->cut = 1;
        }
        if (q_push(f, line, len, t) != 0) {
            cli_error("%s: out of memory", f->name);
            return -1;
        }
    }
    if (start) {
        memmove(f->pending.data, f->pending.data + start, f->pending.len - start);
        f->pending.len -= start;
        f->pending.data[f->pending.len] = '\0';
    }
    return 0;
}

/* Read what the input has; wait up to timeout_ms (-1 = until something comes).
 * Returns 0, or -1 on a read error or a signal. */
static int read_input(follow *f, int timeout_ms)
{
    if (f->eof || f->ended || f->count >= FOLLOW_MAX_QUEUE || f->queued >= FOLLOW_MAX_QUEUED)
        return 0;
    struct pollfd pfd = {f->fd, POLLIN, 0};
    int r = poll(&pfd, 1, timeout_ms);
    if (r < 0) {
        if (errno == EINTR)
            return cli_signal_received ? -1 : 0;
        cli_error("%s: %s", f->name, strerror(errno));
        return -1;
    }
    if (r == 0)
        return 0;
    char buf[8192];
    ssize_t n = read(f->fd, buf, sizeof buf);
    double t = cli_now();
    if (n < 0) {
        if (errno == EINTR || errno == EAGAIN)
            return cli_signal_received ? -1 : 0;
        cli_error("%s: read error: %s", f->name, strerror(errno));
        return -1;
    }
    if (n == 0)
        f->eof = 1;
    else if (ks_buf_append(&f->pending, buf, (size_t)n) != 0) {
        cli_error("%s: out of memory", f->name);
        return -1;
    }
    return take_lines(f, t);
}

/* Between device writes: take in new lines; stop when --interrupt says so. */
static int follow_poll(void *user)
{
    follow *f = user;
    if (read_input(f, 0) != 0) {
        f->read_error = 1;
        return 1;
    }
    return f->cut || cli_signal_received;
}

/* Speak one line; 0, -1 error (printed), -3 the device failed (printed). */
static int speak_line(follow *f, fline *l)
{
    ks_error err;
    ks_playback_trim_next(f->sink); /* each line is an utterance: no leading silence */
    f->cut = 0;
    ks_status st = ks_reader_speak(f->reader, l->text, l->len, &err);
    if (st != KS_OK && st != KS_ESTOPPED) {
        cli_error("%s", err.msg);
        return st == KS_EAUDIO ? -3 : -1;
    }
    if (f->timing) {
        ks_playback_stats_t ps;
        if (ks_playback_stats(f->sink, &ps) == KS_OK && ps.utterance_sound > 0)
            fprintf(stderr, "kazspeak: timing: line %lu: first sound %.2f ms after the line arrived\n", l->number,
                    (ps.utterance_sound - l->arrived) * 1000);
    }
    return 0;
}

/* The loop: speak what is queued; when nothing is, let the device play out and
 * sleep in poll(2) until a line comes. */
static int follow_loop(follow *f)
{
    int active = 0; /* something was written since the last drain */
    while (!cli_signal_received) {
        if (f->count == 0) {
            if (f->eof || f->ended)
                return CLI_EXIT_OK;
            if (read_input(f, 0) != 0)
                return CLI_EXIT_ERROR;
            if (f->count == 0 && !f->eof && !f->ended) {
                if (active) {
                    ks_error err;
                    if (ks_playback_drain(f->sink, &err) != KS_OK) {
                        cli_error("%s: use -w FILE to write the audio to a file", err.msg);
                        return CLI_EXIT_NODEVICE;
                    }
                    active = 0;
                }
                if (read_input(f, -1) != 0)
                    return CLI_EXIT_ERROR;
            }
            continue;
        }
        fline l = q_pop(f);
        int r = speak_line(f, &l);
        q_free_line(&l);
        active = 1;
        if (r == -3) {
            cli_error("the sound device failed: use -w FILE to write the audio to a file");
            return CLI_EXIT_NODEVICE;
        }
        if (r < 0 || f->read_error)
            return CLI_EXIT_ERROR;
    }
    return CLI_EXIT_OK;
}

int cli_run_follow(cli_ctx *c)
{
    ks_sink *sink;
    cli_input in;
    ks_buf args = {0};
    int rc = cli_playback_start(c, &sink, &in, &args);
    if (rc)
        return rc;
    follow f;
    memset(&f, 0, sizeof f);
    f.c = c;
    f.sink = sink;
    f.fd = fileno(in.f);
    f.name = in.name;
    f.timing = cli_timing_on();
    ks_reader_callbacks cb = {NULL, NULL, follow_poll, &f};
    rc = cli_reader_new(c, sink, &cb, &f.reader) != 0 ? CLI_EXIT_ERROR : follow_loop(&f);
    while (f.count) {
        fline l = q_pop(&f);
        q_free_line(&l);
    }
    free(f.q);
    ks_buf_free(&f.pending);
    ks_reader_free(f.reader);
    cli_input_close(&in);
    ks_buf_free(&args);
    return cli_playback_finish(sink, rc);
}
