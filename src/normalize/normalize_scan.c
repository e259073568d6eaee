/* normalize_ctx.c -- what the rules look at around a position: the word before it, the
 * start of a sentence, dashes and spaces, and the gender a number takes from the noun or
 * unit after it ("1 barn" -> "ett", "1 vecka" -> "en"). Reads only: thread-safe. */
#include <string.h>

#include "base/base.h"
#include "normalize_scan.h"

#include "banned.h"

size_t scan_skip_space(const struct scan *sc, size_t i)
{
    return i + svtext_space_len(sc->s, sc->len, i);
}

size_t scan_dash(const struct scan *sc, size_t i)
{
    uint32_t c;
    size_t k = svtext_cp(sc->s, sc->len, i, &c);

    return k && svtext_is_dash(c) ? k : 0;
}

size_t scan_prev_word(const struct scan *sc, size_t i, size_t *wlen)
{
    size_t k, end;
    uint32_t c;

    *wlen = 0;
    while ((k = svtext_cp_before(sc->s, i, &c)) && svtext_is_space(c))
        i -= k;
    if (i && sc->s[i - 1] == '.')
        i--;
    end = i;
    while ((k = svtext_cp_before(sc->s, i, &c)) && svtext_is_letter(c))
        i -= k;
    *wlen = end - i;
    return i;
}

int scan_word_in(const struct scan *sc, size_t at, size_t n, const char *const *list)
{
    for (; n && *list; list++)
        if (svtext_fold_eq(sc->s + at, n, *list))
            return 1;
    return 0;
}

int scan_sentence_start(const struct scan *sc, size_t at)
{
    size_t k;
    uint32_t c;

    while ((k = svtext_cp_before(sc->s, at, &c)) && svtext_is_space(c))
        at -= k;
    return at == 0 || (k && c < 0x80 && strchr(".!?:", (int)c));
}

/* Words after a number that do not make it "en": "1 av 3", "1 och 2". */
static const char *const neutral[] = {"av",  "och",  "eller", "till", "i",   "på",   "för", "om",
                                      "med", "per",  "à",     "a",    "vid", "från", "har", "är",
                                      "var", "blir", "st",    "som",  "mot", NULL};

enum sv_gender scan_gender_at(const struct scan *sc, size_t i)
{
    const struct norm_entry *u;
    size_t used, n;
    uint32_t c;
    int g;

    i = scan_skip_space(sc, i);
    u = rules_match_unit(sc->rules, sc->s + i, sc->len - i, &used);
    if (u)
        return u->gender;
    n = svtext_word_len(sc->s, sc->len, i);
    if (!n || !svtext_cp(sc->s, sc->len, i, &c) || svtext_is_upper(c))
        return SV_ETT;
    g = rules_noun_gender(sc->rules, sc->s + i, n);
    if (g >= 0)
        return (enum sv_gender)g;
    if (scan_word_in(sc, i, n, neutral))
        return SV_ETT;
    if (n > 3 && !memcmp(sc->s + i + n - 2, "tt", 2)) /* "nytt", "litet" is rarer */
        return SV_ETT;
    return SV_EN;
}
