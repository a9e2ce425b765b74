/* normalize.c - the Kazakh text normalizer (RULES.md): written Kazakh -> the words
 * a Kazakh speaker says, before eSpeak NG sees the text.
 *
 * One pass over tokens in a bounded window (linear time, bounded memory for any
 * line length); untouched spans are copied byte for byte. */
#include <stdlib.h>
#include <string.h>

#include "hygiene.h"
#include "kk_words.h"
#include "lexicon.h"
#include "norm_morph.h"
#include "normalize.h"
#include "number.h"
#include "status.h"
#include "utf8.h"

/* ---------------------------------------------------------------- tokens */

enum { T_END = 0, T_WORD, T_DIGITS, T_SPACE, T_PUNCT, T_NONE };
enum {
    F_UP0 = 1,   /* word starts with an uppercase letter */
    F_ALLUP = 2, /* no lowercase letter */
    F_CYR = 4,   /* only Cyrillic letters */
    F_LAT = 8,   /* only Latin letters */
    F_NL = 16,   /* space run containing a line break */
    F_SEP = 32,  /* exactly one group separator: space, U+00A0, U+202F, U+2009 */
    F_LOWER = 64 /* no uppercase letter */
};

typedef struct tok {
    size_t s, e;
    uint32_t cp;  /* PUNCT: the code point; WORD: first letter */
    uint32_t nch; /* code points */
    uint8_t type, f;
} tok;

#define WIN 1024 /* look-ahead window (tokens); rules look at most ~40 ahead, 3 behind */
#define SCRATCH_KEEP ((size_t)1 << 20)

struct ks_normalizer {
    const ks_lexicon *lex;
    ks_explain_fn explain;
    void *explain_user;
    ks_buf clean, hyg, wb, dig;
    int has_pron, has_units;
    unsigned char cyr[256];    /* U+0400..U+04FF: 1 letter, 2 upper, 4 lower */
    uint64_t bloom[3][64];     /* 4096-bit filters of (first bytes, length) of lexicon keys */
    /* per call */
    const char *p;
    size_t n, pos;
    tok ring[WIN];
    size_t lo, hi;
    tok endtok, nonetok;
    ks_buf *out;
    size_t pend;
    size_t force_ord_tok; /* second year of a year range */
    size_t gen_abbrev_end; /* source end + 1 of the last abbreviation read in its genitive form */
    size_t close_slash;    /* token of the slash closing a "/…/" aside, or (size_t)-1 */
    int list_named;        /* list_next_item skipped a name between items */
    size_t minute_end;     /* source end of the last possessed match minute (20 минутында), 0 = none */
};

static int cls_letter(const ks_normalizer *nz, uint32_t cp)
{
    if (cp >= 0x400 && cp <= 0x4FF)
        return nz->cyr[cp - 0x400] & 1;
    return cp_is_letter(cp);
}

static void scan(ks_normalizer *nz, tok *t)
{
    const char *p = nz->p;
    size_t n = nz->n, i = nz->pos;
    uint32_t cp;
    size_t l;
    unsigned char b0 = (unsigned char)p[i];
    if (b0 < 0x80) {
        cp = b0;
        l = 1;
    } else if (b0 >= 0xC2 && b0 <= 0xDF && i + 1 < n) {
        cp = ((uint32_t)(b0 & 0x1F) << 6) | ((unsigned char)p[i + 1] & 0x3F);
        l = 2;
    } else {
        l = utf8_decode(p + i, n - i, &cp);
    }
    t->s = i;
    t->f = 0;
    t->cp = cp;
    t->nch = 1;
    if (cp >= '0' && cp <= '9') {
        size_t j = i + 1;
        while (j < n && p[j] >= '0' && p[j] <= '9')
            j++;
        t->type = T_DIGITS;
        t->e = j;
        t->nch = (uint32_t)((j - i) > 0xFFFFFFF ? 0xFFFFFFF : (j - i));
    } else if (cp == ' ' && (i + 1 >= n || ((unsigned char)p[i + 1] > ' ' && (unsigned char)p[i + 1] != 0xC2 &&
                                            (unsigned char)p[i + 1] != 0xE2))) {
        t->type = T_SPACE; /* the common single space */
        t->e = i + 1;
        t->f = F_SEP;
    } else if (cp_is_space(cp)) {
        size_t j = i;
        uint32_t c = cp, cnt = 0;
        unsigned f = 0;
        while (j < n) {
            size_t ll = utf8_decode(p + j, n - j, &c);
            if (!cp_is_space(c))
                break;
            if (c == '\n' || c == '\r' || c == 0x0B || c == 0x0C || c == 0x85 || c == 0x2028 || c == 0x2029)
                f |= F_NL;
            if (cnt < 0xFFFFFFF)
                cnt++;
            j += ll;
        }
        if (cnt == 1 && (cp == ' ' || cp == 0xA0 || cp == 0x202F || cp == 0x2009))
            f |= F_SEP;
        t->type = T_SPACE;
        t->e = j;
        t->nch = cnt;
        t->f = (uint8_t)f;
    } else if (cls_letter(nz, cp)) {
        size_t j = i;
        uint32_t c, cnt = 0;
        unsigned seen = 0; /* 2 = some uppercase, 4 = some lowercase, 8 = non-Cyrillic, 16 = non-Latin */
        const unsigned char *cyr = nz->cyr;
        const unsigned char *u = (const unsigned char *)p;
        while (j < n) {
            unsigned char bj = u[j];
            if ((bj & 0xFC) == 0xD0 && j + 1 < n) {
                /* Cyrillic U+0400..U+04FF: table lookup */
                unsigned cl = cyr[((unsigned)(bj & 0x03) << 6) | (u[j + 1] & 0x3Fu)];
                if (!(cl & 1))
                    break;
                seen |= cl | 16u;
                j += 2;
            } else {
                size_t ll = utf8_decode(p + j, n - j, &c);
                if (!cp_is_letter(c))
                    break;
                seen |= cp_is_upper(c) ? 2u : cp_is_lower(c) ? 4u : 0u;
                if (!cp_is_cyrillic(c))
                    seen |= 8u;
                if (!cp_is_latin(c))
                    seen |= 16u;
                j += ll;
            }
            if (cnt < 0xFFFFFFF)
                cnt++;
        }
        int any_up = (seen & 2) != 0, any_low = (seen & 4) != 0, all_cyr = !(seen & 8), all_lat = !(seen & 16);
        unsigned f = 0;
        if (cp_is_upper(cp))
            f |= F_UP0;
        if (!any_low && any_up)
            f |= F_ALLUP;
        if (!any_up)
            f |= F_LOWER;
        if (all_cyr)
            f |= F_CYR;
        if (all_lat)
            f |= F_LAT;
        t->type = T_WORD;
        t->e = j;
        t->nch = cnt;
        t->f = (uint8_t)f;
    } else {
        t->type = T_PUNCT;
        t->e = i + l;
    }
    nz->pos = t->e;
}

/* Token k (absolute index).  Tokens older than the window read as T_NONE, past the end as T_END. */
static const tok *T(ks_normalizer *nz, size_t k)
{
    if (k < nz->lo)
        return &nz->nonetok;
    while (k >= nz->hi) {
        if (nz->pos >= nz->n)
            return &nz->endtok;
        if (nz->hi - nz->lo == WIN)
            nz->lo++;
        scan(nz, &nz->ring[nz->hi & (WIN - 1)]);
        nz->hi++;
    }
    return &nz->ring[k & (WIN - 1)];
}

/* token k-1 (NONE for k == 0) */
static const tok *TB(ks_normalizer *nz, size_t k, size_t back)
{
    return k < back ? &nz->nonetok : T(nz, k - back);
}

static const char *TX(ks_normalizer *nz, const tok *t) { return nz->p + t->s; }
static size_t TL(const tok *t) { return t->e - t->s; }
static int is_punct(const tok *t, uint32_t cp) { return t->type == T_PUNCT && t->cp == cp; }
static int is_sp(const tok *t) { return t->type == T_SPACE && !(t->f & F_NL); }
static int is_hyphen(const tok *t) { return t->type == T_PUNCT && (t->cp == '-' || t->cp == 0x2011); }
static int is_rangedash(const tok *t) { return t->type == T_PUNCT && (t->cp == '-' || t->cp == 0x2013 || t->cp == 0x2011); }
static int tok_eq(ks_normalizer *nz, const tok *t, const char *s)
{
    size_t l = strlen(s);
    return TL(t) == l && memcmp(TX(nz, t), s, l) == 0;
}

static int times_sign(ks_normalizer *nz, const tok *t)
{
    return t->type == T_WORD && t->nch == 1 && (tok_eq(nz, t, "x") || tok_eq(nz, t, "х"));
}

/* ---------------------------------------------------------------- lexicon pre-filter */

enum { BL_ACRONYM, BL_UNIT_ANY, BL_PRON };

static unsigned bloom_bit(const char *s, size_t n)
{
    unsigned h = (unsigned)n * 131u;
    if (n > 0)
        h = h * 31u + (unsigned char)s[0];
    if (n > 1)
        h = h * 31u + (unsigned char)s[1];
    if (n > 2)
        h = h * 31u + (unsigned char)s[n - 1];
    return (h ^ (h >> 12)) & 4095u;
}

static void bloom_add(ks_normalizer *nz, int which, const char *s, size_t n)
{
    unsigned b = bloom_bit(s, n);
    nz->bloom[which][b >> 6] |= (uint64_t)1 << (b & 63);
}

static int bloom_has(const ks_normalizer *nz, int which, const char *s, size_t n)
{
    unsigned b = bloom_bit(s, n);
    return (nz->bloom[which][b >> 6] >> (b & 63)) & 1;
}

/* ---------------------------------------------------------------- output */

static void flush_to(ks_normalizer *nz, size_t off)
{
    if (off > nz->pend)
        ks_buf_append(nz->out, nz->p + nz->pend, off - nz->pend);
    if (off > nz->pend)
        nz->pend = off;
}

static void emit(ks_normalizer *nz, size_t s, size_t e, const char *rule, const char *w, size_t wl)
{
    flush_to(nz, s);
    ks_buf *out = nz->out;
    if (wl && w[0] == '[' && out->len && out->data[out->len - 1] == '[')
        ks_buf_putc(out, ' ');
    ks_buf_append(out, w, wl);
    nz->pend = e;
    if (nz->explain)
        nz->explain(nz->p + s, e - s, rule, w, wl, nz->explain_user);
}

static void emit_wb(ks_normalizer *nz, size_t s, size_t e, const char *rule)
{
    emit(nz, s, e, rule, nz->wb.data ? nz->wb.data : "", nz->wb.len);
}

static void put_word(ks_buf *b, const char *w, size_t n)
{
    if (b->len && b->data[b->len - 1] != ' ')
        ks_buf_putc(b, ' ');
    ks_buf_append(b, w, n);
}

static size_t last_word_start(const ks_buf *b)
{
    size_t i = b->len;
    while (i > 0 && b->data[i - 1] != ' ')
        i--;
    return i;
}

/* ---------------------------------------------------------------- word classes */

/* copy a word with its first letter lowercased into buf; returns length or 0 if too long */
static size_t lower_first(ks_normalizer *nz, const tok *t, char *buf, size_t cap)
{
    size_t l = TL(t);
    if (l + 4 > cap || l == 0)
        return 0;
    uint32_t c;
    size_t cl = utf8_decode(TX(nz, t), l, &c);
    size_t ol = utf8_encode(cp_tolower(c), buf);
    memcpy(buf + ol, TX(nz, t) + cl, l - cl);
    return ol + l - cl;
}

/* month name with any inflection; returns month 1..12 or 0 */
static int month_word(ks_normalizer *nz, const tok *t)
{
    if (t->type != T_WORD || !(t->f & F_CYR) || TL(t) > 64)
        return 0;
    char buf[72];
    size_t l = lower_first(nz, t, buf, sizeof buf);
    if (!l)
        return 0;
    for (int m = 0; m < 12; m++) {
        const char *mn = kk_month_name(m + 1);
        size_t ml = strlen(mn);
        if (l >= ml && memcmp(buf, mn, ml) == 0) {
            morph_seq ms;
            if (l == ml || morph_parse(buf + ml, l - ml, &ms))
                return m + 1;
        }
        /* қыркүйек -> қыркүйег- before a vowel (қыркүйегіндегі, қыркүйегіне; RULES §30) */
        if (ml > 2 && memcmp(mn + ml - 2, "к", 2) == 0 && l > ml && memcmp(buf, mn, ml - 2) == 0 &&
            memcmp(buf + ml - 2, "г", 2) == 0) {
            morph_seq ms;
            if (morph_parse(buf + ml, l - ml, &ms))
                return m + 1;
        }
    }
    return 0;
}

/* "жыл" with an ending, not the adjectival жылдық/жылдығы (anniversary, N-year) */
static int jyl_word(ks_normalizer *nz, const tok *t, int *adjectival)
{
    static const char J[] = "жыл";
    *adjectival = 0;
    if (t->type != T_WORD || TL(t) < sizeof J - 1 || TL(t) > 64)
        return 0;
    const char *s = TX(nz, t);
    size_t l = TL(t), jl = sizeof J - 1;
    char low[72];
    if (!(t->f & F_LOWER)) { /* a caps headline: "1920—1930 ЖЫЛДАРДАҒЫ" (§33) */
        if (!(t->f & F_ALLUP))
            return 0;
        size_t o = 0;
        for (size_t i = 0; i < l;) {
            uint32_t c;
            size_t cl = utf8_decode(s + i, l - i, &c);
            if (!cl || o + 4 > sizeof low)
                return 0;
            o += utf8_encode(cp_tolower(c), low + o);
            i += cl;
        }
        s = low;
        l = o;
    }
    if (memcmp(s, J, jl) != 0)
        return 0;
    if (l == jl)
        return 1;
    const char *r = s + jl;
    size_t rl = l - jl;
    if (rl >= 4 && memcmp(r, "ғы", 4) == 0) { /* жылғы */
        morph_seq m;
        return rl == 4 || morph_parse(r + 4, rl - 4, &m);
    }
    morph_seq m;
    if (!morph_parse(r, rl, &m))
        return 0;
    if (m.cat[0] == MC_ADJ) {
        *adjectival = 1;
        return 0;
    }
    return 1;
}

static int word_in(ks_normalizer *nz, const tok *t, const char *const *list)
{
    if (t->type != T_WORD || TL(t) > 64)
        return 0;
    char buf[72];
    size_t l = lower_first(nz, t, buf, sizeof buf);
    for (; *list; list++) {
        size_t ll = strlen(*list);
        if (l >= ll && memcmp(buf, *list, ll) == 0)
            return 1;
    }
    return 0;
}

/* ---------------------------------------------------------------- lexicon matching */

static int unit_punct_ok(uint32_t cp)
{
    if (cp == '.' || cp == '/' || cp == '$' || cp == 0xB2 || cp == 0xB3 || cp == 0xB0)
        return 1;
    if (cp < 0x80)
        return 0;
    switch (cp) {
    case 0xAB: case 0xBB: case 0x2013: case 0x2014: case 0x2018: case 0x2019: case 0x201C: case 0x201D:
    case 0x201E: case 0x2026: case 0x2011:
        return 0;
    default:
        return 1;
    }
}

/* Longest lexicon key made of up to 4 adjacent tokens starting at k ("км", "м²", "°C", "ш.м.", "₸"). */
static const lex_entry *match_adjacent(ks_normalizer *nz, size_t k, int kind, size_t *kend)
{
    char key[64];
    size_t kl = 0;
    const lex_entry *best = NULL;
    if (!nz->lex)
        return NULL;
    for (size_t j = k; j < k + 4; j++) {
        tok t = *T(nz, j);
        if (t.type == T_PUNCT) {
            if (!unit_punct_ok(t.cp))
                break;
        } else if (t.type != T_WORD) {
            break;
        }
        if (kl + TL(&t) > sizeof key)
            break;
        memcpy(key + kl, TX(nz, &t), TL(&t));
        kl += TL(&t);
        const lex_entry *e = lexicon_find(nz->lex, kind, key, kl);
        if (e) {
            best = e;
            *kend = j + 1;
        }
    }
    return best;
}

/* Period abbreviation: WORD "." [ " " ] WORD "." ... (up to 4 parts), longest known key. */
static const lex_entry *match_dotted(ks_normalizer *nz, size_t k, size_t *kend)
{
    char key[72];
    size_t kl = 0, ends[4], lens[4];
    int np = 0;
    size_t j = k;
    if (!nz->lex)
        return NULL;
    while (np < 4) {
        tok w = *T(nz, j);
        if (w.type != T_WORD || TL(&w) > 24)
            break;
        tok d = *T(nz, j + 1);
        if (kl + TL(&w) + 1 > sizeof key)
            break;
        if (!is_punct(&d, '.')) {
            /* the last part written without its period: "(бұр.ред.қара)" (corpus) */
            if (np >= 2 && (w.f & F_LOWER) && T(nz, j - 1)->e == w.s && d.type != T_WORD && d.type != T_DIGITS) {
                memcpy(key + kl, TX(nz, &w), TL(&w));
                kl += TL(&w);
                key[kl++] = '.';
                ends[np] = j + 1;
                lens[np] = kl;
                np++;
            }
            break;
        }
        memcpy(key + kl, TX(nz, &w), TL(&w));
        kl += TL(&w);
        key[kl++] = '.';
        ends[np] = j + 2;
        lens[np] = kl;
        np++;
        j += 2;
        tok s = *T(nz, j);
        if (s.type == T_SPACE && TL(&s) == 1 && nz->p[s.s] == ' ') {
            tok w2 = *T(nz, j + 1);
            tok d2 = *T(nz, j + 2);
            if (w2.type == T_WORD && w2.nch <= 3 && (w2.f & F_LOWER) && is_punct(&d2, '.'))
                j++;
            else
                break;
        }
    }
    for (int i = np - 1; i >= 0; i--) {
        const lex_entry *e = lexicon_find(nz->lex, LEX_ABBREV, key, lens[i]);
        if (e) {
            *kend = ends[i];
            return e;
        }
    }
    /* At the start of a sentence: "Тел.", "Мыс.", "Проф." (a capital letter alone
     * before a period is an initial, not an abbreviation). */
    tok w0 = *T(nz, k);
    if (np > 0 && (w0.f & F_UP0) && !(w0.f & F_ALLUP) && w0.nch >= 2) {
        char low[80];
        size_t l0 = lower_first(nz, &w0, low, sizeof low);
        if (l0 && l0 + (kl - TL(&w0)) <= sizeof low) {
            memcpy(low + l0, key + TL(&w0), kl - TL(&w0));
            for (int i = np - 1; i >= 0; i--) {
                size_t li = l0 + lens[i] - TL(&w0);
                const lex_entry *e = lexicon_find(nz->lex, LEX_ABBREV, low, li);
                if (e) {
                    *kend = ends[i];
                    return e;
                }
            }
        }
    }
    return NULL;
}

static const lex_entry *year_abbrev_at(ks_normalizer *nz, size_t k)
{
    size_t kend;
    tok t = *T(nz, k);
    if (t.type != T_WORD || !(t.f & F_LOWER))
        return NULL;
    const lex_entry *e = match_dotted(nz, k, &kend);
    return (e && (e->flags & LF_YEAR)) ? e : NULL;
}

/* ---------------------------------------------------------------- numbers */

/* A suffix written after a hyphen at k ("-ке"): returns 1 and fills m when T(k) is a hyphen
 * followed by an adjacent lowercase word made only of endings. */
static int suffix_at(ks_normalizer *nz, size_t k, morph_seq *m, tok *word)
{
    tok h = *T(nz, k);
    if (!is_hyphen(&h) && !is_punct(&h, 0x2013)) /* "15:00–де": an en dash for the hyphen (RULES §31) */
        return 0;
    tok w = *T(nz, k + 1);
    if (w.type != T_WORD || !(w.f & F_LOWER) || !(w.f & F_CYR) || w.s != h.e)
        return 0;
    if (!morph_parse(TX(nz, &w), TL(&w), m))
        return 0;
    *word = w;
    return 1;
}

/* "-<word>" that makes the number before it an ordinal (§3.1, §3.2) */
/* A case ending written apart (real text): "83% — ы", "ҰБТ -ны", and after a time also a bare locative
 * "11:15 те". Particles that are words of their own (да/де/та/те, ма/ме, мен...) are not taken after a
 * dash. Sets *knext to the token after the ending. */
static int suffix_after(ks_normalizer *nz, size_t k, morph_seq *m, tok *word, size_t *knext, int bare_loc)
{
    static const char *const PARTICLE[] = {"да", "де", "та", "те", "ма", "ме", "ба", "бе", "па", "пе",
                                           "мен", "бен", "пен", "ғой", "қой", "ше", "ша", NULL};
    if (suffix_at(nz, k, m, word)) {
        *knext = k + 2;
        return 1;
    }
    tok a = *T(nz, k), b = *T(nz, k + 1), c = *T(nz, k + 2);
    size_t kw;
    if (!is_sp(&a))
        return 0;
    if (b.type == T_PUNCT && (b.cp == '-' || b.cp == 0x2013 || b.cp == 0x2014))
        kw = is_sp(&c) ? k + 3 : k + 2;
    else if (bare_loc)
        kw = k + 1;
    else
        return 0;
    tok w = *T(nz, kw), after = *T(nz, kw + 1);
    if (w.type != T_WORD || !(w.f & F_LOWER) || !(w.f & F_CYR) || w.nch > 4 || after.type == T_WORD ||
        after.type == T_DIGITS || !morph_parse(TX(nz, &w), TL(&w), m))
        return 0;
    int particle = 0;
    for (const char *const *q = PARTICLE; *q; q++)
        particle |= strlen(*q) == TL(&w) && memcmp(*q, TX(nz, &w), TL(&w)) == 0;
    if (kw == k + 1 ? !(m->n == 1 && m->cat[0] == MC_LOC) : particle)
        return 0;
    if (m->cat[0] < MC_PL || m->cat[0] == MC_ADJ || m->cat[0] == MC_APPROX)
        return 0; /* "— ау" is an interjection, not the collective ending */
    *word = w;
    *knext = kw + 1;
    return 1;
}

/* A bare ending after a time is taken only when it is the locative this number takes ("11:15 те");
 * "10:15 да" is the particle да ("also"). */
static int locative_agrees(const ks_buf *w, const morph_seq *m, const tok *sw, ks_normalizer *nz)
{
    size_t ls = last_word_start(w);
    ks_buf b;
    ks_buf_init(&b, 0);
    ks_buf_append(&b, w->data + ls, w->len - ls);
    size_t base = b.len;
    morph_inflect(&b, m, 0, 0);
    int ok = !b.failed && b.len - base == TL(sw) && memcmp(b.data + base, TX(nz, sw), TL(sw)) == 0;
    ks_buf_free(&b);
    return ok;
}

static int ordinal_word_at(ks_normalizer *nz, size_t k)
{
    tok h = *T(nz, k);
    if (!is_hyphen(&h))
        return 0;
    tok w = *T(nz, k + 1);
    if (w.type != T_WORD || !(w.f & F_CYR) || TL(&w) > 200)
        return 0;
    morph_seq m;
    if ((w.f & F_LOWER) && morph_parse(TX(nz, &w), TL(&w), &m))
        return 0;
    int adj;
    if (!jyl_word(nz, &w, &adj) && adj)
        return 0;
    /* a measure written out after the hyphen counts: "20 метрден 25-метрге", "3-километрлік" (corpus) */
    static const char *const MEASURE[] = {"метр", "километр", "сантиметр", "миллиметр", "грамм", "килограмм",
                                          "тонна", "литр", "гектар", "центнер", NULL};
    if ((w.f & F_LOWER) && word_in(nz, &w, MEASURE))
        return 0;
    return 1;
}

/* year context after a number or range end at k: " жыл…", " ж.", " жж.", " оқу жылы…" */
static int year_context(ks_normalizer *nz, size_t k)
{
    tok s = *T(nz, k);
    if (s.type == T_WORD && s.s == TB(nz, k, 1)->e && year_abbrev_at(nz, k))
        return 1; /* 2008жж. (§32) */
    if (!is_sp(&s))
        return 0;
    tok w = *T(nz, k + 1);
    int adj;
    if (jyl_word(nz, &w, &adj))
        return 1;
    if (year_abbrev_at(nz, k + 1))
        return 1;
    tok s2 = *T(nz, k + 2), w2 = *T(nz, k + 3);
    if (w.type == T_WORD && (w.f & F_LOWER) && is_sp(&s2) && jyl_word(nz, &w2, &adj))
        return 1;
    return 0;
}

static void gen_number(ks_normalizer *nz, ks_buf *w, const char *fp, size_t fn, int ord)
{
    const char *d = nz->dig.data ? nz->dig.data : "0";
    size_t dn = nz->dig.len;
    if (fp)
        number_decimal(w, d, dn, fp, fn);
    else if (ord)
        number_ordinal(w, d, dn);
    else
        number_cardinal(w, d, dn);
}

static const char *const DURATION_AFTER[] = {"бұрын", "бойы", "ішінде", NULL};

/* Phone numbers (§19): "+7"/"8" then groups totalling 10 digits. kp = prefix digits token. */
static size_t rule_phone(ks_normalizer *nz, size_t kstart, size_t kp, int plus)
{
    tok pre = *T(nz, kp);
    if (!(TL(&pre) == 1 && (nz->p[pre.s] == '7' || (!plus && nz->p[pre.s] == '8'))))
        return 0;
    size_t groups_s[8], groups_e[8];
    int ng = 0;
    size_t total = 0, j = kp + 1, last = kp;
    int seps = 0;
    while (ng < 8 && total < 10) {
        tok t = *T(nz, j);
        if (is_sp(&t) || is_hyphen(&t) || is_punct(&t, '(') || is_punct(&t, ')')) {
            if (++seps > 3)
                return 0;
            j++;
            continue;
        }
        if (t.type != T_DIGITS || TL(&t) < 2 || seps == 0)
            return 0;
        if (ng == 0 ? (TL(&t) < 3 || TL(&t) > 5) : TL(&t) > 4) /* area code 3-5 digits, then 2-4 */
            return 0;
        groups_s[ng] = t.s;
        groups_e[ng] = t.e;
        ng++;
        total += TL(&t);
        last = j;
        seps = 0;
        j++;
    }
    if (total != 10 || ng < 3)
        return 0;
    tok after = *T(nz, last + 1);
    if (after.type == T_DIGITS || (is_hyphen(&after) && T(nz, last + 2)->type == T_DIGITS))
        return 0;
    ks_buf *w = &nz->wb;
    ks_buf_reset(w);
    if (plus)
        put_word(w, "плюс", strlen("плюс"));
    number_cardinal(w, nz->p + pre.s, 1);
    for (int g = 0; g < ng; g++)
        number_cardinal(w, nz->p + groups_s[g], groups_e[g] - groups_s[g]);
    tok first = *T(nz, kstart);
    tok lt = *T(nz, last);
    emit_wb(nz, first.s, lt.e, "phone");
    return last + 1 - kstart;
}

/* ---------------------------------------------------------------- fractions, sizes, Latin + digits (RULES §27, §35) */

/* "1/8 финалда" -> "сегізден бір финалда": B in the ablative, then A; a suffix goes on A. */
static size_t rule_fraction(ks_normalizer *nz, size_t k)
{
    tok a = *T(nz, k), sl = *T(nz, k + 1), b = *T(nz, k + 2), nx = *T(nz, k + 3), pv = *TB(nz, k, 1);
    uint64_t av, bv;
    if (!is_punct(&sl, '/') || b.type != T_DIGITS || TL(&a) > 3 || TL(&b) > 3)
        return 0;
    if (is_punct(&pv, '/') || is_punct(&pv, '.') || is_punct(&nx, '/') || is_punct(&nx, '.') ||
        (pv.type == T_WORD && pv.e == a.s) || (nx.type == T_WORD && nx.s == b.e && !(nx.f & F_CYR)))
        return 0;
    number_parse_u64(TX(nz, &a), TL(&a), &av);
    number_parse_u64(TX(nz, &b), TL(&b), &bv);
    if (!(av >= 1 && av < bv && bv <= 100) || nz->p[a.s] == '0' || nz->p[b.s] == '0')
        return 0;
    ks_buf *w = &nz->wb;
    ks_buf_reset(w);
    number_cardinal_u64(w, bv);
    kk_number_case(w, KK_ABLATIVE);
    number_cardinal_u64(w, av);
    size_t end = b.e, kk = k + 3;
    morph_seq ms;
    tok sw;
    if (suffix_at(nz, kk, &ms, &sw)) {
        morph_glue(w, last_word_start(w), TX(nz, &sw), TL(&sw));
        end = sw.e;
        kk += 2;
    }
    emit_wb(nz, a.s, end, "fraction");
    return kk - k;
}

/* ½ ⅓ ¼ ¾ (RULES §27) */
static size_t rule_vulgar_fraction(ks_normalizer *nz, const tok *t)
{
    static const struct {
        uint32_t cp;
        unsigned a, b;
    } V[] = {{0xBD, 1, 2}, {0x2153, 1, 3}, {0xBC, 1, 4}, {0xBE, 3, 4}};
    for (size_t i = 0; i < sizeof V / sizeof V[0]; i++) {
        if (t->cp != V[i].cp)
            continue;
        ks_buf *w = &nz->wb;
        ks_buf_reset(w);
        number_cardinal_u64(w, V[i].b);
        kk_number_case(w, KK_ABLATIVE);
        number_cardinal_u64(w, V[i].a);
        emit_wb(nz, t->s, t->e, "fraction");
        return 1;
    }
    return 0;
}

/* "4x400 метр", "3х3", "2 × 5": A in the dative, then B read on its own ("A by B"). */
static size_t rule_times(ks_normalizer *nz, size_t k)
{
    tok a = *T(nz, k), x = *T(nz, k + 1), b = *T(nz, k + 2);
    size_t kb = k + 2;
    int glued = times_sign(nz, &x) || is_punct(&x, 0xD7) || is_punct(&x, '*');
    if (glued && (x.s != a.e || b.s != x.e))
        glued = 0;
    if (!glued) {
        tok x2 = *T(nz, k + 2), s2 = *T(nz, k + 3);
        if (!(is_sp(&x) && (is_punct(&x2, 0xD7) || is_punct(&x2, '*')) && is_sp(&s2)))
            return 0;
        kb = k + 4;
        b = *T(nz, kb);
    }
    if (b.type != T_DIGITS || TL(&a) > 4 || TL(&b) > 6 || TB(nz, k, 1)->type == T_WORD)
        return 0;
    ks_buf *w = &nz->wb;
    ks_buf_reset(w);
    number_cardinal(w, TX(nz, &a), TL(&a));
    if (!kk_number_case(w, KK_DATIVE))
        return 0;
    ks_buf_putc(w, ' ');
    emit_wb(nz, a.s, b.s, "multiplication");
    return kb - k;
}

/* "COVID-19", "5G", "4G": the digits as a cardinal, one space from the Latin part (RULES §35) */
static size_t rule_latin_digits(ks_normalizer *nz, size_t k)
{
    tok d = *T(nz, k), pv = *TB(nz, k, 1), pv2 = *TB(nz, k, 2), nx = *T(nz, k + 1);
    int after = (pv.type == T_WORD && (pv.f & F_LAT) && pv.e == d.s && !times_sign(nz, &pv)) ||
                (pv.type == T_WORD && pv.nch == 1 && (pv.f & F_UP0) && pv.e == d.s && !times_sign(nz, &pv) &&
                 TB(nz, k, 2)->type != T_WORD); /* a Cyrillic letter name: "А4 парақтары" (corpus) */
    int after_hy = is_hyphen(&pv) && pv.e == d.s && pv2.type == T_WORD && (pv2.f & F_LAT) && pv2.e == pv.s;
    int before = nx.type == T_WORD && (nx.f & F_LAT) && nx.s == d.e;
    if (!(after || after_hy || before) || TL(&d) > 6)
        return 0;
    ks_buf *w = &nz->wb;
    ks_buf_reset(w);
    if (after || after_hy)
        ks_buf_putc(w, ' ');
    number_cardinal(w, TX(nz, &d), TL(&d));
    if (w->len && w->data[0] == ' ' && w->len > 1 && w->data[1] == ' ')
        memmove(w->data, w->data + 1, --w->len);
    if (before)
        ks_buf_putc(w, ' ');
    emit_wb(nz, after_hy ? pv.s : d.s, d.e, "latin_digits");
    return 1;
}

/* ---------------------------------------------------------------- list markers (RULES §36) */

static int at_line_start(ks_normalizer *nz, size_t k)
{
    tok pv = *TB(nz, k, 1);
    return pv.type == T_NONE || (k == 0) || (pv.type == T_SPACE && (pv.f & F_NL));
}

/* "1. Text", "3) text" at the start of a line: the number is an ordinal, the mark stays;
 * "4) тармақшасын" inside a sentence: an ordinal, the ")" goes. */
static size_t rule_list_marker(ks_normalizer *nz, size_t k)
{
    static const char *const SUBITEM[] = {"тармақша", NULL};
    tok d = *T(nz, k), m = *T(nz, k + 1), sp = *T(nz, k + 2), nw = *T(nz, k + 3);
    if (TL(&d) > 3 || !(is_punct(&m, '.') || is_punct(&m, ')')) || !is_sp(&sp))
        return 0;
    tok pv = *TB(nz, k, 1);
    ks_buf *w = &nz->wb;
    ks_buf_reset(w);
    number_ordinal(w, TX(nz, &d), TL(&d));
    if (at_line_start(nz, k)) {
        emit_wb(nz, d.s, d.e, "list_marker");
        return 1;
    }
    if (is_punct(&m, ')') && !is_punct(&pv, '(') && word_in(nz, &nw, SUBITEM)) {
        emit_wb(nz, d.s, m.e, "sub_item");
        return 2;
    }
    return 0;
}

/* A multi-level outline number at the start of a line ("7.2. Text", "3.1.4 Text"): the parts as
 * cardinals joined by нүкте, a final "." kept (an extension of RULES §36 list markers). */
static size_t rule_outline_number(ks_normalizer *nz, size_t k)
{
    if (!at_line_start(nz, k))
        return 0;
    size_t j = k;
    int parts = 1;
    while (parts < 5 && is_punct(T(nz, j + 1), '.') && T(nz, j + 2)->type == T_DIGITS && TL(T(nz, j + 2)) <= 3) {
        j += 2;
        parts++;
    }
    tok d = *T(nz, k), nx = *T(nz, j + 1), sp = *T(nz, j + 2);
    if (parts < 2 || TL(&d) > 3 || !((is_punct(&nx, '.') && is_sp(&sp)) || (is_sp(&nx) && parts >= 3)))
        return 0;
    ks_buf *w = &nz->wb;
    ks_buf_reset(w);
    for (size_t i = k; i <= j; i += 2) {
        tok p = *T(nz, i);
        if (i > k)
            put_word(w, "нүкте", strlen("нүкте"));
        number_cardinal(w, TX(nz, &p), TL(&p));
    }
    emit_wb(nz, d.s, T(nz, j)->e, "outline_number");
    return j + 1 - k;
}

/* ---------------------------------------------------------------- scores (RULES §26) */

static const char *const ESEP[] = {"есеп", NULL};          /* есебімен, есебі, есепті: stem + ending */
static const char *const RATIO[] = {"қатынас", "масштаб", NULL};

static int word_stem_in(ks_normalizer *nz, const tok *t, const char *const *stems)
{
    static const char *const ESEB[] = {"есеб", NULL};
    if (stems == ESEP && word_in(nz, t, ESEB))
        return 1;
    return word_in(nz, t, stems);
}

/* A:B at k with 1-3 digit parts; fills a and b */
static int colon_pair(ks_normalizer *nz, size_t k, uint64_t *a, uint64_t *b, size_t *blen)
{
    tok x = *T(nz, k), c = *T(nz, k + 1), y = *T(nz, k + 2);
    if (x.type != T_DIGITS || !is_punct(&c, ':') || y.type != T_DIGITS || TL(&x) > 3 || TL(&y) > 3)
        return 0;
    number_parse_u64(TX(nz, &x), TL(&x), a);
    number_parse_u64(TX(nz, &y), TL(&y), b);
    *blen = TL(&y);
    return 1;
}

/* The pairs from k on, joined by ", " and brackets, end right before an есеп-word (§26.1, propagation). */
static int score_run_before_esep(ks_normalizer *nz, size_t k)
{
    uint64_t a, b;
    size_t bl;
    for (int items = 0; items < 12; items++) {
        if (!colon_pair(nz, k, &a, &b, &bl))
            return 0;
        k += 3;
        int seps = 0;
        for (;;) {
            tok t = *T(nz, k);
            if (seps < 3 && (is_sp(&t) || is_punct(&t, ',') || is_punct(&t, '(') || is_punct(&t, ')'))) {
                k++;
                seps++;
                continue;
            }
            break;
        }
        tok t = *T(nz, k), pv = *T(nz, k - 1);
        if (t.type == T_WORD)
            return is_sp(&pv) && word_stem_in(nz, &t, ESEP);
        if (t.type != T_DIGITS)
            return 0;
    }
    return 0;
}

/* "есеп:", "есеп -", "есеп —" right before k */
static int esep_before(ks_normalizer *nz, size_t k)
{
    size_t j = k;
    tok t = *TB(nz, j, 1);
    if (is_sp(&t))
        t = *TB(nz, --j, 1);
    if (!(is_punct(&t, ':') || is_rangedash(&t) || is_punct(&t, 0x2014)))
        return 0;
    j--;
    t = *TB(nz, j, 1);
    if (is_sp(&t))
        t = *TB(nz, --j, 1);
    return t.type == T_WORD && t.nch == 4 && word_in(nz, &t, ESEP);
}

static int inside_score_brackets(ks_normalizer *nz, size_t k)
{
    /* "(25:22, 22:25, ...)": walk back over pairs to the bracket, then check the run */
    size_t j = k;
    for (int i = 0; i < 12 && j >= 2; i++) {
        tok p1 = *TB(nz, j, 1);
        if (is_punct(&p1, '('))
            return score_run_before_esep(nz, j);
        tok p2 = *TB(nz, j, 2), p3 = *TB(nz, j, 3), p4 = *TB(nz, j, 4);
        if (is_sp(&p1) && is_punct(&p2, ',') && p3.type == T_DIGITS && is_punct(&p4, ':'))
            j -= 5;
        else
            return 0;
    }
    return 0;
}

/* A score typed with a space after the colon, right before "есебімен": "1: 0 есебімен" (corpus). */
static size_t rule_score_spaced(ks_normalizer *nz, size_t k)
{
    static const char *const ESEB[] = {"есеб", "есеп", NULL};
    tok x = *T(nz, k), c = *T(nz, k + 1), sp = *T(nz, k + 2), y = *T(nz, k + 3), s2 = *T(nz, k + 4),
        wd = *T(nz, k + 5);
    if (x.type != T_DIGITS || !is_punct(&c, ':') || !is_sp(&sp) || TL(&sp) != 1 || y.type != T_DIGITS ||
        TL(&x) > 2 || TL(&y) > 2 || !is_sp(&s2) || !word_in(nz, &wd, ESEB) || TB(nz, k, 1)->type == T_DIGITS)
        return 0;
    ks_buf *w = &nz->wb;
    ks_buf_reset(w);
    number_cardinal(w, TX(nz, &x), TL(&x));
    ks_buf_putc(w, '-');
    size_t mark = w->len;
    number_cardinal(w, TX(nz, &y), TL(&y));
    if (w->len > mark && w->data[mark] == ' ') {
        memmove(w->data + mark, w->data + mark + 1, w->len - mark - 1);
        w->len--;
    }
    emit_wb(nz, x.s, y.e, "score_spaced");
    return 4;
}

static size_t rule_score(ks_normalizer *nz, size_t k)
{
    uint64_t a, b;
    size_t bl;
    if (!colon_pair(nz, k, &a, &b, &bl))
        return rule_score_spaced(nz, k);
    tok pv = *TB(nz, k, 1), nx = *T(nz, k + 3), n1 = *T(nz, k + 4);
    if (is_punct(&pv, ':') || pv.type == T_DIGITS || ((is_punct(&nx, ':') || is_punct(&nx, '.')) && n1.type == T_DIGITS))
        return 0;
    if (is_sp(&nx) && word_in(nz, &n1, RATIO))
        return 0; /* 1:2 қатынасында is a ratio */
    if (n1.type == T_DIGITS && TL(&n1) == 3 && nx.type == T_SPACE && (nx.f & F_SEP))
        return 0; /* 1:50 000 is a scale */
    if (!(bl == 1 || a > 24 || score_run_before_esep(nz, k) || esep_before(nz, k) || inside_score_brackets(nz, k)))
        return 0;
    ks_buf *w = &nz->wb;
    ks_buf_reset(w);
    tok x = *T(nz, k), y = *T(nz, k + 2);
    number_cardinal(w, TX(nz, &x), TL(&x));
    ks_buf_putc(w, '-');
    size_t mark = w->len;
    number_cardinal(w, TX(nz, &y), TL(&y));
    if (w->len > mark && w->data[mark] == ' ') { /* glue B to the hyphen */
        memmove(w->data + mark, w->data + mark + 1, w->len - mark - 1);
        w->len--;
    }
    size_t end = y.e, kk = k + 3;
    morph_seq ms;
    tok sw;
    if (suffix_at(nz, kk, &ms, &sw)) {
        morph_glue(w, last_word_start(w), TX(nz, &sw), TL(&sw));
        end = sw.e;
        kk += 2;
    }
    emit_wb(nz, x.s, end, "score");
    return kk - k;
}

/* Race times M:SS.ff (RULES §28): minutes, then seconds with a decimal fraction. */
static size_t rule_race_time(ks_normalizer *nz, size_t k)
{
    tok m = *T(nz, k), c = *T(nz, k + 1), sec = *T(nz, k + 2), dot = *T(nz, k + 3), f = *T(nz, k + 4);
    tok nx = *T(nz, k + 5), pv = *TB(nz, k, 1);
    uint64_t sv;
    if (TL(&m) > 2 || !is_punct(&c, ':') || sec.type != T_DIGITS || TL(&sec) != 2 || !is_punct(&dot, '.') ||
        f.type != T_DIGITS || TL(&f) > 3 || !number_parse_u64(TX(nz, &sec), 2, &sv) || sv > 59)
        return 0;
    if (pv.type == T_DIGITS || is_punct(&pv, ':') || is_punct(&pv, '.') || nx.type == T_DIGITS || nx.type == T_WORD ||
        ((is_punct(&nx, '.') || is_punct(&nx, ':') || is_punct(&nx, ',')) && T(nz, k + 6)->type == T_DIGITS))
        return 0;
    ks_buf *w = &nz->wb;
    ks_buf_reset(w);
    number_cardinal(w, TX(nz, &m), TL(&m));
    size_t z = nz->p[sec.s] == '0' ? 1 : 0; /* 2:05.31: the seconds are "бес", not "нөл бес" */
    number_decimal(w, TX(nz, &sec) + z, TL(&sec) - z, TX(nz, &f), TL(&f));
    size_t end = f.e, kk = k + 5;
    morph_seq ms;
    tok sw;
    if (suffix_at(nz, kk, &ms, &sw)) {
        morph_glue(w, last_word_start(w), TX(nz, &sw), TL(&sw));
        end = sw.e;
        kk += 2;
    }
    emit_wb(nz, m.s, end, "race_time");
    return kk - k;
}

/* time of day HH:MM[:SS] (§11) */
static size_t rule_time(ks_normalizer *nz, size_t k)
{
    tok h = *T(nz, k), c = *T(nz, k + 1), m = *T(nz, k + 2);
    if (TL(&h) > 2 || m.type != T_DIGITS || TL(&m) != 2)
        return 0;
    if (is_punct(&c, '.')) {
        /* 19.00 is a time only after "сағат" or with a case ending (19.00-де) */
        static const char *const SAGAT[] = {"сағат", "сағ", NULL};
        tok ps = *TB(nz, k, 1), pw = *TB(nz, k, 2), nx = *T(nz, k + 3);
        morph_seq ms;
        tok sw;
        if (is_punct(&nx, '.') && T(nz, k + 4)->type == T_DIGITS)
            return 0;
        if (!((is_sp(&ps) && word_in(nz, &pw, SAGAT)) || suffix_at(nz, k + 3, &ms, &sw)))
            return 0;
    } else if (!is_punct(&c, ':')) {
        return 0;
    }
    tok prev = *TB(nz, k, 1);
    if (is_punct(&prev, ':') || prev.type == T_WORD)
        return 0;
    uint64_t hv, mv, sv = 0;
    number_parse_u64(TX(nz, &h), TL(&h), &hv);
    number_parse_u64(TX(nz, &m), TL(&m), &mv);
    if (hv > 24 || mv > 59)
        return 0;
    size_t kk = k + 3;
    tok c2 = *T(nz, kk), s = *T(nz, kk + 1);
    int secs = 0;
    if (is_punct(&c2, ':') && is_punct(&c, ':') && s.type == T_DIGITS && TL(&s) == 2) {
        number_parse_u64(TX(nz, &s), TL(&s), &sv);
        if (sv > 59)
            return 0;
        secs = 1;
        kk += 2;
    }
    tok nx = *T(nz, kk);
    if (nx.type == T_DIGITS || (is_punct(&nx, ':') && T(nz, kk + 1)->type == T_DIGITS) ||
        (nx.type == T_WORD && !(nx.f & F_LOWER)))
        return 0;
    ks_buf *w = &nz->wb;
    ks_buf_reset(w);
    number_cardinal_u64(w, hv);
    number_cardinal(w, TX(nz, &m), TL(&m));
    if (secs)
        number_cardinal(w, nz->p + s.s, TL(&s));
    size_t end = T(nz, kk - 1)->e, ksuf;
    morph_seq ms;
    tok sw;
    if (suffix_after(nz, kk, &ms, &sw, &ksuf, 1) && (!is_sp(T(nz, kk)) || locative_agrees(w, &ms, &sw, nz))) {
        morph_glue(w, last_word_start(w), TX(nz, &sw), TL(&sw)); /* "11:15 те" (corpus) */
        end = sw.e;
        kk = ksuf;
    }
    emit_wb(nz, h.s, end, "time");
    return kk - k;
}

/* ---------------------------------------------------------------- numeric dates (RULES §30) */

static int small_at(ks_normalizer *nz, const tok *t, uint64_t lo, uint64_t hi, uint64_t *v)
{
    return t->type == T_DIGITS && TL(t) <= 2 && number_parse_u64(TX(nz, t), TL(t), v) && *v >= lo && *v <= hi;
}

static int year_at(ks_normalizer *nz, const tok *t, uint64_t *v)
{
    return t->type == T_DIGITS && TL(t) == 4 && nz->p[t->s] != '0' && number_parse_u64(TX(nz, t), 4, v) &&
           *v >= 1000 && *v <= 2100;
}

/* The end of a sentence right after token k (RULES §0): the end, a line break, or a capital word next. */
static int sentence_ends_after(ks_normalizer *nz, size_t k)
{
    tok nx = *T(nz, k + 1), n1 = *T(nz, k + 2);
    return nx.type == T_END || (nx.type == T_SPACE && ((nx.f & F_NL) || n1.type == T_END)) ||
           (is_sp(&nx) && n1.type == T_WORD && (n1.f & F_UP0) && !(n1.f & F_ALLUP && n1.nch == 1));
}

/* A year-word right after a numeric date, dropped because the reading already says жылғы (§30):
 * " ж.", " ж", " жж.", " жыл", " жылы", " жылғы".  Returns the first token after it (with the
 * abbreviation's period) or 0; *final is set when that period ends the sentence. */
static size_t date_year_word(ks_normalizer *nz, size_t k, int *final)
{
    static const char *const W[] = {"ж", "жж", "жыл", "жылы", "жылғы", NULL};
    tok sp = *T(nz, k), w = *T(nz, k + 1), dot = *T(nz, k + 2);
    *final = 0;
    if (!is_sp(&sp) || w.type != T_WORD || !(w.f & F_LOWER))
        return 0;
    for (const char *const *x = W; *x; x++) {
        if (!tok_eq(nz, &w, *x))
            continue;
        if (is_punct(&dot, '.') && dot.s == w.e && w.nch <= 2) {
            *final = sentence_ends_after(nz, k + 2);
            return k + 3;
        }
        return k + 2;
    }
    return 0;
}

/* "<YYYY ordinal> жылғы <DD ordinal> <month>" with the suffix written after the date on the month. */
static size_t emit_date(ks_normalizer *nz, size_t k, size_t kk, uint64_t yv, uint64_t dv, uint64_t mv,
                        int keep_dot)
{
    ks_buf *w = &nz->wb;
    ks_buf_reset(w);
    number_ordinal_u64(w, yv);
    put_word(w, "жылғы", strlen("жылғы"));
    number_ordinal_u64(w, dv);
    put_word(w, kk_month_name((int)mv), strlen(kk_month_name((int)mv)));
    size_t end = T(nz, kk - 1)->e;
    morph_seq ms;
    tok sw;
    int final = 0;
    size_t ky;
    if (suffix_at(nz, kk, &ms, &sw)) {
        morph_inflect(w, &ms, 0, 0);
        end = sw.e;
        kk += 2;
    } else if ((ky = date_year_word(nz, kk, &final)) != 0) {
        end = T(nz, ky - 1)->e;
        kk = ky;
    }
    if (final || keep_dot)
        ks_buf_putc(w, '.');
    emit_wb(nz, T(nz, k)->s, end, "date");
    return kk - k;
}

/* DD.MM.YYYY and D.M.YYYY (§30) */
static size_t rule_numdate(ks_normalizer *nz, size_t k)
{
    tok d = *T(nz, k), p1 = *T(nz, k + 1), m = *T(nz, k + 2), p2 = *T(nz, k + 3), y = *T(nz, k + 4);
    uint64_t dv, mv, yv;
    if (!is_punct(&p1, '.') || !is_punct(&p2, '.') || !small_at(nz, &d, 1, 31, &dv) ||
        !small_at(nz, &m, 1, 12, &mv) || !year_at(nz, &y, &yv))
        return 0;
    tok pv = *TB(nz, k, 1), nx = *T(nz, k + 5);
    if ((is_punct(&pv, '.') && TB(nz, k, 2)->type == T_DIGITS) || (is_punct(&nx, '.') && T(nz, k + 6)->type == T_DIGITS))
        return 0; /* 1.2.3.2015 */
    return emit_date(nz, k, k + 5, yv, dv, mv, 0);
}

/* Year first (§30): YYYY.A.B with optional spaces and a trailing period (2020.29.06., 2005. 01. 07.,
 * 2011ж. 29. 12.); A > 12 or B > 12 is the day, otherwise YYYY.DD.MM.  Also ISO YYYY-MM-DD. */
static size_t rule_yearfirst_date(ks_normalizer *nz, size_t k)
{
    tok y = *T(nz, k);
    uint64_t yv, av, bv;
    if (!year_at(nz, &y, &yv))
        return 0;
    tok pv = *TB(nz, k, 1);
    if (pv.type == T_DIGITS || (is_punct(&pv, '.') && TB(nz, k, 2)->type == T_DIGITS))
        return 0;
    size_t j = k + 1;
    tok t = *T(nz, j);
    if (is_hyphen(&t)) { /* ISO 2023-09-06 */
        tok a = *T(nz, j + 1), h2 = *T(nz, j + 2), b = *T(nz, j + 3), nx = *T(nz, j + 4);
        if (!is_hyphen(&h2) || TL(&a) != 2 || TL(&b) != 2 || !small_at(nz, &a, 1, 12, &av) ||
            !small_at(nz, &b, 1, 31, &bv) || nx.type == T_DIGITS || (is_hyphen(&nx) && T(nz, j + 5)->type == T_DIGITS))
            return 0;
        return emit_date(nz, k, j + 4, yv, bv, av, 0);
    }
    if (t.type == T_WORD && tok_eq(nz, &t, "ж") && t.s == y.e) /* 2011ж. 29. 12. */
        t = *T(nz, ++j);
    if (!is_punct(&t, '.'))
        return 0;
    j++;
    if (is_sp(T(nz, j)))
        j++;
    tok a = *T(nz, j), d2 = *T(nz, j + 1);
    if (!small_at(nz, &a, 1, 31, &av) || !is_punct(&d2, '.'))
        return 0;
    j += 2;
    if (is_sp(T(nz, j)))
        j++;
    tok b = *T(nz, j);
    if (!small_at(nz, &b, 1, 31, &bv))
        return 0;
    j++;
    tok nx = *T(nz, j);
    if (nx.type == T_DIGITS || (is_punct(&nx, '.') && T(nz, j + 1)->type == T_DIGITS) ||
        (is_punct(&nx, ',') && T(nz, j + 1)->type == T_DIGITS))
        return 0;
    uint64_t dv = av, mv = bv;
    if (av > 12 && bv > 12)
        return 0;
    if (bv > 12) {
        dv = bv;
        mv = av;
    }
    int keep_dot = 0;
    if (is_punct(&nx, '.')) { /* the trailing period is part of the date; one stays at a sentence end */
        keep_dot = sentence_ends_after(nz, j);
        j++;
    }
    return emit_date(nz, k, j, yv, dv, mv, keep_dot);
}

/* A number as written at token kd: digits, group separators (§18), a decimal comma (§6). */
typedef struct num {
    size_t kstart, kd; /* the span starts at kstart (a sign or a currency sign); digits at kd */
    size_t k1;         /* first token after the number */
    size_t end;        /* byte offset after the number */
    const char *fp;    /* fraction digits, NULL for an integer */
    size_t fn;
    int ngroups, small, plain4;
    int prop; /* an item of a list or range whose last item is an ordinal (RULES §25) */
    uint64_t val;
    const char *sign;
    const lex_entry *pre_cur; /* "$5": the currency sign before the number */
} numtok;

/* digits glued to Latin letters (5G, A4, MP3) are not a number of this rule */
static int glued_to_latin(ks_normalizer *nz, size_t kd)
{
    tok d = *T(nz, kd), prev = *TB(nz, kd, 1), nxt = *T(nz, kd + 1);
    if (times_sign(nz, &prev) && TB(nz, kd, 2)->type == T_DIGITS)
        prev = *TB(nz, kd, 2); /* 4x400: the x of a size */
    return (prev.type == T_WORD && (prev.f & F_LAT) && prev.e == d.s) ||
           (nxt.type == T_WORD && !(nxt.f & F_CYR) && nxt.s == d.e);
}

/* RULES §28: "A.B" is a decimal when, directly or after one space, a %, a currency, a scale word,
 * a unit, есе, градус or секунд follows; k is the token after B. */
static int point_decimal_before(ks_normalizer *nz, size_t k)
{
    static const char *const WORDS[] = {"есе", "градус", "секунд", "ұпай", NULL}; /* 15.433 ұпай (corpus) */
    tok t = *T(nz, k);
    if ((is_punct(&t, '.') || is_punct(&t, ',') || is_punct(&t, ':')) && T(nz, k + 1)->type == T_DIGITS)
        return 0;
    if (t.type == T_DIGITS || (t.type == T_WORD && t.s == TB(nz, k, 1)->e && !(t.f & F_CYR)))
        return 0;
    if (is_sp(&t) && (t.f & F_SEP))
        t = *T(nz, ++k);
    size_t ke;
    if (is_punct(&t, '%') || is_punct(&t, 0x066A) || is_punct(&t, 0xB0))
        return 1;
    if (match_adjacent(nz, k, LEX_CURRENCY, &ke) || match_adjacent(nz, k, LEX_UNIT, &ke))
        return 1;
    return word_in(nz, &t, WORDS);
}

/* Read the digits, the group separators (§18) and a decimal comma (§6) into nz->dig and x. */
/* A comma before exactly three digits and then the tenge is a thousands separator: an amount of tenge has
 * at most two decimals (tiyn), so "26,253 теңге" is 26 253 (beyond §6, which reads every comma as decimal). */
static int thousands_comma(ks_normalizer *nz, const tok *d, const tok *f, size_t k)
{
    static const char *const TENGE[] = {"теңге", "тг", NULL};
    if (TL(d) > 3 || nz->p[d->s] == '0' || TL(f) != 3)
        return 0;
    tok s = *T(nz, k), w = *T(nz, k + 1);
    if (is_sp(&s) && w.type == T_WORD && word_in(nz, &w, TENGE))
        return 1;
    return is_punct(&s, 0x20B8) || (is_sp(&s) && is_punct(&w, 0x20B8));
}

static int read_number(ks_normalizer *nz, numtok *x)
{
    tok d = *T(nz, x->kd);
    ks_buf_reset(&nz->dig);
    ks_buf_append(&nz->dig, TX(nz, &d), TL(&d));
    size_t k1 = x->kd + 1;
    x->ngroups = 0;
    if (TL(&d) <= 3 && nz->p[d.s] != '0') {
        while (x->ngroups < 8) {
            tok sp = *T(nz, k1), g = *T(nz, k1 + 1);
            if (!(sp.type == T_SPACE && (sp.f & F_SEP) && g.type == T_DIGITS && TL(&g) == 3))
                break;
            tok a = *T(nz, k1 + 2);
            if ((is_punct(&a, ':') || is_punct(&a, '.')) && T(nz, k1 + 3)->type == T_DIGITS)
                break;
            ks_buf_append(&nz->dig, TX(nz, &g), 3);
            k1 += 2;
            x->ngroups++;
        }
    }
    x->fp = NULL;
    x->fn = 0;
    tok c = *T(nz, k1), f = *T(nz, k1 + 1);
    tok pc = *TB(nz, x->kd, 1), pd = *TB(nz, x->kd, 2);
    int in_list = is_punct(&pc, ',') && pd.type == T_DIGITS; /* 1,2,3 */
    if (is_punct(&c, ',') && f.type == T_DIGITS && !in_list) {
        tok c2 = *T(nz, k1 + 2), f2 = *T(nz, k1 + 3);
        if (thousands_comma(nz, &d, &f, k1 + 2)) {
            ks_buf_append(&nz->dig, TX(nz, &f), 3); /* "26,253 теңге": a ticket price (corpus kr0324) */
            k1 += 2;
            x->ngroups++;
        } else if (!(is_punct(&c2, ',') && f2.type == T_DIGITS)) {
            x->fp = TX(nz, &f);
            x->fn = TL(&f);
            k1 += 2;
        }
    }
    else if (is_punct(&c, '.') && f.type == T_DIGITS && !(is_punct(&pc, '.') && pd.type == T_DIGITS) &&
             point_decimal_before(nz, k1 + 2)) {
        x->fp = TX(nz, &f); /* 12.5% (RULES §28) */
        x->fn = TL(&f);
        k1 += 2;
    }
    if (nz->dig.failed)
        return 0;
    x->k1 = k1;
    x->end = T(nz, k1 - 1)->e;
    x->val = 0;
    x->small = !x->fp && number_parse_u64(nz->dig.data, nz->dig.len, &x->val);
    x->plain4 = x->small && x->ngroups == 0 && nz->dig.len == 4 && nz->dig.data[0] != '0' && x->val >= 1000 &&
                x->val <= 2100;
    return 1;
}

static void start_words(ks_normalizer *nz, const numtok *x)
{
    ks_buf_reset(&nz->wb);
    if (x->sign)
        put_word(&nz->wb, x->sign, strlen(x->sign));
}

static size_t finish(ks_normalizer *nz, const numtok *x, size_t end, size_t knext, const char *rule)
{
    emit_wb(nz, T(nz, x->kstart)->s, end, rule);
    return knext - x->kstart;
}

/* ---------------------------------------------------------------- ordinal propagation (RULES §25) */

/* "N орын", "N сынып", "N курс" (any case, not the adjectival -дық/-лық): a counter noun (§25) */
static int counter_word(ks_normalizer *nz, const tok *t)
{
    static const char *const STEMS[] = {"орын", "сынып", "сыныб", "курс", NULL};
    static const char SANAT[] = "санат"; /* only "1 санаттағы" (of the first category); "2 санаты бар" counts */
    if (t->type != T_WORD || !(t->f & F_LOWER) || TL(t) > 64)
        return 0;
    const char *s = TX(nz, t);
    size_t l = TL(t);
    if (l > sizeof SANAT - 1 && memcmp(s, SANAT, sizeof SANAT - 1) == 0) {
        morph_seq m;
        return morph_parse(s + sizeof SANAT - 1, l - (sizeof SANAT - 1), &m) && m.n == 2 && m.cat[0] == MC_LOC &&
               m.cat[1] == MC_LOCADJ;
    }
    for (const char *const *st = STEMS; *st; st++) {
        size_t sl = strlen(*st);
        if (l < sl || memcmp(s, *st, sl) != 0)
            continue;
        morph_seq m;
        if (l == sl)
            return 1;
        if (morph_parse(s + sl, l - sl, &m) && m.cat[0] != MC_ADJ)
            return 1;
    }
    return 0;
}

/* a plural жылдар-word ("60 жылдарында", a decade, §25) */
static int decade_word(ks_normalizer *nz, const tok *t)
{
    static const char J[] = "жылдар";
    int adj;
    return jyl_word(nz, t, &adj) && TL(t) >= sizeof J - 1 && memcmp(TX(nz, t), J, sizeof J - 1) == 0;
}

/* A possessed match-time counter ("20 минутында", "6 туры", "23 және 31 минуттарда"): an ordinal; a
 * duration is not possessed ("20 минут ішінде").  `plural` also accepts the plural after a list. */
static int possessed_counter(ks_normalizer *nz, const tok *t, int plural)
{
    static const char *const STEMS[] = {"минут", "тур", NULL};
    if (t->type != T_WORD || !(t->f & F_LOWER) || TL(t) > 48)
        return 0;
    for (const char *const *st = STEMS; *st; st++) {
        size_t sl = strlen(*st);
        morph_seq m;
        if (TL(t) > sl && memcmp(TX(nz, t), *st, sl) == 0 && morph_parse(TX(nz, t) + sl, TL(t) - sl, &m) &&
            (m.cat[0] == MC_POSS || (plural && m.cat[0] == MC_PL)))
            return 1;
    }
    return 0;
}

enum { TR_NONE, TR_MONTH, TR_YEAR, TR_ALL, TR_COUNTER, TR_DECADE };

/* The ordinal trigger after the last item of a list (digits at kd, next token k), by kind (§25) */
static int list_trigger(ks_normalizer *nz, size_t kd, size_t k)
{
    tok d = *T(nz, kd), t = *T(nz, k);
    uint64_t v = 0;
    if (TL(&d) > 4 || !number_parse_u64(TX(nz, &d), TL(&d), &v))
        return TR_NONE;
    if (is_punct(&t, ')') && is_punct(TB(nz, kd, 1), '(')) /* 10-11(12) сынып */
        t = *T(nz, ++k);
    if (is_hyphen(&t) && t.s == d.e && ordinal_word_at(nz, k) && T(nz, k + 1)->type == T_WORD)
        return TR_ALL; /* 23, 32-минуттарда */
    tok w = *T(nz, k + 1);
    if (!is_sp(&t) || w.type != T_WORD)
        return TR_NONE;
    int adj;
    if (TL(&d) <= 2 && v >= 1 && v <= 31 && month_word(nz, &w))
        return TR_MONTH;
    if (TL(&d) == 4 && v >= 1000 && v <= 2100 && (jyl_word(nz, &w, &adj) || year_abbrev_at(nz, k + 1)))
        return TR_YEAR;
    if (TL(&d) <= 2 && v >= 1 && v <= 12 && counter_word(nz, &w))
        return TR_COUNTER;
    if (TL(&d) == 2 && v % 10 == 0 && decade_word(nz, &w))
        return TR_DECADE;
    if (TL(&d) <= 3 && possessed_counter(nz, &w, 1))
        return TR_ALL;
    return TR_NONE;
}

/* The separator of a number list or range at k: ", ", " және "/" мен "/" пен "/" бен "/" немесе ",
 * "-", "–", "—" with or without spaces, or the glued "(" of a bracketed alternative.
 * Returns the index of the next item (a plain digits token) or 0. */
static size_t list_next_item(ks_normalizer *nz, size_t k)
{
    static const char *const JOIN[] = {"және", "мен", "пен", "бен", "немесе", NULL};
    tok a = *T(nz, k), b = *T(nz, k + 1), c = *T(nz, k + 2);
    size_t j = 0;
    if (is_punct(&a, ',') && is_sp(&b)) {
        j = k + 2;
        /* "Эсеола 13, Сүйімбаев 19, Эппель 31-минуттарда": up to three capitalised names before the
         * next item (only for a plural or possessed trigger, see list_propagates) */
        for (int names = 0; names < 3 && T(nz, j)->type == T_WORD && (T(nz, j)->f & F_UP0) &&
                            !(T(nz, j)->f & F_ALLUP) && is_sp(T(nz, j + 1));
             names++) {
            j += 2;
            nz->list_named = 1;
        }
    } else if (is_rangedash(&a) || is_punct(&a, 0x2014))
        j = is_sp(&b) ? k + 2 : k + 1;
    else if (is_sp(&a) && (is_rangedash(&b) || is_punct(&b, 0x2014)) && is_sp(&c))
        j = k + 3;
    else if (is_sp(&a) && b.type == T_WORD && (b.f & F_LOWER) && TL(&b) <= 12 && is_sp(&c)) {
        for (const char *const *jw = JOIN; *jw; jw++)
            if (tok_eq(nz, &b, *jw))
                j = k + 3;
    } else if (is_punct(&a, '(') && a.s == TB(nz, k, 1)->e)
        j = k + 1;
    if (!j)
        return 0;
    tok d = *T(nz, j), n1 = *T(nz, j + 1), n2 = *T(nz, j + 2);
    if (d.type != T_DIGITS || TL(&d) > 4)
        return 0;
    if ((is_punct(&n1, ',') || is_punct(&n1, '.') || is_punct(&n1, ':') || is_punct(&n1, '/')) && n2.type == T_DIGITS)
        return 0; /* a decimal, date, time or fraction is not a list item */
    if (n1.type == T_SPACE && (n1.f & F_SEP) && n2.type == T_DIGITS && TL(&n2) == 3)
        return 0; /* 4 215: a grouped number */
    return j;
}

/* The number x is an item of a list or range whose last item is an ordinal of x's kind (§25). */
/* "4-3-бап", "7-1-тармақ": N-M with M not above N, glued to a hyphen and a word, is a sub-article
 * number, not a range: only the last part is an ordinal (corpus kr0245, kr0199; RULES §25 is
 * about ranges, which always go up). */
static int sub_number(ks_normalizer *nz, const numtok *x)
{
    tok h = *T(nz, x->k1), d2 = *T(nz, x->k1 + 1), h2 = *T(nz, x->k1 + 2), w = *T(nz, x->k1 + 3);
    uint64_t v2;
    return is_hyphen(&h) && d2.type == T_DIGITS && d2.s == h.e && TL(&d2) <= 3 && is_hyphen(&h2) &&
           h2.s == d2.e && w.type == T_WORD && w.s == h2.e && number_parse_u64(TX(nz, &d2), TL(&d2), &v2) &&
           v2 <= x->val;
}

/* "1, 2, 3 бала туған кезде": a comma list counting 1, 2, 3... (three or more items) before a plain noun
 * enumerates positions, so all items are ordinals (corpus kr0366, kr0377). Not before an adjective
 * ("1, 2, 3 бөлмелі"), a unit or scale word ("1, 2, 3 мың"), or when the items do not count up from 1. */
static int counting_list(ks_normalizer *nz, size_t k0, size_t klast, size_t kafter)
{
    uint64_t want = 1, v;
    while (k0 >= 3 && is_sp(TB(nz, k0, 1)) && is_punct(TB(nz, k0, 2), ',') && TB(nz, k0, 3)->type == T_DIGITS)
        k0 -= 3; /* from an inner item back to the first */
    size_t j = k0, n = 0;
    for (;;) {
        tok d = *T(nz, j);
        if (d.type != T_DIGITS || TL(&d) > 2 || !number_parse_u64(TX(nz, &d), TL(&d), &v) || v != want)
            return 0;
        n++;
        want++;
        if (j == klast)
            break;
        if (!is_punct(T(nz, j + 1), ',') || !is_sp(T(nz, j + 2)))
            return 0;
        j += 3;
        if (j > klast)
            return 0;
    }
    tok sp = *T(nz, kafter), w = *T(nz, kafter + 1);
    size_t ke;
    if (n < 3 || !is_sp(&sp) || w.type != T_WORD || !(w.f & F_LOWER) || !(w.f & F_CYR) || TL(&w) > 40 ||
        match_adjacent(nz, kafter + 1, LEX_UNIT, &ke) || match_adjacent(nz, kafter + 1, LEX_CURRENCY, &ke))
        return 0;
    static const char *const ADJ_END[] = {"лы", "лі", "ды", "ді", "ты", "ті", "дық", "дік", "тық", "тік", "лық", "лік", NULL};
    for (const char *const *a = ADJ_END; *a; a++) {
        size_t al = strlen(*a);
        if (TL(&w) > al && memcmp(TX(nz, &w) + TL(&w) - al, *a, al) == 0)
            return 0;
    }
    return 1;
}

static int list_propagates(ks_normalizer *nz, const numtok *x)
{
    if (!x->small || x->ngroups || x->fp || x->sign || x->pre_cur || sub_number(nz, x))
        return 0;
    size_t kd = x->kd, k = x->k1;
    nz->list_named = 0;
    for (int items = 0; items < 16; items++) {
        size_t j = list_next_item(nz, k);
        if (!j)
            break;
        kd = j;
        k = j + 1;
    }
    if (kd == x->kd && !(is_punct(TB(nz, kd, 1), '(') && is_punct(T(nz, k), ')')))
        return is_punct(TB(nz, kd, 2), ',') && counting_list(nz, kd, kd, k); /* a lone item is read by its own
            context; "(12) сынып" is the bracketed last item; "1, 2, 3 бала" the last of a counting list */
    tok d0 = *T(nz, x->kd);
    int tr = list_trigger(nz, kd, k);
    if (tr == TR_NONE && counting_list(nz, x->kd, kd, k))
        return 1;
    if (nz->list_named && tr != TR_ALL)
        return 0;
    switch (tr) {
    case TR_MONTH:
        return TL(&d0) <= 2 && x->val >= 1 && x->val <= 31;
    case TR_YEAR:
        return x->plain4;
    case TR_ALL:
        return 1;
    case TR_COUNTER:
        return TL(&d0) <= 2 && x->val >= 1 && x->val <= 12;
    case TR_DECADE:
        return TL(&d0) == 2 && x->val % 10 == 0 && x->val > 0;
    default:
        return 0;
    }
}

/* Ranges "10-15", "3–5%", "1845–1904 жж.", "5-7-сыныптар" (RULES §13): the first end is
 * read here, the second end is the next number (ordinal when this one is, §25). */
static size_t number_range(ks_normalizer *nz, const numtok *x)
{
    tok h = *T(nz, x->k1), d2 = *T(nz, x->k1 + 1);
    if (!is_rangedash(&h) || d2.type != T_DIGITS || x->pre_cur)
        return 0;
    ks_buf *w = &nz->wb;
    const char *rule = "range";
    uint64_t v2 = 0;
    int yr = x->plain4 && TL(&d2) == 4 && number_parse_u64(TX(nz, &d2), 4, &v2) && v2 >= 1000 && v2 <= 2100 &&
             v2 > x->val;
    if (x->plain4 && TL(&d2) <= 2 && T(nz, x->k1 + 2)->type != T_DIGITS)
        yr = 1; /* 1678-80 жылдарға: a shortened second year, read as written (§25, §21.6) */
    if (yr) {
        tok pb = *TB(nz, x->kstart, 1), pa = *T(nz, x->k1 + 2);
        yr = year_context(nz, x->k1 + 2) || (is_punct(&pb, '(') && is_punct(&pa, ')'));
    }
    if (yr) {
        number_ordinal_u64(w, x->val);
        nz->force_ord_tok = x->k1 + 1;
        rule = "year_range";
    } else {
        tok after2 = *T(nz, x->k1 + 2);
        int ord = x->prop || (!x->fp && !sub_number(nz, x) && after2.type != T_DIGITS &&
                              ordinal_word_at(nz, x->k1 + 2) && after2.s == d2.e);
        if (x->prop)
            rule = "ordinal_list";
        gen_number(nz, w, x->fp, x->fn, ord);
        if (ord)
            nz->force_ord_tok = x->k1 + 1;
    }
    ks_buf_append(w, TX(nz, &h), TL(&h));
    return finish(nz, x, h.e, x->k1 + 1, rule);
}

/* A number with a hyphen and endings or a word: "5-ке", "3-сынып", "2020-жылы" (RULES §3.1, §3.2, §4) */
static size_t number_with_word(ks_normalizer *nz, const numtok *x)
{
    tok h = *T(nz, x->k1);
    if (!(is_hyphen(&h) || (h.type == T_WORD && h.s == x->end && (h.f & F_LOWER) && (h.f & F_CYR))))
        return 0;
    size_t kw = is_hyphen(&h) ? x->k1 + 1 : x->k1;
    tok wd = *T(nz, kw);
    if (wd.type != T_WORD || wd.s != T(nz, kw - 1)->e || !(wd.f & F_CYR) || x->pre_cur)
        return 0;
    ks_buf *w = &nz->wb;
    const char *ws = TX(nz, &wd);
    size_t wl = TL(&wd);
    morph_seq m;
    size_t ol;
    int adj;
    if ((wd.f & F_LOWER) && wl <= 48 && morph_parse(ws, wl, &m)) {
        int ord = nz->force_ord_tok == x->kd;
        gen_number(nz, w, x->fp, x->fn, ord);
        if (m.cat[0] == MC_POSS && !x->fp) { /* 26-ы -> жиырма алтысы, 25-сі -> жиырма бесі (RULES §36) */
            uint32_t lc = 0;
            size_t i = w->len;
            while (i > 0 && ((unsigned char)w->data[i - 1] & 0xC0) == 0x80)
                i--;
            if (i > 0)
                i--;
            utf8_decode(w->data + i, w->len - i, &lc);
            if (kk_is_vowel_letter(lc)) {
                morph_inflect(w, &m, 0, 0);
                return finish(nz, x, wd.e, kw + 1, ord ? "ordinal" : "possessive");
            }
            if (m.len[0] == 4 && memcmp(ws, "с", 2) == 0) {
                ws += 2; /* the с of -сы/-сі belongs after a vowel only */
                wl -= 2;
            }
        }
        morph_glue(w, last_word_start(w), ws, wl);
        return finish(nz, x, wd.e, kw + 1, ord ? "ordinal" : "case_suffix");
    }
    if (is_hyphen(&h) && (wd.f & F_LOWER) && !x->fp && morph_ordinal_ending(ws, wl, &ol)) {
        gen_number(nz, w, NULL, 0, 1);
        ks_buf_append(w, ws + ol, wl - ol);
        return finish(nz, x, wd.e, kw + 1, "ordinal");
    }
    if (!is_hyphen(&h))
        return 0;
    int jy = jyl_word(nz, &wd, &adj);
    if (!adj && !jy && !ordinal_word_at(nz, x->k1))
        adj = 1; /* a measure after the hyphen counts (see ordinal_word_at) */
    gen_number(nz, w, x->fp, x->fn, !x->fp && !adj);
    put_word(w, ws, wl);
    return finish(nz, x, wd.e, kw + 1, adj ? "cardinal" : jy ? "year" : "ordinal");
}

/* The word after a plain number makes it an ordinal: a year before жыл (§3.3), a day
 * before a month (§3.4), a year before ж./жж. or a number before ғ. (§14).  Returns
 * the rule name, or NULL. */
/* "N минутта" after a possessed match minute in the same sentence ("Бірінші таймның 20 минутында ...,
 * Драченко 32 минутта дубльдің авторы атанды"): the timeline goes on, so it is an ordinal too. Alone,
 * "32 минутта" may be a duration ("in 32 minutes") and stays a cardinal. */
static int match_minute(ks_normalizer *nz, const tok *w, size_t at)
{
    static const char M[] = "минутта";
    if (nz->minute_end == 0 || nz->minute_end > at || at - nz->minute_end > 400 || TL(w) != sizeof M - 1 ||
        memcmp(TX(nz, w), M, sizeof M - 1) != 0)
        return 0;
    for (size_t i = nz->minute_end; i + 1 < at; i++)
        if ((nz->p[i] == '.' || nz->p[i] == '!' || nz->p[i] == '?' || nz->p[i] == '\n') &&
            (nz->p[i + 1] == ' ' || nz->p[i + 1] == '\n'))
            return 0;
    return 1;
}

static const char *ordinal_context(ks_normalizer *nz, const numtok *x)
{
    tok d = *T(nz, x->kd), sp = *T(nz, x->k1), nw = *T(nz, x->k1 + 1);
    if (sp.type == T_WORD && sp.s == x->end && (sp.f & F_LOWER) && is_punct(&nw, '.')) {
        size_t ke; /* an abbreviation glued to the number: 15ғ., 2008жж. (§32) */
        const lex_entry *ab = match_dotted(nz, x->k1, &ke);
        if (ab && (ab->flags & LF_YEAR) && x->plain4)
            return "year";
        if (ab && (ab->flags & LF_AFTER_NUM) && x->val >= 1 && x->val <= 21)
            return "ordinal";
        return NULL;
    }
    if (!is_sp(&sp) || nw.type != T_WORD)
        return NULL;
    int adj;
    if (x->plain4 && jyl_word(nz, &nw, &adj)) {
        tok s2 = *T(nz, x->k1 + 2), w2 = *T(nz, x->k1 + 3);
        int duration = tok_eq(nz, &nw, "жыл") && is_sp(&s2) && word_in(nz, &w2, DURATION_AFTER);
        return duration ? NULL : "year";
    }
    if (x->val >= 1 && x->val <= 31 && TL(&d) <= 2 && month_word(nz, &nw))
        return "date";
    if (x->val >= 1 && x->val <= 2100 && year_abbrev_at(nz, x->k1 + 1))
        return "year";
    if (x->val >= 1 && x->val <= 12 && TL(&d) <= 2 && counter_word(nz, &nw))
        return "ordinal_counter"; /* 1 орын, 11 сынып (§25) */
    if (TL(&d) == 2 && x->val % 10 == 0 && decade_word(nz, &nw))
        return "ordinal_decade"; /* 60 жылдарында (§25) */
    tok pw = *TB(nz, x->kd, 2), pw3 = *TB(nz, x->kd, 3);
    int after_list = (is_punct(TB(nz, x->kd, 1), ',') && pw.type == T_DIGITS) ||
                     (is_sp(TB(nz, x->kd, 1)) && (tok_eq(nz, &pw, "және") || tok_eq(nz, &pw, "мен")) &&
                      TB(nz, x->kd, 4)->type == T_DIGITS && is_sp(&pw3));
    if (TL(&d) <= 3 && x->val >= 1 && possessed_counter(nz, &nw, after_list)) {
        nz->minute_end = nw.e;
        return "ordinal_possessed"; /* 20 минутында, 6 туры, 23 және 31 минуттарда */
    }
    if (TL(&d) <= 3 && x->val >= 1 && x->val <= 130 && match_minute(nz, &nw, d.s))
        return "ordinal_match_minute"; /* ... 20 минутында ..., Драченко 32 минутта (corpus kr0010) */
    if (x->val >= 1 && x->val <= 31 && TL(&d) <= 2 && tok_eq(nz, &nw, "күні") && is_sp(TB(nz, x->kd, 1)) &&
        month_word(nz, &pw))
        return "date"; /* Наурыздың 11 күні */
    if ((nw.f & F_LOWER) && is_punct(T(nz, x->k1 + 2), '.')) {
        size_t ke;
        const lex_entry *ab = match_dotted(nz, x->k1 + 1, &ke);
        if (ab && (ab->flags & LF_AFTER_NUM)) /* 20 ғ. -> жиырмасыншы ғасыр */
            return "ordinal";
    }
    return NULL;
}

/* A year + "ж" without its period, glued or spaced, before a day and a month (§30): returns the token
 * after the "ж", or 0. */
static size_t year_zh_before_date(ks_normalizer *nz, const numtok *x)
{
    if (!x->plain4)
        return 0;
    size_t j = x->k1;
    if (is_sp(T(nz, j)))
        j++;
    tok z = *T(nz, j), sp = *T(nz, j + 1), d = *T(nz, j + 2), sp2 = *T(nz, j + 3), m = *T(nz, j + 4);
    uint64_t dv;
    if (z.type != T_WORD || !tok_eq(nz, &z, "ж") || !is_sp(&sp) || !small_at(nz, &d, 1, 31, &dv) || !is_sp(&sp2) ||
        !month_word(nz, &m))
        return 0;
    return j + 1;
}

static size_t number_ordinal_by_context(ks_normalizer *nz, const numtok *x)
{
    if (!x->small || x->ngroups || x->pre_cur || x->sign)
        return 0;
    size_t kz = year_zh_before_date(nz, x);
    if (kz) { /* 1997ж 22 қазандағы, 2020 ж 1 қаңтардан (§30) */
        number_ordinal(&nz->wb, nz->dig.data, nz->dig.len);
        put_word(&nz->wb, "жылғы", strlen("жылғы"));
        return finish(nz, x, T(nz, kz - 1)->e, kz, "year");
    }
    const char *rule = x->prop ? "ordinal_list" : nz->force_ord_tok == x->kd ? "year" : ordinal_context(nz, x);
    if (!rule)
        return 0;
    size_t z = (strcmp(rule, "date") == 0 && nz->dig.len == 2 && nz->dig.data[0] == '0') ? 1 : 0;
    number_ordinal(&nz->wb, nz->dig.data + z, nz->dig.len - z); /* 02 қаңтар -> екінші қаңтар (§30) */
    tok gl = *T(nz, x->k1);
    if (gl.type == T_WORD && gl.s == x->end)
        ks_buf_putc(&nz->wb, ' '); /* 15ғ. -> он бесінші ғасыр */
    return finish(nz, x, x->end, x->k1, rule);
}

/* scale words after the number: "5 млн", "2 млрд." (RULES §9) */
static size_t scale_words(ks_normalizer *nz, size_t kk, size_t *end, const char **rule)
{
    for (int sc = 0; sc < 2 && nz->has_units; sc++) {
        tok sp = *T(nz, kk);
        size_t off = is_sp(&sp) && (sp.f & F_SEP) ? 1 : 0;
        size_t ke;
        const lex_entry *e = match_adjacent(nz, kk + off, LEX_UNIT, &ke);
        if (!e || !(e->flags & LF_SCALE))
            break;
        put_word(&nz->wb, e->exp, e->elen);
        kk = ke;
        *end = T(nz, kk - 1)->e;
        tok dot = *T(nz, kk), s2 = *T(nz, kk + 1), w2 = *T(nz, kk + 2);
        if (is_punct(&dot, '.') && is_sp(&s2) && w2.type == T_WORD && (w2.f & F_LOWER)) {
            kk++;
            *end = dot.e;
        }
        *rule = "unit";
    }
    return kk;
}

/* The word of what follows a number: % (§7), a currency (§8), a unit (§9), ° (§9). */
typedef struct unit_word {
    const char *w;
    size_t wl;
    const char *rule;
} unit_word;

static size_t unit_after(ks_normalizer *nz, size_t kk, const numtok *x, unit_word *u)
{
    tok sp = *T(nz, kk);
    size_t off = is_sp(&sp) && (sp.f & F_SEP) ? 1 : 0;
    tok t = *T(nz, kk + off);
    size_t ke;
    const lex_entry *e;
    u->w = NULL;
    if (is_punct(&t, '%') || is_punct(&t, 0x066A)) {
        *u = (unit_word){"пайыз", strlen("пайыз"), "percent"};
        return kk + off + 1;
    }
    if ((e = match_adjacent(nz, kk + off, LEX_CURRENCY, &ke)) != NULL && (e->flags & LF_SUFFIX) && !x->pre_cur) {
        *u = (unit_word){e->exp, e->elen, "currency"};
        return ke;
    }
    if ((e = match_adjacent(nz, kk + off, LEX_UNIT, &ke)) != NULL && !(e->flags & LF_SCALE)) {
        *u = (unit_word){e->exp, e->elen, (t.type == T_PUNCT && t.cp == 0xB0) ? "temperature" : "unit"};
        tok p2 = *T(nz, ke), after = *T(nz, ke + 1), ul = *T(nz, ke - 1);
        if (p2.type == T_DIGITS && TL(&p2) == 1 && p2.s == ul.e && (nz->p[p2.s] == '2' || nz->p[p2.s] == '3') &&
            !(after.s == p2.e && (after.type == T_WORD || after.type == T_DIGITS))) {
            char key[40]; /* м2 -> м², км3 -> км³ (§9) */
            size_t kl = ul.e - t.s;
            if (kl + 2 < sizeof key) {
                memcpy(key, nz->p + t.s, kl);
                memcpy(key + kl, nz->p[p2.s] == '2' ? "\xC2\xB2" : "\xC2\xB3", 2);
                const lex_entry *e2 = lexicon_find(nz->lex, LEX_UNIT, key, kl + 2);
                if (e2) {
                    *u = (unit_word){e2->exp, e2->elen, "unit"};
                    return ke + 1;
                }
            }
        }
        return ke;
    }
    if (is_punct(&t, 0xB0)) { /* ° without a lexicon */
        *u = (unit_word){"градус", strlen("градус"), "temperature"};
        kk += off + 1;
        tok c = *T(nz, kk);
        if (c.type == T_WORD && c.nch == 1 && (tok_eq(nz, &c, "C") || tok_eq(nz, &c, "С")))
            kk++;
        return kk;
    }
    return kk;
}

/* Append the 3rd-person possessive dative of the last word: гектар -> гектарына,
 * сағат -> сағатына, секунд -> секундына (RULES §27 "units per unit"). */
static void put_possessive_dative(ks_buf *w)
{
    size_t ws = last_word_start(w);
    int front = 0, vowel_end = 0;
    for (size_t i = ws; i < w->len;) {
        uint32_t c;
        i += utf8_decode(w->data + i, w->len - i, &c);
        if (kk_is_vowel_letter(c)) {
            front = c == 0x4D9 || c == 0x435 || c == 0x456 || c == 0x4E9 || c == 0x4AF || c == 0x438 || c == 0x44D;
            vowel_end = i == w->len;
        } else {
            vowel_end = 0;
        }
    }
    ks_buf_puts(w, vowel_end ? (front ? "сіне" : "сына") : (front ? "іне" : "ына"));
}

/* "ц/га", "км/сағ", "м/с" after a unit: the unit after the slash, or NULL */
static const lex_entry *per_unit(ks_normalizer *nz, size_t kk, size_t *ke)
{
    tok sl = *T(nz, kk);
    if (!is_punct(&sl, '/') || !nz->has_units || TB(nz, kk, 1)->e != sl.s || T(nz, kk + 1)->s != sl.e)
        return NULL;
    const lex_entry *e = match_adjacent(nz, kk + 1, LEX_UNIT, ke);
    return e && !(e->flags & LF_SCALE) ? e : NULL;
}

/* A number, its scale words, then %, a currency or a unit, then an ending (RULES §4, §6–§9) */
static size_t number_with_unit(ks_normalizer *nz, const numtok *x)
{
    ks_buf *w = &nz->wb;
    const char *rule = x->fp ? "decimal" : "cardinal";
    size_t end = x->end;
    gen_number(nz, w, x->fp, x->fn, 0);
    size_t kk = scale_words(nz, x->k1, &end, &rule);
    unit_word u;
    int final_dot = 0;
    kk = unit_after(nz, kk, x, &u);
    if (u.w) {
        tok ud = *T(nz, kk), ul = *T(nz, kk - 1);
        if (is_punct(&ud, '.') && ul.type == T_WORD && ud.s == ul.e && ul.nch >= 2 && T(nz, kk + 1)->type != T_WORD &&
            T(nz, kk + 1)->type != T_DIGITS && !sentence_ends_after(nz, kk))
            kk++; /* 70 мм., қалындығы: the unit's own period (§32) */
        rule = u.rule;
        end = T(nz, kk - 1)->e;
        tok lastk = *T(nz, kk - 1), nx = *T(nz, kk), n1 = *T(nz, kk + 1);
        int at_end = nx.type == T_END || (nx.type == T_SPACE && ((nx.f & F_NL) || n1.type == T_END));
        if (is_punct(&lastk, '.') && at_end && !suffix_at(nz, kk, &(morph_seq){0}, &(tok){0}))
            final_dot = 1;
    }
    if (x->pre_cur) {
        if (u.w)
            put_word(w, u.w, u.wl);
        u = (unit_word){x->pre_cur->exp, x->pre_cur->elen, "currency"};
        rule = u.rule;
    }
    morph_seq m;
    tok sw;
    size_t ksuf = kk + 2;
    int have_suffix = u.w ? suffix_after(nz, kk, &m, &sw, &ksuf, 0) : suffix_at(nz, kk, &m, &sw);
    size_t ke;
    const lex_entry *per = u.w && !x->pre_cur ? per_unit(nz, kk, &ke) : NULL;
    if (per) { /* центнер гектарына (RULES §27) */
        put_word(w, u.w, u.wl);
        put_word(w, per->exp, per->elen);
        put_possessive_dative(w);
        size_t pend_e = T(nz, ke - 1)->e;
        morph_seq pm;
        tok psw;
        if (suffix_at(nz, ke, &pm, &psw) && pm.n == 1 && pm.cat[0] == MC_DAT) {
            pend_e = psw.e; /* "км/сағ-қа": the dative is already in сағатына (corpus kr0183) */
            ke += 2;
        }
        return finish(nz, x, pend_e, ke, "unit_per_unit");
    }
    if (u.w) {
        put_word(w, u.w, u.wl);
        if (have_suffix && m.n == 1 && m.cat[0] >= MC_DAT && memchr(u.w, ' ', u.wl) && w->len >= 6 &&
            (memcmp(w->data + w->len - 6, "ына", 6) == 0 || memcmp(w->data + w->len - 6, "іне", 6) == 0)) {
            w->len -= 4; /* "км/сағ-қа": сағатына already has its case; the ending replaces it */
            morph_inflect(w, &m, 0, 1);
        } else if (have_suffix) {
            morph_inflect(w, &m, 0, 0); /* re-harmonised onto the unit word (§4) */
        }
    } else if (have_suffix) {
        morph_glue(w, last_word_start(w), TX(nz, &sw), TL(&sw));
    }
    if (have_suffix) {
        kk = ksuf;
        end = sw.e;
        if (!u.w && strcmp(rule, "cardinal") == 0)
            rule = "case_suffix";
    }
    if (final_dot)
        ks_buf_putc(w, '.');
    return finish(nz, x, end, kk, rule);
}

/* The number at token kd (the span starts at token kstart: a sign or a currency sign).
 * Returns the number of tokens consumed from kstart, 0 when nothing was rewritten. */
static size_t rule_number(ks_normalizer *nz, size_t kstart, size_t kd, const char *sign,
                          const lex_entry *pre_cur)
{
    if (glued_to_latin(nz, kd))
        return 0;
    numtok x = {.kstart = kstart, .kd = kd, .sign = sign, .pre_cur = pre_cur};
    if (!read_number(nz, &x))
        return 0;
    x.prop = list_propagates(nz, &x);
    size_t used;
    start_words(nz, &x);
    if ((used = number_range(nz, &x)) != 0)
        return used;
    start_words(nz, &x);
    if ((used = number_with_word(nz, &x)) != 0)
        return used;
    start_words(nz, &x);
    if ((used = number_ordinal_by_context(nz, &x)) != 0)
        return used;
    start_words(nz, &x);
    return number_with_unit(nz, &x);
}

/* ---------------------------------------------------------------- punctuation-led rules */

/* What may stand before a sign glued to a digit (RULES §29): the start, a space, "(",
 * "..." or "…", ",", and for "+" a digit ("+12+17°С" is two signed values). */
static int sign_may_follow(ks_normalizer *nz, size_t k, uint32_t sign)
{
    tok pv = *TB(nz, k, 1);
    if (pv.type == T_NONE || pv.type == T_SPACE)
        return 1;
    if (pv.type == T_DIGITS)
        return sign == '+';
    if (pv.type != T_PUNCT)
        return 0;
    if (pv.cp == '(' || pv.cp == ',' || pv.cp == 0x2026 || pv.cp == '[' || pv.cp == 0xAB || pv.cp == '"')
        return 1;
    return pv.cp == '.' && is_punct(TB(nz, k, 2), '.') && is_punct(TB(nz, k, 3), '.');
}

/* A temperature mark (°, градус) later in the clause (at most 24 tokens, before . ; ! ? or a line end). */
static int temperature_follows(ks_normalizer *nz, size_t k)
{
    static const char *const DEG[] = {"градус", NULL};
    for (size_t j = k; j < k + 24; j++) {
        tok u = *T(nz, j);
        if (u.type == T_END || (u.type == T_SPACE && (u.f & F_NL)))
            return 0;
        if (u.type == T_PUNCT && (u.cp == 0xB0 || u.cp == 0x2103))
            return 1;
        if (u.type == T_PUNCT && (u.cp == ';' || u.cp == '!' || u.cp == '?' ||
                                  (u.cp == '.' && (T(nz, j + 1)->type == T_SPACE || T(nz, j + 1)->type == T_END))))
            return 0;
        if (u.type == T_WORD && word_in(nz, &u, DEG))
            return 1;
    }
    return 0;
}

/* RULES §29 narrowed (see tests/golden/README.md): after "word " a glued dash is a minus only in a
 * temperature (°, градус later in the clause). Otherwise it is a list dash or part of a name:
 * "сәбіз -129,3 мың тонна", "«Қолжетімді баспана -2020»", "ірімшік –0,1% арзандай". */
static int dash_after_word(ks_normalizer *nz, size_t k)
{
    const tok *pv = TB(nz, k, 1), *pv2 = TB(nz, k, 2);
    return pv->type == T_SPACE && pv2->type == T_WORD && !temperature_follows(nz, k + 1);
}

static size_t rule_sign(ks_normalizer *nz, size_t k, const tok *t)
{
    tok nx = *T(nz, k + 1), pv = *TB(nz, k, 1), n2 = *T(nz, k + 2);
    int minus = t->cp == '-' || t->cp == 0x2212 || t->cp == 0x2013;
    if ((minus || t->cp == '+') && nx.type == T_DIGITS && nx.s == t->e && sign_may_follow(nz, k, t->cp)) {
        if (minus && dash_after_word(nz, k))
            return 0;
        if (t->cp == '+') {
            size_t r = rule_phone(nz, k, k + 1, 1);
            if (r)
                return r;
        }
        if (pv.type == T_DIGITS) /* "+12+17": two values, a space between them */
            return rule_number(nz, k, k + 1, minus ? " минус" : " плюс", NULL);
        return rule_number(nz, k, k + 1, minus ? "минус" : "плюс", NULL);
    }
    /* "Т+0", "Т+2": a plus glued between a single capital letter and a number (settlement terms) */
    if (t->cp == '+' && pv.type == T_WORD && pv.nch == 1 && (pv.f & F_UP0) && pv.e == t->s &&
        nx.type == T_DIGITS && nx.s == t->e && TB(nz, k, 2)->type != T_WORD)
        return rule_number(nz, k, k + 1, " плюс", NULL);
    /* "көрсеткіш + 15-ке": a lone plus between a word and a number */
    if (t->cp == '+' && is_sp(&pv) && is_sp(&nx) && n2.type == T_DIGITS) {
        emit(nz, t->s, t->e, "sign", "плюс", strlen("плюс"));
        return 1;
    }
    /* "беру – - 6 929,0": a hyphen right after a spaced dash is the sign of the amount (a dash
     * does not follow a dash as punctuation) */
    tok pv2 = *TB(nz, k, 2);
    if (t->cp == '-' && is_sp(&pv) && pv2.type == T_PUNCT && (pv2.cp == 0x2013 || pv2.cp == 0x2014) && is_sp(&nx) &&
        n2.type == T_DIGITS) {
        emit(nz, t->s, t->e, "sign", "минус", strlen("минус"));
        return 1;
    }
    /* "(-) 332 094": a minus in brackets before an amount */
    if (minus && is_punct(&pv, '(') && is_punct(&nx, ')')) {
        emit(nz, t->s, t->e, "sign", "минус", strlen("минус"));
        return 1;
    }
    return 0;
}

/* ---------------------------------------------------------------- registry numbers (RULES §12, §36) */

/* A group of a composite registry number after "-" at k: digits, a Roman numeral or a letter. */
static int registry_group(ks_normalizer *nz, size_t k)
{
    tok h = *T(nz, k), g = *T(nz, k + 1), nx = *T(nz, k + 2);
    if (!((is_hyphen(&h) || is_punct(&h, '/')) && g.s == h.e && TB(nz, k, 1)->e == h.s))
        return 0;
    if (nx.s == g.e && (nx.type == T_WORD || nx.type == T_DIGITS))
        return 0;
    if (g.type == T_DIGITS)
        return TL(&g) <= 6;
    if (g.type != T_WORD)
        return 0;
    if (!(g.f & F_LOWER) && kk_roman_value(TX(nz, &g), TL(&g)))
        return 1;
    return g.nch == 1 && (g.f & F_CYR); /* №12804-Ж, № 210-п */
}

/* "№ 26", "№ 26 332", "N 115", "N29": an ordinal (§12, §36); composite numbers "№ 22-76", "N 2-13-98",
 * "№ 351-VI", "№12804-Ж": digit groups cardinal, Roman groups ordinal, letters by name, "-" kept,
 * "/" a space.  k is the № or the Latin N. */
static size_t rule_registry(ks_normalizer *nz, size_t k)
{
    tok t = *T(nz, k), nx = *T(nz, k + 1);
    size_t kd = k + 1;
    if (is_sp(&nx))
        kd++;
    tok d = *T(nz, kd);
    if (d.type != T_DIGITS)
        return 0;
    tok after = *T(nz, kd + 1);
    if (after.type == T_WORD && after.s == d.e && !(after.f & F_CYR))
        return 0;
    ks_buf *w = &nz->wb;
    ks_buf_reset(w);
    if (registry_group(nz, kd + 1)) {
        number_cardinal(w, TX(nz, &d), TL(&d));
        size_t j = kd + 1;
        while (registry_group(nz, j)) {
            tok h = *T(nz, j), g = *T(nz, j + 1);
            ks_buf_putc(w, is_hyphen(&h) ? '-' : ' ');
            size_t mark = w->len;
            if (g.type == T_DIGITS)
                number_cardinal(w, TX(nz, &g), TL(&g));
            else if (kk_roman_value(TX(nz, &g), TL(&g)) && !(g.f & F_LOWER))
                number_ordinal_u64(w, (uint64_t)kk_roman_value(TX(nz, &g), TL(&g)));
            else
                kk_put_letter_name(w, g.cp);
            if (w->len > mark && w->data[mark] == ' ') {
                memmove(w->data + mark, w->data + mark + 1, w->len - mark - 1);
                w->len--;
            }
            j += 2;
        }
        emit_wb(nz, t.s, T(nz, j - 1)->e, "registry_number");
        return j - k;
    }
    ks_buf_reset(&nz->dig);
    ks_buf_append(&nz->dig, TX(nz, &d), TL(&d));
    size_t kk = kd + 1;
    if (TL(&d) <= 3 && nz->p[d.s] != '0') { /* № 26 332: thousands separators (§36) */
        for (int g = 0; g < 4; g++) {
            tok sp = *T(nz, kk), gr = *T(nz, kk + 1), a = *T(nz, kk + 2);
            if (!(sp.type == T_SPACE && (sp.f & F_SEP) && gr.type == T_DIGITS && TL(&gr) == 3) ||
                (a.type == T_DIGITS) || (is_punct(&a, ',') && T(nz, kk + 3)->type == T_DIGITS))
                break;
            ks_buf_append(&nz->dig, TX(nz, &gr), 3);
            kk += 2;
        }
    }
    if (nz->dig.failed)
        return 0;
    number_ordinal(w, nz->dig.data, nz->dig.len);
    size_t end = T(nz, kk - 1)->e;
    morph_seq m;
    tok sw;
    if (suffix_at(nz, kk, &m, &sw)) {
        morph_inflect(w, &m, 0, 0);
        end = sw.e;
        kk += 2;
    }
    emit_wb(nz, t.s, end, "number_sign");
    return kk - k;
}

/* ---------------------------------------------------------------- URLs, e-mails, hashtags (RULES §35) */

static const char *const TLD[] = {"kz", "қаз", "ru", "com", "org", "net", "gov", "edu", NULL};

static int tld_tok(ks_normalizer *nz, const tok *t)
{
    if (t->type != T_WORD || !(t->f & F_LOWER) || t->nch > 3)
        return 0;
    for (const char *const *x = TLD; *x; x++)
        if (tok_eq(nz, t, *x))
            return 1;
    return 0;
}

/* a piece of a domain label: a lowercase word or digits */
static int label_tok(const tok *t)
{
    return (t->type == T_WORD && (t->f & F_LOWER)) || (t->type == T_DIGITS && t->nch <= 12);
}

/* The "." at k joins two labels of an all-lowercase domain that ends in a known TLD
 * (zakon.kz, www.iqos.com, 7kun.kz, 24.kz-ке); a capitalised domain is a name (Kurs.kz). */
static int domain_dot(ks_normalizer *nz, size_t k)
{
    tok dot = *T(nz, k), pv = *TB(nz, k, 1), nx = *T(nz, k + 1);
    if (!label_tok(&pv) || pv.e != dot.s || !label_tok(&nx) || nx.s != dot.e)
        return 0;
    size_t j = k;
    for (int i = 0; i < 24 && j > 0; i++) { /* back to the start of the domain */
        tok a = *TB(nz, j, 1), b = *TB(nz, j, 2);
        if (!label_tok(&a) && !is_punct(&a, '.') && !is_hyphen(&a))
            return 0;
        if (b.e == a.s && b.type == T_WORD && !(b.f & F_LOWER))
            return 0; /* Almaty-akshamy.kz: a name */
        if (b.e != a.s || !(label_tok(&b) || is_punct(&b, '.') || is_punct(&b, '@') || is_hyphen(&b)))
            break;
        if (is_punct(&b, '@'))
            break;
        if (b.type == T_WORD && !(b.f & F_LOWER))
            return 0;
        j--;
    }
    tok first = *TB(nz, j, 1);
    if (first.type == T_WORD && !(first.f & F_LOWER))
        return 0;
    size_t m = k + 1;
    for (int i = 0; i < 24; i++) { /* forward to the last label */
        tok a = *T(nz, m), b = *T(nz, m + 1), c = *T(nz, m + 2);
        if (b.s == a.e && label_tok(&b)) {
            m++;
            continue;
        }
        if (is_punct(&b, '.') && b.s == a.e && label_tok(&c) && c.s == b.e) {
            m += 2;
            continue;
        }
        if (b.s == a.e && (b.type == T_WORD || b.type == T_DIGITS))
            return 0;
        break;
    }
    tok last = *T(nz, m);
    tok before = *TB(nz, m, 1);
    return tld_tok(nz, &last) && is_punct(&before, '.') && before.e == last.s;
}

static size_t rule_web(ks_normalizer *nz, size_t k, const tok *t)
{
    tok pv = *TB(nz, k, 1), nx = *T(nz, k + 1), n2 = *T(nz, k + 2);
    if (t->cp == '.') {
        if (domain_dot(nz, k)) {
            emit(nz, t->s, t->e, "url", " нүкте ", strlen(" нүкте "));
            return 1;
        }
        /* a bare TLD token: ".қаз" */
        if ((pv.type == T_NONE || pv.type == T_SPACE || (pv.type == T_PUNCT && pv.e == t->s && pv.cp != '.')) &&
            tld_tok(nz, &nx) && nx.s == t->e && n2.s == nx.e && n2.type != T_WORD && n2.type != T_DIGITS &&
            !is_punct(&n2, '.')) {
            emit(nz, t->s, t->e, "url", "нүкте ", strlen("нүкте "));
            return 1;
        }
        return 0;
    }
    if (t->cp == '/' && tld_tok(nz, &pv) && pv.e == t->s && is_punct(TB(nz, k, 2), '.') && domain_dot(nz, k - 2) &&
        !(label_tok(&nx) && nx.s == t->e)) {
        emit(nz, t->s, t->e, "url", "", 0); /* a trailing slash is dropped */
        return 1;
    }
    if (is_hyphen(t) && pv.type == T_WORD && (pv.f & F_LAT) && label_tok(&pv) && pv.e == t->s && label_tok(&nx) &&
        nx.s == t->e) {
        size_t j = k + 1; /* my-site.kz: a hyphen inside a domain */
        while (j < k + 8 && label_tok(T(nz, j)) && T(nz, j + 1)->s == T(nz, j)->e && !is_punct(T(nz, j + 1), '.'))
            j++;
        if (is_punct(T(nz, j + 1), '.') && domain_dot(nz, j + 1)) {
            emit(nz, t->s, t->e, "url", " сызықша ", strlen(" сызықша "));
            return 1;
        }
        return 0;
    }
    if (t->cp == '@' && label_tok(&pv) && pv.e == t->s && label_tok(&nx) && nx.s == t->e) {
        emit(nz, t->s, t->e, "email", " айқұлақ ", strlen(" айқұлақ "));
        return 1;
    }
    if (t->cp == '#' && (nx.type == T_WORD || nx.type == T_DIGITS) && nx.s == t->e) {
        /* #fb_16_uka -> fb он алты uka: # dropped, _ a space, digits cardinal */
        ks_buf *w = &nz->wb;
        ks_buf_reset(w);
        if ((pv.type == T_WORD || pv.type == T_DIGITS) && pv.e == t->s)
            ks_buf_putc(w, ' ');
        size_t j = k + 1, end = t->e;
        for (int i = 0; i < 32; i++) {
            tok a = *T(nz, j);
            if (a.s != end)
                break;
            if (a.type == T_WORD)
                ks_buf_append(w, TX(nz, &a), TL(&a));
            else if (a.type == T_DIGITS && a.nch <= 18) {
                if (w->len && w->data[w->len - 1] != ' ')
                    ks_buf_putc(w, ' ');
                number_cardinal(w, TX(nz, &a), TL(&a));
                tok b = *T(nz, j + 1);
                if (b.type == T_WORD && b.s == a.e)
                    ks_buf_putc(w, ' ');
            } else if (is_punct(&a, '_') && T(nz, j + 1)->s == a.e &&
                       (T(nz, j + 1)->type == T_WORD || T(nz, j + 1)->type == T_DIGITS)) {
                if (w->len && w->data[w->len - 1] != ' ')
                    ks_buf_putc(w, ' ');
            } else
                break;
            end = a.e;
            j++;
        }
        emit_wb(nz, t->s, end, "hashtag");
        return j - k;
    }
    if (t->cp == ':' && (pv.type == T_WORD) && (tok_eq(nz, &pv, "http") || tok_eq(nz, &pv, "https")) &&
        is_punct(&nx, '/') && is_punct(&n2, '/') && T(nz, k + 3)->type == T_WORD && T(nz, k + 3)->s == n2.e) {
        /* the scheme is dropped: emit over "http://" from its word */
        emit(nz, pv.s, n2.e, "url", "", 0);
        return 3;
    }
    return 0;
}

/* Punctuation of real text (beyond the rule book): a spaced pipe between a date and a time
 * ("24 қазан 2018 | 12:55") is read as a comma. */
static size_t rule_separator(ks_normalizer *nz, size_t k, const tok *t)
{
    tok pv = *TB(nz, k, 1), nx = *T(nz, k + 1);
    if (t->cp == '|' && is_sp(&pv) && is_sp(&nx) && nz->pend <= pv.s && TB(nz, k, 2)->type != T_NONE) {
        emit(nz, pv.s, t->e, "separator", ",", 1);
        return 1;
    }
    /* "378,79 теңге / $1": a rate per unit of another currency -> "теңге бір долларға" (corpus kr0127) */
    if (t->cp == '/' && is_sp(&pv) && is_sp(&nx) && nz->pend <= pv.s && nz->lex) {
        tok cw = *TB(nz, k, 2), cs = *T(nz, k + 2), d = *T(nz, k + 3), af = *T(nz, k + 4);
        const lex_entry *c = cs.type == T_PUNCT ? lexicon_find(nz->lex, LEX_CURRENCY, TX(nz, &cs), TL(&cs)) : NULL;
        static const char *const CUR_WORD[] = {"теңге", "доллар", "рубль", "еуро", NULL};
        if (c && (c->flags & LF_PREFIX) && cw.type == T_WORD && word_in(nz, &cw, CUR_WORD) && d.type == T_DIGITS &&
            d.s == cs.e && TL(&d) <= 3 && af.type != T_DIGITS && !(af.type == T_PUNCT && (af.cp == ',' || af.cp == '.') &&
                                                                   T(nz, k + 5)->type == T_DIGITS)) {
            ks_buf *w = &nz->wb;
            ks_buf_reset(w);
            ks_buf_putc(w, ' ');
            number_cardinal(w, TX(nz, &d), TL(&d));
            put_word(w, c->exp, c->elen);
            morph_seq m = {.cat = {MC_DAT}, .len = {0}, .n = 1};
            morph_inflect(w, &m, 0, 0);
            if (w->len > 1 && w->data[1] == ' ')
                memmove(w->data + 1, w->data + 2, --w->len - 1);
            emit_wb(nz, pv.s, d.e, "per_currency");
            return 4;
        }
    }
    /* "*АЕК - Айлық ...": a footnote star before a word is not read */
    if (t->cp == '*' && (pv.type == T_NONE || is_sp(&pv) || is_punct(&pv, '(') || (pv.type == T_SPACE)) &&
        nx.type == T_WORD && nx.s == t->e) {
        emit(nz, t->s, t->e, "footnote_mark", "", 0);
        return 1;
    }
    /* "метр/секунд", "метр/секундке": a unit written out in full, a slash, a unit word -> a space */
    static const char *const UNIT_WORD[] = {"метр", "километр", "сантиметр", "миллиметр", "грамм", "килограмм",
                                            "литр", "тонна", "центнер", "гектар", "теңге", NULL};
    static const char *const PER_WORD[] = {"секунд", "сағат", "минут", "гектар", "тәулік", NULL};
    if (t->cp == '/' && pv.type == T_WORD && pv.e == t->s && nx.type == T_WORD && nx.s == t->e &&
        (pv.f & F_LOWER) && (nx.f & F_LOWER)) {
        int full = 0;
        for (const char *const *u = UNIT_WORD; *u; u++)
            full |= TL(&pv) == strlen(*u) && memcmp(TX(nz, &pv), *u, TL(&pv)) == 0;
        if (full && word_in(nz, &nx, PER_WORD)) {
            emit(nz, t->s, t->e, "separator", " ", 1);
            return 1;
        }
    }
    return 0;
}

/* Slashes used as brackets around an aside of several words: "бағасы /2023 жылғы 24 қазанға/:" (corpus).
 * The opening slash follows a space or a line start, the closing one is glued to the last word and
 * followed by punctuation, a space or the end; both are dropped (a bracket is not read). */
static size_t rule_slash_brackets(ks_normalizer *nz, size_t k, const tok *t)
{
    if (t->cp != '/')
        return 0;
    if (k == nz->close_slash) {
        emit(nz, t->s, t->e, "slash_bracket", "", 0);
        return 1;
    }
    tok pv = *TB(nz, k, 1), nx = *T(nz, k + 1);
    if (!(pv.type == T_NONE || pv.type == T_SPACE) || nx.type == T_SPACE || nx.type == T_PUNCT)
        return 0;
    int spaces = 0;
    for (size_t j = k + 1; j < k + 40; j++) {
        tok u = *T(nz, j);
        if (u.type == T_END || (u.type == T_SPACE && (u.f & F_NL)))
            return 0;
        if (u.type == T_SPACE)
            spaces++;
        if (u.type == T_PUNCT && (u.cp == '.' || u.cp == '/' || u.cp == '(' || u.cp == ')')) {
            tok b = *TB(nz, j, 1), a = *T(nz, j + 1);
            if (u.cp != '/' || spaces < 1 || b.type == T_SPACE || a.type == T_WORD || a.type == T_DIGITS)
                return 0;
            nz->close_slash = j;
            emit(nz, t->s, t->e, "slash_bracket", "", 0);
            return 1;
        }
    }
    return 0;
}

static size_t rule_punct(ks_normalizer *nz, size_t k)
{
    tok t = *T(nz, k);
    tok nx = *T(nz, k + 1);
    size_t r;
    if ((r = rule_slash_brackets(nz, k, &t)) != 0)
        return r;
    if ((t.cp == '.' || t.cp == '@' || t.cp == '#' || t.cp == ':' || t.cp == '/' || t.cp == '-') &&
        (r = rule_web(nz, k, &t)) != 0)
        return r;
    if ((r = rule_sign(nz, k, &t)) != 0)
        return r;
    if ((r = rule_vulgar_fraction(nz, &t)) != 0)
        return r;
    if (t.cp == 0x2116) { /* № (§12) */
        if ((r = rule_registry(nz, k)) != 0)
            return r;
        emit(nz, t.s, t.e, "symbol", "нөмір", strlen("нөмір"));
        return 1;
    }
    if (t.cp == '%' || t.cp == 0x066A) {
        emit(nz, t.s, t.e, "symbol", "пайыз", strlen("пайыз"));
        return 1;
    }
    if ((r = rule_separator(nz, k, &t)) != 0)
        return r;
    if (nz->lex && t.cp >= 0x24) {
        const lex_entry *e = lexicon_find(nz->lex, LEX_CURRENCY, TX(nz, &t), TL(&t));
        if (e) {
            size_t kd = k + 1;
            if (is_sp(&nx) && (nx.f & F_SEP))
                kd++;
            if ((e->flags & LF_PREFIX) && T(nz, kd)->type == T_DIGITS) {
                r = rule_number(nz, k, kd, NULL, e);
                if (r)
                    return r;
            }
            emit(nz, t.s, t.e, "symbol", e->exp, e->elen);
            return 1;
        }
    }
    return 0;
}

/* ---------------------------------------------------------------- word-led rules */

/* Words after a Roman numeral that make it an ordinal (RULES §10, §34); any inflected form. */
static const char *const ROMAN_CONTEXT[] = {
    "ғасыр", "ғ",         "жарты",   "ширег",  "том",    "тарау",     "бөлім",       "сессия", "съезд",
    "шақырылым", "дәрежелі", "орын", "топ", "курс", "сынып", "мәрте", "рет", "халықаралық",
    "дүниежүзілік", "құрылтай", "кітап", "конгресс", "пленум", "форум", "олимпиада", "фестиваль",
    "спартакиада", "курултай", "кезең", "лига", "мыңжылдық", "деңгей", NULL};

static int roman_tok(ks_normalizer *nz, const tok *t)
{
    return t->type == T_WORD && !(t->f & F_LOWER) && TL(t) <= 40 ? kk_roman_value(TX(nz, t), TL(t)) : 0;
}

/* a numeral that is only a single C D L M (Latin or Cyrillic С М Ү) is never Roman (§34) */
static int weak_roman(ks_normalizer *nz, const tok *t)
{
    if (t->nch == 1)
        return !(tok_eq(nz, t, "I") || tok_eq(nz, t, "V") || tok_eq(nz, t, "X") || tok_eq(nz, t, "І") ||
                 tok_eq(nz, t, "Х"));
    for (size_t i = t->s; i < t->e; i++)
        if (strchr("LCDM", nz->p[i]))
            return 1; /* MIX, CD, XL need a context word */
    return 0;
}

/* The separator of a Roman list or range at j (", ", "-", "–", "- ", " – ", " және "): returns the
 * index of the next item or 0. */
static size_t roman_next_item(ks_normalizer *nz, size_t j)
{
    tok a = *T(nz, j), b = *T(nz, j + 1), c = *T(nz, j + 2);
    if (is_punct(&a, ',') && is_sp(&b))
        return j + 2;
    if (is_rangedash(&a) || is_punct(&a, 0x2014))
        return is_sp(&b) ? j + 2 : j + 1;
    if (is_sp(&a) && (is_rangedash(&b) || is_punct(&b, 0x2014)) && is_sp(&c))
        return j + 3;
    if (is_sp(&a) && (tok_eq(nz, &b, "және") || tok_eq(nz, &b, "мен") || tok_eq(nz, &b, "немесе")) && is_sp(&c))
        return j + 3;
    return 0;
}

/* Roman numerals, alone or in a list or range, before a trigger (RULES §10, §25, §34):
 * "XV ғасыр", "ХҮ-ХҮІІ ғасырлардың", "I, II, III дәрежелі", "ІІІ-орынға", "І-ші орын". */
static size_t rule_roman(ks_normalizer *nz, size_t k, const tok *t)
{
    tok pv = *TB(nz, k, 1);
    if (!roman_tok(nz, t) || pv.type == T_WORD || pv.type == T_DIGITS ||
        (pv.type == T_PUNCT && (pv.cp == '-' || pv.cp == '.')))
        return 0;
    size_t items[16], n = 0, j = k;
    for (;;) {
        items[n++] = j;
        size_t nx = roman_next_item(nz, j + 1);
        if (!nx || n == 16 || !roman_tok(nz, T(nz, nx)))
            break;
        j = nx;
    }
    tok last = *T(nz, j), h = *T(nz, j + 1), nw = *T(nz, j + 2);
    size_t end = last.e, knext = j + 1;
    int hyph_word = 0, ord_end = 0;
    size_t ol;
    if (is_hyphen(&h) && nw.type == T_WORD && nw.s == h.e && (nw.f & F_LOWER) && (nw.f & F_CYR)) {
        if (morph_ordinal_ending(TX(nz, &nw), TL(&nw), &ol) && ol == TL(&nw))
            ord_end = 1; /* І-ші */
        else
            hyph_word = 1; /* ІІІ-орынға */
    } else if (!is_sp(&h) || nw.type != T_WORD || !(nw.f & F_CYR)) {
        return 0;
    }
    size_t ake;
    const lex_entry *ab = ord_end || hyph_word ? NULL : match_dotted(nz, j + 2, &ake);
    int trigger = hyph_word || ord_end || word_in(nz, &nw, ROMAN_CONTEXT) ||
                  (ab && (ab->flags & LF_AFTER_NUM)); /* I м.ж. */
    int headline = (nw.f & F_ALLUP) && nw.nch >= 2 && pv.type == T_SPACE && (TB(nz, k, 2)->f & F_ALLUP);
    if (!trigger && !headline) {
        /* an event phrase after a strong numeral: "IV ауыл спорты ойындары" */
        if (weak_roman(nz, &last) || last.nch == 1 || !(nw.f & F_LOWER))
            return 0;
    }
    if (t->nch == 1 && n == 1 && weak_roman(nz, t))
        return 0;
    ks_buf *w = &nz->wb;
    ks_buf_reset(w);
    for (size_t i = 0; i < n; i++) {
        tok it = *T(nz, items[i]);
        size_t mark = w->len;
        number_ordinal_u64(w, (uint64_t)kk_roman_value(TX(nz, &it), TL(&it)));
        if (mark > 0 && w->data[mark - 1] != ' ' && w->data[mark] == ' ') { /* glued after "-" */
            memmove(w->data + mark, w->data + mark + 1, w->len - mark - 1);
            w->len--;
        }
        if (i + 1 < n) /* the separator as written */
            ks_buf_append(w, nz->p + it.e, T(nz, items[i + 1])->s - it.e);
    }
    if (ord_end) {
        end = nw.e;
        knext = j + 3;
    } else if (hyph_word) {
        ks_buf_putc(w, ' ');
        end = h.e;
        knext = j + 2;
    }
    emit_wb(nz, t->s, end, "roman");
    return knext - k;
}

/* A Roman numeral glued to ғ./ғғ. ("XVIIғ.", RULES §32): the ordinal, a space, the abbreviation. */
static size_t rule_roman_glued_abbrev(ks_normalizer *nz, size_t k, const tok *t)
{
    static const char *const AB[] = {"ғғ", "ғ", NULL};
    tok dot = *T(nz, k + 1);
    if (!is_punct(&dot, '.') || !nz->lex || (t->f & F_LOWER) || TL(t) > 40)
        return 0;
    for (const char *const *a = AB; *a; a++) {
        size_t al = strlen(*a), l = TL(t);
        if (l <= al || memcmp(TX(nz, t) + l - al, *a, al) != 0)
            continue;
        int rv = kk_roman_value(TX(nz, t), l - al);
        char key[8];
        memcpy(key, *a, al);
        key[al] = '.';
        const lex_entry *e = lexicon_find(nz->lex, LEX_ABBREV, key, al + 1);
        if (rv <= 0 || !e)
            return 0;
        ks_buf *w = &nz->wb;
        ks_buf_reset(w);
        number_ordinal_u64(w, (uint64_t)rv);
        put_word(w, e->exp, e->elen);
        tok nx = *T(nz, k + 2);
        if (sentence_ends_after(nz, k + 1))
            ks_buf_putc(w, '.');
        else if (nx.type == T_WORD && nx.s == dot.e)
            ks_buf_putc(w, ' ');
        emit_wb(nz, t->s, dot.e, "roman");
        return 2;
    }
    return 0;
}

static int spell_letters(ks_normalizer *nz, ks_buf *w, const tok *t)
{
    const char *s = TX(nz, t);
    size_t n = TL(t);
    for (size_t i = 0; i < n;) {
        uint32_t c;
        i += utf8_decode(s + i, n - i, &c);
        if (c == 0x42A || c == 0x42C || !kk_put_letter_name(w, c))
            return 0; /* a word with Ъ or Ь is not an acronym */
    }
    return 1;
}

static const lex_entry *known_acronym(ks_normalizer *nz, const tok *t)
{
    return nz->lex && t->type == T_WORD && bloom_has(nz, BL_ACRONYM, TX(nz, t), TL(t))
               ? lexicon_find(nz->lex, LEX_ACRONYM, TX(nz, t), TL(t))
               : NULL;
}

static int caps_pronounceable(ks_normalizer *nz, const tok *t);

/* An all-caps Cyrillic word that is not a known acronym and reads as a word (6+ letters, or 4-5
 * pronounceable ones): it makes a caps run a headline.  Two short unknown acronyms side by side
 * ("ҰЯО ИГИ") are not a headline. */
static int caps_run_word(ks_normalizer *nz, const tok *t)
{
    return t->type == T_WORD && (t->f & F_ALLUP) && (t->f & F_CYR) && t->nch >= 4 && !known_acronym(nz, t) &&
           (t->nch >= 6 || caps_pronounceable(nz, t));
}

/* The nearest Cyrillic word before (dir < 0) or after k, skipping spaces within the line, punctuation,
 * numbers and Latin all-caps words, belongs to a caps run (RULES §33, rule 2: a headline). */
static int caps_neighbour(ks_normalizer *nz, size_t k, int dir)
{
    size_t j = k;
    for (int i = 0; i < 8; i++) {
        if (dir < 0 && j == 0)
            return 0;
        j = dir < 0 ? j - 1 : j + 1;
        tok t = *T(nz, j);
        if (t.type == T_END || t.type == T_NONE || (t.type == T_SPACE && (t.f & F_NL)))
            return 0;
        if (t.type == T_SPACE || t.type == T_PUNCT || t.type == T_DIGITS ||
            (t.type == T_WORD && (t.f & F_LAT) && (t.f & F_ALLUP)))
            continue;
        return caps_run_word(nz, &t);
    }
    return 0;
}

/* RULES §33 rule 4: a 4-5 letter caps word starting with consonant + vowel or a vowel, with no two
 * adjacent vowels and no three consonants in a row, is a word (АРЛЕН, ОРАЛ, МӘМС), not letters. */
static int caps_pronounceable(ks_normalizer *nz, const tok *t)
{
    const char *s = TX(nz, t);
    size_t n = TL(t);
    int prev_v = -1, run_c = 0, idx = 0, first_v = 0;
    for (size_t i = 0; i < n; idx++) {
        uint32_t c;
        i += utf8_decode(s + i, n - i, &c);
        int v = kk_is_vowel_letter(c);
        if (idx == 0)
            first_v = v;
        if (idx == 1 && !first_v && !v)
            return 0; /* starts with two consonants */
        if (v && prev_v == 1)
            return 0;
        run_c = v ? 0 : run_c + 1;
        if (run_c >= 3)
            return 0;
        prev_v = v;
    }
    return 1;
}

/* RULES §33: a caps word that is read as written (a headline or dateline word, a name, a domain) */
static int caps_as_word(ks_normalizer *nz, size_t k, const tok *t)
{
    tok pv = *TB(nz, k, 1), nx = *T(nz, k + 1), pv2 = *TB(nz, k, 2), nx2 = *T(nz, k + 2);
    /* a hyphenated caps compound (ӨЗІН-ӨЗІ) or a caps domain name (ТЕСТ.ҚАЗ) */
    if ((is_hyphen(&nx) || is_punct(&nx, '.')) && nx.s == t->e && nx2.s == nx.e && nx2.type == T_WORD &&
        (nx2.f & F_ALLUP) && nx2.nch >= 2)
        return 1;
    if ((is_hyphen(&pv) || is_punct(&pv, '.')) && pv.e == t->s && pv2.e == pv.s && pv2.type == T_WORD &&
        (pv2.f & F_ALLUP) && pv2.nch >= 2)
        return 1;
    if (caps_neighbour(nz, k, -1) || caps_neighbour(nz, k, 1))
        return 1;
    if (t->nch >= 4 && caps_pronounceable(nz, t))
        return 1;
    return 0;
}

/* RULES §33: АҚШ доллар- is a lexicalised phrase, the acronym takes the genitive */
static int genitive_before(ks_normalizer *nz, size_t k, const tok *t)
{
    static const struct {
        const char *acr, *noun;
    } G[] = {{"АҚШ", "доллар"}};
    tok sp = *T(nz, k + 1), w = *T(nz, k + 2);
    if (!is_sp(&sp) || w.type != T_WORD || !(w.f & F_LOWER))
        return 0;
    for (size_t i = 0; i < sizeof G / sizeof G[0]; i++) {
        size_t nl = strlen(G[i].noun);
        if (tok_eq(nz, t, G[i].acr) && TL(&w) >= nl && memcmp(TX(nz, &w), G[i].noun, nl) == 0)
            return 1;
    }
    return 0;
}

/* known acronym (§15) or unknown all-caps Cyrillic acronym spelled with letter names (§16, §33) */
static size_t rule_acronym(ks_normalizer *nz, size_t k, const tok *t)
{
    const lex_entry *e = known_acronym(nz, t);
    int spell = 0;
    if (!e || (e->flags & LF_SPELL)) {
        if (!(t->f & F_ALLUP) || !(t->f & F_CYR) || t->nch < 2 || t->nch > 5)
            return 0;
        if (!e && caps_as_word(nz, k, t))
            return 0;
        spell = 1;
    }
    ks_buf *w = &nz->wb;
    ks_buf_reset(w);
    int poss = 0;
    morph_seq m;
    tok sw;
    size_t ksuf = k + 3;
    int suf = suffix_after(nz, k + 1, &m, &sw, &ksuf, 0); /* "ҰБТ -ны" too */
    if (spell) {
        if (!spell_letters(nz, w, t))
            return 0;
    } else if (suf && m.cat[0] == MC_PL && e->exp2) {
        ks_buf_append(w, e->exp2, e->e2len);
        poss = (e->flags & LF_POSS) != 0;
    } else {
        ks_buf_append(w, e->exp, e->elen);
        poss = (e->flags & LF_POSS) != 0;
    }
    size_t end = t->e, kk = k + 1;
    if (suf) {
        if (spell) /* re-harmonised to the last letter name: АЕК-ке -> а е кыға (§33) */
            morph_inflect(w, &m, 0, 0);
        else
            morph_inflect(w, &m, (m.cat[0] == MC_PL && e->exp2) ? 1 : 0, poss);
        end = sw.e;
        kk = ksuf;
    } else if (!spell && genitive_before(nz, k, t)) {
        morph_seq g;
        if (morph_parse("ның", strlen("ның"), &g))
            morph_inflect(w, &g, 0, poss);
    } else {
        tok sp = *T(nz, k + 1), pw = *T(nz, k + 2);
        if (is_sp(&sp) && pw.type == T_WORD &&
            (tok_eq(nz, &pw, "пен") || tok_eq(nz, &pw, "бен") || tok_eq(nz, &pw, "мен"))) {
            size_t ls = last_word_start(w);
            const char *ins = morph_instrumental(w->data + ls, w->len - ls);
            ks_buf_putc(w, ' ');
            ks_buf_puts(w, ins);
            end = pw.e;
            kk = k + 3;
        }
    }
    emit_wb(nz, t->s, end, spell ? "acronym_spelled" : "acronym");
    return kk - k;
}

/* period abbreviations with their context rules (§14) */
static int ends_genitive(const char *x, size_t n)
{
    static const char *const GEN[] = {"ның", "нің", "дың", "дің", "тың", "тің", NULL};
    for (const char *const *g = GEN; *g; g++) {
        size_t gl = strlen(*g);
        if (n >= gl && memcmp(x + n - gl, *g, gl) == 0)
            return 1;
    }
    return 0;
}

static int number_or_roman(ks_normalizer *nz, const tok *t)
{
    return t->type == T_DIGITS || (t->type == T_WORD && kk_roman_value(TX(nz, t), TL(t)) > 0);
}

/* RULES §14 + corpus: an abbreviation with a third form "before a number" (б.з. -> біздің заманымыздың
 * before a century or millennium); an after-number abbreviation right after such a genitive takes the
 * possessive (б.з. V ғ. -> біздің заманымыздың бесінші ғасыры). */
static size_t rule_abbrev(ks_normalizer *nz, size_t k, const tok *t)
{
    size_t kend;
    const lex_entry *e = match_dotted(nz, k, &kend);
    if (!e)
        return 0;
    tok pv = *TB(nz, k, 1), pv2 = *TB(nz, k, 2);
    if ((e->flags & LF_AFTER_CAP) && !(is_sp(&pv) && pv2.type == T_WORD && (pv2.f & F_UP0)))
        return 0;
    if (e->flags & (LF_AFTER_NUM | LF_YEAR)) {
        int after_num = (is_sp(&pv) && pv2.type == T_DIGITS) || (pv.type == T_DIGITS && pv.e == t->s); /* 15ғ. (§32) */
        if (!after_num && !(e->flags & LF_YEAR) && is_sp(&pv) && pv2.type == T_WORD)
            after_num = kk_roman_value(TX(nz, &pv2), TL(&pv2)) > 0;
        if (!after_num)
            return 0;
    }
    tok nx = *T(nz, kend), n1 = *T(nz, kend + 1);
    int at_end = nx.type == T_END || (nx.type == T_SPACE && ((nx.f & F_NL) || n1.type == T_END));
    int before_paren = is_punct(&nx, ')') || (is_sp(&nx) && is_punct(&n1, ')'));
    int before_cap = is_sp(&nx) && n1.type == T_WORD && (n1.f & F_UP0);
    if ((e->flags & LF_MID) && at_end)
        return 0;
    const char *x = e->exp;
    size_t xl = e->elen;
    if (e->flags & LF_YEAR) {
        tok n2 = *T(nz, kend + 2), n3 = *T(nz, kend + 3);
        uint64_t dv = 0;
        int before_date = is_sp(&nx) && n1.type == T_DIGITS && TL(&n1) <= 2 &&
                          number_parse_u64(TX(nz, &n1), TL(&n1), &dv) && dv >= 1 && dv <= 31 && is_sp(&n2) &&
                          month_word(nz, &n3);
        before_date = before_date || (is_sp(&nx) && month_word(nz, &n1)); /* 1917 ж. желтоқсандағы (§14) */
        if ((at_end || before_paren) && e->exp2) {
            x = e->exp2;
            xl = e->e2len;
        } else if (before_date && e->exp3) {
            x = e->exp3;
            xl = e->e3len;
        }
    } else if (at_end && e->exp2) {
        x = e->exp2;
        xl = e->e2len;
    } else if (e->exp3 && is_sp(&nx) && number_or_roman(nz, &n1)) {
        x = e->exp3; /* б.з. I м.ж. -> біздің заманымыздың бірінші ... */
        xl = e->e3len;
        if (ends_genitive(x, xl))
            nz->gen_abbrev_end = T(nz, kend - 1)->e + 1;
    }
    ks_buf *w = &nz->wb;
    ks_buf_reset(w);
    ks_buf_append(w, x, xl);
    if ((e->flags & LF_AFTER_NUM) && is_sp(&pv) && number_or_roman(nz, &pv2) && nz->gen_abbrev_end &&
        TB(nz, k, 3)->s + 1 == nz->gen_abbrev_end && is_sp(TB(nz, k, 3))) {
        morph_seq m = {.cat = {MC_POSS}, .len = {0}, .n = 1}; /* izafet: заманымыздың бірінші мыңжылдығы */
        morph_inflect(w, &m, 0, 0);
    }
    if (at_end || ((e->flags & LF_FINAL) && before_cap))
        ks_buf_putc(w, '.');
    else if (nx.type == T_WORD && nx.s == T(nz, kend - 1)->e)
        ks_buf_putc(w, ' '); /* ғ.басында -> ғасыр басында (§32) */
    emit_wb(nz, t->s, T(nz, kend - 1)->e, "abbreviation");
    return kend - k;
}

/* initials: "Н.Ә. Назарбаев", "А.Байтұрсынұлы" (§17) */
static size_t rule_initials(ks_normalizer *nz, size_t k, const tok *t)
{
    if (t->nch != 1 || !(t->f & F_UP0) || !(t->f & F_CYR))
        return 0;
    size_t j = k;
    int ni = 0;
    while (ni < 3) {
        tok l = *T(nz, j), d = *T(nz, j + 1);
        if (l.type != T_WORD || l.nch != 1 || !(l.f & F_UP0) || !(l.f & F_CYR) || !is_punct(&d, '.'))
            break;
        ni++;
        j += 2;
        tok s = *T(nz, j), l2 = *T(nz, j + 1);
        if (is_sp(&s) && l2.type == T_WORD && l2.nch == 1 && (l2.f & F_UP0) && is_punct(T(nz, j + 2), '.'))
            j++;
    }
    if (!ni)
        return 0;
    tok s = *T(nz, j);
    size_t js = j;
    if (is_sp(&s))
        js++;
    tok sur = *T(nz, js);
    if (sur.type != T_WORD || !(sur.f & F_UP0) || sur.nch < 2 || (sur.f & F_ALLUP))
        return 0;
    ks_buf *w = &nz->wb;
    ks_buf_reset(w);
    for (size_t i = k; i < j; i++) {
        tok l = *T(nz, i);
        if (l.type == T_WORD && !kk_put_letter_name(w, l.cp))
            return 0;
    }
    ks_buf_putc(w, ' ');
    emit_wb(nz, t->s, sur.s, "initials");
    return js - k;
}

static size_t rule_word(ks_normalizer *nz, size_t k)
{
    tok t = *T(nz, k);
    size_t r;
    unsigned char c0 = (unsigned char)nz->p[t.s];
    if (!(t.f & F_LOWER) ||
        (t.nch <= 4 && (strchr("ivxlcdm", c0) || (c0 == 0xD1 && ((unsigned char)nz->p[t.s + 1] == 0x96 ||
                                                                 (unsigned char)nz->p[t.s + 1] == 0x85))) &&
         kk_roman_value(TX(nz, &t), TL(&t)))) {
        if ((r = rule_roman(nz, k, &t)) != 0)
            return r;
    }
    if (!(t.f & F_LOWER) && (r = rule_roman_glued_abbrev(nz, k, &t)) != 0)
        return r;
    tok nx = *T(nz, k + 1);
    if (t.nch == 1 && c0 == 'N' && TB(nz, k, 1)->type != T_WORD && TB(nz, k, 1)->type != T_DIGITS &&
        (r = rule_registry(nz, k)) != 0)
        return r; /* "N 115", "N29": a Latin N for № (§36) */
    if (is_punct(&nx, '.')) {
        if ((r = rule_abbrev(nz, k, &t)) != 0)
            return r;
        if ((r = rule_initials(nz, k, &t)) != 0)
            return r;
    }
    if (!(t.f & F_LOWER)) {
        if ((r = rule_acronym(nz, k, &t)) != 0)
            return r;
    }
    if (nz->has_units && t.nch <= 6 && bloom_has(nz, BL_UNIT_ANY, TX(nz, &t), TL(&t))) {
        const lex_entry *e = lexicon_find(nz->lex, LEX_UNIT, TX(nz, &t), TL(&t));
        if (e && (e->flags & LF_ANY)) {
            ks_buf *w = &nz->wb;
            ks_buf_reset(w);
            ks_buf_append(w, e->exp, e->elen);
            size_t end = t.e, kk = k + 1;
            morph_seq m;
            tok sw;
            if (suffix_at(nz, kk, &m, &sw)) {
                morph_inflect(w, &m, 0, 0);
                end = sw.e;
                kk += 2;
            }
            emit_wb(nz, t.s, end, "unit");
            return kk - k;
        }
    }
    if (nz->has_pron) {
        const lex_entry *e = bloom_has(nz, BL_PRON, TX(nz, &t), TL(&t))
                                 ? lexicon_find(nz->lex, LEX_PRON, TX(nz, &t), TL(&t))
                                 : NULL;
        if (!e && (t.f & F_UP0) && TL(&t) <= 64) {
            char buf[72];
            size_t l = lower_first(nz, &t, buf, sizeof buf);
            if (l && bloom_has(nz, BL_PRON, buf, l))
                e = lexicon_find(nz->lex, LEX_PRON, buf, l);
        }
        if (e) {
            emit(nz, t.s, t.e, "pronunciation", e->exp, e->elen);
            return 1;
        }
    }
    return 0;
}

/* ---------------------------------------------------------------- public API */

KS_API ks_status ks_normalizer_new(ks_normalizer **out, const ks_lexicon *lex, ks_error *err)
{
    if (!out)
        return status_set(err, KS_EINVAL, "ks_normalizer_new: out is NULL");
    ks_normalizer *nz = calloc(1, sizeof *nz);
    if (!nz)
        return status_set(err, KS_ENOMEM, "out of memory");
    nz->lex = lex;
    nz->has_pron = lexicon_count_kind(lex, LEX_PRON) > 0;
    nz->has_units = lexicon_count_kind(lex, LEX_UNIT) > 0;
    ks_buf_init(&nz->clean, 0);
    ks_buf_init(&nz->hyg, 0);
    ks_buf_init(&nz->wb, 0);
    ks_buf_init(&nz->dig, 0);
    nz->endtok.type = T_END;
    nz->nonetok.type = T_NONE;
    for (uint32_t c = 0x400; c <= 0x4FF; c++)
        nz->cyr[c - 0x400] = (unsigned char)((cp_is_letter(c) ? 1 : 0) | (cp_is_upper(c) ? 2 : 0) |
                                             (cp_is_lower(c) ? 4 : 0));
    for (size_t i = 0; i < lexicon_size(lex); i++) {
        const lex_entry *e = lexicon_at(lex, i);
        if (!e)
            continue;
        if (e->kind == LEX_ACRONYM)
            bloom_add(nz, BL_ACRONYM, e->key, e->klen);
        else if (e->kind == LEX_UNIT && (e->flags & LF_ANY))
            bloom_add(nz, BL_UNIT_ANY, e->key, e->klen);
        else if (e->kind == LEX_PRON)
            bloom_add(nz, BL_PRON, e->key, e->klen);
    }
    *out = nz;
    return KS_OK;
}

KS_API void ks_normalizer_set_explain(ks_normalizer *n, ks_explain_fn fn, void *user)
{
    if (!n)
        return;
    n->explain = fn;
    n->explain_user = user;
}

KS_API void ks_normalizer_free(ks_normalizer *n)
{
    if (!n)
        return;
    ks_buf_free(&n->clean);
    ks_buf_free(&n->hyg);
    ks_buf_free(&n->wb);
    ks_buf_free(&n->dig);
    free(n);
}

static void shrink(ks_buf *b)
{
    if (b->cap > SCRATCH_KEEP)
        ks_buf_free(b);
    else
        ks_buf_reset(b);
}

KS_API ks_status ks_normalize(ks_normalizer *nz, const char *utf8, size_t len, ks_buf *out, size_t *bad_offset,
                              ks_error *err)
{
    if (bad_offset)
        *bad_offset = (size_t)-1;
    if (!nz || !out || (!utf8 && len))
        return status_set(err, KS_EINVAL, "ks_normalize: bad argument");
    if (out->failed)
        return status_set(err, KS_ENOMEM, "output buffer is in a failed state");
    const char *p = utf8 ? utf8 : "";
    size_t n = len;
    size_t bad = (size_t)-1;
    ks_buf_reset(&nz->clean);
    /* each invalid byte may become the 3 bytes of U+FFFD */
    nz->clean.max = len > ((size_t)1 << 40) ? 0 : len * 3 + 64;
    if (utf8_clean(p, n, &nz->clean, &bad)) {
        if (nz->clean.failed) {
            shrink(&nz->clean);
            return status_set(err, KS_ENOMEM, "out of memory");
        }
        p = nz->clean.data;
        n = nz->clean.len;
    }
    if (bad_offset)
        *bad_offset = bad;
    ks_buf_reset(&nz->hyg);
    nz->hyg.max = n > ((size_t)1 << 40) ? 0 : n * 2 + 64;
    if (text_hygiene(p, n, &nz->hyg)) { /* RULES §37, before every other rule */
        if (nz->hyg.failed) {
            shrink(&nz->clean);
            shrink(&nz->hyg);
            return status_set(err, KS_ENOMEM, "out of memory");
        }
        p = nz->hyg.data ? nz->hyg.data : "";
        n = nz->hyg.len;
    }
    nz->p = p;
    nz->n = n;
    nz->pos = 0;
    nz->lo = nz->hi = 0;
    nz->endtok.s = nz->endtok.e = n;
    nz->out = out;
    nz->pend = 0;
    nz->force_ord_tok = (size_t)-1;
    nz->gen_abbrev_end = 0;
    nz->close_slash = (size_t)-1;
    nz->minute_end = 0;
    size_t k = 0;
    for (;;) {
        const tok *t = T(nz, k);
        if (t->type == T_END || out->failed)
            break;
        size_t used = 0;
        switch (t->type) {
        case T_DIGITS:
            used = rule_outline_number(nz, k);
            if (!used)
                used = rule_list_marker(nz, k);
            if (!used)
                used = rule_times(nz, k);
            if (!used)
                used = rule_latin_digits(nz, k);
            if (!used)
                used = rule_fraction(nz, k);
            if (!used)
                used = rule_phone(nz, k, k, 0);
            if (!used)
                used = rule_numdate(nz, k);
            if (!used)
                used = rule_yearfirst_date(nz, k);
            if (!used)
                used = rule_race_time(nz, k);
            if (!used)
                used = rule_score(nz, k);
            if (!used)
                used = rule_time(nz, k);
            if (!used)
                used = rule_number(nz, k, k, NULL, NULL);
            break;
        case T_WORD:
            used = rule_word(nz, k);
            break;
        case T_PUNCT:
            used = rule_punct(nz, k);
            break;
        default:
            break;
        }
        k += used ? used : 1;
    }
    flush_to(nz, n);
    nz->p = NULL;
    nz->out = NULL;
    shrink(&nz->clean);
    shrink(&nz->hyg);
    shrink(&nz->wb);
    shrink(&nz->dig);
    if (out->failed)
        return status_set(err, KS_ENOMEM, "output too large (buffer cap reached)");
    return KS_OK;
}
