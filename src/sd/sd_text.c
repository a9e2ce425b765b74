/* sd_text.c - text preparation for sd_kazspeak: SSML text nodes through the
 * normalizer, Kazakh names for punctuation, letters and keys. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "sd_text.h"

static ks_status too_large(ks_error *err)
{
    if (err)
        snprintf(err->msg, sizeof err->msg, "message too large");
    return KS_ENOMEM;
}

/* ---------------------------------------------------------------- tables */

typedef struct cp_name {
    int32_t cp;
    const char *name;
} cp_name;

/* Names for spelling other than the Kazakh letters (those come from
 * ks_letter_name() in the public header, shared with the normalizer). */
static const cp_name letter_names[] = {
    /* Latin letters, as Kazakh speakers name them */
    {'a', "эй"},  {'b', "би"},  {'c', "си"},   {'d', "ди"},   {'e', "и"},     {'f', "эф"},
    {'g', "джи"}, {'h', "эйч"}, {'i', "ай"},   {'j', "джей"}, {'k', "кей"},   {'l', "эл"},
    {'m', "эм"},  {'n', "эн"},  {'o', "оу"},   {'p', "пи"},   {'q', "кью"},   {'r', "ар"},
    {'s', "эс"},  {'t', "ти"},  {'u', "ю"},    {'v', "ви"},   {'w', "дабл ю"}, {'x', "экс"},
    {'y', "уай"}, {'z', "зэд"},
    /* digits */
    {'0', "нөл"}, {'1', "бір"}, {'2', "екі"}, {'3', "үш"},    {'4', "төрт"},
    {'5', "бес"}, {'6', "алты"}, {'7', "жеті"}, {'8', "сегіз"}, {'9', "тоғыз"},
    {' ', "бос орын"}, {'\t', "табуляция"}, {'\n', "жаңа жол"}, {0x00A0, "бос орын"},
};

typedef struct punct_name {
    int32_t cp;
    sd_punct level; /* lowest punctuation mode that speaks it */
    int keep;       /* keep the mark itself after the name (for the intonation) */
    const char *name;
} punct_name;

static const punct_name punct_names[] = {
    {'@', SD_PUNCT_SOME, 0, "айқұлақ"},
    {'#', SD_PUNCT_SOME, 0, "торкөз"},
    {'$', SD_PUNCT_SOME, 0, "доллар"},
    {'%', SD_PUNCT_SOME, 0, "пайыз"},
    {'^', SD_PUNCT_SOME, 0, "қақпақша"},
    {'&', SD_PUNCT_SOME, 0, "амперсанд"},
    {'*', SD_PUNCT_SOME, 0, "жұлдызша"},
    {'+', SD_PUNCT_SOME, 0, "қосу"},
    {'=', SD_PUNCT_SOME, 0, "тең"},
    {'|', SD_PUNCT_SOME, 0, "тік сызық"},
    {'\\', SD_PUNCT_SOME, 0, "кері көлбеу сызық"},
    {'/', SD_PUNCT_SOME, 0, "көлбеу сызық"},
    {'<', SD_PUNCT_SOME, 0, "кіші"},
    {'>', SD_PUNCT_SOME, 0, "үлкен"},
    {'_', SD_PUNCT_SOME, 0, "астын сызу"},
    {'~', SD_PUNCT_SOME, 0, "тильда"},
    {'`', SD_PUNCT_SOME, 0, "кері апостроф"},
    {'[', SD_PUNCT_SOME, 0, "квадрат жақша ашылады"},
    {']', SD_PUNCT_SOME, 0, "квадрат жақша жабылады"},
    {'{', SD_PUNCT_SOME, 0, "фигуралы жақша ашылады"},
    {'}', SD_PUNCT_SOME, 0, "фигуралы жақша жабылады"},
    {0x2116, SD_PUNCT_SOME, 0, "нөмір белгісі"},
    {0x00A7, SD_PUNCT_SOME, 0, "параграф"},
    {0x00A9, SD_PUNCT_SOME, 0, "авторлық құқық белгісі"},
    {0x20B8, SD_PUNCT_SOME, 0, "теңге"},
    {0x20AC, SD_PUNCT_SOME, 0, "еуро"},
    {0x20BD, SD_PUNCT_SOME, 0, "рубль"},
    {'(', SD_PUNCT_MOST, 0, "жақша ашылады"},
    {')', SD_PUNCT_MOST, 0, "жақша жабылады"},
    {'"', SD_PUNCT_MOST, 0, "тырнақша"},
    {0x00AB, SD_PUNCT_MOST, 0, "тырнақша ашылады"},
    {0x00BB, SD_PUNCT_MOST, 0, "тырнақша жабылады"},
    {0x201C, SD_PUNCT_MOST, 0, "тырнақша ашылады"},
    {0x201D, SD_PUNCT_MOST, 0, "тырнақша жабылады"},
    {0x201E, SD_PUNCT_MOST, 0, "тырнақша ашылады"},
    {'\'', SD_PUNCT_MOST, 0, "апостроф"},
    {0x2019, SD_PUNCT_MOST, 0, "апостроф"},
    {'-', SD_PUNCT_MOST, 0, "сызықша"},
    {0x2013, SD_PUNCT_MOST, 0, "қысқа сызықша"},
    {0x2014, SD_PUNCT_MOST, 0, "тире"},
    {':', SD_PUNCT_MOST, 1, "қос нүкте"},
    {';', SD_PUNCT_MOST, 1, "нүктелі үтір"},
    {0x2026, SD_PUNCT_MOST, 1, "көп нүкте"},
    {'.', SD_PUNCT_ALL, 1, "нүкте"},
    {',', SD_PUNCT_ALL, 1, "үтір"},
    {'!', SD_PUNCT_ALL, 1, "леп белгісі"},
    {'?', SD_PUNCT_ALL, 1, "сұрақ белгісі"},
};

typedef struct key_name {
    const char *key;
    const char *name;
} key_name;

/* speech-dispatcher's key names (SSIP KEY), in Kazakh. */
static const key_name key_names[] = {
    {"space", "бос орын"},        {"underscore", "астын сызу"}, {"double-quote", "қос тырнақша"},
    {"alt", "альт"},              {"control", "контрол"},       {"hyper", "гипер"},
    {"meta", "мета"},             {"shift", "шифт"},            {"super", "супер"},
    {"backspace", "бэкспейс"},    {"break", "брейк"},           {"delete", "делит"},
    {"down", "төмен"},            {"end", "энд"},               {"enter", "энтер"},
    {"escape", "эскейп"},         {"home", "хоум"},             {"insert", "инсерт"},
    {"left", "солға"},            {"menu", "мәзір"},            {"next", "келесі бет"},
    {"num-lock", "нам лок"},      {"pause", "пауза"},           {"print", "принт скрин"},
    {"prior", "алдыңғы бет"},     {"return", "энтер"},          {"right", "оңға"},
    {"scroll-lock", "скролл лок"}, {"tab", "таб"},              {"up", "жоғары"},
    {"window", "виндоус"},        {"caps-lock", "капс лок"},    {"kp-enter", "сандық тақта энтер"},
    {"kp-*", "сандық тақта жұлдызша"}, {"kp-+", "сандық тақта қосу"}, {"kp--", "сандық тақта минус"},
    {"kp-.", "сандық тақта нүкте"},    {"kp-/", "сандық тақта көлбеу сызық"},
};

/* ---------------------------------------------------------------- helpers */

void sd_xml_escape(ks_buf *out, const char *s, size_t len)
{
    size_t start = 0;
    for (size_t i = 0; i < len; i++) {
        const char *rep = NULL;
        switch (s[i]) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        default: break;
        }
        if (rep) {
            ks_buf_append(out, s + start, i - start);
            ks_buf_puts(out, rep);
            start = i + 1;
        }
    }
    ks_buf_append(out, s + start, len - start);
}

static void put_cp(ks_buf *out, int32_t cp)
{
    utf8proc_uint8_t b[4];
    utf8proc_ssize_t n = utf8proc_encode_char(cp, b);
    if (n > 0)
        ks_buf_append(out, (const char *)b, (size_t)n);
}

/* Decode one code point at s[0..len); invalid bytes decode as -1 with length 1. */
static size_t next_cp(const char *s, size_t len, int32_t *cp)
{
    utf8proc_int32_t c = -1;
    utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)s,
                                          len > 4 ? 4 : (utf8proc_ssize_t)len, &c);
    if (n <= 0) {
        *cp = -1;
        return 1;
    }
    *cp = c;
    return (size_t)n;
}

static const char *letter_name(int32_t cp)
{
    const char *kk = cp >= 0 ? ks_letter_name((uint32_t)cp) : NULL;
    if (kk)
        return kk;
    for (size_t i = 0; i < sizeof letter_names / sizeof letter_names[0]; i++)
        if (letter_names[i].cp == cp)
            return letter_names[i].name;
    return NULL;
}

static const punct_name *punct_find(int32_t cp)
{
    for (size_t i = 0; i < sizeof punct_names / sizeof punct_names[0]; i++)
        if (punct_names[i].cp == cp)
            return &punct_names[i];
    return NULL;
}

const char *sd_punct_name(int32_t cp, sd_punct *level)
{
    const punct_name *p = punct_find(cp);
    if (!p)
        return NULL;
    if (level)
        *level = p->level;
    return p->name;
}

static int is_upper(int32_t cp)
{
    return cp >= 0 && utf8proc_tolower(cp) != cp;
}

/* Name of one character for spelling: letter, digit or symbol; NULL if none. */
static const char *char_name(int32_t cp)
{
    if (cp < 0)
        return NULL;
    const char *n = letter_name(utf8proc_tolower(cp));
    if (n)
        return n;
    const punct_name *p = punct_find(cp);
    return p ? p->name : NULL;
}

/* ---------------------------------------------------------------- CHAR / KEY */

static void spell_one(ks_buf *out, int32_t cp, const char *raw, size_t rawlen, sd_caplet caplet)
{
    if (caplet != SD_CAPLET_NONE && is_upper(cp))
        ks_buf_puts(out, "бас әріп ");
    const char *n = char_name(cp);
    if (n)
        ks_buf_puts(out, n);
    else
        ks_buf_append(out, raw, rawlen);
}

void sd_char_text(const char *utf8, size_t len, sd_caplet caplet, ks_buf *out)
{
    size_t i = 0;
    int first = 1;
    while (i < len) {
        int32_t cp;
        size_t n = next_cp(utf8 + i, len - i, &cp);
        if (!first)
            ks_buf_putc(out, ' ');
        spell_one(out, cp, utf8 + i, n, caplet);
        first = 0;
        i += n;
    }
}

static int key_eq(const char *a, size_t alen, const char *b)
{
    return strlen(b) == alen && memcmp(a, b, alen) == 0;
}

static void key_part(const char *k, size_t len, ks_buf *out)
{
    for (size_t i = 0; i < sizeof key_names / sizeof key_names[0]; i++)
        if (key_eq(k, len, key_names[i].key)) {
            ks_buf_puts(out, key_names[i].name);
            return;
        }
    if (len >= 4 && memcmp(k, "kp-", 3) == 0) { /* kp-0 .. kp-9 */
        ks_buf_puts(out, "сандық тақта ");
        sd_char_text(k + 3, len - 3, SD_CAPLET_NONE, out);
        return;
    }
    if (len >= 2 && len <= 3 && (k[0] == 'f' || k[0] == 'F') && k[1] >= '0' && k[1] <= '9' &&
        (len == 2 || (k[2] >= '0' && k[2] <= '9'))) {
        ks_buf_puts(out, "эф ");
        ks_buf_append(out, k + 1, len - 1);
        return;
    }
    /* One character: its name; anything else as it is. */
    int32_t cp;
    size_t n = next_cp(k, len, &cp);
    if (n == len) {
        spell_one(out, cp, k, len, SD_CAPLET_NONE);
        return;
    }
    ks_buf_append(out, k, len);
}

#define SD_KEY_PARTS 8 /* "control_alt_shift_super_hyper_meta_x" has 7 */

void sd_key_text(const char *key, size_t len, ks_buf *out)
{
    /* Combinations are joined with '_' ("control_alt_delete"); a lone "_" is a key.
     * A name is at most SD_MAX_NAME bytes and SD_KEY_PARTS parts (more is left out):
     * each part can be spelled, and an unbounded name would be hours of speech. */
    size_t i = 0;
    int first = 1, parts = 0;
    if (len > SD_MAX_NAME) {
        len = SD_MAX_NAME;
        while (len > 0 && ((unsigned char)key[len] & 0xC0) == 0x80)
            len--;
    }
    if (len == 1) {
        key_part(key, len, out);
        return;
    }
    while (i <= len && parts < SD_KEY_PARTS) {
        size_t s = i;
        while (i < len && key[i] != '_')
            i++;
        if (i > s) {
            if (!first)
                ks_buf_putc(out, ' ');
            key_part(key + s, i - s, out);
            first = 0;
            parts++;
        }
        i++;
    }
}

/* ---------------------------------------------------------------- SSML */

static int is_digit_cp(int32_t cp)
{
    return cp >= '0' && cp <= '9';
}

static int is_alnum_cp(int32_t cp)
{
    if (cp < 0)
        return 0;
    utf8proc_category_t c = utf8proc_category(cp);
    return (c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO) || c == UTF8PROC_CATEGORY_ND;
}

/* The code point before s[i] / at the start of s, skipping spaces (-1 if none). */
static int32_t prev_solid(const char *s, size_t i)
{
    while (i > 0 && (s[i - 1] == ' ' || s[i - 1] == '\t'))
        i--;
    if (i == 0)
        return -1;
    size_t k = i - 1;
    while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
        k--;
    int32_t cp;
    next_cp(s + k, i - k, &cp);
    return cp;
}

static int32_t next_solid(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len && (s[i] == ' ' || s[i] == '\t'))
        i++;
    if (i == len)
        return -1;
    int32_t cp;
    next_cp(s + i, len - i, &cp);
    return cp;
}

/* Name the punctuation the mode covers; keep marks the normalizer reads inside
 * numbers (3.5, 12:30, 1/2, 2020-2021) and, below "all", inside words (қарым-қатынас). */
static void name_punct(const sd_text_opts *o, const char *s, size_t len, ks_buf *out)
{
    int32_t prev = -1;
    size_t i = 0;
    while (i < len) {
        int32_t cp;
        size_t n = next_cp(s + i, len - i, &cp);
        const punct_name *p = o->punct != SD_PUNCT_NONE ? punct_find(cp) : NULL;
        if (p && p->level <= o->punct) {
            int32_t next = -1;
            if (i + n < len)
                next_cp(s + i + n, len - i - n, &next);
            int inner = cp == '.' || cp == ',' || cp == ':' || cp == '/' || cp == '-' || cp == 0x2013;
            int money = cp == '%' || cp == '$' || cp == 0x20AC || cp == 0x20B8 || cp == 0x20BD || cp == 0x2116;
            if (inner && is_digit_cp(prev) && is_digit_cp(next))
                p = NULL;
            else if (money && (is_digit_cp(prev_solid(s, i)) || is_digit_cp(next_solid(s + i + n, len - i - n))))
                p = NULL; /* 25%, $5, 5 ₸, №5: the normalizer reads these */
            else if ((cp == '-' || cp == '\'' || cp == 0x2019 || cp == '.') && o->punct < SD_PUNCT_ALL &&
                     is_alnum_cp(prev) && is_alnum_cp(next))
                p = NULL;
        } else {
            p = NULL;
        }
        if (p) {
            ks_buf_putc(out, ' ');
            ks_buf_puts(out, p->name);
            if (p->keep)
                ks_buf_append(out, s + i, n);
            ks_buf_putc(out, ' ');
        } else {
            ks_buf_append(out, s + i, n);
        }
        prev = cp;
        i += n;
    }
}

static void spell_text(const sd_text_opts *o, const char *s, size_t len, ks_buf *out)
{
    size_t i = 0;
    int first = 1;
    while (i < len) {
        int32_t cp;
        size_t n = next_cp(s + i, len - i, &cp);
        if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r') {
            i += n;
            continue;
        }
        if (!first)
            ks_buf_puts(out, ", ");
        spell_one(out, cp, s + i, n, o->caplet);
        first = 0;
        i += n;
    }
    if (!first)
        ks_buf_putc(out, ' ');
}

static int is_space_byte(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Normalize (sentence by sentence) and append XML-escaped; the node's leading
 * and trailing white space is kept so words never run into a neighbouring tag. */
static ks_status emit_text(const sd_text_opts *o, const char *s, size_t len, ks_buf *out, ks_error *err)
{
    size_t a = 0, b = len;
    while (a < b && is_space_byte(s[a]))
        a++;
    while (b > a && is_space_byte(s[b - 1]))
        b--;
    ks_buf_append(out, s, a);
    if (!o->norm) {
        sd_xml_escape(out, s + a, b - a);
        ks_buf_append(out, s + b, len - b);
        return KS_OK;
    }
    ks_buf tmp;
    ks_buf_init(&tmp, 0);
    size_t pos = a;
    ks_status st = KS_OK;
    while (pos < b) {
        size_t n = ks_sentence_split(s + pos, b - pos, 1, 8192);
        if (n == 0 || n > b - pos)
            n = b - pos;
        ks_buf_reset(&tmp);
        st = ks_normalize(o->norm, s + pos, n, &tmp, NULL, err);
        if (st != KS_OK)
            break;
        size_t tl = tmp.len;
        while (tl > 0 && is_space_byte(tmp.data[tl - 1]))
            tl--;
        if (tl) {
            sd_xml_escape(out, tmp.data, tl);
            if (pos + n < b) /* keep sentences apart */
                ks_buf_putc(out, ' ');
        }
        pos += n;
    }
    ks_buf_free(&tmp);
    ks_buf_append(out, s + b, len - b);
    return st;
}

/* Decode XML entities of a text node into out. */
static void xml_unescape(const char *s, size_t len, ks_buf *out)
{
    static const struct {
        const char *ent;
        char c;
    } ents[] = {{"amp;", '&'}, {"lt;", '<'}, {"gt;", '>'}, {"quot;", '"'}, {"apos;", '\''}};
    size_t i = 0;
    while (i < len) {
        if (s[i] != '&') {
            size_t j = i;
            while (j < len && s[j] != '&')
                j++;
            ks_buf_append(out, s + i, j - i);
            i = j;
            continue;
        }
        int done = 0;
        for (size_t k = 0; k < sizeof ents / sizeof ents[0] && !done; k++) {
            size_t el = strlen(ents[k].ent);
            if (len - i - 1 >= el && memcmp(s + i + 1, ents[k].ent, el) == 0) {
                ks_buf_putc(out, ents[k].c);
                i += 1 + el;
                done = 1;
            }
        }
        if (!done && i + 2 < len && s[i + 1] == '#') {
            size_t j = i + 2;
            int hex = 0;
            if (s[j] == 'x' || s[j] == 'X') {
                hex = 1;
                j++;
            }
            long v = 0;
            size_t d0 = j;
            while (j < len && j - d0 < 8) {
                char c = s[j];
                int dv = c >= '0' && c <= '9' ? c - '0'
                         : hex && c >= 'a' && c <= 'f' ? c - 'a' + 10
                         : hex && c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                       : -1;
                if (dv < 0)
                    break;
                v = v * (hex ? 16 : 10) + dv;
                j++;
            }
            if (j > d0 && j < len && s[j] == ';' && v > 0 && v <= 0x10FFFF &&
                utf8proc_codepoint_valid((utf8proc_int32_t)v)) {
                put_cp(out, (int32_t)v);
                i = j + 1;
                done = 1;
            }
        }
        if (!done) {
            ks_buf_putc(out, '&');
            i++;
        }
    }
}

/* End of a tag starting at s[0] == '<': index after '>', or 0 if unterminated. */
static size_t tag_end(const char *s, size_t len)
{
    char quote = 0;
    if (len >= 4 && memcmp(s, "<!--", 4) == 0) {
        for (size_t i = 4; i + 2 < len; i++)
            if (s[i] == '-' && s[i + 1] == '-' && s[i + 2] == '>')
                return i + 3;
        return 0;
    }
    for (size_t i = 1; i < len; i++) {
        if (s[i] == '<') {
            return 0; /* never inside a tag, not even quoted: keeps the scan linear */
        } else if (quote) {
            if (s[i] == quote)
                quote = 0;
        } else if (s[i] == '"' || s[i] == '\'') {
            quote = s[i];
        } else if (s[i] == '>') {
            return i + 1;
        }
    }
    return 0;
}

static int is_tag_start(const char *s, size_t len)
{
    if (len < 2)
        return 0;
    unsigned char c = (unsigned char)s[1];
    return c == '/' || c == '!' || c == '?' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* eSpeak NG 1.51 drops a <mark> that directly follows a full stop when more
 * text comes after it ("Бір.<mark/> Екі." reports nothing; "Бір!<mark/>" is
 * fine).  Such a mark is put just before the full stop(s) instead, so it is
 * reported at the end of the sentence's last word. */
static void put_mark(ks_buf *out, const char *tag, size_t tl)
{
    size_t e = out->len;
    while (e > 0 && is_space_byte(out->data[e - 1]))
        e--;
    if (e == 0 || out->data[e - 1] != '.') {
        ks_buf_append(out, tag, tl);
        return;
    }
    size_t d = e - 1;
    while (d > 0 && out->data[d - 1] == '.')
        d--;
    size_t old = out->len;
    if (ks_buf_append(out, tag, tl) != 0)
        return;
    memmove(out->data + d + tl, out->data + d, old - d);
    memcpy(out->data + d, tag, tl);
}

/* Length of the name="..." value of a <mark ...> tag; SIZE_MAX when it has none
 * (eSpeak NG then decides). */
static size_t mark_name_len(const char *tag, size_t tl)
{
    for (size_t i = 5; i + 6 < tl; i++) {
        if ((tag[i - 1] == ' ' || tag[i - 1] == '\t') && memcmp(tag + i, "name", 4) == 0) {
            size_t k = i + 4;
            while (k < tl && (tag[k] == ' ' || tag[k] == '\t'))
                k++;
            if (k >= tl || tag[k] != '=')
                continue;
            k++;
            while (k < tl && (tag[k] == ' ' || tag[k] == '\t'))
                k++;
            if (k >= tl || (tag[k] != '"' && tag[k] != '\''))
                return SIZE_MAX;
            const char *q = memchr(tag + k + 1, tag[k], tl - k - 1);
            return q ? (size_t)(q - (tag + k + 1)) : SIZE_MAX;
        }
    }
    return SIZE_MAX;
}

ks_status sd_ssml_prepare(const sd_text_opts *o, const char *ssml, size_t len, ks_buf *out, ks_error *err)
{
    ks_buf raw, named;
    ks_buf_init(&raw, 0);
    ks_buf_init(&named, 0);
    ks_status st = KS_OK;
    size_t i = 0;
    while (i < len) {
        /* a text node: up to the next real tag */
        size_t j = i;
        size_t tl = 0;
        while (j < len) {
            if (ssml[j] == '<' && is_tag_start(ssml + j, len - j) && (tl = tag_end(ssml + j, len - j)) > 0)
                break;
            j++;
        }
        if (j > i) {
            ks_buf_reset(&raw);
            ks_buf_reset(&named);
            xml_unescape(ssml + i, j - i, &raw);
            if (raw.failed) {
                st = too_large(err);
                break;
            }
            const char *t = raw.data ? raw.data : "";
            if (o->spelling)
                spell_text(o, t, raw.len, &named);
            else
                name_punct(o, t, raw.len, &named);
            st = emit_text(o, named.data ? named.data : "", named.len, out, err);
            if (st != KS_OK)
                break;
        }
        if (j < len) {
            /* tags pass through as they are (marks, speak, prosody ...) */
            if (tl > 6 && memcmp(ssml + j, "<mark", 5) == 0 && (ssml[j + 5] == ' ' || ssml[j + 5] == '\t')) {
                size_t nl = mark_name_len(ssml + j, tl);
                if (nl == SIZE_MAX || nl <= SD_MAX_MARK_NAME)
                    put_mark(out, ssml + j, tl);
                else if (o->marks_dropped)
                    (*o->marks_dropped)++;
            } else
                ks_buf_append(out, ssml + j, tl);
            j += tl;
        }
        i = j;
    }
    ks_buf_free(&raw);
    ks_buf_free(&named);
    if (st == KS_OK && out->failed)
        st = too_large(err);
    return st;
}

