/* crawl.h -- polite fetching for `lyssna batch`: at most per_host fetches at once to one
 * host and delay_ms between their starts (or the site's robots.txt Crawl-delay when longer),
 * robots.txt honoured for pages, retries with doubling back-off for 429, 5xx and timeouts.
 * Address safety and the host allowlist are fetch.c's, with its options. Thread-safe. */
#ifndef LYSSNA_CRAWL_H
#define LYSSNA_CRAWL_H

#include "fetch.h"

struct err;
struct crawl;

struct crawl_opts {
    struct fetch_opts fetch; /* allow_hosts is extended by crawl_allow_host */
    int per_host;            /* fetches at once per host; 0: LYSSNA_CRAWL_PER_HOST */
    long delay_ms;           /* between fetch starts on one host; negative: none */
    int retries;             /* further attempts after a retryable failure */
    long backoff_ms;         /* wait before the first retry, doubled for each next; 0: 1000 */
    const char *agent;       /* robots.txt product token; NULL: "lyssna" */
};

#define LYSSNA_CRAWL_PER_HOST 2
#define LYSSNA_CRAWL_AGENT    "lyssna"

/* Copies o (its strings and lists stay borrowed). */
struct crawl *crawl_new(const struct crawl_opts *o);
void crawl_free(struct crawl *c); /* NULL is a no-op */

/* Adds host to the allowlist; call before any crawl_get from another thread. */
void crawl_allow_host(struct crawl *c, const char *host);

/* Whether the allowlist is empty and any host is not allowed: a batch with nothing to fetch
 * from. */
int crawl_allows_nothing(const struct crawl *c);

/* GETs url politely. With robots set, a path its host's robots.txt disallows is refused
 * with LY_EDENIED before any request (robots.txt is fetched once per host: 4xx means no
 * rules, a 5xx or no answer refuses the whole host, as RFC 9309 asks). Errors and out as
 * fetch_get_url; *attempts (may be NULL) says how many requests were made. */
int crawl_get(struct crawl *c, const char *url, int robots, struct fetch_result *out, int *attempts,
              struct err *e);

#endif
