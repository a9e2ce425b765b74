/* panel.c - the operator panel's player: the same live reading as `-i`
 * (interactive.c), driven by commands from web pages instead of keys.
 *
 * One thread owns eSpeak NG (in the server process; the workers have their
 * own) and the sound card: it speaks the current sentence through a reader
 * whose poll hook takes the queued commands between device writes of at most
 * 10 ms, so a button takes effect within about one block. Pause is the
 * reader's (the sound stops at once and plays on from where it stopped).
 *
 * Every change of state is published as a JSON snapshot with a sequence
 * number; the event streams of all open pages wait on one condition variable
 * and send it (Server-Sent Events), so every page shows the same state. The
 * sentence list is sent only when the text changes. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "serve.h"

#define PANEL_SENTENCE 4096
#define RATE_STEP 20
#define QUEUE_MAX 64

enum { MODE_EMPTY, MODE_READY, MODE_PLAYING, MODE_PAUSED, MODE_STOPPED, MODE_ENDED };
static const char *const mode_names[] = {"empty", "ready", "playing", "paused", "stopped", "ended"};

enum { ACT_NONE, ACT_JUMP, ACT_STOP, ACT_LOAD, ACT_QUIT };

typedef struct cmd {
    int cmd;
    long arg;
    char *text;
    size_t len;
} cmd;

typedef struct span {
    size_t off, len;
} span;

struct panel {
    pthread_mutex_t mu;
    pthread_cond_t cmd_cv;   /* the player waits for commands */
    pthread_cond_t state_cv; /* event streams wait for a new state */
    pthread_cond_t ready_cv;
    pthread_t th;
    int started, ready, quit;
    cmd q[QUEUE_MAX];
    int nq;
    /* published (under mu) */
    uint64_t seq, text_version;
    ks_buf state_json, text_json;
    /* the player's own (changed under mu, read by it without) */
    cli_ctx *c;
    size_t max_text;
    ks_sink *sink;
    ks_reader *reader;
    char device_error[300];
    char *text;
    span *s;
    int n, cur, next_cur;
    int mode;
    int action;
    int rate, spoken_rate;
    int speaking;
    int fresh;
    char status[512];
};

/* ---------------------------------------------------------------- JSON */

void serve_json_str(ks_buf *b, const char *s, size_t len)
{
    ks_buf_putc(b, '"');
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '"' || ch == '\\') {
            ks_buf_putc(b, '\\');
            ks_buf_putc(b, (char)ch);
        } else if (ch == '\n')
            ks_buf_puts(b, "\\n");
        else if (ch < 0x20 || ch == 0x7F) {
            char esc[8];
            snprintf(esc, sizeof esc, "\\u%04x", ch);
            ks_buf_puts(b, esc);
        } else if (ch == 0xE2 && i + 2 < len && (unsigned char)s[i + 1] == 0x80 &&
                   ((unsigned char)s[i + 2] == 0xA8 || (unsigned char)s[i + 2] == 0xA9)) {
            ks_buf_puts(b, (unsigned char)s[i + 2] == 0xA8 ? "\\u2028" : "\\u2029");
            i += 2;
        } else
            ks_buf_putc(b, (char)ch);
    }
    ks_buf_putc(b, '"');
}

/* ---------------------------------------------------------------- state (mu held) */

static void set_status(panel *p, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void set_status(panel *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->status, sizeof p->status, fmt, ap);
    va_end(ap);
}

static void publish(panel *p)
{
    ks_buf *b = &p->state_json;
    ks_buf_reset(b);
    char num[160];
    p->seq++;
    snprintf(num, sizeof num, "{\"seq\":%llu,\"textVersion\":%llu,\"mode\":\"%s\",\"current\":%d,\"count\":%d,"
             "\"rate\":%d,\"status\":",
             (unsigned long long)p->seq, (unsigned long long)p->text_version, mode_names[p->mode], p->cur, p->n,
             p->rate);
    ks_buf_puts(b, num);
    serve_json_str(b, p->status, strlen(p->status));
    ks_buf_puts(b, ",\"device\":");
    serve_json_str(b, p->device_error, strlen(p->device_error));
    ks_buf_puts(b, "}");
    pthread_cond_broadcast(&p->state_cv);
}

/* The text's sentences as JSON, whitespace folded. */
static void publish_text(panel *p)
{
    ks_buf *b = &p->text_json;
    ks_buf_reset(b);
    p->text_version++;
    char num[64];
    snprintf(num, sizeof num, "{\"textVersion\":%llu,\"sentences\":[", (unsigned long long)p->text_version);
    ks_buf_puts(b, num);
    ks_buf one = {0};
    for (int i = 0; i < p->n; i++) {
        ks_buf_reset(&one);
        int space = 0;
        for (size_t k = 0; k < p->s[i].len; k++) {
            char ch = p->text[p->s[i].off + k];
            if (ch == ' ' || ch == '\n' || ch == '\t' || ch == '\r') {
                space = one.len > 0;
                continue;
            }
            if (space)
                ks_buf_putc(&one, ' ');
            space = 0;
            ks_buf_putc(&one, ch);
        }
        if (i)
            ks_buf_putc(b, ',');
        serve_json_str(b, one.data ? one.data : "", one.len);
    }
    ks_buf_free(&one);
    ks_buf_puts(b, "]}");
}

/* Take a new text (owned from now on). */
static void load_text(panel *p, char *text, size_t len)
{
    free(p->text);
    free(p->s);
    p->text = text;
    p->s = NULL;
    p->n = 0;
    cli_sentence *v;
    int n = cli_split_sentences(text, len, PANEL_SENTENCE, &v);
    p->s = n > 0 ? malloc((size_t)n * sizeof *p->s) : NULL;
    for (int i = 0; p->s && i < n; i++)
        p->s[p->n++] = (span){v[i].off, v[i].len};
    free(v);
    p->cur = 0;
    p->mode = p->n ? MODE_READY : MODE_EMPTY;
    if (p->n)
        set_status(p, "Text loaded: %d sentence%s. Press P to play.", p->n, p->n == 1 ? "" : "s");
    else
        set_status(p, "The text has nothing to read.");
    publish_text(p);
}

static void announce_sentence(panel *p)
{
    set_status(p, "Sentence %d of %d%s.", p->cur + 1, p->n, p->mode == MODE_PAUSED ? " (paused)" : "");
}

/* Act on one command (mu held). Returns 1 when the sentence being spoken must stop. */
static int handle(panel *p, cmd *k)
{
    int stop = 0;
    if (k->cmd == PANEL_LOAD) {
        p->action = ACT_LOAD;
        load_text(p, k->text, k->len);
        k->text = NULL;
        publish(p);
        return 1;
    }
    if (p->n == 0) {
        set_status(p, "No text loaded: paste or load a text first.");
        publish(p);
        return 0;
    }
    if (p->device_error[0] && (k->cmd == PANEL_PLAY || k->cmd == PANEL_PAUSE)) {
        set_status(p, "No sound device: %s", p->device_error);
        publish(p);
        return 0;
    }
    switch (k->cmd) {
    case PANEL_PLAY:
    case PANEL_PAUSE:
        if (p->mode == MODE_PLAYING && k->cmd == PANEL_PAUSE) {
            p->mode = MODE_PAUSED;
            if (p->speaking)
                ks_reader_pause(p->reader);
            set_status(p, "Paused at sentence %d of %d.", p->cur + 1, p->n);
        } else if (p->mode == MODE_PAUSED) {
            p->mode = MODE_PLAYING;
            ks_reader_resume(p->reader);
            set_status(p, "Playing sentence %d of %d.", p->cur + 1, p->n);
        } else if (p->mode != MODE_PLAYING) {
            if (p->mode == MODE_ENDED)
                p->cur = 0;
            p->mode = MODE_PLAYING;
            p->fresh = 1;
            announce_sentence(p);
        }
        break;
    case PANEL_STOP:
        if (p->mode == MODE_PLAYING || p->mode == MODE_PAUSED) {
            p->mode = MODE_STOPPED;
            ks_reader_resume(p->reader);
            p->action = ACT_STOP;
            stop = p->speaking;
            set_status(p, "Stopped at sentence %d of %d.", p->cur + 1, p->n);
        }
        break;
    case PANEL_NEXT:
    case PANEL_PREV:
    case PANEL_REPEAT:
    case PANEL_GOTO: {
        int to = p->cur;
        if (k->cmd == PANEL_NEXT) {
            if (p->cur + 1 >= p->n) {
                set_status(p, "This is the last sentence.");
                break;
            }
            to = p->cur + 1;
        } else if (k->cmd == PANEL_PREV) {
            if (p->cur == 0) {
                set_status(p, "This is the first sentence.");
                break;
            }
            to = p->cur - 1;
        } else if (k->cmd == PANEL_GOTO) {
            if (k->arg < 0 || k->arg >= p->n)
                break;
            to = (int)k->arg;
        }
        p->cur = to;
        if (p->mode == MODE_ENDED)
            p->mode = MODE_STOPPED;
        p->action = ACT_JUMP;
        p->fresh = 1;
        stop = p->speaking;
        announce_sentence(p);
        break;
    }
    case PANEL_SLOWER:
    case PANEL_FASTER: {
        int r = p->rate + (k->cmd == PANEL_FASTER ? RATE_STEP : -RATE_STEP);
        if (r < KS_RATE_MIN)
            r = KS_RATE_MIN;
        if (r > KS_RATE_MAX)
            r = KS_RATE_MAX;
        p->rate = r;
        set_status(p, "Speed %d%s.", r, p->speaking && p->mode == MODE_PLAYING ? " from the next sentence" : "");
        break;
    }
    default:
        break;
    }
    publish(p);
    return stop;
}

/* Handle queued commands (mu held). Returns 1 when speaking must stop. */
static int drain(panel *p)
{
    int stop = 0;
    while (p->nq > 0 && !stop) {
        cmd k = p->q[0];
        memmove(p->q, p->q + 1, (size_t)(p->nq - 1) * sizeof p->q[0]);
        p->nq--;
        stop = handle(p, &k);
        free(k.text);
    }
    return stop || p->quit;
}

/* The reader's poll hook, between device writes and while paused. */
static int panel_poll(void *user)
{
    panel *p = user;
    pthread_mutex_lock(&p->mu);
    int stop = drain(p);
    pthread_mutex_unlock(&p->mu);
    return stop;
}

/* ---------------------------------------------------------------- the player thread */

static void speak_current(panel *p)
{
    cli_ctx *c = p->c;
    ks_error err;
    if (p->rate != p->spoken_rate) {
        if (ks_engine_set_param(c->eng, KS_PARAM_RATE, p->rate, &err) != KS_OK)
            cli_error("serve: panel: %s", err.msg);
        else
            p->spoken_rate = p->rate;
    }
    if (p->fresh)
        ks_playback_trim_next(p->sink);
    p->fresh = 0;
    span s = p->s[p->cur];
    ks_status st = ks_reader_speak(p->reader, p->text + s.off, s.len, &err);
    pthread_mutex_lock(&p->mu);
    p->speaking = 0;
    if (st != KS_OK && st != KS_ESTOPPED) {
        cli_error("serve: panel: %s", err.msg);
        p->mode = MODE_STOPPED;
        set_status(p, "Playback failed: %s", err.msg);
        publish(p);
    }
}

static void *player(void *arg)
{
    panel *p = arg;
    cli_ctx *c = p->c;
    int rc = cli_playback_open(c, &p->sink);
    pthread_mutex_lock(&p->mu);
    if (rc != 0)
        snprintf(p->device_error, sizeof p->device_error, "%s",
                 c->eng ? "the sound device cannot be opened" : "the engine cannot be loaded");
    else {
        ks_reader_callbacks cb = {NULL, NULL, panel_poll, p};
        pthread_mutex_unlock(&p->mu);
        int r = cli_reader_new(c, p->sink, &cb, &p->reader);
        pthread_mutex_lock(&p->mu);
        if (r != 0)
            snprintf(p->device_error, sizeof p->device_error, "the reader cannot be made");
        p->rate = p->spoken_rate = ks_engine_get_param(c->eng, KS_PARAM_RATE);
    }
    if (!p->rate)
        p->rate = 175;
    set_status(p, "%s", p->device_error[0] ? "No sound device: the panel cannot play." : "Ready: paste or load a text.");
    publish_text(p);
    publish(p);
    p->ready = 1;
    pthread_cond_broadcast(&p->ready_cv);
    while (!p->quit) {
        if (p->mode == MODE_PLAYING && p->reader) {
            p->action = ACT_NONE;
            p->speaking = 1;
            pthread_mutex_unlock(&p->mu);
            speak_current(p); /* returns with mu held */
            if (p->quit)
                break;
            if (p->action == ACT_NONE && p->mode == MODE_PLAYING) {
                if (p->cur + 1 < p->n) {
                    p->cur++;
                    announce_sentence(p);
                } else {
                    pthread_mutex_unlock(&p->mu);
                    ks_error err;
                    ks_playback_drain(p->sink, &err); /* "end" once it was heard */
                    pthread_mutex_lock(&p->mu);
                    if (p->mode == MODE_PLAYING && p->action == ACT_NONE) {
                        p->mode = MODE_ENDED;
                        set_status(p, "End of text: %d sentence%s read.", p->n, p->n == 1 ? "" : "s");
                    }
                }
                publish(p);
            } else if (p->action != ACT_NONE && p->mode != MODE_PLAYING) {
                pthread_mutex_unlock(&p->mu);
                ks_playback_flush(p->sink); /* stopped, or jumped while paused: silence now */
                pthread_mutex_lock(&p->mu);
            }
            continue;
        }
        if (p->nq > 0) {
            drain(p);
            continue;
        }
        pthread_cond_wait(&p->cmd_cv, &p->mu);
    }
    pthread_mutex_unlock(&p->mu);
    ks_reader_free(p->reader);
    p->reader = NULL;
    if (p->sink) {
        ks_playback_flush(p->sink);
        ks_sink_abort(p->sink);
        p->sink = NULL;
    }
    return NULL;
}

/* ---------------------------------------------------------------- the server's side */

int panel_start(panel **out, cli_ctx *c, size_t max_text)
{
    *out = NULL;
    panel *p = calloc(1, sizeof *p);
    if (!p) {
        cli_error("out of memory");
        return -1;
    }
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cmd_cv, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&p->state_cv, &ca);
    pthread_condattr_destroy(&ca);
    pthread_cond_init(&p->ready_cv, NULL);
    p->c = c;
    p->max_text = max_text;
    ks_buf_init(&p->state_json, 1 << 20);
    ks_buf_init(&p->text_json, 64u << 20);
    if (pthread_create(&p->th, NULL, player, p) != 0) {
        cli_error("serve: cannot start the panel's thread");
        panel_free(p);
        return -1;
    }
    p->started = 1;
    pthread_mutex_lock(&p->mu);
    while (!p->ready)
        pthread_cond_wait(&p->ready_cv, &p->mu);
    pthread_mutex_unlock(&p->mu);
    *out = p;
    return 0;
}

int panel_command(panel *p, int cmd_, long arg, const char *text, size_t len, char *msg, size_t msg_len)
{
    if (cmd_ < PANEL_PLAY || cmd_ > PANEL_LOAD) {
        snprintf(msg, msg_len, "unknown command");
        return 400;
    }
    char *copy = NULL;
    if (cmd_ == PANEL_LOAD) {
        copy = malloc(len + 1);
        if (!copy) {
            snprintf(msg, msg_len, "out of memory");
            return 500;
        }
        memcpy(copy, text, len);
        copy[len] = '\0';
    }
    pthread_mutex_lock(&p->mu);
    if (p->nq >= QUEUE_MAX || p->quit) {
        pthread_mutex_unlock(&p->mu);
        free(copy);
        snprintf(msg, msg_len, "the panel is busy");
        return 503;
    }
    p->q[p->nq++] = (cmd){cmd_, arg, copy, len};
    pthread_cond_signal(&p->cmd_cv);
    pthread_mutex_unlock(&p->mu);
    return 0;
}

long panel_events(panel *p, uint64_t *seq, uint64_t *text_version, unsigned wait_ms, char **out)
{
    *out = NULL;
    pthread_mutex_lock(&p->mu);
    if (*seq == p->seq && !p->quit) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_sec += wait_ms / 1000;
        ts.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        while (*seq == p->seq && !p->quit)
            if (pthread_cond_timedwait(&p->state_cv, &p->mu, &ts) == ETIMEDOUT)
                break;
    }
    if (p->quit) {
        pthread_mutex_unlock(&p->mu);
        return -1;
    }
    ks_buf b = {0};
    if (*seq == p->seq)
        ks_buf_puts(&b, ": keep-alive\n\n");
    else {
        if (*text_version != p->text_version) {
            ks_buf_puts(&b, "event: text\ndata: ");
            ks_buf_append(&b, p->text_json.data, p->text_json.len);
            ks_buf_puts(&b, "\n\n");
            *text_version = p->text_version;
        }
        ks_buf_puts(&b, "event: state\ndata: ");
        ks_buf_append(&b, p->state_json.data, p->state_json.len);
        ks_buf_puts(&b, "\n\n");
        *seq = p->seq;
    }
    pthread_mutex_unlock(&p->mu);
    if (b.failed) {
        ks_buf_free(&b);
        return -1;
    }
    *out = b.data;
    return (long)b.len;
}

void panel_stop(panel *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->quit = 1;
    if (p->reader)
        ks_reader_cancel(p->reader);
    pthread_cond_broadcast(&p->cmd_cv);
    pthread_cond_broadcast(&p->state_cv);
    pthread_mutex_unlock(&p->mu);
}

void panel_free(panel *p)
{
    if (!p)
        return;
    panel_stop(p);
    if (p->started)
        pthread_join(p->th, NULL);
    for (int i = 0; i < p->nq; i++)
        free(p->q[i].text);
    free(p->text);
    free(p->s);
    ks_buf_free(&p->state_json);
    ks_buf_free(&p->text_json);
    pthread_cond_destroy(&p->cmd_cv);
    pthread_cond_destroy(&p->state_cv);
    pthread_cond_destroy(&p->ready_cv);
    pthread_mutex_destroy(&p->mu);
    free(p);
}
