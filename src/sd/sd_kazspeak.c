/* sd_kazspeak.c - speech-dispatcher output module for kazspeak.
 *
 * speech-dispatcher starts it as `sd_kazspeak [CONFIG]` and talks the module
 * protocol on stdin/stdout (parser: sd_protocol.c).  The engine is loaded
 * once at INIT and kept for every message.  Audio goes back as 705 AUDIO
 * blocks (the server plays it).  Synthesis runs in this one thread; the reader's
 * callbacks read and handle stdin between blocks, so every command is seen
 * while synthesizing and while waiting for the server to take audio.
 *
 * Messages: a SPEAK/CHAR/KEY/SOUND_ICON is answered 200 OK SPEAKING (or 301
 * with the reason logged) as soon as its "." is read, and queued (sd_queue, at
 * most SD_QUEUE_MAX messages and SD_QUEUE_BYTES bytes) with the settings of that
 * moment.  Each is then spoken in turn: 701 BEGIN, audio and marks, 702 END.  A
 * long SPEAK is cut into sentence-sized pieces of valid SSML (ks_ssml_cutter) that
 * are prepared and spoken one after the other, so its first audio does not wait
 * for the whole message.
 *   STOP: the speaking message ends with 703 STOP at the next block; every queued
 *         message is dropped and ends with 701 BEGIN, 703 STOP (after the first
 *         703).  Commands after a STOP are handled once those 703s are out.
 *   PAUSE: the speaking message goes on to its next __spd_ mark and ends there
 *         with 704 PAUSE; queued messages are dropped as by STOP (701, 703).
 *   QUIT: as STOP, then 210 OK QUIT after the 703s, and exit.
 * So every 200 OK SPEAKING is followed by exactly one 701 and one 702/703/704.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "kazspeak/kazspeak.h"
#include "sd_protocol.h"
#include "sd_text.h"

#define CHUNK_FRAMES ((size_t)SD_MAX_AUDIO_CHUNK / 2)
#define IN_MAX ((size_t)8 * 1024 * 1024)
#define LINE_MAX_BYTES (SD_MAX_MESSAGE + 1024) /* a longer input line is skipped to its newline */
#define FIRST_PIECE 0      /* bytes of SSML before the first cut: the first sentence */
#define PIECE 2048         /* later pieces: a few sentences */
#define SPLIT_SENTENCE 4096 /* a text with no sentence end is cut at a space after this */
#define LANG_PIECE 16384   /* a message's languages are found piece by piece, this large */
#define LEAD_THRESHOLD 200 /* |sample| below this counts as leading silence */

typedef struct module {
    /* configuration */
    const char *config_path;
    char data_opt[PATH_MAX];  /* --data-dir / KazspeakDataDir */
    char voice_opt[256];      /* --voice / KazspeakVoice */
    char icon_dir[PATH_MAX];  /* KazspeakSoundIconFolder */
    int use_user_lexicon;

    /* library objects */
    char data_root[PATH_MAX], espeak_dir[PATH_MAX];
    ks_engine *eng;
    ks_lexicon *lex;
    ks_normalizer *norm;
    ks_langid *langid;        /* language lists (lexicon/lang) for Russian and English spans */
    ks_voice base;            /* voice profile in use (synthesis_voice or default) */
    char base_name[64];
    int rate_hz;
    int inited;

    /* protocol */
    sd_parser parser;
    ks_buf in;                /* bytes read from stdin not yet consumed */
    size_t in_pos;
    size_t in_scan;           /* in.data[in_pos..in_scan) has no newline */
    int in_skip;              /* skipping an over-long line up to its newline */
    int in_eof;
    ks_buf out;               /* bytes for stdout not yet written */
    size_t out_pos;
    int out_dead;

    /* messages waiting behind the one being spoken */
    sd_queue queue;
    size_t dropped;           /* dropped by STOP/PAUSE/QUIT; their 701/703 follow the current end */
    char voice_failed[64];    /* synthesis_voice that could not be loaded (logged once) */

    /* the message being spoken */
    int speaking;
    int stop_req, pause_req, paused_at_mark;
    int quit;                 /* QUIT read: 210 goes out after the current message's 703 */
    double stop_ms;           /* when STOP was read (for the log) */
    int lead_trim;            /* still dropping leading silence */
    size_t lead_dropped;
    int16_t acc[CHUNK_FRAMES];
    size_t acc_n;
    uint64_t sent_frames;

    FILE *debug;
} module;

static module M;

/* ---------------------------------------------------------------- logging */

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void logmsg(int level, const char *fmt, ...)
{
    if (level > M.parser.log_level && !M.debug)
        return;
    va_list ap;
    FILE *f = M.debug ? M.debug : stderr;
    fputs("sd_kazspeak: ", f);
    va_start(ap, fmt);
    vfprintf(f, fmt, ap);
    va_end(ap);
    fputc('\n', f);
    fflush(f);
}

/* Copy a string into a fixed buffer; too long -> empty, returns -1. */
static int set_str(char *dst, size_t n, const char *src)
{
    size_t l = strlen(src);
    if (l >= n) {
        dst[0] = '\0';
        return -1;
    }
    memcpy(dst, src, l + 1);
    return 0;
}

/* ---------------------------------------------------------------- output */

static void out_line(const char *s)
{
    ks_buf_puts(&M.out, s);
    ks_buf_putc(&M.out, '\n');
}

/* Write what stdout takes without blocking. */
static void out_try(void)
{
    while (!M.out_dead && M.out_pos < M.out.len) {
        ssize_t n = write(STDOUT_FILENO, M.out.data + M.out_pos, M.out.len - M.out_pos);
        if (n > 0) {
            M.out_pos += (size_t)n;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            break;
        } else {
            M.out_dead = 1; /* the server is gone */
            M.in_eof = 1;
        }
    }
    if (M.out_pos == M.out.len) {
        ks_buf_reset(&M.out);
        M.out_pos = 0;
    }
}

static int out_pending(void)
{
    return !M.out_dead && M.out_pos < M.out.len;
}

/* ---------------------------------------------------------------- input */

static void handle_line(const char *line, size_t len);

/* Whether complete lines may be handled now (see parse_input). */
static int parse_gated(void)
{
    return M.quit || (M.speaking && M.stop_req);
}

/* A line longer than LINE_MAX_BYTES is skipped up to its newline (what is
 * buffered of it here, the rest in read_input when `whole` is 0); the parser
 * refuses what it belonged to. */
static void skip_long_line(int whole)
{
    sd_result res;
    logmsg(1, "input line longer than %zu bytes: skipped up to its newline", LINE_MAX_BYTES);
    if (!whole) {
        M.in.len = M.in_pos; /* keep nothing of it */
        M.in_scan = M.in_pos;
        M.in_skip = 1;
    }
    sd_parser_line_skipped(&M.parser, &res);
    if (res.reply) {
        logmsg(2, "%s: %s", res.reply, res.why ? res.why : "");
        out_line(res.reply);
    }
}

/* Parse complete lines from M.in, also while a message is being spoken.  After
 * a STOP (or QUIT) the rest waits until the stopped message and the dropped
 * ones have sent their 703, so replies to later commands never come before. */
static void parse_input(void)
{
    while (!parse_gated()) {
        const char *start = M.in.data ? M.in.data + M.in_pos : NULL;
        size_t avail = M.in.len - M.in_pos;
        if (M.in_scan < M.in_pos)
            M.in_scan = M.in_pos;
        const char *nl = M.in.len > M.in_scan ? memchr(M.in.data + M.in_scan, '\n', M.in.len - M.in_scan) : NULL;
        if (!nl) {
            M.in_scan = M.in.len;
            if (avail > LINE_MAX_BYTES)
                skip_long_line(0);
            break;
        }
        size_t len = (size_t)(nl - start);
        M.in_pos += len + 1;
        M.in_scan = M.in_pos;
        if (len > LINE_MAX_BYTES)
            skip_long_line(1);
        else
            handle_line(start, len);
    }
    if (M.in_pos == M.in.len) {
        ks_buf_reset(&M.in);
        M.in_pos = M.in_scan = 0;
    } else if (M.in_pos > 65536) {
        size_t rest = M.in.len - M.in_pos;
        memmove(M.in.data, M.in.data + M.in_pos, rest);
        M.in.len = rest;
        M.in.data[rest] = '\0';
        M.in_scan -= M.in_pos;
        M.in_pos = 0;
    }
}

static size_t in_room(void)
{
    return M.in.len + 1 < IN_MAX ? IN_MAX - M.in.len - 1 : 0;
}

/* Read what stdin has.  Input is taken off the pipe even while it cannot be
 * handled yet, so the server never blocks writing to us. */
static void read_input(void)
{
    char buf[65536];
    for (;;) {
        size_t room = in_room();
        if (room == 0)
            return; /* only while parsing waits for a 703: it is short */
        ssize_t n = read(STDIN_FILENO, buf, room < sizeof buf ? room : sizeof buf);
        if (n > 0) {
            const char *p = buf;
            size_t len = (size_t)n;
            if (M.in_skip) {
                const char *nl = memchr(p, '\n', len);
                if (nl) {
                    M.in_skip = 0;
                    len -= (size_t)(nl + 1 - p);
                    p = nl + 1;
                } else {
                    len = 0;
                }
            }
            ks_buf_append(&M.in, p, len);
            if ((size_t)n < sizeof buf)
                return;
        } else if (n == 0) {
            M.in_eof = 1;
            return;
        } else if (errno == EINTR) {
            continue;
        } else {
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                M.in_eof = 1;
            return;
        }
    }
}

/* One round of I/O: write what we can, read and handle what came in.
 * wait: 0 = never block; 1 = block until stdout took everything (reading
 * stdin meanwhile), or until a stop/pause/quit was requested; 2 = block until
 * something happens (idle loop). */
static void service(int wait)
{
    for (;;) {
        out_try();
        int can_read = !M.in_eof && (in_room() > 0 || !parse_gated());
        if (wait == 1 && (!out_pending() || M.stop_req || M.quit))
            return;
        struct pollfd fds[2];
        nfds_t n = 0;
        int in_idx = -1;
        if (can_read) {
            fds[n].fd = STDIN_FILENO;
            fds[n].events = POLLIN;
            in_idx = (int)n++;
        }
        if (out_pending()) {
            fds[n].fd = STDOUT_FILENO;
            fds[n].events = POLLOUT;
            n++;
        }
        if (n == 0)
            return;
        int r = poll(fds, n, wait ? -1 : 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return;
        if (in_idx >= 0 && (fds[in_idx].revents & (POLLIN | POLLHUP | POLLERR))) {
            read_input();
            parse_input();
        }
        out_try();
        if (wait == 0)
            return;
        if (wait == 2)
            return;
    }
}

/* ---------------------------------------------------------------- engine setup */

static ks_status load_lexicon(ks_error *err)
{
    ks_lexicon *lex = NULL;
    ks_normalizer *norm = NULL;
    char path[PATH_MAX + 64];
    ks_status st = ks_lexicon_new(&lex, err);
    if (st != KS_OK)
        return st;
    struct stat sb;
    snprintf(path, sizeof path, "%s/lexicon", M.data_root);
    if (stat(path, &sb) == 0 && (st = ks_lexicon_load_dir(lex, path, err)) != KS_OK)
        goto fail;
    for (int i = 0; i < M.base.n_lexicons; i++)
        if ((st = ks_lexicon_load_file(lex, M.base.lexicons[i], err)) != KS_OK)
            goto fail;
    if (M.use_user_lexicon) {
        /* a mistake in the user's own lexicon must not silence the screen reader */
        ks_error uerr;
        if (ks_user_lexicon_path(path, sizeof path) && stat(path, &sb) == 0 &&
            ks_lexicon_load_file(lex, path, &uerr) != KS_OK)
            logmsg(0, "user lexicon ignored: %s", uerr.msg);
    }
    if ((st = ks_normalizer_new(&norm, lex, err)) != KS_OK)
        goto fail;
    ks_normalizer_free(M.norm);
    ks_langid_free(M.langid);
    ks_lexicon_free(M.lex);
    M.norm = norm;
    M.lex = lex;
    return KS_OK;
fail:
    ks_lexicon_free(lex);
    return st;
}

static ks_status module_init(ks_error *err)
{
    ks_status st = ks_data_find(M.data_opt[0] ? M.data_opt : NULL, M.data_root, sizeof M.data_root,
                                M.espeak_dir, sizeof M.espeak_dir, err);
    if (st != KS_OK)
        return st;
    const char *vname = M.voice_opt[0] ? M.voice_opt : "default";
    if ((st = ks_voice_find(&M.base, M.data_root, vname, err)) != KS_OK)
        return st;
    set_str(M.base_name, sizeof M.base_name, M.base.name[0] ? M.base.name : vname);
    if ((st = load_lexicon(err)) != KS_OK)
        return st;
    if ((st = ks_engine_new(&M.eng, M.espeak_dir, err)) != KS_OK)
        return st;
    if ((st = ks_engine_set_voice(M.eng, &M.base, err)) != KS_OK)
        return st;
    M.rate_hz = ks_engine_sample_rate(M.eng);
    char lpath[PATH_MAX + 32];
    ks_error lerr;
    snprintf(lpath, sizeof lpath, "%s/lexicon/lang", M.data_root);
    if (ks_langid_new(&M.langid, lpath, &lerr) != KS_OK) {
        logmsg(0, "language lists ignored: %s", lerr.msg);
        ks_langid_new(&M.langid, NULL, &lerr); /* letters only */
    }
    M.inited = 1;
    return KS_OK;
}

/* eSpeak variant for speech-dispatcher's voice type (only if the profile has none). */
static const char *voice_variant(const char *type)
{
    static const struct {
        const char *type, *variant;
    } map[] = {{"male1", NULL},      {"male2", "m3"},      {"male3", "m6"},
               {"female1", "f3"},    {"female2", "f2"},    {"female3", "f4"},
               {"child_male", "f5"}, {"child_female", "f5"}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (!strcmp(type, map[i].type))
            return map[i].variant;
    return NULL;
}

/* A voice profile name: letters, digits, '-' and '_' only (no path, no ".voice"). */
static int voice_name_ok(const char *name)
{
    if (!*name)
        return 0;
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-' ||
              *p == '_'))
            return 0;
    return 1;
}

/* The language of a message: language=ru (ru-RU ...) is read by eSpeak NG's Russian
 * voice after kazspeak's Russian normalizer; language=en (en-US, en_GB ...) by the
 * English voice as it is (no Kazakh normalizer, which would turn "25" into "жиырма
 * бес"); the voices "russian" and "english" of LIST VOICES do the same whatever the
 * language. Everything else is Kazakh: Russian and English spans in it (quotations,
 * Russian sentences) are found and read by their voices, as the kazspeak program does. */
static ks_lang message_lang(const sd_settings *s)
{
    if (!strcmp(s->synthesis_voice, "russian"))
        return KS_LANG_RU;
    if (!strcmp(s->synthesis_voice, "english"))
        return KS_LANG_EN;
    ks_lang l;
    if (ks_lang_parse(s->language, &l) == KS_OK && (l == KS_LANG_RU || l == KS_LANG_EN))
        return l;
    return KS_LANG_KK;
}

/* Bring the engine in line with a message's settings (the SET values in force
 * when it arrived) before it is spoken. */
static void apply_settings(const sd_settings *s)
{
    ks_error err;
    {
        const char *name = s->synthesis_voice[0] ? s->synthesis_voice : (M.voice_opt[0] ? M.voice_opt : "default");
        if (!strcmp(name, "russian") || !strcmp(name, "english"))
            name = M.base_name; /* a language, not a profile: see message_lang */
        if (strcmp(name, M.base_name) != 0 && strcmp(name, M.voice_failed) != 0) {
            ks_voice v;
            /* A client may only pick a shipped profile by name, never a file. */
            int bad_name = !voice_name_ok(name);
            if (bad_name || ks_voice_find(&v, M.data_root, name, &err) != KS_OK) {
                logmsg(2, "voice %s: %s", name, bad_name ? "not a voice name" : err.msg);
                set_str(M.voice_failed, sizeof M.voice_failed, name);
            } else {
                ks_voice old = M.base;
                M.base = v;
                set_str(M.base_name, sizeof M.base_name, name);
                if ((old.n_lexicons || v.n_lexicons) && load_lexicon(&err) != KS_OK)
                    logmsg(1, "voice %s: %s", name, err.msg);
            }
        }
    }
    ks_voice v = M.base;
    const char *var = voice_variant(s->voice);
    if (var && !strchr(v.espeak, '+')) {
        size_t l = strlen(v.espeak);
        snprintf(v.espeak + l, sizeof v.espeak - l, "+%s", var);
    }
    v.rate = sd_map_rate(s->rate, M.base.rate);
    v.pitch = sd_map_pitch(s->pitch, M.base.pitch);
    v.range = sd_map_pitch(s->pitch_range, M.base.range);
    v.volume = sd_map_volume(s->volume, M.base.volume);
    if (ks_engine_set_voice(M.eng, &v, &err) != KS_OK) {
        logmsg(2, "%s; using %s", err.msg, M.base.espeak);
        set_str(v.espeak, sizeof v.espeak, M.base.espeak);
        if (ks_engine_set_voice(M.eng, &v, &err) != KS_OK)
            logmsg(1, "%s", err.msg);
    }
}

/* ---------------------------------------------------------------- speaking */

static void emit_audio(const int16_t *pcm, size_t frames)
{
    while (frames > 0 && !M.stop_req) {
        /* at most one block waits in the output buffer: wait for the server
         * to take the previous one, reading stdin meanwhile */
        service(1);
        if (M.stop_req || M.out_dead)
            return;
        size_t n = frames > CHUNK_FRAMES ? CHUNK_FRAMES : frames;
        if (sd_audio_block(&M.out, pcm, n, M.rate_hz) != 0) {
            logmsg(1, "out of memory for audio");
            M.stop_req = 1;
            return;
        }
        M.sent_frames += n;
        pcm += n;
        frames -= n;
        out_try();
    }
}

static void flush_acc(void)
{
    if (M.acc_n && !M.stop_req)
        emit_audio(M.acc, M.acc_n);
    M.acc_n = 0;
}

static int halted(void)
{
    return M.stop_req || M.paused_at_mark || M.quit || M.out_dead;
}

static int on_pcm(const int16_t *pcm, size_t frames, uint64_t frame, void *user)
{
    (void)user;
    (void)frame;
    service(0);
    if (halted())
        return 1;
    if (M.lead_trim) {
        /* drop eSpeak's leading silence (about 40 ms) so speech starts at once;
         * keep 5 ms before the first sound, trim at most 200 ms */
        size_t k = 0;
        while (k < frames && abs(pcm[k]) < LEAD_THRESHOLD)
            k++;
        size_t keep = (size_t)M.rate_hz / 200;
        if (k < frames) {
            size_t from = k > keep ? k - keep : 0;
            pcm += from;
            frames -= from;
            M.lead_trim = 0;
        } else {
            M.lead_dropped += frames;
            if (M.lead_dropped >= (size_t)M.rate_hz / 5)
                M.lead_trim = 0;
            return 0;
        }
    }
    while (frames > 0) {
        size_t room = CHUNK_FRAMES - M.acc_n;
        size_t n = frames < room ? frames : room;
        memcpy(M.acc + M.acc_n, pcm, n * sizeof *pcm);
        M.acc_n += n;
        pcm += n;
        frames -= n;
        /* first block goes out at once (low latency), later ones when full */
        if (M.acc_n == CHUNK_FRAMES || M.sent_frames == 0)
            flush_acc();
        if (halted())
            return 1;
    }
    return 0;
}

/* Reader events: index marks go to the server as 700 lines. */
static int on_event(const ks_reader_event *ev, void *user)
{
    (void)user;
    if (ev->type != KS_READER_MARK || !ev->mark)
        return halted();
    flush_acc();
    if (halted())
        return 1;
    /* mark names come from the server; keep them on one line */
    if (strchr(ev->mark, '\n'))
        return 0;
    ks_buf_puts(&M.out, "700-");
    ks_buf_puts(&M.out, ev->mark);
    ks_buf_puts(&M.out, "\n700 INDEX MARK\n");
    out_try();
    if (M.pause_req && strncmp(ev->mark, "__spd_", 6) == 0) {
        M.paused_at_mark = 1;
        return 1;
    }
    return 0;
}

/* A short click for capitals when cap_let_recogn is "icon". */
static void cap_icon(void)
{
    int16_t tone[CHUNK_FRAMES];
    size_t n = (size_t)M.rate_hz * 40 / 1000;
    if (n > CHUNK_FRAMES)
        n = CHUNK_FRAMES;
    for (size_t i = 0; i < n; i++) {
        double env = (double)(n - i) / (double)n;
        tone[i] = (int16_t)(6000.0 * env * sin(2.0 * 3.14159265358979 * 1500.0 * (double)i / M.rate_hz));
    }
    emit_audio(tone, n);
}

static int is_capital_char(const char *s, size_t len)
{
    ks_buf b;
    ks_buf_init(&b, 0);
    sd_char_text(s, len, SD_CAPLET_SPELL, &b);
    int cap = b.data && strncmp(b.data, "бас әріп ", strlen("бас әріп ")) == 0;
    ks_buf_free(&b);
    return cap;
}

static int on_poll(void *user)
{
    (void)user;
    service(0);
    return halted();
}

static ks_reader *new_reader(unsigned flags, ks_lang lang)
{
    ks_error err;
    ks_reader_options o;
    ks_reader_options_init(&o);
    o.input = KS_READER_ESPEAK;
    o.espeak_flags = flags;
    o.lang = lang; /* KS_LANG_RU / KS_LANG_EN: eSpeak NG's ru / en voice with the profile's parameters */
    ks_reader_callbacks cb = {on_event, on_pcm, on_poll, NULL};
    ks_reader *r = NULL;
    if (ks_reader_new(&r, M.eng, NULL, &o, &cb, &err) != KS_OK) {
        logmsg(1, "reader: %s", err.msg);
        return NULL;
    }
    return r;
}

/* Speak text prepared for eSpeak (one utterance) through the message's reader. */
static void speak_prepared(ks_reader *r, const char *text, size_t len)
{
    ks_error err;
    err.msg[0] = '\0';
    ks_status st = r ? ks_reader_speak(r, text, len, &err) : KS_ENOMEM;
    if (st != KS_OK && st != KS_ESTOPPED)
        logmsg(1, "synthesis: %s", err.msg);
}

/* eSpeak NG 1.51 takes every <speak> as a voice change and queues a copy of the
 * voice for it, which it never frees when the synthesis is stopped before that
 * point is played: with one <speak> per piece, a STOP would leak 1.3 KB now and
 * then.  A bare <speak>...</speak> around a piece is taken off (eSpeak reads
 * SSML without it); one with attributes stays. */
static void strip_speak_root(const char **t, size_t *len)
{
    size_t e = *len;
    while (e > 0 && ((*t)[e - 1] == ' ' || (*t)[e - 1] == '\n' || (*t)[e - 1] == '\r' || (*t)[e - 1] == '\t'))
        e--;
    if (e >= 15 && memcmp(*t, "<speak>", 7) == 0 && memcmp(*t + e - 8, "</speak>", 8) == 0) {
        *t += 7;
        *len = e - 15;
    }
}

/* ---------------------------------------------------------------- languages in a message */

#define SD_MAX_CHUNKS 32

typedef struct sd_chunk {
    size_t off, len; /* a whole <speak> document in the split buffer */
    ks_lang lang;
} sd_chunk;

/* Append text to the chunk being built; Russian text runs through the Russian
 * normalizer (entities are kept as they are). */
static void chunk_text(ks_buf *b, const char *t, size_t n, ks_lang lang)
{
    if (lang != KS_LANG_RU) {
        ks_buf_append(b, t, n);
        return;
    }
    size_t i = 0;
    ks_error err;
    while (i < n) {
        const char *amp = memchr(t + i, '&', n - i);
        size_t run = amp ? (size_t)(amp - (t + i)) : n - i;
        if (run)
            ks_ru_normalize(t + i, run, b, &err); /* a failure leaves b failed: the message is dropped */
        i += run;
        if (amp) {
            const char *semi = memchr(t + i, ';', n - i);
            size_t el = semi && semi - (t + i) < 12 ? (size_t)(semi - (t + i)) + 1 : 1;
            ks_buf_append(b, t + i, el);
            i += el;
        }
    }
}

static size_t chunk_end(ks_buf *b, sd_chunk *c, size_t *n, size_t start, ks_lang lang)
{
    ks_buf_puts(b, "</speak>");
    c[*n] = (sd_chunk){start, b->len - start, lang};
    (*n)++;
    size_t next = b->len;
    ks_buf_puts(b, "<speak>");
    return next;
}

/* Cut a SPEAK message (the server's SSML) into documents of one language each:
 * with `lang` KK, the Russian and English spans of its text (sentences, quotations),
 * found as the kazspeak program finds them; with RU or EN, one document. Cuts are
 * made only outside elements other than speak (marks stay where they are). Returns
 * the number of documents (0 when nothing is to be cut and the text is Kazakh: the
 * message is prepared as it always was). */
static size_t split_languages(const char *t, size_t n, ks_lang lang, sd_chunk *c, ks_buf *b)
{
    if (lang == KS_LANG_EN || !M.inited)
        return 0;
    /* the text of the message, and where each of its bytes is */
    ks_buf plain = {0};
    size_t *where = malloc((n + 1) * sizeof *where);
    ks_lang *lg = malloc((n + 1) * sizeof *lg);
    size_t nc = 0;
    if (!where || !lg)
        goto done;
    for (size_t i = 0; i < n;) {
        if (t[i] == '<') {
            const char *gt = memchr(t + i, '>', n - i);
            size_t e = gt ? (size_t)(gt - t) + 1 : n;
            ks_buf_putc(&plain, ' '); /* a tag separates words */
            where[plain.len - 1] = (size_t)-1;
            i = e;
            continue;
        }
        ks_buf_putc(&plain, t[i]);
        where[plain.len - 1] = i;
        i++;
    }
    if (plain.failed)
        goto done;
    for (size_t i = 0; i < n; i++)
        lg[i] = lang;
    int mixed = 0;
    if (lang == KS_LANG_KK) {
        ks_lang ctx = KS_LANG_KK;
        size_t pos = 0;
        while (pos < plain.len) {
            size_t k = ks_sentence_split(plain.data + pos, plain.len - pos, 1, plain.len - pos);
            if (!k)
                k = plain.len - pos;
            ks_lang_span sp[64];
            size_t ns = ks_lang_spans(M.langid, NULL, ctx, plain.data + pos, k, sp, 64);
            if (ns > 64)
                ns = 64, sp[63].len = k - sp[63].offset;
            size_t by[3] = {0, 0, 0};
            for (size_t j = 0; j < ns; j++) {
                by[sp[j].lang] += sp[j].len;
                if (sp[j].lang != KS_LANG_KK)
                    mixed = 1;
                for (size_t q = sp[j].offset; q < sp[j].offset + sp[j].len; q++)
                    if (where[pos + q] != (size_t)-1)
                        lg[where[pos + q]] = sp[j].lang;
            }
            ctx = by[KS_LANG_RU] > by[KS_LANG_KK] ? KS_LANG_RU : by[KS_LANG_EN] > by[KS_LANG_KK] ? KS_LANG_EN : KS_LANG_KK;
            pos += k;
        }
        if (!mixed)
            goto done;
    }
    /* the documents: <speak> ... </speak> per language run */
    size_t start = b->len;
    ks_buf_puts(b, "<speak>");
    ks_lang cur = KS_LANG_AUTO;
    int depth = 0; /* open elements other than speak */
    for (size_t i = 0; i < n && nc < SD_MAX_CHUNKS - 1;) {
        if (t[i] == '<') {
            const char *gt = memchr(t + i, '>', n - i);
            size_t e = gt ? (size_t)(gt - t) + 1 : n;
            const char *tag = t + i;
            size_t tl = e - i;
            int is_speak = (tl >= 6 && !strncmp(tag, "<speak", 6)) || (tl >= 7 && !strncmp(tag, "</speak", 7));
            if (!is_speak) {
                if (tl > 1 && tag[1] == '/')
                    depth -= depth > 0;
                else if (!(tl > 2 && tag[tl - 2] == '/') && tag[1] != '!' && tag[1] != '?')
                    depth++;
                ks_buf_append(b, tag, tl);
            }
            i = e;
            continue;
        }
        const char *lt = memchr(t + i, '<', n - i);
        size_t end = lt ? (size_t)(lt - t) : n;
        while (i < end) {
            size_t j = i;
            while (j < end && lg[j] == lg[i])
                j++;
            int has_text = 0;
            for (size_t q = i; q < j; q++)
                if (t[q] != ' ' && t[q] != '\n' && t[q] != '\t' && t[q] != '\r')
                    has_text = 1;
            ks_lang l = has_text || cur == KS_LANG_AUTO ? lg[i] : cur;
            if (cur == KS_LANG_AUTO)
                cur = l;
            else if (l != cur && depth == 0 && has_text) {
                start = chunk_end(b, c, &nc, start, cur);
                cur = l;
            }
            chunk_text(b, t + i, j - i, depth == 0 ? l : cur);
            i = j;
        }
    }
    ks_buf_puts(b, "</speak>");
    c[nc++] = (sd_chunk){start, b->len - start, cur == KS_LANG_AUTO ? lang : cur};
    if (b->failed)
        nc = 0;
done:
    free(where);
    free(lg);
    ks_buf_free(&plain);
    return nc;
}

/* A SPEAK: the server's SSML, piece by piece (sentence-sized pieces of valid
 * SSML), each prepared for eSpeak and spoken before the next is prepared. */
static void speak_ssml_lang(const sd_settings *s, const char *text, size_t len, ks_lang lang)
{
    size_t dropped_marks = 0;
    sd_text_opts o = {lang == KS_LANG_KK ? M.norm : NULL, s->punctuation_mode, s->spelling_mode,
                      s->cap_let_recogn, &dropped_marks};
    ks_reader *r = new_reader(KS_SPEAK_SSML | KS_SPEAK_PHONEMES, lang);
    ks_buf piece, prepared;
    ks_buf_init(&piece, 0);
    ks_buf_init(&prepared, 0);
    ks_error err;
    ks_ssml_cutter *cut = NULL;
    if (r && ks_ssml_cutter_new(&cut, &err) != KS_OK)
        logmsg(1, "%s", err.msg);
    size_t n = 0, pos = 0;
    while (r && cut && !halted() && pos < len) {
        ks_buf_reset(&piece);
        ks_buf_reset(&prepared);
        size_t k = ks_ssml_cutter_next(cut, text + pos, len - pos, 1, n == 0 ? FIRST_PIECE : PIECE, SPLIT_SENTENCE);
        err.msg[0] = '\0';
        ks_status st = ks_ssml_cutter_take(cut, text + pos, k, pos + k == len, &piece, &err);
        pos += k;
        if (st != KS_OK || piece.failed || sd_ssml_prepare(&o, piece.data, piece.len, &prepared, &err) != KS_OK) {
            /* 200 OK SPEAKING went out already: end the message where it is */
            logmsg(1, "message cut short at byte %zu of %zu: %s", pos, len,
                   piece.failed ? "out of memory" : err.msg);
            break;
        }
        logmsg(4, "speak [piece %zu]: %s", n, prepared.data ? prepared.data : "");
        n++;
        const char *t = prepared.data;
        size_t tl = prepared.len;
        strip_speak_root(&t, &tl);
        if (tl)
            speak_prepared(r, t, tl);
        service(0); /* between pieces: STOP is seen at once */
    }
    if (dropped_marks)
        logmsg(2, "%zu mark(s) left out: name longer than %d bytes", dropped_marks, SD_MAX_MARK_NAME);
    ks_ssml_cutter_free(cut);
    ks_reader_free(r);
    ks_buf_free(&piece);
    ks_buf_free(&prepared);
}

/* A SPEAK: in the message's language; a Kazakh message with Russian or English
 * spans (sentences, quotations) is cut into documents of one language each, every
 * one read by its language's voice, as the kazspeak program does. */
static void speak_ssml(const sd_settings *s, const char *text, size_t len)
{
    ks_lang lang = message_lang(s);
    if (s->spelling_mode || lang == KS_LANG_EN) {
        speak_ssml_lang(s, text, len, lang);
        return;
    }
    /* cut first (the first piece is the first sentence, so the first audio does not
     * wait for the whole message), then find the languages of each piece */
    ks_error err;
    ks_ssml_cutter *cut = NULL;
    if (ks_ssml_cutter_new(&cut, &err) != KS_OK) {
        logmsg(1, "%s", err.msg);
        return;
    }
    ks_buf piece, split;
    ks_buf_init(&piece, 0);
    ks_buf_init(&split, SD_MAX_MESSAGE * 8);
    size_t pos = 0, count = 0;
    while (!halted() && pos < len) {
        size_t k = ks_ssml_cutter_next(cut, text + pos, len - pos, 1, count == 0 ? FIRST_PIECE : LANG_PIECE,
                                       SPLIT_SENTENCE);
        ks_buf_reset(&piece);
        ks_buf_reset(&split);
        if (ks_ssml_cutter_take(cut, text + pos, k, pos + k == len, &piece, &err) != KS_OK || piece.failed) {
            logmsg(1, "message cut short at byte %zu of %zu: out of memory", pos, len);
            break;
        }
        pos += k;
        count++;
        sd_chunk chunks[SD_MAX_CHUNKS];
        size_t n = split_languages(piece.data, piece.len, lang, chunks, &split);
        if (n == 0)
            speak_ssml_lang(s, piece.data, piece.len, lang);
        for (size_t i = 0; i < n && !halted(); i++) {
            logmsg(4, "speak [%s]: part %zu of %zu", ks_lang_name(chunks[i].lang), i + 1, n);
            speak_ssml_lang(s, split.data + chunks[i].off, chunks[i].len, chunks[i].lang);
        }
    }
    ks_ssml_cutter_free(cut);
    ks_buf_free(&piece);
    ks_buf_free(&split);
}


/* The end events of the messages STOP, PAUSE or QUIT dropped from the queue. */
static void end_dropped(void)
{
    for (; M.dropped > 0; M.dropped--)
        out_line("701 BEGIN\n703 STOP");
}

/* Speak one message from the queue (its 200 OK SPEAKING went out when it came). */
static void speak_message(const sd_message *msg)
{
    sd_cmd_type type = msg->type;
    const char *text = msg->text;
    size_t len = msg->len;
    const sd_settings *s = &msg->settings;

    apply_settings(s);
    M.speaking = 1;
    M.stop_req = M.pause_req = M.paused_at_mark = 0;
    M.acc_n = 0;
    M.sent_frames = 0;
    M.lead_trim = 1;
    M.lead_dropped = 0;
    out_line("701 BEGIN");
    out_try();

    if (type == SD_CMD_SOUND_ICON) {
        char path[PATH_MAX + 256];
        struct stat sb;
        int r = snprintf(path, sizeof path, "%s/%.*s", M.icon_dir, (int)len, text);
        if (r > 0 && (size_t)r < sizeof path && len && text[0] != '.' && !memchr(text, '/', len) &&
            !memchr(text, '\n', len) && stat(path, &sb) == 0 && S_ISREG(sb.st_mode)) {
            ks_buf_puts(&M.out, "706-");
            ks_buf_puts(&M.out, path);
            ks_buf_puts(&M.out, "\n706 ICON\n");
        } else {
            logmsg(3, "no sound icon %s", path);
        }
    } else if (type == SD_CMD_SPEAK) {
        speak_ssml(s, text, len);
    } else {
        ks_buf prepared;
        ks_buf_init(&prepared, 0);
        if (type == SD_CMD_CHAR) {
            sd_char_text(text, len, s->cap_let_recogn == SD_CAPLET_SPELL ? SD_CAPLET_SPELL : SD_CAPLET_NONE,
                         &prepared);
            if (s->cap_let_recogn == SD_CAPLET_ICON && is_capital_char(text, len))
                cap_icon();
        } else {
            sd_key_text(text, len, &prepared);
        }
        logmsg(4, "speak [%s]: %s", type == SD_CMD_CHAR ? "char" : "key", prepared.data ? prepared.data : "");
        if (prepared.len && !halted()) {
            ks_reader *r = new_reader(0, KS_LANG_KK);
            speak_prepared(r, prepared.data, prepared.len);
            ks_reader_free(r);
        }
        ks_buf_free(&prepared);
    }
    if (M.stop_req || M.quit) {
        M.acc_n = 0;
        out_line("703 STOP");
    } else if (M.pause_req) {
        if (!M.paused_at_mark)
            flush_acc();
        M.acc_n = 0;
        out_line("704 PAUSE");
    } else {
        flush_acc();
        out_line("702 END");
    }
    size_t dropped = M.dropped;
    end_dropped();
    M.speaking = 0;
    out_try();
    if (M.stop_req)
        logmsg(4, "stopped: 703 %s %.2f ms after STOP was read; %.2f s of audio had been sent; %zu queued "
               "message(s) dropped",
               out_pending() ? "queued" : "written", now_ms() - M.stop_ms, (double)M.sent_frames / M.rate_hz,
               dropped);
    if (M.quit)
        out_line("210 OK QUIT");
}

/* A complete SPEAK/CHAR/KEY/SOUND_ICON: answer and queue it. */
static void queue_message(const sd_result *res)
{
    char why[160];
    if (!M.inited) {
        logmsg(1, "301 ERROR CANT SPEAK: the module is not initialized (no INIT, or INIT failed)");
        out_line("301 ERROR CANT SPEAK");
        return;
    }
    if (sd_queue_push(&M.queue, res->cmd, res->text, res->text_len, &M.parser.settings, why, sizeof why) != 0) {
        logmsg(1, "301 ERROR CANT SPEAK: %s", why);
        out_line("301 ERROR CANT SPEAK");
        return;
    }
    M.parser.settings.changed = 0;
    out_line("200 OK SPEAKING");
}

/* STOP, PAUSE and QUIT drop what waits; the dropped messages end with 701/703
 * once the speaking message has sent its own end. */
static void drop_queue(void)
{
    M.dropped += sd_queue_clear(&M.queue);
}

/* ---------------------------------------------------------------- commands */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void list_voices(void)
{
    char dir[PATH_MAX + 16];
    char *names[256];
    size_t n = 0;
    snprintf(dir, sizeof dir, "%s/voices", M.data_root);
    DIR *d = M.inited ? opendir(dir) : NULL;
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) && n < 256) {
            size_t l = strlen(e->d_name);
            if (l > 6 && l < 64 && !strcmp(e->d_name + l - 6, ".voice") && e->d_name[0] != '.') {
                names[n] = strndup(e->d_name, l - 6);
                if (names[n])
                    n++;
            }
        }
        closedir(d);
    }
    if (n == 0) {
        out_line("304 CANT LIST VOICES");
        return;
    }
    qsort(names, n, sizeof names[0], cmp_str);
    for (size_t i = 0; i < n; i++) {
        ks_buf_puts(&M.out, "200-");
        ks_buf_puts(&M.out, names[i]);
        ks_buf_puts(&M.out, "\tkk\tnone\n");
        free(names[i]);
    }
    /* eSpeak NG's Russian and English voices, with the current profile's parameters */
    char ru[PATH_MAX + 32];
    snprintf(ru, sizeof ru, "%s/ru_dict", M.espeak_dir);
    if (access(ru, R_OK) == 0)
        ks_buf_puts(&M.out, "200-russian\tru\tnone\n");
    ks_buf_puts(&M.out, "200-english\ten\tnone\n");
    out_line("200 OK VOICE LIST SENT");
}

static void handle_line(const char *line, size_t len)
{
    sd_result res;
    sd_parser_line(&M.parser, line, len, &res);
    if (M.debug)
        logmsg(5, "< %.*s", (int)(len > 200 ? 200 : len), line);
    switch (res.cmd) {
    case SD_CMD_INIT: {
        ks_error err;
        err.msg[0] = '\0';
        if (M.inited || module_init(&err) == KS_OK) {
            ks_buf_puts(&M.out, "299-kazspeak ");
            ks_buf_puts(&M.out, ks_version());
            ks_buf_puts(&M.out, ": Kazakh voice ready\n299 OK LOADED SUCCESSFULLY\n");
        } else {
            logmsg(0, "init: %s", err.msg);
            for (char *p = err.msg; *p; p++)
                if (*p == '\n')
                    *p = ' ';
            ks_buf_puts(&M.out, "399-kazspeak: ");
            ks_buf_puts(&M.out, err.msg);
            ks_buf_puts(&M.out, "\n399 ERR CANT INIT MODULE\n");
        }
        break;
    }
    case SD_CMD_SPEAK:
    case SD_CMD_CHAR:
    case SD_CMD_KEY:
    case SD_CMD_SOUND_ICON:
        queue_message(&res); /* spoken from the main loop, after what is speaking */
        out_try();
        return;
    case SD_CMD_STOP:
        if (M.speaking && !M.stop_req) {
            M.stop_req = 1;
            M.stop_ms = now_ms();
        }
        drop_queue();
        break;
    case SD_CMD_PAUSE:
        if (M.speaking)
            M.pause_req = 1;
        drop_queue();
        break;
    case SD_CMD_LIST_VOICES:
        list_voices();
        break;
    case SD_CMD_DEBUG:
        if (M.debug) {
            fclose(M.debug);
            M.debug = NULL;
        }
        if (res.debug_on) {
            M.debug = fopen(res.text, "a");
            if (!M.debug) {
                out_line("303 CANT OPEN CUSTOM DEBUG FILE");
                return;
            }
        }
        break;
    case SD_CMD_QUIT:
        M.quit = 1;
        drop_queue();
        if (M.speaking) {
            /* 210 after the 703s (speak_message) */
            if (!M.stop_req) {
                M.stop_req = 1;
                M.stop_ms = now_ms();
            }
            return;
        }
        end_dropped();
        break;
    default:
        break;
    }
    if (res.reply) {
        if (res.why)
            logmsg(2, "%s: %s", res.reply, res.why);
        out_line(res.reply);
    }
    out_try();
}

/* ---------------------------------------------------------------- main */

static void trim(char *s)
{
    size_t l = strlen(s);
    while (l && (s[l - 1] == '\n' || s[l - 1] == '\r' || s[l - 1] == ' ' || s[l - 1] == '\t'))
        s[--l] = '\0';
}

/* The module config (dotconf style): `Key value` or `Key "value"`, # comments. */
static int read_config(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "sd_kazspeak: %s: %s\n", path, strerror(errno));
        return errno == ENOENT ? 0 : -1; /* a missing config is fine */
    }
    char line[PATH_MAX + 64];
    int lineno = 0, rc = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        trim(line);
        char *p = line;
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p || *p == '#')
            continue;
        char *key = p;
        while (*p && *p != ' ' && *p != '\t')
            p++;
        if (*p)
            *p++ = '\0';
        while (*p == ' ' || *p == '\t')
            p++;
        char *val = p;
        size_t vl = strlen(val);
        if (vl >= 2 && val[0] == '"' && val[vl - 1] == '"') {
            val[vl - 1] = '\0';
            val++;
        }
        if (!strcmp(key, "KazspeakDataDir"))
            set_str(M.data_opt, sizeof M.data_opt, val);
        else if (!strcmp(key, "KazspeakVoice"))
            set_str(M.voice_opt, sizeof M.voice_opt, val);
        else if (!strcmp(key, "KazspeakSoundIconFolder"))
            set_str(M.icon_dir, sizeof M.icon_dir, val);
        else if (!strcmp(key, "KazspeakUserLexicon"))
            M.use_user_lexicon = strcmp(val, "0") != 0 && strcmp(val, "no") != 0;
        else if (!strncmp(key, "Debug", 5) || !strcmp(key, "LogLevel"))
            ; /* speech-dispatcher's generic module keys: accepted, unused */
        else {
            fprintf(stderr, "sd_kazspeak: %s:%d: unknown key '%s'\n", path, lineno, key);
            rc = -1;
        }
    }
    fclose(f);
    return rc;
}

static void usage(FILE *f)
{
    fputs("usage: sd_kazspeak [--data-dir DIR] [--voice NAME] [CONFIG]\n"
          "speech-dispatcher output module for kazspeak (Kazakh). speech-dispatcher starts it\n"
          "and talks its module protocol on stdin/stdout; CONFIG is kazspeak.conf.\n",
          f);
}

int main(int argc, char **argv)
{
    signal(SIGPIPE, SIG_IGN);
    sd_parser_init(&M.parser);
    ks_buf_init(&M.in, IN_MAX);
    ks_buf_init(&M.out, 0);
    sd_queue_init(&M.queue);
    M.use_user_lexicon = 1;
    set_str(M.icon_dir, sizeof M.icon_dir, "/usr/share/sounds/sound-icons");

    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(argv[i], "--version")) {
            printf("sd_kazspeak %s\n", ks_version());
            return 0;
        } else if (!strcmp(argv[i], "--data-dir") && i + 1 < argc) {
            set_str(M.data_opt, sizeof M.data_opt, argv[++i]);
        } else if (!strcmp(argv[i], "--voice") && i + 1 < argc) {
            set_str(M.voice_opt, sizeof M.voice_opt, argv[++i]);
        } else if (argv[i][0] == '-') {
            usage(stderr);
            return 2;
        } else {
            M.config_path = argv[i];
        }
    }
    /* command-line options win over the config file */
    char data_cli[PATH_MAX], voice_cli[256];
    set_str(data_cli, sizeof data_cli, M.data_opt);
    set_str(voice_cli, sizeof voice_cli, M.voice_opt);
    if (M.config_path && read_config(M.config_path) != 0)
        return 1;
    if (data_cli[0])
        set_str(M.data_opt, sizeof M.data_opt, data_cli);
    if (voice_cli[0])
        set_str(M.voice_opt, sizeof M.voice_opt, voice_cli);

    /* Non-blocking pipes: the module never sleeps in read() or write(), so a
     * STOP is seen even while the server is not taking audio. */
    int fl = fcntl(STDOUT_FILENO, F_GETFL);
    if (fl >= 0)
        fcntl(STDOUT_FILENO, F_SETFL, fl | O_NONBLOCK);
    int fl_in = fcntl(STDIN_FILENO, F_GETFL);
    if (fl_in >= 0)
        fcntl(STDIN_FILENO, F_SETFL, fl_in | O_NONBLOCK);

    while (!M.quit && !M.out_dead) {
        sd_message msg;
        if (sd_queue_pop(&M.queue, &msg)) {
            speak_message(&msg);
            free(msg.text);
            parse_input(); /* lines that waited for a 703 */
            continue;
        }
        if (M.in_eof) {
            parse_input();
            if (M.queue.count == 0)
                break;
            continue;
        }
        service(2);
    }
    /* flush the last replies (210 OK QUIT) */
    while (out_pending()) {
        struct pollfd p = {STDOUT_FILENO, POLLOUT, 0};
        if (poll(&p, 1, 1000) <= 0)
            break;
        out_try();
    }
    if (fl >= 0)
        fcntl(STDOUT_FILENO, F_SETFL, fl);
    if (fl_in >= 0)
        fcntl(STDIN_FILENO, F_SETFL, fl_in);
    ks_engine_free(M.eng);
    ks_normalizer_free(M.norm);
    ks_lexicon_free(M.lex);
    sd_parser_free(&M.parser);
    ks_buf_free(&M.in);
    ks_buf_free(&M.out);
    sd_queue_clear(&M.queue);
    if (M.debug)
        fclose(M.debug);
    return 0;
}
