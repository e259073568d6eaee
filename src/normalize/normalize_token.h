/* normalize_token.h -- the rules the driver (normalize.c) hands a position to, by the kind of
 * character there (internal): words (normalize_word.c), signs and symbols
 * (normalize_sign.c). The top layer of rules: only the driver calls them. */
#ifndef LYSSNA_NORMALIZE_TOKEN_H
#define LYSSNA_NORMALIZE_TOKEN_H

#include <stddef.h>

#include "normalize_scan.h"

size_t norm_word(struct scan *sc, size_t i);
size_t norm_sign(struct scan *sc, size_t i);
size_t norm_symbol(struct scan *sc, size_t i);

#endif
