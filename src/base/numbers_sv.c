/* numbers_sv.c -- Swedish number words as a careful newsreader says them: compound numerals
 * written as one word ("tvåtusensexton"), "miljon"/"miljard" as separate words, a final 1
 * agreeing with its noun ("en krona", "ett hus"), "hundra"/"tusen" without "ett" in front.
 * Also ordinals, dates, clock times and month names. No state: thread-safe. */
#include "numbers_sv.h"

#include <string.h>

#include "svtext.h"

#include "banned.h"

static const char *const small[20] = {
    "noll", "ett",  "två",  "tre",     "fyra",    "fem",    "sex",    "sju",     "åtta",  "nio",
    "tio",  "elva", "tolv", "tretton", "fjorton", "femton", "sexton", "sjutton", "arton", "nitton"};
static const char *const tens[10] = {"",       "",       "tjugo",   "trettio", "fyrtio",
                                     "femtio", "sextio", "sjuttio", "åttio",   "nittio"};
static const char *const small_ord[20] = {
    "nollte",    "första",   "andra",    "tredje",    "fjärde",  "femte",   "sjätte",
    "sjunde",    "åttonde",  "nionde",   "tionde",    "elfte",   "tolfte",  "trettonde",
    "fjortonde", "femtonde", "sextonde", "sjuttonde", "artonde", "nittonde"};
static const char *const months[13] = {"",        "januari",  "februari", "mars",    "april",
                                       "maj",     "juni",     "juli",     "augusti", "september",
                                       "oktober", "november", "december"};

void words_reset(struct words *w)
{
    w->n = 0;
    w->b[0] = '\0';
}

void words_addn(struct words *w, const char *s, size_t n)
{
    if (n >= sizeof(w->b) - w->n)
        return;
    memcpy(w->b + w->n, s, n);
    w->n += n;
    w->b[w->n] = '\0';
}

void words_glue(struct words *w, const char *s)
{
    words_addn(w, s, strlen(s));
}

void words_add(struct words *w, const char *s)
{
    if (w->n && w->b[w->n - 1] != ' ')
        words_glue(w, " ");
    words_glue(w, s);
}

/* 0 < n < 100, glued on; a final 1 takes the gender. */
static void below_100(struct words *w, unsigned n, enum sv_gender g)
{
    unsigned u = n % 10;

    if (n < 20) {
        words_glue(w, n == 1 && g == SV_EN ? "en" : small[n]);
        return;
    }
    words_glue(w, tens[n / 10]);
    if (u)
        words_glue(w, u == 1 && g == SV_EN ? "en" : small[u]);
}

/* 0 < n < 1000, glued on. lead: the first part of the number, where 100 is "hundra". */
static void below_1000(struct words *w, unsigned n, enum sv_gender g, int lead)
{
    unsigned h = n / 100;

    if (h == 1)
        words_glue(w, lead ? "hundra" : "etthundra");
    else if (h)
        words_glue(w, small[h]), words_glue(w, "hundra");
    if (n % 100)
        below_100(w, n % 100, g);
}

/* "ett" + "tusen" is written "ettusen": a final "t" merges with the "t" of tusen. */
static void glue_tusen(struct words *w)
{
    if (w->n >= 3 && !memcmp(w->b + w->n - 3, "ett", 3))
        w->n--, w->b[w->n] = '\0';
    words_glue(w, "tusen");
}

/* n < 1 000 000 as one word. */
static void below_million(struct words *w, unsigned n, enum sv_gender g, int lead)
{
    unsigned t = n / 1000, r = n % 1000;

    if (t == 1 && lead) {
        words_glue(w, "tusen");
    } else if (t) {
        below_1000(w, t, SV_ETT, lead);
        glue_tusen(w);
    }
    if (r)
        below_1000(w, r, g, lead && !t);
}

void sv_cardinal(struct words *w, uint64_t n, enum sv_gender g)
{
    static const char *const one[] = {"biljon", "miljard", "miljon"};
    static const char *const many[] = {"biljoner", "miljarder", "miljoner"};
    static const uint64_t scale[] = {1000000000000ULL, 1000000000ULL, 1000000ULL};
    int lead = 1;
    size_t i;

    words_add(w, "");
    if (n == 0 || n > SV_MAX_CARDINAL) {
        words_glue(w, "noll");
        return;
    }
    for (i = 0; i < 3; i++) {
        unsigned part = (unsigned)(n / scale[i]);
        if (!part)
            continue;
        words_add(w, "");
        below_million(w, part, SV_EN, 1);
        words_add(w, part == 1 ? one[i] : many[i]);
        n %= scale[i];
        lead = 0;
    }
    if (n) {
        words_add(w, "");
        below_million(w, (unsigned)n, g, lead);
    }
}

void sv_cardinal_hundreds(struct words *w, uint64_t n, enum sv_gender g)
{
    if (n < 1100 || n > 1999) {
        sv_cardinal(w, n, g);
        return;
    }
    words_add(w, "");
    below_100(w, (unsigned)(n / 100), SV_ETT);
    words_glue(w, "hundra");
    if (n % 100)
        below_100(w, (unsigned)(n % 100), g);
}

void sv_ordinal(struct words *w, uint64_t n, int masc)
{
    unsigned r = (unsigned)(n % 100);
    const char *last;

    if (n > SV_MAX_CARDINAL) {
        sv_cardinal(w, n, SV_ETT);
        return;
    }
    if (r == 0 && n) {
        sv_cardinal(w, n, SV_ETT);
        words_glue(w, w->b[w->n - 1] == 'n' ? "te" : "de"); /* hundrade, tusende, miljonte */
        return;
    }
    if (n - r)
        sv_cardinal(w, n - r, SV_ETT);
    else
        words_add(w, "");
    if (r >= 20 && r % 10 == 0) {
        words_glue(w, tens[r / 10]);
        words_glue(w, "nde");
        return;
    }
    if (r >= 20)
        words_glue(w, tens[r / 10]), r %= 10;
    last = small_ord[r];
    if (masc && r == 1)
        last = "förste";
    else if (masc && r == 2)
        last = "andre";
    words_glue(w, last);
}

void sv_digits(struct words *w, const char *d, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (d[i] >= '0' && d[i] <= '9')
            words_add(w, small[d[i] - '0']);
}

void sv_decimals(struct words *w, const char *d, size_t n)
{
    size_t zeros = 0;

    while (zeros < n && d[zeros] == '0')
        words_add(w, "noll"), zeros++;
    if (n - zeros == 0)
        return;
    if (n - zeros <= 2)
        sv_cardinal(w,
                    (uint64_t)(n - zeros == 2 ? (d[zeros] - '0') * 10 + d[zeros + 1] - '0'
                                              : d[zeros] - '0'),
                    SV_ETT);
    else
        sv_digits(w, d + zeros, n - zeros);
}

void sv_date(struct words *w, int d, int m, int y, int den)
{
    if (den)
        words_add(w, "den");
    sv_ordinal(w, (uint64_t)d, 0);
    words_add(w, sv_month_name(m));
    if (y > 0)
        sv_cardinal_hundreds(w, (uint64_t)y, SV_ETT);
}

void sv_time(struct words *w, int h, int min)
{
    sv_cardinal(w, (uint64_t)h, SV_ETT);
    if (min) {
        words_add(w, "och");
        sv_cardinal(w, (uint64_t)min, SV_ETT);
    }
}

const char *sv_month_name(int m)
{
    return m >= 1 && m <= 12 ? months[m] : "";
}

/* A month's short forms: its first three letters, and "sept". */
static int month_abbrev(const char *s, size_t n, size_t *used)
{
    char key[4];
    int m;

    if (n >= 4 && svtext_fold_eq(s, 4, "sept"))
        return *used = 4, 9;
    for (m = 1; n >= 3 && m <= 12; m++) {
        memcpy(key, months[m], 3);
        key[3] = '\0';
        if (svtext_fold_eq(s, 3, key))
            return *used = 3, m;
    }
    return 0;
}

int sv_month_parse(const char *s, size_t n, size_t *used)
{
    size_t wl = svtext_word_len(s, n, 0), k = 0;
    int m;

    for (m = 1; m <= 12; m++)
        if (svtext_fold_eq(s, wl, months[m]))
            return *used = wl, m;
    m = month_abbrev(s, n, &k);
    if (!m || k != wl)
        return 0;
    *used = k + (k < n && s[k] == '.');
    return m;
}

int sv_is_day_name(const char *s, size_t n)
{
    static const char *const days[] = {"måndag", "tisdag", "onsdag", "torsdag",
                                       "fredag", "lördag", "söndag"};
    size_t i;

    for (i = 0; i < 7; i++)
        if (svtext_fold_eq(s, n, days[i]))
            return 1;
    return 0;
}
