/* test_sentence.c - ks_sentence_split: boundaries, abbreviations, decimals, times, initials, max_len. */
#include <string.h>

#include "check.h"
#include "kazspeak/kazspeak.h"

/* length of the first sentence of s as a string */
static char first[1024];
static const char *split(const char *s, int at_eof, size_t max_len)
{
    size_t n = ks_sentence_split(s, strlen(s), at_eof, max_len);
    memcpy(first, s, n);
    first[n] = '\0';
    return first;
}

int main(void)
{
    CHECK_STR(split("Бірінші сөйлем. Екінші сөйлем.", 0, 0), "Бірінші сөйлем. ");
    CHECK_STR(split("Сіз естідіңіз бе? Иә.", 0, 0), "Сіз естідіңіз бе? ");
    CHECK_STR(split("Тамаша! Иә.", 0, 0), "Тамаша! ");
    CHECK_STR(split("Күте тұрыңыз… Келесі.", 0, 0), "Күте тұрыңыз… ");
    CHECK_STR(split("«Жарайды», — деді ол. Келесі.", 0, 0), "«Жарайды», — деді ол. ");
    CHECK_STR(split("Ол «келеді.» Келесі.", 0, 0), "Ол «келеді.» ");
    /* never inside an abbreviation, a decimal, a time or initials */
    CHECK_STR(split("Кілем, киіз т.б. бұйымдар қойылды. Келесі.", 0, 0), "Кілем, киіз т.б. бұйымдар қойылды. ");
    CHECK_STR(split("Конференцияны проф. Ахметов ашты. Келесі.", 0, 0), "Конференцияны проф. Ахметов ашты. ");
    CHECK_STR(split("Алматы қ. Абай көшесі. Келесі.", 0, 0), "Алматы қ. Абай көшесі. ");
    CHECK_STR(split("Ол 1985 ж. Алматыда туған. Келесі.", 0, 0), "Ол 1985 ж. Алматыда туған. ");
    CHECK_STR(split("Орташа 3.5 балл. Келесі.", 0, 0), "Орташа 3.5 балл. ");
    CHECK_STR(split("Сағат 14.30-да басталады. Келесі.", 0, 0), "Сағат 14.30-да басталады. ");
    CHECK_STR(split("Бұл орайда Н.Ә. Назарбаевтың еңбегі зор. Келесі.", 0, 0),
              "Бұл орайда Н.Ә. Назарбаевтың еңбегі зор. ");
    CHECK_STR(split("Конференцияда М. Әуезов шығармашылығы талқыланды. Келесі.", 0, 0),
              "Конференцияда М. Әуезов шығармашылығы талқыланды. ");
    CHECK_STR(split("Мысалы, XV ғ. ескерткіші. Келесі.", 0, 0), "Мысалы, XV ғ. ескерткіші. ");
    /* т.б. at the end of a sentence before a capital does end it */
    CHECK_STR(split("Кілем, киіз т.б. Келесі сөйлем.", 0, 0), "Кілем, киіз т.б. ");
    /* a blank line ends a sentence */
    CHECK_STR(split("Тақырып\n\nМәтін басы.", 0, 0), "Тақырып\n\n");
    /* more input needed */
    CHECK_INT(ks_sentence_split("Сөйлем аяқталмады", strlen("Сөйлем аяқталмады"), 0, 0), 0);
    CHECK_INT(ks_sentence_split("Бағасы 3.", strlen("Бағасы 3."), 0, 0), 0);
    CHECK_INT(ks_sentence_split("Сөйлем. ", strlen("Сөйлем. "), 0, 0), 0);
    /* at EOF the rest is a sentence */
    CHECK_STR(split("Сөйлем аяқталмады", 1, 0), "Сөйлем аяқталмады");
    CHECK_STR(split("Сөйлем. ", 1, 0), "Сөйлем. ");
    CHECK_INT(ks_sentence_split("", 0, 1, 0), 0);
    CHECK_INT(ks_sentence_split(NULL, 5, 1, 0), 0);
    /* max_len bounds memory: cut at the last space, else at a UTF-8 boundary */
    CHECK_STR(split("бір екі үш төрт бес алты", 0, 12), "бір "); /* "бір екі " is 14 bytes */
    CHECK_STR(split("бір екі үш төрт бес алты", 0, 15), "бір екі ");
    CHECK_STR(split("ааааааааааааа", 0, 5), "аа"); /* 2-byte letters: 4 bytes, not 5 */
    CHECK_STR(split("ааааа", 0, 1), "а");         /* at least one code point */
    /* splitting a text sentence by sentence consumes all of it */
    {
        const char *t = "Бірінші. Екінші сөйлем т.б. бұйымдар! Үшінші? Төртінші";
        size_t off = 0, len = strlen(t);
        int count = 0;
        while (off < len) {
            size_t r = ks_sentence_split(t + off, len - off, 1, 0);
            CHECK(r > 0);
            if (!r)
                break;
            off += r;
            count++;
        }
        CHECK_INT(count, 4);
    }
    return check_done();
}
