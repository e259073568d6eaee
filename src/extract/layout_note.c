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

void layout_read_notes(const struct layout *l, size_t from, size_t to, struct docbuild *out)
{
    struct buf t;
    char num[4] = "";
    size_t pg, i, d;

    buf_init(&t, BUF_NOLIMIT);
    for (pg = from; pg <= to && pg < l->npages; pg++) {
        const struct page *p = &l->pages[pg];
        for (i = p->first; i < p->first + p->n; i++) {
            const struct frag *f = &l->f[i];
            if (f->dropped != NOTE)
                continue;
            if ((d = note_number(f))) { /* a note begins: its number, then its text */
                add_note(l, &t, num, out);
                memcpy(num, f->text, d);
                num[d] = '\0';
                d += d < f->len && f->text[d] == ' ';
                buf_add(&t, f->text + d, f->len - d, NULL);
            } else {
                layout_join_line(&t, f->text, f->len);
            }
        }
        add_note(l, &t, num, out);
    }
    buf_release(&t);
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
