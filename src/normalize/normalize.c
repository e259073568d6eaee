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
#include "normalize_scan.h"

#include "banned.h"

void normalized_init(struct normalized *n, size_t max)
{
    buf_init(&n->text, max);
    n->spans = NULL;
    n->nspans = n->cap = 0;
}

void normalized_release(struct normalized *n)
{
    buf_release(&n->text);
    free(n->spans);
    n->spans = NULL;
    n->nspans = n->cap = 0;
}

/* Appends out_len bytes standing for input [in, in + in_len); adjacent exact copies merge. */
static int emit(struct normalized *n, const char *bytes, size_t out_len, size_t in, size_t in_len,
                int exact, struct err *e)
{
    struct norm_span *last = n->nspans ? &n->spans[n->nspans - 1] : NULL;
    size_t at = n->text.len;
    int rc = buf_add(&n->text, bytes, out_len, e);

    if (rc || out_len == 0)
        return rc;
    if (exact && last && last->exact && last->out + last->out_len == at &&
        last->in + last->in_len == in) {
        last->out_len += out_len;
        last->in_len += in_len;
        return LY_OK;
    }
    if (n->nspans == n->cap) {
        n->cap = n->cap ? n->cap * 2 : 64;
        n->spans = xreallocarray(n->spans, n->cap, sizeof(*n->spans));
    }
    n->spans[n->nspans++] = (struct norm_span){at, out_len, in, in_len, exact};
    return LY_OK;
}

static void put(struct scan *sc, const char *bytes, size_t n, size_t at, size_t in_len, int exact)
{
    if (!sc->rc)
        sc->rc = emit(sc->out, bytes, n, sc->base + at, in_len, exact, sc->e);
}

static uint32_t last_out(const struct scan *sc)
{
    uint32_t c = 0;

    if (!svtext_cp_before(sc->out->text.data, sc->out->text.len, &c))
        return 0;
    return c;
}

void scan_flush_space(struct scan *sc)
{
    uint32_t c = last_out(sc);

    if (sc->pending && c && c != '\n')
        put(sc, " ", 1, sc->sp_at, sc->sp_len, 0);
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
static int is_invisible(uint32_t c)
{
    return c == 0xAD || (c >= 0x200B && c <= 0x200D) || c == 0x2060 || c == 0xFEFF || is_unsafe(c);
}

/* A decimal digit of another script ("৩") is written as its ASCII digit, which every voice
 * reads: espeak-ng 1.51 reads freed memory on some of them (Bengali, Gurmukhi, Gujarati,
 * Tamil and Sinhala digits). 1 when c was one. */
static int put_digit(struct scan *sc, size_t i, size_t k, uint32_t c)
{
    int d = c < 0x80 ? -1 : unicode_digit_value(c);
    char ascii = (char)('0' + d);

    if (d < 0)
        return 0;
    scan_flush_space(sc);
    put(sc, &ascii, 1, i, k, 0);
    return 1;
}

/* Copies [at, at + n) less what espeak-ng must not see (see is_unsafe and put_digit). */
static void copy_safe(struct scan *sc, size_t at, size_t n)
{
    size_t i = at, run = at, k;
    uint32_t c;

    while (i < at + n && (k = svtext_cp(sc->s, at + n, i, &c))) {
        if (is_unsafe(c) || (c >= 0x80 && unicode_digit_value(c) >= 0)) {
            put(sc, sc->s + run, i - run, run, i - run, 1);
            if (!is_unsafe(c))
                put_digit(sc, i, k, c);
            run = i + k;
        }
        i += k;
    }
    put(sc, sc->s + run, at + n - run, run, at + n - run, 1);
}

void scan_copy(struct scan *sc, size_t at, size_t n)
{
    uint32_t c;

    scan_flush_space(sc);
    if (sc->said_last && svtext_cp(sc->s, sc->len, at, &c) && svtext_is_letter(c) &&
        runs_into(last_out(sc), c))
        put(sc, " ", 1, at, 0, 0);
    copy_safe(sc, at, n);
    sc->said_last = 0;
}

void scan_say(struct scan *sc, size_t at, size_t n, const char *text, size_t tlen)
{
    uint32_t c;

    scan_flush_space(sc);
    if (tlen == 0)
        return;
    if (svtext_cp(text, tlen, 0, &c) && runs_into(last_out(sc), c))
        put(sc, " ", 1, at, 0, 0);
    put(sc, text, tlen, at, n, 0);
    sc->said_last = 1;
}

void scan_say_words(struct scan *sc, size_t at, size_t n, const struct words *w)
{
    scan_say(sc, at, n, w->b, w->n);
}

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
        } else if (!is_invisible(c) && !put_digit(sc, i, k, c)) {
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

int normalized_add(struct normalized *out, const char *bytes, size_t n, size_t in, size_t in_len,
                   int exact, struct err *e)
{
    return emit(out, bytes, n, in, in_len, exact, e);
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
        } else if (!is_invisible(c) && !put_digit(sc, i, k, c)) {
            scan_flush_space(sc);
            if (c == '[' && last_out(sc) == '[')
                put(sc, " ", 1, i, 0, 0); /* never "[[": espeak-ng's phoneme brackets */
            put(sc, sc->s + i, k, i, k, 1);
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
        rc = emit(out, "\n", 1, end, 1, 1, e);
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

/* The span holding output byte pos (spans are sorted and cover every output byte). */
static const struct norm_span *span_at(const struct normalized *n, size_t pos)
{
    size_t lo = 0, hi = n->nspans;

    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (n->spans[mid].out <= pos)
            lo = mid;
        else
            hi = mid;
    }
    return &n->spans[lo];
}

void normalized_source(const struct normalized *n, size_t start, size_t end, size_t *in_start,
                       size_t *in_end)
{
    const struct norm_span *s;

    if (n->nspans == 0 || start >= end || end > n->text.len) {
        *in_start = *in_end = 0;
        return;
    }
    s = span_at(n, start);
    *in_start = s->exact ? s->in + (start - s->out) : s->in;
    s = span_at(n, end - 1);
    *in_end = s->exact ? s->in + (end - 1 - s->out) + 1 : s->in + s->in_len;
}
