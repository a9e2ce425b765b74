/* number.h - Kazakh number spelling: cardinals (to 10^18, longer digit by digit),
 * ordinals (only the last word changes), decimals with a comma.  Static tables, no I/O.
 * All functions APPEND lowercase words separated by single spaces to `out`. */
#ifndef KS_NUMBER_H
#define KS_NUMBER_H
#include <stddef.h>
#include <stdint.h>

#include "kazspeak/kazspeak.h"

/* Largest value spelled as a number; longer digit strings are read digit by digit. */
#define NUMBER_MAX_SPELLED 1000000000000000000ULL

void number_cardinal_u64(ks_buf *out, uint64_t v);
/* ASCII digits d[0..n): leading zeros read as "нөл", the rest as a cardinal,
 * or digit by digit when it exceeds NUMBER_MAX_SPELLED. */
void number_cardinal(ks_buf *out, const char *d, size_t n);
void number_ordinal(ks_buf *out, const char *d, size_t n);
void number_ordinal_u64(ks_buf *out, uint64_t v);
/* int_digits "," frac_digits -> "<A> бүтін <10^k ablative> <B>" */
void number_decimal(ks_buf *out, const char *ip, size_t in, const char *fp, size_t fn);
void number_digits(ks_buf *out, const char *d, size_t n); /* digit by digit */
/* Parse up to 19 ASCII digits; returns 1 and *v when the value is <= NUMBER_MAX_SPELLED. */
int number_parse_u64(const char *d, size_t n, uint64_t *v);
/* Turn the last word of out[start..len) into its ordinal form (table lookup).
 * Returns 1 when it was a number word. */
int number_make_ordinal(ks_buf *out, size_t start);

#endif
