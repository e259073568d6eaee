/* buf.c -- growable byte strings with a cap; see buf.h for the invariants. */
#define _DEFAULT_SOURCE /* madvise */
#include "buf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "err.h"
#include "xalloc.h"

#include "banned.h"

static char empty[1];

#define HUGE_PAGE (2u << 20)
#define BUF_HUGE  (8u << 20) /* a buffer this large is asked to be backed by huge pages */

/* Asks the kernel to back the whole huge pages within [p, p + n) by huge pages: a fetched
 * 34 MB scan written into 4 KiB pages took 90 ms of page faults on the 2-core VM, 10-50 ms
 * into 2 MiB ones (transparent huge pages in their default "madvise" mode). */
static void want_huge_pages(char *p, size_t n)
{
    uintptr_t a = ((uintptr_t)p + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1);
    uintptr_t e = ((uintptr_t)p + n) & ~(uintptr_t)(HUGE_PAGE - 1);

    if (e > a)
        madvise((void *)a, e - a, MADV_HUGEPAGE); /* a hint: no error to act on */
}

void buf_init(struct buf *b, size_t max)
{
    b->data = empty;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

void buf_release(struct buf *b)
{
    if (b->cap)
        free(b->data);
    buf_init(b, b->max);
}

void buf_reset(struct buf *b)
{
    b->len = 0;
    b->data[0] = '\0';
}

char *buf_detach(struct buf *b, size_t *len)
{
    char *p = b->cap ? b->data : xstrdup("");

    if (len)
        *len = b->len;
    buf_init(b, b->max);
    return p;
}

int buf_grow(struct buf *b, size_t extra, struct err *e)
{
    size_t need, cap;

    if (extra > b->max || b->len > b->max - extra)
        return err_set(e, LY_ETOOBIG, "text over the limit of %zu bytes", b->max);
    need = b->len + extra + 1;
    if (need <= b->cap)
        return LY_OK;
    cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > ((size_t)-1) / 2 ? need : cap * 2;
    if (b->cap) {
        b->data = xrealloc(b->data, cap);
    } else {
        b->data = xmalloc(cap);
        b->data[0] = '\0';
    }
    b->cap = cap;
    if (cap >= BUF_HUGE)
        want_huge_pages(b->data, cap);
    return LY_OK;
}

int buf_add(struct buf *b, const void *data, size_t len, struct err *e)
{
    int rc = buf_grow(b, len, e);

    if (rc)
        return rc;
    if (len)
        memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
    return LY_OK;
}

int buf_adds(struct buf *b, const char *s, struct err *e)
{
    return buf_add(b, s, strlen(s), e);
}

int buf_addch(struct buf *b, char c, struct err *e)
{
    return buf_add(b, &c, 1, e);
}

int buf_vaddf(struct buf *b, struct err *e, const char *fmt, va_list ap)
{
    va_list cp;
    int n, rc;

    va_copy(cp, ap);
    n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (n < 0)
        return err_set(e, LY_EUSAGE, "bad format string");
    rc = buf_grow(b, (size_t)n, e);
    if (rc)
        return rc;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return LY_OK;
}

int buf_addf(struct buf *b, struct err *e, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = buf_vaddf(b, e, fmt, ap);
    va_end(ap);
    return rc;
}

int buf_read_file(struct buf *b, FILE *f, const char *name, struct err *e)
{
    char chunk[65536];
    size_t n;
    int rc;

    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        rc = buf_add(b, chunk, n, e);
        if (rc == LY_ETOOBIG)
            return err_set(e, LY_ETOOBIG, "'%s' is over the limit of %zu bytes", name, b->max);
        if (rc)
            return rc;
    }
    if (ferror(f))
        return err_set(e, LY_EINPUT, "cannot read '%s'", name);
    return LY_OK;
}
