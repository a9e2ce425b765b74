/* lexicon.c - load and look up lexicon/NAME.tsv (acronyms, abbreviations, units,
 * currencies, pronunciation overrides).  Errors are "file:line: ..." (KS_EPARSE). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "datafile.h"
#include "lexicon.h"
#include "status.h"
#include "utf8.h"

struct ks_lexicon {
    lex_entry **ents; /* in load order; replaced entries become NULL */
    size_t n, cap;
    size_t *slots; /* open addressing: index+1, 0 = empty */
    size_t nslots;
    size_t live;
    size_t per_kind[LEX_KIND_COUNT];
};

static uint64_t hash_key(int kind, const char *s, size_t n)
{
    uint64_t h = (uint64_t)1469598103934665603ULL ^ (uint64_t)(unsigned)kind;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

KS_API ks_status ks_lexicon_new(ks_lexicon **out, ks_error *err)
{
    ks_lexicon *l = calloc(1, sizeof *l);
    if (!l)
        return status_set(err, KS_ENOMEM, "out of memory");
    *out = l;
    return KS_OK;
}

KS_API void ks_lexicon_free(ks_lexicon *lex)
{
    if (!lex)
        return;
    for (size_t i = 0; i < lex->n; i++)
        free(lex->ents[i]);
    free(lex->ents);
    free(lex->slots);
    free(lex);
}

static size_t *find_slot(const ks_lexicon *lex, int kind, const char *key, size_t len)
{
    if (!lex->nslots)
        return NULL;
    size_t mask = lex->nslots - 1;
    size_t i = (size_t)hash_key(kind, key, len) & mask;
    for (;;) {
        size_t *s = &lex->slots[i];
        if (*s == 0)
            return s;
        const lex_entry *e = lex->ents[*s - 1];
        if (e && e->kind == kind && e->klen == len && memcmp(e->key, key, len) == 0)
            return s;
        i = (i + 1) & mask;
    }
}

const lex_entry *lexicon_find(const ks_lexicon *lex, int kind, const char *key, size_t len)
{
    if (!lex || !lex->nslots)
        return NULL;
    size_t *s = find_slot(lex, kind, key, len);
    return (s && *s) ? lex->ents[*s - 1] : NULL;
}

size_t lexicon_size(const ks_lexicon *lex) { return lex ? lex->n : 0; }
const lex_entry *lexicon_at(const ks_lexicon *lex, size_t i) { return lex && i < lex->n ? lex->ents[i] : NULL; }
size_t lexicon_count_kind(const ks_lexicon *lex, int kind)
{
    return (lex && kind > 0 && kind < LEX_KIND_COUNT) ? lex->per_kind[kind] : 0;
}

static int rehash(ks_lexicon *lex, size_t nslots)
{
    size_t *ns = calloc(nslots, sizeof *ns);
    if (!ns)
        return -1;
    free(lex->slots);
    lex->slots = ns;
    lex->nslots = nslots;
    for (size_t i = 0; i < lex->n; i++) {
        lex_entry *e = lex->ents[i];
        if (!e)
            continue;
        size_t *s = find_slot(lex, e->kind, e->key, e->klen);
        *s = i + 1;
    }
    return 0;
}

/* Takes ownership of e. */
static int add_entry(ks_lexicon *lex, lex_entry *e)
{
    if ((lex->n + 1) * 2 > lex->nslots && rehash(lex, lex->nslots ? lex->nslots * 2 : 64) != 0)
        return -1;
    if (lex->n == lex->cap) {
        size_t nc = lex->cap ? lex->cap * 2 : 64;
        lex_entry **ne = realloc(lex->ents, nc * sizeof *ne);
        if (!ne)
            return -1;
        lex->ents = ne;
        lex->cap = nc;
    }
    size_t *s = find_slot(lex, e->kind, e->key, e->klen);
    if (*s) { /* override */
        free(lex->ents[*s - 1]);
        lex->ents[*s - 1] = NULL;
        lex->per_kind[e->kind]--;
    }
    lex->ents[lex->n] = e;
    *s = ++lex->n;
    lex->per_kind[e->kind]++;
    return 0;
}

/* ---------------------------------------------------------------- parsing */

static const struct {
    const char *name;
    int kind, ncols;
} KINDS[] = {
    {"acronyms", LEX_ACRONYM, 5}, {"abbreviations", LEX_ABBREV, 4}, {"units", LEX_UNIT, 4},
    {"currencies", LEX_CURRENCY, 4}, {"pronunciations", LEX_PRON, 3},
};

static const struct {
    const char *name;
    unsigned flag;
    int kinds; /* bit mask of kinds where the flag is allowed */
} FLAGS[] = {
    {"poss", LF_POSS, 1 << LEX_ACRONYM},          {"spell", LF_SPELL, 1 << LEX_ACRONYM},
    {"after_cap", LF_AFTER_CAP, 1 << LEX_ABBREV}, {"after_num", LF_AFTER_NUM, (1 << LEX_ABBREV) | (1 << LEX_UNIT)},
    {"year", LF_YEAR, 1 << LEX_ABBREV},           {"mid", LF_MID, 1 << LEX_ABBREV},
    {"final", LF_FINAL, 1 << LEX_ABBREV},         {"any", LF_ANY, (1 << LEX_UNIT) | (1 << LEX_ABBREV)},
    {"scale", LF_SCALE, 1 << LEX_UNIT},           {"prefix", LF_PREFIX, 1 << LEX_CURRENCY},
    {"suffix", LF_SUFFIX, 1 << LEX_CURRENCY},
};

typedef struct field {
    const char *s;
    size_t n;
} field;

static int is_dash(field f) { return f.n == 1 && f.s[0] == '-'; }

static int parse_flags(field f, int kind, unsigned *out, const char **bad, size_t *badlen)
{
    *out = 0;
    if (is_dash(f))
        return 0;
    size_t i = 0;
    while (i < f.n) {
        size_t j = i;
        while (j < f.n && f.s[j] != ',')
            j++;
        size_t k;
        for (k = 0; k < sizeof FLAGS / sizeof FLAGS[0]; k++) {
            if (strlen(FLAGS[k].name) == j - i && memcmp(FLAGS[k].name, f.s + i, j - i) == 0 &&
                (FLAGS[k].kinds & (1 << kind))) {
                *out |= FLAGS[k].flag;
                break;
            }
        }
        if (k == sizeof FLAGS / sizeof FLAGS[0]) {
            *bad = f.s + i;
            *badlen = j - i;
            return -1;
        }
        i = j + 1;
    }
    return 0;
}

static int has_brackets(field f)
{
    for (size_t i = 0; i < f.n; i++)
        if (f.s[i] == '[' || f.s[i] == ']')
            return 1;
    return 0;
}

static int is_nfc(field f)
{
    for (size_t i = 0; i < f.n; i++)
        if ((unsigned char)f.s[i] >= 0x80)
            goto check;
    return 1;
check:;
    utf8proc_uint8_t *dst = NULL;
    utf8proc_ssize_t r = utf8proc_map((const utf8proc_uint8_t *)f.s, (utf8proc_ssize_t)f.n, &dst,
                                      UTF8PROC_STABLE | UTF8PROC_COMPOSE);
    int ok = r >= 0 && (size_t)r == f.n && memcmp(dst, f.s, f.n) == 0;
    free(dst);
    return ok;
}

/* Copy a field NUL-terminated to p and point dst and len at it; returns the next free byte. */
static char *put_field(char *p, field f, const char **dst, size_t *len)
{
    memcpy(p, f.s, f.n);
    p[f.n] = '\0';
    *dst = p;
    *len = f.n;
    return p + f.n + 1;
}

/* one entry allocation holding its strings */
static lex_entry *make_entry(int kind, field key, field exp, field exp2, field exp3, unsigned flags, int strip_spaces)
{
    size_t total = sizeof(lex_entry) + key.n + exp.n + exp2.n + exp3.n + 4;
    lex_entry *e = calloc(1, total);
    if (!e)
        return NULL;
    char *p = (char *)(e + 1);
    e->kind = kind;
    e->flags = flags;
    e->key = p;
    size_t kl = 0;
    for (size_t i = 0; i < key.n; i++)
        if (!(strip_spaces && key.s[i] == ' '))
            p[kl++] = key.s[i];
    p[kl] = '\0';
    e->klen = kl;
    p += kl + 1;
    p = put_field(p, exp, &e->exp, &e->elen);
    if (exp2.s)
        p = put_field(p, exp2, &e->exp2, &e->e2len);
    if (exp3.s)
        put_field(p, exp3, &e->exp3, &e->e3len);
    return e;
}

#define MAXCOLS 6

static ks_status parse_line(ks_lexicon *lex, const char *name, size_t lineno, const char *s, size_t n,
                            int *kind, int *ncols, ks_error *err)
{
    field f[MAXCOLS + 1];
    int nf = 0;
    size_t i = 0;
    for (;;) {
        size_t j = i;
        while (j < n && s[j] != '\t')
            j++;
        if (nf <= MAXCOLS) {
            f[nf].s = s + i;
            f[nf].n = j - i;
        }
        nf++;
        if (j >= n)
            break;
        i = j + 1;
    }
    if (nf >= 1 && f[0].n == 5 && memcmp(f[0].s, "@kind", 5) == 0) {
        if (nf != 2)
            return status_set(err, KS_EPARSE, "%s:%zu: header must be \"@kind<TAB>NAME\"", name, lineno);
        for (size_t k = 0; k < sizeof KINDS / sizeof KINDS[0]; k++) {
            if (strlen(KINDS[k].name) == f[1].n && memcmp(KINDS[k].name, f[1].s, f[1].n) == 0) {
                *kind = KINDS[k].kind;
                *ncols = KINDS[k].ncols;
                return KS_OK;
            }
        }
        return status_set(err, KS_EPARSE,
                          "%s:%zu: unknown kind \"%.*s\" (acronyms, abbreviations, units, currencies, pronunciations)",
                          name, lineno, (int)(f[1].n > 40 ? 40 : f[1].n), f[1].s);
    }
    if (!*kind)
        return status_set(err, KS_EPARSE, "%s:%zu: missing header line \"@kind<TAB>NAME\" before entries", name,
                          lineno);
    if (nf != *ncols)
        return status_set(err, KS_EPARSE, "%s:%zu: expected %d TAB-separated columns, got %d", name, lineno,
                          *ncols, nf);
    for (int c = 0; c < nf; c++) {
        if (f[c].n == 0)
            return status_set(err, KS_EPARSE, "%s:%zu: column %d is empty (use - for none)", name, lineno, c + 1);
        for (size_t k = 0; k < f[c].n; k++)
            if ((unsigned char)f[c].s[k] < 0x20)
                return status_set(err, KS_EPARSE, "%s:%zu: control character in column %d", name, lineno, c + 1);
    }
    if (!is_nfc(f[0]) || !is_nfc(f[1]))
        return status_set(err, KS_EPARSE, "%s:%zu: text is not in Unicode NFC", name, lineno);
    if (f[0].n > 64 || f[1].n > 200)
        return status_set(err, KS_EPARSE, "%s:%zu: key or expansion too long", name, lineno);
    unsigned flags = 0;
    field e2 = {NULL, 0}, e3 = {NULL, 0};
    field exp = f[1];
    const char *bad;
    size_t badlen;
    int flagcol = *kind == LEX_ACRONYM ? 3 : *kind == LEX_PRON ? -1 : 2;
    if (flagcol > 0 && parse_flags(f[flagcol], *kind, &flags, &bad, &badlen) != 0)
        return status_set(err, KS_EPARSE, "%s:%zu: unknown flag \"%.*s\"", name, lineno,
                          (int)(badlen > 40 ? 40 : badlen), bad);
    if (*kind == LEX_PRON) {
        if (exp.n >= 4 && exp.s[0] == '[' && exp.s[1] == '[') {
            if (exp.s[exp.n - 1] != ']' || exp.s[exp.n - 2] != ']')
                return status_set(err, KS_EPARSE, "%s:%zu: phonemes must be written [[...]]", name, lineno);
            field inner = {exp.s + 2, exp.n - 4};
            if (has_brackets(inner))
                return status_set(err, KS_EPARSE, "%s:%zu: brackets inside [[phonemes]]", name, lineno);
        } else if (has_brackets(exp)) {
            return status_set(err, KS_EPARSE, "%s:%zu: a respelling may not contain [ or ]", name, lineno);
        }
        for (size_t k = 0; k < f[0].n; k++)
            if (f[0].s[k] == ' ')
                return status_set(err, KS_EPARSE, "%s:%zu: a pronunciation key is one word", name, lineno);
    } else {
        if (has_brackets(exp) || (*kind == LEX_ACRONYM && has_brackets(f[2])))
            return status_set(err, KS_EPARSE, "%s:%zu: [ and ] are not allowed in expansions", name, lineno);
    }
    if (*kind == LEX_ACRONYM && !is_dash(f[2]))
        e2 = f[2];
    if (*kind == LEX_ABBREV) {
        /* default|final|before_date */
        size_t a = 0;
        while (a < exp.n && exp.s[a] != '|')
            a++;
        if (a < exp.n) {
            size_t b = a + 1;
            while (b < exp.n && exp.s[b] != '|')
                b++;
            e2.s = exp.s + a + 1;
            e2.n = b - a - 1;
            if (b < exp.n) {
                e3.s = exp.s + b + 1;
                e3.n = exp.n - b - 1;
            }
            exp.n = a;
            if (exp.n == 0 || e2.n == 0 || (e3.s && e3.n == 0))
                return status_set(err, KS_EPARSE, "%s:%zu: empty form in \"default|final|before_date\"", name,
                                  lineno);
            for (size_t k = 0; e3.s && k < e3.n; k++)
                if (e3.s[k] == '|')
                    return status_set(err, KS_EPARSE, "%s:%zu: at most three forms", name, lineno);
        }
        if (f[0].s[f[0].n - 1] != '.')
            return status_set(err, KS_EPARSE, "%s:%zu: an abbreviation key ends with a period", name, lineno);
    }
    lex_entry *e = make_entry(*kind, f[0], exp, e2, e3, flags, *kind == LEX_ABBREV);
    if (!e || add_entry(lex, e) != 0) {
        free(e);
        return status_set(err, KS_ENOMEM, "%s:%zu: out of memory", name, lineno);
    }
    return KS_OK;
}

KS_API ks_status ks_lexicon_load_buffer(ks_lexicon *lex, const char *name, const char *data, size_t len,
                                        ks_error *err)
{
    if (!lex || (!data && len))
        return status_set(err, KS_EINVAL, "ks_lexicon_load_buffer: bad argument");
    if (!name)
        name = "(buffer)";
    int kind = 0, ncols = 0;
    size_t lineno = 0, i = 0;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        i = 3; /* BOM */
    while (i < len) {
        size_t j = i;
        while (j < len && data[j] != '\n')
            j++;
        lineno++;
        size_t e = j;
        if (e > i && data[e - 1] == '\r')
            e--;
        const char *s = data + i;
        size_t n = e - i;
        for (size_t k = 0; k < n;) {
            size_t l = utf8_valid_seq((const unsigned char *)s + k, n - k);
            if (!l || s[k] == '\0')
                return status_set(err, KS_EPARSE, "%s:%zu: invalid UTF-8", name, lineno);
            k += l;
        }
        size_t b = 0;
        while (b < n && (s[b] == ' '))
            b++;
        if (b < n && s[b] != '#') {
            ks_status st = parse_line(lex, name, lineno, s, n, &kind, &ncols, err);
            if (st != KS_OK)
                return st;
        }
        i = j + 1;
    }
    return KS_OK;
}

KS_API ks_status ks_lexicon_load_file(ks_lexicon *lex, const char *path, ks_error *err)
{
    if (!lex || !path)
        return status_set(err, KS_EINVAL, "ks_lexicon_load_file: bad argument");
    datafile df;
    ks_status st = datafile_read(path, 0, &df, err);
    if (st != KS_OK)
        return st;
    st = ks_lexicon_load_buffer(lex, path, df.data, df.len, err);
    datafile_free(&df);
    return st;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

KS_API ks_status ks_lexicon_load_dir(ks_lexicon *lex, const char *dir, ks_error *err)
{
    if (!lex || !dir)
        return status_set(err, KS_EINVAL, "ks_lexicon_load_dir: bad argument");
    DIR *d = opendir(dir);
    if (!d)
        return status_set(err, KS_EIO, "%s: %s", dir, strerror(errno));
    char **names = NULL;
    size_t n = 0, cap = 0;
    ks_status st = KS_OK;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        size_t l = strlen(de->d_name);
        if (l < 5 || strcmp(de->d_name + l - 4, ".tsv") != 0 || de->d_name[0] == '.')
            continue;
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 16;
            char **nn = realloc(names, nc * sizeof *nn);
            if (!nn) {
                st = status_set(err, KS_ENOMEM, "out of memory");
                goto done;
            }
            names = nn;
            cap = nc;
        }
        names[n] = malloc(l + 1);
        if (!names[n]) {
            st = status_set(err, KS_ENOMEM, "out of memory");
            goto done;
        }
        memcpy(names[n], de->d_name, l + 1);
        n++;
    }
    if (n)
        qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n && st == KS_OK; i++) {
        size_t pl = strlen(dir) + strlen(names[i]) + 2;
        char *path = malloc(pl);
        if (!path) {
            st = status_set(err, KS_ENOMEM, "out of memory");
            break;
        }
        snprintf(path, pl, "%s/%s", dir, names[i]);
        st = ks_lexicon_load_file(lex, path, err);
        free(path);
    }
done:
    closedir(d);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return st;
}
