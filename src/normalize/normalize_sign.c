/* normalize_sign.c -- signs before numbers ("-5" -> "minus fem", "±2", "+46 ..." handed to
 * the phone rule) and the symbols said as words: §, %, &, @, °C, vulgar fractions. Above the
 * number rule it calls. Thread-safe. */
#include <string.h>

#include "base/base.h"
#include "normalize_addr.h"
#include "normalize_items.h"
#include "normalize_num.h"
#include "normalize_token.h"

#include "banned.h"

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

/* "Anna Andersson (V)": a party's letters in parentheses right after a capitalised word are
 * said as the party's name (parties.tsv), the parentheses kept as a pause. */
static size_t party(struct scan *sc, size_t i)
{
    const struct norm_entry *p;
    size_t close = i + 1, n, at, q = i, k;
    uint32_t c;

    while (close < sc->len && close < i + 6 && sc->s[close] >= 'A' && sc->s[close] <= 'Z')
        close++;
    if (close == i + 1 || close >= sc->len || sc->s[close] != ')' ||
        svtext_word_len(sc->s, sc->len, close + 1) ||
        svtext_digits_len(sc->s, sc->len, scan_skip_space(sc, close + 1)))
        return 0; /* "Copyright (C) 2020" */
    while ((k = svtext_cp_before(sc->s, q, &c)) && svtext_is_space(c))
        q -= k;
    at = scan_prev_word(sc, i, &n);
    if (!n || at + n != q || !svtext_cp(sc->s, sc->len, at, &c) || !svtext_is_upper(c))
        return 0;
    p = rules_find_party(sc->rules, sc->s + i + 1, close - i - 1);
    if (!p)
        return 0;
    scan_copy(sc, i, 1);
    scan_say(sc, i + 1, close - i - 1, p->a, strlen(p->a));
    scan_copy(sc, close, 1);
    return close + 1 - i;
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
    if (sc->s[i] == '(' && (k = party(sc, i)))
        return k;
    for (j = 0; j < sizeof(sym) / sizeof(sym[0]); j++)
        if ((k = svtext_prefix(sc->s + i, sc->len - i, sym[j][0]))) {
            scan_say(sc, i, k, sym[j][1], strlen(sym[j][1]));
            return k;
        }
    return say_fraction(sc, i);
}
