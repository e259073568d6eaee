/* wyoming_host.c -- what the service lends the Wyoming server (wyoming.h): its queue and
 * workers, its settings in force and its counters, so that Wyoming's audio is made as the
 * HTTP routes' is. */
#include "serve_int.h"

#include <stdio.h>
#include <string.h>

#include "wyoming.h"

#include "banned.h"

static struct pool_job *host_start(void *ctx, const struct pool_request *r, struct err *e)
{
    struct job_spec js = {r->text,   r->len, r->ssml, r->line_langs,
                          r->nlines, "",     r->rate, r->format};

    snprintf(js.voice, sizeof(js.voice), "%s", r->voice);
    return start_job(ctx, &js, r->want_marks, e);
}

static void host_end(void *ctx, struct pool_job *j)
{
    end_job(ctx, j);
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

static void host_done(void *ctx, const struct buf *payload)
{
    count_done(ctx, payload);
}

int wyoming_open(struct server *srv, const struct config *cfg, struct err *e)
{
    const struct wyoming_host host = {srv,         host_start, host_end,
                                      host_config, host_count, host_done};
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
