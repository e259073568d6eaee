/* serve.c -- `lyssna serve`: libmicrohttpd in thread-per-connection mode (a connection's
 * thread may block on its synthesis worker; nothing else waits for it). Requests are parsed
 * and checked here, synthesis runs in the worker pool, audio is streamed to the client as it
 * is encoded and written to the cache at the same time; a cached answer goes out with sendfile,
 * ranges and validators. Every error is JSON {"error","message"} with a status from one table.
 * The only file that includes <microhttpd.h>. */
#include "serve.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "cache.h"
#include "config.h"
#include "encode.h"
#include "err.h"
#include "extract.h"
#include "fetch.h"
#include "pipeline.h"
#include "pool.h"
#include "utf8.h"
#include "voice.h"
#include "xalloc.h"

#include "banned.h"

/* Changes whenever what the same input sounds like may change (rules, voices, encoders):
 * part of every cache key, so old audio is never served for new rules. */
#define LYSSNA_ENGINE "lyssna-1"

enum route {
    R_OTHER,
    R_HEALTH,
    R_VOICES,
    R_METRICS,
    R_STATIC,
    R_SPEAK,
    R_SPEAK_MARKS,
    R_LISTEN,
    R_LISTEN_MARKS,
    R_LISTEN_TEXT,
    R_COUNT
};

static const char *const route_names[R_COUNT] = {
    "other", "healthz",     "voices", "metrics",      "static",
    "speak", "speak_marks", "listen", "listen_marks", "listen_text"};

struct metrics {
    atomic_ulong requests[R_COUNT][6]; /* by status class: 1xx..5xx, index 0 unused */
    atomic_ulong latency[R_COUNT][8];  /* ms buckets, see latency_bounds */
    atomic_ulong cache_hits, cache_misses, fetch_errors[4], in_flight, waiting;
    atomic_ullong audio_ms;
};

static const unsigned latency_bounds[7] = {10, 50, 100, 250, 1000, 5000, 30000};

struct server {
    const struct config *cfg;
    struct pool *pool;
    struct cache *cache;
    struct fetch_opts fetch;
    char **hosts, **addrs; /* split from the config */
    char web[1024];
    struct metrics m;
    pthread_mutex_t lock;      /* guards the queue of requests waiting for a worker, and busy */
    pthread_cond_t freed;      /* a worker came free, or an audio entry was finished */
    struct busy_key *busy;     /* audio being synthesized now, so that it is synthesized once */
    struct recent_page *pages; /* newest first, guarded by lock */
    struct rate_slot *rates;   /* LYSSNA_RATE_SLOTS, guarded by lock */
};

/* A page fetched lately: Range requests and the marks request that follow a listen must not
 * fetch the page again each time. */
struct recent_page {
    char *url;
    char *charset;
    struct buf body;
    time_t at;
    struct recent_page *next;
};

#define LYSSNA_RECENT_PAGES 64

struct busy_key {
    char key[CACHE_KEY_HEX + 1];
    struct busy_key *next;
};

/* One request's state, from its first call to its completion. */
struct request {
    struct buf body;
    int too_big;
    enum route route;
    struct timespec start;
    char client[64]; /* the client's address, for the rate limit and the access log */
    char line[160];  /* "METHOD /path" for the access log */
};

/* Per-client token buckets in a fixed table: a client whose slot another takes over starts
 * afresh, which errs on the side of letting people listen. */
#define LYSSNA_RATE_SLOTS 4096

struct rate_slot {
    char client[64];
    double tokens;
    struct timespec at;
};

/* An audio response being streamed from a worker (and into the cache). */
struct stream {
    struct server *srv;
    char key[CACHE_KEY_HEX + 1];
    struct pool_job *job;
    struct buf frame;
    size_t off;
    struct cache_writer *cw;
    int ended;
};

/* What to synthesize, from a request; text is borrowed from the request or a page. */
struct job_spec {
    const char *text;
    size_t len;
    int ssml;
    const char *const *line_langs;
    size_t nlines;
    char voice[64];
    int rate;
    enum encode_format format;
};

static int status_of(enum lyssna_code code)
{
    switch (code) {
    case LY_EUSAGE:
    case LY_EVOICE:
    case LY_EEMPTY:
    case LY_EUTF8:
    case LY_EPARSE:
    case LY_EINPUT:
        return MHD_HTTP_BAD_REQUEST;
    case LY_ETOOBIG:
        return MHD_HTTP_CONTENT_TOO_LARGE;
    case LY_EDENIED:
        return MHD_HTTP_FORBIDDEN;
    case LY_EFETCH:
    case LY_EHTTP:
        return MHD_HTTP_BAD_GATEWAY;
    case LY_ETIMEOUT:
        return MHD_HTTP_GATEWAY_TIMEOUT;
    case LY_EBUSY:
        return MHD_HTTP_SERVICE_UNAVAILABLE;
    default:
        return MHD_HTTP_INTERNAL_SERVER_ERROR;
    }
}

/* CORS for the configured origins on every response, so that a listen button on a
 * municipality's site can read marks and errors too; a preflight learns what it may send. */
static void add_cors(struct server *srv, struct MHD_Connection *c, struct MHD_Response *r)
{
    const char *origin = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin");
    const char *list = srv->cfg->cors_origins, *p;
    size_t n;

    if (!origin || !*list)
        return;
    n = strlen(origin);
    for (p = list; (p = strstr(p, origin)); p += n)
        if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0')) {
            MHD_add_response_header(r, "Access-Control-Allow-Origin", origin);
            MHD_add_response_header(r, "Vary", "Origin");
            MHD_add_response_header(r, "Access-Control-Expose-Headers",
                                    "Content-Length, Content-Range, ETag");
            if (MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Access-Control-Request-Method")) {
                MHD_add_response_header(r, "Access-Control-Allow-Methods", "GET, POST");
                MHD_add_response_header(r, "Access-Control-Allow-Headers", "Content-Type, Range");
                MHD_add_response_header(r, "Access-Control-Max-Age", "600");
            }
            return;
        }
}

static enum MHD_Result send_buffer(struct server *srv, struct MHD_Connection *c, unsigned status,
                                   const char *type, const void *data, size_t len)
{
    struct MHD_Response *r;
    enum MHD_Result ret;

    r = MHD_create_response_from_buffer(len, (void *)data, MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    add_cors(srv, c, r);
    if (status == MHD_HTTP_SERVICE_UNAVAILABLE)
        MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, "2");
    ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result send_json(struct server *srv, struct MHD_Connection *c, unsigned status,
                                 json_t *body)
{
    char *s = json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER);
    enum MHD_Result ret;

    json_decref(body);
    if (!s)
        return MHD_NO;
    ret = send_buffer(srv, c, status, "application/json", s, strlen(s));
    free(s);
    return ret;
}

static enum MHD_Result send_error(struct server *srv, struct MHD_Connection *c, const struct err *e)
{
    return send_json(srv, c, status_of(e->code),
                     json_pack("{s:s, s:s}", "error", err_name(e->code), "message",
                               e->msg[0] ? e->msg : err_name(e->code)));
}

static enum MHD_Result fail(struct server *srv, struct MHD_Connection *c, enum lyssna_code code,
                            const char *msg)
{
    struct err e = {0};

    err_set(&e, code, "%s", msg);
    return send_error(srv, c, &e);
}

static const char *arg(struct MHD_Connection *c, const char *name)
{
    return MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);
}

/* voice, rate and format from the query string (or JSON), checked; defaults filled in. */
static int parse_voice_rate_format(const char *voice, const char *rate, const char *format,
                                   struct job_spec *js, struct err *e)
{
    struct voice v;
    char *end;
    long r;
    int rc;

    snprintf(js->voice, sizeof(js->voice), "%s", voice && *voice ? voice : LYSSNA_DEFAULT_VOICE);
    rc = voice_load(voice_dir(), js->voice, &v, e);
    if (rc)
        return rc;
    js->rate = 0;
    if (rate && *rate) {
        r = strtol(rate, &end, 10);
        if (*end || r < LYSSNA_RATE_MIN || r > LYSSNA_RATE_MAX)
            return err_set(e, LY_EUSAGE, "rate '%.20s' is not %d-%d words per minute", rate,
                           LYSSNA_RATE_MIN, LYSSNA_RATE_MAX);
        js->rate = (int)r;
    }
    js->format = ENCODE_MP3; /* plays everywhere, iPhone included */
    return format && *format ? encode_format_parse(format, &js->format, e) : LY_OK;
}

static int check_text(const struct server *srv, const char *text, size_t len, struct err *e)
{
    size_t bad, i;

    if (len > (size_t)srv->cfg->max_text_bytes)
        return err_set(e, LY_ETOOBIG, "the text is %zu bytes; at most %d are accepted", len,
                       srv->cfg->max_text_bytes);
    if (!utf8_valid(text, len, &bad))
        return err_set(e, LY_EUTF8, "the text is not valid UTF-8 (byte %zu)", bad);
    for (i = 0; i < len; i++)
        if (!strchr(" \t\r\n", text[i]))
            return LY_OK;
    return err_set(e, LY_EEMPTY, "there is no text to speak");
}

/* The body of POST /v1/speak: text/plain, application/ssml+xml or application/json. */
static int parse_speak(struct server *srv, struct MHD_Connection *c, struct request *rq,
                       struct job_spec *js, json_t **doc, struct err *e)
{
    const char *type = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
    const char *text = NULL, *voice = arg(c, "voice"), *rate = arg(c, "rate"),
               *format = arg(c, "format");
    char ratebuf[16];
    json_error_t je;
    json_t *j;

    if (rq->too_big)
        return err_set(e, LY_ETOOBIG, "the body is over %d bytes", srv->cfg->max_text_bytes);
    memset(js, 0, sizeof(*js));
    if (type && !strncmp(type, "application/json", 16)) {
        *doc = json_loadb(rq->body.data, rq->body.len, 0, &je);
        if (!*doc || !json_is_object(*doc))
            return err_set(e, LY_EPARSE, "bad JSON body: %s", *doc ? "not an object" : je.text);
        js->ssml = (j = json_object_get(*doc, "ssml")) && json_is_string(j);
        text = json_string_value(js->ssml ? j : json_object_get(*doc, "text"));
        if (!text)
            return err_set(e, LY_EUSAGE, "the JSON body needs a \"text\" or \"ssml\" string");
        js->len = json_string_length(js->ssml ? j : json_object_get(*doc, "text"));
        voice = json_string_value(json_object_get(*doc, "voice"));
        format = json_string_value(json_object_get(*doc, "format"));
        if ((j = json_object_get(*doc, "rate")) && json_is_integer(j)) {
            snprintf(ratebuf, sizeof(ratebuf), "%" JSON_INTEGER_FORMAT, json_integer_value(j));
            rate = ratebuf;
        }
    } else if (!type || !strncmp(type, "text/plain", 10) ||
               !strncmp(type, "application/ssml+xml", 20)) {
        js->ssml = type && !strncmp(type, "application/ssml+xml", 20);
        text = rq->body.data;
        js->len = rq->body.len;
    } else {
        return err_set(e, LY_EUSAGE,
                       "send text/plain, application/ssml+xml or application/json, not '%.60s'",
                       type);
    }
    js->text = text;
    return check_text(srv, text, js->len, e) || parse_voice_rate_format(voice, rate, format, js, e);
}

static void key_of(const struct job_spec *js, const char *kind, char key[CACHE_KEY_HEX + 1])
{
    char rate[16], flags[8];
    const char *format = encode_format_name(js->format);
    struct buf langs;
    size_t i;

    snprintf(rate, sizeof(rate), "%d", js->rate);
    snprintf(flags, sizeof(flags), "%d", js->ssml);
    buf_init(&langs, BUF_NOLIMIT);
    for (i = 0; js->line_langs && i < js->nlines; i++)
        buf_addf(&langs, NULL, "%s,", js->line_langs[i] ? js->line_langs[i] : "");
    {
        /* the text is hashed where it lies: no copy of up to a megabyte per request */
        const char *parts[] = {LYSSNA_ENGINE, kind,       flags,    js->voice,
                               rate,          langs.data, js->text, format};
        const size_t lens[] = {
            strlen(LYSSNA_ENGINE), strlen(kind), strlen(flags), strlen(js->voice),
            strlen(rate),          langs.len,    js->len,       strlen(format)};
        cache_key(parts, lens, sizeof(parts) / sizeof(parts[0]), key);
    }
    buf_release(&langs);
}

/* A worker for js, waiting in the queue up to queue_wait_ms; NULL with LY_EBUSY past that. */
static struct pool_job *start_job(struct server *srv, const struct job_spec *js, int marks,
                                  struct err *e)
{
    struct pool_request r = {js->text,  js->len,  js->ssml,   js->line_langs, js->nlines,
                             js->voice, js->rate, js->format, marks};
    struct timespec until;
    struct pool_job *j;

    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += srv->cfg->queue_wait_ms / 1000;
    until.tv_nsec += (long)(srv->cfg->queue_wait_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L)
        until.tv_sec++, until.tv_nsec -= 1000000000L;
    pthread_mutex_lock(&srv->lock);
    if (srv->m.waiting >= (unsigned long)srv->cfg->queue) {
        pthread_mutex_unlock(&srv->lock);
        err_set(e, LY_EBUSY, "the service is busy: try again in a moment");
        return NULL;
    }
    srv->m.waiting++;
    while (!(j = pool_start(srv->pool, &r, e)) && e->code == LY_EBUSY)
        if (pthread_cond_timedwait(&srv->freed, &srv->lock, &until) == ETIMEDOUT)
            break;
    if (!j && e->code == LY_EBUSY)
        err_set(e, LY_EBUSY, "the service is busy: try again in a moment");
    srv->m.waiting--;
    pthread_mutex_unlock(&srv->lock);
    return j;
}

static void end_job(struct server *srv, struct pool_job *j)
{
    pool_job_end(j);
    pthread_mutex_lock(&srv->lock);
    pthread_cond_broadcast(&srv->freed);
    pthread_mutex_unlock(&srv->lock);
}

/* The error a worker reported ("CODE message") into e. */
static int worker_error(const struct buf *payload, struct err *e)
{
    char *end;
    long code = strtol(payload->data, &end, 10);

    if (code <= 0 || code >= LY_ECODE_MAX)
        code = LY_ESYNTH;
    return err_set(e, (enum lyssna_code)code, "%s", *end ? end + 1 : "synthesis failed");
}

/* Claims key for synthesis; when another request is making the same audio, waits until it
 * is done (synthesis runs far faster than real time) and returns 0 so the caller looks in
 * the cache again. Returns 1 when the caller is to synthesize. */
static int claim_key(struct server *srv, const char *key)
{
    struct timespec until;
    struct busy_key *b;
    int waited = 0;

    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += srv->cfg->synth_timeout_ms / 1000 + 1;
    pthread_mutex_lock(&srv->lock);
    for (;;) {
        for (b = srv->busy; b && strcmp(b->key, key); b = b->next)
            ;
        if (!b || pthread_cond_timedwait(&srv->freed, &srv->lock, &until) == ETIMEDOUT)
            break;
        waited = 1;
    }
    if (!waited || b) {
        b = xcalloc(1, sizeof(*b));
        memcpy(b->key, key, sizeof(b->key));
        b->next = srv->busy;
        srv->busy = b;
    }
    pthread_mutex_unlock(&srv->lock);
    return !waited || b;
}

static void release_key(struct server *srv, const char *key)
{
    struct busy_key **p, *b;

    pthread_mutex_lock(&srv->lock);
    for (p = &srv->busy; *p && strcmp((*p)->key, key); p = &(*p)->next)
        ;
    if ((b = *p)) {
        *p = b->next;
        free(b);
    }
    pthread_cond_broadcast(&srv->freed);
    pthread_mutex_unlock(&srv->lock);
}

static ssize_t stream_read(void *cls, uint64_t pos, char *out, size_t max)
{
    struct stream *s = cls;
    struct err e = {0};
    size_t n;
    int type;

    (void)pos;
    while (s->off == s->frame.len) {
        if (s->ended)
            return MHD_CONTENT_READER_END_OF_STREAM;
        type = pool_job_next(s->job, &s->frame, s->srv->cfg->synth_timeout_ms, &e);
        s->off = 0;
        if (type == POOL_AUDIO) {
            if (s->cw && cache_put_write(s->cw, s->frame.data, s->frame.len, NULL)) {
                cache_put_abort(s->cw); /* a full or read-only cache costs only the caching */
                s->cw = NULL;
            }
        } else if (type == POOL_DONE) {
            s->ended = 1;
            s->frame.len = 0;
            if (s->cw)
                cache_put_commit(s->cw, NULL);
            s->cw = NULL;
        } else if (type != POOL_MARK) {
            return MHD_CONTENT_READER_END_WITH_ERROR; /* the client sees a cut stream */
        } else {
            s->frame.len = 0;
        }
    }
    n = s->frame.len - s->off < max ? s->frame.len - s->off : max;
    memcpy(out, s->frame.data + s->off, n);
    s->off += n;
    return (ssize_t)n;
}

static void stream_free(void *cls)
{
    struct stream *s = cls;

    cache_put_abort(s->cw);
    end_job(s->srv, s->job); /* unfinished: the worker is replaced */
    release_key(s->srv, s->key);
    buf_release(&s->frame);
    free(s);
}

/* Streams the job's audio; the first audio frame is read before answering, so that an error
 * the worker finds at once (bad SSML) still gets its status and JSON. */
static enum MHD_Result stream_audio(struct server *srv, struct MHD_Connection *c,
                                    struct pool_job *job, const struct job_spec *js,
                                    const char *key)
{
    struct stream *s = xcalloc(1, sizeof(*s));
    struct MHD_Response *r;
    struct err e = {0};
    enum MHD_Result ret;
    int type;

    s->srv = srv;
    s->job = job;
    snprintf(s->key, sizeof(s->key), "%s", key);
    buf_init(&s->frame, BUF_NOLIMIT);
    while ((type = pool_job_next(job, &s->frame, srv->cfg->synth_timeout_ms, &e)) == POOL_MARK)
        ;
    if (type != POOL_AUDIO) {
        if (type == POOL_ERROR)
            worker_error(&s->frame, &e);
        stream_free(s);
        return send_error(srv, c, &e);
    }
    s->cw = cache_put_begin(srv->cache, key, encode_extension(js->format), NULL);
    if (s->cw && cache_put_write(s->cw, s->frame.data, s->frame.len, NULL)) {
        cache_put_abort(s->cw);
        s->cw = NULL;
    }
    r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 32 * 1024, stream_read, s, stream_free);
    if (!r) {
        stream_free(s);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, encode_mime_type(js->format));
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    add_cors(srv, c, r);
    ret = MHD_queue_response(c, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return ret;
}

/* "bytes=A-B", "bytes=A-", "bytes=-N" into [*from, *to]; 0 when unsatisfiable or unparsable. */
static int parse_range(const char *h, uint64_t size, uint64_t *from, uint64_t *to)
{
    unsigned long long a, b;
    char *end;

    if (strncmp(h, "bytes=", 6) || size == 0 || strchr(h, ','))
        return 0;
    h += 6;
    if (*h == '-') {
        b = strtoull(h + 1, &end, 10);
        if (*end || b == 0)
            return 0;
        *from = b >= size ? 0 : size - b;
        *to = size - 1;
        return 1;
    }
    a = strtoull(h, &end, 10);
    if (*end != '-' || a >= size)
        return 0;
    b = size - 1; /* "bytes=A-": to the end, what audio elements ask first */
    if (end[1] && (b = strtoull(end + 1, &end, 10), *end))
        return 0;
    if (b < a)
        return 0;
    *from = a;
    *to = b >= size ? size - 1 : b;
    return 1;
}

/* A cached entry with validators and byte ranges (Safari's audio element needs them). */
static enum MHD_Result send_cached(struct server *srv, struct MHD_Connection *c,
                                   struct cache_hit *hit, const char *type, const char *key)
{
    const char *inm = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "If-None-Match");
    const char *range = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Range");
    char etag[80], date[64], cr[96];
    uint64_t from = 0, to = hit->size ? hit->size - 1 : 0;
    unsigned status = MHD_HTTP_OK;
    struct MHD_Response *r;
    struct tm tm;
    enum MHD_Result ret;

    snprintf(etag, sizeof(etag), "\"%.32s\"", key);
    gmtime_r(&hit->mtime, &tm);
    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
    if (inm && strstr(inm, etag)) {
        close(hit->fd);
        r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
        status = MHD_HTTP_NOT_MODIFIED;
    } else if (range && !parse_range(range, hit->size, &from, &to)) {
        close(hit->fd);
        snprintf(cr, sizeof(cr), "bytes */%" PRIu64, hit->size);
        r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_RANGE, cr);
        status = MHD_HTTP_RANGE_NOT_SATISFIABLE;
    } else {
        r = MHD_create_response_from_fd_at_offset64(to - from + 1, hit->fd, (int64_t)from);
        if (range) {
            snprintf(cr, sizeof(cr), "bytes %" PRIu64 "-%" PRIu64 "/%" PRIu64, from, to, hit->size);
            MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_RANGE, cr);
            status = MHD_HTTP_PARTIAL_CONTENT;
        }
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, etag);
    MHD_add_response_header(r, MHD_HTTP_HEADER_LAST_MODIFIED, date);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "public, max-age=86400");
    MHD_add_response_header(r, MHD_HTTP_HEADER_ACCEPT_RANGES, "bytes");
    add_cors(srv, c, r);
    ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

/* Audio for js: from the cache when there, else synthesized and streamed. */
static enum MHD_Result answer_audio(struct server *srv, struct MHD_Connection *c,
                                    const struct job_spec *js)
{
    char key[CACHE_KEY_HEX + 1];
    struct cache_hit hit;
    struct pool_job *job;
    struct err e = {0};

    key_of(js, "audio", key);
    for (;;) {
        if (cache_get(srv->cache, key, encode_extension(js->format), &hit, NULL) == 1) {
            srv->m.cache_hits++;
            return send_cached(srv, c, &hit, encode_mime_type(js->format), key);
        }
        if (claim_key(srv, key))
            break;
    }
    srv->m.cache_misses++;
    job = start_job(srv, js, 0, &e);
    if (!job) {
        release_key(srv, key);
        return send_error(srv, c, &e);
    }
    return stream_audio(srv, c, job, js, key);
}

/* Runs js with marks and collects them: {"duration_ms":N,"marks":[...]}. */
static int collect_marks(struct server *srv, const struct job_spec *js, json_t **out, struct err *e)
{
    struct pool_job *job = start_job(srv, js, 1, e);
    json_t *marks = json_array(), *m;
    unsigned long long samples = 0;
    struct buf frame;
    int type, rate = 0;

    if (!job) {
        json_decref(marks);
        return e->code;
    }
    buf_init(&frame, BUF_NOLIMIT);
    while ((type = pool_job_next(job, &frame, srv->cfg->synth_timeout_ms, e)) == POOL_MARK ||
           type == POOL_AUDIO)
        if (type == POOL_MARK && (m = json_loadb(frame.data, frame.len, 0, NULL)))
            json_array_append_new(marks, m);
    if (type == POOL_DONE)
        sscanf(frame.data, "%llu %d", &samples, &rate);
    else if (type == POOL_ERROR)
        worker_error(&frame, e);
    end_job(srv, job);
    buf_release(&frame);
    if (type != POOL_DONE) {
        json_decref(marks);
        return e->code ? e->code : LY_ESYNTH;
    }
    *out = json_pack("{s:I, s:o}", "duration_ms",
                     (json_int_t)(rate > 0 ? samples * 1000 / (unsigned)rate : 0), "marks", marks);
    return LY_OK;
}

/* The page at ?url=, fetched and extracted, as a job_spec over its text. */
struct page {
    struct fetch_result fetched;
    struct page_text text;
};

/* Copies a page fetched less than page_ttl_s ago into out; 1 when there was one. */
static int recent_get(struct server *srv, const char *url, struct fetch_result *out)
{
    struct recent_page *p;
    time_t now = time(NULL);
    int found = 0;

    pthread_mutex_lock(&srv->lock);
    for (p = srv->pages; p && !found; p = p->next) {
        if (strcmp(p->url, url) || now - p->at >= srv->cfg->page_ttl_s)
            continue;
        buf_init(&out->body, BUF_NOLIMIT);
        buf_add(&out->body, p->body.data, p->body.len, NULL);
        out->charset = p->charset ? xstrdup(p->charset) : NULL;
        out->status = 200;
        found = 1;
    }
    pthread_mutex_unlock(&srv->lock);
    return found;
}

static void recent_free(struct recent_page *p)
{
    free(p->url);
    free(p->charset);
    buf_release(&p->body);
    free(p);
}

/* Remembers a fetched page, dropping the oldest past LYSSNA_RECENT_PAGES. */
static void recent_put(struct server *srv, const char *url, const struct fetch_result *r)
{
    struct recent_page *p = xcalloc(1, sizeof(*p)), **q;
    int n = 0;

    p->url = xstrdup(url);
    p->charset = r->charset ? xstrdup(r->charset) : NULL;
    buf_init(&p->body, BUF_NOLIMIT);
    buf_add(&p->body, r->body.data, r->body.len, NULL);
    p->at = time(NULL);
    pthread_mutex_lock(&srv->lock);
    p->next = srv->pages;
    srv->pages = p;
    for (q = &srv->pages; *q; n++) {
        if (n >= LYSSNA_RECENT_PAGES || (n > 0 && !strcmp((*q)->url, url))) {
            struct recent_page *old = *q;
            *q = old->next;
            recent_free(old);
        } else {
            q = &(*q)->next;
        }
    }
    pthread_mutex_unlock(&srv->lock);
}

static int read_page(struct server *srv, struct MHD_Connection *c, struct page *pg,
                     struct job_spec *js, struct err *e)
{
    const char *url = arg(c, "url");
    struct extract_opts xo = {0};
    int rc;

    memset(pg, 0, sizeof(*pg));
    buf_init(&pg->fetched.body, 0);
    if (!url || !*url)
        return err_set(e, LY_EUSAGE, "give the page's address: ?url=https://...");
    rc = parse_voice_rate_format(arg(c, "voice"), arg(c, "rate"), arg(c, "format"), js, e);
    if (!rc && !recent_get(srv, url, &pg->fetched)) {
        fetch_result_release(&pg->fetched);
        rc = fetch_get_url(url, &srv->fetch, &pg->fetched, e);
        if (!rc && srv->cfg->page_ttl_s > 0)
            recent_put(srv, url, &pg->fetched);
    }
    if (rc) {
        if (rc == LY_EFETCH || rc == LY_EHTTP || rc == LY_ETIMEOUT || rc == LY_EDENIED)
            srv->m.fetch_errors[rc == LY_EFETCH     ? 0
                                : rc == LY_EHTTP    ? 1
                                : rc == LY_ETIMEOUT ? 2
                                                    : 3]++;
        return rc;
    }
    xo.readid = arg(c, "readid");
    xo.url = url;
    xo.charset = pg->fetched.charset;
    rc = pipeline_read_html(pg->fetched.body.data, pg->fetched.body.len, &xo, &pg->text, e);
    if (rc)
        return rc;
    js->text = pg->text.text;
    js->len = pg->text.len;
    js->line_langs = pg->text.line_langs;
    js->nlines = pg->text.nlines;
    return LY_OK;
}

static void page_release(struct page *pg)
{
    fetch_result_release(&pg->fetched);
    pipeline_page_release(&pg->text);
}

static enum MHD_Result answer_listen(struct server *srv, struct MHD_Connection *c, enum route route)
{
    struct job_spec js = {0};
    struct page pg;
    struct err e = {0};
    enum MHD_Result ret;
    json_t *marks = NULL, *doc, *blocks;
    struct buf json;
    size_t i;
    int rc = read_page(srv, c, &pg, &js, &e);

    if (rc) {
        ret = send_error(srv, c, &e);
    } else if (route == R_LISTEN) {
        ret = answer_audio(srv, c, &js);
    } else if (route == R_LISTEN_TEXT) {
        buf_init(&json, BUF_NOLIMIT);
        rc = extract_json(pg.text.page, arg(c, "url"), js.rate ? js.rate : 170, &json, &e);
        ret = rc ? send_error(srv, c, &e)
                 : send_buffer(srv, c, MHD_HTTP_OK, "application/json", json.data, json.len);
        buf_release(&json);
    } else if ((rc = collect_marks(srv, &js, &marks, &e))) {
        ret = send_error(srv, c, &e);
    } else {
        blocks = json_array();
        for (i = 0; i < pg.text.page->nblocks; i++) {
            const struct extract_block *b = &pg.text.page->blocks[i];
            json_array_append_new(blocks, json_pack("{s:s, s:I, s:I}", "xpath", b->xpath, "start",
                                                    (json_int_t)b->start, "end",
                                                    (json_int_t)(b->start + strlen(b->text))));
        }
        doc = json_pack("{s:s, s:O, s:o, s:O}", "title", pg.text.page->title, "duration_ms",
                        json_object_get(marks, "duration_ms"), "blocks", blocks, "marks",
                        json_object_get(marks, "marks"));
        json_decref(marks);
        ret = send_json(srv, c, MHD_HTTP_OK, doc);
    }
    page_release(&pg);
    return ret;
}

static enum MHD_Result answer_speak(struct server *srv, struct MHD_Connection *c,
                                    struct request *rq, int marks)
{
    struct job_spec js;
    json_t *doc = NULL, *out = NULL;
    struct err e = {0};
    enum MHD_Result ret;

    if (parse_speak(srv, c, rq, &js, &doc, &e))
        ret = send_error(srv, c, &e);
    else if (!marks)
        ret = answer_audio(srv, c, &js);
    else if (collect_marks(srv, &js, &out, &e))
        ret = send_error(srv, c, &e);
    else
        ret = send_json(srv, c, MHD_HTTP_OK, out);
    json_decref(doc);
    return ret;
}

static enum MHD_Result answer_voices(struct server *srv, struct MHD_Connection *c)
{
    struct voice v[64];
    json_t *list = json_array();
    int i, n = voice_list(voice_dir(), v, 64, NULL);

    for (i = 0; i < n; i++)
        json_array_append_new(list,
                              json_pack("{s:s, s:s, s:s, s:i}", "name", v[i].name, "description",
                                        v[i].description, "lang", v[i].lang, "rate", v[i].rate));
    return send_json(srv, c, MHD_HTTP_OK, json_pack("{s:o}", "voices", list));
}

static enum MHD_Result answer_metrics(struct server *srv, struct MHD_Connection *c)
{
    static const char *const kinds[4] = {"network", "origin_status", "timeout", "denied"};
    struct metrics *m = &srv->m;
    uint64_t bytes;
    size_t entries;
    struct buf b;
    int r, s, k;
    enum MHD_Result ret;

    buf_init(&b, BUF_NOLIMIT);
    buf_adds(&b, "# TYPE lyssna_requests_total counter\n", NULL);
    for (r = 0; r < R_COUNT; r++)
        for (s = 1; s < 6; s++)
            if (m->requests[r][s])
                buf_addf(&b, NULL, "lyssna_requests_total{route=\"%s\",status=\"%dxx\"} %lu\n",
                         route_names[r], s, (unsigned long)m->requests[r][s]);
    buf_adds(&b, "# TYPE lyssna_request_duration_ms histogram\n", NULL);
    for (r = 0; r < R_COUNT; r++) {
        unsigned long sum = 0;
        if (!m->latency[r][7] && !m->latency[r][0] && !m->requests[r][2] && !m->requests[r][4])
            continue;
        for (k = 0; k < 8; k++) {
            sum += m->latency[r][k];
            buf_addf(&b, NULL, "lyssna_request_duration_ms_bucket{route=\"%s\",le=\"",
                     route_names[r]);
            if (k < 7)
                buf_addf(&b, NULL, "%u\"} %lu\n", latency_bounds[k], sum);
            else
                buf_addf(&b, NULL, "+Inf\"} %lu\n", sum);
        }
    }
    cache_usage(srv->cache, &bytes, &entries);
    buf_addf(&b, NULL,
             "# TYPE lyssna_cache_hits_total counter\nlyssna_cache_hits_total %lu\n"
             "# TYPE lyssna_cache_misses_total counter\nlyssna_cache_misses_total %lu\n"
             "# TYPE lyssna_cache_bytes gauge\nlyssna_cache_bytes %" PRIu64 "\n"
             "# TYPE lyssna_in_flight gauge\nlyssna_in_flight %lu\n"
             "# TYPE lyssna_queue_length gauge\nlyssna_queue_length %lu\n"
             "# TYPE lyssna_workers_idle gauge\nlyssna_workers_idle %d\n"
             "# TYPE lyssna_fetch_errors_total counter\n",
             (unsigned long)m->cache_hits, (unsigned long)m->cache_misses, bytes,
             (unsigned long)m->in_flight, (unsigned long)m->waiting, pool_idle(srv->pool));
    for (k = 0; k < 4; k++)
        buf_addf(&b, NULL, "lyssna_fetch_errors_total{kind=\"%s\"} %lu\n", kinds[k],
                 (unsigned long)m->fetch_errors[k]);
    ret = send_buffer(srv, c, MHD_HTTP_OK, "text/plain; version=0.0.4", b.data, b.len);
    buf_release(&b);
    return ret;
}

static const char *mime_of(const char *path)
{
    static const struct {
        const char *ext, *type;
    } types[] = {{".html", "text/html; charset=utf-8"},
                 {".js", "text/javascript; charset=utf-8"},
                 {".css", "text/css; charset=utf-8"},
                 {".svg", "image/svg+xml"},
                 {".png", "image/png"},
                 {".json", "application/json"}};
    const char *dot = strrchr(path, '.');
    size_t i;

    for (i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
        if (!strcmp(dot, types[i].ext))
            return types[i].type;
    return "application/octet-stream";
}

/* Files of web/ at / and /widget/. Only plain names: no "..", no hidden files. */
static enum MHD_Result answer_static(struct server *srv, struct MHD_Connection *c, const char *url)
{
    const char *name =
        !strcmp(url, "/") ? "demo.html" : url + (strncmp(url, "/widget/", 8) ? 1 : 8);
    char path[2048];
    struct MHD_Response *r;
    struct stat st;
    enum MHD_Result ret;
    int fd;

    if (!*name || strstr(name, "..") || name[0] == '.' || strstr(name, "/.") ||
        strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-/") !=
            strlen(name))
        return fail(srv, c, LY_EUSAGE, "no such file");
    snprintf(path, sizeof(path), "%s/%s", srv->web, name);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode)) {
        if (fd >= 0)
            close(fd);
        return send_json(srv, c, MHD_HTTP_NOT_FOUND,
                         json_pack("{s:s, s:s}", "error", "not_found", "message",
                                   "no such page: see /v1/voices, /v1/speak, /v1/listen"));
    }
    r = MHD_create_response_from_fd((uint64_t)st.st_size, fd);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, mime_of(name));
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "public, max-age=300");
    add_cors(srv, c, r); /* a <script crossorigin integrity=…> needs it */
    ret = MHD_queue_response(c, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return ret;
}

static enum route route_of(const char *method, const char *url)
{
    int get = !strcmp(method, "GET") || !strcmp(method, "HEAD"), post = !strcmp(method, "POST");

    if (get && !strcmp(url, "/healthz"))
        return R_HEALTH;
    if (get && !strcmp(url, "/v1/voices"))
        return R_VOICES;
    if (get && !strcmp(url, "/metrics"))
        return R_METRICS;
    if (get && !strcmp(url, "/v1/listen"))
        return R_LISTEN;
    if (get && !strcmp(url, "/v1/listen/marks"))
        return R_LISTEN_MARKS;
    if (get && !strcmp(url, "/v1/listen/text"))
        return R_LISTEN_TEXT;
    if (post && !strcmp(url, "/v1/speak"))
        return R_SPEAK;
    if (post && !strcmp(url, "/v1/speak/marks"))
        return R_SPEAK_MARKS;
    if (get && strncmp(url, "/v1/", 4))
        return R_STATIC;
    return R_OTHER;
}

/* The client's address; behind the municipality's own proxy (a loopback peer) the last
 * X-Forwarded-For entry, which that proxy wrote. */
static void client_of(struct MHD_Connection *c, char *out, size_t size)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const char *xff = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Forwarded-For"), *last;
    const struct sockaddr *sa = ci ? ci->client_addr : NULL;

    snprintf(out, size, "unknown");
    if (sa && sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, (socklen_t)size);
    else if (sa && sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out, (socklen_t)size);
    if (xff && (!strncmp(out, "127.", 4) || !strcmp(out, "::1"))) {
        last = strrchr(xff, ',');
        last = last ? last + 1 : xff;
        last += strspn(last, " ");
        snprintf(out, size, "%.*s", (int)strcspn(last, " ,"), last);
    }
}

static size_t hash_text(const char *s)
{
    size_t h = 5381;

    while (*s)
        h = h * 33 + (unsigned char)*s++;
    return h;
}

/* Takes a token from the client's bucket (rate_limit per minute, bursts of as many). */
static int rate_allows(struct server *srv, const char *client)
{
    double per_s = srv->cfg->rate_limit / 60.0;
    struct rate_slot *r;
    struct timespec now;
    int ok;

    if (srv->cfg->rate_limit <= 0)
        return 1;
    clock_gettime(CLOCK_MONOTONIC, &now);
    pthread_mutex_lock(&srv->lock);
    r = &srv->rates[hash_text(client) % LYSSNA_RATE_SLOTS];
    if (strcmp(r->client, client)) {
        snprintf(r->client, sizeof(r->client), "%s", client);
        r->tokens = srv->cfg->rate_limit;
    } else {
        r->tokens += per_s * ((double)(now.tv_sec - r->at.tv_sec) +
                              (double)(now.tv_nsec - r->at.tv_nsec) / 1e9);
        if (r->tokens > srv->cfg->rate_limit)
            r->tokens = srv->cfg->rate_limit;
    }
    r->at = now;
    ok = r->tokens >= 1;
    if (ok)
        r->tokens -= 1;
    pthread_mutex_unlock(&srv->lock);
    return ok;
}

static enum MHD_Result dispatch(struct server *srv, struct MHD_Connection *c, struct request *rq,
                                const char *method, const char *url)
{
    if (rq->route >= R_SPEAK && !rate_allows(srv, rq->client))
        return send_json(srv, c, MHD_HTTP_TOO_MANY_REQUESTS,
                         json_pack("{s:s, s:s}", "error", "rate_limited", "message",
                                   "too many requests from this address: wait a minute"));
    switch (rq->route) {
    case R_HEALTH:
        return send_buffer(srv, c, MHD_HTTP_OK, "text/plain", "ok\n", 3);
    case R_VOICES:
        return answer_voices(srv, c);
    case R_METRICS:
        return answer_metrics(srv, c);
    case R_STATIC:
        return answer_static(srv, c, url);
    case R_SPEAK:
        return answer_speak(srv, c, rq, 0);
    case R_SPEAK_MARKS:
        return answer_speak(srv, c, rq, 1);
    case R_LISTEN:
    case R_LISTEN_MARKS:
    case R_LISTEN_TEXT:
        return answer_listen(srv, c, rq->route);
    default:
        break;
    }
    if (!strcmp(method, "OPTIONS"))
        return send_buffer(srv, c, MHD_HTTP_NO_CONTENT, "text/plain", "", 0);
    return send_json(srv, c, MHD_HTTP_NOT_FOUND,
                     json_pack("{s:s, s:s}", "error", "not_found", "message",
                               "no such endpoint: see /v1/voices, /v1/speak, /v1/listen"));
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    struct server *srv = cls;
    struct request *rq = *con_cls;

    (void)version;
    if (!rq) {
        rq = xcalloc(1, sizeof(*rq));
        buf_init(&rq->body, (size_t)srv->cfg->max_text_bytes + 4096); /* room for JSON */
        rq->route = route_of(method, url);
        clock_gettime(CLOCK_MONOTONIC, &rq->start);
        client_of(c, rq->client, sizeof(rq->client));
        snprintf(rq->line, sizeof(rq->line), "%s %s", method, url);
        srv->m.in_flight++;
        *con_cls = rq;
        return MHD_YES;
    }
    if (*upload_size) {
        if (!rq->too_big && buf_add(&rq->body, upload, *upload_size, NULL))
            rq->too_big = 1; /* keep reading, then answer 413 */
        *upload_size = 0;
        return MHD_YES;
    }
    return dispatch(srv, c, rq, method, url);
}

/* After each request: the access log line and the metrics. */
static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct server *srv = cls;
    struct request *rq = *con_cls;
    const union MHD_ConnectionInfo *ci;
    struct timespec now;
    unsigned status = 0, ms, k;

    if (!rq)
        return;
    ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_HTTP_STATUS);
    if (ci)
        status = ci->http_status;
    clock_gettime(CLOCK_MONOTONIC, &now);
    ms = (unsigned)((now.tv_sec - rq->start.tv_sec) * 1000 +
                    (now.tv_nsec - rq->start.tv_nsec) / 1000000);
    for (k = 0; k < 7 && ms > latency_bounds[k]; k++)
        ;
    srv->m.latency[rq->route][k]++;
    if (status >= 100 && status < 600)
        srv->m.requests[rq->route][status / 100]++;
    srv->m.in_flight--;
    fprintf(stderr, "%s \"%s\" %u %u ms%s\n", rq->client, rq->line, status, ms,
            toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (cut short)");
    buf_release(&rq->body);
    free(rq);
    *con_cls = NULL;
}

/* Splits a space-separated list into a NULL-terminated array of copies. */
static char **split(const char *list, size_t *n)
{
    char **v = xcalloc(strlen(list) / 2 + 2, sizeof(char *));
    const char *p = list;
    size_t len;

    *n = 0;
    while (*p) {
        p += strspn(p, " \t");
        len = strcspn(p, " \t");
        if (len)
            v[(*n)++] = xstrndup(p, len);
        p += len;
    }
    return v;
}

static void free_list(char **v)
{
    size_t i;

    for (i = 0; v && v[i]; i++)
        free(v[i]);
    free(v);
}

static int parse_listen(const char *listen, struct sockaddr_storage *sa, struct err *e)
{
    char host[128];
    const char *colon = strrchr(listen, ':');
    struct addrinfo hints = {.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV}, *ai;
    size_t n = colon ? (size_t)(colon - listen) : 0;

    if (!colon || n == 0 || n >= sizeof(host))
        return err_set(e, LY_EUSAGE, "listen address '%s' is not ADDR:PORT", listen);
    if (listen[0] == '[' && listen[n - 1] == ']')
        memcpy(host, listen + 1, n - 2), host[n - 2] = '\0';
    else
        memcpy(host, listen, n), host[n] = '\0';
    if (getaddrinfo(host, colon + 1, &hints, &ai))
        return err_set(e, LY_EUSAGE, "listen address '%s' is not ADDR:PORT", listen);
    memcpy(sa, ai->ai_addr, ai->ai_addrlen);
    freeaddrinfo(ai);
    return LY_OK;
}

static int server_init(struct server *srv, const struct config *cfg, const char *exe, struct err *e)
{
    const char *slash;

    srv->cfg = cfg;
    srv->rates = xcalloc(LYSSNA_RATE_SLOTS, sizeof(*srv->rates));
    srv->hosts = split(cfg->allow_hosts, &srv->fetch.nallow);
    srv->addrs = split(cfg->allow_addrs, &srv->fetch.naddrs);
    srv->fetch.allow_hosts = (const char *const *)srv->hosts;
    srv->fetch.allow_addrs = (const char *const *)srv->addrs;
    srv->fetch.allow_any_host = cfg->allow_any_host;
    srv->fetch.timeout_ms = cfg->fetch_timeout_ms;
    srv->fetch.max_bytes = (size_t)cfg->max_page_bytes;
    srv->fetch.max_redirects = cfg->max_redirects ? cfg->max_redirects : -1;
    if (fetch_check_opts(&srv->fetch, e) || fetch_global_init(e))
        return e->code;
    slash = strrchr(exe, '/');
    if (cfg->web_dir[0])
        snprintf(srv->web, sizeof(srv->web), "%s", cfg->web_dir);
    else if (snprintf(srv->web, sizeof(srv->web), "%.*sweb", slash ? (int)(slash - exe + 1) : 0,
                      exe) > 0 &&
             access(srv->web, R_OK))
        /* installed: PREFIX/bin/lyssna serves PREFIX/share/lyssna/web */
        snprintf(srv->web, sizeof(srv->web), "%.*s../share/lyssna/web",
                 slash ? (int)(slash - exe + 1) : 0, exe);
    srv->cache = cache_open(cfg->cache_dir, (uint64_t)cfg->cache_max_mb << 20, e);
    if (!srv->cache)
        return e->code;
    srv->pool = pool_new(exe, cfg->workers, e);
    return srv->pool ? LY_OK : e->code;
}

static void server_release(struct server *srv)
{
    struct recent_page *p;

    while ((p = srv->pages)) {
        srv->pages = p->next;
        recent_free(p);
    }
    free(srv->rates);
    pool_free(srv->pool);
    cache_free(srv->cache);
    free_list(srv->hosts);
    free_list(srv->addrs);
    pthread_cond_destroy(&srv->freed);
    pthread_mutex_destroy(&srv->lock);
}

/* Waits for SIGTERM or SIGINT, then lets running streams finish within the grace time. */
static void wait_for_stop(struct server *srv, struct MHD_Daemon *d)
{
    sigset_t set;
    int sig, i;

    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigwait(&set, &sig);
    fprintf(stderr, "lyssna: stopping (signal %d)\n", sig);
    MHD_quiesce_daemon(d);
    for (i = 0; i < srv->cfg->shutdown_grace_s * 10 && srv->m.in_flight > 0; i++)
        nanosleep(&(struct timespec){0, 100000000L}, NULL);
}

int serve_run(const struct config *cfg, const char *exe, struct err *e)
{
    struct server srv;
    struct sockaddr_storage sa;
    struct MHD_Daemon *d = NULL;
    const union MHD_DaemonInfo *info;
    sigset_t set;
    int rc;

    memset(&srv, 0, sizeof(srv));
    pthread_mutex_init(&srv.lock, NULL);
    pthread_cond_init(&srv.freed, NULL);
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set,
                    NULL); /* every thread inherits this; wait_for_stop takes them */
    signal(SIGPIPE, SIG_IGN);
    rc = parse_listen(cfg->listen, &sa, e);
    if (!rc)
        rc = server_init(&srv, cfg, exe, e);
    if (!rc) {
        d = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
                                 (sa.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0),
                             0, NULL, NULL, on_request, &srv, MHD_OPTION_SOCK_ADDR, &sa,
                             MHD_OPTION_NOTIFY_COMPLETED, on_completed, &srv,
                             MHD_OPTION_CONNECTION_TIMEOUT, 120u, MHD_OPTION_END);
        if (!d)
            rc = err_set(e, LY_EIO, "cannot listen on %s: %s", cfg->listen, strerror(errno));
    }
    if (!rc) {
        info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
        printf("listening on http://%.*s:%u\n", (int)(strrchr(cfg->listen, ':') - cfg->listen),
               cfg->listen, info ? info->port : 0);
        fflush(stdout);
        wait_for_stop(&srv, d);
        MHD_stop_daemon(d);
    }
    server_release(&srv);
    fetch_global_cleanup();
    return rc;
}
