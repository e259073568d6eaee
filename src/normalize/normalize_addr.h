/* normalize_addr.h -- the address rules (internal): web and e-mail addresses
 * (normalize_web.c) and phone numbers (normalize_phone.c). They call only the scanner; the
 * number and word rules above them call them. */
#ifndef LYSSNA_NORMALIZE_ADDR_H
#define LYSSNA_NORMALIZE_ADDR_H

#include <stddef.h>

#include "normalize_scan.h"

/* Reads an e-mail or web address at i; 0 when it is none. */
size_t norm_web(struct scan *sc, size_t i);
/* Reads a phone number at i (digits, or '+' and digits); 0 when it is none. */
size_t norm_phone(struct scan *sc, size_t i);

#endif
