/* normalize.c -- turns written text into the text to be spoken, keeping an offset map.
 *
 * This first version cleans up what espeak-ng would misread or choke on: runs of white
 * space of every Unicode kind become one space, invisible characters (soft hyphen,
 * zero-width spaces, BOM) disappear, control characters become spaces, and each line
 * is trimmed. Line breaks stay, so callers may treat lines as blocks. Pure functions,
 * no globals: safe from any thread. */
#include "normalize.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "utf8.h"
#include "xalloc.h"

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
static int emit(struct normalized *n, const char *bytes, size_t out_len, size_t in,
                size_t in_len, int exact, struct err *e)
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

static int is_space(uint32_t c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f' || c == 0xA0 ||
           c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x202F || c == 0x205F ||
           c == 0x3000 || c == 0x2028 || c < 0x20 || (c >= 0x7F && c <= 0x9F);
}

static int is_invisible(uint32_t c)
{
    return c == 0xAD || (c >= 0x200B && c <= 0x200D) || c == 0x2060 || c == 0xFEFF;
}

/* Normalizes one line (no '\n' inside) starting at input offset base. */
static int normalize_line(const char *in, size_t len, size_t base, struct normalized *out,
                          struct err *e)
{
    size_t i = 0, k, space_at = 0, space_len = 0;
    int pending_space = 0, rc;
    uint32_t c;

    while (i < len) {
        k = utf8_decode(in + i, len - i, &c);
        if (!k)
            return err_set(e, LY_EUTF8, "invalid UTF-8 at byte %zu", base + i);
        if (is_space(c)) {
            if (!pending_space)
                space_at = i, space_len = 0;
            pending_space = 1;
            space_len += k;
        } else if (!is_invisible(c)) {
            if (pending_space && out->text.len && out->text.data[out->text.len - 1] != '\n') {
                rc = emit(out, " ", 1, base + space_at, space_len, 0, e);
                if (rc)
                    return rc;
            }
            pending_space = 0;
            rc = emit(out, in + i, k, base + i, k, 1, e);
            if (rc)
                return rc;
        }
        i += k;
    }
    return LY_OK;
}

int normalize_text(const char *in, size_t len, struct normalized *out, struct err *e)
{
    size_t start = 0, end;
    const char *nl;
    int rc;

    buf_reset(&out->text);
    out->nspans = 0;
    while (start <= len) {
        nl = memchr(in + start, '\n', len - start);
        end = nl ? (size_t)(nl - in) : len;
        rc = normalize_line(in + start, end - start, start, out, e);
        if (rc)
            return rc;
        if (!nl)
            break;
        rc = emit(out, "\n", 1, end, 1, 1, e);
        if (rc)
            return rc;
        start = end + 1;
    }
    return LY_OK;
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
