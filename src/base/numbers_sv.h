/* numbers_sv.h -- Swedish number words: cardinals with gender, ordinals, years, dates, times.
 *
 * Everything writes into a small fixed struct words, which never overflows: text past its
 * size is dropped (no Swedish number reading comes near it). Pure functions: thread-safe. */
#ifndef LYSSNA_NUMBERS_SV_H
#define LYSSNA_NUMBERS_SV_H

#include <stddef.h>
#include <stdint.h>

#define SV_MAX_CARDINAL 999999999999999ULL /* up to "biljoner" */

struct words {
    char b[1024];
    size_t n;
};

enum sv_gender { SV_EN, SV_ETT };

void words_reset(struct words *w);
/* Appends s glued to what is there. */
void words_glue(struct words *w, const char *s);
/* Appends s as a new word (a space first unless w is empty or ends in a space). */
void words_add(struct words *w, const char *s);
void words_addn(struct words *w, const char *s, size_t n);

/* 0 -> "noll", 21 -> "tjugoen"/"tjugoett", 1234567 -> "en miljon tvåhundratrettio..."; n
 * must be <= SV_MAX_CARDINAL. g agrees with the noun counted (only a final 1 changes). */
void sv_cardinal(struct words *w, uint64_t n, enum sv_gender g);
/* A count said the way years and round amounts are: 1100-1999 as "elvahundra" to
 * "nittonhundranittionio", everything else as sv_cardinal. */
void sv_cardinal_hundreds(struct words *w, uint64_t n, enum sv_gender g);
/* 1 -> "första" ("förste" when masc), 26 -> "tjugosjätte", 100 -> "hundrade". */
void sv_ordinal(struct words *w, uint64_t n, int masc);
/* Each digit of d (n bytes, digits only) as its own word. */
void sv_digits(struct words *w, const char *d, size_t n);
/* The digits after a decimal comma: "5" -> "fem", "05" -> "noll fem", "125" digit by digit. */
void sv_decimals(struct words *w, const char *d, size_t n);
/* "den tjugosjätte april tvåtusensexton"; y 0 leaves the year out, den 0 leaves "den" out. */
void sv_date(struct words *w, int d, int m, int y, int den);
/* "fjorton och trettio"; minutes 0 are not said. */
void sv_time(struct words *w, int h, int min);

/* Month names and their abbreviations ("okt", "okt.", "oktober", any case): returns the month
 * 1-12 and the bytes used, or 0 when s does not start with one followed by a non-letter. */
int sv_month_parse(const char *s, size_t n, size_t *used);
const char *sv_month_name(int m);
/* Full weekday names ("måndag".."söndag", any case, optional plural/definite endings are not
 * days): 1 when the n bytes at s are exactly one. */
int sv_is_day_name(const char *s, size_t n);

#endif
