/* odt.c -- an OpenDocument text's content.xml: text:h (its outline level) as headings, text:p
 * as paragraphs (a "Title" style as the main heading), text:list items, table:table rows with
 * their cells joined, sections and frames read in place; text:s, tabs and line breaks as
 * spaces. Notes, annotations and tracked deletions are not read; headers and footers are in
 * styles.xml, which is only looked at for the default language. Title and language from
 * meta.xml, else the default paragraph style's fo:language and fo:country. */
#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/base.h"
#include "docbuild.h"
#include "document.h"
#include "extract.h"

#include "banned.h"

static int skipped(xmlNodePtr n)
{
    static const char *const names[] = {
        "note",         "annotation",      "tracked-changes", "sequence-decls", "table-columns",
        "table-column", "soft-page-break", "bookmark-ref",    "change"};
    size_t i;

    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (zipdoc_is(n, names[i]))
            return 1;
    return 0;
}

static void inline_text(xmlNodePtr n, struct buf *t, int depth)
{
    xmlNodePtr c;
    const char *v;
    int k;

    for (c = n->children; c && depth > 0; c = c->next) {
        if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
            buf_adds(t, c->content ? (const char *)c->content : "", NULL);
        } else if (c->type != XML_ELEMENT_NODE || skipped(c)) {
            continue;
        } else if (zipdoc_is(c, "s")) {
            v = zipdoc_attr(c, "c");
            for (k = v ? atoi(v) : 1; k > 0 && k < 1000; k--)
                buf_addch(t, ' ', NULL);
        } else if (zipdoc_is(c, "tab") || zipdoc_is(c, "line-break")) {
            buf_addch(t, ' ', NULL);
        } else if (zipdoc_is(c, "p") || zipdoc_is(c, "h")) {
            buf_addch(t, ' ', NULL);
            inline_text(c, t, depth - 1);
        } else {
            inline_text(c, t, depth - 1);
        }
    }
}

static int title_style(xmlNodePtr p)
{
    const char *s = zipdoc_attr(p, "style-name");

    return s && (!strcasecmp(s, "Title") || !strcasecmp(s, "Rubrik"));
}

static void read_text(struct docbuild *out, xmlNodePtr n, int depth, int in_list);

static void read_para(struct docbuild *out, xmlNodePtr c, int depth, enum doc_kind k)
{
    struct buf t;

    buf_init(&t, BUF_NOLIMIT);
    inline_text(c, &t, depth);
    docbuild_add(out, k, t.data, t.len, 0);
    buf_release(&t);
}

static void read_table(struct docbuild *out, xmlNodePtr n, int depth, int *first)
{
    xmlNodePtr c, cell;
    struct buf row, t;

    for (c = n->children; c && depth > 0; c = c->next) {
        if (!zipdoc_is(c, "table-row")) {
            if (c->type == XML_ELEMENT_NODE && !skipped(c))
                read_table(out, c, depth - 1, first); /* header rows, row groups */
            continue;
        }
        buf_init(&row, BUF_NOLIMIT);
        for (cell = c->children; cell; cell = cell->next) {
            if (!zipdoc_is(cell, "table-cell"))
                continue;
            buf_init(&t, BUF_NOLIMIT);
            inline_text(cell, &t, depth);
            while (t.len && t.data[0] == ' ')
                memmove(t.data, t.data + 1, t.len--);
            if (t.len) {
                if (row.len)
                    buf_adds(&row, ", ", NULL);
                buf_add(&row, t.data, t.len, NULL);
            }
            buf_release(&t);
        }
        docbuild_add(out, DOC_TR, row.data, row.len, *first);
        *first = *first && !row.len;
        buf_release(&row);
    }
}

static void read_text(struct docbuild *out, xmlNodePtr n, int depth, int in_list)
{
    xmlNodePtr c;
    const char *lv;
    int level, first;

    if (depth <= 0)
        return;
    for (c = n->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE || skipped(c))
            continue;
        if (zipdoc_is(c, "h")) {
            lv = zipdoc_attr(c, "outline-level");
            level = lv ? atoi(lv) : 1;
            read_para(out, c, depth, (enum doc_kind)(level >= 1 && level <= 6 ? level : 1));
        } else if (zipdoc_is(c, "p")) {
            read_para(out, c, depth, title_style(c) ? DOC_H1 : in_list ? DOC_LI : DOC_P);
        } else if (zipdoc_is(c, "table")) {
            first = 1;
            read_table(out, c, depth - 1, &first);
        } else {
            read_text(out, c, depth - 1, in_list || zipdoc_is(c, "list"));
        }
    }
}

/* The default paragraph style's language ("sv-SE") from styles.xml, or NULL. */
static char *default_lang(xmlDocPtr styles)
{
    xmlNodePtr root = styles ? xmlDocGetRootElement(styles) : NULL, d, p;
    const char *lang, *country;
    char out[32];

    d = zipdoc_find(root, "default-style", 3);
    for (; d; d = d->next) {
        if (!zipdoc_is(d, "default-style") || (p = zipdoc_find(d, "text-properties", 1)) == NULL)
            continue;
        lang = zipdoc_attr(p, "language");
        country = zipdoc_attr(p, "country");
        if (lang && strcmp(lang, "zxx")) {
            snprintf(out, sizeof(out), "%s%s%s", lang, country ? "-" : "", country ? country : "");
            return xstrdup(out);
        }
    }
    return NULL;
}

int document_read_odt(const char *bytes, size_t len, const struct document_caps *caps,
                      struct extract_result *out, struct err *e)
{
    struct zipdoc *z = zipdoc_open(bytes, len, caps, e);
    xmlDocPtr content = NULL, meta = NULL, styles = NULL;
    xmlNodePtr body;
    struct docbuild b;
    char *title = NULL, *lang = NULL;
    int rc;

    if (!z)
        return e->code;
    docbuild_init(&b, caps->max_text, e);
    rc = zipdoc_xml(z, "content.xml", 0, &content, e);
    if (!rc)
        rc = zipdoc_xml(z, "meta.xml", 1, &meta, e);
    if (!rc)
        rc = zipdoc_xml(z, "styles.xml", 1, &styles, e);
    if (!rc) {
        document_core_props(meta, &title, &lang);
        if (!lang)
            lang = default_lang(styles);
        body = zipdoc_find(xmlDocGetRootElement(content), "body", 1);
        read_text(&b, zipdoc_find(body, "text", 1), caps->max_depth, 0);
        rc = docbuild_finish(&b, title, lang, out);
    }
    docbuild_release(&b);
    xmlFreeDoc(content);
    xmlFreeDoc(meta);
    xmlFreeDoc(styles);
    zipdoc_free(z);
    free(title);
    free(lang);
    return rc;
}
