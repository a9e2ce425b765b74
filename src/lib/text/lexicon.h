/* lexicon.h - internal view of the normalizer's open word classes (lexicon/NAME.tsv).
 *
 * File kinds (declared by the header line "@kind<TAB>NAME"):
 *   acronyms       key  expansion  plural|-  flags  source
 *   abbreviations  key  expansion[|final[|before_date]]  flags  source
 *   units          key  expansion  flags  source
 *   currencies     key  expansion  flags  source
 *   pronunciations word respelling|[[phonemes]]  note
 * See lexicon/README.md for the flags. */
#ifndef KS_LEXICON_H
#define KS_LEXICON_H
#include <stddef.h>

#include "kazspeak/kazspeak.h"

typedef enum lex_kind { LEX_ACRONYM = 1, LEX_ABBREV, LEX_UNIT, LEX_CURRENCY, LEX_PRON, LEX_KIND_COUNT } lex_kind;

enum lex_flag {
    LF_POSS = 1u << 0,      /* acronym: expansion ends in a 3rd-person possessive */
    LF_SPELL = 1u << 1,     /* acronym: spell with letter names instead of expanding */
    LF_AFTER_CAP = 1u << 2, /* abbreviation: only after a capitalised word (Алматы қ.) */
    LF_AFTER_NUM = 1u << 3, /* abbreviation/unit: only after a number (XV ғ., 5 м) */
    LF_YEAR = 1u << 4,      /* abbreviation: ж./жж. after a year, forms default|final|before_date */
    LF_MID = 1u << 5,       /* abbreviation: not at the end of a sentence (мыс.) */
    LF_FINAL = 1u << 6,     /* abbreviation: often ends a sentence (т.б.): keep "." before a capital */
    LF_ANY = 1u << 7,       /* unit: also expanded without a number */
    LF_SCALE = 1u << 8,     /* unit: scale word (млн), may be followed by a unit or currency */
    LF_PREFIX = 1u << 9,    /* currency: may stand before the number ($5) */
    LF_SUFFIX = 1u << 10    /* currency: may stand after the number (5 ₸) */
};

typedef struct lex_entry {
    const char *key;
    size_t klen;
    const char *exp; /* expansion */
    size_t elen;
    const char *exp2; /* acronym plural / abbreviation final form; NULL if none */
    size_t e2len;
    const char *exp3; /* abbreviation before-date form; NULL if none */
    size_t e3len;
    unsigned flags;
    int kind;
} lex_entry;

const lex_entry *lexicon_find(const ks_lexicon *lex, int kind, const char *key, size_t len);
size_t lexicon_size(const ks_lexicon *lex);
const lex_entry *lexicon_at(const ks_lexicon *lex, size_t i); /* NULL if replaced/absent */
size_t lexicon_count_kind(const ks_lexicon *lex, int kind);

#endif
