/* ssml.h -- SSML in, a list of segments for the pipeline to speak out.
 *
 * A text segment is one utterance: its spoken text (Swedish parts normalized, other
 * languages only with their white space cleaned up) with an offset map into the SSML
 * SOURCE bytes, so speech marks point at what the author wrote. A break segment is a
 * silence. Segments change where the language or the rate changes, at <p>, <s> and
 * <break>. */
#ifndef LYSSNA_SSML_H
#define LYSSNA_SSML_H

#include <stddef.h>

#include "normalize/normalize.h"

struct err;
struct norm_rules;

enum ssml_seg_kind { SSML_TEXT, SSML_BREAK };

struct ssml_seg {
    enum ssml_seg_kind kind;
    struct normalized text; /* SSML_TEXT: spoken text; spans point into the SSML source */
    char lang[16];          /* "" for the voice's own language */
    int rate_pct;           /* of the request's rate: 100 unchanged */
    unsigned break_ms;      /* SSML_BREAK */
};

struct ssml_doc {
    struct ssml_seg *segs;
    size_t n, cap;
};

/* Parses len bytes of SSML at src into out (which the caller releases with
 * ssml_doc_release, also after a failure). voice_lang is the voice's language ("sv"):
 * text in it goes through normalize_text with rules (which may be NULL). Errors:
 * LY_EPARSE for malformed SSML, its message "ssml: line L, column C: WHAT"; LY_ETOOBIG. */
int ssml_parse(const char *src, size_t len, const char *voice_lang, const struct norm_rules *rules,
               struct ssml_doc *out, struct err *e);
void ssml_doc_release(struct ssml_doc *d);

#endif
