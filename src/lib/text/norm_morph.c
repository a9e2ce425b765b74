/* norm_morph.c - Kazakh suffix inventory, vowel harmony and allomorph choice. */
#include <string.h>

#include "norm_morph.h"
#include "utf8.h"

/* ---------------------------------------------------------------- inventory
 * slot order: collective < plural < adjectival/approx < possessive < case < loc-adj */
typedef struct morph_def {
    const char *w;
    unsigned char cat, slot;
} morph_def;

static const morph_def MORPHS[] = {
    {"еу", MC_COLL, 0},      {"ау", MC_COLL, 0},
    {"лар", MC_PL, 1},       {"лер", MC_PL, 1},       {"дар", MC_PL, 1},       {"дер", MC_PL, 1},
    {"тар", MC_PL, 1},       {"тер", MC_PL, 1},
    {"лық", MC_ADJ, 2},      {"лік", MC_ADJ, 2},      {"дық", MC_ADJ, 2},      {"дік", MC_ADJ, 2},
    {"тық", MC_ADJ, 2},      {"тік", MC_ADJ, 2},      {"лығ", MC_ADJ, 2},      {"ліг", MC_ADJ, 2},
    {"дығ", MC_ADJ, 2},      {"діг", MC_ADJ, 2},      {"тығ", MC_ADJ, 2},      {"тіг", MC_ADJ, 2},
    {"лаған", MC_ADJ, 2},    {"леген", MC_ADJ, 2},    {"даған", MC_ADJ, 2},    {"деген", MC_ADJ, 2},
    {"таған", MC_ADJ, 2},    {"теген", MC_ADJ, 2},
    {"дай", MC_APPROX, 2},   {"дей", MC_APPROX, 2},   {"тай", MC_APPROX, 2},   {"тей", MC_APPROX, 2},
    {"ы", MC_POSS, 3},       {"і", MC_POSS, 3},       {"сы", MC_POSS, 3},      {"сі", MC_POSS, 3},
    {"ға", MC_DAT, 4},       {"ге", MC_DAT, 4},       {"қа", MC_DAT, 4},       {"ке", MC_DAT, 4},
    {"а", MC_DAT, 4},        {"е", MC_DAT, 4},        {"на", MC_DAT, 4},       {"не", MC_DAT, 4},
    {"да", MC_LOC, 4},       {"де", MC_LOC, 4},       {"та", MC_LOC, 4},       {"те", MC_LOC, 4},
    {"нда", MC_LOC, 4},      {"нде", MC_LOC, 4},
    {"дан", MC_ABL, 4},      {"ден", MC_ABL, 4},      {"тан", MC_ABL, 4},      {"тен", MC_ABL, 4},
    {"нан", MC_ABL, 4},      {"нен", MC_ABL, 4},
    {"ның", MC_GEN, 4},      {"нің", MC_GEN, 4},      {"дың", MC_GEN, 4},      {"дің", MC_GEN, 4},
    {"тың", MC_GEN, 4},      {"тің", MC_GEN, 4},
    {"ны", MC_ACC, 4},       {"ні", MC_ACC, 4},       {"ды", MC_ACC, 4},       {"ді", MC_ACC, 4},
    {"ты", MC_ACC, 4},       {"ті", MC_ACC, 4},       {"н", MC_ACC, 4},
    {"мен", MC_INS, 4},      {"бен", MC_INS, 4},      {"пен", MC_INS, 4},
    {"ғы", MC_LOCADJ, 5},    {"гі", MC_LOCADJ, 5},
};
#define NMORPHS (sizeof MORPHS / sizeof MORPHS[0])

/* Depth-first search with a fixed bound: at most MORPH_MAX morphemes, slots strictly
 * increasing, so the search tree is tiny; strings longer than 48 bytes are rejected. */
static int parse_from(const char *s, size_t n, size_t pos, int slot, int prev_cat, morph_seq *m)
{
    if (pos == n)
        return 1;
    if (m->n >= MORPH_MAX)
        return 0;
    for (size_t i = 0; i < NMORPHS; i++) {
        const morph_def *d = &MORPHS[i];
        if ((int)d->slot <= slot)
            continue;
        if (d->cat == MC_LOCADJ && prev_cat != MC_LOC)
            continue;
        size_t l = strlen(d->w);
        if (l > n - pos || memcmp(s + pos, d->w, l) != 0)
            continue;
        /* accusative bare н only after a possessive; voiced дығ only before a vowel suffix */
        if (d->cat == MC_ACC && l == 1 && prev_cat != MC_POSS)
            continue;
        if (d->cat == MC_ADJ && l == strlen("дығ") &&
            (memcmp(d->w + 4, "ғ", 2) == 0 || memcmp(d->w + 4, "г", 2) == 0) &&
            !(pos + l < n && (memcmp(s + pos + l, "ы", 2) == 0 || memcmp(s + pos + l, "і", 2) == 0)))
            continue;
        m->cat[m->n] = d->cat;
        m->len[m->n] = (unsigned char)l;
        m->n++;
        if (parse_from(s, n, pos + l, d->slot, d->cat, m))
            return 1;
        m->n--;
    }
    return 0;
}

int morph_parse(const char *s, size_t n, morph_seq *m)
{
    m->n = 0;
    if (n == 0 || n > 48)
        return 0;
    return parse_from(s, n, 0, -1, 0, m);
}

int morph_ordinal_ending(const char *s, size_t n, size_t *ord_len)
{
    static const char *const ENDS[] = {"сыншы", "ыншы", "інші", "ншы", "нші", "шы", "ші"};
    for (size_t i = 0; i < sizeof ENDS / sizeof ENDS[0]; i++) {
        size_t l = strlen(ENDS[i]);
        if (l <= n && memcmp(s, ENDS[i], l) == 0) {
            morph_seq m;
            if (l == n || morph_parse(s + l, n - l, &m)) {
                *ord_len = l;
                return 1;
            }
        }
    }
    return 0;
}

/* ---------------------------------------------------------------- sounds */
enum { S_VOWEL, S_RJU, S_L, S_MNN, S_ZJ, S_VL };

static uint32_t last_cp(const char *s, size_t n, size_t *start)
{
    uint32_t cp = 0;
    if (n == 0) {
        *start = 0;
        return 0;
    }
    size_t st = utf8_last_start(s, n);
    utf8_decode(s + st, n - st, &cp);
    *start = st;
    return cp_tolower(cp);
}

static int sound_class(uint32_t c)
{
    switch (c) {
    case 0x0443: /* у */
    case 0x0438: /* и */
    case 0x0440: /* р */
    case 0x0439: /* й */
        return S_RJU;
    case 0x043B: /* л */
        return S_L;
    case 0x043C: /* м */
    case 0x043D: /* н */
    case 0x04A3: /* ң */
        return S_MNN;
    case 0x0437: /* з */
    case 0x0436: /* ж */
        return S_ZJ;
    default:
        break;
    }
    if (cp_is_cyr_vowel(c))
        return S_VOWEL;
    if (c < 0x80 && strchr("aeiouy", (int)c) && c)
        return S_VOWEL;
    if (c < 0x80 && strchr("rlmnzj", (int)c) && c)
        return c == 'r' ? S_RJU : c == 'l' ? S_L : (c == 'z' || c == 'j') ? S_ZJ : S_MNN;
    return S_VL;
}

/* 1 = front (жіңішке), 0 = back (жуан): the last harmonic vowel decides */
static int is_front(const char *s, size_t n)
{
    size_t i = n;
    while (i > 0) {
        size_t st = utf8_last_start(s, i);
        uint32_t c;
        utf8_decode(s + st, i - st, &c);
        c = cp_tolower(c);
        switch (c) {
        case 0x0430: case 0x043E: case 0x04B1: case 0x044B: case 0x044F: case 0x0451: /* а о ұ ы я ё */
        case 'a': case 'o': case 'u':
            return 0;
        case 0x04D9: case 0x0435: case 0x04E9: case 0x04AF: case 0x0456: case 0x044D: /* ә е ө ү і э */
        case 'e': case 'i':
            return 1;
        default:
            break;
        }
        if (c == ' ')
            break;
        i = st;
    }
    return 0;
}

static void set_last(ks_buf *out, size_t start, const char *rep)
{
    out->len = start;
    if (out->data)
        out->data[start] = '\0';
    ks_buf_puts(out, rep);
}

static int starts_vowel(const char *s, size_t n)
{
    uint32_t c;
    if (n == 0)
        return 0;
    utf8_decode(s, n, &c);
    return cp_is_cyr_vowel(c);
}

/* voicing of a final к/қ/п before a vowel-initial suffix */
static void voice_final(ks_buf *out)
{
    size_t st;
    uint32_t c = last_cp(out->data, out->len, &st);
    if (c == 0x049B)
        set_last(out, st, "ғ");
    else if (c == 0x043A)
        set_last(out, st, "г");
    else if (c == 0x043F)
        set_last(out, st, "б");
}

void morph_glue(ks_buf *out, size_t word_start, const char *s, size_t n)
{
    if (n == 0)
        return;
    if (starts_vowel(s, n) && out->len > word_start) {
        size_t wl = out->len - word_start;
        const char *w = out->data + word_start;
        if (wl == strlen("қырық") && memcmp(w, "қырық", wl) == 0) {
            set_last(out, word_start, "қырқ"); /* қырық + vowel -> қырқ- */
        } else {
            size_t st;
            uint32_t c = last_cp(out->data + word_start, wl, &st);
            if (cp_is_cyr_vowel(c) && st > 0) /* екі+еу -> екеу, алты+ау -> алтау */
                set_last(out, word_start + st, "");
        }
    }
    ks_buf_append(out, s, n);
}

static void put2(ks_buf *out, int front, const char *back, const char *frontw)
{
    ks_buf_puts(out, front ? frontw : back);
}

void morph_inflect(ks_buf *out, const morph_seq *m, int from, int poss)
{
    for (int i = from; i < m->n; i++) {
        size_t ws = out->len;
        while (ws > 0 && out->data[ws - 1] != ' ')
            ws--;
        const char *w = out->data + ws;
        size_t wl = out->len - ws;
        size_t st;
        uint32_t c = last_cp(w, wl, &st);
        int cls = sound_class(c);
        int fr = is_front(w, wl);
        switch (m->cat[i]) {
        case MC_COLL:
            break;
        case MC_PL:
            put2(out, fr, cls == S_VOWEL || cls == S_RJU ? "лар" : cls == S_VL ? "тар" : "дар",
                 cls == S_VOWEL || cls == S_RJU ? "лер" : cls == S_VL ? "тер" : "дер");
            poss = 0;
            break;
        case MC_ADJ:
        case MC_APPROX:
            if (m->cat[i] == MC_ADJ) {
                int voiced = i + 1 < m->n && m->cat[i + 1] == MC_POSS;
                const char *b = cls == S_VOWEL || cls == S_RJU ? (voiced ? "лығ" : "лық")
                                : cls == S_VL                  ? (voiced ? "тығ" : "тық")
                                                               : (voiced ? "дығ" : "дық");
                const char *f = cls == S_VOWEL || cls == S_RJU ? (voiced ? "ліг" : "лік")
                                : cls == S_VL                  ? (voiced ? "тіг" : "тік")
                                                               : (voiced ? "діг" : "дік");
                put2(out, fr, b, f);
            } else {
                put2(out, fr, cls == S_VL ? "тай" : "дай", cls == S_VL ? "тей" : "дей");
            }
            poss = 0;
            break;
        case MC_POSS:
            if (poss)
                break; /* the stem already carries it */
            if (cls == S_VOWEL) {
                put2(out, fr, "сы", "сі");
            } else {
                voice_final(out);
                put2(out, fr, "ы", "і");
            }
            poss = 1;
            continue;
        case MC_DAT:
            if (poss)
                put2(out, fr, "на", "не");
            else
                put2(out, fr, cls == S_VL ? "қа" : "ға", cls == S_VL ? "ке" : "ге");
            break;
        case MC_LOC:
            if (poss)
                put2(out, fr, "нда", "нде");
            else
                put2(out, fr, cls == S_VL ? "та" : "да", cls == S_VL ? "те" : "де");
            break;
        case MC_ABL:
            if (poss)
                put2(out, fr, "нан", "нен");
            else if (cls == S_MNN)
                put2(out, fr, "нан", "нен");
            else
                put2(out, fr, cls == S_VL ? "тан" : "дан", cls == S_VL ? "тен" : "ден");
            break;
        case MC_GEN:
            if (poss || cls == S_VOWEL || cls == S_MNN)
                put2(out, fr, "ның", "нің");
            else
                put2(out, fr, cls == S_VL ? "тың" : "дың", cls == S_VL ? "тің" : "дің");
            break;
        case MC_ACC:
            if (poss)
                ks_buf_puts(out, "н");
            else if (cls == S_VOWEL)
                put2(out, fr, "ны", "ні");
            else
                put2(out, fr, cls == S_VL ? "ты" : "ды", cls == S_VL ? "ті" : "ді");
            break;
        case MC_INS:
            ks_buf_puts(out, morph_instrumental(w, wl));
            break;
        case MC_LOCADJ:
            put2(out, fr, "ғы", "гі");
            break;
        default:
            break;
        }
        poss = 0;
    }
}

const char *morph_instrumental(const char *s, size_t n)
{
    size_t st;
    uint32_t c = last_cp(s, n, &st);
    int cls = sound_class(c);
    if (cls == S_ZJ)
        return "бен";
    if (cls == S_VL)
        return "пен";
    return "мен";
}
