/* auth.c -- API keys in the service: the key file and require_keys of the settings in force
 * (reloaded with them on SIGHUP), the caller's key from "Authorization: Bearer", whether an
 * API may be called without one, each key's own rate limit and text cap (a request without a
 * key is held to its address's), and requests counted by key name for /metrics (never the key
 * itself). */
#include "serve_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

/* Requests by key name; names stay once seen (a reload that drops a key keeps its count). */
#define LYSSNA_KEY_STATS 64

struct key_stats {
    char name[64];
    unsigned long requests, refused;
};

/* API_OPEN has no name: require_keys cannot name it. */
static const char *const api_names[] = {"", "openai", "marytts", "opentts", "prefetch", "lexicon"};

static int parse_required(const char *list, unsigned *out, struct err *e)
{
    char word[32];
    const char *p = list;
    size_t n, i;

    *out = 1u << API_PREFETCH | 1u << API_LEXICON; /* never without a key */
    while (*(p += strspn(p, " ,"))) {
        n = strcspn(p, " ,");
        snprintf(word, sizeof(word), "%.*s", (int)n, p);
        for (i = 1; i < sizeof(api_names) / sizeof(api_names[0]); i++)
            if (!strcmp(word, api_names[i]))
                break;
        if (i == sizeof(api_names) / sizeof(api_names[0]))
            return err_set(e, LY_EUSAGE,
                           "require_keys: unknown API '%s' (openai, marytts or opentts)", word);
        *out |= 1u << i;
        p += n;
    }
    return LY_OK;
}

int auth_load(struct live *l, const struct config *cfg, struct err *e)
{
    int rc = parse_required(cfg->require_keys, &l->required, e);

    if (rc == LY_OK && cfg->keys_file[0])
        rc = keys_load(&l->keys, cfg->keys_file, e);
    return rc;
}

void auth_identify(struct server *srv, struct MHD_Connection *c, struct request *rq)
{
    const char *token =
        keys_bearer(MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization"));

    rq->key = token ? keys_find(&live_of(srv)->keys, token) : NULL;
    /* the editor's page carries a cookie instead, for the lexicon's routes only */
    if (!token && rq->route && rq->route->key == API_LEXICON)
        session_identify(srv, c, rq);
    /* OpenAI's clients send a key whatever the server: only one that looks like ours but is
       not counts as wrong, and only where a key is needed */
    rq->bad_key = token && !rq->key;
}

size_t auth_max_text(struct server *srv, const struct request *rq)
{
    if (rq->key && rq->key->max_text_bytes > 0)
        return (size_t)rq->key->max_text_bytes;
    return (size_t)cfg_of(srv)->max_text_bytes;
}

/* The stats slot of name, made when new (NULL when the table is full); under srv->lock. */
static struct key_stats *stats_of(struct server *srv, const char *name)
{
    size_t i;

    if (!srv->keys)
        srv->keys = xcalloc(LYSSNA_KEY_STATS, sizeof(*srv->keys));
    for (i = 0; i < LYSSNA_KEY_STATS && srv->keys[i].name[0]; i++)
        if (!strcmp(srv->keys[i].name, name))
            return &srv->keys[i];
    if (i == LYSSNA_KEY_STATS)
        return NULL;
    snprintf(srv->keys[i].name, sizeof(srv->keys[i].name), "%s", name);
    return &srv->keys[i];
}

static void count(struct server *srv, const struct api_key *k, int refused)
{
    struct key_stats *st;

    pthread_mutex_lock(&srv->lock);
    if ((st = stats_of(srv, k->name))) {
        st->requests++;
        st->refused += refused != 0;
    }
    pthread_mutex_unlock(&srv->lock);
}

/* The key's own limit, and whether api needs a key at all. */
static const char *check_key(struct server *srv, struct request *rq, enum api api, int *status)
{
    const struct api_key *k = rq->key;
    char bucket[80];
    int limit;

    if (!k && (live_of(srv)->required & (1u << api))) {
        *status = MHD_HTTP_UNAUTHORIZED;
        return rq->bad_key ? "the API key is not known here"
                           : "an API key is needed: send Authorization: Bearer KEY";
    }
    if (!k)
        return NULL;
    limit = k->rate_limit < 0 ? cfg_of(srv)->rate_limit : k->rate_limit;
    snprintf(bucket, sizeof(bucket), "key:%s", k->name);
    if (!rate_allows_at(srv, bucket, limit)) {
        count(srv, k, 1);
        *status = MHD_HTTP_TOO_MANY_REQUESTS;
        return "too many requests with this key: wait a minute";
    }
    count(srv, k, 0);
    return NULL;
}

const char *auth_admit(struct server *srv, struct request *rq, enum api api, int *status)
{
    if (rq->key || (live_of(srv)->required & (1u << api)))
        return check_key(srv, rq, api, status);
    if (rate_allows(srv, rq->client))
        return NULL;
    *status = MHD_HTTP_TOO_MANY_REQUESTS;
    return "too many requests from this address: wait a minute";
}

void auth_metrics(struct server *srv, struct buf *out)
{
    size_t i;

    /* the text format wants each metric's lines together, under its TYPE line */
    pthread_mutex_lock(&srv->lock);
    buf_adds(out, "# TYPE lyssna_key_requests_total counter\n", NULL);
    for (i = 0; srv->keys && i < LYSSNA_KEY_STATS && srv->keys[i].name[0]; i++)
        buf_addf(out, NULL, "lyssna_key_requests_total{key=\"%s\"} %lu\n", srv->keys[i].name,
                 srv->keys[i].requests);
    buf_adds(out, "# TYPE lyssna_key_refused_total counter\n", NULL);
    for (i = 0; srv->keys && i < LYSSNA_KEY_STATS && srv->keys[i].name[0]; i++)
        buf_addf(out, NULL, "lyssna_key_refused_total{key=\"%s\"} %lu\n", srv->keys[i].name,
                 srv->keys[i].refused);
    pthread_mutex_unlock(&srv->lock);
}

void auth_release(struct server *srv)
{
    free(srv->keys);
    srv->keys = NULL;
}
