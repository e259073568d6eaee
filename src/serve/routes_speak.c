/* routes_speak.c -- POST /v1/speak and /v1/speak/marks: the text of the body read aloud. */
#include "serve_int.h"

#include <string.h>

#include "request.h"

#include "banned.h"

/* The body of POST /v1/speak: text/plain, application/ssml+xml or application/json. */
static int parse_speak(struct server *srv, struct MHD_Connection *c, struct request *rq,
                       struct job_spec *js, struct request_speak *p, struct err *e)
{
    memset(js, 0, sizeof(*js));
    memset(p, 0, sizeof(*p));
    if (request_parse_speak(MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type"),
                            rq->body.data, rq->body.len, arg(c, "voice"), arg(c, "rate"),
                            arg(c, "format"), auth_max_text(srv, rq), p, e))
        return e->code;
    job_from_request(js, p);
    return LY_OK;
}

void job_from_request(struct job_spec *js, const struct request_speak *r)
{
    js->text = r->text;
    js->len = r->len;
    js->ssml = r->ssml;
    memcpy(js->voice, r->v.voice, sizeof(js->voice));
    js->rate = r->v.rate;
    js->format = r->v.format;
}

static enum MHD_Result speak(struct server *srv, struct MHD_Connection *c, struct request *rq,
                             int marks)
{
    struct job_spec js;
    struct request_speak p;
    json_t *out = NULL;
    struct err e = {0};
    enum MHD_Result ret;

    if (parse_speak(srv, c, rq, &js, &p, &e)) {
        ret = send_error(srv, c, &e);
    } else if (!marks) {
        ret = answer_audio(srv, c, &js, NULL);
    } else if (collect_marks(srv, &js, &out, &e)) {
        ret = send_error(srv, c, &e);
    } else {
        ret = send_json(srv, c, MHD_HTTP_OK, out);
    }
    request_speak_release(&p);
    return ret;
}

enum MHD_Result answer_speak(struct server *srv, struct MHD_Connection *c, struct request *rq)
{
    return speak(srv, c, rq, 0);
}

enum MHD_Result answer_speak_marks(struct server *srv, struct MHD_Connection *c, struct request *rq)
{
    return speak(srv, c, rq, 1);
}
