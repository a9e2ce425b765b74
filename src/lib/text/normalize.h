/* normalize.h - internal helpers of the Kazakh normalizer shared with tests.
 *
 * Pipeline of ks_normalize(): utf8_clean (U+FFFD, NUL, "[[") -> tokens
 * {word, digits, space, punct} in a bounded look-ahead window -> rules tried
 * per token (numbers and what follows them, signs, Roman numerals, acronyms,
 * period abbreviations, initials, letter spelling, units, pronunciation
 * overrides) -> untouched spans copied byte for byte.
 *
 * Rule names given to the --explain hook: cardinal ordinal year year_range
 * date decimal case_suffix percent currency unit temperature time range phone
 * number_sign roman abbreviation acronym acronym_spelled initials
 * pronunciation sign symbol. */
#ifndef KS_NORMALIZE_H
#define KS_NORMALIZE_H
#include <stddef.h>
#include <stdint.h>

#include "kazspeak/kazspeak.h"

/* Kazakh letter name of an uppercase or lowercase Cyrillic letter (§16):
 * vowels are themselves, consonants take -ы ("ны", "қы").  Appends to out;
 * returns 0 when the letter has no name (ъ, ь, non-Cyrillic). */
int normalize_letter_name(ks_buf *out, uint32_t cp);
/* Value of a Roman numeral written with Latin I V X L C D M or the Cyrillic
 * lookalikes І Х (either case, not mixed case); 0 when not a canonical numeral. */
int normalize_roman_value(const char *s, size_t n);

#endif
