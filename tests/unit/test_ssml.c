/* test_ssml.c - SSML -> eSpeak SSML: elements, say-as through the Kazakh number rules,
 * entity decoding, errors with line and column, limits; golden file tests/golden/ssml.tsv
 * (input <TAB> expected, \n in a cell = newline; run with the normalizer when it loads). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "kazspeak/kazspeak.h"
#include "kk_words.h"
#include "ssml.h"

static ks_translit *tr_loaded;
static ks_translit *tr; /* used by conv(); NULL except in the Latin-script checks */

/* Convert with no normalizer (text passes as written) unless `n` is given. */
static const char *conv_n(ks_normalizer *n, const char *in, unsigned *flags, ks_status *st_out, ks_error *err)
{
    static ks_buf b;
    ks_buf_reset(&b);
    ks_status st = ks_ssml_to_espeak(n, tr, KS_SCRIPT_AUTO, in, strlen(in), &b, flags, err);
    if (st_out)
        *st_out = st;
    if (st != KS_OK)
        return NULL;
    return b.data ? b.data : "";
}

static const char *conv(const char *in)
{
    ks_error err = {{0}};
    ks_status st;
    const char *r = conv_n(NULL, in, NULL, &st, &err);
    if (!r)
        fprintf(stderr, "  conv(%s) failed: %s\n", in, err.msg);
    return r;
}

/* Expect a parse error; returns the message. */
static const char *conv_err(const char *in)
{
    static ks_error err;
    ks_status st;
    memset(&err, 0, sizeof err);
    const char *r = conv_n(NULL, in, NULL, &st, &err);
    CHECK(r == NULL);
    CHECK(st == KS_EPARSE);
    return err.msg;
}

static void test_elements(void)
{
    unsigned flags = 0;
    ks_error err = {{0}};
    CHECK_STR(conv_n(NULL, "<speak>Сәлем, әлем!</speak>", &flags, NULL, &err), "<speak>Сәлем, әлем!</speak>");
    CHECK_INT(flags, KS_SPEAK_SSML);
    CHECK_STR(conv("<?xml version=\"1.0\"?>\n<speak version=\"1.1\" xmlns=\"http://www.w3.org/2001/10/synthesis\" "
                   "xml:lang=\"kk\">Бір</speak>\n"),
              "<speak>Бір</speak>");
    CHECK_STR(conv("<speak>\n  <p>\n    <s>Бір</s>\n    <s>Екі</s>\n  </p>\n</speak>"),
              "<speak><p><s>Бір</s><s>Екі</s></p></speak>");
    CHECK_STR(conv("<speak>Бір<break time=\"1.5s\"/>екі<break strength=\"strong\"/>үш<break/><break "
                   "time='250ms'></break></speak>"),
              "<speak>Бір <break time=\"1500ms\"/>екі <break strength=\"strong\"/>үш <break/><break "
              "time=\"250ms\"/></speak>");
    CHECK_STR(conv("<speak><prosody rate=\"1.5\" pitch=\"+10%\" volume=\"loud\">тез</prosody>"
                   "<prosody rate=\"x-slow\" pitch=\"-2st\" volume=\"+6dB\">баяу</prosody></speak>"),
              "<speak><prosody rate=\"150%\" pitch=\"+10%\" volume=\"loud\">тез</prosody>"
              "<prosody rate=\"x-slow\" pitch=\"-2st\" volume=\"+100%\">баяу</prosody></speak>");
    CHECK_STR(conv("<speak><prosody volume=\"-6dB\">x</prosody><prosody volume=\"-200dB\">y</prosody></speak>"),
              "<speak><prosody volume=\"-50%\">x</prosody><prosody volume=\"-100%\">y</prosody></speak>");
    CHECK_STR(conv("<speak><emphasis level=\"strong\">маңызды</emphasis> <emphasis>сөз</emphasis></speak>"),
              "<speak><emphasis level=\"strong\">маңызды</emphasis> <emphasis>сөз</emphasis></speak>");
    CHECK_STR(conv("<speak>Бір <mark name=\"m1\"/>екі<mark name='m2'></mark></speak>"),
              "<speak>Бір <mark name=\"m1\"/>екі <mark name=\"m2\"/></speak>");
    CHECK_STR(conv("<speak><sub alias=\"Қазақстан Республикасы\">ҚР</sub> туы</speak>"),
              "<speak>Қазақстан Республикасы туы</speak>");
    /* voice, lang, audio are transparent; desc, metadata are dropped */
    CHECK_STR(conv("<speak><voice name=\"x\"><lang xml:lang=\"kk\">Бір</lang></voice> <audio src=\"a.wav\">екі"
                   "<desc>сипаттама</desc></audio><metadata><x-anything/>ішкі</metadata></speak>"),
              "<speak>Бір екі</speak>");
}

static void test_text_and_entities(void)
{
    /* & < > escaped again for eSpeak; "[[" can never form */
    CHECK_STR(conv("<speak>a &amp; b &lt; c &gt; d [[x]] &#1179;&#x4D9; &quot;q&quot; &apos;</speak>"),
              "<speak>a &amp; b &lt; c &gt; d [ [ x]] қә \"q\" '</speak>");
    CHECK_STR(conv("<speak>[<mark name=\"a\"/>[x</speak>"), "<speak>[ <mark name=\"a\"/>[ x</speak>");
    CHECK_STR(conv("<speak><![CDATA[<b> & c]]></speak>"), "<speak>&lt;b&gt; &amp; c</speak>");
    CHECK_STR(conv("<speak>бір<!-- comment <p> -->екі</speak>"), "<speak>бірекі</speak>");
    /* whitespace runs collapse */
    CHECK_STR(conv("<speak>  бір \n\t екі  </speak>"), "<speak>бір екі</speak>");
    CHECK_STR(conv("\xEF\xBB\xBF<speak>x</speak>"), "<speak>x</speak>");
    /* Latin Kazakh text nodes are transliterated (auto) */
    tr = tr_loaded;
    CHECK_STR(conv("<speak>Qazaqstan Respublikasy, <s>Apple kompaniiasy jaña</s></speak>"),
              "<speak>Қазақстан Республикасы,<s>Apple компанийасы жаңа</s></speak>");
    /* the document's Kazakh Latin words give context to short text nodes */
    CHECK_STR(conv("<speak><s>Bala <emphasis>keldı</emphasis></s> <s>Apple</s></speak>"),
              "<speak><s>Бала <emphasis>келді</emphasis></s><s>Apple</s></speak>");
    CHECK_STR(conv("<speak><s>Bala <emphasis>keldi</emphasis></s></speak>"),
              "<speak><s>Bala <emphasis>keldi</emphasis></s></speak>");
    tr = NULL;
    /* the result is appended */
    ks_buf b = {0};
    ks_error err = {{0}};
    ks_buf_puts(&b, "X");
    CHECK_INT(ks_ssml_to_espeak(NULL, NULL, KS_SCRIPT_AUTO, "<speak>y</speak>", 16, &b, NULL, &err), KS_OK);
    CHECK_STR(b.data, "X<speak>y</speak>");
    /* on error `out` is left as it was */
    CHECK_INT(ks_ssml_to_espeak(NULL, NULL, KS_SCRIPT_AUTO, "<speak>y<p></speak>", 19, &b, NULL, &err), KS_EPARSE);
    CHECK_STR(b.data, "X<speak>y</speak>");
    ks_buf_free(&b);
    CHECK_INT(ks_ssml_to_espeak(NULL, NULL, KS_SCRIPT_AUTO, NULL, 3, &b, NULL, &err), KS_EINVAL);
}

static void test_phoneme(void)
{
    unsigned flags = 0;
    ks_error err = {{0}};
    CHECK_STR(conv_n(NULL, "<speak>Бір <phoneme alphabet=\"espeak\" ph=\"s'&amp;l&amp;m\">сәлем</phoneme> екі</speak>",
                     &flags, NULL, &err),
              "<speak>Бір [[s'&l&m]] екі</speak>");
    CHECK_INT(flags, KS_SPEAK_SSML | KS_SPEAK_PHONEMES);
    /* no alphabet = eSpeak's */
    CHECK_STR(conv("<speak><phoneme ph=\"q'Azaq\">қазақ</phoneme></speak>"), "<speak>[[q'Azaq]] </speak>");
    CHECK_STR(conv("<speak><s><phoneme ph=\"a\">x</phoneme></s><phoneme ph=\"b\">x</phoneme><break/></speak>"),
              "<speak><s>[[a]] </s>[[b]] <break/></speak>");
    /* IPA cannot be given to eSpeak: the content is read */
    flags = 0;
    CHECK_STR(conv_n(NULL, "<speak><phoneme alphabet=\"ipa\" ph=\"qɑzɑq\">қазақ</phoneme></speak>", &flags, NULL, &err),
              "<speak>қазақ</speak>");
    CHECK_INT(flags, KS_SPEAK_SSML);
    CHECK(strstr(conv_err("<speak><phoneme ph=\"a]]b\">x</phoneme></speak>"), "printable ASCII") != NULL);
    CHECK(strstr(conv_err("<speak><phoneme>x</phoneme></speak>"), "needs a ph attribute") != NULL);
}

static void test_sayas(void)
{
#define SAY(kind, text, want)                                                                         \
    CHECK_STR(conv("<speak><say-as interpret-as=\"" kind "\">" text "</say-as></speak>"), "<speak>" want "</speak>")
    SAY("characters", "ЖШС", "жы шы сы");
    SAY("characters", "Аңы 5", "а ңы ы бес");
    SAY("spell-out", "USB", "U S B");
    SAY("characters", "ь ъ", "жіңішкелік белгісі айыру белгісі");
    SAY("cardinal", "12345", "он екі мың үш жүз қырық бес");
    SAY("cardinal", "1 250 000", "бір миллион екі жүз елу мың");
    SAY("cardinal", "-5", "минус бес");
    SAY("cardinal", "3,5", "үш бүтін оннан бес");
    SAY("cardinal", "1000", "мың");
    SAY("ordinal", "40", "қырқыншы");
    SAY("ordinal", "2-ші", "екінші");
    SAY("ordinal", "21.", "жиырма бірінші");
    SAY("ordinal", "1991", "мың тоғыз жүз тоқсан бірінші");
    SAY("ordinal", "XXI", "жиырма бірінші");
    SAY("ordinal", "ХІV", "он төртінші"); /* Cyrillic Х and І */
    SAY("ordinal", "IIII", "IIII");         /* not a canonical Roman numeral: read as text */
    SAY("digits", "2024", "екі нөл екі төрт");
    SAY("date", "03.06.2020", "екі мың жиырмасыншы жылғы үшінші маусым");
    SAY("date", "16.12", "он алтыншы желтоқсан");
    SAY("date", "1991", "мың тоғыз жүз тоқсан бірінші жыл");
    SAY("time", "14:30", "он төрт отыз");
    SAY("time", "09:00", "тоғыз нөл нөл");
    SAY("time", "20:05", "жиырма нөл бес");
    SAY("time", "7:05:09", "жеті нөл бес нөл тоғыз");
    SAY("telephone", "+7 (727) 250-30-40", "плюс жеті жеті жүз жиырма жеті екі жүз елу отыз қырық");
    SAY("telephone", "8 701 000 00 00", "сегіз жеті жүз бір нөл нөл нөл нөл нөл нөл нөл");
    /* not the expected shape, or an unknown kind: read as text */
    SAY("cardinal", "көп", "көп");
    SAY("date", "32.01.2020", "32.01.2020");
    SAY("time", "25:61", "25:61");
    SAY("x-unknown", "сөз", "сөз");
#undef SAY
    CHECK_STR(conv("<speak><say-as interpret-as=\"date\" format=\"ymd\">2020-06-03</say-as></speak>"),
              "<speak>екі мың жиырмасыншы жылғы үшінші маусым</speak>");
    CHECK_STR(conv("<speak><say-as interpret-as=\"date\" format=\"mdy\">12/16/1991</say-as></speak>"),
              "<speak>мың тоғыз жүз тоқсан бірінші жылғы он алтыншы желтоқсан</speak>");
    CHECK_STR(conv("<speak><say-as interpret-as=\"date\" format=\"my\">06.2020</say-as></speak>"),
              "<speak>екі мың жиырмасыншы жылғы маусым</speak>");
    CHECK_STR(conv("<speak>Бүгін<say-as interpret-as=\"cardinal\">5</say-as>адам</speak>"),
              "<speak>Бүгін бес адам</speak>");
    CHECK(strstr(conv_err("<speak><say-as interpret-as=\"digits\">1<s>2</s></say-as></speak>"),
                 "may contain only text") != NULL);
    CHECK(strstr(conv_err("<speak><say-as>1</say-as></speak>"), "needs an interpret-as") != NULL);

    /* the helpers on their own */
    ks_buf b = {0};
    CHECK_INT(kk_say_cardinal("12a", 3, &b), -1);
    CHECK_INT(kk_say_ordinal("5-ке", strlen("5-ке"), &b), -1);
    CHECK_INT(kk_say_time("14", 2, &b), -1);
    CHECK_INT(kk_say_telephone("abc", 3, &b), -1);
    CHECK_INT(kk_say_digits("--", 2, &b), -1);
    CHECK_INT(kk_say_date("1.2.3.4", 7, NULL, &b), -1);
    CHECK_INT(kk_say_date("1.2", 3, "ymd", &b), -1);
    CHECK_INT(kk_say_characters("...", 3, &b), -1);
    CHECK_INT(b.len, 0);
    char big[300];
    memset(big, '9', sizeof big);
    CHECK_INT(kk_say_cardinal(big, sizeof big, &b), -1); /* more digits than we spell */
    ks_buf_free(&b);
}

static void test_errors(void)
{
    CHECK_STR(conv_err("<speak>\n  <p>Бір</s></speak>"), "line 2, column 9: end tag </s> does not match <p>");
    CHECK_STR(conv_err("<speak>\n<foo>x</foo></speak>"), "line 2, column 1: unknown element <foo>");
    CHECK_STR(conv_err("<speak>Бір &nbsp; екі</speak>"), "line 1, column 12: unknown entity &nbsp;");
    CHECK_STR(conv_err("<speak>A & B</speak>"),
              "line 1, column 10: '&' must start an entity such as &amp; (a bare & is written &amp;)");
    CHECK_STR(conv_err("<speak><p>x</speak>"), "line 1, column 12: end tag </speak> does not match <p>");
    CHECK_STR(conv_err("<speak><p>x"), "line 1, column 8: <p> is never closed");
    CHECK_STR(conv_err("Бір <speak>x</speak>"), "line 1, column 1: text outside the <speak> element");
    CHECK_STR(conv_err("<speak>x</speak> екі"), "line 1, column 17: text outside the <speak> element");
    CHECK_STR(conv_err("<p>x</p>"), "line 1, column 1: the root element must be <speak>, not <p>");
    CHECK_STR(conv_err(""), "line 1, column 1: no <speak> element");
    CHECK_STR(conv_err("<speak>x</speak><speak>y</speak>"),
              "line 1, column 17: element <speak> after the end of <speak>");
    CHECK_STR(conv_err("<speak>\xff</speak>"), "line 1, column 8: invalid UTF-8");
    CHECK_STR(conv_err("<speak>a\x01</speak>"), "line 1, column 9: control character U+0001 is not allowed in XML");
    CHECK_STR(conv_err("<speak><break time=500ms/></speak>"), "line 1, column 20: attribute value must be quoted");
    CHECK_STR(conv_err("<speak><mark name=\"a\" name=\"b\"/></speak>"), "line 1, column 23: duplicate attribute name");
    CHECK_STR(conv_err("<speak><mark name=\"a<b\"/></speak>"),
              "line 1, column 21: '<' is not allowed in an attribute value (write &lt;)");
    CHECK_STR(conv_err("<speak><mark/></speak>"), "line 1, column 8: <mark> needs a name attribute");
    CHECK_STR(conv_err("<speak><mark name=\"a&amp;b\"/></speak>"),
              "line 1, column 14: mark name must be 1-200 characters without & < > \" or [[");
    CHECK_STR(conv_err("<speak><sub>x</sub></speak>"), "line 1, column 8: <sub> needs an alias attribute");
    CHECK_STR(conv_err("<speak><break time=\"soon\"/></speak>"),
              "line 1, column 15: break time must look like 500ms or 1.5s, not \"soon\"");
    CHECK_STR(conv_err("<speak><break time=\"9999s\"/></speak>"), "line 1, column 15: break time longer than 10 minutes");
    CHECK_STR(conv_err("<speak><break strength=\"huge\"/></speak>"),
              "line 1, column 15: break strength must be none, x-weak, weak, medium, strong or x-strong");
    CHECK_STR(conv_err("<speak><prosody rate=\"fast!\">x</prosody></speak>"),
              "line 1, column 17: bad prosody rate value \"fast!\"");
    CHECK_STR(conv_err("<speak><emphasis level=\"max\">x</emphasis></speak>"),
              "line 1, column 18: emphasis level must be strong, moderate, none or reduced");
    CHECK_STR(conv_err("<!DOCTYPE speak [<!ENTITY a \"aaaa\">]><speak>&a;</speak>"),
              "line 1, column 17: DOCTYPE internal subsets (entity declarations) are not supported");
    CHECK_STR(conv_err("<speak>x &#0; y</speak>"), "line 1, column 10: character reference &#0; is not an allowed character");
    CHECK_STR(conv_err("<speak>&#x110000;</speak>"), "line 1, column 8: character reference &#x110000; is out of range");
    CHECK_STR(conv_err("<speak><!-- x </speak>"), "line 1, column 8: unterminated comment");
    CHECK_STR(conv_err("<speak>a < b</speak>"), "line 1, column 10: '<' must start a tag (write &lt; for a literal <)");
    CHECK_STR(conv("<speak><p\n>x</p ></speak>"), "<speak><p>x</p></speak>");
    CHECK_STR(conv_err("<speak><speak>x</speak></speak>"), "line 1, column 8: <speak> inside <speak>");
    CHECK_STR(conv_err("</speak>"), "line 1, column 1: end tag </speak> without a start tag");
    CHECK_STR(conv_err("<speak><p>x</p"), "line 1, column 12: unterminated end tag");
    CHECK_STR(conv_err("<speak><p"), "line 1, column 8: unterminated <p> tag");
    CHECK_STR(conv_err("<speak>\n\nсәлем <p x=\"1\"y=\"2\">a</p></speak>"),
              "line 3, column 15: expected a space, '>' or '/>' in <p>");
}

static void test_limits(void)
{
    /* 64 levels (speak + 63) are fine, 65 are not */
    ks_buf in = {0};
    ks_buf_puts(&in, "<speak>");
    for (int i = 0; i < SSML_MAX_DEPTH - 1; i++)
        ks_buf_puts(&in, "<emphasis>");
    ks_buf_puts(&in, "x");
    for (int i = 0; i < SSML_MAX_DEPTH - 1; i++)
        ks_buf_puts(&in, "</emphasis>");
    ks_buf_puts(&in, "</speak>");
    CHECK(conv(in.data) != NULL);
    ks_buf_reset(&in);
    ks_buf_puts(&in, "<speak>");
    for (int i = 0; i < 100000; i++)
        ks_buf_puts(&in, "<s>");
    CHECK_STR(conv_err(in.data), "line 1, column 197: elements nested deeper than 64");

    /* many siblings, a long text, many entities: linear, completes */
    ks_buf_reset(&in);
    ks_buf_puts(&in, "<speak>");
    for (int i = 0; i < 20000; i++)
        ks_buf_puts(&in, "<s>сөз &amp; <break time=\"10ms\"/><mark name=\"m\"/></s>");
    ks_buf_puts(&in, "</speak>");
    const char *r = conv(in.data);
    CHECK(r != NULL && strlen(r) > 20000 * 30);
    /* a size cap on the output gives KS_ENOMEM, not a crash */
    ks_buf small;
    ks_buf_init(&small, 100);
    ks_error err = {{0}};
    CHECK_INT(ks_ssml_to_espeak(NULL, NULL, KS_SCRIPT_AUTO, in.data, in.len, &small, NULL, &err), KS_ENOMEM);
    ks_buf_free(&small);
    ks_buf_free(&in);
}

static void test_with_normalizer(void)
{
    ks_normalizer *n = NULL;
    ks_lexicon *lex = NULL;
    ks_error err = {{0}};
    if (ks_lexicon_new(&lex, &err) != KS_OK || ks_lexicon_load_dir(lex, KS_SOURCE_DIR "/lexicon", &err) != KS_OK ||
        ks_normalizer_new(&n, lex, &err) != KS_OK) {
        fprintf(stderr, "normalizer unavailable: %s\n", err.msg);
        CHECK(0);
        return;
    }
    ks_status st;
    tr = tr_loaded;
    const char *r = conv_n(n, "<speak><s>2020 жылы <say-as interpret-as=\"ordinal\">5</say-as> сынып</s>"
                              "<s>Qazaqstanda 5-ke deiın</s></speak>",
                           NULL, &st, &err);
    CHECK_STR(r, "<speak><s>екі мың жиырмасыншы жылы бесінші сынып</s><s>Қазақстанда беске дейін</s></speak>");
    /* the golden file */
    const char *path = KS_SOURCE_DIR "/tests/golden/ssml.tsv";
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL);
    char line[8192];
    int lineno = 0, rows = 0;
    while (f && fgets(line, sizeof line, f)) {
        lineno++;
        size_t len = strlen(line);
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (!len || line[0] == '#')
            continue;
        char *tab = strchr(line, '\t');
        CHECK(tab != NULL);
        if (!tab)
            continue;
        *tab = '\0';
        /* \n escapes */
        for (char *s = line; (s = strstr(s, "\\n")) != NULL;) {
            *s = '\n';
            memmove(s + 1, s + 2, strlen(s + 2) + 1);
        }
        rows++;
        memset(&err, 0, sizeof err);
        r = conv_n(n, line, NULL, &st, &err);
        const char *want = tab + 1;
        const char *got = r ? r : err.msg;
        if (strncmp(want, "ERROR ", 6) == 0) {
            want += 6;
            got = r ? "(no error)" : err.msg;
        }
        check_count++;
        if (strcmp(got, want) != 0) {
            check_failures++;
            fprintf(stderr, "%s:%d: %s\n  got:  %s\n  want: %s\n", path, lineno, line, got, want);
        }
    }
    if (f)
        fclose(f);
    CHECK(rows >= 10);
    tr = NULL;
    ks_normalizer_free(n);
    ks_lexicon_free(lex);
}


/* ---- through the real engine: breaks lengthen, marks arrive, phonemes are spoken */
typedef struct collect {
    size_t frames;
    int marks;
    char mark_name[32];
    uint64_t mark_sample;
} collect;

static int on_pcm(const int16_t *pcm, size_t frames, void *user)
{
    (void)pcm;
    ((collect *)user)->frames += frames;
    return 0;
}

static int on_ev(const ks_event *ev, void *user)
{
    collect *c = user;
    if (ev->type == KS_EVENT_MARK && ev->name) {
        c->marks++;
        snprintf(c->mark_name, sizeof c->mark_name, "%s", ev->name);
        c->mark_sample = ev->sample;
    }
    return 0;
}

static size_t speak_ssml(ks_engine *e, const char *ssml, collect *c, int drop_phonemes)
{
    ks_buf b = {0};
    ks_error err = {{0}};
    unsigned flags = 0;
    memset(c, 0, sizeof *c);
    CHECK_INT(ks_ssml_to_espeak(NULL, NULL, KS_SCRIPT_CYRL, ssml, strlen(ssml), &b, &flags, &err), KS_OK);
    if (drop_phonemes)
        flags &= ~(unsigned)KS_SPEAK_PHONEMES;
    CHECK_INT(ks_engine_speak(e, b.data, b.len, flags, on_pcm, on_ev, c, &err), KS_OK);
    ks_buf_free(&b);
    return c->frames;
}

static void test_with_engine(void)
{
    ks_engine *e = NULL;
    ks_error err = {{0}};
    if (ks_engine_new(&e, KS_BINARY_DIR "/espeak-ng-data", &err) != KS_OK) {
        fprintf(stderr, "engine: %s\n", err.msg);
        CHECK(0);
        return;
    }
    ks_voice v;
    ks_voice_defaults(&v);
    CHECK_INT(ks_engine_set_voice(e, &v, &err), KS_OK);
    int rate = ks_engine_sample_rate(e);
    collect c;
    size_t plain = speak_ssml(e, "<speak>Бір екі</speak>", &c, 0);
    CHECK(plain > (size_t)rate / 4);
    size_t brk = speak_ssml(e, "<speak>Бір <break time=\"1000ms\"/>екі</speak>", &c, 0);
    CHECK(brk > plain + (size_t)rate * 8 / 10);
    size_t slow = speak_ssml(e, "<speak><prosody rate=\"x-slow\">Бір екі</prosody></speak>", &c, 0);
    CHECK(slow > plain * 12 / 10);
    speak_ssml(e, "<speak>Бір <mark name=\"m1\"/>екі</speak>", &c, 0);
    CHECK_INT(c.marks, 1);
    CHECK_STR(c.mark_name, "m1");
    CHECK(c.mark_sample > 0 && c.mark_sample < c.frames);
    size_t ph = speak_ssml(e, "<speak><phoneme alphabet=\"espeak\" ph=\"s'&amp;l&amp;m\">x</phoneme></speak>", &c, 0);
    size_t ph_as_text = speak_ssml(e, "<speak><phoneme alphabet=\"espeak\" ph=\"s'&amp;l&amp;m\">x</phoneme></speak>", &c, 1);
    CHECK(ph > (size_t)rate / 5);
    fprintf(stderr, "phonemes: %zu frames, as text: %zu\n", ph, ph_as_text);
    CHECK(ph_as_text > ph * 13 / 10); /* without the flag the brackets and letters are read out */
    ks_engine_free(e);
}

int main(void)
{
    ks_error err = {{0}};
    if (ks_translit_new(&tr_loaded, KS_SOURCE_DIR "/lexicon/latin", &err) != KS_OK) {
        fprintf(stderr, "%s\n", err.msg);
        CHECK(0);
        return check_done();
    }
    test_elements();
    test_text_and_entities();
    test_phoneme();
    test_sayas();
    test_errors();
    test_limits();
    test_with_normalizer();
    test_with_engine();
    ks_translit_free(tr_loaded);
    return check_done();
}
