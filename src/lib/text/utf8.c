/* utf8.c - UTF-8 helpers and character classes (utf8proc for Unicode properties). */
#include <string.h>
#include <utf8proc.h>

#include "utf8.h"

size_t utf8_decode(const char *s, size_t n, uint32_t *cp)
{
    const unsigned char *u = (const unsigned char *)s;
    unsigned char c = u[0];
    if (c < 0x80 || n < 2) {
        *cp = c;
        return 1;
    }
    if (c < 0xE0) {
        *cp = ((uint32_t)(c & 0x1F) << 6) | (u[1] & 0x3F);
        return 2;
    }
    if (c < 0xF0 || n < 4) {
        if (n < 3) {
            *cp = 0xFFFD;
            return n;
        }
        *cp = ((uint32_t)(c & 0x0F) << 12) | ((uint32_t)(u[1] & 0x3F) << 6) | (u[2] & 0x3F);
        return 3;
    }
    *cp = ((uint32_t)(c & 0x07) << 18) | ((uint32_t)(u[1] & 0x3F) << 12) | ((uint32_t)(u[2] & 0x3F) << 6) |
          (u[3] & 0x3F);
    return 4;
}

size_t utf8_valid_seq(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        if (n >= 2 && (s[1] & 0xC0) == 0x80)
            return 2;
        return 0;
    }
    if (c >= 0xE0 && c <= 0xEF) {
        if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
            return 0;
        if (c == 0xE0 && s[1] < 0xA0)
            return 0; /* overlong */
        if (c == 0xED && s[1] > 0x9F)
            return 0; /* surrogate */
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80)
            return 0;
        if (c == 0xF0 && s[1] < 0x90)
            return 0;
        if (c == 0xF4 && s[1] > 0x8F)
            return 0;
        return 4;
    }
    return 0;
}

size_t utf8_encode(uint32_t cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

size_t utf8_last_start(const char *s, size_t n)
{
    size_t i = n - 1;
    while (i > 0 && ((unsigned char)s[i] & 0xC0) == 0x80 && n - i < 4)
        i--;
    return i;
}

int utf8_clean(const char *in, size_t n, ks_buf *out, size_t *bad)
{
    const unsigned char *s = (const unsigned char *)in;
    size_t i = 0, first = (size_t)-1;
    /* fast path: find the first byte that needs attention */
    while (i < n) {
        /* 8 ASCII bytes without NUL or '[' at a time */
        while (i + 8 <= n) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            const uint64_t lo = 0x0101010101010101ULL, hi = 0x8080808080808080ULL;
            uint64_t zero = (w - lo) & ~w & hi;
            uint64_t x = w ^ 0x5B5B5B5B5B5B5B5BULL; /* '[' */
            uint64_t brk = (x - lo) & ~x & hi;
            if ((w & hi) || zero || brk)
                break;
            i += 8;
        }
        if (i >= n)
            break;
        unsigned char c = s[i];
        if (c >= 0xC2 && c <= 0xDF && i + 1 < n && (s[i + 1] & 0xC0) == 0x80) {
            /* a run of 2-byte sequences (Cyrillic); always advances */
            do
                i += 2;
            while (i + 1 < n && s[i] >= 0xC2 && s[i] <= 0xDF && (s[i + 1] & 0xC0) == 0x80);
            continue;
        }
        if (c < 0x80) {
            if (c == 0 || (c == '[' && i + 1 < n && s[i + 1] == '['))
                break;
            i++;
            continue;
        }
        if (c >= 0x80) {
            size_t l = utf8_valid_seq(s + i, n - i);
            if (!l)
                break;
            i += l;
            continue;
        }
        if (c == 0 || (c == '[' && i + 1 < n && s[i + 1] == '['))
            break;
        i++;
    }
    if (i >= n) {
        if (bad)
            *bad = (size_t)-1;
        return 0;
    }
    ks_buf_append(out, in, i);
    while (i < n) {
        unsigned char c = s[i];
        if (c >= 0x80) {
            size_t l = utf8_valid_seq(s + i, n - i);
            if (!l) {
                if (first == (size_t)-1)
                    first = i;
                ks_buf_append(out, "\xEF\xBF\xBD", 3);
                /* skip a broken sequence: its lead byte and the continuation bytes it announced */
                size_t want = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC2 ? 1 : 0;
                i++;
                while (want > 0 && i < n && (s[i] & 0xC0) == 0x80) {
                    i++;
                    want--;
                }
                continue;
            }
            ks_buf_append(out, in + i, l);
            i += l;
            continue;
        }
        if (c == 0) {
            ks_buf_putc(out, ' ');
        } else if (c == '[' && i + 1 < n && s[i + 1] == '[') {
            ks_buf_append(out, "[ ", 2);
        } else {
            ks_buf_putc(out, (char)c);
        }
        i++;
    }
    if (bad)
        *bad = first;
    return 1;
}

int cp_is_letter(uint32_t cp)
{
    if (cp < 0x80)
        return (cp | 0x20) >= 'a' && (cp | 0x20) <= 'z';
    if (cp >= 0x0410 && cp <= 0x044F)
        return 1;
    utf8proc_category_t c = utf8proc_category((utf8proc_int32_t)cp);
    return (c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_ME);
}

int cp_is_upper(uint32_t cp)
{
    if (cp < 0x80)
        return cp >= 'A' && cp <= 'Z';
    if (cp >= 0x0410 && cp <= 0x042F)
        return 1;
    if (cp >= 0x0430 && cp <= 0x044F)
        return 0;
    utf8proc_category_t c = utf8proc_category((utf8proc_int32_t)cp);
    return c == UTF8PROC_CATEGORY_LU || c == UTF8PROC_CATEGORY_LT;
}

int cp_is_lower(uint32_t cp)
{
    if (cp < 0x80)
        return cp >= 'a' && cp <= 'z';
    if (cp >= 0x0430 && cp <= 0x044F)
        return 1;
    if (cp >= 0x0410 && cp <= 0x042F)
        return 0;
    return utf8proc_category((utf8proc_int32_t)cp) == UTF8PROC_CATEGORY_LL;
}

int cp_is_space(uint32_t cp)
{
    if (cp < 0x80)
        return cp == ' ' || (cp >= 0x09 && cp <= 0x0D);
    if (cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 ||
        cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000)
        return 1;
    return 0;
}

uint32_t cp_tolower(uint32_t cp)
{
    if (cp < 0x80)
        return (cp >= 'A' && cp <= 'Z') ? cp + 32 : cp;
    if (cp >= 0x0410 && cp <= 0x042F)
        return cp + 32;
    return (uint32_t)utf8proc_tolower((utf8proc_int32_t)cp);
}

int cp_is_cyr_vowel(uint32_t cp)
{
    switch (cp_tolower(cp)) {
    case 0x0430: /* а */
    case 0x04D9: /* ә */
    case 0x0435: /* е */
    case 0x0451: /* ё */
    case 0x0438: /* и */
    case 0x043E: /* о */
    case 0x04E9: /* ө */
    case 0x0443: /* у */
    case 0x04B1: /* ұ */
    case 0x04AF: /* ү */
    case 0x044B: /* ы */
    case 0x0456: /* і */
    case 0x044D: /* э */
    case 0x044E: /* ю */
    case 0x044F: /* я */
        return 1;
    default:
        return 0;
    }
}
