/* kk_words.h - the Kazakh words of the text stage, in one place: letter names,
 * Roman numerals, month names, and the say-as readings shared by the normalizer
 * (normalize.c) and SSML (ssml.c).  No I/O, no state. */
#ifndef KS_KK_WORDS_H
#define KS_KK_WORDS_H
#include <stddef.h>
#include <stdint.h>

#include "kazspeak/kazspeak.h"

/* Name of a Kazakh Cyrillic letter, either case (RULES §16): a vowel is itself,
 * a consonant takes "ы" ("бы", "қы"), ъ "айыру белгісі", ь "жіңішкелік белгісі".
 * NULL for anything else.  ks_letter_name() in kazspeak.h is the public face. */
const char *kk_letter_name(uint32_t cp);
/* Append the letter's name as a word (a space before it when out does not end in
 * one); 0 when cp has no name. */
int kk_put_letter_name(ks_buf *out, uint32_t cp);
/* 1 for the Kazakh vowel letters (а ә е ё и о ө у ұ ү ы і э ю я), either case. */
int kk_is_vowel_letter(uint32_t cp);

/* "қаңтар" .. "желтоқсан" for 1..12, NULL otherwise. */
const char *kk_month_name(int month);

/* Value 1..3999 of a canonical Roman numeral written with Latin I V X L C D M or the
 * Cyrillic look-alikes І Х Ү С М (RULES §34), mixed scripts allowed, one case only;
 * 0 when s[0..n) is not one ("IIII", "IC", "Ix"). */
int kk_roman_value(const char *s, size_t n);

/* say-as readings: append Kazakh words for `text` to `out` (lowercase words separated
 * by single spaces).  Return 0 when the text had the expected shape, -1 when it did
 * not (nothing appended). */
int kk_say_characters(const char *text, size_t len, ks_buf *out);
int kk_say_cardinal(const char *text, size_t len, ks_buf *out);
int kk_say_ordinal(const char *text, size_t len, ks_buf *out);
int kk_say_digits(const char *text, size_t len, ks_buf *out);
/* format: "dmy" (default when NULL), "mdy", "ymd", "ydm", "dm", "md", "ym", "my", "y", "m", "d" */
int kk_say_date(const char *text, size_t len, const char *format, ks_buf *out);
int kk_say_time(const char *text, size_t len, ks_buf *out);
int kk_say_telephone(const char *text, size_t len, ks_buf *out);

/* Put the last word of the number words in out into the ablative (сегізден) or the
 * dative (төртке) (RULES §27); 0 when it is not a number word. */
enum { KK_ABLATIVE = 1, KK_DATIVE = 2 };
int kk_number_case(ks_buf *out, int kase);

#endif
