/* docx.c -- a Word document's text: word/document.xml's paragraphs (w:p) in order, headings
 * by their style (resolved through word/styles.xml: "heading N", "Title", an outline level),
 * list items by their numbering, automatic numbers ("3.3", "a)") read as Word shows them
 * (docnum.c), tables row by row (w:tbl/w:tr/w:tc, a cell's paragraphs
 * joined), line breaks and tabs inside a paragraph as spaces. A footnote (word/footnotes.xml)
 * is read after the paragraph or table row that refers to it, numbered as Word numbers them
 * ("Fotnot 1: ..."); an endnote (word/endnotes.xml) too, as "Slutnot 1: ...", numbered on
 * their own. Headers, footers, comments, deleted text and field codes live elsewhere or are
 * skipped: never read. Title
 * and language from docProps/core.xml, else the styles' default w:lang; a paragraph's own
 * language from its mark's or its style's w:lang, a run's from its own or its character
 * style's (w:bidi for right-to-left runs), kept as the block's lang and runs. */
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

#define MAX_STYLES 512

struct style {
    char id[64];
    int level; /* heading level, 0: none */
    int list;
    char num[24]; /* its numbering (w:numPr): w:numId, "" for none, and level */
    int ilvl;
    char lang[32];  /* its w:rPr/w:lang, "" for none: its base's then */
    char based[64]; /* w:basedOn */
};

#define MAX_PENDING_NOTES 64 /* notes one paragraph may refer to */

struct note_ref {
    const char *id; /* w:id */
    int end;        /* an endnote */
};

struct docx {
    struct docbuild *out;
    struct style styles[MAX_STYLES];
    size_t nstyles;
    int max_depth;
    char *lang;            /* the first w:lang met in the styles or the text */
    const char *core_lang; /* docProps/core.xml's, or NULL */
    struct docnum *num;
    xmlNodePtr notes[2];                        /* word/footnotes.xml's, endnotes.xml's root */
    struct note_ref pending[MAX_PENDING_NOTES]; /* the notes referred to, unread */
    size_t npending;
    int nnotes[2]; /* footnotes and endnotes read: the next one's number less 1 */
};

static int heading_of_name(const char *name)
{
    if (!name)
        return 0;
    if (!strcasecmp(name, "Title") || !strcasecmp(name, "Rubrik"))
        return 1;
    if (!strncasecmp(name, "heading ", 8) && name[8] >= '1' && name[8] <= '6')
        return name[8] - '0';
    if (!strncasecmp(name, "rubrik ", 7) && name[7] >= '1' && name[7] <= '6')
        return name[7] - '0';
    return 0;
}

static void note_lang(struct docx *d, xmlNodePtr n)
{
    xmlNodePtr l = zipdoc_find(n, "lang", 4);
    const char *v = zipdoc_attr(l, "val");

    if (!d->lang && v && *v)
        d->lang = xstrdup(v);
}

/* The language an rPr names: w:bidi for a right-to-left run (Arabic text in a file whose
 * w:val is the Latin default), else w:val; NULL when none. */
static const char *rpr_lang(xmlNodePtr rpr)
{
    xmlNodePtr l = zipdoc_find(rpr, "lang", 1);
    const char *bidi = zipdoc_attr(l, "bidi"), *v = zipdoc_attr(l, "val");

    if (bidi && *bidi && (zipdoc_find(rpr, "rtl", 1) || zipdoc_find(rpr, "cs", 1)))
        return bidi;
    return v && *v ? v : NULL;
}

static void load_styles(struct docx *d, xmlDocPtr doc)
{
    xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL, s, c;

    for (s = root ? root->children : NULL; s; s = s->next) {
        if (zipdoc_is(s, "docDefaults"))
            note_lang(d, s);
        if (!zipdoc_is(s, "style") || d->nstyles == MAX_STYLES || !zipdoc_attr(s, "styleId"))
            continue;
        struct style *st = &d->styles[d->nstyles++];
        snprintf(st->id, sizeof(st->id), "%s", zipdoc_attr(s, "styleId"));
        st->level = heading_of_name(zipdoc_attr(zipdoc_find(s, "name", 1), "val"));
        if (!st->level)
            st->level = heading_of_name(st->id);
        if (!st->level && (c = zipdoc_find(s, "outlineLvl", 2)) && zipdoc_attr(c, "val"))
            st->level = atoi(zipdoc_attr(c, "val")) + 1;
        st->level = st->level > 6 ? 0 : st->level;
        st->list = zipdoc_find(s, "numPr", 2) != NULL || strstr(st->id, "List") != NULL ||
                   strstr(st->id, "Liststycke") != NULL;
        c = zipdoc_find(s, "numPr", 2);
        snprintf(st->num, sizeof(st->num), "%s",
                 zipdoc_attr(zipdoc_find(c, "numId", 1), "val")
                     ? zipdoc_attr(zipdoc_find(c, "numId", 1), "val")
                     : "");
        st->ilvl = zipdoc_attr(zipdoc_find(c, "ilvl", 1), "val")
                       ? atoi(zipdoc_attr(zipdoc_find(c, "ilvl", 1), "val"))
                       : 0;
        c = zipdoc_find(s, "rPr", 1);
        snprintf(st->lang, sizeof(st->lang), "%s", rpr_lang(c) ? rpr_lang(c) : "");
        c = zipdoc_find(s, "basedOn", 1);
        snprintf(st->based, sizeof(st->based), "%s",
                 zipdoc_attr(c, "val") ? zipdoc_attr(c, "val") : "");
    }
}

static const struct style *style_of(const struct docx *d, const char *id)
{
    size_t i;

    for (i = 0; id && i < d->nstyles; i++)
        if (!strcmp(d->styles[i].id, id))
            return &d->styles[i];
    return NULL;
}

/* A style's language, its own or the nearest base's; NULL when none says. */
static const char *style_lang(const struct docx *d, const char *id)
{
    const struct style *st = style_of(d, id);
    int hops;

    for (hops = 0; st && hops < 16; hops++, st = style_of(d, st->based))
        if (st->lang[0])
            return st->lang;
    return NULL;
}

/* A paragraph's language: its mark's w:rPr, else its style's; NULL: the document's. */
static const char *para_lang(const struct docx *d, xmlNodePtr p)
{
    xmlNodePtr ppr = zipdoc_find(p, "pPr", 0);
    const char *l = rpr_lang(zipdoc_find(ppr, "rPr", 0));

    return l ? l : style_lang(d, zipdoc_attr(zipdoc_find(ppr, "pStyle", 0), "val"));
}

/* A run's language: its own w:rPr, else its character style's; NULL: its paragraph's. */
static const char *run_lang(const struct docx *d, xmlNodePtr r)
{
    xmlNodePtr rpr = zipdoc_find(r, "rPr", 0);
    const char *l = rpr_lang(rpr);

    return l ? l : style_lang(d, zipdoc_attr(zipdoc_find(rpr, "rStyle", 0), "val"));
}

/* Elements whose text is never read: deleted revisions, field codes, footnote and comment
 * references, the fallback copy of a drawing (its text is in the choice beside it). */
static int skipped(xmlNodePtr n)
{
    static const char *const names[] = {"delText",
                                        "instrText",
                                        "del",
                                        "pPr",
                                        "rPr",
                                        "Fallback",
                                        "footnoteReference",
                                        "endnoteReference",
                                        "commentReference",
                                        "delInstrText",
                                        "tblPr",
                                        "trPr",
                                        "tcPr",
                                        "sectPr"};
    size_t i;

    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (zipdoc_is(n, names[i]))
            return 1;
    return 0;
}

/* Appends the text under n: w:t as written, tabs and breaks as spaces; each run's language
 * into runs (NULL: not wanted). */
static void run_text(struct docx *d, xmlNodePtr n, struct buf *t, struct doc_runs *runs, int depth)
{
    xmlNodePtr c;
    size_t start;

    for (c = n->children; c && depth > 0; c = c->next) {
        if ((zipdoc_is(c, "footnoteReference") || zipdoc_is(c, "endnoteReference")) &&
            d->npending < MAX_PENDING_NOTES && zipdoc_attr(c, "id"))
            d->pending[d->npending++] =
                (struct note_ref){zipdoc_attr(c, "id"), zipdoc_is(c, "endnoteReference")};
        if (c->type != XML_ELEMENT_NODE || skipped(c))
            continue;
        if (runs && zipdoc_is(c, "r")) {
            start = t->len;
            run_text(d, c, t, NULL, depth - 1);
            doc_runs_add(runs, start, t->len, run_lang(d, c));
        } else if (zipdoc_is(c, "t")) {
            xmlChar *s = xmlNodeGetContent(c);
            buf_adds(t, s ? (const char *)s : "", NULL);
            xmlFree(s);
        } else if (zipdoc_is(c, "tab") || zipdoc_is(c, "br") || zipdoc_is(c, "cr")) {
            buf_addch(t, ' ', NULL);
        } else if (zipdoc_is(c, "noBreakHyphen")) {
            buf_addch(t, '-', NULL);
        } else if (zipdoc_is(c, "p")) {
            buf_addch(t, ' ', NULL); /* a table cell's paragraphs */
            run_text(d, c, t, runs, depth - 1);
        } else {
            run_text(d, c, t, runs, depth - 1);
        }
    }
}

/* The footnotes and endnotes the paragraph or row just read refers to, as paragraphs after
 * it. */
static void read_notes(struct docx *d, int depth)
{
    size_t i, k;
    xmlNodePtr n;
    struct buf t;
    char num[16];
    int end;

    buf_init(&t, BUF_NOLIMIT);
    for (i = 0, k = d->npending, d->npending = 0; i < k; i++) {
        end = d->pending[i].end;
        for (n = d->notes[end] ? d->notes[end]->children : NULL; n; n = n->next)
            if (zipdoc_is(n, end ? "endnote" : "footnote") && zipdoc_attr(n, "id") &&
                !strcmp(zipdoc_attr(n, "id"), d->pending[i].id))
                break;
        if (!n)
            continue;
        buf_reset(&t);
        run_text(d, n, &t, NULL, depth);
        d->npending = 0; /* a note that refers to another is not followed further */
        snprintf(num, sizeof(num), "%d", ++d->nnotes[end]);
        docbuild_add_note(d->out, d->core_lang ? d->core_lang : d->lang, end, num,
                          t.data + strspn(t.data, " "), t.len - strspn(t.data, " "));
    }
    buf_release(&t);
}

static enum doc_kind para_kind(const struct docx *d, xmlNodePtr p)
{
    xmlNodePtr ppr = zipdoc_find(p, "pPr", 0), x;
    const struct style *st = style_of(d, zipdoc_attr(zipdoc_find(ppr, "pStyle", 0), "val"));
    const char *num;

    if ((x = zipdoc_find(ppr, "outlineLvl", 0)) && zipdoc_attr(x, "val") &&
        atoi(zipdoc_attr(x, "val")) < 6)
        return (enum doc_kind)(DOC_H1 + atoi(zipdoc_attr(x, "val")));
    if (st && st->level)
        return (enum doc_kind)(DOC_H1 + st->level - 1);
    x = zipdoc_find(zipdoc_find(ppr, "numPr", 0), "numId", 0);
    num = zipdoc_attr(x, "val");
    if ((num && strcmp(num, "0")) || (!x && st && st->list))
        return DOC_LI;
    return DOC_P;
}

/* The paragraph's automatic number, as Word shows it before the text, into label (empty
 * when it has none or a bullet): its own w:numPr, else its style's. */
static void para_label(struct docx *d, xmlNodePtr p, struct buf *label)
{
    xmlNodePtr ppr = zipdoc_find(p, "pPr", 0), numpr = zipdoc_find(ppr, "numPr", 0);
    const struct style *st = style_of(d, zipdoc_attr(zipdoc_find(ppr, "pStyle", 0), "val"));
    const char *id = zipdoc_attr(zipdoc_find(numpr, "numId", 0), "val");
    const char *il = zipdoc_attr(zipdoc_find(numpr, "ilvl", 0), "val");

    buf_reset(label);
    if (!id && st && st->num[0])
        id = st->num, il = NULL;
    if (id && strcmp(id, "0"))
        docnum_label(d->num, id, il ? atoi(il) : st && !numpr ? st->ilvl : 0, label);
}

static void read_body(struct docx *d, xmlNodePtr n, int depth);

static void read_table(struct docx *d, xmlNodePtr tbl, int depth)
{
    xmlNodePtr tr, tc;
    struct buf row, cell;
    int first = 1;

    buf_init(&row, BUF_NOLIMIT);
    buf_init(&cell, BUF_NOLIMIT);
    for (tr = tbl->children; tr; tr = tr->next) {
        if (!zipdoc_is(tr, "tr"))
            continue;
        buf_reset(&row);
        for (tc = tr->children; tc; tc = tc->next) {
            if (!zipdoc_is(tc, "tc") && !zipdoc_is(tc, "sdt"))
                continue;
            buf_reset(&cell);
            run_text(d, tc, &cell, NULL, depth);
            while (cell.len && cell.data[0] == ' ')
                memmove(cell.data, cell.data + 1, cell.len--);
            while (cell.len && cell.data[cell.len - 1] == ' ')
                cell.data[--cell.len] = '\0';
            if (!cell.len)
                continue;
            if (row.len)
                buf_adds(&row, ", ", NULL);
            buf_add(&row, cell.data, cell.len, NULL);
        }
        docbuild_add(d->out, DOC_TR, row.data, row.len, first);
        first = first && !row.len;
        read_notes(d, depth);
    }
    buf_release(&row);
    buf_release(&cell);
}

/* Paragraph text ends at each paragraph of the body; run_text would join a cell's. */
static void read_body(struct docx *d, xmlNodePtr n, int depth)
{
    xmlNodePtr c;
    struct buf t;
    struct doc_runs runs = {0};

    if (depth <= 0)
        return;
    buf_init(&t, BUF_NOLIMIT);
    for (c = n->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE || skipped(c))
            continue;
        if (zipdoc_is(c, "p")) {
            para_label(d, c, &t);
            if (t.len)
                buf_addch(&t, ' ', NULL);
            runs.n = 0;
            run_text(d, c, &t, &runs, depth);
            if (!d->lang)
                note_lang(d, c);
            docbuild_add_lang(d->out, para_kind(d, c), t.data, t.len, 0, para_lang(d, c), &runs);
            read_notes(d, depth);
        } else if (zipdoc_is(c, "tbl")) {
            read_table(d, c, depth);
        } else {
            read_body(d, c, depth - 1);
        }
    }
    doc_runs_release(&runs);
    buf_release(&t);
}

/* dc:title and dc:language of a docProps/core.xml or meta.xml (either may stay NULL). */
void document_core_props(xmlDocPtr core, char **title, char **lang)
{
    xmlNodePtr root = core ? xmlDocGetRootElement(core) : NULL, n;
    xmlChar *s;

    if ((n = zipdoc_find(root, "title", 3)) && (s = xmlNodeGetContent(n))) {
        if (*s)
            *title = xstrdup((const char *)s);
        xmlFree(s);
    }
    if ((n = zipdoc_find(root, "language", 3)) && (s = xmlNodeGetContent(n))) {
        if (*s)
            *lang = xstrdup((const char *)s);
        xmlFree(s);
    }
}

int document_read_docx(const char *bytes, size_t len, const struct document_caps *caps,
                       struct extract_result *out, struct err *e)
{
    struct zipdoc *z = zipdoc_open(bytes, len, caps, e);
    xmlDocPtr body = NULL, styles = NULL, core = NULL, numbering = NULL, notes = NULL,
              endnotes = NULL;
    struct docbuild b;
    struct docx *d;
    char *title = NULL, *lang = NULL;
    int rc;

    if (!z)
        return e->code;
    d = xcalloc(1, sizeof(*d));
    docbuild_init(&b, caps->max_text, e);
    d->out = &b;
    d->max_depth = caps->max_depth;
    rc = zipdoc_xml(z, "word/document.xml", 0, &body, e);
    if (!rc)
        rc = zipdoc_xml(z, "word/styles.xml", 1, &styles, e);
    if (!rc)
        rc = zipdoc_xml(z, "docProps/core.xml", 1, &core, e);
    if (!rc)
        rc = zipdoc_xml(z, "word/numbering.xml", 1, &numbering, e);
    if (!rc)
        rc = zipdoc_xml(z, "word/footnotes.xml", 1, &notes, e);
    if (!rc)
        rc = zipdoc_xml(z, "word/endnotes.xml", 1, &endnotes, e);
    if (!rc) {
        load_styles(d, styles);
        d->num = docnum_new(numbering);
        d->notes[0] = notes ? xmlDocGetRootElement(notes) : NULL;
        d->notes[1] = endnotes ? xmlDocGetRootElement(endnotes) : NULL;
        document_core_props(core, &title, &lang);
        d->core_lang = lang;
        read_body(d, zipdoc_find(xmlDocGetRootElement(body), "body", 1), caps->max_depth);
        rc = docbuild_finish(&b, title, lang ? lang : d->lang, out);
    }
    docbuild_release(&b);
    xmlFreeDoc(body);
    xmlFreeDoc(styles);
    xmlFreeDoc(core);
    xmlFreeDoc(numbering);
    xmlFreeDoc(notes);
    xmlFreeDoc(endnotes);
    docnum_free(d->num);
    zipdoc_free(z);
    free(d->lang);
    free(d);
    free(title);
    free(lang);
    return rc;
}
