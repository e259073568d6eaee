/* hls.c -- GET /v1/listen.m3u8 and GET /v1/hls/KEY/N.mp3: a page's MP3 as an HLS playlist
 * of packed-audio segments, for Safari, whose audio element plays nothing of a plain MP3
 * until a 206 names its whole size (so the whole audio would be made first). While the audio
 * is made, a session in memory grows and a thread of its own runs the job to its end; the
 * playlist (PLAYLIST-TYPE:EVENT) lists the segments made so far and ENDLIST once done. Done,
 * the MP3 is cached like any listen's, and a segment of it is cut from the cached file by
 * the same rule (segs_scan), which looks only at the bytes before the cut. Segment addresses
 * name the audio's key, so they are the same for the same text. Sessions are guarded by
 * srv->lock. */
#include "serve_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "banned.h"

#define LYSSNA_HLS_MIN_FRAMES 150  /* 3.918 s of 576-sample frames at 22,050 Hz */
#define LYSSNA_HLS_MAX_FRAMES 190  /* a KiB begins within 40 frames even at 8 kbit/s */
#define LYSSNA_HLS_KIB        1024 /* ffmpeg's MP3_PACKET_SIZE: see segs_scan */
#define LYSSNA_HLS_KEEP       16   /* finished sessions kept in memory, newest first */

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
    struct job *job;
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
 * Bytes between frames (a tag, damage) go with the segment they fall in.
 *
 * A segment ends after its first frame, from the LYSSNA_HLS_MIN_FRAMES-th on, in which a KiB
 * of the MP3 begins: 150 or 151 frames at 48 kbit/s. ffmpeg's HLS demuxer stamps each frame
 * with the last ID3 timestamp it has read plus the frames since, and its MP3 demuxer reads
 * the audio (ID3 tags taken out) a KiB at a time: the read that crosses a segment's end takes
 * in the next segment's tag before the frames ending in that read are handed out, so those
 * are stamped as the next segment's first. Cut every 153 frames, they were 0 to 7 frames from
 * cut to cut, and the timestamps went back wherever that number fell; cut where a KiB begins
 * in the last frame, it is that one frame at every cut, for a reader that starts at the
 * first segment (the MP3 begins with a frame, as ffmpeg's reads do). The ID3 timestamps
 * themselves are exact whatever the cut. No cut frees a segment from the bit reservoir:
 * LAME's frames all borrow from it (main_data_begin is never 0 after the first), so a segment
 * decoded alone has its full length but its first 1 to 4 frames differ from the whole's. */
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
        if (++s->run >= LYSSNA_HLS_MAX_FRAMES ||
            (s->run >= LYSSNA_HLS_MIN_FRAMES && s->pos % LYSSNA_HLS_KIB &&
             s->pos % LYSSNA_HLS_KIB <= n))
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

/* The session's thread: the job to its end (the job stage caches it), its audio appended
 * as it comes. The buffer is written under srv->lock, which readers of it hold too. */
static void *session_run(void *arg)
{
    struct hls_session *s = arg;
    struct err e = {0};
    struct buf frame;
    int type;

    buf_init(&frame, BUF_NOLIMIT);
    while ((type = job_next(s->job, &frame, &e)) == POOL_AUDIO) {
        pthread_mutex_lock(&s->srv->lock);
        buf_add(&s->mp3, frame.data, frame.len, NULL);
        segs_scan(&s->segs, (const unsigned char *)s->mp3.data, s->mp3.len, 0);
        pthread_cond_broadcast(&s->grew);
        pthread_mutex_unlock(&s->srv->lock);
    }
    buf_release(&frame);
    job_close(s->job);
    pthread_mutex_lock(&s->srv->lock);
    s->job = NULL;
    segs_scan(&s->segs, (const unsigned char *)s->mp3.data, s->mp3.len, 1);
    s->done = 1;
    if (type != POOL_DONE) {
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

/* The session of key's audio, started for js when there is none (under srv->lock, which
 * is let go while the job opens: the session is listed first, so that a second request for
 * the playlist waits on it rather than on the key's claim). */
static struct hls_session *session_for(struct server *srv, const struct job_spec *js,
                                       const char *key)
{
    struct hls_session *s = find(srv, key);
    struct cache_hit hit;
    struct job *job;
    struct err e = {0};
    struct buf whole;

    if (s)
        return s;
    s = xcalloc(1, sizeof(*s));
    memcpy(s->key, key, sizeof(s->key));
    s->srv = srv;
    buf_init(&s->mp3, BUF_NOLIMIT);
    pthread_cond_init(&s->grew, NULL);
    s->next = srv->hls;
    srv->hls = s;
    pthread_mutex_unlock(&srv->lock);
    buf_init(&whole, BUF_NOLIMIT);
    if ((job = job_open(srv->jobs, js, 0, &e)) && job_cached(job, &hit)) {
        /* made meanwhile by another front */
        if (!job_read_hit(&hit, &whole))
            err_set(&e, LY_EIO, "cannot read the cached audio");
        job_close(job);
        job = NULL;
    }
    pthread_mutex_lock(&srv->lock);
    if (job) {
        s->job = job;
        s->started = !pthread_create(&s->thread, NULL, session_run, s);
        if (!s->started) {
            job_close(job);
            s->job = NULL;
            err_set(&e, LY_EIO, "cannot start a thread for the playlist");
        }
    }
    if (!s->started) {
        buf_release(&s->mp3);
        s->mp3 = whole;
        segs_scan(&s->segs, (const unsigned char *)s->mp3.data, s->mp3.len, 1);
        s->done = 1;
        s->failed = e.code != LY_OK;
        s->e = e;
    } else {
        buf_release(&whole);
    }
    pthread_cond_broadcast(&s->grew);
    prune(srv);
    return s;
}

static void render(struct buf *out, const char *key, const struct segs *s, int ended)
{
    unsigned i, target = 1;

    for (i = 0; i < s->n; i++)
        while (seg_seconds(s, i) > target + 0.5)
            target++;
    /* a playlist without ENDLIST is played from its live edge unless it says where to start
       (RFC 8216, 6.3.3): the title would be skipped */
    buf_addf(out, NULL,
             "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:%u\n#EXT-X-MEDIA-SEQUENCE:0\n"
             "#EXT-X-PLAYLIST-TYPE:EVENT\n#EXT-X-START:TIME-OFFSET=0,PRECISE=YES\n",
             target);
    for (i = 0; i < s->n; i++)
        buf_addf(out, NULL, "#EXTINF:%.3f,\nhls/%s/%u.mp3\n", seg_seconds(s, i), key, i);
    if (ended)
        buf_adds(out, "#EXT-X-ENDLIST\n", NULL);
}

static enum MHD_Result send_playlist(struct server *srv, struct MHD_Connection *c,
                                     const struct buf *body)
{
    return send_response(
        srv, c, MHD_HTTP_OK,
        MHD_create_response_from_buffer(body->len, body->data, MHD_RESPMEM_MUST_COPY),
        "application/vnd.apple.mpegurl", "no-cache", NULL);
}

enum MHD_Result answer_hls_playlist(struct server *srv, struct MHD_Connection *c,
                                    const struct job_spec *js)
{
    char key[CACHE_KEY_HEX + 1];
    struct hls_session *s;
    struct timespec until;
    struct cache_hit hit;
    struct buf mp3, out;
    struct segs whole = {0};
    struct err e = {0};
    enum MHD_Result ret;

    job_key(srv->jobs, js, "audio", key);
    buf_init(&out, BUF_NOLIMIT);
    pthread_mutex_lock(&srv->lock);
    s = find(srv, key);
    pthread_mutex_unlock(&srv->lock);
    buf_init(&mp3, BUF_NOLIMIT);
    if (!s && jobs_lookup(srv->jobs, key, "mp3", &hit) && job_read_hit(&hit, &mp3)) {
        segs_scan(&whole, (const unsigned char *)mp3.data, mp3.len, 1);
        render(&out, key, &whole, 1);
        segs_release(&whole);
        buf_release(&mp3);
        ret = send_playlist(srv, c, &out);
        buf_release(&out);
        return ret;
    }
    buf_release(&mp3);
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += cfg_of(srv)->synth_timeout_ms / 1000 + 1;
    pthread_mutex_lock(&srv->lock);
    s = session_for(srv, js, key);
    while (!s->done && !s->segs.n)
        if (pthread_cond_timedwait(&s->grew, &srv->lock, &until))
            break;
    if (s->failed)
        e = s->e;
    else if (!s->segs.n)
        err_set(&e, LY_ETIMEOUT, "the audio took too long to start: ask again");
    else
        render(&out, key, &s->segs, s->done);
    pthread_mutex_unlock(&srv->lock);
    ret = e.code ? send_error(srv, c, &e) : send_playlist(srv, c, &out);
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
    char cr[96];

    if (range && !parse_range(range, seg->len, &from, &to))
        return fail(srv, c, LY_EUSAGE, "the range is outside the segment");
    r = MHD_create_response_from_buffer(to - from + 1, seg->data + from, MHD_RESPMEM_MUST_COPY);
    if (range) {
        snprintf(cr, sizeof(cr), "bytes %" PRIu64 "-%" PRIu64 "/%zu", from, to, seg->len);
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_RANGE, cr);
        status = MHD_HTTP_PARTIAL_CONTENT;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_ACCEPT_RANGES, "bytes");
    return send_response(srv, c, status, r, "audio/mpeg", "public, max-age=31536000, immutable",
                         NULL);
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
    if (!s && jobs_read(srv->jobs, key, "mp3", &mp3)) {
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
