/* sd_text.h - what sd_kazspeak gives eSpeak for each speech-dispatcher message:
 * the server's SSML with every text node run through the Kazakh normalizer
 * (marks and other tags kept), Kazakh names for punctuation (by punctuation
 * mode), for letters (CHAR, spelling mode) and for keys (KEY). */
#ifndef KS_SD_TEXT_H
#define KS_SD_TEXT_H

#include <stddef.h>

#include "kazspeak/kazspeak.h"
#include "sd_protocol.h"

typedef struct sd_text_opts {
    ks_normalizer *norm; /* NULL: text nodes are not normalized (tests, fuzzing) */
    sd_punct punct;
    int spelling;        /* spell every character */
    sd_caplet caplet;    /* with spelling: "бас әріп" before capitals */
    size_t *marks_dropped; /* when not NULL: incremented for each <mark> left out (name over
                              SD_MAX_MARK_NAME bytes) */
} sd_text_opts;

/* Server SSML -> eSpeak SSML (appended to out).  Text nodes are XML-unescaped,
 * punctuation named, normalized and escaped again; <mark>, <speak> and other
 * tags pass through; a stray '<' or '&' is treated as text. */
ks_status sd_ssml_prepare(const sd_text_opts *o, const char *ssml, size_t len, ks_buf *out,
                          ks_error *err);

/* Plain text (not SSML) spoken for CHAR: the Kazakh name of the character
 * ("бы", "қы", "үтір", "бос орын"...), with "бас әріп" before a capital when
 * caplet is not NONE.  A character without a name is appended as is. */
void sd_char_text(const char *utf8, size_t len, sd_caplet caplet, ks_buf *out);

/* Plain text spoken for KEY: "control_alt_delete" -> "контрол альт делит",
 * "kp-5" -> "сандық тақта бес", "f12" -> "эф 12", single characters by name. */
void sd_key_text(const char *key, size_t len, ks_buf *out);

/* Kazakh name of a punctuation or symbol code point and the lowest mode that
 * speaks it; NULL when it has none. */
const char *sd_punct_name(int32_t cp, sd_punct *level);

/* Append text with & < > " escaped for XML. */
void sd_xml_escape(ks_buf *out, const char *s, size_t len);

#endif
