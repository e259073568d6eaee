/* odt.c -- an OpenDocument text's content.xml: text:h (its outline level) as headings, text:p
 * as paragraphs (a "Title" style as the main heading), text:list items (numbered as their list
 * style and the outline style number them: "2.1", "b)"), table:table rows with
 * their cells joined, sections and frames read in place; text:s, tabs and line breaks as
 * spaces. A footnote (text:note) is read after the paragraph, heading or table row it is in
 * ("Fotnot 1: ...", its citation as written; an endnote too, "Slutnot i: ...");
 * annotations and tracked deletions are not read; headers and footers are in
 * styles.xml, which is only looked at for styles. Title and language from meta.xml, else the
 * default paragraph style's fo:language and fo:country; a paragraph's, heading's or span's own
 * language from its style's (automatic in content.xml, named in styles.xml, or one they are
 * based on), kept as the block's lang and runs. */
#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/base.h"
#include "docbuild.h"
#include "docnum.h"
#include "document.h"
#include "extract.h"

#include "banned.h"

static int skipped(xmlNodePtr n)
{
    static const char *const names[] = {
        "note",          "annotation",   "tracked-changes", "sequence-decls",
        "table-columns", "table-column", "soft-page-break", "bookmark-ref",
        "change",        "number"}; /* a saved copy of a list or heading number: counted here
                                       instead */
    size_t i;

    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (zipdoc_is(n, names[i]))
            return 1;
    return 0;
}

struct odt;
static const char *style_lang(const struct odt *o, const char *name);
static void pend_note(struct odt *o, xmlNodePtr note);

/* Appends the text under n, each span's language into runs (NULL: not wanted); its notes
 * wait for read_notes. */
static void inline_text(struct odt *o, xmlNodePtr n, struct buf *t, struct doc_runs *runs,
                        int depth)
{
    xmlNodePtr c;
    const char *v;
    size_t start;
    int k;

    for (c = n->children; c && depth > 0; c = c->next) {
        if (zipdoc_is(c, "note"))
            pend_note(o, c);
        if (runs && zipdoc_is(c, "span")) {
            start = t->len;
            inline_text(o, c, t, NULL, depth - 1); /* the outermost span's language counts */
            doc_runs_add(runs, start, t->len, style_lang(o, zipdoc_attr(c, "style-name")));
        } else if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
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
            inline_text(o, c, t, runs, depth - 1);
        } else {
            inline_text(o, c, t, runs, depth - 1);
        }
    }
}

static int title_style(xmlNodePtr p)
{
    const char *s = zipdoc_attr(p, "style-name");

    return s && (!strcasecmp(s, "Title") || !strcasecmp(s, "Rubrik"));
}

#define LIST_LEVELS 10
#define MAX_LISTS   128

/* A level of a list style (text:list-level-style-number) or of the headings' outline
 * style: how its number is written. fmt 0: a bullet or no number. */
struct level_style {
    char fmt, prefix[16], suffix[16];
    int start, display;
};

struct list_style {
    char name[64];
    struct level_style lvl[LIST_LEVELS];
    int count[LIST_LEVELS];
};

#define MAX_STYLES 1024

/* A paragraph or text style: its language ("" for none said: its parent's then). */
struct text_style {
    char name[64], parent[64], lang[32];
};

/* What the body is read into, the list and outline styles that number it, and the styles
 * that say a language. */
#define MAX_PENDING_NOTES 64 /* notes one paragraph may hold */

struct odt {
    struct docbuild *out;
    const char *lang;                      /* the document's, or NULL */
    xmlNodePtr pending[MAX_PENDING_NOTES]; /* the notes of the block being read, unread */
    size_t npending;
    struct list_style lists[MAX_LISTS], outline;
    size_t nlists;
    struct text_style *styles;
    size_t nstyles;
    struct buf label; /* the number of the list item being read, for its first paragraph */
};

static void load_levels(struct list_style *ls, xmlNodePtr style)
{
    xmlNodePtr c;
    const char *v;
    int l;

    for (c = style->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE || !(v = zipdoc_attr(c, "level")) || (l = atoi(v)) < 1 ||
            l > LIST_LEVELS)
            continue;
        struct level_style *lv = &ls->lvl[l - 1];
        v = zipdoc_attr(c, "num-format");
        lv->fmt = zipdoc_is(c, "list-level-style-bullet") || !v ? 0 : v[0];
        snprintf(lv->prefix, sizeof(lv->prefix), "%s",
                 zipdoc_attr(c, "num-prefix") ? zipdoc_attr(c, "num-prefix") : "");
        snprintf(lv->suffix, sizeof(lv->suffix), "%s",
                 zipdoc_attr(c, "num-suffix") ? zipdoc_attr(c, "num-suffix") : "");
        lv->start = zipdoc_attr(c, "start-value") ? atoi(zipdoc_attr(c, "start-value")) : 1;
        lv->display = zipdoc_attr(c, "display-levels") ? atoi(zipdoc_attr(c, "display-levels")) : 1;
    }
}

/* The list styles (text:list-style) and the outline style under a styles element. */
static void load_list_styles(struct odt *o, xmlNodePtr styles)
{
    xmlNodePtr c;

    for (c = styles ? styles->children : NULL; c; c = c->next) {
        if (zipdoc_is(c, "outline-style")) {
            load_levels(&o->outline, c);
        } else if (zipdoc_is(c, "list-style") && zipdoc_attr(c, "name") && o->nlists < MAX_LISTS) {
            struct list_style *ls = &o->lists[o->nlists++];
            snprintf(ls->name, sizeof(ls->name), "%s", zipdoc_attr(c, "name"));
            load_levels(ls, c);
        }
    }
}

/* fo:language with fo:country ("fi-FI") of a style:text-properties into out, "" for none
 * ("zxx" is no language: text not to be checked). */
static void lang_of(xmlNodePtr props, char *out, size_t size)
{
    const char *lang = zipdoc_attr(props, "language"), *country = zipdoc_attr(props, "country");

    out[0] = '\0';
    if (lang && *lang && strcmp(lang, "zxx"))
        snprintf(out, size, "%s%s%s", lang, country && *country ? "-" : "",
                 country && *country ? country : "");
}

/* The paragraph and text styles (style:style) under a styles element. */
static void load_text_styles(struct odt *o, xmlNodePtr styles)
{
    xmlNodePtr c;
    const char *name, *parent;

    for (c = styles ? styles->children : NULL; c; c = c->next) {
        if (!zipdoc_is(c, "style") || !(name = zipdoc_attr(c, "name")) || o->nstyles == MAX_STYLES)
            continue;
        if (!o->styles)
            o->styles = xcalloc(MAX_STYLES, sizeof(*o->styles));
        struct text_style *st = &o->styles[o->nstyles++];
        parent = zipdoc_attr(c, "parent-style-name");
        snprintf(st->name, sizeof(st->name), "%s", name);
        snprintf(st->parent, sizeof(st->parent), "%s", parent ? parent : "");
        lang_of(zipdoc_find(c, "text-properties", 1), st->lang, sizeof(st->lang));
    }
}

/* A style's language, its own or the nearest parent's; NULL when none says. Automatic styles
 * are loaded last and win over a named style of the same name. */
static const char *style_lang(const struct odt *o, const char *name)
{
    const struct text_style *st = NULL;
    size_t i;
    int hops;

    for (hops = 0; name && *name && hops < 16; hops++, name = st->parent) {
        for (st = NULL, i = o->nstyles; !st && i > 0; i--)
            if (!strcmp(o->styles[i - 1].name, name))
                st = &o->styles[i - 1];
        if (!st)
            return NULL;
        if (st->lang[0])
            return st->lang;
    }
    return NULL;
}

static struct list_style *list_style_of(struct odt *o, const char *name)
{
    size_t i;

    for (i = 0; name && i < o->nlists; i++)
        if (!strcmp(o->lists[i].name, name))
            return &o->lists[i];
    return NULL;
}

/* Counts the next item at level (0-based) of ls and writes its number into out as the
 * style shows it ("2.1", "b)"); nothing for a bullet. Deeper levels start again. */
static void next_number(struct list_style *ls, int level, struct buf *out)
{
    const struct level_style *lv = &ls->lvl[level];
    int k;

    buf_reset(out);
    ls->count[level] = ls->count[level] ? ls->count[level] + 1 : lv->start;
    for (k = level + 1; k < LIST_LEVELS; k++)
        ls->count[k] = 0;
    if (!lv->fmt)
        return;
    buf_adds(out, lv->prefix, NULL);
    for (k = level - (lv->display > 1 ? lv->display - 1 : 0); k <= level; k++) {
        if (k < 0)
            continue;
        docnum_format(out, ls->count[k] ? ls->count[k] : ls->lvl[k].start,
                      ls->lvl[k].fmt ? ls->lvl[k].fmt : '1');
        if (k < level)
            buf_addch(out, '.', NULL);
    }
    buf_adds(out, lv->suffix, NULL);
}

static void pend_note(struct odt *o, xmlNodePtr note)
{
    if (o->npending < MAX_PENDING_NOTES)
        o->pending[o->npending++] = note;
}

/* The notes of the block just read, as paragraphs after it. */
static void read_notes(struct odt *o, int depth)
{
    size_t i, k, lead;
    struct buf t;
    xmlChar *num;
    const char *class;

    buf_init(&t, BUF_NOLIMIT);
    for (i = 0, k = o->npending, o->npending = 0; i < k; i++) {
        buf_reset(&t);
        inline_text(o, zipdoc_find(o->pending[i], "note-body", 1), &t, NULL, depth);
        o->npending = 0; /* a note inside a note is not followed further */
        num = xmlNodeGetContent(zipdoc_find(o->pending[i], "note-citation", 1));
        lead = strspn(t.data, " ");
        class = zipdoc_attr(o->pending[i], "note-class");
        docbuild_add_note(o->out, o->lang, class && !strcmp(class, "endnote"),
                          num ? (const char *)num : "", t.data + lead, t.len - lead);
        xmlFree(num);
    }
    buf_release(&t);
}

static void read_text(struct odt *o, xmlNodePtr n, int depth, int in_list);

/* A paragraph or heading, after label when there is one. */
static void read_para(struct odt *o, xmlNodePtr c, int depth, enum doc_kind k,
                      const struct buf *label)
{
    struct doc_runs runs = {0};
    struct buf t;

    buf_init(&t, BUF_NOLIMIT);
    if (label && label->len) {
        buf_add(&t, label->data, label->len, NULL);
        buf_addch(&t, ' ', NULL);
    }
    inline_text(o, c, &t, &runs, depth);
    docbuild_add_lang(o->out, k, t.data, t.len, 0, style_lang(o, zipdoc_attr(c, "style-name")),
                      &runs);
    read_notes(o, depth);
    doc_runs_release(&runs);
    buf_release(&t);
}

static void read_table(struct odt *o, xmlNodePtr n, int depth, int *first)
{
    xmlNodePtr c, cell;
    struct buf row, t;

    for (c = n->children; c && depth > 0; c = c->next) {
        if (!zipdoc_is(c, "table-row")) {
            if (c->type == XML_ELEMENT_NODE && !skipped(c))
                read_table(o, c, depth - 1, first); /* header rows, row groups */
            continue;
        }
        buf_init(&row, BUF_NOLIMIT);
        for (cell = c->children; cell; cell = cell->next) {
            if (!zipdoc_is(cell, "table-cell"))
                continue;
            buf_init(&t, BUF_NOLIMIT);
            inline_text(o, cell, &t, NULL, depth);
            while (t.len && t.data[0] == ' ')
                memmove(t.data, t.data + 1, t.len--);
            if (t.len) {
                if (row.len)
                    buf_adds(&row, ", ", NULL);
                buf_add(&row, t.data, t.len, NULL);
            }
            buf_release(&t);
        }
        docbuild_add(o->out, DOC_TR, row.data, row.len, *first);
        *first = *first && !row.len;
        read_notes(o, depth);
        buf_release(&row);
    }
}

/* A text:list at level (0 for a list at the top): its items numbered by its style (its own
 * or the enclosing list's); a top list starts its numbers again unless it continues the one
 * before. */
static void read_list(struct odt *o, xmlNodePtr list, int depth, struct list_style *ls, int level)
{
    const char *cont = zipdoc_attr(list, "continue-numbering");
    struct list_style *own = list_style_of(o, zipdoc_attr(list, "style-name"));
    xmlNodePtr c, k;
    int i;

    ls = own ? own : ls;
    if (ls && !level && !(cont && !strcmp(cont, "true")) && !zipdoc_attr(list, "continue-list"))
        for (i = 0; i < LIST_LEVELS; i++)
            ls->count[i] = 0;
    for (c = list->children; c && depth > 0; c = c->next) {
        if (!zipdoc_is(c, "list-item") && !zipdoc_is(c, "list-header"))
            continue;
        buf_reset(&o->label);
        if (ls && zipdoc_is(c, "list-item") && level < LIST_LEVELS)
            next_number(ls, level, &o->label);
        for (k = c->children; k; k = k->next) {
            if (zipdoc_is(k, "list"))
                read_list(o, k, depth - 1, ls, level + 1);
            else if (zipdoc_is(k, "p") || zipdoc_is(k, "h"))
                read_para(o, k, depth, DOC_LI, &o->label);
            else if (k->type == XML_ELEMENT_NODE && !skipped(k))
                read_text(o, k, depth - 1, 1);
            if (zipdoc_is(k, "p") || zipdoc_is(k, "h"))
                buf_reset(&o->label); /* the item's number goes before its first paragraph */
        }
    }
}

static void read_text(struct odt *o, xmlNodePtr n, int depth, int in_list)
{
    xmlNodePtr c;
    const char *lv;
    int level, first;
    struct buf label;

    if (depth <= 0)
        return;
    buf_init(&label, BUF_NOLIMIT);
    for (c = n->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE || skipped(c))
            continue;
        if (zipdoc_is(c, "h")) {
            lv = zipdoc_attr(c, "outline-level");
            level = lv ? atoi(lv) : 1;
            level = level >= 1 && level <= 6 ? level : 1;
            next_number(&o->outline, level - 1, &label);
            read_para(o, c, depth, (enum doc_kind)level, &label);
        } else if (zipdoc_is(c, "p")) {
            read_para(o, c, depth, title_style(c) ? DOC_H1 : in_list ? DOC_LI : DOC_P, NULL);
        } else if (zipdoc_is(c, "list")) {
            read_list(o, c, depth - 1, NULL, 0);
        } else if (zipdoc_is(c, "table")) {
            first = 1;
            read_table(o, c, depth - 1, &first);
        } else {
            read_text(o, c, depth - 1, in_list);
        }
    }
    buf_release(&label);
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
    struct odt *o;
    char *title = NULL, *lang = NULL;
    int rc;

    if (!z)
        return e->code;
    docbuild_init(&b, caps->max_text, e);
    o = xcalloc(1, sizeof(*o));
    o->out = &b;
    buf_init(&o->label, BUF_NOLIMIT);
    rc = zipdoc_xml(z, "content.xml", 0, &content, e);
    if (!rc)
        rc = zipdoc_xml(z, "meta.xml", 1, &meta, e);
    if (!rc)
        rc = zipdoc_xml(z, "styles.xml", 1, &styles, e);
    if (!rc) {
        document_core_props(meta, &title, &lang);
        if (!lang)
            lang = default_lang(styles);
        o->lang = lang;
        load_list_styles(o, zipdoc_find(xmlDocGetRootElement(styles), "styles", 1));
        load_list_styles(o, zipdoc_find(xmlDocGetRootElement(content), "automatic-styles", 1));
        load_text_styles(o, zipdoc_find(xmlDocGetRootElement(styles), "styles", 1));
        load_text_styles(o, zipdoc_find(xmlDocGetRootElement(content), "automatic-styles", 1));
        body = zipdoc_find(xmlDocGetRootElement(content), "body", 1);
        read_text(o, zipdoc_find(body, "text", 1), caps->max_depth, 0);
        rc = docbuild_finish(&b, title, lang, out);
    }
    docbuild_release(&b);
    buf_release(&o->label);
    free(o->styles);
    free(o);
    xmlFreeDoc(content);
    xmlFreeDoc(meta);
    xmlFreeDoc(styles);
    zipdoc_free(z);
    free(title);
    free(lang);
    return rc;
}
