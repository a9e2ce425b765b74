/* ssml_pieces.c - cut a streaming SSML document into pieces that are SSML
 * documents of their own (see ssml_pieces.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ssml_pieces.h"

#define MAX_START_TAG 4096

enum { M_TEXT, M_TAG, M_COMMENT, M_CDATA, M_DECL };

/* Elements whose content may be cut in two: each half still means the same. */
static const char *const SPLITTABLE[] = {"speak", "p", "s", "voice", "prosody", "emphasis", "lang",
                                         "paragraph", "sentence", NULL};

void ssml_pieces_init(ssml_pieces *p)
{
    memset(p, 0, sizeof *p);
    p->line = 1;
    p->col = 1;
}

void ssml_pieces_free(ssml_pieces *p)
{
    ks_buf_free(&p->tags);
    ks_buf_free(&p->prefix);
}

/* The element name of a start tag, as written (with a namespace prefix):
 * after '<', up to white space, '/' or '>'. */
static void tag_name(const char *t, size_t n, const char **name, size_t *len)
{
    size_t i = 1;
    while (i < n && t[i] != ' ' && t[i] != '\t' && t[i] != '\n' && t[i] != '\r' && t[i] != '/' && t[i] != '>')
        i++;
    *name = t + 1;
    *len = i - 1;
}

static int splittable_top(const ssml_pieces *p)
{
    if (p->broken)
        return 0;
    if (p->depth == 0)
        return 1; /* text outside any element: nothing to close */
    size_t start = p->depth > 1 ? p->tag_end[p->depth - 2] : 0;
    const char *name;
    size_t len;
    tag_name(p->tags.data + start, p->tag_end[p->depth - 1] - start, &name, &len);
    const char *colon = memchr(name, ':', len); /* a namespace prefix is not part of the name */
    if (colon) {
        len -= (size_t)(colon + 1 - name);
        name = colon + 1;
    }
    for (const char *const *s = SPLITTABLE; *s; s++)
        if (strlen(*s) == len && memcmp(*s, name, len) == 0)
            return 1;
    return 0;
}

/* A whole tag `t` (from '<' to '>') was read: follow the element stack. */
static void on_tag(ssml_pieces *p, const char *t, size_t n)
{
    if (n >= 2 && t[1] == '/') { /* end tag: it must close the innermost element */
        if (p->depth == 0) {
            p->broken = 1;
            return;
        }
        size_t start = p->depth > 1 ? p->tag_end[p->depth - 2] : 0;
        const char *open;
        size_t open_len, k = 2;
        tag_name(p->tags.data + start, p->tag_end[p->depth - 1] - start, &open, &open_len);
        while (k < n && t[k] != '>' && t[k] != ' ' && t[k] != '\t' && t[k] != '\n' && t[k] != '\r')
            k++;
        if (k - 2 != open_len || memcmp(t + 2, open, open_len) != 0) {
            p->broken = 1; /* the converter will say what is wrong */
            return;
        }
        p->depth--;
        p->tags.len = p->depth ? p->tag_end[p->depth - 1] : 0;
        return;
    }
    if (n >= 2 && t[n - 2] == '/')
        return; /* <break/>, <mark/>: nothing stays open */
    if (p->depth == SSML_PIECES_DEPTH || n > MAX_START_TAG || ks_buf_append(&p->tags, t, n) != 0) {
        p->broken = 1;
        return;
    }
    p->tag_end[p->depth++] = p->tags.len;
}

static int starts(const char *doc, size_t len, size_t i, const char *s)
{
    size_t n = strlen(s);
    return i + n <= len && memcmp(doc + i, s, n) == 0;
}

#define NEED_MORE ((size_t)-1)

/* The end of a comment or CDATA section: the index after `close`, or NEED_MORE
 * (scanning resumes where `close` could still begin). */
static size_t find_close(ssml_pieces *p, const char *doc, size_t len, size_t i, const char *close)
{
    for (size_t k = i; k + 3 <= len; k++)
        if (memcmp(doc + k, close, 3) == 0) {
            p->mode = M_TEXT;
            return k + 3;
        }
    p->scanned = len > i + 2 ? len - 2 : i;
    return NEED_MORE;
}

/* Read markup at doc[i] (mode != M_TEXT); returns the index after what was
 * read, or NEED_MORE (p->scanned is set). */
static size_t scan_markup(ssml_pieces *p, const char *doc, size_t len, size_t i)
{
    const char *end;
    switch (p->mode) {
    case M_COMMENT:
        return find_close(p, doc, len, i, "-->");
    case M_CDATA:
        return find_close(p, doc, len, i, "]]>");
    case M_DECL:
        end = memchr(doc + i, '>', len - i);
        if (!end)
            return len;
        p->mode = M_TEXT;
        return (size_t)(end - doc) + 1;
    default: /* a tag: '>' outside quoted attribute values ends it */
        for (; i < len; i++) {
            char c = doc[i];
            if (p->quote) {
                if (c == p->quote)
                    p->quote = 0;
            } else if (c == '"' || c == '\'') {
                p->quote = c;
            } else if (c == '>') {
                on_tag(p, doc + p->tag_start, i + 1 - p->tag_start);
                p->mode = M_TEXT;
                return i + 1;
            }
        }
        if (len - p->tag_start > MAX_START_TAG)
            p->broken = 1;
        return len;
    }
}

/* '<' at doc[i] starts markup: which kind? 0 when more input is needed to tell. */
static int markup_kind(const char *doc, size_t len, size_t i)
{
    if (len - i < 9 && !starts(doc, len, i, "<!--") && !starts(doc, len, i, "<?") &&
        (len - i < 2 || doc[i + 1] == '!'))
        return 0;
    if (starts(doc, len, i, "<!--"))
        return M_COMMENT;
    if (starts(doc, len, i, "<![CDATA["))
        return M_CDATA;
    if (starts(doc, len, i, "<?") || starts(doc, len, i, "<!"))
        return M_DECL;
    return M_TAG;
}

/* A <mark> start tag at doc[i] ('<')? 1 yes, 0 no, -1 more input needed. */
static int is_mark(const char *doc, size_t len, size_t i)
{
    size_t k = i + 1;
    while (k < len && k - i < 64 && doc[k] != ' ' && doc[k] != '/' && doc[k] != '>' && doc[k] != '\t' &&
           doc[k] != '\n')
        k++;
    if (k >= len)
        return -1;
    const char *name = doc + i + 1;
    size_t n = k - i - 1;
    const char *colon = memchr(name, ':', n);
    if (colon) {
        n -= (size_t)(colon + 1 - name);
        name = colon + 1;
    }
    return n == 4 && memcmp(name, "mark", 4) == 0;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

size_t ssml_pieces_next(ssml_pieces *p, const char *doc, size_t len, int at_eof, size_t min_piece,
                        size_t max_piece)
{
    size_t i = p->scanned;
    while (i < len) {
        if (p->mode != M_TEXT) {
            size_t j = scan_markup(p, doc, len, i);
            if (j == NEED_MORE)
                return at_eof ? (p->scanned = 0, len) : 0;
            i = j;
            continue;
        }
        char c = doc[i];
        if (c == '<') {
            int kind = markup_kind(doc, len, i);
            if (kind == 0)
                break; /* more input needed */
            if (kind == M_TAG && p->after_stop && i > 0 && is_mark(doc, len, i) && splittable_top(p)) {
                /* eSpeak NG drops a <mark> that follows a sentence end inside one text (it
                 * reports one at the start): a mark there starts a piece, whatever its size */
                if (is_mark(doc, len, i) < 0)
                    break; /* more input needed to tell */
                p->after_stop = 0;
                p->scanned = 0;
                return i;
            }
            p->mode = kind; /* markup keeps a terminator in force: "сөйлем.</s> " ends a sentence */
            p->tag_start = i;
            p->quote = 0;
            i += kind == M_TAG ? 1 : 2;
            continue;
        }
        if (is_space(c)) {
            if (((p->after_stop && i + 1 >= min_piece) || (max_piece && i + 1 >= max_piece)) && splittable_top(p)) {
                p->after_stop = 0;
                p->scanned = 0;
                return i + 1; /* the piece ends after this space */
            }
        } else if (c == '.' || c == '!' || c == '?') {
            p->after_stop = 1;
        } else if ((unsigned char)c == 0xE2 && i + 2 >= len && !at_eof) {
            break; /* maybe "…": wait for the rest of the character */
        } else if ((unsigned char)c == 0xE2 && i + 2 < len && (unsigned char)doc[i + 1] == 0x80 &&
                   (unsigned char)doc[i + 2] == 0xA6) { /* … */
            p->after_stop = 1;
            i += 3;
            continue;
        } else if (!(c == '"' || c == ')' || ((unsigned char)c & 0xC0) == 0x80 || (unsigned char)c == 0xC2)) {
            p->after_stop = 0; /* closing quotes keep the terminator in force */
        }
        i++;
    }
    p->scanned = i;
    if (at_eof) {
        p->scanned = 0;
        return len;
    }
    return 0;
}

int ssml_pieces_take(ssml_pieces *p, const char *piece, size_t n, int last, ks_buf *out)
{
    /* the prefix of this piece was saved when the previous one was taken */
    p->last_prefix = p->prefix.len;
    ks_buf_append(out, p->prefix.data ? p->prefix.data : "", p->prefix.len);
    ks_buf_append(out, piece, n);
    for (int d = last ? 0 : p->depth; d > 0; d--) { /* close what is still open */
        size_t start = d > 1 ? p->tag_end[d - 2] : 0;
        const char *name;
        size_t len;
        tag_name(p->tags.data + start, p->tag_end[d - 1] - start, &name, &len);
        ks_buf_puts(out, "</");
        ks_buf_append(out, name, len);
        ks_buf_putc(out, '>');
    }
    /* where the next piece starts in the document */
    for (size_t i = 0; i < n; i++) {
        if (piece[i] == '\n') {
            p->line++;
            p->col = 1;
        } else if (((unsigned char)piece[i] & 0xC0) != 0x80) {
            p->col++;
        }
    }
    p->scanned = 0;
    ks_buf_reset(&p->prefix);
    ks_buf_append(&p->prefix, p->tags.data ? p->tags.data : "", p->tags.len);
    return out->failed || p->prefix.failed ? -1 : 0;
}

size_t ssml_pieces_prefix_len(const ssml_pieces *p)
{
    return p->last_prefix;
}

/* ---------------------------------------------------------------- the public face */

struct ks_ssml_cutter {
    ssml_pieces p;
};

KS_API ks_status ks_ssml_cutter_new(ks_ssml_cutter **out, ks_error *err)
{
    *out = calloc(1, sizeof **out);
    if (!*out) {
        if (err)
            snprintf(err->msg, sizeof err->msg, "out of memory");
        return KS_ENOMEM;
    }
    ssml_pieces_init(&(*out)->p);
    return KS_OK;
}

KS_API size_t ks_ssml_cutter_next(ks_ssml_cutter *c, const char *doc, size_t len, int at_eof, size_t min_piece,
                                  size_t max_piece)
{
    return ssml_pieces_next(&c->p, doc, len, at_eof, min_piece, max_piece);
}

KS_API ks_status ks_ssml_cutter_take(ks_ssml_cutter *c, const char *piece, size_t n, int last, ks_buf *out,
                                     ks_error *err)
{
    if (ssml_pieces_take(&c->p, piece, n, last, out) != 0) {
        if (err)
            snprintf(err->msg, sizeof err->msg, "out of memory");
        return KS_ENOMEM;
    }
    return KS_OK;
}

KS_API void ks_ssml_cutter_free(ks_ssml_cutter *c)
{
    if (!c)
        return;
    ssml_pieces_free(&c->p);
    free(c);
}
