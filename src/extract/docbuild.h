/* docbuild.h -- inside extract/: the blocks a document reader (pdf.c, docx.c, odt.c, layout.c)
 * cuts, appended to the block list HTML extraction uses (extract_int.h) with a kind, a level
 * and an xpath naming the kind, so everything after extraction reads documents unchanged. Not
 * part of the folder's public face (extract.h). */
#ifndef LYSSNA_DOCBUILD_H
#define LYSSNA_DOCBUILD_H

#include <stddef.h>

#include "extract_int.h"

struct err;

/* What a block is; its xpath names it as the matching HTML element would
 * ("/document/h2[3]", "/document/ul[1]/li[2]", "/document/table[1]/tr[4]"). */
enum doc_kind { DOC_H1 = 1, DOC_H2, DOC_H3, DOC_H4, DOC_H5, DOC_H6, DOC_P, DOC_LI, DOC_TR };

struct docbuild {
    struct block_list list;
    unsigned count[DOC_TR + 1]; /* blocks of each kind at the top, for the xpath */
    unsigned nlists, ntables, sub;
    enum doc_kind last;
    int rc;
    struct err *e;
};

void docbuild_init(struct docbuild *d, size_t max_text, struct err *e);
void docbuild_release(struct docbuild *d);

/* A stretch of a block's text in a language of its own (a DOCX run's w:lang, an ODT span's
 * fo:language, a tagged PDF's Span /Lang): bytes [start, end) of the text docbuild_add_lang is
 * given, before it is cleaned. */
struct doc_run {
    size_t start, end;
    char lang[32];
};

/* The stretches a reader gathers for one block, in order. */
struct doc_runs {
    struct doc_run *r;
    size_t n, cap;
};

/* Appends [start, end) in lang (NULL or "": nothing), joined to the one before when that is in
 * the same language and ends where this starts (a word processor cuts a phrase into runs). */
void doc_runs_add(struct doc_runs *rs, size_t start, size_t end, const char *lang);
void doc_runs_release(struct doc_runs *rs);

/* Adds a block of kind k: whitespace is collapsed, soft hyphens and control characters
 * dropped, a leading bullet turns a paragraph into a list item. Empty text adds nothing.
 * Past max_text, d->rc becomes LY_ETOOBIG and nothing more is added. A DOC_TR right after
 * another DOC_TR continues the same table (new_group starts another one; same for lists). */
void docbuild_add(struct docbuild *d, enum doc_kind k, const char *text, size_t len, int new_group);

/* docbuild_add for a block in lang (NULL: the document's) with stretches in other languages
 * (rs may be NULL), kept as extract.h's block lang and runs, as HTML's lang attributes are:
 * stretches that cover all of the text make it the block's language; at docbuild_finish a
 * block or stretch in the document's own language loses its label. */
void docbuild_add_lang(struct docbuild *d, enum doc_kind k, const char *text, size_t len,
                       int new_group, const char *lang, const struct doc_runs *rs);

/* Adds a footnote as a paragraph of its own, heard after the text it belongs to: "Fotnot 1:
 * Senaste lydelse 2006:26." ("Footnote" when lang, the document's, is English; "Slutnot",
 * "Endnote" when end: a note the document prints at its end, heard where it is referred to
 * all the same); num is its mark ("" when it has none), text its len bytes. */
void docbuild_add_note(struct docbuild *d, const char *lang, int end, const char *num,
                       const char *text, size_t len);

/* Moves the blocks into out with title and lang (either may be NULL: the first heading, "").
 * A language the text plainly contradicts (Swedish text in a file that says en-US, as word
 * processors' defaults do) gives way to the text's. LY_EEMPTY when there is no block. */
int docbuild_finish(struct docbuild *d, const char *title, const char *lang,
                    struct extract_result *out);

/* The language the text's commonest words point to ("sv", "en"), or NULL when unclear. */
const char *docbuild_guess_lang(const struct extract_block *b, size_t n);

#endif
