/* marks.c -- formats speech marks as JSON with jansson. The value is the original text
 * the mark covers, so a client can check what it highlights. */
#include "marks.h"

#include <jansson.h>
#include <stdlib.h>

#include "base/base.h"
#include "pipeline.h"

#include "banned.h"

int marks_to_json(const struct mark *m, const char *text, struct buf *out, struct err *e)
{
    json_t *o;
    char *s;
    int rc;

    o = json_pack("{s:I, s:s, s:I, s:I, s:s%}", "time", (json_int_t)m->time_ms, "type",
                  m->type == MARK_SENTENCE ? "sentence" : "word", "start", (json_int_t)m->start,
                  "end", (json_int_t)m->end, "value", text + m->start, m->end - m->start);
    if (!o)
        return err_set(e, LY_EUTF8, "speech mark at byte %zu does not cover whole characters",
                       m->start);
    s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    if (!s)
        return err_set(e, LY_EIO, "cannot format speech mark");
    rc = buf_adds(out, s, e);
    free(s);
    return rc;
}

void marks_shift(struct buf *frame, size_t text_at, unsigned long long ms)
{
    json_t *m = json_loadb(frame->data, frame->len, 0, NULL);
    const char *fields[] = {"start", "end", "time"};
    char *s;
    size_t i;

    if (!m)
        return;
    for (i = 0; i < 3; i++) {
        json_t *v = json_object_get(m, fields[i]);
        if (json_is_integer(v))
            json_integer_set(v, json_integer_value(v) + (json_int_t)(i < 2 ? text_at : ms));
    }
    if ((s = json_dumps(m, JSON_COMPACT | JSON_PRESERVE_ORDER))) {
        buf_reset(frame);
        buf_adds(frame, s, NULL);
        free(s);
    }
    json_decref(m);
}
