/* pipeline.h -- the one place that knows the order: extract -> normalize -> synth -> encode. */
#ifndef LYSSNA_PIPELINE_H
#define LYSSNA_PIPELINE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "encode.h"

struct err;
struct extract_opts;
struct extract_result;
struct norm_rules;
struct synth;
struct voice;

enum mark_type { MARK_SENTENCE, MARK_WORD };

/* A speech mark in the manner of Amazon Polly's: at time_ms the listener hears the text
 * at bytes [start, end) of the ORIGINAL input (UTF-8, end exclusive). */
struct mark {
    enum mark_type type;
    uint64_t time_ms;
    size_t start, end;
};

struct speak_request {
    const char *text; /* original input: UTF-8 text, or SSML when ssml is set */
    size_t len;
    int ssml;
    const char *const *line_langs; /* language of each line where it differs, or NULL: such
                                      lines are not normalized and get that language's voice.
                                      Stretches of a line in other languages follow its own:
                                      "sv 10-40:fi 69-76:en" (bytes of the line) */
    size_t nlines;
    const struct voice *voice;
    int rate; /* words per minute */
    enum encode_format format;
    const struct norm_rules *rules; /* word lists for normalizing plain text, or NULL */
};

struct speak_output {
    const struct encode_sink *audio;
    int (*mark)(void *ctx, const struct mark *m); /* may be NULL; non-zero stops */
    void *mark_ctx;
    const volatile sig_atomic_t *cancel; /* may be NULL; non-zero stops synthesis */
    uint64_t samples;                    /* out: audio produced */
    int sample_rate;                     /* out */
};

/* Speaks r to o. Text lines are spoken as separate utterances (a heading without a full
 * stop still ends with a pause); SSML is spoken segment by segment (see ssml.h), its marks
 * pointing into the SSML source. Errors: LY_EUTF8, LY_ETOOBIG, LY_EEMPTY, LY_EPARSE (bad
 * SSML) for the input; LY_ESYNTH, LY_EENCODE, LY_EIO, LY_ECANCEL on the way. */
int pipeline_speak(struct synth *s, const struct speak_request *r, struct speak_output *o,
                   struct err *e);

/* An HTML page's readable text, ready to be a speak_request: the blocks one per line, as
 * `lyssna extract` prints them, and each line's language where it differs from the page's. */
struct page_text {
    char *text;
    size_t len;
    const char **line_langs; /* borrowed from page, or from specs */
    char **specs;            /* the lines with stretches in other languages: their own */
    size_t nlines;
    struct extract_result *page;
};

/* Extracts the readable text of html (or of a PDF, DOCX or ODT document, told by its content:
 * extract_any) into out; release it with pipeline_page_release. */
int pipeline_read_html(const char *html, size_t len, const struct extract_opts *xo,
                       struct page_text *out, struct err *e);
/* The text of an extracted page (allocated; out owns it from now on, or it is freed on
 * failure) into out, as pipeline_read_html gives it. */
int pipeline_page_of(struct extract_result *page, struct page_text *out, struct err *e);
void pipeline_page_release(struct page_text *p);

#endif
