/* hygiene.h - Unicode input hygiene (RULES §37): NFC, Kazakh look-alikes, mixed-script words. */
#ifndef KS_HYGIENE_H
#define KS_HYGIENE_H
#include <stddef.h>

#include "kazspeak/kazspeak.h"

/* When valid UTF-8 in[0..n) needs hygiene, append the repaired text to out and
 * return 1; return 0 (out untouched) when the text is already clean. */
int text_hygiene(const char *in, size_t n, ks_buf *out);

#endif
