/* interactive.c - -i: live reading for events.
 *
 * The whole input is read and split into sentences first, so the operator
 * hears "sentence n of N" and the time left.  Keys (raw terminal, from
 * /dev/tty when standard input is the text): space pause/resume, Left/Right
 * previous/next sentence, Up/Down or +/- speed, r repeat, q quit.
 *
 * One thread owns eSpeak and PortAudio: each sentence is spoken by the
 * reader, whose poll hook reads the keyboard between device writes of at most
 * 10 ms, so a key takes effect within about one block. Pause is the reader's:
 * the sound stops at once (the device's queue is kept and played again on
 * resume), and while paused the reader keeps calling the poll hook.
 *
 * Screen-reader friendly: every change of state is one short line, nothing is
 * redrawn, no spinner.  Default output only adds bold/reverse video; --plain
 * (or TERM=dumb) prints plain lines.  The terminal is restored on every exit:
 * normal end, errors, atexit, SIGINT/SIGTERM/SIGHUP/SIGQUIT, fatal signals,
 * and around Ctrl-Z. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"

#define LIVE_MAX_TEXT ((size_t)16 << 20) /* a speech is far smaller; memory stays under 64 MB */
#define LIVE_SENTENCE 4096
#define RATE_STEP 20

/* ---------------------------------------------------------------- terminal */

static int tty_fd = -1;
static struct termios tty_saved;
static volatile sig_atomic_t tty_raw;

static void tty_restore(void)
{
    if (tty_raw && tty_fd >= 0) {
        tcsetattr(tty_fd, TCSAFLUSH, &tty_saved); /* async-signal-safe */
        tty_raw = 0;
    }
}

static int tty_enter_raw(void)
{
    struct termios t = tty_saved;
    t.c_lflag &= (tcflag_t) ~(ICANON | ECHO); /* keep ISIG (Ctrl-C) and output processing */
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    if (tcsetattr(tty_fd, TCSAFLUSH, &t) != 0)
        return -1;
    tty_raw = 1;
    return 0;
}

static void on_stop_signal(int sig)
{
    tty_restore();
    cli_signal_received = sig;
    signal(sig, SIG_DFL); /* a second one ends the program at once */
}

static void on_fatal_signal(int sig)
{
    tty_restore();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void on_cont(int sig);

static void on_tstp(int sig)
{
    (void)sig;
    int e = errno;
    int was_raw = tty_raw;
    tty_restore();
    tty_raw = was_raw ? 2 : 0; /* remember to go raw again on SIGCONT */
    signal(SIGTSTP, SIG_DFL);
    raise(SIGTSTP);
    errno = e;
}

static void on_cont(int sig)
{
    (void)sig;
    int e = errno;
    signal(SIGTSTP, on_tstp);
    if (tty_raw == 2) {
        tty_raw = 0;
        tty_enter_raw();
    }
    errno = e;
}

static void tty_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_stop_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGQUIT, &sa, NULL);
    sa.sa_handler = on_fatal_signal;
    sa.sa_flags = (int)SA_RESETHAND;
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    sigaction(SIGABRT, &sa, NULL);
    sigaction(SIGFPE, &sa, NULL);
    sa.sa_flags = 0;
    sa.sa_handler = on_tstp;
    sigaction(SIGTSTP, &sa, NULL);
    sa.sa_handler = on_cont;
    sigaction(SIGCONT, &sa, NULL);
}

/* ---------------------------------------------------------------- state */

typedef struct sentence {
    size_t off, len;  /* in the text */
    double secs;      /* duration: estimated, then measured */
    int secs_rate;    /* rate the duration is for */
} sentence;

enum { ACT_NONE, ACT_NEXT, ACT_PREV, ACT_REPEAT, ACT_QUIT };

typedef struct live {
    cli_ctx *c;
    ks_sink *sink;
    ks_reader *reader;
    char *text;
    sentence *s;
    int n, cur;
    int rate, spoken_rate; /* wanted rate; rate of the sentence being spoken */
    int rate_min, rate_max;
    int paused;
    int action;
    int fancy;             /* colour/bold allowed */
    int timing;
    unsigned char keys[16];
    size_t nkeys;
    int speaking;
    uint64_t frames_at_start;
    int hz;
} live;

static void say(live *l, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void say(live *l, const char *fmt, ...)
{
    (void)l;
    char line[2048];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line - 1, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    size_t len = (size_t)n < sizeof line - 1 ? (size_t)n : sizeof line - 2;
    line[len++] = '\n';
    for (size_t off = 0; off < len;) {
        ssize_t w = write(tty_fd, line + off, len - off);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return;
        }
        off += (size_t)w;
    }
}

static const char *bold(const live *l)
{
    return l->fancy ? "\033[1m" : "";
}

static const char *rev(const live *l)
{
    return l->fancy ? "\033[7m" : "";
}

static const char *norm_attr(const live *l)
{
    return l->fancy ? "\033[0m" : "";
}

static void fmt_time(char *dst, size_t n, double s)
{
    long t = (long)(s + 0.5);
    if (t < 0)
        t = 0;
    if (t >= 3600)
        snprintf(dst, n, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
    else
        snprintf(dst, n, "%ld:%02ld", t / 60, t % 60);
}

static double dur(const live *l, int i)
{
    const sentence *s = &l->s[i];
    return s->secs * s->secs_rate / l->rate;
}

static void announce(live *l)
{
    double done = 0, total = 0;
    for (int i = 0; i < l->n; i++) {
        double d = dur(l, i);
        total += d;
        if (i < l->cur)
            done += d;
    }
    char el[32], left[32];
    fmt_time(el, sizeof el, done);
    fmt_time(left, sizeof left, total - done);
    /* the sentence on one line, whitespace folded */
    char text[1500];
    size_t k = 0;
    const sentence *s = &l->s[l->cur];
    int space = 0;
    for (size_t i = 0; i < s->len && k < sizeof text - 4; i++) {
        unsigned char ch = (unsigned char)l->text[s->off + i];
        if (ch == ' ' || ch == '\n' || ch == '\t' || ch == '\r' || ch < 0x20) {
            space = k > 0;
            continue;
        }
        if (space)
            text[k++] = ' ';
        space = 0;
        text[k++] = (char)ch;
    }
    while (k > 0 && ((unsigned char)text[k - 1] & 0xC0) == 0x80 && k >= sizeof text - 4)
        k--; /* do not cut a UTF-8 sequence */
    text[k] = '\0';
    say(l, "%sSentence %d of %d%s%s, %s elapsed, %s left: %s", bold(l), l->cur + 1, l->n, norm_attr(l),
        l->paused ? " (paused)" : "", el, left, text);
}

/* ---------------------------------------------------------------- keys */

/* Handle the keys read so far. Returns 1 when speaking must stop now. */
static int handle_keys(live *l)
{
    size_t i = 0;
    int stop = 0;
    while (i < l->nkeys) {
        unsigned char ch = l->keys[i];
        int key = ch;
        size_t used = 1;
        if (ch == 0x1b) {
            if (i + 1 >= l->nkeys)
                break; /* wait for the rest of the sequence */
            if (l->keys[i + 1] == '[' || l->keys[i + 1] == 'O') {
                if (i + 2 >= l->nkeys)
                    break;
                key = 0x100 + l->keys[i + 2];
                used = 3;
            } else {
                key = 0; /* lone Escape: ignored */
                used = 1;
            }
        }
        i += used;
        switch (key) {
        case ' ':
            l->paused = !l->paused;
            if (l->paused) {
                ks_reader_pause(l->reader); /* the sound stops when this poll returns */
                say(l, "%sPaused%s at sentence %d of %d.", rev(l), norm_attr(l), l->cur + 1, l->n);
            } else {
                ks_reader_resume(l->reader);
                say(l, "Playing sentence %d of %d.", l->cur + 1, l->n);
            }
            break;
        case 'q':
        case 'Q':
        case 4: /* Ctrl-D */
            l->action = ACT_QUIT;
            stop = 1;
            break;
        case 'r':
        case 'R':
            l->action = ACT_REPEAT;
            stop = 1;
            break;
        case 0x100 + 'C':
        case 'n':
            l->action = ACT_NEXT;
            stop = 1;
            break;
        case 0x100 + 'D':
        case 'b':
            l->action = ACT_PREV;
            stop = 1;
            break;
        case 0x100 + 'A':
        case '+':
        case '=':
        case 0x100 + 'B':
        case '-':
        case '_': {
            int up = key == 0x100 + 'A' || key == '+' || key == '=';
            int r = l->rate + (up ? RATE_STEP : -RATE_STEP);
            if (r < l->rate_min)
                r = l->rate_min;
            if (r > l->rate_max)
                r = l->rate_max;
            l->rate = r;
            say(l, "Speed %d%s.", r, l->speaking && !l->paused ? " from the next sentence" : "");
            break;
        }
        default:
            break;
        }
        if (stop)
            break;
    }
    if (stop)
        i = l->nkeys; /* keys after a jump are dropped */
    memmove(l->keys, l->keys + i, l->nkeys - i);
    l->nkeys -= i;
    return stop;
}

/* Read keys; wait up to timeout_ms. Returns 1 when speaking must stop. */
static int read_keys(live *l, int timeout_ms)
{
    struct pollfd pfd = {tty_fd, POLLIN, 0};
    int r = poll(&pfd, 1, timeout_ms);
    if (r < 0)
        return cli_signal_received ? 1 : 0;
    if (r == 0 && l->nkeys == 0)
        return 0;
    if (r > 0) {
        if (pfd.revents & (POLLHUP | POLLERR | POLLNVAL)) {
            l->action = ACT_QUIT; /* the terminal went away (ssh dropped) */
            return 1;
        }
        ssize_t n = read(tty_fd, l->keys + l->nkeys, sizeof l->keys - l->nkeys);
        if (n == 0) {
            l->action = ACT_QUIT;
            return 1;
        }
        if (n > 0)
            l->nkeys += (size_t)n;
    }
    return handle_keys(l);
}

/* The reader's poll hook, between device writes and while paused: keys. */
static int live_poll(void *user)
{
    live *l = user;
    return read_keys(l, 0) || cli_signal_received != 0;
}

/* ---------------------------------------------------------------- main loop */

static int read_all(cli_ctx *c, ks_buf *text, const char **name)
{
    cli_input in;
    ks_buf args = {0};
    ks_buf_init(text, LIVE_MAX_TEXT);
    if (cli_input_open(&in, &c->opt, &args) != 0) {
        ks_buf_free(&args);
        return -1;
    }
    *name = in.name;
    char chunk[16384];
    int rc = 0;
    for (;;) {
        long r = cli_input_read(&in, chunk, sizeof chunk);
        if (r < 0) {
            rc = -1;
            break;
        }
        if (r == 0)
            break;
        if (ks_buf_append(text, chunk, (size_t)r) != 0) {
            cli_error("%s: text too long for -i (at most %zu MiB)", in.name, LIVE_MAX_TEXT >> 20);
            rc = -1;
            break;
        }
    }
    cli_input_close(&in);
    ks_buf_free(&args);
    if (rc == 0 && in.f == stdin)
        *name = "standard input";
    return rc;
}

/* Split the text into the sentences the operator moves between, each with an
 * estimated duration (measured once spoken). 0, or -1 (printed). */
static int split_sentences(live *l, const char *text, size_t len)
{
    cli_sentence *v;
    int n = cli_split_sentences(text, len, LIVE_SENTENCE, &v);
    l->s = n > 0 ? malloc((size_t)n * sizeof *l->s) : NULL;
    if (n < 0 || (n > 0 && !l->s)) {
        free(v);
        cli_error("out of memory");
        return -1;
    }
    for (int i = 0; i < n; i++) /* an estimate until it is spoken */
        l->s[i] = (sentence){v[i].off, v[i].len, v[i].words * 60.0 / l->rate + 0.3, l->rate};
    l->n = n;
    free(v);
    return 0;
}

static int open_tty(const cli_ctx *c)
{
    int text_on_stdin = c->opt.n_texts == 0 && (!c->opt.input_file || strcmp(c->opt.input_file, "-") == 0);
    if (!text_on_stdin && isatty(STDIN_FILENO))
        return STDIN_FILENO;
    int fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
    return fd;
}

/* The keyboard in raw mode, restored on every exit. 0, or an exit status (printed). */
static int tty_setup(live *l)
{
    tty_fd = open_tty(l->c);
    if (tty_fd < 0 || !isatty(tty_fd) || tcgetattr(tty_fd, &tty_saved) != 0) {
        cli_error("-i needs a terminal for its keys (no /dev/tty): use --follow or plain playback");
        if (tty_fd > STDERR_FILENO)
            close(tty_fd);
        tty_fd = -1;
        return CLI_EXIT_USAGE;
    }
    const char *term = getenv("TERM");
    l->fancy = !l->c->opt.plain && term && *term && strcmp(term, "dumb") != 0;
    atexit(tty_restore);
    tty_signals();
    if (tty_enter_raw() != 0) {
        cli_error("cannot set up the terminal: %s", strerror(errno));
        return CLI_EXIT_ERROR;
    }
    return 0;
}

static void greet(live *l, const char *name)
{
    double total = 0;
    for (int i = 0; i < l->n; i++)
        total += dur(l, i);
    char tt[32];
    fmt_time(tt, sizeof tt, total);
    say(l, "kazspeak live reading: %s, %d sentence%s, about %s at speed %d.", name, l->n, l->n == 1 ? "" : "s", tt,
        l->rate);
    say(l, "Keys: space pause/resume, Left/Right previous/next sentence, Up/Down or +/- speed, r repeat, q quit.");
}

/* Speak the current sentence (a key may cut it short). 0, or an exit status (printed). */
static int speak_current(live *l, int fresh)
{
    if (l->rate != l->spoken_rate) {
        ks_error err;
        if (ks_engine_set_param(l->c->eng, KS_PARAM_RATE, l->rate, &err) != KS_OK)
            cli_error("%s", err.msg);
        else
            l->spoken_rate = l->rate;
    }
    if (fresh)
        ks_playback_trim_next(l->sink);
    ks_error err;
    const sentence *s = &l->s[l->cur];
    uint64_t f0 = ks_sink_frames(l->sink);
    l->speaking = 1;
    ks_status st = ks_reader_speak(l->reader, l->text + s->off, s->len, &err);
    l->speaking = 0;
    if (st == KS_OK) {
        l->s[l->cur].secs = (double)(ks_sink_frames(l->sink) - f0) / l->hz;
        l->s[l->cur].secs_rate = l->spoken_rate;
        return 0;
    }
    if (st == KS_ESTOPPED)
        return 0;
    cli_error("%s", err.msg);
    return st == KS_EAUDIO ? CLI_EXIT_NODEVICE : CLI_EXIT_ERROR;
}

/* After a sentence: move on, or act on the key that stopped it. Returns 1 to quit. */
static int apply_action(live *l)
{
    int action = l->action;
    l->action = ACT_NONE;
    switch (action) {
    case ACT_NONE:
        l->cur++;
        return 0;
    case ACT_QUIT:
        say(l, "Quit at sentence %d of %d.", l->cur + 1, l->n);
        return 1;
    case ACT_NEXT:
        if (l->cur + 1 < l->n)
            l->cur++;
        else
            say(l, "This is the last sentence.");
        return 0;
    case ACT_PREV:
        if (l->cur > 0)
            l->cur--;
        else
            say(l, "This is the first sentence.");
        return 0;
    default: /* ACT_REPEAT */
        return 0;
    }
}

static int live_loop(live *l)
{
    int fresh = 1; /* the next sentence starts a new utterance (trim its silence) */
    while (l->cur < l->n && !cli_signal_received) {
        if (l->paused) {
            announce(l);
            while (l->paused && !cli_signal_received && l->action == ACT_NONE)
                read_keys(l, 250);
            fresh = 1;
        }
        if (l->action == ACT_NONE) {
            if (!l->paused)
                announce(l);
            int rc = speak_current(l, fresh);
            if (rc)
                return rc;
            fresh = 0;
        }
        if (cli_signal_received)
            break;
        int moved = l->action != ACT_NONE;
        if (apply_action(l))
            return CLI_EXIT_OK;
        if (moved)
            fresh = 1; /* the reader dropped the device's queue: the jump is heard at once */
    }
    if (l->cur >= l->n && !cli_signal_received)
        say(l, "End of text: %d sentence%s read.", l->n, l->n == 1 ? "" : "s");
    return CLI_EXIT_OK;
}

int cli_run_interactive(cli_ctx *c)
{
    ks_buf text = {0};
    const char *name = "";
    if (read_all(c, &text, &name) != 0) {
        ks_buf_free(&text);
        return cli_signal_received ? cli_signal_status() : CLI_EXIT_ERROR;
    }
    ks_sink *sink;
    int rc = cli_playback_open(c, &sink);
    if (rc) {
        ks_buf_free(&text);
        return rc;
    }
    live l;
    memset(&l, 0, sizeof l);
    l.c = c;
    l.sink = sink;
    l.text = text.data ? text.data : "";
    l.hz = ks_engine_sample_rate(c->eng);
    l.rate = l.spoken_rate = ks_engine_get_param(c->eng, KS_PARAM_RATE);
    l.rate_min = KS_RATE_MIN;
    l.rate_max = KS_RATE_MAX;
    l.timing = cli_timing_on();
    ks_reader_callbacks cb = {NULL, NULL, live_poll, &l};
    if (split_sentences(&l, text.data, text.len) != 0 || cli_reader_new(c, sink, &cb, &l.reader) != 0)
        rc = CLI_EXIT_ERROR;
    else if (l.n == 0) {
        cli_error("%s: nothing to read", name);
        rc = CLI_EXIT_ERROR;
    } else if ((rc = tty_setup(&l)) == 0) {
        greet(&l, name);
        rc = live_loop(&l);
    }
    ks_reader_free(l.reader);
    free(l.s);
    ks_buf_free(&text);
    if (rc == CLI_EXIT_OK && !cli_signal_received && l.cur < l.n)
        ks_playback_flush(sink); /* quit: stop the sound now */
    rc = cli_playback_finish(sink, rc); /* plays out the end */
    tty_restore();
    return rc;
}
