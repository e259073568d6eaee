/* utf8.h -- strict UTF-8 decoding (RFC 3629: no overlongs, no surrogates, <= U+10FFFF). */
#ifndef LYSSNA_UTF8_H
#define LYSSNA_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Decodes the code point at s (n bytes available) into *cp and returns its length in
 * bytes, or 0 when the bytes there are not valid UTF-8. */
size_t utf8_decode(const char *s, size_t n, uint32_t *cp);

/* Writes cp as UTF-8 into out (4 bytes of room) and returns the length. */
size_t utf8_encode(uint32_t cp, char *out);

/* Returns 1 when all n bytes are valid UTF-8; otherwise 0 and *bad_at (if not NULL)
 * is the offset of the first invalid byte. */
int utf8_valid(const char *s, size_t n, size_t *bad_at);

#endif
