/* sentence.c - sentence boundaries for streaming (ks_sentence_split).
 * A sentence ends at . ! ? … (plus closing quotes/brackets) followed by white
 * space, or at a blank line; never after an abbreviation (т.б. before a
 * lowercase word, проф., қ., ж.), inside a decimal or a time, or after an
 * initial.  Memory stays bounded by max_len. */
#include <string.h>

#include "kazspeak/kazspeak.h"
#include "utf8.h"

static int is_ws(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

/* abbreviations that never end a sentence (the word before the final period) */
static const char *const ABBREV_MID[] = {
    "проф", "акад", "доц", "көш", "ауд", "обл", "ғғ", "жж", "мыс", "сағ", "мин", "млн", "млрд", "трлн",
    "бет", "тт", "см", "мм", "км", "кг", "ш.м", "Проф", "Акад", "т.ғ.д", "т.ғ.к", "ф.ғ.д", "э.ғ.д", "п.ғ.д", NULL};
/* abbreviations that often end a sentence: an end when a capital follows */
static const char *const ABBREV_FINAL[] = {"т.б", "т.с.с", "т.т", "т. б", "т. с. с", NULL};

static int in_list(const char *w, size_t n, const char *const *list)
{
    for (; *list; list++)
        if (strlen(*list) == n && memcmp(*list, w, n) == 0)
            return 1;
    return 0;
}

/* decode the code point starting at i (valid or not) */
static uint32_t cp_at(const char *t, size_t len, size_t i)
{
    uint32_t c;
    size_t l = utf8_valid_seq((const unsigned char *)t + i, len - i);
    if (!l)
        return 0xFFFD;
    utf8_decode(t + i, l, &c);
    return c;
}

/* The period at `dot` ends a sentence?  `next` is the first non-space byte after it (< len). */
static int dot_ends(const char *t, size_t len, size_t dot, size_t next)
{
    /* the word before the period, back to white space or an opening bracket/quote */
    size_t ws = dot;
    while (ws > 0 && !is_ws((unsigned char)t[ws - 1]) && t[ws - 1] != '(' && t[ws - 1] != '"' &&
           !(ws >= 2 && (unsigned char)t[ws - 2] == 0xC2 && (unsigned char)t[ws - 1] == 0xAB)) /* « */
        ws--;
    size_t wl = dot - ws;
    uint32_t nc = cp_at(t, len, next);
    int next_upper = cp_is_upper(nc) || (nc >= '0' && nc <= '9') || nc == 0xAB || nc == '"' || nc == 0x2014 ||
                     nc == 0x2013;
    if (cp_is_lower(nc))
        return 0; /* "т.б. бұйымдар", "1985 ж. туған" */
    if (wl == 0)
        return 1;
    const char *w = t + ws;
    if (in_list(w, wl, ABBREV_FINAL))
        return next_upper;
    /* "т. б." written with a space */
    if (wl == 2 && memcmp(w, "б", 2) == 0 && ws >= 4 && memcmp(t + ws - 4, "т. ", 4) == 0)
        return next_upper;
    if (in_list(w, wl, ABBREV_MID))
        return 0;
    /* one letter: an initial (А. Байтұрсынұлы, Н.Ә.) or қ., ғ., ж. */
    size_t last = utf8_last_start(w, wl);
    uint32_t lc = cp_at(t, len, ws + last);
    size_t prevend = last; /* bytes before the last letter inside the word */
    if (cp_is_letter(lc) && (prevend == 0 || w[prevend - 1] == '.')) {
        if (cp_is_upper(lc))
            return 0; /* initials */
        if (cp_is_cyrillic(lc))
            return 0; /* қ. ғ. ж. ... */
    }
    return 1;
}

KS_API size_t ks_sentence_split(const char *text, size_t len, int at_eof, size_t max_len)
{
    if (!text || len == 0)
        return 0;
    size_t lim = len;
    int capped = 0;
    if (max_len && len > max_len) {
        lim = max_len;
        capped = 1;
    }
    size_t i = 0;
    while (i < lim) {
        unsigned char c = (unsigned char)text[i];
        if (c == '\n') {
            size_t j = i + 1;
            while (j < len && (text[j] == ' ' || text[j] == '\t' || text[j] == '\r'))
                j++;
            if (j < len && text[j] == '\n') {
                while (j < len && is_ws((unsigned char)text[j]))
                    j++;
                return j;
            }
            i++;
            continue;
        }
        size_t tl = 0;
        if (c == '.' || c == '!' || c == '?')
            tl = 1;
        else if (c == 0xE2 && i + 2 < len && (unsigned char)text[i + 1] == 0x80 && (unsigned char)text[i + 2] == 0xA6)
            tl = 3; /* … */
        if (!tl) {
            i++;
            continue;
        }
        /* absorb further terminators and closing quotes/brackets */
        size_t j = i + tl;
        for (;;) {
            if (j < len && (text[j] == '.' || text[j] == '!' || text[j] == '?' || text[j] == ')' || text[j] == ']' ||
                            text[j] == '"' || text[j] == '\'')) {
                j++;
                continue;
            }
            if (j + 1 < len && (unsigned char)text[j] == 0xC2 && (unsigned char)text[j + 1] == 0xBB) { /* » */
                j += 2;
                continue;
            }
            if (j + 2 < len && (unsigned char)text[j] == 0xE2 && (unsigned char)text[j + 1] == 0x80 &&
                ((unsigned char)text[j + 2] == 0xA6 || (unsigned char)text[j + 2] == 0x9D ||
                 (unsigned char)text[j + 2] == 0x99)) { /* … ” ’ */
                j += 3;
                continue;
            }
            break;
        }
        if (j >= len) {
            if (at_eof)
                return len;
            break; /* more input may follow ("3." + "5") */
        }
        if (!is_ws((unsigned char)text[j])) {
            i = j;
            continue;
        }
        size_t k = j;
        while (k < len && is_ws((unsigned char)text[k]))
            k++;
        if (k >= len) {
            if (at_eof)
                return len;
            break; /* cannot see the next word yet */
        }
        int single_dot = (c == '.' && j == i + 1);
        if (single_dot && !dot_ends(text, len, i, k)) {
            i = j;
            continue;
        }
        if (c == '.' && !single_dot && cp_is_lower(cp_at(text, len, k))) {
            i = j; /* "...» деді" */
            continue;
        }
        return k;
    }
    if (at_eof && !capped)
        return len;
    if (!capped)
        return 0;
    /* no end within max_len: cut at the last white space, else at a UTF-8 boundary */
    size_t cut = lim;
    while (cut > 0 && !is_ws((unsigned char)text[cut - 1]))
        cut--;
    if (cut > 0)
        return cut;
    cut = lim;
    while (cut > 0 && ((unsigned char)text[cut] & 0xC0) == 0x80)
        cut--;
    if (cut == 0) {
        /* max_len smaller than the first code point: take that code point */
        cut = 1;
        while (cut < len && ((unsigned char)text[cut] & 0xC0) == 0x80)
            cut++;
    }
    return cut;
}
