/* utf8.h - UTF-8 decoding, validation/cleaning and character classes for the normalizer. */
#ifndef KS_UTF8_H
#define KS_UTF8_H
#include <stddef.h>
#include <stdint.h>

#include "kazspeak/kazspeak.h"

/* Decode one code point from valid UTF-8 (s[0..n), n >= 1); returns its length. */
size_t utf8_decode(const char *s, size_t n, uint32_t *cp);
/* Length of a valid UTF-8 sequence at s (1..4) or 0 when invalid. */
size_t utf8_valid_seq(const unsigned char *s, size_t n);
/* Encode cp into out (4 bytes room); returns the length. */
size_t utf8_encode(uint32_t cp, char *out);
/* Start offset of the last code point in s[0..n) (n > 0). */
size_t utf8_last_start(const char *s, size_t n);

/* Scan the input once: invalid sequences become U+FFFD, NUL becomes a space,
 * "[[" becomes "[ [".  Returns 0 when the input is already clean (nothing
 * written), 1 when a cleaned copy was appended to `out`. *bad receives the
 * offset of the first invalid sequence or (size_t)-1. */
int utf8_clean(const char *in, size_t n, ks_buf *out, size_t *bad);

int cp_is_letter(uint32_t cp);  /* letters and combining marks */
int cp_is_upper(uint32_t cp);
int cp_is_lower(uint32_t cp);
int cp_is_space(uint32_t cp);
uint32_t cp_tolower(uint32_t cp);
static inline int cp_is_cyrillic(uint32_t cp) { return cp >= 0x0400 && cp <= 0x052F; }
static inline int cp_is_latin(uint32_t cp)
{
    return (cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z') || (cp >= 0x00C0 && cp <= 0x024F && cp != 0xD7 && cp != 0xF7);
}
/* Kazakh/Russian Cyrillic vowel (either case). */
int cp_is_cyr_vowel(uint32_t cp);

#endif
