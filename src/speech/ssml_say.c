/* ssml_say.c -- SSML attribute values (break times, rates, emphasis) into numbers, and
 * <say-as> contents into Swedish words: "SKL" as characters -> "s k l", "08-520 680 00"
 * as telephone -> "noll åtta, fem två noll, ...", "3" as ordinal -> "tredje". It reads
 * only what the kind promises; anything else is left to the normalizer. No libxml2 here,
 * no state: thread-safe. */
#include "ssml_say.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

#include "banned.h"

#define MAX_BREAK_MS 10000u

unsigned ssml_break_ms(const char *time, const char *strength)
{
    static const char *const names[] = {"none", "x-weak", "weak", "medium", "strong", "x-strong"};
    static const unsigned ms[] = {0, 100, 250, 500, 800, 1200};
    char *end;
    double v;
    size_t i;

    if (time) {
        v = strtod(time, &end);
        if (end != time && v >= 0) {
            v = !strcmp(end, "s") ? v * 1000 : !strcmp(end, "ms") ? v : -1;
            if (v >= 0)
                return v > MAX_BREAK_MS ? MAX_BREAK_MS : (unsigned)v;
        }
    }
    for (i = 0; strength && i < sizeof(ms) / sizeof(ms[0]); i++)
        if (!strcmp(strength, names[i]))
            return ms[i];
    return 500;
}

static int clamp_pct(double v)
{
    return v < 50 ? 50 : v > 200 ? 200 : (int)(v + 0.5);
}

int ssml_rate_pct(const char *rate, int cur)
{
    static const char *const names[] = {"x-slow", "slow", "medium", "fast", "x-fast", "default"};
    static const int pct[] = {50, 75, 100, 130, 160, 100};
    char *end;
    double v;
    size_t i;

    if (!rate)
        return cur;
    for (i = 0; i < sizeof(pct) / sizeof(pct[0]); i++)
        if (!strcmp(rate, names[i]))
            return clamp_pct(cur * pct[i] / 100.0);
    v = strtod(rate, &end);
    if (end == rate)
        return cur;
    if (!strcmp(end, "%"))
        return clamp_pct(rate[0] == '+' || rate[0] == '-' ? cur * (100 + v) / 100 : cur * v / 100);
    if (!*end && v > 0)
        return clamp_pct(cur * v);
    return cur;
}

int ssml_emphasis_pct(const char *level, int cur)
{
    if (level && !strcmp(level, "strong"))
        return clamp_pct(cur * 0.8);
    if (level && (!strcmp(level, "none") || !strcmp(level, "reduced")))
        return level[0] == 'n' ? cur : clamp_pct(cur * 1.1);
    return clamp_pct(cur * 0.9);
}

void ssml_spell_plain(const char *s, size_t n, struct words *w)
{
    size_t i = 0, k;
    uint32_t c;
    char low[4];

    while (i < n && (k = svtext_cp(s, n, i, &c))) {
        if (!svtext_is_space(c) && k <= sizeof(low)) {
            svtext_fold(s + i, k, low);
            words_add(w, "");
            words_addn(w, low, k);
        }
        i += k;
    }
}

/* Letters by name, digits as Swedish digit words; punctuation is not said. */
static int say_characters(const char *s, size_t n, struct words *w)
{
    size_t i = 0, k;
    uint32_t c;
    char low[4];

    while (i < n && (k = svtext_cp(s, n, i, &c))) {
        if (c >= '0' && c <= '9') {
            sv_digits(w, s + i, 1);
        } else if (svtext_is_letter(c) && k <= sizeof(low)) {
            svtext_fold(s + i, k, low);
            words_add(w, "");
            words_addn(w, low, k);
        }
        i += k;
    }
    return w->n > 0;
}

/* Digit groups as written, each digit said, a short pause (a comma) between groups. */
static int say_telephone(const char *s, size_t n, struct words *w)
{
    size_t i = 0, j, groups = 0;

    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    if (i < n && s[i] == '+')
        words_add(w, "plus"), i++;
    while (i < n) {
        j = svtext_digits_len(s, n, i);
        if (j) {
            if (groups++)
                words_glue(w, ",");
            sv_digits(w, s + i, j);
            i += j;
        } else if (strchr(" -()/.\t", s[i])) {
            i++;
        } else {
            return 0;
        }
    }
    return groups > 0;
}

/* Up to max numbers of at most 9 digits each, separated by anything but letters. */
static int numbers_in(const char *s, size_t n, int *v, int *ndig, int max)
{
    size_t i = 0, j;
    int count = 0;
    uint32_t c;

    while (i < n) {
        j = svtext_digits_len(s, n, i);
        if (j) {
            if (count == max || j > 9)
                return 0;
            ndig[count] = (int)j;
            v[count++] = atoi(s + i); /* at most 9 digits, then a non-digit or the end */
            i += j;
        } else {
            j = svtext_cp(s, n, i, &c);
            if (!j || svtext_is_letter(c))
                return 0;
            i += j;
        }
    }
    return count;
}

/* A numeric date in the order format gives ("dmy", "ymd", "dm", "my", ...): ISO order
 * when the first number has four digits, the Swedish day-month-year otherwise. */
static int say_date(const char *format, const char *s, size_t n, struct words *w)
{
    int v[3], nd[3], d = 0, m = 0, y = 0, count = numbers_in(s, n, v, nd, 3), i;
    const char *f = format && *format ? format : count && nd[0] == 4 ? "ymd" : "dmy";

    if (!count || strlen(f) < (size_t)count)
        return 0;
    for (i = 0; i < count; i++) {
        if (f[i] == 'd')
            d = v[i];
        else if (f[i] == 'm')
            m = v[i];
        else if (f[i] == 'y')
            y = v[i];
    }
    if (d < 0 || d > 31 || m < 0 || m > 12 || (d && !m) || (!d && !m && !y))
        return 0;
    if (d) {
        sv_date(w, d, m, y, 1);
    } else {
        if (m)
            words_add(w, sv_month_name(m));
        if (y)
            sv_cardinal_hundreds(w, (uint64_t)y, SV_ETT);
    }
    return 1;
}

static int say_time(const char *s, size_t n, struct words *w)
{
    int v[3], nd[3], count = numbers_in(s, n, v, nd, 3);

    if (count < 1 || v[0] > 24 || (count > 1 && (nd[1] != 2 || v[1] > 59)))
        return 0;
    sv_time(w, v[0], count > 1 ? v[1] : 0);
    return 1;
}

/* A whole number, maybe negative, maybe with spaces between digit groups ("1 234"). */
static int read_number(const char *s, size_t n, int *neg, uint64_t *v, size_t *end)
{
    size_t i = 0, j, k, digits = 0;

    while (i < n && s[i] == ' ')
        i++;
    *neg = i < n && s[i] == '-';
    if (!*neg && n - i >= 3 && !memcmp(s + i, "\xE2\x88\x92", 3))
        *neg = 1, i += 2;
    i += *neg ? 1 : 0;
    for (*v = 0; i < n; i += j) {
        j = svtext_digits_len(s, n, i);
        if (!j && !(s[i] == ' ' && digits && svtext_digits_len(s, n, i + 1) == 3))
            break;
        j = j ? j : 1;
        for (k = 0; k < j; k++) {
            if (s[i + k] == ' ')
                continue;
            if (++digits > 15)
                return 0;
            *v = *v * 10 + (uint64_t)(s[i + k] - '0');
        }
    }
    *end = i;
    return digits > 0;
}

static int suffix_is(const char *s, size_t n, const char *want)
{
    return n == strlen(want) && !memcmp(s, want, n);
}

static int say_number(const char *s, size_t n, int ordinal, struct words *w)
{
    uint64_t v;
    size_t end;
    int neg;

    if (!read_number(s, n, &neg, &v, &end) || v > SV_MAX_CARDINAL)
        return 0;
    while (end < n && s[end] == ' ')
        end++;
    if (ordinal) {
        if (neg || (end < n && !suffix_is(s + end, n - end, ":e") &&
                    !suffix_is(s + end, n - end, ":a") && !suffix_is(s + end, n - end, ".")))
            return 0;
        sv_ordinal(w, v, 0);
        return 1;
    }
    if (end < n)
        return 0;
    if (neg && v)
        words_add(w, "minus");
    sv_cardinal(w, v, SV_ETT);
    return 1;
}

int ssml_say_as(const char *kind, const char *format, const char *s, size_t n, struct words *w)
{
    words_reset(w);
    if (!kind)
        return 0;
    if (!strcmp(kind, "characters") || !strcmp(kind, "spell-out") || !strcmp(kind, "verbatim"))
        return say_characters(s, n, w);
    if (!strcmp(kind, "telephone"))
        return say_telephone(s, n, w);
    if (!strcmp(kind, "cardinal") || !strcmp(kind, "number"))
        return say_number(s, n, 0, w);
    if (!strcmp(kind, "ordinal"))
        return say_number(s, n, 1, w);
    if (!strcmp(kind, "date"))
        return say_date(format, s, n, w);
    if (!strcmp(kind, "time"))
        return say_time(s, n, w);
    return 0;
}
