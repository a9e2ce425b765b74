/* ssml_pieces.h - cut a streaming SSML document into pieces that are SSML
 * documents of their own, so a large document is converted and spoken piece
 * by piece in bounded memory.
 *
 * A cut is made only inside a text node, after a sentence terminator
 * (. ! ? …) and the white space that follows it, when the piece is long
 * enough, and only where the innermost open element may be split (speak, p,
 * s, voice, prosody, emphasis, lang). The piece is closed with the end tags
 * of the elements still open; the next piece starts with their start tags
 * again, attributes and all. Markup the cutter does not follow (a stray end
 * tag, nesting deeper than SSML_PIECES_DEPTH, a start tag over 4 KiB) stops
 * all further cuts: the rest is one piece, and the SSML converter reports the
 * error. */
#ifndef KS_SSML_PIECES_H
#define KS_SSML_PIECES_H
#include <stddef.h>
#include <stdint.h>

#include "kazspeak/kazspeak.h"

#define SSML_PIECES_DEPTH 64

typedef struct ssml_pieces {
    /* the open elements: their start tags, as written */
    ks_buf tags;                      /* start tags, one after another */
    size_t tag_end[SSML_PIECES_DEPTH]; /* end of each in `tags` */
    int depth;
    int broken;     /* no more cuts */
    /* scanning the current piece (offsets from the piece's start) */
    size_t scanned;
    size_t tag_start;  /* start of the markup being read; valid while `mode` != TEXT */
    int mode;          /* 0 text, 1 tag, 2 comment, 3 CDATA, 4 processing instruction / declaration */
    char quote;        /* inside an attribute value in a tag */
    int after_stop;    /* the text just had a sentence terminator (plus closing quotes) */
    /* where the current piece starts in the document, for error messages */
    unsigned long line, col;
    ks_buf prefix;     /* start tags that open the current piece (the stack at its start) */
    size_t last_prefix; /* length of the prefix of the piece last built */
} ssml_pieces;

void ssml_pieces_init(ssml_pieces *p);
void ssml_pieces_free(ssml_pieces *p);

/* The length of the next piece at the start of doc[0..len) (the current
 * piece's input, from its start), or 0 when more input is needed. With
 * at_eof the rest is the last piece. min_piece: do not cut before this many
 * bytes; max_piece (0: none): a text without a sentence end is cut at a space
 * after this many bytes. */
size_t ssml_pieces_next(ssml_pieces *p, const char *doc, size_t len, int at_eof, size_t min_piece,
                        size_t max_piece);

/* Build the piece as a document: the start tags open at its start, its text,
 * and (unless it is the last piece, which must close them itself) the end tags
 * of the elements still open at its end. Then move on: the next piece starts
 * after it. APPENDS to out; -1 when out of memory. */
int ssml_pieces_take(ssml_pieces *p, const char *piece, size_t n, int last, ks_buf *out);

/* Length in bytes of the start-tag prefix of the piece last built by take. */
size_t ssml_pieces_prefix_len(const ssml_pieces *p);

#endif
