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

#include "banned.h"

#define GAP_EM       0.55 /* a gap wider than this (in ems) ends a fragment: a cell, a column */
#define MARGIN_ZONE  0.12 /* the share of the page height at top and bottom for headers */
#define OUTER_ZONE   0.075
#define GUTTER_SLACK 6.0 /* points a fragment may run over a gutter (an overflowing cell) */
#define MAX_CUTS     4

struct frag {
    char *text;
    size_t len;
    double x0, y0, x1, y1;
    float size;
    int bold, page, dropped;
    size_t words;
    double first_w; /* the width of its first word */
};

struct page {
    double w, h;
    size_t first, n; /* its fragments in l->f */
};

struct layout {
    struct frag *f;
    size_t n, cap, chars;
    struct page *pages;
    size_t npages, pcap;
    float body; /* the body text's size: the commonest, by characters */
};

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
};

static void end_frag(struct layout *l, struct cut *c, int page)
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
        f->words = 1;
        f->first_w = c->first_end - c->x0;
        for (i = 0; i < f->len; i++)
            f->words += f->text[i] == ' ';
    }
    buf_reset(&c->t);
    c->nchars = c->nbold = 0;
    c->space = c->spaced = 0;
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
    return fabs(ch->y1 - c->base) > 0.4 * em || ch->x0 < c->x1 - em || ch->x0 - c->x1 > GAP_EM * em;
}

static void add_char(struct layout *l, struct cut *c, const struct layout_char *ch, int page)
{
    if (starts_new(c, ch))
        end_frag(l, c, page);
    if (!c->nchars) {
        c->x0 = ch->x0, c->y0 = ch->y0, c->x1 = ch->x1, c->y1 = ch->y1;
        c->size = ch->size;
    } else if (c->space) {
        buf_addch(&c->t, ' ', NULL);
        c->spaced = 1;
    }
    c->space = 0;
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

void layout_add_page(struct layout *l, const struct layout_char *c, size_t n, double w, double h)
{
    struct cut cut = {0};
    struct page *p;
    int page = (int)l->npages;
    size_t i;

    if (l->npages == l->pcap) {
        l->pcap = l->pcap ? l->pcap * 2 : 16;
        l->pages = xreallocarray(l->pages, l->pcap, sizeof(*l->pages));
    }
    p = &l->pages[l->npages++];
    p->w = isfinite(w) && w > 0 ? w : 612;
    p->h = isfinite(h) && h > 0 ? h : 792;
    p->first = l->n;
    buf_init(&cut.t, BUF_NOLIMIT);
    for (i = 0; i < n; i++) {
        if (c[i].u[0] == '\n' || c[i].u[0] == '\r')
            end_frag(l, &cut, page);
        else if (c[i].u[0] == ' ' || c[i].u[0] == '\t' || !c[i].u[0] || !usable(&c[i]))
            cut.space = cut.nchars > 0;
        else
            add_char(l, &cut, &c[i], page);
    }
    end_frag(l, &cut, page);
    buf_release(&cut.t);
    p->n = l->n - p->first;
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

/* The text with digits masked, so that "Sida 2" and "Sida 3" compare equal. */
static int same_masked(const struct frag *a, const struct frag *b)
{
    size_t i;

    if (a->len != b->len)
        return 0;
    for (i = 0; i < a->len; i++) {
        int da = a->text[i] >= '0' && a->text[i] <= '9';
        int db = b->text[i] >= '0' && b->text[i] <= '9';
        if (da != db || (!da && a->text[i] != b->text[i]))
            return 0;
    }
    return 1;
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

/* Pages (other than f's) with a fragment of the same masked text in the same zone. */
static size_t repeats(const struct layout *l, const struct frag *f, int zone)
{
    size_t pg, i, count = 0;

    for (pg = 0; pg < l->npages; pg++) {
        const struct page *p = &l->pages[pg];
        if ((int)pg == f->page)
            continue;
        for (i = p->first; i < p->first + p->n; i++)
            if (zone_of(&l->f[i], p, MARGIN_ZONE) == zone && same_masked(&l->f[i], f)) {
                count++;
                break;
            }
    }
    return count;
}

/* A fragment alone in the outer margin: the nearest other text is far from it. */
static int set_apart(const struct layout *l, const struct page *p, const struct frag *f, int zone)
{
    double h = f->y1 - f->y0, near = 1e9;
    size_t i;

    for (i = p->first; i < p->first + p->n; i++) {
        const struct frag *g = &l->f[i];
        if (zone_of(g, p, OUTER_ZONE) == zone)
            continue;
        near = fmin(near, zone < 0 ? g->y0 - f->y1 : f->y0 - g->y1);
    }
    return near >= 1.5 * h;
}

static void drop_margins(struct layout *l)
{
    size_t pg, i, need = l->npages >= 2 ? (l->npages > 3 ? l->npages / 2 : 1) : (size_t)-1;

    for (pg = 0; pg < l->npages; pg++) {
        const struct page *p = &l->pages[pg];
        for (i = p->first; i < p->first + p->n; i++) {
            struct frag *f = &l->f[i];
            int zone = zone_of(f, p, MARGIN_ZONE), outer = zone_of(f, p, OUTER_ZONE);
            if (!zone)
                continue;
            f->dropped = layout_page_number(f->text, f->len) || repeats(l, f, zone) >= need ||
                         (outer && set_apart(l, p, f, outer));
        }
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

/* The reading order of a page: its fragments' indices column by column, each column (a leaf
 * of the cuts) with its right edge. */
struct order {
    size_t *idx, n;
    size_t *col; /* per entry: its column's number */
    double *right;
    size_t ncols;
};

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

/* The last word of out before a hyphen at its end: its start, or out->len when none. */
static size_t last_word(const struct buf *out, size_t end)
{
    size_t i = end;

    while (i > 0 && out->data[i - 1] != ' ')
        i--;
    return i;
}

static int keeps_hyphen(const struct buf *out, size_t word, size_t end, const char *b, size_t n)
{
    static const char *const joiners[] = {"och ",        "eller ", "samt ", "resp. ",
                                          "respektive ", "till ",  "som ",  "& ",
                                          "and ",        "or ",    "to "};
    size_t i, k;
    uint32_t c;
    int upper = 1;

    for (i = 0; i < sizeof(joiners) / sizeof(joiners[0]); i++) {
        k = strlen(joiners[i]);
        if (n >= k && !memcmp(b, joiners[i], k))
            return 2; /* "hälso- och sjukvården": the hyphen and the space stay */
    }
    for (i = word; i < end; i += k ? k : 1) {
        k = utf8_decode(out->data + i, end - i, &c);
        upper &= !svtext_is_letter(c) || svtext_is_upper(c);
    }
    if (end - word <= 1 || upper)
        return 1; /* "e-tjänst", "IT-stöd", "2025-": part of the word */
    utf8_decode(b, n, &c);
    return !(svtext_is_letter(c) && !svtext_is_upper(c));
}

void layout_join_line(struct buf *out, const char *b, size_t n)
{
    size_t len = out->len, word;
    uint32_t c = 0, d = 0;
    int keep;

    if (len >= 2 && !memcmp(out->data + len - 2, "\xC2\xAD", 2)) {
        out->len -= 2; /* a soft hyphen: the word goes on */
        buf_add(out, b, n, NULL);
        return;
    }
    if (len) {
        svtext_cp_before(out->data, len, &c);
        utf8_decode(b, n, &d);
    }
    if ((c == '-' || c == 0x2010) && len > (c == '-' ? 1u : 3u) &&
        out->data[len - (c == '-' ? 2 : 4)] != ' ') {
        size_t end = len - (c == '-' ? 1 : 3);
        word = last_word(out, end);
        keep = keeps_hyphen(out, word, end, b, n);
        if (!keep)
            out->len = end, out->data[end] = '\0';
        if (keep == 2)
            buf_addch(out, ' ', NULL);
    } else if (!(c == 0x2013 && d >= '0' && d <= '9') && c != '/' && len) {
        buf_addch(out, ' ', NULL);
    }
    buf_add(out, b, n, NULL);
}

#define MAX_CELLS 32

/* What the blocks are being cut from: the open paragraph and the open table row. */
struct reader {
    struct layout *l;
    struct docbuild *out;
    struct buf para;
    int para_kind; /* 0: none open; else a doc_kind */
    double px0, px1, py1, pright;
    float psize;
    int pbold;
    size_t pcol;
    struct buf cells[MAX_CELLS];
    double cx[MAX_CELLS], ty1;
    size_t ncells, tcol;
    int table, row;
};

static int heading_level(const struct layout *l, const struct frag *f)
{
    if (f->size >= l->body * 1.3f)
        return 1;
    if (f->size >= l->body * 1.05f)
        return 2;
    if (f->bold && f->words <= 15 && f->size >= l->body * 0.95f && f->text[f->len - 1] != '.')
        return 3;
    return 0;
}

static void flush_para(struct reader *r)
{
    if (r->para_kind)
        docbuild_add(r->out, (enum doc_kind)r->para_kind, r->para.data, r->para.len, 0);
    r->para_kind = 0;
    buf_reset(&r->para);
}

static void flush_row(struct reader *r)
{
    struct buf t;
    size_t i;

    if (!r->row)
        return;
    buf_init(&t, BUF_NOLIMIT);
    for (i = 0; i < r->ncells; i++) {
        if (!r->cells[i].len)
            continue;
        if (t.len)
            buf_adds(&t, ", ", NULL);
        buf_add(&t, r->cells[i].data, r->cells[i].len, NULL);
    }
    docbuild_add(r->out, DOC_TR, t.data, t.len, r->table == 1);
    r->table = 2;
    r->row = 0;
    buf_release(&t);
}

static void end_table(struct reader *r)
{
    flush_row(r);
    r->table = 0;
}

static int sentence_end(const struct buf *b)
{
    return b->len && strchr(".:!?", b->data[b->len - 1]);
}

/* Whether line f goes on the open paragraph: the same style, close below it, not indented,
 * and the line before reached the column's edge; across a column or page break only a
 * paragraph that stopped mid-sentence at a full line goes on. */
static int continues(const struct reader *r, const struct frag *f, int kind, size_t col)
{
    double em = fmax(f->size, r->psize);
    /* the line before was full when this line's first word would not have fitted on it */
    int full = r->px1 + 0.3 * em + f->first_w >= r->pright - 1;

    if (!r->para_kind || kind != r->para_kind || fabsf(f->size - r->psize) > 0.5f ||
        f->bold != r->pbold)
        return 0;
    if (col != r->pcol)
        return kind == DOC_P && full && !sentence_end(&r->para) && fabs(f->x0 - r->px0) < em;
    if (f->y0 - r->py1 > 0.35 * em || f->y0 < r->py1 - em || fabs(f->x0 - r->px0) > em)
        return 0;
    return kind != DOC_P || full;
}

static void add_line(struct reader *r, const struct frag *f, const char *text, size_t n, double x0,
                     size_t col, double right)
{
    int level = heading_level(r->l, f), kind = level ? level : DOC_P;
    struct frag g = *f;

    g.x0 = x0;
    if (continues(r, &g, kind, col)) {
        layout_join_line(&r->para, text, n);
    } else {
        flush_para(r);
        r->para_kind = kind;
        r->px0 = x0;
        r->psize = f->size;
        r->pbold = f->bold;
        buf_add(&r->para, text, n, NULL);
    }
    r->px1 = f->x1;
    r->py1 = f->y1;
    r->pcol = col;
    r->pright = right;
}

static int is_bullet(const struct frag *f)
{
    static const char *const bullets[] = {"\xE2\x80\xA2",
                                          "\xE2\x97\xA6",
                                          "\xE2\x96\xAA",
                                          "\xE2\x97\x8F",
                                          "\xE2\x96\xA0",
                                          "\xEF\x82\xB7",
                                          "\xE2\x80\x93",
                                          "-",
                                          "*"};
    size_t i;

    for (i = 0; i < sizeof(bullets) / sizeof(bullets[0]); i++)
        if (!strcmp(f->text, bullets[i]))
            return 1;
    /* "1." "12)" "a)" */
    i = skip_digits(f->text, f->len, 0);
    if (!i && f->len == 2 && f->text[0] >= 'a' && f->text[0] <= 'z')
        i = 1;
    return i && i + 1 == f->len && i <= 3 && (f->text[i] == '.' || f->text[i] == ')');
}

/* The column of the open table that a cell starting at x belongs to, or -1. */
static int cell_at(const struct reader *r, double x, double em)
{
    size_t i;

    for (i = 0; i < r->ncells; i++)
        if (fabs(r->cx[i] - x) < em * 0.5)
            return (int)i;
    return -1;
}

/* A line alone under a table row, starting in one of its cells and close below it: that
 * cell's text wrapped. */
static int wrapped_cell(struct reader *r, const struct frag *f, size_t col)
{
    int c;

    if (!r->row || col != r->tcol || f->y0 - r->ty1 > 0.5 * f->size || f->y0 < r->ty1 - f->size)
        return 0;
    c = cell_at(r, f->x0, f->size);
    if (c < 0 || ((size_t)c + 1 < r->ncells && f->x1 > r->cx[c + 1]))
        return 0;
    layout_join_line(&r->cells[c], f->text, f->len);
    r->ty1 = f->y1;
    return 1;
}

static void table_row(struct reader *r, const struct frag *const *f, size_t k, size_t col)
{
    size_t i;

    flush_para(r);
    if (r->table && (col != r->tcol || f[0]->y0 - r->ty1 > 1.5 * f[0]->size))
        end_table(r);
    flush_row(r);
    if (!r->table)
        r->table = 1;
    r->ncells = k < MAX_CELLS ? k : MAX_CELLS;
    for (i = 0; i < r->ncells; i++) {
        buf_reset(&r->cells[i]);
        buf_add(&r->cells[i], f[i]->text, f[i]->len, NULL);
        r->cx[i] = f[i]->x0;
    }
    for (; i < k; i++)
        layout_join_line(&r->cells[r->ncells - 1], f[i]->text, f[i]->len);
    r->ty1 = f[0]->y1;
    for (i = 1; i < k; i++)
        r->ty1 = fmax(r->ty1, f[i]->y1);
    r->tcol = col;
    r->row = 1;
}

static void read_row(struct reader *r, const struct frag *const *f, size_t k, size_t col,
                     double right)
{
    struct buf t;
    size_t i;

    if (k >= 2 && is_bullet(f[0])) {
        buf_init(&t, BUF_NOLIMIT);
        buf_adds(&t, "\xE2\x80\xA2 ", NULL);
        for (i = 1; i < k; i++)
            layout_join_line(&t, f[i]->text, f[i]->len);
        end_table(r);
        add_line(r, f[1], t.data, t.len, f[1]->x0, col, right);
        r->para_kind = DOC_LI;
        buf_release(&t);
    } else if (k >= 2) {
        table_row(r, f, k, col);
    } else if (!wrapped_cell(r, f[0], col)) {
        end_table(r);
        if (r->para_kind == DOC_LI && fabs(f[0]->x0 - r->px0) < f[0]->size &&
            f[0]->y0 - r->py1 < 0.35 * f[0]->size && f[0]->y0 > r->py1 - f[0]->size) {
            layout_join_line(&r->para, f[0]->text, f[0]->len);
            r->px1 = f[0]->x1, r->py1 = f[0]->y1;
            return;
        }
        add_line(r, f[0], f[0]->text, f[0]->len, f[0]->x0, col, right);
    }
}

/* Reads one page's columns, row by row. */
static void read_page(struct reader *r, const struct order *o, size_t col_base)
{
    const struct frag *row[MAX_CELLS * 2];
    size_t i = 0, k;

    while (i < o->n) {
        const struct frag *f = &r->l->f[o->idx[i]];
        k = 0;
        row[k++] = f;
        while (i + k < o->n && k < sizeof(row) / sizeof(row[0]) && o->col[i + k] == o->col[i] &&
               fabs(r->l->f[o->idx[i + k]].y1 - f->y1) <= 0.3 * f->size)
            row[k] = &r->l->f[o->idx[i + k]], k++;
        read_row(r, row, k, col_base + o->col[i], o->right[o->col[i]]);
        i += k;
    }
}

static void order_page(struct layout *l, const struct page *p, struct order *o)
{
    size_t i, m = 0, *idx = xreallocarray(NULL, p->n ? p->n : 1, sizeof(*idx));

    for (i = p->first; i < p->first + p->n; i++)
        if (!l->f[i].dropped)
            idx[m++] = i;
    o->n = o->ncols = 0;
    o->idx = xreallocarray(NULL, m ? m : 1, sizeof(*o->idx));
    o->col = xreallocarray(NULL, m ? m : 1, sizeof(*o->col));
    o->right = xreallocarray(NULL, m ? m : 1, sizeof(*o->right));
    if (m)
        cut_columns(l, idx, m, o, 0);
    free(idx);
}

void layout_finish(struct layout *l, struct docbuild *out)
{
    struct reader r;
    struct order o;
    size_t pg, i, base = 0;

    memset(&r, 0, sizeof(r));
    r.l = l;
    r.out = out;
    buf_init(&r.para, BUF_NOLIMIT);
    for (i = 0; i < MAX_CELLS; i++)
        buf_init(&r.cells[i], BUF_NOLIMIT);
    drop_margins(l);
    find_body_size(l);
    for (pg = 0; pg < l->npages; pg++) {
        order_page(l, &l->pages[pg], &o);
        read_page(&r, &o, base);
        base += o.ncols;
        free(o.idx);
        free(o.col);
        free(o.right);
    }
    end_table(&r);
    flush_para(&r);
    buf_release(&r.para);
    for (i = 0; i < MAX_CELLS; i++)
        buf_release(&r.cells[i]);
}
