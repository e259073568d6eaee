/* pdf_tagged.h -- inside extract/: a tagged PDF's blocks from its structure tree. */
#ifndef LYSSNA_PDF_TAGGED_H
#define LYSSNA_PDF_TAGGED_H

#include <poppler.h>

struct buf;
struct docbuild;
struct layout;

/* Adds the blocks of doc's structure tree to out, words the pages (l, those of range added)
 * broke at a line end made whole, footnotes after the sentence they follow ("Fotnot 1: ...";
 * lang, the document's language, names them); 0 when there is no tree or no text in it (then
 * the layout is read instead). range: [first, last) of the pages whose blocks are read, a
 * part of the document (extract_opts.part); NULL: all. */
int pdf_tagged_read(PopplerDocument *doc, const int *range, const char *lang, struct layout *l,
                    struct docbuild *out);

/* poppler-glib 22.12 gives a structure element's UTF-8 text decoded once more as if it were
 * PDFDocEncoding ("§" as "Â§"): appends s to out undone, or as it is when undoing it does
 * not give valid UTF-8 (a poppler that gets it right). */
void pdf_tagged_add_text(struct buf *out, const char *s);

#endif
