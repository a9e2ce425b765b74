/* sd_protocol.c - speech-dispatcher output-module protocol state machine,
 * settings, value mapping and 705 AUDIO encoding (no I/O; see sd_protocol.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sd_protocol.h"

#define R_BAD_SYNTAX "302 ERROR BAD SYNTAX"
#define R_BAD_PARAM "303 ERROR INVALID PARAMETER OR VALUE"
#define R_MULTILINE "305 DATA MORE THAN ONE LINE"
#define R_CANT_SPEAK "301 ERROR CANT SPEAK"
#define R_UNKNOWN "300 ERR UNKNOWN COMMAND"

void sd_settings_defaults(sd_settings *s)
{
    memset(s, 0, sizeof *s);
    s->punctuation_mode = SD_PUNCT_NONE;
    s->cap_let_recogn = SD_CAPLET_NONE;
    memcpy(s->voice, "male1", 6);
    memcpy(s->language, "kk", 3);
}

void sd_parser_init(sd_parser *p)
{
    memset(p, 0, sizeof *p);
    ks_buf_init(&p->text, SD_MAX_MESSAGE);
    sd_settings_defaults(&p->settings);
    p->log_level = 3;
}

void sd_parser_free(sd_parser *p)
{
    if (p)
        ks_buf_free(&p->text);
}

/* ---------------------------------------------------------------- values */

/* Whole-string integer in -100..100. */
static int parse_level(const char *v, int *out)
{
    char *end = NULL;
    if (!*v)
        return -1;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || *end || n < -100 || n > 100)
        return -1;
    *out = (int)n;
    return 0;
}

static int copy_word(char *dst, size_t n, const char *v)
{
    size_t len = strlen(v);
    if (len == 0 || len >= n)
        return -1;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)v[i];
        if (c < 0x20 || c == 0x7f)
            return -1;
    }
    memcpy(dst, v, len + 1);
    return 0;
}

static const char *const voice_types[] = {"male1",  "male2",   "male3",      "female1",
                                          "female2", "female3", "child_male", "child_female"};

int sd_settings_set(sd_settings *s, const char *key, const char *value)
{
    int n;
    if (!strcmp(key, "rate") || !strcmp(key, "pitch") || !strcmp(key, "pitch_range") ||
        !strcmp(key, "volume")) {
        if (parse_level(value, &n) != 0)
            return -1;
        if (!strcmp(key, "rate")) {
            s->rate = n;
            s->changed |= SD_SET_RATE;
        } else if (!strcmp(key, "pitch")) {
            s->pitch = n;
            s->changed |= SD_SET_PITCH;
        } else if (!strcmp(key, "pitch_range")) {
            s->pitch_range = n;
            s->changed |= SD_SET_PITCH_RANGE;
        } else {
            s->volume = n;
            s->changed |= SD_SET_VOLUME;
        }
        return 0;
    }
    if (!strcmp(key, "punctuation_mode")) {
        static const char *const names[] = {"none", "some", "most", "all"};
        for (int i = 0; i < 4; i++)
            if (!strcmp(value, names[i])) {
                s->punctuation_mode = (sd_punct)i;
                s->changed |= SD_SET_PUNCT;
                return 0;
            }
        return -1;
    }
    if (!strcmp(key, "spelling_mode")) {
        if (!strcmp(value, "on"))
            s->spelling_mode = 1;
        else if (!strcmp(value, "off"))
            s->spelling_mode = 0;
        else
            return -1;
        s->changed |= SD_SET_SPELLING;
        return 0;
    }
    if (!strcmp(key, "cap_let_recogn")) {
        static const char *const names[] = {"none", "spell", "icon"};
        for (int i = 0; i < 3; i++)
            if (!strcmp(value, names[i])) {
                s->cap_let_recogn = (sd_caplet)i;
                s->changed |= SD_SET_CAPLET;
                return 0;
            }
        return -1;
    }
    if (!strcmp(key, "voice")) {
        /* Lower case only, as speech-dispatcher's own modules. */
        for (size_t i = 0; i < sizeof voice_types / sizeof voice_types[0]; i++)
            if (!strcmp(value, voice_types[i])) {
                memcpy(s->voice, value, strlen(value) + 1);
                s->changed |= SD_SET_VOICE;
                return 0;
            }
        return -1;
    }
    if (!strcmp(key, "language")) {
        if (!strcmp(value, "NULL")) {
            s->language[0] = '\0';
        } else if (copy_word(s->language, sizeof s->language, value) != 0) {
            return -1;
        }
        s->changed |= SD_SET_LANGUAGE;
        return 0;
    }
    if (!strcmp(key, "synthesis_voice")) {
        if (!strcmp(value, "NULL"))
            s->synthesis_voice[0] = '\0';
        else if (copy_word(s->synthesis_voice, sizeof s->synthesis_voice, value) != 0)
            return -1;
        s->changed |= SD_SET_SYNTH_VOICE;
        return 0;
    }
    return -1;
}

/* ---------------------------------------------------------------- mapping */

static int clampi(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

int sd_map_rate(int value, int base)
{
    value = clampi(value, -100, 100);
    base = clampi(base, KS_RATE_MIN, KS_RATE_MAX);
    if (value <= 0)
        return base + (base - KS_RATE_MIN) * value / 100;
    int top = base * 7 / 2;
    if (top < 600)
        top = 600;
    if (top > KS_RATE_MAX)
        top = KS_RATE_MAX;
    return base + (top - base) * value / 100;
}

int sd_map_pitch(int value, int base)
{
    value = clampi(value, -100, 100);
    base = clampi(base, 0, 100);
    if (value <= 0)
        return base + base * value / 100;
    return base + (100 - base) * value / 100;
}

int sd_map_volume(int value, int base)
{
    value = clampi(value, -100, 100);
    base = clampi(base, 0, 200);
    return clampi(base * (value + 100) / 100, 0, 200);
}

/* ---------------------------------------------------------------- parser */

static void res_clear(sd_result *r)
{
    memset(r, 0, sizeof *r);
}

static void start_block(sd_parser *p, sd_state st, sd_cmd_type cmd)
{
    p->state = st;
    p->block = cmd;
    p->nlines = 0;
    p->too_long = 0;
    p->param_err = NULL;
    ks_buf_reset(&p->text);
}

static int line_is(const char *line, size_t len, const char *word)
{
    size_t n = strlen(word);
    return len == n && memcmp(line, word, n) == 0;
}

static void param_line(sd_parser *p, const char *line, size_t len)
{
    char key[64], value[256];
    const char *eq = memchr(line, '=', len);
    if (!eq || eq == line || eq + 1 == line + len) {
        if (!p->param_err)
            p->param_err = R_BAD_SYNTAX;
        return;
    }
    size_t kl = (size_t)(eq - line), vl = len - kl - 1;
    if (kl >= sizeof key || vl >= sizeof value || memchr(line, '\0', len)) {
        if (!p->param_err)
            p->param_err = R_BAD_PARAM;
        return;
    }
    memcpy(key, line, kl);
    key[kl] = '\0';
    memcpy(value, eq + 1, vl);
    value[vl] = '\0';

    int bad = 0;
    if (p->block == SD_CMD_SET) {
        bad = sd_settings_set(&p->settings, key, value) != 0;
    } else if (p->block == SD_CMD_AUDIO) {
        /* Only the server audio method is supported: the module never opens a device. */
        bad = strcmp(key, "audio_output_method") != 0 || strcmp(value, "server") != 0;
        if (!bad)
            p->audio_server = 1;
    } else if (p->block == SD_CMD_LOGLEVEL) {
        char *end = NULL;
        errno = 0;
        long n = strtol(value, &end, 10);
        bad = strcmp(key, "log_level") != 0 || errno || *end || n < 0 || n > 5;
        if (!bad)
            p->log_level = (int)n;
    }
    if (bad && !p->param_err)
        p->param_err = R_BAD_PARAM;
}

static void end_params(sd_parser *p, sd_result *res)
{
    sd_cmd_type block = p->block;
    p->state = SD_ST_IDLE;
    p->block = SD_CMD_NONE;
    if (p->param_err) {
        /* Lines that were valid stay applied (as speech-dispatcher's modules do). */
        res->reply = p->param_err;
        return;
    }
    res->cmd = block;
    switch (block) {
    case SD_CMD_SET: res->reply = "203 OK SETTINGS RECEIVED"; break;
    case SD_CMD_AUDIO: res->reply = "203 OK AUDIO INITIALIZED"; break;
    case SD_CMD_LOGLEVEL: res->reply = "203 OK LOGLEVEL SET"; break;
    default: res->cmd = SD_CMD_NONE; break;
    }
}

static void end_speak(sd_parser *p, sd_result *res)
{
    sd_cmd_type block = p->block;
    p->state = SD_ST_IDLE;
    p->block = SD_CMD_NONE;
    if (p->too_long == 2) {
        res->reply = R_CANT_SPEAK;
        res->why = "one of its lines was too long and was skipped";
        return;
    }
    if (p->too_long || p->text.failed) {
        res->reply = R_CANT_SPEAK;
        res->why = "message longer than the 4 MiB limit";
        return;
    }
    if (p->text.len == 0) {
        res->reply = R_CANT_SPEAK;
        res->why = "empty message";
        return;
    }
    if (block != SD_CMD_SPEAK && p->nlines > 1) {
        res->reply = R_MULTILINE;
        res->why = "CHAR, KEY and SOUND_ICON take one line";
        return;
    }
    if (block != SD_CMD_SPEAK && p->text.len > SD_MAX_NAME) {
        res->reply = R_CANT_SPEAK;
        res->why = "CHAR, KEY or SOUND_ICON data longer than 256 bytes";
        return;
    }
    if (block == SD_CMD_CHAR && line_is(p->text.data, p->text.len, "space")) {
        ks_buf_reset(&p->text);
        ks_buf_putc(&p->text, ' ');
    }
    res->cmd = block;
    res->text = p->text.data;
    res->text_len = p->text.len;
}

static void speak_line(sd_parser *p, const char *line, size_t len)
{
    if (p->too_long)
        return;
    if (len && line[0] == '.') { /* the server doubles a leading dot */
        line++;
        len--;
    }
    if (p->nlines > 0)
        ks_buf_putc(&p->text, '\n');
    ks_buf_append(&p->text, line, len);
    p->nlines++;
    if (p->text.failed)
        p->too_long = 1;
}

void sd_parser_line_skipped(sd_parser *p, sd_result *res)
{
    res_clear(res);
    if (p->state == SD_ST_SPEAK) {
        p->too_long = 2;
        p->nlines++;
    } else if (p->state == SD_ST_PARAMS) {
        if (!p->param_err)
            p->param_err = R_BAD_PARAM;
    } else {
        res->reply = R_UNKNOWN;
        res->why = "a command line too long to read";
    }
}

static void debug_cmd(sd_parser *p, const char *line, size_t len, sd_result *res)
{
    /* "DEBUG ON <file>" or "DEBUG OFF" (words separated by single or more spaces) */
    const char *w[4];
    size_t wl[4];
    int nw = 0;
    size_t i = 0;
    while (i < len && nw < 4) {
        while (i < len && line[i] == ' ')
            i++;
        if (i >= len)
            break;
        size_t s = i;
        while (i < len && line[i] != ' ')
            i++;
        w[nw] = line + s;
        wl[nw] = i - s;
        nw++;
    }
    if (nw < 2 || wl[0] != 5 || memcmp(w[0], "DEBUG", 5) != 0) {
        res->reply = R_BAD_SYNTAX;
        return;
    }
    if (wl[1] == 3 && memcmp(w[1], "OFF", 3) == 0 && nw == 2) {
        res->cmd = SD_CMD_DEBUG;
        res->debug_on = 0;
        res->reply = "200 OK DEBUGGING OFF";
        return;
    }
    if (wl[1] == 2 && memcmp(w[1], "ON", 2) == 0 && nw == 3) {
        ks_buf_reset(&p->text);
        ks_buf_append(&p->text, w[2], wl[2]);
        if (p->text.failed || memchr(w[2], '\0', wl[2])) {
            res->reply = R_BAD_SYNTAX;
            return;
        }
        res->cmd = SD_CMD_DEBUG;
        res->debug_on = 1;
        res->text = p->text.data;
        res->text_len = p->text.len;
        res->reply = "200 OK DEBUGGING ON";
        return;
    }
    res->reply = R_BAD_SYNTAX;
}

void sd_parser_line(sd_parser *p, const char *line, size_t len, sd_result *res)
{
    res_clear(res);
    if (len && line[len - 1] == '\r')
        len--;

    if (p->state != SD_ST_IDLE) {
        if (line_is(line, len, ".")) {
            if (p->state == SD_ST_PARAMS)
                end_params(p, res);
            else
                end_speak(p, res);
            return;
        }
        if (p->state == SD_ST_PARAMS)
            param_line(p, line, len);
        else
            speak_line(p, line, len);
        return;
    }

    if (line_is(line, len, "SPEAK") || line_is(line, len, "CHAR") || line_is(line, len, "KEY") ||
        line_is(line, len, "SOUND_ICON")) {
        sd_cmd_type t = line[0] == 'S' ? (line[1] == 'P' ? SD_CMD_SPEAK : SD_CMD_SOUND_ICON)
                                       : line[0] == 'C' ? SD_CMD_CHAR : SD_CMD_KEY;
        start_block(p, SD_ST_SPEAK, t);
        res->reply = "202 OK RECEIVING MESSAGE";
    } else if (line_is(line, len, "SET")) {
        start_block(p, SD_ST_PARAMS, SD_CMD_SET);
        res->reply = "203 OK RECEIVING SETTINGS";
    } else if (line_is(line, len, "AUDIO")) {
        start_block(p, SD_ST_PARAMS, SD_CMD_AUDIO);
        res->reply = "207 OK RECEIVING AUDIO SETTINGS";
    } else if (line_is(line, len, "LOGLEVEL")) {
        start_block(p, SD_ST_PARAMS, SD_CMD_LOGLEVEL);
        res->reply = "207 OK RECEIVING LOGLEVEL SETTINGS";
    } else if (line_is(line, len, "STOP")) {
        res->cmd = SD_CMD_STOP;
    } else if (line_is(line, len, "PAUSE")) {
        res->cmd = SD_CMD_PAUSE;
    } else if (line_is(line, len, "LIST VOICES")) {
        res->cmd = SD_CMD_LIST_VOICES;
    } else if (line_is(line, len, "INIT")) {
        res->cmd = SD_CMD_INIT;
    } else if (line_is(line, len, "QUIT")) {
        res->cmd = SD_CMD_QUIT;
        res->reply = "210 OK QUIT";
    } else if (len >= 5 && memcmp(line, "DEBUG", 5) == 0 && (len == 5 || line[5] == ' ')) {
        debug_cmd(p, line, len, res);
    } else {
        res->reply = R_UNKNOWN;
    }
}

/* ---------------------------------------------------------------- queue */

void sd_queue_init(sd_queue *q)
{
    memset(q, 0, sizeof *q);
}

int sd_queue_push(sd_queue *q, sd_cmd_type type, const char *text, size_t len, const sd_settings *s,
                  char *why, size_t why_len)
{
    if (q->count >= SD_QUEUE_MAX) {
        snprintf(why, why_len, "%d messages are already waiting", SD_QUEUE_MAX);
        return -1;
    }
    if (len > SD_QUEUE_BYTES - q->bytes) {
        snprintf(why, why_len, "the waiting messages would exceed %zu bytes (%zu queued, this one %zu)",
                 SD_QUEUE_BYTES, q->bytes, len);
        return -1;
    }
    char *copy = malloc(len + 1);
    if (!copy) {
        snprintf(why, why_len, "out of memory for a message of %zu bytes", len);
        return -1;
    }
    if (len)
        memcpy(copy, text, len);
    copy[len] = '\0';
    sd_message *m = &q->item[(q->head + q->count) % SD_QUEUE_MAX];
    m->type = type;
    m->text = copy;
    m->len = len;
    m->settings = *s;
    q->count++;
    q->bytes += len;
    return 0;
}

int sd_queue_pop(sd_queue *q, sd_message *m)
{
    if (q->count == 0)
        return 0;
    *m = q->item[q->head];
    memset(&q->item[q->head], 0, sizeof q->item[q->head]);
    q->head = (q->head + 1) % SD_QUEUE_MAX;
    q->count--;
    q->bytes -= m->len;
    return 1;
}

size_t sd_queue_clear(sd_queue *q)
{
    size_t n = q->count;
    sd_message m;
    while (sd_queue_pop(q, &m))
        free(m.text);
    q->head = 0;
    return n;
}

/* ---------------------------------------------------------------- audio */

int sd_audio_block(ks_buf *out, const int16_t *pcm, size_t frames, int rate)
{
    char head[160];
    if (frames * 2 > SD_MAX_AUDIO_CHUNK)
        return -1;
    int n = snprintf(head, sizeof head,
                     "705-bits=16\n705-num_channels=1\n705-sample_rate=%d\n705-num_samples=%zu\n"
                     "705-big_endian=0\n705-AUDIO",
                     rate, frames);
    if (n < 0 || (size_t)n >= sizeof head)
        return -1;
    ks_buf_append(out, head, (size_t)n);
    ks_buf_putc(out, '\0');
    /* Little-endian bytes, HDLC-escaped: '\n' and 0x7D become 0x7D, byte ^ 0x20. */
    char tmp[2 * 2 * 256];
    size_t t = 0;
    for (size_t i = 0; i < frames; i++) {
        uint16_t v = (uint16_t)pcm[i];
        unsigned char b[2] = {(unsigned char)(v & 0xff), (unsigned char)(v >> 8)};
        for (int k = 0; k < 2; k++) {
            if (b[k] == '\n' || b[k] == 0x7d) {
                tmp[t++] = 0x7d;
                tmp[t++] = (char)(b[k] ^ 0x20);
            } else {
                tmp[t++] = (char)b[k];
            }
        }
        if (t > sizeof tmp - 4) {
            ks_buf_append(out, tmp, t);
            t = 0;
        }
    }
    ks_buf_append(out, tmp, t);
    ks_buf_puts(out, "\n705 AUDIO\n");
    return out->failed ? -1 : 0;
}

long sd_audio_unescape(const char *in, size_t len, unsigned char *out, size_t out_len)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)in[i];
        if (c == '\n')
            return -1;
        if (c == 0x7d) {
            if (++i >= len)
                return -1;
            c = (unsigned char)(in[i] ^ 0x20);
        }
        if (o >= out_len)
            return -1;
        out[o++] = c;
    }
    return (long)o;
}
