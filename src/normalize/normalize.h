/* normalize.h -- written text in, the text espeak-ng should say out, with a map back.
 *
 * Every output byte can be traced to the input bytes it came from, so speech marks
 * computed on the spoken text still point into the text the user wrote: an expansion maps
 * as a whole to what was written ("2016-04-26" -> "den tjugosjätte april tvåtusensexton",
 * every word of it pointing at the date). Line breaks are kept: one output line per input
 * line. Swedish rules (numbers, dates, times, amounts, units, abbreviations, acronyms, web
 * addresses) are built in; the word lists they use are data in voices/sv/. */
#ifndef LYSSNA_NORMALIZE_H
#define LYSSNA_NORMALIZE_H

#include <stddef.h>

#include "base/base.h"

struct err;
struct norm_rules; /* opaque: the loaded word lists */

/* A run of output bytes and the input bytes it stands for. exact runs are byte-for-byte
 * copies; other runs (a collapsed space, an expansion) map as a whole. */
struct norm_span {
    size_t out, out_len;
    size_t in, in_len;
    int exact;
};

struct normalized {
    struct buf text; /* the spoken text */
    struct norm_span *spans;
    size_t nspans, cap;
};

/* normalize_text flags */
/* The language the rules are written for: text in any other goes to espeak-ng as it is,
 * and espeak-ng's own rules read its numbers, dates and abbreviations. */
#define NORMALIZE_LANG "sv"

#define NORMALIZE_PHONEMES 1u /* say lexicon words as espeak-ng [[phonemes]] (for synthesis) */

void normalized_init(struct normalized *n, size_t max);
void normalized_release(struct normalized *n);

/* Loads the word lists in dir (voices/sv): abbreviations.tsv, units.tsv, acronyms.tsv,
 * lexicon.tsv, nouns.tsv, regnal.tsv, laws.tsv, parties.tsv. Never fails: a missing file or
 * a broken line is reported through warn ("FILE:LINE: problem"; NULL prints it on stderr)
 * and skipped. The result is read-only and may be shared by threads; free it with
 * normalize_rules_free. */
struct norm_rules *normalize_rules_load(const char *dir, void (*warn)(void *ctx, const char *msg),
                                        void *ctx);
void normalize_rules_free(struct norm_rules *r); /* NULL is a no-op */

/* The editors' lexicon over base (which may be NULL, and must outlive the result): edits
 * holds lines "WRITTEN<TAB>SAY", SAY a respelling or "[[PHONEMES]]" (espeak-ng's). Its words
 * and phrases are matched first, whole words (a genitive s kept), ignoring case unless the
 * written form has capitals (then as written, or in capitals throughout). Lines that are not
 * entries are skipped. Free the result with normalize_rules_free (base stays). */
struct norm_rules *normalize_rules_edited(const struct norm_rules *base, const char *edits,
                                          size_t len);

/* Normalizes len bytes of valid UTF-8 at in into out (which is reset first). rules may be
 * NULL: the built-in rules still apply, the word lists do not. Text that could pass for
 * espeak-ng's phoneme brackets "[[" never reaches the output as such. Thread-safe. */
int normalize_text(const struct norm_rules *rules, unsigned flags, const char *in, size_t len,
                   struct normalized *out, struct err *e);

/* normalize_text, except that line i (0-based) whose language line_langs[i] (NULL or
 * absent: lang) is not lang is only cleaned of extra white space: Swedish rules do not
 * apply to an English quotation. line_langs may be NULL. */
int normalize_text_langs(const struct norm_rules *rules, unsigned flags, const char *in, size_t len,
                         const char *lang, const char *const *line_langs, size_t nlines,
                         struct normalized *out, struct err *e);

/* Where the n bytes at s may be cut into parts that are normalized and spoken apart without
 * changing what is said: just after the first sentence end at or after offset min (a full
 * stop after a word that is not an abbreviation, or '!' or '?', then white space and a
 * capital letter). n when there is none. Lets a long paragraph start speaking at once. */
size_t normalize_sentence_cut(const struct norm_rules *rules, const char *s, size_t n, size_t min);

/* 1 when the n bytes at s end a sentence as they stand, before any more text has come: their
 * last character (white space, closing quotes and brackets aside) is '!', '?' or a full stop
 * that normalize_sentence_cut would take, after a word that is not an abbreviation. A full
 * stop after a number ("kl. 14." may go on "30"), a single letter ("t." of "t.ex.") or an
 * abbreviation ("osv.", "kl.") does not end it yet: more text decides. Lets text that comes in
 * pieces be spoken as soon as a sentence is whole. */
int normalize_sentence_ended(const struct norm_rules *rules, const char *s, size_t n);

/* Appends n bytes that stand for input [in, in + in_len) to out; exact says the bytes are a
 * copy of the input's. For stages that build spoken text from pieces (SSML). */
int normalized_add(struct normalized *out, const char *bytes, size_t n, size_t in, size_t in_len,
                   int exact, struct err *e);

/* Maps the output range [start, end) back to the input range it came from. */
void normalized_source(const struct normalized *n, size_t start, size_t end, size_t *in_start,
                       size_t *in_end);

#endif
