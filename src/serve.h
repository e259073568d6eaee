/* serve.h -- the HTTP service: listen to a page, speak a text, streamed and cached. */
#ifndef LYSSNA_SERVE_H
#define LYSSNA_SERVE_H

struct config;
struct err;

/* Runs the service until SIGTERM or SIGINT: prints "listening on http://ADDR:PORT" as its
 * first line on stdout, then serves. exe is the lyssna binary (for the worker processes). */
int serve_run(const struct config *cfg, const char *exe, struct err *e);

#endif
