/* translit.c - Kazakh Latin -> Cyrillic, table driven (the tables in lexicon/latin).
 *
 * A "word" is a maximal run of Latin letters (ASCII, U+00C0..U+024F, U+1E00..U+1EFF)
 * with apostrophes that follow a letter (the 2017 alphabet's a' g' n' ...).  Each word
 * is classified (Kazakh, foreign, or undecided), the alphabet is chosen (the word's own
 * distinctive letters, else the text's majority, else 2021), and the letters are
 * replaced by the longest matching table key.  Everything else is copied byte for byte. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <utf8proc.h>

#include "datafile.h"
#include "kazspeak/kazspeak.h"
#include "status.h"
#include "translit.h"

#define KEY_MAX 4       /* code points in a table key */
#define VAL_MAX 24      /* bytes of a Cyrillic value */
#define WORD_MAX 256    /* longer Latin runs are copied unchanged */
#define TABLE_MAX 128   /* entries per alphabet */
#define KEEP_MAX 4096   /* keep-list words */
#define KEEP_LEN 64     /* bytes per keep-list word */

typedef struct entry {
    int32_t key[KEY_MAX];
    int klen;
    char val[VAL_MAX];     /* default */
    char alt[VAL_MAX];     /* after a vowel ("" = same as val) */
} entry;

typedef struct table {
    entry e[TABLE_MAX];
    int n;
} table;

struct ks_translit {
    table alpha[TRANSLIT_N_ALPHABETS];
    char (*keep)[KEEP_LEN]; /* sorted, lowercase */
    size_t n_keep;
    int loaded[TRANSLIT_N_ALPHABETS];
};

/* ------------------------------------------------------------------ characters */

static int is_apostrophe(int32_t c)
{
    return c == 0x27 || c == 0x2019 || c == 0x02BC || c == 0x60 || c == 0xB4;
}

static int is_latin_letter(int32_t c)
{
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))
        return 1;
    if (c >= 0xC0 && c <= 0x24F)
        return c != 0xD7 && c != 0xF7;
    return c >= 0x1E00 && c <= 0x1EFF;
}

static int is_combining(int32_t c)
{
    return c >= 0x300 && c <= 0x36F;
}

static int is_upper(int32_t c)
{
    return utf8proc_category(c) == UTF8PROC_CATEGORY_LU;
}

static int is_cyrillic(int32_t c)
{
    return c >= 0x400 && c <= 0x4FF;
}

/* Lowercase for table lookup; the 2021 alphabet's I/İ pair maps like Turkish. */
static int32_t lower_for(int32_t c, translit_alphabet a)
{
    if (a == TRANSLIT_2021) {
        if (c == 'I')
            return 0x131; /* ı = і */
        if (c == 0x130)
            return 'i'; /* İ -> i = и/й */
    } else if (c == 0x130) {
        return 'i';
    }
    if (is_apostrophe(c))
        return '\'';
    return utf8proc_tolower(c);
}

static int is_cyr_vowel(int32_t c)
{
    static const int32_t v[] = {0x430, 0x4D9, 0x435, 0x451, 0x438, 0x43E, 0x4E9, 0x443,
                                0x4B1, 0x4AF, 0x44B, 0x456, 0x44D, 0x44E, 0x44F};
    c = utf8proc_tolower(c);
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        if (v[i] == c)
            return 1;
    return 0;
}

static int put_cp(ks_buf *out, int32_t c)
{
    utf8proc_uint8_t tmp[4];
    utf8proc_ssize_t n = utf8proc_encode_char(c, tmp);
    return ks_buf_append(out, (const char *)tmp, (size_t)n);
}

/* ------------------------------------------------------------------ loading */

ks_status translit_new_empty(ks_translit **out, ks_error *err)
{
    *out = NULL;
    ks_translit *t = calloc(1, sizeof *t);
    if (!t)
        return status_set(err, KS_ENOMEM, "out of memory");
    *out = t;
    return KS_OK;
}

KS_API void ks_translit_free(ks_translit *t)
{
    if (!t)
        return;
    free(t->keep);
    free(t);
}

static int keep_cmp(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

/* Lowercase UTF-8 copy (simple case mapping) into dst of size cap; -1 if too long/invalid. */
static int lower_utf8(const char *s, size_t n, char *dst, size_t cap)
{
    size_t i = 0, o = 0;
    while (i < n) {
        utf8proc_int32_t c;
        utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(n - i), &c);
        if (k <= 0)
            return -1;
        i += (size_t)k;
        if (c == 0x130)
            c = 'i';
        else if (c == 0x131)
            c = 'i'; /* keep-list matching ignores the dot */
        else
            c = utf8proc_tolower(c);
        utf8proc_uint8_t tmp[4];
        utf8proc_ssize_t m = utf8proc_encode_char(c, tmp);
        if (o + (size_t)m + 1 > cap)
            return -1;
        memcpy(dst + o, tmp, (size_t)m);
        o += (size_t)m;
    }
    dst[o] = '\0';
    return 0;
}

static int valid_cyrillic_value(const char *s, size_t n)
{
    size_t i = 0;
    if (n == 0 || n >= VAL_MAX)
        return 0;
    while (i < n) {
        utf8proc_int32_t c;
        utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(n - i), &c);
        if (k <= 0 || !is_cyrillic(c))
            return 0;
        i += (size_t)k;
    }
    return 1;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

ks_status translit_load_buffer(ks_translit *t, const char *name, const char *data, size_t len,
                               ks_error *err)
{
    const char *base = base_name(name);
    int which = -1; /* alphabet index, or 3 = keep list */
    if (strcmp(base, "2021.tsv") == 0)
        which = TRANSLIT_2021;
    else if (strcmp(base, "2018.tsv") == 0)
        which = TRANSLIT_2018;
    else if (strcmp(base, "2017.tsv") == 0)
        which = TRANSLIT_2017;
    else if (strcmp(base, "keep.tsv") == 0)
        which = 3;
    else
        return status_set(err, KS_EINVAL, "%s: unknown transliteration table (want 2021.tsv, 2018.tsv, 2017.tsv or keep.tsv)", name);

    size_t pos = 0;
    long line = 0;
    while (pos < len) {
        const char *ls = data + pos;
        const char *nl = memchr(ls, '\n', len - pos);
        size_t ll = nl ? (size_t)(nl - ls) : len - pos;
        pos += ll + (nl ? 1 : 0);
        line++;
        if (ll && ls[ll - 1] == '\r')
            ll--;
        if (ll == 0 || ls[0] == '#')
            continue;
        /* validate UTF-8 of the whole line */
        for (size_t i = 0; i < ll;) {
            utf8proc_int32_t c;
            utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)ls + i, (utf8proc_ssize_t)(ll - i), &c);
            if (k <= 0)
                return status_set(err, KS_EPARSE, "%s:%ld: invalid UTF-8", name, line);
            i += (size_t)k;
        }
        const char *tab = memchr(ls, '\t', ll);
        if (which == 3) {
            if (tab)
                return status_set(err, KS_EPARSE, "%s:%ld: expected 1 column", name, line);
            if (t->n_keep >= KEEP_MAX)
                return status_set(err, KS_EPARSE, "%s:%ld: too many words (max %d)", name, line, KEEP_MAX);
            if (!t->keep) {
                t->keep = calloc(KEEP_MAX, KEEP_LEN);
                if (!t->keep)
                    return status_set(err, KS_ENOMEM, "out of memory");
            }
            if (lower_utf8(ls, ll, t->keep[t->n_keep], KEEP_LEN) != 0)
                return status_set(err, KS_EPARSE, "%s:%ld: word too long", name, line);
            t->n_keep++;
            continue;
        }
        if (!tab)
            return status_set(err, KS_EPARSE, "%s:%ld: expected 2 columns (latin <TAB> cyrillic)", name, line);
        size_t kl = (size_t)(tab - ls);
        const char *v = tab + 1;
        size_t vl = ll - kl - 1;
        if (memchr(v, '\t', vl))
            return status_set(err, KS_EPARSE, "%s:%ld: expected 2 columns, found more", name, line);
        table *tb = &t->alpha[which];
        if (tb->n >= TABLE_MAX)
            return status_set(err, KS_EPARSE, "%s:%ld: too many entries (max %d)", name, line, TABLE_MAX);
        entry *e = &tb->e[tb->n];
        memset(e, 0, sizeof *e);
        for (size_t i = 0; i < kl;) {
            utf8proc_int32_t c;
            utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)ls + i, (utf8proc_ssize_t)(kl - i), &c);
            i += (size_t)k;
            if (!(is_latin_letter(c) && !is_upper(c)) && c != '\'')
                return status_set(err, KS_EPARSE, "%s:%ld: key must be lowercase Latin letters or '", name, line);
            if (e->klen >= KEY_MAX)
                return status_set(err, KS_EPARSE, "%s:%ld: key longer than %d letters", name, line, KEY_MAX);
            e->key[e->klen++] = c;
        }
        if (e->klen == 0)
            return status_set(err, KS_EPARSE, "%s:%ld: empty key", name, line);
        if (e->key[0] == '\'')
            return status_set(err, KS_EPARSE, "%s:%ld: key must start with a letter", name, line);
        const char *bar = memchr(v, '|', vl);
        size_t v1 = bar ? (size_t)(bar - v) : vl;
        if (!valid_cyrillic_value(v, v1))
            return status_set(err, KS_EPARSE, "%s:%ld: value must be 1-%d bytes of Cyrillic letters", name, line, VAL_MAX - 1);
        memcpy(e->val, v, v1);
        if (bar) {
            size_t v2 = vl - v1 - 1;
            if (!valid_cyrillic_value(bar + 1, v2))
                return status_set(err, KS_EPARSE, "%s:%ld: value after | must be Cyrillic letters", name, line);
            memcpy(e->alt, bar + 1, v2);
        }
        for (int i = 0; i < tb->n; i++) {
            if (tb->e[i].klen == e->klen && memcmp(tb->e[i].key, e->key, sizeof(int32_t) * (size_t)e->klen) == 0)
                return status_set(err, KS_EPARSE, "%s:%ld: duplicate key", name, line);
        }
        tb->n++;
    }
    if (which == 3) {
        if (t->n_keep)
            qsort(t->keep, t->n_keep, KEEP_LEN, keep_cmp);
    } else {
        if (t->alpha[which].n == 0)
            return status_set(err, KS_EPARSE, "%s: no entries", name);
        t->loaded[which] = 1;
    }
    return KS_OK;
}

static ks_status load_file(ks_translit *t, const char *dir, const char *file, int optional, ks_error *err)
{
    char path[4096];
    int pn = snprintf(path, sizeof path, "%s/%s", dir, file);
    if (pn < 0 || (size_t)pn >= sizeof path)
        return status_set(err, KS_EINVAL, "%s: path too long", dir);
    datafile df;
    ks_status st = datafile_read(path, optional ? DATAFILE_OPTIONAL : 0, &df, err);
    if (st != KS_OK || df.missing)
        return st;
    st = translit_load_buffer(t, path, df.data, df.len, err);
    datafile_free(&df);
    return st;
}

KS_API ks_status ks_translit_new(ks_translit **out, const char *tables_dir, ks_error *err)
{
    ks_translit *t = NULL;
    ks_status st;
    if (!out)
        return status_set(err, KS_EINVAL, "ks_translit_new: out is NULL");
    *out = NULL;
    if (!tables_dir)
        return status_set(err, KS_EINVAL, "ks_translit_new: tables_dir is NULL");
    if ((st = translit_new_empty(&t, err)) != KS_OK)
        return st;
    if ((st = load_file(t, tables_dir, "2021.tsv", 0, err)) != KS_OK)
        goto fail;
    if ((st = load_file(t, tables_dir, "2018.tsv", 0, err)) != KS_OK)
        goto fail;
    if ((st = load_file(t, tables_dir, "2017.tsv", 0, err)) != KS_OK)
        goto fail;
    if ((st = load_file(t, tables_dir, "keep.tsv", 1, err)) != KS_OK)
        goto fail;
    *out = t;
    return KS_OK;
fail:
    ks_translit_free(t);
    return st;
}

KS_API ks_status ks_script_parse(const char *name, ks_script *out)
{
    if (!name || !out)
        return KS_EINVAL;
    if (strcasecmp(name, "auto") == 0)
        *out = KS_SCRIPT_AUTO;
    else if (strcasecmp(name, "cyrl") == 0 || strcasecmp(name, "cyrillic") == 0)
        *out = KS_SCRIPT_CYRL;
    else if (strcasecmp(name, "latn") == 0 || strcasecmp(name, "latin") == 0)
        *out = KS_SCRIPT_LATN;
    else
        return KS_EINVAL;
    return KS_OK;
}

/* ------------------------------------------------------------------ words */

typedef struct word {
    int32_t cp[WORD_MAX];
    int n;
    size_t start, end; /* byte span in the input */
} word;

enum { W_UNDECIDED = 0, W_KAZAKH, W_FOREIGN };
enum { VOTE_NONE = -1 };

static int has_cp(const word *w, const int32_t *set, size_t n)
{
    for (int i = 0; i < w->n; i++) {
        int32_t c = utf8proc_tolower(w->cp[i]);
        for (size_t j = 0; j < n; j++)
            if (c == set[j])
                return 1;
    }
    return 0;
}

static int lower_ascii(int32_t c)
{
    return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

static int digraph_base(int32_t c)
{
    c = lower_ascii(c);
    return c < 128 && c != 0 && strchr("agnouysci", (int)c) != NULL;
}

/* Position of an apostrophe that forms a 2017 digraph (not an English
 * contraction such as don't, it's, you're, I'll, O'Brien), or -1. */
static int apostrophe_digraph(const word *w)
{
    static const char *const contr[] = {"t", "s", "re", "ve", "ll", "d", "m"};
    for (int i = 1; i < w->n; i++) {
        if (!is_apostrophe(w->cp[i]))
            continue;
        if (!digraph_base(w->cp[i - 1]))
            continue;
        if (i + 1 < w->n && is_upper(w->cp[i + 1]) && !is_upper(w->cp[i - 1]))
            continue; /* O'Brien, D'Artagnan */
        int rest = w->n - i - 1, contraction = 0;
        for (size_t k = 0; k < sizeof contr / sizeof contr[0]; k++) {
            int cl = (int)strlen(contr[k]);
            if (cl != rest)
                continue;
            int ok = 1;
            for (int j = 0; j < cl; j++)
                if (lower_ascii(w->cp[i + 1 + j]) != contr[k][j])
                    ok = 0;
            if (ok)
                contraction = 1;
        }
        if (!contraction)
            return i;
    }
    return -1;
}

/* The alphabet the word's own letters point to, or VOTE_NONE. */
static int word_vote(const word *w)
{
    static const int32_t acute[] = {0xE1, 0x1F5, 0x144, 0xF3, 0xFA, 0xFD, 0xED};
    static const int32_t y2021[] = {0xE4, 0x11F, 0xF1, 0xF6, 0x15F, 0x16B, 0xFC, 0x14B, 0xE7};
    if (has_cp(w, acute, sizeof acute / sizeof acute[0]))
        return TRANSLIT_2018;
    if (has_cp(w, y2021, sizeof y2021 / sizeof y2021[0]))
        return TRANSLIT_2021;
    if (apostrophe_digraph(w) >= 0)
        return TRANSLIT_2017;
    return VOTE_NONE;
}

static int keep_listed(const ks_translit *t, const word *w)
{
    char key[KEEP_LEN];
    size_t o = 0;
    if (!t->n_keep)
        return 0;
    for (int i = 0; i < w->n; i++) {
        int32_t c = w->cp[i];
        if (c == 0x130 || c == 0x131)
            c = 'i';
        else
            c = utf8proc_tolower(c);
        utf8proc_uint8_t tmp[4];
        utf8proc_ssize_t m = utf8proc_encode_char(c, tmp);
        if (o + (size_t)m + 1 > sizeof key)
            return 0;
        memcpy(key + o, tmp, (size_t)m);
        o += (size_t)m;
    }
    key[o] = '\0';
    return bsearch(key, t->keep, t->n_keep, KEEP_LEN, keep_cmp) != NULL;
}

/* Classify a word for AUTO mode. */
static int word_class(const ks_translit *t, const word *w)
{
    int nupper = 0, inner_cap = 0;
    if (keep_listed(t, w))
        return W_FOREIGN;
    if (word_vote(w) != VOTE_NONE)
        return W_KAZAKH;
    for (int i = 1; i < w->n; i++)
        if (is_apostrophe(w->cp[i]))
            return W_FOREIGN; /* an apostrophe that is not a 2017 digraph: don't, it's */
    for (int i = 0; i < w->n; i++) {
        if (is_upper(w->cp[i])) {
            nupper++;
            if (i > 0 && !is_upper(w->cp[i - 1]) && !is_apostrophe(w->cp[i - 1]))
                inner_cap = 1;
        }
        if (w->cp[i] == 0x131)
            return W_KAZAKH; /* dotless ı: і (2021) or и (2018) */
    }
    /* q: Qazaq, qala, oqu (Qatar, Iraq also match, harmlessly); not English
     * que/qui (quest, quick) */
    for (int i = 0; i < w->n; i++) {
        if (lower_ascii(w->cp[i]) != 'q')
            continue;
        int32_t u = i + 1 < w->n ? lower_ascii(w->cp[i + 1]) : 0;
        int32_t v = i + 2 < w->n ? lower_ascii(w->cp[i + 2]) : 0;
        if (!(u == 'u' && (v == 'e' || v == 'i')))
            return W_KAZAKH;
    }
    if (inner_cap)
        return W_FOREIGN; /* iPhone, YouTube, McDonald */
    if (nupper == w->n && w->n >= 2) {
        /* acronyms (USB, BBC, HTML) stay; longer capitals with a vowel (NATO,
         * BANK) are decided by their sentence */
        int vowels = 0;
        for (int i = 0; i < w->n; i++)
            if (strchr("AEIOUY", (int)(w->cp[i] < 128 ? w->cp[i] : 'X')))
                vowels++;
        if (w->n < 4 || vowels == 0)
            return W_FOREIGN;
    }
    static const char *const english[] = {"th", "ph", "wh", "ck", "gh", "ee", "oo", "ou", "ea", "oa", "ay", "ey", "oy"};
    for (int i = 0; i < w->n; i++) {
        int32_t c = lower_ascii(w->cp[i]);
        int32_t d = i + 1 < w->n ? lower_ascii(w->cp[i + 1]) : 0;
        if (c == 'w' || c == 'x')
            return W_FOREIGN;
        if (c == 'c' && d != 'h')
            return W_FOREIGN;
        for (size_t k = 0; k < sizeof english / sizeof english[0]; k++)
            if (c == english[k][0] && d == english[k][1])
                return W_FOREIGN;
    }
    return W_UNDECIDED;
}

/* Is the byte before `i` an opening quote (' or U+2018/U+2019)? */
static int quote_before(const char *in, size_t i)
{
    if (i >= 1 && in[i - 1] == '\'')
        return 1;
    if (i >= 3 && (unsigned char)in[i - 3] == 0xE2 && (unsigned char)in[i - 2] == 0x80 &&
        ((unsigned char)in[i - 1] == 0x98 || (unsigned char)in[i - 1] == 0x99))
        return 1;
    return 0;
}

/* Read the word starting at byte `i` (a Latin letter) into w; returns its end.
 * w->n is -1 when the word is longer than WORD_MAX (it is then copied unchanged). */
static size_t read_word(const char *in, size_t len, size_t i, word *w)
{
    int opened = quote_before(in, i), overflow = 0;
    size_t p = i;
    w->n = 0;
    w->start = i;
    while (p < len) {
        utf8proc_int32_t c;
        utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)in + p, (utf8proc_ssize_t)(len - p), &c);
        if (k <= 0)
            break;
        if (is_combining(c) && w->n > 0) {
            utf8proc_int32_t pair[2] = {w->cp[w->n - 1], c};
            if (utf8proc_normalize_utf32(pair, 2, UTF8PROC_COMPOSE | UTF8PROC_STABLE) == 1) {
                w->cp[w->n - 1] = pair[0];
                p += (size_t)k;
                continue;
            }
        } else if (is_apostrophe(c)) {
            if (w->n == 0 || !is_latin_letter(w->cp[w->n - 1]))
                break;
            size_t q = p + (size_t)k;
            utf8proc_int32_t d = -1;
            if (q < len && utf8proc_iterate((const utf8proc_uint8_t *)in + q, (utf8proc_ssize_t)(len - q), &d) <= 0)
                d = -1;
            /* a trailing apostrophe belongs to the word only as a 2017 digraph
             * (kitaptyn'), never as a closing quote ('sóz') */
            if (!is_latin_letter(d) && (opened || !digraph_base(w->cp[w->n - 1])))
                break;
        } else if (!is_latin_letter(c)) {
            break;
        }
        if (w->n < WORD_MAX)
            w->cp[w->n++] = c;
        else
            overflow = 1;
        p += (size_t)k;
    }
    if (overflow)
        w->n = -1;
    w->end = p;
    return p;
}

static int put_value(ks_buf *out, const char *val, int cap_first, int all_caps)
{
    size_t i = 0, n = strlen(val);
    int first = 1;
    while (i < n) {
        utf8proc_int32_t c;
        utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)val + i, (utf8proc_ssize_t)(n - i), &c);
        if (k <= 0)
            return -1;
        i += (size_t)k;
        if (all_caps || (first && cap_first))
            c = utf8proc_toupper(c);
        first = 0;
        if (put_cp(out, c) != 0)
            return -1;
    }
    return 0;
}

/* Transliterate one word with table `a`. */
static int convert_word(const ks_translit *t, translit_alphabet a, const word *w, ks_buf *out)
{
    const table *tb = &t->alpha[a];
    int32_t low[WORD_MAX];
    int nupper = 0, ncased = 0;
    for (int i = 0; i < w->n; i++) {
        low[i] = lower_for(w->cp[i], a);
        if (is_upper(w->cp[i]))
            nupper++;
        if (is_latin_letter(w->cp[i]))
            ncased++;
    }
    int all_caps = ncased >= 2 && nupper == ncased;
    int32_t prev = 0; /* last Cyrillic letter written */
    for (int i = 0; i < w->n;) {
        const entry *best = NULL;
        for (int k = 0; k < tb->n; k++) {
            const entry *e = &tb->e[k];
            if (e->klen > w->n - i || (best && e->klen <= best->klen))
                continue;
            if (memcmp(e->key, low + i, sizeof(int32_t) * (size_t)e->klen) == 0)
                best = e;
        }
        if (!best) {
            if (put_cp(out, w->cp[i]) != 0)
                return -1;
            prev = 0;
            i++;
            continue;
        }
        const char *v = (best->alt[0] && prev && is_cyr_vowel(prev)) ? best->alt : best->val;
        if (put_value(out, v, is_upper(w->cp[i]), all_caps) != 0)
            return -1;
        /* remember the last letter of v */
        size_t vl = strlen(v), s = vl;
        while (s > 0 && ((unsigned char)v[s - 1] & 0xC0) == 0x80)
            s--;
        if (s > 0)
            s--;
        utf8proc_iterate((const utf8proc_uint8_t *)v + s, (utf8proc_ssize_t)(vl - s), &prev);
        i += best->klen;
    }
    return 0;
}

static size_t next_latin(const char *in, size_t len, size_t p, size_t *cp_len, int32_t *cp)
{
    while (p < len) {
        unsigned char b = (unsigned char)in[p];
        if (b < 0x80) {
            if ((b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z')) {
                *cp_len = 1;
                *cp = b;
                return p;
            }
            p++;
            continue;
        }
        utf8proc_int32_t c;
        utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)in + p, (utf8proc_ssize_t)(len - p), &c);
        if (k <= 0) {
            p++;
            continue;
        }
        if (is_latin_letter(c)) {
            *cp_len = (size_t)k;
            *cp = c;
            return p;
        }
        p += (size_t)k;
    }
    return len;
}

translit_alphabet translit_guess_alphabet(const ks_translit *t, const char *in, size_t len)
{
    int votes[TRANSLIT_N_ALPHABETS] = {0};
    size_t p = 0, cl;
    int32_t c;
    word *w = malloc(sizeof *w);
    (void)t;
    if (!w)
        return TRANSLIT_2021;
    while ((p = next_latin(in, len, p, &cl, &c)) < len) {
        p = read_word(in, len, p, w);
        if (w->n <= 0)
            continue;
        int v = word_vote(w);
        if (v != VOTE_NONE)
            votes[v]++;
    }
    free(w);
    translit_alphabet best = TRANSLIT_2021;
    for (int a = 1; a < TRANSLIT_N_ALPHABETS; a++)
        if (votes[a] > votes[best])
            best = (translit_alphabet)a;
    return best;
}

/* ------------------------------------------------------------------ run */

/* Sentence ranges for AUTO: a sentence ends at . ! ? or a newline. */
typedef struct sentence_info {
    int kazakh;   /* a Kazakh-classified Latin word */
    int cyrillic; /* Cyrillic letters */
    int foreign;  /* a foreign-classified Latin word */
} sentence_info;

/* A label of a web name or an e-mail address (RULES §35): "Aqshamnews" in "Aqshamnews.kz",
 * "iqos" in "www.iqos.com", "info" in "info@akorda.kz".  Names are kept as written. */
static int part_of_web_name(const char *in, size_t len, const word *w)
{
    size_t e = w->end, s = w->start;
    if (e + 1 < len && (in[e] == '.' || in[e] == '@') && ((unsigned char)in[e + 1] >= 0x80 ||
                                                          ((in[e + 1] | 0x20) >= 'a' && (in[e + 1] | 0x20) <= 'z')))
        return 1;
    return s >= 2 && (in[s - 1] == '.' || in[s - 1] == '@') && ((in[s - 2] | 0x20) >= 'a' && (in[s - 2] | 0x20) <= 'z');
}

static int is_sentence_end(unsigned char b)
{
    return b == '.' || b == '!' || b == '?' || b == '\n';
}

static int has_kazakh_word(const ks_translit *t, const char *in, size_t len, word *w)
{
    size_t p = 0, cl;
    int32_t c;
    while ((p = next_latin(in, len, p, &cl, &c)) < len) {
        p = read_word(in, len, p, w);
        if (w->n > 0 && word_class(t, w) == W_KAZAKH)
            return 1;
    }
    return 0;
}

void translit_doc_hint(const ks_translit *t, const char *in, size_t len, translit_hint *h)
{
    word *w = malloc(sizeof *w);
    h->kazakh = w ? has_kazakh_word(t, in, len, w) : 0;
    h->alphabet = translit_guess_alphabet(t, in, len);
    free(w);
}

KS_API ks_status ks_translit_run(const ks_translit *t, ks_script mode, const char *in, size_t len,
                                 ks_buf *out, ks_error *err)
{
    return translit_run_hint(t, mode, in, len, NULL, out, err);
}

ks_status translit_run_hint(const ks_translit *t, ks_script mode, const char *in, size_t len,
                            const translit_hint *hint, ks_buf *out, ks_error *err)
{
    if (!t || !out || (!in && len))
        return status_set(err, KS_EINVAL, "ks_translit_run: NULL argument");
    if (mode != KS_SCRIPT_AUTO && mode != KS_SCRIPT_CYRL && mode != KS_SCRIPT_LATN)
        return status_set(err, KS_EINVAL, "ks_translit_run: bad script mode %d", (int)mode);
    for (int a = 0; a < TRANSLIT_N_ALPHABETS; a++)
        if (!t->loaded[a] && mode != KS_SCRIPT_CYRL)
            return status_set(err, KS_EINVAL, "ks_translit_run: transliteration tables not loaded");
    if (mode == KS_SCRIPT_CYRL || len == 0) {
        if (ks_buf_append(out, in ? in : "", len) != 0)
            return status_set(err, KS_ENOMEM, "output too large");
        return KS_OK;
    }
    translit_alphabet doc = hint ? hint->alphabet : translit_guess_alphabet(t, in, len);
    word *w = malloc(sizeof *w);
    if (!w)
        return status_set(err, KS_ENOMEM, "out of memory");

    /* AUTO needs, per sentence, whether it has a Kazakh Latin word and Cyrillic letters,
     * and whether the text has any Kazakh Latin word: one pre-pass. */
    int doc_kazakh = 0;
    size_t sent_start = 0;      /* start of the sentence the cursor is in */
    sentence_info cur = {0, 0, 0};/* info of the sentence starting at sent_start */
    size_t sent_end = 0;        /* end of that sentence (exclusive), computed lazily */

    if (mode == KS_SCRIPT_AUTO)
        doc_kazakh = (hint && hint->kazakh) || has_kazakh_word(t, in, len, w);

    size_t p = 0;
    ks_status st = KS_OK;
    while (p < len) {
        size_t cl;
        int32_t c;
        size_t q = next_latin(in, len, p, &cl, &c);
        if (q > p && ks_buf_append(out, in + p, q - p) != 0)
            goto nomem;
        if (q >= len)
            break;
        size_t e = read_word(in, len, q, w);
        if (w->n <= 0) {
            if (ks_buf_append(out, in + q, e - q) != 0)
                goto nomem;
            p = e;
            continue;
        }
        int convert;
        if (part_of_web_name(in, len, w)) {
            convert = 0;
        } else if (mode == KS_SCRIPT_LATN) {
            convert = !keep_listed(t, w);
        } else {
            int cls = word_class(t, w);
            if (cls == W_KAZAKH)
                convert = 1;
            else if (cls == W_FOREIGN || !doc_kazakh)
                convert = 0;
            else {
                /* undecided: look at its sentence */
                if (q >= sent_end) {
                    size_t s = q;
                    while (s > 0 && !is_sentence_end((unsigned char)in[s - 1]))
                        s--;
                    size_t en = q;
                    while (en < len && !is_sentence_end((unsigned char)in[en]))
                        en++;
                    if (en < len)
                        en++;
                    sent_start = s;
                    sent_end = en;
                    cur.kazakh = cur.cyrillic = cur.foreign = 0;
                    word *w2 = malloc(sizeof *w2);
                    if (!w2)
                        goto nomem;
                    size_t r = s;
                    while (r < en) {
                        utf8proc_int32_t d;
                        utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)in + r, (utf8proc_ssize_t)(en - r), &d);
                        if (k <= 0) {
                            r++;
                            continue;
                        }
                        if (is_cyrillic(d)) {
                            cur.cyrillic = 1;
                            r += (size_t)k;
                        } else if (is_latin_letter(d)) {
                            r = read_word(in, en, r, w2);
                            int c2 = w2->n > 0 ? word_class(t, w2) : W_UNDECIDED;
                            if (c2 == W_KAZAKH)
                                cur.kazakh = 1;
                            else if (c2 == W_FOREIGN)
                                cur.foreign = 1;
                        } else {
                            r += (size_t)k;
                        }
                    }
                    free(w2);
                }
                (void)sent_start;
                /* with Kazakh Latin words in the sentence: yes; without: only in an
                 * all-Latin sentence with nothing foreign in it */
                convert = cur.kazakh || (!cur.cyrillic && !cur.foreign);
            }
        }
        if (convert) {
            int v = word_vote(w);
            translit_alphabet a = v == VOTE_NONE ? doc : (translit_alphabet)v;
            if (convert_word(t, a, w, out) != 0)
                goto nomem;
        } else if (ks_buf_append(out, in + q, e - q) != 0) {
            goto nomem;
        }
        p = e;
    }
    free(w);
    if (out->failed)
        return status_set(err, KS_ENOMEM, "output too large");
    return st;
nomem:
    free(w);
    return status_set(err, KS_ENOMEM, "output too large or out of memory");
}
