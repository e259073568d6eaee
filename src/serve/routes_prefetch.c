/* routes_prefetch.c -- POST /v1/prefetch: a CMS that publishes pages sends their addresses
 * (with a key), and a background thread reads and speaks each as GET /v1/listen?url= would,
 * into the cache, so the first listener gets cached audio. It runs one page at a time and
 * only while no request waits for a worker and one is idle: listeners come first. Its
 * progress is counted for /metrics. */
#include "serve_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "banned.h"

#define LYSSNA_PREFETCH_QUEUE 10000 /* pages waiting, in all */
#define LYSSNA_PREFETCH_URL   2048

struct prefetch_item {
    char *url;
    struct prefetch_item *next;
};

struct prefetch {
    pthread_t thread;
    pthread_mutex_t lock; /* guards the queue and stop */
    pthread_cond_t more;
    struct prefetch_item *head, **tail;
    size_t queued;
    int stop;
    unsigned long accepted, done, failed;
};

/* Waits until a worker is free and nobody queues for one; 0 when the service stops. */
static int wait_quiet(struct server *srv, struct prefetch *p)
{
    struct timespec until;
    int stop;

    pthread_mutex_lock(&p->lock);
    while (!(stop = p->stop) &&
           (jobs_counts(srv->jobs)->waiting > 0 || pool_idle(srv->pool) == 0)) {
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += 100 * 1000000L; /* look again every 100 ms */
        if (until.tv_nsec >= 1000000000L)
            until.tv_sec++, until.tv_nsec -= 1000000000L;
        pthread_cond_timedwait(&p->more, &p->lock, &until);
    }
    pthread_mutex_unlock(&p->lock);
    return !stop;
}

static struct prefetch_item *next_item(struct prefetch *p)
{
    struct prefetch_item *it = NULL;

    pthread_mutex_lock(&p->lock);
    while (!p->stop && !p->head)
        pthread_cond_wait(&p->more, &p->lock);
    if (!p->stop && (it = p->head)) {
        p->head = it->next;
        if (!p->head)
            p->tail = &p->head;
        p->queued--;
    }
    pthread_mutex_unlock(&p->lock);
    return it;
}

static void *prefetch_main(void *arg)
{
    struct server *srv = arg;
    struct prefetch *p = srv->prefetch;
    struct prefetch_item *it;
    struct err e;
    int rc;

    while ((it = next_item(p))) {
        memset(&e, 0, sizeof(e));
        rc = wait_quiet(srv, p) ? listen_fill(srv, it->url, &e) : LY_ECANCEL;
        if (rc && rc != LY_ECANCEL)
            fprintf(stderr, "lyssna: prefetch '%.200s': %s\n", it->url, e.msg);
        pthread_mutex_lock(&p->lock);
        if (rc == LY_OK)
            p->done++;
        else if (rc != LY_ECANCEL)
            p->failed++;
        pthread_mutex_unlock(&p->lock);
        free(it->url);
        free(it);
    }
    return NULL;
}

int prefetch_start(struct server *srv, struct err *e)
{
    struct prefetch *p = xcalloc(1, sizeof(*p));

    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->more, NULL);
    p->tail = &p->head;
    srv->prefetch = p;
    if (pthread_create(&p->thread, NULL, prefetch_main, srv) != 0) {
        srv->prefetch = NULL;
        free(p);
        return err_set(e, LY_EIO, "cannot start the prefetch thread");
    }
    return LY_OK;
}

void prefetch_stop(struct server *srv)
{
    struct prefetch *p = srv->prefetch;
    struct prefetch_item *it;

    if (!p)
        return;
    pthread_mutex_lock(&p->lock);
    p->stop = 1;
    pthread_cond_broadcast(&p->more);
    pthread_mutex_unlock(&p->lock);
    pthread_join(p->thread, NULL);
    while ((it = p->head)) {
        p->head = it->next;
        free(it->url);
        free(it);
    }
    pthread_cond_destroy(&p->more);
    pthread_mutex_destroy(&p->lock);
    free(p);
    srv->prefetch = NULL;
}

void prefetch_metrics(struct server *srv, struct buf *out)
{
    struct prefetch *p = srv->prefetch;

    if (!p)
        return;
    pthread_mutex_lock(&p->lock);
    buf_addf(out, NULL,
             "# TYPE lyssna_prefetch_accepted_total counter\nlyssna_prefetch_accepted_total %lu\n"
             "# TYPE lyssna_prefetch_done_total counter\nlyssna_prefetch_done_total %lu\n"
             "# TYPE lyssna_prefetch_failed_total counter\nlyssna_prefetch_failed_total %lu\n"
             "# TYPE lyssna_prefetch_queued gauge\nlyssna_prefetch_queued %zu\n",
             p->accepted, p->done, p->failed, p->queued);
    pthread_mutex_unlock(&p->lock);
}

/* The body's "urls": every one an http(s) address; LY_EUSAGE or LY_EPARSE naming the first
 * that is not. */
static int check_urls(const json_t *urls, struct err *e)
{
    const json_t *u;
    const char *s;
    size_t i;

    if (!json_is_array(urls) || json_array_size(urls) == 0)
        return err_set(e, LY_EUSAGE, "send {\"urls\": [\"https://...\", ...]}");
    json_array_foreach(urls, i, u)
    {
        s = json_string_value(u);
        if (!s || (strncmp(s, "http://", 7) && strncmp(s, "https://", 8)) ||
            strlen(s) > LYSSNA_PREFETCH_URL)
            return err_set(e, LY_EUSAGE, "urls[%zu] is not an http or https address", i);
    }
    return LY_OK;
}

/* Queues every url, or none when the queue has no room for all. */
static int enqueue(struct prefetch *p, const json_t *urls, struct err *e)
{
    struct prefetch_item *it;
    const json_t *u;
    size_t i;

    pthread_mutex_lock(&p->lock);
    if (p->queued + json_array_size(urls) > LYSSNA_PREFETCH_QUEUE) {
        pthread_mutex_unlock(&p->lock);
        return err_set(e, LY_EBUSY, "the prefetch queue is full: try again later");
    }
    json_array_foreach(urls, i, u)
    {
        it = xcalloc(1, sizeof(*it));
        it->url = xstrdup(json_string_value(u));
        *p->tail = it;
        p->tail = &it->next;
        p->queued++;
        p->accepted++;
    }
    pthread_cond_signal(&p->more);
    pthread_mutex_unlock(&p->lock);
    return LY_OK;
}

enum MHD_Result answer_prefetch(struct server *srv, struct MHD_Connection *c, struct request *rq)
{
    json_t *doc, *urls;
    json_error_t je;
    struct err e = {0};
    int n, rc;

    doc = json_loadb(rq->body.data, rq->body.len, 0, &je);
    urls = json_object_get(doc, "urls");
    if (!doc)
        rc = err_set(&e, LY_EPARSE, "bad JSON body: %s", je.text);
    else if ((rc = check_urls(urls, &e)) == LY_OK)
        rc = enqueue(srv->prefetch, urls, &e);
    if (rc) {
        json_decref(doc);
        return send_error(srv, c, &e);
    }
    n = (int)json_array_size(urls);
    json_decref(doc);
    return send_json(srv, c, MHD_HTTP_ACCEPTED, json_pack("{s:i}", "accepted", n));
}
