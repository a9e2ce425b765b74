/* The eSpeak NG engine: our own data folder, voices, parameters, events, stop. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "kazspeak/kazspeak.h"

typedef struct collect {
    size_t frames;
    double sumsq;
    int words, sentences, marks, ends;
    uint64_t last_event_sample;
    int events_in_order;
    size_t stop_after;
    char mark[32];
    uint64_t mark_sample;
    size_t word_offsets[64];
    size_t word_lens[64];
} collect;

static int on_pcm(const int16_t *pcm, size_t n, void *u)
{
    collect *c = u;
    for (size_t i = 0; i < n; i++)
        c->sumsq += (double)pcm[i] * pcm[i];
    c->frames += n;
    return c->stop_after && c->frames >= c->stop_after;
}

static int on_ev(const ks_event *ev, void *u)
{
    collect *c = u;
    if (ev->sample < c->last_event_sample)
        c->events_in_order = 0;
    c->last_event_sample = ev->sample;
    if (ev->sample != c->frames) /* events arrive exactly where they are in the audio */
        c->events_in_order = 0;
    switch (ev->type) {
    case KS_EVENT_WORD:
        if (c->words < 64) {
            c->word_offsets[c->words] = ev->text_offset;
            c->word_lens[c->words] = ev->text_len;
        }
        c->words++;
        break;
    case KS_EVENT_SENTENCE: c->sentences++; break;
    case KS_EVENT_MARK:
        c->marks++;
        snprintf(c->mark, sizeof c->mark, "%s", ev->name ? ev->name : "");
        c->mark_sample = ev->sample;
        break;
    case KS_EVENT_END: c->ends++; break;
    }
    return 0;
}

int main(void)
{
    ks_engine *e = NULL;
    ks_error err;
    const char *data = KS_BINARY_DIR "/espeak-ng-data";
    CHECK_INT(ks_engine_new(&e, "/nonexistent-folder", &err), KS_EIO);
    CHECK(strstr(err.msg, "/nonexistent-folder") != NULL);
    CHECK_INT(ks_engine_new(&e, KS_SOURCE_DIR, &err), KS_EIO); /* not an eSpeak folder */
    if (ks_engine_new(&e, data, &err) != KS_OK) {
        fprintf(stderr, "engine: %s\n", err.msg);
        return 1;
    }
    ks_engine *e2 = NULL;
    CHECK_INT(ks_engine_new(&e2, data, &err), KS_EBUSY);
    CHECK_INT(ks_engine_sample_rate(e), 22050);

    const char *text = "Сәлем, әлем! Қалайсың?";
    collect c;
    memset(&c, 0, sizeof c);
    c.events_in_order = 1;
    CHECK_INT(ks_engine_speak(e, text, strlen(text), 0, on_pcm, on_ev, &c, &err), KS_OK);
    CHECK(c.frames > 22050 / 2 && c.frames < 22050 * 5);
    CHECK(sqrt(c.sumsq / (double)c.frames) > 300);
    CHECK_INT(c.words, 3);
    CHECK(c.sentences >= 1);
    CHECK_INT(c.ends, 1);
    CHECK(c.events_in_order);
    /* word offsets are bytes into the text */
    CHECK_INT(c.word_offsets[0], 0);
    CHECK_INT(c.word_lens[0], strlen("Сәлем"));
    CHECK_INT(c.word_offsets[1], strlen("Сәлем, "));
    CHECK_INT(c.word_offsets[2], strlen("Сәлем, әлем! "));
    CHECK_INT(c.word_lens[2], strlen("Қалайсың"));
    size_t normal = c.frames;

    /* Stop from the PCM callback. */
    memset(&c, 0, sizeof c);
    c.stop_after = 2000;
    const char *longtext = "Бір екі үш төрт бес алты жеті сегіз тоғыз он. Бір екі үш төрт бес алты жеті сегіз тоғыз он.";
    CHECK_INT(ks_engine_speak(e, longtext, strlen(longtext), 0, on_pcm, NULL, &c, &err), KS_ESTOPPED);
    CHECK(c.frames < 6000);
    /* and the next call works normally */
    memset(&c, 0, sizeof c);
    CHECK_INT(ks_engine_speak(e, text, strlen(text), 0, on_pcm, NULL, &c, &err), KS_OK);
    CHECK(c.frames > normal * 9 / 10 && c.frames < normal * 11 / 10);

    /* Rate changes duration; parameters are range-checked. */
    CHECK_INT(ks_engine_set_param(e, KS_PARAM_RATE, 79, &err), KS_EINVAL);
    CHECK_INT(ks_engine_set_param(e, KS_PARAM_RATE, 600, &err), KS_OK);
    CHECK_INT(ks_engine_get_param(e, KS_PARAM_RATE), 600);
    memset(&c, 0, sizeof c);
    CHECK_INT(ks_engine_speak(e, text, strlen(text), 0, on_pcm, NULL, &c, &err), KS_OK);
    CHECK(c.frames < normal * 6 / 10);

    /* Voices: a real variant works and resets the rate; unknown variants are errors with file:line. */
    ks_voice v;
    ks_voice_defaults(&v);
    snprintf(v.espeak, sizeof v.espeak, "kk+m3");
    CHECK_INT(ks_engine_set_voice(e, &v, &err), KS_OK);
    CHECK_INT(ks_engine_get_param(e, KS_PARAM_RATE), 175);
    memset(&c, 0, sizeof c);
    CHECK_INT(ks_engine_speak(e, text, strlen(text), 0, on_pcm, NULL, &c, &err), KS_OK);
    CHECK(c.frames > normal * 8 / 10 && c.frames < normal * 12 / 10);
    snprintf(v.espeak, sizeof v.espeak, "kk+nosuch");
    snprintf(v.file, sizeof v.file, "x.voice");
    v.espeak_line = 4;
    CHECK_INT(ks_engine_set_voice(e, &v, &err), KS_ENOVOICE);
    CHECK(strncmp(err.msg, "x.voice:4: unknown eSpeak variant 'nosuch'", 42) == 0);
    snprintf(v.espeak, sizeof v.espeak, "kk+../../x");
    CHECK_INT(ks_engine_set_voice(e, &v, &err), KS_ENOVOICE);
    snprintf(v.espeak, sizeof v.espeak, "zz-nosuchlang");
    CHECK_INT(ks_engine_set_voice(e, &v, &err), KS_ENOVOICE);
    ks_voice_defaults(&v);
    CHECK_INT(ks_engine_set_voice(e, &v, &err), KS_OK);

    /* SSML marks arrive as events at their place in the audio. (eSpeak NG 1.51
     * drops a mark placed between two sentences; one inside a sentence works.) */
    const char *ssml = "<speak>Бір екі үш төрт <mark name=\"m1\"/> бес алты жеті сегіз.</speak>";
    memset(&c, 0, sizeof c);
    c.events_in_order = 1;
    CHECK_INT(ks_engine_speak(e, ssml, strlen(ssml), KS_SPEAK_SSML, on_pcm, on_ev, &c, &err), KS_OK);
    CHECK_INT(c.marks, 1);
    CHECK_STR(c.mark, "m1");
    CHECK(c.mark_sample > c.frames / 4 && c.mark_sample < c.frames * 3 / 4);
    CHECK(c.events_in_order);

    /* Phonemes only with the flag: literal [[ ]] is otherwise read as text. */
    const char *ph = "[[s'&l&m]]";
    memset(&c, 0, sizeof c);
    CHECK_INT(ks_engine_speak(e, ph, strlen(ph), KS_SPEAK_PHONEMES, on_pcm, NULL, &c, &err), KS_OK);
    size_t with_flag = c.frames;
    CHECK(with_flag > 2000);

    /* NUL in text is refused, empty text is fine. */
    CHECK_INT(ks_engine_speak(e, "a\0b", 3, 0, on_pcm, NULL, &c, &err), KS_EINVAL);
    CHECK_INT(ks_engine_speak(e, "", 0, 0, on_pcm, NULL, &c, &err), KS_OK);

    /* Phonemes text output */
    ks_buf out = {0};
    CHECK_INT(ks_engine_phonemes(e, "сәлем", strlen("сәлем"), 1, &out, &err), KS_OK);
    CHECK(out.len > 3 && strstr(out.data, "s") != NULL);
    ks_buf_free(&out);

    ks_engine_free(e);
    /* Free then new again in the same process reuses the initialised eSpeak. */
    CHECK_INT(ks_engine_new(&e, data, &err), KS_OK);
    ks_engine_free(e);
    ks_engine_free(NULL);
    return check_done();
}
