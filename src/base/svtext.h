/* svtext.h -- small byte-level helpers for scanning Swedish UTF-8 text: letters, case,
 * case-folded comparison (ASCII and Latin-1 letters such as Å, Ä, Ö, É), white space.
 * Pure functions, no state: thread-safe. */
#ifndef LYSSNA_SVTEXT_H
#define LYSSNA_SVTEXT_H

#include <stddef.h>
#include <stdint.h>

/* The code point at s[i] (n bytes in all) and its length; 0 past the end or on bad UTF-8. */
size_t svtext_cp(const char *s, size_t n, size_t i, uint32_t *cp);
/* The code point ending just before s[i] and its length; 0 at the start. */
size_t svtext_cp_before(const char *s, size_t i, uint32_t *cp);

int svtext_is_letter(uint32_t c);
int svtext_is_upper(uint32_t c);
int svtext_is_space(uint32_t c);
/* Hyphen-minus and the Unicode dashes and minus sign. */
int svtext_is_dash(uint32_t c);

/* Length of the run of letters starting at s[i]. */
size_t svtext_word_len(const char *s, size_t n, size_t i);
/* Length of the run of ASCII digits starting at s[i]. */
size_t svtext_digits_len(const char *s, size_t n, size_t i);
/* Length of the white space run at s[i]. */
size_t svtext_space_len(const char *s, size_t n, size_t i);

/* Lower-cases ASCII and Latin-1 capitals of n bytes at s into out (same length). */
void svtext_fold(const char *s, size_t n, char *out);
/* 1 when the n bytes at s equal key (already folded, NUL-terminated) ignoring case. */
int svtext_fold_eq(const char *s, size_t n, const char *key);
/* Bytes of s matched when it starts with key ignoring case (a space in key matches one
 * white space run in s), or 0. */
size_t svtext_fold_prefix(const char *s, size_t n, const char *key);
/* The same, case-sensitively. */
size_t svtext_prefix(const char *s, size_t n, const char *key);

/* 1 when language tags a and b name the same language ("en-GB" and "en"), ignoring case. */
int svtext_same_lang(const char *a, const char *b);

#endif
