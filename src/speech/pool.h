/* pool.h -- synthesis in a pool of worker processes. espeak-ng is not thread-safe and can
 * crash on odd input, so each worker is a forked process with its own espeak-ng; a worker
 * that dies or hangs is killed and replaced, and only its own request fails. */
#ifndef LYSSNA_POOL_H
#define LYSSNA_POOL_H

#include <stddef.h>
#include <stdint.h>

#include "base/base.h"
#include "encode.h"

struct err;
struct pool;
struct pool_job;

struct pool_request {
    const char *text; /* UTF-8 text, or SSML when ssml is set */
    size_t len;
    int ssml;
    const char *const *line_langs; /* per line, or NULL */
    size_t nlines;
    const char *voice; /* voice profile name */
    int rate;          /* words per minute; 0: the voice's own */
    enum encode_format format;
    int want_marks;
    const char *edits; /* the editors' lexicon entries the text uses (normalize_rules_edited) */
    size_t edits_len;
    int check; /* not speech: text is phonemes, checked with the voice (synth_check_phonemes):
                  DONE when espeak-ng can say them, else ERROR saying why */
};

enum pool_frame_type {
    POOL_AUDIO = 1, /* encoded audio bytes */
    POOL_MARK,      /* one speech mark as a JSON object */
    POOL_DONE,      /* the end: payload "SAMPLES RATE CPU_US" in decimal (CPU_US: the
                       worker's CPU time for the request, in microseconds) */
    POOL_ERROR,     /* the end: payload "CODE message" */
    POOL_CANCEL,    /* to the worker: stop the request (it then ends with POOL_ERROR) */
};

/* Starts n workers (n <= 0: one per core), each `EXE worker` (exe: the lyssna binary). */
struct pool *pool_new(const char *exe, int n, struct err *e);
void pool_free(struct pool *p); /* kills the workers; NULL is a no-op */
int pool_idle(struct pool *p);
/* How many workers were running (busy or idle); those found dead while idle are replaced
 * (and counted from the next call on), as pool_start would on their next job. */
int pool_check(struct pool *p);
/* Replaces every worker with a new one, which loads the word lists and voices afresh: idle
 * workers at once, busy ones when their job ends, so no running stream is cut. */
void pool_recycle(struct pool *p);

/* Hands r to an idle worker, or returns NULL with LY_EBUSY when all are busy (the caller
 * queues) and LY_ESYNTH when no worker could be started. A worker that has died, is dying or is
 * stopped (killed, a signal pending, SIGSTOP, its socket closed) gets no job: it is replaced, and
 * another worker, or its replacement, takes the job. Thread-safe. */
struct pool_job *pool_start(struct pool *p, const struct pool_request *r, struct err *e);

/* Waits up to timeout_ms for the job's next frame. Returns its type with the payload in
 * out (reset first), or 0 with e set: LY_ETIMEOUT when the worker is silent that long,
 * LY_ESYNTH when it died. After POOL_DONE or POOL_ERROR nothing more comes. */
int pool_job_next(struct pool_job *j, struct buf *out, int timeout_ms, struct err *e);

/* The error a POOL_ERROR frame carries ("CODE message") into e; returns the code. */
int pool_error(const struct buf *payload, struct err *e);

/* Ends the job and frees it. A job that did not reach its end (the client left) is stopped:
 * its worker is kept when it stops within 2 s, else (and when it hung or died) it is killed
 * and a new one started. */
void pool_job_end(struct pool_job *j);

/* `lyssna worker`: serves requests arriving on fd until it closes. */
int pool_worker_main(int fd);

#endif
