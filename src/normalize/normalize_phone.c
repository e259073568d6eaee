/* normalize_phone.c -- phone numbers ("08-520 680 00", "+46 8 520 680 00", "ring 112"), read
 * digit by digit group by group with a pause between groups. Calls only the scanner.
 * Thread-safe. */
#include <string.h>

#include "base/base.h"
#include "normalize_addr.h"
#include "normalize_scan.h"

#include "banned.h"

#define MAX_GROUPS 8

static const char *const phone_words[] = {
    "ring",    "ringa",         "ringer",      "ringde",    "ringt",      "tel",
    "telefon", "tfn",           "mobil",       "fax",       "sms",        "växel",
    "växeln",  "telefonnummer", "mobilnummer", "nödnummer", "larmnummer", NULL};

struct groups {
    size_t at[MAX_GROUPS], len[MAX_GROUPS];
    int n, digits;
    int spaced_first; /* the area code is followed by a space, not a dash */
};

/* Separator between phone digit groups at p: its length, or 0. */
static size_t phone_sep(const struct scan *sc, size_t p)
{
    uint32_t c;
    size_t k = svtext_cp(sc->s, sc->len, p, &c);

    if (!k || !(c == ' ' || c == 0xA0 || c == 0x202F || c == 0x2009 || svtext_is_dash(c)))
        return 0;
    return p + k < sc->len && sc->s[p + k] >= '0' && sc->s[p + k] <= '9' ? k : 0;
}

static size_t read_groups(const struct scan *sc, size_t i, struct groups *g)
{
    size_t p = i, k, sep;
    uint32_t c;

    memset(g, 0, sizeof(*g));
    while (g->n < MAX_GROUPS && (k = svtext_digits_len(sc->s, sc->len, p))) {
        g->at[g->n] = p, g->len[g->n] = k;
        g->n++, g->digits += (int)k;
        p += k;
        sep = phone_sep(sc, p);
        if (!sep)
            break;
        if (g->n == 1 && svtext_cp(sc->s, sc->len, p, &c))
            g->spaced_first = svtext_is_space(c);
        p += sep;
    }
    return g->n ? g->at[g->n - 1] + g->len[g->n - 1] : i;
}

static int looks_like_phone(const struct scan *sc, size_t i, const struct groups *g, int plus)
{
    size_t n, at = scan_prev_word(sc, i - (size_t)plus, &n);
    int j;

    if (plus)
        return g->digits >= 8 && g->digits <= 15 && g->n >= 2;
    if (scan_word_in(sc, at, n, phone_words))
        return g->digits >= 3 && g->digits <= 12;
    if (sc->s[i] != '0' || g->len[0] < 2 || g->len[0] > 4 || g->n < 2 + g->spaced_first ||
        g->digits < 7 || g->digits > 11)
        return 0;
    for (j = 1; j < g->n; j++)
        if (g->len[j] < 2 || g->len[j] > 4)
            return 0;
    return 1;
}

size_t norm_phone(struct scan *sc, size_t i)
{
    int plus = sc->s[i] == '+', j;
    size_t end, start = i + (size_t)plus;
    struct groups g;
    struct words w;

    end = read_groups(sc, start, &g);
    if (!looks_like_phone(sc, start, &g, plus))
        return 0;
    if (plus)
        scan_say(sc, i, 1, "plus", 4);
    for (j = 0; j < g.n; j++) {
        if (j) {
            size_t sep_at = g.at[j - 1] + g.len[j - 1];
            scan_say(sc, sep_at, g.at[j] - sep_at, ",", 1);
        }
        words_reset(&w);
        sv_digits(&w, sc->s + g.at[j], g.len[j]);
        scan_say_words(sc, g.at[j], g.len[j], &w);
    }
    return end - i;
}
