/* marks.h -- speech marks as JSON, in the manner of Amazon Polly's speech marks. */
#ifndef LYSSNA_MARKS_H
#define LYSSNA_MARKS_H

struct buf;
struct err;
struct mark;

/* Appends m as one JSON object, {"time":ms,"type":"word","start":B,"end":B,"value":"…"},
 * with value taken from text (the original input m's offsets point into). */
int marks_to_json(const struct mark *m, const char *text, struct buf *out, struct err *e);

#endif
