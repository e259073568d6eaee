/* fetch.h -- download one web page safely: http/https only, allowlisted hosts, never an
 * internal address, bounded in time, size and redirects. Returns the bytes and the charset. */
#ifndef LYSSNA_FETCH_H
#define LYSSNA_FETCH_H

#include <stddef.h>

#include "base/base.h"

struct err;
struct sockaddr;

/* Caller-filled options; zero means "the default" for every number. Strings are borrowed. */
struct fetch_opts {
    const char *const *allow_hosts; /* exact names ("kommun.se") or "*.kommun.se" (subdomains) */
    size_t nallow;
    int allow_any_host;             /* skip the host allowlist (the address block still holds) */
    const char *const *allow_addrs; /* CIDRs exempt from the address block: "127.0.0.0/8", "::1" */
    size_t naddrs;
    long timeout_ms;         /* whole fetch, redirects included; 0: LYSSNA_FETCH_TIMEOUT_MS */
    long connect_timeout_ms; /* each connection; 0: LYSSNA_FETCH_CONNECT_TIMEOUT_MS */
    size_t max_bytes;        /* decoded body; 0: LYSSNA_FETCH_MAX_BYTES */
    int max_redirects;       /* 0: LYSSNA_FETCH_MAX_REDIRECTS; negative: follow none */
    const char *user_agent;  /* NULL: LYSSNA_FETCH_USER_AGENT */
};

#define LYSSNA_FETCH_TIMEOUT_MS         10000L
#define LYSSNA_FETCH_CONNECT_TIMEOUT_MS 5000L
#define LYSSNA_FETCH_MAX_BYTES          (8u << 20)
#define LYSSNA_FETCH_MAX_REDIRECTS      5
#define LYSSNA_FETCH_USER_AGENT         "Lyssna (text-to-speech for this site)"

struct fetch_result {
    struct buf body;    /* the decoded body (gzip and deflate undone), NUL-terminated */
    long status;        /* the origin's final HTTP status; 0 when no answer came */
    char *content_type; /* as sent, or NULL */
    char *charset;      /* lowercased charset parameter of content_type, or NULL */
    char *final_url;    /* the URL after redirects, or NULL */
    long retry_after_s; /* the origin's Retry-After (a 429 or 503), in seconds; 0 when none */
};

/* Why an address is refused; 0 (FETCH_ADDR_OK) means it may be connected to. */
enum fetch_addr_kind {
    FETCH_ADDR_OK = 0,
    FETCH_ADDR_LOOPBACK,
    FETCH_ADDR_PRIVATE,     /* 10/8, 172.16/12, 192.168/16, fc00::/7, fec0::/10 */
    FETCH_ADDR_SHARED,      /* carrier-grade NAT 100.64/10 */
    FETCH_ADDR_LINK_LOCAL,  /* 169.254/16 (cloud metadata), fe80::/10 */
    FETCH_ADDR_MULTICAST,   /* 224/4, ff00::/8 */
    FETCH_ADDR_UNSPECIFIED, /* 0.0.0.0/8, :: */
    FETCH_ADDR_BROADCAST,   /* 255.255.255.255 */
    FETCH_ADDR_RESERVED,    /* documentation, benchmarking, 240/4, not global unicast IPv6 */
    FETCH_ADDR_NOT_INET     /* neither IPv4 nor IPv6 */
};

/* Calls curl_global_init once. Call it from main before any thread starts. */
int fetch_global_init(struct err *e);
void fetch_global_cleanup(void);

/* Refuses a bad option set: an empty allowlist without allow_any_host, a malformed CIDR. The
 * service calls it at start-up, so config mistakes stop it with a reason. */
int fetch_check_opts(const struct fetch_opts *o, struct err *e);

/* Checks url before any connection: LY_EUSAGE when it is not an http or https URL or carries
 * a user name or password, LY_EDENIED when its host is not on the allowlist. No network. */
int fetch_check_url(const char *url, const struct fetch_opts *o, struct err *e);

/* Splits an http(s) url into its host (lowercase, as the allowlist sees it), its origin
 * ("https://host[:port]", the port only when the URL names one) and its path with query
 * ("/" when empty). Each out-parameter may be NULL; free() what is returned. LY_EUSAGE when
 * url is not an http or https URL. No network. */
int fetch_url_split(const char *url, char **host, char **origin, char **path, struct err *e);

/* 0 (FETCH_ADDR_OK) when sa may be connected to, else the enum fetch_addr_kind that forbids
 * it. IPv4-mapped, -compatible, 6to4 and NAT64 IPv6 addresses are judged by their IPv4 part.
 * An address inside one of o->allow_addrs (o may be NULL) is always OK. Pure. */
int fetch_address_blocked(const struct sockaddr *sa, const struct fetch_opts *o);

/* "a loopback address", "a private address"... for messages. */
const char *fetch_addr_kind_name(int kind);

/* The charset parameter of a Content-Type value, lowercased, or NULL when there is none or it
 * is not a plausible charset name. free() the result. */
char *fetch_content_type_charset(const char *content_type);

/* GETs url, following at most max_redirects redirects, each target checked like url itself
 * (a refused target is LY_EDENIED), and every address connected to checked with
 * fetch_address_blocked. Returns LY_EUSAGE (bad URL), LY_EDENIED (host not allowed, blocked
 * address), LY_EHTTP (a final status outside 200-299, or a redirect without Location; the
 * status is in out->status and the message), LY_ETIMEOUT (timeout_ms or connect_timeout_ms),
 * LY_ETOOBIG (decoded body over max_bytes), LY_EFETCH (any other failure, too many redirects
 * included). Unlike most out-parameters, out is always written and left releasable: it holds
 * the response on LY_OK and LY_EHTTP and is empty otherwise, so call fetch_result_release in
 * every case. o must not be NULL. One curl handle per call: safe from several threads. */
int fetch_get_url(const char *url, const struct fetch_opts *o, struct fetch_result *out,
                  struct err *e);

/* Frees what out holds and leaves it empty; safe on an empty or released result. */
void fetch_result_release(struct fetch_result *r);

/* Polite fetching (crawl.c) for `lyssna batch`: at most per_host fetches at once to one
 * host and delay_ms between their starts (or the site's robots.txt Crawl-delay when longer),
 * robots.txt honoured for pages, retries with doubling back-off for 429, 5xx and timeouts.
 * Address safety and the host allowlist are fetch.c's, with its options. Thread-safe. */

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

/* Sitemaps (sitemap.c): the addresses a sitemap lists (sitemaps.org): a <urlset> of pages or a
 * <sitemapindex> of further sitemaps, in XML or plain text (one URL a line), gzipped or
 * not. Parsing only; fetching is the caller's. */

#define LYSSNA_SITEMAP_MAX_BYTES (50u << 20) /* uncompressed, as the protocol caps it */
#define LYSSNA_SITEMAP_MAX_URLS  50000

struct sitemap {
    char **locs; /* the <loc> values in document order, blanks trimmed */
    size_t n;
    int is_index; /* the locs are sitemaps, not pages */
};

/* Whether data looks like a sitemap (gzip, or XML whose root is urlset or sitemapindex)
 * rather than a list of URLs: decides how a file given on the command line is read. */
int sitemap_sniff(const char *data, size_t len);

/* Parses data (gzip undone first) into out. XML is read without network or entity
 * expansion; text that does not start with '<' is taken as one URL a line. LY_EPARSE for
 * broken gzip or XML, LY_ETOOBIG past the caps. out is written only on success. */
int sitemap_parse(const char *data, size_t len, struct sitemap *out, struct err *e);
void sitemap_release(struct sitemap *s);

#endif
