/* docworker.h -- inside extract/: runs a document reader in a sandboxed child process. */
#ifndef LYSSNA_DOCWORKER_H
#define LYSSNA_DOCWORKER_H

#include <stddef.h>

struct document_caps;
struct err;
struct extract_result;

/* Parses bytes in `lyssna-docworker extract-worker` (the program beside exe, the lyssna
 * binary) and fills out from what it sends back. The child's
 * crash, its CPU limit (cpu_s; ocr_cpu_s for a scan read by text recognition) or its silence
 * past the wall-clock limit end in an error for this document only. */
int docworker_run(const char *exe, const char *bytes, size_t len, const struct document_caps *caps,
                  int cpu_s, int ocr_cpu_s, struct extract_result *out, struct err *e);

#endif
