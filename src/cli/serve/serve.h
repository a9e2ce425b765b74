/* serve.h - `kazspeak serve`: the speech service and the operator panel (src/serve/).
 *
 *   serve.c    options, the HTTP server (libmicrohttpd), routing, security, logs
 *   workers.c  pre-forked synthesis processes (eSpeak NG's engine is process-global)
 *   panel.c    the operator panel's player: one thread owning the sound card
 *   page.c     the panel's web page (HTML, CSS and JS in one C string)
 *
 * Uses only the public API and src/cli/common.c. */
#ifndef KS_SERVE_H
#define KS_SERVE_H
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "../cli.h"

/* ---------------------------------------------------------------- workers.c */

/* One synthesis request, as the parent hands it to a worker. */
typedef struct serve_job {
    int format;       /* ks_format */
    int ssml;         /* the text is SSML */
    int whole;        /* make the whole file first and send its length (MaryTTS WAVE_FILE, non-WAV formats) */
    int voice;        /* index in the voice table */
    int rate, pitch;  /* -1 = the voice's */
    unsigned timeout_ms;
    const char *text;
    size_t text_len;
} serve_job;

typedef struct serve_pool serve_pool;
typedef struct serve_stream serve_stream;

/* Fork `n` workers, each loading its own engine; call before any thread exists.
 * `voices` (n_voices entries) stays owned by the caller. 0, or -1 (printed). */
int pool_start(serve_pool **out, cli_ctx *c, int n, const ks_voice *voices, int n_voices, const char *tmpdir);
/* Wait (up to timeout_ms) for a free worker and start the job on it. On success *out
 * is a stream whose first bytes are ready (or whose length is known): *length is the
 * byte count or -1 when unknown. On failure returns an HTTP status (400, 500, 503,
 * 504) and a one-line message in msg. */
int pool_submit(serve_pool *p, const serve_job *job, serve_stream **out, int64_t *length, char *msg, size_t msg_len);
/* Read the next bytes of the audio: >0 bytes, 0 at the (successful) end, -1 on an
 * error (message in msg). Blocks up to the job's timeout. */
long stream_read(serve_stream *s, char *buf, size_t max, char *msg, size_t msg_len);
/* Release the stream and its worker (a stream closed early stops the worker's job). */
void stream_close(serve_stream *s);
/* Stop every worker (they finish their job first) and wait for them. NULL is a no-op. */
void pool_stop(serve_pool *p);

/* ---------------------------------------------------------------- panel.c */

typedef struct panel panel;

enum panel_cmd {
    PANEL_PLAY = 1, PANEL_PAUSE, PANEL_PREV, PANEL_NEXT, PANEL_REPEAT, PANEL_SLOWER, PANEL_FASTER,
    PANEL_STOP, PANEL_GOTO, PANEL_LOAD
};

/* Start the panel's player thread: it loads the engine in this process and opens
 * the sound device (`c->opt.device`). Returns once the device is open or failed
 * (then the panel says so; the service works without it). 0, or -1 (printed). */
int panel_start(panel **out, cli_ctx *c, size_t max_text);
/* Queue a command (arg: the sentence for GOTO). LOAD takes a copy of text. 0, or an
 * HTTP status with msg (400 bad command, 503 the queue is full). */
int panel_command(panel *p, int cmd, long arg, const char *text, size_t len, char *msg, size_t msg_len);
/* Server-Sent Events: the next bytes for a client that has seen `*seq` and
 * `*text_version` (both 0 at first). Waits up to wait_ms for a change; returns a
 * keep-alive comment on timeout, and -1 once the panel is stopping. The result is
 * malloc'ed into *out (caller frees). */
long panel_events(panel *p, uint64_t *seq, uint64_t *text_version, unsigned wait_ms, char **out);
/* Stop playback and the thread; wake every event stream. NULL is a no-op. */
void panel_stop(panel *p);
void panel_free(panel *p);

/* JSON string escaping (appends "..." with quotes). */
void serve_json_str(ks_buf *b, const char *s, size_t len);

/* ---------------------------------------------------------------- page.c */
extern const char serve_page_html[];

#endif
