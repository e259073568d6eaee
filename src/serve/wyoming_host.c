/* wyoming_host.c -- what the service lends the Wyoming server (wyoming.h): a text's audio
 * from the cache, else from a worker through the queue, written to the cache as it comes (as
 * stream.c does for HTTP); its settings in force and its counters. So Wyoming's audio is the
 * same as the HTTP routes', under the same keys. */
#include "serve_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wyoming.h"

#include "banned.h"

#define LYSSNA_WY_CHUNK 8192 /* bytes of cached PCM per audio-chunk: 170 ms */

struct wyoming_audio {
    struct server *srv;
    struct pool_job *job;    /* NULL when the audio comes from the cache */
    struct cache_writer *cw; /* the job's audio on its way into the cache, or NULL */
    int fd;                  /* the cache entry being read, or -1 */
    uint64_t left;           /* its bytes not read yet */
};

static struct wyoming_audio *host_open(void *ctx, const struct pool_request *r, struct err *e)
{
    struct job_spec js = {r->text,   r->len, r->ssml, r->line_langs,
                          r->nlines, "",     r->rate, r->format};
    struct wyoming_audio *a = xcalloc(1, sizeof(*a));
    char key[CACHE_KEY_HEX + 1];
    struct cache_hit hit;

    a->srv = ctx;
    a->fd = -1;
    snprintf(js.voice, sizeof(js.voice), "%s", r->voice);
    key_of(a->srv, &js, "audio", key);
    if (cache_get(a->srv->cache, key, encode_extension(js.format), &hit, NULL) == 1) {
        a->srv->m.cache_hits++;
        a->fd = hit.fd;
        a->left = hit.size;
        return a;
    }
    a->srv->m.cache_misses++;
    if (!(a->job = start_job(a->srv, &js, 0, e))) {
        free(a);
        return NULL;
    }
    a->cw = cache_put_begin(a->srv->cache, key, encode_extension(js.format), NULL);
    return a;
}

/* The next piece of a cache entry. */
static int next_cached(struct wyoming_audio *a, struct buf *out, struct err *e)
{
    size_t want = a->left < LYSSNA_WY_CHUNK ? (size_t)a->left : LYSSNA_WY_CHUNK;
    ssize_t n;

    if (want == 0)
        return POOL_DONE;
    buf_reset(out);
    if (buf_grow(out, want, e) != LY_OK)
        return 0;
    while ((n = read(a->fd, out->data, want)) < 0 && errno == EINTR)
        ;
    if (n <= 0) {
        err_set(e, LY_EIO, "cannot read cached audio: %s", n ? strerror(errno) : "cut short");
        return 0;
    }
    out->len = (size_t)n;
    out->data[n] = '\0';
    a->left -= (uint64_t)n;
    return POOL_AUDIO;
}

static int host_next(struct wyoming_audio *a, struct buf *out, struct err *e)
{
    int type;

    if (a->fd >= 0)
        return next_cached(a, out, e);
    while ((type = pool_job_next(a->job, out, cfg_of(a->srv)->synth_timeout_ms, e)) == POOL_MARK)
        ;
    if (type == POOL_AUDIO && a->cw && cache_put_write(a->cw, out->data, out->len, NULL)) {
        cache_put_abort(a->cw); /* a full or read-only cache costs only the caching */
        a->cw = NULL;
    } else if (type == POOL_DONE) {
        count_done(a->srv, out);
        if (a->cw)
            cache_put_commit(a->cw, NULL);
        a->cw = NULL;
    } else if (type == POOL_ERROR) {
        pool_error(out, e);
        type = 0;
    }
    return type;
}

static void host_close(struct wyoming_audio *a)
{
    if (a->fd >= 0)
        close(a->fd);
    if (a->job)
        end_job(a->srv, a->job);
    cache_put_abort(a->cw); /* unfinished: not kept */
    free(a);
}

static const struct config *host_config(void *ctx)
{
    return cfg_of(ctx);
}

static void host_count(void *ctx, const char *type, int ok)
{
    struct server *srv = ctx;

    (void)type;
    srv->m.wyoming_events++;
    if (!ok)
        srv->m.wyoming_errors++;
}

int wyoming_open(struct server *srv, const struct config *cfg, struct err *e)
{
    const struct wyoming_host host = {srv,        host_open,   host_next,
                                      host_close, host_config, host_count};
    const char *colon = strrchr(cfg->wyoming, ':');
    int port = 0;

    if (!cfg->wyoming[0])
        return LY_OK;
    if (!(srv->wyoming = wyoming_start(cfg->wyoming, &host, &port, e)))
        return e->code;
    printf("wyoming on tcp://%.*s:%d\n", colon ? (int)(colon - cfg->wyoming) : 0, cfg->wyoming,
           port);
    fflush(stdout);
    return LY_OK;
}

void wyoming_close(struct server *srv)
{
    wyoming_stop(srv->wyoming);
    srv->wyoming = NULL;
}
