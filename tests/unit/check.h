/* check.h - tiny test macros: CHECK(cond), CHECK_STR(got, want), CHECK_INT(got, want).
 * A failing check prints file:line and the values, and the test exits 1 at
 * the end (check_done()).  Every test main returns check_done(). */
#ifndef KS_CHECK_H
#define KS_CHECK_H
#include <stdio.h>
#include <string.h>

static int check_failures = 0;
static int check_count = 0;

#define CHECK(cond)                                                              \
    do {                                                                         \
        check_count++;                                                           \
        if (!(cond)) {                                                           \
            check_failures++;                                                    \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                        \
    } while (0)

#define CHECK_STR(got, want)                                                     \
    do {                                                                         \
        const char *check_g_ = (got), *check_w_ = (want);                        \
        check_count++;                                                           \
        if (!check_g_ || strcmp(check_g_, check_w_) != 0) {                      \
            check_failures++;                                                    \
            fprintf(stderr, "%s:%d: CHECK_STR failed: %s\n  got:  %s\n  want: %s\n", \
                    __FILE__, __LINE__, #got, check_g_ ? check_g_ : "(null)", check_w_); \
        }                                                                        \
    } while (0)

#define CHECK_INT(got, want)                                                     \
    do {                                                                         \
        long long check_g_ = (long long)(got), check_w_ = (long long)(want);     \
        check_count++;                                                           \
        if (check_g_ != check_w_) {                                              \
            check_failures++;                                                    \
            fprintf(stderr, "%s:%d: CHECK_INT failed: %s = %lld, want %lld\n",   \
                    __FILE__, __LINE__, #got, check_g_, check_w_);               \
        }                                                                        \
    } while (0)

static inline int check_done(void)
{
    fprintf(stderr, "%d checks, %d failed\n", check_count, check_failures);
    return check_failures ? 1 : 0;
}
#endif
