/* xalloc.h -- allocation that aborts with a message instead of returning NULL (as git does). */
#ifndef LYSSNA_XALLOC_H
#define LYSSNA_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
/* realloc to count * size, aborting on overflow */
void *xreallocarray(void *p, size_t count, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

#endif
