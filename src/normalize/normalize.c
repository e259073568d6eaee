/* normalize.c -- turns written text into the text to be spoken, keeping an offset map.
 *
 * The driver: it checks the UTF-8, cuts the text into lines (kept: one output line per
 * input line), collapses white space of every Unicode kind, drops invisible characters
 * (soft hyphen, zero-width spaces, BOM), trims each line, and hands each position to the
 * rules in normalize_num.c and normalize_word.c, which say what is written there. Every
 * output byte is recorded in a span pointing back into the input. No globals: thread-safe. */
#include "normalize.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "normalize_num.h"
#include "normalize_scan.h"
#include "normalize_token.h"

#include "banned.h"

/* A line mostly in capitals is shouted text, not a row of acronyms. */
static int shouted(const char *s, size_t n)
{
    size_t i, upper = 0, lower = 0;

    for (i = 0; i < n; i++) {
        unsigned char b = (unsigned char)s[i];
        if (b >= 'A' && b <= 'Z')
            upper++;
        else if (b >= 'a' && b <= 'z')
            lower++;
        else if (i && (unsigned char)s[i - 1] == 0xC3 && b >= 0x80 && b <= 0xBF)
            b < 0xA0 ? upper++ : lower++;
    }
    return upper >= 12 && lower * 3 < upper;
}

/* Hands position i (a non-space character c) to the rule for its kind of character. */
static size_t rule_at(struct scan *sc, size_t i, uint32_t c)
{
    if (c >= '0' && c <= '9')
        return norm_number(sc, i);
    if (svtext_is_letter(c))
        return norm_word(sc, i);
    if (c == '+' || c == 0xB1 || svtext_is_dash(c))
        return norm_sign(sc, i);
    return norm_symbol(sc, i);
}

/* A run of white space grows; it becomes one space before the next word, or nothing at the
 * end of the line. */
static void note_space(struct scan *sc, size_t i, size_t k)
{
    if (!sc->pending) {
        sc->sp_at = i;
        sc->sp_len = 0;
    }
    sc->pending = 1;
    sc->sp_len += k;
}

/* Normalizes one line (no '\n' inside) starting at input offset base. */
static int normalize_line(struct scan *sc)
{
    size_t i = 0, k, used;
    uint32_t c;

    sc->shouting = shouted(sc->s, sc->len);
    while (i < sc->len && !sc->rc) {
        k = svtext_cp(sc->s, sc->len, i, &c);
        if (svtext_is_space(c)) {
            note_space(sc, i, k);
        } else if (!scan_is_invisible(c) && !scan_put_digit(sc, i, k, c)) {
            used = rule_at(sc, i, c);
            if (!used)
                scan_copy(sc, i, used = k);
            k = used;
        }
        i += k;
    }
    sc->pending = 0;
    return sc->rc;
}

/* A line in another language: its words copied, white space collapsed, ends trimmed. */
static int space_only_line(struct scan *sc)
{
    size_t i = 0, k;
    uint32_t c;

    while (i < sc->len && !sc->rc) {
        k = svtext_cp(sc->s, sc->len, i, &c);
        if (svtext_is_space(c)) {
            note_space(sc, i, k);
        } else if (!scan_is_invisible(c) && !scan_put_digit(sc, i, k, c)) {
            scan_flush_space(sc);
            if (c == '[' && scan_last_out(sc) == '[')
                scan_put(sc, " ", 1, i, 0, 0); /* never "[[": espeak-ng's phoneme brackets */
            scan_put(sc, sc->s + i, k, i, k, 1);
        }
        i += k;
    }
    sc->pending = 0;
    return sc->rc;
}

static int foreign_line(const char *lang, const char *const *langs, size_t nlines, size_t line)
{
    const char *l = langs && line < nlines ? langs[line] : NULL;

    return lang && l && *l && !svtext_same_lang(l, lang);
}

int normalize_text_langs(const struct norm_rules *rules, unsigned flags, const char *in, size_t len,
                         const char *lang, const char *const *line_langs, size_t nlines,
                         struct normalized *out, struct err *e)
{
    struct scan sc = {.rules = rules, .flags = flags, .out = out, .e = e};
    size_t start = 0, end, bad, line = 0;
    const char *nl;
    int rc;

    buf_reset(&out->text);
    out->nspans = 0;
    if (!utf8_valid(in, len, &bad))
        return err_set(e, LY_EUTF8, "invalid UTF-8 at byte %zu", bad);
    while (start <= len) {
        nl = memchr(in + start, '\n', len - start);
        end = nl ? (size_t)(nl - in) : len;
        sc.s = in + start, sc.len = end - start, sc.base = start;
        sc.said_last = 0;
        if (foreign_line(lang, line_langs, nlines, line++))
            rc = space_only_line(&sc);
        else
            rc = normalize_line(&sc);
        if (rc)
            return rc;
        if (!nl)
            break;
        rc = normalized_add(out, "\n", 1, end, 1, 1, e);
        if (rc)
            return rc;
        start = end + 1;
    }
    return LY_OK;
}

int normalize_text(const struct norm_rules *rules, unsigned flags, const char *in, size_t len,
                   struct normalized *out, struct err *e)
{
    return normalize_text_langs(rules, flags, in, len, NULL, NULL, 0, out, e);
}

/* 1 when the '.' at s[p] ends a sentence rather than an abbreviation or a number: the word
 * before it is two letters or more, stands alone ("t.ex." does not) and is not listed. */
static int full_stop(const struct norm_rules *rules, const char *s, size_t n, size_t p)
{
    size_t w = p, k, letters = 0, used = 0;
    uint32_t c;

    while ((k = svtext_cp_before(s, w, &c)) && svtext_is_letter(c))
        w -= k, letters++;
    if (letters < 2 || (k && !svtext_is_space(c)))
        return 0;
    return !rules_match_abbr(rules, s + w, n - w, &used) || w + used <= p;
}

size_t normalize_sentence_cut(const struct norm_rules *rules, const char *s, size_t n, size_t min)
{
    size_t p, q, k;
    uint32_t c;

    for (p = min; p < n; p++) {
        if (s[p] != '.' && s[p] != '!' && s[p] != '?')
            continue;
        q = p + 1 + svtext_space_len(s, n, p + 1);
        if (q == p + 1 || !(k = svtext_cp(s, n, q, &c)) || !svtext_is_upper(c))
            continue;
        if (s[p] != '.' || full_stop(rules, s, n, p))
            return p + 1;
    }
    return n;
}

/* What may close a sentence after its full stop: quotes and brackets. */
static int closing(uint32_t c)
{
    return c == '"' || c == '\'' || c == ')' || c == ']' || c == 0x201D || c == 0x2019 || c == 0xBB;
}

int normalize_sentence_ended(const struct norm_rules *rules, const char *s, size_t n)
{
    size_t p = n, k;
    uint32_t c = 0;

    while ((k = svtext_cp_before(s, p, &c)) && (svtext_is_space(c) || closing(c)))
        p -= k;
    if (!k)
        return 0;
    p -= k;
    return c == '!' || c == '?' || (c == '.' && full_stop(rules, s, n, p));
}
