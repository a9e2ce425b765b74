/* kk_words.c - the Kazakh words the text stage reads out, written once:
 * letter names (RULES §16, §33), Roman numerals (RULES §10, §34), month names
 * (RULES §5, §30) and the say-as readings (characters, cardinal, ordinal,
 * digits, date, time, telephone) shared by the normalizer and SSML. */
#include <string.h>
#include <utf8proc.h>

#include "kazspeak/kazspeak.h"
#include "kk_words.h"
#include "number.h"

/* ---------------------------------------------------------------- letter names (RULES §16) */

/* The 42 letters of the Kazakh Cyrillic alphabet with the names used when a word is
 * spelled: a vowel is read as itself, a consonant with a back "ы" (бы, қы, ны),
 * the two signs by their school names. */
static const struct {
    uint32_t cp;
    const char *name;
} LETTERS[] = {
    {0x0430, "а"},  {0x04D9, "ә"},  {0x0431, "бы"}, {0x0432, "вы"}, {0x0433, "гы"}, {0x0493, "ғы"},
    {0x0434, "ды"}, {0x0435, "е"},  {0x0451, "ё"},  {0x0436, "жы"}, {0x0437, "зы"}, {0x0438, "и"},
    {0x0439, "йы"}, {0x043A, "кы"}, {0x049B, "қы"}, {0x043B, "лы"}, {0x043C, "мы"}, {0x043D, "ны"},
    {0x04A3, "ңы"}, {0x043E, "о"},  {0x04E9, "ө"},  {0x043F, "пы"}, {0x0440, "ры"}, {0x0441, "сы"},
    {0x0442, "ты"}, {0x0443, "у"},  {0x04B1, "ұ"},  {0x04AF, "ү"},  {0x0444, "фы"}, {0x0445, "хы"},
    {0x04BB, "һы"}, {0x0446, "цы"}, {0x0447, "чы"}, {0x0448, "шы"}, {0x0449, "щы"},
    {0x044A, "айыру белгісі"}, /* ъ, the hard sign */
    {0x044B, "ы"},  {0x0456, "і"},
    {0x044C, "жіңішкелік белгісі"}, /* ь, the soft sign */
    {0x044D, "э"},  {0x044E, "ю"},  {0x044F, "я"},
};

const char *kk_letter_name(uint32_t cp)
{
    uint32_t lc = (uint32_t)utf8proc_tolower((utf8proc_int32_t)cp);
    for (size_t i = 0; i < sizeof LETTERS / sizeof LETTERS[0]; i++)
        if (LETTERS[i].cp == lc)
            return LETTERS[i].name;
    return NULL;
}

KS_API const char *ks_letter_name(uint32_t cp) { return kk_letter_name(cp); }

static void put_word(ks_buf *b, const char *w)
{
    if (b->len && b->data[b->len - 1] != ' ')
        ks_buf_putc(b, ' ');
    ks_buf_puts(b, w);
}

int kk_put_letter_name(ks_buf *out, uint32_t cp)
{
    const char *n = kk_letter_name(cp);
    if (!n)
        return 0;
    put_word(out, n);
    return 1;
}

int kk_is_vowel_letter(uint32_t cp)
{
    switch ((uint32_t)utf8proc_tolower((utf8proc_int32_t)cp)) {
    case 0x0430: case 0x04D9: case 0x0435: case 0x0451: case 0x0438: case 0x043E: case 0x04E9:
    case 0x0443: case 0x04B1: case 0x04AF: case 0x044B: case 0x0456: case 0x044D: case 0x044E: case 0x044F:
        return 1;
    default:
        return 0;
    }
}

/* ---------------------------------------------------------------- month names (RULES §5, §30) */

static const char *const MONTHS[12] = {"қаңтар", "ақпан", "наурыз", "сәуір",    "мамыр",  "маусым",
                                       "шілде",  "тамыз", "қыркүйек", "қазан", "қараша", "желтоқсан"};

const char *kk_month_name(int m) { return m >= 1 && m <= 12 ? MONTHS[m - 1] : NULL; }

/* ---------------------------------------------------------------- Roman numerals (RULES §10, §34) */

/* A Roman digit written in Latin or with a Cyrillic look-alike (§34: Х→X, І→I, Ү→V, С→C, М→M). */
static int roman_digit(uint32_t c, int *upper)
{
    static const struct {
        uint32_t up, low;
        int v;
    } D[] = {{'I', 'i', 1},    {0x0406, 0x0456, 1}, {'V', 'v', 5},      {0x04AE, 0x04AF, 5},
             {'X', 'x', 10},   {0x0425, 0x0445, 10}, {'L', 'l', 50},    {'C', 'c', 100},
             {0x0421, 0x0441, 100}, {'D', 'd', 500}, {'M', 'm', 1000},  {0x041C, 0x043C, 1000}};
    for (size_t i = 0; i < sizeof D / sizeof D[0]; i++) {
        if (c == D[i].up || c == D[i].low) {
            *upper = c == D[i].up;
            return D[i].v;
        }
    }
    return 0;
}

int kk_roman_value(const char *s, size_t n)
{
    static const struct {
        int v;
        const char *r;
    } R[] = {{1000, "M"}, {900, "CM"}, {500, "D"}, {400, "CD"}, {100, "C"}, {90, "XC"}, {50, "L"},
             {40, "XL"},  {10, "X"},   {9, "IX"},  {5, "V"},    {4, "IV"},  {1, "I"}};
    int vals[24];
    size_t an = 0;
    int up0 = -1;
    if (n == 0 || n > 48)
        return 0;
    for (size_t i = 0; i < n;) {
        utf8proc_int32_t c;
        utf8proc_ssize_t l = utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(n - i), &c);
        int up;
        int d = l > 0 ? roman_digit((uint32_t)c, &up) : 0;
        if (!d || an >= sizeof vals / sizeof vals[0])
            return 0;
        if (up0 < 0)
            up0 = up;
        else if (up != up0)
            return 0; /* mixed case is a word, not a numeral */
        vals[an++] = d;
        i += (size_t)l;
    }
    int v = 0;
    for (size_t i = 0; i < an; i++)
        v += (i + 1 < an && vals[i] < vals[i + 1]) ? -vals[i] : vals[i];
    if (v <= 0 || v > 3999)
        return 0;
    /* canonical form only: write v back and compare digit by digit */
    size_t cn = 0;
    int x = v;
    for (size_t i = 0; i < sizeof R / sizeof R[0]; i++) {
        while (x >= R[i].v) {
            for (const char *r = R[i].r; *r; r++) {
                int u;
                if (cn >= an || roman_digit((uint32_t)*r, &u) != vals[cn])
                    return 0;
                cn++;
            }
            x -= R[i].v;
        }
    }
    return cn == an ? v : 0;
}

/* ---------------------------------------------------------------- small helpers */

static int is_ws(char ch) { return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r'; }

static int put_cp(ks_buf *b, int32_t cp)
{
    utf8proc_uint8_t tmp[4];
    utf8proc_ssize_t n = utf8proc_encode_char(cp, tmp);
    return ks_buf_append(b, (const char *)tmp, (size_t)n);
}

static int eq(const char *s, size_t n, const char *lit) { return strlen(lit) == n && memcmp(s, lit, n) == 0; }

/* ---------------------------------------------------------------- say-as readings (SSML <say-as>) */

int kk_say_characters(const char *text, size_t len, ks_buf *out)
{
    ks_buf tmp = {0};
    size_t i = 0;
    while (i < len) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)text + i, (utf8proc_ssize_t)(len - i), &cp);
        if (k <= 0) {
            i++;
            continue;
        }
        i += (size_t)k;
        int32_t lc = utf8proc_tolower(cp);
        utf8proc_category_t cat = utf8proc_category(cp);
        if (cp >= '0' && cp <= '9') {
            char d = (char)cp;
            number_digits(&tmp, &d, 1);
        } else if (kk_letter_name((uint32_t)lc)) {
            put_word(&tmp, kk_letter_name((uint32_t)lc));
        } else if (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO) {
            /* other letters (Latin): the capital letter itself; eSpeak names it */
            if (tmp.len)
                ks_buf_putc(&tmp, ' ');
            put_cp(&tmp, utf8proc_toupper(cp));
        }
        /* spaces, punctuation, symbols: not spelled */
    }
    int r = tmp.len ? 0 : -1;
    if (tmp.len)
        ks_buf_append(out, tmp.data, tmp.len);
    ks_buf_free(&tmp);
    return r;
}

/* Collect the digits of s, allowing group separators (space, NBSP, U+202F, U+2009)
 * between digits. Returns the number of digits or -1 on any other character. */
static int collect_digits(const char *s, size_t n, char *d, size_t cap)
{
    size_t nd = 0, i = 0;
    while (i < n) {
        unsigned char b = (unsigned char)s[i];
        if (b >= '0' && b <= '9') {
            if (nd + 1 >= cap)
                return -1;
            d[nd++] = (char)b;
            i++;
        } else if (b == ' ' && nd) {
            i++;
        } else if (b == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] == 0xA0 && nd) {
            i += 2;
        } else if (b == 0xE2 && i + 2 < n && (unsigned char)s[i + 1] == 0x80 &&
                   ((unsigned char)s[i + 2] == 0xAF || (unsigned char)s[i + 2] == 0x89) && nd) {
            i += 3;
        } else {
            return -1;
        }
    }
    d[nd] = '\0';
    return (int)nd;
}

static void trim(const char **s, size_t *n)
{
    while (*n && is_ws(**s)) {
        (*s)++;
        (*n)--;
    }
    while (*n && is_ws((*s)[*n - 1]))
        (*n)--;
}

#define DIG_MAX 128

int kk_say_cardinal(const char *text, size_t len, ks_buf *out)
{
    char d[DIG_MAX], f[DIG_MAX];
    trim(&text, &len);
    int neg = 0;
    if (len && (text[0] == '-' || text[0] == '+')) {
        neg = text[0] == '-' ? 1 : 2;
        text++;
        len--;
    } else if (len >= 3 && (unsigned char)text[0] == 0xE2 && (unsigned char)text[1] == 0x88 &&
               (unsigned char)text[2] == 0x92) { /* U+2212 minus */
        neg = 1;
        text += 3;
        len -= 3;
    }
    const char *comma = memchr(text, ',', len);
    size_t il = comma ? (size_t)(comma - text) : len;
    int nd = collect_digits(text, il, d, sizeof d);
    if (nd <= 0)
        return -1;
    int nf = 0;
    if (comma) {
        nf = collect_digits(comma + 1, len - il - 1, f, sizeof f);
        if (nf <= 0)
            return -1;
    }
    ks_buf tmp = {0};
    if (neg)
        ks_buf_puts(&tmp, neg == 1 ? "минус" : "плюс");
    if (comma)
        number_decimal(&tmp, d, (size_t)nd, f, (size_t)nf);
    else
        number_cardinal(&tmp, d, (size_t)nd);
    ks_buf_append(out, tmp.data ? tmp.data : "", tmp.len);
    ks_buf_free(&tmp);
    return 0;
}

int kk_say_ordinal(const char *text, size_t len, ks_buf *out)
{
    char d[DIG_MAX];
    trim(&text, &len);
    unsigned rv = (unsigned)kk_roman_value(text, len);
    if (rv) {
        ks_buf tmp = {0};
        number_ordinal_u64(&tmp, rv);
        ks_buf_append(out, tmp.data ? tmp.data : "", tmp.len);
        ks_buf_free(&tmp);
        return 0;
    }
    /* accept a written ordinal mark: "5.", "5-ші", "5-шы", "5-інші", "5-ыншы" */
    const char *hy = memchr(text, '-', len);
    if (hy) {
        static const char *const ends[] = {"ші", "шы", "інші", "ыншы", "нші", "ншы", "сыншы"};
        size_t rest = len - (size_t)(hy - text) - 1;
        int ok = 0;
        for (size_t i = 0; i < sizeof ends / sizeof ends[0]; i++)
            if (eq(hy + 1, rest, ends[i]))
                ok = 1;
        if (!ok)
            return -1;
        len = (size_t)(hy - text);
    } else if (len && text[len - 1] == '.') {
        len--;
    }
    int nd = collect_digits(text, len, d, sizeof d);
    if (nd <= 0)
        return -1;
    ks_buf tmp = {0};
    number_ordinal(&tmp, d, (size_t)nd);
    ks_buf_append(out, tmp.data ? tmp.data : "", tmp.len);
    ks_buf_free(&tmp);
    return 0;
}

int kk_say_digits(const char *text, size_t len, ks_buf *out)
{
    ks_buf tmp = {0};
    for (size_t i = 0; i < len; i++)
        if (text[i] >= '0' && text[i] <= '9')
            number_digits(&tmp, text + i, 1);
    if (tmp.len == 0) {
        ks_buf_free(&tmp);
        return -1;
    }
    ks_buf_append(out, tmp.data, tmp.len);
    ks_buf_free(&tmp);
    return 0;
}

/* Split text into up to 3 digit groups separated by . / - or spaces. */
static int date_groups(const char *s, size_t n, const char *g[3], size_t gl[3])
{
    int k = 0;
    size_t i = 0;
    while (i < n) {
        if (s[i] >= '0' && s[i] <= '9') {
            if (k == 3)
                return -1;
            g[k] = s + i;
            while (i < n && s[i] >= '0' && s[i] <= '9')
                i++;
            gl[k] = (size_t)(s + i - g[k]);
            if (gl[k] > 4)
                return -1;
            k++;
            if (i < n) {
                if (s[i] != '.' && s[i] != '/' && s[i] != '-' && s[i] != ' ')
                    return -1;
                i++;
                while (i < n && s[i] == ' ')
                    i++;
            }
        } else {
            return -1;
        }
    }
    return k;
}

static unsigned group_val(const char *s, size_t n)
{
    unsigned v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (unsigned)(s[i] - '0');
    return v;
}

int kk_say_date(const char *text, size_t len, const char *format, ks_buf *out)
{
    const char *g[3];
    size_t gl[3];
    trim(&text, &len);
    int k = date_groups(text, len, g, gl);
    if (k <= 0)
        return -1;
    const char *fmt = format && *format ? format : NULL;
    if (!fmt) {
        if (k == 3)
            fmt = gl[0] == 4 ? "ymd" : "dmy";
        else if (k == 2)
            fmt = gl[0] == 4 ? "ym" : gl[1] == 4 ? "my" : "dm";
        else
            fmt = gl[0] == 4 ? "y" : "d";
    }
    if ((int)strlen(fmt) != k)
        return -1;
    const char *y = NULL, *m = NULL, *d = NULL;
    size_t yl = 0, ml = 0, dl = 0;
    for (int i = 0; i < k; i++) {
        switch (fmt[i]) {
        case 'y': if (y) return -1; y = g[i]; yl = gl[i]; break;
        case 'm': if (m) return -1; m = g[i]; ml = gl[i]; break;
        case 'd': if (d) return -1; d = g[i]; dl = gl[i]; break;
        default: return -1;
        }
    }
    unsigned mv = m ? group_val(m, ml) : 1, dv = d ? group_val(d, dl) : 1;
    if (mv < 1 || mv > 12 || dv < 1 || dv > 31 || (m && ml > 2) || (d && dl > 2))
        return -1;
    ks_buf tmp = {0};
    if (y) {
        /* the year is an ordinal: "екі мың жиырмасыншы жылғы" (RULES.md §5) */
        number_ordinal(&tmp, y, yl);
        ks_buf_puts(&tmp, (m || d) ? " жылғы" : " жыл");
    }
    if (d) {
        size_t before = tmp.len;
        if (before)
            ks_buf_putc(&tmp, ' ');
        number_ordinal_u64(&tmp, dv);
        (void)before;
    }
    if (m) {
        if (tmp.len)
            ks_buf_putc(&tmp, ' ');
        ks_buf_puts(&tmp, kk_month_name((int)mv));
    }
    ks_buf_append(out, tmp.data ? tmp.data : "", tmp.len);
    ks_buf_free(&tmp);
    return 0;
}

/* minutes/seconds per RULES.md §11: 00 -> "нөл нөл", 0M -> "нөл M", else cardinal */
static void two_digits(ks_buf *b, const char *s, size_t n)
{
    if (n == 2 && s[0] == '0') {
        if (b->len)
            ks_buf_putc(b, ' ');
        ks_buf_puts(b, "нөл");
        if (s[1] == '0')
            ks_buf_puts(b, " нөл");
        else
            number_cardinal(b, s + 1, 1);
    } else {
        number_cardinal(b, s, n);
    }
}

int kk_say_time(const char *text, size_t len, ks_buf *out)
{
    const char *g[3];
    size_t gl[3];
    int k = 0;
    size_t i = 0;
    trim(&text, &len);
    while (i < len) {
        if (k == 3 || text[i] < '0' || text[i] > '9')
            return -1;
        g[k] = text + i;
        while (i < len && text[i] >= '0' && text[i] <= '9')
            i++;
        gl[k] = (size_t)(text + i - g[k]);
        if (gl[k] > 2)
            return -1;
        k++;
        if (i < len) {
            if (text[i] != ':' && text[i] != '.')
                return -1;
            i++;
            if (i == len)
                return -1;
        }
    }
    if (k < 2)
        return -1;
    unsigned h = group_val(g[0], gl[0]);
    if (h > 24 || group_val(g[1], gl[1]) > 59 || gl[1] != 2 || (k == 3 && (gl[2] != 2 || group_val(g[2], gl[2]) > 59)))
        return -1;
    ks_buf tmp = {0};
    number_cardinal_u64(&tmp, h); /* a leading zero of the hour is not read */
    two_digits(&tmp, g[1], gl[1]);
    if (k == 3)
        two_digits(&tmp, g[2], gl[2]);
    ks_buf_append(out, tmp.data ? tmp.data : "", tmp.len);
    ks_buf_free(&tmp);
    return 0;
}

int kk_say_telephone(const char *text, size_t len, ks_buf *out)
{
    ks_buf tmp = {0};
    size_t i = 0;
    int groups = 0;
    trim(&text, &len);
    while (i < len) {
        char ch = text[i];
        if (ch >= '0' && ch <= '9') {
            size_t s = i;
            while (i < len && text[i] >= '0' && text[i] <= '9')
                i++;
            number_cardinal(&tmp, text + s, i - s); /* leading zeros read as нөл (§19) */
            groups++;
        } else if (ch == '+') {
            if (tmp.len)
                ks_buf_putc(&tmp, ' ');
            ks_buf_puts(&tmp, "плюс");
            i++;
        } else if (ch == ' ' || ch == '-' || ch == '(' || ch == ')' || ch == '.') {
            i++;
        } else {
            ks_buf_free(&tmp);
            return -1;
        }
    }
    if (!groups) {
        ks_buf_free(&tmp);
        return -1;
    }
    ks_buf_append(out, tmp.data, tmp.len);
    ks_buf_free(&tmp);
    return 0;
}


/* ---------------------------------------------------------------- number words in a case (RULES §27) */

/* The last word of a number in the ablative ("B-den A" fractions: сегізден бір) and in the
 * dative ("A by B": төртке төрт жүз).  The endings follow the last sound: -дан/-ден after a
 * vowel or л р у й з ж, -тан/-тен after a voiceless consonant, -нан/-нен after м н ң. */
static const struct {
    const char *nom, *abl, *dat;
} NUMBER_CASES[] = {
    {"нөл", "нөлден", "нөлге"},       {"бір", "бірден", "бірге"},     {"екі", "екіден", "екіге"},
    {"үш", "үштен", "үшке"},          {"төрт", "төрттен", "төртке"},  {"бес", "бестен", "беске"},
    {"алты", "алтыдан", "алтыға"},    {"жеті", "жетіден", "жетіге"},  {"сегіз", "сегізден", "сегізге"},
    {"тоғыз", "тоғыздан", "тоғызға"}, {"он", "оннан", "онға"},        {"жиырма", "жиырмадан", "жиырмаға"},
    {"отыз", "отыздан", "отызға"},    {"қырық", "қырықтан", "қырыққа"}, {"елу", "елуден", "елуге"},
    {"алпыс", "алпыстан", "алпысқа"}, {"жетпіс", "жетпістен", "жетпіске"}, {"сексен", "сексеннен", "сексенге"},
    {"тоқсан", "тоқсаннан", "тоқсанға"}, {"жүз", "жүзден", "жүзге"},  {"мың", "мыңнан", "мыңға"},
};

int kk_number_case(ks_buf *out, int kase)
{
    size_t ws = out->len;
    while (ws > 0 && out->data[ws - 1] != ' ')
        ws--;
    for (size_t i = 0; i < sizeof NUMBER_CASES / sizeof NUMBER_CASES[0]; i++) {
        if (eq(out->data + ws, out->len - ws, NUMBER_CASES[i].nom)) {
            out->len = ws;
            ks_buf_puts(out, kase == KK_ABLATIVE ? NUMBER_CASES[i].abl : NUMBER_CASES[i].dat);
            return 1;
        }
    }
    return 0;
}
