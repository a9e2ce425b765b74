/* test_translit.c - Kazakh Latin -> Cyrillic: table loading, modes, golden file
 * tests/golden/latin.tsv (input <TAB> mode <TAB> expected). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "kazspeak/kazspeak.h"
#include "translit.h"

static ks_translit *tr;

static const char *run(ks_script mode, const char *in)
{
    static ks_buf b;
    ks_error err = {{0}};
    ks_buf_reset(&b);
    ks_status st = ks_translit_run(tr, mode, in, strlen(in), &b, &err);
    if (st != KS_OK) {
        fprintf(stderr, "ks_translit_run(%s): %s\n", in, err.msg);
        return NULL;
    }
    return b.data ? b.data : "";
}

static void test_golden(void)
{
    const char *path = KS_SOURCE_DIR "/tests/golden/latin.tsv";
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL);
    if (!f)
        return;
    char line[4096];
    int lineno = 0, rows = 0, bad = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        size_t n = strlen(line);
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        if (n == 0 || line[0] == '#')
            continue;
        char *t1 = strchr(line, '\t');
        char *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
        CHECK(t1 && t2);
        if (!t1 || !t2) {
            fprintf(stderr, "%s:%d: expected 3 columns\n", path, lineno);
            continue;
        }
        *t1 = *t2 = '\0';
        ks_script mode;
        CHECK_INT(ks_script_parse(t1 + 1, &mode), KS_OK);
        const char *got = run(mode, line);
        rows++;
        check_count++;
        if (!got || strcmp(got, t2 + 1) != 0) {
            bad++;
            check_failures++;
            fprintf(stderr, "%s:%d: [%s] %s\n  got:  %s\n  want: %s\n", path, lineno, t1 + 1, line,
                    got ? got : "(error)", t2 + 1);
        }
    }
    fclose(f);
    fprintf(stderr, "latin.tsv: %d rows, %d failed\n", rows, bad);
    CHECK(rows >= 30);
}

static void test_modes_and_api(void)
{
    ks_script s;
    CHECK_INT(ks_script_parse("AUTO", &s), KS_OK);
    CHECK_INT(s, KS_SCRIPT_AUTO);
    CHECK_INT(ks_script_parse("latn", &s), KS_OK);
    CHECK_INT(s, KS_SCRIPT_LATN);
    CHECK_INT(ks_script_parse("cyrl", &s), KS_OK);
    CHECK_INT(s, KS_SCRIPT_CYRL);
    CHECK_INT(ks_script_parse("greek", &s), KS_EINVAL);
    CHECK_INT(ks_script_parse(NULL, &s), KS_EINVAL);

    /* appends, does not overwrite */
    ks_buf b = {0};
    ks_error err = {{0}};
    ks_buf_puts(&b, "> ");
    CHECK_INT(ks_translit_run(tr, KS_SCRIPT_LATN, "bala", 4, &b, &err), KS_OK);
    CHECK_STR(b.data, "> бала");
    /* bad mode */
    CHECK_INT(ks_translit_run(tr, (ks_script)7, "x", 1, &b, &err), KS_EINVAL);
    CHECK(strstr(err.msg, "mode") != NULL);
    /* empty input */
    ks_buf_reset(&b);
    CHECK_INT(ks_translit_run(tr, KS_SCRIPT_AUTO, "", 0, &b, &err), KS_OK);
    CHECK_INT(b.len, 0);
    /* invalid UTF-8 bytes are copied unchanged around converted words */
    ks_buf_reset(&b);
    const char bad[] = "\xff qazaq \xc3";
    CHECK_INT(ks_translit_run(tr, KS_SCRIPT_AUTO, bad, sizeof bad - 1, &b, &err), KS_OK);
    CHECK_STR(b.data, "\xff қазақ \xc3");
    /* NUL bytes are kept */
    ks_buf_reset(&b);
    CHECK_INT(ks_translit_run(tr, KS_SCRIPT_LATN, "a\0b", 3, &b, &err), KS_OK);
    CHECK_INT(b.len, 5);
    CHECK(memcmp(b.data, "а\0б", 5) == 0);
    /* a very long Latin run is copied unchanged (no overflow) */
    ks_buf_reset(&b);
    char longw[2000];
    memset(longw, 'q', sizeof longw);
    CHECK_INT(ks_translit_run(tr, KS_SCRIPT_LATN, longw, sizeof longw, &b, &err), KS_OK);
    CHECK_INT(b.len, sizeof longw);
    /* size cap reached -> KS_ENOMEM */
    ks_buf small;
    ks_buf_init(&small, 8);
    CHECK_INT(ks_translit_run(tr, KS_SCRIPT_LATN, "qazaqstan respublikasy", 22, &small, &err), KS_ENOMEM);
    ks_buf_free(&small);
    ks_buf_free(&b);

    CHECK_INT(ks_translit_run(NULL, KS_SCRIPT_AUTO, "x", 1, &b, &err), KS_EINVAL);
    ks_translit_free(NULL);
}

static void test_guess(void)
{
    const char *a = "Qazaqstan Respýblıkasy";
    const char *b = "A'ke men s'es'e";
    const char *c = "Bügın bala keldı";
    const char *d = "hello";
    CHECK_INT(translit_guess_alphabet(tr, a, strlen(a)), TRANSLIT_2018);
    CHECK_INT(translit_guess_alphabet(tr, b, strlen(b)), TRANSLIT_2017);
    CHECK_INT(translit_guess_alphabet(tr, c, strlen(c)), TRANSLIT_2021);
    CHECK_INT(translit_guess_alphabet(tr, d, strlen(d)), TRANSLIT_2021);
}

static void test_load_errors(void)
{
    ks_translit *t = NULL;
    ks_error err = {{0}};
    CHECK_INT(translit_new_empty(&t, &err), KS_OK);
    const char *ok = "# comment\na\tа\n\ni\tи|й\n";
    CHECK_INT(translit_load_buffer(t, "x/2021.tsv", ok, strlen(ok), &err), KS_OK);

    const char *cols = "a\tа\nb\n";
    CHECK_INT(translit_load_buffer(t, "x/2018.tsv", cols, strlen(cols), &err), KS_EPARSE);
    CHECK_STR(err.msg, "x/2018.tsv:2: expected 2 columns (latin <TAB> cyrillic)");

    const char *three = "a\tа\tb\n";
    CHECK_INT(translit_load_buffer(t, "2018.tsv", three, strlen(three), &err), KS_EPARSE);
    CHECK_STR(err.msg, "2018.tsv:1: expected 2 columns, found more");

    const char *val = "a\tb\n";
    CHECK_INT(translit_load_buffer(t, "2017.tsv", val, strlen(val), &err), KS_EPARSE);
    CHECK(strstr(err.msg, "2017.tsv:1: value must be") == err.msg);

    const char *upper = "A\tа\n";
    CHECK_INT(translit_load_buffer(t, "2017.tsv", upper, strlen(upper), &err), KS_EPARSE);
    CHECK(strstr(err.msg, "2017.tsv:1: key must be lowercase") == err.msg);

    const char *dup = "a\tа\nb\tб\na\tә\n";
    CHECK_INT(translit_load_buffer(t, "2017.tsv", dup, strlen(dup), &err), KS_EPARSE);
    CHECK_STR(err.msg, "2017.tsv:3: duplicate key");

    const char *utf = "a\t\xd0\n";
    CHECK_INT(translit_load_buffer(t, "2017.tsv", utf, strlen(utf), &err), KS_EPARSE);
    CHECK_STR(err.msg, "2017.tsv:1: invalid UTF-8");

    const char *keep = "Apple\nfoo\tbar\n";
    CHECK_INT(translit_load_buffer(t, "keep.tsv", keep, strlen(keep), &err), KS_EPARSE);
    CHECK_STR(err.msg, "keep.tsv:2: expected 1 column");

    CHECK_INT(translit_load_buffer(t, "other.tsv", "", 0, &err), KS_EINVAL);
    ks_translit *t2 = NULL;
    CHECK_INT(translit_new_empty(&t2, &err), KS_OK);
    const char *empty = "# nothing\n";
    CHECK_INT(translit_load_buffer(t2, "2017.tsv", empty, strlen(empty), &err), KS_EPARSE);
    CHECK_STR(err.msg, "2017.tsv: no entries");
    ks_translit_free(t2);

    /* tables not all loaded: running is refused, cyrl still copies */
    ks_buf b = {0};
    CHECK_INT(ks_translit_run(t, KS_SCRIPT_AUTO, "qazaq", 5, &b, &err), KS_EINVAL);
    CHECK_INT(ks_translit_run(t, KS_SCRIPT_CYRL, "qazaq", 5, &b, &err), KS_OK);
    CHECK_STR(b.data, "qazaq");
    ks_buf_free(&b);
    ks_translit_free(t);

    /* missing folder: KS_EIO with the path */
    CHECK_INT(ks_translit_new(&t, "/nonexistent-dir", &err), KS_EIO);
    CHECK(t == NULL);
    CHECK(strstr(err.msg, "/nonexistent-dir/2021.tsv") != NULL);
    CHECK_INT(ks_translit_new(&t, NULL, &err), KS_EINVAL);
}

int main(void)
{
    ks_error err = {{0}};
    ks_status st = ks_translit_new(&tr, KS_SOURCE_DIR "/lexicon/latin", &err);
    CHECK_INT(st, KS_OK);
    if (st != KS_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return check_done();
    }
    test_golden();
    test_modes_and_api();
    test_guess();
    test_load_errors();
    ks_translit_free(tr);
    return check_done();
}
