/* pdf.c -- a PDF's text through poppler-glib: each page's characters with their boxes
 * (poppler_page_get_text_layout, one box per character of poppler_page_get_text) and fonts
 * (poppler_page_get_text_attributes) go to layout.c, which cuts the blocks, unless the PDF is
 * tagged and its structure tree holds the text (pdf_tagged.c). An owner password
 * (permissions only) does not stop reading; a user password, a damaged file or too many
 * pages each end with an error a person can act on; a PDF with no text layer at all (a scan)
 * is read by text recognition (ocr.c).
 * Runs where document_read() is called: in the sandboxed extraction worker (docworker.c). */
#define _GNU_SOURCE /* memmem */
#include <glib.h>
#include <poppler.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/base.h"
#include "docbuild.h"
#include "document.h"
#include "extract.h"
#include "layout.h"
#include "ocr.h"
#include "pdf_tagged.h"

#include "banned.h"

#define PDF_TALL_BOX 2.0 /* a character's box this many ems tall has its font's metrics wrong */

static int bold_font(const char *name)
{
    return name && (strstr(name, "Bold") || strstr(name, "bold") || strstr(name, "Black") ||
                    strstr(name, "Heavy") || strstr(name, "Semibold"));
}

/* The page's characters, each with its box and font. */
static struct layout_char *page_chars(PopplerPage *pg, size_t *n)
{
    char *text = poppler_page_get_text(pg);
    PopplerRectangle *rects = NULL;
    guint nrects = 0;
    GList *attrs = poppler_page_get_text_attributes(pg), *a = attrs;
    struct layout_char *c = NULL;
    const char *s = text ? text : "";
    size_t i = 0, k;
    int bold = -1;

    if (!poppler_page_get_text_layout(pg, &rects, &nrects))
        nrects = 0;
    c = xcalloc(nrects ? nrects : 1, sizeof(*c));
    for (; *s && i < nrects; s = g_utf8_next_char(s), i++) {
        const PopplerTextAttributes *at;
        k = (size_t)(g_utf8_next_char(s) - s);
        memcpy(c[i].u, s, k < 5 ? k : 4);
        if (a && ((PopplerTextAttributes *)a->data)->end_index < (gint)i) {
            while (a && ((PopplerTextAttributes *)a->data)->end_index < (gint)i)
                a = a->next;
            bold = -1;
        }
        at = a && ((PopplerTextAttributes *)a->data)->start_index <= (gint)i ? a->data : NULL;
        if (at && bold < 0)
            bold = bold_font(at->font_name); /* once a run of one font */
        c[i].size = at ? (float)at->font_size : (float)(rects[i].y2 - rects[i].y1);
        c[i].bold = at && bold > 0;
        c[i].x0 = rects[i].x1, c[i].y0 = rects[i].y1;
        c[i].x1 = rects[i].x2, c[i].y1 = rects[i].y2;
        if (c[i].y1 - c[i].y0 > PDF_TALL_BOX * c[i].size && c[i].size > 0) {
            /* a font whose metrics claim a box far taller than its size (an InDesign export's
               34 pt boxes for 10 pt text) lays every line over the next: the box is cut to
               1.2 em about its middle, the same for every line in that font */
            double mid = (c[i].y0 + c[i].y1) / 2;
            c[i].y0 = mid - 0.6 * c[i].size, c[i].y1 = mid + 0.6 * c[i].size;
        }
    }
    *n = i;
    poppler_page_free_text_attributes(attrs);
    g_free(rects);
    g_free(text);
    return c;
}

/* The /Lang (a) written in the object around p, or NULL. */
static char *lang_at(const char *bytes, size_t len, const char *p)
{
    const char *end = bytes + len;
    size_t k;

    p += 5;
    while (p < end && (*p == ' ' || *p == '('))
        p++;
    for (k = 0; p + k < end && k < 16 && p[k] != ')' &&
                ((p[k] >= 'a' && p[k] <= 'z') || (p[k] >= 'A' && p[k] <= 'Z') || p[k] == '-');
         k++)
        ;
    return k >= 2 && p + k < end && p[k] == ')' ? xstrndup(p, k) : NULL;
}

#define CATALOG_SPAN 4096 /* bytes either side of a /Lang looked through for its object */

/* Whether the object around p (from its "obj" to its "endobj", within CATALOG_SPAN) is the
 * catalog. */
static int in_catalog(const char *bytes, size_t len, const char *p)
{
    const char *a = p, *b, *stop = p - bytes > CATALOG_SPAN ? p - CATALOG_SPAN : bytes;
    size_t rest = len - (size_t)(p - bytes);

    while (a > stop && !(a - bytes >= 4 && !memcmp(a - 4, " obj", 4)))
        a--;
    b = memmem(p, rest < CATALOG_SPAN ? rest : CATALOG_SPAN, "endobj", 6);
    return b && memmem(a, (size_t)(b - a), "/Catalog", 8) != NULL;
}

/* The document's language: the tagged structure's top element's, else the catalog's /Lang as
 * written (poppler-glib exposes no getter for it; a /Lang of a structure element elsewhere
 * in the file only when no catalog's is found), else unknown. */
static char *pdf_lang(PopplerDocument *doc, const char *bytes, size_t len)
{
    PopplerStructureElementIter *it = poppler_structure_element_iter_new(doc);
    char *lang = NULL, *g;
    const char *p, *first = NULL;
    int tries = 0;

    if (it) {
        PopplerStructureElement *el = poppler_structure_element_iter_get_element(it);
        if (el && (g = poppler_structure_element_get_language(el))) {
            lang = xstrdup(g);
            g_free(g);
        }
        if (el)
            g_object_unref(el);
        poppler_structure_element_iter_free(it);
    }
    for (p = bytes;
         !lang && tries++ < 256 && (p = memmem(p, len - (size_t)(p - bytes), "/Lang", 5)); p += 5) {
        first = first ? first : p;
        if (in_catalog(bytes, len, p))
            lang = lang_at(bytes, len, p);
    }
    return lang ? lang : first ? lang_at(bytes, len, first) : NULL;
}

/* A title worth reading: not a file name or a word processor's placeholder. */
static char *pdf_title(PopplerDocument *doc)
{
    char *t = poppler_document_get_title(doc), *out = NULL;

    if (t && *t && !strstr(t, ".doc") && !strstr(t, ".odt") && !strstr(t, ".pdf") &&
        strncasecmp(t, "Microsoft Word", 14) && strcasecmp(t, "untitled"))
        out = xstrdup(t);
    g_free(t);
    return out;
}

static int open_error(GError *ge, struct err *e)
{
    int locked = ge && ge->domain == POPPLER_ERROR && ge->code == POPPLER_ERROR_ENCRYPTED;

    if (locked)
        return err_set(e, LY_EINPUT,
                       "the PDF is password-protected: it cannot be read without its password "
                       "(publish it without an open password)");
    return err_set(e, LY_EPARSE, "the PDF is damaged and cannot be read (%s)",
                   ge && ge->message ? ge->message : "no document in it");
}

/* One page's characters, read by either thread of read_pages. */
struct read_ahead {
    struct layout_char *c;
    size_t n;
    double w, h;
    int ready;
};

/* A range of pages [from, to) read by two threads, each with its own copy of the document
 * (poppler's objects are not shared between threads; two documents are fine). Each takes the
 * next page nobody has taken; the calling thread also lays the pages out in their order, and
 * reads ahead while the page it wants next is still the helper's. */
struct share {
    GBytes *bytes;
    int from, to, next; /* pages [from, next) are taken */
    int laid;           /* pages [from, laid) are laid out */
    int stop;           /* the layout is done or over the limit: take no more */
    struct read_ahead *page;
    pthread_mutex_t lock;
    pthread_cond_t changed; /* a page is read or laid out, or stop is set */
};

#define PDF_SHARE_PAGES 8 /* a range this long is read by two threads */
#define PDF_AHEAD                                                                                  \
    32 /* pages the helper reads ahead of the layout at most (their text                           \
          waits in memory, and a page the layout chokes on stops it) */

/* Reads page i of doc into its slot; called and returns under s->lock, which it lets go of
 * while reading. */
static void read_page(struct share *s, PopplerDocument *doc, int i)
{
    struct read_ahead *r = &s->page[i - s->from];
    PopplerPage *pg;

    pthread_mutex_unlock(&s->lock);
    if ((pg = poppler_document_get_page(doc, i))) {
        poppler_page_get_size(pg, &r->w, &r->h);
        r->c = page_chars(pg, &r->n);
        g_object_unref(pg);
    }
    pthread_mutex_lock(&s->lock);
    r->ready = 1;
    pthread_cond_broadcast(&s->changed);
}

static void *read_helper(void *arg)
{
    struct share *s = arg;
    PopplerDocument *doc = poppler_document_new_from_bytes(s->bytes, NULL, NULL);

    pthread_mutex_lock(&s->lock);
    while (doc && !s->stop && s->next < s->to) {
        if (s->next - s->laid >= PDF_AHEAD)
            pthread_cond_wait(&s->changed, &s->lock);
        else
            read_page(s, doc, s->next++);
    }
    pthread_mutex_unlock(&s->lock);
    if (doc)
        g_object_unref(doc);
    return NULL;
}

static int too_much(const struct layout *l, size_t max_text, struct err *e)
{
    return layout_chars(l) > max_text
               ? err_set(e, LY_ETOOBIG, "the document's text is over the limit of %zu bytes",
                         max_text)
               : LY_OK;
}

/* Feeds pages from to to - 1 to l; stops at once when their text is over max_text. A range
 * of PDF_SHARE_PAGES or more is read by a second thread too (bytes: the document's), which
 * halves the wait for a long PDF on a machine of two cores or more, for the same CPU. */
static int read_pages(PopplerDocument *doc, GBytes *bytes, int from, int to, struct layout *l,
                      size_t max_text, struct err *e)
{
    struct share s = {.bytes = bytes, .from = from, .to = to, .next = from, .laid = from};
    struct read_ahead *r;
    pthread_t t;
    int i, rc = LY_OK, helped;

    if (to <= from)
        return LY_OK;
    s.page = xcalloc((size_t)(to - from), sizeof(*s.page));
    pthread_mutex_init(&s.lock, NULL);
    pthread_cond_init(&s.changed, NULL);
    helped = to - from >= PDF_SHARE_PAGES && !pthread_create(&t, NULL, read_helper, &s);
    pthread_mutex_lock(&s.lock);
    for (i = from; i < to && !rc; i++) {
        r = &s.page[i - from];
        while (!r->ready) {
            if (s.next < to)
                read_page(&s, doc, s.next++);
            else
                pthread_cond_wait(&s.changed, &s.lock); /* page i is the helper's */
        }
        pthread_mutex_unlock(&s.lock);
        if (r->c)
            layout_add_page(l, r->c, r->n, r->w, r->h);
        free(r->c);
        r->c = NULL;
        rc = too_much(l, max_text, e);
        pthread_mutex_lock(&s.lock);
        s.laid = i + 1;
        pthread_cond_broadcast(&s.changed);
    }
    s.stop = 1;
    pthread_cond_broadcast(&s.changed);
    pthread_mutex_unlock(&s.lock);
    if (helped)
        pthread_join(t, NULL);
    for (i = 0; i < to - from; i++)
        free(s.page[i].c);
    free(s.page);
    pthread_cond_destroy(&s.changed);
    pthread_mutex_destroy(&s.lock);
    return rc;
}

/* A scan's parts after the first four (pages 1, 2-3, 4-7, 8-15) are this many pages: at about
 * 2 s a page, their recognition keeps the pause it makes in a stream under a proxy's timeout. */
#define SCAN_PART_PAGES 8

/* The pages [range[0], range[1]) of a part of a document of pages: 1, 2-3, 4-7, 8-15... */
static void part_range(int part, int pages, int scan, int range[2])
{
    if (!scan || part <= 4) {
        range[0] = (1 << (part - 1)) - 1;
        range[1] = (1 << part) - 1;
    } else {
        range[0] = 15 + SCAN_PART_PAGES * (part - 5);
        range[1] = range[0] + SCAN_PART_PAGES;
    }
    if (range[1] > pages)
        range[1] = pages;
}

static int parts_of(int pages, int scan)
{
    int k = 0, range[2];

    do
        part_range(++k, pages, scan, range);
    while (range[1] < pages);
    return k;
}

/* Whether page i has a text layer: a character that is not a space (one walk of poppler's
 * text, where page_chars takes three). */
static int has_text(PopplerDocument *doc, int i)
{
    PopplerPage *pg = poppler_document_get_page(doc, i);
    char *t = pg ? poppler_page_get_text(pg) : NULL, *s;
    int found = 0;

    for (s = t; s && *s && !found; s++)
        found = !strchr(" \t\r\n", *s);
    g_free(t);
    if (pg)
        g_object_unref(pg);
    return found;
}

/* Reads the pages of caps->part (0: all) into l (range: which they are); *parts how many the
 * document has (1: read whole). Part 1 is the first page of a scan or of a long document:
 * known only from their text, read from the first page on until it decides. A later part
 * is of a scan when the first page has no text (else part 1 read the whole). *band: how a
 * scan's first page is recognized (ocr_read_pages): its first paragraphs in part 1, the rest
 * of it alone in part 2 (a part of its own: laid out with the pages after it, a page begun
 * halfway down misled their running headers), so that the first sound does not wait for the
 * whole page; a scan's part k > 2 is then a text PDF's part k - 1. */
static int read_part(PopplerDocument *doc, GBytes *bytes, int pages,
                     const struct document_caps *caps, struct layout *l, int range[2], int *band,
                     int *parts, struct err *e)
{
    int part = caps->part, scan = part > 1 && !has_text(doc, 0), rc, i;

    *parts = 1;
    *band = part == 1 ? 1 : part == 2 && scan ? 2 : 0;
    range[0] = 0;
    range[1] = part == 1 ? 1 : pages;
    if (part > 2 || (part == 2 && !scan))
        part_range(scan ? part - 1 : part, pages, scan, range);
    else if (part == 2) /* the rest of a scan's first page alone (band 2) */
        range[1] = 0;
    if (range[0] >= pages && !(scan && part == 2))
        return err_set(e, LY_EUSAGE, "the PDF has %d pages: it has no part %d", pages, part);
    if ((rc = read_pages(doc, bytes, range[0], range[1], l, caps->max_text, e)) || part != 1)
        return rc;
    if (layout_chars(l) && pages >= LYSSNA_PARTS_MIN_PAGES) {
        *parts = parts_of(pages, 0);
        return LY_OK;
    }
    /* a short text document, or one whose first page is an image: read whole; a scan (no
       text on any page) is recognized part by part, its first page in two */
    for (i = 1; !layout_chars(l) && i < pages && !has_text(doc, i); i++)
        ;
    if (layout_chars(l) || i < pages) {
        range[1] = pages;
        return read_pages(doc, bytes, 1, pages, l, caps->max_text, e);
    }
    *parts = parts_of(pages, 1) + 1;
    return LY_OK;
}

int document_read_pdf(const char *bytes, size_t len, const struct document_caps *caps,
                      struct extract_result *out, struct err *e)
{
    GBytes *gb = g_bytes_new_static(bytes, len);
    GError *ge = NULL;
    PopplerDocument *doc = poppler_document_new_from_bytes(gb, NULL, &ge);
    struct layout *l = NULL;
    struct docbuild d;
    char *title = NULL, *lang = NULL;
    int pages, rc, ocr = 0, parts = 1, band = 0, range[2];

    docbuild_init(&d, caps->max_text, e);
    if (!doc) {
        rc = open_error(ge, e);
        goto out;
    }
    pages = poppler_document_get_n_pages(doc);
    if (pages < 1) {
        rc = err_set(e, LY_EPARSE, "the PDF is damaged: it has no pages");
        goto out;
    }
    if (pages > caps->max_pages) {
        rc = err_set(e, LY_ETOOBIG, "the PDF has %d pages; at most %d are read", pages,
                     caps->max_pages);
        goto out;
    }
    l = layout_new();
    lang = pdf_lang(doc, bytes, len);
    if ((rc = read_part(doc, gb, pages, caps, l, range, &band, &parts, e)))
        goto out;
    if (!layout_chars(l)) { /* no text layer: a scan, read afresh (its empty pages counted
                                   twice would keep a running header that is on every page) */
        layout_free(l);
        l = layout_new();
        if ((rc = ocr_read_pages(doc, range, band, pages, lang, caps, l, e)))
            goto out;
        if (!layout_chars(l)) {
            rc = err_set(e, LY_EEMPTY,
                         "the PDF has no text, and text recognition found none "
                         "in its images");
            goto out;
        }
        ocr = 1;
        layout_finish(l, lang, &d);
    } else if (!pdf_tagged_read(doc, range[1] - range[0] < pages ? range : NULL, lang, l, &d) ||
               d.list.total < layout_chars(l) * 7 / 10) {
        /* the structure tree when it holds the text (headers and footers, its artifacts, are
           outside it: a share of the page's characters); else, or when untagged, the layout */
        docbuild_release(&d);
        docbuild_init(&d, caps->max_text, e);
        layout_finish(l, lang, &d);
    }
    title = pdf_title(doc);
    if (!(rc = docbuild_finish(&d, title, lang, out))) {
        out->ocr = ocr;
        out->parts = parts;
    }
out:
    docbuild_release(&d);
    layout_free(l);
    free(title);
    free(lang);
    if (ge)
        g_error_free(ge);
    if (doc)
        g_object_unref(doc);
    g_bytes_unref(gb);
    return rc;
}
