/* layout_hyphen.c -- the words a PDF's pages break at a line end ("tillämp-" + "ningsområde"),
 * seen where the page's text gives its lines, so that text read from elsewhere (a tagged
 * PDF's structure tree, which keeps the typesetter's hyphen inside the word and says nothing
 * of lines) can be mended the same way the layout reader mends its own lines. A word only
 * written with a hyphen ("e-tjänst", "hälso- och") is never met here as broken, or is kept
 * by layout_join_line's rules. Pure; one struct layout per thread. */
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "layout.h"
#include "layout_int.h"

#include "banned.h"

/* The run of letters ending at s[end] (exclusive): its start. */
static size_t letters_before(const char *s, size_t end)
{
    uint32_t c;
    size_t i = end, k;

    while (i > 0 && (k = svtext_cp_before(s, i, &c)) && svtext_is_letter(c))
        i -= k;
    return i;
}

/* The length of the hyphen ending s[0..n) ('-', U+2010, U+00AD) after a letter, or 0. */
static size_t end_hyphen(const char *s, size_t n)
{
    uint32_t c, d;
    size_t k;

    if (!n || !(k = svtext_cp_before(s, n, &c)) || (c != '-' && c != 0x2010 && c != 0xAD))
        return 0;
    if (!svtext_cp_before(s, n - k, &d) || !svtext_is_letter(d))
        return 0;
    return k;
}

static int by_string(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "A-B": the letters before the hyphen, a plain hyphen, the letters after. */
static char *key_of(const char *a, size_t an, const char *b, size_t bn)
{
    char *k = xmalloc(an + bn + 2);

    memcpy(k, a, an);
    k[an] = '-';
    memcpy(k + an + 1, b, bn);
    k[an + bn + 1] = '\0';
    return k;
}

static void note_hyphen(struct layout *l, const struct frag *a, const struct frag *b)
{
    size_t h = end_hyphen(a->text, a->len), start, bn;
    uint32_t c;

    if (!h || !svtext_cp(b->text, b->len, 0, &c) || !svtext_is_letter(c) || svtext_is_upper(c))
        return;
    start = letters_before(a->text, a->len - h);
    bn = svtext_word_len(b->text, b->len, 0);
    if (l->nhy == l->hycap) {
        l->hycap = l->hycap ? l->hycap * 2 : 64;
        l->hy = xreallocarray(l->hy, l->hycap, sizeof(*l->hy));
    }
    l->hy[l->nhy++] = key_of(a->text + start, a->len - h - start, b->text, bn);
    l->hysorted = 0;
}

#define BELOW_LOOK 64 /* fragments after a line's last looked through for the line below it */

/* The first fragment, of those after a's (index i) up to end, of the line below a that
 * starts in a's column: the nearest below within 2.5 ems, overlapping a across, leftmost;
 * 0 when there is none. */
static size_t line_below(const struct layout *l, size_t i, size_t end)
{
    const struct frag *a = &l->f[i];
    size_t j, best = 0;

    for (j = i + 1; j < end && j <= i + BELOW_LOOK; j++) {
        const struct frag *f = &l->f[j];
        if (f->y0 <= a->y0 + 0.5 * a->size || f->y0 > a->y0 + 2.5 * a->size || f->x0 > a->x1 ||
            f->x1 < a->x0)
            continue;
        if (!best || f->y0 < l->f[best].y0 - 0.3 * a->size ||
            (f->y0 < l->f[best].y0 + 0.3 * a->size && f->x0 < l->f[best].x0))
            best = j;
    }
    return best;
}

void layout_note_hyphens(struct layout *l, size_t first, size_t n)
{
    size_t i, j, end = first + n;

    for (i = first; i + 1 < end; i++) {
        if (!end_hyphen(l->f[i].text, l->f[i].len))
            continue;
        if (l->f[i].eol)
            note_hyphen(l, &l->f[i], &l->f[i + 1]);
        /* a cell's line ends at a gap, its neighbour's line after it on the same baseline */
        if ((j = line_below(l, i, end)) && !(l->f[i].eol && j == i + 1))
            note_hyphen(l, &l->f[i], &l->f[j]);
    }
}

/* Whether the hyphen at b->data[i] (k bytes) is one the pages broke a word at
 * and layout_join_line would not keep; then the word is made whole. */
static int mend_one(struct layout *l, struct buf *b, size_t i, size_t k)
{
    size_t start = letters_before(b->data, i), after = i + k;
    size_t n = svtext_word_len(b->data, b->len, after);
    char *key;
    struct buf t;
    int found, mended = 0;

    if (start == i || !n)
        return 0;
    key = key_of(b->data + start, i - start, b->data + after, n);
    found = bsearch(&key, l->hy, l->nhy, sizeof(*l->hy), by_string) != NULL;
    free(key);
    if (!found)
        return 0;
    buf_init(&t, BUF_NOLIMIT);
    buf_add(&t, b->data + start, i - start, NULL);
    buf_addch(&t, '-', NULL);
    layout_join_line(&t, b->data + after, b->len - after); /* the rest: "hälso-och sjukvård" */
    if (t.len == i - start + b->len - after) {
        memmove(b->data + i, b->data + after, b->len - after + 1);
        b->len -= k;
        mended = 1;
    }
    buf_release(&t);
    return mended;
}

void layout_mend_hyphens(struct layout *l, struct buf *b)
{
    size_t i, k;
    uint32_t c;

    if (!l->nhy)
        return;
    if (!l->hysorted) {
        qsort(l->hy, l->nhy, sizeof(*l->hy), by_string);
        l->hysorted = 1;
    }
    for (i = 0; i < b->len;) {
        if (!(k = svtext_cp(b->data, b->len, i, &c)))
            k = 1;
        else if ((c == '-' || c == 0x2010 || c == 0xAD) && mend_one(l, b, i, k))
            continue; /* the hyphen is gone: b->data[i] is the word's next letter */
        i += k;
    }
}
