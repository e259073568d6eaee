/* layout.h -- inside extract/: a PDF's characters with their boxes and fonts in, blocks in
 * reading order out. Pure (no poppler) so that it can be unit-tested and fuzzed: pdf.c feeds
 * it what poppler_page_get_text_layout and _get_text_attributes give. */
#ifndef LYSSNA_LAYOUT_H
#define LYSSNA_LAYOUT_H

#include <stddef.h>

struct buf;
struct docbuild;
struct layout;

/* One character as the page's text gives it, in the text's order; y grows down the page. A
 * '\n' (poppler's line end) or ' ' may have any box. */
struct layout_char {
    char u[5]; /* UTF-8, NUL-terminated */
    unsigned char bold;
    float size; /* font size in points */
    double x0, y0, x1, y1;
};

struct layout *layout_new(void);
void layout_free(struct layout *l); /* NULL is a no-op */

/* Adds the next page (w x h points) and its n characters; the page's text is cut into
 * fragments (runs of a line with no wide gap) at once, so the characters may be freed. */
void layout_add_page(struct layout *l, const struct layout_char *c, size_t n, double w, double h);

/* The characters seen so far that are not spaces: 0 means no text layer (a scanned PDF). */
size_t layout_chars(const struct layout *l);

/* Cuts the pages into blocks: running headers and footers (repeated in the page margins,
 * or alone there with a gap) and page numbers dropped, columns read one after the other,
 * rows of fragments as table rows (a cell's wrapped line joined to it), lines of a paragraph
 * joined (a word hyphenated at a line end made whole again), larger or bold short lines as
 * headings; footnotes ("Fotnot 1: ...", "Footnote" when lang, the document's, is English)
 * after the text of their page, or after the sentence that goes on over the page break. */
void layout_finish(struct layout *l, const char *lang, struct docbuild *out);

/* Calls found with each figure's, map's or table's caption on the pages ("Figur 3. Karta över
 * planområdet", its lines joined) and the page it is on (0: the first added), for a tagged
 * PDF whose structure tree leaves captions out. */
void layout_captions(struct layout *l, void (*found)(void *ctx, int page, const char *text),
                     void *ctx);

/* True when s (n bytes) is a page number as word processors write them: "3", "– 3 –",
 * "Sida 3 av 7", "sid. 3", "Page 3 of 7", "3 (7)", "3/7". */
int layout_page_number(const char *s, size_t n);

/* Whether s (n bytes) holds what a letter's footer or letterhead gives: an address, a
 * telephone, the web, e-mail, an organisation or giro number. */
int layout_contact_text(const char *s, size_t n);

/* Whether the n bytes at s end a sentence (a full stop, colon, "!" or "?"): a paragraph that
 * does not goes on past a column's or page's end. */
int layout_sentence_end(const char *s, size_t n);

/* Joins line b to a paragraph that ends with line a (in out, which holds a): "äldreom-" +
 * "sorgen" is one word, "hälso-" + "och sjukvården" and "e-" + "tjänst" keep the hyphen,
 * "2026–" + "2028" the dash; otherwise a space. */
void layout_join_line(struct buf *out, const char *b, size_t n);

/* Makes whole in b the words the pages broke with a hyphen at a line end ("jämförbar-heten"
 * in a tagged PDF's text, which keeps the typesetter's hyphen), as layout_join_line would
 * have joined them; real hyphens stay. */
void layout_mend_hyphens(struct layout *l, struct buf *b);

#endif
