/* serve.c - `kazspeak serve`: an HTTP speech service and an operator panel,
 * on libmicrohttpd (one thread per connection; a connection may block while a
 * worker makes its audio).
 *
 *   GET|POST /process       MaryTTS: INPUT_TEXT INPUT_TYPE OUTPUT_TYPE AUDIO LOCALE VOICE
 *   GET /voices /locales /version   MaryTTS listings (plain text)
 *   POST /api/speak         text or SSML -> wav (streamed) | ogg | opus | mp3 | flac
 *   POST /api/normalize     text -> normalized text
 *   GET /                   the operator panel (one page, no external assets)
 *   GET /events             its state, pushed as Server-Sent Events
 *   POST /panel/text, /panel/command   load a text, play/pause/prev/next/...
 *
 * Everything is bounded: body and text size (413), the queue (503 with
 * Retry-After), time per request (504 or a cut stream), connections. SIGTERM
 * stops accepting and finishes every request in flight first. Loopback only
 * unless --token; no file is read or written on a request's say (voices are
 * loaded at start-up; other formats go through a private temporary folder). */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "serve.h"

#define MAX_VOICES 32
#define MAX_FIELDS 16
#define SSE_WAIT_MS 15000

typedef struct server {
    cli_ctx *c;
    serve_pool *pool;
    panel *panel;
    struct MHD_Daemon *d;
    ks_voice voices[MAX_VOICES];
    int n_voices;
    int jobs, queue;
    size_t max_text, max_body;
    unsigned timeout_ms;
    char token[1024];
    size_t token_len;
    const char *cors;
    int log_text, quiet;
    int port;
    char listen_host[256];
    char tmpdir[4096];
    pthread_mutex_t mu; /* active, stopping */
    int active;         /* synthesis requests admitted and not finished */
    int stopping;
    pthread_mutex_t norm_mu;
    ks_normalizer *norm; /* for /api/normalize (the panel and workers have their own) */
} server;

typedef struct field {
    char name[32];
    ks_buf val;
} field;

enum { R_NONE, R_PAGE, R_EVENTS, R_PROCESS, R_VOICES, R_LOCALES, R_VERSION, R_SPEAK, R_NORMALIZE, R_PANEL_TEXT,
       R_PANEL_CMD, R_OPTIONS };

typedef struct req {
    int route;
    int started;
    struct MHD_PostProcessor *pp;
    int raw;          /* the body is the text itself (not a form) */
    const char *raw_type;
    ks_buf body;
    field f[MAX_FIELDS];
    int nf;
    size_t total;
    int too_big;
    int counted;      /* holds an admission slot */
    double t0;
    int status;
    uint64_t bytes;
    size_t text_len;
    char *log_text;
    char method[8];
    char url[96];
} req;

/* ---------------------------------------------------------------- small helpers */

static void log_line(server *s, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void log_line(server *s, const char *fmt, ...)
{
    (void)s;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    for (char *p = msg; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7F)
            *p = ' ';
    fprintf(stderr, "kazspeak serve: %s\n", msg);
}

static void mhd_logger(void *cls, const char *fmt, va_list ap)
{
    server *s = cls;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = '\0';
    log_line(s, "http: %s", msg);
}

/* Constant time in the length of the expected token. */
static int token_equal(const char *got, size_t glen, const char *want, size_t wlen)
{
    volatile unsigned char d = glen != wlen;
    for (size_t i = 0; i < wlen; i++)
        d |= (unsigned char)(want[i] ^ (i < glen ? got[i] : 0));
    return d == 0;
}

static void common_headers(server *s, struct MHD_Response *r)
{
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    if (s->cors) {
        MHD_add_response_header(r, "Access-Control-Allow-Origin", s->cors);
        MHD_add_response_header(r, "Vary", "Origin");
    }
}

static enum MHD_Result send_buf(server *s, struct MHD_Connection *conn, req *q, int status, const char *type,
                                const char *data, size_t len)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)data, MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, "Content-Type", type);
    common_headers(s, r);
    if (status == 503)
        MHD_add_response_header(r, "Retry-After", "1");
    if (status == 401)
        MHD_add_response_header(r, "WWW-Authenticate", "Bearer realm=\"kazspeak\"");
    if (status == 405)
        MHD_add_response_header(r, "Allow", q->route == R_PROCESS ? "GET, POST" : q->route == R_SPEAK ||
                                q->route == R_NORMALIZE || q->route == R_PANEL_CMD || q->route == R_PANEL_TEXT
                                ? "POST" : "GET");
    if (q->route == R_PAGE) {
        MHD_add_response_header(r, "Content-Security-Policy",
                                "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
                                "connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; "
                                "frame-ancestors 'none'");
        MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
        MHD_add_response_header(r, "X-Frame-Options", "DENY");
    }
    q->status = status;
    q->bytes = len;
    enum MHD_Result ret = MHD_queue_response(conn, (unsigned)status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result send_text(server *s, struct MHD_Connection *conn, req *q, int status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

static enum MHD_Result send_text(server *s, struct MHD_Connection *conn, req *q, int status, const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(msg, sizeof msg - 1, fmt, ap);
    va_end(ap);
    size_t len = n < 0 ? 0 : (size_t)n < sizeof msg - 1 ? (size_t)n : sizeof msg - 2;
    msg[len++] = '\n';
    return send_buf(s, conn, q, status, "text/plain; charset=utf-8", msg, len);
}

/* ---------------------------------------------------------------- parameters */

static field *field_get(req *q, const char *name)
{
    for (int i = 0; i < q->nf; i++)
        if (strcmp(q->f[i].name, name) == 0)
            return &q->f[i];
    return NULL;
}

static enum MHD_Result post_iter(void *cls, enum MHD_ValueKind kind, const char *key, const char *filename,
                                 const char *content_type, const char *transfer_encoding, const char *data,
                                 uint64_t off, size_t size)
{
    (void)kind;
    (void)filename;
    (void)content_type;
    (void)transfer_encoding;
    (void)off;
    req *q = cls;
    if (!key || strlen(key) >= sizeof q->f[0].name)
        return MHD_YES; /* not one of ours */
    field *f = field_get(q, key);
    if (!f) {
        if (q->nf >= MAX_FIELDS)
            return MHD_YES;
        f = &q->f[q->nf++];
        snprintf(f->name, sizeof f->name, "%s", key);
        ks_buf_init(&f->val, 0);
        ks_buf_append(&f->val, "", 0);
    }
    if (size && ks_buf_append(&f->val, data, size) != 0)
        q->too_big = 1;
    return MHD_YES;
}

/* A parameter: a form field, else a URL argument. NULL when absent. */
static const char *param(struct MHD_Connection *conn, req *q, const char *name, size_t *len)
{
    field *f = field_get(q, name);
    if (f) {
        if (len)
            *len = f->val.len;
        return f->val.data ? f->val.data : "";
    }
    const char *v = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, name);
    if (v && len)
        *len = strlen(v);
    return v;
}

static int parse_int(const char *s, int min, int max, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < min || v > max)
        return -1;
    *out = (int)v;
    return 0;
}

static int find_voice(server *s, const char *name)
{
    for (int i = 0; i < s->n_voices; i++)
        if (strcmp(s->voices[i].name, name) == 0)
            return i;
    return -1;
}

/* ---------------------------------------------------------------- audio responses */

typedef struct audio_resp {
    server *s;
    serve_stream *st;
    uint64_t *bytes;
    char url[96];
} audio_resp;

static ssize_t audio_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    audio_resp *a = cls;
    char msg[300];
    long n = stream_read(a->st, buf, max, msg, sizeof msg);
    if (n > 0) {
        *a->bytes += (uint64_t)n;
        return (ssize_t)n;
    }
    if (n == 0)
        return MHD_CONTENT_READER_END_OF_STREAM;
    log_line(a->s, "%s: audio cut short: %s", a->url, msg);
    return MHD_CONTENT_READER_END_WITH_ERROR;
}

static void audio_free(void *cls)
{
    audio_resp *a = cls;
    stream_close(a->st);
    free(a);
}

static const char *mime_of(int fmt, int mary)
{
    switch (fmt) {
    case KS_FORMAT_FLAC: return "audio/flac";
    case KS_FORMAT_OGG: return "audio/ogg";
    case KS_FORMAT_OPUS: return "audio/ogg; codecs=opus";
    case KS_FORMAT_MP3: return "audio/mpeg";
    default: return mary ? "audio/x-wav" : "audio/wav";
    }
}

/* Admit, hand to a worker, answer with its audio. */
static enum MHD_Result speak(server *s, struct MHD_Connection *conn, req *q, serve_job *job, int mary)
{
    if (job->text_len > s->max_text)
        return send_text(s, conn, q, 413, "the text is %zu bytes; the limit is %zu (--max-text)", job->text_len,
                         s->max_text);
    pthread_mutex_lock(&s->mu);
    int admit = !s->stopping && s->active < s->jobs + s->queue;
    if (admit)
        s->active++;
    pthread_mutex_unlock(&s->mu);
    if (!admit)
        return send_text(s, conn, q, 503, "busy: %d requests are being made or waiting; try again", s->jobs + s->queue);
    q->counted = 1;
    job->timeout_ms = s->timeout_ms;
    serve_stream *st;
    int64_t length;
    char msg[300];
    int code = pool_submit(s->pool, job, &st, &length, msg, sizeof msg);
    if (code)
        return send_text(s, conn, q, code, "%s", msg);
    audio_resp *a = calloc(1, sizeof *a);
    if (!a) {
        stream_close(st);
        return send_text(s, conn, q, 500, "out of memory");
    }
    a->s = s;
    a->st = st;
    a->bytes = &q->bytes;
    snprintf(a->url, sizeof a->url, "%s", q->url);
    struct MHD_Response *r =
        MHD_create_response_from_callback(length < 0 ? MHD_SIZE_UNKNOWN : (uint64_t)length, 32768, audio_read, a,
                                          audio_free);
    if (!r) {
        audio_free(a);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", mime_of(job->format, mary));
    common_headers(s, r);
    q->status = 200;
    enum MHD_Result ret = MHD_queue_response(conn, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return ret;
}

static int parse_format(const char *f)
{
    static const struct {
        const char *name;
        int fmt;
    } t[] = {{"wav", KS_FORMAT_WAV}, {"wave", KS_FORMAT_WAV}, {"ogg", KS_FORMAT_OGG}, {"opus", KS_FORMAT_OPUS},
             {"mp3", KS_FORMAT_MP3}, {"flac", KS_FORMAT_FLAC}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (strcasecmp(f, t[i].name) == 0)
            return t[i].fmt;
    return -1;
}

/* The text of a request: a raw body, else the field `name`. */
static const char *req_text(struct MHD_Connection *conn, req *q, const char *name, size_t *len)
{
    if (q->raw) {
        *len = q->body.len;
        return q->body.data ? q->body.data : "";
    }
    return param(conn, q, name, len);
}

static void keep_log_text(server *s, req *q, const char *text, size_t len)
{
    q->text_len = len;
    if (!s->log_text)
        return;
    size_t n = len < 200 ? len : 200;
    while (n > 0 && n < len && ((unsigned char)text[n] & 0xC0) == 0x80)
        n--;
    free(q->log_text);
    q->log_text = strndup(text, n);
}

static enum MHD_Result api_speak(server *s, struct MHD_Connection *conn, req *q)
{
    serve_job job;
    memset(&job, 0, sizeof job);
    job.format = KS_FORMAT_WAV;
    job.rate = job.pitch = -1;
    size_t len = 0;
    const char *text = req_text(conn, q, "text", &len);
    const char *ssml = param(conn, q, "ssml", NULL);
    const char *type = param(conn, q, "type", NULL);
    if (!q->raw && ssml && !text) {
        text = param(conn, q, "ssml", &len);
        job.ssml = 1;
    }
    if (type && strcasecmp(type, "ssml") == 0)
        job.ssml = 1;
    else if (type && strcasecmp(type, "text") != 0)
        return send_text(s, conn, q, 400, "type must be text or ssml, not '%.40s'", type);
    if (q->raw && q->raw_type && strstr(q->raw_type, "ssml"))
        job.ssml = 1;
    if (!text || len == 0)
        return send_text(s, conn, q, 400, "no text: send it as the request body (text/plain or application/ssml+xml) "
                                          "or as the form field 'text' or 'ssml'");
    keep_log_text(s, q, text, len);
    const char *v;
    if ((v = param(conn, q, "format", NULL)) && (job.format = parse_format(v)) < 0)
        return send_text(s, conn, q, 400, "format must be one of %s, not '%.40s'", ks_format_list(), v);
    job.whole = job.format != KS_FORMAT_WAV;
    job.voice = 0;
    if ((v = param(conn, q, "voice", NULL)) && (job.voice = find_voice(s, v)) < 0)
        return send_text(s, conn, q, 400, "unknown voice '%.60s' (see /voices)", v);
    if ((v = param(conn, q, "rate", NULL)) && parse_int(v, KS_RATE_MIN, KS_RATE_MAX, &job.rate) != 0)
        return send_text(s, conn, q, 400, "rate must be a whole number from %d to %d (words per minute)", KS_RATE_MIN,
                         KS_RATE_MAX);
    if ((v = param(conn, q, "pitch", NULL)) && parse_int(v, 0, KS_PITCH_MAX, &job.pitch) != 0)
        return send_text(s, conn, q, 400, "pitch must be a whole number from 0 to %d", KS_PITCH_MAX);
    job.text = text;
    job.text_len = len;
    return speak(s, conn, q, &job, 0);
}

static enum MHD_Result mary_process(server *s, struct MHD_Connection *conn, req *q)
{
    serve_job job;
    memset(&job, 0, sizeof job);
    job.format = KS_FORMAT_WAV;
    job.whole = 1;
    job.rate = job.pitch = -1;
    size_t len = 0;
    const char *text = param(conn, q, "INPUT_TEXT", &len);
    if (!text || len == 0)
        return send_text(s, conn, q, 400, "INPUT_TEXT is missing or empty");
    keep_log_text(s, q, text, len);
    const char *v = param(conn, q, "INPUT_TYPE", NULL);
    if (v && strcmp(v, "SSML") == 0)
        job.ssml = 1;
    else if (v && strcmp(v, "TEXT") != 0)
        return send_text(s, conn, q, 400, "INPUT_TYPE must be TEXT or SSML, not '%.40s'", v);
    v = param(conn, q, "OUTPUT_TYPE", NULL);
    if (v && strcmp(v, "AUDIO") != 0)
        return send_text(s, conn, q, 400, "OUTPUT_TYPE must be AUDIO, not '%.40s'", v);
    v = param(conn, q, "AUDIO", NULL);
    if (v && strcmp(v, "WAVE") == 0)
        job.whole = 0; /* streamed, length unknown */
    else if (v && strcmp(v, "WAVE_FILE") != 0)
        return send_text(s, conn, q, 400, "AUDIO must be WAVE_FILE or WAVE, not '%.40s'", v);
    v = param(conn, q, "LOCALE", NULL);
    if (v && strcasecmp(v, "kk") != 0 && strcasecmp(v, "kk_KZ") != 0 && strcasecmp(v, "kk-KZ") != 0) {
        if (strncasecmp(v, "ru", 2) == 0 || strncasecmp(v, "en", 2) == 0)
            return send_text(s, conn, q, 400, "LOCALE %.20s is not available yet: kazspeak reads Kazakh (kk)", v);
        return send_text(s, conn, q, 400, "unknown LOCALE '%.40s' (see /locales)", v);
    }
    v = param(conn, q, "VOICE", NULL);
    job.voice = 0;
    if (v && *v && (job.voice = find_voice(s, v)) < 0)
        return send_text(s, conn, q, 400, "unknown VOICE '%.60s' (see /voices)", v);
    job.text = text;
    job.text_len = len;
    return speak(s, conn, q, &job, 1);
}

static enum MHD_Result api_normalize(server *s, struct MHD_Connection *conn, req *q)
{
    size_t len = 0;
    const char *text = req_text(conn, q, "text", &len);
    if (!text)
        return send_text(s, conn, q, 400, "no text: send it as the request body or as the form field 'text'");
    keep_log_text(s, q, text, len);
    if (len > s->max_text)
        return send_text(s, conn, q, 413, "the text is %zu bytes; the limit is %zu (--max-text)", len, s->max_text);
    ks_buf out;
    ks_buf_init(&out, s->max_text * 8 + 4096);
    ks_error err;
    pthread_mutex_lock(&s->norm_mu);
    ks_status st = ks_text_prepare(s->norm, s->c->translit, KS_SCRIPT_AUTO, text, len, &out, NULL, &err);
    pthread_mutex_unlock(&s->norm_mu);
    enum MHD_Result r;
    if (st != KS_OK || out.failed)
        r = send_text(s, conn, q, 500, "%s", st != KS_OK ? err.msg : "the result is too long");
    else {
        if (out.len == 0 || out.data[out.len - 1] != '\n')
            ks_buf_putc(&out, '\n');
        r = send_buf(s, conn, q, 200, "text/plain; charset=utf-8", out.data, out.len);
    }
    ks_buf_free(&out);
    return r;
}

/* ---------------------------------------------------------------- MaryTTS listings */

static enum MHD_Result mary_voices(server *s, struct MHD_Connection *conn, req *q)
{
    ks_buf b = {0};
    for (int i = 0; i < s->n_voices; i++) {
        const char *plus = strchr(s->voices[i].espeak, '+');
        int female = plus && plus[1] == 'f';
        char line[200];
        snprintf(line, sizeof line, "%s kk %s espeak\n", s->voices[i].name, female ? "female" : "male");
        ks_buf_puts(&b, line);
    }
    enum MHD_Result r = send_buf(s, conn, q, 200, "text/plain; charset=utf-8", b.data ? b.data : "", b.len);
    ks_buf_free(&b);
    return r;
}

/* ---------------------------------------------------------------- the panel */

typedef struct sse {
    server *s;
    uint64_t seq, text_version;
    char *buf;
    size_t len, pos;
} sse;

static ssize_t sse_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    sse *e = cls;
    if (e->pos >= e->len) {
        free(e->buf);
        e->buf = NULL;
        e->len = e->pos = 0;
        long n = panel_events(e->s->panel, &e->seq, &e->text_version, SSE_WAIT_MS, &e->buf);
        if (n < 0)
            return MHD_CONTENT_READER_END_OF_STREAM;
        e->len = (size_t)n;
    }
    size_t n = e->len - e->pos < max ? e->len - e->pos : max;
    memcpy(buf, e->buf + e->pos, n);
    e->pos += n;
    return (ssize_t)n;
}

static void sse_free(void *cls)
{
    sse *e = cls;
    free(e->buf);
    free(e);
}

static enum MHD_Result events(server *s, struct MHD_Connection *conn, req *q)
{
    if (!s->panel)
        return send_text(s, conn, q, 404, "the panel is off (--no-panel)");
    sse *e = calloc(1, sizeof *e);
    if (!e)
        return send_text(s, conn, q, 500, "out of memory");
    e->s = s;
    struct MHD_Response *r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, sse_read, e, sse_free);
    if (!r) {
        sse_free(e);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", "text/event-stream; charset=utf-8");
    common_headers(s, r);
    q->status = 200;
    enum MHD_Result ret = MHD_queue_response(conn, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result panel_cmd(server *s, struct MHD_Connection *conn, req *q)
{
    static const struct {
        const char *name;
        int cmd;
    } t[] = {{"play", PANEL_PLAY}, {"pause", PANEL_PAUSE}, {"prev", PANEL_PREV}, {"next", PANEL_NEXT},
             {"repeat", PANEL_REPEAT}, {"slower", PANEL_SLOWER}, {"faster", PANEL_FASTER}, {"stop", PANEL_STOP},
             {"goto", PANEL_GOTO}};
    if (!s->panel)
        return send_text(s, conn, q, 404, "the panel is off (--no-panel)");
    char msg[200];
    int code;
    if (q->route == R_PANEL_TEXT) {
        size_t len = 0;
        const char *text = req_text(conn, q, "text", &len);
        if (!text)
            return send_text(s, conn, q, 400, "no text");
        keep_log_text(s, q, text, len);
        if (len > s->max_text)
            return send_text(s, conn, q, 413, "the text is %zu bytes; the limit is %zu (--max-text)", len, s->max_text);
        code = panel_command(s->panel, PANEL_LOAD, 0, text, len, msg, sizeof msg);
    } else {
        const char *c = param(conn, q, "command", NULL);
        int cmd = 0;
        for (size_t i = 0; c && i < sizeof t / sizeof t[0]; i++)
            if (strcmp(c, t[i].name) == 0)
                cmd = t[i].cmd;
        if (!cmd)
            return send_text(s, conn, q, 400, "command must be play, pause, prev, next, repeat, slower, faster, stop "
                                              "or goto");
        int index = 0;
        const char *v = param(conn, q, "index", NULL);
        if (cmd == PANEL_GOTO && (!v || parse_int(v, 0, 1 << 30, &index) != 0))
            return send_text(s, conn, q, 400, "goto needs index, a sentence number from 0");
        code = panel_command(s->panel, cmd, index, NULL, 0, msg, sizeof msg);
    }
    if (code)
        return send_text(s, conn, q, code, "%s", msg);
    return send_buf(s, conn, q, 204, "text/plain", "", 0);
}

/* ---------------------------------------------------------------- the access handler */

static int route_of(const char *url)
{
    static const struct {
        const char *url;
        int route;
    } t[] = {{"/", R_PAGE}, {"/events", R_EVENTS}, {"/process", R_PROCESS}, {"/voices", R_VOICES},
             {"/locales", R_LOCALES}, {"/version", R_VERSION}, {"/api/speak", R_SPEAK},
             {"/api/normalize", R_NORMALIZE}, {"/panel/text", R_PANEL_TEXT}, {"/panel/command", R_PANEL_CMD}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (strcmp(url, t[i].url) == 0)
            return t[i].route;
    return R_NONE;
}

static int method_ok(int route, const char *m)
{
    int get = strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0, post = strcmp(m, "POST") == 0;
    switch (route) {
    case R_PROCESS: return get || post;
    case R_SPEAK: case R_NORMALIZE: case R_PANEL_TEXT: case R_PANEL_CMD: return post;
    default: return get;
    }
}

/* Without a token, only a loopback Host (a page on another site cannot rebind a name to 127.0.0.1). */
static int host_ok(server *s, struct MHD_Connection *conn)
{
    const char *h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Host");
    if (!h)
        return 1; /* HTTP/1.0 */
    static const char *const names[] = {"127.0.0.1", "localhost", "[::1]"};
    const char *colon = strrchr(h, ':');
    size_t hl = colon && colon[1] != ']' && strchr(h, ']') < colon ? (size_t)(colon - h) : strlen(h);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (hl == strlen(names[i]) && strncasecmp(h, names[i], hl) == 0)
            return 1;
    return hl == strlen(s->listen_host) && strncasecmp(h, s->listen_host, hl) == 0;
}

static int auth_ok(server *s, struct MHD_Connection *conn)
{
    if (!s->token_len)
        return 1;
    const char *a = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
    if (!a || strncasecmp(a, "Bearer ", 7) != 0)
        return 0;
    a += 7;
    while (*a == ' ')
        a++;
    return token_equal(a, strlen(a), s->token, s->token_len);
}

static int is_form(const char *type)
{
    return type && (strncasecmp(type, "application/x-www-form-urlencoded", 33) == 0 ||
                    strncasecmp(type, "multipart/form-data", 19) == 0);
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                               const char *version, const char *upload_data, size_t *upload_size, void **con_cls)
{
    (void)version;
    server *s = cls;
    req *q = *con_cls;
    if (!q) {
        q = calloc(1, sizeof *q);
        if (!q)
            return MHD_NO;
        *con_cls = q;
        q->t0 = cli_now();
        snprintf(q->method, sizeof q->method, "%s", method);
        snprintf(q->url, sizeof q->url, "%s", url);
        q->route = route_of(url);
        ks_buf_init(&q->body, s->max_body);
        if (strcmp(method, "OPTIONS") == 0 && s->cors && q->route != R_NONE) {
            q->route = R_OPTIONS;
            return MHD_YES;
        }
        if (!s->token_len && !host_ok(s, conn))
            return send_text(s, conn, q, 403, "unexpected Host header");
        if (q->route == R_NONE)
            return send_text(s, conn, q, 404, "not found: %.60s", url);
        if (!method_ok(q->route, method))
            return send_text(s, conn, q, 405, "%s is not allowed here", method);
        if (q->route != R_PAGE && !auth_ok(s, conn))
            return send_text(s, conn, q, 401, "a bearer token is required (Authorization: Bearer ...)");
        if ((q->route == R_PANEL_CMD || q->route == R_PANEL_TEXT) &&
            !MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Kazspeak"))
            return send_text(s, conn, q, 403, "panel requests need the header X-Kazspeak: 1");
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
        if (cl) {
            char *end;
            errno = 0;
            unsigned long long n = strtoull(cl, &end, 10);
            if (errno || *end || n > s->max_body)
                return send_text(s, conn, q, 413, "the request body is over %zu bytes (--max-body)", s->max_body);
        }
        if (strcmp(method, "POST") == 0) {
            const char *type = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type");
            if (is_form(type)) {
                q->pp = MHD_create_post_processor(conn, 16384, post_iter, q);
                if (!q->pp)
                    return send_text(s, conn, q, 400, "cannot read this form");
            } else {
                q->raw = 1;
                q->raw_type = type;
            }
        }
        return MHD_YES;
    }
    if (*upload_size) {
        q->total += *upload_size;
        if (q->total > s->max_body)
            q->too_big = 1;
        else if (q->pp) {
            if (MHD_post_process(q->pp, upload_data, *upload_size) != MHD_YES)
                q->too_big = q->too_big ? 1 : 2;
        } else if (q->raw)
            ks_buf_append(&q->body, upload_data, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    /* the whole request is here */
    if (q->status)
        return MHD_YES;
    if (q->route == R_OPTIONS) {
        struct MHD_Response *r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
        common_headers(s, r);
        MHD_add_response_header(r, "Access-Control-Allow-Methods", "GET, POST");
        MHD_add_response_header(r, "Access-Control-Allow-Headers", "Authorization, Content-Type");
        MHD_add_response_header(r, "Access-Control-Max-Age", "600");
        q->status = 204;
        enum MHD_Result ret = MHD_queue_response(conn, 204, r);
        MHD_destroy_response(r);
        return ret;
    }
    if (q->too_big == 1 || q->body.failed)
        return send_text(s, conn, q, 413, "the request body is over %zu bytes (--max-body)", s->max_body);
    if (q->too_big == 2)
        return send_text(s, conn, q, 400, "malformed form body");
    switch (q->route) {
    case R_PAGE:
        return send_buf(s, conn, q, 200, "text/html; charset=utf-8", serve_page_html, strlen(serve_page_html));
    case R_EVENTS:
        return events(s, conn, q);
    case R_VERSION: {
        const char *v = "Mary TTS server 5.2 (impl. kazspeak " KS_VERSION_STRING ")\n";
        return send_buf(s, conn, q, 200, "text/plain; charset=utf-8", v, strlen(v));
    }
    case R_LOCALES:
        return send_buf(s, conn, q, 200, "text/plain; charset=utf-8", "kk\n", 3);
    case R_VOICES:
        return mary_voices(s, conn, q);
    case R_PROCESS:
        return mary_process(s, conn, q);
    case R_SPEAK:
        return api_speak(s, conn, q);
    case R_NORMALIZE:
        return api_normalize(s, conn, q);
    default:
        return panel_cmd(s, conn, q);
    }
}

static void completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe)
{
    server *s = cls;
    req *q = *con_cls;
    if (!q)
        return;
    *con_cls = NULL;
    if (q->counted) {
        pthread_mutex_lock(&s->mu);
        s->active--;
        pthread_mutex_unlock(&s->mu);
    }
    if (!s->quiet && q->route != R_EVENTS) {
        char ip[INET6_ADDRSTRLEN] = "?";
        const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        if (ci && ci->client_addr) {
            const struct sockaddr *sa = ci->client_addr;
            if (sa->sa_family == AF_INET)
                inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, ip, sizeof ip);
            else if (sa->sa_family == AF_INET6)
                inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, ip, sizeof ip);
        }
        char text[300] = "";
        if (q->text_len)
            snprintf(text, sizeof text, ", text %zu bytes%s%s%s", q->text_len, q->log_text ? ": \"" : "",
                     q->log_text ? q->log_text : "", q->log_text ? "\"" : "");
        log_line(s, "%s \"%s %s\" %d, %llu bytes in %.3f s%s%s", ip, q->method, q->url, q->status,
                 (unsigned long long)q->bytes, cli_now() - q->t0, text,
                 toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (connection closed early)");
    }
    if (q->pp)
        MHD_destroy_post_processor(q->pp);
    for (int i = 0; i < q->nf; i++)
        ks_buf_free(&q->f[i].val);
    ks_buf_free(&q->body);
    free(q->log_text);
    free(q);
}

/* ---------------------------------------------------------------- start-up */

static void usage(FILE *f)
{
    fputs("Usage: kazspeak serve [OPTION]...\n"
          "An HTTP speech service (MaryTTS-compatible and native) and an operator panel at /.\n"
          "\n"
          "      --listen HOST:PORT  address to listen on (default 127.0.0.1:59125; port 0 = any free port);\n"
          "                          an address other than loopback needs --token\n"
          "      --token FILE        require 'Authorization: Bearer TOKEN' (TOKEN: the file's first line)\n"
          "  -j, --jobs N            synthesis worker processes (default: number of cores, at most 64)\n"
          "      --queue N           requests that may wait for a worker (default 64); more get 503\n"
          "      --max-text BYTES    largest text (default 262144); larger gets 413\n"
          "      --max-body BYTES    largest request body (default 1048576); larger gets 413\n"
          "      --timeout SECONDS   longest time for one request, waiting included (default 120)\n"
          "      --device N|NAME     the panel's sound device (default: the default output)\n"
          "      --no-panel          no operator panel (do not open the sound device)\n"
          "      --cors ORIGIN       allow the web page at ORIGIN to call the API (default: no CORS)\n"
          "      --log-text          log the first 200 bytes of each text (default: sizes only)\n"
          "  -q, --quiet             no request log\n"
          "  -v, --voice NAME        default voice profile\n"
          "      --data-dir DIR      kazspeak data folder\n"
          "  -h, --help              show this help\n"
          "\n"
          "SIGTERM or Ctrl-C stop accepting requests and finish the ones in flight.\n",
          f);
}

static int parse_listen(server *s, const char *spec, struct sockaddr_storage *ss, socklen_t *sl, int *loopback)
{
    char host[256];
    const char *port;
    if (spec[0] == '[') {
        const char *e = strchr(spec, ']');
        if (!e || e[1] != ':' || (size_t)(e - spec - 1) >= sizeof host)
            return -1;
        memcpy(host, spec + 1, (size_t)(e - spec - 1));
        host[e - spec - 1] = '\0';
        port = e + 2;
    } else {
        const char *colon = strrchr(spec, ':');
        if (!colon || (size_t)(colon - spec) >= sizeof host)
            return -1;
        memcpy(host, spec, (size_t)(colon - spec));
        host[colon - spec] = '\0';
        port = colon + 1;
    }
    int p;
    if (parse_int(port, 0, 65535, &p) != 0 || !host[0])
        return -1;
    struct addrinfo hints, *ai = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    if (getaddrinfo(host, port, &hints, &ai) != 0 || !ai)
        return -1;
    memcpy(ss, ai->ai_addr, ai->ai_addrlen);
    *sl = ai->ai_addrlen;
    freeaddrinfo(ai);
    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)ss;
        *loopback = (ntohl(in->sin_addr.s_addr) >> 24) == 127;
    } else {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)ss;
        *loopback = IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr) ||
                    (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr) && in6->sin6_addr.s6_addr[12] == 127);
    }
    snprintf(s->listen_host, sizeof s->listen_host, ss->ss_family == AF_INET6 ? "[%s]" : "%s", host);
    return 0;
}

static int read_token(server *s, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        cli_error("--token %s: %s", path, strerror(errno));
        return -1;
    }
    size_t n = fread(s->token, 1, sizeof s->token - 1, f);
    fclose(f);
    s->token[n] = '\0';
    char *nl = strpbrk(s->token, "\r\n");
    if (nl)
        *nl = '\0';
    n = strlen(s->token);
    while (n && (s->token[n - 1] == ' ' || s->token[n - 1] == '\t'))
        s->token[--n] = '\0';
    if (n < 16) {
        cli_error("--token %s: the token must be at least 16 characters on the first line", path);
        return -1;
    }
    s->token_len = n;
    return 0;
}

static int load_voices(server *s)
{
    /* the default voice first, then every voices/NAME.voice */
    s->voices[0] = s->c->voice;
    s->n_voices = 1;
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/voices", s->c->data_root);
    struct dirent **list = NULL;
    int n = scandir(dir, &list, NULL, alphasort);
    for (int i = 0; i < n; i++) {
        const char *name = list[i]->d_name;
        size_t len = strlen(name);
        if (len > 6 && strcmp(name + len - 6, ".voice") == 0 && s->n_voices < MAX_VOICES) {
            char base[64];
            snprintf(base, sizeof base, "%.*s", (int)(len - 6), name);
            ks_error err;
            ks_voice v;
            if (find_voice(s, base) < 0 && ks_voice_find(&v, s->c->data_root, base, &err) == KS_OK)
                s->voices[s->n_voices++] = v;
        }
        free(list[i]);
    }
    free(list);
    return 0;
}

static void remove_tmpdir(const char *dir)
{
    if (!dir[0])
        return;
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL)
            if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
                unlinkat(dirfd(d), e->d_name, 0);
        closedir(d);
    }
    rmdir(dir);
}

enum { O_LISTEN = 1000, O_TOKEN, O_QUEUE, O_MAX_TEXT, O_MAX_BODY, O_TIMEOUT, O_DEVICE, O_NO_PANEL, O_CORS,
       O_LOG_TEXT, O_DATA_DIR };

static int parse_opts(server *s, cli_ctx *c, int argc, char **argv, const char **listen, const char **token,
                      int *no_panel)
{
    static const struct option lo[] = {
        {"listen", required_argument, NULL, O_LISTEN}, {"token", required_argument, NULL, O_TOKEN},
        {"jobs", required_argument, NULL, 'j'}, {"queue", required_argument, NULL, O_QUEUE},
        {"max-text", required_argument, NULL, O_MAX_TEXT}, {"max-body", required_argument, NULL, O_MAX_BODY},
        {"timeout", required_argument, NULL, O_TIMEOUT}, {"device", required_argument, NULL, O_DEVICE},
        {"no-panel", no_argument, NULL, O_NO_PANEL}, {"cors", required_argument, NULL, O_CORS},
        {"log-text", no_argument, NULL, O_LOG_TEXT}, {"quiet", no_argument, NULL, 'q'},
        {"voice", required_argument, NULL, 'v'}, {"data-dir", required_argument, NULL, O_DATA_DIR},
        {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    int ch, v;
    optind = 1;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, ":j:qv:h", lo, NULL)) != -1) {
        switch (ch) {
        case O_LISTEN: *listen = optarg; break;
        case O_TOKEN: *token = optarg; break;
        case 'j':
            if (parse_int(optarg, 1, 64, &s->jobs) != 0) {
                cli_error("-j must be a whole number from 1 to 64, not '%s'", optarg);
                return -1;
            }
            break;
        case O_QUEUE:
            if (parse_int(optarg, 0, 10000, &s->queue) != 0) {
                cli_error("--queue must be a whole number from 0 to 10000, not '%s'", optarg);
                return -1;
            }
            break;
        case O_MAX_TEXT:
        case O_MAX_BODY:
            if (parse_int(optarg, 16, 256 << 20, &v) != 0) {
                cli_error("%s must be a byte count from 16 to %d, not '%s'",
                          ch == O_MAX_TEXT ? "--max-text" : "--max-body", 256 << 20, optarg);
                return -1;
            }
            *(ch == O_MAX_TEXT ? &s->max_text : &s->max_body) = (size_t)v;
            break;
        case O_TIMEOUT:
            if (parse_int(optarg, 1, 86400, &v) != 0) {
                cli_error("--timeout must be whole seconds from 1 to 86400, not '%s'", optarg);
                return -1;
            }
            s->timeout_ms = (unsigned)v * 1000u;
            break;
        case O_DEVICE: c->opt.device = optarg; break;
        case O_NO_PANEL: *no_panel = 1; break;
        case O_CORS: s->cors = optarg; break;
        case O_LOG_TEXT: s->log_text = 1; break;
        case 'q': s->quiet = 1; break;
        case 'v': c->opt.voice = optarg; break;
        case O_DATA_DIR: c->opt.data_dir = optarg; break;
        case 'h': usage(stdout); return 1;
        case ':': cli_error("serve: %s needs a value", argv[optind - 1]); return -1;
        default: cli_error("serve: unknown option '%s' (see kazspeak serve --help)", argv[optind - 1]); return -1;
        }
    }
    if (optind < argc) {
        cli_error("serve: unexpected argument '%s'", argv[optind]);
        return -1;
    }
    return 0;
}

static void cleanup(server *s)
{
    if (s->d)
        MHD_stop_daemon(s->d);
    panel_free(s->panel);
    pool_stop(s->pool);
    ks_normalizer_free(s->norm);
    remove_tmpdir(s->tmpdir);
    pthread_mutex_destroy(&s->mu);
    pthread_mutex_destroy(&s->norm_mu);
    ks_engine_free(s->c->eng);
    ks_normalizer_free(s->c->norm);
    ks_translit_free(s->c->translit);
    ks_lexicon_free(s->c->lex);
}

int cli_run_serve(int argc, char **argv)
{
    static cli_ctx c;
    static server s;
    memset(&c, 0, sizeof c);
    memset(&s, 0, sizeof s);
    c.prog = argv[0];
    c.opt.rate = c.opt.pitch = c.opt.amplitude = c.opt.wordgap = -1;
    c.opt.script = KS_SCRIPT_AUTO;
    s.c = &c;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    s.jobs = cores > 0 ? (cores > 64 ? 64 : (int)cores) : 1;
    s.queue = 64;
    s.max_text = 256 * 1024;
    s.max_body = 1024 * 1024;
    s.timeout_ms = 120000;
    pthread_mutex_init(&s.mu, NULL);
    pthread_mutex_init(&s.norm_mu, NULL);
    const char *listen = "127.0.0.1:59125", *token = NULL;
    int no_panel = 0;
    int r = parse_opts(&s, &c, argc, argv, &listen, &token, &no_panel);
    if (r != 0)
        return r > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
    struct sockaddr_storage ss;
    socklen_t sl = 0;
    int loopback = 0;
    if (parse_listen(&s, listen, &ss, &sl, &loopback) != 0) {
        cli_error("--listen %s: expected HOST:PORT, e.g. 127.0.0.1:59125 or [::1]:59125", listen);
        return CLI_EXIT_USAGE;
    }
    if (token && read_token(&s, token) != 0)
        return CLI_EXIT_USAGE;
    if (!loopback && !s.token_len) {
        cli_error("--listen %s is not a loopback address: give --token FILE so only clients with the token are "
                  "served", listen);
        return CLI_EXIT_USAGE;
    }
    if (s.max_body < s.max_text)
        s.max_body = s.max_text;

    cli_install_signals();
    int rc = CLI_EXIT_ERROR;
    ks_error err;
    if (cli_load_data(&c) != 0 || load_voices(&s) != 0)
        goto out;
    if (ks_normalizer_new(&s.norm, c.lex, &err) != KS_OK) {
        cli_error("%s", err.msg);
        goto out;
    }
    const char *tmp = getenv("TMPDIR");
    snprintf(s.tmpdir, sizeof s.tmpdir, "%s/kazspeak-serve.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(s.tmpdir)) {
        cli_error("cannot make a temporary folder %s: %s", s.tmpdir, strerror(errno));
        s.tmpdir[0] = '\0';
        goto out;
    }
    /* the signals go to this thread only (sigsuspend below); workers ignore them */
    sigset_t stop_set, old_set;
    sigemptyset(&stop_set);
    sigaddset(&stop_set, SIGINT);
    sigaddset(&stop_set, SIGTERM);
    sigaddset(&stop_set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &stop_set, &old_set);
    if (pool_start(&s.pool, &c, s.jobs, s.voices, s.n_voices, s.tmpdir) != 0)
        goto out;
    if (!no_panel && panel_start(&s.panel, &c, s.max_text) != 0)
        goto out;
    unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC |
                     MHD_USE_ERROR_LOG | (ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0);
    s.d = MHD_start_daemon(flags, 0, NULL, NULL, handler, &s, MHD_OPTION_EXTERNAL_LOGGER, mhd_logger, &s,
                           MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
                           MHD_OPTION_CONNECTION_LIMIT, (unsigned)(s.jobs + s.queue + 256),
                           MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60, MHD_OPTION_NOTIFY_COMPLETED, completed, &s,
                           MHD_OPTION_END);
    if (!s.d) {
        cli_error("cannot listen on %s (in use, or not an address of this machine)", listen);
        goto out;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(s.d, MHD_DAEMON_INFO_BIND_PORT);
    s.port = di ? di->port : 0;
    log_line(&s, "listening on http://%s:%d/ (%d worker%s, queue %d%s%s)", s.listen_host, s.port, s.jobs,
             s.jobs == 1 ? "" : "s", s.queue, s.token_len ? ", token required" : "",
             s.panel ? ", panel at /" : "");
    sigset_t wait_set = old_set;
    sigdelset(&wait_set, SIGINT);
    sigdelset(&wait_set, SIGTERM);
    sigdelset(&wait_set, SIGHUP);
    while (!cli_signal_received)
        sigsuspend(&wait_set);

    /* graceful stop: no new connections, finish the requests in flight */
    pthread_mutex_lock(&s.mu);
    s.stopping = 1;
    int busy = s.active;
    pthread_mutex_unlock(&s.mu);
    MHD_socket lfd = MHD_quiesce_daemon(s.d);
    if (lfd != MHD_INVALID_SOCKET)
        close(lfd);
    log_line(&s, "signal %d: stopping after %d request%s in flight", (int)cli_signal_received, busy,
             busy == 1 ? "" : "s");
    double limit = cli_now() + s.timeout_ms / 1000.0 + 5;
    for (;;) {
        pthread_mutex_lock(&s.mu);
        busy = s.active;
        pthread_mutex_unlock(&s.mu);
        if (busy == 0 || cli_now() > limit)
            break;
        usleep(20000);
    }
    if (busy)
        log_line(&s, "%d request%s cut off after the time limit", busy, busy == 1 ? "" : "s");
    panel_stop(s.panel); /* ends the event streams */
    rc = CLI_EXIT_OK;
    log_line(&s, "stopped");
out:
    cleanup(&s);
    return rc;
}
