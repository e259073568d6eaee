/* normalize_rules.h -- the Swedish data the normalizer reads from voices/sv/ (internal to the
 * normalize*.c files): abbreviations, units, acronyms, the pronunciation lexicon, the gender
 * of nouns, regnal names, law abbreviations and political parties. Loaded once, then only read:
 * safe to share between threads. */
#ifndef LYSSNA_NORMALIZE_RULES_H
#define LYSSNA_NORMALIZE_RULES_H

#include <stddef.h>

#include "base/base.h"

struct norm_rules;

enum abbr_flag {
    ABBR_NUM = 1,    /* said only before a number ("bil. 3") */
    ABBR_CTX = 2,    /* a weekday that is also a word ("mån"): only in a list of days or times */
    ABBR_DAY = 4,    /* names a weekday: "mån–fre" is a range */
    ABBR_CASE = 8,   /* matched case-sensitively */
    ABBR_AGREE = 16, /* the spoken "-t" form agrees with the noun after it ("ev.") */
};

enum acro_kind { ACRO_SPELL, ACRO_WORD, ACRO_SAY };

/* laws.tsv's "ref": a law abbreviation that is also something else ("KL"), said as the law
 * only in a reference */
#define LAW_REF 1u

/* The editors' lexicon: kind says how a is said; EDIT_CASE in flags when the written form
 * has capitals, and so matches only as written or in capitals throughout. */
enum edit_kind { EDIT_RESPELL, EDIT_PHONEMES };
#define EDIT_CASE 16

/* One data line. For abbreviations: key written, a spoken, flags. Units: key written, a
 * singular, b plural, gender. Acronyms: key, kind, a spoken (ACRO_SAY). Lexicon: key word, a
 * phonemes. Edits: key folded, b as written, a respelling or phonemes. Nouns: key, gender. Regnal
 * names: key, gender (SV_EN masculine, SV_ETT feminine). Laws: key, kind (ACRO_SPELL or
 * ACRO_SAY), a spoken, flags LAW_REF. Parties: key, a name. */
struct norm_entry {
    char *key; /* folded unless the table is case-sensitive or the entry is ABBR_CASE */
    char *a, *b;
    unsigned flags;
    int kind;
    enum sv_gender gender;
    int line;
};

/* The longest abbreviation or unit written at s (n bytes) that ends at a word boundary;
 * *used is the bytes it covers. NULL when none (or r is NULL). */
const struct norm_entry *rules_match_abbr(const struct norm_rules *r, const char *s, size_t n,
                                          size_t *used);
const struct norm_entry *rules_match_unit(const struct norm_rules *r, const char *s, size_t n,
                                          size_t *used);
/* Whole-word look-ups (the n bytes at s are the word). NULL when absent. */
const struct norm_entry *rules_find_acronym(const struct norm_rules *r, const char *s, size_t n);
const struct norm_entry *rules_find_lexicon(const struct norm_rules *r, const char *s, size_t n);
const struct norm_entry *rules_find_regnal(const struct norm_rules *r, const char *s, size_t n);
const struct norm_entry *rules_find_law(const struct norm_rules *r, const char *s, size_t n);
const struct norm_entry *rules_find_party(const struct norm_rules *r, const char *s, size_t n);
/* The longest entry of the editors' lexicon written at s (n bytes; s is a word's start):
 * whole words only, or with a genitive s (*gen 1). *used is the bytes it covers. NULL when
 * none. */
const struct norm_entry *rules_match_edit(const struct norm_rules *r, const char *s, size_t n,
                                          size_t *used, int *gen);
/* The gender of a noun, from the list or from the last part of a compound ("bygglov" from
 * "lov"); -1 when unknown. */
int rules_noun_gender(const struct norm_rules *r, const char *s, size_t n);

#endif
