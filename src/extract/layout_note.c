/* layout_note.c -- what stands beside a PDF page's text: its footnotes, found by their place
 * and size (an untagged PDF says nothing of them) and read after the text they belong to,
 * their marks in the text left unread (layout.c), and the captions of its figures, maps and
 * tables for a tagged PDF whose structure tree leaves them out. Pure. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "docbuild.h"
#include "layout.h"
#include "layout_int.h"

#include "banned.h"

#define NOTE_SIZE 0.9f /* a footnote's text is at most this share of the body's size */

int layout_unit_before(const char *s, size_t n)
{
    static const char *const units[] = {"m", "km", "dm", "cm", "mm"};
    size_t i = n, k;

    while (i > 0 && s[i - 1] >= 'a' && s[i - 1] <= 'z')
        i--;
    if (i > 0 && !(s[i - 1] == ' ' || (s[i - 1] >= '0' && s[i - 1] <= '9')))
        return 0;
    for (k = 0; k < sizeof(units) / sizeof(units[0]); k++)
        if (strlen(units[k]) == n - i && !memcmp(s + i, units[k], n - i))
            return 1;
    return 0;
}

/* The length of the number a footnote begins with ("1 Senaste", "12Jfr", a lone "3"), or 0. */
static size_t note_number(const struct frag *f)
{
    size_t d = svtext_digits_len(f->text, f->len, 0);
    uint32_t c = 0;

    if (!d || d > 3)
        return 0;
    if (d == f->len || f->text[d] == ' ')
        return d;
    svtext_cp(f->text, f->len, d, &c);
    return svtext_is_letter(c) ? d : 0;
}

static int digits_only(const struct frag *f)
{
    return f->len && f->len <= 3 && svtext_digits_len(f->text, f->len, 0) == f->len;
}

/* The fragment of page p on f's line that begins right after f ends (dir 1) or ends right
 * before f begins (dir -1), within an em; NULL when none. */
static const struct frag *beside(const struct layout *l, const struct page *p, const struct frag *f,
                                 int dir)
{
    size_t i;

    for (i = p->first; i < p->first + p->n; i++) {
        const struct frag *g = &l->f[i];
        double gap = dir > 0 ? g->x0 - f->x1 : f->x0 - g->x1;
        if (g != f && g->y0 < f->y1 && f->y0 < g->y1 && gap > -0.2 * f->size &&
            gap < fmax(f->size, g->size))
            return g;
    }
    return NULL;
}

int layout_note_line(const struct layout *l, const struct page *p, const struct frag *f)
{
    const struct frag *g;

    if (!p->marks || f->rotated || f->size > NOTE_SIZE * l->body)
        return 0;
    if (digits_only(f))
        return beside(l, p, f, 1) != NULL;
    return note_number(f) || ((g = beside(l, p, f, -1)) && digits_only(g));
}

/* The body's lowest text on page p, and the note area below it: its fragments, NOTE when the
 * area is one. */
static void find_page_notes(struct layout *l, const struct page *p)
{
    size_t i, end = p->first + p->n, top = (size_t)-1;
    double body_end = 0;

    for (i = p->first; i < end; i++) {
        const struct frag *f = &l->f[i];
        if (!f->dropped && !f->rotated && f->size > NOTE_SIZE * l->body)
            body_end = fmax(body_end, f->y1);
    }
    if (body_end <= 0)
        return; /* a page of small print alone is no footnote */
    for (i = p->first; i < end; i++) {
        const struct frag *f = &l->f[i];
        if (f->dropped || f->rotated || f->y0 < body_end)
            continue;
        if (f->size > NOTE_SIZE * l->body || f->y0 < p->h / 2)
            return;
        if (top == (size_t)-1 || f->y0 < l->f[top].y0 - 0.3 * f->size ||
            (fabs(f->y0 - l->f[top].y0) <= 0.3 * f->size && f->x0 < l->f[top].x0))
            top = i;
    }
    if (top == (size_t)-1 || !note_number(&l->f[top]))
        return;
    for (i = p->first; i < end; i++)
        if (!l->f[i].dropped && !l->f[i].rotated && l->f[i].y0 >= body_end)
            l->f[i].dropped = NOTE;
}

void layout_find_notes(struct layout *l)
{
    size_t pg;

    for (pg = 0; pg < l->npages; pg++)
        if (l->pages[pg].marks)
            find_page_notes(l, &l->pages[pg]);
}

static void add_note(const struct layout *l, struct buf *t, const char *num, struct docbuild *out)
{
    if (t->len)
        docbuild_add_note(out, l->lang, 0, num, t->data, t->len);
    buf_reset(t);
}

/* Whether a comes before b in reading order: on the same line (their boxes share most of the
 * smaller's height: a note's number is set raised) the one further left, else the higher. */
static int reads_before(const struct frag *a, const struct frag *b)
{
    double overlap = fmin(a->y1, b->y1) - fmax(a->y0, b->y0);

    if (overlap > 0.5 * fmin(a->y1 - a->y0, b->y1 - b->y0))
        return a->x0 < b->x0;
    return a->y0 < b->y0;
}

/* Page p's footnotes into out: its NOTE fragments in reading order (poppler's text order puts
 * a raised number anywhere), each note from its number on. When the numbers are set apart and
 * raised, only they begin a note: "2 kap. 1 § LSO" is note 3's text. */
static void read_page_notes(const struct layout *l, const struct page *p, struct docbuild *out)
{
    const struct frag **f = xreallocarray(NULL, p->n ? p->n : 1, sizeof(*f));
    struct buf t;
    char num[4] = "";
    size_t i, j, n = 0, d;
    int apart = 0;

    for (i = p->first; i < p->first + p->n; i++) {
        if (l->f[i].dropped != NOTE)
            continue;
        for (j = n++; j > 0 && reads_before(&l->f[i], f[j - 1]); j--) /* few: insertion */
            f[j] = f[j - 1];
        f[j] = &l->f[i];
        apart |= digits_only(&l->f[i]);
    }
    buf_init(&t, BUF_NOLIMIT);
    for (i = 0; i < n; i++) {
        d = apart ? (digits_only(f[i]) ? f[i]->len : 0) : note_number(f[i]);
        if (d && !(apart && !t.len && *num && !digits_only(f[i]))) {
            add_note(l, &t, num, out);
            memcpy(num, f[i]->text, d);
            num[d] = '\0';
            d += d < f[i]->len && f[i]->text[d] == ' ';
            buf_add(&t, f[i]->text + d, f[i]->len - d, NULL);
        } else {
            layout_join_line(&t, f[i]->text, f[i]->len);
        }
    }
    add_note(l, &t, num, out);
    buf_release(&t);
    free(f);
}

void layout_read_notes(const struct layout *l, size_t from, size_t to, struct docbuild *out)
{
    size_t pg;

    for (pg = from; pg <= to && pg < l->npages; pg++)
        read_page_notes(l, &l->pages[pg], out);
}

/* Whether s (n bytes) begins as a caption does: a word for a figure, a map or a table and its
 * number ("Figur 3.", "Tabell 2:", "Figur 1, översiktsbild", "Figur 5 – Utdrag"). */
static int caption_start(const char *s, size_t n)
{
    static const char *const words[] = {"Figur ",  "Fig. ",   "Bild ",    "Foto ",
                                        "Karta ",  "Tabell ", "Diagram ", "Illustration ",
                                        "Figure ", "Table ",  "Map "};
    size_t i, k, d;

    for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if ((k = svtext_prefix(s, n, words[i])) && (d = svtext_digits_len(s, n, k)) && d <= 3)
            return k + d == n || strchr(".:,-) \xE2", s[k + d]) != NULL; /* \xE2: "–" */
    return 0;
}

#define CAPTION_LOOK 8 /* fragments after a caption's first line looked through for its others */

void layout_captions(struct layout *l, void (*found)(void *ctx, int page, const char *text),
                     void *ctx)
{
    struct buf t;
    size_t pg, i, j, last, end;

    buf_init(&t, BUF_NOLIMIT);
    for (pg = 0; pg < l->npages; pg++) {
        end = l->pages[pg].first + l->pages[pg].n;
        for (i = l->pages[pg].first; i < end; i++) {
            const struct frag *f = &l->f[i];
            if (f->rotated || !caption_start(f->text, f->len))
                continue;
            buf_reset(&t);
            buf_add(&t, f->text, f->len, NULL);
            /* its next lines: under it, as far left, in its size */
            for (last = i, j = i + 1; j < end && j <= i + CAPTION_LOOK; j++) {
                const struct frag *g = &l->f[j];
                double down = g->y0 - l->f[last].y0;
                if (down > 1.8 * f->size)
                    break;
                if (down > 0.5 * f->size && fabs(g->x0 - f->x0) < 2.0 &&
                    fabsf(g->size - f->size) < 0.5f && !caption_start(g->text, g->len)) {
                    layout_join_line(&t, g->text, g->len);
                    last = j;
                }
            }
            found(ctx, (int)pg, t.data);
        }
    }
    buf_release(&t);
}
