/* docnum.h -- inside extract/: automatic numbers of headings and lists, as the word
 * processor shows them: Word's (word/numbering.xml) and the formats OpenDocument's list
 * styles name (odt.c). */
#ifndef LYSSNA_DOCNUM_H
#define LYSSNA_DOCNUM_H

struct buf;
struct _xmlDoc;
struct docnum;

/* The numbering definitions of numbering (NULL: none; then every label is empty). */
struct docnum *docnum_new(struct _xmlDoc *numbering);
void docnum_free(struct docnum *n); /* NULL is a no-op */

/* Counts the next paragraph numbered num_id at level ilvl and writes its label as Word
 * shows it ("3.3", "a)", "IV.") into out, emptied first; a bullet or an unknown number
 * gives an empty label. Deeper levels start again after it. */
void docnum_label(struct docnum *n, const char *num_id, int ilvl, struct buf *out);

/* Appends v as format f writes it, f in OpenDocument's style:num-format: '1' (3), '0' (03),
 * 'a' (c; z, aa, bb), 'A', 'i' (iii), 'I'; anything else as '1'. */
void docnum_format(struct buf *out, int v, char f);

#endif
