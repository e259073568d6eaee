/* metrics.c -- GET /metrics: the service's counters in Prometheus' text format. The
 * counters are atomics in struct metrics, counted where things happen; requests are counted
 * by row of the routing table and reported by the rows' metric names. */
#include "serve_int.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

static const char *const fetch_kinds[F_COUNT] = {"network", "origin_status", "timeout",
                                                 "denied",  "too_large",     "not_html"};

const unsigned latency_bounds[7] = {10, 50, 100, 250, 1000, 5000, 30000};

void count_request(struct server *srv, const struct route *route, unsigned status, unsigned ms)
{
    struct route_counts *n = &srv->m.routes[route - serve_routes];
    int k;

    for (k = 0; k < 7 && ms > latency_bounds[k]; k++)
        ;
    n->latency[k]++;
    if (status >= 100 && status < 600)
        n->requests[status / 100]++;
}

/* A metric name's requests: the sums over the rows that share it. */
struct route_totals {
    const char *name; /* NULL: an earlier row's totals have this row's name */
    unsigned long requests[6], latency[8];
};

static void sum_route(const struct metrics *m, size_t i, struct route_totals *t)
{
    const char *name = serve_routes[i].metric;
    size_t j;
    int k;

    for (j = 0; j < i; j++)
        if (!strcmp(serve_routes[j].metric, name))
            return;
    t->name = name;
    for (j = i; j < serve_nroutes; j++) {
        if (strcmp(serve_routes[j].metric, name))
            continue;
        for (k = 0; k < 6; k++)
            t->requests[k] += m->routes[j].requests[k];
        for (k = 0; k < 8; k++)
            t->latency[k] += m->routes[j].latency[k];
    }
}

/* lyssna_requests_total and lyssna_request_duration_ms, by route and status class. */
static void add_routes(struct buf *b, const struct metrics *m)
{
    struct route_totals *t = xcalloc(serve_nroutes, sizeof(*t));
    unsigned long n;
    size_t i;
    int s, k;

    for (i = 0; i < serve_nroutes; i++)
        sum_route(m, i, &t[i]);
    buf_adds(b, "# TYPE lyssna_requests_total counter\n", NULL);
    for (i = 0; i < serve_nroutes; i++)
        for (s = 1; s < 6 && t[i].name; s++)
            if (t[i].requests[s])
                buf_addf(b, NULL, "lyssna_requests_total{route=\"%s\",status=\"%dxx\"} %lu\n",
                         t[i].name, s, t[i].requests[s]);
    buf_adds(b, "# TYPE lyssna_request_duration_ms histogram\n", NULL);
    for (i = 0; i < serve_nroutes; i++) {
        if (!t[i].name ||
            (!t[i].latency[7] && !t[i].latency[0] && !t[i].requests[2] && !t[i].requests[4]))
            continue;
        for (k = 0, n = 0; k < 8; k++) {
            n += t[i].latency[k];
            buf_addf(b, NULL, "lyssna_request_duration_ms_bucket{route=\"%s\",le=\"", t[i].name);
            if (k < 7)
                buf_addf(b, NULL, "%u\"} %lu\n", latency_bounds[k], n);
            else
                buf_addf(b, NULL, "+Inf\"} %lu\n", n);
        }
    }
    free(t);
}

/* lyssna_queue_wait_seconds: how long requests waited for a synthesis worker. */
static void add_queue_wait(struct buf *b, const struct job_counts *m)
{
    unsigned long n = 0;
    int k;

    buf_adds(b, "# TYPE lyssna_queue_wait_seconds histogram\n", NULL);
    for (k = 0; k < 8; k++) {
        n += m->queue_wait[k];
        if (k < 7)
            buf_addf(b, NULL, "lyssna_queue_wait_seconds_bucket{le=\"%g\"} %lu\n",
                     (double)job_queue_wait_bounds[k] / 1e6, n);
        else
            buf_addf(b, NULL, "lyssna_queue_wait_seconds_bucket{le=\"+Inf\"} %lu\n", n);
    }
    buf_addf(b, NULL, "lyssna_queue_wait_seconds_sum %.6f\nlyssna_queue_wait_seconds_count %lu\n",
             (double)m->queue_wait_us / 1e6, n);
}

enum MHD_Result answer_metrics(struct server *srv, struct MHD_Connection *c, struct request *rq)
{
    struct metrics *m = &srv->m;
    const struct job_counts *jc = jobs_counts(srv->jobs);
    struct cache_stats cs;
    struct buf b;
    int k;
    enum MHD_Result ret;

    (void)rq;
    buf_init(&b, BUF_NOLIMIT);
    add_routes(&b, m);
    cache_stats(srv->cache, &cs);
    buf_addf(&b, NULL,
             "# TYPE lyssna_cache_hits_total counter\nlyssna_cache_hits_total %lu\n"
             "# TYPE lyssna_cache_misses_total counter\nlyssna_cache_misses_total %lu\n"
             "# TYPE lyssna_syntheses_total counter\nlyssna_syntheses_total %lu\n"
             "# TYPE lyssna_cache_bytes gauge\nlyssna_cache_bytes %" PRIu64 "\n"
             "# TYPE lyssna_cache_corrupt_total counter\nlyssna_cache_corrupt_total %" PRIu64 "\n"
             "# TYPE lyssna_cache_write_errors_total counter\n"
             "lyssna_cache_write_errors_total %" PRIu64 "\n"
             "# TYPE lyssna_cache_read_only gauge\nlyssna_cache_read_only %d\n"
             "# TYPE lyssna_in_flight gauge\nlyssna_in_flight %lu\n"
             "# TYPE lyssna_queue_length gauge\nlyssna_queue_length %lu\n"
             "# TYPE lyssna_workers_idle gauge\nlyssna_workers_idle %d\n"
             "# TYPE lyssna_synthesis_seconds_total counter\nlyssna_synthesis_seconds_total %.3f\n"
             "# TYPE lyssna_audio_seconds_total counter\nlyssna_audio_seconds_total %.3f\n"
             "# TYPE lyssna_fetch_errors_total counter\n",
             (unsigned long)jc->hits, (unsigned long)jc->misses, (unsigned long)jc->syntheses,
             cs.bytes, cs.corrupt, cs.write_errors, cs.read_only, (unsigned long)m->in_flight,
             (unsigned long)jc->waiting, pool_idle(srv->pool), (double)jc->synth_us / 1e6,
             (double)jc->audio_ms / 1e3);
    for (k = 0; k < F_COUNT; k++)
        buf_addf(&b, NULL, "lyssna_fetch_errors_total{kind=\"%s\"} %lu\n", fetch_kinds[k],
                 (unsigned long)m->fetch_errors[k]);
    add_queue_wait(&b, jc);
    buf_addf(&b, NULL, "# TYPE lyssna_ready gauge\nlyssna_ready %d\n",
             server_ready(srv, (char[160]){0}, 160));
    buf_addf(&b, NULL,
             "# TYPE lyssna_wyoming_events_total counter\nlyssna_wyoming_events_total %lu\n"
             "# TYPE lyssna_wyoming_errors_total counter\nlyssna_wyoming_errors_total %lu\n",
             (unsigned long)m->wyoming_events, (unsigned long)m->wyoming_errors);
    auth_metrics(srv, &b);
    prefetch_metrics(srv, &b);
    ret = send_buffer(srv, c, MHD_HTTP_OK, "text/plain; version=0.0.4", b.data, b.len);
    buf_release(&b);
    return ret;
}
