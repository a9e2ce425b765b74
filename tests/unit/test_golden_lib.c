/* test_golden_lib.c - the golden set (tests/golden/golden-dev.tsv) through the library call
 * ks_normalize with the shipped lexicon; prints input/want/got for each failing row. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "kazspeak/kazspeak.h"

/* tests/golden/known-failing.txt: file line numbers of rows the normalizer does not yet
 * read right (one per line, '#' comments).  Such a row failing is reported, not counted;
 * such a row passing fails the test, so the list only ever shrinks. */
static int known[1024];

static void load_known(void)
{
    FILE *k = fopen(KS_SOURCE_DIR "/tests/golden/known-failing.txt", "r");
    char l[256];
    if (!k)
        return;
    while (fgets(l, sizeof l, k)) {
        char *e;
        long v = strtol(l, &e, 10);
        if (e != l && v > 0 && v < 1024)
            known[v] = 1;
    }
    fclose(k);
}

int main(void)
{
    ks_lexicon *lex;
    ks_normalizer *nz;
    ks_error err;
    CHECK(ks_lexicon_new(&lex, &err) == KS_OK);
    CHECK(ks_lexicon_load_dir(lex, KS_SOURCE_DIR "/lexicon", &err) == KS_OK);
    CHECK(ks_normalizer_new(&nz, lex, &err) == KS_OK);
    FILE *f = fopen(KS_SOURCE_DIR "/tests/golden/golden-dev.tsv", "r");
    CHECK(f != NULL);
    if (!f)
        return check_done();
    load_known();
    char line[8192];
    int row = 0, total = 0, pass = 0;
    ks_buf out;
    ks_buf_init(&out, 0);
    while (fgets(line, sizeof line, f)) {
        row++;
        if (row == 1)
            continue; /* header */
        size_t l = strlen(line);
        while (l && (line[l - 1] == '\n' || line[l - 1] == '\r'))
            line[--l] = '\0';
        if (!l)
            continue;
        char *in = strchr(line, '\t');
        char *want = in ? strchr(in + 1, '\t') : NULL;
        CHECK(in && want);
        if (!in || !want)
            continue;
        *in++ = '\0';
        *want++ = '\0';
        char *flag = strchr(want, '\t');
        if (flag)
            *flag = '\0';
        total++;
        ks_buf_reset(&out);
        size_t bad;
        CHECK(ks_normalize(nz, in, strlen(in), &out, &bad, &err) == KS_OK);
        CHECK(bad == (size_t)-1);
        const char *got = out.data ? out.data : "";
        if (strcmp(got, want) == 0) {
            pass++;
            if (row < 1024 && known[row]) {
                fprintf(stderr, "line %d passes now: remove it from tests/golden/known-failing.txt\n", row);
                CHECK(!known[row]);
            }
        } else if (row < 1024 && known[row]) {
            fprintf(stderr, "known failing line %d [%s]\n", row, line);
        } else {
            fprintf(stderr, "FAIL line %d [%s]\n  input: %s\n  - want: %s\n  + got:  %s\n", row, line, in, want, got);
            CHECK_STR(got, want);
        }
    }
    fclose(f);
    fprintf(stderr, "golden (library): %d/%d rows pass\n", pass, total);
    CHECK(total >= 145);
    ks_buf_free(&out);
    ks_normalizer_free(nz);
    ks_lexicon_free(lex);
    return check_done();
}
