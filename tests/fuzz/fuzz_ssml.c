/* libFuzzer target: SSML -> eSpeak SSML (with and without the normalizer and the
 * Latin transliterator) and the transliterator on raw bytes.
 * Byte 0 selects: bit 0 normalizer, bit 1 transliterator, bits 2-3 script mode,
 * bit 5 also run ks_translit_run on the raw input. Invariants checked (abort on
 * violation): a parse error message starts with "line "; a successful result is
 * wrapped in <speak>...</speak>; without KS_SPEAK_PHONEMES it holds no "[[". */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kazspeak/kazspeak.h"

static ks_translit *tr;
static ks_normalizer *norm;

static void init(void)
{
    static int done;
    if (done)
        return;
    done = 1;
    /* lexicon/latin next to this source file's tests/fuzz folder */
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", __FILE__);
    char *s = strstr(dir, "tests/fuzz/");
    if (s)
        snprintf(s, sizeof dir - (size_t)(s - dir), "lexicon/latin");
    if (getenv("KS_LATIN_DIR"))
        snprintf(dir, sizeof dir, "%s", getenv("KS_LATIN_DIR"));
    ks_error err;
    if (ks_translit_new(&tr, dir, &err) != KS_OK) {
        fprintf(stderr, "fuzz_ssml: %s\n", err.msg);
        abort();
    }
    if (ks_normalizer_new(&norm, NULL, &err) != KS_OK) {
        fprintf(stderr, "fuzz_ssml: %s\n", err.msg);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    init();
    if (size < 1)
        return 0;
    unsigned sel = data[0];
    const char *in = (const char *)data + 1;
    size_t len = size - 1;
    ks_buf out;
    ks_error err;
    unsigned flags = 0;
    ks_buf_init(&out, (size_t)1 << 22);
    ks_script mode = (ks_script)((sel >> 2) % 3);
    ks_status st = ks_ssml_to_espeak((sel & 1) ? norm : NULL, (sel & 2) ? tr : NULL, mode, in, len, &out,
                                     &flags, &err);
    if (st == KS_EPARSE && strncmp(err.msg, "line ", 5) != 0) {
        fprintf(stderr, "parse error without a position: %s\n", err.msg);
        abort();
    }
    if (st == KS_OK) {
        if (out.len < 15 || memcmp(out.data, "<speak>", 7) != 0 || strcmp(out.data + out.len - 8, "</speak>") != 0) {
            fprintf(stderr, "bad output: %s\n", out.data ? out.data : "(null)");
            abort();
        }
        if (!(flags & KS_SPEAK_PHONEMES) && strstr(out.data, "[[")) {
            fprintf(stderr, "[[ without phonemes: %s\n", out.data);
            abort();
        }
        if (strlen(out.data) != out.len) {
            fprintf(stderr, "NUL in output\n");
            abort();
        }
    }
    if (sel & 0x20) {
        ks_buf_reset(&out);
        st = ks_translit_run(tr, mode, in, len, &out, &err);
        if (st != KS_OK && st != KS_ENOMEM)
            abort();
    }
    ks_buf_free(&out);
    return 0;
}
