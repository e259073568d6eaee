/* hls.c -- GET /v1/listen.m3u8 and GET /v1/hls/KEY/N.mp3: a page's MP3 as an HLS playlist
 * of packed-audio segments, for Safari, whose audio element plays nothing of a plain MP3
 * until a 206 names its whole size (so the whole audio would be made first). While the audio
 * is made, a session in memory grows and a thread of its own runs the job to its end; the
 * playlist (PLAYLIST-TYPE:EVENT) lists the segments made so far and ENDLIST once done. Done,
 * the MP3 is cached like any listen's, and a segment of it is cut from the cached file by
 * the same rule: every LYSSNA_HLS_FRAMES MP3 frames. Segment addresses name the audio's key,
 * so they are the same for the same text. Sessions are guarded by srv->lock. */
#include "serve_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "banned.h"

#define LYSSNA_HLS_FRAMES 153 /* 3.996 s of 576-sample frames at 22,050 Hz */
#define LYSSNA_HLS_KEEP   16  /* finished sessions kept in memory, newest first */

/* Where each segment ends in an MP3, found frame by frame as its bytes arrive. */
struct segs {
    size_t *end;      /* byte offset after segment i */
    unsigned *frames; /* its frames */
    unsigned n, cap;
    size_t pos;   /* bytes looked at so far */
    unsigned run; /* frames since the last cut */
    unsigned spf, rate;
};

struct hls_session {
    char key[CACHE_KEY_HEX + 1];
    struct server *srv;
    struct pool_job *job;
    struct buf mp3;
    struct segs segs;
    int done, failed, started;
    struct err e;
    pthread_t thread;
    pthread_cond_t grew;
    struct hls_session *next;
};

/* The length of the MPEG audio Layer III frame at p (4 bytes there), or 0 when p holds no
 * frame header; *spf and *rate are its samples per frame and sample rate. */
static size_t frame_len(const unsigned char *p, unsigned *spf, unsigned *rate)
{
    static const unsigned br1[16] = {0,   32,  40,  48,  56,  64,  80,  96,
                                     112, 128, 160, 192, 224, 256, 320, 0};
    static const unsigned br2[16] = {0,  8,  16, 24,  32,  40,  48,  56,
                                     64, 80, 96, 112, 128, 144, 160, 0};
    static const unsigned sr[3] = {44100, 48000, 32000};
    unsigned ver = (p[1] >> 3) & 3, bi = p[2] >> 4, si = (p[2] >> 2) & 3, pad = (p[2] >> 1) & 1;
    unsigned kbps;

    if (p[0] != 0xff || (p[1] & 0xe0) != 0xe0 || ver == 1 || ((p[1] >> 1) & 3) != 1 || si == 3)
        return 0;
    kbps = ver == 3 ? br1[bi] : br2[bi];
    if (!kbps)
        return 0;
    *rate = sr[si] >> (ver == 3 ? 0 : ver == 2 ? 1 : 2);
    *spf = ver == 3 ? 1152 : 576;
    return (ver == 3 ? 144 : 72) * kbps * 1000 / *rate + pad;
}

static void segs_cut(struct segs *s, size_t at)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 64;
        s->end = xrealloc(s->end, s->cap * sizeof(*s->end));
        s->frames = xrealloc(s->frames, s->cap * sizeof(*s->frames));
    }
    s->end[s->n] = at;
    s->frames[s->n++] = s->run;
    s->run = 0;
}

/* Looks at the bytes of d not yet seen; at the end (final), the rest is the last segment.
 * Bytes between frames (a tag, damage) go with the segment they fall in. */
static void segs_scan(struct segs *s, const unsigned char *d, size_t len, int final)
{
    unsigned spf, rate;
    size_t n;

    while (s->pos + 4 <= len) {
        n = frame_len(d + s->pos, &spf, &rate);
        if (!n) {
            s->pos++;
            continue;
        }
        if (s->pos + n > len)
            break;
        s->spf = spf, s->rate = rate;
        s->pos += n;
        if (++s->run == LYSSNA_HLS_FRAMES)
            segs_cut(s, s->pos);
    }
    if (final && (s->run || (s->n && s->end[s->n - 1] < len)))
        segs_cut(s, len);
}

static void segs_release(struct segs *s)
{
    free(s->end);
    free(s->frames);
}

static double seg_seconds(const struct segs *s, unsigned i)
{
    return s->rate ? (double)s->frames[i] * s->spf / s->rate : 0;
}

static void session_free(struct hls_session *s)
{
    buf_release(&s->mp3);
    segs_release(&s->segs);
    pthread_cond_destroy(&s->grew);
    free(s);
}

static void take_audio(void *ctx, int type, const struct buf *frame, struct err *e)
{
    struct hls_session *s = ctx;

    (void)e;
    if (type != POOL_AUDIO)
        return;
    pthread_mutex_lock(&s->srv->lock);
    buf_add(&s->mp3, frame->data, frame->len, NULL);
    segs_scan(&s->segs, (const unsigned char *)s->mp3.data, s->mp3.len, 0);
    pthread_cond_broadcast(&s->grew);
    pthread_mutex_unlock(&s->srv->lock);
}

/* The session's thread: the job to its end, then the MP3 into the cache. The buffer is not
 * written to after the job, so it is read here without the lock. */
static void *session_run(void *arg)
{
    struct hls_session *s = arg;
    struct cache_writer *w;
    struct err e = {0};
    unsigned long long ms = 0;
    int rc = run_job(s->srv, s->job, take_audio, s, &ms, &e);

    if (!rc && (w = cache_put_begin(s->srv->cache, s->key, "mp3", &e))) {
        if (cache_put_write(w, s->mp3.data, s->mp3.len, &e))
            cache_put_abort(w);
        else
            cache_put_commit(w, &e);
    }
    pthread_mutex_lock(&s->srv->lock);
    segs_scan(&s->segs, (const unsigned char *)s->mp3.data, s->mp3.len, 1);
    s->done = 1;
    if (rc) {
        s->failed = 1;
        s->e = e;
    }
    pthread_cond_broadcast(&s->grew);
    pthread_mutex_unlock(&s->srv->lock);
    return NULL;
}

/* Drops finished sessions past the newest LYSSNA_HLS_KEEP (under srv->lock); their
 * threads have ended or are about to. */
static void prune(struct server *srv)
{
    struct hls_session **p = &srv->hls, *s;
    unsigned kept = 0;

    while ((s = *p)) {
        if (s->done && ++kept > LYSSNA_HLS_KEEP) {
            *p = s->next;
            if (s->started)
                pthread_join(s->thread, NULL);
            session_free(s);
        } else {
            p = &s->next;
        }
    }
}

static struct hls_session *find(struct server *srv, const char *key)
{
    struct hls_session *s;

    for (s = srv->hls; s && strcmp(s->key, key); s = s->next)
        ;
    return s;
}

/* The session making key's audio, started for js when there is none (under srv->lock);
 * NULL with e set when no worker could be had. */
static struct hls_session *session_for(struct server *srv, const struct job_spec *js,
                                       const char *key, struct err *e)
{
    struct hls_session *s = find(srv, key);
    struct pool_job *job;

    if (s)
        return s;
    pthread_mutex_unlock(&srv->lock); /* start_job waits for a worker under the lock */
    job = start_job(srv, js, 0, e);
    pthread_mutex_lock(&srv->lock);
    if (!job)
        return NULL;
    if ((s = find(srv, key))) { /* another request started it meanwhile */
        pthread_mutex_unlock(&srv->lock);
        end_job(srv, job);
        pthread_mutex_lock(&srv->lock);
        return s;
    }
    s = xcalloc(1, sizeof(*s));
    memcpy(s->key, key, sizeof(s->key));
    s->srv = srv;
    s->job = job;
    buf_init(&s->mp3, BUF_NOLIMIT);
    pthread_cond_init(&s->grew, NULL);
    s->next = srv->hls;
    srv->hls = s;
    srv->m.cache_misses++;
    s->started = !pthread_create(&s->thread, NULL, session_run, s);
    if (!s->started) {
        s->done = s->failed = 1;
        err_set(&s->e, LY_EIO, "cannot start a thread for the playlist");
        end_job(srv, job);
    }
    prune(srv);
    return s;
}

static void render(struct buf *out, const char *key, const struct segs *s, int ended)
{
    unsigned i, target = 1;

    for (i = 0; i < s->n; i++)
        while (seg_seconds(s, i) > target + 0.5)
            target++;
    buf_addf(out, NULL,
             "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:%u\n#EXT-X-MEDIA-SEQUENCE:0\n"
             "#EXT-X-PLAYLIST-TYPE:EVENT\n",
             target);
    for (i = 0; i < s->n; i++)
        buf_addf(out, NULL, "#EXTINF:%.3f,\nhls/%s/%u.mp3\n", seg_seconds(s, i), key, i);
    if (ended)
        buf_adds(out, "#EXT-X-ENDLIST\n", NULL);
}

static enum MHD_Result send_playlist(struct server *srv, struct MHD_Connection *c,
                                     const struct buf *body)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(body->len, body->data, MHD_RESPMEM_MUST_COPY);
    enum MHD_Result ret;

    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/vnd.apple.mpegurl");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
    add_cors(srv, c, r);
    ret = MHD_queue_response(c, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return ret;
}

/* The cached MP3 of key, read whole into out; 1 when there is one. */
static int cached_mp3(struct server *srv, const char *key, struct buf *out)
{
    struct cache_hit hit;
    int ok = 0;

    if (cache_get(srv->cache, key, "mp3", &hit, NULL) != 1)
        return 0;
    buf_init(out, BUF_NOLIMIT);
    buf_grow(out, hit.size, NULL);
    if (pread(hit.fd, out->data, hit.size, 0) == (ssize_t)hit.size) {
        out->len = hit.size;
        out->data[out->len] = '\0';
        ok = 1;
    } else {
        buf_release(out);
    }
    close(hit.fd);
    return ok;
}

enum MHD_Result answer_hls_playlist(struct server *srv, struct MHD_Connection *c,
                                    const struct job_spec *js, const char *key)
{
    struct hls_session *s;
    struct timespec until;
    struct buf mp3, out;
    struct segs whole = {0};
    struct err e = {0};
    enum MHD_Result ret;

    buf_init(&out, BUF_NOLIMIT);
    pthread_mutex_lock(&srv->lock);
    s = find(srv, key);
    pthread_mutex_unlock(&srv->lock);
    if (!s && cached_mp3(srv, key, &mp3)) {
        srv->m.cache_hits++;
        segs_scan(&whole, (const unsigned char *)mp3.data, mp3.len, 1);
        render(&out, key, &whole, 1);
        segs_release(&whole);
        buf_release(&mp3);
        ret = send_playlist(srv, c, &out);
        buf_release(&out);
        return ret;
    }
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += cfg_of(srv)->synth_timeout_ms / 1000 + 1;
    pthread_mutex_lock(&srv->lock);
    s = session_for(srv, js, key, &e);
    while (s && !s->done && !s->segs.n)
        if (pthread_cond_timedwait(&s->grew, &srv->lock, &until))
            break;
    if (s && s->failed)
        e = s->e;
    else if (s)
        render(&out, key, &s->segs, s->done);
    pthread_mutex_unlock(&srv->lock);
    ret = !s || e.code ? send_error(srv, c, &e) : send_playlist(srv, c, &out);
    buf_release(&out);
    return ret;
}

/* The ID3 tag that begins a packed-audio segment (RFC 8216, 3.4): a PRIV frame with the
 * 33-bit MPEG-2 timestamp (90 kHz) of its first sample. */
static void add_timestamp(struct buf *out, uint64_t pts)
{
    static const char owner[] = "com.apple.streaming.transportStreamTimestamp";
    unsigned char tag[73] = {'I', 'D', '3', 4, 0, 0, 0, 0, 0, 63, 'P', 'R', 'I', 'V', 0, 0, 0, 53};
    int i;

    memcpy(tag + 20, owner, sizeof(owner));
    for (i = 0; i < 8; i++)
        tag[65 + i] = (unsigned char)((pts & 0x1ffffffffULL) >> (56 - 8 * i));
    buf_add(out, tag, sizeof(tag), NULL);
}

/* Segment n of mp3 cut by s, behind its timestamp, into out; 0 when there is none. */
static int cut_segment(const struct buf *mp3, const struct segs *s, unsigned n, struct buf *out)
{
    uint64_t samples = 0;
    size_t from = n ? s->end[n - 1] : 0;
    unsigned i;

    if (n >= s->n)
        return 0;
    for (i = 0; i < n; i++)
        samples += (uint64_t)s->frames[i] * s->spf;
    add_timestamp(out, s->rate ? samples * 90000 / s->rate : 0);
    buf_add(out, mp3->data + from, s->end[n] - from, NULL);
    return 1;
}

static enum MHD_Result no_segment(struct server *srv, struct MHD_Connection *c)
{
    return send_json(srv, c, MHD_HTTP_NOT_FOUND,
                     json_pack("{s:s, s:s}", "error", "not_found", "message",
                               "no such segment: ask for the playlist again"));
}

/* "/v1/hls/KEY/N.mp3" → key and n; 0 when url is not of that form. */
static int parse_segment_url(const char *url, char key[CACHE_KEY_HEX + 1], unsigned *n)
{
    const char *p = url + strlen("/v1/hls/");
    char *end;
    unsigned long v;

    if (strspn(p, "0123456789abcdef") != CACHE_KEY_HEX || p[CACHE_KEY_HEX] != '/')
        return 0;
    memcpy(key, p, CACHE_KEY_HEX);
    key[CACHE_KEY_HEX] = '\0';
    p += CACHE_KEY_HEX + 1;
    if (*p < '0' || *p > '9')
        return 0;
    v = strtoul(p, &end, 10);
    if (strcmp(end, ".mp3") || v > 1000000)
        return 0;
    *n = (unsigned)v;
    return 1;
}

/* A segment's bytes, with byte ranges; the same address always has the same bytes. */
static enum MHD_Result send_segment(struct server *srv, struct MHD_Connection *c,
                                    const struct buf *seg)
{
    const char *range = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_RANGE);
    uint64_t from = 0, to = seg->len - 1;
    unsigned status = MHD_HTTP_OK;
    struct MHD_Response *r;
    enum MHD_Result ret;
    char cr[96];

    if (range && !parse_range(range, seg->len, &from, &to))
        return fail(srv, c, LY_EUSAGE, "the range is outside the segment");
    r = MHD_create_response_from_buffer(to - from + 1, seg->data + from, MHD_RESPMEM_MUST_COPY);
    if (range) {
        snprintf(cr, sizeof(cr), "bytes %" PRIu64 "-%" PRIu64 "/%zu", from, to, seg->len);
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_RANGE, cr);
        status = MHD_HTTP_PARTIAL_CONTENT;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "audio/mpeg");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL,
                            "public, max-age=31536000, immutable");
    MHD_add_response_header(r, MHD_HTTP_HEADER_ACCEPT_RANGES, "bytes");
    add_cors(srv, c, r);
    ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

enum MHD_Result answer_hls_segment(struct server *srv, struct MHD_Connection *c, struct request *rq)
{
    const char *url = rq->url;
    char key[CACHE_KEY_HEX + 1];
    struct hls_session *s;
    struct segs whole = {0};
    struct buf seg, mp3;
    unsigned n;
    int found = 0;
    enum MHD_Result ret;

    if (!parse_segment_url(url, key, &n))
        return no_segment(srv, c);
    buf_init(&seg, BUF_NOLIMIT);
    pthread_mutex_lock(&srv->lock);
    if ((s = find(srv, key)))
        found = cut_segment(&s->mp3, &s->segs, n, &seg);
    pthread_mutex_unlock(&srv->lock);
    if (!s && cached_mp3(srv, key, &mp3)) {
        segs_scan(&whole, (const unsigned char *)mp3.data, mp3.len, 1);
        found = cut_segment(&mp3, &whole, n, &seg);
        segs_release(&whole);
        buf_release(&mp3);
    }
    ret = found ? send_segment(srv, c, &seg) : no_segment(srv, c);
    buf_release(&seg);
    return ret;
}

void hls_release(struct server *srv)
{
    struct hls_session *s;

    while ((s = srv->hls)) {
        srv->hls = s->next;
        if (s->started)
            pthread_join(s->thread, NULL);
        session_free(s);
    }
}
