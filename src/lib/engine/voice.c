/* voice.c - voice profiles: voices/NAME.voice, `key value` lines.
 * Read like lexicons: UTF-8, an optional BOM, LF or CRLF line ends, `#`
 * comments.  Every key but `lexicon` may appear once; a repeated key is an
 * error naming both lines. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "datafile.h"
#include "kazspeak/kazspeak.h"
#include "status.h"

KS_API void ks_voice_defaults(ks_voice *v)
{
    memset(v, 0, sizeof *v);
    snprintf(v->name, sizeof v->name, "default");
    snprintf(v->espeak, sizeof v->espeak, "kk");
    v->rate = 175;
    v->pitch = 50;
    v->range = 50;
    v->volume = 100;
    v->wordgap = 0;
}

typedef struct voice_int_key {
    const char *key;
    size_t offset;
    int min, max;
} voice_int_key;

static const voice_int_key int_keys[] = {
    {"rate", offsetof(ks_voice, rate), KS_RATE_MIN, KS_RATE_MAX},
    {"pitch", offsetof(ks_voice, pitch), 0, 100},
    {"range", offsetof(ks_voice, range), 0, 100},
    {"volume", offsetof(ks_voice, volume), 0, 200},
    {"wordgap", offsetof(ks_voice, wordgap), 0, 100},
};

static int parse_int(const char *s, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end)
        return -1;
    *out = v;
    return 0;
}

/* The folder part of `file` ("." when it has none). */
static void dir_of(const char *file, char *dir, size_t n)
{
    const char *slash = strrchr(file, '/');
    if (!slash)
        snprintf(dir, n, ".");
    else if (slash == file)
        snprintf(dir, n, "/");
    else
        snprintf(dir, n, "%.*s", (int)(slash - file), file);
}

static int valid_espeak_name(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++) {
        char c = *s;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' ||
              c == '-' || c == '_' || c == '/'))
            return 0;
    }
    return 1;
}

/* Parse into *v; lex_lines (may be NULL) receives the line of each lexicon. */
static ks_status voice_parse(ks_voice *v, const char *name, const char *data, size_t len,
                             int lex_lines[KS_MAX_VOICE_LEXICONS], ks_error *err)
{
    ks_voice nv = *v;
    char dir[512];
    dir_of(name, dir, sizeof dir);
    snprintf(nv.file, sizeof nv.file, "%s", name);
    if (!data && len)
        return status_set(err, KS_EINVAL, "ks_voice_load_buffer: bad argument");
    const char *p = data, *end = data + len;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        p += 3; /* BOM */
    int lineno = 0;
    /* first line of each single-valued key: int_keys, then name, espeak */
    enum { KEY_NAME = sizeof int_keys / sizeof int_keys[0], KEY_ESPEAK, KEY_COUNT };
    int seen[KEY_COUNT] = {0};
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        if (le > p && le[-1] == '\r')
            le--; /* CRLF */
        lineno++;
        char line[1024];
        size_t ll = (size_t)(le - p);
        if (ll >= sizeof line)
            return status_set(err, KS_EPARSE, "%s:%d: line too long", name, lineno);
        memcpy(line, p, ll);
        line[ll] = '\0';
        p = nl ? nl + 1 : end;
        if (memchr(line, '\0', ll))
            return status_set(err, KS_EPARSE, "%s:%d: NUL byte in voice file", name, lineno);
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        char *s = line;
        while (*s == ' ' || *s == '\t' || *s == '\r')
            s++;
        char *e = s + strlen(s);
        while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
            *--e = '\0';
        if (!*s)
            continue;
        char *key = s;
        while (*s && *s != ' ' && *s != '\t')
            s++;
        if (*s)
            *s++ = '\0';
        while (*s == ' ' || *s == '\t')
            s++;
        char *val = s;
        if (!*val)
            return status_set(err, KS_EPARSE, "%s:%d: key '%s' has no value", name, lineno, key);

        int slot = strcmp(key, "name") == 0 ? KEY_NAME : strcmp(key, "espeak") == 0 ? KEY_ESPEAK : -1;
        for (size_t i = 0; slot < 0 && i < sizeof int_keys / sizeof int_keys[0]; i++)
            if (strcmp(key, int_keys[i].key) == 0)
                slot = (int)i;
        if (slot >= 0) {
            if (seen[slot])
                return status_set(err, KS_EPARSE, "%s:%d: duplicate key '%s' (first at line %d)", name, lineno, key,
                                  seen[slot]);
            seen[slot] = lineno;
        }

        int done = 0;
        for (size_t i = 0; i < sizeof int_keys / sizeof int_keys[0]; i++) {
            if (strcmp(key, int_keys[i].key) != 0)
                continue;
            long n;
            if (parse_int(val, &n) != 0 || n < int_keys[i].min || n > int_keys[i].max)
                return status_set(err, KS_EPARSE, "%s:%d: %s must be a whole number from %d to %d, not '%s'",
                                  name, lineno, key, int_keys[i].min, int_keys[i].max, val);
            *(int *)(void *)((char *)&nv + int_keys[i].offset) = (int)n;
            done = 1;
        }
        if (done)
            continue;
        if (strcmp(key, "name") == 0) {
            if (strlen(val) >= sizeof nv.name)
                return status_set(err, KS_EPARSE, "%s:%d: name too long", name, lineno);
            memcpy(nv.name, val, strlen(val) + 1);
        } else if (strcmp(key, "espeak") == 0) {
            if (strlen(val) >= sizeof nv.espeak || !valid_espeak_name(val))
                return status_set(err, KS_EPARSE, "%s:%d: bad eSpeak voice name '%s'", name, lineno, val);
            memcpy(nv.espeak, val, strlen(val) + 1);
            nv.espeak_line = lineno;
        } else if (strcmp(key, "lexicon") == 0) {
            if (nv.n_lexicons >= KS_MAX_VOICE_LEXICONS)
                return status_set(err, KS_EPARSE, "%s:%d: more than %d lexicon lines", name, lineno,
                                  KS_MAX_VOICE_LEXICONS);
            char *dst = nv.lexicons[nv.n_lexicons];
            int r = val[0] == '/' ? snprintf(dst, sizeof nv.lexicons[0], "%s", val)
                                  : snprintf(dst, sizeof nv.lexicons[0], "%s/%s", dir, val);
            if (r < 0 || (size_t)r >= sizeof nv.lexicons[0])
                return status_set(err, KS_EPARSE, "%s:%d: lexicon path too long", name, lineno);
            if (lex_lines)
                lex_lines[nv.n_lexicons] = lineno;
            nv.n_lexicons++;
        } else {
            return status_set(err, KS_EPARSE,
                              "%s:%d: unknown key '%s' (known: name espeak rate pitch range volume wordgap lexicon)",
                              name, lineno, key);
        }
    }
    *v = nv;
    return KS_OK;
}

KS_API ks_status ks_voice_load_buffer(ks_voice *v, const char *name, const char *data, size_t len,
                                      ks_error *err)
{
    if (!v || !name)
        return status_set(err, KS_EINVAL, "ks_voice_load_buffer: bad argument");
    return voice_parse(v, name, data, len, NULL, err);
}

KS_API ks_status ks_voice_load_file(ks_voice *v, const char *path, ks_error *err)
{
    if (!v || !path)
        return status_set(err, KS_EINVAL, "ks_voice_load_file: bad argument");
    datafile df;
    ks_status st = datafile_read(path, DATAFILE_OPTIONAL, &df, err);
    if (st != KS_OK)
        return st;
    if (df.missing)
        return status_set(err, KS_ENOVOICE, "%s: %s", path, strerror(ENOENT));
    ks_voice nv = *v;
    int lex_lines[KS_MAX_VOICE_LEXICONS] = {0};
    st = voice_parse(&nv, path, df.data, df.len, lex_lines, err);
    datafile_free(&df);
    if (st != KS_OK)
        return st;
    /* A lexicon the profile names must be a readable data file: say so with
     * the profile's file:line rather than later with the lexicon's name only. */
    for (int i = v->n_lexicons; i < nv.n_lexicons; i++) {
        ks_error lerr;
        if ((st = datafile_check(nv.lexicons[i], &lerr)) != KS_OK)
            return status_set(err, st, "%s:%d: lexicon %s", path, lex_lines[i], lerr.msg);
    }
    *v = nv;
    return KS_OK;
}

KS_API ks_status ks_voice_find(ks_voice *v, const char *data_dir, const char *name_or_path, ks_error *err)
{
    size_t n = strlen(name_or_path);
    int is_path = strchr(name_or_path, '/') != NULL || (n > 6 && strcmp(name_or_path + n - 6, ".voice") == 0);
    ks_voice_defaults(v);
    if (is_path)
        return ks_voice_load_file(v, name_or_path, err);
    for (const char *c = name_or_path; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '-' ||
              *c == '_'))
            return status_set(err, KS_ENOVOICE, "bad voice name '%s'", name_or_path);
    char path[PATH_MAX];
    int r = snprintf(path, sizeof path, "%s/voices/%s.voice", data_dir, name_or_path);
    if (r < 0 || (size_t)r >= sizeof path)
        return status_set(err, KS_EINVAL, "voice path too long");
    struct stat st;
    if (stat(path, &st) != 0)
        return status_set(err, KS_ENOVOICE, "unknown voice '%s' (no %s; try --voices)", name_or_path, path);
    return ks_voice_load_file(v, path, err);
}
