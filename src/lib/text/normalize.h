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

/* Letter names and Roman numerals are in kk_words.h. */

#endif
