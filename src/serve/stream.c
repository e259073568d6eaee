/* stream.c -- one job, from the queue to its end: a worker taken from the queue, output made
 * once per key, audio streamed to the client while it is written to the cache (or made whole
 * first when a Range asks for a part), and speech marks collected and cached as JSON. Runs
 * on the connection's thread; srv->lock guards the queue and the keys being made. */
#include "serve_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "banned.h"

struct busy_key {
    char key[CACHE_KEY_HEX + 1];
    struct busy_key *next;
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

void key_of(struct server *srv, const struct job_spec *js, const char *kind,
            char key[CACHE_KEY_HEX + 1])
{
    const struct cache_audio a = {
        live_of(srv)->engine, kind,       js->ssml, js->voice, js->rate,
        js->line_langs,       js->nlines, js->text, js->len,   encode_format_name(js->format)};

    cache_audio_key(&a, key);
}

struct pool_job *start_job(struct server *srv, const struct job_spec *js, int marks, struct err *e)
{
    struct pool_request r = {js->text,  js->len,  js->ssml,   js->line_langs, js->nlines,
                             js->voice, js->rate, js->format, marks};
    struct timespec until, from, to;
    struct pool_job *j;

    clock_gettime(CLOCK_MONOTONIC, &from);
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += cfg_of(srv)->queue_wait_ms / 1000;
    until.tv_nsec += (long)(cfg_of(srv)->queue_wait_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L)
        until.tv_sec++, until.tv_nsec -= 1000000000L;
    pthread_mutex_lock(&srv->lock);
    if (srv->m.waiting >= (unsigned long)cfg_of(srv)->queue) {
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
    clock_gettime(CLOCK_MONOTONIC, &to);
    count_queue_wait(srv, (unsigned long long)((to.tv_sec - from.tv_sec) * 1000000LL +
                                               (to.tv_nsec - from.tv_nsec) / 1000));
    return j;
}

void end_job(struct server *srv, struct pool_job *j)
{
    pool_job_end(j);
    pthread_mutex_lock(&srv->lock);
    pthread_cond_broadcast(&srv->freed);
    pthread_mutex_unlock(&srv->lock);
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
    until.tv_sec += cfg_of(srv)->synth_timeout_ms / 1000 + 1;
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

/* Counts a finished job's audio and CPU time from its POOL_DONE payload; returns the
 * audio's length in ms. */
unsigned long long count_done(struct server *srv, const struct buf *payload)
{
    unsigned long long samples = 0, cpu_us = 0, ms;
    int rate = 0;

    if (sscanf(payload->data, "%llu %d %llu", &samples, &rate, &cpu_us) < 2 || rate <= 0)
        return 0;
    ms = samples * 1000 / (unsigned)rate;
    srv->m.audio_ms += ms;
    srv->m.synth_us += cpu_us;
    return ms;
}

/* Logs why audio could not be cached (the request itself goes on, uncached): at most one
 * line a minute, so that a full disk does not flood the log; the metrics count them all. */
static void cache_trouble(struct server *srv, const struct err *e)
{
    long long now = (long long)time(NULL), last = srv->cache_warned;

    if (now - last < 60 || !atomic_compare_exchange_strong(&srv->cache_warned, &last, now))
        return;
    fprintf(stderr, "lyssna: cache: %s\n", e->msg);
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
        type = pool_job_next(s->job, &s->frame, cfg_of(s->srv)->synth_timeout_ms, &e);
        s->off = 0;
        if (type == POOL_AUDIO) {
            if (s->cw && cache_put_write(s->cw, s->frame.data, s->frame.len, &e)) {
                cache_put_abort(s->cw); /* a full or read-only cache costs only the caching */
                s->cw = NULL;
                cache_trouble(s->srv, &e);
            }
        } else if (type == POOL_DONE) {
            count_done(s->srv, &s->frame);
            s->ended = 1;
            s->frame.len = 0;
            if (s->cw && cache_put_commit(s->cw, &e))
                cache_trouble(s->srv, &e);
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
/* as_error: an error answered as the API asked (as may be NULL). */
static enum MHD_Result as_error(struct server *srv, struct MHD_Connection *c,
                                const struct answer_as *as, const struct err *e)
{
    return as && as->error ? as->error(srv, c, e) : send_error(srv, c, e);
}

static enum MHD_Result stream_audio(struct server *srv, struct MHD_Connection *c,
                                    struct pool_job *job, const struct job_spec *js,
                                    const char *key, const struct answer_as *as)
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
    while ((type = pool_job_next(job, &s->frame, cfg_of(srv)->synth_timeout_ms, &e)) == POOL_MARK)
        ;
    if (type != POOL_AUDIO) {
        if (type == POOL_ERROR)
            pool_error(&s->frame, &e);
        stream_free(s);
        return as_error(srv, c, as, &e);
    }
    s->cw = cache_put_begin(srv->cache, key, encode_extension(js->format), &e);
    if (s->cw && cache_put_write(s->cw, s->frame.data, s->frame.len, &e)) {
        cache_put_abort(s->cw);
        s->cw = NULL;
    }
    if (!s->cw)
        cache_trouble(srv, &e);
    r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 32 * 1024, stream_read, s, stream_free);
    if (!r) {
        stream_free(s);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, encode_mime_type(js->format));
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    if (as && as->header)
        MHD_add_response_header(r, as->header, as->value);
    add_cors(srv, c, r);
    ret = MHD_queue_response(c, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return ret;
}

int run_job(struct server *srv, struct pool_job *job,
            void (*each)(void *ctx, int type, const struct buf *frame, struct err *e), void *ctx,
            unsigned long long *ms, struct err *e)
{
    struct buf frame;
    int type;

    buf_init(&frame, BUF_NOLIMIT);
    while ((type = pool_job_next(job, &frame, cfg_of(srv)->synth_timeout_ms, e)) == POOL_MARK ||
           type == POOL_AUDIO)
        each(ctx, type, &frame, e);
    if (type == POOL_DONE)
        *ms = count_done(srv, &frame);
    else if (type == POOL_ERROR)
        pool_error(&frame, e);
    end_job(srv, job);
    buf_release(&frame);
    return type == POOL_DONE ? LY_OK : e->code ? e->code : LY_ESYNTH;
}

/* Audio frames into a cache writer, which is dropped at its first failure. */
static void write_audio(void *ctx, int type, const struct buf *frame, struct err *e)
{
    struct cache_writer **w = ctx;

    if (type == POOL_AUDIO && *w && cache_put_write(*w, frame->data, frame->len, e)) {
        cache_put_abort(*w);
        *w = NULL;
    }
}

static void gather_marks(void *ctx, int type, const struct buf *frame, struct err *e)
{
    json_t *m;

    (void)e;
    if (type == POOL_MARK && (m = json_loadb(frame->data, frame->len, 0, NULL)))
        json_array_append_new(ctx, m);
}

/* Runs the job to its end into the cache writer w; LY_OK once the entry is stored. */
static int fill_cache(struct server *srv, struct pool_job *job, struct cache_writer *w,
                      struct err *e)
{
    unsigned long long ms = 0;
    int rc = run_job(srv, job, write_audio, &w, &ms, e);

    if (rc) {
        cache_put_abort(w);
        return rc;
    }
    if (!w || cache_put_commit(w, e)) {
        cache_trouble(srv, e);
        rc = LY_EIO;
    }
    return rc;
}

/* Audio for js, whose key_of is key: from the cache when there, else synthesized and
 * streamed. */
enum MHD_Result answer_audio(struct server *srv, struct MHD_Connection *c,
                             const struct job_spec *js, const char *key, const struct answer_as *as)
{
    const char *ext = encode_extension(js->format), *type = encode_mime_type(js->format);
    struct cache_hit hit;
    struct cache_writer *w;
    struct pool_job *job;
    struct err e = {0};
    int rc;

    for (;;) {
        if (cache_get(srv->cache, key, ext, &hit, NULL) == 1) {
            srv->m.cache_hits++;
            return send_cached(srv, c, &hit, type, key, as);
        }
        if (claim_key(srv, key))
            break;
    }
    srv->m.cache_misses++;
    job = start_job(srv, js, 0, &e);
    if (!job) {
        release_key(srv, key);
        return as_error(srv, c, as, &e);
    }
    /* Safari's audio element first asks for "bytes=0-1" and plays nothing without a 206
       that tells the whole size: make the whole entry first, then answer from the cache
       (a cache that cannot be written gets the stream, the best there is then) */
    if (!wants_part(c) || !(w = cache_put_begin(srv->cache, key, ext, &e)))
        return stream_audio(srv, c, job, js, key, as);
    rc = fill_cache(srv, job, w, &e);
    release_key(srv, key);
    if (rc)
        return as_error(srv, c, as, &e);
    if (cache_get(srv->cache, key, ext, &hit, NULL) != 1) {
        err_set(&e, LY_EIO, "the audio was made but could not be cached; ask without Range");
        return as_error(srv, c, as, &e);
    }
    return send_cached(srv, c, &hit, type, key, as);
}

int fill_audio(struct server *srv, const struct job_spec *js, const char *key, struct err *e)
{
    const char *ext = encode_extension(js->format);
    struct cache_hit hit;
    struct cache_writer *w;
    struct pool_job *job;
    int rc;

    for (;;) {
        if (cache_get(srv->cache, key, ext, &hit, NULL) == 1) {
            close(hit.fd);
            return LY_OK;
        }
        if (claim_key(srv, key))
            break;
    }
    if (!(job = start_job(srv, js, 0, e))) {
        release_key(srv, key);
        return e->code;
    }
    if (!(w = cache_put_begin(srv->cache, key, ext, e))) {
        end_job(srv, job);
        release_key(srv, key);
        cache_trouble(srv, e);
        return e->code ? e->code : LY_EIO;
    }
    rc = fill_cache(srv, job, w, e);
    release_key(srv, key);
    return rc;
}

/* Marks stored in the cache as JSON: 1 and *out when there, 0 when not (or unreadable). */
static int cached_marks(struct server *srv, const char *key, json_t **out)
{
    struct cache_hit hit;
    char *data;
    int ok = 0;

    if (cache_get(srv->cache, key, "json", &hit, NULL) != 1)
        return 0;
    data = xmalloc(hit.size + 1);
    if (pread(hit.fd, data, hit.size, 0) == (ssize_t)hit.size)
        ok = (*out = json_loadb(data, hit.size, 0, NULL)) != NULL;
    free(data);
    close(hit.fd);
    return ok;
}

static void store_marks(struct server *srv, const char *key, const json_t *doc)
{
    struct cache_writer *w = NULL;
    struct err e = {0};
    char *text = json_dumps(doc, JSON_COMPACT);

    if (text && (w = cache_put_begin(srv->cache, key, "json", &e))) {
        if (cache_put_write(w, text, strlen(text), &e))
            cache_put_abort(w);
        else
            cache_put_commit(w, &e); /* frees w whatever happens */
    }
    if (e.code)
        cache_trouble(srv, &e);
    free(text);
}

/* Speech marks for spec: from the cache, else synthesized once (the audio is thrown away)
 * and cached, so that every later listener's highlighting costs nothing. */
int collect_marks(struct server *srv, const struct job_spec *spec, json_t **out, struct err *e)
{
    /* marks do not depend on the format, and WAV costs nothing to encode (MP3 would be 80%
       of the job): one entry serves every format */
    struct job_spec wav = *spec, *js = &wav;
    char key[CACHE_KEY_HEX + 1];
    struct pool_job *job;
    json_t *marks;
    unsigned long long duration_ms = 0;
    int rc;

    wav.format = ENCODE_WAV;
    key_of(srv, js, "marks", key);
    for (;;) {
        if (cached_marks(srv, key, out)) {
            srv->m.cache_hits++;
            return LY_OK;
        }
        if (claim_key(srv, key))
            break;
    }
    srv->m.cache_misses++;
    if (!(job = start_job(srv, js, 1, e))) {
        release_key(srv, key);
        return e->code;
    }
    marks = json_array();
    if ((rc = run_job(srv, job, gather_marks, marks, &duration_ms, e))) {
        release_key(srv, key);
        json_decref(marks);
        return rc;
    }
    *out = json_pack("{s:I, s:o}", "duration_ms", (json_int_t)duration_ms, "marks", marks);
    store_marks(srv, key, *out);
    release_key(srv, key);
    return LY_OK;
}
