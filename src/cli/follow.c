/* follow.c - --follow: speak each line of standard input (or -f FILE, e.g. a
 * FIFO) as soon as it arrives, for a teleprompter or a captions feed.
 *
 * One thread owns eSpeak and PortAudio.  Input is read with poll(2): while a
 * line is being spoken the input is checked between device writes of at most
 * PLAY_SLICE_MS, so new lines are queued (or, with --interrupt, cut off the
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
#include "play.h"

#define FOLLOW_MAX_LINE 65536 /* a longer line is cut and spoken in parts */
#define FOLLOW_MAX_QUEUE 4096 /* lines waiting; beyond this reading pauses */
#define FOLLOW_SENTENCE 4096  /* speak long lines sentence by sentence */

typedef struct fline {
    char *text;
    size_t len;
    double arrived; /* play_now() when its newline was read */
    unsigned long number;
} fline;

typedef struct follow {
    cli_ctx *c;
    ks_sink *sink;
    int fd;
    const char *name;
    ks_buf pending; /* bytes read, not yet a complete line */
    fline *q;
    size_t head, count, cap;
    unsigned long lines_read;
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
    return 0;
}

static fline q_pop(follow *f)
{
    fline l = f->q[f->head];
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
    if (f->eof || f->ended || f->count >= FOLLOW_MAX_QUEUE)
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
    double t = play_now();
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
    return f->cut;
}

static int speak_line(follow *f, fline *l, ks_buf *norm)
{
    ks_error err;
    ks_playback_trim_next(f->sink);
    f->cut = 0;
    size_t pos = 0;
    while (pos < l->len) {
        size_t n = ks_sentence_split(l->text + pos, l->len - pos, 1, FOLLOW_SENTENCE);
        if (n == 0)
            n = l->len - pos;
        int r = play_normalize(f->c, l->text + pos, n, norm);
        pos += n;
        if (r < 0)
            return -1;
        if (r == 0)
            continue;
        ks_status st = play_speak(f->c, f->sink, norm->data, norm->len, follow_poll, f, &err);
        if (st == KS_ESTOPPED) {
            if (f->cut)
                ks_playback_flush(f->sink); /* the new line is spoken now */
            break;
        }
        if (st != KS_OK) {
            cli_error("%s", err.msg);
            return st == KS_EAUDIO ? -3 : -1;
        }
    }
    if (f->timing) {
        ks_playback_stats_t ps;
        if (ks_playback_stats(f->sink, &ps) == KS_OK && ps.utterance_sound > 0)
            fprintf(stderr, "kazspeak: timing: line %lu: first sound %.2f ms after the line arrived\n", l->number,
                    (ps.utterance_sound - l->arrived) * 1000);
    }
    return 0;
}

int cli_run_follow(cli_ctx *c, ks_sink *sink)
{
    cli_input in;
    ks_buf args = {0};
    if (cli_input_open(&in, &c->opt, &args) != 0) {
        ks_buf_free(&args);
        ks_sink_abort(sink);
        return CLI_EXIT_ERROR;
    }
    follow f;
    memset(&f, 0, sizeof f);
    f.c = c;
    f.sink = sink;
    f.fd = fileno(in.f);
    f.name = in.name;
    f.timing = play_timing_on();
    ks_buf norm = {0};
    int rc = CLI_EXIT_OK;
    int active = 0; /* something was written since the last drain */
    while (!cli_signal_received) {
        if (f.count == 0) {
            if (f.eof || f.ended)
                break;
            if (read_input(&f, 0) != 0) {
                rc = CLI_EXIT_ERROR;
                break;
            }
            if (f.count == 0 && !f.eof && !f.ended) {
                if (active) {
                    /* nothing waiting: let the device play out, then sleep */
                    ks_error err;
                    if (ks_playback_drain(sink, &err) != KS_OK) {
                        cli_error("%s: use -w FILE to write the audio to a file", err.msg);
                        rc = CLI_EXIT_NODEVICE;
                        break;
                    }
                    active = 0;
                }
                if (read_input(&f, -1) != 0) {
                    rc = CLI_EXIT_ERROR;
                    break;
                }
            }
            continue;
        }
        fline l = q_pop(&f);
        int r = speak_line(&f, &l, &norm);
        q_free_line(&l);
        active = 1;
        if (r == -3) {
            cli_error("the sound device failed: use -w FILE to write the audio to a file");
            rc = CLI_EXIT_NODEVICE;
            break;
        }
        if (r < 0 || f.read_error) {
            rc = CLI_EXIT_ERROR;
            break;
        }
    }
    while (f.count) {
        fline l = q_pop(&f);
        q_free_line(&l);
    }
    free(f.q);
    ks_buf_free(&f.pending);
    ks_buf_free(&norm);
    cli_input_close(&in);
    ks_buf_free(&args);
    if (cli_signal_received) {
        ks_sink_abort(sink);
        return 128 + cli_signal_received;
    }
    if (rc == CLI_EXIT_NODEVICE) {
        ks_sink_abort(sink);
        return rc;
    }
    return play_finish(c, sink, rc);
}
