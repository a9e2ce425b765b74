/* parallel.c - one long text into one audio file with N worker processes.
 *
 * eSpeak NG's engine is process-global, so parallel synthesis means processes.
 * The parent reads the text, cuts it into exactly the utterances the reader of
 * -j 1 makes (the same ks_sentence_split calls on the same 16 KiB reads), and
 * gives each of N forked workers a contiguous range of them, balanced by bytes.
 * A worker speaks its utterances one by one through its own reader (no sink) and
 * writes the PCM blocks and the reader events, in order, as records to an
 * unlinked temporary file; after each utterance it tells the parent over a pipe
 * how far the file, the text and the audio have got. The parent writes range 1
 * to the sink while the later ranges are still being made, then range 2, ...,
 * replaying each PCM block and event as the reader of -j 1 would have delivered
 * it (event positions are the sink's frame count at that moment). The engine
 * synthesizes every utterance from the same state (ks_engine_set_isolated), so
 * the samples are those of -j 1.
 *
 * Failure: a worker that fails prints its one-line error and exits 1; a signal
 * stops every worker. The parent then returns an exit status and the caller
 * aborts the sink: no output file. The temporary files are unlinked as soon as
 * they are opened, so nothing is left behind in any case. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "parallel.h"

#define PAR_READ_CHUNK 16384        /* as cli_read_aloud: the same reads give the same sentence cuts */
#define PAR_MAX_TEXT ((uint64_t)16 << 20) /* the text is held whole: larger ones take the streaming path,
                                             so memory stays under 64 MB on any input */
#define PAR_MAX_SENTENCE 65536      /* ks_reader_options_init's default */
#define PAR_REPLAY_CHUNK (1u << 20)

/* ---------------------------------------------------------------- records */

enum { R_START = 'U', R_WORD = 'W', R_MARK = 'M', R_END = 'E', R_PCM = 'P', R_BADUTF8 = 'B' };

typedef struct rec {
    uint32_t type;
    uint32_t len;  /* payload bytes; records are padded to 8 bytes */
    uint64_t a, b; /* START: text offset, length; WORD: offset, length; END: stopped; BADUTF8: offset */
} rec;

#define PAD8(n) (((n) + 7u) & ~(size_t)7u)

/* A worker's progress message (atomic on a pipe). */
typedef struct note {
    uint64_t file_end; /* records complete up to here */
    uint64_t text_done; /* bytes of its range spoken */
    uint64_t frames;
    uint64_t done;      /* 1: the range is finished */
} note;

/* ---------------------------------------------------------------- choosing */

int cli_jobs(const cli_opts *o)
{
    if (o->jobs > 0)
        return o->jobs;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)(n > 1024 ? 1024 : n) : 1;
}

int cli_parallel_applies(const cli_ctx *c, const cli_input *in)
{
    const cli_opts *o = &c->opt;
    if (!o->wav_file || o->to_stdout || o->ssml || cli_jobs(o) < 2)
        return 0;
    if (in->args_text || !in->f || in->stream)
        return 0;
    struct stat st;
    if (fstat(fileno(in->f), &st) != 0 || !S_ISREG(st.st_mode))
        return 0;
    return in->total >= CLI_PAR_MIN_BYTES && in->total <= PAR_MAX_TEXT;
}

/* ---------------------------------------------------------------- the text and its utterances */

typedef struct text {
    ks_buf buf;
    uint32_t *ends; /* utterance i is [ends[i-1], ends[i]) (ends[-1] = 0); the text is under 4 GiB */
    size_t n, cap;
} text;

static int push_end(text *t, size_t end)
{
    if (t->n == t->cap) {
        size_t nc = t->cap ? t->cap * 2 : 1024;
        uint32_t *p = realloc(t->ends, nc * sizeof *p);
        if (!p)
            return -1;
        t->ends = p;
        t->cap = nc;
    }
    t->ends[t->n++] = (uint32_t)end;
    return 0;
}

/* Read everything the way cli_read_aloud does and cut it the way the reader does. */
static int read_text(cli_input *in, text *t)
{
    ks_buf_init(&t->buf, (size_t)in->total + PAR_READ_CHUNK + 1);
    size_t start = 0;
    char chunk[PAR_READ_CHUNK];
    for (;;) {
        long n = cli_input_read(in, chunk, sizeof chunk);
        if (n < 0)
            return -1;
        if (n > 0 && ks_buf_append(&t->buf, chunk, (size_t)n) != 0) {
            cli_error("%s: out of memory", in->name);
            return -1;
        }
        int at_eof = n == 0;
        while (start < t->buf.len) {
            size_t k = ks_sentence_split(t->buf.data + start, t->buf.len - start, at_eof, PAR_MAX_SENTENCE);
            if (k == 0)
                break;
            start += k;
            if (push_end(t, start) != 0) {
                cli_error("%s: out of memory", in->name);
                return -1;
            }
        }
        if (at_eof)
            return 0;
    }
}

static void text_free(text *t)
{
    ks_buf_free(&t->buf);
    free(t->ends);
}

/* ---------------------------------------------------------------- worker */

typedef struct range {
    size_t first, last;  /* utterances [first, last) */
    size_t off, end;     /* bytes */
    pid_t pid;
    int fd;              /* its record file (unlinked) */
    int note_fd;         /* read end of its progress pipe; -1 when closed */
    note last_note;
    uint64_t replayed;   /* file bytes written to the sink */
    int done, failed;
} range;

typedef struct worker {
    int fd, note_fd;
    char *buf;
    size_t n, cap;
    uint64_t file_bytes, frames;
    size_t range_off;
    int failed;
} worker;

static void w_flush(worker *w)
{
    size_t off = 0;
    while (off < w->n && !w->failed) {
        ssize_t r = write(w->fd, w->buf + off, w->n - off);
        if (r > 0)
            off += (size_t)r;
        else if (!(r < 0 && errno == EINTR))
            w->failed = errno ? errno : EIO;
    }
    w->file_bytes += w->n;
    w->n = 0;
}

static void w_rec(worker *w, uint32_t type, uint64_t a, uint64_t b, const void *data, size_t len)
{
    size_t need = sizeof(rec) + PAD8(len);
    if (w->n + need > w->cap) {
        w_flush(w);
        if (need > w->cap) {
            char *p = realloc(w->buf, need);
            if (!p) {
                w->failed = ENOMEM;
                return;
            }
            w->buf = p;
            w->cap = need;
        }
    }
    rec r = {type, (uint32_t)len, a, b};
    memcpy(w->buf + w->n, &r, sizeof r);
    if (len)
        memcpy(w->buf + w->n + sizeof r, data, len);
    memset(w->buf + w->n + sizeof r + len, 0, PAD8(len) - len);
    w->n += need;
}

static int w_event(const ks_reader_event *ev, void *user)
{
    worker *w = user;
    switch (ev->type) {
    case KS_READER_UTTERANCE_START:
        w_rec(w, R_START, w->range_off + ev->text_offset, ev->text_len, ev->normalized, ev->normalized_len);
        break;
    case KS_READER_WORD: w_rec(w, R_WORD, ev->word_offset, ev->word_len, NULL, 0); break;
    case KS_READER_MARK:
        w_rec(w, R_MARK, 0, 0, ev->mark, ev->mark ? strlen(ev->mark) : 0);
        break;
    case KS_READER_UTTERANCE_END: w_rec(w, R_END, (uint64_t)ev->stopped, 0, NULL, 0); break;
    }
    return w->failed != 0;
}

static int w_pcm(const int16_t *pcm, size_t frames, uint64_t frame, void *user)
{
    (void)frame;
    worker *w = user;
    w_rec(w, R_PCM, frames, 0, pcm, frames * sizeof *pcm);
    w->frames += frames;
    return w->failed != 0;
}

static int w_note(worker *w, uint64_t text_done, int done)
{
    w_flush(w);
    if (w->failed)
        return -1;
    note m = {w->file_bytes, text_done, w->frames, (uint64_t)done};
    ssize_t r;
    while ((r = write(w->note_fd, &m, sizeof m)) < 0 && errno == EINTR)
        ;
    return r == (ssize_t)sizeof m ? 0 : -1;
}

/* The worker process: speak utterances [first, last), one reader call each. */
/* --lang auto: the language the reader of -j 1 would carry into utterance `first`
 * (a sentence with no evidence of its own follows the one before it). */
static ks_lang context_before(const cli_ctx *c, const text *t, size_t first)
{
    ks_lang ctx = KS_LANG_KK;
    if (c->opt.lang != KS_LANG_AUTO)
        return ctx;
    ks_lang_span sp[64];
    for (size_t i = 0; i < first; i++) {
        size_t a = i ? t->ends[i - 1] : 0, n = t->ends[i] - a;
        if (n == 0 || c->opt.ssml)
            continue;
        size_t k = ks_lang_spans(c->langid, c->translit, ctx, t->buf.data + a, n, sp, 64);
        if (k > 64) { /* as the reader: the rest merged into the last */
            k = 64;
            sp[63].len = n - sp[63].offset;
        }
        if (k)
            ctx = ks_lang_main(sp, k);
    }
    return ctx;
}

static int worker_main(cli_ctx *c, const cli_input *in, const text *t, const range *rg, int note_fd)
{
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    worker w;
    memset(&w, 0, sizeof w);
    w.fd = rg->fd;
    w.note_fd = note_fd;
    w.cap = 256 * 1024;
    w.buf = malloc(w.cap);
    w.range_off = rg->off;
    if (!w.buf)
        return CLI_EXIT_ERROR;
    ks_reader_callbacks cb = {w_event, w_pcm, NULL, &w};
    ks_reader *r;
    if (cli_load_langid(c) != 0)
        return CLI_EXIT_ERROR;
    c->lang_context = context_before(c, t, rg->first);
    if (cli_reader_new(c, NULL, &cb, &r) != 0)
        return CLI_EXIT_ERROR;
    ks_error err;
    int final_pause = ks_engine_get_param(c->eng, KS_PARAM_FINAL_PAUSE);
    int rc = 0, bad_sent = 0;
    for (size_t i = rg->first; i < rg->last && rc == 0; i++) {
        size_t a = i ? t->ends[i - 1] : 0, b = t->ends[i];
        /* every call is a whole text to the reader: only the text's own last utterance may lose its end pause */
        ks_engine_set_param(c->eng, KS_PARAM_FINAL_PAUSE, i + 1 == t->n ? final_pause : 1, &err);
        ks_status st = ks_reader_speak(r, t->buf.data + a, b - a, &err);
        if (!bad_sent && ks_reader_bad_utf8(r) != UINT64_MAX) {
            w_rec(&w, R_BADUTF8, rg->off + ks_reader_bad_utf8(r), 0, NULL, 0);
            bad_sent = 1;
        }
        if (st != KS_OK) {
            if (st == KS_EAUDIO || st == KS_EIO)
                cli_error("%s", err.msg);
            else
                cli_error("%s: %s", in->name, err.msg);
            rc = CLI_EXIT_ERROR;
        } else if (w_note(&w, b - rg->off, 0) != 0) {
            cli_error("temporary file: %s", strerror(w.failed ? w.failed : EIO));
            rc = CLI_EXIT_ERROR;
        }
    }
    if (rc == 0 && w_note(&w, rg->end - rg->off, 1) != 0) {
        cli_error("temporary file: %s", strerror(w.failed ? w.failed : EIO));
        rc = CLI_EXIT_ERROR;
    }
    ks_reader_free(r);
    free(w.buf);
    return rc;
}

/* ---------------------------------------------------------------- parent */

typedef struct par {
    cli_ctx *c;
    cli_input *in;
    text t;
    range *rg;
    int n;
    ks_sink *sink;
    const cli_par_hooks *h;
    ks_reader_event cur;
    uint64_t utterance;
    char *norm; /* the current utterance's normalized text */
    size_t norm_cap;
    char *rbuf; /* replay buffer */
    size_t rbuf_cap;
} par;

static int open_temp(int *fd)
{
    const char *tmp = getenv("TMPDIR");
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/kazspeak-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        cli_error("cannot make a temporary folder in %s: %s", tmp && *tmp ? tmp : "/tmp", strerror(errno));
        return -1;
    }
    char path[4200];
    snprintf(path, sizeof path, "%s/range", dir);
    *fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    int en = errno;
    unlink(path);
    rmdir(dir);
    if (*fd < 0) {
        cli_error("cannot make a temporary file in %s: %s", dir, strerror(en));
        return -1;
    }
    return 0;
}

/* Ranges of utterances, balanced by bytes. */
static int plan(par *p, int jobs)
{
    size_t nu = p->t.n;
    int n = jobs < (int)nu ? jobs : (int)nu;
    if (n < 1)
        n = 1;
    p->rg = calloc((size_t)n, sizeof *p->rg);
    if (!p->rg)
        return -1;
    size_t total = p->t.buf.len, u = 0;
    int k = 0;
    for (; k < n && u < nu; k++) {
        range *r = &p->rg[k];
        r->first = u;
        r->off = u ? p->t.ends[u - 1] : 0;
        size_t target = (size_t)((double)total * (k + 1) / n);
        size_t left = (size_t)(n - k - 1); /* leave at least one utterance per later range */
        while (u < nu && (p->t.ends[u] < target || u == r->first) && nu - u - 1 >= left)
            u++;
        if (k == n - 1)
            u = nu;
        r->last = u;
        r->end = p->t.ends[u - 1];
        r->fd = r->note_fd = -1;
        r->pid = -1;
    }
    p->n = k;
    return 0;
}

static void stop_workers(par *p)
{
    for (int k = 0; k < p->n; k++)
        if (p->rg[k].pid > 0)
            kill(p->rg[k].pid, SIGTERM);
    for (int k = 0; k < p->n; k++)
        if (p->rg[k].pid > 0) {
            while (waitpid(p->rg[k].pid, NULL, 0) < 0 && errno == EINTR)
                ;
            p->rg[k].pid = -1;
        }
}

static int start_workers(par *p)
{
    fflush(stdout);
    fflush(stderr);
    for (int k = 0; k < p->n; k++) {
        range *r = &p->rg[k];
        int pfd[2];
        if (open_temp(&r->fd) != 0)
            return -1;
        if (pipe(pfd) != 0) {
            cli_error("cannot create a pipe: %s", strerror(errno));
            return -1;
        }
        pid_t pid = fork();
        if (pid < 0) {
            cli_error("cannot start a worker: %s", strerror(errno));
            close(pfd[0]);
            close(pfd[1]);
            return -1;
        }
        if (pid == 0) {
            close(pfd[0]);
            _exit(worker_main(p->c, p->in, &p->t, r, pfd[1]));
        }
        close(pfd[1]);
        r->pid = pid;
        r->note_fd = pfd[0];
    }
    return 0;
}

static void warn_bad_utf8(par *p, uint64_t off)
{
    if (p->c->bad_utf8_warned)
        return;
    p->c->bad_utf8_warned = 1;
    cli_error("warning: %s: invalid UTF-8 at byte offset %llu (replaced with U+FFFD)", p->in->name,
              (unsigned long long)off);
}

static int emit(par *p, ks_reader_event_type type)
{
    p->cur.type = type;
    p->cur.sample = ks_sink_frames(p->sink);
    return p->h->event && p->h->event(&p->cur, p->h->user);
}

/* One record -> the sink and the handlers. 0 ok, else an exit status. */
static int replay_rec(par *p, const rec *r, const char *data)
{
    ks_error err;
    switch (r->type) {
    case R_START:
        if (r->len + 1 > p->norm_cap) {
            char *n = realloc(p->norm, r->len + 1);
            if (!n) {
                cli_error("out of memory");
                return CLI_EXIT_ERROR;
            }
            p->norm = n;
            p->norm_cap = r->len + 1;
        }
        memcpy(p->norm, data, r->len);
        p->norm[r->len] = '\0';
        memset(&p->cur, 0, sizeof p->cur);
        p->cur.utterance = p->utterance++;
        p->cur.text = p->t.buf.data + r->a;
        p->cur.text_len = (size_t)r->b;
        p->cur.text_offset = r->a;
        p->cur.normalized = p->norm;
        p->cur.normalized_len = r->len;
        return emit(p, KS_READER_UTTERANCE_START) ? CLI_EXIT_ERROR : 0;
    case R_WORD:
        p->cur.word_offset = (size_t)r->a;
        p->cur.word_len = (size_t)r->b;
        return emit(p, KS_READER_WORD) ? CLI_EXIT_ERROR : 0;
    case R_MARK: {
        char name[256];
        size_t l = r->len < sizeof name - 1 ? r->len : sizeof name - 1;
        memcpy(name, data, l);
        name[l] = '\0';
        p->cur.mark = name;
        int rc = emit(p, KS_READER_MARK);
        p->cur.mark = NULL;
        return rc ? CLI_EXIT_ERROR : 0;
    }
    case R_END:
        p->cur.stopped = (int)r->a;
        p->cur.word_offset = p->cur.word_len = 0;
        return emit(p, KS_READER_UTTERANCE_END) ? CLI_EXIT_ERROR : 0;
    case R_PCM: {
        const int16_t *pcm = (const int16_t *)(const void *)data;
        size_t frames = (size_t)r->a;
        if (p->h->pcm && p->h->pcm(pcm, frames, ks_sink_frames(p->sink), p->h->user))
            return CLI_EXIT_ERROR;
        if (ks_sink_write(p->sink, pcm, frames, &err) != KS_OK) {
            cli_error("%s", err.msg);
            return CLI_EXIT_ERROR;
        }
        return 0;
    }
    case R_BADUTF8: warn_bad_utf8(p, r->a); return 0;
    default: cli_error("worker output: unknown record"); return CLI_EXIT_ERROR;
    }
}

/* Write what range k has finished so far to the sink. */
static int replay(par *p, range *r)
{
    while (r->replayed < r->last_note.file_end) {
        uint64_t want = r->last_note.file_end - r->replayed;
        size_t n = want > PAR_REPLAY_CHUNK ? PAR_REPLAY_CHUNK : (size_t)want;
        /* the records of one utterance end on a note: read whole records only */
        rec head;
        if (pread(r->fd, &head, sizeof head, (off_t)r->replayed) != (ssize_t)sizeof head) {
            cli_error("temporary file: read error");
            return CLI_EXIT_ERROR;
        }
        size_t first = sizeof head + PAD8(head.len);
        if (n < first)
            n = first;
        if (n > p->rbuf_cap) {
            char *b = realloc(p->rbuf, n);
            if (!b) {
                cli_error("out of memory");
                return CLI_EXIT_ERROR;
            }
            p->rbuf = b;
            p->rbuf_cap = n;
        }
        ssize_t got = pread(r->fd, p->rbuf, n, (off_t)r->replayed);
        if (got < (ssize_t)first) {
            cli_error("temporary file: read error");
            return CLI_EXIT_ERROR;
        }
        size_t pos = 0;
        while (pos + sizeof(rec) <= (size_t)got) {
            rec rr;
            memcpy(&rr, p->rbuf + pos, sizeof rr);
            size_t sz = sizeof rr + PAD8(rr.len);
            if (pos + sz > (size_t)got)
                break;
            int rc = replay_rec(p, &rr, p->rbuf + pos + sizeof rr);
            if (rc)
                return rc;
            pos += sz;
        }
        r->replayed += pos;
    }
    return 0;
}

static void report_progress(par *p)
{
    if (!p->h->progress)
        return;
    uint64_t spoken = 0, frames = 0;
    for (int k = 0; k < p->n; k++) {
        spoken += p->rg[k].last_note.text_done;
        frames += p->rg[k].last_note.frames;
    }
    p->h->progress(spoken, frames, p->h->user);
}

/* Read the progress notes that have arrived; a closed pipe without a final note is a failure. */
static void read_notes(range *r)
{
    note m;
    ssize_t got = read(r->note_fd, &m, sizeof m);
    if (got == (ssize_t)sizeof m) {
        r->last_note = m;
        if (m.done)
            r->done = 1;
    } else if (got == 0 || (got < 0 && errno != EINTR && errno != EAGAIN)) {
        close(r->note_fd);
        r->note_fd = -1;
        if (!r->done)
            r->failed = 1;
    }
}

/* The worker of a finished range has exited; 0 when it went well. */
static int reap(range *r)
{
    int st = 0;
    pid_t w;
    while ((w = waitpid(r->pid, &st, 0)) < 0 && errno == EINTR)
        ;
    r->pid = -1;
    if (w > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0)
        return 0;
    if (w > 0 && WIFSIGNALED(st))
        cli_error("a worker was stopped by signal %d", WTERMSIG(st));
    return -1;
}

static int run(par *p)
{
    struct pollfd *pf = calloc((size_t)p->n, sizeof *pf);
    if (!pf) {
        cli_error("out of memory");
        return CLI_EXIT_ERROR;
    }
    int cur = 0, rc = 0;
    while (cur < p->n && rc == 0) {
        if (cli_signal_received) {
            rc = cli_signal_status();
            break;
        }
        int np = 0;
        for (int k = 0; k < p->n; k++)
            if (p->rg[k].note_fd >= 0) {
                pf[np].fd = p->rg[k].note_fd;
                pf[np].events = POLLIN;
                pf[np].revents = 0;
                np++;
            }
        if (np > 0 && poll(pf, (nfds_t)np, 100) < 0 && errno != EINTR) {
            cli_error("poll: %s", strerror(errno));
            rc = CLI_EXIT_ERROR;
            break;
        }
        if (cli_signal_received)
            continue;
        for (int k = 0, i = 0; k < p->n; k++) {
            range *r = &p->rg[k];
            if (r->note_fd < 0)
                continue;
            if (pf[i].revents & (POLLIN | POLLHUP | POLLERR))
                read_notes(r);
            i++;
            if (r->failed) {
                reap(r); /* its own message was printed */
                rc = CLI_EXIT_ERROR;
            }
        }
        if (rc)
            break;
        report_progress(p);
        /* write what the current range has made; move on when it is complete */
        for (;;) {
            range *r = &p->rg[cur];
            rc = replay(p, r);
            if (rc || !r->done || r->replayed < r->last_note.file_end)
                break;
            if (r->note_fd >= 0) { /* its exit, for the status */
                close(r->note_fd);
                r->note_fd = -1;
            }
            if (reap(r) != 0) {
                rc = CLI_EXIT_ERROR;
                break;
            }
            close(r->fd);
            r->fd = -1;
            if (++cur == p->n)
                break;
        }
    }
    free(pf);
    if (rc == 0 && cli_signal_received)
        rc = cli_signal_status();
    return rc;
}

int cli_parallel_write(cli_ctx *c, cli_input *in, ks_sink *sink, const cli_par_hooks *h)
{
    par p;
    memset(&p, 0, sizeof p);
    p.c = c;
    p.in = in;
    p.sink = sink;
    p.h = h;
    int rc = 0;
    if (read_text(in, &p.t) != 0) {
        rc = cli_signal_received ? cli_signal_status() : CLI_EXIT_ERROR;
    } else if (p.t.n == 0) {
        rc = 0; /* nothing to say */
    } else if (plan(&p, cli_jobs(&c->opt)) != 0) {
        cli_error("out of memory");
        rc = CLI_EXIT_ERROR;
    } else {
        ks_engine_set_isolated(c->eng, 1); /* the same samples as -j 1, by construction */
        rc = start_workers(&p) != 0 ? CLI_EXIT_ERROR : run(&p);
    }
    if (p.rg) {
        stop_workers(&p);
        for (int k = 0; k < p.n; k++) {
            if (p.rg[k].fd >= 0)
                close(p.rg[k].fd);
            if (p.rg[k].note_fd >= 0)
                close(p.rg[k].note_fd);
        }
    }
    if (rc == 0 && cli_signal_received)
        rc = cli_signal_status();
    free(p.rg);
    free(p.norm);
    free(p.rbuf);
    text_free(&p.t);
    return rc;
}
