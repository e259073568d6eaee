/* wyoming.h -- Wyoming, Home Assistant's voice protocol, served on a TCP port of its own
 * (--wyoming ADDR:PORT, off by default): describe -> info, synthesize -> audio-start,
 * audio-chunk..., audio-stop, and the streaming form (synthesize-start, synthesize-chunk...,
 * synthesize-stop -> audio per sentence, then synthesize-stopped). It is a front of the
 * service like its HTTP routes, so it lives in serve/ and gets its audio through the
 * service's cache, queue and worker pool (the host below), never from espeak-ng itself. */
#ifndef LYSSNA_WYOMING_H
#define LYSSNA_WYOMING_H

#include "speech/speech.h"

struct config;
struct err;
struct wyoming;

struct wyoming_audio; /* the host's: one text's audio being read */

/* What the service lends the Wyoming server. All are called from connection threads. */
struct wyoming_host {
    void *ctx;
    /* Audio for r: from the cache, else a job on a worker (waiting as HTTP requests wait)
     * whose audio goes into the cache too. NULL with e set (LY_EBUSY, ...). */
    struct wyoming_audio *(*open)(void *ctx, const struct pool_request *r, struct err *e);
    /* The next piece into out: POOL_AUDIO, POOL_DONE at the end, or 0 with e set. */
    int (*next)(struct wyoming_audio *a, struct buf *out, struct err *e);
    void (*close)(struct wyoming_audio *a); /* also before the end: the rest is dropped */
    /* The settings in force: the text cap, timeouts and connection limits. */
    const struct config *(*config)(void *ctx);
    /* One event answered (its type), with ok 0 when it ended in an error; may be NULL. */
    void (*count)(void *ctx, const char *type, int ok);
};

/* Listens on listen (ADDR:PORT; port 0 picks one, written to *port) and serves each connection
 * in a thread of its own. host is copied. NULL with e set when the address cannot be bound. */
struct wyoming *wyoming_start(const char *listen, const struct wyoming_host *host, int *port,
                              struct err *e);

/* Stops accepting, closes the open connections and waits for their threads; NULL is a no-op. */
void wyoming_stop(struct wyoming *w);

#endif
