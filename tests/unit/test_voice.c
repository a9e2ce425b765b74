/* Voice profile parsing: keys, ranges, file:line errors, the shipped profiles. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
    /* BOM and CRLF as in lexicons; a repeated key is an error naming both lines */
    CHECK_INT(parse(&v, "\xEF\xBB\xBF# c\r\nname bom\r\nrate 200\r\n\r\n", &err), KS_OK);
    CHECK_STR(v.name, "bom");
    CHECK_INT(v.rate, 200);
    CHECK_INT(parse(&v, "\xEF\xBB\xBFrate 90\n", &err), KS_OK);
    CHECK_INT(v.rate, 90);
    CHECK_INT(parse(&v, "\xEF\xBBrate 90\n", &err), KS_EPARSE); /* a broken BOM is not skipped */
    CHECK_INT(parse(&v, "name a\r\nrate 150\r\n# x\r\nrate 160\r\n", &err), KS_EPARSE);
    CHECK_STR(err.msg, "t.voice:4: duplicate key 'rate' (first at line 2)");
    CHECK_INT(parse(&v, "espeak kk\nname a\nespeak kk+m3\n", &err), KS_EPARSE);
    CHECK_STR(err.msg, "t.voice:3: duplicate key 'espeak' (first at line 1)");
    CHECK_INT(parse(&v, "name a\nname b\n", &err), KS_EPARSE);
    CHECK_STR(err.msg, "t.voice:2: duplicate key 'name' (first at line 1)");
    CHECK_INT(parse(&v, "lexicon a.tsv\nlexicon b.tsv\n", &err), KS_OK); /* lexicon repeats */
    CHECK_INT(v.n_lexicons, 2);
    CHECK_INT(ks_voice_load_buffer(&v, NULL, "", 0, &err), KS_EINVAL);
    CHECK_INT(ks_voice_load_buffer(&v, "t.voice", NULL, 3, &err), KS_EINVAL);

    /* voice files are data files: FIFO, device, directory, NUL, and the
     * lexicons they name are checked with the voice file's file:line */
    {
        char dir[] = "/tmp/ks-voice-XXXXXX";
        CHECK(mkdtemp(dir) != NULL);
        char p[300], lp[300], want[700];
        alarm(60);
        snprintf(p, sizeof p, "%s/f.voice", dir);
        CHECK(mkfifo(p, 0600) == 0);
        CHECK_INT(ks_voice_load_file(&v, p, &err), KS_EIO);
        snprintf(want, sizeof want, "%s: not a regular file", p);
        CHECK_STR(err.msg, want);
        remove(p);
        CHECK(symlink("/dev/zero", p) == 0);
        CHECK_INT(ks_voice_find(&v, KS_SOURCE_DIR, p, &err), KS_EIO);
        CHECK_STR(err.msg, want);
        remove(p);
        CHECK(mkdir(p, 0700) == 0);
        CHECK_INT(ks_voice_load_file(&v, p, &err), KS_EIO);
        snprintf(want, sizeof want, "%s: is a directory", p);
        CHECK_STR(err.msg, want);
        rmdir(p);

        FILE *f = fopen(p, "w");
        if (f) {
            static const char nul_text[] = "name a\nrate 100\npitch\0 3\n";
            fwrite(nul_text, 1, sizeof nul_text - 1, f);
            fclose(f);
        }
        CHECK_INT(ks_voice_load_file(&v, p, &err), KS_EPARSE);
        snprintf(want, sizeof want, "%s:3: NUL byte (not a text file)", p);
        CHECK_STR(err.msg, want);

        snprintf(lp, sizeof lp, "%s/my.tsv", dir);
        f = fopen(lp, "w");
        if (f)
            fclose(f);
        f = fopen(p, "w");
        if (f) {
            fputs("\xEF\xBB\xBFname x\r\nlexicon my.tsv\r\nlexicon /dev/zero\r\n", f);
            fclose(f);
        }
        ks_voice_defaults(&v);
        CHECK_INT(ks_voice_load_file(&v, p, &err), KS_EIO);
        snprintf(want, sizeof want, "%s:3: lexicon /dev/zero: not a regular file", p);
        CHECK_STR(err.msg, want);
        CHECK_STR(v.name, "default"); /* unchanged */
        f = fopen(p, "w");
        if (f) {
            fputs("name x\nlexicon my.tsv\nlexicon gone.tsv\n", f);
            fclose(f);
        }
        CHECK_INT(ks_voice_load_file(&v, p, &err), KS_EIO);
        snprintf(want, sizeof want, "%s:3: lexicon %s/gone.tsv: No such file or directory", p, dir);
        CHECK_STR(err.msg, want);
        f = fopen(p, "w");
        if (f) {
            fputs("name x\nlexicon my.tsv\n", f);
            fclose(f);
        }
        CHECK_INT(ks_voice_load_file(&v, p, &err), KS_OK);
        CHECK_STR(v.lexicons[0], lp);
        alarm(0);
        remove(lp);
        remove(p);
        CHECK(rmdir(dir) == 0);
    }
    return check_done();
}
