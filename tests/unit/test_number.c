/* test_number.c - cardinal, ordinal and decimal spelling across the 0..10^18 boundaries. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "number.h"

static char res[4096];

static const char *card(const char *d)
{
    ks_buf b;
    ks_buf_init(&b, 0);
    number_cardinal(&b, d, strlen(d));
    snprintf(res, sizeof res, "%s", b.data ? b.data : "");
    ks_buf_free(&b);
    return res;
}

static const char *ord(const char *d)
{
    ks_buf b;
    ks_buf_init(&b, 0);
    number_ordinal(&b, d, strlen(d));
    snprintf(res, sizeof res, "%s", b.data ? b.data : "");
    ks_buf_free(&b);
    return res;
}

static const char *dec(const char *i, const char *f)
{
    ks_buf b;
    ks_buf_init(&b, 0);
    number_decimal(&b, i, strlen(i), f, strlen(f));
    snprintf(res, sizeof res, "%s", b.data ? b.data : "");
    ks_buf_free(&b);
    return res;
}

int main(void)
{
    /* cardinals */
    CHECK_STR(card("0"), "нөл");
    CHECK_STR(card("1"), "бір");
    CHECK_STR(card("10"), "он");
    CHECK_STR(card("11"), "он бір");
    CHECK_STR(card("19"), "он тоғыз");
    CHECK_STR(card("20"), "жиырма");
    CHECK_STR(card("40"), "қырық");
    CHECK_STR(card("99"), "тоқсан тоғыз");
    CHECK_STR(card("100"), "жүз");
    CHECK_STR(card("101"), "жүз бір");
    CHECK_STR(card("200"), "екі жүз");
    CHECK_STR(card("999"), "тоғыз жүз тоқсан тоғыз");
    CHECK_STR(card("1000"), "мың");
    CHECK_STR(card("1001"), "мың бір");
    CHECK_STR(card("1999"), "мың тоғыз жүз тоқсан тоғыз");
    CHECK_STR(card("2000"), "екі мың");
    CHECK_STR(card("12345"), "он екі мың үш жүз қырық бес");
    CHECK_STR(card("100000"), "жүз мың");
    CHECK_STR(card("101000"), "жүз бір мың");
    CHECK_STR(card("1000000"), "бір миллион");
    CHECK_STR(card("1000001"), "бір миллион бір");
    CHECK_STR(card("1001000"), "бір миллион бір мың");
    CHECK_STR(card("2001500"), "екі миллион бір мың бес жүз");
    CHECK_STR(card("1250000"), "бір миллион екі жүз елу мың");
    CHECK_STR(card("1000000000"), "бір миллиард");
    CHECK_STR(card("2000000000"), "екі миллиард");
    CHECK_STR(card("1000000000000"), "бір триллион");
    CHECK_STR(card("1000000000000000"), "бір квадриллион");
    CHECK_STR(card("999999999999999999"),
              "тоғыз жүз тоқсан тоғыз квадриллион тоғыз жүз тоқсан тоғыз триллион тоғыз жүз тоқсан тоғыз "
              "миллиард тоғыз жүз тоқсан тоғыз миллион тоғыз жүз тоқсан тоғыз мың тоғыз жүз тоқсан тоғыз");
    CHECK_STR(card("1000000000000000000"), "бір квинтиллион");
    /* beyond 10^18: digit by digit */
    CHECK_STR(card("1000000000000000001"), "бір нөл нөл нөл нөл нөл нөл нөл нөл нөл нөл нөл нөл нөл нөл нөл нөл нөл бір");
    CHECK_STR(card("12345678901234567890"),
              "бір екі үш төрт бес алты жеті сегіз тоғыз нөл бір екі үш төрт бес алты жеті сегіз тоғыз нөл");
    /* leading zeros are read */
    CHECK_STR(card("00"), "нөл нөл");
    CHECK_STR(card("05"), "нөл бес");
    CHECK_STR(card("007"), "нөл нөл жеті");

    /* ordinals: only the last word changes */
    CHECK_STR(ord("1"), "бірінші");
    CHECK_STR(ord("2"), "екінші");
    CHECK_STR(ord("3"), "үшінші");
    CHECK_STR(ord("6"), "алтыншы");
    CHECK_STR(ord("9"), "тоғызыншы");
    CHECK_STR(ord("10"), "оныншы");
    CHECK_STR(ord("20"), "жиырмасыншы");
    CHECK_STR(ord("21"), "жиырма бірінші");
    CHECK_STR(ord("30"), "отызыншы");
    CHECK_STR(ord("40"), "қырқыншы");
    CHECK_STR(ord("50"), "елуінші");
    CHECK_STR(ord("60"), "алпысыншы");
    CHECK_STR(ord("70"), "жетпісінші");
    CHECK_STR(ord("80"), "сексенінші");
    CHECK_STR(ord("90"), "тоқсаныншы");
    CHECK_STR(ord("100"), "жүзінші");
    CHECK_STR(ord("140"), "жүз қырқыншы");
    CHECK_STR(ord("1000"), "мыңыншы");
    CHECK_STR(ord("1940"), "мың тоғыз жүз қырқыншы");
    CHECK_STR(ord("2000"), "екі мыңыншы");
    CHECK_STR(ord("2020"), "екі мың жиырмасыншы");
    CHECK_STR(ord("1000000"), "бір миллионыншы");
    CHECK_STR(ord("1000000000"), "бір миллиардыншы");
    CHECK_STR(ord("0"), "нөлінші");

    /* decimals */
    CHECK_STR(dec("3", "5"), "үш бүтін оннан бес");
    CHECK_STR(dec("0", "05"), "нөл бүтін жүзден бес");
    CHECK_STR(dec("4", "375"), "төрт бүтін мыңнан үш жүз жетпіс бес");
    CHECK_STR(dec("1", "0001"), "бір бүтін он мыңнан бір");
    CHECK_STR(dec("1", "00001"), "бір бүтін жүз мыңнан бір");
    CHECK_STR(dec("2", "000001"), "екі бүтін миллионнан бір");
    CHECK_STR(dec("2", "000000001"), "екі бүтін миллиардтан бір");
    CHECK_STR(dec("3", "0"), "үш бүтін оннан нөл");

    uint64_t v = 0;
    CHECK(number_parse_u64("1000000000000000000", 19, &v) && v == NUMBER_MAX_SPELLED);
    CHECK(!number_parse_u64("1000000000000000001", 19, &v));
    CHECK(!number_parse_u64("", 0, &v));
    return check_done();
}
