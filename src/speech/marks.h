/* marks.h -- speech marks as JSON, in the manner of Amazon Polly's speech marks. */
#ifndef LYSSNA_MARKS_H
#define LYSSNA_MARKS_H

#include <stddef.h>

struct buf;
struct err;
struct mark;

/* Appends m as one JSON object, {"time":ms,"type":"word","start":B,"end":B,"value":"…"},
 * with value taken from text (the original input m's offsets point into). */
int marks_to_json(const struct mark *m, const char *text, struct buf *out, struct err *e);

/* A mark as marks_to_json wrote it (frame), moved into a text it is part of: by text_at bytes
 * and ms milliseconds (the text and audio before it). A frame that is not such a mark stays. */
void marks_shift(struct buf *frame, size_t text_at, unsigned long long ms);

#endif
