/* pdf_tagged.c -- a tagged PDF read through its structure tree (poppler-glib's
 * PopplerStructureElement): paragraphs, headings H1-H6, list items and table rows (cells
 * joined) in the tree's logical order, which the producer wrote for reading; running headers,
 * footers and page numbers are artifacts outside the tree and so never met. Word processors
 * (LibreOffice) tag the hyphen they set at a line end as a Span of its own: it is mended or
 * kept as layout_join_line decides. An element's /Lang (its own, else its parent's) is its
 * block's language, or a run of the block for an inline element (a Span in English in a
 * Swedish paragraph). A tree with no text (or none at all) gives no blocks, and pdf.c reads
 * the page layout instead. */
#include <glib.h>
#include <poppler.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "docbuild.h"
#include "layout.h"
#include "pdf_tagged.h"

#include "banned.h"

#define TAG_DEPTH 64 /* deeper structure is read as the text of its ancestor */

/* PDFDocEncoding's characters for the bytes 0x18-0x1f and 0x80-0xa0 (0: undefined). */
static const uint16_t doc_18[8] = {0x02d8, 0x02c7, 0x02c6, 0x02d9, 0x02dd, 0x02db, 0x02da, 0x02dc};
static const uint16_t doc_80[33] = {
    0x2022, 0x2020, 0x2021, 0x2026, 0x2014, 0x2013, 0x0192, 0x2044, 0x2039, 0x203a, 0x2212,
    0x2030, 0x201e, 0x201c, 0x201d, 0x2018, 0x2019, 0x201a, 0x2122, 0xfb01, 0xfb02, 0x0141,
    0x0152, 0x0160, 0x0178, 0x017d, 0x0131, 0x0142, 0x0153, 0x0161, 0x017e, 0,      0x20ac};

/* The byte PDFDocEncoding decodes to c, or -1. */
static int doc_byte(uint32_t c)
{
    int i;

    if ((c >= 0x20 && c < 0x7f) || (c > 0xa0 && c <= 0xff) || c == '\t' || c == '\n' || c == '\r')
        return (int)c;
    for (i = 0; i < 8; i++)
        if (doc_18[i] == c)
            return 0x18 + i;
    for (i = 0; i < 33; i++)
        if (doc_80[i] && doc_80[i] == c)
            return 0x80 + i;
    return -1;
}

void pdf_tagged_add_text(struct buf *out, const char *s)
{
    size_t n = strlen(s), i = 0, k;
    struct buf raw;
    uint32_t c;
    int byte, changed = 0;

    buf_init(&raw, BUF_NOLIMIT);
    while (i < n) {
        k = utf8_decode(s + i, n - i, &c);
        if (!k || (byte = doc_byte(c)) < 0)
            break;
        changed |= k > 1;
        buf_addch(&raw, (char)byte, NULL);
        i += k;
    }
    if (i == n && changed && utf8_valid(raw.data, raw.len, NULL))
        buf_add(out, raw.data, raw.len, NULL);
    else
        buf_adds(out, s, NULL);
    buf_release(&raw);
}

static int is_hyphen(const char *t)
{
    return !strcmp(t, "-") || !strcmp(t, "\xC2\xAD") || !strcmp(t, "\xE2\x80\x90");
}

/* el's own /Lang (g_free it), else NULL. */
static char *lang_of(PopplerStructureElement *el)
{
    char *l = poppler_structure_element_is_content(el) ? NULL
                                                       : poppler_structure_element_get_language(el);

    if (l && !*l) {
        g_free(l);
        l = NULL;
    }
    return l;
}

/* Where a block's inline elements in other languages go: the block's language (NULL: the
 * document's), and runs (NULL inside such an element: the outermost counts). */
struct inline_langs {
    const char *block;
    struct doc_runs *runs;
};

/* Whether el is a footnote's mark: a link or reference whose text t is a number, set right
 * after a word or its punctuation in b ("föreskrivs1", "anslag.2"); "bilaga 2" keeps its 2. */
static int footnote_mark(PopplerStructureElement *el, const struct buf *t, const struct buf *b)
{
    PopplerStructureElementKind k = poppler_structure_element_get_kind(el);
    size_t d = t->len ? strspn(t->data, "0123456789") : 0;
    unsigned char last = b->len ? (unsigned char)b->data[b->len - 1] : ' ';

    return (k == POPPLER_STRUCTURE_ELEMENT_LINK || k == POPPLER_STRUCTURE_ELEMENT_REFERENCE) &&
           d >= 1 && d <= 3 && d == t->len &&
           (last >= 0x80 || ((last | 0x20) >= 'a' && (last | 0x20) <= 'z') ||
            strchr(".,;)\"'", last));
}

/* Appends the text of it and its siblings (a block element's children) to b. */
static void inline_text(PopplerStructureElementIter *it, struct buf *b, int *hyphen, int depth,
                        const struct inline_langs *il)
{
    struct inline_langs inner = {.block = il->block};
    struct buf t;
    size_t start;

    buf_init(&t, BUF_NOLIMIT);
    do {
        PopplerStructureElement *el = poppler_structure_element_iter_get_element(it);
        PopplerStructureElementIter *kids = NULL;
        char *s, *lang;

        if (!el)
            continue;
        s = poppler_structure_element_get_text(el, POPPLER_STRUCTURE_GET_TEXT_RECURSIVE);
        buf_reset(&t);
        pdf_tagged_add_text(&t, s ? s : "");
        g_free(s);
        lang = lang_of(el);
        start = b->len;
        inner.runs =
            lang && il->runs && !(il->block && svtext_same_lang(lang, il->block)) ? NULL : il->runs;
        if (footnote_mark(el, &t, b)) {
            /* not read, as the note itself is not */
        } else if (!poppler_structure_element_is_content(el) && depth > 0 && !is_hyphen(t.data) &&
                   (kids = poppler_structure_element_iter_get_child(it))) {
            inline_text(kids, b, hyphen, depth - 1, &inner);
        } else if (is_hyphen(t.data)) {
            buf_addch(b, '-', NULL); /* the line's hyphen: mended or kept by what follows */
            *hyphen = 1;
        } else if (t.len) {
            if (*hyphen)
                layout_join_line(b, t.data, t.len);
            else
                buf_add(b, t.data, t.len, NULL);
            *hyphen = 0;
        }
        if (il->runs && !inner.runs)
            doc_runs_add(il->runs, start, b->len, lang);
        g_free(lang);
        if (kids)
            poppler_structure_element_iter_free(kids);
        g_object_unref(el);
    } while (poppler_structure_element_iter_next(it));
    buf_release(&t);
}

/* The text of a block element in lang (NULL: the document's), its line-end hyphens mended as
 * the pages show them (l); its inline elements in other languages into runs (NULL: not
 * wanted) while no hyphen is mended (that would move their bytes). */
static void block_text(PopplerStructureElementIter *it, struct layout *l, struct buf *b,
                       const char *lang, struct doc_runs *runs)
{
    PopplerStructureElementIter *kids = poppler_structure_element_iter_get_child(it);
    struct inline_langs il = {.block = lang, .runs = runs};
    size_t len;
    int hyphen = 0;

    buf_reset(b);
    if (kids) {
        inline_text(kids, b, &hyphen, TAG_DEPTH, &il);
        poppler_structure_element_iter_free(kids);
    }
    len = b->len;
    layout_mend_hyphens(l, b);
    if (runs && b->len != len)
        runs->n = 0;
}

static void read_row(PopplerStructureElementIter *it, struct layout *l, struct docbuild *out,
                     int first)
{
    PopplerStructureElementIter *cells = poppler_structure_element_iter_get_child(it);
    struct buf row, cell;

    buf_init(&row, BUF_NOLIMIT);
    buf_init(&cell, BUF_NOLIMIT);
    do {
        if (!cells)
            break;
        block_text(cells, l, &cell, NULL, NULL);
        if (!cell.len)
            continue;
        if (row.len)
            buf_adds(&row, ", ", NULL);
        buf_add(&row, cell.data, cell.len, NULL);
    } while (poppler_structure_element_iter_next(cells));
    if (cells)
        poppler_structure_element_iter_free(cells);
    docbuild_add(out, DOC_TR, row.data, row.len, first);
    buf_release(&row);
    buf_release(&cell);
}

/* Whether a list item's text is its label alone ("1", "a)", "IV."): its body was lost (Acrobat
 * PDFMaker tags a bill's numbered headings with an "Lbody" that poppler does not know), and a
 * number alone is nothing to hear. */
static int label_only(const struct buf *b)
{
    size_t n = b->len, k;

    while (n && b->data[n - 1] == ' ')
        n--;
    k = strspn(b->data, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");
    return n && k >= 1 && k <= 3 && (k == n || (k + 1 == n && strchr(".)", b->data[k])));
}

static enum doc_kind block_kind(PopplerStructureElementKind k)
{
    switch (k) {
    case POPPLER_STRUCTURE_ELEMENT_HEADING:
    case POPPLER_STRUCTURE_ELEMENT_HEADING_1:
        return DOC_H1;
    case POPPLER_STRUCTURE_ELEMENT_HEADING_2:
    case POPPLER_STRUCTURE_ELEMENT_HEADING_3:
    case POPPLER_STRUCTURE_ELEMENT_HEADING_4:
    case POPPLER_STRUCTURE_ELEMENT_HEADING_5:
    case POPPLER_STRUCTURE_ELEMENT_HEADING_6:
        return (enum doc_kind)(DOC_H2 + (k - POPPLER_STRUCTURE_ELEMENT_HEADING_2));
    case POPPLER_STRUCTURE_ELEMENT_LIST_ITEM:
        return DOC_LI;
    case POPPLER_STRUCTURE_ELEMENT_PARAGRAPH:
    case POPPLER_STRUCTURE_ELEMENT_CAPTION:
    case POPPLER_STRUCTURE_ELEMENT_BLOCKQUOTE:
    case POPPLER_STRUCTURE_ELEMENT_TOC_ITEM:
    case POPPLER_STRUCTURE_ELEMENT_SPAN:
    case POPPLER_STRUCTURE_ELEMENT_LINK:
    case POPPLER_STRUCTURE_ELEMENT_QUOTE:
    case POPPLER_STRUCTURE_ELEMENT_CODE:
        return DOC_P;
    default:
        return 0;
    }
}

/* Figures, formulas and form fields have no text to hear (their alt text is not read, as on
 * a page), nor a list item's label (its bullet or number). */
static int skipped(PopplerStructureElementKind k)
{
    return k == POPPLER_STRUCTURE_ELEMENT_FIGURE || k == POPPLER_STRUCTURE_ELEMENT_FORMULA ||
           k == POPPLER_STRUCTURE_ELEMENT_FORM || k == POPPLER_STRUCTURE_ELEMENT_LIST_LABEL;
}

/* Whether el begins on a page of range (NULL: the whole document). An element that names
 * no page belongs to none: a part then holds too little of its pages' text, and pdf.c
 * reads their layout instead. */
static int in_range(PopplerStructureElement *el, const int *range)
{
    int page = range ? poppler_structure_element_get_page(el) : 0;

    return !range || (page >= range[0] && page < range[1]);
}

/* A footnote (read_note): its mark, its text, the page it is on; or a caption the tree left
 * out (find_caption). */
struct note {
    int caption;
    char num[4];
    struct buf text;
    int page;
};

/* What a walk of the tree gathers beside the blocks: the page each block it adds begins on
 * (page[i] of block first + i; -1 when the tree names none), and the footnotes and the
 * captions it lacks, which place_notes puts after their page's text. */
struct tagged {
    size_t first;
    int *page;
    size_t npage, pagecap;
    struct note *notes;
    size_t nnotes, notecap;
    const char *lang; /* the document's */
    const int *range; /* the pages read, NULL: all */
    const struct docbuild *out;
};

/* Notes the page of the blocks out has gained since the last call. */
static void note_pages(struct tagged *tg, const struct docbuild *out, int page)
{
    while (tg->first + tg->npage < out->list.n) {
        if (tg->npage == tg->pagecap) {
            tg->pagecap = tg->pagecap ? tg->pagecap * 2 : 256;
            tg->page = xreallocarray(tg->page, tg->pagecap, sizeof(*tg->page));
        }
        tg->page[tg->npage++] = page;
    }
}

/* Adds one line or footnote of a Note (in b, on page) to tg: a footnote begins with its
 * number ("1 Jfr Europaparlamentets ..."); a line without one goes on with the footnote
 * before it. */
static void add_note_text(struct tagged *tg, const struct buf *b, int page)
{
    size_t d = strspn(b->data, "0123456789");
    struct note *n;

    if (!b->len)
        return;
    if ((d >= 1 && d <= 3 && b->data[d] == ' ') || !tg->nnotes) {
        if (tg->nnotes == tg->notecap) {
            tg->notecap = tg->notecap ? tg->notecap * 2 : 16;
            tg->notes = xreallocarray(tg->notes, tg->notecap, sizeof(*tg->notes));
        }
        n = &tg->notes[tg->nnotes++];
        n->caption = 0;
        n->page = page;
        buf_init(&n->text, BUF_NOLIMIT);
        if (d >= 1 && d <= 3 && b->data[d] == ' ') {
            memcpy(n->num, b->data, d);
            n->num[d] = '\0';
            d++;
        } else {
            n->num[0] = '\0';
            d = 0;
        }
        buf_add(&n->text, b->data + d, b->len - d, NULL);
    } else {
        layout_join_line(&tg->notes[tg->nnotes - 1].text, b->data, b->len);
    }
}

/* The footnotes of a Note element on pages of range (NULL: all) into tg: Word tags a page's
 * notes (or all of a document's) as one Note, a line or a note a paragraph in it; others
 * give the note's text as its own. */
static void read_note(PopplerStructureElementIter *it, PopplerStructureElement *note,
                      const int *range, struct layout *l, struct buf *b, struct tagged *tg)
{
    PopplerStructureElementIter *kids = poppler_structure_element_iter_get_child(it);
    PopplerStructureElement *el = kids ? poppler_structure_element_iter_get_element(kids) : NULL;
    int lines = el && block_kind(poppler_structure_element_get_kind(el));

    if (el)
        g_object_unref(el);
    if (!lines && in_range(note, range)) {
        block_text(it, l, b, NULL, NULL);
        add_note_text(tg, b, poppler_structure_element_get_page(note));
    }
    do {
        if (!lines || !(el = poppler_structure_element_iter_get_element(kids)))
            break;
        if (in_range(el, range)) {
            block_text(kids, l, b, NULL, NULL);
            add_note_text(tg, b, poppler_structure_element_get_page(el));
        }
        g_object_unref(el);
    } while (poppler_structure_element_iter_next(kids));
    if (kids)
        poppler_structure_element_iter_free(kids);
}

/* A caption on page (of the layout's: the first of the range is 0) that the tree's blocks
 * lack (a producer that tags figures without their captions): kept to be read after its
 * page's text. */
static void find_caption(void *ctx, int page, const char *text)
{
    struct tagged *tg = ctx;
    const struct block_list *bl = &tg->out->list;
    char head[40];
    size_t i, n = strlen(text);
    struct note *c;

    /* its beginning, as far as it is sure to be set alike in the tree's text */
    snprintf(head, sizeof(head), "%.*s", (int)(n < 24 ? n : 24), text);
    for (i = tg->first; i < bl->n; i++)
        if (strstr(bl->blocks[i].text, head))
            return;
    if (tg->nnotes == tg->notecap) {
        tg->notecap = tg->notecap ? tg->notecap * 2 : 16;
        tg->notes = xreallocarray(tg->notes, tg->notecap, sizeof(*tg->notes));
    }
    c = &tg->notes[tg->nnotes++];
    *c = (struct note){.caption = 1, .page = page + (tg->range ? tg->range[0] : 0)};
    buf_init(&c->text, BUF_NOLIMIT);
    buf_add(&c->text, text, n, NULL);
}

/* Adds the footnotes and captions as blocks after the text of their page: after its last
 * block, or the block after that when a sentence goes on to the next page (heard whole
 * first). */
static void place_notes(struct tagged *tg, struct docbuild *out)
{
    size_t n0 = out->list.n, i, j, k = 0, *after, *order;

    if (!tg->nnotes || !n0)
        return;
    after = xcalloc(tg->nnotes, sizeof(*after));
    for (i = 0; i < tg->nnotes; i++) {
        after[i] = n0 - 1;
        for (j = 0; j < tg->npage && tg->first + j < n0; j++)
            if (tg->page[j] >= 0 && tg->page[j] <= tg->notes[i].page)
                after[i] = tg->first + j;
        if (after[i] + 1 < n0 && !layout_sentence_end(out->list.blocks[after[i]].text,
                                                      strlen(out->list.blocks[after[i]].text)))
            after[i]++;
    }
    order = xreallocarray(NULL, n0 + tg->nnotes, sizeof(*order));
    for (i = 0; i < n0; i++) {
        order[k++] = i;
        for (j = 0; j < tg->nnotes; j++) {
            size_t n = out->list.n;
            if (after[j] != i)
                continue;
            if (tg->notes[j].caption)
                docbuild_add(out, DOC_P, tg->notes[j].text.data, tg->notes[j].text.len, 0);
            else
                docbuild_add_note(out, tg->lang, 0, tg->notes[j].num, tg->notes[j].text.data,
                                  tg->notes[j].text.len);
            if (out->list.n > n) /* else nothing to hear in it */
                order[k++] = n;
        }
    }
    block_list_reorder(&out->list, order, k);
    free(order);
    free(after);
}

/* Reads it and its siblings, in lang (their parent's /Lang; NULL: the document's), the
 * blocks that begin in range (NULL: all). */
static void walk(PopplerStructureElementIter *it, const int *range, struct layout *l,
                 struct docbuild *out, struct buf *b, struct tagged *tg, int depth,
                 const char *lang)
{
    struct doc_runs runs = {0};
    int first_row = 1;

    do {
        PopplerStructureElement *el = poppler_structure_element_iter_get_element(it);
        PopplerStructureElementIter *kids;
        PopplerStructureElementKind k;
        enum doc_kind bk;
        char *own;

        if (!el)
            continue;
        k = poppler_structure_element_get_kind(el);
        own = lang_of(el);
        if (k == POPPLER_STRUCTURE_ELEMENT_NOTE) {
            read_note(it, el, range, l, b, tg);
        } else if (k == POPPLER_STRUCTURE_ELEMENT_TABLE_ROW) {
            if (in_range(el, range))
                read_row(it, l, out, first_row);
            first_row = 0;
        } else if ((bk = block_kind(k))) {
            if (!in_range(el, range))
                goto next;
            runs.n = 0;
            block_text(it, l, b, own ? own : lang, &runs);
            if (!(bk == DOC_LI && label_only(b)))
                docbuild_add_lang(out, bk, b->data, b->len, 0, own ? own : lang, &runs);
        } else if (!skipped(k) && depth > 0 &&
                   (kids = poppler_structure_element_iter_get_child(it))) {
            walk(kids, range, l, out, b, tg, depth - 1, own ? own : lang);
            poppler_structure_element_iter_free(kids);
        }
        note_pages(tg, out, poppler_structure_element_get_page(el));
    next:
        g_free(own);
        g_object_unref(el);
    } while (poppler_structure_element_iter_next(it));
    doc_runs_release(&runs);
}

#define CONTACT_LINE 120 /* bytes: a longer block is the letter's body, not its footer */

static int contact_block(const struct extract_block *b)
{
    size_t n = strlen(b->text);

    return n <= CONTACT_LINE && layout_contact_text(b->text, n);
}

/* A letter's footer that Word tagged ahead of the body (its web, e-mail and postal address:
 * two or more short contact blocks in a row) is read after the rest, as the layout reads it,
 * a block there that repeats the one before it (an e-mail link and its text) once. */
static void defer_contact_blocks(struct block_list *l)
{
    unsigned char *where = xcalloc(l->n ? l->n : 1, 1); /* 1: read last, 2: not at all */
    size_t i = 0, j, k, *order;
    int moved = 0, pass;

    while (i < l->n) {
        for (j = i; j < l->n && contact_block(&l->blocks[j]); j++)
            ;
        if (j - i >= 2 && j < l->n)
            for (moved = 1, k = i; k < j; k++)
                where[k] = k > i && !strcmp(l->blocks[k].text, l->blocks[k - 1].text) ? 2 : 1;
        i = j > i ? j : i + 1;
    }
    if (moved) {
        order = xreallocarray(NULL, l->n, sizeof(*order));
        for (k = 0, pass = 0; pass < 2; pass++)
            for (i = 0; i < l->n; i++)
                if (where[i] == pass)
                    order[k++] = i;
        block_list_reorder(l, order, k);
        free(order);
    }
    free(where);
}

int pdf_tagged_read(PopplerDocument *doc, const int *range, const char *lang, struct layout *l,
                    struct docbuild *out)
{
    PopplerStructureElementIter *it = poppler_structure_element_iter_new(doc);
    struct tagged tg = {.first = out->list.n, .lang = lang, .range = range, .out = out};
    struct buf b;
    size_t before = out->list.n, i;

    if (!it)
        return 0;
    buf_init(&b, BUF_NOLIMIT);
    walk(it, range, l, out, &b, &tg, TAG_DEPTH, NULL);
    layout_captions(l, find_caption, &tg);
    place_notes(&tg, out);
    defer_contact_blocks(&out->list);
    for (i = 0; i < tg.nnotes; i++)
        buf_release(&tg.notes[i].text);
    free(tg.notes);
    free(tg.page);
    buf_release(&b);
    poppler_structure_element_iter_free(it);
    return out->list.n > before;
}
