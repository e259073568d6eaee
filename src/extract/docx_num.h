/* docx_num.h -- inside extract/: Word's automatic numbering (word/numbering.xml). */
#ifndef LYSSNA_DOCX_NUM_H
#define LYSSNA_DOCX_NUM_H

struct buf;
struct _xmlDoc;
struct docx_num;

/* The numbering definitions of numbering (NULL: none; then every label is empty). */
struct docx_num *docx_num_new(struct _xmlDoc *numbering);
void docx_num_free(struct docx_num *n); /* NULL is a no-op */

/* Counts the next paragraph numbered num_id at level ilvl and writes its label as Word
 * shows it ("3.3", "a)", "IV.") into out, emptied first; a bullet or an unknown number
 * gives an empty label. Deeper levels start again after it. */
void docx_num_label(struct docx_num *n, const char *num_id, int ilvl, struct buf *out);

#endif
