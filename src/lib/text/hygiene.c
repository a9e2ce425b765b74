/* hygiene.c - Unicode input hygiene before any rule (RULES §37):
 *   1. NFC: a decomposed и + U+0306 reads as й, е + U+0308 as ё;
 *   2. Kazakh look-alikes of old fonts and PDF extraction: ӛ→ө, Latin ə→ә;
 *   3. mixed-script words: Latin look-alikes inside a Cyrillic word become Cyrillic
 *      ("еcебімен", "Aуылдағы", "жеңiске"), unless the word also has a Latin letter
 *      with no Cyrillic twin, then the Cyrillic look-alikes become Latin ("РһD" → "PhD",
 *      "ХVІ" → "XVI", which §34 then reads as a Roman numeral).
 * Pure-Latin and pure-Cyrillic words are never touched.  Text that needs none of this
 * (nearly all text) is detected in one pass and not copied. */
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "hygiene.h"
#include "utf8.h"

/* Look-alike pairs, Latin <-> Cyrillic (RULES §37.3). */
static const struct {
    char lat;
    uint32_t cyr;
} TWINS[] = {
    {'a', 0x0430}, {'c', 0x0441}, {'e', 0x0435}, {'o', 0x043E}, {'p', 0x0440}, {'x', 0x0445},
    {'y', 0x0443}, {'i', 0x0456}, {'h', 0x04BB}, {'A', 0x0410}, {'B', 0x0412}, {'C', 0x0421},
    {'E', 0x0415}, {'H', 0x041D}, {'I', 0x0406}, {'K', 0x041A}, {'M', 0x041C}, {'O', 0x041E},
    {'P', 0x0420}, {'T', 0x0422}, {'X', 0x0425},
};

static uint32_t latin_to_cyr(uint32_t c)
{
    for (size_t i = 0; i < sizeof TWINS / sizeof TWINS[0]; i++)
        if ((uint32_t)(unsigned char)TWINS[i].lat == c)
            return TWINS[i].cyr;
    return 0;
}

static uint32_t cyr_to_latin(uint32_t c)
{
    for (size_t i = 0; i < sizeof TWINS / sizeof TWINS[0]; i++)
        if (TWINS[i].cyr == c)
            return (uint32_t)(unsigned char)TWINS[i].lat;
    return 0;
}

/* Old-font look-alikes of Kazakh letters (RULES §37.2). */
static uint32_t kazakh_letter_of(uint32_t c)
{
    switch (c) {
    case 0x04DB: return 0x04E9; /* ӛ -> ө */
    case 0x04DA: return 0x04E8; /* Ӛ -> Ө */
    case 0x0259: return 0x04D9; /* Latin ə -> ә */
    case 0x018F: return 0x04D8; /* Latin Ə -> Ә */
    case 0x04BD: return 0x04D9; /* ҽ -> ә (old Kazakh fonts, stud.kz, engime.org) */
    case 0x04BC: return 0x04D8; /* Ҽ -> Ә */
    default: return c;
    }
}

static int is_ascii_letter(unsigned char b) { return (b | 0x20) >= 'a' && (b | 0x20) <= 'z'; }

/* One pass: does the text need any of the three steps? */
static int needs_hygiene(const unsigned char *s, size_t n, int *nfc)
{
    int cyr = 0, lat = 0, need = 0;
    *nfc = 0;
    for (size_t i = 0; i < n;) {
        unsigned char b = s[i];
        if (b < 0x80) {
            if (is_ascii_letter(b)) {
                lat = 1;
                need |= cyr;
            } else {
                cyr = lat = 0;
            }
            i++;
            continue;
        }
        if ((b == 0xD0 || b == 0xD1) && i + 1 < n) { /* the common Cyrillic letters, inline */
            uint32_t c2 = ((uint32_t)(b & 0x1F) << 6) | (s[i + 1] & 0x3Fu);
            if (c2 >= 0x0410 && c2 <= 0x044F) {
                cyr = 1;
                need |= lat;
                i += 2;
                continue;
            }
        }
        uint32_t c;
        size_t l = utf8_decode((const char *)s + i, n - i, &c);
        if (c >= 0x0400 && c <= 0x04FF && cp_is_letter(c)) {
            cyr = 1;
            if (c == 0x04DA || c == 0x04DB || c == 0x04BC || c == 0x04BD)
                need = 1;
        } else if (c == 0x0259 || c == 0x018F) {
            need = 1;
        } else if (c >= 0x0300 && utf8proc_category((utf8proc_int32_t)c) == UTF8PROC_CATEGORY_MN) {
            *nfc = need = 1;
        } else {
            cyr = lat = 0;
        }
        if (cyr && lat)
            need = 1;
        i += l;
    }
    return need;
}

/* Rewrite one word s[0..n) (letters only) into out. */
static void put_word(const char *s, size_t n, ks_buf *out)
{
    int cyr = 0, lat = 0, lat_only = 0;
    for (size_t i = 0; i < n;) {
        uint32_t c;
        i += utf8_decode(s + i, n - i, &c);
        c = kazakh_letter_of(c);
        if (c >= 0x0400 && c <= 0x04FF)
            cyr = 1;
        else if (c < 0x80) {
            lat = 1;
            if (!latin_to_cyr(c))
                lat_only = 1;
        }
    }
    for (size_t i = 0; i < n;) {
        uint32_t c, m;
        i += utf8_decode(s + i, n - i, &c);
        c = kazakh_letter_of(c);
        if (cyr && lat && lat_only && (m = cyr_to_latin(c)) != 0)
            c = m; /* РһD -> PhD */
        else if (cyr && lat && !lat_only && c < 0x80 && (m = latin_to_cyr(c)) != 0)
            c = m; /* еcебімен -> есебімен */
        char e[4];
        ks_buf_append(out, e, utf8_encode(c, e));
    }
}

int text_hygiene(const char *in, size_t n, ks_buf *out)
{
    int nfc;
    if (!needs_hygiene((const unsigned char *)in, n, &nfc))
        return 0;
    char *composed = NULL;
    if (nfc) {
        utf8proc_uint8_t *dst = NULL;
        utf8proc_ssize_t r = utf8proc_map((const utf8proc_uint8_t *)in, (utf8proc_ssize_t)n, &dst,
                                          UTF8PROC_STABLE | UTF8PROC_COMPOSE);
        if (r >= 0 && dst) {
            composed = (char *)dst;
            in = composed;
            n = (size_t)r;
        } else {
            free(dst);
        }
    }
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n) {
            uint32_t c;
            size_t l = utf8_decode(in + j, n - j, &c);
            if (!(cp_is_letter(c) || c == 0x0259 || c == 0x018F))
                break;
            j += l;
        }
        if (j > i) {
            put_word(in + i, j - i, out);
            i = j;
        } else {
            uint32_t c;
            size_t l = utf8_decode(in + i, n - i, &c);
            ks_buf_append(out, in + i, l);
            i += l;
        }
    }
    free(composed);
    return 1;
}
