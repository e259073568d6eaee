/* normalize_out.c -- the normalizer's result: the text to speak and the spans mapping each
 * of its bytes back to the written input (for speech marks and highlighting). The bottom of
 * the normalizer, below the scanner. No globals: thread-safe. */
#include "normalize.h"

#include <stdlib.h>

#include "base/base.h"

#include "banned.h"

void normalized_init(struct normalized *n, size_t max)
{
    buf_init(&n->text, max);
    n->spans = NULL;
    n->nspans = n->cap = 0;
}

void normalized_release(struct normalized *n)
{
    buf_release(&n->text);
    free(n->spans);
    n->spans = NULL;
    n->nspans = n->cap = 0;
}

/* Appends out_len bytes standing for input [in, in + in_len); adjacent exact copies merge. */
static int emit(struct normalized *n, const char *bytes, size_t out_len, size_t in, size_t in_len,
                int exact, struct err *e)
{
    struct norm_span *last = n->nspans ? &n->spans[n->nspans - 1] : NULL;
    size_t at = n->text.len;
    int rc = buf_add(&n->text, bytes, out_len, e);

    if (rc || out_len == 0)
        return rc;
    if (exact && last && last->exact && last->out + last->out_len == at &&
        last->in + last->in_len == in) {
        last->out_len += out_len;
        last->in_len += in_len;
        return LY_OK;
    }
    if (n->nspans == n->cap) {
        n->cap = n->cap ? n->cap * 2 : 64;
        n->spans = xreallocarray(n->spans, n->cap, sizeof(*n->spans));
    }
    n->spans[n->nspans++] = (struct norm_span){at, out_len, in, in_len, exact};
    return LY_OK;
}

int normalized_add(struct normalized *out, const char *bytes, size_t n, size_t in, size_t in_len,
                   int exact, struct err *e)
{
    return emit(out, bytes, n, in, in_len, exact, e);
}

/* The span holding output byte pos (spans are sorted and cover every output byte). */
static const struct norm_span *span_at(const struct normalized *n, size_t pos)
{
    size_t lo = 0, hi = n->nspans;

    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (n->spans[mid].out <= pos)
            lo = mid;
        else
            hi = mid;
    }
    return &n->spans[lo];
}

void normalized_source(const struct normalized *n, size_t start, size_t end, size_t *in_start,
                       size_t *in_end)
{
    const struct norm_span *s;

    if (n->nspans == 0 || start >= end || end > n->text.len) {
        *in_start = *in_end = 0;
        return;
    }
    s = span_at(n, start);
    *in_start = s->exact ? s->in + (start - s->out) : s->in;
    s = span_at(n, end - 1);
    *in_end = s->exact ? s->in + (end - 1 - s->out) + 1 : s->in + s->in_len;
}
