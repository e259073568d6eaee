/* stream.c -- a job's audio answered over HTTP: from the cache with sendfile, validators
 * and ranges; else streamed from the job as it is made (the job stage copies it into the
 * cache), or made whole first when a Range asks for a part. Speech marks as JSON. The
 * making itself is job/'s; this file keeps only HTTP's framing. */
#include "serve_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

/* An audio response being streamed from a job. */
struct stream {
    struct server *srv;
    struct job *job;
    struct buf frame;
    size_t off;
    int ended;
};

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
        type = job_next(s->job, &s->frame, &e);
        s->off = 0;
        if (type == POOL_DONE)
            s->ended = 1;
        else if (type != POOL_AUDIO)
            return MHD_CONTENT_READER_END_WITH_ERROR; /* the client sees a cut stream */
    }
    n = s->frame.len - s->off < max ? s->frame.len - s->off : max;
    memcpy(out, s->frame.data + s->off, n);
    s->off += n;
    return (ssize_t)n;
}

static void stream_free(void *cls)
{
    struct stream *s = cls;

    job_close(s->job); /* unfinished: the worker is stopped, nothing cached */
    buf_release(&s->frame);
    free(s);
}

/* An error answered as the API asked (as may be NULL). */
static enum MHD_Result as_error(struct server *srv, struct MHD_Connection *c,
                                const struct answer_as *as, const struct err *e)
{
    return as && as->error ? as->error(srv, c, e) : send_error(srv, c, e);
}

/* Streams the job's audio; the first audio frame is read before answering, so that an error
 * the worker finds at once (bad SSML) still gets its status and JSON. */
static enum MHD_Result stream_audio(struct server *srv, struct MHD_Connection *c, struct job *job,
                                    const struct job_spec *js, const struct answer_as *as)
{
    struct stream *s = xcalloc(1, sizeof(*s));
    struct MHD_Response *r;
    struct err e = {0};
    int type;

    s->srv = srv;
    s->job = job;
    buf_init(&s->frame, BUF_NOLIMIT);
    type = job_next(job, &s->frame, &e);
    if (type != POOL_AUDIO) {
        stream_free(s);
        if (type == POOL_DONE)
            err_set(&e, LY_ESYNTH, "the synthesizer made no audio");
        return as_error(srv, c, as, &e);
    }
    r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 32 * 1024, stream_read, s, stream_free);
    if (!r) {
        stream_free(s);
        return MHD_NO;
    }
    return send_response(srv, c, MHD_HTTP_OK, r, encode_mime_type(js->format), "no-store", as);
}

enum MHD_Result answer_audio(struct server *srv, struct MHD_Connection *c,
                             const struct job_spec *js, const struct answer_as *as)
{
    const char *type = encode_mime_type(js->format);
    char key[CACHE_KEY_HEX + 1];
    struct cache_hit hit;
    struct job *job;
    struct err e = {0};
    int rc;

    if (!(job = job_open(srv->jobs, js, 0, &e)))
        return as_error(srv, c, as, &e);
    snprintf(key, sizeof(key), "%s", job_key_of(job));
    if (job_cached(job, &hit)) {
        job_close(job);
        return send_cached(srv, c, &hit, type, key, as);
    }
    /* Safari's audio element first asks for "bytes=0-1" and plays nothing without a 206
       that tells the whole size: make the whole entry first, then answer from the cache
       (a cache that cannot be written gets the stream, the best there is then) */
    if (!wants_part(c) || !job_caching(job))
        return stream_audio(srv, c, job, js, as);
    rc = job_drain(job, &e);
    job_close(job);
    if (rc)
        return as_error(srv, c, as, &e);
    if (!jobs_lookup(srv->jobs, key, encode_extension(js->format), &hit)) {
        err_set(&e, LY_EIO, "the audio was made but could not be cached; ask without Range");
        return as_error(srv, c, as, &e);
    }
    return send_cached(srv, c, &hit, type, key, as);
}

int collect_marks(struct server *srv, const struct job_spec *spec, json_t **out, struct err *e)
{
    struct buf doc;
    int rc = job_marks(srv->jobs, spec, &doc, e);

    if (!rc && !(*out = json_loadb(doc.data, doc.len, 0, NULL)))
        rc = err_set(e, LY_EIO, "the speech marks could not be read");
    buf_release(&doc);
    return rc;
}
