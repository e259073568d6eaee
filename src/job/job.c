/* job.c -- one way to make a job's audio (job.h): the cache looked at first, the key claimed
 * while it is made, a worker taken from the queue (waiting on a condition that finished jobs
 * signal), its frames copied into the cache as they come, and every job counted here once.
 * Runs on the caller's thread; J->lock guards only the queue and the limits. */
#include "job.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "banned.h"

#define LYSSNA_JOB_POLL_MS    10   /* between looks while another maker holds a key */
#define LYSSNA_JOB_SLICE_MS   1000 /* a worker's silence is checked against stop this often */
#define LYSSNA_JOB_CHUNK      8192 /* bytes of a cache entry per frame */
#define LYSSNA_JOB_WARN_EVERY 60   /* s between log lines about the cache */

const unsigned long job_queue_wait_bounds[7] = {1000,   10000,   50000,  100000,
                                                500000, 1000000, 5000000};

struct jobs {
    struct pool *pool;
    struct cache *cache;
    volatile sig_atomic_t *stop;
    pthread_mutex_t lock; /* guards the limits and the wait for a worker */
    pthread_cond_t freed; /* a worker came free */
    char engine[CACHE_KEY_HEX + 1];
    struct jobs_limits limits; /* engine points at the array above */
    struct job_counts n;
    atomic_llong warned; /* when the log last said the cache failed */
    struct lexicon *lex;
    struct voice_lang {
        char voice[64], lang[16];
    } langs[8]; /* the language of voice profiles used lately, under lock */
};

struct job {
    struct jobs *J;
    char key[CACHE_KEY_HEX + 1];
    const char *ext;
    int timeout_ms;          /* the worker's silence allowed, from the limits at open */
    struct pool_job *work;   /* the worker making it, or NULL when read from the cache */
    struct cache_writer *cw; /* its way into the cache, or NULL */
    int claim;               /* the key's claim while it is made, or -1 */
    struct cache_hit hit;    /* the cache entry being read (fd -1: none) */
    uint64_t left;           /* its bytes not read yet */
    unsigned long long samples;
    int rate;
    int ended;
    /* a text read in parts (parts.more NULL: it is whole): the spec's voice, rate, format
       and host for the next part, where the part being spoken begins in the whole text and
       audio, and its length */
    struct job_parts parts;
    struct job_spec spec;
    char host[256];
    int want_marks;
    int part_no; /* the part being spoken */
    size_t text_at, part_len;
    unsigned long long ms_at;
};

static struct jobs_limits limits_of(struct jobs *J)
{
    struct jobs_limits l;

    pthread_mutex_lock(&J->lock);
    l = J->limits;
    pthread_mutex_unlock(&J->lock);
    return l;
}

struct jobs *jobs_new(struct pool *pool, struct cache *cache, const struct jobs_limits *l,
                      volatile sig_atomic_t *stop)
{
    struct jobs *J = xcalloc(1, sizeof(*J));

    J->pool = pool;
    J->cache = cache;
    J->stop = stop;
    pthread_mutex_init(&J->lock, NULL);
    pthread_cond_init(&J->freed, NULL);
    jobs_configure(J, l);
    return J;
}

void jobs_free(struct jobs *J)
{
    if (!J)
        return;
    pthread_cond_destroy(&J->freed);
    pthread_mutex_destroy(&J->lock);
    free(J);
}

void jobs_configure(struct jobs *J, const struct jobs_limits *l)
{
    pthread_mutex_lock(&J->lock);
    J->limits = *l;
    snprintf(J->engine, sizeof(J->engine), "%s", l->engine);
    J->limits.engine = J->engine;
    pthread_mutex_unlock(&J->lock);
}

const struct job_counts *jobs_counts(const struct jobs *J)
{
    return &J->n;
}

void jobs_wake(struct jobs *J)
{
    pthread_mutex_lock(&J->lock);
    pthread_cond_broadcast(&J->freed);
    pthread_mutex_unlock(&J->lock);
}

void jobs_set_lexicon(struct jobs *J, struct lexicon *lx)
{
    J->lex = lx;
}

/* The language of voice profile name ("" when it cannot be read), remembered. */
static void voice_lang(struct jobs *J, const char *name, char lang[16])
{
    struct voice v;
    struct err e = {0};
    size_t i;

    pthread_mutex_lock(&J->lock);
    for (i = 0; i < 8 && J->langs[i].voice[0]; i++)
        if (!strcmp(J->langs[i].voice, name)) {
            memcpy(lang, J->langs[i].lang, 16);
            pthread_mutex_unlock(&J->lock);
            return;
        }
    pthread_mutex_unlock(&J->lock);
    lang[0] = '\0';
    if (voice_load(voice_dir(), name, &v, &e))
        return;
    snprintf(lang, 16, "%s", v.lang);
    pthread_mutex_lock(&J->lock);
    for (i = 0; i < 8 && J->langs[i].voice[0]; i++)
        ;
    i = i < 8 ? i : (size_t)(name[0] % 8); /* full: one is replaced */
    snprintf(J->langs[i].voice, sizeof(J->langs[i].voice), "%s", name);
    memcpy(J->langs[i].lang, lang, 16);
    pthread_mutex_unlock(&J->lock);
}

/* The lexicon entries js's text uses, into edits (initialized here). */
static void edits_of(struct jobs *J, const struct job_spec *js, struct buf *edits)
{
    char lang[16];

    buf_init(edits, BUF_NOLIMIT);
    if (js->edits)
        buf_adds(edits, js->edits, NULL);
    if (js->edits || !J->lex)
        return;
    voice_lang(J, js->voice, lang);
    lexicon_used(J->lex, js->text, js->len, lang, js->host, edits);
}

static void key_of(struct jobs *J, const struct job_spec *js, const char *kind,
                   const struct buf *edits, char key[CACHE_KEY_HEX + 1])
{
    char engine[CACHE_KEY_HEX + 1], gen[48];
    struct cache_audio a;

    pthread_mutex_lock(&J->lock);
    memcpy(engine, J->engine, sizeof(engine));
    pthread_mutex_unlock(&J->lock);
    if (js->parts) { /* the text is not known yet: the document and the lexicon's state */
        snprintf(gen, sizeof(gen), "lexicon %lu", J->lex ? lexicon_generation(J->lex) : 0ul);
        a = (struct cache_audio){
            .engine = engine,
            .kind = kind,
            .voice = js->voice,
            .rate = js->rate,
            .text = js->parts->key,
            .len = strlen(js->parts->key),
            .format = encode_format_name(js->format),
            .edits = gen,
            .edits_len = strlen(gen),
        };
        cache_audio_key(&a, key);
        return;
    }
    a = (struct cache_audio){
        .engine = engine,
        .kind = kind,
        .ssml = js->ssml,
        .voice = js->voice,
        .rate = js->rate,
        .line_langs = js->line_langs,
        .nlines = js->nlines,
        .text = js->text,
        .len = js->len,
        .format = encode_format_name(js->format),
        .edits = edits->data,
        .edits_len = edits->len,
    };
    cache_audio_key(&a, key);
}

void job_key(struct jobs *J, const struct job_spec *js, const char *kind,
             char key[CACHE_KEY_HEX + 1])
{
    struct buf edits;

    edits_of(J, js, &edits);
    key_of(J, js, kind, &edits, key);
    buf_release(&edits);
}

/* Logs why audio could not be cached (the job itself goes on, uncached): at most one line a
 * minute, so that a full disk does not flood the log; the cache counts them all. */
static void cache_trouble(struct jobs *J, const struct err *e)
{
    long long now = (long long)time(NULL), last = J->warned;

    if (now - last < LYSSNA_JOB_WARN_EVERY ||
        !atomic_compare_exchange_strong(&J->warned, &last, now))
        return;
    fprintf(stderr, "lyssna: cache: %s\n", e->msg);
}

int jobs_lookup(struct jobs *J, const char *key, const char *ext, struct cache_hit *hit)
{
    if (!J->cache || cache_get(J->cache, key, ext, hit, NULL) != 1)
        return 0;
    J->n.hits++;
    return 1;
}

int job_read_hit(struct cache_hit *hit, struct buf *out)
{
    int ok = buf_grow(out, hit->size, NULL) == LY_OK &&
             pread(hit->fd, out->data + out->len, hit->size, 0) == (ssize_t)hit->size;

    close(hit->fd);
    hit->fd = -1;
    if (!ok)
        return 0;
    out->len += hit->size;
    out->data[out->len] = '\0';
    return 1;
}

int jobs_read(struct jobs *J, const char *key, const char *ext, struct buf *out)
{
    struct cache_hit hit;

    buf_init(out, BUF_NOLIMIT);
    return J->cache && cache_get(J->cache, key, ext, &hit, NULL) == 1 && job_read_hit(&hit, out);
}

static void count_queue_wait(struct jobs *J, const struct timespec *from)
{
    struct timespec to;
    unsigned long long us;
    int k;

    clock_gettime(CLOCK_MONOTONIC, &to);
    us = (unsigned long long)((to.tv_sec - from->tv_sec) * 1000000LL +
                              (to.tv_nsec - from->tv_nsec) / 1000);
    for (k = 0; k < 7 && us > job_queue_wait_bounds[k]; k++)
        ;
    J->n.queue_wait[k]++;
    J->n.queue_wait_us += us;
}

/* A worker for r, waiting in the queue within the limits; NULL with LY_EBUSY past them. */
static struct pool_job *take_worker(struct jobs *J, const struct pool_request *r, struct err *e)
{
    struct timespec until, from;
    struct pool_job *w;
    long slice_ms;

    clock_gettime(CLOCK_MONOTONIC, &from);
    pthread_mutex_lock(&J->lock);
    if (J->limits.queue > 0 && J->n.waiting >= (unsigned long)J->limits.queue) {
        pthread_mutex_unlock(&J->lock);
        err_set(e, LY_EBUSY, "the service is busy: try again in a moment");
        return NULL;
    }
    J->n.waiting++;
    clock_gettime(CLOCK_REALTIME, &until);
    slice_ms = J->limits.queue_wait_ms < 0 ? 100 : J->limits.queue_wait_ms;
    until.tv_sec += slice_ms / 1000;
    until.tv_nsec += slice_ms % 1000 * 1000000L;
    if (until.tv_nsec >= 1000000000L)
        until.tv_sec++, until.tv_nsec -= 1000000000L;
    while (!(w = pool_start(J->pool, r, e)) && e->code == LY_EBUSY) {
        if (J->stop && *J->stop) {
            err_set(e, LY_ECANCEL, "interrupted");
            break;
        }
        if (pthread_cond_timedwait(&J->freed, &J->lock, &until) == ETIMEDOUT) {
            if (J->limits.queue_wait_ms >= 0) {
                err_set(e, LY_EBUSY, "the service is busy: try again in a moment");
                break;
            }
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_nsec += 100000000L; /* no limit: look at stop now and then */
            if (until.tv_nsec >= 1000000000L)
                until.tv_sec++, until.tv_nsec -= 1000000000L;
        }
    }
    J->n.waiting--;
    pthread_mutex_unlock(&J->lock);
    count_queue_wait(J, &from);
    return w;
}

static void give_back(struct jobs *J, struct pool_job *w)
{
    pool_job_end(w); /* unfinished: the worker is stopped, or replaced */
    jobs_wake(J);
}

/* Looks in the cache for the job's entry; 1 when it is there (j reads it from now on). */
static int from_cache(struct job *j)
{
    if (!j->J->cache || cache_get(j->J->cache, j->key, j->ext, &j->hit, NULL) != 1)
        return 0;
    j->left = j->hit.size;
    j->J->n.hits++;
    return 1;
}

/* Waits for the key's claim; 1 when the entry was made meanwhile (j reads it), 0 when j
 * holds the claim (or the maker seems stuck: then j makes it too), -1 when stopped. */
static int claim(struct job *j, int look, int wait_ms)
{
    struct jobs *J = j->J;
    const struct timespec poll = {0, LYSSNA_JOB_POLL_MS * 1000000L};
    int waited;

    if (!J->cache)
        return 0;
    for (waited = 0; !cache_claim(J->cache, j->key, &j->claim); waited += LYSSNA_JOB_POLL_MS) {
        if (look && from_cache(j))
            return 1;
        if (J->stop && *J->stop)
            return -1;
        if (waited > wait_ms)
            return 0;
        nanosleep(&poll, NULL);
    }
    /* made between the first look and the claim */
    if (look && from_cache(j)) {
        cache_unclaim(j->claim);
        j->claim = -1;
        return 1;
    }
    return 0;
}

/* A worker taken for js's text, with the lexicon's entries edits (NULL: those the text
 * uses). */
static struct pool_job *start(struct jobs *J, const struct job_spec *js, int want_marks,
                              const struct buf *edits, struct err *e)
{
    struct pool_request r = {
        .text = js->text,
        .len = js->len,
        .ssml = js->ssml,
        .line_langs = js->line_langs,
        .nlines = js->nlines,
        .voice = js->voice,
        .rate = js->rate,
        .format = js->format,
        .want_marks = want_marks,
    };
    struct pool_job *w;
    struct buf own;

    if (!edits) {
        edits_of(J, js, &own);
        edits = &own;
    }
    r.edits = edits->data;
    r.edits_len = edits->len;
    w = take_worker(J, &r, e);
    if (edits == &own)
        buf_release(&own);
    return w;
}

/* The first part with text of a text read in parts whose audio was cached when its first
 * part was not read yet (and is gone now), read into first. */
static int first_part(const struct job_spec *js, struct job_spec *first, int *k, struct err *e)
{
    *first = *js;
    *k = 0;
    if (js->parts->more(js->parts->ctx, k, first, e))
        return e->code;
    return first->len
               ? LY_OK
               : err_set(e, LY_EEMPTY, "nothing to say: the document holds no readable text");
}

/* Opens the output of kind (with ext in the cache) for js. */
static struct job *open_as(struct jobs *J, const struct job_spec *js, const char *kind,
                           const char *ext, int flags, int store, struct err *e)
{
    struct job *j = xcalloc(1, sizeof(*j));
    struct jobs_limits l = limits_of(J);
    struct job_spec first = *js; /* what is said first: a text read in parts, its first part */
    struct buf edits;
    struct err ce = {0};
    int look = !(flags & JOB_FRESH), want_marks = (flags & JOB_MARKS) != 0, got;
    int unread = js->parts && !js->len; /* in parts, the first not read yet */

    j->J = J;
    j->ext = ext;
    j->claim = j->hit.fd = -1;
    j->timeout_ms = l.synth_timeout_ms;
    edits_of(J, js, &edits);
    key_of(J, js, kind, &edits, j->key);
    if (look && from_cache(j))
        return buf_release(&edits), j;
    /* synthesis runs far faster than real time: a maker is waited for that long */
    if ((got = claim(j, look, l.synth_timeout_ms + 1000)) != 0) {
        buf_release(&edits);
        if (got > 0)
            return j;
        err_set(e, LY_ECANCEL, "interrupted");
        free(j);
        return NULL;
    }
    if (look)
        J->n.misses++;
    if (!unread || !first_part(js, &first, &j->part_no, e))
        j->work = start(J, &first, want_marks, unread ? NULL : &edits, e);
    buf_release(&edits);
    if (!j->work) {
        cache_unclaim(j->claim);
        free(j);
        return NULL;
    }
    J->n.syntheses++;
    if (store && J->cache && !(j->cw = cache_put_begin(J->cache, j->key, ext, &ce)))
        cache_trouble(J, &ce);
    if (js->parts) {
        j->parts = *js->parts;
        j->parts.hold(j->parts.ctx);
        j->spec = *js;
        snprintf(j->host, sizeof(j->host), "%s", js->host ? js->host : "");
        j->spec.host = js->host ? j->host : NULL;
        j->want_marks = want_marks;
        j->part_len = first.len;
    }
    return j;
}

struct job *job_open(struct jobs *J, const struct job_spec *js, int flags, struct err *e)
{
    return open_as(J, js, "audio", encode_extension(js->format), flags, 1, e);
}

int job_cached(struct job *j, struct cache_hit *hit)
{
    if (j->hit.fd < 0 || j->left != j->hit.size)
        return 0;
    *hit = j->hit;
    j->hit.fd = -1;
    j->left = 0;
    return 1;
}

int job_caching(const struct job *j)
{
    return j->cw != NULL;
}

void job_length(const struct job *j, unsigned long long *samples, int *rate)
{
    *samples = j->samples;
    *rate = j->rate;
}

unsigned long long job_ms(const struct job *j)
{
    return j->rate > 0 ? j->samples * 1000 / (unsigned)j->rate : 0;
}

const char *job_key_of(const struct job *j)
{
    return j->key;
}

/* The next piece of the cache entry being read. */
static int next_cached(struct job *j, struct buf *out, struct err *e)
{
    size_t want = j->left < LYSSNA_JOB_CHUNK ? (size_t)j->left : LYSSNA_JOB_CHUNK;
    ssize_t n;

    buf_reset(out);
    if (want == 0)
        return POOL_DONE;
    if (buf_grow(out, want, e) != LY_OK)
        return 0;
    while ((n = pread(j->hit.fd, out->data, want, (off_t)(j->hit.size - j->left))) < 0 &&
           errno == EINTR)
        ;
    if (n <= 0) {
        err_set(e, LY_EIO, "cannot read cached audio: %s", n ? strerror(errno) : "cut short");
        return 0;
    }
    out->len = (size_t)n;
    out->data[n] = '\0';
    j->left -= (uint64_t)n;
    return POOL_AUDIO;
}

/* The worker's POOL_DONE payload "SAMPLES RATE CPU_US": the audio's length (a part's, added
 * to those before it), counted. */
static void count_done(struct job *j, const struct buf *payload)
{
    unsigned long long cpu_us = 0, samples = 0;
    int rate = 0;

    if (sscanf(payload->data, "%llu %d %llu", &samples, &rate, &cpu_us) < 2 || rate <= 0)
        samples = 0, rate = 0;
    j->samples += samples; /* the parts of one job are made at one rate */
    if (rate > 0)
        j->rate = rate;
    j->J->n.audio_ms += rate > 0 ? samples * 1000 / (unsigned)rate : 0;
    j->J->n.synth_us += cpu_us;
}

/* The next part of a text read in parts onto a worker: 1 when there is one, 0 at the end,
 * -1 with e set when it cannot be read or no worker can be had. */
static int next_part(struct job *j, struct err *e)
{
    struct job_spec part = j->spec;

    give_back(j->J, j->work);
    j->work = NULL;
    part.parts = NULL;
    j->part_no++;
    if (j->parts.more(j->parts.ctx, &j->part_no, &part, e))
        return -1;
    if (!part.len)
        return 0;
    j->text_at += j->part_len + 1; /* the newline that joins them */
    j->part_len = part.len;
    j->ms_at = job_ms(j);
    j->work = start(j->J, &part, j->want_marks, NULL, e);
    return j->work ? 1 : -1;
}

/* The entry made: into the cache, and the key let go so that waiters read it. */
static void finish(struct job *j)
{
    struct err e = {0};

    if (j->cw && cache_put_commit(j->cw, &e))
        cache_trouble(j->J, &e);
    j->cw = NULL;
    cache_unclaim(j->claim);
    j->claim = -1;
}

/* A frame from the worker, allowed its silence in slices so that stop is seen. */
static int next_frame(struct job *j, struct buf *out, struct err *e)
{
    volatile sig_atomic_t *stop = j->J->stop;
    int type, silent = 0;

    for (;;) {
        type = pool_job_next(j->work, out, stop ? LYSSNA_JOB_SLICE_MS : j->timeout_ms, e);
        if (stop && *stop)
            return err_set(e, LY_ECANCEL, "interrupted"), 0;
        if (type || !stop || e->code != LY_ETIMEOUT ||
            (silent += LYSSNA_JOB_SLICE_MS) >= j->timeout_ms)
            return type;
        *e = (struct err){0};
    }
}

int job_next(struct job *j, struct buf *out, struct err *e)
{
    struct err ce = {0};
    int type;

    if (j->hit.fd >= 0 || !j->work)
        return j->hit.fd >= 0 ? next_cached(j, out, e) : (buf_reset(out), POOL_DONE);
    if (j->ended)
        return buf_reset(out), POOL_DONE;
    type = next_frame(j, out, e);
    if (type == POOL_AUDIO && j->cw && cache_put_write(j->cw, out->data, out->len, &ce)) {
        cache_put_abort(j->cw); /* a full or read-only cache costs only the caching */
        j->cw = NULL;
        cache_trouble(j->J, &ce);
    } else if (type == POOL_MARK && j->text_at) {
        marks_shift(out, j->text_at, j->ms_at);
    } else if (type == POOL_DONE) {
        count_done(j, out);
        if (j->parts.more) {
            int more = next_part(j, e);
            if (more > 0)
                return job_next(j, out, e);
            if (more < 0)
                return buf_reset(out), 0;
        }
        j->ended = 1;
        buf_reset(out);
        if (j->cw)
            finish(j);
    } else if (type == POOL_ERROR) {
        pool_error(out, e);
        type = 0;
    }
    return type;
}

int job_drain(struct job *j, struct err *e)
{
    struct buf frame;
    int type;

    buf_init(&frame, BUF_NOLIMIT);
    while ((type = job_next(j, &frame, e)) == POOL_AUDIO || type == POOL_MARK)
        ;
    buf_release(&frame);
    return type == POOL_DONE ? LY_OK : e->code ? e->code : LY_ESYNTH;
}

void job_close(struct job *j)
{
    if (!j)
        return;
    if (j->hit.fd >= 0)
        close(j->hit.fd);
    if (j->work)
        give_back(j->J, j->work);
    cache_put_abort(j->cw); /* unfinished: not kept */
    cache_unclaim(j->claim);
    if (j->parts.drop)
        j->parts.drop(j->parts.ctx);
    free(j);
}

int job_check_phonemes(struct jobs *J, const char *voice, const char *phonemes, struct err *e)
{
    const struct pool_request r = {
        .text = phonemes,
        .len = strlen(phonemes),
        .voice = voice,
        .format = ENCODE_WAV,
        .check = 1,
    };
    struct pool_job *w = take_worker(J, &r, e);
    struct buf frame;
    int type;

    if (!w)
        return e->code;
    buf_init(&frame, BUF_NOLIMIT);
    type = pool_job_next(w, &frame, limits_of(J).synth_timeout_ms, e);
    if (type == POOL_ERROR)
        pool_error(&frame, e);
    else if (type == POOL_DONE)
        *e = (struct err){0};
    buf_release(&frame);
    give_back(J, w);
    return type == POOL_DONE ? LY_OK : e->code ? e->code : LY_ESYNTH;
}

void jobs_adopt(struct jobs *J, const char *key, const char *ext, const char *path)
{
    struct cache_writer *w;
    struct cache_hit hit;
    struct err e = {0};
    char chunk[65536];
    ssize_t n;
    int fd;

    if (!J->cache)
        return;
    if (cache_get(J->cache, key, ext, &hit, NULL) == 1) {
        close(hit.fd);
        return;
    }
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        return;
    w = cache_put_begin(J->cache, key, ext, &e);
    while (w && (n = read(fd, chunk, sizeof(chunk))) != 0)
        if ((n < 0 && errno != EINTR) || (n > 0 && cache_put_write(w, chunk, (size_t)n, &e))) {
            cache_put_abort(w);
            w = NULL;
        }
    if (w)
        cache_put_commit(w, &e);
    if (e.code)
        cache_trouble(J, &e);
    close(fd);
}

int job_fill(struct jobs *J, const struct job_spec *js, struct err *e)
{
    struct job *j = job_open(J, js, 0, e);
    int rc;

    if (!j)
        return e->code;
    if (j->work && !j->cw) {
        job_close(j);
        return err_set(e, LY_EIO, "the audio cannot be cached now");
    }
    rc = job_drain(j, e);
    job_close(j);
    return rc;
}

int job_marks(struct jobs *J, const struct job_spec *js, struct buf *out, struct err *e)
{
    struct job_spec wav = *js;
    struct cache_writer *w;
    struct buf frame, marks;
    struct job *j;
    struct err ce = {0};
    int type;

    wav.format = ENCODE_WAV; /* the cheapest to encode, and thrown away */
    buf_init(out, BUF_NOLIMIT);
    if (!(j = open_as(J, &wav, "marks", "json", JOB_MARKS, 0, e)))
        return e->code;
    if (j->hit.fd >= 0) {
        type = job_read_hit(&j->hit, out) ? LY_OK : err_set(e, LY_EIO, "cannot read cached marks");
        job_close(j);
        return type;
    }
    buf_init(&frame, BUF_NOLIMIT);
    buf_init(&marks, BUF_NOLIMIT);
    while ((type = job_next(j, &frame, e)) == POOL_AUDIO || type == POOL_MARK)
        if (type == POOL_MARK) {
            buf_adds(&marks, marks.len ? "," : "", NULL);
            buf_add(&marks, frame.data, frame.len, NULL);
        }
    if (type == POOL_DONE) {
        buf_addf(out, NULL, "{\"duration_ms\":%llu,\"marks\":[%s]}", job_ms(j),
                 marks.len ? marks.data : "");
        if (J->cache && (w = cache_put_begin(J->cache, j->key, "json", &ce))) {
            if (cache_put_write(w, out->data, out->len, &ce))
                cache_put_abort(w);
            else
                cache_put_commit(w, &ce); /* frees w whatever happens */
        }
        if (ce.code)
            cache_trouble(J, &ce);
    }
    buf_release(&frame);
    buf_release(&marks);
    job_close(j);
    return type == POOL_DONE ? LY_OK : e->code ? e->code : LY_ESYNTH;
}
