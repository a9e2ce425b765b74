/* captions.c - WebVTT / SRT captions, one cue per sentence (long sentences
 * split at clause boundaries), timed from the engine's word events at the
 * sample positions actually written, showing the ORIGINAL text.
 *
 * The normalizer rewrites words, so the original and the normalized sentence
 * are matched clause by clause: both are cut at the same clause punctuation
 * (, ; : — – followed by a space). When the two cut lists have the same
 * length, clause k of the original is timed by the first word event of
 * clause k of the normalized text; otherwise (the normalizer added or removed
 * a comma) the cut positions are mapped proportionally and snapped to the
 * nearest word event. Nothing is written until cli_captions_prepare(), which
 * writes a temporary file, renamed by cli_captions_commit() once the audio
 * was committed: a failed or interrupted run leaves no partial caption file,
 * and audio and captions are written both or neither. */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <utf8proc.h>

#include "captions.h"

typedef struct cap_word {
    size_t off;     /* byte offset in the sentence's normalized text */
    uint64_t frame; /* absolute frame of the word event */
    uint64_t sound; /* first audible frame at or after it (= frame when none near) */
    int resolved;   /* sound is known */
} cap_word;

/* A word event marks where the word's phonemes start; a voiceless stop
 * (қ, т, п, к) begins with 30-80 ms of closure silence. The cue starts
 * where the sound does: the first sample at least this loud, searched at
 * most ONSET_MAX_MS after the event. */
#define ONSET_LEVEL 256
#define ONSET_MAX_MS 150

typedef struct cap_sent {
    size_t orig_off, orig_len; /* in cap->orig */
    size_t norm_off, norm_len; /* in cap->norm */
    uint64_t frame;            /* sink frames when the sentence started */
    size_t w0, nw;             /* its words in cap->w */
} cap_sent;

struct cli_captions {
    char *path;
    char *tmp; /* the prepared file, not yet renamed onto path */
    char err[600]; /* why prepare failed */
    cli_caption_format fmt;
    int rate;
    ks_buf orig, norm;
    cap_sent *s;
    size_t ns, s_cap;
    cap_word *w;
    size_t nw, w_cap;
    size_t pending; /* first word whose sound start is not known yet */
    int oom;
};

cli_caption_format cli_captions_format(const char *name)
{
    if (!name)
        return CLI_CAPTIONS_NONE;
    const char *base = strrchr(name, '/');
    base = base ? base + 1 : name;
    const char *dot = strrchr(base, '.');
    const char *ext = dot ? dot + 1 : base;
    if (strcasecmp(ext, "vtt") == 0 || strcasecmp(ext, "webvtt") == 0)
        return CLI_CAPTIONS_VTT;
    if (strcasecmp(ext, "srt") == 0)
        return CLI_CAPTIONS_SRT;
    return CLI_CAPTIONS_NONE;
}

int cli_captions_new(cli_captions **out, const char *path, int rate)
{
    *out = NULL;
    cli_caption_format fmt = cli_captions_format(path);
    if (fmt == CLI_CAPTIONS_NONE) {
        cli_error("%s: captions must be .vtt (WebVTT) or .srt (SubRip)", path);
        return -1;
    }
    cli_captions *c = calloc(1, sizeof *c);
    if (!c || !(c->path = strdup(path))) {
        free(c);
        cli_error("%s: out of memory", path);
        return -1;
    }
    c->fmt = fmt;
    c->rate = rate > 0 ? rate : 22050;
    *out = c;
    return 0;
}

void cli_captions_free(cli_captions *c)
{
    if (!c)
        return;
    if (c->tmp) { /* prepared but not committed: the audio was not written */
        unlink(c->tmp);
        free(c->tmp);
    }
    ks_buf_free(&c->orig);
    ks_buf_free(&c->norm);
    free(c->s);
    free(c->w);
    free(c->path);
    free(c);
}

/* ---------------------------------------------------------------- collecting */

static void add_sentence(cli_captions *c, const ks_reader_event *ev)
{
    if (c->oom)
        return;
    if (c->ns == c->s_cap) {
        size_t n = c->s_cap ? c->s_cap * 2 : 64;
        cap_sent *p = realloc(c->s, n * sizeof *p);
        if (!p) {
            c->oom = 1;
            return;
        }
        c->s = p;
        c->s_cap = n;
    }
    cap_sent *s = &c->s[c->ns];
    s->orig_off = c->orig.len;
    s->orig_len = ev->text_len;
    s->norm_off = c->norm.len;
    s->norm_len = ev->normalized_len;
    s->frame = ev->sample;
    s->w0 = c->nw;
    s->nw = 0;
    if (ks_buf_append(&c->orig, ev->text, ev->text_len) != 0 ||
        ks_buf_append(&c->norm, ev->normalized, ev->normalized_len) != 0) {
        c->oom = 1;
        return;
    }
    c->ns++;
}

static void add_word(cli_captions *c, const ks_reader_event *ev)
{
    if (c->oom || c->ns == 0 || ev->word_len == 0)
        return;
    if (c->nw == c->w_cap) {
        size_t n = c->w_cap ? c->w_cap * 2 : 256;
        cap_word *p = realloc(c->w, n * sizeof *p);
        if (!p) {
            c->oom = 1;
            return;
        }
        c->w = p;
        c->w_cap = n;
    }
    c->w[c->nw].off = ev->word_offset;
    c->w[c->nw].frame = ev->sample;
    c->w[c->nw].sound = c->w[c->nw].frame;
    c->w[c->nw].resolved = 0;
    c->nw++;
    c->s[c->ns - 1].nw++;
}

void cli_captions_event(cli_captions *c, const ks_reader_event *ev)
{
    if (ev->type == KS_READER_UTTERANCE_START)
        add_sentence(c, ev);
    else if (ev->type == KS_READER_WORD)
        add_word(c, ev);
}

void cli_captions_pcm(cli_captions *c, const int16_t *pcm, size_t frames, uint64_t frame)
{
    uint64_t end = frame + frames;
    uint64_t max = (uint64_t)c->rate * ONSET_MAX_MS / 1000;
    while (c->pending < c->nw) {
        cap_word *w = &c->w[c->pending];
        if (w->frame >= end)
            return; /* its audio has not come yet */
        uint64_t i = w->frame > frame ? w->frame : frame;
        uint64_t stop = w->frame + max < end ? w->frame + max : end;
        for (; i < stop; i++) {
            int v = pcm[i - frame];
            if (v >= ONSET_LEVEL || v <= -ONSET_LEVEL)
                break;
        }
        if (i < stop) {
            w->sound = i;
        } else if (stop < w->frame + max) {
            return; /* not found yet: look on in the next block */
        }
        w->resolved = 1; /* found, or nothing loud near it: keep the event's frame */
        c->pending++;
    }
}

/* ---------------------------------------------------------------- text helpers */

static int is_space_at(const char *t, size_t len, size_t i, size_t *n)
{
    unsigned char ch = (unsigned char)t[i];
    if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v') {
        *n = 1;
        return 1;
    }
    if (ch == 0xC2 && i + 1 < len && (unsigned char)t[i + 1] == 0xA0) { /* NO-BREAK SPACE */
        *n = 2;
        return 1;
    }
    return 0;
}

/* Length of the clause punctuation at t[i], 0 if none: , ; : — – */
static size_t clause_punct_at(const char *t, size_t len, size_t i)
{
    char ch = t[i];
    if (ch == ',' || ch == ';' || ch == ':')
        return 1;
    if ((unsigned char)ch == 0xE2 && i + 2 < len && (unsigned char)t[i + 1] == 0x80 &&
        ((unsigned char)t[i + 2] == 0x94 || (unsigned char)t[i + 2] == 0x93))
        return 3;
    return 0;
}

/* Where clauses start (not counting 0): after clause punctuation followed by
 * white space, at the first non-space byte after it. Returns the count (at
 * most max). */
static size_t clause_cuts(const char *t, size_t len, size_t *cuts, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < len && n < max;) {
        size_t pl = clause_punct_at(t, len, i);
        size_t sl;
        if (pl && i + pl < len && is_space_at(t, len, i + pl, &sl)) {
            size_t j = i + pl;
            while (j < len && is_space_at(t, len, j, &sl))
                j += sl;
            if (j < len && i > 0)
                cuts[n++] = j;
            i = j;
            continue;
        }
        i++;
    }
    return n;
}

/* Code points of t[0..len) with white space runs counted as one. */
static size_t text_chars(const char *t, size_t len)
{
    size_t n = 0, sl;
    int in_space = 1;
    for (size_t i = 0; i < len;) {
        if (is_space_at(t, len, i, &sl)) {
            if (!in_space)
                n++;
            in_space = 1;
            i += sl;
            continue;
        }
        in_space = 0;
        if (((unsigned char)t[i] & 0xC0) != 0x80)
            n++;
        i++;
    }
    if (n && in_space)
        n--; /* trailing space */
    return n;
}

/* ---------------------------------------------------------------- cues */

typedef struct piece {
    size_t o0, o1; /* original bytes, absolute in cap->orig */
    size_t n0;     /* normalized byte position (relative to the sentence) where it is spoken */
    size_t chars;
} piece;

typedef struct cue {
    uint64_t start, end;
    size_t o0, o1;
} cue;

typedef struct cue_list {
    cue *v;
    size_t n, cap;
    int oom;
} cue_list;

static void cue_push(cue_list *l, uint64_t start, size_t o0, size_t o1)
{
    if (l->oom)
        return;
    if (l->n == l->cap) {
        size_t n = l->cap ? l->cap * 2 : 64;
        cue *p = realloc(l->v, n * sizeof *p);
        if (!p) {
            l->oom = 1;
            return;
        }
        l->v = p;
        l->cap = n;
    }
    l->v[l->n].start = start;
    l->v[l->n].end = start;
    l->v[l->n].o0 = o0;
    l->v[l->n].o1 = o1;
    l->n++;
}

/* The frame of the word event whose start is nearest to normalized position pos. */
static uint64_t word_frame_near(const cli_captions *c, const cap_sent *s, size_t pos)
{
    uint64_t best = s->frame;
    size_t best_d = (size_t)-1;
    for (size_t k = 0; k < s->nw; k++) {
        const cap_word *w = &c->w[s->w0 + k];
        size_t d = w->off > pos ? w->off - pos : pos - w->off;
        if (d < best_d || (d == best_d && w->off >= pos)) {
            best_d = d;
            best = w->sound;
        }
    }
    return best;
}

static int word_byte(unsigned char ch)
{
    /* part of a word: a letter/digit byte or any non-ASCII byte except the
     * ones that start « » — – (E2 80 .., C2 AB, C2 BB are handled by callers) */
    return ch >= 0x80 || (ch >= '0' && ch <= '9') || ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'z') || ch == '-';
}

/* The normalizer leaves most words as they are. Find the original word that
 * starts at ot[o] (quotes and trailing punctuation stripped; not when it has
 * digits, which the normalizer rewrites) in nt[lo..hi) as a whole word, at
 * the occurrence nearest to `est`. Returns 1 and sets *pos when found. */
static int anchor_word(const char *ot, size_t o, size_t o_end, const char *nt, size_t lo, size_t hi, size_t est,
                       size_t *pos)
{
    size_t sl;
    /* skip an opening quote or bracket */
    while (o < o_end) {
        if (ot[o] == '"' || ot[o] == '(' || ot[o] == '\'') {
            o++;
        } else if (o + 1 < o_end && (unsigned char)ot[o] == 0xC2 && (unsigned char)ot[o + 1] == 0xAB) {
            o += 2; /* « */
        } else {
            break;
        }
    }
    size_t e = o;
    while (e < o_end && !is_space_at(ot, o_end, e, &sl)) {
        if ((unsigned char)ot[e] >= '0' && (unsigned char)ot[e] <= '9')
            return 0;
        if (!word_byte((unsigned char)ot[e]) ||
            (e + 1 < o_end && (unsigned char)ot[e] == 0xC2 && (unsigned char)ot[e + 1] == 0xBB) ||
            clause_punct_at(ot, o_end, e))
            break;
        e++;
    }
    size_t wl = e - o;
    if (wl < 3)
        return 0; /* too short to be told apart */
    int found = 0;
    size_t best = 0, best_d = (size_t)-1;
    for (size_t i = lo; i + wl <= hi; i++) {
        if (memcmp(nt + i, ot + o, wl) != 0)
            continue;
        if (i > lo && word_byte((unsigned char)nt[i - 1]) && ((unsigned char)nt[i - 1] & 0xC0) != 0x80)
            continue;
        if (i > lo && ((unsigned char)nt[i - 1] & 0xC0) == 0x80 && !(i >= 2 && (unsigned char)nt[i - 2] == 0xC2))
            continue; /* inside a Cyrillic word */
        if (i + wl < hi && word_byte((unsigned char)nt[i + wl]) &&
            !((unsigned char)nt[i + wl] == 0xC2 && i + wl + 1 < hi && (unsigned char)nt[i + wl + 1] == 0xBB) &&
            !clause_punct_at(nt, hi, i + wl))
            continue;
        size_t d = i > est ? i - est : est - i;
        if (d < best_d) {
            best_d = d;
            best = i;
            found = 1;
        }
    }
    if (found)
        *pos = best;
    return found;
}

#define ANCHOR_PENALTY 12 /* characters a cut may move to start at a word the normalizer kept */

#define MAX_CUTS 256
#define MAX_PIECES 1024

/* Split one sentence into pieces and pack them into cues. */
/* The sentence's original text without its leading and trailing white space: [*a, *b). */
static int trim_original(const char *ot, size_t olen, size_t *a, size_t *b)
{
    size_t sl;
    *a = 0;
    *b = olen;
    while (*a < *b && is_space_at(ot, olen, *a, &sl))
        *a += sl;
    while (*b > *a) {
        size_t k = *b - 1;
        while (k > *a && ((unsigned char)ot[k] & 0xC0) == 0x80)
            k--;
        if (!is_space_at(ot, olen, k, &sl))
            break;
        *b = k;
    }
    return *a < *b;
}

/* One sentence being cut into cues. */
typedef struct cutter {
    const cli_captions *c;
    const cap_sent *s;
    const char *ot, *nt; /* original and normalized text */
    size_t a, b, nlen;   /* the trimmed original [a, b); the normalized length */
    size_t ocut[MAX_CUTS + 2], ncut[MAX_CUTS + 2];
    size_t no;           /* clause cuts inside the original */
    piece pc[MAX_PIECES];
    size_t np;
} cutter;

/* Clauses of both texts: cut at the same clause punctuation. When the
 * normalizer added or removed some, each original clause is placed by its
 * first word, else proportionally. */
static void match_clauses(cutter *k)
{
    size_t no = clause_cuts(k->ot + k->a, k->b - k->a, k->ocut + 1, MAX_CUTS);
    size_t nn = clause_cuts(k->nt, k->nlen, k->ncut + 1, MAX_CUTS);
    k->no = no;
    k->ocut[0] = 0;
    k->ocut[no + 1] = k->b - k->a;
    for (size_t i = 0; i <= no + 1; i++)
        k->ocut[i] += k->a;
    k->ncut[0] = 0;
    k->ncut[no + 1] = k->nlen;
    if (no == nn)
        return;
    for (size_t i = 1; i <= no; i++) {
        size_t est = (size_t)((double)(k->ocut[i] - k->a) * (double)k->nlen / (double)(k->b - k->a)), pos;
        if (anchor_word(k->ot, k->ocut[i], k->b, k->nt, k->ncut[i - 1], k->nlen, est, &pos))
            est = pos;
        k->ncut[i] = est < k->ncut[i - 1] ? k->ncut[i - 1] : est;
    }
}

/* Where to cut [p0, c1) so that its first part has about `target` characters
 * (counted from the clause start, done_chars before p0), preferring a cut before
 * a word the normalizer kept (exact timing). Returns the cut (c1 when none);
 * *pn_next receives its position in the normalized text. */
static size_t best_cut(const cutter *k, size_t c0, size_t c1, size_t n0, size_t n1, size_t p0, size_t pn,
                       size_t target, size_t done_chars, size_t *pn_next)
{
    size_t chars = done_chars, best = (size_t)-1, p1 = c1, sl;
    *pn_next = n1;
    for (size_t i = p0; i < c1;) {
        if (!is_space_at(k->ot, c1, i, &sl)) {
            if (((unsigned char)k->ot[i] & 0xC0) != 0x80)
                chars++;
            i++;
            continue;
        }
        size_t d = chars > target ? chars - target : target - chars;
        if (chars > target && d > best)
            break;
        size_t j = i;
        while (j < c1 && is_space_at(k->ot, c1, j, &sl))
            j += sl;
        size_t est = n0 + (size_t)((double)(j - c0) * (double)(n1 - n0) / (double)(c1 - c0)), pos;
        int anchored = d <= 2 * ANCHOR_PENALTY && anchor_word(k->ot, j, c1, k->nt, pn, n1, est, &pos);
        size_t cost = d + (anchored ? 0 : ANCHOR_PENALTY);
        if (cost < best && i > p0) {
            best = cost;
            p1 = i;
            *pn_next = anchored ? pos : est;
        }
        chars++;
        i = j;
    }
    return p1;
}

/* A clause longer than a cue: cut at spaces into parts of about equal length. */
static void split_clause(cutter *k, size_t c0, size_t c1, size_t n0, size_t n1, size_t cl)
{
    size_t parts = (cl + CLI_CUE_MAX - 1) / CLI_CUE_MAX, p0 = c0, done_chars = 0, pn = n0, sl;
    for (size_t part = 1; part <= parts && p0 < c1 && k->np < MAX_PIECES; part++) {
        size_t p1 = c1, pn_next = n1;
        if (part < parts)
            p1 = best_cut(k, c0, c1, n0, n1, p0, pn, cl * part / parts, done_chars, &pn_next);
        size_t pcs = text_chars(k->ot + p0, p1 - p0);
        k->pc[k->np++] = (piece){k->s->orig_off + p0, k->s->orig_off + p1, pn, pcs};
        done_chars += pcs + 1;
        pn = pn_next < pn ? pn : pn_next;
        p0 = p1;
        while (p0 < c1 && is_space_at(k->ot, c1, p0, &sl))
            p0 += sl;
    }
}

/* Pieces: clauses, and clauses longer than a cue split at spaces. */
static void make_pieces(cutter *k)
{
    for (size_t i = 0; i <= k->no && k->np < MAX_PIECES; i++) {
        size_t c0 = k->ocut[i], c1 = k->ocut[i + 1], n0 = k->ncut[i], n1 = k->ncut[i + 1];
        size_t cl = text_chars(k->ot + c0, c1 - c0);
        if (cl <= CLI_CUE_MAX)
            k->pc[k->np++] = (piece){k->s->orig_off + c0, k->s->orig_off + c1, n0, cl};
        else
            split_clause(k, c0, c1, n0, n1, cl);
    }
    if (k->np && k->pc[k->np - 1].o1 < k->s->orig_off + k->b)
        k->pc[k->np - 1].o1 = k->s->orig_off + k->b; /* more pieces than the table holds: the last takes the rest */
}

/* Pack pieces into cues of at most CLI_CUE_MAX characters. */
static void pack_cues(const cutter *k, uint64_t first, cue_list *out)
{
    size_t i = 0;
    int first_cue = 1;
    while (i < k->np) {
        size_t j = i + 1, chars = k->pc[i].chars;
        while (j < k->np && chars + 1 + k->pc[j].chars <= CLI_CUE_MAX) {
            chars += 1 + k->pc[j].chars;
            j++;
        }
        uint64_t st = first_cue ? first : word_frame_near(k->c, k->s, k->pc[i].n0);
        if (!first_cue && out->n && st <= out->v[out->n - 1].start)
            out->v[out->n - 1].o1 = k->pc[j - 1].o1; /* no later word to start at: extend the previous cue */
        else
            cue_push(out, st, k->pc[i].o0, k->pc[j - 1].o1);
        first_cue = 0;
        i = j;
    }
}

static void sentence_cues(const cli_captions *c, const cap_sent *s, cue_list *out)
{
    cutter k;
    k.c = c;
    k.s = s;
    k.ot = c->orig.data + s->orig_off;
    k.nt = c->norm.data + s->norm_off;
    k.nlen = s->norm_len;
    k.np = 0;
    if (!trim_original(k.ot, s->orig_len, &k.a, &k.b))
        return;
    uint64_t first = s->nw ? c->w[s->w0].sound : s->frame;
    if (text_chars(k.ot + k.a, k.b - k.a) <= CLI_CUE_MAX) {
        cue_push(out, first, s->orig_off + k.a, s->orig_off + k.b);
        return;
    }
    match_clauses(&k);
    make_pieces(&k);
    pack_cues(&k, first, out);
}

static void put_time(ks_buf *b, uint64_t frame, int rate, char sep)
{
    uint64_t ms = (frame * 1000 + (uint64_t)rate / 2) / (uint64_t)rate;
    char t[48];
    snprintf(t, sizeof t, "%02llu:%02llu:%02llu%c%03llu", (unsigned long long)(ms / 3600000),
             (unsigned long long)(ms / 60000 % 60), (unsigned long long)(ms / 1000 % 60), sep,
             (unsigned long long)(ms % 1000));
    ks_buf_puts(b, t);
}

/* Cue text: white space collapsed, at most two lines split near the middle,
 * WebVTT's special characters escaped. */
static void put_text(ks_buf *b, const char *t, size_t len, cli_caption_format fmt)
{
    ks_buf line = {0};
    size_t sl;
    int pending_space = 0;
    for (size_t i = 0; i < len;) {
        if (is_space_at(t, len, i, &sl)) {
            pending_space = line.len > 0;
            i += sl;
            continue;
        }
        if (pending_space)
            ks_buf_putc(&line, ' ');
        pending_space = 0;
        utf8proc_int32_t cp;
        utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)t + i, (utf8proc_ssize_t)(len - i), &cp);
        if (n <= 0) { /* invalid UTF-8 from the input: the caption file stays valid UTF-8 */
            ks_buf_puts(&line, "\xEF\xBF\xBD");
            i++;
            continue;
        }
        ks_buf_append(&line, t + i, (size_t)n);
        i += (size_t)n;
    }
    if (line.failed || !line.data) {
        b->failed = b->failed || line.failed;
        ks_buf_free(&line);
        return;
    }
    size_t chars = text_chars(line.data, line.len);
    size_t brk = (size_t)-1;
    if (chars > CLI_CUE_LINE) {
        /* The space nearest the middle (by characters). */
        size_t half = chars / 2, ci = 0, best = (size_t)-1;
        for (size_t i = 0; i < line.len; i++) {
            if (line.data[i] == ' ') {
                size_t d = ci > half ? ci - half : half - ci;
                if (d < best) {
                    best = d;
                    brk = i;
                }
            }
            if (((unsigned char)line.data[i] & 0xC0) != 0x80)
                ci++;
        }
    }
    for (size_t i = 0; i < line.len; i++) {
        char ch = line.data[i];
        if (i == brk)
            ks_buf_putc(b, '\n');
        else if (fmt == CLI_CAPTIONS_VTT && ch == '&')
            ks_buf_puts(b, "&amp;");
        else if (fmt == CLI_CAPTIONS_VTT && ch == '<')
            ks_buf_puts(b, "&lt;");
        else if (fmt == CLI_CAPTIONS_VTT && ch == '>')
            ks_buf_puts(b, "&gt;");
        else
            ks_buf_putc(b, ch);
    }
    ks_buf_putc(b, '\n');
    ks_buf_free(&line);
}

/* Write `data` to path through a temporary file in the same folder. */
/* Keep the message for the caller, who says in one line what was not written. */
static void say_error(cli_captions *c, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void say_error(cli_captions *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err, sizeof c->err, fmt, ap);
    va_end(ap);
}

/* Write data to a new temporary file beside path (*tmp_out, to free), synced.
 * 0 ok, -1 error (printed). */
static int write_temp(cli_captions *c, const char *path, const char *data, size_t len, char **tmp_out)
{
    *tmp_out = NULL;
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    int dirlen = slash ? (int)(slash - path) : 0;
    size_t n = strlen(path) + 16;
    char *tmp = malloc(n);
    if (!tmp) {
        say_error(c, "%s: out of memory", path);
        return -1;
    }
    if (slash)
        snprintf(tmp, n, "%.*s/.%.200s.XXXXXX", dirlen, path, base);
    else
        snprintf(tmp, n, ".%.200s.XXXXXX", base);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        say_error(c, "%s: cannot create a temporary file: %s", path, strerror(errno));
        free(tmp);
        return -1;
    }
    mode_t mask = umask(0);
    umask(mask);
    int ok = fchmod(fd, (mode_t)(0666 & ~mask)) == 0;
    size_t done = 0;
    while (ok && done < len) {
        ssize_t w = write(fd, data + done, len - done);
        if (w < 0 && errno == EINTR && !cli_signal_received)
            continue;
        if (w <= 0) {
            ok = 0;
            break;
        }
        done += (size_t)w;
    }
    int e = errno;
    if (ok && fsync(fd) != 0) {
        ok = 0;
        e = errno;
    }
    if (close(fd) != 0 && ok) {
        ok = 0;
        e = errno;
    }
    if (ok && cli_signal_received) {
        unlink(tmp);
        free(tmp);
        return -1;
    }
    if (!ok) {
        say_error(c, "%s: %s", path, strerror(e));
        unlink(tmp);
        free(tmp);
        return -1;
    }
    *tmp_out = tmp;
    return 0;
}

int cli_captions_prepare(cli_captions *c, uint64_t total_frames)
{
    if (c->oom || c->orig.failed || c->norm.failed) {
        say_error(c, "%s: out of memory", c->path);
        return -1;
    }
    cue_list cues = {0};
    for (size_t i = 0; i < c->ns; i++) {
        size_t before = cues.n;
        sentence_cues(c, &c->s[i], &cues);
        uint64_t end = i + 1 < c->ns ? c->s[i + 1].frame : total_frames;
        if (end > total_frames)
            end = total_frames;
        for (size_t k = before; k < cues.n; k++)
            cues.v[k].end = k + 1 < cues.n ? cues.v[k + 1].start : end;
    }
    if (cues.oom) {
        free(cues.v);
        say_error(c, "%s: out of memory", c->path);
        return -1;
    }
    ks_buf out = {0};
    char sep = c->fmt == CLI_CAPTIONS_SRT ? ',' : '.';
    if (c->fmt == CLI_CAPTIONS_VTT)
        ks_buf_puts(&out, "WEBVTT\n\n");
    size_t idx = 0;
    for (size_t k = 0; k < cues.n; k++) {
        cue *q = &cues.v[k];
        if (q->start >= total_frames)
            break;
        if (q->end > total_frames)
            q->end = total_frames;
        if (q->end <= q->start)
            continue;
        char num[32];
        snprintf(num, sizeof num, "%zu\n", ++idx);
        ks_buf_puts(&out, num);
        put_time(&out, q->start, c->rate, sep);
        ks_buf_puts(&out, " --> ");
        put_time(&out, q->end, c->rate, sep);
        ks_buf_putc(&out, '\n');
        put_text(&out, c->orig.data + q->o0, q->o1 - q->o0, c->fmt);
        ks_buf_putc(&out, '\n');
    }
    free(cues.v);
    if (out.failed) {
        ks_buf_free(&out);
        say_error(c, "%s: out of memory", c->path);
        return -1;
    }
    int rc = write_temp(c, c->path, out.data ? out.data : "", out.len, &c->tmp);
    ks_buf_free(&out);
    return rc;
}

const char *cli_captions_error(const cli_captions *c)
{
    return c->err;
}

int cli_captions_commit(cli_captions *c)
{
    if (!c->tmp)
        return -1;
    if (rename(c->tmp, c->path) != 0) {
        cli_error("%s: %s", c->path, strerror(errno));
        return -1;
    }
    free(c->tmp);
    c->tmp = NULL;
    return 0;
}
