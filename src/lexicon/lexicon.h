/* lexicon.h -- the public face of lexicon/: the pronunciation lexicon web editors keep, in
 * an SQLite file that every instance sharing the data folder reads. An entry says how a
 * word or phrase is said (a Swedish respelling, or espeak-ng phonemes "[[...]]") in one
 * language, on every site or on one host. Every change is kept in a history and can be
 * undone. The shipped word lists (voices/sv/) stay beneath it: the normalizer tries these
 * entries first (normalize_rules_edited).
 *
 * The synthesis workers never open the file: the service finds the entries a text uses
 * (lexicon_used) and sends them with the text, and the audio's cache key holds exactly
 * those, so that a change retires only the audio whose text has the changed word.
 * A struct lexicon is safe from any thread. */
#ifndef LYSSNA_LEXICON_H
#define LYSSNA_LEXICON_H

#include <stddef.h>

#include "base/base.h"

struct err;
struct lexicon;

#define LEXICON_TEXT_MAX 64  /* bytes of the written form (the normalizer's longest key) */
#define LEXICON_SAY_MAX  260 /* bytes of how it is said, brackets included */
#define LEXICON_NOTE_MAX 500
#define LEXICON_LIST_MAX 500 /* entries a search answers at most */

struct lexicon_entry {
    long long id;
    char text[LEXICON_TEXT_MAX + 1]; /* "Nynäshamn", "Sankt Olof" */
    char say[LEXICON_SAY_MAX + 1];   /* "nynäs-hamn" or "[[n,y:nE-sh'amn]]" */
    char lang[16];                   /* "sv" */
    char scope[256];                 /* "" for every site, else one host */
    char note[LEXICON_NOTE_MAX + 1];
    char who[64];      /* the key's name that changed it last */
    long long changed; /* when, in seconds since 1970 */
};

struct lexicon_list {
    struct lexicon_entry *e;
    size_t n, cap;
};

void lexicon_list_release(struct lexicon_list *l); /* a zeroed list is fine */

/* lexicon_io.c: checking and the CSV/TSV files municipalities share. */

/* Checks an entry's fields as given by a person and trims spaces at their ends: text a word
 * or phrase (letters, digits, single spaces, '-', '\'', '.'; starting with a letter), say a
 * respelling (letters, spaces, '-', '\'') or "[[PHONEMES]]" (printable ASCII), lang a
 * language tag, scope "" or a host name, note any text. LY_EUSAGE naming the field, LY_EUTF8
 * for text that is not UTF-8. */
int lexicon_check(struct lexicon_entry *en, struct err *e);
/* The phonemes of say (without the brackets) into out, or 0 when say is a respelling. */
int lexicon_phonemes(const char *say, char out[LEXICON_SAY_MAX + 1]);

/* Parses a CSV (comma or semicolon) or TSV file: a header line naming the columns (text, say,
 * lang, scope, note; text and say required, in any order), then an entry a line; quotes as in
 * RFC 4180 in CSV, none in TSV (a cell holds no TAB). Every entry is checked (lexicon_check; a
 * missing lang is "sv"). On any problem nothing is kept: LY_EPARSE with one line per problem in
 * problems ("line N: what"), at most 50 of them; an empty file is LY_EEMPTY. */
int lexicon_parse(const char *data, size_t len, struct lexicon_list *out, struct buf *problems,
                  struct err *e);
/* Writes l as CSV (tsv 0) or TSV; cells a spreadsheet would run as a formula (starting with
 * =, +, -, @, TAB or CR) get a leading apostrophe. */
void lexicon_format(const struct lexicon_list *l, int tsv, struct buf *out);

/* lexicon.c: the store. */

/* Opens (creating) the lexicon at path: WAL, a busy timeout, and an integrity check of the
 * file first (LY_EIO when it fails: a damaged lexicon is not used). */
struct lexicon *lexicon_open(const char *path, struct err *e);
void lexicon_free(struct lexicon *lx); /* NULL is a no-op */

/* Changes, each in one transaction with its history row; who is the changer's key name.
 * LY_EBUSY when another writer held the file past the busy timeout, LY_EUSAGE for an entry
 * given twice (same text, language and scope), LY_EINPUT when id names no entry. */
int lexicon_add(struct lexicon *lx, const struct lexicon_entry *en, const char *who, long long *id,
                struct err *e);
int lexicon_update(struct lexicon *lx, long long id, const struct lexicon_entry *en,
                   const char *who, struct err *e);
int lexicon_remove(struct lexicon *lx, long long id, const char *who, struct err *e);
/* Adds every entry of l, or none (an entry that is there already is changed). */
int lexicon_import(struct lexicon *lx, const struct lexicon_list *l, const char *who,
                   struct err *e);
/* Undoes change number change of the history (an undo is itself a change). */
int lexicon_undo(struct lexicon *lx, long long change, const char *who, struct err *e);

/* Entries whose written form contains q ignoring case (q "" or NULL: all, up to max; max 0:
 * no cap), in written order. */
int lexicon_search(struct lexicon *lx, const char *q, size_t max, struct lexicon_list *out,
                   struct err *e);
int lexicon_get(struct lexicon *lx, long long id, struct lexicon_entry *out, struct err *e);
/* The latest changes (newest first) as a JSON array into out: [{"change","at","who","action",
 * "id","before","after"}]. */
int lexicon_history(struct lexicon *lx, size_t max, struct buf *out, struct err *e);

/* lexicon_match.c: what a text uses. */

/* The entries text (len bytes) uses in language lang on host (NULL: none), as lines
 * "WRITTEN<TAB>SAY" in a fixed order, into out (reset first); empty when none. Takes notice
 * of changes by any process within a second. */
void lexicon_used(struct lexicon *lx, const char *text, size_t len, const char *lang,
                  const char *host, struct buf *out);
/* A number that changes whenever the lexicon may have (any process's change, seen as
 * lexicon_used sees them). */
unsigned long lexicon_generation(struct lexicon *lx);

#endif
