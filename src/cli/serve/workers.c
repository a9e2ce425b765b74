/* workers.c - the synthesis processes of `kazspeak serve`.
 *
 * eSpeak NG's engine is process-global, so parallel synthesis means processes:
 * N workers are forked at start-up, each loading its own engine once. The parent
 * talks to a worker over a socketpair (the control channel): a job is a fixed
 * header plus the text, and carries (SCM_RIGHTS) the write end of a fresh pipe
 * on which the worker writes the audio. The worker answers on the control
 * channel: START (with the length when known) at the first audio, then END or
 * ERR once the pipe is closed; an ERR before START becomes an HTTP error.
 *
 * Streamed WAV goes through ks_sink_wav_stream_open on the pipe, so the first
 * bytes leave as soon as the first block of the first sentence is made. Other
 * formats (and MaryTTS's WAVE_FILE, whose clients expect a length) are written
 * by ks_sink_file_open into the server's private temporary folder, then sent
 * with their length and removed.
 *
 * A client that goes away closes the pipe: the worker's next write fails with
 * EPIPE and the job ends. A job running past its deadline stops at the next
 * block (the reader's poll hook); a worker that does not answer is killed and
 * a new one is forked in its place. */
#define _GNU_SOURCE 1 /* pipe2, MSG_CMSG_CLOEXEC, closefrom */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "serve.h"

#define MAX_WORKERS 64

typedef struct wire_job {
    int32_t format, ssml, whole, voice, rate, pitch;
    uint32_t timeout_ms;
    uint32_t text_len;
} wire_job;

enum { MSG_START = 1, MSG_END, MSG_ERR };

typedef struct wire_msg {
    int32_t type;
    int32_t code;  /* ERR: HTTP status */
    int64_t len;   /* START: byte count, or -1 */
    char msg[240]; /* ERR: one line */
} wire_msg;

typedef struct worker {
    pid_t pid;
    int ctl;  /* parent's end of the control socketpair; -1 when dead */
    int busy;
} worker;

struct serve_pool {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    worker w[MAX_WORKERS];
    int n;
    cli_ctx *c;
    const ks_voice *voices;
    int n_voices;
    char tmpdir[4096];
};

struct serve_stream {
    serve_pool *p;
    int wi;
    int fd;         /* read end of the audio pipe */
    double deadline;
    int done;       /* END/ERR read */
};

/* ---------------------------------------------------------------- I/O helpers */

static int write_full(int fd, const void *buf, size_t n)
{
    const char *p = buf;
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Read exactly n bytes, waiting up to timeout_ms (<0: forever). 0 ok, -1 EOF/error, -2 timeout. */
static int read_full(int fd, void *buf, size_t n, int timeout_ms)
{
    char *p = buf;
    double end = cli_now() + timeout_ms / 1000.0;
    while (n > 0) {
        if (timeout_ms >= 0) {
            int left = (int)((end - cli_now()) * 1000);
            struct pollfd pfd = {fd, POLLIN, 0};
            int r = poll(&pfd, 1, left < 0 ? 0 : left);
            if (r < 0 && errno == EINTR)
                continue;
            if (r == 0)
                return -2;
            if (r < 0)
                return -1;
        }
        ssize_t got = read(fd, p, n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return -1;
        p += got;
        n -= (size_t)got;
    }
    return 0;
}

/* ---------------------------------------------------------------- the worker process */

typedef struct wjob {
    int ctl, fd;
    int started;
    double deadline;
} wjob;

static void send_msg(int ctl, int type, int code, int64_t len, const char *msg)
{
    wire_msg m;
    memset(&m, 0, sizeof m);
    m.type = type;
    m.code = code;
    m.len = len;
    if (msg)
        snprintf(m.msg, sizeof m.msg, "%s", msg);
    if (write_full(ctl, &m, sizeof m) != 0)
        _exit(0); /* the parent went away */
}

static int job_pcm(const int16_t *pcm, size_t frames, uint64_t frame, void *user)
{
    (void)pcm;
    (void)frames;
    (void)frame;
    wjob *j = user;
    if (!j->started) {
        j->started = 1;
        send_msg(j->ctl, MSG_START, 0, -1, NULL);
    }
    return 0;
}

static int job_poll(void *user)
{
    wjob *j = user;
    return cli_now() > j->deadline;
}

static int status_code(ks_status st)
{
    return st == KS_EPARSE || st == KS_EINVAL ? 400 : 500;
}

/* Speak the text into sink; returns the status, message in err. */
static ks_status job_speak(cli_ctx *c, const wire_job *h, const char *text, ks_sink *sink, wjob *j, ks_error *err)
{
    ks_reader_options o;
    ks_reader_options_init(&o);
    o.input = h->ssml ? KS_READER_SSML : KS_READER_TEXT;
    o.normalizer = c->norm;
    o.translit = c->translit;
    o.script = KS_SCRIPT_AUTO;
    ks_reader_callbacks cb = {NULL, job_pcm, job_poll, j};
    ks_reader *r;
    ks_status st = ks_reader_new(&r, c->eng, sink, &o, &cb, err);
    if (st != KS_OK)
        return st;
    st = ks_reader_speak(r, text, h->text_len, err);
    if (st == KS_ESTOPPED)
        snprintf(err->msg, sizeof err->msg, "the request took longer than its %u ms", (unsigned)h->timeout_ms);
    ks_reader_free(r);
    return st;
}

static const char *format_ext(int fmt)
{
    switch (fmt) {
    case KS_FORMAT_FLAC: return "flac";
    case KS_FORMAT_OGG: return "ogg";
    case KS_FORMAT_OPUS: return "opus";
    case KS_FORMAT_MP3: return "mp3";
    default: return "wav";
    }
}

static void run_job(serve_pool *p, int ctl, int fd, const wire_job *h, const char *text, unsigned long seq)
{
    cli_ctx *c = p->c;
    ks_error err = {{0}};
    wjob j = {ctl, fd, 0, cli_now() + h->timeout_ms / 1000.0};
    ks_voice v = p->voices[h->voice];
    if (h->rate >= 0)
        v.rate = h->rate;
    if (h->pitch >= 0)
        v.pitch = h->pitch;
    ks_status st = ks_engine_set_voice(c->eng, &v, &err);
    if (st != KS_OK) {
        send_msg(ctl, MSG_ERR, 500, 0, err.msg);
        return;
    }
    int rate = ks_engine_sample_rate(c->eng);
    ks_sink *sink = NULL;
    if (!h->whole && h->format == KS_FORMAT_WAV) {
        st = ks_sink_wav_stream_open(&sink, fd, rate, &err);
        if (st == KS_OK)
            st = job_speak(c, h, text, sink, &j, &err);
        if (st == KS_OK)
            st = ks_sink_close(sink, &err);
        else
            ks_sink_abort(sink);
        close(fd);
        if (st == KS_OK && !j.started)
            send_msg(ctl, MSG_START, 0, -1, NULL); /* no sound at all: an empty WAV */
        if (st == KS_OK)
            send_msg(ctl, MSG_END, 0, 0, NULL);
        else
            send_msg(ctl, MSG_ERR, status_code(st), 0, err.msg);
        return;
    }
    char path[4200];
    snprintf(path, sizeof path, "%s/job-%ld-%lu.%s", p->tmpdir, (long)getpid(), seq, format_ext(h->format));
    st = ks_sink_file_open(&sink, path, (ks_format)h->format, rate, &err);
    if (st == KS_OK) {
        j.started = 1; /* START waits for the length */
        st = job_speak(c, h, text, sink, &j, &err);
        if (st == KS_OK)
            st = ks_sink_close(sink, &err);
        else
            ks_sink_abort(sink);
    }
    int in = st == KS_OK ? open(path, O_RDONLY | O_CLOEXEC) : -1;
    unlink(path);
    struct stat sb;
    if (st == KS_OK && (in < 0 || fstat(in, &sb) != 0)) {
        st = KS_EIO;
        snprintf(err.msg, sizeof err.msg, "cannot read back the audio file: %s", strerror(errno));
    }
    if (st != KS_OK) {
        if (in >= 0)
            close(in);
        close(fd);
        send_msg(ctl, MSG_ERR, status_code(st), 0, err.msg);
        return;
    }
    send_msg(ctl, MSG_START, 0, (int64_t)sb.st_size, NULL);
    char buf[65536];
    int ok = 1;
    for (;;) {
        ssize_t n = read(in, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            ok = n == 0;
            break;
        }
        if (write_full(fd, buf, (size_t)n) != 0) {
            ok = 0;
            break;
        }
    }
    close(in);
    close(fd);
    if (ok)
        send_msg(ctl, MSG_END, 0, 0, NULL);
    else
        send_msg(ctl, MSG_ERR, 500, 0, "the client went away");
}

/* Receive a job header and its pipe fd. 0 ok, -1 when the parent closed the channel. */
static int recv_job(int ctl, wire_job *h, int *fd)
{
    *fd = -1;
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } u;
    struct iovec iov = {h, sizeof *h};
    struct msghdr m;
    memset(&m, 0, sizeof m);
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    m.msg_control = u.buf;
    m.msg_controllen = sizeof u.buf;
    ssize_t n;
    do
        n = recvmsg(ctl, &m, MSG_CMSG_CLOEXEC);
    while (n < 0 && errno == EINTR);
    if (n <= 0)
        return -1;
    for (struct cmsghdr *cm = CMSG_FIRSTHDR(&m); cm; cm = CMSG_NXTHDR(&m, cm))
        if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
            memcpy(fd, CMSG_DATA(cm), sizeof(int));
    if ((size_t)n < sizeof *h && read_full(ctl, (char *)h + n, sizeof *h - (size_t)n, -1) != 0)
        return -1;
    return *fd >= 0 ? 0 : -1;
}

static void worker_main(serve_pool *p, int ctl)
{
    signal(SIGINT, SIG_IGN); /* a Ctrl-C on the terminal: the parent decides */
    signal(SIGTERM, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() == 1)
        _exit(1);
    if (cli_load_engine(p->c) != 0)
        _exit(1);
    unsigned long seq = 0;
    for (;;) {
        wire_job h;
        int fd;
        if (recv_job(ctl, &h, &fd) != 0)
            _exit(0);
        char *text = malloc((size_t)h.text_len + 1);
        if (!text || read_full(ctl, text, h.text_len, -1) != 0)
            _exit(1);
        text[h.text_len] = '\0';
        if (h.voice < 0 || h.voice >= p->n_voices)
            h.voice = 0;
        run_job(p, ctl, fd, &h, text, ++seq);
        free(text);
    }
}

/* Fork worker i. Called before threads exist, or with p->mu held (respawn). */
static int spawn(serve_pool *p, int i)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
        cli_error("serve: socketpair: %s", strerror(errno));
        return -1;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        cli_error("serve: fork: %s", strerror(errno));
        close(sv[0]);
        close(sv[1]);
        return -1;
    }
    if (pid == 0) {
        /* only the control channel and stdio: no listening socket or client connection stays open here */
        if (dup2(sv[1], 3) < 0)
            _exit(1);
        closefrom(4);
        worker_main(p, 3);
        _exit(0);
    }
    close(sv[1]);
    p->w[i].pid = pid;
    p->w[i].ctl = sv[0];
    p->w[i].busy = 0;
    return 0;
}

static void reap(worker *w)
{
    if (w->ctl >= 0)
        close(w->ctl);
    w->ctl = -1;
    if (w->pid > 0) {
        kill(w->pid, SIGKILL);
        waitpid(w->pid, NULL, 0);
    }
    w->pid = 0;
}

int pool_start(serve_pool **out, cli_ctx *c, int n, const ks_voice *voices, int n_voices, const char *tmpdir)
{
    *out = NULL;
    if (n < 1)
        n = 1;
    if (n > MAX_WORKERS)
        n = MAX_WORKERS;
    serve_pool *p = calloc(1, sizeof *p);
    if (!p) {
        cli_error("out of memory");
        return -1;
    }
    pthread_mutex_init(&p->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&p->cv, &ca);
    pthread_condattr_destroy(&ca);
    p->c = c;
    p->voices = voices;
    p->n_voices = n_voices;
    snprintf(p->tmpdir, sizeof p->tmpdir, "%s", tmpdir);
    for (int i = 0; i < n; i++) {
        p->w[i].ctl = -1;
        if (spawn(p, i) != 0) {
            p->n = i;
            pool_stop(p);
            return -1;
        }
    }
    p->n = n;
    *out = p;
    return 0;
}

static void deadline_ts(struct timespec *ts, double deadline)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double wait = deadline - cli_now();
    if (wait < 0)
        wait = 0;
    long long ns = now.tv_nsec + (long long)(wait * 1e9);
    ts->tv_sec = now.tv_sec + (time_t)(ns / 1000000000LL);
    ts->tv_nsec = (long)(ns % 1000000000LL);
}

/* Hand the worker back (with p->mu not held). A worker whose state is unknown is replaced. */
static void release(serve_pool *p, int wi, int healthy)
{
    pthread_mutex_lock(&p->mu);
    worker *w = &p->w[wi];
    if (!healthy) {
        reap(w);
        if (spawn(p, wi) != 0)
            cli_error("serve: worker %d could not be restarted", wi + 1);
    }
    w->busy = 0;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

static int send_job(worker *w, const serve_job *job, int fd)
{
    wire_job h = {job->format, job->ssml, job->whole, job->voice, job->rate, job->pitch, job->timeout_ms,
                  (uint32_t)job->text_len};
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } u;
    memset(&u, 0, sizeof u);
    struct iovec iov = {&h, sizeof h};
    struct msghdr m;
    memset(&m, 0, sizeof m);
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    m.msg_control = u.buf;
    m.msg_controllen = sizeof u.buf;
    struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cm), &fd, sizeof(int));
    ssize_t n;
    do
        n = sendmsg(w->ctl, &m, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    if (n != (ssize_t)sizeof h)
        return -1;
    return write_full(w->ctl, job->text, job->text_len);
}

int pool_submit(serve_pool *p, const serve_job *job, serve_stream **out, int64_t *length, char *msg, size_t msg_len)
{
    *out = NULL;
    double deadline = cli_now() + job->timeout_ms / 1000.0;
    pthread_mutex_lock(&p->mu);
    int wi = -1;
    for (;;) {
        for (int i = 0; i < p->n; i++)
            if (!p->w[i].busy && p->w[i].ctl >= 0) {
                wi = i;
                break;
            }
        if (wi >= 0)
            break;
        if (cli_now() >= deadline) {
            pthread_mutex_unlock(&p->mu);
            snprintf(msg, msg_len, "every worker stayed busy for %u ms", job->timeout_ms);
            return 503;
        }
        struct timespec ts;
        deadline_ts(&ts, deadline);
        pthread_cond_timedwait(&p->cv, &p->mu, &ts);
    }
    p->w[wi].busy = 1;
    pthread_mutex_unlock(&p->mu);

    worker *w = &p->w[wi];
    int pfd[2];
    if (pipe2(pfd, O_CLOEXEC) != 0) {
        snprintf(msg, msg_len, "pipe: %s", strerror(errno));
        release(p, wi, 1);
        return 500;
    }
    int sent = send_job(w, job, pfd[1]);
    close(pfd[1]);
    wire_msg m;
    int left = (int)((deadline - cli_now()) * 1000);
    int r = sent != 0 ? -1 : read_full(w->ctl, &m, sizeof m, left < 0 ? 0 : left);
    if (r != 0 || (m.type != MSG_START && m.type != MSG_ERR)) {
        close(pfd[0]);
        snprintf(msg, msg_len, r == -2 ? "the request took longer than its %u ms" : "a worker failed (job %u ms)",
                 job->timeout_ms);
        release(p, wi, 0);
        return r == -2 ? 504 : 500;
    }
    if (m.type == MSG_ERR) {
        close(pfd[0]);
        m.msg[sizeof m.msg - 1] = '\0';
        snprintf(msg, msg_len, "%s", m.msg);
        release(p, wi, 1);
        return m.code ? m.code : 500;
    }
    serve_stream *s = calloc(1, sizeof *s);
    if (!s) {
        close(pfd[0]);
        release(p, wi, 0);
        snprintf(msg, msg_len, "out of memory");
        return 500;
    }
    s->p = p;
    s->wi = wi;
    s->fd = pfd[0];
    s->deadline = deadline;
    *length = m.len;
    *out = s;
    return 0;
}

long stream_read(serve_stream *s, char *buf, size_t max, char *msg, size_t msg_len)
{
    if (s->done)
        return 0;
    for (;;) {
        int left = (int)((s->deadline - cli_now()) * 1000);
        struct pollfd pfd = {s->fd, POLLIN, 0};
        int r = poll(&pfd, 1, left < 0 ? 0 : left);
        if (r < 0 && errno == EINTR)
            continue;
        if (r == 0) {
            snprintf(msg, msg_len, "the request took longer than its deadline");
            return -1;
        }
        ssize_t n = read(s->fd, buf, max);
        if (n < 0 && errno == EINTR)
            continue;
        if (n > 0)
            return (long)n;
        if (n < 0) {
            snprintf(msg, msg_len, "reading a worker: %s", strerror(errno));
            return -1;
        }
        break;
    }
    /* end of the audio: the worker's verdict */
    wire_msg m;
    int left = (int)((s->deadline - cli_now()) * 1000) + 1000;
    if (read_full(s->p->w[s->wi].ctl, &m, sizeof m, left) != 0) {
        snprintf(msg, msg_len, "a worker failed");
        return -1;
    }
    s->done = 1;
    if (m.type == MSG_END)
        return 0;
    m.msg[sizeof m.msg - 1] = '\0';
    snprintf(msg, msg_len, "%s", m.msg);
    return -1;
}

void stream_close(serve_stream *s)
{
    if (!s)
        return;
    close(s->fd); /* an unfinished job ends with EPIPE in the worker */
    int healthy = 1;
    if (!s->done) {
        wire_msg m;
        int left = (int)((s->deadline - cli_now()) * 1000) + 2000;
        healthy = read_full(s->p->w[s->wi].ctl, &m, sizeof m, left) == 0 && (m.type == MSG_END || m.type == MSG_ERR);
    }
    release(s->p, s->wi, healthy);
    free(s);
}

void pool_stop(serve_pool *p)
{
    if (!p)
        return;
    for (int i = 0; i < p->n; i++)
        if (p->w[i].ctl >= 0) {
            close(p->w[i].ctl); /* the worker sees the end of its channel and exits */
            p->w[i].ctl = -1;
        }
    for (int i = 0; i < p->n; i++) {
        if (p->w[i].pid <= 0)
            continue;
        int done = 0;
        for (int t = 0; t < 200 && !done; t++) { /* up to 2 s */
            done = waitpid(p->w[i].pid, NULL, WNOHANG) == p->w[i].pid;
            if (!done)
                usleep(10000);
        }
        if (!done) {
            kill(p->w[i].pid, SIGKILL);
            waitpid(p->w[i].pid, NULL, 0);
        }
    }
    pthread_cond_destroy(&p->cv);
    pthread_mutex_destroy(&p->mu);
    free(p);
}
