/* robots.h -- robots.txt (RFC 9309) for one user agent: which paths it may fetch, and the
 * Crawl-delay the site asks for. Pure: no network, no global state. */
#ifndef LYSSNA_ROBOTS_H
#define LYSSNA_ROBOTS_H

#include <stddef.h>

struct robots;

/* The rules that apply to agent (a product token such as "lyssna", compared without case):
 * those of every group naming it, else those of the "*" groups. At most the first 512 KiB
 * of txt are read, as RFC 9309 allows. Never fails; NULL txt or len 0 allow everything. */
struct robots *robots_parse(const char *txt, size_t len, const char *agent);

/* Rules that refuse every path but /robots.txt: what RFC 9309 asks of a crawler when the
 * file cannot be fetched because the server fails (5xx, no answer). */
struct robots *robots_disallow_all(void);

void robots_free(struct robots *r); /* NULL is a no-op */

/* Whether path (the URL's path and query as they appear in it, percent-encoded or not) may
 * be fetched: the longest matching rule decides, Allow winning a tie; '*' matches any run
 * of characters and a final '$' the end. No rule matching, or r NULL: allowed. */
int robots_allowed(const struct robots *r, const char *path);

/* The group's Crawl-delay in milliseconds (at most 60 s), 0 when none is given. */
long robots_crawl_delay_ms(const struct robots *r);

#endif
