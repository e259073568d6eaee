/* normalize_web.c -- e-mail and web addresses, said piece by piece: "anna.berg@kommun.se"
 * -> "anna punkt berg snabel a kommun punkt se", "www." spelled, "https://" left unsaid.
 * An address is recognised by its '@', its "www."/"http" start, or a known top-level
 * domain at its end, so "t.ex." stays an abbreviation. Thread-safe. */
#include <string.h>

#include "base/base.h"
#include "normalize_addr.h"
#include "normalize_scan.h"

#include "banned.h"

static const char *const tlds[] = {"se", "nu", "com", "org", "net", "eu",  "info", "io",  "fi",
                                   "no", "dk", "de",  "uk",  "gov", "edu", "int",  "app", NULL};

/* End of the run of non-space characters at i, without trailing punctuation. */
static size_t token_end(const struct scan *sc, size_t i)
{
    size_t p = i, k;
    uint32_t c;

    while ((k = svtext_cp(sc->s, sc->len, p, &c)) && !svtext_is_space(c))
        p += k;
    while (p > i && strchr(".,;:!?)]}\"'", sc->s[p - 1]))
        p--;
    while ((k = svtext_cp_before(sc->s, p, &c)) && p - k > i &&
           (c == 0xBB || c == 0x201D || c == 0x2019))
        p -= k;
    return p;
}

static int is_tld(const struct scan *sc, size_t at, size_t end)
{
    const char *const *t;

    for (t = tlds; *t; t++)
        if (svtext_fold_eq(sc->s + at, end - at, *t))
            return 1;
    return 0;
}

/* Host names: letters, digits, '-' and '.', ending in ".tld", two labels at least. */
static int ends_in_domain(const struct scan *sc, size_t i, size_t end)
{
    size_t p, dot = 0;

    for (p = i; p < end && sc->s[p] != '/' && sc->s[p] != '?'; p++) {
        if (sc->s[p] == '.')
            dot = p;
        else if (sc->s[p] == '@' || sc->s[p] == ':' || sc->s[p] == ',')
            return 0;
    }
    return dot > i && dot + 1 < p && is_tld(sc, dot + 1, p);
}

static int is_address(const struct scan *sc, size_t i, size_t end)
{
    const char *at = memchr(sc->s + i, '@', end - i);

    if (at)
        return at > sc->s + i && ends_in_domain(sc, (size_t)(at - sc->s) + 1, end);
    if (svtext_fold_prefix(sc->s + i, end - i, "www.") ||
        svtext_fold_prefix(sc->s + i, end - i, "http://") ||
        svtext_fold_prefix(sc->s + i, end - i, "https://"))
        return end - i > 8;
    return ends_in_domain(sc, i, end);
}

static const char *separator_word(char c)
{
    static const char *const names[][2] = {
        {".", "punkt"},       {"@", "snabel a"}, {"/", "snedstreck"},  {"-", "bindestreck"},
        {"_", "understreck"}, {":", "kolon"},    {"?", "frågetecken"}, {"=", "lika med"},
        {"&", "och"},         {"#", "brädgård"}, {"%", "procent"},     {"+", "plus"},
        {"~", "tilde"}};
    size_t j;

    for (j = 0; j < sizeof(names) / sizeof(names[0]); j++)
        if (names[j][0][0] == c)
            return names[j][1];
    return "";
}

/* One run of letters or digits in an address. */
static void say_piece(struct scan *sc, size_t at, size_t n)
{
    struct words w;

    words_reset(&w);
    if (sc->s[at] >= '0' && sc->s[at] <= '9') {
        sv_digits(&w, sc->s + at, n);
    } else if (svtext_fold_eq(sc->s + at, n, "www")) {
        words_add(&w, "w w w");
    } else {
        scan_copy(sc, at, n);
        return;
    }
    scan_say_words(sc, at, n, &w);
}

static size_t scheme_len(const struct scan *sc, size_t i, size_t end)
{
    size_t k = svtext_fold_prefix(sc->s + i, end - i, "https://");

    return k ? k : svtext_fold_prefix(sc->s + i, end - i, "http://");
}

size_t norm_web(struct scan *sc, size_t i)
{
    size_t end = token_end(sc, i), stop = end, p, k;
    const char *word;
    uint32_t c;

    if (end <= i + 3 || !is_address(sc, i, end))
        return 0;
    p = i + scheme_len(sc, i, end);
    if (p > i)
        scan_say(sc, i, p - i, "", 0);
    while (stop > p && sc->s[stop - 1] == '/')
        stop--; /* a trailing slash is not said */
    while (p < stop) {
        k = svtext_word_len(sc->s, stop, p);
        if (!k)
            k = svtext_digits_len(sc->s, stop, p);
        if (k) {
            say_piece(sc, p, k);
            p += k;
            continue;
        }
        k = svtext_cp(sc->s, stop, p, &c);
        word = separator_word(sc->s[p]);
        scan_say(sc, p, k ? k : 1, word, strlen(word));
        p += k ? k : 1;
    }
    return end - i;
}
