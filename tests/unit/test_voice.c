/* Voice profile parsing: keys, ranges, file:line errors, the shipped profiles. */
#include <string.h>

#include "check.h"
#include "kazspeak/kazspeak.h"

static ks_status parse(ks_voice *v, const char *text, ks_error *err)
{
    ks_voice_defaults(v);
    return ks_voice_load_buffer(v, "t.voice", text, strlen(text), err);
}

int main(void)
{
    ks_voice v;
    ks_error err;
    ks_voice_defaults(&v);
    CHECK_STR(v.espeak, "kk");
    CHECK_INT(v.rate, 175);

    CHECK_INT(parse(&v, "# c\nname x\nespeak kk+m3  # trailing\nrate 300\npitch 10\nrange 0\nvolume 200\nwordgap 5\n", &err), KS_OK);
    CHECK_STR(v.name, "x");
    CHECK_STR(v.espeak, "kk+m3");
    CHECK_INT(v.espeak_line, 3);
    CHECK_INT(v.rate, 300);
    CHECK_INT(v.pitch, 10);
    CHECK_INT(v.range, 0);
    CHECK_INT(v.volume, 200);
    CHECK_INT(v.wordgap, 5);

    CHECK_INT(parse(&v, "rate 300\r\n\r\n", &err), KS_OK); /* CRLF */
    CHECK_INT(v.rate, 300);

    CHECK_INT(parse(&v, "name a\nspeed 3\n", &err), KS_EPARSE);
    CHECK_STR(err.msg, "t.voice:2: unknown key 'speed' (known: name espeak rate pitch range volume wordgap lexicon)");
    CHECK_INT(parse(&v, "rate 79\n", &err), KS_EPARSE);
    CHECK(strstr(err.msg, "t.voice:1: rate must be a whole number from 80 to 1000, not '79'") != NULL);
    CHECK_INT(parse(&v, "rate 1001\n", &err), KS_EPARSE);
    CHECK_INT(parse(&v, "pitch 5x\n", &err), KS_EPARSE);
    CHECK_INT(parse(&v, "volume\n", &err), KS_EPARSE);
    CHECK(strstr(err.msg, "t.voice:1: key 'volume' has no value") != NULL);
    CHECK_INT(parse(&v, "espeak kk;rm\n", &err), KS_EPARSE);
    CHECK_INT(parse(&v, "rate 99999999999999999999\n", &err), KS_EPARSE);

    /* A failed parse leaves the voice as it was. */
    ks_voice_defaults(&v);
    CHECK_INT(ks_voice_load_buffer(&v, "t.voice", "rate 200\nbogus 1\n", 17, &err), KS_EPARSE);
    CHECK_INT(v.rate, 175);

    /* lexicon paths resolve against the voice file's folder */
    ks_voice_defaults(&v);
    CHECK_INT(ks_voice_load_buffer(&v, "/a/b/t.voice", "lexicon my.tsv\nlexicon /abs.tsv\n", 31, &err), KS_OK);
    CHECK_INT(v.n_lexicons, 2);
    CHECK_STR(v.lexicons[0], "/a/b/my.tsv");
    CHECK_STR(v.lexicons[1], "/abs.tsv");

    /* The shipped profiles load, and fast is above eSpeak's 450 wpm threshold. */
    const char *names[] = {"default", "news", "fast", "event"};
    for (int i = 0; i < 4; i++) {
        CHECK_INT(ks_voice_find(&v, KS_SOURCE_DIR, names[i], &err), KS_OK);
        CHECK_STR(v.name, names[i]);
    }
    CHECK_INT(ks_voice_find(&v, KS_SOURCE_DIR, "fast", &err), KS_OK);
    CHECK(v.rate > 450);
    CHECK_INT(ks_voice_find(&v, KS_SOURCE_DIR, "event", &err), KS_OK);
    CHECK(v.rate < 175 && v.volume > 100);
    CHECK_INT(ks_voice_find(&v, KS_SOURCE_DIR, "nope", &err), KS_ENOVOICE);
    CHECK(strstr(err.msg, "unknown voice 'nope'") != NULL);
    CHECK_INT(ks_voice_find(&v, KS_SOURCE_DIR, "../etc", &err), KS_ENOVOICE);
    CHECK_INT(ks_voice_find(&v, KS_SOURCE_DIR, "/nonexistent/x.voice", &err), KS_ENOVOICE);
    return check_done();
}
