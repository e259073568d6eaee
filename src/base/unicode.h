/* unicode.h -- what the C library's Unicode tables say of a code point, for the normalizer
 * to keep from espeak-ng what it cannot read safely. Thread-safe. */
#ifndef LYSSNA_UNICODE_H
#define LYSSNA_UNICODE_H

#include <stdint.h>

/* Whether c is assigned a character in the C library's Unicode tables (glibc's C.UTF-8
 * locale). 1 for every code point when that locale is missing. */
int unicode_is_assigned(uint32_t c);

/* The value 0-9 of a decimal digit of any script ("৩" Bengali three: 3), or -1. */
int unicode_digit_value(uint32_t c);

#endif
