/* normalize.h -- written text in, the text espeak-ng should say out, with a map back.
 *
 * Every output byte can be traced to the input bytes it came from, so speech marks
 * computed on the spoken text still point into the text the user wrote. Line breaks are
 * kept: one output line per input line. */
#ifndef LYSSNA_NORMALIZE_H
#define LYSSNA_NORMALIZE_H

#include <stddef.h>

#include "buf.h"

struct err;

/* A run of output bytes and the input bytes it stands for. exact runs are byte-for-byte
 * copies; other runs (a collapsed space, an expansion) map as a whole. */
struct norm_span {
    size_t out, out_len;
    size_t in, in_len;
    int exact;
};

struct normalized {
    struct buf text; /* the spoken text */
    struct norm_span *spans;
    size_t nspans, cap;
};

void normalized_init(struct normalized *n, size_t max);
void normalized_release(struct normalized *n);

/* Normalizes len bytes of valid UTF-8 at in into out (which is reset first). */
int normalize_text(const char *in, size_t len, struct normalized *out, struct err *e);

/* Maps the output range [start, end) back to the input range it came from. */
void normalized_source(const struct normalized *n, size_t start, size_t end, size_t *in_start,
                       size_t *in_end);

#endif
