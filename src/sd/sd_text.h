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

/* Cutting a long server SSML message into pieces that are valid SSML on their
 * own, so the first can be spoken while the rest waits.  A piece ends at a
 * sentence end inside a text node (never inside a tag; a text node without one
 * is cut at a space after SD_SPLIT_SENTENCE bytes).  The elements open at the
 * cut are closed at the end of the piece and reopened, with the same start tags,
 * at the start of the next one; marks stay where they were.  The pieces' middle
 * parts, concatenated, are the message. */
#define SD_SPLIT_DEPTH 16      /* elements reopened; deeper ones are not */
#define SD_SPLIT_SENTENCE 4096

typedef struct sd_splitter {
    const char *ssml;
    size_t len, pos;
    size_t text_end;           /* end of the text node pos is in, when pos > 0 and known */
    struct {
        size_t off, len, name_len;
    } open[SD_SPLIT_DEPTH];    /* start tags (in ssml) of the elements open at pos */
    int depth;
    int deep;                  /* elements open beyond SD_SPLIT_DEPTH */
} sd_splitter;

void sd_splitter_init(sd_splitter *s, const char *ssml, size_t len);
/* Append the next piece to out, at least `want` bytes of the message when a cut
 * can be found after that.  Returns 1, or 0 when the message is used up. */
int sd_splitter_next(sd_splitter *s, size_t want, ks_buf *out);

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
