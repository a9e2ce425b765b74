/* lang.h - Kazakh / Russian / Latin-script language spans (lang.c) and the small
 * Russian normalizer (ru_norm.c). The public entry points are in kazspeak.h
 * (ks_langid_*, ks_lang_spans, ks_ru_normalize); these are the internal helpers
 * the reader and the unit tests share. */
#ifndef KS_LANG_H
#define KS_LANG_H
#include <stddef.h>

#include "kazspeak/kazspeak.h"

/* Evidence of one piece of text, for --explain and the unit tests. */
typedef struct lang_evidence {
    double kk, ru;   /* scores */
    int cyr_words;   /* Cyrillic words */
    int lat_words;   /* Latin-script words */
    int kklat_words; /* Latin words with a letter only Kazakh Latin alphabets have */
} lang_evidence;

/* Score the words of text[0..len) (no segmentation). */
void lang_score(const ks_langid *m, const char *text, size_t len, lang_evidence *ev);

#endif
