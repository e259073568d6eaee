/* job.h -- the public face of job/: one way to make a job's audio, for every front (the
 * service's routes, Wyoming, HLS, batch, the prefetch). A job's audio is read from the cache
 * when it is there; else its key is claimed (one synthesis per key, across threads and
 * across processes sharing the cache folder: the others wait and then read the cache), a
 * worker is taken from the queue, and its audio is copied into the cache as it comes. Cache
 * trouble is logged (a line a minute) and costs only the caching; each job is counted once;
 * closing a job before its end stops its worker. Fronts keep only their own framing. */
#ifndef LYSSNA_JOB_H
#define LYSSNA_JOB_H

#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>

#include "base/base.h"
#include "cache/cache.h"
#include "lexicon/lexicon.h"
#include "speech/speech.h"

struct jobs;
struct job;

struct job_spec;

/* A text read in parts while it is spoken (a long or scanned document: its first page is
 * heard before the rest is read). The spec's text is part 0; more() puts the text, len,
 * line_langs and nlines of the first part from *k on that has text into *part, and its
 * number into *k (len 0: there is none), borrowed until the job closes. The job holds ctx
 * (hold) from job_open to job_close (drop); several jobs may read one ctx. Marks of later
 * parts come shifted into the whole (their text joined by newlines, their audio one after
 * the other). The text is not known when the job opens: the key takes key (the document's
 * digest) and the lexicon's generation instead of the text and the entries it uses. The parts
 * are encoded one after the other, so the format must be one whose streams join (MP3). */
struct job_parts {
    int (*more)(void *ctx, int *k, struct job_spec *part, struct err *e);
    void (*hold)(void *ctx);
    void (*drop)(void *ctx);
    void *ctx;
    const char *key;
};

/* What to synthesize; text and line_langs are borrowed. */
struct job_spec {
    const char *text;
    size_t len;
    int ssml;
    const char *const *line_langs;
    size_t nlines;
    char voice[64];
    int rate;
    enum encode_format format;
    const char *host;  /* the page's host, for lexicon entries of one site; NULL: none */
    const char *edits; /* entries to use instead of the lexicon's (a preview); NULL: none */
    const struct job_parts *parts; /* the text read in parts; NULL: it is whole */
};

/* The limits in force (the service reloads them on SIGHUP). */
struct jobs_limits {
    const char *engine;   /* voice_data_version(): part of every key */
    int queue;            /* jobs that may wait for a worker at once; <= 0: no limit */
    int queue_wait_ms;    /* how long one may wait; < 0: until a worker is free */
    int synth_timeout_ms; /* how long a worker may be silent */
};

/* Counted once per job, whichever front asked. */
struct job_counts {
    atomic_ulong hits, misses; /* audio and marks found in the cache, or not */
    atomic_ulong syntheses;    /* jobs handed to a worker */
    atomic_ulong waiting;      /* jobs waiting for a worker now */
    atomic_ullong audio_ms, synth_us;
    atomic_ulong queue_wait[8]; /* waits for a worker by bucket, see job_queue_wait_bounds */
    atomic_ullong queue_wait_us;
};

/* The queue wait histogram's bucket bounds in microseconds (the last bucket is +Inf). */
extern const unsigned long job_queue_wait_bounds[7];

/* Jobs on pool's workers, cached in cache (NULL: none). stop (may be NULL) is a signal
 * flag: once set, waits and jobs end with LY_ECANCEL. */
struct jobs *jobs_new(struct pool *pool, struct cache *cache, const struct jobs_limits *l,
                      volatile sig_atomic_t *stop);
void jobs_free(struct jobs *J); /* NULL is a no-op */
/* New limits; jobs already running keep theirs. */
void jobs_configure(struct jobs *J, const struct jobs_limits *l);
const struct job_counts *jobs_counts(const struct jobs *J);
/* The editors' lexicon whose entries jobs use (NULL: none); lx must outlive J. Set before
 * the first job. */
void jobs_set_lexicon(struct jobs *J, struct lexicon *lx);
/* Whether espeak-ng, in a worker, can say phonemes (no brackets) with voice: LY_OK, or
 * LY_EUSAGE saying what it would leave out (LY_EVOICE: no such voice). */
int job_check_phonemes(struct jobs *J, const char *voice, const char *phonemes, struct err *e);
/* Wakes jobs waiting for a worker (a worker was replaced outside a job). */
void jobs_wake(struct jobs *J);

/* The cache key of js's output of kind ("audio" or "marks"): over the text, the voice, rate
 * and format, and the lexicon entries the text uses. */
void job_key(struct jobs *J, const struct job_spec *js, const char *kind,
             char key[CACHE_KEY_HEX + 1]);
/* Looks up a cache entry by key, counting a hit: 1 and hit when there (the caller closes
 * hit->fd), else 0. */
int jobs_lookup(struct jobs *J, const char *key, const char *ext, struct cache_hit *hit);
/* A whole cache entry into out (initialized here; released by the caller): 1 when there. */
int jobs_read(struct jobs *J, const char *key, const char *ext, struct buf *out);
/* The entry of hit read whole into out (appended), hit->fd closed: 1 when it was read. */
int job_read_hit(struct cache_hit *hit, struct buf *out);

enum job_flags {
    JOB_FRESH = 1, /* made anew even when cached (batch: it needs the length), and cached */
    JOB_MARKS = 2, /* speech marks too (with JOB_FRESH: the cache holds no marks) */
};

/* Opens js's audio: from the cache, or made (see above). NULL with e set when no worker
 * could be had (LY_EBUSY past the queue's limits) or the wait was stopped. */
struct job *job_open(struct jobs *J, const struct job_spec *js, int flags, struct err *e);
/* 1 when the audio comes whole from the cache: hit is the entry, its fd the caller's (the
 * job then has nothing more to give). */
int job_cached(struct job *j, struct cache_hit *hit);
/* Whether the audio being made goes into the cache (else a Range cannot be served). */
int job_caching(const struct job *j);
/* The next frame into out: POOL_AUDIO, POOL_MARK (JOB_MARKS only) or POOL_DONE (out holds
 * nothing then), or 0 with e set. */
int job_next(struct job *j, struct buf *out, struct err *e);
/* Reads the job to its end (into the cache); LY_OK or the error. */
int job_drain(struct job *j, struct err *e);
/* The audio's length, once POOL_DONE came from a worker (0 from the cache): in samples at
 * *rate, or in ms. */
void job_length(const struct job *j, unsigned long long *samples, int *rate);
unsigned long long job_ms(const struct job *j);
/* The job's key. */
const char *job_key_of(const struct job *j);
/* Ends the job: unfinished, its worker is stopped and nothing is cached. NULL: a no-op. */
void job_close(struct job *j);

/* Puts a finished file (batch's output) into the cache under key.ext unless it is there. */
void jobs_adopt(struct jobs *J, const char *key, const char *ext, const char *path);
/* Makes js's audio into the cache unless it is there (the prefetch, a Range's first ask). */
int job_fill(struct jobs *J, const struct job_spec *js, struct err *e);
/* js's speech marks as JSON {"duration_ms":N,"marks":[...]} into out (initialized here):
 * cached, else synthesized once (as WAV, whatever js's format: marks do not depend on it)
 * and cached. */
int job_marks(struct jobs *J, const struct job_spec *js, struct buf *out, struct err *e);

#endif
