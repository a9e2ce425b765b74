/* Buffer (cap, sticky error) and status texts. */
#include <string.h>

#include "check.h"
#include "kazspeak/kazspeak.h"

int main(void)
{
    ks_buf b;
    ks_buf_init(&b, 10);
    CHECK_INT(ks_buf_puts(&b, "abc"), 0);
    CHECK_INT(ks_buf_putc(&b, 'd'), 0);
    CHECK_STR(b.data, "abcd");
    CHECK_INT(b.len, 4);
    CHECK_INT(ks_buf_puts(&b, "efghijk"), -1); /* 11 > cap 10 */
    CHECK(b.failed);
    CHECK_INT(ks_buf_puts(&b, "x"), -1); /* sticky */
    CHECK_STR(b.data, "abcd");
    ks_buf_reset(&b);
    CHECK(!b.failed);
    CHECK_INT(b.len, 0);
    CHECK_INT(ks_buf_append(&b, "0123456789", 10), 0);
    CHECK_INT(b.len, 10);
    ks_buf_free(&b);
    ks_buf_free(&b); /* twice is fine */
    ks_buf_free(NULL);

    ks_buf z = {0}; /* zeroed buffer is valid */
    for (int i = 0; i < 10000; i++)
        CHECK(ks_buf_puts(&z, "0123456789") == 0 || 0);
    CHECK_INT(z.len, 100000);
    ks_buf_free(&z);

    /* Every status has its own text. */
    for (int i = 0; i < KS_STATUS_COUNT; i++) {
        const char *t = ks_strerror((ks_status)i);
        CHECK(t != NULL && *t && strcmp(t, "unknown status") != 0);
        for (int j = 0; j < i; j++)
            CHECK(strcmp(t, ks_strerror((ks_status)j)) != 0);
    }
    CHECK_STR(ks_strerror((ks_status)999), "unknown status");
    CHECK_STR(ks_version(), KS_VERSION_STRING);
    return check_done();
}
