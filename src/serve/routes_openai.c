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

/* An SSE answer being streamed from a worker (each audio frame becomes one event, and goes
 * into the cache as /v1/audio/speech's plain answer would), or read from the cache. */
struct sse {
    struct server *srv;
    struct pool_job *job;    /* NULL when the audio comes from the cache */
    struct cache_writer *cw; /* the job's audio on its way into the cache, or NULL */
    int fd;                  /* the cache entry being read, or -1 */
    uint64_t left;           /* its bytes not read yet */
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

/* The next frame of the job (into the cache too) or of the cache entry: its type, POOL_MARK
 * to skip, or 0 on failure. */
static int sse_next(struct sse *s, struct err *e)
{
    size_t want = s->left < 8192 ? (size_t)s->left : 8192;
    ssize_t n;
    int type;

    if (s->fd >= 0) {
        buf_reset(&s->frame);
        if (want == 0)
            return POOL_DONE;
        buf_grow(&s->frame, want, NULL);
        n = read(s->fd, s->frame.data, want);
        if (n <= 0)
            return err_set(e, LY_EIO, "cannot read cached audio"), 0;
        s->frame.len = (size_t)n;
        s->left -= (uint64_t)n;
        return POOL_AUDIO;
    }
    type = pool_job_next(s->job, &s->frame, cfg_of(s->srv)->synth_timeout_ms, e);
    if (type == POOL_AUDIO && s->cw && cache_put_write(s->cw, s->frame.data, s->frame.len, NULL)) {
        cache_put_abort(s->cw); /* a full or read-only cache costs only the caching */
        s->cw = NULL;
    } else if (type == POOL_DONE) {
        count_done(s->srv, &s->frame);
        if (s->cw)
            cache_put_commit(s->cw, NULL);
        s->cw = NULL;
    } else if (type == POOL_ERROR) {
        pool_error(&s->frame, e);
        type = 0;
    }
    return type;
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
        type = sse_next(s, &e);
        if (type == POOL_AUDIO || type == POOL_DONE)
            sse_event(s, type);
        else if (type != POOL_MARK)
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

    if (s->job)
        end_job(s->srv, s->job);
    if (s->fd >= 0)
        close(s->fd);
    cache_put_abort(s->cw); /* unfinished: not kept */
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

/* The audio of js (key) from the cache, else a job whose audio goes into the cache too. */
static int sse_open(struct sse *s, const struct job_spec *js, const char *key, struct err *e)
{
    const char *ext = encode_extension(js->format);
    struct cache_hit hit;

    s->fd = -1;
    if (cache_get(s->srv->cache, key, ext, &hit, NULL) == 1) {
        s->srv->m.cache_hits++;
        s->fd = hit.fd;
        s->left = hit.size;
        return LY_OK;
    }
    s->srv->m.cache_misses++;
    if (!(s->job = start_job(s->srv, js, 0, e)))
        return e->code;
    s->cw = cache_put_begin(s->srv->cache, key, ext, NULL);
    return LY_OK;
}

/* stream_format "sse": the first audio is awaited before the 200, so that a failure still
 * gets its status. */
static enum MHD_Result answer_sse(struct server *srv, struct MHD_Connection *c,
                                  const struct job_spec *js, const char *key,
                                  const struct answer_as *as)
{
    struct sse *s = xcalloc(1, sizeof(*s));
    struct MHD_Response *r;
    struct err e = {0};
    enum MHD_Result ret;
    int type;

    buf_init(&s->frame, BUF_NOLIMIT);
    buf_init(&s->out, BUF_NOLIMIT);
    s->srv = srv;
    s->words = count_words(js->text, js->len);
    if (sse_open(s, js, key, &e) != LY_OK) {
        sse_free(s);
        return openai_error(srv, c, &e);
    }
    while ((type = sse_next(s, &e)) == POOL_MARK)
        ;
    if (type != POOL_AUDIO && type != POOL_DONE) {
        sse_free(s);
        return openai_error(srv, c, &e);
    }
    sse_event(s, type);
    r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 32 * 1024, sse_read, s, sse_free);
    if (!r) {
        sse_free(s);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/event-stream");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    MHD_add_response_header(r, as->header, as->value);
    add_cors(srv, c, r);
    ret = MHD_queue_response(c, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return ret;
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
    char key[CACHE_KEY_HEX + 1], param[32], rate[16];
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
    key_of(srv, &js, "audio", key);
    ret = s.sse ? answer_sse(srv, c, &js, key, &as) : answer_audio(srv, c, &js, key, &as);
    compat_speech_release(&s);
    return ret;
}
