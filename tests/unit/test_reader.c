/* The reader: sentences spoken as they complete, events with original text,
 * offsets, normalized text and sample positions; flush on idle input; cancel
 * and pause/resume from another thread; poll; SSML marks; prepared text. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "kazspeak/kazspeak.h"

#define MAX_EV 512

typedef struct rec {
    int n;
    ks_reader_event ev[MAX_EV];
    char text[MAX_EV][256];
    char norm[MAX_EV][512];
    char mark[MAX_EV][32];
    atomic_ulong frames; /* frames seen by the pcm callback */
    uint64_t last_sample;
    int in_order;
    int stop_at_utterance; /* poll/event stop test: -1 none */
    int polls;
    int poll_stop_after;   /* poll returns 1 once it was called this often (0 never) */
    int counts[8];         /* events by type, also past MAX_EV */
    int next_k, k_in_order; /* marks named k0, k1, ... arrive in order */
} rec;

static void rec_init(rec *r)
{
    memset(r, 0, sizeof *r);
    r->in_order = 1;
    r->k_in_order = 1;
    r->stop_at_utterance = -1;
}

static int on_event(const ks_reader_event *ev, void *user)
{
    rec *r = user;
    if (ev->sample < r->last_sample)
        r->in_order = 0;
    r->last_sample = ev->sample;
    r->counts[ev->type & 7]++;
    if (ev->type == KS_READER_MARK && ev->mark && ev->mark[0] == 'k')
        r->k_in_order &= atoi(ev->mark + 1) == r->next_k++;
    if (r->n < MAX_EV) {
        r->ev[r->n] = *ev;
        snprintf(r->text[r->n], sizeof r->text[0], "%.*s", (int)ev->text_len, ev->text);
        snprintf(r->norm[r->n], sizeof r->norm[0], "%.*s", (int)ev->normalized_len, ev->normalized);
        snprintf(r->mark[r->n], sizeof r->mark[0], "%s", ev->mark ? ev->mark : "");
        r->n++;
    }
    return ev->type == KS_READER_UTTERANCE_START && (int)ev->utterance == r->stop_at_utterance;
}

static int on_pcm(const int16_t *pcm, size_t frames, uint64_t frame, void *user)
{
    (void)pcm;
    rec *r = user;
    if (frame != atomic_load(&r->frames))
        r->in_order = 0; /* positions count the frames passed on */
    atomic_fetch_add(&r->frames, frames);
    return 0;
}

static int on_poll(void *user)
{
    rec *r = user;
    r->polls++;
    return r->poll_stop_after && r->polls >= r->poll_stop_after;
}

static int count(const rec *r, ks_reader_event_type t)
{
    int k = 0;
    for (int i = 0; i < r->n; i++)
        k += r->ev[i].type == t;
    return k;
}

static const ks_reader_event *nth(const rec *r, ks_reader_event_type t, int which, int *index)
{
    for (int i = 0; i < r->n; i++)
        if (r->ev[i].type == t && which-- == 0) {
            if (index)
                *index = i;
            return &r->ev[i];
        }
    return NULL;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---------------------------------------------------------------- incremental feeding */

static void test_feed_events(ks_engine *e, ks_normalizer *n)
{
    const char *text = "Сәлем, әлем! 2024 жылы 5-сынып бітті.\nЕртең жиналыс болады.";
    ks_sink *sink;
    ks_error err;
    CHECK_INT(ks_sink_memory_open(&sink, ks_engine_sample_rate(e), &err), KS_OK);
    rec r;
    rec_init(&r);
    ks_reader_options o;
    ks_reader_options_init(&o);
    o.normalizer = n;
    ks_reader_callbacks cb = {on_event, on_pcm, on_poll, &r};
    ks_reader *rd;
    CHECK_INT(ks_reader_new(&rd, e, sink, &o, &cb, &err), KS_OK);
    /* byte by byte: a sentence is spoken as soon as the byte after its end arrives */
    size_t len = strlen(text);
    int spoken_before_end = 0;
    for (size_t i = 0; i < len; i++) {
        CHECK_INT(ks_reader_feed(rd, text + i, 1, &err), KS_OK);
        if (i + 1 < len && count(&r, KS_READER_UTTERANCE_END) > 0 && !spoken_before_end)
            spoken_before_end = (int)i + 1;
    }
    CHECK(spoken_before_end > 0 && spoken_before_end <= (int)strlen("Сәлем, әлем! ") + 1);
    CHECK_INT(count(&r, KS_READER_UTTERANCE_START), 2);
    CHECK_INT(ks_reader_finish(rd, &err), KS_OK);
    CHECK_INT(count(&r, KS_READER_UTTERANCE_START), 3);
    CHECK_INT(count(&r, KS_READER_UTTERANCE_END), 3);
    CHECK(count(&r, KS_READER_WORD) >= 12);
    CHECK(r.in_order);
    CHECK_INT(ks_reader_consumed(rd), len);
    CHECK(ks_reader_bad_utf8(rd) == UINT64_MAX);

    /* the utterances: original text, its offset, the normalized text */
    int i0 = 0, i1 = 0, i2 = 0;
    const ks_reader_event *u0 = nth(&r, KS_READER_UTTERANCE_START, 0, &i0);
    const ks_reader_event *u1 = nth(&r, KS_READER_UTTERANCE_START, 1, &i1);
    const ks_reader_event *u2 = nth(&r, KS_READER_UTTERANCE_START, 2, &i2);
    CHECK(u0 && u1 && u2);
    if (u0 && u1 && u2) {
        CHECK_STR(r.text[i0], "Сәлем, әлем! ");
        CHECK_INT(u0->text_offset, 0);
        CHECK_INT(u0->utterance, 0);
        CHECK_STR(r.text[i1], "2024 жылы 5-сынып бітті.\n");
        CHECK_INT(u1->text_offset, strlen("Сәлем, әлем! "));
        CHECK(strstr(r.norm[i1], "екі мың жиырма төртінші жылы бесінші сынып") != NULL);
        CHECK_STR(r.text[i2], "Ертең жиналыс болады.");
        CHECK_INT(u2->text_offset, strlen("Сәлем, әлем! 2024 жылы 5-сынып бітті.\n"));
        CHECK_INT(u2->utterance, 2);
        CHECK_INT(u0->sample, 0);
        CHECK(u1->sample > 0 && u2->sample > u1->sample);
    }
    /* an utterance ends where the next one starts, the last where the audio ends */
    const ks_reader_event *e0 = nth(&r, KS_READER_UTTERANCE_END, 0, NULL);
    const ks_reader_event *e2 = nth(&r, KS_READER_UTTERANCE_END, 2, NULL);
    CHECK(e0 && u1 && e0->sample == u1->sample && !e0->stopped);
    CHECK(e2 && e2->sample == ks_sink_frames(sink));
    CHECK_INT(ks_sink_frames(sink), atomic_load(&r.frames));
    /* every word lies inside its utterance's normalized text */
    for (int i = 0; i < r.n; i++)
        if (r.ev[i].type == KS_READER_WORD)
            CHECK(r.ev[i].word_len > 0 && r.ev[i].word_offset + r.ev[i].word_len <= r.ev[i].normalized_len);
    CHECK(r.polls > 10); /* polled between blocks */
    ks_reader_free(rd);
    CHECK_INT(ks_sink_close(sink, &err), KS_OK);
}

/* ---------------------------------------------------------------- flush on idle input */

static void test_flush(ks_engine *e, ks_normalizer *n)
{
    ks_error err;
    rec r;
    rec_init(&r);
    ks_reader_options o;
    ks_reader_options_init(&o);
    o.normalizer = n;
    ks_reader_callbacks cb = {on_event, on_pcm, NULL, &r};
    ks_reader *rd;
    CHECK_INT(ks_reader_new(&rd, e, NULL, &o, &cb, &err), KS_OK);
    CHECK_INT(ks_reader_feed(rd, "Сәлем. ", strlen("Сәлем. "), &err), KS_OK);
    CHECK_INT(count(&r, KS_READER_UTTERANCE_START), 0); /* could be "Сәлем. Мен..." or an abbreviation */
    CHECK_INT(ks_reader_flush(rd, &err), KS_OK);
    CHECK_INT(count(&r, KS_READER_UTTERANCE_START), 1); /* idle input: the finished sentence is spoken */
    CHECK_INT(ks_reader_feed(rd, "Қалайсың", strlen("Қалайсың"), &err), KS_OK);
    CHECK_INT(ks_reader_flush(rd, &err), KS_OK);
    CHECK_INT(count(&r, KS_READER_UTTERANCE_START), 1); /* an unfinished line waits */
    CHECK_INT(ks_reader_feed(rd, "\n", 1, &err), KS_OK);
    CHECK_INT(ks_reader_flush(rd, &err), KS_OK);
    CHECK_INT(count(&r, KS_READER_UTTERANCE_START), 2); /* the line end ends it */
    int i = 0;
    nth(&r, KS_READER_UTTERANCE_START, 1, &i);
    CHECK_STR(r.text[i], "Қалайсың\n");
    CHECK(atomic_load(&r.frames) > 0);
    CHECK_INT(ks_reader_finish(rd, &err), KS_OK);
    CHECK_INT(count(&r, KS_READER_UTTERANCE_START), 2);
    ks_reader_free(rd);
}

/* ---------------------------------------------------------------- cancel and pause from another thread */

typedef struct ctl {
    ks_reader *rd;
    rec *r;
    unsigned long after_frames;
    int pause_ms; /* 0: cancel; else pause this long, then resume */
    unsigned long frames_at_pause, frames_after_pause;
    double t_cancel;
} ctl;

static void *controller(void *arg)
{
    ctl *c = arg;
    while (atomic_load(&c->r->frames) < c->after_frames)
        usleep(1000);
    if (c->pause_ms == 0) {
        c->t_cancel = now();
        ks_reader_cancel(c->rd);
        return NULL;
    }
    ks_reader_pause(c->rd);
    usleep(50000); /* within a block it holds */
    c->frames_at_pause = atomic_load(&c->r->frames);
    usleep((useconds_t)c->pause_ms * 1000);
    c->frames_after_pause = atomic_load(&c->r->frames);
    ks_reader_resume(c->rd);
    return NULL;
}

static ks_buf long_text(int sentences)
{
    ks_buf b = {0};
    for (int i = 0; i < sentences; i++)
        ks_buf_puts(&b, "Қазақстан Республикасының Парламенті жаңа заң жобасын бірінші оқылымда мақұлдады. ");
    return b;
}

static void test_cancel(ks_engine *e, ks_normalizer *n)
{
    ks_error err;
    rec r;
    rec_init(&r);
    ks_reader_options o;
    ks_reader_options_init(&o);
    o.normalizer = n;
    ks_reader_callbacks cb = {on_event, on_pcm, NULL, &r};
    ks_reader *rd;
    CHECK_INT(ks_reader_new(&rd, e, NULL, &o, &cb, &err), KS_OK);
    ks_buf text = long_text(200);
    ctl c = {rd, &r, 22050, 0, 0, 0, 0};
    pthread_t th;
    CHECK_INT(pthread_create(&th, NULL, controller, &c), 0);
    ks_status st = ks_reader_speak(rd, text.data, text.len, &err);
    double t_back = now();
    pthread_join(th, NULL);
    CHECK_INT(st, KS_ESTOPPED);
    CHECK(t_back - c.t_cancel < 0.5);
    CHECK(count(&r, KS_READER_UTTERANCE_START) < 200);
    const ks_reader_event *last = &r.ev[r.n - 1];
    CHECK(last->type == KS_READER_UTTERANCE_END && last->stopped);
    CHECK_INT(ks_reader_consumed(rd), text.len); /* what was waiting is dropped */
    /* the reader speaks again after a cancel */
    int before = count(&r, KS_READER_UTTERANCE_END);
    CHECK_INT(ks_reader_speak(rd, "Тағы да.", strlen("Тағы да."), &err), KS_OK);
    CHECK_INT(count(&r, KS_READER_UTTERANCE_END), before + 1);
    /* a cancel while nothing is spoken drops what is waiting, nothing more */
    CHECK_INT(ks_reader_feed(rd, "Бұл сөйлем күтіп тұр", strlen("Бұл сөйлем күтіп тұр"), &err), KS_OK);
    ks_reader_cancel(rd);
    CHECK_INT(ks_reader_finish(rd, &err), KS_OK);
    CHECK_INT(count(&r, KS_READER_UTTERANCE_END), before + 1);
    CHECK_INT(ks_reader_speak(rd, "Жаңа сөйлем.", strlen("Жаңа сөйлем."), &err), KS_OK);
    CHECK_INT(count(&r, KS_READER_UTTERANCE_END), before + 2);
    ks_buf_free(&text);
    ks_reader_free(rd);
}

/* A cancel in the middle of an SSML document (pieces with <speak> and <prosody>
 * opened again in each): it stops at once, and nothing leaks (ASan run). */
static void test_cancel_ssml(ks_engine *e, ks_normalizer *n)
{
    ks_error err;
    for (int round = 0; round < 5; round++) {
        rec r;
        rec_init(&r);
        ks_reader_options o;
        ks_reader_options_init(&o);
        o.normalizer = n;
        o.input = KS_READER_SSML;
        ks_reader_callbacks cb = {on_event, on_pcm, NULL, &r};
        ks_reader *rd;
        CHECK_INT(ks_reader_new(&rd, e, NULL, &o, &cb, &err), KS_OK);
        ks_buf doc = {0};
        ks_buf_puts(&doc, "<speak xml:lang=\"kk\"><voice name=\"kk\"><prosody rate=\"slow\" pitch=\"+5%\">");
        for (int k = 0; k < 400; k++)
            ks_buf_puts(&doc, "Парламент жаңа заң жобасын бірінші оқылымда мақұлдады. ");
        ks_buf_puts(&doc, "</prosody></voice></speak>");
        ctl c = {rd, &r, (unsigned long)(5000 + 3000 * round), 0, 0, 0, 0};
        pthread_t th;
        CHECK_INT(pthread_create(&th, NULL, controller, &c), 0);
        ks_status st = ks_reader_feed(rd, doc.data, doc.len, &err);
        if (st == KS_OK)
            st = ks_reader_finish(rd, &err);
        pthread_join(th, NULL);
        CHECK_INT(st, KS_ESTOPPED);
        CHECK_INT(ks_reader_consumed(rd), doc.len);
        /* a new document reads normally after the stop */
        const char *next = "<speak>Жаңа құжат.</speak>";
        CHECK_INT(ks_reader_speak(rd, next, strlen(next), &err), KS_OK);
        ks_buf_free(&doc);
        ks_reader_free(rd);
    }
}

static void test_pause(ks_engine *e, ks_normalizer *n)
{
    ks_error err;
    rec r;
    rec_init(&r);
    ks_reader_options o;
    ks_reader_options_init(&o);
    o.normalizer = n;
    ks_reader_callbacks cb = {on_event, on_pcm, NULL, &r};
    ks_reader *rd;
    CHECK_INT(ks_reader_new(&rd, e, NULL, &o, &cb, &err), KS_OK);
    ks_buf text = long_text(3);
    ctl c = {rd, &r, 11025, 200, 0, 0, 0};
    pthread_t th;
    CHECK_INT(pthread_create(&th, NULL, controller, &c), 0);
    double t0 = now();
    ks_status st = ks_reader_speak(rd, text.data, text.len, &err);
    double took = now() - t0;
    pthread_join(th, NULL);
    CHECK_INT(st, KS_OK);
    CHECK(took >= 0.2);                                   /* it waited while paused */
    CHECK_INT(c.frames_after_pause, c.frames_at_pause);   /* nothing went out while paused */
    CHECK(!ks_reader_paused(rd));
    CHECK_INT(count(&r, KS_READER_UTTERANCE_END), 3);     /* and then finished everything */
    ks_buf_free(&text);
    ks_reader_free(rd);
}

/* ---------------------------------------------------------------- poll and event stops */

static void test_stops(ks_engine *e, ks_normalizer *n)
{
    ks_error err;
    rec r;
    rec_init(&r);
    r.poll_stop_after = 5;
    ks_reader_options o;
    ks_reader_options_init(&o);
    o.normalizer = n;
    ks_reader_callbacks cb = {on_event, on_pcm, on_poll, &r};
    ks_reader *rd;
    CHECK_INT(ks_reader_new(&rd, e, NULL, &o, &cb, &err), KS_OK);
    ks_buf text = long_text(5);
    CHECK_INT(ks_reader_speak(rd, text.data, text.len, &err), KS_ESTOPPED);
    CHECK_INT(count(&r, KS_READER_UTTERANCE_START), 1);
    CHECK(atomic_load(&r.frames) <= 5 * 221); /* four blocks of 10 ms got out */
    rec_init(&r);
    r.stop_at_utterance = 2; /* utterances count on: 1 is spoken, 2 is stopped by its start event */
    CHECK_INT(ks_reader_speak(rd, text.data, text.len, &err), KS_ESTOPPED);
    CHECK_INT(count(&r, KS_READER_UTTERANCE_START), 2);
    CHECK_INT(count(&r, KS_READER_UTTERANCE_END), 2);
    const ks_reader_event *end1 = nth(&r, KS_READER_UTTERANCE_END, 1, NULL);
    const ks_reader_event *start1 = nth(&r, KS_READER_UTTERANCE_START, 1, NULL);
    CHECK(end1 && start1 && end1->stopped && end1->sample == start1->sample); /* no audio of it */
    CHECK(!nth(&r, KS_READER_UTTERANCE_END, 0, NULL)->stopped);
    ks_buf_free(&text);
    ks_reader_free(rd);
}

/* ---------------------------------------------------------------- SSML, prepared text, preparation */

static void test_ssml_and_prepared(ks_engine *e, ks_normalizer *n)
{
    ks_error err;
    rec r;
    rec_init(&r);
    ks_reader_options o;
    ks_reader_options_init(&o);
    o.normalizer = n;
    o.input = KS_READER_SSML;
    ks_reader_callbacks cb = {on_event, on_pcm, NULL, &r};
    ks_reader *rd;
    CHECK_INT(ks_reader_new(&rd, e, NULL, &o, &cb, &err), KS_OK);
    const char *doc = "<speak>2024 жылы <mark name=\"m1\"/> 5-сынып.</speak>";
    CHECK_INT(ks_reader_feed(rd, doc, 20, &err), KS_OK);
    CHECK_INT(count(&r, KS_READER_UTTERANCE_START), 0); /* a document is spoken whole */
    CHECK_INT(ks_reader_feed(rd, doc + 20, strlen(doc) - 20, &err), KS_OK);
    CHECK_INT(ks_reader_finish(rd, &err), KS_OK);
    CHECK_INT(count(&r, KS_READER_UTTERANCE_START), 1);
    int i = 0;
    const ks_reader_event *m = nth(&r, KS_READER_MARK, 0, &i);
    CHECK(m != NULL);
    if (m) {
        CHECK_STR(r.mark[i], "m1");
        CHECK(m->sample > 0 && m->sample < atomic_load(&r.frames));
        CHECK(strstr(r.norm[i], "екі мың жиырма төртінші жылы") != NULL);
    }
    ks_reader_free(rd);

    /* a large document is spoken in pieces as it arrives: every mark, in order */
    rec_init(&r);
    ks_reader_options_init(&o);
    o.normalizer = n;
    o.input = KS_READER_SSML;
    CHECK_INT(ks_reader_new(&rd, e, NULL, &o, &cb, &err), KS_OK);
    ks_buf big = {0};
    ks_buf_puts(&big, "<speak><p><prosody rate=\"fast\">");
    for (int k = 0; k < 300; k++) {
        char s[160];
        snprintf(s, sizeof s, "Бұл %d-сөйлем, ол қысқа. <mark name=\"k%d\"/>", k + 1, k); /* the index-mark pattern of speech-dispatcher: a mark after each sentence */
        ks_buf_puts(&big, s);
    }
    ks_buf_puts(&big, "</prosody></p></speak>");
    for (size_t at = 0; at < big.len; at += 1000)
        CHECK_INT(ks_reader_feed(rd, big.data + at, big.len - at < 1000 ? big.len - at : 1000, &err), KS_OK);
    int spoken_before_end = count(&r, KS_READER_UTTERANCE_END);
    CHECK_INT(ks_reader_finish(rd, &err), KS_OK);
    CHECK(spoken_before_end > 0); /* pieces were spoken before the end of the document */
    CHECK(r.counts[KS_READER_UTTERANCE_START] > 2);
    CHECK_INT(r.counts[KS_READER_MARK], 300);
    CHECK(r.k_in_order);
    CHECK_INT(ks_reader_consumed(rd), big.len);
    ks_buf_free(&big);
    ks_reader_free(rd);

    /* text prepared for eSpeak: spoken as it is, with the given flags */
    rec_init(&r);
    ks_reader_options_init(&o);
    o.input = KS_READER_ESPEAK;
    o.espeak_flags = KS_SPEAK_SSML;
    CHECK_INT(ks_reader_new(&rd, e, NULL, &o, &cb, &err), KS_OK);
    const char *pre = "<speak>бір <mark name=\"x\"/>екі</speak>";
    CHECK_INT(ks_reader_speak(rd, pre, strlen(pre), &err), KS_OK);
    CHECK(nth(&r, KS_READER_MARK, 0, &i) != NULL);
    CHECK_STR(r.norm[0], pre);
    ks_reader_free(rd);

    /* invalid UTF-8 is reported with its offset in everything fed */
    rec_init(&r);
    ks_reader_options_init(&o);
    o.normalizer = n;
    CHECK_INT(ks_reader_new(&rd, e, NULL, &o, &cb, &err), KS_OK);
    CHECK_INT(ks_reader_speak(rd, "Бір. Екі \xff үш.", strlen("Бір. Екі \xff үш."), &err), KS_OK);
    CHECK_INT(ks_reader_bad_utf8(rd), strlen("Бір. Екі "));
    ks_reader_free(rd);

    /* ks_text_prepare with no transliterator is the normalizer */
    ks_buf a = {0}, b = {0};
    size_t bad = 0;
    CHECK_INT(ks_text_prepare(n, NULL, KS_SCRIPT_AUTO, "15%-ға", strlen("15%-ға"), &a, &bad, &err), KS_OK);
    CHECK_INT(ks_normalize(n, "15%-ға", strlen("15%-ға"), &b, NULL, &err), KS_OK);
    CHECK_STR(a.data, b.data);
    CHECK(bad == (size_t)-1);
    ks_buf_free(&a);
    ks_buf_free(&b);
}

int main(void)
{
    ks_error err;
    ks_engine *e = NULL;
    ks_lexicon *lex = NULL;
    ks_normalizer *n = NULL;
    if (ks_engine_new(&e, KS_BINARY_DIR "/espeak-ng-data", &err) != KS_OK ||
        ks_lexicon_new(&lex, &err) != KS_OK || ks_lexicon_load_dir(lex, KS_SOURCE_DIR "/lexicon", &err) != KS_OK ||
        ks_normalizer_new(&n, lex, &err) != KS_OK) {
        fprintf(stderr, "set-up: %s\n", err.msg);
        return 1;
    }
    CHECK_INT(ks_reader_new(&(ks_reader *){NULL}, NULL, NULL, NULL, NULL, &err), KS_EINVAL);
    test_feed_events(e, n);
    test_flush(e, n);
    test_cancel(e, n);
    test_cancel_ssml(e, n);
    test_pause(e, n);
    test_stops(e, n);
    test_ssml_and_prepared(e, n);
    ks_normalizer_free(n);
    ks_lexicon_free(lex);
    ks_engine_free(e);
    return check_done();
}
