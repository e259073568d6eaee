/* fuzz.h -- what the libFuzzer targets in fuzz/ share: the entry points libFuzzer calls,
 * the project's data (found in the source tree the targets were built from, LYSSNA_SRCDIR)
 * and checks that abort, so that libFuzzer reports a broken promise as it does a crash. */
#ifndef LYSSNA_FUZZ_H
#define LYSSNA_FUZZ_H

#include <stddef.h>
#include <stdint.h>

struct norm_rules;
struct normalized;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* The word lists of voices/sv, loaded once; also points LYSSNA_VOICES at voices/. */
const struct norm_rules *fuzz_rules(void);

/* Aborts with what when ok is 0. */
void fuzz_check(int ok, const char *what);

/* Checks what normalize.h promises of n made from in_len bytes at in: valid UTF-8 out,
 * every span inside both texts, and (lines set) as many lines out as in. */
void fuzz_check_normalized(const struct normalized *n, const char *in, size_t in_len, int lines);

#endif
