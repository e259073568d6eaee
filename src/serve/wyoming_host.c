/* wyoming_host.c -- what the service lends the Wyoming server (wyoming.h): a text's audio
 * through the job stage (the cache, else a worker, one synthesis per key), its settings in
 * force and its counters. So Wyoming's audio is the same as the HTTP routes', under the same
 * keys. */
#include "serve_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wyoming.h"

#include "banned.h"

/* One text's audio for Wyoming: a job of the job stage, whose frames it reads. */
struct wyoming_audio {
    struct job *job;
};

static struct wyoming_audio *host_open(void *ctx, const struct pool_request *r, struct err *e)
{
    struct job_spec js = {
        .text = r->text,
        .len = r->len,
        .ssml = r->ssml,
        .line_langs = r->line_langs,
        .nlines = r->nlines,
        .rate = r->rate,
        .format = r->format,
    };
    struct server *srv = ctx;
    struct job *job;
    struct wyoming_audio *a;

    snprintf(js.voice, sizeof(js.voice), "%s", r->voice);
    if (!(job = job_open(srv->jobs, &js, 0, e)))
        return NULL;
    a = xcalloc(1, sizeof(*a));
    a->job = job;
    return a;
}

static int host_next(struct wyoming_audio *a, struct buf *out, struct err *e)
{
    return job_next(a->job, out, e);
}

static void host_close(struct wyoming_audio *a)
{
    job_close(a->job); /* unfinished: the worker is stopped, nothing cached */
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
