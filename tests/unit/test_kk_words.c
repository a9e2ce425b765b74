/* test_kk_words.c - the one home of the Kazakh words (src/lib/text/kk_words.c):
 * every letter name of the 42-letter alphabet, in both cases, through the
 * internal and the public call; Roman numerals with Cyrillic look-alikes;
 * month names; say-as readings. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "kazspeak/kazspeak.h"
#include "kk_words.h"

static const struct {
    uint32_t up, low;
    const char *name;
} ALPHABET[42] = {
    {0x0410, 0x0430, "а"},  {0x04D8, 0x04D9, "ә"},  {0x0411, 0x0431, "бы"}, {0x0412, 0x0432, "вы"},
    {0x0413, 0x0433, "гы"}, {0x0492, 0x0493, "ғы"}, {0x0414, 0x0434, "ды"}, {0x0415, 0x0435, "е"},
    {0x0401, 0x0451, "ё"},  {0x0416, 0x0436, "жы"}, {0x0417, 0x0437, "зы"}, {0x0418, 0x0438, "и"},
    {0x0419, 0x0439, "йы"}, {0x041A, 0x043A, "кы"}, {0x049A, 0x049B, "қы"}, {0x041B, 0x043B, "лы"},
    {0x041C, 0x043C, "мы"}, {0x041D, 0x043D, "ны"}, {0x04A2, 0x04A3, "ңы"}, {0x041E, 0x043E, "о"},
    {0x04E8, 0x04E9, "ө"},  {0x041F, 0x043F, "пы"}, {0x0420, 0x0440, "ры"}, {0x0421, 0x0441, "сы"},
    {0x0422, 0x0442, "ты"}, {0x0423, 0x0443, "у"},  {0x04B0, 0x04B1, "ұ"},  {0x04AE, 0x04AF, "ү"},
    {0x0424, 0x0444, "фы"}, {0x0425, 0x0445, "хы"}, {0x04BA, 0x04BB, "һы"}, {0x0426, 0x0446, "цы"},
    {0x0427, 0x0447, "чы"}, {0x0428, 0x0448, "шы"}, {0x0429, 0x0449, "щы"},
    {0x042A, 0x044A, "айыру белгісі"},
    {0x042B, 0x044B, "ы"},  {0x0406, 0x0456, "і"},
    {0x042C, 0x044C, "жіңішкелік белгісі"},
    {0x042D, 0x044D, "э"},  {0x042E, 0x044E, "ю"},  {0x042F, 0x044F, "я"},
};

static const char *say(int (*fn)(const char *, size_t, ks_buf *), const char *in, ks_buf *b)
{
    ks_buf_reset(b);
    if (fn(in, strlen(in), b) != 0)
        return "(no)";
    return b->data ? b->data : "";
}

int main(void)
{
    /* every letter, both cases, internal and public */
    for (size_t i = 0; i < sizeof ALPHABET / sizeof ALPHABET[0]; i++) {
        CHECK_STR(kk_letter_name(ALPHABET[i].up), ALPHABET[i].name);
        CHECK_STR(kk_letter_name(ALPHABET[i].low), ALPHABET[i].name);
        CHECK_STR(ks_letter_name(ALPHABET[i].up), ALPHABET[i].name);
        CHECK_INT(kk_is_vowel_letter(ALPHABET[i].low), kk_is_vowel_letter(ALPHABET[i].up));
    }
    /* the vowels are exactly the letters named by themselves */
    for (size_t i = 0; i < sizeof ALPHABET / sizeof ALPHABET[0]; i++) {
        int named_by_self = strlen(ALPHABET[i].name) == 2; /* one 2-byte letter: itself */
        CHECK_INT(kk_is_vowel_letter(ALPHABET[i].low), named_by_self);
    }
    CHECK(kk_letter_name('A') == NULL);
    CHECK(kk_letter_name('7') == NULL);
    CHECK(ks_letter_name(0x0402) == NULL); /* Serbian Ђ is not a Kazakh letter */
    {
        ks_buf b;
        ks_buf_init(&b, 0);
        CHECK(kk_put_letter_name(&b, 0x0416)); /* Ж */
        CHECK(kk_put_letter_name(&b, 0x04D8)); /* Ә */
        CHECK(kk_put_letter_name(&b, 0x042C)); /* Ь */
        CHECK(!kk_put_letter_name(&b, 'A'));
        CHECK_STR(b.data, "жы ә жіңішкелік белгісі");
        ks_buf_free(&b);
    }

    /* Roman numerals (RULES §10, §34) */
    CHECK_INT(kk_roman_value("XIV", 3), 14);
    CHECK_INT(kk_roman_value("MCMXCI", 6), 1991);
    CHECK_INT(kk_roman_value("IIII", 4), 0);
    CHECK_INT(kk_roman_value("IC", 2), 0);
    CHECK_INT(kk_roman_value("xi", 2), 11);
    CHECK_INT(kk_roman_value("Xi", 2), 0);
    CHECK_INT(kk_roman_value("ХХІ", strlen("ХХІ")), 21);        /* Cyrillic Х І */
    CHECK_INT(kk_roman_value("ХҮ", strlen("ХҮ")), 15);          /* Cyrillic Ү = V */
    CHECK_INT(kk_roman_value("ХҮІІ", strlen("ХҮІІ")), 17);
    CHECK_INT(kk_roman_value("ХVІ", strlen("ХVІ")), 16);        /* mixed scripts */
    CHECK_INT(kk_roman_value("МСМ", strlen("МСМ")), 1900);      /* Cyrillic М С */
    CHECK_INT(kk_roman_value("ХVІІІ", strlen("ХVІІІ")), 18);
    CHECK_INT(kk_roman_value("ОРАЛ", strlen("ОРАЛ")), 0);
    CHECK_INT(kk_roman_value("", 0), 0);

    /* months */
    CHECK_STR(kk_month_name(1), "қаңтар");
    CHECK_STR(kk_month_name(9), "қыркүйек");
    CHECK_STR(kk_month_name(12), "желтоқсан");
    CHECK(kk_month_name(0) == NULL && kk_month_name(13) == NULL);

    /* say-as readings */
    {
        ks_buf b;
        ks_buf_init(&b, 0);
        CHECK_STR(say(kk_say_characters, "ЖШС", &b), "жы шы сы");
        CHECK_STR(say(kk_say_characters, "Аъ", &b), "а айыру белгісі");
        CHECK_STR(say(kk_say_characters, "A1", &b), "A бір");
        CHECK_STR(say(kk_say_cardinal, "-12", &b), "минус он екі");
        CHECK_STR(say(kk_say_cardinal, "2,5", &b), "екі бүтін оннан бес");
        CHECK_STR(say(kk_say_ordinal, "XV", &b), "он бесінші");
        CHECK_STR(say(kk_say_ordinal, "ХҮІІ", &b), "он жетінші");
        CHECK_STR(say(kk_say_ordinal, "5-ші", &b), "бесінші");
        CHECK_STR(say(kk_say_digits, "2024", &b), "екі нөл екі төрт");
        CHECK_STR(say(kk_say_time, "09:05", &b), "тоғыз нөл бес");
        CHECK_STR(say(kk_say_telephone, "+7 701", &b), "плюс жеті жеті жүз бір");
        ks_buf_reset(&b);
        CHECK(kk_say_date("12.05.2021", strlen("12.05.2021"), NULL, &b) == 0);
        CHECK_STR(b.data, "екі мың жиырма бірінші жылғы он екінші мамыр");
        ks_buf_free(&b);
    }
    return check_done();
}
