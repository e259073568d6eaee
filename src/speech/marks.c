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
