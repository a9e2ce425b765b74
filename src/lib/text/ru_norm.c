/* ru_norm.c - the small Russian normalizer for Russian spans.
 *
 * What news needs most and eSpeak NG's `ru` voice gets wrong: years and dates
 * with their case ("в 2020 году" -> "в две тысячи двадцатом году", "3 июня 2020
 * года" -> "третьего июня две тысячи двадцатого года", "2020 г.", "90-х годов"),
 * centuries in Roman numerals ("XXI век"), hyphenated ordinals ("5-й", "10-го"),
 * percentages ("15%" -> "пятнадцать процентов", "более 15%" -> "более пятнадцати
 * процентов"), money ("$100", "5 млн ₸", "100 руб."), number groups ("25 000"),
 * decimals, ranges of these, "№", a few abbreviations. Other cardinals are left to
 * eSpeak NG, which reads them right in the nominative. Closed classes are the
 * static tables below. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "kazspeak/kazspeak.h"
#include "lang.h"
#include "status.h"

/* ---------------------------------------------------------------- number words */

typedef enum gender { G_MASC, G_FEM, G_NEUT } gender;

static const char *const units_nom[10] = {"ноль", "один", "два", "три", "четыре",
                                          "пять", "шесть", "семь", "восемь", "девять"};
static const char *const units_gen[10] = {"ноля", "одного", "двух", "трёх", "четырёх",
                                          "пяти", "шести", "семи", "восьми", "девяти"};
static const char *const teens_nom[10] = {"десять", "одиннадцать", "двенадцать", "тринадцать", "четырнадцать",
                                          "пятнадцать", "шестнадцать", "семнадцать", "восемнадцать",
                                          "девятнадцать"};
static const char *const teens_gen[10] = {"десяти", "одиннадцати", "двенадцати", "тринадцати", "четырнадцати",
                                          "пятнадцати", "шестнадцати", "семнадцати", "восемнадцати",
                                          "девятнадцати"};
static const char *const tens_nom[10] = {"", "", "двадцать", "тридцать", "сорок",
                                         "пятьдесят", "шестьдесят", "семьдесят", "восемьдесят", "девяносто"};
static const char *const tens_gen[10] = {"", "", "двадцати", "тридцати", "сорока",
                                         "пятидесяти", "шестидесяти", "семидесяти", "восьмидесяти", "девяноста"};
static const char *const hund_nom[10] = {"", "сто", "двести", "триста", "четыреста",
                                         "пятьсот", "шестьсот", "семьсот", "восемьсот", "девятьсот"};
static const char *const hund_gen[10] = {"", "ста", "двухсот", "трёхсот", "четырёхсот",
                                         "пятисот", "шестисот", "семисот", "восьмисот", "девятисот"};

static void word(ks_buf *b, const char *w)
{
    if (b->len && b->data[b->len - 1] != ' ')
        ks_buf_putc(b, ' ');
    ks_buf_puts(b, w);
}

/* 1 -> one, 2..4 -> few, else many (by the last two digits). */
static const char *plural(unsigned long long n, const char *one, const char *few, const char *many)
{
    unsigned t = (unsigned)(n % 100), u = (unsigned)(n % 10);
    if (t >= 11 && t <= 14)
        return many;
    if (u == 1)
        return one;
    if (u >= 2 && u <= 4)
        return few;
    return many;
}

/* 0..999 in the nominative or genitive; `g` the gender of its last word. */
static void card999(ks_buf *b, unsigned n, gender g, int gen)
{
    unsigned h = n / 100, t = n % 100;
    if (h)
        word(b, gen ? hund_gen[h] : hund_nom[h]);
    if (t >= 10 && t < 20) {
        word(b, gen ? teens_gen[t - 10] : teens_nom[t - 10]);
        return;
    }
    if (t >= 20)
        word(b, gen ? tens_gen[t / 10] : tens_nom[t / 10]);
    unsigned u = t % 10;
    if (!u)
        return;
    if (u == 1 && g == G_FEM)
        word(b, gen ? "одной" : "одна");
    else if (u == 1 && g == G_NEUT && !gen)
        word(b, "одно");
    else if (u == 2 && g == G_FEM && !gen)
        word(b, "две");
    else
        word(b, gen ? units_gen[u] : units_nom[u]);
}

/* A cardinal below 10^12 in words (nominative or genitive). */
static void cardinal(ks_buf *b, unsigned long long n, gender g, int gen)
{
    if (n == 0) {
        word(b, gen ? units_gen[0] : units_nom[0]);
        return;
    }
    static const struct {
        unsigned long long v;
        gender g;
        const char *nom1, *nom2, *nom5, *gen1, *gen5;
    } scale[3] = {
        {1000000000ULL, G_MASC, "миллиард", "миллиарда", "миллиардов", "миллиарда", "миллиардов"},
        {1000000ULL, G_MASC, "миллион", "миллиона", "миллионов", "миллиона", "миллионов"},
        {1000ULL, G_FEM, "тысяча", "тысячи", "тысяч", "тысячи", "тысяч"},
    };
    for (int i = 0; i < 3; i++) {
        unsigned k = (unsigned)(n / scale[i].v % 1000);
        if (!k)
            continue;
        if (!(k == 1 && scale[i].v == 1000 && !gen))
            card999(b, k, scale[i].g, gen);
        if (gen)
            word(b, plural(k, scale[i].gen1, scale[i].gen5, scale[i].gen5));
        else
            word(b, plural(k, scale[i].nom1, scale[i].nom2, scale[i].nom5));
    }
    unsigned r = (unsigned)(n % 1000);
    if (r)
        card999(b, r, g, gen);
}

/* ---------------------------------------------------------------- ordinals */

typedef enum ocase {
    O_NOM, O_GEN, O_DAT, O_INS, O_PREP, O_N_NOM, O_F_NOM, O_F_OBL, O_F_ACC,
    O_PL_NOM, O_PL_GEN, O_PL_DAT, O_PL_INS, O_PL_PREP, O_CASES
} ocase;

/* Endings: A (пятый), B (второй), C (третий). */
static const char *const o_end[3][O_CASES] = {
    {"ый", "ого", "ому", "ым", "ом", "ое", "ая", "ой", "ую", "ые", "ых", "ым", "ыми", "ых"},
    {"ой", "ого", "ому", "ым", "ом", "ое", "ая", "ой", "ую", "ые", "ых", "ым", "ыми", "ых"},
    {"ий", "ьего", "ьему", "ьим", "ьем", "ье", "ья", "ьей", "ью", "ьи", "ьих", "ьим", "ьими", "ьих"},
};

typedef struct ostem {
    const char *stem;
    int type;
} ostem;

static const ostem o_units[10] = {{"нулев", 1},   {"перв", 0},  {"втор", 1},   {"трет", 2},  {"четвёрт", 0},
                                  {"пят", 0},     {"шест", 1},  {"седьм", 1},  {"восьм", 1}, {"девят", 0}};
static const ostem o_teens[10] = {{"десят", 0},      {"одиннадцат", 0},  {"двенадцат", 0},   {"тринадцат", 0},
                                  {"четырнадцат", 0}, {"пятнадцат", 0},   {"шестнадцат", 0},  {"семнадцат", 0},
                                  {"восемнадцат", 0}, {"девятнадцат", 0}};
static const ostem o_tens[10] = {{"", 0},          {"", 0},          {"двадцат", 0},   {"тридцат", 0},
                                 {"сороков", 1},   {"пятидесят", 0}, {"шестидесят", 0}, {"семидесят", 0},
                                 {"восьмидесят", 0}, {"девяност", 0}};
static const char *const o_hund[10] = {"", "сот", "двухсот", "трёхсот", "четырёхсот",
                                       "пятисот", "шестисот", "семисот", "восьмисот", "девятисот"};
/* the first part of a round-thousands ordinal: двухтысячный */
static const char *const o_thou[10] = {"", "", "двух", "трёх", "четырёх", "пяти", "шести", "семи", "восьми", "девяти"};

static void ord_word(ks_buf *b, const char *stem, int type, ocase c)
{
    word(b, stem);
    ks_buf_puts(b, o_end[type][c]);
}

/* An ordinal below 10^6 (years, days, centuries) in case c. */
static void ordinal(ks_buf *b, unsigned long n, ocase c)
{
    unsigned long th = n / 1000;
    unsigned r = (unsigned)(n % 1000);
    if (n == 0) {
        ord_word(b, o_units[0].stem, o_units[0].type, c);
        return;
    }
    if (r == 0) {
        if (th < 10) {
            word(b, o_thou[th]); /* "" for 1: тысячный */
            ks_buf_puts(b, "тысячн");
        } else {
            cardinal(b, th, G_FEM, 0);
            word(b, "тысячн"); /* rare; read as "N тысячный" */
        }
        ks_buf_puts(b, o_end[0][c]);
        return;
    }
    if (th)
        cardinal(b, th * 1000, G_MASC, 0);
    unsigned h = r / 100, t = r % 100;
    if (t == 0) {
        ord_word(b, o_hund[h], 0, c);
        return;
    }
    if (h)
        word(b, hund_nom[h]);
    if (t < 10)
        ord_word(b, o_units[t].stem, o_units[t].type, c);
    else if (t < 20)
        ord_word(b, o_teens[t - 10].stem, o_teens[t - 10].type, c);
    else if (t % 10 == 0)
        ord_word(b, o_tens[t / 10].stem, o_tens[t / 10].type, c);
    else {
        word(b, tens_nom[t / 10]);
        ord_word(b, o_units[t % 10].stem, o_units[t % 10].type, c);
    }
}

/* ---------------------------------------------------------------- words around a number */

static const char *const months[12] = {"января", "февраля", "марта",    "апреля",  "мая",    "июня",
                                       "июля",   "августа", "сентября", "октября", "ноября", "декабря"};

/* Prepositions after which a cardinal is in the genitive. */
static const char *const gen_preps[] = {"более", "менее", "свыше", "около", "до",     "от",    "с",
                                        "со",    "из",    "без",   "для",   "после",  "порядка",
                                        "кроме", "среди", "больше", "меньше", "ниже", "выше", "почти до"};

static int in_list(const char *w, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(w, list[i]) == 0)
            return 1;
    return 0;
}

/* The forms of "год" for each ordinal case. */
static const char *year_noun(ocase c)
{
    switch (c) {
    case O_GEN: return "года";
    case O_DAT: case O_PREP: return "году";
    case O_INS: return "годом";
    case O_PL_NOM: return "годы";
    case O_PL_GEN: return "годов";
    case O_PL_DAT: return "годам";
    case O_PL_INS: return "годами";
    case O_PL_PREP: return "годах";
    default: return "год";
    }
}

/* The case of an ordinal from the noun after it (год, века ...), given the
 * preposition before; -1 when w is not such a noun. */
static int case_from_noun(const char *w, const char *stem, const char *prep)
{
    size_t l = strlen(stem);
    if (strncmp(w, stem, l) != 0)
        return -1;
    const char *e = w + l;
    if (!*e)
        return O_NOM;
    static const struct {
        const char *e;
        int c;
    } map[] = {{"а", O_GEN},     {"у", O_PREP},  {"ом", O_INS},  {"е", O_PREP},    {"ы", O_PL_NOM},
               {"а", O_PL_NOM}, {"ов", O_PL_GEN}, {"ам", O_PL_DAT}, {"ами", O_PL_INS}, {"ах", O_PL_PREP}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(e, map[i].e) == 0) {
            if (map[i].c == O_PREP && !strcmp(e, "у") && (!strcmp(prep, "к") || !strcmp(prep, "по")))
                return O_DAT;
            return map[i].c;
        }
    return -1;
}

/* The case an abbreviation (г., в.) stands for, from the preposition before it. */
static ocase case_from_prep(const char *prep, int after_month)
{
    if (!strcmp(prep, "в") || !strcmp(prep, "во") || !strcmp(prep, "о") || !strcmp(prep, "об") ||
        !strcmp(prep, "при"))
        return O_PREP;
    if (!strcmp(prep, "к") || !strcmp(prep, "ко"))
        return O_DAT;
    if (!strcmp(prep, "за") || !strcmp(prep, "на") || !strcmp(prep, "про") || !strcmp(prep, "через") ||
        !strcmp(prep, "по"))
        return O_NOM; /* accusative = nominative for "год" */
    if (!strcmp(prep, "между") || !strcmp(prep, "над") || !strcmp(prep, "под") || !strcmp(prep, "перед"))
        return O_INS;
    (void)after_month;
    return O_GEN;
}

/* ---------------------------------------------------------------- scanning */

typedef struct rn {
    const char *t;
    size_t n;
    ks_buf *out;
    char prev[64];   /* the last word written before the current position, lower case */
    char prev2[64];  /* the word before that */
} rn;

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Lower-case word starting at i (letters and a final '.'), into w; returns its byte length (0 if none). */
static size_t word_at(const char *t, size_t n, size_t i, char *w, size_t wn, int with_dot)
{
    size_t j = i, o = 0;
    while (j < n) {
        utf8proc_int32_t c;
        utf8proc_ssize_t r = utf8proc_iterate((const utf8proc_uint8_t *)t + j, (utf8proc_ssize_t)(n - j), &c);
        if (r <= 0)
            break;
        utf8proc_category_t k = utf8proc_category(c);
        if (k < UTF8PROC_CATEGORY_LU || k > UTF8PROC_CATEGORY_LO)
            break;
        utf8proc_uint8_t enc[4];
        utf8proc_ssize_t el = utf8proc_encode_char(utf8proc_tolower(c), enc);
        if (o + (size_t)el + 2 >= wn)
            break;
        memcpy(w + o, enc, (size_t)el);
        o += (size_t)el;
        j += (size_t)r;
    }
    if (with_dot && j > i && j < n && t[j] == '.') {
        w[o++] = '.';
        j++;
    }
    w[o] = '\0';
    return j - i;
}

/* Skip spaces (ASCII, NBSP, narrow NBSP) from i; returns the new position. */
static size_t skip_sp(const char *t, size_t n, size_t i)
{
    for (;;) {
        if (i < n && (t[i] == ' ' || t[i] == '\t'))
            i++;
        else if (i + 1 < n && (unsigned char)t[i] == 0xC2 && (unsigned char)t[i + 1] == 0xA0)
            i += 2;
        else if (i + 2 < n && memcmp(t + i, "\xE2\x80\xAF", 3) == 0)
            i += 3;
        else
            return i;
    }
}

/* A dash of a range at i: - – — (with optional spaces around); returns the position after it, or 0. */
static size_t range_dash(const char *t, size_t n, size_t i)
{
    size_t j = skip_sp(t, n, i);
    if (j < n && t[j] == '-')
        j++;
    else if (j + 2 < n && (memcmp(t + j, "\xE2\x80\x93", 3) == 0 || memcmp(t + j, "\xE2\x80\x94", 3) == 0))
        j += 3;
    else
        return 0;
    j = skip_sp(t, n, j);
    return j < n && is_digit(t[j]) ? j : 0;
}

typedef struct num {
    unsigned long long v;
    int digits;       /* digits of the integer part (after joining groups) */
    int has_frac;
    unsigned long long frac;
    int frac_digits;
    size_t end;       /* byte after it */
    int grouped;      /* written with group separators */
} num;

/* A number at i: digits, groups of three after a space ("25 000"), a decimal part. */
static int parse_num(const char *t, size_t n, size_t i, num *x)
{
    memset(x, 0, sizeof *x);
    size_t j = i;
    while (j < n && is_digit(t[j]) && x->digits < 18) {
        x->v = x->v * 10 + (unsigned)(t[j] - '0');
        x->digits++;
        j++;
    }
    if (j < n && is_digit(t[j]))
        return 0; /* too long: left alone */
    if (x->digits <= 3) {
        for (;;) {
            size_t k = j, sp = 0;
            if (k < n && t[k] == ' ')
                sp = 1;
            else if (k + 1 < n && (unsigned char)t[k] == 0xC2 && (unsigned char)t[k + 1] == 0xA0)
                sp = 2;
            else if (k + 2 < n && memcmp(t + k, "\xE2\x80\xAF", 3) == 0)
                sp = 3;
            if (!sp || k + sp + 3 > n)
                break;
            k += sp;
            if (!is_digit(t[k]) || !is_digit(t[k + 1]) || !is_digit(t[k + 2]) || (k + 3 < n && is_digit(t[k + 3])))
                break;
            if (x->digits + 3 > 15)
                break;
            x->v = x->v * 1000 + (unsigned)((t[k] - '0') * 100 + (t[k + 1] - '0') * 10 + (t[k + 2] - '0'));
            x->digits += 3;
            x->grouped = 1;
            j = k + 3;
        }
    }
    if (j + 1 < n && (t[j] == ',' || t[j] == '.') && is_digit(t[j + 1])) {
        size_t k = j + 1;
        while (k < n && is_digit(t[k]) && x->frac_digits < 3) {
            x->frac = x->frac * 10 + (unsigned)(t[k] - '0');
            x->frac_digits++;
            k++;
        }
        if (k < n && is_digit(t[k]))
            return 0; /* 3.14159, dates, versions: leave */
        if (!(k < n && (t[k] == '.' || t[k] == ',') && k + 1 < n && is_digit(t[k + 1]))) {
            x->has_frac = 1;
            j = k;
        } else {
            x->frac = 0;
            x->frac_digits = 0;
        }
    }
    x->end = j;
    return 1;
}

/* A decimal in words: "пять целых одна десятая". Returns the form of the noun
 * after it: always the genitive singular (процента, доллара). */
static void decimal_words(ks_buf *b, const num *x, int gen)
{
    cardinal(b, x->v, G_FEM, gen);
    word(b, gen ? (x->v % 10 == 1 && x->v % 100 != 11 ? "целой" : "целых")
                : plural(x->v, "целая", "целых", "целых"));
    cardinal(b, x->frac, G_FEM, gen);
    static const char *const den_one[4] = {"", "десятая", "сотая", "тысячная"};
    static const char *const den_one_gen[4] = {"", "десятой", "сотой", "тысячной"};
    int one = x->frac % 10 == 1 && x->frac % 100 != 11;
    if (one)
        word(b, gen ? den_one_gen[x->frac_digits] : den_one[x->frac_digits]);
    else
        word(b, (const char *const[]){"", "десятых", "сотых", "тысячных"}[x->frac_digits]);
}

static void number_words(ks_buf *b, const num *x, gender g, int gen)
{
    if (x->has_frac)
        decimal_words(b, x, gen);
    else
        cardinal(b, x->v, g, gen);
}

/* Currency words: one, few, many (genitive singular for decimals and after a scale word). */
typedef struct money {
    const char *sign;
    const char *one, *few, *many;
} money;

static const money moneys[] = {
    {"$", "доллар", "доллара", "долларов"},   {"€", "евро", "евро", "евро"},
    {"₽", "рубль", "рубля", "рублей"},        {"₸", "тенге", "тенге", "тенге"},
    {"руб.", "рубль", "рубля", "рублей"},     {"тг", "тенге", "тенге", "тенге"},
    {"долл.", "доллар", "доллара", "долларов"}, {"£", "фунт", "фунта", "фунтов"},
    {"¥", "юань", "юаня", "юаней"},
};

/* A currency sign or word at i (after optional spaces); returns its entry and sets *end. */
static const money *money_at(const char *t, size_t n, size_t i, size_t *end)
{
    size_t j = skip_sp(t, n, i);
    for (size_t k = 0; k < sizeof moneys / sizeof moneys[0]; k++) {
        size_t l = strlen(moneys[k].sign);
        if (j + l <= n && memcmp(t + j, moneys[k].sign, l) == 0) {
            /* a word sign must end there */
            if (((unsigned char)moneys[k].sign[0] >= 0xD0 && (unsigned char)moneys[k].sign[0] <= 0xD1) &&
                j + l < n && (((unsigned char)t[j + l] >= 0xD0 && (unsigned char)t[j + l] <= 0xD1) ||
                              ((t[j + l] | 0x20) >= 'a' && (t[j + l] | 0x20) <= 'z')))
                continue;
            *end = j + l;
            return &moneys[k];
        }
    }
    return NULL;
}

/* Scale words after a number: тыс. млн млрд. */
typedef struct scale_w {
    const char *abbr;
    gender g;
    const char *one, *few, *many;
} scale_w;

static const scale_w scales[] = {
    {"млрд", G_MASC, "миллиард", "миллиарда", "миллиардов"},
    {"млн", G_MASC, "миллион", "миллиона", "миллионов"},
    {"тыс", G_FEM, "тысяча", "тысячи", "тысяч"},
    {"трлн", G_MASC, "триллион", "триллиона", "триллионов"},
};

static const scale_w *scale_at(const char *t, size_t n, size_t i, size_t *end)
{
    size_t j = skip_sp(t, n, i);
    for (size_t k = 0; k < sizeof scales / sizeof scales[0]; k++) {
        size_t l = strlen(scales[k].abbr);
        if (j + l <= n && memcmp(t + j, scales[k].abbr, l) == 0) {
            size_t e = j + l;
            if (e < n && (unsigned char)t[e] >= 0xD0 && (unsigned char)t[e] <= 0xD1)
                continue; /* a longer word */
            if (e < n && t[e] == '.')
                e++;
            *end = e;
            return &scales[k];
        }
    }
    return NULL;
}

/* Noun-agreement form: decimals and scale words take the genitive singular / plural. */
static const char *agree(const num *x, int gen, const char *one, const char *few, const char *many)
{
    if (x->has_frac)
        return few; /* пяти целых одной десятой процента: the genitive singular */
    if (gen)
        return x->v % 10 == 1 && x->v % 100 != 11 ? few : many;
    return plural(x->v, one, few, many);
}

static void set_prev(rn *r, const char *w)
{
    memcpy(r->prev2, r->prev, sizeof r->prev);
    snprintf(r->prev, sizeof r->prev, "%s", w);
}

/* Roman numeral (I V X L C) at i, whole word; returns its value and sets *end, or 0. */
static unsigned roman_at(const char *t, size_t n, size_t i, size_t *end)
{
    static const struct {
        char c;
        unsigned v;
    } rv[] = {{'I', 1}, {'V', 5}, {'X', 10}, {'L', 50}, {'C', 100}};
    unsigned total = 0, prevv = 0;
    size_t j = i;
    while (j < n) {
        unsigned v = 0;
        for (size_t k = 0; k < 5; k++)
            if (t[j] == rv[k].c)
                v = rv[k].v;
        if (!v)
            break;
        total += v;
        if (prevv && v > prevv)
            total -= 2 * prevv;
        prevv = v;
        j++;
    }
    if (j == i || (j < n && ((t[j] | 0x20) >= 'a' && (t[j] | 0x20) <= 'z')) || total > 40)
        return 0;
    *end = j;
    return total;
}

/* Ordinal + noun: "2020 году", "XXI век", with a range "2019–2020 годах". */
static int ordinal_noun(rn *r, const unsigned long *v, int nv, size_t after, const char *stem, const char *abbr,
                        size_t *end)
{
    const char *t = r->t;
    size_t n = r->n;
    char w[64];
    size_t j = skip_sp(t, n, after);
    size_t wl = word_at(t, n, j, w, sizeof w, 0);
    int c = wl ? case_from_noun(w, stem, r->prev) : -1;
    size_t e = j + wl;
    const char *noun = NULL;
    if (c < 0) {
        size_t al = strlen(abbr);
        if (wl && strcmp(w, abbr) == 0 && j + al < n && t[j + al] == '.') {
            c = (int)case_from_prep(r->prev, 0);
            if (nv > 1)
                c = c == O_PREP ? O_PL_PREP : c == O_GEN ? O_PL_GEN : c == O_DAT ? O_PL_DAT : O_PL_NOM;
            e = j + al + 1;
            noun = !strcmp(stem, "год") ? year_noun((ocase)c) : NULL;
        } else if (wl == 2 * strlen(abbr) && strncmp(w, abbr, strlen(abbr)) == 0 &&
                   strcmp(w + strlen(abbr), abbr) == 0 && j + wl < n && t[j + wl] == '.') {
            /* гг. */
            c = (int)case_from_prep(r->prev, 0);
            c = c == O_PREP ? O_PL_PREP : c == O_GEN ? O_PL_GEN : c == O_DAT ? O_PL_DAT : O_PL_NOM;
            e = j + wl + 1;
            noun = !strcmp(stem, "год") ? year_noun((ocase)c) : NULL;
        } else {
            return 0;
        }
    }
    /* plural nouns after a single ordinal ("90-х годов") take the plural; after a range, the singular */
    ocase oc = (ocase)c;
    if (nv > 1) {
        switch (oc) {
        case O_PL_NOM: oc = O_NOM; break;
        case O_PL_GEN: oc = O_GEN; break;
        case O_PL_DAT: oc = O_DAT; break;
        case O_PL_INS: oc = O_INS; break;
        case O_PL_PREP: oc = O_PREP; break;
        default: break;
        }
    }
    for (int k = 0; k < nv; k++) {
        if (k)
            word(r->out, "—");
        ordinal(r->out, v[k], oc);
    }
    if (noun)
        word(r->out, noun);
    else {
        ks_buf_putc(r->out, ' ');
        ks_buf_append(r->out, t + j, e - j);
    }
    *end = e;
    return 1;
}

/* dd.mm.yyyy: the day an ordinal, the month, the year in the genitive */
static size_t number_date(rn *r, size_t i)
{
    const char *t = r->t;
    size_t n = r->n;
    ks_buf *out = r->out;
    /* dd.mm.yyyy */
    if (i + 10 <= n && is_digit(t[i]) && is_digit(t[i + 1]) && t[i + 2] == '.' && is_digit(t[i + 3]) &&
        is_digit(t[i + 4]) && t[i + 5] == '.' && is_digit(t[i + 6]) && is_digit(t[i + 7]) && is_digit(t[i + 8]) &&
        is_digit(t[i + 9]) && !(i + 10 < n && is_digit(t[i + 10]))) {
        unsigned d = (unsigned)((t[i] - '0') * 10 + t[i + 1] - '0');
        unsigned m = (unsigned)((t[i + 3] - '0') * 10 + t[i + 4] - '0');
        unsigned long y = (unsigned long)((t[i + 6] - '0') * 1000 + (t[i + 7] - '0') * 100 + (t[i + 8] - '0') * 10 +
                                          t[i + 9] - '0');
        if (d >= 1 && d <= 31 && m >= 1 && m <= 12) {
            ocase c = !strcmp(r->prev, "к") ? O_DAT
                      : (!strcmp(r->prev, "по") || !strcmp(r->prev, "на")) ? O_N_NOM
                                                                           : O_GEN;
            ordinal(out, d, c);
            word(out, months[m - 1]);
            ordinal(out, y, O_GEN);
            word(out, "года");
            size_t e = i + 10;
            /* a following "г." is said already */
            size_t j = skip_sp(t, n, e);
            if (j + 3 <= n && memcmp(t + j, "г.", 3) == 0)
                e = j + 3;
            return e;
        }
    }
    return 0;
}

/* a range a–b before a year noun or % */
static size_t number_range(rn *r, const num *xp)
{
    const char *t = r->t;
    size_t n = r->n;
    ks_buf *out = r->out;
    num x = *xp;
    size_t end;
    /* a range: a–b followed by a year noun, %, a currency */
    size_t d2 = !x.has_frac ? range_dash(t, n, x.end) : 0;
    num y2;
    if (d2 && parse_num(t, n, d2, &y2) && !y2.has_frac) {
        unsigned long vv[2] = {(unsigned long)x.v, (unsigned long)y2.v};
        if (x.digits == 4 && y2.digits == 4 && !x.grouped && !y2.grouped &&
            ordinal_noun(r, vv, 2, y2.end, "год", "г", &end))
            return end;
        size_t pe = skip_sp(t, n, y2.end);
        if (pe < n && t[pe] == '%') {
            word(out, "от");
            cardinal(out, x.v, G_MASC, 1);
            word(out, "до");
            cardinal(out, y2.v, G_MASC, 1);
            word(out, y2.v % 10 == 1 && y2.v % 100 != 11 ? "процента" : "процентов");
            return pe + 1;
        }
    }
    return 0;
}

/* a year (four digits) and other ordinals before год */
static size_t number_year(rn *r, const num *xp)
{
    num x = *xp;
    size_t end;
    /* years and other ordinals before год */
    if (!x.has_frac && x.digits == 4 && !x.grouped) { /* "72 года" is an age, not a year */
        unsigned long vv[1] = {(unsigned long)x.v};
        if (ordinal_noun(r, vv, 1, x.end, "год", "г", &end))
            return end;
    }
    return 0;
}

/* a day before a month name (+ the year) */
static size_t number_day_month(rn *r, const num *xp)
{
    const char *t = r->t;
    size_t n = r->n;
    ks_buf *out = r->out;
    num x = *xp;
    /* day + month (+ year) */
    if (!x.has_frac && x.v >= 1 && x.v <= 31 && !x.grouped) {
        char w[64];
        size_t j = skip_sp(t, n, x.end);
        size_t wl = word_at(t, n, j, w, sizeof w, 0);
        for (int m = 0; wl && m < 12; m++)
            if (strcmp(w, months[m]) == 0) {
                ocase c = O_GEN;
                if (!strcmp(r->prev, "к"))
                    c = O_DAT;
                else if (!strcmp(r->prev, "по") || !strcmp(r->prev, "на"))
                    c = O_N_NOM; /* по 5 декабря = по пятое декабря */
                else if (!strcmp(r->prev, "сегодня") || !strcmp(r->prev, "завтра") || !strcmp(r->prev, "вчера") ||
                         !strcmp(r->prev, "это") || !strcmp(r->prev, "было") || !strcmp(r->prev, "дата"))
                    c = O_N_NOM;
                ordinal(out, (unsigned long)x.v, c);
                ks_buf_putc(out, ' ');
                ks_buf_append(out, t + j, wl);
                size_t e = j + wl;
                /* the year: "2020 года", "2020 г.", or a bare "2020" */
                size_t k = skip_sp(t, n, e);
                num yr;
                if (k < n && is_digit(t[k]) && parse_num(t, n, k, &yr) && !yr.has_frac && yr.digits == 4 &&
                    !yr.grouped) {
                    char save_prev[64];
                    memcpy(save_prev, r->prev, sizeof save_prev);
                    snprintf(r->prev, sizeof r->prev, "%s", "");
                    unsigned long vv[1] = {(unsigned long)yr.v};
                    size_t ye;
                    if (ordinal_noun(r, vv, 1, yr.end, "год", "г", &ye)) {
                        memcpy(r->prev, save_prev, sizeof save_prev);
                        return ye;
                    }
                    memcpy(r->prev, save_prev, sizeof save_prev);
                    ordinal(out, (unsigned long)yr.v, O_GEN);
                    word(out, "года");
                    return yr.end;
                }
                return e;
            }
    }
    return 0;
}

/* a hyphenated ordinal: 5-й 10-го 2020-м 90-х 3-я */
static size_t number_hyphen_ordinal(rn *r, const num *xp)
{
    const char *t = r->t;
    size_t n = r->n;
    ks_buf *out = r->out;
    num x = *xp;
    /* hyphenated ordinal: 5-й 10-го 2020-м 90-х 3-я */
    if (!x.has_frac && x.end + 1 < n && t[x.end] == '-' && x.v < 1000000) {
        char w[16];
        size_t wl = word_at(t, n, x.end + 1, w, sizeof w, 0);
        static const struct {
            const char *s;
            int c;
        } suf[] = {{"й", O_NOM},   {"ый", O_NOM},   {"ий", O_NOM},   {"ой", O_NOM},  {"го", O_GEN},
                   {"ого", O_GEN}, {"му", O_DAT},   {"ому", O_DAT},  {"м", O_PREP},  {"ом", O_PREP},
                   {"ым", O_INS},  {"е", O_N_NOM},  {"ое", O_N_NOM}, {"я", O_F_NOM}, {"ая", O_F_NOM},
                   {"ю", O_F_ACC}, {"ую", O_F_ACC}, {"х", O_PL_GEN}, {"ых", O_PL_GEN}, {"ми", O_PL_INS},
                   {"ые", O_PL_NOM}};
        for (size_t k = 0; wl && k < sizeof suf / sizeof suf[0]; k++)
            if (strcmp(w, suf[k].s) == 0) {
                ocase c = (ocase)suf[k].c;
                if ((c == O_PREP) && strcmp(r->prev, "в") && strcmp(r->prev, "во") && strcmp(r->prev, "на") &&
                    strcmp(r->prev, "о") && strcmp(r->prev, "при"))
                    c = O_INS;
                size_t e = x.end + 1 + wl;
                /* "2020-м году", "90-х годов": the noun decides the case */
                unsigned long vv[1] = {(unsigned long)x.v};
                size_t ne;
                ks_buf tmp = {0};
                ks_buf *save = r->out;
                r->out = &tmp;
                int noun = ordinal_noun(r, vv, 1, e, "год", "г", &ne);
                r->out = save;
                if (noun) {
                    if (out->len && out->data[out->len - 1] != ' ')
                        ks_buf_putc(out, ' ');
                    ks_buf_append(out, tmp.data, tmp.len);
                    ks_buf_free(&tmp);
                    return ne;
                }
                ks_buf_free(&tmp);
                ordinal(out, (unsigned long)x.v, c);
                return e;
            }
    }
    return 0;
}

/* percent, scale words and money; a grouped number or a decimal joined */
static size_t number_amount(rn *r, const num *xp)
{
    const char *t = r->t;
    size_t n = r->n;
    ks_buf *out = r->out;
    num x = *xp;
    int gen = in_list(r->prev, gen_preps, sizeof gen_preps / sizeof gen_preps[0]);
    /* percent */
    size_t pe = skip_sp(t, n, x.end);
    if (pe < n && t[pe] == '%') {
        number_words(out, &x, G_MASC, gen);
        word(out, agree(&x, gen, "процент", "процента", "процентов"));
        return pe + 1;
    }
    /* scale words and money: "5 млн ₸", "100 долл.", "1,5 млрд долларов" */
    size_t se;
    const scale_w *sw = scale_at(t, n, x.end, &se);
    size_t me;
    const money *mo = money_at(t, n, sw ? se : x.end, &me);
    if (sw || mo) {
        number_words(out, &x, sw ? sw->g : (mo && !strcmp(mo->one, "рубль") ? G_MASC : G_MASC), gen);
        if (sw)
            word(out, agree(&x, gen, sw->one, sw->few, sw->many));
        if (mo)
            word(out, sw ? mo->many : agree(&x, gen, mo->one, mo->few, mo->many));
        return mo ? me : se;
    }
    /* a grouped number eSpeak would read digit group by group: joined */
    if (x.grouped || x.has_frac) {
        number_words(out, &x, G_MASC, gen);
        return x.end;
    }
    return 0;
}

/* Try every rule at a digit (or sign) at i; returns the position after what was
 * written, or 0 when nothing applied. */
static size_t at_number(rn *r, size_t i)
{
    size_t e = number_date(r, i);
    if (e)
        return e;
    num x;
    if (!parse_num(r->t, r->n, i, &x))
        return 0;
    if ((e = number_range(r, &x)) || (e = number_year(r, &x)) || (e = number_day_month(r, &x)) ||
        (e = number_hyphen_ordinal(r, &x)) || (e = number_amount(r, &x)))
        return e;
    return 0;
}

/* A currency sign before the number: "$100", "€ 5 млн". */
static size_t at_sign(rn *r, size_t i)
{
    size_t me;
    const money *mo = money_at(r->t, r->n, i, &me);
    if (!mo || ((unsigned char)mo->sign[0] >= 0xD0 && (unsigned char)mo->sign[0] <= 0xD1))
        return 0;
    size_t j = skip_sp(r->t, r->n, me);
    num x;
    if (j >= r->n || !is_digit(r->t[j]) || !parse_num(r->t, r->n, j, &x))
        return 0;
    int gen = in_list(r->prev, gen_preps, sizeof gen_preps / sizeof gen_preps[0]);
    size_t se;
    const scale_w *sw = scale_at(r->t, r->n, x.end, &se);
    number_words(r->out, &x, sw ? sw->g : G_MASC, gen);
    if (sw)
        word(r->out, agree(&x, gen, sw->one, sw->few, sw->many));
    word(r->out, sw ? mo->many : agree(&x, gen, mo->one, mo->few, mo->many));
    return sw ? se : x.end;
}

/* Is the code point before i a letter (or a digit)? */
static int prev_is_letter(const char *t, size_t i)
{
    if (i == 0)
        return 0;
    size_t k = i - 1;
    while (k > 0 && ((unsigned char)t[k] & 0xC0) == 0x80 && i - k < 4)
        k--;
    utf8proc_int32_t c;
    if (utf8proc_iterate((const utf8proc_uint8_t *)t + k, (utf8proc_ssize_t)(i - k), &c) <= 0)
        return 0;
    utf8proc_category_t cat = utf8proc_category(c);
    return (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO) || (c >= '0' && c <= '9');
}

static const struct {
    const char *abbr, *words;
} abbrs[] = {
    {"т.е.", "то есть"},   {"т. е.", "то есть"},     {"т.д.", "так далее"}, {"т. д.", "так далее"},
    {"т.п.", "тому подобное"}, {"т. п.", "тому подобное"}, {"т.к.", "так как"}, {"и др.", "и другие"},
    {"др.", "другие"},
};

KS_API ks_status ks_ru_normalize(const char *text, size_t len, ks_buf *out, ks_error *err)
{
    rn r;
    memset(&r, 0, sizeof r);
    r.t = text;
    r.n = len;
    r.out = out;
    size_t i = 0;
    while (i < len) {
        unsigned char b = (unsigned char)text[i];
        size_t e = 0;
        int word_start = !prev_is_letter(text, i);
        if (is_digit((char)b) && !prev_is_letter(text, i)) {
            e = at_number(&r, i);
        } else if (b == '$' || b == 0xE2 || b == 0xC2) {
            e = at_sign(&r, i);
        }
        if (!e && word_start && (b == 'X' || b == 'V' || b == 'I' || b == 'L' || b == 'C')) {
            size_t re;
            unsigned v = roman_at(text, len, i, &re);
            size_t d2 = v ? range_dash(text, len, re) : 0;
            size_t re2 = 0;
            unsigned v2 = 0;
            if (v && re < len && !d2) {
                /* a range of Roman numerals: XIX–XX веков */
                size_t j = skip_sp(text, len, re);
                size_t k = j;
                if (k < len && text[k] == '-')
                    k++;
                else if (k + 2 < len && (memcmp(text + k, "\xE2\x80\x93", 3) == 0 || memcmp(text + k, "\xE2\x80\x94", 3) == 0))
                    k += 3;
                if (k > j) {
                    k = skip_sp(text, len, k);
                    v2 = roman_at(text, len, k, &re2);
                }
            }
            if (v) {
                unsigned long vv[2] = {v, v2};
                size_t ne;
                if (ordinal_noun(&r, vv, v2 ? 2 : 1, v2 ? re2 : re, "век", "в", &ne))
                    e = ne;
            }
        }
        if (!e && (b == 0xE2 && i + 2 < len && memcmp(text + i, "№", 3) == 0)) {
            int two = i + 5 < len && memcmp(text + i + 3, "№", 3) == 0;
            word(out, two ? "номера" : "номер");
            ks_buf_putc(out, ' ');
            e = skip_sp(text, len, i + (two ? 6 : 3));
        }
        if (!e && word_start && (b == 0xD1 || b == 0xD0)) {
            for (size_t k = 0; k < sizeof abbrs / sizeof abbrs[0]; k++) {
                size_t l = strlen(abbrs[k].abbr);
                if (i + l <= len && memcmp(text + i, abbrs[k].abbr, l) == 0) {
                    ks_buf_puts(out, abbrs[k].words);
                    e = i + l;
                    break;
                }
            }
        }
        if (e) {
            set_prev(&r, "");
            i = e;
            continue;
        }
        /* copy one word or one character; remember words for the case rules */
        if (b == '[' && i + 1 < len && text[i + 1] == '[') {
            ks_buf_puts(out, "[ ");
            i++;
            continue;
        }
        char w[64];
        size_t wl = word_at(text, len, i, w, sizeof w, 0);
        if (wl) {
            ks_buf_append(out, text + i, wl);
            set_prev(&r, w);
            i += wl;
            continue;
        }
        utf8proc_int32_t c;
        utf8proc_ssize_t rl = utf8proc_iterate((const utf8proc_uint8_t *)text + i, (utf8proc_ssize_t)(len - i), &c);
        if (rl <= 0) {
            ks_buf_puts(out, "\xEF\xBF\xBD");
            i++;
            continue;
        }
        if (c == 0)
            ks_buf_putc(out, ' ');
        else
            ks_buf_append(out, text + i, (size_t)rl);
        if (!(c == ' ' || c == 0xA0 || c == '\t'))
            set_prev(&r, "");
        i += (size_t)rl;
    }
    if (out->failed)
        return status_set(err, KS_ENOMEM, "text too large");
    return KS_OK;
}
