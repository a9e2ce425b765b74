/* common.c - what every mode of the kazspeak program shares: one-line errors,
 * signals, loading the data and the engine, making a reader, opening the sound
 * device. No mode calls back into main.c. Uses only the public API. */
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"

volatile sig_atomic_t cli_signal_received;
const char cli_short_opts[] = ":w:f:v:s:p:a:g:xqho:j:imd:k:z";
double cli_t0;

/* ---------------------------------------------------------------- messages and signals */

void cli_error(const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    /* Keep it to one line, and no terminal control sequences from file names or text. */
    for (char *p = msg; *p; p++)
        if (*p == '\n' || *p == '\r' || *p == '\t')
            *p = ' ';
        else if ((unsigned char)*p < 0x20 || *p == 0x7F)
            *p = '?';
    fflush(stdout);
    fprintf(stderr, "kazspeak: %s\n", msg);
}

static void on_signal(int sig)
{
    cli_signal_received = sig;
    ks_sink_cleanup_signal();
}

void cli_install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = (int)SA_RESETHAND; /* a second Ctrl-C kills at once; no SA_RESTART: reads return EINTR */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN); /* write errors come back as EPIPE */
}

int cli_signal_status(void)
{
    return 128 + cli_signal_received;
}

/* ---------------------------------------------------------------- time */

double cli_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#if defined(__GNUC__)
__attribute__((constructor))
#endif
static void mark_start(void)
{
    cli_t0 = cli_now();
}

int cli_timing_on(void)
{
    const char *t = getenv("KAZSPEAK_TIMING");
    return t && *t && strcmp(t, "0") != 0;
}

/* ---------------------------------------------------------------- data, engine, reader */

static int load_lexicon_file(ks_lexicon *lex, const char *path)
{
    ks_error err;
    if (ks_lexicon_load_file(lex, path, &err) != KS_OK) {
        cli_error("%s", err.msg);
        return -1;
    }
    return 0;
}

/* The shipped lexicon, the voice's, the user's, then --lexicon files: later ones win. */
static int load_lexicons(cli_ctx *c)
{
    ks_error err;
    char path[4200];
    if (ks_lexicon_new(&c->lex, &err) != KS_OK) {
        cli_error("%s", err.msg);
        return -1;
    }
    snprintf(path, sizeof path, "%s/lexicon", c->data_root);
    if (ks_lexicon_load_dir(c->lex, path, &err) != KS_OK) {
        cli_error("%s", err.msg);
        return -1;
    }
    for (int i = 0; i < c->voice.n_lexicons; i++)
        if (load_lexicon_file(c->lex, c->voice.lexicons[i]) != 0)
            return -1;
    struct stat st;
    if (!c->opt.no_user_lexicon && ks_user_lexicon_path(path, sizeof path) && stat(path, &st) == 0 &&
        load_lexicon_file(c->lex, path) != 0)
        return -1;
    for (int i = 0; i < c->opt.n_lexicons; i++)
        if (load_lexicon_file(c->lex, c->opt.lexicons[i]) != 0)
            return -1;
    return 0;
}

int cli_load_data(cli_ctx *c)
{
    ks_error err;
    if (ks_data_find(c->opt.data_dir, c->data_root, sizeof c->data_root, c->espeak_dir, sizeof c->espeak_dir,
                     &err) != KS_OK) {
        cli_error("%s", err.msg);
        return -1;
    }
    const char *voice = c->opt.voice ? c->opt.voice : "default";
    if (ks_voice_find(&c->voice, c->data_root, voice, &err) != KS_OK) {
        cli_error("%s", err.msg);
        return -1;
    }
    if (load_lexicons(c) != 0)
        return -1;
    if (ks_normalizer_new(&c->norm, c->lex, &err) != KS_OK) {
        cli_error("%s", err.msg);
        return -1;
    }
    if (c->opt.script != KS_SCRIPT_CYRL || c->opt.ssml) {
        char path[4200];
        snprintf(path, sizeof path, "%s/lexicon/latin", c->data_root);
        if (ks_translit_new(&c->translit, path, &err) != KS_OK) {
            cli_error("%s", err.msg);
            return -1;
        }
    }
    return 0;
}

int cli_load_engine(cli_ctx *c)
{
    ks_error err;
    if (c->eng)
        return 0;
    if (ks_engine_new(&c->eng, c->espeak_dir, &err) != KS_OK) {
        cli_error("%s", err.msg);
        return -1;
    }
    /* each sentence's samples independent of what came before: -j N gives -j 1's, and
     * what plays is what -w writes */
    ks_engine_set_isolated(c->eng, 1);
    ks_voice v = c->voice;
    if (c->opt.rate >= 0)
        v.rate = c->opt.rate;
    if (c->opt.pitch >= 0)
        v.pitch = c->opt.pitch;
    if (c->opt.amplitude >= 0)
        v.volume = c->opt.amplitude;
    if (c->opt.wordgap >= 0)
        v.wordgap = c->opt.wordgap;
    if (ks_engine_set_voice(c->eng, &v, &err) != KS_OK) {
        cli_error("%s", err.msg);
        return -1;
    }
    /* espeak-ng's --punct, -k, -z */
    if ((c->opt.punct && ks_engine_set_punctuation(c->eng, c->opt.punct, &err) != KS_OK) ||
        (c->opt.capitals && ks_engine_set_param(c->eng, KS_PARAM_CAPITALS, c->opt.capitals, &err) != KS_OK) ||
        (c->opt.no_final_pause && ks_engine_set_param(c->eng, KS_PARAM_FINAL_PAUSE, 0, &err) != KS_OK)) {
        cli_error("%s", err.msg);
        return -1;
    }
    return 0;
}

int cli_load_langid(cli_ctx *c)
{
    ks_error err;
    if (c->opt.lang != KS_LANG_AUTO || c->langid)
        return 0;
    char path[4200];
    snprintf(path, sizeof path, "%s/lexicon/lang", c->data_root);
    if (ks_langid_new(&c->langid, path, &err) != KS_OK) {
        cli_error("%s", err.msg);
        return -1;
    }
    return 0;
}

int cli_reader_new(cli_ctx *c, ks_sink *sink, const ks_reader_callbacks *cb, ks_reader **out)
{
    ks_error err;
    *out = NULL;
    if (cli_load_engine(c) != 0)
        return -1;
    ks_reader_options o;
    ks_reader_options_init(&o);
    o.input = c->opt.ssml ? KS_READER_SSML : KS_READER_TEXT;
    o.normalizer = c->norm;
    o.translit = c->translit;
    o.script = c->opt.script;
    o.lang = c->opt.lang;
    if (cli_load_langid(c) != 0)
        return -1;
    o.langid = c->langid;
    o.context = c->lang_context;
    if (ks_reader_new(out, c->eng, sink, &o, cb, &err) != KS_OK) {
        cli_error("%s", err.msg);
        return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------- sentences for an operator */

static int count_words(const char *t, size_t n)
{
    int w = 0, in = 0;
    for (size_t i = 0; i < n; i++) {
        int sp = t[i] == ' ' || t[i] == '\n' || t[i] == '\t' || t[i] == '\r';
        if (!sp && !in)
            w++;
        in = !sp;
    }
    return w;
}

int cli_split_sentences(const char *text, size_t len, size_t max, cli_sentence **out)
{
    cli_sentence *v = NULL;
    size_t n = 0, cap = 0;
    for (size_t pos = 0; pos < len;) {
        size_t k = ks_sentence_split(text + pos, len - pos, 1, max);
        if (k == 0)
            k = len - pos;
        int words = count_words(text + pos, k);
        if (words > 0) {
            if (n == cap) {
                cap = cap ? cap * 2 : 64;
                cli_sentence *nv = realloc(v, cap * sizeof *nv);
                if (!nv) {
                    free(v);
                    *out = NULL;
                    return -1;
                }
                v = nv;
            }
            v[n++] = (cli_sentence){pos, k, words};
        }
        pos += k;
    }
    *out = v;
    return (int)n;
}

/* ---------------------------------------------------------------- the sound device */

static void *warm_thread(void *arg)
{
    (void)arg;
    ks_error err;
    /* a failure is reported by the open that follows, which tries again */
    return ks_playback_warmup(&err) == KS_OK ? (void *)1 : NULL;
}

static int open_device(cli_ctx *c, ks_sink **sink)
{
    ks_error err;
    int device = KS_DEVICE_DEFAULT;
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

static double t_data, t_engine, t_device; /* stages, for KAZSPEAK_TIMING */

int cli_playback_open(cli_ctx *c, ks_sink **sink)
{
    *sink = NULL;
    t_data = cli_now();
    ks_playback_set_quiet(2); /* the terminal is the user's: no sound-system chatter */
    pthread_t th;
    int threaded = pthread_create(&th, NULL, warm_thread, NULL) == 0;
    int eng = cli_load_engine(c);
    void *warm = NULL;
    if (threaded)
        pthread_join(th, &warm);
    t_engine = cli_now();
    int rc = eng != 0 ? CLI_EXIT_ERROR : open_device(c, sink);
    if (warm)
        ks_playback_warmup_release(); /* the sink holds its own reference */
    t_device = cli_now();
    return rc;
}

int cli_playback_start(cli_ctx *c, ks_sink **sink, cli_input *in, ks_buf *args)
{
    int rc = cli_playback_open(c, sink);
    if (rc)
        return rc;
    if (cli_input_open(in, &c->opt, args) != 0) {
        ks_buf_free(args);
        return cli_playback_finish(*sink, CLI_EXIT_ERROR);
    }
    return 0;
}

static void report_timing(ks_sink *sink)
{
    if (!cli_timing_on())
        return;
    ks_playback_stats_t ps;
    if (ks_playback_stats(sink, &ps) != KS_OK)
        return;
    if (ps.first_sound > 0)
        fprintf(stderr,
                "kazspeak: timing: first sound handed to the device %.1f ms after start (data loaded %.1f, engine "
                "%.1f, device open %.1f)",
                (ps.first_sound - cli_t0) * 1000, (t_data - cli_t0) * 1000, (t_engine - cli_t0) * 1000,
                (t_device - cli_t0) * 1000);
    else
        fprintf(stderr, "kazspeak: timing: no audible sample was played");
    fprintf(stderr, "; device rate %d Hz, output latency %.1f ms, %lu underflows, %.2f s played\n", ps.device_rate,
            ps.latency * 1000, ps.underflows, ps.device_rate ? (double)ps.device_frames / ps.device_rate : 0.0);
}

int cli_playback_finish(ks_sink *sink, int rc)
{
    ks_error err;
    report_timing(sink);
    if (cli_signal_received) {
        ks_sink_abort(sink);
        return cli_signal_status();
    }
    if (rc != CLI_EXIT_OK) {
        /* a failed device write is sticky: an empty write reports it */
        int device_failed = rc != CLI_EXIT_NODEVICE && ks_sink_write(sink, NULL, 0, &err) == KS_EAUDIO;
        ks_sink_abort(sink); /* stop the sound at once */
        if (device_failed) {
            cli_error("the sound device failed: use -w FILE to write the audio to a file");
            return CLI_EXIT_NODEVICE;
        }
        return rc;
    }
    if (ks_sink_close(sink, &err) != KS_OK) {
        cli_error("%s: use -w FILE to write the audio to a file", err.msg);
        return CLI_EXIT_NODEVICE;
    }
    return CLI_EXIT_OK;
}
