/* normalize_scan.c -- the scanner primitives every rule stands on, the lowest layer of the
 * normalizer: writing what a rule says (with the span back to the input, the space between
 * words, and nothing espeak-ng must not see), and what the rules look at around a position:
 * the word before it, the start of a sentence, dashes and spaces, and the gender a number
 * takes from the noun or unit after it ("1 barn" -> "ett", "1 vecka" -> "en"). All state is
 * in the struct scan: thread-safe. */
#include <stdint.h>
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

    if (k == 1 && c == '-' && i + 1 < sc->len && sc->s[i + 1] == '-')
        return 2; /* "2019--2021": a typewriter's en dash */
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

void scan_put(struct scan *sc, const char *bytes, size_t n, size_t at, size_t in_len, int exact)
{
    if (!sc->rc)
        sc->rc = normalized_add(sc->out, bytes, n, sc->base + at, in_len, exact, sc->e);
}

uint32_t scan_last_out(const struct scan *sc)
{
    uint32_t c = 0;

    if (!svtext_cp_before(sc->out->text.data, sc->out->text.len, &c))
        return 0;
    return c;
}

void scan_flush_space(struct scan *sc)
{
    uint32_t c = scan_last_out(sc);

    if (sc->pending && c && c != '\n')
        scan_put(sc, " ", 1, sc->sp_at, sc->sp_len, 0);
    sc->pending = 0;
}

/* A word written right after another one needs a space between them. */
static int runs_into(uint32_t prev, uint32_t next)
{
    int prev_word = svtext_is_letter(prev) || (prev >= '0' && prev <= '9') ||
                    (prev && prev < 0x80 && strchr(",.;:!?)", (int)prev));
    return prev_word && (svtext_is_letter(next) || (next >= '0' && next <= '9'));
}

/* Code points Unicode has not assigned: espeak-ng 1.51 must not see them, as some (U+0DE4
 * in the Sinhala block) make it read memory it has freed. Nobody can read them anyway. */
static int is_unsafe(uint32_t c)
{
    return !unicode_is_assigned(c);
}

/* Characters nobody reads: soft hyphen, zero-width spaces and joiners, BOM, unassigned. */
int scan_is_invisible(uint32_t c)
{
    return c == 0xAD || (c >= 0x200B && c <= 0x200D) || c == 0x2060 || c == 0xFEFF || is_unsafe(c);
}

/* A decimal digit of another script ("৩") is written as its ASCII digit, which every voice
 * reads: espeak-ng 1.51 reads freed memory on some of them (Bengali, Gurmukhi, Gujarati,
 * Tamil and Sinhala digits). 1 when c was one. */
int scan_put_digit(struct scan *sc, size_t i, size_t k, uint32_t c)
{
    int d = c < 0x80 ? -1 : unicode_digit_value(c);
    char ascii = (char)('0' + d);

    if (d < 0)
        return 0;
    scan_flush_space(sc);
    scan_put(sc, &ascii, 1, i, k, 0);
    return 1;
}

/* Copies [at, at + n) less what espeak-ng must not see (see is_unsafe and put_digit). */
static void copy_safe(struct scan *sc, size_t at, size_t n)
{
    size_t i = at, run = at, k;
    uint32_t c;

    while (i < at + n && (k = svtext_cp(sc->s, at + n, i, &c))) {
        if (is_unsafe(c) || (c >= 0x80 && unicode_digit_value(c) >= 0)) {
            scan_put(sc, sc->s + run, i - run, run, i - run, 1);
            if (!is_unsafe(c))
                scan_put_digit(sc, i, k, c);
            run = i + k;
        }
        i += k;
    }
    scan_put(sc, sc->s + run, at + n - run, run, at + n - run, 1);
}

void scan_copy(struct scan *sc, size_t at, size_t n)
{
    uint32_t c;

    scan_flush_space(sc);
    if (sc->said_last && svtext_cp(sc->s, sc->len, at, &c) && svtext_is_letter(c) &&
        runs_into(scan_last_out(sc), c))
        scan_put(sc, " ", 1, at, 0, 0);
    copy_safe(sc, at, n);
    sc->said_last = 0;
}

void scan_say(struct scan *sc, size_t at, size_t n, const char *text, size_t tlen)
{
    uint32_t c;

    scan_flush_space(sc);
    if (tlen == 0)
        return;
    if (svtext_cp(text, tlen, 0, &c) && runs_into(scan_last_out(sc), c))
        scan_put(sc, " ", 1, at, 0, 0);
    scan_put(sc, text, tlen, at, n, 0);
    sc->said_last = 1;
}

void scan_say_words(struct scan *sc, size_t at, size_t n, const struct words *w)
{
    scan_say(sc, at, n, w->b, w->n);
}

void scan_period_after(struct scan *sc, size_t end)
{
    size_t q = scan_skip_space(sc, end);
    uint32_t c;

    if (!end || sc->s[end - 1] != '.')
        return;
    if (q > end && q < sc->len &&
        rules_find_law(sc->rules, sc->s + q, svtext_word_len(sc->s, sc->len, q)))
        return; /* "5 § 2 st. KL": the law the reference is in, not a new sentence */
    if (q == sc->len || (q > end && svtext_cp(sc->s, sc->len, q, &c) && svtext_is_upper(c)))
        scan_say(sc, end - 1, 1, ".", 1);
}
