/* ssml.c - a small, non-recursive SSML reader that writes the SSML subset eSpeak NG
 * understands, with every piece of text read by kazspeak's own Kazakh rules.
 *
 * One forward pass over the input (linear time): an explicit element stack (depth
 * limit SSML_MAX_DEPTH), entity decoding (&amp; &lt; &gt; &quot; &apos; &#N; &#xH;),
 * comments, CDATA, processing instructions and a DOCTYPE without internal subset.
 * Text is collected per text node, then transliterated (optional), normalized
 * (optional) and XML-escaped.  Errors carry "line L, column C" computed once, at
 * the error, from the byte offset.
 *
 * eSpeak NG facts this relies on (checked with espeak-ng 1.51 -m -x):
 *  - <phoneme alphabet="espeak" ph="..."> is turned by eSpeak into [[ph]] but it
 *    still speaks the element's content and does not decode entities in `ph`,
 *    so we emit [[ph]] ourselves (needs espeakPHONEMES) and drop the content.
 *  - entities in attribute values are not decoded either: every attribute we
 *    write is a validated token (digits, keywords, mark names without & < > ").
 *  - in phoneme mode "[[" in text starts phonemes: text never carries "[[". */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "kazspeak/kazspeak.h"
#include "kk_words.h"
#include "number.h"
#include "ssml.h"
#include "status.h"
#include "translit.h"

/* ------------------------------------------------------------------ elements */

typedef enum el_kind {
    EL_SPEAK, EL_P, EL_S, EL_BREAK, EL_PROSODY, EL_EMPHASIS, EL_MARK, EL_SUB, EL_PHONEME,
    EL_SAYAS, EL_VOICE, EL_LANG, EL_AUDIO, EL_DESC, EL_METADATA, EL_LEXICON, EL_META,
    EL_COUNT, /* not a known element: allowed only inside dropped content (metadata) */
} el_kind;

static const char *const el_names[EL_COUNT] = {
    [EL_SPEAK] = "speak", [EL_P] = "p", [EL_S] = "s", [EL_BREAK] = "break",
    [EL_PROSODY] = "prosody", [EL_EMPHASIS] = "emphasis", [EL_MARK] = "mark", [EL_SUB] = "sub",
    [EL_PHONEME] = "phoneme", [EL_SAYAS] = "say-as", [EL_VOICE] = "voice", [EL_LANG] = "lang",
    [EL_AUDIO] = "audio", [EL_DESC] = "desc", [EL_METADATA] = "metadata",
    [EL_LEXICON] = "lexicon", [EL_META] = "meta",
};

typedef enum sayas_kind {
    SA_NONE, SA_CHARACTERS, SA_CARDINAL, SA_ORDINAL, SA_DIGITS, SA_DATE, SA_TIME, SA_TELEPHONE,
    SA_TEXT /* unknown interpret-as: read the content as text */
} sayas_kind;

typedef struct frame {
    el_kind kind;
    int skip;        /* this element's content is dropped */
    size_t pos;      /* byte offset of its '<' (for messages) */
    size_t name_len; /* its name is in[pos + 1 .. pos + 1 + name_len) */
} frame;

typedef struct attr {
    const char *name;
    size_t name_len;
    size_t val_off; /* decoded value in ctx->attrs */
    size_t val_len;
    size_t pos;     /* byte offset of the attribute name */
} attr;

typedef struct ctx {
    const char *in;
    size_t len;
    ks_buf *out;
    ks_normalizer *norm;
    const ks_translit *tr;
    ks_script script;
    translit_hint hint; /* Kazakh Latin context of the whole document */
    ks_error *err;
    unsigned flags;
    int at_block;       /* the output ends with a block tag (speak, p, s): no space needed */
    int space_pending;  /* generated words were written: separate the next text */

    frame stack[SSML_MAX_DEPTH];
    int depth;
    int skip;           /* number of open elements whose content is dropped */
    int root_seen, root_closed;

    ks_buf text;        /* pending text node (decoded) */
    size_t text_pos;    /* where it started */
    ks_buf tmp1, tmp2;  /* scratch for transliteration / normalization */
    ks_buf attrs;       /* decoded attribute values of the current tag */
    attr at[SSML_MAX_ATTRS];
    int n_at;

    sayas_kind sayas;   /* inside <say-as> */
    char sayas_format[16];
    ks_buf sayas_text;
} ctx;

/* ------------------------------------------------------------------ errors */

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static ks_status fail_at(ctx *c, size_t pos, const char *fmt, ...)
{
    if (c->err) {
        size_t line = 1, col = 1;
        if (pos > c->len)
            pos = c->len;
        for (size_t i = 0; i < pos; i++) {
            unsigned char b = (unsigned char)c->in[i];
            if (b == '\n') {
                line++;
                col = 1;
            } else if ((b & 0xC0) != 0x80) {
                col++;
            }
        }
        char msg[200];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        snprintf(c->err->msg, sizeof c->err->msg, "line %zu, column %zu: %s", line, col, msg);
    }
    return KS_EPARSE;
}

static ks_status nomem(ctx *c)
{
    return status_set(c->err, KS_ENOMEM, "SSML: output too large or out of memory");
}

/* ------------------------------------------------------------------ small helpers */

static int is_ws(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

static int is_name_start(unsigned char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_' || ch == ':' || ch >= 0x80;
}

static int is_name_char(unsigned char ch)
{
    return is_name_start(ch) || (ch >= '0' && ch <= '9') || ch == '-' || ch == '.';
}

static int xml_char_ok(int32_t cp)
{
    return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
           (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
}

static int put_cp(ks_buf *b, int32_t cp)
{
    utf8proc_uint8_t tmp[4];
    utf8proc_ssize_t n = utf8proc_encode_char(cp, tmp);
    return ks_buf_append(b, (const char *)tmp, (size_t)n);
}

static int eq(const char *s, size_t n, const char *lit)
{
    return strlen(lit) == n && memcmp(s, lit, n) == 0;
}

/* Append text XML-escaped for eSpeak: & < > escaped, "[" followed by a space so
 * that no "[[" (phoneme start) can form, also across text nodes. */
static void put_escaped(ks_buf *out, const char *s, size_t n)
{
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        const char *rep = NULL;
        switch (s[i]) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '[': rep = "[ "; break;
        default: break;
        }
        if (rep) {
            ks_buf_append(out, s + run, i - run);
            ks_buf_puts(out, rep);
            run = i + 1;
        }
    }
    ks_buf_append(out, s + run, n - run);
}

/* Add a separating space unless the output is empty, ends with a space or with a
 * block tag (speak, p, s) where a space means nothing. */
static void sep_out(ks_buf *out, int at_block)
{
    if (out->len && out->data[out->len - 1] != ' ' && !at_block)
        ks_buf_putc(out, ' ');
}
#define sep(c) sep_out((c)->out, (c)->at_block)

/* Before an inline tag: a space unless the output ends with a space or a tag. */
static void sep_tag(ks_buf *out)
{
    if (out->len && out->data[out->len - 1] != ' ' && out->data[out->len - 1] != '>')
        ks_buf_putc(out, ' ');
}

/* Write a block-level tag. */
static void put_block(ctx *c, const char *tag)
{
    ks_buf *o = c->out;
    /* no space before a block boundary, except the one that must follow "]]":
     * eSpeak reads a tag glued to "]]" aloud ("<speak>[[a]]</speak>" says "slash") */
    while (o->len && o->data[o->len - 1] == ' ' && !o->failed &&
           !(o->len >= 3 && o->data[o->len - 2] == ']' && o->data[o->len - 3] == ']'))
        o->data[--o->len] = '\0';
    ks_buf_puts(c->out, tag);
    c->at_block = 1;
    c->space_pending = 0;
}

/* Write an inline tag (after a separating space). */
static void put_inline(ctx *c, const char *tag)
{
    ks_buf_puts(c->out, tag);
    c->at_block = 0;
    c->space_pending = 0;
}

/* ------------------------------------------------------------------ text output */

/* Transliterate, normalize and escape one piece of text; whitespace runs are
 * collapsed to one space and kept at the edges as a single space. */
static ks_status emit_text(ctx *c, const char *s, size_t n)
{
    size_t i = 0;
    int lead = 0, trail = 0;
    while (i < n && is_ws(s[i])) {
        i++;
        lead = 1;
    }
    while (n > i && is_ws(s[n - 1])) {
        n--;
        trail = 1;
    }
    if (lead)
        sep(c);
    if (n > i) {
        if (c->space_pending && !lead && n - i >= 3 && s[i] == '-' && (unsigned char)s[i + 1] >= 0xD0 &&
            (unsigned char)s[i + 1] <= 0xD3) {
            /* a case ending written after say-as: <say-as>09:05</say-as>-те -> "... бесте" */
            i++;
        } else if (c->space_pending && !strchr(".,;:!?)»", s[i])) {
            sep(c);
        }
        /* collapse inner whitespace */
        ks_buf_reset(&c->tmp1);
        int in_ws = 0;
        for (size_t k = i; k < n; k++) {
            if (is_ws(s[k])) {
                in_ws = 1;
                continue;
            }
            if (in_ws)
                ks_buf_putc(&c->tmp1, ' ');
            in_ws = 0;
            ks_buf_putc(&c->tmp1, s[k]);
        }
        if (c->tmp1.failed)
            return nomem(c);
        const char *t = c->tmp1.data;
        size_t tl = c->tmp1.len;
        ks_status st;
        if (c->tr && c->script != KS_SCRIPT_CYRL) {
            ks_buf_reset(&c->tmp2);
            if ((st = translit_run_hint(c->tr, c->script, t, tl, &c->hint, &c->tmp2, c->err)) != KS_OK)
                return st;
            /* swap roles: result now in tmp2 -> copy to tmp1 */
            ks_buf_reset(&c->tmp1);
            ks_buf_append(&c->tmp1, c->tmp2.data ? c->tmp2.data : "", c->tmp2.len);
            t = c->tmp1.data;
            tl = c->tmp1.len;
        }
        if (c->norm) {
            ks_buf_reset(&c->tmp2);
            if ((st = ks_normalize(c->norm, t ? t : "", tl, &c->tmp2, NULL, c->err)) != KS_OK)
                return st;
            t = c->tmp2.data;
            tl = c->tmp2.len;
        }
        put_escaped(c->out, t ? t : "", tl);
        c->at_block = 0;
        c->space_pending = 0;
    }
    if (trail)
        sep(c);
    return c->out->failed ? nomem(c) : KS_OK;
}

/* Words we generated ourselves (say-as): escape and separate. */
static void emit_words(ctx *c, const char *s, size_t n)
{
    if (!n)
        return;
    sep(c);
    put_escaped(c->out, s, n);
    c->at_block = 0;
    c->space_pending = 1;
}

static ks_status flush_text(ctx *c)
{
    if (c->text.len == 0)
        return KS_OK;
    ks_status st = KS_OK;
    if (c->skip) {
        /* dropped content */
    } else if (c->sayas != SA_NONE) {
        ks_buf_append(&c->sayas_text, c->text.data, c->text.len);
    } else if (c->depth == 0) {
        /* outside the root: only whitespace is allowed */
        for (size_t i = 0; i < c->text.len; i++)
            if (!is_ws(c->text.data[i]))
                return fail_at(c, c->text_pos, "text outside the <speak> element");
    } else {
        st = emit_text(c, c->text.data, c->text.len);
    }
    ks_buf_reset(&c->text);
    return st;
}

/* ------------------------------------------------------------------ parsing */

/* Decode an entity at in[*p] == '&' into b; advances *p. */
static ks_status decode_entity(ctx *c, size_t *p, ks_buf *b)
{
    size_t s = *p, i = s + 1;
    size_t lim = c->len - i < 12 ? c->len : i + 12;
    size_t semi = i;
    while (semi < lim && c->in[semi] != ';')
        semi++;
    if (semi >= lim || c->in[semi] != ';')
        return fail_at(c, s, "'&' must start an entity such as &amp; (a bare & is written &amp;)");
    const char *name = c->in + i;
    size_t nl = semi - i;
    int32_t cp = -1;
    if (eq(name, nl, "amp"))
        cp = '&';
    else if (eq(name, nl, "lt"))
        cp = '<';
    else if (eq(name, nl, "gt"))
        cp = '>';
    else if (eq(name, nl, "quot"))
        cp = '"';
    else if (eq(name, nl, "apos"))
        cp = '\'';
    else if (nl >= 2 && name[0] == '#') {
        int hex = name[1] == 'x';
        size_t k = hex ? 2 : 1;
        if (k >= nl)
            return fail_at(c, s, "empty character reference");
        int32_t v = 0;
        for (; k < nl; k++) {
            char ch = name[k];
            int dv;
            if (ch >= '0' && ch <= '9')
                dv = ch - '0';
            else if (hex && ch >= 'a' && ch <= 'f')
                dv = ch - 'a' + 10;
            else if (hex && ch >= 'A' && ch <= 'F')
                dv = ch - 'A' + 10;
            else
                return fail_at(c, s, "bad character reference &%.*s;", (int)nl, name);
            v = v * (hex ? 16 : 10) + dv;
            if (v > 0x10FFFF)
                return fail_at(c, s, "character reference &%.*s; is out of range", (int)nl, name);
        }
        if (!xml_char_ok(v))
            return fail_at(c, s, "character reference &%.*s; is not an allowed character", (int)nl, name);
        cp = v;
    } else {
        return fail_at(c, s, "unknown entity &%.*s;", (int)nl, name);
    }
    if (put_cp(b, cp) != 0)
        return nomem(c);
    *p = semi + 1;
    return KS_OK;
}

static const attr *find_attr(const ctx *c, const char *name)
{
    for (int i = 0; i < c->n_at; i++)
        if (eq(c->at[i].name, c->at[i].name_len, name))
            return &c->at[i];
    return NULL;
}

/* Attribute value as a NUL-terminated string (valid until the next tag). */
static const char *attr_val(const ctx *c, const attr *a)
{
    return c->attrs.data + a->val_off;
}

static int in_list(const char *v, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(v, *list) == 0)
            return 1;
    return 0;
}

/* [+-]?digits[.digits](unit)? with unit from `units` (NULL-terminated, may include "") */
static int numeric_with_unit(const char *v, const char *const *units)
{
    const char *p = v;
    if (*p == '+' || *p == '-')
        p++;
    if (!(*p >= '0' && *p <= '9'))
        return 0;
    while (*p >= '0' && *p <= '9')
        p++;
    if (*p == '.') {
        p++;
        if (!(*p >= '0' && *p <= '9'))
            return 0;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (p - v > 12)
        return 0;
    return in_list(p, units);
}

static ks_status open_element(ctx *c, el_kind k, size_t pos, size_t name_len, int self_closing);
static ks_status close_element(ctx *c, el_kind k, size_t pos);

/* Parse "<name attrs... >" or "/>" starting at in[*p] == '<'. */
static ks_status parse_start_tag(ctx *c, size_t *p)
{
    size_t s = *p, i = s + 1;
    const char *in = c->in;
    size_t ns = i;
    while (i < c->len && is_name_char((unsigned char)in[i]))
        i++;
    size_t nlen = i - ns;
    el_kind k = EL_COUNT;
    for (int e = 0; e < EL_COUNT; e++)
        if (eq(in + ns, nlen, el_names[e]))
            k = (el_kind)e;
    if (k == EL_COUNT && !c->skip)
        return fail_at(c, s, "unknown element <%.*s>", (int)(nlen > 40 ? 40 : nlen), in + ns);
    const char *kname = k == EL_COUNT ? "element" : el_names[k];
    /* attributes */
    ks_buf_reset(&c->attrs);
    c->n_at = 0;
    int self_closing = 0;
    for (;;) {
        size_t ws = i;
        while (i < c->len && is_ws(in[i]))
            i++;
        if (i >= c->len)
            return fail_at(c, s, "unterminated <%s> tag", kname);
        if (in[i] == '>') {
            i++;
            break;
        }
        if (in[i] == '/') {
            if (i + 1 < c->len && in[i + 1] == '>') {
                self_closing = 1;
                i += 2;
                break;
            }
            return fail_at(c, i, "expected '>' after '/'");
        }
        if (i == ws)
            return fail_at(c, i, "expected a space, '>' or '/>' in <%s>", kname);
        if (!is_name_start((unsigned char)in[i]))
            return fail_at(c, i, "expected an attribute name in <%s>", kname);
        size_t an = i;
        while (i < c->len && is_name_char((unsigned char)in[i]))
            i++;
        size_t anl = i - an;
        while (i < c->len && is_ws(in[i]))
            i++;
        if (i >= c->len || in[i] != '=')
            return fail_at(c, i, "expected '=' after attribute %.*s", (int)(anl > 40 ? 40 : anl), in + an);
        i++;
        while (i < c->len && is_ws(in[i]))
            i++;
        if (i >= c->len || (in[i] != '"' && in[i] != '\''))
            return fail_at(c, i, "attribute value must be quoted");
        char q = in[i++];
        if (c->n_at >= SSML_MAX_ATTRS)
            return fail_at(c, an, "too many attributes (max %d)", SSML_MAX_ATTRS);
        for (int a = 0; a < c->n_at; a++)
            if (c->at[a].name_len == anl && memcmp(c->at[a].name, in + an, anl) == 0)
                return fail_at(c, an, "duplicate attribute %.*s", (int)(anl > 40 ? 40 : anl), in + an);
        attr *a = &c->at[c->n_at];
        a->name = in + an;
        a->name_len = anl;
        a->pos = an;
        a->val_off = c->attrs.len;
        size_t vs = i;
        for (;;) {
            if (i >= c->len)
                return fail_at(c, vs - 1, "unterminated attribute value");
            char ch = in[i];
            if (ch == q) {
                i++;
                break;
            }
            if (ch == '<')
                return fail_at(c, i, "'<' is not allowed in an attribute value (write &lt;)");
            if (ch == '&') {
                ks_status st = decode_entity(c, &i, &c->attrs);
                if (st != KS_OK)
                    return st;
                continue;
            }
            /* attribute value normalization: whitespace characters become spaces */
            ks_buf_putc(&c->attrs, is_ws(ch) ? ' ' : ch);
            i++;
        }
        a->val_len = c->attrs.len - a->val_off;
        ks_buf_putc(&c->attrs, '\0');
        if (c->attrs.failed)
            return nomem(c);
        c->n_at++;
    }
    *p = i;
    return open_element(c, k, s, nlen, self_closing);
}

static ks_status parse_end_tag(ctx *c, size_t *p)
{
    size_t s = *p, i = s + 2;
    size_t ns = i;
    while (i < c->len && is_name_char((unsigned char)c->in[i]))
        i++;
    size_t nlen = i - ns;
    while (i < c->len && is_ws(c->in[i]))
        i++;
    if (i >= c->len || c->in[i] != '>')
        return fail_at(c, s, "unterminated end tag");
    if (c->depth == 0)
        return fail_at(c, s, "end tag </%.*s> without a start tag", (int)(nlen > 40 ? 40 : nlen), c->in + ns);
    const frame *f = &c->stack[c->depth - 1];
    el_kind k = f->kind;
    if (nlen != f->name_len || memcmp(c->in + ns, c->in + f->pos + 1, nlen) != 0) {
        return fail_at(c, s, "end tag </%.*s> does not match <%.*s>", (int)(nlen > 40 ? 40 : nlen), c->in + ns,
                       (int)(f->name_len > 40 ? 40 : f->name_len), c->in + f->pos + 1);
    }
    *p = i + 1;
    return close_element(c, k, s);
}

/* ------------------------------------------------------------------ element semantics */

static const char *const BREAK_STRENGTHS[] = {"none", "x-weak", "weak", "medium", "strong", "x-strong", NULL};
static const char *const RATE_WORDS[] = {"x-slow", "slow", "medium", "fast", "x-fast", "default", NULL};
static const char *const PITCH_WORDS[] = {"x-low", "low", "medium", "high", "x-high", "default", NULL};
static const char *const VOLUME_WORDS[] = {"silent", "x-soft", "soft", "medium", "loud", "x-loud", "default", NULL};
static const char *const EMPH_LEVELS[] = {"strong", "moderate", "none", "reduced", NULL};
static const char *const U_PERCENT[] = {"%", "", NULL};
static const char *const U_PITCH[] = {"%", "Hz", "st", NULL};
static const char *const U_VOLUME[] = {"%", "dB", "", NULL};

static ks_status do_break(ctx *c, size_t pos)
{
    const attr *t = find_attr(c, "time"), *s = find_attr(c, "strength");
    sep_tag(c->out);
    if (t) {
        const char *v = attr_val(c, t);
        char *end = NULL;
        double x = strtod(v, &end);
        if (end == v || x < 0 || !(strcmp(end, "ms") == 0 || strcmp(end, "s") == 0) || v[0] == '+' || v[0] == '-' ||
            v[0] == ' ')
            return fail_at(c, t->pos, "break time must look like 500ms or 1.5s, not \"%.40s\"", v);
        double ms = strcmp(end, "s") == 0 ? x * 1000.0 : x;
        if (ms > 600000.0)
            return fail_at(c, t->pos, "break time longer than 10 minutes");
        char tmp[64];
        snprintf(tmp, sizeof tmp, "<break time=\"%ldms\"/>", (long)(ms + 0.5));
        ks_buf_puts(c->out, tmp);
    } else if (s) {
        const char *v = attr_val(c, s);
        if (!in_list(v, BREAK_STRENGTHS))
            return fail_at(c, s->pos, "break strength must be none, x-weak, weak, medium, strong or x-strong");
        ks_buf_puts(c->out, "<break strength=\"");
        ks_buf_puts(c->out, v);
        ks_buf_puts(c->out, "\"/>");
    } else {
        ks_buf_puts(c->out, "<break/>");
    }
    (void)pos;
    return KS_OK;
}

static ks_status do_prosody(ctx *c)
{
    static const char *const names[3] = {"rate", "pitch", "volume"};
    const char *const *words[3] = {RATE_WORDS, PITCH_WORDS, VOLUME_WORDS};
    const char *const *units[3] = {U_PERCENT, U_PITCH, U_VOLUME};
    ks_buf_puts(c->out, "<prosody");
    for (int i = 0; i < 3; i++) {
        const attr *a = find_attr(c, names[i]);
        if (!a)
            continue;
        const char *v = attr_val(c, a);
        char conv[32];
        if (in_list(v, words[i])) {
            /* keyword */
        } else if (numeric_with_unit(v, units[i])) {
            /* rate="1.5" (a multiplier in SSML 1.1) -> 150% for eSpeak */
            size_t vl = strlen(v);
            if (i == 0 && vl && v[vl - 1] != '%' && v[0] != '+' && v[0] != '-') {
                snprintf(conv, sizeof conv, "%ld%%", (long)(strtod(v, NULL) * 100.0 + 0.5));
                v = conv;
            }
            /* volume="+6dB": eSpeak ignores the unit; give it the amplitude change in % */
            if (i == 2 && vl > 2 && strcmp(v + vl - 2, "dB") == 0) {
                double db = strtod(v, NULL);
                if (db > 40.0)
                    db = 40.0;
                long pct = (long)((pow(10.0, db / 20.0) - 1.0) * 100.0 + (db >= 0 ? 0.5 : -0.5));
                snprintf(conv, sizeof conv, "%+ld%%", pct);
                v = conv;
            }
        } else {
            return fail_at(c, a->pos, "bad prosody %s value \"%.40s\"", names[i], v);
        }
        ks_buf_putc(c->out, ' ');
        ks_buf_puts(c->out, names[i]);
        ks_buf_puts(c->out, "=\"");
        ks_buf_puts(c->out, v);
        ks_buf_putc(c->out, '"');
    }
    ks_buf_putc(c->out, '>');
    return KS_OK;
}

static int phoneme_ok(const char *v)
{
    for (; *v; v++) {
        unsigned char ch = (unsigned char)*v;
        if (ch < 0x20 || ch > 0x7E || ch == '<' || ch == '>' || ch == '[' || ch == ']')
            return 0;
    }
    return 1;
}

static sayas_kind sayas_from(const char *v)
{
    static const struct {
        const char *name;
        sayas_kind k;
    } map[] = {
        {"characters", SA_CHARACTERS}, {"spell-out", SA_CHARACTERS}, {"letters", SA_CHARACTERS},
        {"verbatim", SA_CHARACTERS},   {"tts:char", SA_CHARACTERS},  {"cardinal", SA_CARDINAL},
        {"number", SA_CARDINAL},       {"ordinal", SA_ORDINAL},      {"digits", SA_DIGITS},
        {"tts:digits", SA_DIGITS},     {"date", SA_DATE},            {"time", SA_TIME},
        {"telephone", SA_TELEPHONE},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(v, map[i].name) == 0)
            return map[i].k;
    return SA_TEXT;
}

/* <emphasis level="strong|moderate|none|reduced">: passed on to eSpeak */
static ks_status open_emphasis(ctx *c, frame *f, size_t pos)
{
    (void)f;
    (void)pos;
    const attr *a = find_attr(c, "level");
    if (a && !in_list(attr_val(c, a), EMPH_LEVELS))
        return fail_at(c, a->pos, "emphasis level must be strong, moderate, none or reduced");
    ks_buf_puts(c->out, "<emphasis");
    if (a) {
        ks_buf_puts(c->out, " level=\"");
        ks_buf_puts(c->out, attr_val(c, a));
        ks_buf_putc(c->out, '"');
    }
    ks_buf_putc(c->out, '>');
    return KS_OK;
}

/* <mark name="...">: passed on as an eSpeak index mark */
static ks_status open_mark(ctx *c, frame *f, size_t pos)
{
    (void)f;
    const attr *a = find_attr(c, "name");
    if (!a)
        return fail_at(c, pos, "<mark> needs a name attribute");
    const char *v = attr_val(c, a);
    if (a->val_len == 0 || a->val_len > 200 || strpbrk(v, "&<>\"") || strstr(v, "[["))
        return fail_at(c, a->pos, "mark name must be 1-200 characters without & < > \" or [[");
    sep_tag(c->out);
    ks_buf_puts(c->out, "<mark name=\"");
    ks_buf_puts(c->out, v);
    ks_buf_puts(c->out, "\"/>");
    return KS_OK;
}

/* <sub alias="...">: the alias is read instead of the content */
static ks_status open_sub(ctx *c, frame *f, size_t pos)
{
    ks_status st;
    const attr *a = find_attr(c, "alias");
    if (!a)
        return fail_at(c, pos, "<sub> needs an alias attribute");
    if ((st = emit_text(c, attr_val(c, a), a->val_len)) != KS_OK)
        return st;
    f->skip = 1;
    return KS_OK;
}

/* <phoneme ph="..." alphabet="espeak">: eSpeak phonemes instead of the content */
static ks_status open_phoneme(ctx *c, frame *f, size_t pos)
{
    const attr *ph = find_attr(c, "ph"), *al = find_attr(c, "alphabet");
    if (!ph)
        return fail_at(c, pos, "<phoneme> needs a ph attribute");
    const char *alpha = al ? attr_val(c, al) : "espeak";
    if (strcmp(alpha, "espeak") == 0 || strcmp(alpha, "x-espeak") == 0) {
        const char *v = attr_val(c, ph);
        if (!phoneme_ok(v))
            return fail_at(c, ph->pos, "eSpeak phonemes must be printable ASCII without < > [ ]");
        sep_tag(c->out);
        ks_buf_puts(c->out, "[[");
        ks_buf_puts(c->out, v);
        ks_buf_puts(c->out, "]] ");
        c->flags |= KS_SPEAK_PHONEMES;
        f->skip = 1;
    }
    /* other alphabets (ipa, x-sampa): eSpeak cannot read them; the content is read */
    return KS_OK;
}

/* <say-as interpret-as="..." format="...">: the content is collected and read by kk_say_* at the end tag */
static ks_status open_sayas(ctx *c, frame *f, size_t pos)
{
    (void)f;
    const attr *a = find_attr(c, "interpret-as");
    if (!a)
        return fail_at(c, pos, "<say-as> needs an interpret-as attribute");
    c->sayas = sayas_from(attr_val(c, a));
    const attr *fm = find_attr(c, "format");
    c->sayas_format[0] = '\0';
    if (fm)
        snprintf(c->sayas_format, sizeof c->sayas_format, "%s", attr_val(c, fm));
    ks_buf_reset(&c->sayas_text);
    return KS_OK;
}

static ks_status open_element(ctx *c, el_kind k, size_t pos, size_t name_len, int self_closing)
{
    ks_status st;
    if (c->root_closed)
        return fail_at(c, pos, "element <%s> after the end of <speak>", el_names[k]);
    if (c->depth == 0 && k != EL_SPEAK)
        return fail_at(c, pos, "the root element must be <speak>, not <%s>", el_names[k]);
    if (c->depth > 0 && k == EL_SPEAK)
        return fail_at(c, pos, "<speak> inside <speak>");
    if (c->sayas != SA_NONE && !c->skip)
        return fail_at(c, pos, "<say-as> may contain only text, not <%s>", el_names[k]);
    if (c->depth >= SSML_MAX_DEPTH)
        return fail_at(c, pos, "elements nested deeper than %d", SSML_MAX_DEPTH);

    frame *f = &c->stack[c->depth];
    f->kind = k;
    f->pos = pos;
    f->name_len = name_len;
    f->skip = 0;
    c->depth++;

    if (c->skip) {
        /* inside dropped content: only keep the structure */
        f->skip = 1;
        c->skip++;
        if (self_closing)
            return close_element(c, k, pos);
        return KS_OK;
    }

    size_t before = c->out->len;
    switch (k) {
    case EL_SPEAK:
        c->root_seen = 1;
        put_block(c, "<speak>");
        break;
    case EL_P:
        put_block(c, "<p>");
        break;
    case EL_S:
        put_block(c, "<s>");
        break;
    case EL_BREAK:
        if ((st = do_break(c, pos)) != KS_OK)
            return st;
        f->skip = 1; /* break is empty; ignore stray content */
        break;
    case EL_PROSODY:
        if ((st = do_prosody(c)) != KS_OK)
            return st;
        break;
    case EL_EMPHASIS:
        if ((st = open_emphasis(c, f, pos)) != KS_OK)
            return st;
        break;
    case EL_MARK:
        if ((st = open_mark(c, f, pos)) != KS_OK)
            return st;
        break;
    case EL_SUB:
        if ((st = open_sub(c, f, pos)) != KS_OK)
            return st;
        break;
    case EL_PHONEME:
        if ((st = open_phoneme(c, f, pos)) != KS_OK)
            return st;
        break;
    case EL_SAYAS:
        if ((st = open_sayas(c, f, pos)) != KS_OK)
            return st;
        break;
    case EL_DESC:
    case EL_METADATA:
    case EL_LEXICON:
    case EL_META:
    case EL_COUNT:
        f->skip = 1;
        break;
    case EL_VOICE:
    case EL_LANG:
    case EL_AUDIO:
        break;
    }
    if (k != EL_SPEAK && k != EL_P && k != EL_S && c->out->len != before) {
        c->at_block = 0; /* an inline tag or words were written */
        if (k != EL_SUB)
            c->space_pending = 0;
    }
    if (f->skip)
        c->skip++;
    if (c->out->failed)
        return nomem(c);
    if (self_closing)
        return close_element(c, k, pos);
    return KS_OK;
}

static ks_status finish_sayas(ctx *c)
{
    const char *t = c->sayas_text.data ? c->sayas_text.data : "";
    size_t n = c->sayas_text.len;
    ks_buf w = {0};
    int r = -1;
    switch (c->sayas) {
    case SA_CHARACTERS: r = kk_say_characters(t, n, &w); break;
    case SA_CARDINAL: r = kk_say_cardinal(t, n, &w); break;
    case SA_ORDINAL: r = kk_say_ordinal(t, n, &w); break;
    case SA_DIGITS: r = kk_say_digits(t, n, &w); break;
    case SA_DATE: r = kk_say_date(t, n, c->sayas_format, &w); break;
    case SA_TIME: r = kk_say_time(t, n, &w); break;
    case SA_TELEPHONE: r = kk_say_telephone(t, n, &w); break;
    case SA_TEXT:
    case SA_NONE: break;
    }
    ks_status st = KS_OK;
    if (r == 0) {
        emit_words(c, w.data, w.len);
        if (w.failed)
            st = nomem(c);
    } else {
        /* not the expected shape: read it as ordinary text */
        st = emit_text(c, t, n);
    }
    ks_buf_free(&w);
    c->sayas = SA_NONE;
    ks_buf_reset(&c->sayas_text);
    return st;
}

static ks_status close_element(ctx *c, el_kind k, size_t pos)
{
    const frame *f = &c->stack[c->depth - 1];
    (void)pos;
    if (f->skip)
        c->skip--;
    c->depth--;
    if (c->skip)
        return KS_OK; /* inside content an ancestor drops */
    switch (k) {
    case EL_SPEAK:
        put_block(c, "</speak>");
        c->root_closed = 1;
        break;
    case EL_P:
        put_block(c, "</p>");
        break;
    case EL_S:
        put_block(c, "</s>");
        break;
    case EL_PROSODY:
        put_inline(c, "</prosody>");
        break;
    case EL_EMPHASIS:
        put_inline(c, "</emphasis>");
        break;
    case EL_SAYAS:
        return finish_sayas(c);
    default:
        break;
    }
    return c->out->failed ? nomem(c) : KS_OK;
}

/* ------------------------------------------------------------------ main loop */

static ks_status check_utf8(ctx *c)
{
    size_t i = 0;
    while (i < c->len) {
        unsigned char b = (unsigned char)c->in[i];
        if (b < 0x80) {
            if (b < 0x20 && b != '\t' && b != '\n' && b != '\r')
                return fail_at(c, i, "control character U+%04X is not allowed in XML", b);
            i++;
            continue;
        }
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)c->in + i, (utf8proc_ssize_t)(c->len - i), &cp);
        if (k <= 0)
            return fail_at(c, i, "invalid UTF-8");
        if (!xml_char_ok(cp))
            return fail_at(c, i, "character U+%04X is not allowed in XML", (unsigned)cp);
        i += (size_t)k;
    }
    return KS_OK;
}

/* Find `lit` from in[from]; returns its offset or (size_t)-1. Linear. */
static size_t find_lit(const ctx *c, size_t from, const char *lit)
{
    size_t ll = strlen(lit);
    if (c->len < ll)
        return (size_t)-1;
    for (size_t i = from; i + ll <= c->len; i++) {
        const char *hit = memchr(c->in + i, lit[0], c->len - ll + 1 - i);
        if (!hit)
            return (size_t)-1;
        i = (size_t)(hit - c->in);
        if (memcmp(hit, lit, ll) == 0)
            return i;
    }
    return (size_t)-1;
}

static ks_status run(ctx *c)
{
    ks_status st;
    size_t p = 0;
    const char *in = c->in;
    if ((st = check_utf8(c)) != KS_OK)
        return st;
    /* a UTF-8 byte order mark */
    if (c->len >= 3 && memcmp(in, "\xEF\xBB\xBF", 3) == 0)
        p = 3;
    while (p < c->len) {
        char ch = in[p];
        if (ch == '<') {
            if (p + 1 >= c->len)
                return fail_at(c, p, "'<' at the end of the input");
            char nx = in[p + 1];
            if (nx == '!') {
                if (c->len - p >= 4 && memcmp(in + p, "<!--", 4) == 0) {
                    size_t e = find_lit(c, p + 4, "-->");
                    if (e == (size_t)-1)
                        return fail_at(c, p, "unterminated comment");
                    p = e + 3;
                    continue;
                }
                if (c->len - p >= 9 && memcmp(in + p, "<![CDATA[", 9) == 0) {
                    size_t e = find_lit(c, p + 9, "]]>");
                    if (e == (size_t)-1)
                        return fail_at(c, p, "unterminated CDATA section");
                    if (c->text.len == 0)
                        c->text_pos = p;
                    ks_buf_append(&c->text, in + p + 9, e - p - 9);
                    p = e + 3;
                    continue;
                }
                if (c->len - p >= 9 && memcmp(in + p, "<!DOCTYPE", 9) == 0) {
                    if (c->root_seen)
                        return fail_at(c, p, "DOCTYPE after the root element");
                    size_t e = p + 9;
                    while (e < c->len && in[e] != '>' && in[e] != '[')
                        e++;
                    if (e >= c->len)
                        return fail_at(c, p, "unterminated DOCTYPE");
                    if (in[e] == '[')
                        return fail_at(c, e, "DOCTYPE internal subsets (entity declarations) are not supported");
                    p = e + 1;
                    continue;
                }
                return fail_at(c, p, "unexpected '<!'");
            }
            if (nx == '?') {
                size_t e = find_lit(c, p + 2, "?>");
                if (e == (size_t)-1)
                    return fail_at(c, p, "unterminated processing instruction");
                p = e + 2;
                continue;
            }
            if ((st = flush_text(c)) != KS_OK)
                return st;
            if (nx == '/')
                st = parse_end_tag(c, &p);
            else if (is_name_start((unsigned char)nx))
                st = parse_start_tag(c, &p);
            else
                st = fail_at(c, p, "'<' must start a tag (write &lt; for a literal <)");
            if (st != KS_OK)
                return st;
            continue;
        }
        if (c->text.len == 0)
            c->text_pos = p;
        if (ch == '&') {
            if ((st = decode_entity(c, &p, &c->text)) != KS_OK)
                return st;
            continue;
        }
        /* copy a run of plain text */
        size_t e = p;
        while (e < c->len && in[e] != '<' && in[e] != '&')
            e++;
        ks_buf_append(&c->text, in + p, e - p);
        p = e;
        if (c->text.failed)
            return nomem(c);
    }
    if ((st = flush_text(c)) != KS_OK)
        return st;
    if (!c->root_seen)
        return fail_at(c, c->len, "no <speak> element");
    if (c->depth > 0) {
        const frame *f = &c->stack[c->depth - 1];
        return fail_at(c, f->pos, "<%.*s> is never closed", (int)(f->name_len > 40 ? 40 : f->name_len),
                       c->in + f->pos + 1);
    }
    return c->out->failed ? nomem(c) : KS_OK;
}

KS_API ks_status ks_ssml_to_espeak(ks_normalizer *n, const ks_translit *tr, ks_script script,
                                   const char *in, size_t len, ks_buf *out,
                                   unsigned *speak_flags, ks_error *err)
{
    if (!out || (!in && len))
        return status_set(err, KS_EINVAL, "ks_ssml_to_espeak: NULL argument");
    ctx *c = calloc(1, sizeof *c);
    if (!c)
        return status_set(err, KS_ENOMEM, "out of memory");
    c->in = in ? in : "";
    c->len = len;
    c->out = out;
    c->norm = n;
    c->tr = tr;
    c->script = script;
    c->err = err;
    c->flags = KS_SPEAK_SSML;
    size_t out_start = out->len;
    if (tr && script == KS_SCRIPT_AUTO)
        translit_doc_hint(tr, c->in, len, &c->hint); /* over the raw input: attribute values count too */
    ks_status st = run(c);
    if (st != KS_OK) {
        /* leave `out` as it was */
        if (!out->failed && out->len >= out_start) {
            out->len = out_start;
            if (out->data)
                out->data[out_start] = '\0';
        }
    } else if (speak_flags) {
        *speak_flags = c->flags;
    }
    ks_buf_free(&c->text);
    ks_buf_free(&c->tmp1);
    ks_buf_free(&c->tmp2);
    ks_buf_free(&c->attrs);
    ks_buf_free(&c->sayas_text);
    free(c);
    return st;
}
