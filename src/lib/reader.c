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
#include "ssml_pieces.h"
#include "status.h"

#define DEFAULT_MAX_SENTENCE 65536
#define DEFAULT_MAX_DOCUMENT ((size_t)64 << 20)
#define DEFAULT_SLICE_MS 10
#define FEED_WINDOW 65536     /* input is taken in windows of this size: memory stays bounded */
#define PAUSE_WAIT_MS 20      /* while paused, poll is called this often */
#define SSML_MIN_PIECE 8192   /* an SSML document is spoken in pieces of at least this (cut at sentence ends) */

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
        r->cur.word_offset = ev->text_offset;
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
    return st;
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

/* Speak one utterance: events around it, PCM to the sink. `last`: the end of the
 * input (KS_SPEAK_FINAL: the engine may leave out its end pause). */
static ks_status speak_utterance(ks_reader *r, const char *text, size_t len, uint64_t offset, int last,
                                 ks_error *err)
{
    unsigned flags;
    ks_status st = prepare(r, text, len, offset, &flags, err);
    if (last)
        flags |= KS_SPEAK_FINAL;
    if (st != KS_OK)
        return st;
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
    if (!emit(r, KS_READER_UTTERANCE_START))
        st = ks_engine_speak(r->eng, r->words.data, r->words.len, flags, reader_pcm, reader_event, r, err);
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
