/* normalize_num.h -- the number rule (internal, normalize_num.c): what starts with a digit.
 * Above the address rules and the parsed items it calls; the sign rule and the driver call
 * it. */
#ifndef LYSSNA_NORMALIZE_NUM_H
#define LYSSNA_NORMALIZE_NUM_H

#include <stddef.h>

#include "normalize_scan.h"

/* Says the number, date, time, phone number or address at digit i; 0 when none applies. */
size_t norm_number(struct scan *sc, size_t i);

#endif
