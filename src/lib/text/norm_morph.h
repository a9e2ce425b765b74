/* norm_morph.h - Kazakh suffix recognition and re-inflection (RULES.md §4, §15).
 * A written ending ("ға", "лардың", "еуі") is parsed into morphemes; it can be
 * glued back as written (numbers) or regenerated on a new stem with vowel
 * harmony and consonant assimilation (пайыз, units, acronym expansions). */
#ifndef KS_NORM_MORPH_H
#define KS_NORM_MORPH_H
#include <stddef.h>

#include "kazspeak/kazspeak.h"

typedef enum morph_cat {
    MC_COLL = 1, /* еу/ау (collective numerals) */
    MC_PL,       /* plural лар */
    MC_ADJ,      /* дық (adjectival), даған (approximate) */
    MC_APPROX,   /* дай */
    MC_POSS,     /* 3rd person possessive ы/сы */
    MC_DAT,
    MC_LOC,
    MC_ABL,
    MC_GEN,
    MC_ACC,
    MC_INS,
    MC_LOCADJ    /* ғы/гі after the locative */
} morph_cat;

#define MORPH_MAX 8
typedef struct morph_seq {
    unsigned char cat[MORPH_MAX];
    unsigned char len[MORPH_MAX]; /* bytes of the written morpheme */
    int n;
} morph_seq;

/* 1 when s[0..n) is made only of suffixes (lowercase Cyrillic), filling *m. */
int morph_parse(const char *s, size_t n, morph_seq *m);
/* 1 when s starts with a written ordinal ending (ші/шы/інші/ыншы/нші/ншы/сыншы)
 * followed only by suffixes; *ord_len receives the ending's byte length. */
int morph_ordinal_ending(const char *s, size_t n, size_t *ord_len);
/* Append suffix s as written to the word ending out->data[..len), with elision
 * (екі+еу -> екеу, қырық+ы -> қырқы). */
void morph_glue(ks_buf *out, size_t word_start, const char *s, size_t n);
/* Regenerate morphemes m[from..] on the word ending the buffer. `poss` says the
 * stem already ends in a 3rd-person possessive (pronominal n: -на, -нда, -н). */
void morph_inflect(ks_buf *out, const morph_seq *m, int from, int poss);
/* The instrumental particle (мен/бен/пен) that agrees with the word ending s[0..n). */
const char *morph_instrumental(const char *s, size_t n);

#endif
