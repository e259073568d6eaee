/* layout_margin.c -- what stands in a PDF page's margins and is not read with its text:
 * running headers and footers (the same text, digits masked, at the same height on enough
 * pages), page numbers, text set apart at the page's edge, sideways imprints; a letter's
 * contact block, read last. What only looks like them is kept: a footnote's number and text,
 * a chapter's label on the page it begins, a paragraph or table run to the page's foot.
 * Pure; layout.c calls layout_drop_margins before it reads the pages. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "layout.h"
#include "layout_int.h"

#include "banned.h"

#define MARGIN_ZONE 0.12 /* the share of the page height at top and bottom for headers */
#define OUTER_ZONE  0.075
#define SIDE_ZONE   0.12 /* the share of the page width at each side for margin notes */
#define FOOT_ZONE   0.18 /* the share at the bottom where a letter's contact block stands */

int layout_label_text(const char *s, size_t n)
{
    size_t i = svtext_digits_len(s, n, 0);

    if (!i || i > 3)
        return 0;
    if (i + 2 <= n && s[i] == ' ' && s[i + 1] >= 'a' && s[i + 1] <= 'z' &&
        (i + 2 == n || s[i + 2] == ' '))
        i += 2;
    i += i < n && s[i] == ' ';
    return (n - i == 2 && !memcmp(s + i, "\xC2\xA7", 2)) ||
           (n - i == 4 && !memcmp(s + i, "kap.", 4));
}

/* Skips spaces and dashes (ASCII, en, em) from i. */
static size_t skip_dashes(const char *s, size_t n, size_t i)
{
    for (;;) {
        if (i < n && (s[i] == ' ' || s[i] == '-'))
            i++;
        else if (i + 3 <= n && !memcmp(s + i, "\xE2\x80", 2) &&
                 (s[i + 2] == '\x93' || s[i + 2] == '\x94'))
            i += 3;
        else
            return i;
    }
}

static size_t skip_digits(const char *s, size_t n, size_t i)
{
    while (i < n && s[i] >= '0' && s[i] <= '9')
        i++;
    return i;
}

static size_t skip_word(const char *s, size_t n, size_t i, const char *w)
{
    size_t k = strlen(w);

    if (i + k <= n && svtext_fold_prefix(s + i, n - i, w) == k)
        return i + k;
    return i;
}

int layout_page_number(const char *s, size_t n)
{
    static const char *const before[] = {"sida ", "sid. ", "sid ", "page ", "s. ", "p. "};
    static const char *const after[] = {" av ", " of ", " / ", "/", " (", "("};
    size_t i = skip_dashes(s, n, 0), j, k;

    for (k = 0; k < sizeof(before) / sizeof(before[0]); k++)
        if ((j = skip_word(s, n, i, before[k])) != i) {
            i = j;
            break;
        }
    if ((j = skip_digits(s, n, i)) == i || j - i > 5)
        return 0;
    i = j;
    for (k = 0; k < sizeof(after) / sizeof(after[0]); k++)
        if ((j = skip_word(s, n, i, after[k])) != i) {
            if ((j = skip_digits(s, n, j)) == i + strlen(after[k]))
                return 0;
            i = j < n && s[j] == ')' ? j + 1 : j;
            break;
        }
    return skip_dashes(s, n, i) == n;
}

/* A fragment in a page margin, keyed by its text with digits masked ("Sida 2" and "Sida 3"
 * are the same running footer). */
struct margin {
    const struct frag *f;
    int zone; /* the margin (sign) and the line's place in it, in 4-point steps: a running
                 header stands where it stood on the other pages */
    uint64_t hash;
    size_t i;
};

static int masked_cmp(const struct frag *a, const struct frag *b)
{
    size_t i;

    if (a->len != b->len)
        return a->len < b->len ? -1 : 1;
    for (i = 0; i < a->len; i++) {
        char x = a->text[i] >= '0' && a->text[i] <= '9' ? '0' : a->text[i];
        char y = b->text[i] >= '0' && b->text[i] <= '9' ? '0' : b->text[i];
        if (x != y)
            return (unsigned char)x < (unsigned char)y ? -1 : 1;
    }
    return 0;
}

static uint64_t masked_hash(const struct frag *f)
{
    uint64_t h = 1469598103934665603u;
    size_t i;

    for (i = 0; i < f->len; i++)
        h = (h ^ (unsigned char)(f->text[i] >= '0' && f->text[i] <= '9' ? '0' : f->text[i])) *
            1099511628211u;
    return h;
}

static int by_margin(const void *a, const void *b)
{
    const struct margin *x = a, *y = b;
    int c;

    if (x->zone != y->zone)
        return x->zone < y->zone ? -1 : 1;
    if (x->hash != y->hash)
        return x->hash < y->hash ? -1 : 1;
    if ((c = masked_cmp(x->f, y->f)))
        return c;
    return x->f->page < y->f->page ? -1 : x->f->page > y->f->page;
}

/* -1 in the top margin zone, 1 in the bottom one, else 0. */
static int zone_of(const struct frag *f, const struct page *p, double share)
{
    if (f->y1 <= p->h * share)
        return -1;
    if (f->y0 >= p->h * (1 - share))
        return 1;
    return 0;
}

/* How far g is from f, inward of zone's edge: from f's inner side to g's facing one. */
static double inward_gap(const struct frag *f, const struct frag *g, int zone)
{
    return zone < 0 ? g->y0 - f->y1 : f->y0 - g->y1;
}

/* Whether the text in an outer margin zone of page p stands alone: the nearest other text is
 * far from the zone's innermost line, farther than that text's own line is from the next (a
 * long table's rows, spaced wide, run on into the zone at the pitch they kept above it). */
static int set_apart(const struct layout *l, const struct page *p, int zone)
{
    const struct frag *in = NULL, *n = NULL;
    double near = 1e9, pitch = 1e9, d;
    size_t i;

    for (i = p->first; i < p->first + p->n; i++) {
        const struct frag *g = &l->f[i];
        if (zone_of(g, p, OUTER_ZONE) == zone && (!in || inward_gap(in, g, zone) > 0))
            in = g;
    }
    for (i = p->first; in && i < p->first + p->n; i++) {
        const struct frag *g = &l->f[i];
        if (zone_of(g, p, OUTER_ZONE) != zone && (d = inward_gap(in, g, zone)) < near)
            near = d, n = g;
    }
    if (!n || near < 1.5 * (in->y1 - in->y0))
        return n == NULL;
    for (i = p->first; i < p->first + p->n; i++) {
        const struct frag *g = &l->f[i];
        if (!zone_of(g, p, OUTER_ZONE) && (d = inward_gap(n, g, zone)) > 0 && d < pitch)
            pitch = d;
    }
    /* no rhythm when n's line is alone, or the next is four lines away */
    return pitch > 4 * (n->y1 - n->y0) || near > 1.25 * pitch + 1;
}

#define PROSE_WORDS 8 /* a line of this many words in a page's outer zone is the body's */

static size_t frag_words(const struct frag *f)
{
    size_t i, n = 0;

    for (i = 0; i < f->len; i++)
        n += f->text[i] != ' ' && (i == 0 || f->text[i - 1] == ' ');
    return n;
}

/* Whether the outer zone (the sign of zone) of page p holds a line of prose: then the text
 * there is the body's last (or first) paragraph run to the page's edge, not a footer set
 * apart ("Litoralbottenfaunan visar på god status för MILA ..." at the foot of a report's
 * page). A letter's contact line is no prose. */
static int zone_has_prose(const struct layout *l, const struct page *p, int zone)
{
    size_t i;

    for (i = p->first; i < p->first + p->n; i++) {
        const struct frag *g = &l->f[i];
        if (zone_of(g, p, OUTER_ZONE) == zone && frag_words(g) >= PROSE_WORDS &&
            !layout_contact_text(g->text, g->len))
            return 1;
    }
    return 0;
}

/* For each margin fragment, the other pages with the same text in the same margin: sorted by
 * key, a run of equal keys is one running header or footer. */
static void count_repeats(struct margin *m, size_t n, size_t *repeats)
{
    size_t i = 0, j, k, x, pages;

    qsort(m, n, sizeof(*m), by_margin);
    while (i < n) {
        for (j = i + 1, pages = 1; j < n && m[j].zone == m[i].zone && m[j].hash == m[i].hash &&
                                   !masked_cmp(m[j].f, m[i].f);
             j++)
            pages += m[j].f->page != m[j - 1].f->page;
        for (k = i; k < j; k++) {
            repeats[m[k].i] = pages - 1;
            if (!layout_label_text(m[k].f->text, m[k].f->len))
                continue;
            /* a chapter's heading at a page's top beside the running header ("2 kap.",
               "3 kap." on the pages they begin) repeats only with its digits masked: count
               the same chapter's label alone */
            for (repeats[m[k].i] = 0, x = i; x < j; x++)
                repeats[m[k].i] +=
                    x != k && m[x].f->page != m[k].f->page && !strcmp(m[x].f->text, m[k].f->text);
        }
        i = j;
    }
}

int layout_contact_text(const char *s, size_t n)
{
    static const char *const marks[] = {
        "@",        "www.",     "e-post", "postadress", "besöksadress", "post:",
        "besök:",   "telefon",  "tel.",   "fax",        "org.nr",       "organisationsnummer",
        "bankgiro", "plusgiro", "e-mail", "http"};
    char *t = xmalloc(n + 1);
    size_t i;
    int found = 0;

    svtext_fold(s, n, t);
    t[n] = '\0';
    for (i = 0; i < sizeof(marks) / sizeof(marks[0]) && !found; i++)
        found = strstr(t, marks[i]) != NULL;
    free(t);
    return found;
}

static int contact_text(const struct frag *f)
{
    return layout_contact_text(f->text, f->len);
}

/* A contact block at the foot of a page (the letter's address, telephone, web, e-mail):
 * the lines close above and below a fragment with such text in the bottom zone are read
 * after the whole document, so the body's sentence goes on past them. */
static void defer_contact_block(struct layout *l, const struct page *p)
{
    size_t i, end = p->first + p->n;
    double top = 1e9, limit = p->h * (1 - FOOT_ZONE);
    int grew = 1;

    for (i = p->first; i < end; i++)
        if (!l->f[i].dropped && l->f[i].y0 >= limit && contact_text(&l->f[i]))
            top = fmin(top, l->f[i].y0);
    if (top > p->h)
        return;
    while (grew) /* up through the lines of the same block */
        for (grew = 0, i = p->first; i < end; i++) {
            const struct frag *f = &l->f[i];
            if (!f->dropped && f->y0 < top && f->y0 >= limit && f->y1 > top - 0.5 * f->size)
                top = f->y0, grew = 1;
        }
    for (i = p->first; i < end; i++)
        if (!l->f[i].dropped && l->f[i].y0 >= top)
            l->f[i].dropped = LAST;
}

#define FOOT_NUMBER 0.75 /* a page number ends below this share of the page's height */

/* A page number set just above the margin zone (an InDesign page's, level with the last line
 * of its footnotes): a page number in the page's last quarter with nothing under it and
 * nothing beside it on its line. */
static void drop_foot_number(struct layout *l, const struct page *p)
{
    size_t i, j, end = p->first + p->n;

    for (i = p->first; i < end; i++) {
        struct frag *f = &l->f[i];
        int alone = !f->dropped && f->y1 > FOOT_NUMBER * p->h &&
                    layout_page_number(f->text, f->len) && !layout_note_line(l, p, f);
        for (j = p->first; alone && j < end; j++) {
            const struct frag *g = &l->f[j];
            alone =
                g == f || g->dropped ||
                (g->y0 <= f->y1 && !(g->y0 < f->y1 && f->y0 < g->y1 &&
                                     g->x0 < f->x1 + 2 * f->size && f->x0 < g->x1 + 2 * f->size));
        }
        if (alone)
            f->dropped = 1;
    }
}

void layout_drop_margins(struct layout *l)
{
    size_t pg, i, k, n = 0, need = (size_t)-1;
    struct margin *m = xreallocarray(NULL, l->n ? l->n : 1, sizeof(*m));
    size_t *repeats = xcalloc(l->n ? l->n : 1, sizeof(*repeats));

    /* four pages are enough: a ruling with its appendices is several documents, each with
       its own running header */
    if (l->npages >= 2)
        need = l->npages <= 3 ? 1 : l->npages < 8 ? l->npages / 2 : 3;
    for (pg = 0; pg < l->npages; pg++)
        for (i = l->pages[pg].first; i < l->pages[pg].first + l->pages[pg].n; i++) {
            int zone = zone_of(&l->f[i], &l->pages[pg], MARGIN_ZONE);
            if (zone)
                m[n++] = (struct margin){&l->f[i], zone * (1 + (int)lround(l->f[i].y1 / 4)),
                                         masked_hash(&l->f[i]), i};
        }
    count_repeats(m, n, repeats);
    for (k = 0; k < n; k++) {
        struct frag *f = &l->f[m[k].i];
        const struct page *p = &l->pages[f->page];
        int outer = zone_of(f, p, OUTER_ZONE);
        /* a footnote's number and its text are no page number and no running footer, though
           "4 Senaste lydelse 1994:579." repeats, digits masked, at the foot of many pages */
        int note = layout_note_line(l, p, f);
        f->dropped = (layout_page_number(f->text, f->len) && !note) ||
                     (repeats[m[k].i] >= need && !note) ||
                     (outer && set_apart(l, p, outer) && !zone_has_prose(l, p, outer));
    }
    free(m);
    free(repeats);
    for (i = 0; i < l->n; i++) { /* sideways in a side margin: an imprint, not the text */
        struct frag *f = &l->f[i];
        const struct page *p = &l->pages[f->page];
        if (f->rotated && (f->x1 < p->w * SIDE_ZONE || f->x0 > p->w * (1 - SIDE_ZONE)))
            f->dropped = 1;
    }
    for (pg = 0; pg < l->npages; pg++) {
        drop_foot_number(l, &l->pages[pg]);
        defer_contact_block(l, &l->pages[pg]);
    }
}
