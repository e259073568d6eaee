/* normalize_items.h -- numbers as written, parsed before they are said (internal to
 * normalize_num.c and normalize_items.c): a plain number with its thousands groups and
 * decimals, a clock time, a date, an ordinal ("3:e") or a fraction ("1/2"). */
#ifndef LYSSNA_NORMALIZE_ITEMS_H
#define LYSSNA_NORMALIZE_ITEMS_H

#include <stddef.h>
#include <stdint.h>

#include "normalize_scan.h"

struct num {
    size_t start, end;      /* the whole written number, decimals included */
    size_t int_end;         /* end of the integer part */
    uint64_t value;         /* the integer part */
    int ndig;               /* digits in the integer part */
    int grouped;            /* written with thousands separators */
    int lead0;              /* more than one digit and a leading zero: read digit by digit */
    size_t dec_at, dec_len; /* digits after the decimal comma */
};

enum item_kind { IT_NUM, IT_TIME, IT_DATE, IT_ORD, IT_FRAC };

struct item {
    enum item_kind kind;
    size_t start, end;
    struct num n;  /* IT_NUM; the number of IT_ORD */
    int h, min;    /* IT_TIME */
    int d, mon, y; /* IT_DATE; y 0 when not written */
    int masc;      /* IT_ORD written ":e" for 1 and 2: "förste", "andre" */
    int fa, fb;    /* IT_FRAC: fa/fb */
    int period;    /* the written form ends in an abbreviation's '.' ("15 okt.") */
};

/* Parses the number at digit i; returns its end (0 when s[i] is no digit). */
size_t items_parse_num(const struct scan *sc, size_t i, struct num *n);
/* Parses the item at digit i, the most specific kind first; returns its end or 0. */
size_t items_parse(const struct scan *sc, size_t i, struct item *it);
/* A vulgar fraction character (½ ¼ ¾ ⅓ ⅔) at i: its bytes, and *a / *b. */
size_t items_vulgar(const struct scan *sc, size_t i, int *a, int *b);
/* Says a plain number agreeing with g. */
void items_say_num(struct words *w, const struct num *n, enum sv_gender g, const struct scan *sc);
/* Says a fraction: "en halv", "ett halvt", "två tredjedelar". */
void items_say_frac(struct words *w, int a, int b, enum sv_gender g);
/* Says any item; den: put "den" before a date. */
void items_say(struct words *w, const struct item *it, enum sv_gender g, int den,
               const struct scan *sc);

#endif
