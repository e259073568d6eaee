/* normalize_phone.c -- phone numbers ("08-520 680 00", "+46 8 520 680 00", "ring 112"), read
 * digit by digit group by group with a pause between groups; signs ("-5" -> "minus fem",
 * "±2"); and the symbols said as words: §, ½, %, &, @. Also the full stop after an
 * abbreviation that ends a sentence. Thread-safe. */
#include <string.h>

#include "base/base.h"
#include "normalize_items.h"

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

/* A dash is a minus sign only where no word or number comes right before it. */
static int minus_here(const struct scan *sc, size_t i)
{
    uint32_t c;

    if (!svtext_cp_before(sc->s, i, &c))
        return 1;
    return svtext_is_space(c) || c == '(' || c == '[' || c == '/' || c == ':';
}

size_t norm_sign(struct scan *sc, size_t i)
{
    uint32_t c;
    size_t k = svtext_cp(sc->s, sc->len, i, &c), used;
    const char *word;

    if (!k)
        return 0;
    if (c == '+' && (used = norm_phone(sc, i)))
        return used;
    if (k + i >= sc->len || sc->s[i + k] < '0' || sc->s[i + k] > '9')
        return c == 0xB1 ? (scan_say(sc, i, k, "plus minus", 10), k) : 0;
    if (c == '+')
        word = "plus";
    else if (c == 0xB1)
        word = "plus minus";
    else if (minus_here(sc, i))
        word = "minus";
    else
        return 0;
    scan_say(sc, i, k, word, strlen(word));
    return k + norm_number(sc, i + k);
}

void norm_period_after(struct scan *sc, size_t end)
{
    size_t q = scan_skip_space(sc, end);
    uint32_t c;

    if (!end || sc->s[end - 1] != '.')
        return;
    if (q == sc->len || (q > end && svtext_cp(sc->s, sc->len, q, &c) && svtext_is_upper(c)))
        scan_say(sc, end - 1, 1, ".", 1);
}

static size_t say_fraction(struct scan *sc, size_t i)
{
    struct words w;
    size_t k;
    int a, b;

    k = items_vulgar(sc, i, &a, &b);
    if (!k)
        return 0;
    words_reset(&w);
    items_say_frac(&w, a, b, scan_gender_at(sc, i + k));
    scan_say_words(sc, i, k, &w);
    return k;
}

size_t norm_symbol(struct scan *sc, size_t i)
{
    static const char *const sym[][2] = {
        {"§§", "paragraferna"}, {"§", "paragraf"}, {"%", "procent"},        {"‰", "promille"},
        {"&", "och"},           {"@", "snabel a"}, {"°C", "grader celsius"}};
    size_t j, k;

    if (sc->s[i] == '[') {
        if (sc->out->text.len && sc->out->text.data[sc->out->text.len - 1] == '[')
            scan_say(sc, i, 0, " ", 1); /* never "[[": espeak-ng's phoneme brackets */
        scan_copy(sc, i, 1);
        return 1;
    }
    for (j = 0; j < sizeof(sym) / sizeof(sym[0]); j++)
        if ((k = svtext_prefix(sc->s + i, sc->len - i, sym[j][0]))) {
            scan_say(sc, i, k, sym[j][1], strlen(sym[j][1]));
            return k;
        }
    return say_fraction(sc, i);
}
