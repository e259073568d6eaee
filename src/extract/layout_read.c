/* layout_read.c -- the second half of layout.c: a page's fragments in reading order (column
 * by column) in, blocks out. Fragments sharing a baseline are a table row (a cell's wrapped
 * line joined to it); lines of the same style close under each other, each full to the
 * column's edge, are one paragraph (across a column or page break too, when it stopped
 * mid-sentence), de-hyphenated where a word was split at the line end; a bullet or a number
 * before the text makes a list item; larger or bold short lines are headings. Pure. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "docbuild.h"
#include "layout.h"
#include "layout_int.h"

#include "banned.h"

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
    int page_top; /* no line of this page has been read yet */
    int notes;    /* pages notes_from to notes_to have footnotes not yet read */
    size_t notes_from, notes_to;
};

/* The heading sizes of the document: distinct sizes above the body's, largest first. */
static void find_heading_sizes(struct layout *l)
{
    size_t i, k;
    float t;

    l->nheading = 0;
    for (i = 0; i < l->n; i++) {
        const struct frag *f = &l->f[i];
        if (f->dropped || f->size < l->body * 1.05f || f->words > 25)
            continue;
        for (k = 0; k < l->nheading && fabsf(l->heading[k] - f->size) > 0.5f; k++)
            ;
        if (k == l->nheading && k < 4)
            l->heading[l->nheading++] = f->size;
    }
    for (i = 1; i < l->nheading; i++)
        for (k = i; k > 0 && l->heading[k] > l->heading[k - 1]; k--)
            t = l->heading[k], l->heading[k] = l->heading[k - 1], l->heading[k - 1] = t;
}

/* A heading's level by its size among the document's heading sizes, a bold short line of
 * body size below them all; 0 for body text. */
static int heading_level(const struct layout *l, const struct frag *f)
{
    size_t k;

    if (f->size >= l->body * 1.05f) {
        for (k = 0; k < l->nheading && fabsf(l->heading[k] - f->size) > 0.5f; k++)
            ;
        return (int)(k < l->nheading ? k + 1 : l->nheading ? l->nheading : 1);
    }
    if (f->bold && f->words <= 15 && f->size >= l->body * 0.95f && f->text[f->len - 1] != '.')
        return (int)(l->nheading + 1 < 6 ? l->nheading + 1 : 6);
    return 0;
}

/* The footnotes of the pages read, once nothing of their text is open: after the sentence
 * that went on over the page break. */
static void flush_notes(struct reader *r)
{
    if (!r->notes || r->para_kind || r->row)
        return;
    layout_read_notes(r->l, r->notes_from, r->notes_to, r->out);
    r->notes = 0;
}

static void flush_para(struct reader *r)
{
    if (r->para_kind)
        docbuild_add(r->out, (enum doc_kind)r->para_kind, r->para.data, r->para.len, 0);
    r->para_kind = 0;
    buf_reset(&r->para);
    flush_notes(r);
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
    flush_notes(r);
}

static void end_table(struct reader *r)
{
    flush_row(r);
    r->table = 0;
}

int layout_sentence_end(const char *s, size_t n)
{
    return n && strchr(".:!?", s[n - 1]);
}

/* A line of a table of contents: a dot leader and the page number end it. */
static int ends_in_leader(const struct buf *b)
{
    size_t i = b->len, digits = 0, dots = 0;

    while (i > 0 && b->data[i - 1] >= '0' && b->data[i - 1] <= '9')
        i--, digits++;
    while (i > 0 && b->data[i - 1] == ' ')
        i--;
    for (; i > 0; i--) {
        if (b->data[i - 1] == '.')
            dots++;
        else if (i >= 3 && !memcmp(b->data + i - 3, "\xE2\x80\xA6", 3))
            dots += 2, i -= 2;
        else if (b->data[i - 1] != ' ')
            break;
    }
    return digits && digits <= 4 && dots >= 3;
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
        f->bold != r->pbold || ends_in_leader(&r->para))
        return 0;
    if (col != r->pcol)
        return kind == DOC_P && full && !layout_sentence_end(r->para.data, r->para.len) &&
               fabs(f->x0 - r->px0) < em;
    if (f->y0 - r->py1 > (r->l->line_gap + 0.35) * em || f->y0 < r->py1 - em ||
        fabs(f->x0 - r->px0) > em)
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
                                          "\xE2\x88\x92",
                                          "-",
                                          "*"};
    size_t i;
    uint32_t c;

    for (i = 0; i < sizeof(bullets) / sizeof(bullets[0]); i++)
        if (!strcmp(f->text, bullets[i]))
            return 1;
    /* a symbol font's glyph alone, which maps to the private use area ("\xEF\x80\xAD" for
       SymbolMT's dash): a bullet, never text */
    if (utf8_decode(f->text, f->len, &c) == f->len && c >= 0xE000 && c <= 0xF8FF)
        return 1;
    /* "1." "12)" "a)" */
    i = svtext_digits_len(f->text, f->len, 0);
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

    if (!r->row || col != r->tcol || f->y0 - r->ty1 > (r->l->line_gap + 0.5) * f->size ||
        f->y0 < r->ty1 - f->size)
        return 0;
    c = cell_at(r, f->x0, f->size);
    if (c < 0 || ((size_t)c + 1 < r->ncells && f->x1 > r->cx[c + 1]))
        return 0;
    layout_join_line(&r->cells[c], f->text, f->len);
    r->ty1 = f->y1;
    return 1;
}

/* A line of cells under the open row, close below it and in its cells, that goes on with
 * every cell of it: a borderless table's wrapped row ("Inventerings-" over "ansvarig", "Spår
 * av ... doku-" over "menterats"), told from a row of its own by its first cell going on
 * (the row's ended in a hyphen, or it begins in lower case or with a parenthesis) while the
 * row's last cell stopped mid-sentence (a letter, a comma or a hyphen, not a figure). */
static int row_goes_on(const struct reader *r, const struct frag *const *f, size_t k, size_t col)
{
    const struct buf *first = &r->cells[0], *last;
    uint32_t c = 0, end = 0;
    size_t i;

    if (!r->row || !r->ncells || col != r->tcol || k != r->ncells ||
        f[0]->y0 - r->ty1 > (r->l->line_gap + 0.5) * f[0]->size || f[0]->y0 < r->ty1 - f[0]->size)
        return 0;
    last = &r->cells[r->ncells - 1];
    if (!first->len || !last->len)
        return 0;
    for (i = 0; i < k; i++)
        if (cell_at(r, f[i]->x0, f[i]->size) != (int)i)
            return 0;
    svtext_cp(f[0]->text, f[0]->len, 0, &c);
    svtext_cp_before(last->data, last->len, &end);
    return (first->data[first->len - 1] == '-' || c == '(' ||
            (svtext_is_letter(c) && !svtext_is_upper(c))) &&
           (end == '-' || end == ',' || svtext_is_letter(end));
}

/* The first line of a page under a table row left open at the foot of the page before, each
 * fragment in one of its cells and going on with it (the cell stopped mid-sentence, and the
 * fragment begins in lower case or the cell ended in a hyphen): the row's rest, which the
 * page break cut off. Joined to it; 1 when it was. */
static int row_goes_on_across(struct reader *r, const struct frag *const *f, size_t k, size_t col)
{
    int cell[MAX_CELLS * 2], last = -1;
    uint32_t c = 0, end = 0;
    size_t i;

    if (!r->page_top || !r->row || k > r->ncells)
        return 0;
    for (i = 0; i < k; i++) {
        const struct buf *b;
        if ((cell[i] = cell_at(r, f[i]->x0, f[i]->size)) <= last)
            return 0;
        last = cell[i];
        b = &r->cells[cell[i]];
        svtext_cp(f[i]->text, f[i]->len, 0, &c);
        svtext_cp_before(b->data, b->len, &end);
        if (!b->len || layout_sentence_end(b->data, b->len) ||
            !(end == '-' || (svtext_is_letter(c) && !svtext_is_upper(c))))
            return 0;
    }
    for (i = 0; i < k; i++) {
        layout_join_line(&r->cells[cell[i]], f[i]->text, f[i]->len);
        r->ty1 = i ? fmax(r->ty1, f[i]->y1) : f[i]->y1;
    }
    r->tcol = col;
    return 1;
}

static void table_row(struct reader *r, const struct frag *const *f, size_t k, size_t col)
{
    size_t i;

    if (row_goes_on_across(r, f, k, col))
        return;
    if (row_goes_on(r, f, k, col)) {
        for (i = 0; i < k; i++) {
            layout_join_line(&r->cells[i], f[i]->text, f[i]->len);
            r->ty1 = fmax(r->ty1, f[i]->y1);
        }
        return;
    }
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
        /* a number or letter is read as written ("1.", "b)"), a symbol is the list's mark */
        if ((f[0]->text[0] >= '0' && f[0]->text[0] <= '9') ||
            (f[0]->text[0] >= 'a' && f[0]->text[0] <= 'z'))
            buf_add(&t, f[0]->text, f[0]->len, NULL), buf_addch(&t, ' ', NULL);
        else
            buf_adds(&t, "\xE2\x80\xA2 ", NULL);
        for (i = 1; i < k; i++)
            layout_join_line(&t, f[i]->text, f[i]->len);
        end_table(r);
        add_line(r, f[1], t.data, t.len, f[1]->x0, col, right);
        r->para_kind = DOC_LI;
        buf_release(&t);
    } else if (k >= 2) {
        table_row(r, f, k, col);
    } else if (!wrapped_cell(r, f[0], col) && !row_goes_on_across(r, f, 1, col)) {
        end_table(r);
        if (r->para_kind == DOC_LI && fabs(f[0]->x0 - r->px0) < f[0]->size &&
            f[0]->y0 - r->py1 < (r->l->line_gap + 0.35) * f[0]->size &&
            f[0]->y0 > r->py1 - f[0]->size) {
            layout_join_line(&r->para, f[0]->text, f[0]->len);
            r->px1 = f[0]->x1, r->py1 = f[0]->y1;
            return;
        }
        add_line(r, f[0], f[0]->text, f[0]->len, f[0]->x0, col, right);
    }
}

static int has_notes(const struct layout *l, const struct page *p)
{
    size_t i;

    for (i = p->first; i < p->first + p->n; i++)
        if (l->f[i].dropped == NOTE)
            return 1;
    return 0;
}

/* Reads one page's columns, row by row. */
static void read_page(struct reader *r, const struct order *o, size_t col_base)
{
    const struct frag *row[MAX_CELLS * 2];
    size_t i = 0, k;

    r->page_top = 1;
    while (i < o->n) {
        const struct frag *f = &r->l->f[o->idx[i]];
        k = 0;
        row[k++] = f;
        while (i + k < o->n && k < sizeof(row) / sizeof(row[0]) && o->col[i + k] == o->col[i] &&
               fabs(r->l->f[o->idx[i + k]].y1 - f->y1) <= 0.3 * f->size)
            row[k] = &r->l->f[o->idx[i + k]], k++;
        read_row(r, row, k, col_base + o->col[i], o->right[o->col[i]]);
        r->page_top = 0;
        i += k;
    }
}

/* The lower quartile of the gaps (in ems) between a line and the next in its column: most
 * such gaps are between two lines of one paragraph, whatever the line spacing. */
static void find_line_gap(struct layout *l, const struct order *o, size_t npages)
{
    size_t pg, i, n = 0, cap = 4096;
    double *g = xreallocarray(NULL, cap, sizeof(*g));

    for (pg = 0; pg < npages; pg++)
        for (i = 1; i < o[pg].n && n < cap; i++) {
            const struct frag *a = &l->f[o[pg].idx[i - 1]], *b = &l->f[o[pg].idx[i]];
            double gap = (b->y0 - a->y1) / b->size;
            if (o[pg].col[i] == o[pg].col[i - 1] && fabsf(a->size - b->size) < 0.5f && gap > -1 &&
                gap < 2)
                g[n++] = gap;
        }
    if (n) {
        qsort(g, n, sizeof(*g), layout_cmp_double);
        l->line_gap = fmax(0, g[n / 4]);
    }
    free(g);
}

void layout_read(struct layout *l, const struct order *o, size_t n, struct docbuild *out)
{
    struct reader r;
    size_t pg, i, base = 0;

    memset(&r, 0, sizeof(r));
    r.l = l;
    r.out = out;
    buf_init(&r.para, BUF_NOLIMIT);
    for (i = 0; i < MAX_CELLS; i++)
        buf_init(&r.cells[i], BUF_NOLIMIT);
    find_line_gap(l, o, l->npages);
    find_heading_sizes(l);
    for (pg = 0; pg < n; pg++) {
        if (pg == l->npages && r.notes) { /* the last page's notes before what is read last */
            end_table(&r);
            flush_para(&r);
        }
        read_page(&r, &o[pg], base);
        base += o[pg].ncols;
        if (pg < l->npages && has_notes(l, &l->pages[pg])) {
            r.notes_from = r.notes ? r.notes_from : pg;
            r.notes_to = pg;
            r.notes = 1;
        }
    }
    end_table(&r);
    flush_para(&r);
    buf_release(&r.para);
    for (i = 0; i < MAX_CELLS; i++)
        buf_release(&r.cells[i]);
}
