/* metrics.c -- GET /metrics: the service's counters in Prometheus' text format. The
 * counters are atomics in struct metrics, counted where things happen. */
#include "serve_int.h"

#include <inttypes.h>

#include "banned.h"

static const char *const route_names[R_COUNT] = {
    "other",       "healthz", "voices",       "metrics",     "static", "speak",
    "speak_marks", "listen",  "listen_marks", "listen_text", "read"};

static const char *const fetch_kinds[F_COUNT] = {"network", "origin_status", "timeout",
                                                 "denied",  "too_large",     "not_html"};

const unsigned latency_bounds[7] = {10, 50, 100, 250, 1000, 5000, 30000};

enum MHD_Result answer_metrics(struct server *srv, struct MHD_Connection *c)
{
    struct metrics *m = &srv->m;
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
             (unsigned long)m->cache_hits, (unsigned long)m->cache_misses, cs.bytes, cs.corrupt,
             cs.write_errors, cs.read_only, (unsigned long)m->in_flight, (unsigned long)m->waiting,
             pool_idle(srv->pool), (double)m->synth_us / 1e6, (double)m->audio_ms / 1e3);
    for (k = 0; k < F_COUNT; k++)
        buf_addf(&b, NULL, "lyssna_fetch_errors_total{kind=\"%s\"} %lu\n", fetch_kinds[k],
                 (unsigned long)m->fetch_errors[k]);
    ret = send_buffer(srv, c, MHD_HTTP_OK, "text/plain; version=0.0.4", b.data, b.len);
    buf_release(&b);
    return ret;
}
