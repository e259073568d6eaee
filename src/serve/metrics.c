/* metrics.c -- GET /metrics: the service's counters in Prometheus' text format. The
 * counters are atomics in struct metrics, counted where things happen. */
#include "serve_int.h"

#include <inttypes.h>

#include "banned.h"

static const char *const route_names[R_COUNT] = {
    "other",   "healthz",      "readyz",      "voices",       "metrics",       "static",
    "speak",   "speak_marks",  "listen",      "listen_marks", "listen_text",   "read",
    "hls",     "hls_segment",  "listen_post", "audio",        "openai_speech", "openai_models",
    "marytts", "marytts_info", "opentts",     "opentts_info", "prefetch"};

static const char *const fetch_kinds[F_COUNT] = {"network", "origin_status", "timeout",
                                                 "denied",  "too_large",     "not_html"};

const unsigned latency_bounds[7] = {10, 50, 100, 250, 1000, 5000, 30000};

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

enum MHD_Result answer_metrics(struct server *srv, struct MHD_Connection *c)
{
    struct metrics *m = &srv->m;
    const struct job_counts *jc = jobs_counts(srv->jobs);
    struct cache_stats cs;
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
