/* fuzz_normalize.c - libFuzzer target for the normalizer, the sentence splitter
 * and the lexicon loader.  Build: CC=clang cmake -DKS_FUZZ=ON ...; run:
 *   ./fuzz_normalize tests/fuzz/corpus/normalize
 * First byte selects the mode; invariants: output is valid UTF-8 and never
 * contains "[[" (the embedded lexicon has no phoneme entries), the splitter
 * returns a length inside the text and always makes progress when more than
 * max_len bytes are buffered. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kazspeak/kazspeak.h"

static const char LEX[] =
    "@kind\tacronyms\n"
    "ҚР\tҚазақстан Республикасы\t-\tposs\tt\n"
    "ЖОО\tжоғары оқу орны\tжоғары оқу орындары\tposs\tt\n"
    "ЖІӨ\tжалпы ішкі өнім\t-\t-\tt\n"
    "ЖШС\tx\t-\tspell\tt\n"
    "@kind\tabbreviations\n"
    "т.б.\tтағы басқа\tfinal\tt\n"
    "ж.\tжылы|жыл|жылғы\tyear\tt\n"
    "жж.\tжылдары|жылдар|жылдары\tyear\tt\n"
    "қ.\tқаласы\tafter_cap\tt\n"
    "ғ.\tғасыр\tafter_num\tt\n"
    "мыс.\tмысалы\tmid\tt\n"
    "@kind\tunits\n"
    "млн\tмиллион\tscale,any\tt\n"
    "км\tкилометр\tafter_num\tt\n"
    "м\tметр\tafter_num\tt\n"
    "м²\tшаршы метр\tafter_num\tt\n"
    "ш.м.\tшаршы метр\tafter_num\tt\n"
    "°C\tградус\tafter_num\tt\n"
    "@kind\tcurrencies\n"
    "₸\tтеңге\tprefix,suffix\tt\n"
    "$\tдоллар\tprefix,suffix\tt\n"
    "тг\tтеңге\tsuffix\tt\n"
    "@kind\tpronunciations\n"
    "Apple\tэпл\t-\n";

static ks_lexicon *lex;
static ks_normalizer *nz;

static int valid_utf8(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        size_t l = c < 0x80 ? 1 : (c >= 0xC2 && c <= 0xDF) ? 2 : (c >= 0xE0 && c <= 0xEF) ? 3 : (c >= 0xF0 && c <= 0xF4) ? 4 : 0;
        if (!l || i + l > n)
            return 0;
        for (size_t k = 1; k < l; k++)
            if ((s[i + k] & 0xC0) != 0x80)
                return 0;
        i += l;
    }
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ks_error err;
    if (!lex) {
        if (ks_lexicon_new(&lex, &err) != KS_OK ||
            ks_lexicon_load_buffer(lex, "fuzz.tsv", LEX, sizeof LEX - 1, &err) != KS_OK ||
            ks_normalizer_new(&nz, lex, &err) != KS_OK)
            abort();
    }
    if (size == 0)
        return 0;
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    switch (data[0] % 3) {
    case 0: {
        ks_buf out;
        ks_buf_init(&out, 0);
        size_t bad;
        if (ks_normalize(nz, text, len, &out, &bad, &err) != KS_OK)
            abort();
        if (out.len && (!valid_utf8((const unsigned char *)out.data, out.len) || strstr(out.data, "[[") ||
                        memchr(out.data, 0, out.len)))
            abort();
        if (bad != (size_t)-1 && bad >= len)
            abort();
        ks_buf_free(&out);
        break;
    }
    case 1: {
        size_t max_len = (data[0] >> 2) * 4 + 1;
        int at_eof = (data[0] >> 1) & 1;
        size_t off = 0;
        while (off < len) {
            size_t r = ks_sentence_split(text + off, len - off, at_eof, max_len);
            if (r > len - off)
                abort();
            if (r == 0) {
                if (at_eof)
                    abort(); /* at EOF the rest is always a sentence */
                break;
            }
            /* memory stays bounded: given more than max_len bytes it always makes progress */
            if (r == 0 && len - off > max_len + 4)
                abort();
            off += r;
        }
        break;
    }
    default: {
        ks_lexicon *l2;
        if (ks_lexicon_new(&l2, &err) != KS_OK)
            abort();
        if (ks_lexicon_load_buffer(l2, "f.tsv", text, len, &err) == KS_OK) {
            ks_normalizer *n2;
            if (ks_normalizer_new(&n2, l2, &err) == KS_OK) {
                ks_buf out;
                ks_buf_init(&out, 0);
                ks_normalize(n2, "5 км т.б. ҚР-да Apple 3,5%-ке", strlen("5 км т.б. ҚР-да Apple 3,5%-ке"), &out, NULL, &err);
                ks_buf_free(&out);
                ks_normalizer_free(n2);
            }
        }
        ks_lexicon_free(l2);
        break;
    }
    }
    return 0;
}
