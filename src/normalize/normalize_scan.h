/* normalize_scan.h -- the scanner the normalize*.c files share (internal), the lowest layer
 * of the normalizer: rules include it, it includes no rule. One struct scan
 * per line being normalized; rules look at the line around a position, say what they read
 * through scan_say (which maps the words to the written bytes) and return how many bytes
 * they consumed, 0 when they do not apply. All state is in the struct: thread-safe. */
#ifndef LYSSNA_NORMALIZE_SCAN_H
#define LYSSNA_NORMALIZE_SCAN_H

#include <stddef.h>
#include <stdint.h>

#include "base/base.h"
#include "normalize.h"
#include "normalize_rules.h"

struct scan {
    const char *s; /* the line, without its '\n' */
    size_t len;
    size_t base; /* the line's offset in the whole input */
    const struct norm_rules *rules;
    unsigned flags;
    struct normalized *out;
    struct err *e;
    int rc;      /* first failure (output over its cap) */
    int pending; /* white space seen and not yet written */
    size_t sp_at, sp_len;
    int said_last; /* the last output came from a rule */
    int shouting;  /* the line is mostly capitals: do not spell its words */
};

/* Copies s[at, at + n) as it is. */
void scan_copy(struct scan *sc, size_t at, size_t n);
/* Says text for the written s[at, at + n); a space goes before it when it would otherwise
 * run into the previous word. */
void scan_say(struct scan *sc, size_t at, size_t n, const char *text, size_t tlen);
void scan_say_words(struct scan *sc, size_t at, size_t n, const struct words *w);
/* Writes the pending white space, if any. */
void scan_flush_space(struct scan *sc);

/* The word before position i, skipping white space and one '.'; returns its start and sets
 * *wlen (0 when there is none, or punctuation other than '.' comes first). */
size_t scan_prev_word(const struct scan *sc, size_t i, size_t *wlen);
/* 1 when the n bytes at s[at] equal one of the folded words in list (NULL-terminated). */
int scan_word_in(const struct scan *sc, size_t at, size_t n, const char *const *list);
/* 1 when the word at `at` begins a sentence: nothing but white space, or .!?: before it. */
int scan_sentence_start(const struct scan *sc, size_t at);
/* The gender a number standing before position i takes: from the unit or noun that
 * follows (SV_ETT when nothing tells). */
enum sv_gender scan_gender_at(const struct scan *sc, size_t i);
/* Position after white space at i (at most one run). */
size_t scan_skip_space(const struct scan *sc, size_t i);
/* Bytes of a dash (any kind, or "--" for one) at i, or 0. */
size_t scan_dash(const struct scan *sc, size_t i);

/* Writes n output bytes standing for the input's [at, at + in_len); exact when they are a
 * copy of it. The first failure is kept in sc->rc. */
void scan_put(struct scan *sc, const char *bytes, size_t n, size_t at, size_t in_len, int exact);
/* The last code point written (0 for none). */
uint32_t scan_last_out(const struct scan *sc);
/* Soft hyphen, zero-width characters, BOM and unassigned code points: never written. */
int scan_is_invisible(uint32_t c);
/* Writes a decimal digit of another script, k bytes at i, as its ASCII digit; 1 when c was
 * one. */
int scan_put_digit(struct scan *sc, size_t i, size_t k, uint32_t c);
/* Says an abbreviation's period as a full stop when it also ends the sentence. */
void scan_period_after(struct scan *sc, size_t end);

#endif
