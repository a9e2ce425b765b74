/* lang.c - language spans: which parts of a sentence are Kazakh, Russian or
 * Latin-script (English) text.
 *
 * A sentence is cut into segments: the sentence itself and, nested in it, each
 * quotation (« », " ", „ “, “ ”) and parenthesis. Every Cyrillic word of a
 * segment adds evidence: a Kazakh-only letter (ә ғ қ ң ө ұ ү һ і) or a Kazakh
 * function word for Kazakh; a Russian function word, a Russian-only ending or
 * word start for Russian (the lists are data: the TSV files of lexicon/lang). A segment of
 * Latin-script words is English unless they are Kazakh Latin. A segment without
 * evidence follows the segment around it; a sentence without any follows the
 * previous sentence (`context`). Unquoted names are part of their sentence, so a
 * Russian name inflected with Kazakh suffixes stays Kazakh. */
#include <errno.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <utf8proc.h>

#include "kazspeak/kazspeak.h"
#include "lang.h"
#include "status.h"

/* ---------------------------------------------------------------- word lists */

enum { L_RU_WORDS, L_RU_ENDINGS, L_RU_STEMS, L_KK_WORDS, L_KK_ENDINGS, L_KINDS };
static const char *const kind_names[L_KINDS] = {"ru_words", "ru_endings", "ru_stems", "kk_words", "kk_endings"};

/* Weights of the evidence (one word counts once per kind). */
#define W_KK_LETTER 2.0
#define W_KK_LETTER_NAME 1.0 /* a capitalised word inside the sentence: a name, weaker */
#define W_KK_WORD 1.5
#define W_KK_ENDING 1.0
#define W_RU_WORD 1.5
#define W_RU_ENDING 1.0
#define W_RU_STEM 1.5
#define W_RU_LETTER 0.5      /* ё ъ: hardly ever in Kazakh words */
#define MIN_ENDING_WORD 5    /* endings count only on words at least this long (code points) */

typedef struct wordlist {
    char **w;
    size_t n, cap;
    int sorted;
} wordlist;

struct ks_langid {
    wordlist l[L_KINDS];
};

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int list_add(wordlist *l, const char *s, size_t n)
{
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 64;
        char **nw = realloc(l->w, nc * sizeof *nw);
        if (!nw)
            return -1;
        l->w = nw;
        l->cap = nc;
    }
    char *c = malloc(n + 1);
    if (!c)
        return -1;
    memcpy(c, s, n);
    c[n] = '\0';
    l->w[l->n++] = c;
    l->sorted = 0;
    return 0;
}

static void list_sort(wordlist *l)
{
    if (l->sorted || !l->n)
        return;
    qsort(l->w, l->n, sizeof *l->w, cmp_str);
    size_t k = 0; /* drop duplicates */
    for (size_t i = 0; i < l->n; i++) {
        if (k && strcmp(l->w[k - 1], l->w[i]) == 0)
            free(l->w[i]);
        else
            l->w[k++] = l->w[i];
    }
    l->n = k;
    l->sorted = 1;
}

static int list_has(const wordlist *l, const char *s)
{
    if (!l || !l->n)
        return 0;
    const char *key = s;
    return bsearch(&key, l->w, l->n, sizeof *l->w, cmp_str) != NULL;
}

KS_API ks_status ks_langid_load_buffer(ks_langid *m, const char *name, const char *data, size_t len,
                                       ks_error *err)
{
    int kind = -1;
    size_t pos = 0;
    long line = 0;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        pos = 3;
    while (pos < len) {
        const char *nl = memchr(data + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - data) : len;
        const char *s = data + pos;
        size_t n = end - pos;
        pos = nl ? end + 1 : len;
        line++;
        if (n && s[n - 1] == '\r')
            n--;
        while (n && (*s == ' ' || *s == '\t')) {
            s++;
            n--;
        }
        while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
            n--;
        if (!n || *s == '#')
            continue;
        if (memchr(s, '\0', n))
            return status_set(err, KS_EPARSE, "%s:%ld: NUL byte", name, line);
        if (n > 6 && memcmp(s, "@kind\t", 6) == 0) {
            kind = -1;
            for (int k = 0; k < L_KINDS; k++)
                if (n - 6 == strlen(kind_names[k]) && memcmp(s + 6, kind_names[k], n - 6) == 0)
                    kind = k;
            if (kind < 0)
                return status_set(err, KS_EPARSE, "%s:%ld: unknown kind \"%.*s\"", name, line, (int)(n - 6), s + 6);
            continue;
        }
        if (kind < 0)
            return status_set(err, KS_EPARSE, "%s:%ld: expected the header @kind<TAB>KIND first", name, line);
        if (memchr(s, '\t', n) || memchr(s, ' ', n))
            return status_set(err, KS_EPARSE, "%s:%ld: expected one word a line", name, line);
        /* lower-case letters (and a hyphen) only */
        size_t i = 0;
        while (i < n) {
            utf8proc_int32_t cp;
            utf8proc_ssize_t r = utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(n - i), &cp);
            if (r <= 0)
                return status_set(err, KS_EPARSE, "%s:%ld: invalid UTF-8", name, line);
            utf8proc_category_t cat = utf8proc_category(cp);
            if (cp != '-' && cat != UTF8PROC_CATEGORY_LL)
                return status_set(err, KS_EPARSE, "%s:%ld: \"%.*s\": only lower-case letters", name, line, (int)n,
                                  s);
            i += (size_t)r;
        }
        if (list_add(&m->l[kind], s, n) != 0)
            return status_set(err, KS_ENOMEM, "out of memory");
    }
    for (int k = 0; k < L_KINDS; k++)
        list_sort(&m->l[k]);
    return KS_OK;
}

KS_API void ks_langid_free(ks_langid *m)
{
    if (!m)
        return;
    for (int k = 0; k < L_KINDS; k++) {
        for (size_t i = 0; i < m->l[k].n; i++)
            free(m->l[k].w[i]);
        free(m->l[k].w);
    }
    free(m);
}

static ks_status load_file(ks_langid *m, const char *path, ks_error *err)
{
    struct stat sb;
    if (stat(path, &sb) != 0)
        return status_set(err, KS_EIO, "%s: %s", path, strerror(errno));
    if (!S_ISREG(sb.st_mode) || sb.st_size > (16 << 20))
        return status_set(err, KS_EIO, "%s: not a regular file of at most 16 MiB", path);
    FILE *f = fopen(path, "rb");
    if (!f)
        return status_set(err, KS_EIO, "%s: %s", path, strerror(errno));
    size_t n = (size_t)sb.st_size;
    char *data = malloc(n + 1);
    if (!data) {
        fclose(f);
        return status_set(err, KS_ENOMEM, "out of memory");
    }
    size_t got = fread(data, 1, n, f);
    int bad = ferror(f);
    fclose(f);
    ks_status st = bad || got != n ? status_set(err, KS_EIO, "%s: read error", path)
                                   : ks_langid_load_buffer(m, path, data, got, err);
    free(data);
    return st;
}

KS_API ks_status ks_langid_new(ks_langid **out, const char *dir, ks_error *err)
{
    *out = NULL;
    ks_langid *m = calloc(1, sizeof *m);
    if (!m)
        return status_set(err, KS_ENOMEM, "out of memory");
    if (!dir) {
        *out = m;
        return KS_OK;
    }
    DIR *d = opendir(dir);
    if (!d) {
        ks_langid_free(m);
        return status_set(err, KS_EIO, "%s: %s", dir, strerror(errno));
    }
    char *names[64];
    size_t nn = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL && nn < 64) {
        size_t l = strlen(de->d_name);
        if (l >= 5 && strcmp(de->d_name + l - 4, ".tsv") == 0 && de->d_name[0] != '.')
            if ((names[nn] = strdup(de->d_name)) != NULL)
                nn++;
    }
    closedir(d);
    qsort(names, nn, sizeof names[0], cmp_str);
    ks_status st = KS_OK;
    for (size_t i = 0; i < nn; i++) {
        char path[4200];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (st == KS_OK)
            st = load_file(m, path, err);
        free(names[i]);
    }
    if (st != KS_OK) {
        ks_langid_free(m);
        return st;
    }
    *out = m;
    return KS_OK;
}

KS_API ks_status ks_lang_parse(const char *name, ks_lang *out)
{
    static const struct {
        const char *n;
        ks_lang l;
    } map[] = {{"auto", KS_LANG_AUTO}, {"kk", KS_LANG_KK}, {"kaz", KS_LANG_KK}, {"ru", KS_LANG_RU},
               {"rus", KS_LANG_RU},    {"en", KS_LANG_EN}, {"eng", KS_LANG_EN}};
    if (!name)
        return KS_EINVAL;
    size_t base = strcspn(name, "-_.@");
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        size_t l = strlen(map[i].n);
        if (base == l && strncasecmp(name, map[i].n, l) == 0 && (map[i].l != KS_LANG_AUTO || !name[l])) {
            *out = map[i].l;
            return KS_OK;
        }
    }
    return KS_EINVAL;
}

KS_API const char *ks_lang_name(ks_lang l)
{
    switch (l) {
    case KS_LANG_KK: return "kk";
    case KS_LANG_RU: return "ru";
    case KS_LANG_EN: return "en";
    default: return "auto";
    }
}

/* ---------------------------------------------------------------- words and evidence */

static int is_kk_letter(utf8proc_int32_t c)
{
    switch (c) {
    case 0x04D9: case 0x0493: case 0x049B: case 0x04A3: case 0x04E9: /* ә ғ қ ң ө */
    case 0x04B1: case 0x04AF: case 0x04BB: case 0x0456:              /* ұ ү һ і */
        return 1;
    default: return 0;
    }
}

/* Latin letters only Kazakh Latin alphabets use (2021: ä ğ ı ñ ö ş ū ü; 2018: á ǵ ń ó ú ý). */
static int is_kklat_letter(utf8proc_int32_t c)
{
    switch (c) {
    case 0xE4: case 0x11F: case 0x131: case 0xF1: case 0xF6: case 0x15F: case 0x16B: case 0xFC:
    case 0xE1: case 0x1F5: case 0x144: case 0xF3: case 0xFA: case 0xFD:
        return 1;
    default: return 0;
    }
}

static int is_cyr(utf8proc_int32_t c)
{
    return c >= 0x0400 && c <= 0x052F;
}

static int is_latin(utf8proc_int32_t c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= 0xC0 && c <= 0x24F && c != 0xD7 && c != 0xF7);
}

static int is_letter(utf8proc_int32_t c)
{
    utf8proc_category_t k = utf8proc_category(c);
    return k >= UTF8PROC_CATEGORY_LU && k <= UTF8PROC_CATEGORY_ME;
}

#define MAX_WORD 96 /* bytes of a lower-cased word looked up; longer words are scored by letters only */

/* Score one word (s[0..n), letters only). `inner`: not the first word of the sentence. */
static void score_word(const ks_langid *m, const char *s, size_t n, int inner, lang_evidence *ev)
{
    char low[MAX_WORD + 8];
    size_t ln = 0, ncp = 0;
    int cyr = 0, lat = 0, kkl = 0, kklat = 0, rul = 0, upper0 = 0;
    size_t starts[MAX_WORD + 8]; /* byte offset of each code point in low */
    for (size_t i = 0; i < n;) {
        utf8proc_int32_t c;
        utf8proc_ssize_t r = utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(n - i), &c);
        if (r <= 0) {
            i++;
            continue;
        }
        i += (size_t)r;
        if (ncp == 0)
            upper0 = utf8proc_category(c) == UTF8PROC_CATEGORY_LU;
        utf8proc_int32_t lc = utf8proc_tolower(c);
        cyr += is_cyr(c);
        lat += is_latin(c);
        kkl += is_kk_letter(lc);
        kklat += is_kklat_letter(lc);
        rul += lc == 0x0451 || lc == 0x044A; /* ё ъ */
        if (ln + 4 <= MAX_WORD) {
            starts[ncp] = ln;
            ln += (size_t)utf8proc_encode_char(lc, (utf8proc_uint8_t *)low + ln);
        } else {
            ln = MAX_WORD + 1; /* too long to look up */
        }
        ncp++;
    }
    if (cyr == 0 && lat == 0)
        return;
    if (lat > cyr) {
        ev->lat_words++;
        if (kklat)
            ev->kklat_words++;
        return;
    }
    ev->cyr_words++;
    if (kkl) {
        ev->kk += inner && upper0 ? W_KK_LETTER_NAME : W_KK_LETTER;
        return; /* a word with a Kazakh letter is Kazakh; its ending says nothing more */
    }
    if (rul)
        ev->ru += W_RU_LETTER;
    if (ln > MAX_WORD)
        return;
    low[ln] = '\0';
    /* Russian spelling never writes жы or шы (жи, ши); Kazakh does all the time (жыл, шығу) */
    if (strstr(low, "\xD0\xB6\xD1\x8B") || strstr(low, "\xD1\x88\xD1\x8B")) {
        ev->kk += inner && upper0 ? W_KK_LETTER_NAME : W_KK_WORD; /* Шымкент is spelled so in Russian too */
        return;
    }
    if (list_has(m ? &m->l[L_RU_WORDS] : NULL, low)) {
        ev->ru += W_RU_WORD;
        return;
    }
    if (list_has(m ? &m->l[L_KK_WORDS] : NULL, low)) {
        ev->kk += W_KK_WORD;
        return;
    }
    /* word starts (Казахстан, казахский ...) */
    for (size_t k = ncp; k >= 3; k--) {
        size_t b = k < ncp ? starts[k] : ln;
        char save = low[b];
        low[b] = '\0';
        int hit = list_has(m ? &m->l[L_RU_STEMS] : NULL, low);
        low[b] = save;
        if (hit) {
            ev->ru += W_RU_STEM;
            return;
        }
    }
    if (ncp < MIN_ENDING_WORD)
        return;
    /* endings, longest first; an ending leaves at least 2 letters of stem */
    for (size_t k = 2; k + 2 <= ncp && k <= 7; k++) {
        const char *end = low + starts[ncp - k];
        if (list_has(m ? &m->l[L_RU_ENDINGS] : NULL, end)) {
            ev->ru += W_RU_ENDING;
            return;
        }
        if (list_has(m ? &m->l[L_KK_ENDINGS] : NULL, end)) {
            ev->kk += W_KK_ENDING;
            return;
        }
    }
}

/* Call fn for every word of text[0..len): a run of letters (a hyphen or an
 * apostrophe between letters splits it). */
typedef void (*word_fn)(const char *w, size_t n, size_t at, void *user);

static void each_word(const char *text, size_t len, word_fn fn, void *user)
{
    size_t i = 0, ws = (size_t)-1;
    while (i < len) {
        utf8proc_int32_t c;
        utf8proc_ssize_t r = utf8proc_iterate((const utf8proc_uint8_t *)text + i, (utf8proc_ssize_t)(len - i), &c);
        size_t step = r > 0 ? (size_t)r : 1;
        int letter = r > 0 && is_letter(c);
        if (letter && ws == (size_t)-1)
            ws = i;
        if (!letter && ws != (size_t)-1) {
            fn(text + ws, i - ws, ws, user);
            ws = (size_t)-1;
        }
        i += step;
    }
    if (ws != (size_t)-1)
        fn(text + ws, len - ws, ws, user);
}

typedef struct score_ctx {
    const ks_langid *m;
    lang_evidence *ev;
    size_t sentence_first; /* offset of the sentence's first word (not "inner") */
    size_t base;
} score_ctx;

static void score_cb(const char *w, size_t n, size_t at, void *user)
{
    score_ctx *c = user;
    score_word(c->m, w, n, c->base + at != c->sentence_first, c->ev);
}

void lang_score(const ks_langid *m, const char *text, size_t len, lang_evidence *ev)
{
    memset(ev, 0, sizeof *ev);
    score_ctx c = {m, ev, (size_t)-1, 0};
    each_word(text, len, score_cb, &c);
}

/* ---------------------------------------------------------------- segments */

#define MAX_SEGS 64

typedef struct seg {
    size_t start, end;  /* content bytes (inside the marks) */
    int parent;         /* -1 for the sentence */
    utf8proc_int32_t close;
    lang_evidence ev;   /* its own words (not its children's) */
    ks_lang lang;
} seg;

typedef struct seg_ctx {
    const ks_langid *m;
    seg *segs;
    int nsegs;
    int *owner;          /* not used: words are attributed while scanning */
} seg_ctx;

static int opening(utf8proc_int32_t c, utf8proc_int32_t *close)
{
    switch (c) {
    case 0xAB: *close = 0xBB; return 1;     /* « » */
    case 0x201E: *close = 0x201C; return 1; /* „ “ (also ”) */
    case 0x201C: *close = 0x201D; return 1; /* “ ” */
    case '(': *close = ')'; return 1;
    case '"': *close = '"'; return 1;
    default: return 0;
    }
}

static int closes(utf8proc_int32_t want, utf8proc_int32_t c)
{
    return c == want || (want == 0x201C && c == 0x201D);
}

/* Is the Latin text Kazakh Latin? Special letters, or the transliterator turns it into Cyrillic. */
static int kazakh_latin(const ks_translit *tr, const char *t, size_t n, const lang_evidence *ev)
{
    if (ev->kklat_words > 0)
        return 1;
    if (!tr)
        return 0;
    ks_buf b = {0};
    ks_error err;
    int cyr = 0;
    if (ks_translit_run(tr, KS_SCRIPT_AUTO, t, n, &b, &err) == KS_OK && b.data) {
        for (size_t i = 0; i + 1 < b.len; i++)
            if ((unsigned char)b.data[i] >= 0xD0 && (unsigned char)b.data[i] <= 0xD3) {
                cyr = 1;
                break;
            }
    }
    ks_buf_free(&b);
    return cyr;
}

/* kazakh_latin() on the words of segment k itself (not of the quotations inside it). */
static int own_kazakh_latin(const ks_translit *tr, const char *text, const seg *segs, int nsegs, int k)
{
    if (segs[k].ev.kklat_words)
        return 1;
    ks_buf own = {0};
    size_t pos = segs[k].start;
    for (int j = k + 1; j < nsegs; j++) {
        if (segs[j].parent != k)
            continue;
        if (segs[j].start > pos)
            ks_buf_append(&own, text + pos, segs[j].start - pos);
        ks_buf_putc(&own, ' ');
        pos = segs[j].end > pos ? segs[j].end : pos;
    }
    if (segs[k].end > pos)
        ks_buf_append(&own, text + pos, segs[k].end - pos);
    int r = own.data ? kazakh_latin(tr, own.data, own.len, &segs[k].ev) : 0;
    ks_buf_free(&own);
    return r;
}

/* The language the evidence says, or KS_LANG_AUTO when it says nothing. `quote`:
 * a quotation or parenthesis (one Russian ending is enough there). */
static ks_lang decide(const lang_evidence *ev, int quote, int kazakh_lat)
{
    if (ev->cyr_words == 0 && ev->lat_words > 0)
        return kazakh_lat ? KS_LANG_KK : KS_LANG_EN;
    if (ev->kk == 0 && ev->ru == 0)
        return KS_LANG_AUTO;
    /* one Russian ending is enough where nothing is Kazakh, or in a quotation */
    if (ev->ru > ev->kk && ev->ru >= (quote || ev->kk == 0 ? W_RU_ENDING : W_RU_WORD))
        return KS_LANG_RU;
    if (ev->kk >= ev->ru && ev->kk > 0)
        return KS_LANG_KK;
    return KS_LANG_AUTO;
}

typedef struct span_out {
    ks_lang_span *out;
    size_t max, n;
    size_t lead; /* punctuation before the first span: it joins that span */
} span_out;

static void push_span(span_out *o, size_t off, size_t len, ks_lang lang)
{
    if (!len)
        return;
    if (o->n == 0 && o->lead) {
        off -= o->lead;
        len += o->lead;
        o->lead = 0;
    }
    if (o->n && o->n <= o->max) {
        ks_lang_span *last = &o->out[o->n - 1];
        if (last->lang == lang && last->offset + last->len == off) {
            last->len += len;
            return;
        }
    }
    if (o->n < o->max) {
        o->out[o->n].offset = off;
        o->out[o->n].len = len;
        o->out[o->n].lang = lang;
    }
    o->n++;
}

/* Has text[0..n) a letter or a digit? */
static int has_word(const char *t, size_t n)
{
    for (size_t i = 0; i < n;) {
        utf8proc_int32_t c;
        utf8proc_ssize_t r = utf8proc_iterate((const utf8proc_uint8_t *)t + i, (utf8proc_ssize_t)(n - i), &c);
        if (r <= 0) {
            i++;
            continue;
        }
        if (is_letter(c) || (c >= '0' && c <= '9'))
            return 1;
        i += (size_t)r;
    }
    return 0;
}

/* Decide each segment's language, parents first (segments are numbered in order
 * of their opening); one with no evidence follows its parent, the sentence its context. */
static void decide_segments(const ks_translit *tr, const char *text, seg *segs, int nsegs, ks_lang context)
{
    for (int k = 0; k < nsegs; k++) {
        seg *s = &segs[k];
        int klat = 0;
        if (s->ev.lat_words && !s->ev.cyr_words)
            klat = own_kazakh_latin(tr, text, segs, nsegs, k);
        s->lang = decide(&s->ev, k > 0, klat);
        if (s->lang == KS_LANG_AUTO && k == 0) {
            /* the sentence says nothing itself: what its quotations say together */
            lang_evidence all = s->ev;
            int lat_only = 1;
            for (int j = 1; j < nsegs; j++) {
                all.kk += segs[j].ev.kk;
                all.ru += segs[j].ev.ru;
                all.cyr_words += segs[j].ev.cyr_words;
                all.lat_words += segs[j].ev.lat_words;
                all.kklat_words += segs[j].ev.kklat_words;
            }
            if (all.cyr_words || !all.lat_words)
                lat_only = 0;
            s->lang = lat_only ? KS_LANG_AUTO : decide(&all, 0, 0);
        }
        if (s->lang == KS_LANG_AUTO)
            s->lang = k == 0 ? context : segs[s->parent].lang;
    }
}

KS_API size_t ks_lang_spans(const ks_langid *m, const ks_translit *tr, ks_lang context, const char *text,
                            size_t len, ks_lang_span *out, size_t max)
{
    if (!len)
        return 0;
    if (context != KS_LANG_RU && context != KS_LANG_EN)
        context = KS_LANG_KK;
    seg segs[MAX_SEGS];
    int nsegs = 1;
    memset(&segs[0], 0, sizeof segs[0]);
    segs[0].start = 0;
    segs[0].end = len;
    segs[0].parent = -1;
    int stack[MAX_SEGS], sp = 0;
    stack[sp++] = 0;
    /* owner of each byte range: recorded as the segment boundaries */
    size_t i = 0, ws = (size_t)-1;
    size_t first_word = (size_t)-1;
    utf8proc_int32_t prev = ' ';
    while (i <= len) {
        utf8proc_int32_t c = ' ';
        size_t step = 1;
        if (i < len) {
            utf8proc_ssize_t r = utf8proc_iterate((const utf8proc_uint8_t *)text + i, (utf8proc_ssize_t)(len - i), &c);
            if (r > 0)
                step = (size_t)r;
            else
                c = 0xFFFD;
        }
        int letter = i < len && is_letter(c);
        if (letter && ws == (size_t)-1)
            ws = i;
        if (!letter && ws != (size_t)-1) {
            if (first_word == (size_t)-1)
                first_word = ws;
            score_word(m, text + ws, i - ws, ws != first_word, &segs[stack[sp - 1]].ev);
            ws = (size_t)-1;
        }
        if (i == len)
            break;
        utf8proc_int32_t cl;
        seg *top = &segs[stack[sp - 1]];
        if (sp > 1 && closes(top->close, c)) {
            top->end = i;
            sp--;
        } else if (opening(c, &cl) && nsegs < MAX_SEGS && sp < MAX_SEGS &&
                   !(c == '"' && is_letter(prev))) {
            seg *s = &segs[nsegs];
            memset(s, 0, sizeof *s);
            s->start = i + step;
            s->end = len;
            s->parent = stack[sp - 1];
            s->close = cl;
            stack[sp++] = nsegs++;
        }
        prev = c;
        i += step;
    }
    decide_segments(tr, text, segs, nsegs, context);
    /* emit: walk the text, the innermost segment owning each byte */
    span_out o = {out, max, 0, 0};
    /* boundaries: sort the segment edges; segments nest, so a simple sweep works */
    size_t pos = 0;
    int cur = 0;
    int st2[MAX_SEGS], sp2 = 0;
    int resume[MAX_SEGS]; /* where the search for a segment's next child goes on */
    for (int k = 0; k < nsegs; k++)
        resume[k] = k + 1;
    st2[sp2++] = 0;
    /* events in order: each segment k>0 opens at start and closes at end */
    for (;;) {
        /* next event after pos: the nearest opening child of cur or the end of cur */
        size_t next = segs[cur].end;
        int child = -1;
        for (int k = resume[cur]; k < nsegs; k++)
            if (segs[k].parent == cur && segs[k].start >= pos && segs[k].start <= next) {
                next = segs[k].start;
                child = k;
                break;
            }
        /* the piece pos..next belongs to cur; punctuation-only pieces go with the span before */
        size_t plen = next > pos ? next - pos : 0;
        if (plen) {
            ks_lang lang = segs[cur].lang;
            int words = has_word(text + pos, plen);
            if (!words && o.n == 0)
                o.lead += plen; /* goes with the first span that has words */
            else {
                if (!words && o.n <= o.max)
                    lang = o.out[o.n - 1].lang;
                push_span(&o, pos, plen, lang);
            }
        }
        pos = next;
        if (child >= 0) {
            resume[cur] = child + 1; /* an empty "()" is visited once */
            st2[sp2++] = child;
            cur = child;
            continue;
        }
        if (cur == 0)
            break;
        sp2--;
        cur = st2[sp2 - 1];
    }
    if (o.n == 0 && o.lead) { /* no words at all */
        size_t l = o.lead;
        o.lead = 0;
        push_span(&o, 0, l, segs[0].lang);
    }
    return o.n;
}
