/* reader.c - the reading pipeline: text in -> sentences -> Latin script ->
 * Kazakh words -> eSpeak NG -> sink, with utterance, word and mark events.
 *
 * Every front end (files, --stdout, playback, -i, --follow, batch workers,
 * the speech-dispatcher module) is a client of this file.
 *
 * Synthesis runs in the thread that calls feed/flush/finish/speak. eSpeak NG
 * hands PCM to reader_pcm(), which passes it on in blocks of at most
 * slice_ms; before each block it calls the front end's poll hook and looks at
 * the control flags that other threads set (cancel, pause). Returning
 * non-zero to eSpeak is the only way to stop a synthesis early. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <utf8proc.h>

#include "kazspeak/kazspeak.h"
#include "engine_lang.h"
#include "ssml_pieces.h"
#include "status.h"

#define DEFAULT_MAX_SENTENCE 65536
#define DEFAULT_MAX_DOCUMENT ((size_t)64 << 20)
#define DEFAULT_SLICE_MS 10
#define FEED_WINDOW 65536     /* input is taken in windows of this size: memory stays bounded */
#define PAUSE_WAIT_MS 20      /* while paused, poll is called this often */
#define SSML_MIN_PIECE 8192   /* an SSML document is spoken in pieces of at least this (cut at sentence ends) */

#define MAX_PARTS 64         /* language spans of one utterance; more are merged into the last */

/* One language part of the utterance: its original bytes and what eSpeak reads. */
typedef struct part {
    size_t off, len;   /* in the utterance's original text */
    size_t woff, wlen; /* in r->words */
    ks_lang lang;
    unsigned flags;    /* KS_SPEAK_* for this part */
} part;

struct ks_reader {
    ks_engine *eng;
    ks_sink *sink;
    int playback; /* the sink is a playback sink: pause/flush reach the device */
    ks_reader_options opt;
    ks_reader_callbacks cb;
    size_t slice; /* frames */

    ks_buf pending;    /* input not spoken yet: pending[start..len) */
    size_t start;
    uint64_t consumed; /* input offset of pending[start] */
    ks_buf words;      /* the current utterance as eSpeak reads it */
    ssml_pieces pieces; /* KS_READER_SSML: where the document is cut */
    ks_buf piece;      /* the current piece as a document of its own */
    unsigned long piece_line, piece_col; /* where it starts in the document */
    size_t piece_prefix_chars;           /* characters of start tags put before it */
    uint64_t utterance;
    uint64_t frames_out; /* frames passed on (pcm callback or sink) */
    uint64_t bad_utf8;

    /* language parts of the utterance (one Kazakh part unless opt.lang says otherwise) */
    part parts[MAX_PARTS];
    int nparts;
    size_t part_base; /* woff of the part being spoken: WORD offsets are relative to it */
    ks_lang context;   /* the language of the last sentence (for a sentence without evidence) */

    /* the utterance being spoken, for events */
    ks_reader_event cur;
    int stopping;           /* the current synthesis was asked to stop */
    ks_status sink_failed;  /* a sink write failed */
    ks_error sink_err;

    /* control from any thread */
    atomic_uint cancel_gen; /* incremented by ks_reader_cancel */
    unsigned seen_gen;      /* the generation the owner thread has acted on */
    atomic_int pause;
    pthread_mutex_t mu;
    pthread_cond_t cv;
};

/* ---------------------------------------------------------------- text preparation */

/* A letter of a Latin alphabet (ASCII, or a lead byte of U+00C0..U+024F)? Only
 * then is the transliterator worth running. */
static int has_latin(const char *t, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char b = (unsigned char)t[i];
        if ((b | 0x20) >= 'a' && (b | 0x20) <= 'z')
            return 1;
        if (b >= 0xC3 && b <= 0xC9)
            return 1;
    }
    return 0;
}

static size_t first_bad_utf8(const char *t, size_t n)
{
    size_t i = 0;
    while (i < n) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t r = utf8proc_iterate((const utf8proc_uint8_t *)t + i, (utf8proc_ssize_t)(n - i), &cp);
        if (r <= 0)
            return i;
        i += (size_t)r;
    }
    return (size_t)-1;
}

KS_API ks_status ks_text_prepare(ks_normalizer *n, const ks_translit *tr, ks_script script, const char *text,
                                 size_t len, ks_buf *out, size_t *bad_offset, ks_error *err)
{
    int latin = tr && script != KS_SCRIPT_CYRL && has_latin(text, len);
    ks_buf lat = {0};
    const char *src = text;
    size_t src_len = len;
    ks_status st = KS_OK;
    if (latin) {
        st = ks_translit_run(tr, script, text, len, &lat, err);
        src = lat.data ? lat.data : "";
        src_len = lat.len;
    }
    if (st == KS_OK) {
        if (n) {
            st = ks_normalize(n, src, src_len, out, bad_offset, err);
        } else {
            if (ks_buf_append(out, src, src_len) != 0)
                st = status_set(err, KS_ENOMEM, "text too large");
            if (bad_offset)
                *bad_offset = first_bad_utf8(src, src_len);
        }
    }
    /* report the offset in the text as given, not in its transliteration */
    if (st == KS_OK && latin && bad_offset && *bad_offset != (size_t)-1)
        *bad_offset = first_bad_utf8(text, len);
    ks_buf_free(&lat);
    return st;
}

/* ---------------------------------------------------------------- life cycle */

KS_API void ks_reader_options_init(ks_reader_options *o)
{
    memset(o, 0, sizeof *o);
    o->input = KS_READER_TEXT;
    o->script = KS_SCRIPT_AUTO;
    o->max_sentence = DEFAULT_MAX_SENTENCE;
    o->max_document = DEFAULT_MAX_DOCUMENT;
    o->slice_ms = DEFAULT_SLICE_MS;
}

KS_API ks_status ks_reader_new(ks_reader **out, ks_engine *e, ks_sink *sink, const ks_reader_options *o,
                               const ks_reader_callbacks *cb, ks_error *err)
{
    *out = NULL;
    if (!e)
        return status_set(err, KS_EINVAL, "ks_reader_new: no engine");
    if (o && (unsigned)o->input > KS_READER_ESPEAK)
        return status_set(err, KS_EINVAL, "ks_reader_new: unknown input kind %d", (int)o->input);
    if (o && (unsigned)o->lang > KS_LANG_AUTO)
        return status_set(err, KS_EINVAL, "ks_reader_new: unknown language %d", (int)o->lang);
    ks_reader *r = calloc(1, sizeof *r);
    if (!r)
        return status_set(err, KS_ENOMEM, "out of memory");
    if (o)
        r->opt = *o;
    else
        ks_reader_options_init(&r->opt);
    if (!r->opt.max_sentence)
        r->opt.max_sentence = DEFAULT_MAX_SENTENCE;
    if (!r->opt.max_document)
        r->opt.max_document = DEFAULT_MAX_DOCUMENT;
    if (!r->opt.slice_ms)
        r->opt.slice_ms = DEFAULT_SLICE_MS;
    if (cb)
        r->cb = *cb;
    r->eng = e;
    r->sink = sink;
    r->playback = sink && ks_sink_is_playback(sink);
    r->slice = (size_t)ks_engine_sample_rate(e) * r->opt.slice_ms / 1000;
    if (r->slice < 16)
        r->slice = 16;
    r->bad_utf8 = UINT64_MAX;
    r->context = (unsigned)r->opt.context <= KS_LANG_EN ? r->opt.context : KS_LANG_KK;
    ssml_pieces_init(&r->pieces);
    atomic_init(&r->cancel_gen, 0);
    atomic_init(&r->pause, 0);
    if (pthread_mutex_init(&r->mu, NULL) != 0) {
        free(r);
        return status_set(err, KS_ENOMEM, "cannot create a mutex");
    }
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    int cr = pthread_cond_init(&r->cv, &ca);
    pthread_condattr_destroy(&ca);
    if (cr != 0) {
        pthread_mutex_destroy(&r->mu);
        free(r);
        return status_set(err, KS_ENOMEM, "cannot create a condition variable");
    }
    *out = r;
    return KS_OK;
}

KS_API void ks_reader_free(ks_reader *r)
{
    if (!r)
        return;
    ks_buf_free(&r->pending);
    ks_buf_free(&r->words);
    ks_buf_free(&r->piece);
    ssml_pieces_free(&r->pieces);
    pthread_cond_destroy(&r->cv);
    pthread_mutex_destroy(&r->mu);
    free(r);
}

/* ---------------------------------------------------------------- control (any thread) */

KS_API void ks_reader_cancel(ks_reader *r)
{
    atomic_fetch_add(&r->cancel_gen, 1u);
    pthread_mutex_lock(&r->mu);
    pthread_cond_broadcast(&r->cv);
    pthread_mutex_unlock(&r->mu);
}

KS_API void ks_reader_pause(ks_reader *r)
{
    atomic_store(&r->pause, 1);
}

KS_API void ks_reader_resume(ks_reader *r)
{
    atomic_store(&r->pause, 0);
    pthread_mutex_lock(&r->mu);
    pthread_cond_broadcast(&r->cv);
    pthread_mutex_unlock(&r->mu);
}

KS_API int ks_reader_paused(const ks_reader *r)
{
    return atomic_load(&((ks_reader *)r)->pause);
}

KS_API uint64_t ks_reader_consumed(const ks_reader *r)
{
    return r->consumed;
}

KS_API uint64_t ks_reader_bad_utf8(const ks_reader *r)
{
    return r->bad_utf8;
}

static int cancelled(ks_reader *r)
{
    return atomic_load(&r->cancel_gen) != r->seen_gen;
}

/* ---------------------------------------------------------------- synthesis callbacks */

static uint64_t position(const ks_reader *r)
{
    return r->sink ? ks_sink_frames(r->sink) : r->frames_out;
}

static void wait_a_little(ks_reader *r)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_nsec += PAUSE_WAIT_MS * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&r->mu);
    if (atomic_load(&r->pause) && !cancelled(r))
        pthread_cond_timedwait(&r->cv, &r->mu, &ts);
    pthread_mutex_unlock(&r->mu);
}

/* Hold while paused. Returns non-zero when the utterance must stop. */
static int hold_while_paused(ks_reader *r)
{
    int device_paused = 0;
    if (r->playback && !ks_playback_paused(r->sink)) {
        ks_error err;
        device_paused = ks_playback_pause(r->sink, &err) == KS_OK;
    }
    int stop = 0;
    while (atomic_load(&r->pause) && !stop) {
        if (cancelled(r) || (r->cb.poll && r->cb.poll(r->cb.user)))
            stop = 1;
        else
            wait_a_little(r);
    }
    if (device_paused && !stop) {
        ks_error err;
        ks_playback_resume(r->sink, &err); /* a failure shows at the next write */
    }
    return stop || cancelled(r);
}

/* Before each block: the front end's poll, a cancel, a pause. */
static int must_stop(ks_reader *r)
{
    if (r->stopping)
        return 1;
    if ((r->cb.poll && r->cb.poll(r->cb.user)) || cancelled(r) ||
        (atomic_load(&r->pause) && hold_while_paused(r)))
        r->stopping = 1;
    return r->stopping;
}

static int reader_pcm(const int16_t *pcm, size_t frames, void *user)
{
    ks_reader *r = user;
    for (size_t off = 0; off < frames;) {
        if (must_stop(r))
            return 1;
        size_t n = frames - off < r->slice ? frames - off : r->slice;
        if (r->cb.pcm && r->cb.pcm(pcm + off, n, position(r), r->cb.user)) {
            r->stopping = 1;
            return 1;
        }
        if (r->sink) {
            ks_status st = ks_sink_write(r->sink, pcm + off, n, &r->sink_err);
            if (st != KS_OK) {
                r->sink_failed = st;
                r->stopping = 1;
                return 1;
            }
        }
        r->frames_out += n;
        off += n;
    }
    return 0;
}

static int emit(ks_reader *r, ks_reader_event_type type)
{
    r->cur.type = type;
    r->cur.sample = position(r);
    if (r->cb.event && r->cb.event(&r->cur, r->cb.user))
        r->stopping = 1;
    return r->stopping;
}

static int reader_event(const ks_event *ev, void *user)
{
    ks_reader *r = user;
    if (must_stop(r))
        return 1;
    switch (ev->type) {
    case KS_EVENT_WORD:
        r->cur.word_offset = r->part_base + ev->text_offset;
        r->cur.word_len = ev->text_len;
        return emit(r, KS_READER_WORD);
    case KS_EVENT_MARK:
        r->cur.mark = ev->name;
        emit(r, KS_READER_MARK);
        r->cur.mark = NULL;
        return r->stopping;
    default:
        return 0;
    }
}

/* ---------------------------------------------------------------- utterances */

static int blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\n' && s[i] != '\t' && s[i] != '\r')
            return 0;
    return 1;
}

/* An SSML error is reported at its place in the whole document, not in the
 * piece (which starts with the start tags still open there). */
static void place_error(ks_reader *r, ks_error *err)
{
    unsigned long line, col;
    int used = 0;
    if (!err || sscanf(err->msg, "line %lu, column %lu: %n", &line, &col, &used) != 2 || used == 0)
        return;
    char rest[sizeof err->msg];
    snprintf(rest, sizeof rest, "%s", err->msg + used);
    if (line == 1) {
        size_t prefix = r->piece_prefix_chars;
        col = col > prefix ? r->piece_col + (col - prefix) - 1 : r->piece_col;
    }
    line += r->piece_line - 1;
    snprintf(err->msg, sizeof err->msg, "line %lu, column %lu: %.200s", line, col, rest);
}

/* Turn one utterance of input into what eSpeak reads (r->words). */
static ks_status prepare(ks_reader *r, const char *text, size_t len, uint64_t offset, unsigned *flags,
                         ks_error *err)
{
    ks_buf_reset(&r->words);
    *flags = 0;
    ks_status st = KS_OK;
    size_t bad = (size_t)-1;
    switch (r->opt.input) {
    case KS_READER_TEXT:
        *flags = KS_SPEAK_PHONEMES; /* the normalizer writes lexicon phonemes as [[...]] */
        st = ks_text_prepare(r->opt.normalizer, r->opt.translit, r->opt.script, text, len, &r->words, &bad, err);
        break;
    case KS_READER_SSML: /* the piece as a document of its own (r->piece) */
        st = ks_ssml_to_espeak(r->opt.normalizer, r->opt.translit, r->opt.script, r->piece.data ? r->piece.data : "",
                               r->piece.len, &r->words, flags, err);
        if (st != KS_OK)
            place_error(r, err);
        bad = first_bad_utf8(text, len);
        break;
    case KS_READER_ESPEAK:
        *flags = r->opt.espeak_flags;
        if (ks_buf_append(&r->words, text, len) != 0)
            st = status_set(err, KS_ENOMEM, "text too large");
        break;
    }
    if (bad != (size_t)-1 && r->bad_utf8 == UINT64_MAX)
        r->bad_utf8 = offset + bad;
    r->nparts = 1;
    r->parts[0] = (part){0, len, 0, r->words.len, KS_LANG_KK, *flags};
    return st;
}
/* Copy text for eSpeak as it is (English spans): NUL becomes a space, invalid UTF-8 U+FFFD. */
static int copy_plain(ks_buf *out, const char *t, size_t n, size_t *bad)
{
    size_t i = 0;
    *bad = (size_t)-1;
    while (i < n) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)t + i, (utf8proc_ssize_t)(n - i), &cp);
        if (k <= 0) {
            if (*bad == (size_t)-1)
                *bad = i;
            ks_buf_puts(out, "\xEF\xBF\xBD");
            i++;
        } else if (cp == 0) {
            ks_buf_putc(out, ' ');
            i++;
        } else {
            ks_buf_append(out, t + i, (size_t)k);
            i += (size_t)k;
        }
    }
    return out->failed ? -1 : 0;
}

/* Prepare one language span of text and append it to out. */
static ks_status prepare_span(const ks_reader_options *o, ks_lang lang, const char *t, size_t n, ks_buf *out,
                              size_t *bad, ks_error *err)
{
    *bad = (size_t)-1;
    switch (lang) {
    case KS_LANG_RU: {
        ks_status st = ks_ru_normalize(t, n, out, err);
        if (st == KS_OK)
            *bad = first_bad_utf8(t, n);
        return st;
    }
    case KS_LANG_EN:
        return copy_plain(out, t, n, bad) == 0 ? KS_OK : status_set(err, KS_ENOMEM, "text too large");
    default:
        return ks_text_prepare(o->normalizer, o->translit, o->script, t, n, out, bad, err);
    }
}

/* The language spans of one sentence (opt.lang AUTO, RU or EN); returns how many,
 * at most max (the rest merged into the last). */
static size_t sentence_spans(const ks_reader_options *o, ks_lang context, const char *t, size_t n,
                             ks_lang_span *sp, size_t max)
{
    if (o->lang != KS_LANG_AUTO) {
        sp[0] = (ks_lang_span){0, n, o->lang};
        return 1;
    }
    size_t k = ks_lang_spans(o->langid, o->translit, context, t, n, sp, max);
    if (k > max) {
        k = max;
        sp[k - 1].len = n - sp[k - 1].offset;
    }
    return k;
}

/* The language most of a sentence is in (by bytes). */
KS_API ks_lang ks_lang_main(const ks_lang_span *sp, size_t n)
{
    size_t by[3] = {0, 0, 0};
    for (size_t i = 0; i < n; i++)
        if ((unsigned)sp[i].lang < 3)
            by[sp[i].lang] += sp[i].len;
    return by[KS_LANG_RU] > by[KS_LANG_KK] && by[KS_LANG_RU] >= by[KS_LANG_EN]   ? KS_LANG_RU
           : by[KS_LANG_EN] > by[KS_LANG_KK] && by[KS_LANG_EN] > by[KS_LANG_RU] ? KS_LANG_EN
                                                                                  : KS_LANG_KK;
}

/* Plain text with languages: the utterance cut into language spans, each prepared
 * by its language's rules. Kazakh-only text takes the path of prepare() exactly. */
static ks_status prepare_lang(ks_reader *r, const char *text, size_t len, uint64_t offset, unsigned *flags,
                              ks_error *err)
{
    ks_lang_span sp[MAX_PARTS];
    size_t n = len ? sentence_spans(&r->opt, r->context, text, len, sp, MAX_PARTS) : 0;
    if (n)
        r->context = ks_lang_main(sp, n);
    if (n == 0 || (n == 1 && sp[0].lang == KS_LANG_KK))
        return prepare(r, text, len, offset, flags, err);
    ks_buf_reset(&r->words);
    *flags = KS_SPEAK_PHONEMES;
    r->nparts = 0;
    for (size_t i = 0; i < n; i++) {
        size_t bad;
        part *p = &r->parts[r->nparts++];
        p->off = sp[i].offset;
        p->len = sp[i].len;
        p->lang = sp[i].lang;
        p->flags = *flags;
        p->woff = r->words.len;
        ks_status st = prepare_span(&r->opt, p->lang, text + p->off, p->len, &r->words, &bad, err);
        if (st != KS_OK)
            return st;
        p->wlen = r->words.len - p->woff;
        if (bad != (size_t)-1 && r->bad_utf8 == UINT64_MAX)
            r->bad_utf8 = offset + p->off + bad;
    }
    return KS_OK;
}

/* Prepare one run of one language (for ks_text_prepare_lang). */
static ks_status prepare_run(const ks_reader_options *o, const char *text, ks_lang_span run, ks_buf *out,
                             size_t *bad_offset, ks_span_fn span_fn, void *user, ks_error *err)
{
    size_t bad, at = out->len;
    ks_status st = prepare_span(o, run.lang, text + run.offset, run.len, out, &bad, err);
    if (st != KS_OK)
        return st;
    if (bad != (size_t)-1 && bad_offset && *bad_offset == (size_t)-1)
        *bad_offset = run.offset + bad;
    if (span_fn)
        span_fn(text + run.offset, run.len, run.lang, out->data + at, out->len - at, user);
    return KS_OK;
}

KS_API ks_status ks_text_prepare_lang(ks_normalizer *n, const ks_translit *tr, ks_script script,
                                      const ks_langid *m, ks_lang lang, ks_lang *context, const char *text,
                                      size_t len, ks_buf *out, size_t *bad_offset, ks_span_fn span_fn,
                                      void *user, ks_error *err)
{
    if (bad_offset)
        *bad_offset = (size_t)-1;
    ks_reader_options o;
    ks_reader_options_init(&o);
    o.normalizer = n;
    o.translit = tr;
    o.script = script;
    o.lang = lang;
    o.langid = m;
    ks_lang ctx = context ? *context : KS_LANG_KK;
    /* the spans of every sentence, neighbours of one language joined: Kazakh text
     * stays one piece and reads exactly as ks_text_prepare reads it */
    ks_lang_span run = {0, 0, KS_LANG_KK};
    int have = 0;
    size_t pos = 0;
    ks_status st = KS_OK;
    while (pos < len && st == KS_OK) {
        size_t k = lang == KS_LANG_AUTO ? ks_sentence_split(text + pos, len - pos, 1, len - pos) : len - pos;
        if (!k)
            k = len - pos;
        ks_lang_span sp[MAX_PARTS];
        size_t ns = lang == KS_LANG_KK ? 1 : sentence_spans(&o, ctx, text + pos, k, sp, MAX_PARTS);
        if (lang == KS_LANG_KK)
            sp[0] = (ks_lang_span){0, k, KS_LANG_KK};
        ctx = ks_lang_main(sp, ns);
        for (size_t i = 0; i < ns && st == KS_OK; i++) {
            ks_lang_span a = {pos + sp[i].offset, sp[i].len, sp[i].lang};
            if (have && a.lang == run.lang && a.offset == run.offset + run.len) {
                run.len += a.len;
                continue;
            }
            if (have)
                st = prepare_run(&o, text, run, out, bad_offset, span_fn, user, err);
            run = a;
            have = 1;
        }
        pos += k;
    }
    if (have && st == KS_OK)
        st = prepare_run(&o, text, run, out, bad_offset, span_fn, user, err);
    if (st != KS_OK)
        return st;
    if (context)
        *context = ctx;
    return KS_OK;
}

/* ---------------------------------------------------------------- SSML xml:lang
 *
 * An SSML document whose speak, p, s, voice or lang elements change the language
 * with xml:lang is cut into parts of one language each. A part is a document of
 * its own: the elements open at the cut are closed at its end and opened again
 * (same start tags) at the start of the next part. Each part is converted by
 * ks_ssml_to_espeak (Kazakh parts with the Kazakh normalizer, Russian parts after
 * ks_ru_normalize of their text, English parts as they are) and spoken with its
 * language's voice. */

#define SSML_MAX_DEPTH 64

typedef struct xel {
    const char *tag; /* the raw start tag */
    size_t tag_len;
    const char *name;
    size_t name_len;
    ks_lang lang;
} xel;

typedef struct ssml_split {
    const ks_reader_options *o;
    xel st[SSML_MAX_DEPTH];
    int depth;
    ks_buf part; /* the part being built (server-side SSML) */
    ks_lang part_lang;
    int part_has_text;
    ks_reader *r;
    ks_status status;
    ks_error *err;
} ssml_split;

/* The value of attribute xml:lang in a start tag, as a language (parent's when absent or unknown). */
static ks_lang tag_lang(const char *t, size_t n, ks_lang parent)
{
    const char *k = NULL;
    for (size_t i = 0; i + 9 <= n; i++)
        if (memcmp(t + i, "xml:lang", 8) == 0 && (i == 0 || t[i - 1] == ' ' || t[i - 1] == '\t' || t[i - 1] == '\n')) {
            k = t + i + 8;
            break;
        }
    if (!k)
        return parent;
    const char *end = t + n;
    while (k < end && (*k == ' ' || *k == '='))
        k++;
    if (k >= end || (*k != '"' && *k != '\''))
        return parent;
    char q = *k++;
    char v[32];
    size_t l = 0;
    while (k < end && *k != q && l + 1 < sizeof v)
        v[l++] = *k++;
    v[l] = '\0';
    ks_lang lang;
    if (ks_lang_parse(v, &lang) != KS_OK || lang == KS_LANG_AUTO)
        return parent;
    return lang;
}

static ks_lang cur_lang(const ssml_split *s)
{
    return s->depth ? s->st[s->depth - 1].lang : KS_LANG_KK;
}

/* Text of a part: Russian text runs are normalized (entities kept as they are). */
static void part_text(ssml_split *s, const char *t, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (t[i] != ' ' && t[i] != '\n' && t[i] != '\t' && t[i] != '\r')
            s->part_has_text = 1;
    if (s->part_lang != KS_LANG_RU) {
        ks_buf_append(&s->part, t, n);
        return;
    }
    size_t i = 0;
    while (i < n) {
        const char *amp = memchr(t + i, '&', n - i);
        size_t run = amp ? (size_t)(amp - (t + i)) : n - i;
        if (run && ks_ru_normalize(t + i, run, &s->part, s->err) != KS_OK && s->status == KS_OK)
            s->status = KS_ENOMEM;
        i += run;
        if (amp) {
            const char *semi = memchr(t + i, ';', n - i);
            size_t el = semi && semi - (t + i) < 12 ? (size_t)(semi - (t + i)) + 1 : 1;
            ks_buf_append(&s->part, t + i, el);
            i += el;
        }
    }
}

/* Finish the part being built: close the open elements, convert, add it as a piece. */
static void part_end(ssml_split *s)
{
    for (int i = s->depth - 1; i >= 0; i--) {
        ks_buf_puts(&s->part, "</");
        ks_buf_append(&s->part, s->st[i].name, s->st[i].name_len);
        ks_buf_putc(&s->part, '>');
    }
    ks_reader *r = s->r;
    if (s->status == KS_OK && s->part_has_text && r->nparts < MAX_PARTS && s->part.data) {
        part *p = &r->parts[r->nparts];
        p->off = 0;
        p->len = 0;
        p->lang = s->part_lang;
        p->woff = r->words.len;
        unsigned f = 0;
        int kk = s->part_lang == KS_LANG_KK;
        ks_status st = ks_ssml_to_espeak(kk ? s->o->normalizer : NULL, kk ? s->o->translit : NULL, s->o->script,
                                         s->part.data, s->part.len, &r->words, &f, s->err);
        if (st != KS_OK)
            s->status = st;
        p->wlen = r->words.len - p->woff;
        p->flags = f;
        r->nparts++;
    }
    ks_buf_reset(&s->part);
    s->part_has_text = 0;
}

/* Start a new part in language `lang`: the open elements again. */
static void part_start(ssml_split *s, ks_lang lang)
{
    s->part_lang = lang;
    for (int i = 0; i < s->depth; i++)
        ks_buf_append(&s->part, s->st[i].tag, s->st[i].tag_len);
}

static int is_lang_element(const char *name, size_t n)
{
    static const char *const els[] = {"speak", "p", "s", "voice", "lang", "paragraph", "sentence"};
    for (size_t i = 0; i < sizeof els / sizeof els[0]; i++)
        if (strlen(els[i]) == n && memcmp(els[i], name, n) == 0)
            return 1;
    return 0;
}

/* Does the document change language anywhere? */
static int ssml_has_lang_change(const char *t, size_t n)
{
    for (size_t i = 0; i + 8 <= n; i++)
        if (memcmp(t + i, "xml:lang", 8) == 0)
            return 1;
    return 0;
}

/* Cut the document into language parts (r->parts, r->words). Returns KS_OK, or the
 * first error (the document was validated before, so this is rare). */
static ks_status ssml_parts(ks_reader *r, const char *t, size_t n, ks_error *err)
{
    ssml_split s;
    memset(&s, 0, sizeof s);
    s.o = &r->opt;
    s.r = r;
    s.err = err;
    s.part_lang = r->opt.lang == KS_LANG_RU || r->opt.lang == KS_LANG_EN ? r->opt.lang : KS_LANG_KK;
    ks_lang base = s.part_lang;
    ks_buf_reset(&r->words);
    r->nparts = 0;
    size_t i = 0;
    while (i < n && s.status == KS_OK) {
        if (t[i] != '<') {
            const char *lt = memchr(t + i, '<', n - i);
            size_t run = lt ? (size_t)(lt - (t + i)) : n - i;
            part_text(&s, t + i, run);
            i += run;
            continue;
        }
        /* comments, declarations, processing instructions, CDATA: copied as they are */
        size_t e;
        if (i + 4 <= n && memcmp(t + i, "<!--", 4) == 0) {
            const char *c = NULL;
            for (size_t k = i + 4; k + 3 <= n; k++)
                if (memcmp(t + k, "-->", 3) == 0) {
                    c = t + k;
                    break;
                }
            e = c ? (size_t)(c - t) + 3 : n;
            ks_buf_append(&s.part, t + i, e - i);
            i = e;
            continue;
        }
        const char *gt = memchr(t + i, '>', n - i);
        e = gt ? (size_t)(gt - t) + 1 : n;
        const char *tag = t + i;
        size_t tl = e - i;
        if (tl >= 2 && (tag[1] == '?' || tag[1] == '!')) {
            ks_buf_append(&s.part, tag, tl);
            i = e;
            continue;
        }
        int closing = tl > 1 && tag[1] == '/';
        int selfclose = tl > 2 && tag[tl - 2] == '/';
        const char *nm = tag + (closing ? 2 : 1);
        size_t nl = 0;
        while (nm + nl < t + e && nm[nl] != ' ' && nm[nl] != '>' && nm[nl] != '/' && nm[nl] != '\t' && nm[nl] != '\n')
            nl++;
        if (closing) {
            ks_lang before = cur_lang(&s);
            if (s.depth > 0)
                s.depth--;
            ks_lang after = s.depth ? cur_lang(&s) : base;
            ks_buf_append(&s.part, tag, tl);
            if (after != before && s.depth > 0) {
                /* the element is closed already in this part: end the part without it */
                part_end(&s);
                part_start(&s, after);
            }
        } else if (selfclose) {
            ks_buf_append(&s.part, tag, tl);
        } else {
            ks_lang parent = s.depth ? cur_lang(&s) : base;
            ks_lang lang = is_lang_element(nm, nl) ? tag_lang(tag, tl, parent) : parent;
            if (s.depth >= SSML_MAX_DEPTH) {
                ks_buf_append(&s.part, tag, tl);
            } else {
                if (lang != s.part_lang && s.depth > 0) {
                    part_end(&s);
                    part_start(&s, lang);
                } else if (s.depth == 0) {
                    s.part_lang = lang;
                }
                ks_buf_append(&s.part, tag, tl);
                s.st[s.depth++] = (xel){tag, tl, nm, nl, lang};
            }
        }
        i = e;
    }
    s.depth = 0;
    part_end(&s);
    ks_buf_free(&s.part);
    if (s.status != KS_OK)
        return s.status;
    if (s.part.failed || r->words.failed)
        return status_set(err, KS_ENOMEM, "SSML document too large");
    return KS_OK;
}


/* Drop what is waiting (after a stop). */
static void drop_pending(ks_reader *r)
{
    r->consumed += r->pending.len - r->start;
    r->start = r->pending.len = 0;
    if (r->opt.input == KS_READER_SSML) { /* the rest of the document is gone */
        ssml_pieces_free(&r->pieces);
        ssml_pieces_init(&r->pieces);
    }
}

/* Speak the language spans of the utterance one after the other, each with its
 * language's eSpeak voice (same profile parameters), then go back to Kazakh. */
static ks_status speak_parts(ks_reader *r, int last, ks_error *err)
{
    ks_status st = KS_OK;
    for (int i = 0; i < r->nparts && st == KS_OK && !r->stopping; i++) {
        part *p = &r->parts[i];
        if (blank(r->words.data + p->woff, p->wlen))
            continue;
        ks_error lerr;
        if (engine_set_lang(r->eng, p->lang, &lerr) != KS_OK)
            engine_set_lang(r->eng, KS_LANG_KK, &lerr); /* no such voice installed: read it as Kazakh */
        r->part_base = p->woff;
        r->cur.lang = p->lang;
        unsigned f = p->flags | (last && i + 1 == r->nparts ? (unsigned)KS_SPEAK_FINAL : 0u);
        st = ks_engine_speak(r->eng, r->words.data + p->woff, p->wlen,
                             p->lang == KS_LANG_KK ? f : f & ~(unsigned)KS_SPEAK_PHONEMES,
                             reader_pcm, reader_event, r, err);
    }
    ks_error lerr;
    engine_set_lang(r->eng, KS_LANG_KK, &lerr);
    r->part_base = 0;
    return st;
}

/* Speak one utterance: events around it, PCM to the sink. `last`: the end of the
 * input (KS_SPEAK_FINAL: the engine may leave out its end pause). */
static ks_status speak_utterance(ks_reader *r, const char *text, size_t len, uint64_t offset, int last,
                                 ks_error *err)
{
    unsigned flags;
    ks_status st = r->opt.input == KS_READER_TEXT && r->opt.lang != KS_LANG_KK
                       ? prepare_lang(r, text, len, offset, &flags, err)
                       : prepare(r, text, len, offset, &flags, err);
    if (last)
        flags |= KS_SPEAK_FINAL;
    if (st != KS_OK)
        return st;
    if (r->opt.input == KS_READER_SSML && r->opt.lang != KS_LANG_KK &&
        (r->opt.lang != KS_LANG_AUTO || ssml_has_lang_change(r->piece.data, r->piece.len))) {
        st = ssml_parts(r, r->piece.data, r->piece.len, err); /* the piece was converted whole above: it is valid */
        if (st != KS_OK)
            return st;
    } else if (r->opt.input != KS_READER_TEXT && (r->opt.lang == KS_LANG_RU || r->opt.lang == KS_LANG_EN)) {
        r->parts[0].lang = r->opt.lang; /* prepared text or SSML, all in one language */
    }
    if (blank(r->words.data ? r->words.data : "", r->words.len))
        return KS_OK; /* nothing to say */
    memset(&r->cur, 0, sizeof r->cur);
    r->cur.utterance = r->utterance++;
    r->cur.text = text;
    r->cur.text_len = len;
    r->cur.text_offset = offset;
    r->cur.normalized = r->words.data;
    r->cur.normalized_len = r->words.len;
    r->stopping = 0;
    r->sink_failed = KS_OK;
    r->cur.lang = r->parts[0].lang;
    r->part_base = 0;
    if (!emit(r, KS_READER_UTTERANCE_START)) {
        if (r->nparts == 1 && r->parts[0].lang == KS_LANG_KK)
            st = ks_engine_speak(r->eng, r->words.data, r->words.len, flags, reader_pcm, reader_event, r, err);
        else
            st = speak_parts(r, last, err);
    }
    int stopped = r->stopping || st == KS_ESTOPPED;
    r->cur.stopped = stopped;
    r->cur.word_offset = r->cur.word_len = 0;
    int after = r->stopping;
    emit(r, KS_READER_UTTERANCE_END);
    r->stopping = after;
    if (r->sink_failed != KS_OK) {
        if (err)
            *err = r->sink_err;
        return r->sink_failed;
    }
    if (stopped) {
        if (r->playback)
            ks_playback_flush(r->sink); /* the stop is heard at once */
        return status_set(err, KS_ESTOPPED, "stopped");
    }
    return st;
}

/* A stop (cancel, poll, callback) drops what was waiting; a cancel seen is acted on. */
static ks_status after_stop(ks_reader *r, ks_status st)
{
    if (st == KS_ESTOPPED || cancelled(r)) {
        drop_pending(r);
        r->seen_gen = atomic_load(&r->cancel_gen);
        return KS_ESTOPPED;
    }
    return st;
}

/* The next n bytes waiting are one utterance: take them off and speak them. */
static ks_status speak_next(ks_reader *r, size_t n, int last, ks_error *err)
{
    uint64_t off = r->consumed;
    size_t at = r->start;
    r->start += n;
    r->consumed += n;
    ks_status st = speak_utterance(r, r->pending.data + at, n, off, last, err);
    return st == KS_OK ? KS_OK : after_stop(r, st);
}

/* Keep what is waiting at the start of the buffer, so it does not grow. */
static void compact(ks_reader *r)
{
    if (r->start == r->pending.len) {
        r->start = r->pending.len = 0;
    } else if (r->start > 0 && r->start >= r->pending.len / 2) {
        memmove(r->pending.data, r->pending.data + r->start, r->pending.len - r->start);
        r->pending.len -= r->start;
        r->start = 0;
    }
}

/* Speak pending[start .. start+n) as sentences, all of it. */
static ks_status speak_span(ks_reader *r, size_t n, ks_error *err)
{
    size_t end = r->start + n;
    while (r->start < end) {
        size_t k = ks_sentence_split(r->pending.data + r->start, end - r->start, 1, r->opt.max_sentence);
        if (k == 0)
            k = end - r->start;
        ks_status st = speak_next(r, k, 0, err);
        if (st != KS_OK)
            return st;
    }
    return KS_OK;
}

/* Speak every complete sentence waiting; with at_eof, everything. */
static ks_status speak_ready(ks_reader *r, int at_eof, ks_error *err)
{
    while (r->start < r->pending.len) {
        size_t n = ks_sentence_split(r->pending.data + r->start, r->pending.len - r->start, at_eof,
                                     r->opt.max_sentence);
        if (n == 0)
            break;
        ks_status st = speak_next(r, n, at_eof && r->start + n == r->pending.len, err);
        if (st != KS_OK)
            return st;
    }
    compact(r);
    return KS_OK;
}

/* KS_READER_SSML: speak every piece of the document that can be cut off now
 * (all of it at the end), each converted as a document of its own. */
static ks_status speak_pieces(ks_reader *r, int at_eof, ks_error *err)
{
    for (;;) {
        size_t n = ssml_pieces_next(&r->pieces, r->pending.data + r->start, r->pending.len - r->start, at_eof,
                                    SSML_MIN_PIECE, r->opt.max_sentence);
        if (n == 0)
            break;
        r->piece_line = r->pieces.line;
        r->piece_col = r->pieces.col;
        ks_buf_reset(&r->piece);
        int last = at_eof && r->start + n == r->pending.len;
        if (ssml_pieces_take(&r->pieces, r->pending.data + r->start, n, last, &r->piece) != 0)
            return status_set(err, KS_ENOMEM, "out of memory");
        r->piece_prefix_chars = ssml_pieces_prefix_len(&r->pieces);
        ks_status st = speak_next(r, n, last, err);
        if (st != KS_OK)
            return st;
        if (r->start == r->pending.len)
            break;
    }
    compact(r);
    if (at_eof) { /* the next document starts afresh */
        ssml_pieces_free(&r->pieces);
        ssml_pieces_init(&r->pieces);
    }
    return KS_OK;
}

/* A cancel that came while nothing was being spoken drops what was waiting. */
static void act_on_cancel(ks_reader *r)
{
    if (cancelled(r)) {
        drop_pending(r);
        r->seen_gen = atomic_load(&r->cancel_gen);
    }
}

static ks_status append(ks_reader *r, const char *text, size_t len, ks_error *err)
{
    if (r->opt.input == KS_READER_SSML && r->pending.len - r->start + len > r->opt.max_document)
        return status_set(err, KS_ENOMEM, "SSML document larger than %zu MiB", r->opt.max_document >> 20);
    if (ks_buf_append(&r->pending, text, len) != 0)
        return status_set(err, KS_ENOMEM, "out of memory");
    return KS_OK;
}

KS_API ks_status ks_reader_feed(ks_reader *r, const char *text, size_t len, ks_error *err)
{
    act_on_cancel(r);
    while (len > 0) {
        size_t take = r->opt.input != KS_READER_ESPEAK && len > FEED_WINDOW ? FEED_WINDOW : len;
        ks_status st = append(r, text, take, err);
        if (st != KS_OK)
            return st;
        text += take;
        len -= take;
        if (r->opt.input == KS_READER_ESPEAK)
            continue; /* prepared text is spoken at finish */
        st = r->opt.input == KS_READER_SSML ? speak_pieces(r, 0, err) : speak_ready(r, 0, err);
        if (st != KS_OK)
            return st;
    }
    return KS_OK;
}

/* Is pending[start..) a finished sentence: a terminator, closing quotes or brackets,
 * then only white space (at least one)? */
static int ends_with_terminator(const char *t, size_t n)
{
    size_t i = n;
    while (i > 0 && (t[i - 1] == ' ' || t[i - 1] == '\t' || t[i - 1] == '\r' || t[i - 1] == '\n'))
        i--;
    if (i == n)
        return 0;
    for (;;) { /* closing ) ] " » ” */
        if (i > 0 && (t[i - 1] == ')' || t[i - 1] == ']' || t[i - 1] == '"'))
            i--;
        else if (i >= 2 && (unsigned char)t[i - 2] == 0xC2 && (unsigned char)t[i - 1] == 0xBB)
            i -= 2;
        else if (i >= 3 && memcmp(t + i - 3, "\xE2\x80\x9D", 3) == 0)
            i -= 3;
        else
            break;
    }
    if (i > 0 && (t[i - 1] == '.' || t[i - 1] == '!' || t[i - 1] == '?'))
        return 1;
    return i >= 3 && memcmp(t + i - 3, "\xE2\x80\xA6", 3) == 0; /* … */
}

KS_API ks_status ks_reader_flush(ks_reader *r, ks_error *err)
{
    act_on_cancel(r);
    if (r->opt.input != KS_READER_TEXT)
        return KS_OK;
    ks_status st = speak_ready(r, 0, err);
    if (st != KS_OK)
        return st;
    const char *t = r->pending.data + r->start;
    size_t n = r->pending.len - r->start;
    if (n == 0)
        return KS_OK;
    size_t cut = 0;
    if (ends_with_terminator(t, n)) {
        cut = n;
    } else {
        for (size_t i = n; i > 0; i--)
            if (t[i - 1] == '\n') {
                cut = i;
                break;
            }
    }
    if (cut == 0)
        return KS_OK;
    st = speak_span(r, cut, err);
    if (st == KS_OK && r->start == r->pending.len)
        r->start = r->pending.len = 0;
    return st;
}

KS_API ks_status ks_reader_finish(ks_reader *r, ks_error *err)
{
    act_on_cancel(r);
    ks_status st;
    if (r->opt.input == KS_READER_TEXT) {
        st = speak_ready(r, 1, err);
    } else if (r->opt.input == KS_READER_SSML) {
        st = speak_pieces(r, 1, err);
        if (st != KS_OK) { /* a broken document: the next one starts afresh */
            ssml_pieces_free(&r->pieces);
            ssml_pieces_init(&r->pieces);
        }
    } else {
        size_t n = r->pending.len - r->start;
        uint64_t off = r->consumed;
        st = n ? speak_utterance(r, r->pending.data + r->start, n, off, 1, err) : KS_OK;
        r->consumed += n;
        r->start = r->pending.len = 0;
        if (st != KS_OK)
            st = after_stop(r, st);
    }
    return st;
}

KS_API ks_status ks_reader_speak(ks_reader *r, const char *text, size_t len, ks_error *err)
{
    ks_status st = ks_reader_feed(r, text, len, err);
    if (st != KS_OK) {
        if (st != KS_ESTOPPED)
            drop_pending(r);
        return st;
    }
    return ks_reader_finish(r, err);
}
