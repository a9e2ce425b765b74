/* bench_normalize.c - normalizer throughput: the sample text repeated to TARGET bytes,
 * normalized line by line (as `kazspeak --normalize` does); prints MB/s.
 * Usage: bench_normalize SAMPLE_FILE LEXICON_DIR [MEGABYTES] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kazspeak/kazspeak.h"

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s SAMPLE LEXICON_DIR [MB]\n", argv[0]);
        return 2;
    }
    size_t target = (size_t)(argc > 3 ? strtol(argv[3], NULL, 10) : 50) * 1024 * 1024;
    FILE *f = fopen(argv[1], "rb");
    if (!f) {
        perror(argv[1]);
        return 1;
    }
    static char sample[1 << 20];
    size_t sn = fread(sample, 1, sizeof sample, f);
    fclose(f);
    if (sn == 0)
        return 1;
    if (sample[sn - 1] != '\n')
        sample[sn++] = '\n';
    char *text = malloc(target + sn);
    if (!text)
        return 1;
    size_t tn = 0;
    while (tn < target) {
        memcpy(text + tn, sample, sn);
        tn += sn;
    }
    ks_lexicon *lex;
    ks_normalizer *nz;
    ks_error err;
    if (ks_lexicon_new(&lex, &err) != KS_OK || ks_lexicon_load_dir(lex, argv[2], &err) != KS_OK ||
        ks_normalizer_new(&nz, lex, &err) != KS_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    ks_buf out;
    ks_buf_init(&out, 0);
    size_t out_total = 0, lines = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (size_t i = 0; i < tn;) {
        char *nl = memchr(text + i, '\n', tn - i);
        size_t e = nl ? (size_t)(nl - text) : tn;
        ks_buf_reset(&out);
        if (ks_normalize(nz, text + i, e - i, &out, NULL, &err) != KS_OK) {
            fprintf(stderr, "%s\n", err.msg);
            return 1;
        }
        out_total += out.len;
        lines++;
        i = e + 1;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    double mb = (double)tn / (1024.0 * 1024.0);
    printf("normalized %.1f MB (%zu lines, %.1f MB out) in %.3f s: %.1f MB/s\n", mb, lines,
           (double)out_total / (1024.0 * 1024.0), s, mb / s);
    ks_buf_free(&out);
    ks_normalizer_free(nz);
    ks_lexicon_free(lex);
    free(text);
    return 0;
}
