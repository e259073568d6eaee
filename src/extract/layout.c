/* layout.c -- a PDF's positioned characters in, blocks in reading order out: fragments (runs
 * of a line without a wide gap), running headers, footers and page numbers dropped
 * (layout_margin.c), footnotes found (layout_note.c), each page cut into columns where a
 * gutter runs between two bodies of prose (recursively, so three columns work too), fragments
 * sharing a baseline read as a table row, lines of one paragraph joined and de-hyphenated.
 * Pure and single-threaded per struct layout; no poppler here (pdf.c feeds it), so the fuzz
 * target and unit tests drive it directly. */
#include "layout.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "docbuild.h"
#include "layout_int.h"

#include "banned.h"

#define GAP_EM       0.55 /* a gap wider than this (in ems) may end a fragment: a cell, a column */
#define GAP_WIDE     2.5  /* a gap this wide (in ems) always does */
#define GAP_TYPICAL  1.8  /* ... and one this many times the line's usual word gap does */
#define GUTTER_SLACK 6.0  /* points a fragment may run over a gutter (an overflowing cell) */
#define MAX_CUTS     4
struct layout *layout_new(void)
{
    return xcalloc(1, sizeof(struct layout));
}

void layout_free(struct layout *l)
{
    size_t i;

    if (!l)
        return;
    for (i = 0; i < l->n; i++)
        free(l->f[i].text);
    for (i = 0; i < l->nhy; i++)
        free(l->hy[i]);
    free(l->hy);
    free(l->f);
    free(l->pages);
    free(l);
}

size_t layout_chars(const struct layout *l)
{
    return l->chars;
}

/* A fragment being cut: its text and box. */
struct cut {
    struct buf t;
    double x0, y0, x1, y1, base;
    float size;
    size_t nchars, nbold;
    int space, spaced;
    double first_end;
    double word_gap; /* the usual gap between words on this line of the text */
    size_t wlen;     /* characters of the word being cut */
    int tracked;     /* ... which is letter-spaced ("S l u t å r") */
    int rotated;     /* the line being cut runs down or up the page */
    int marked;      /* a footnote mark was left out right before this character */
};

static void end_frag(struct layout *l, struct cut *c, int page, int eol)
{
    struct frag *f;
    size_t i;

    while (c->t.len && c->t.data[c->t.len - 1] == ' ')
        c->t.data[--c->t.len] = '\0';
    if (c->nchars) {
        if (l->n == l->cap) {
            l->cap = l->cap ? l->cap * 2 : 256;
            l->f = xreallocarray(l->f, l->cap, sizeof(*l->f));
        }
        f = &l->f[l->n++];
        f->len = c->t.len;
        f->text = buf_detach(&c->t, NULL);
        f->x0 = c->x0, f->y0 = c->y0, f->x1 = c->x1, f->y1 = c->y1;
        f->size = c->size;
        f->bold = c->nbold * 2 > c->nchars;
        f->page = page;
        f->dropped = 0;
        f->eol = eol;
        f->rotated = c->rotated;
        f->words = 1;
        f->first_w = c->first_end - c->x0;
        for (i = 0; i < f->len; i++)
            f->words += f->text[i] == ' ';
    }
    buf_reset(&c->t);
    c->nchars = c->nbold = c->wlen = 0;
    c->space = c->spaced = c->tracked = c->rotated = c->marked = 0;
}

/* Characters with no usable box (NaN, huge) are treated as spaces. */
static int usable(const struct layout_char *ch)
{
    return isfinite(ch->x0) && isfinite(ch->x1) && isfinite(ch->y0) && isfinite(ch->y1) &&
           fabs(ch->x0) < 1e6 && fabs(ch->y0) < 1e6 && fabs(ch->x1) < 1e6 && fabs(ch->y1) < 1e6 &&
           ch->size > 0 && ch->size < 1e4;
}

static int starts_new(const struct cut *c, const struct layout_char *ch)
{
    double em = c->size > ch->size ? c->size : ch->size;

    if (!c->nchars)
        return 0;
    double gap = ch->x0 - c->x1;

    if (fabs(ch->y1 - c->base) > 0.4 * em || ch->x0 < c->x1 - em)
        return 1;
    /* justified lines stretch every space alike: a gap ends a fragment when it is wide and
       wider than this line's other word gaps */
    return gap > GAP_WIDE * em || (gap > GAP_EM * em && gap > GAP_TYPICAL * c->word_gap);
}

/* A space poppler saw between letters set apart by tracking, not by a word space: far
 * narrower than any word space, between two letters standing alone (ch is, when alone). A
 * tightly set line's word spaces are as narrow: "I den", "kapitel 3 redovisas" are words. */
static int letter_spaced(const struct cut *c, const struct layout_char *ch, int alone)
{
    double em = c->size > ch->size ? c->size : ch->size;

    return alone && (c->wlen == 1 || c->tracked) && ch->x0 - c->x1 < 0.18 * em &&
           ch->x0 >= c->x1 - 0.05 * em;
}

/* A footnote's mark set right after a word: a digit smaller than the line's text and raised
 * above it ("föreskrivs¹"). Not read, but counted for the page (layout_find_notes); after a
 * unit of length it is the unit's power ("m²"). */
static int note_mark(struct layout *l, struct cut *c, const struct layout_char *ch, int page)
{
    if (!c->nchars || c->space || ch->u[0] < '0' || ch->u[0] > '9' || ch->u[1] ||
        ch->size > 0.8f * c->size || c->base - ch->y1 < 0.2 * c->size ||
        ch->x0 < c->x1 - 0.1 * c->size || ch->x0 - c->x1 > 0.5 * c->size)
        return 0;
    if ((ch->u[0] == '2' || ch->u[0] == '3') && layout_unit_before(c->t.data, c->t.len))
        buf_adds(&c->t, ch->u[0] == '2' ? "\xC2\xB2" : "\xC2\xB3", NULL);
    else
        l->pages[page].marks++, c->marked = 1;
    c->x1 = fmax(c->x1, ch->x1);
    l->chars++;
    return 1;
}

/* Whether the fragment being cut is a paragraph's or chapter's label ("2 §", "12 a §",
 * "3 kap.") and ch goes on along its line: a statute sets a wide space after the label, which
 * is the paragraph's start, not a table's next cell. */
static int section_label(const struct cut *c, const struct layout_char *ch)
{
    return fabs(ch->y1 - c->base) <= 0.4 * c->size && ch->x0 - c->x1 <= 4 * c->size &&
           layout_label_text(c->t.data, c->t.len);
}

static void add_char(struct layout *l, struct cut *c, const struct layout_char *ch, int alone,
                     int page)
{
    uint32_t cp;

    if (note_mark(l, c, ch, page))
        return;
    if (starts_new(c, ch) && !(section_label(c, ch) && (c->space = 1)))
        end_frag(l, c, page, 0);
    if (c->marked && utf8_decode(ch->u, strlen(ch->u), &cp) && svtext_is_letter(cp))
        c->space = c->nchars > 0; /* "hotell³är": the mark stood for the space */
    c->marked = 0;
    if (!c->nchars) {
        c->x0 = ch->x0, c->y0 = ch->y0, c->x1 = ch->x1, c->y1 = ch->y1;
        c->size = ch->size;
    } else if (c->space && letter_spaced(c, ch, alone)) {
        c->tracked = 1;
    } else if (c->space) {
        buf_addch(&c->t, ' ', NULL);
        c->spaced = 1;
        c->wlen = 0, c->tracked = 0;
    }
    c->space = 0;
    c->wlen++;
    if (!c->spaced)
        c->first_end = ch->x1;
    c->x0 = fmin(c->x0, ch->x0), c->y0 = fmin(c->y0, ch->y0);
    c->x1 = fmax(c->x1, ch->x1), c->y1 = fmax(c->y1, ch->y1);
    c->base = ch->y1;
    if (ch->size > c->size)
        c->size = ch->size;
    buf_adds(&c->t, ch->u, NULL);
    c->nchars++;
    c->nbold += ch->bold != 0;
    l->chars++;
}

static int blank_char(const struct layout_char *ch)
{
    return ch->u[0] == ' ' || ch->u[0] == '\t' || !ch->u[0] || !usable(ch);
}

int layout_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

/* The lower median of the gaps between words in c[0..n) (one line of the page's text). */
static double word_gap(const struct layout_char *c, size_t n)
{
    double g[256], prev = NAN;
    size_t i, k = 0;
    int space = 0;

    for (i = 0; i < n && k < 256; i++) {
        if (blank_char(&c[i])) {
            space = 1;
            continue;
        }
        if (space && isfinite(prev) && c[i].x0 > prev)
            g[k++] = c[i].x0 - prev;
        space = 0;
        prev = c[i].x1;
    }
    if (!k)
        return 0;
    qsort(g, k, sizeof(g[0]), layout_cmp_double);
    return g[(k - 1) / 2];
}

/* Whether the line c[0..n) runs down or up the page (a court's imprint set sideways in the
 * margin, a table's turned column heads): from one character to the next it steps more
 * along y than along x. */
static int rotated_line(const struct layout_char *c, size_t n)
{
    size_t i, down = 0, across = 0;
    const struct layout_char *prev = NULL;

    for (i = 0; i < n; i++) {
        if (blank_char(&c[i]))
            continue;
        if (prev) {
            double dx = fabs((c[i].x0 + c[i].x1) - (prev->x0 + prev->x1));
            double dy = fabs((c[i].y0 + c[i].y1) - (prev->y0 + prev->y1));
            down += dy > dx, across += dx >= dy;
        }
        prev = &c[i];
    }
    return down >= 2 && down > across;
}

/* A turned line as one fragment: its characters in the text's order, spaces kept, in the
 * box of them all. */
static void add_rotated(struct layout *l, struct cut *cut, const struct layout_char *c, size_t n,
                        int page)
{
    size_t i;

    end_frag(l, cut, page, 0);
    for (i = 0; i < n; i++) {
        if (blank_char(&c[i])) {
            cut->space = cut->nchars > 0;
            continue;
        }
        if (!cut->nchars) {
            cut->x0 = c[i].x0, cut->y0 = c[i].y0, cut->x1 = c[i].x1, cut->y1 = c[i].y1;
            cut->size = c[i].size;
        }
        if (cut->space)
            buf_addch(&cut->t, ' ', NULL);
        cut->space = 0;
        cut->x0 = fmin(cut->x0, c[i].x0), cut->y0 = fmin(cut->y0, c[i].y0);
        cut->x1 = fmax(cut->x1, c[i].x1), cut->y1 = fmax(cut->y1, c[i].y1);
        buf_adds(&cut->t, c[i].u, NULL);
        cut->nchars++;
        l->chars++;
    }
    cut->first_end = cut->x1;
    cut->rotated = 1;
    end_frag(l, cut, page, 1);
}

void layout_add_page(struct layout *l, const struct layout_char *c, size_t n, double w, double h)
{
    struct cut cut = {0};
    struct page *p;
    int page = (int)l->npages;
    size_t i, k;

    if (l->npages == l->pcap) {
        l->pcap = l->pcap ? l->pcap * 2 : 16;
        l->pages = xreallocarray(l->pages, l->pcap, sizeof(*l->pages));
    }
    p = &l->pages[l->npages++];
    p->w = isfinite(w) && w > 0 ? w : 612;
    p->h = isfinite(h) && h > 0 ? h : 792;
    p->first = l->n;
    p->marks = 0;
    buf_init(&cut.t, BUF_NOLIMIT);
    for (i = 0; i < n; i++) {
        if (i == 0 || c[i - 1].u[0] == '\n' || c[i - 1].u[0] == '\r') {
            for (k = i; k < n && c[k].u[0] != '\n' && c[k].u[0] != '\r'; k++)
                ;
            if (rotated_line(c + i, k - i)) {
                add_rotated(l, &cut, c + i, k - i, page);
                i = k;
                continue;
            }
            cut.word_gap = word_gap(c + i, k - i);
        }
        if (c[i].u[0] == '\n' || c[i].u[0] == '\r')
            end_frag(l, &cut, page, 1);
        else if (blank_char(&c[i]))
            cut.space = cut.nchars > 0;
        else /* alone: a space (or the line's end) follows it */
            add_char(l, &cut, &c[i], i + 1 >= n || blank_char(&c[i + 1]) || c[i + 1].u[0] == '\n',
                     page);
    }
    end_frag(l, &cut, page, 1);
    buf_release(&cut.t);
    p->n = l->n - p->first;
    layout_note_hyphens(l, p->first, p->n);
}

static void find_body_size(struct layout *l)
{
    float sizes[64];
    size_t weight[64] = {0}, n = 0, i, k, best = 0;

    for (i = 0; i < l->n; i++) {
        for (k = 0; k < n && fabsf(sizes[k] - l->f[i].size) > 0.25f; k++)
            ;
        if (k == n && n < 64)
            sizes[n++] = l->f[i].size;
        if (k < n)
            weight[k] += l->f[i].len;
    }
    for (k = 1; k < n; k++)
        if (weight[k] > weight[best])
            best = k;
    l->body = n ? sizes[best] : 12;
}

static int prose(const struct frag *f)
{
    return f->words >= 6;
}

/* Fragments that cross x without having started right of it; those above all the right
 * side's text (a title over both columns) do not count. */
static size_t crossings(const struct layout *l, const size_t *idx, size_t m, double x,
                        size_t *prose_left, size_t *prose_right)
{
    double top = 1e9;
    size_t i, n = 0;

    *prose_left = *prose_right = 0;
    for (i = 0; i < m; i++)
        if (l->f[idx[i]].x0 >= x - 1)
            top = fmin(top, l->f[idx[i]].y0);
    for (i = 0; i < m; i++) {
        const struct frag *f = &l->f[idx[i]];
        if (f->x0 >= x - 1) {
            *prose_right += prose(f);
            continue;
        }
        *prose_left += prose(f);
        if (f->x1 > x + GUTTER_SLACK && f->y1 > top + 1)
            n++;
    }
    return n;
}

/* The best x to cut idx into two columns at, or a negative number: a gutter few fragments
 * cross, with prose on both sides (a table's columns have no prose and stay together). */
static double find_gutter(const struct layout *l, const size_t *idx, size_t m)
{
    double lo = 1e9, hi = -1e9, best = -1, x;
    size_t i, cross, pl, pr, least = (size_t)-1, allowed = m / 30 > 2 ? m / 30 : 2;

    for (i = 0; i < m; i++)
        lo = fmin(lo, l->f[idx[i]].x0), hi = fmax(hi, l->f[idx[i]].x1);
    for (i = 0; i < m; i++) {
        x = l->f[idx[i]].x0;
        if (x < lo + 0.2 * (hi - lo) || x > lo + 0.8 * (hi - lo) || x == best)
            continue;
        cross = crossings(l, idx, m, x, &pl, &pr);
        if (cross <= allowed && pl >= 3 && pr >= 3 && cross < least)
            least = cross, best = x;
    }
    return best;
}

/* A fragment's place in a column's reading order: by baseline, then from the left. */
struct key {
    double y, x, em;
    size_t i;
};

static int by_line(const void *a, const void *b)
{
    const struct key *f = a, *g = b;
    double em = fmax(f->em, g->em);

    if (fabs(f->y - g->y) > 0.3 * em)
        return f->y < g->y ? -1 : 1;
    return f->x < g->x ? -1 : f->x > g->x;
}

static void add_column(const struct layout *l, const size_t *idx, size_t m, struct order *o)
{
    struct key *k = xreallocarray(NULL, m ? m : 1, sizeof(*k));
    double right = 0, any = 0;
    size_t i;

    for (i = 0; i < m; i++) {
        const struct frag *f = &l->f[idx[i]];
        k[i] = (struct key){f->y1, f->x0, f->size, idx[i]};
        any = fmax(any, f->x1);
        if (f->words >= 5)
            right = fmax(right, f->x1); /* cells running over the column do not count */
    }
    right = right > 0 ? right : any;
    qsort(k, m, sizeof(*k), by_line);
    for (i = 0; i < m; i++) {
        o->idx[o->n] = k[i].i;
        o->col[o->n++] = o->ncols;
    }
    o->right[o->ncols++] = right;
    free(k);
}

static void cut_columns(const struct layout *l, size_t *idx, size_t m, struct order *o, int depth)
{
    double x = depth < MAX_CUTS && m >= 6 ? find_gutter(l, idx, m) : -1;
    size_t i, k = 0, t;

    if (x < 0) {
        add_column(l, idx, m, o);
        return;
    }
    for (i = 0; i < m; i++)
        if (l->f[idx[i]].x0 < x - 1) {
            t = idx[k], idx[k] = idx[i], idx[i] = t;
            k++;
        }
    cut_columns(l, idx, k, o, depth + 1);
    cut_columns(l, idx + k, m - k, o, depth + 1);
}
/* The reading order of a page's fragments that are read (want 0) or read last (LAST). */
static void order_page(struct layout *l, const struct page *p, struct order *o, int want)
{
    size_t i, m = 0, *idx = xreallocarray(NULL, p->n ? p->n : 1, sizeof(*idx));

    for (i = p->first; i < p->first + p->n; i++)
        if (l->f[i].dropped == want)
            idx[m++] = i;
    o->n = o->ncols = 0;
    o->idx = xreallocarray(NULL, m ? m : 1, sizeof(*o->idx));
    o->col = xreallocarray(NULL, m ? m : 1, sizeof(*o->col));
    o->right = xreallocarray(NULL, m ? m : 1, sizeof(*o->right));
    if (m)
        cut_columns(l, idx, m, o, 0);
    free(idx);
}

void layout_finish(struct layout *l, const char *lang, struct docbuild *out)
{
    size_t pg, n = 2 * l->npages; /* the pages, then what each has to read last */
    struct order *o = xcalloc(n ? n : 1, sizeof(*o));

    l->lang = lang;
    find_body_size(l);
    layout_drop_margins(l);
    layout_find_notes(l);
    for (pg = 0; pg < l->npages; pg++) {
        order_page(l, &l->pages[pg], &o[pg], 0);
        order_page(l, &l->pages[pg], &o[l->npages + pg], LAST);
    }
    layout_read(l, o, n, out);
    for (pg = 0; pg < n; pg++) {
        free(o[pg].idx);
        free(o[pg].col);
        free(o[pg].right);
    }
    free(o);
}
