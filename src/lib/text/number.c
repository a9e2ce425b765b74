/* number.c - Kazakh cardinal, ordinal and decimal spelling from static tables (RULES.md §1, §2, §6). */
#include <string.h>

#include "number.h"

static const char *const ONES[10] = {"нөл", "бір", "екі", "үш", "төрт", "бес", "алты", "жеті", "сегіз", "тоғыз"};
static const char *const TENS[10] = {"", "он", "жиырма", "отыз", "қырық", "елу", "алпыс", "жетпіс", "сексен", "тоқсан"};
/* scale words for groups of three digits, index = group number (1 = 10^3) */
static const char *const SCALES[7] = {"", "мың", "миллион", "миллиард", "триллион", "квадриллион", "квинтиллион"};

/* cardinal last word -> ordinal (only the last word of a number changes; §2) */
static const struct {
    const char *card, *ord;
} ORD[] = {
    {"нөл", "нөлінші"},         {"бір", "бірінші"},           {"екі", "екінші"},
    {"үш", "үшінші"},           {"төрт", "төртінші"},         {"бес", "бесінші"},
    {"алты", "алтыншы"},        {"жеті", "жетінші"},          {"сегіз", "сегізінші"},
    {"тоғыз", "тоғызыншы"},     {"он", "оныншы"},             {"жиырма", "жиырмасыншы"},
    {"отыз", "отызыншы"},       {"қырық", "қырқыншы"},        {"елу", "елуінші"},
    {"алпыс", "алпысыншы"},     {"жетпіс", "жетпісінші"},     {"сексен", "сексенінші"},
    {"тоқсан", "тоқсаныншы"},   {"жүз", "жүзінші"},           {"мың", "мыңыншы"},
    {"миллион", "миллионыншы"}, {"миллиард", "миллиардыншы"}, {"триллион", "триллионыншы"},
    {"квадриллион", "квадриллионыншы"}, {"квинтиллион", "квинтиллионыншы"},
};

/* 10^k denominators in the ablative for decimals (§6): last word -> ablative */
static const struct {
    const char *word, *abl;
} ABL[] = {
    {"он", "оннан"},           {"жүз", "жүзден"},           {"мың", "мыңнан"},
    {"миллион", "миллионнан"}, {"миллиард", "миллиардтан"}, {"триллион", "триллионнан"},
    {"квадриллион", "квадриллионнан"}, {"квинтиллион", "квинтиллионнан"},
};

static void word(ks_buf *out, const char *w)
{
    if (out->len > 0 && out->data[out->len - 1] != ' ')
        ks_buf_putc(out, ' ');
    ks_buf_puts(out, w);
}

/* 1..999 */
static void three(ks_buf *out, unsigned g)
{
    unsigned h = g / 100, t = (g / 10) % 10, u = g % 10;
    if (h) {
        if (h > 1)
            word(out, ONES[h]);
        word(out, "жүз");
    }
    if (t)
        word(out, TENS[t]);
    if (u)
        word(out, ONES[u]);
}

void number_cardinal_u64(ks_buf *out, uint64_t v)
{
    size_t start = out->len;
    if (v == 0) {
        word(out, ONES[0]);
        return;
    }
    unsigned groups[7];
    int ng = 0;
    while (v > 0 && ng < 7) {
        groups[ng++] = (unsigned)(v % 1000);
        v /= 1000;
    }
    int higher = 0;
    for (int s = ng - 1; s >= 0; s--) {
        unsigned g = groups[s];
        if (g == 0)
            continue;
        if (s == 1 && g == 1 && !higher) {
            word(out, "мың"); /* 1000-1999: мың without бір (§1) */
        } else if (s >= 2 && g == 1) {
            word(out, "бір");
            word(out, SCALES[s]);
        } else {
            three(out, g);
            if (s > 0)
                word(out, SCALES[s]);
        }
        higher = 1;
    }
    (void)start;
}

int number_parse_u64(const char *d, size_t n, uint64_t *v)
{
    while (n > 1 && d[0] == '0') {
        d++;
        n--;
    }
    if (n == 0 || n > 19)
        return 0;
    uint64_t x = 0;
    for (size_t i = 0; i < n; i++) {
        if (d[i] < '0' || d[i] > '9')
            return 0;
        x = x * 10 + (uint64_t)(d[i] - '0');
    }
    if (x > NUMBER_MAX_SPELLED)
        return 0;
    *v = x;
    return 1;
}

void number_digits(ks_buf *out, const char *d, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (d[i] >= '0' && d[i] <= '9')
            word(out, ONES[d[i] - '0']);
}

void number_cardinal(ks_buf *out, const char *d, size_t n)
{
    if (n == 0)
        return;
    size_t z = 0;
    while (z < n - 1 && d[z] == '0')
        z++;
    uint64_t v;
    if (n - z <= 19 && number_parse_u64(d + z, n - z, &v)) {
        for (size_t i = 0; i < z; i++)
            word(out, ONES[0]);
        number_cardinal_u64(out, v);
    } else {
        number_digits(out, d, n);
    }
}

int number_make_ordinal(ks_buf *out, size_t start)
{
    if (out->len <= start)
        return 0;
    size_t ws = out->len;
    while (ws > start && out->data[ws - 1] != ' ')
        ws--;
    size_t wl = out->len - ws;
    for (size_t i = 0; i < sizeof ORD / sizeof ORD[0]; i++) {
        if (strlen(ORD[i].card) == wl && memcmp(out->data + ws, ORD[i].card, wl) == 0) {
            out->len = ws;
            if (out->data)
                out->data[ws] = '\0';
            ks_buf_puts(out, ORD[i].ord);
            return 1;
        }
    }
    return 0;
}

void number_ordinal(ks_buf *out, const char *d, size_t n)
{
    size_t start = out->len;
    number_cardinal(out, d, n);
    number_make_ordinal(out, start);
}

void number_ordinal_u64(ks_buf *out, uint64_t v)
{
    size_t start = out->len;
    number_cardinal_u64(out, v);
    number_make_ordinal(out, start);
}

void number_decimal(ks_buf *out, const char *ip, size_t in, const char *fp, size_t fn)
{
    number_cardinal(out, ip, in);
    word(out, "бүтін");
    if (fn == 0 || fn > 18) {
        number_digits(out, fp, fn);
        return;
    }
    /* 10^fn spelled, without a leading "бір", last word in the ablative */
    uint64_t p = 1;
    for (size_t i = 0; i < fn; i++)
        p *= 10;
    size_t ds = out->len;
    number_cardinal_u64(out, p);
    if (out->len - ds > strlen(" бір ") && memcmp(out->data + ds, " бір ", strlen(" бір ")) == 0) {
        size_t cut = strlen(" бір");
        memmove(out->data + ds, out->data + ds + cut, out->len - ds - cut);
        out->len -= cut;
        out->data[out->len] = '\0';
    }
    size_t ws = out->len;
    while (ws > ds && out->data[ws - 1] != ' ')
        ws--;
    size_t wl = out->len - ws;
    for (size_t i = 0; i < sizeof ABL / sizeof ABL[0]; i++) {
        if (strlen(ABL[i].word) == wl && memcmp(out->data + ws, ABL[i].word, wl) == 0) {
            out->len = ws;
            out->data[ws] = '\0';
            ks_buf_puts(out, ABL[i].abl);
            break;
        }
    }
    /* leading zeros of the fraction are carried by the denominator */
    size_t z = 0;
    while (z < fn - 1 && fp[z] == '0')
        z++;
    uint64_t v;
    if (number_parse_u64(fp + z, fn - z, &v))
        number_cardinal_u64(out, v);
    else
        number_digits(out, fp + z, fn - z);
}
