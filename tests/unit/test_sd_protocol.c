/* test_sd_protocol.c - speech-dispatcher module protocol: parser states and
 * replies, settings, value mapping, 705 AUDIO encoding, SSML/letter/key text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "sd_protocol.h"
#include "sd_text.h"

static sd_result feed(sd_parser *p, const char *line)
{
    sd_result r;
    sd_parser_line(p, line, strlen(line), &r);
    return r;
}

static void test_commands(void)
{
    sd_parser p;
    sd_parser_init(&p);
    sd_result r = feed(&p, "INIT");
    CHECK_INT(r.cmd, SD_CMD_INIT);
    CHECK(r.reply == NULL);

    r = feed(&p, "AUDIO");
    CHECK_STR(r.reply, "207 OK RECEIVING AUDIO SETTINGS");
    CHECK_INT(r.cmd, SD_CMD_NONE);
    r = feed(&p, "audio_output_method=server");
    CHECK(r.reply == NULL);
    r = feed(&p, ".");
    CHECK_STR(r.reply, "203 OK AUDIO INITIALIZED");
    CHECK_INT(r.cmd, SD_CMD_AUDIO);
    CHECK_INT(p.audio_server, 1);

    /* a module that plays itself is not supported: error, and the module stays usable */
    feed(&p, "AUDIO");
    feed(&p, "audio_output_method=pulse");
    r = feed(&p, ".");
    CHECK_STR(r.reply, "303 ERROR INVALID PARAMETER OR VALUE");
    CHECK_INT(r.cmd, SD_CMD_NONE);

    r = feed(&p, "LOGLEVEL");
    CHECK_STR(r.reply, "207 OK RECEIVING LOGLEVEL SETTINGS");
    feed(&p, "log_level=5");
    r = feed(&p, ".");
    CHECK_STR(r.reply, "203 OK LOGLEVEL SET");
    CHECK_INT(p.log_level, 5);

    r = feed(&p, "LIST VOICES");
    CHECK_INT(r.cmd, SD_CMD_LIST_VOICES);
    r = feed(&p, "STOP");
    CHECK_INT(r.cmd, SD_CMD_STOP);
    CHECK(r.reply == NULL);
    r = feed(&p, "PAUSE");
    CHECK_INT(r.cmd, SD_CMD_PAUSE);
    r = feed(&p, "QUIT");
    CHECK_INT(r.cmd, SD_CMD_QUIT);
    CHECK_STR(r.reply, "210 OK QUIT");

    /* unknown and malformed commands */
    r = feed(&p, "FOO");
    CHECK_STR(r.reply, "300 ERR UNKNOWN COMMAND");
    CHECK_INT(r.cmd, SD_CMD_NONE);
    r = feed(&p, "");
    CHECK_STR(r.reply, "300 ERR UNKNOWN COMMAND");
    r = feed(&p, "speak");
    CHECK_STR(r.reply, "300 ERR UNKNOWN COMMAND");
    r = feed(&p, "SPEAK NOW");
    CHECK_STR(r.reply, "300 ERR UNKNOWN COMMAND");
    r = feed(&p, "STOP\r"); /* CR LF is accepted */
    CHECK_INT(r.cmd, SD_CMD_STOP);
    r = feed(&p, ".");
    CHECK_STR(r.reply, "300 ERR UNKNOWN COMMAND");
    {
        const char nul[] = {'S', 'T', 'O', 'P', '\0', 'X'};
        sd_parser_line(&p, nul, sizeof nul, &r);
        CHECK_STR(r.reply, "300 ERR UNKNOWN COMMAND");
    }

    /* DEBUG */
    r = feed(&p, "DEBUG ON /tmp/x.log");
    CHECK_INT(r.cmd, SD_CMD_DEBUG);
    CHECK_INT(r.debug_on, 1);
    CHECK_STR(r.text, "/tmp/x.log");
    CHECK_STR(r.reply, "200 OK DEBUGGING ON");
    r = feed(&p, "DEBUG OFF");
    CHECK_INT(r.cmd, SD_CMD_DEBUG);
    CHECK_INT(r.debug_on, 0);
    r = feed(&p, "DEBUG ON");
    CHECK_STR(r.reply, "302 ERROR BAD SYNTAX");
    CHECK_INT(r.cmd, SD_CMD_NONE);
    r = feed(&p, "DEBUG MAYBE");
    CHECK_STR(r.reply, "302 ERROR BAD SYNTAX");
    r = feed(&p, "DEBUGX");
    CHECK_STR(r.reply, "300 ERR UNKNOWN COMMAND");
    sd_parser_free(&p);
}

static void test_set(void)
{
    sd_parser p;
    sd_parser_init(&p);
    CHECK_STR(p.settings.voice, "male1");
    CHECK_STR(p.settings.language, "kk");
    sd_result r = feed(&p, "SET");
    CHECK_STR(r.reply, "203 OK RECEIVING SETTINGS");
    const char *lines[] = {"pitch=-30",         "pitch_range=10",        "rate=100",         "volume=-100",
                           "punctuation_mode=most", "spelling_mode=on", "cap_let_recogn=spell", "voice=female2",
                           "language=kk",       "synthesis_voice=fast"};
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        r = feed(&p, lines[i]);
        CHECK(r.reply == NULL);
    }
    r = feed(&p, ".");
    CHECK_INT(r.cmd, SD_CMD_SET);
    CHECK_STR(r.reply, "203 OK SETTINGS RECEIVED");
    CHECK_INT(p.settings.pitch, -30);
    CHECK_INT(p.settings.pitch_range, 10);
    CHECK_INT(p.settings.rate, 100);
    CHECK_INT(p.settings.volume, -100);
    CHECK_INT(p.settings.punctuation_mode, SD_PUNCT_MOST);
    CHECK_INT(p.settings.spelling_mode, 1);
    CHECK_INT(p.settings.cap_let_recogn, SD_CAPLET_SPELL);
    CHECK_STR(p.settings.voice, "female2");
    CHECK_STR(p.settings.synthesis_voice, "fast");
    CHECK(p.settings.changed & SD_SET_RATE);
    CHECK(p.settings.changed & SD_SET_SYNTH_VOICE);

    p.settings.changed = 0;
    feed(&p, "SET");
    feed(&p, "synthesis_voice=NULL");
    feed(&p, "rate=5");
    r = feed(&p, ".");
    CHECK_STR(r.reply, "203 OK SETTINGS RECEIVED");
    CHECK_STR(p.settings.synthesis_voice, "");
    CHECK_INT(p.settings.rate, 5);
    CHECK_INT(p.settings.changed, SD_SET_RATE | SD_SET_SYNTH_VOICE);

    /* bad values: 303; the good lines of the block still apply */
    const char *bad[] = {"rate=101",  "rate=-101", "rate=abc", "rate=1x",       "pitch=99999999999999",
                         "voice=MALE1", "punctuation_mode=loud", "spelling_mode=1", "cap_let_recogn=beep",
                         "colour=red"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        feed(&p, "SET");
        feed(&p, "volume=42");
        feed(&p, bad[i]);
        r = feed(&p, ".");
        CHECK_STR(r.reply, "303 ERROR INVALID PARAMETER OR VALUE");
        CHECK_INT(r.cmd, SD_CMD_NONE);
        CHECK_INT(p.settings.volume, 42);
        p.settings.volume = 0;
        if (r.reply && strcmp(r.reply, "303 ERROR INVALID PARAMETER OR VALUE") != 0)
            fprintf(stderr, "  for %s\n", bad[i]);
    }
    CHECK_INT(p.settings.rate, 5);
    CHECK_STR(p.settings.voice, "female2");
    /* syntax errors: 302 */
    feed(&p, "SET");
    feed(&p, "rate");
    r = feed(&p, ".");
    CHECK_STR(r.reply, "302 ERROR BAD SYNTAX");
    feed(&p, "SET");
    feed(&p, "rate=");
    r = feed(&p, ".");
    CHECK_STR(r.reply, "302 ERROR BAD SYNTAX");
    feed(&p, "SET");
    feed(&p, "=5");
    r = feed(&p, ".");
    CHECK_STR(r.reply, "302 ERROR BAD SYNTAX");
    /* an empty SET is fine */
    feed(&p, "SET");
    r = feed(&p, ".");
    CHECK_STR(r.reply, "203 OK SETTINGS RECEIVED");
    /* after an error the parser is idle again */
    r = feed(&p, "STOP");
    CHECK_INT(r.cmd, SD_CMD_STOP);
    sd_parser_free(&p);
}

static void test_speak(void)
{
    sd_parser p;
    sd_parser_init(&p);
    sd_result r = feed(&p, "SPEAK");
    CHECK_STR(r.reply, "202 OK RECEIVING MESSAGE");
    CHECK_INT(p.state, SD_ST_SPEAK);
    /* commands inside a message are text */
    r = feed(&p, "<speak>Бір.<mark name=\"__spd_0\"/>");
    CHECK(r.reply == NULL);
    r = feed(&p, "STOP");
    CHECK_INT(r.cmd, SD_CMD_NONE);
    r = feed(&p, "..."); /* a text line "..": the server doubles a leading dot */
    r = feed(&p, "Екі.</speak>");
    r = feed(&p, ".");
    CHECK_INT(r.cmd, SD_CMD_SPEAK);
    CHECK(r.reply == NULL);
    CHECK_STR(r.text, "<speak>Бір.<mark name=\"__spd_0\"/>\nSTOP\n..\nЕкі.</speak>");
    CHECK_INT(r.text_len, strlen(r.text));

    /* empty message */
    feed(&p, "SPEAK");
    r = feed(&p, ".");
    CHECK_STR(r.reply, "301 ERROR CANT SPEAK");
    CHECK_INT(r.cmd, SD_CMD_NONE);

    feed(&p, "CHAR");
    feed(&p, "space");
    r = feed(&p, ".");
    CHECK_INT(r.cmd, SD_CMD_CHAR);
    CHECK_STR(r.text, " ");
    feed(&p, "CHAR");
    feed(&p, "Ә");
    r = feed(&p, ".");
    CHECK_INT(r.cmd, SD_CMD_CHAR);
    CHECK_STR(r.text, "Ә");
    feed(&p, "KEY");
    feed(&p, "shift_a");
    r = feed(&p, ".");
    CHECK_INT(r.cmd, SD_CMD_KEY);
    CHECK_STR(r.text, "shift_a");
    feed(&p, "SOUND_ICON");
    feed(&p, "bell");
    r = feed(&p, ".");
    CHECK_INT(r.cmd, SD_CMD_SOUND_ICON);
    CHECK_STR(r.text, "bell");
    /* CHAR/KEY take one line */
    feed(&p, "KEY");
    feed(&p, "a");
    feed(&p, "b");
    r = feed(&p, ".");
    CHECK_STR(r.reply, "305 DATA MORE THAN ONE LINE");
    CHECK_INT(r.cmd, SD_CMD_NONE);
    sd_parser_free(&p);
}

static void test_mapping(void)
{
    CHECK_INT(sd_map_rate(0, 175), 175);
    CHECK_INT(sd_map_rate(-100, 175), 80);
    CHECK_INT(sd_map_rate(-50, 175), 128);
    CHECK_INT(sd_map_rate(100, 175), 612);
    CHECK(sd_map_rate(100, 175) > 450);
    CHECK(sd_map_rate(70, 175) > 450); /* the fast range is reachable below the top */
    CHECK_INT(sd_map_rate(100, 500), 1000);
    CHECK_INT(sd_map_rate(100, 120), 600);
    CHECK_INT(sd_map_rate(500, 175), 612); /* clamped */
    for (int v = -100; v < 100; v++)
        CHECK(sd_map_rate(v, 175) <= sd_map_rate(v + 1, 175));
    CHECK_INT(sd_map_pitch(0, 50), 50);
    CHECK_INT(sd_map_pitch(-100, 50), 0);
    CHECK_INT(sd_map_pitch(100, 50), 100);
    CHECK_INT(sd_map_pitch(50, 40), 70);
    CHECK_INT(sd_map_volume(0, 100), 100);
    CHECK_INT(sd_map_volume(-100, 100), 0);
    CHECK_INT(sd_map_volume(100, 100), 200);
    CHECK_INT(sd_map_volume(100, 150), 200);
    CHECK_INT(sd_map_volume(-50, 100), 50);
}

static void test_audio(void)
{
    int16_t pcm[6] = {0x0a0a, 0x7d00, 0x1234, -1, 0x0a7d, 0x2020};
    ks_buf b;
    ks_buf_init(&b, 0);
    CHECK_INT(sd_audio_block(&b, pcm, 6, 22050), 0);
    const char *head = "705-bits=16\n705-num_channels=1\n705-sample_rate=22050\n705-num_samples=6\n"
                       "705-big_endian=0\n705-AUDIO";
    size_t hl = strlen(head);
    CHECK(b.len > hl + 1);
    CHECK(memcmp(b.data, head, hl) == 0);
    CHECK(b.data[hl] == '\0');
    const char *tail = "\n705 AUDIO\n";
    size_t tl = strlen(tail);
    CHECK(memcmp(b.data + b.len - tl, tail, tl) == 0);
    /* the payload holds no raw newline and decodes to the samples (little endian) */
    const char *pay = b.data + hl + 1;
    size_t pl = b.len - hl - 1 - tl;
    CHECK(memchr(pay, '\n', pl) == NULL);
    /* 12 bytes; 0x0a x3 and 0x7d x2 escaped -> 17 bytes */
    CHECK_INT(pl, 17);
    unsigned char dec[32];
    long n = sd_audio_unescape(pay, pl, dec, sizeof dec);
    CHECK_INT(n, 12);
    for (int i = 0; i < 6 && n == 12; i++)
        CHECK_INT((int16_t)(uint16_t)(dec[2 * i] | dec[2 * i + 1] << 8), pcm[i]);
    /* bad escapes */
    CHECK_INT(sd_audio_unescape("\x7d", 1, dec, sizeof dec), -1);
    CHECK_INT(sd_audio_unescape("a\nb", 3, dec, sizeof dec), -1);
    CHECK_INT(sd_audio_unescape("abc", 3, dec, 2), -1);
    /* chunk limit */
    int16_t *big = calloc(SD_MAX_AUDIO_CHUNK, sizeof *big);
    ks_buf_reset(&b);
    CHECK_INT(sd_audio_block(&b, big, SD_MAX_AUDIO_CHUNK / 2, 22050), 0);
    CHECK_INT(sd_audio_block(&b, big, SD_MAX_AUDIO_CHUNK / 2 + 1, 22050), -1);
    free(big);
    ks_buf_free(&b);
}

static char *ssml(const char *in, sd_punct punct, int spelling)
{
    static char out[4096];
    sd_text_opts o = {NULL, punct, spelling, SD_CAPLET_NONE, NULL};
    ks_buf b;
    ks_buf_init(&b, 0);
    ks_error err;
    ks_status st = sd_ssml_prepare(&o, in, strlen(in), &b, &err);
    snprintf(out, sizeof out, "%s", st == KS_OK && b.data ? b.data : "(error)");
    ks_buf_free(&b);
    return out;
}

static void test_text(void)
{
    /* tags and marks pass through, entities are decoded and escaped again */
    CHECK_STR(ssml("<speak>Сәлем, әлем!<mark name=\"__spd_0\"/> Бұл сынақ.</speak>", SD_PUNCT_NONE, 0),
              "<speak>Сәлем, әлем!<mark name=\"__spd_0\"/> Бұл сынақ.</speak>");
    CHECK_STR(ssml("<speak>A &amp; B &lt;3 &#1179;&#x4D9;</speak>", SD_PUNCT_NONE, 0),
              "<speak>A &amp; B &lt;3 қә</speak>");
    CHECK_STR(ssml("a < b & c", SD_PUNCT_NONE, 0), "a &lt; b &amp; c");
    CHECK_STR(ssml("<speak>x<!-- <mark/> --></speak>", SD_PUNCT_NONE, 0), "<speak>x<!-- <mark/> --></speak>");
    /* eSpeak 1.51 loses a mark right after a full stop: it goes before the stop */
    CHECK_STR(ssml("<speak>Бір.<mark name=\"a\"/> Екі...\n<mark name=\"b\"/></speak>", SD_PUNCT_NONE, 0),
              "<speak>Бір<mark name=\"a\"/>. Екі<mark name=\"b\"/>...\n</speak>");
    CHECK_STR(ssml("<speak>3.<mark name=\"a\"/></speak>", SD_PUNCT_NONE, 0), "<speak>3<mark name=\"a\"/>.</speak>");
    CHECK_STR(ssml(".<mark name=\"a\"/>", SD_PUNCT_NONE, 0), "<mark name=\"a\"/>.");
    /* punctuation modes */
    CHECK_STR(ssml("<speak>Иә, 3.5 @ (жоқ)!</speak>", SD_PUNCT_NONE, 0), "<speak>Иә, 3.5 @ (жоқ)!</speak>");
    CHECK_STR(ssml("<speak>Иә, 3.5 @ (жоқ)!</speak>", SD_PUNCT_SOME, 0),
              "<speak>Иә, 3.5  айқұлақ  (жоқ)!</speak>");
    CHECK_STR(ssml("<speak>Иә, 3.5 @ (жоқ)!</speak>", SD_PUNCT_MOST, 0),
              "<speak>Иә, 3.5  айқұлақ   жақша ашылады жоқ жақша жабылады !</speak>");
    CHECK_STR(ssml("<speak>Иә, 3.5 @ (жоқ)!</speak>", SD_PUNCT_ALL, 0),
              "<speak>Иә үтір,  3.5  айқұлақ   жақша ашылады жоқ жақша жабылады  леп белгісі! </speak>");
    /* money and percent next to a number are left to the normalizer */
    CHECK_STR(ssml("25% $5 5 ₸ №5; $ % ₸", SD_PUNCT_SOME, 0), "25% $5 5 ₸ №5;  доллар   пайыз   теңге ");
    /* hyphenated words and dates keep their marks below "all" */
    CHECK_STR(ssml("қарым-қатынас 2020-2021", SD_PUNCT_MOST, 0), "қарым-қатынас 2020-2021");
    CHECK_STR(ssml("қарым-қатынас", SD_PUNCT_ALL, 0), "қарым сызықша қатынас");
    /* spelling */
    CHECK_STR(ssml("<speak>Ақ 5</speak>", SD_PUNCT_NONE, 1), "<speak>а, қы, бес </speak>");

    ks_buf b;
    ks_buf_init(&b, 0);
    sd_char_text("ж", strlen("ж"), SD_CAPLET_NONE, &b);
    CHECK_STR(b.data, "жы");
    ks_buf_reset(&b);
    sd_char_text("Ң", strlen("Ң"), SD_CAPLET_SPELL, &b);
    CHECK_STR(b.data, "бас әріп ңы");
    ks_buf_reset(&b);
    sd_char_text("Ң", strlen("Ң"), SD_CAPLET_NONE, &b);
    CHECK_STR(b.data, "ңы");
    ks_buf_reset(&b);
    sd_char_text(" ", 1, SD_CAPLET_NONE, &b);
    CHECK_STR(b.data, "бос орын");
    ks_buf_reset(&b);
    sd_char_text("?", 1, SD_CAPLET_NONE, &b);
    CHECK_STR(b.data, "сұрақ белгісі");
    ks_buf_reset(&b);
    sd_char_text("w", 1, SD_CAPLET_NONE, &b);
    CHECK_STR(b.data, "дабл ю");
    ks_buf_reset(&b);
    sd_char_text("中", strlen("中"), SD_CAPLET_NONE, &b);
    CHECK_STR(b.data, "中");
    ks_buf_reset(&b);
    sd_key_text("control_alt_delete", strlen("control_alt_delete"), &b);
    CHECK_STR(b.data, "контрол альт делит");
    ks_buf_reset(&b);
    sd_key_text("shift_a", 7, &b);
    CHECK_STR(b.data, "шифт эй");
    ks_buf_reset(&b);
    sd_key_text("kp-5", 4, &b);
    CHECK_STR(b.data, "сандық тақта бес");
    ks_buf_reset(&b);
    sd_key_text("f12", 3, &b);
    CHECK_STR(b.data, "эф 12");
    ks_buf_reset(&b);
    sd_key_text("_", 1, &b);
    CHECK_STR(b.data, "астын сызу");
    ks_buf_reset(&b);
    sd_key_text("underscore", 10, &b);
    CHECK_STR(b.data, "астын сызу");
    ks_buf_reset(&b);
    sd_key_text("ә", strlen("ә"), &b);
    CHECK_STR(b.data, "ә");
    ks_buf_free(&b);

    sd_punct lvl = SD_PUNCT_NONE;
    CHECK_STR(sd_punct_name(',', &lvl), "үтір");
    CHECK_INT(lvl, SD_PUNCT_ALL);
    CHECK_STR(sd_punct_name('#', &lvl), "торкөз");
    CHECK_INT(lvl, SD_PUNCT_SOME);
    CHECK(sd_punct_name('a', &lvl) == NULL);
}

static void test_queue(void)
{
    sd_queue q;
    sd_settings st;
    sd_settings_defaults(&st);
    char why[160];
    sd_queue_init(&q);
    for (int i = 0; i < SD_QUEUE_MAX; i++) {
        st.rate = i;
        CHECK_INT(sd_queue_push(&q, SD_CMD_SPEAK, "abc", 3, &st, why, sizeof why), 0);
    }
    CHECK_INT(sd_queue_push(&q, SD_CMD_KEY, "a", 1, &st, why, sizeof why), -1);
    CHECK_STR(why, "32 messages are already waiting");
    CHECK_INT(q.bytes, 3 * SD_QUEUE_MAX);
    sd_message m;
    CHECK_INT(sd_queue_pop(&q, &m), 1);
    CHECK_STR(m.text, "abc");
    CHECK_INT(m.settings.rate, 0); /* the settings it came with, oldest first */
    free(m.text);
    CHECK_INT(sd_queue_pop(&q, &m), 1);
    CHECK_INT(m.settings.rate, 1);
    free(m.text);
    CHECK_INT(sd_queue_clear(&q), SD_QUEUE_MAX - 2);
    CHECK_INT(q.bytes, 0);
    CHECK_INT(sd_queue_pop(&q, &m), 0);
    /* the byte cap */
    char *big = calloc(1, SD_MAX_MESSAGE);
    CHECK_INT(sd_queue_push(&q, SD_CMD_SPEAK, big, SD_MAX_MESSAGE, &st, why, sizeof why), 0);
    CHECK_INT(sd_queue_push(&q, SD_CMD_SPEAK, big, SD_MAX_MESSAGE, &st, why, sizeof why), 0);
    CHECK_INT(sd_queue_push(&q, SD_CMD_SPEAK, "x", 1, &st, why, sizeof why), -1);
    CHECK(strstr(why, "would exceed") != NULL);
    CHECK_INT(q.count, 2);
    sd_queue_clear(&q);
    free(big);

    /* parser: the reason of a refusal; CHAR/KEY data is bounded; a skipped line */
    sd_parser p;
    sd_parser_init(&p);
    sd_result r;
    sd_parser_line(&p, "SPEAK", 5, &r);
    sd_parser_line(&p, ".", 1, &r);
    CHECK_STR(r.reply, "301 ERROR CANT SPEAK");
    CHECK_STR(r.why, "empty message");
    char key[SD_MAX_NAME + 2];
    memset(key, 'a', sizeof key);
    sd_parser_line(&p, "KEY", 3, &r);
    sd_parser_line(&p, key, SD_MAX_NAME + 1, &r);
    sd_parser_line(&p, ".", 1, &r);
    CHECK_STR(r.reply, "301 ERROR CANT SPEAK");
    CHECK(r.why != NULL);
    sd_parser_line(&p, "KEY", 3, &r);
    sd_parser_line(&p, key, SD_MAX_NAME, &r);
    sd_parser_line(&p, ".", 1, &r);
    CHECK_INT(r.cmd, SD_CMD_KEY);
    sd_parser_line(&p, "SPEAK", 5, &r);
    sd_parser_line(&p, "<speak>a", 8, &r);
    sd_parser_line_skipped(&p, &r);
    CHECK(r.reply == NULL);
    sd_parser_line(&p, "b</speak>", 9, &r);
    sd_parser_line(&p, ".", 1, &r);
    CHECK_STR(r.reply, "301 ERROR CANT SPEAK");
    sd_parser_line_skipped(&p, &r);
    CHECK_STR(r.reply, "300 ERR UNKNOWN COMMAND");
    sd_parser_free(&p);
}

/* Cut `ssml` as the module does (the library's SSML cutter) and join the pieces with '|'. */
static void pieces(const char *ssml, size_t want, ks_buf *out)
{
    ks_ssml_cutter *c;
    ks_error err;
    CHECK_INT(ks_ssml_cutter_new(&c, &err), KS_OK);
    size_t len = strlen(ssml), pos = 0;
    while (pos < len) {
        if (pos)
            ks_buf_putc(out, '|');
        size_t n = ks_ssml_cutter_next(c, ssml + pos, len - pos, 1, want, 4096);
        CHECK_INT(ks_ssml_cutter_take(c, ssml + pos, n, pos + n == len, out, &err), KS_OK);
        pos += n;
    }
    ks_ssml_cutter_free(c);
}

static void test_splitter(void)
{
    ks_buf b;
    ks_buf_init(&b, 0);
    pieces("<speak>Бір. Екі! Үш</speak>", 0, &b);
    CHECK_STR(b.data, "<speak>Бір. </speak>|<speak>Екі! </speak>|<speak>Үш</speak>");
    ks_buf_reset(&b);
    /* open elements are closed and reopened with their attributes; a mark after a full stop
     * starts the next piece (eSpeak NG reports it there); never a cut inside a tag */
    pieces("<speak><prosody rate=\"fast\">Бір.<mark name=\"__spd_0\"/> Екі.</prosody> Үш.</speak>", 0, &b);
    CHECK_STR(b.data, "<speak><prosody rate=\"fast\">Бір.</prosody></speak>|"
                      "<speak><prosody rate=\"fast\"><mark name=\"__spd_0\"/> Екі.</prosody> </speak>|"
                      "<speak>Үш.</speak>");
    ks_buf_reset(&b);
    /* a piece holds at least `want` bytes when it can */
    pieces("<speak>Бір. Екі. Үш. Төрт.</speak>", 20, &b);
    CHECK_STR(b.data, "<speak>Бір. Екі. </speak>|<speak>Үш. Төрт.</speak>"); /* 23 bytes, then the rest */
    ks_buf_reset(&b);
    /* no sentence end: cut at a space after 4096 bytes */
    ks_buf long_text;
    ks_buf_init(&long_text, 0);
    for (int i = 0; i < 3000; i++)
        ks_buf_puts(&long_text, "сөз ");
    pieces(long_text.data, 0, &b);
    CHECK(strchr(b.data, '|') != NULL);
    CHECK(strstr(b.data, "сөз |сөз") != NULL);
    ks_buf_free(&long_text);
    ks_buf_reset(&b);
    pieces("", 0, &b);
    CHECK_INT(b.len, 0);
    ks_buf_free(&b);

    /* a <mark> whose name is over SD_MAX_MARK_NAME bytes is left out, and counted */
    size_t dropped = 0;
    sd_text_opts o = {NULL, SD_PUNCT_NONE, 0, SD_CAPLET_NONE, &dropped};
    char ssml[600];
    char name[SD_MAX_MARK_NAME + 2];
    memset(name, 'm', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    snprintf(ssml, sizeof ssml, "<speak>Бір<mark name=\"%s\"/> екі<mark name=\"%.*s\"/></speak>", name,
             SD_MAX_MARK_NAME, name);
    ks_buf_init(&b, 0);
    ks_error err;
    CHECK_INT(sd_ssml_prepare(&o, ssml, strlen(ssml), &b, &err), KS_OK);
    CHECK_INT(dropped, 1);
    CHECK(strstr(b.data, name) == NULL);
    CHECK(strstr(b.data, "<mark name=\"mmm") != NULL);
    ks_buf_free(&b);

    /* a KEY of many parts is spoken up to 8 of them */
    ks_buf_init(&b, 0);
    sd_key_text("a_b_c_d_e_f_g_h_i_j", 19, &b);
    CHECK_STR(b.data, "эй би си ди и эф джи эйч");
    ks_buf_free(&b);
}

int main(void)
{
    test_commands();
    test_set();
    test_speak();
    test_mapping();
    test_audio();
    test_text();
    test_queue();
    test_splitter();
    return check_done();
}
