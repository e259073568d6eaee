/* routes_read.c -- GET /read?url=DOC: the reading page, an accessible HTML view of a document
 * (or a page) made from its extracted blocks: the title, real headings, paragraphs, lists and
 * tables, images as their alt text with their captions, the listen button on top (it reads ?url=
 * itself and highlights as it reads), links to the original file and to the MP3. It replaces a
 * rented document reader: a person who cannot read the PDF gets the same text as a page that
 * reflows, zooms and speaks. */
#include "serve_int.h"

#include <ctype.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "extract/extract.h"

#include "banned.h"

/* Writes the n bytes at s with the five characters HTML gives meaning to escaped. */
static void add_html_n(struct buf *b, const char *s, size_t n)
{
    for (; n--; s++) {
        switch (*s) {
        case '&':
            buf_adds(b, "&amp;", NULL);
            break;
        case '<':
            buf_adds(b, "&lt;", NULL);
            break;
        case '>':
            buf_adds(b, "&gt;", NULL);
            break;
        case '"':
            buf_adds(b, "&quot;", NULL);
            break;
        case '\'':
            buf_adds(b, "&#39;", NULL);
            break;
        default:
            buf_addch(b, *s, NULL);
        }
    }
}

static void add_html(struct buf *b, const char *s)
{
    add_html_n(b, s, strlen(s));
}

/* Writes s percent-encoded for a query string's value (RFC 3986's unreserved kept). */
static void add_query_value(struct buf *b, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            strchr("-._~", c))
            buf_addch(b, (char)c, NULL);
        else
            buf_addf(b, NULL, "%%%02X", c);
    }
}

/* The last part of the address's path, for the link to the original and the MP3's name. */
static void file_name(const char *url, char *out, size_t size)
{
    size_t end = strcspn(url, "?#"), start = end;

    while (start > 0 && url[start - 1] != '/')
        start--;
    if (start == end || end - start >= size)
        snprintf(out, size, "dokument");
    else
        snprintf(out, size, "%.*s", (int)(end - start), url + start);
}

/* A row's cells, when every row of the table splits into as many at ", " (cells were joined
 * so); 0 when they do not agree and each row is shown as one cell. */
static size_t cells_of(const char *text)
{
    size_t n = 1;

    while ((text = strstr(text, ", ")))
        n++, text += 2;
    return n;
}

static void add_row(struct buf *b, const char *text, int split, size_t index)
{
    const char *p = text, *q;

    buf_addf(b, NULL, "<tr data-lyssna-block=\"%zu\">", index);
    while (split && (q = strstr(p, ", "))) {
        buf_adds(b, "<td>", NULL), add_html_n(b, p, (size_t)(q - p)), buf_adds(b, "</td>", NULL);
        p = q + 2;
    }
    buf_adds(b, "<td>", NULL), add_html(b, p), buf_adds(b, "</td></tr>\n", NULL);
}

/* Blocks [i, j) are the rows of one table. */
static void add_table(struct buf *b, const struct extract_result *r, size_t i, size_t j)
{
    size_t k, n = cells_of(r->blocks[i].text);
    int split = n > 1;

    for (k = i; k < j && split; k++)
        split = cells_of(r->blocks[k].text) == n;
    buf_adds(b, "<table>\n", NULL);
    for (k = i; k < j; k++)
        add_row(b, r->blocks[k].text, split, k);
    buf_adds(b, "</table>\n", NULL);
}

/* One block, or the run of list items or table rows it starts; returns the next block.
 * top is the level of the highest heading below the title: it becomes h2. */
static size_t add_block(struct buf *b, const struct extract_result *r, size_t i, int top)
{
    const struct extract_block *x = &r->blocks[i];
    size_t j = i;
    int level;

    if (x->kind == EXTRACT_TABLE_ROW) {
        while (j < r->nblocks && r->blocks[j].kind == EXTRACT_TABLE_ROW)
            j++;
        add_table(b, r, i, j);
        return j;
    }
    if (x->kind == EXTRACT_LIST_ITEM) {
        buf_adds(b, "<ul>\n", NULL);
        for (; j < r->nblocks && r->blocks[j].kind == EXTRACT_LIST_ITEM; j++) {
            buf_addf(b, NULL, "<li data-lyssna-block=\"%zu\"", j);
            if (r->blocks[j].lang)
                buf_adds(b, " lang=\"", NULL), add_html(b, r->blocks[j].lang),
                    buf_adds(b, "\"", NULL);
            buf_adds(b, ">", NULL), add_html(b, r->blocks[j].text), buf_adds(b, "</li>\n", NULL);
        }
        buf_adds(b, "</ul>\n", NULL);
        return j;
    }
    /* The title is the h1: the headings below it start at h2, in their own order. */
    level = x->kind == EXTRACT_HEADING ? x->level - top + 2 : 0;
    level = level > 6 ? 6 : level;
    if (level)
        buf_addf(b, NULL, "<h%d data-lyssna-block=\"%zu\"", level, i);
    else
        buf_addf(b, NULL, "<p data-lyssna-block=\"%zu\"", i);
    if (x->lang)
        buf_adds(b, " lang=\"", NULL), add_html(b, x->lang), buf_adds(b, "\"", NULL);
    buf_adds(b, ">", NULL), add_html(b, x->text);
    if (level)
        buf_addf(b, NULL, "</h%d>\n", level);
    else
        buf_adds(b, "</p>\n", NULL);
    return i + 1;
}

/* The length of the path to the figure element around a figure's img ("/…/figure[2]"), 0 when
 * the img is not in one. */
static size_t figure_path(const char *xpath)
{
    const char *p = xpath, *at = NULL;

    while ((p = strstr(p, "/figure"))) {
        p += 7;
        if (*p == '[')
            p += strspn(p + 1, "0123456789") + 2;
        if (*p == '/')
            at = p;
    }
    return at ? (size_t)(at - xpath) : 0;
}

/* True when block x is the figcaption of figure f (it is read: it is a block of its own). */
static int caption_of(const struct extract_figure *f, const struct extract_block *x)
{
    size_t n = figure_path(f->xpath);

    return n && x->kind == EXTRACT_PARAGRAPH && !strncmp(x->xpath, f->xpath, n) &&
           !strncmp(x->xpath + n, "/figcaption", 11);
}

static void add_caption(struct buf *b, const struct extract_result *r, size_t i)
{
    buf_addf(b, NULL, "<figcaption data-lyssna-block=\"%zu\"", i);
    if (r->blocks[i].lang)
        buf_adds(b, " lang=\"", NULL), add_html(b, r->blocks[i].lang), buf_adds(b, "\"", NULL);
    buf_adds(b, ">", NULL), add_html(b, r->blocks[i].text), buf_adds(b, "</figcaption>\n", NULL);
}

/* A content image as its alt text, with its caption (block i, when not SIZE_MAX), in the order
 * of the page: the alt is shown, not read, so it carries no block number and the highlight
 * never lands on it. An alt that says it is a picture ("Bild på ...") gets no label. */
static void add_figure(struct buf *b, const struct extract_result *r,
                       const struct extract_figure *f, size_t i)
{
    static const char *const said[] = {"bild", "foto", "image", "photo", "picture"};
    size_t k, n;
    int label = 1, first = i != SIZE_MAX && f->block == i + 1;

    for (k = 0; k < sizeof(said) / sizeof(said[0]); k++)
        if (!strncasecmp(f->alt, said[k], n = strlen(said[k])) &&
            !isalpha((unsigned char)f->alt[n]))
            label = 0;
    buf_adds(b, "<figure>\n", NULL);
    if (first)
        add_caption(b, r, i);
    buf_adds(b, "<p class=\"lyssna-alt\"", NULL);
    if (f->lang)
        buf_adds(b, " lang=\"", NULL), add_html(b, f->lang), buf_adds(b, "\"", NULL);
    buf_adds(b, label ? "><span class=\"lyssna-alt-label\" lang=\"sv\">Bild: </span>" : ">", NULL);
    add_html(b, f->alt), buf_adds(b, "</p>\n", NULL);
    if (i != SIZE_MAX && !first)
        add_caption(b, r, i);
    buf_adds(b, "</figure>\n", NULL);
}

/* Blocks from i on with the figures among them (from *fig on): a figure with the caption that
 * follows or precedes it, else where it stands; returns the next block. */
static size_t add_next(struct buf *b, const struct extract_result *r, size_t i, size_t *fig,
                       int top)
{
    const struct extract_figure *f = *fig < r->nfigures ? &r->figures[*fig] : NULL;

    if (f && i < r->nblocks && (f->block == i || f->block == i + 1) &&
        caption_of(f, &r->blocks[i])) {
        add_figure(b, r, f, i);
        ++*fig;
        return i + 1;
    }
    if (f && f->block <= i) {
        add_figure(b, r, f, SIZE_MAX);
        ++*fig;
        return i;
    }
    return i < r->nblocks ? add_block(b, r, i, top) : i;
}

/* The query of the page's audio: url, and readid and voice when asked for. */
static void add_listen_query(struct buf *b, const char *url, const char *readid, const char *voice)
{
    buf_adds(b, "url=", NULL), add_query_value(b, url);
    if (readid)
        buf_adds(b, "&amp;readid=", NULL), add_query_value(b, readid);
    if (voice)
        buf_adds(b, "&amp;voice=", NULL), add_query_value(b, voice);
}

static void add_head(struct buf *b, const struct extract_result *r, const char *url,
                     const char *readid, const char *voice)
{
    char name[256];

    file_name(url, name, sizeof(name));
    buf_adds(b, "<!doctype html>\n<html lang=\"", NULL);
    add_html(b, r->lang && *r->lang ? r->lang : "sv");
    buf_adds(b,
             "\">\n<head>\n<meta charset=\"utf-8\">\n"
             "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
             NULL);
    add_html(b, r->title && *r->title ? r->title : name);
    /* a stylesheet of its own, not inline: the page then works under a strict CSP, and the
       text mode of the listen button can take its content in under one */
    buf_adds(b,
             " – uppläsning</title>\n<link rel=\"stylesheet\" href=\"widget/lyssna-read.css\">\n"
             "</head>\n<body>\n<header>\n<div data-lyssna=\"button\" data-lyssna-url=\"",
             NULL);
    add_html(b, url);
    if (readid)
        buf_adds(b, "\" data-lyssna-readid=\"", NULL), add_html(b, readid);
    if (voice)
        buf_adds(b, "\" data-lyssna-voice=\"", NULL), add_html(b, voice);
    buf_adds(b, "\"></div>\n<ul class=\"lyssna-links\">\n<li><a href=\"", NULL);
    add_html(b, url);
    buf_adds(b, "\">Originalfilen (", NULL);
    add_html(b, name);
    buf_adds(b, ")</a></li>\n<li><a href=\"v1/listen?format=mp3&amp;chapters=1&amp;", NULL);
    add_listen_query(b, url, readid, voice);
    buf_adds(b, "\" download=\"", NULL);
    add_html(b, name);
    buf_adds(b, ".mp3\">Ladda ner uppläsningen som MP3</a></li>\n<li><a href=\"v1/listen.vtt?",
             NULL);
    add_listen_query(b, url, readid, voice);
    buf_adds(b, "\" download=\"", NULL);
    add_html(b, name);
    buf_adds(b, ".vtt\">Texten med tider (WebVTT)</a></li>\n</ul>\n</header>\n", NULL);
}

/* The reading page of r, read from url (with readid and voice, when asked for). */
static void render(struct buf *b, const struct extract_result *r, const char *url,
                   const char *readid, const char *voice)
{
    size_t i = 0, j, fig = 0;
    int top = 6;

    add_head(b, r, url, readid, voice);
    /* A first heading that only repeats the title is the title, and read as such. */
    if (r->nblocks && r->blocks[0].kind == EXTRACT_HEADING && r->title &&
        !strcmp(r->blocks[0].text, r->title))
        i = 1;
    buf_adds(b, i ? "<main>\n<h1 data-lyssna-block=\"0\">" : "<main>\n<h1>", NULL);
    add_html(b, r->title && *r->title ? r->title : "Dokument");
    buf_adds(b, "</h1>\n", NULL);
    if (r->ocr)
        buf_adds(b, "<p>Texten är tolkad från en inskannad bild och kan innehålla fel.</p>\n",
                 NULL);
    for (j = i; j < r->nblocks; j++)
        if (r->blocks[j].kind == EXTRACT_HEADING && r->blocks[j].level < top)
            top = r->blocks[j].level;
    while (i < r->nblocks || fig < r->nfigures)
        i = add_next(b, r, i, &fig, top);
    buf_adds(b, "</main>\n<script src=\"widget/lyssna.js\"></script>\n</body>\n</html>\n", NULL);
}

/* A person opened this page: the failure in Swedish words, the reason as the service gave it. */
static enum MHD_Result send_error_page(struct server *srv, struct MHD_Connection *c,
                                       const struct err *e)
{
    struct buf b;
    enum MHD_Result ret;

    buf_init(&b, BUF_NOLIMIT);
    buf_adds(&b,
             "<!doctype html>\n<html lang=\"sv\">\n<head>\n<meta charset=\"utf-8\">\n"
             "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
             "<title>Dokumentet kunde inte läsas upp</title>\n</head>\n<body>\n<main>\n"
             "<h1>Dokumentet kunde inte läsas upp</h1>\n<p>",
             NULL);
    add_html(&b, e->msg[0] ? e->msg : err_name(e->code));
    buf_adds(&b, "</p>\n</main>\n</body>\n</html>\n", NULL);
    ret = send_buffer(srv, c, (unsigned)status_of(e->code), "text/html; charset=utf-8", b.data,
                      b.len);
    buf_release(&b);
    return ret;
}

enum MHD_Result answer_read(struct server *srv, struct MHD_Connection *c, struct request *rq)
{
    struct job_spec js = {0};
    struct page pg;
    struct err e = {0};
    struct buf html;
    enum MHD_Result ret;

    (void)rq;
    if (read_page(srv, c, &pg, &js, 0, &e)) {
        ret = send_error_page(srv, c, &e);
    } else {
        buf_init(&html, BUF_NOLIMIT);
        render(&html, pg.text.page, arg(c, "url"), arg(c, "readid"), arg(c, "voice"));
        ret = send_buffer(srv, c, MHD_HTTP_OK, "text/html; charset=utf-8", html.data, html.len);
        buf_release(&html);
    }
    page_release(&pg);
    return ret;
}
