/* layout_int.h -- what layout.c (fragments, headers and footers, columns) hands
 * layout_read.c (rows, paragraphs, tables); private to the two. */
#ifndef LYSSNA_LAYOUT_INT_H
#define LYSSNA_LAYOUT_INT_H

#include <stddef.h>

struct docbuild;

struct frag {
    char *text;
    size_t len;
    double x0, y0, x1, y1;
    float size;
    int bold, page;
    int dropped; /* 1: not read (a running header, a page number); LAST: read at the end */
    int eol;     /* the page's text ended a line after it */
    int rotated; /* its characters run down or up the page, not across */
    size_t words;
    double first_w; /* the width of its first word */
};

#define LAST 2 /* frag.dropped: a letter's contact footer, read after the pages */
#define NOTE 3 /* frag.dropped: a footnote, read after its page's text (layout_note.c) */

struct page {
    double w, h;
    size_t first, n; /* its fragments in l->f */
    size_t marks;    /* footnote marks in its text */
};

struct layout {
    struct frag *f;
    size_t n, cap, chars;
    struct page *pages;
    size_t npages, pcap;
    float body;       /* the body text's size: the commonest, by characters */
    double line_gap;  /* the usual gap between two lines of a paragraph, in ems */
    float heading[4]; /* the sizes larger than the body's, largest first: h1, h2... */
    size_t nheading;
    const char *lang; /* the document's, for the footnotes' label; NULL: Swedish */
    char **hy; /* "tillämp-ningsområde": words the pages broke at a line end (layout_hyphen.c) */
    size_t nhy, hycap;
    int hysorted;
};

/* The reading order of a page: its fragments' indices column by column, each column (a leaf
 * of the cuts) with its right edge. */
struct order {
    size_t *idx, n;
    size_t *col; /* per entry: its column's number */
    double *right;
    size_t ncols;
};

/* Notes the words the page's fragments first to first + n - 1 break with a hyphen at a line's
 * end: a line's last fragment with the fragment after it in the page's text, and any
 * fragment with the first of the line below it in its own column (a table's cells or columns
 * side by side: their lines interleaved in the page's text, a cell's line ending at a gap). */
void layout_note_hyphens(struct layout *l, size_t first, size_t n);

/* Drops (frag.dropped) what stands in the pages' margins and is not read with their text:
 * running headers and footers, page numbers, text set apart at a page's edge, sideways
 * imprints; marks a letter's contact block LAST (layout_margin.c). Needs l->body. */
void layout_drop_margins(struct layout *l);

/* Whether the n bytes at s are a paragraph's or chapter's label: "2 §", "12 a §", "3 kap.". */
int layout_label_text(const char *s, size_t n);

/* Whether the n bytes at s end in a unit of length ("m", "120 km"): a raised 2 after it is
 * its square. */
int layout_unit_before(const char *s, size_t n);

/* Whether f on page p is a footnote's number with its text beside it ("4", "Senaste lydelse
 * 1994:579.") or begins with it ("4 Senaste ..."), in a smaller size than the body's, on a
 * page whose text has footnote marks. */
int layout_note_line(const struct layout *l, const struct page *p, const struct frag *f);

/* Marks each page's footnotes NOTE: its lowest lines, in a smaller size than the body's, below
 * all of its body text, the first beginning with a number, on a page whose text has marks. */
void layout_find_notes(struct layout *l);

/* Adds the footnotes of pages from to to (inclusive) to out: "Fotnot 1: ...". */
void layout_read_notes(const struct layout *l, size_t from, size_t to, struct docbuild *out);

/* qsort's comparison of two doubles. */
int layout_cmp_double(const void *a, const void *b);

/* Cuts the blocks of every page, given each page's reading order o[page], and of the n -
 * npages orders after them (what is read last). */
void layout_read(struct layout *l, const struct order *o, size_t n, struct docbuild *out);

#endif
