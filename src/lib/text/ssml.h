/* ssml.h - SSML -> eSpeak NG SSML (internal helpers shared with the unit tests).
 * The public entry point is ks_ssml_to_espeak() in kazspeak.h. */
#ifndef KS_SSML_H
#define KS_SSML_H
#include "kazspeak/kazspeak.h"

#define SSML_MAX_DEPTH 64  /* element nesting limit */
#define SSML_MAX_ATTRS 16  /* attributes per element */

/* say-as forms, usable on their own: append Kazakh words for `text` to `out`
 * (lowercase words separated by single spaces). Return 0 when the text had the
 * expected shape, -1 when it did not (nothing appended). */
int ssml_say_characters(const char *text, size_t len, ks_buf *out);
int ssml_say_cardinal(const char *text, size_t len, ks_buf *out);
int ssml_say_ordinal(const char *text, size_t len, ks_buf *out);
int ssml_say_digits(const char *text, size_t len, ks_buf *out);
/* format: "dmy" (default when NULL), "mdy", "ymd", "ydm", "dm", "md", "ym", "my", "y", "m", "d" */
int ssml_say_date(const char *text, size_t len, const char *format, ks_buf *out);
int ssml_say_time(const char *text, size_t len, ks_buf *out);
int ssml_say_telephone(const char *text, size_t len, ks_buf *out);

#endif
