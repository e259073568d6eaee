/* docnum.c -- Word's automatic numbers, which live in word/numbering.xml and not in the
 * text: each w:num names an abstract definition whose levels (w:lvl) give a start, a format
 * (decimal, letters, roman numerals, a bullet) and a pattern ("%1.%2", "%1)"); the paragraphs
 * that use one count through it in document order. Overrides of a level's start are honoured;
 * other overrides and legal-style numbering are read as the abstract definition says. */
#include "docnum.h"

#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "document.h"

#include "banned.h"

#define LEVELS   9
#define MAX_DEFS 256

/* Formats as docnum_format names them; FMT_NONE: a bullet or no number. */
enum fmt {
    FMT_DECIMAL = '1',
    FMT_ZERO = '0',
    FMT_LOWER = 'a',
    FMT_UPPER = 'A',
    FMT_LROMAN = 'i',
    FMT_UROMAN = 'I',
    FMT_NONE = 0
};

struct level {
    int start;
    enum fmt fmt;
    char text[48]; /* w:lvlText: "%1.%2." */
};

struct abstract {
    char id[24];
    struct level lvl[LEVELS];
};

struct num {
    char id[24];
    int def;           /* its abstract definition, -1: none */
    int start[LEVELS]; /* a w:startOverride, or -1 */
    int count[LEVELS]; /* 0: not started at this level */
};

struct docnum {
    struct abstract defs[MAX_DEFS];
    struct num nums[MAX_DEFS];
    size_t ndefs, nnums;
};

static enum fmt fmt_of(const char *v)
{
    static const struct {
        const char *name;
        enum fmt fmt;
    } names[] = {{"decimalZero", FMT_ZERO},  {"lowerLetter", FMT_LOWER}, {"upperLetter", FMT_UPPER},
                 {"lowerRoman", FMT_LROMAN}, {"upperRoman", FMT_UROMAN}, {"bullet", FMT_NONE},
                 {"none", FMT_NONE}};
    size_t i;

    for (i = 0; v && i < sizeof(names) / sizeof(names[0]); i++)
        if (!strcmp(v, names[i].name))
            return names[i].fmt;
    return FMT_DECIMAL;
}

static int int_attr(xmlNodePtr n, const char *child, int fallback)
{
    const char *v = zipdoc_attr(zipdoc_find(n, child, 1), "val");

    return v ? atoi(v) : fallback;
}

static void load_abstract(struct abstract *a, xmlNodePtr n)
{
    xmlNodePtr c;
    int i;

    snprintf(a->id, sizeof(a->id), "%s", zipdoc_attr(n, "abstractNumId"));
    for (i = 0; i < LEVELS; i++)
        a->lvl[i] = (struct level){.start = 1, .fmt = FMT_DECIMAL};
    for (c = n->children; c; c = c->next) {
        const char *il = zipdoc_attr(c, "ilvl"), *t;
        if (!zipdoc_is(c, "lvl") || !il || (i = atoi(il)) < 0 || i >= LEVELS)
            continue;
        a->lvl[i].start = int_attr(c, "start", 1);
        a->lvl[i].fmt = fmt_of(zipdoc_attr(zipdoc_find(c, "numFmt", 1), "val"));
        t = zipdoc_attr(zipdoc_find(c, "lvlText", 1), "val");
        snprintf(a->lvl[i].text, sizeof(a->lvl[i].text), "%s", t ? t : "");
    }
}

static void load_num(struct docnum *d, struct num *m, xmlNodePtr n)
{
    const char *abs = zipdoc_attr(zipdoc_find(n, "abstractNumId", 1), "val");
    xmlNodePtr c;
    size_t i;
    int l;

    snprintf(m->id, sizeof(m->id), "%s", zipdoc_attr(n, "numId"));
    m->def = -1;
    for (i = 0; abs && i < d->ndefs; i++)
        if (!strcmp(d->defs[i].id, abs))
            m->def = (int)i;
    for (l = 0; l < LEVELS; l++)
        m->start[l] = -1, m->count[l] = 0;
    for (c = n->children; c; c = c->next)
        if (zipdoc_is(c, "lvlOverride") && zipdoc_attr(c, "ilvl") &&
            (l = atoi(zipdoc_attr(c, "ilvl"))) >= 0 && l < LEVELS)
            m->start[l] = int_attr(c, "startOverride", -1);
}

struct docnum *docnum_new(xmlDocPtr numbering)
{
    struct docnum *d = xcalloc(1, sizeof(*d));
    xmlNodePtr root = numbering ? xmlDocGetRootElement(numbering) : NULL, c;

    for (c = root ? root->children : NULL; c; c = c->next)
        if (zipdoc_is(c, "abstractNum") && zipdoc_attr(c, "abstractNumId") && d->ndefs < MAX_DEFS)
            load_abstract(&d->defs[d->ndefs++], c);
    for (c = root ? root->children : NULL; c; c = c->next)
        if (zipdoc_is(c, "num") && zipdoc_attr(c, "numId") && d->nnums < MAX_DEFS)
            load_num(d, &d->nums[d->nnums++], c);
    return d;
}

void docnum_free(struct docnum *n)
{
    free(n);
}

void docnum_format(struct buf *out, int v, char f)
{
    static const char *const roman[] = {"m",  "cm", "d",  "cd", "c",  "xc", "l",
                                        "xl", "x",  "ix", "v",  "iv", "i"};
    static const int values[] = {1000, 900, 500, 400, 100, 90, 50, 40, 10, 9, 5, 4, 1};
    char s[16];
    size_t i, k;

    if ((f == FMT_LOWER || f == FMT_UPPER) && v > 0) {
        for (k = 0; k <= (size_t)(v - 1) / 26 && k < 8; k++) /* z, aa, bb as Word writes them */
            buf_addch(out, (char)((f == FMT_LOWER ? 'a' : 'A') + (v - 1) % 26), NULL);
    } else if ((f == FMT_LROMAN || f == FMT_UROMAN) && v > 0 && v < 4000) {
        for (i = 0; i < sizeof(values) / sizeof(values[0]); i++)
            for (; v >= values[i]; v -= values[i])
                for (k = 0; roman[i][k]; k++)
                    buf_addch(out, f == FMT_LROMAN ? roman[i][k] : (char)(roman[i][k] - 32), NULL);
    } else {
        snprintf(s, sizeof(s), f == FMT_ZERO ? "%02d" : "%d", v);
        buf_adds(out, s, NULL);
    }
}

void docnum_label(struct docnum *n, const char *num_id, int ilvl, struct buf *out)
{
    struct num *m = NULL;
    const struct abstract *a;
    const char *t;
    size_t i;
    int l;

    buf_reset(out);
    for (i = 0; n && num_id && i < n->nnums; i++)
        if (!strcmp(n->nums[i].id, num_id))
            m = &n->nums[i];
    if (!m || m->def < 0 || ilvl < 0 || ilvl >= LEVELS)
        return;
    a = &n->defs[m->def];
    m->count[ilvl] = m->count[ilvl] ? m->count[ilvl] + 1
                                    : (m->start[ilvl] >= 0 ? m->start[ilvl] : a->lvl[ilvl].start);
    for (l = ilvl + 1; l < LEVELS; l++)
        m->count[l] = 0;
    if (a->lvl[ilvl].fmt == FMT_NONE)
        return;
    for (t = a->lvl[ilvl].text; *t; t++) {
        if (t[0] == '%' && t[1] >= '1' && t[1] <= '9') {
            l = t[1] - '1';
            docnum_format(out, m->count[l] ? m->count[l] : a->lvl[l].start, (char)a->lvl[l].fmt);
            t++;
        } else {
            buf_addch(out, *t, NULL);
        }
    }
}
