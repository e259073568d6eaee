/* buf.h -- a growable byte string with a hard size cap (in the manner of git's strbuf).
 *
 * After buf_init, data is never NULL and is always NUL-terminated, so it can be handed to
 * C string functions; len excludes the terminator. Growing past max fails with LY_ETOOBIG
 * and leaves the buffer as it was. */
#ifndef LYSSNA_BUF_H
#define LYSSNA_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

struct err;

struct buf {
    char *data;
    size_t len, cap, max;
};

#define BUF_NOLIMIT ((size_t)-1)

void buf_init(struct buf *b, size_t max);
void buf_release(struct buf *b);
void buf_reset(struct buf *b);
/* Hands the memory to the caller (free() it) and leaves b empty but usable. */
char *buf_detach(struct buf *b, size_t *len);

int buf_grow(struct buf *b, size_t extra, struct err *e);
int buf_add(struct buf *b, const void *data, size_t len, struct err *e);
int buf_adds(struct buf *b, const char *s, struct err *e);
int buf_addch(struct buf *b, char c, struct err *e);
int buf_addf(struct buf *b, struct err *e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int buf_vaddf(struct buf *b, struct err *e, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

/* Reads all of f into b. Fails with LY_ETOOBIG past b->max, LY_EINPUT on a read error. */
int buf_read_file(struct buf *b, FILE *f, const char *name, struct err *e);

#endif
