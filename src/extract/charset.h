/* charset.h -- find a page's character encoding as a browser does, and decode it to UTF-8. */
#ifndef LYSSNA_CHARSET_H
#define LYSSNA_CHARSET_H

#include <stddef.h>

struct buf;
struct err;

/* The canonical name of an encoding label ("latin1" -> "windows-1252", "utf8" -> "UTF-8"),
 * following the WHATWG Encoding standard for the labels pages use; NULL when the label is
 * unknown. iso-8859-1, latin1 and us-ascii all mean windows-1252, as in browsers. */
const char *charset_canonical(const char *label);

/* Chooses the encoding of a page of len bytes: a byte-order mark wins, then http (the
 * charset of the Content-Type header, may be NULL; ignored when unknown), then a <meta>
 * declaration in the first 4 KiB, then UTF-8 when every byte is valid UTF-8, else
 * windows-1252. *bom (may be NULL) gets the length of the byte-order mark to skip.
 * Returns a canonical name; never fails. */
const char *charset_detect(const char *data, size_t len, const char *http, size_t *bom);

/* Appends data, encoded in charset (a canonical name), to out as valid UTF-8: malformed
 * bytes become U+FFFD and NUL bytes are dropped. Returns LY_ETOOBIG past out->max and
 * LY_EPARSE when the system cannot convert from charset. */
int charset_decode(const char *data, size_t len, const char *charset, struct buf *out,
                   struct err *e);

#endif
