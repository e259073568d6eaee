/* serve.h -- the HTTP service: listen to a page, speak a text, streamed and cached. */
#ifndef LYSSNA_SERVE_H
#define LYSSNA_SERVE_H

struct config;
struct err;

/* How SIGHUP reads the settings again: load fills a config as start-up did (file, then
 * flags) or fails with e set. */
struct serve_reload {
    int (*load)(void *ctx, struct config *out, struct err *e);
    void *ctx;
};

/* Runs the service until SIGTERM or SIGINT: prints "listening on http://ADDR:PORT" as its
 * first line on stdout, then serves; SIGHUP reloads the settings and voice data through
 * how without dropping a connection. exe is the lyssna binary (for the worker processes). */
int serve_run(const struct config *cfg, const struct serve_reload *how, const char *exe,
              struct err *e);

#endif
