/* crawl.c -- per-host manners around fetch_get_url. One record per origin (scheme, host,
 * port) holds how many fetches run there, when the next may start and its robots.txt; all
 * records share one mutex and one condition variable on the monotonic clock, which is
 * plenty for a batch's few fetches a second. robots.txt is fetched by the first thread that
 * needs it while the others for that host wait. */
#include "fetch.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "base/base.h"
#include "robots.h"

#include "banned.h"

#define LYSSNA_RETRY_AFTER_MAX 300 /* s: a longer Retry-After is cut to this */

struct host {
    char *origin;
    int active;
    struct timespec next; /* monotonic: the earliest start of the next fetch */
    int robots_state;     /* 0 not fetched, 1 being fetched, 2 known */
    struct robots *robots;
    struct host *older;
};

struct crawl {
    struct crawl_opts o;
    char **allow; /* the allowlist fetch sees: the given hosts and the added ones */
    size_t nallow, cap, ngiven;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    struct host *hosts;
};

struct crawl *crawl_new(const struct crawl_opts *o)
{
    struct crawl *c = xcalloc(1, sizeof(*c));
    pthread_condattr_t ca;
    size_t i;

    c->o = *o;
    if (c->o.per_host <= 0)
        c->o.per_host = LYSSNA_CRAWL_PER_HOST;
    if (c->o.backoff_ms <= 0)
        c->o.backoff_ms = 1000;
    if (!c->o.agent)
        c->o.agent = LYSSNA_CRAWL_AGENT;
    for (i = 0; i < o->fetch.nallow; i++)
        crawl_allow_host(c, o->fetch.allow_hosts[i]);
    pthread_mutex_init(&c->lock, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&c->changed, &ca);
    pthread_condattr_destroy(&ca);
    return c;
}

void crawl_free(struct crawl *c)
{
    struct host *h;
    size_t i;

    if (!c)
        return;
    while ((h = c->hosts)) {
        c->hosts = h->older;
        robots_free(h->robots);
        free(h->origin);
        free(h);
    }
    for (i = 0; i < c->nallow; i++)
        free(c->allow[i]);
    free(c->allow);
    pthread_cond_destroy(&c->changed);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

void crawl_allow_host(struct crawl *c, const char *host)
{
    size_t i;

    for (i = 0; i < c->nallow; i++)
        if (!strcasecmp(c->allow[i], host))
            return;
    if (c->nallow == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 8;
        c->allow = xreallocarray(c->allow, c->cap, sizeof(*c->allow));
    }
    c->allow[c->nallow++] = xstrdup(host);
    c->o.fetch.allow_hosts = (const char *const *)c->allow;
    c->o.fetch.nallow = c->nallow;
}

int crawl_allows_nothing(const struct crawl *c)
{
    return c->nallow == 0 && !c->o.fetch.allow_any_host;
}

static struct host *host_of(struct crawl *c, const char *origin)
{
    struct host *h;

    for (h = c->hosts; h; h = h->older)
        if (!strcmp(h->origin, origin))
            return h;
    h = xcalloc(1, sizeof(*h));
    h->origin = xstrdup(origin);
    h->older = c->hosts;
    c->hosts = h;
    return h;
}

static int before(const struct timespec *a, const struct timespec *b)
{
    return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

static void add_ms(struct timespec *t, long ms)
{
    t->tv_sec += ms / 1000;
    t->tv_nsec += (ms % 1000) * 1000000L;
    if (t->tv_nsec >= 1000000000L) {
        t->tv_sec++;
        t->tv_nsec -= 1000000000L;
    }
}

/* Waits for a free slot on h whose start time has come, and takes it. Called locked. */
static void take_slot(struct crawl *c, struct host *h)
{
    struct timespec now;
    long delay = c->o.delay_ms > 0 ? c->o.delay_ms : 0;

    if (robots_crawl_delay_ms(h->robots) > delay)
        delay = robots_crawl_delay_ms(h->robots);
    for (;;) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (h->active < c->o.per_host && !before(&now, &h->next))
            break;
        if (h->active >= c->o.per_host)
            pthread_cond_wait(&c->changed, &c->lock);
        else
            pthread_cond_timedwait(&c->changed, &c->lock, &h->next);
    }
    h->active++;
    h->next = now;
    add_ms(&h->next, delay);
}

static int retryable(int rc, long status)
{
    return rc == LY_ETIMEOUT || rc == LY_EFETCH ||
           (rc == LY_EHTTP && (status == 429 || status >= 500));
}

/* fetch_get_url in one of h's slots, again after a growing pause while it fails in a way
 * that waiting may cure. */
static int fetch_politely(struct crawl *c, struct host *h, const char *url,
                          struct fetch_result *out, int *attempts, struct err *e)
{
    long wait = c->o.backoff_ms;
    int rc, i;

    for (i = 0;; i++) {
        if (i > 0)
            fetch_result_release(out);
        pthread_mutex_lock(&c->lock);
        take_slot(c, h);
        pthread_mutex_unlock(&c->lock);
        rc = fetch_get_url(url, &c->o.fetch, out, e);
        pthread_mutex_lock(&c->lock);
        h->active--;
        pthread_cond_broadcast(&c->changed);
        pthread_mutex_unlock(&c->lock);
        if (attempts)
            *attempts = i + 1;
        if (!retryable(rc, out->status) || i >= c->o.retries)
            return rc;
        /* an origin that says when to come back is believed, up to LYSSNA_RETRY_AFTER_MAX */
        if (out->retry_after_s * 1000 > wait)
            wait = out->retry_after_s > LYSSNA_RETRY_AFTER_MAX ? LYSSNA_RETRY_AFTER_MAX * 1000L
                                                               : out->retry_after_s * 1000;
        nanosleep(&(struct timespec){wait / 1000, (wait % 1000) * 1000000L}, NULL);
        wait *= 2;
    }
}

static struct robots *load_robots(struct crawl *c, struct host *h)
{
    struct fetch_result r;
    struct err e = {0};
    struct robots *rb = NULL;
    size_t n = strlen(h->origin) + 16;
    char *url = xmalloc(n);
    int rc;

    snprintf(url, n, "%s/robots.txt", h->origin);
    rc = fetch_politely(c, h, url, &r, NULL, &e);
    if (!rc)
        rb = robots_parse(r.body.data, r.body.len, c->o.agent);
    else if (retryable(rc, r.status))
        rb = robots_disallow_all(); /* the server fails: assume it wants no visitors */
    /* 4xx: no rules. A refused host or address: the page's own fetch will say so. */
    fetch_result_release(&r);
    free(url);
    return rb;
}

/* h's robots.txt rules, fetched on first use. Called locked; may unlock while fetching. */
static const struct robots *robots_of(struct crawl *c, struct host *h)
{
    struct robots *rb;

    while (h->robots_state == 1)
        pthread_cond_wait(&c->changed, &c->lock);
    if (h->robots_state == 0) {
        h->robots_state = 1;
        pthread_mutex_unlock(&c->lock);
        rb = load_robots(c, h);
        pthread_mutex_lock(&c->lock);
        h->robots = rb;
        h->robots_state = 2;
        pthread_cond_broadcast(&c->changed);
    }
    return h->robots;
}

int crawl_get(struct crawl *c, const char *url, int robots, struct fetch_result *out, int *attempts,
              struct err *e)
{
    char *origin = NULL, *path = NULL;
    struct host *h;
    int rc, allowed = 1;

    memset(out, 0, sizeof(*out));
    buf_init(&out->body, 0);
    if (attempts)
        *attempts = 0;
    rc = fetch_url_split(url, NULL, &origin, &path, e);
    if (!rc)
        rc = fetch_check_url(url, &c->o.fetch, e);
    if (rc)
        goto out;
    pthread_mutex_lock(&c->lock);
    h = host_of(c, origin);
    if (robots)
        allowed = robots_allowed(robots_of(c, h), path);
    pthread_mutex_unlock(&c->lock);
    if (!allowed) {
        rc = err_set(e, LY_EDENIED, "'%.100s' is disallowed by robots.txt", url);
        goto out;
    }
    fetch_result_release(out);
    rc = fetch_politely(c, h, url, out, attempts, e);
out:
    free(origin);
    free(path);
    return rc;
}
