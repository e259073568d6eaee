/* lexicon_int.h -- what the files of lexicon/ share (private to src/lexicon/): the entries
 * held in memory for matching, made anew when the file changes. */
#ifndef LYSSNA_LEXICON_INT_H
#define LYSSNA_LEXICON_INT_H

#include <stdatomic.h>
#include <stddef.h>

#include "lexicon.h"

struct lex_word {
    char *first; /* the written form's first word, folded: what a text's words are looked up by */
    char *fold;  /* the whole written form, folded */
    const struct lexicon_entry *en;
};

/* Every entry, sorted by first word: shared by the threads matching while it is in force. */
struct lex_snapshot {
    struct lexicon_list entries;
    struct lex_word *w;
    size_t n;
    atomic_int refs;
};

/* lexicon_match.c: a snapshot of l (taken over; l is left empty) with one reference. */
struct lex_snapshot *lex_snapshot_new(struct lexicon_list *l);
/* Drops a reference; the last frees it. NULL is a no-op. */
void lex_snapshot_unref(struct lex_snapshot *s);

/* lexicon.c: the snapshot in force (refreshed first when another process or this one changed
 * the file, looked at once a second at most), with a reference for the caller; the
 * generation it belongs to in *gen. */
struct lex_snapshot *lex_snapshot_get(struct lexicon *lx, unsigned long *gen);

#endif
