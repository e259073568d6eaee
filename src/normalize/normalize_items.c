/* normalize_items.c -- parses a written number at a position into what it is (a plain
 * number with thousands groups and decimals, a clock time, a date in ISO, "3/5" or "26
 * april 2016" form, an ordinal "3:e", a fraction "1/2") and says it in Swedish words. Which
 * reading wins is decided by the written form and the words just around it. Thread-safe. */
#include "normalize_items.h"

#include <string.h>

#include "base/base.h"

#include "banned.h"

static const char *const date_words[] = {"den",  "datum", "fr",  "mån", "tis", "ons",
                                         "tors", "tor",   "fre", "lör", "sön", NULL};
static const char *const clock_words[] = {"kl", "klockan", NULL};

static int digit_at(const struct scan *sc, size_t i)
{
    return i < sc->len && sc->s[i] >= '0' && sc->s[i] <= '9';
}

static int value_of(const char *s, size_t n)
{
    int v = 0;

    while (n--)
        v = v * 10 + (*s++ - '0');
    return v;
}

/* A thousands separator at i followed by exactly three digits: its length, else 0. */
static size_t group_sep(const struct scan *sc, size_t i, int dot)
{
    uint32_t c;
    size_t k = svtext_cp(sc->s, sc->len, i, &c);

    if (!k || (dot ? c != '.' : !(c == ' ' || c == 0xA0 || c == 0x2009 || c == 0x202F)))
        return 0;
    if (svtext_digits_len(sc->s, sc->len, i + k) != 3)
        return 0;
    return k;
}

static void add_digits(struct num *n, const char *d, size_t k)
{
    size_t j;

    for (j = 0; j < k; j++, n->ndig++)
        if (n->ndig < 19)
            n->value = n->value * 10 + (uint64_t)(d[j] - '0');
}

size_t items_parse_num(const struct scan *sc, size_t i, struct num *n)
{
    size_t k = svtext_digits_len(sc->s, sc->len, i), p, sep;
    int dot;

    memset(n, 0, sizeof(*n));
    if (!k)
        return 0;
    n->start = i;
    add_digits(n, sc->s + i, k);
    n->lead0 = k > 1 && sc->s[i] == '0';
    p = i + k;
    if (k <= 3 && !n->lead0) {
        dot = p < sc->len && sc->s[p] == '.';
        while ((sep = group_sep(sc, p, dot))) {
            add_digits(n, sc->s + p + sep, 3);
            p += sep + 3;
            n->grouped = 1;
        }
    }
    n->int_end = p;
    if (p + 1 < sc->len && sc->s[p] == ',' && digit_at(sc, p + 1)) {
        n->dec_at = p + 1;
        n->dec_len = svtext_digits_len(sc->s, sc->len, p + 1);
        p = n->dec_at + n->dec_len;
    }
    n->end = p;
    return p;
}

static int prev_word_in(const struct scan *sc, size_t i, const char *const *list)
{
    size_t n, at = scan_prev_word(sc, i, &n);

    return scan_word_in(sc, at, n, list);
}

/* "2016-04-26" */
static size_t parse_iso(const struct scan *sc, size_t i, struct item *it)
{
    const char *s = sc->s + i;
    size_t left = sc->len - i;

    if (left < 10 || svtext_digits_len(s, left, 0) != 4 || s[4] != '-' ||
        svtext_digits_len(s, left, 5) != 2 || s[7] != '-' || svtext_digits_len(s, left, 8) != 2)
        return 0;
    it->y = value_of(s, 4), it->mon = value_of(s + 5, 2), it->d = value_of(s + 8, 2);
    if (it->y < 1000 || it->mon < 1 || it->mon > 12 || it->d < 1 || it->d > 31)
        return 0;
    it->kind = IT_DATE;
    return i + 10;
}

/* "3:e", "1:a", "20:e" */
static size_t parse_ordinal(const struct scan *sc, size_t i, struct item *it)
{
    size_t k = svtext_digits_len(sc->s, sc->len, i), p = i + k, w;

    if (k > 3 || p + 1 >= sc->len || sc->s[p] != ':' || !strchr("ae", sc->s[p + 1]))
        return 0;
    w = svtext_word_len(sc->s, sc->len, p + 1);
    if (w > 3)
        return 0;
    items_parse_num(sc, i, &it->n);
    it->kind = IT_ORD;
    it->masc = w == 1 && sc->s[p + 1] == 'e';
    return p + 1 + w;
}

/* A colon time needs support: "09:30", or "kl 9:30"; "Sunnerby 3:14" is a property. */
static int colon_is_time(const struct scan *sc, size_t i, size_t hk)
{
    size_t n, at = scan_prev_word(sc, i, &n);
    uint32_t c;

    if (hk == 2 || scan_word_in(sc, at, n, clock_words) ||
        (n >= 3 && svtext_fold_eq(sc->s + at + n - 3, 3, "tid")))
        return 1; /* "Starttid 9:30" */
    if (n && svtext_cp(sc->s, sc->len, at, &c) && svtext_is_upper(c))
        return scan_sentence_start(sc, at);
    return 1;
}

/* "14.30", "09:30", "9.00" */
static size_t parse_time(const struct scan *sc, size_t i, struct item *it)
{
    size_t hk = svtext_digits_len(sc->s, sc->len, i), p = i + hk;
    char sep;

    if (hk < 1 || hk > 2 || p + 3 > sc->len)
        return 0;
    sep = sc->s[p];
    if ((sep != '.' && sep != ':') || svtext_digits_len(sc->s, sc->len, p + 1) != 2)
        return 0;
    if (p + 3 < sc->len && (sc->s[p + 3] == sep || sc->s[p + 3] == ',') && digit_at(sc, p + 4))
        return 0; /* "1.20.3", "12.30,5" */
    it->h = value_of(sc->s + i, hk);
    it->min = value_of(sc->s + p + 1, 2);
    if (it->h > 24 || it->min > 59 || (sep == ':' && !colon_is_time(sc, i, hk)))
        return 0;
    it->kind = IT_TIME;
    return p + 3;
}

/* An optional year after a date: " 2016", "/2016", "-2016". */
static size_t parse_year(const struct scan *sc, size_t p, struct item *it)
{
    size_t q = p, k;

    if (q < sc->len && (sc->s[q] == '/' || sc->s[q] == '-'))
        q++;
    else
        q = scan_skip_space(sc, q);
    k = svtext_digits_len(sc->s, sc->len, q);
    if (q == p || k != 4 ||
        (q + k < sc->len && strchr(":,.", sc->s[q + k]) && digit_at(sc, q + k + 1)))
        return p;
    it->y = value_of(sc->s + q, 4);
    if (it->y < 1000 || it->y > 2999) {
        it->y = 0;
        return p;
    }
    return q + 4;
}

/* "3/5", "24/12 2016" as dates; "1/2", "3/4" as fractions. */
static size_t parse_slash(const struct scan *sc, size_t i, struct item *it)
{
    size_t ak = svtext_digits_len(sc->s, sc->len, i), p = i + ak, bk;
    int a, b;

    if (ak < 1 || ak > 2 || p + 1 >= sc->len || sc->s[p] != '/')
        return 0;
    bk = svtext_digits_len(sc->s, sc->len, p + 1);
    if (bk < 1 || bk > 2 ||
        (p + 1 + bk < sc->len && sc->s[p + 1 + bk] == '/' && bk == 2 && !digit_at(sc, p + 2 + bk)))
        return 0;
    a = value_of(sc->s + i, ak), b = value_of(sc->s + p + 1, bk);
    if (a > 0 && a < b && b <= 10 && !prev_word_in(sc, i, date_words) &&
        parse_year(sc, p + 1 + bk, it) == p + 1 + bk) {
        it->kind = IT_FRAC, it->fa = a, it->fb = b;
        return p + 1 + bk;
    }
    if (a < 1 || a > 31 || b < 1 || b > 12)
        return 0;
    it->kind = IT_DATE, it->d = a, it->mon = b;
    return parse_year(sc, p + 1 + bk, it);
}

/* A day number and a month: "26 april 2016", "15 okt.", "3:e maj". */
static size_t parse_day_month(const struct scan *sc, size_t end, int day, struct item *it)
{
    size_t q = scan_skip_space(sc, end), used = 0, y_end;
    int m;

    if (day < 1 || day > 31 || q == sc->len)
        return 0;
    m = sv_month_parse(sc->s + q, sc->len - q, &used);
    if (!m)
        return 0;
    it->kind = IT_DATE, it->d = day, it->mon = m;
    y_end = parse_year(sc, q + used, it);
    it->period = y_end == q + used && sc->s[q + used - 1] == '.';
    return y_end;
}

size_t items_parse(const struct scan *sc, size_t i, struct item *it)
{
    size_t end;

    memset(it, 0, sizeof(*it));
    it->start = i;
    if ((end = parse_iso(sc, i, it)) || (end = parse_slash(sc, i, it)) ||
        (end = parse_time(sc, i, it))) {
        it->end = end;
        return end;
    }
    memset(it, 0, sizeof(*it));
    it->start = i;
    end = parse_ordinal(sc, i, it);
    if (!end) {
        end = items_parse_num(sc, i, &it->n);
        it->kind = IT_NUM;
        if (it->n.grouped || it->n.dec_len || it->n.ndig > 2)
            return it->end = end;
    }
    it->end = parse_day_month(sc, end, (int)it->n.value, it);
    if (!it->end)
        it->end = end;
    return it->end;
}

size_t items_vulgar(const struct scan *sc, size_t i, int *a, int *b)
{
    uint32_t c;
    size_t k = svtext_cp(sc->s, sc->len, i, &c);

    if (!k) /* the end of the text: c is not set */
        return 0;
    switch (c) {
    case 0xBD:
        *a = 1, *b = 2;
        return k;
    case 0xBC:
        *a = 1, *b = 4;
        return k;
    case 0xBE:
        *a = 3, *b = 4;
        return k;
    case 0x2153:
        *a = 1, *b = 3;
        return k;
    case 0x2154:
        *a = 2, *b = 3;
        return k;
    default:
        return 0;
    }
}

void items_say_num(struct words *w, const struct num *n, enum sv_gender g, const struct scan *sc)
{
    size_t i;

    if (n->lead0 || (!n->grouped && n->ndig > 7) || n->ndig > 15) {
        words_add(w, "");
        for (i = n->start; i < n->int_end; i++)
            if (sc->s[i] >= '0' && sc->s[i] <= '9')
                sv_digits(w, sc->s + i, 1);
    } else if (!n->grouped && n->ndig == 4 && !n->dec_len) {
        sv_cardinal_hundreds(w, n->value, g);
    } else {
        sv_cardinal(w, n->value, n->dec_len ? SV_EN : g);
    }
    if (n->dec_len) {
        words_add(w, "komma");
        sv_decimals(w, sc->s + n->dec_at, n->dec_len);
    }
}

void items_say_frac(struct words *w, int a, int b, enum sv_gender g)
{
    struct words ord;

    if (b == 2) {
        words_add(w, g == SV_ETT ? "ett halvt" : "en halv");
        return;
    }
    sv_cardinal(w, (uint64_t)a, SV_EN);
    words_reset(&ord);
    sv_ordinal(&ord, (uint64_t)b, 0);
    if (ord.n > 3 && !memcmp(ord.b + ord.n - 3, "nde", 3))
        ord.n -= 2, ord.b[ord.n] = '\0'; /* "åttonde" + "del" is "åttondel" */
    words_add(w, ord.b);
    words_glue(w, a == 1 ? "del" : "delar");
}

void items_say(struct words *w, const struct item *it, enum sv_gender g, int den,
               const struct scan *sc)
{
    switch (it->kind) {
    case IT_NUM:
        items_say_num(w, &it->n, g, sc);
        break;
    case IT_TIME:
        sv_time(w, it->h, it->min);
        break;
    case IT_DATE:
        sv_date(w, it->d, it->mon, it->y, den);
        break;
    case IT_ORD:
        if (den)
            words_add(w, "den");
        sv_ordinal(w, it->n.value, it->masc);
        break;
    case IT_FRAC:
        items_say_frac(w, it->fa, it->fb, g);
        break;
    }
}
