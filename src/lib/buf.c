/* buf.c - growable byte buffer with a size cap and a sticky error. */
#include <stdlib.h>
#include <string.h>

#include "kazspeak/kazspeak.h"

#define KS_BUF_DEFAULT_MAX ((size_t)256 * 1024 * 1024)

KS_API void ks_buf_init(ks_buf *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
    b->failed = 0;
}

static int buf_reserve(ks_buf *b, size_t extra)
{
    size_t max = b->max ? b->max : KS_BUF_DEFAULT_MAX;
    if (b->failed)
        return -1;
    if (extra > max || b->len > max - extra) {
        b->failed = 1;
        return -1;
    }
    size_t need = b->len + extra + 1; /* room for the NUL */
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    char *p = realloc(b->data, cap);
    if (!p) {
        b->failed = 1;
        return -1;
    }
    b->data = p;
    b->cap = cap;
    return 0;
}

KS_API int ks_buf_append(ks_buf *b, const char *s, size_t n)
{
    if (buf_reserve(b, n) != 0)
        return -1;
    if (n)
        memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

KS_API int ks_buf_puts(ks_buf *b, const char *s)
{
    return ks_buf_append(b, s, strlen(s));
}

KS_API int ks_buf_putc(ks_buf *b, char c)
{
    return ks_buf_append(b, &c, 1);
}

KS_API void ks_buf_reset(ks_buf *b)
{
    b->len = 0;
    b->failed = 0;
    if (b->data)
        b->data[0] = '\0';
}

KS_API void ks_buf_free(ks_buf *b)
{
    if (!b)
        return;
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
    b->failed = 0;
}
