/* translit.h - Kazakh Latin (2021, 2018, 2017 alphabets) -> Cyrillic transliteration.
 *
 * Internal helpers shared with the unit tests; the public entry points are
 * ks_translit_new / ks_translit_run / ks_translit_free in kazspeak.h.
 * Tables are data: 2021.tsv, 2018.tsv, 2017.tsv and keep.tsv in lexicon/latin. */
#ifndef KS_TRANSLIT_H
#define KS_TRANSLIT_H
#include "kazspeak/kazspeak.h"

/* The three alphabets, in the order of their table files. */
typedef enum translit_alphabet {
    TRANSLIT_2021 = 0,
    TRANSLIT_2018,
    TRANSLIT_2017,
    TRANSLIT_N_ALPHABETS
} translit_alphabet;

/* An empty transliterator (no tables). */
ks_status translit_new_empty(ks_translit **out, ks_error *err);

/* Load one table from memory. `name` is the file name used in messages; its
 * base name selects the table: "2021.tsv", "2018.tsv", "2017.tsv" (letter
 * tables, 2 columns) or "keep.tsv" (1 column). Errors are KS_EPARSE
 * "name:line: ...". */
ks_status translit_load_buffer(ks_translit *t, const char *name, const char *data, size_t len,
                               ks_error *err);

/* Which alphabet a whole text most likely uses (votes of the words that carry
 * a letter only one alphabet has; 2021 when nothing votes). */
translit_alphabet translit_guess_alphabet(const ks_translit *t, const char *in, size_t len);

/* Context for transliterating a text in pieces (SSML text nodes): whether the
 * whole text has a Kazakh Latin word, and its alphabet. */
typedef struct translit_hint {
    int kazakh;
    translit_alphabet alphabet;
} translit_hint;

void translit_doc_hint(const ks_translit *t, const char *in, size_t len, translit_hint *h);
/* ks_translit_run with the document's context (hint may be NULL). */
ks_status translit_run_hint(const ks_translit *t, ks_script mode, const char *in, size_t len,
                            const translit_hint *hint, ks_buf *out, ks_error *err);

#endif
