/* layout.c -- a PDF's positioned characters in, blocks in reading order out: fragments (runs
 * of a line without a wide gap), running headers, footers and page numbers dropped, each
 * page cut into columns where a gutter runs between two bodies of prose (recursively, so
 * three columns work too), fragments sharing a baseline read as a table row, lines of one
 * paragraph joined and de-hyphenated. Pure and single-threaded per struct layout; no poppler
 * here (pdf.c feeds it), so the fuzz target and unit tests drive it directly. */
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
#define MARGIN_ZONE  0.12 /* the share of the page height at top and bottom for headers */
#define OUTER_ZONE   0.075
#define SIDE_ZONE    0.12 /* the share of the page width at each side for margin notes */
#define FOOT_ZONE    0.18 /* the share at the bottom where a letter's contact block stands */
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
static int label_text(const char *s, size_t n)
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

static int section_label(const struct cut *c, const struct layout_char *ch)
{
    return fabs(ch->y1 - c->base) <= 0.4 * c->size && ch->x0 - c->x1 <= 4 * c->size &&
           label_text(c->t.data, c->t.len);
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
            if (!label_text(m[k].f->text, m[k].f->len))
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

static void drop_margins(struct layout *l)
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
    drop_margins(l);
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
