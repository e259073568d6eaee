/* docworker.h -- inside extract/: runs a document reader in a sandboxed child process. */
#ifndef LYSSNA_DOCWORKER_H
#define LYSSNA_DOCWORKER_H

#include <stddef.h>

/* The worker's answer (docchild.c) comes in frames (base/frame.h), in this order: SCAN when
 * a scan is about to be recognized (the parent then waits longer), then ERROR alone, or
 * TITLE, LANG, NUMBERS and each block's BLOCK, XPATH, its LANG when it has one, TEXT and
 * its RUNs. Every string is UTF-8 without NULs; the parent checks it all (the worker reads
 * hostile files). */
enum docworker_frame {
    DOCWORKER_SCAN = 'S',
    DOCWORKER_ERROR = 'E',   /* "code message" */
    DOCWORKER_TITLE = 'T',   /* the document's title, or none */
    DOCWORKER_LANG = 'L',    /* the document's, or after BLOCK the block's, language */
    DOCWORKER_NUMBERS = 'N', /* "words ocr parts" */
    DOCWORKER_BLOCK = 'B',   /* "kind level": a block begins */
    DOCWORKER_XPATH = 'X',
    DOCWORKER_TEXT = 'W',
    DOCWORKER_RUN = 'R', /* "start end lang": a stretch of the block's text in lang */
};

struct document_caps;
struct err;
struct extract_result;

/* Parses bytes in `lyssna-docworker extract-worker` (the program beside exe, the lyssna
 * binary) and fills out from what it sends back. The child's
 * crash, its CPU limit (cpu_s; ocr_cpu_s for a scan read by text recognition) or its silence
 * past the wall-clock limit end in an error for this document only. */
int docworker_run(const char *exe, const char *bytes, size_t len, const struct document_caps *caps,
                  int cpu_s, int ocr_cpu_s, struct extract_result *out, struct err *e);

/* The worker's answer, len bytes at data, into out (release it with extract_result_release),
 * or the worker's error, or LY_EPARSE when the frames are not as above, into e. */
int docworker_answer(const char *data, size_t len, struct extract_result *out, struct err *e);

#endif
