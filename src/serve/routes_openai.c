/* routes_openai.c -- OpenAI's speech API, so that its SDKs and the software built on them
 * (Open WebUI, Home Assistant's OpenAI TTS, Pipecat) speak through Lyssna with a base URL:
 * POST /v1/audio/speech (audio as it is made, or stream_format "sse" with speech.audio.delta
 * events, from the same cache entry) and GET /v1/models. compat.c checks the body; the
 * audio is made and cached as /v1/speak's is. Errors are in OpenAI's shape, which its SDKs turn
 * into their error classes. */
#include "serve_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"

#include "banned.h"

static const char *error_type(unsigned status)
{
    if (status == MHD_HTTP_TOO_MANY_REQUESTS)
        return "rate_limit_exceeded";
    return status >= 500 ? "server_error" : "invalid_request_error";
}

enum MHD_Result send_openai_error(struct server *srv, struct MHD_Connection *c, unsigned status,
                                  const char *message, const char *param, const char *code)
{
    json_t *err = json_pack("{s:s, s:s, s:o, s:o}", "message", message, "type", error_type(status),
                            "param", param && *param ? json_string(param) : json_null(), "code",
                            code ? json_string(code) : json_null());

    return send_json(srv, c, status, json_pack("{s:o}", "error", err));
}

static enum MHD_Result openai_error(struct server *srv, struct MHD_Connection *c,
                                    const struct err *e)
{
    return send_openai_error(srv, c, (unsigned)status_of(e->code), e->msg, NULL, err_name(e->code));
}

enum MHD_Result answer_openai_models(struct server *srv, struct MHD_Connection *c,
                                     struct request *rq)
{
    json_t *data = json_array();
    size_t i;

    (void)rq;
    for (i = 0; compat_openai_models[i]; i++)
        json_array_append_new(data,
                              json_pack("{s:s, s:s, s:i, s:s}", "id", compat_openai_models[i],
                                        "object", "model", "created", 0, "owned_by", "lyssna"));
    return send_json(srv, c, MHD_HTTP_OK, json_pack("{s:s, s:o}", "object", "list", "data", data));
}

/* An SSE answer: each frame of the job's audio (made, or read from the cache) becomes one
 * event. */
struct sse {
    struct job *job;
    struct buf frame, out;
    size_t off;
    int ended;
    unsigned long words;
};

static void base64(struct buf *out, const unsigned char *p, size_t n)
{
    static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    unsigned long v;
    size_t i;

    for (i = 0; i + 2 < n; i += 3) {
        v = (unsigned long)p[i] << 16 | (unsigned long)p[i + 1] << 8 | p[i + 2];
        buf_addch(out, digits[v >> 18 & 63], NULL);
        buf_addch(out, digits[v >> 12 & 63], NULL);
        buf_addch(out, digits[v >> 6 & 63], NULL);
        buf_addch(out, digits[v & 63], NULL);
    }
    if (i < n) {
        v = (unsigned long)p[i] << 16 | (i + 1 < n ? (unsigned long)p[i + 1] << 8 : 0);
        buf_addch(out, digits[v >> 18 & 63], NULL);
        buf_addch(out, digits[v >> 12 & 63], NULL);
        buf_addch(out, i + 1 < n ? digits[v >> 6 & 63] : '=', NULL);
        buf_addch(out, '=', NULL);
    }
}

/* The frame just read as an SSE event in s->out. */
static void sse_event(struct sse *s, int type)
{
    buf_reset(&s->out);
    s->off = 0;
    if (type == POOL_AUDIO) {
        buf_adds(&s->out, "data: {\"type\":\"speech.audio.delta\",\"audio\":\"", NULL);
        base64(&s->out, (const unsigned char *)s->frame.data, s->frame.len);
        buf_adds(&s->out, "\"}\n\n", NULL);
        return;
    }
    s->ended = 1;
    buf_addf(&s->out, NULL,
             "data: {\"type\":\"speech.audio.done\",\"usage\":{\"input_tokens\":%lu,"
             "\"output_tokens\":0,\"total_tokens\":%lu}}\n\n",
             s->words, s->words);
}

static ssize_t sse_read(void *cls, uint64_t pos, char *out, size_t max)
{
    struct sse *s = cls;
    struct err e = {0};
    size_t n;
    int type;

    (void)pos;
    while (s->off == s->out.len) {
        if (s->ended)
            return MHD_CONTENT_READER_END_OF_STREAM;
        type = job_next(s->job, &s->frame, &e);
        if (type == POOL_AUDIO || type == POOL_DONE)
            sse_event(s, type);
        else
            return MHD_CONTENT_READER_END_WITH_ERROR;
    }
    n = s->out.len - s->off < max ? s->out.len - s->off : max;
    memcpy(out, s->out.data + s->off, n);
    s->off += n;
    return (ssize_t)n;
}

static void sse_free(void *cls)
{
    struct sse *s = cls;

    job_close(s->job); /* unfinished: the worker is stopped, nothing cached */
    buf_release(&s->frame);
    buf_release(&s->out);
    free(s);
}

static unsigned long count_words(const char *t, size_t n)
{
    unsigned long w = 0;
    size_t i;

    for (i = 0; i < n; i++)
        w += (unsigned char)t[i] > ' ' && (i == 0 || (unsigned char)t[i - 1] <= ' ');
    return w;
}

/* stream_format "sse": the first audio is awaited before the 200, so that a failure still
 * gets its status. */
static enum MHD_Result answer_sse(struct server *srv, struct MHD_Connection *c,
                                  const struct job_spec *js, const struct answer_as *as)
{
    struct sse *s = xcalloc(1, sizeof(*s));
    struct MHD_Response *r;
    struct err e = {0};
    int type;

    buf_init(&s->frame, BUF_NOLIMIT);
    buf_init(&s->out, BUF_NOLIMIT);
    s->words = count_words(js->text, js->len);
    if (!(s->job = job_open(srv->jobs, js, 0, &e))) {
        sse_free(s);
        return openai_error(srv, c, &e);
    }
    if ((type = job_next(s->job, &s->frame, &e)) != POOL_AUDIO && type != POOL_DONE) {
        sse_free(s);
        return openai_error(srv, c, &e);
    }
    sse_event(s, type);
    r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 32 * 1024, sse_read, s, sse_free);
    if (!r) {
        sse_free(s);
        return MHD_NO;
    }
    return send_response(srv, c, MHD_HTTP_OK, r, "text/event-stream", "no-store", as);
}

/* The rate the audio is spoken at: the one asked, else the voice's own. */
static int effective_rate(const struct job_spec *js)
{
    struct voice v;

    if (js->rate)
        return js->rate;
    return voice_load(voice_dir(), js->voice, &v, NULL) == LY_OK ? v.rate : 0;
}

enum MHD_Result answer_openai(struct server *srv, struct MHD_Connection *c, struct request *rq)
{
    struct compat_speech s;
    struct job_spec js = {0};
    struct answer_as as = {"X-Lyssna-Rate", NULL, openai_error};
    char param[32], rate[16];
    struct err e = {0};
    enum MHD_Result ret;

    if (compat_parse_openai(rq->body.data, rq->body.len, auth_max_text(srv, rq), &s, param, &e) !=
        LY_OK) {
        ret =
            send_openai_error(srv, c, (unsigned)status_of(e.code), e.msg, param, err_name(e.code));
        compat_speech_release(&s);
        return ret;
    }
    job_from_request(&js, &s.r);
    snprintf(rate, sizeof(rate), "%d", effective_rate(&js));
    as.value = rate;
    ret = s.sse ? answer_sse(srv, c, &js, &as) : answer_audio(srv, c, &js, &as);
    compat_speech_release(&s);
    return ret;
}
