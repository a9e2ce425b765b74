/* libFuzzer target: the lexicon loader, then the normalizer with what it loaded. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "kazspeak/kazspeak.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ks_lexicon *lex = NULL;
    ks_error err;
    if (ks_lexicon_new(&lex, &err) != KS_OK)
        return 0;
    if (ks_lexicon_load_buffer(lex, "fuzz.tsv", (const char *)data, size, &err) == KS_OK) {
        ks_normalizer *n = NULL;
        if (ks_normalizer_new(&n, lex, &err) == KS_OK) {
            static const char probe[] = "ҚР-да 5-ке 15%-ға 2 км т.б. ЖОО-лардың АҚШ пен Қытай XXI ғасыр";
            ks_buf out = {0};
            ks_normalize(n, probe, sizeof probe - 1, &out, NULL, &err);
            ks_buf_free(&out);
            ks_normalizer_free(n);
        }
    }
    ks_lexicon_free(lex);
    return 0;
}
