/* serve.c -- `lyssna serve`: the daemon and its lifecycle. libmicrohttpd runs in
 * thread-per-connection mode (a connection's thread may block on its synthesis worker;
 * nothing else waits for it). Here: the listening socket, the settings in force and their
 * reload on SIGHUP, the checks of a request's framing, the routing table that hands each
 * request to its route's file (routes_*.c, metrics.c) after its rate limit and key, and the
 * access log. <microhttpd.h> is included only in src/serve/. */
#include "serve.h"

#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/base.h"
#include "cache/cache.h"
#include "fetch/fetch.h"
#include "serve_int.h"
#include "speech/speech.h"

#include "banned.h"

struct live *live_of(struct server *srv)
{
    return atomic_load(&srv->live);
}

const struct config *cfg_of(struct server *srv)
{
    return &live_of(srv)->cfg;
}

static enum MHD_Result answer_health(struct server *srv, struct MHD_Connection *c,
                                     struct request *rq)
{
    (void)rq;
    return send_buffer(srv, c, MHD_HTTP_OK, "text/plain", "ok\n", 3);
}

/* A CORS preflight, whatever the path: the CORS headers tell the browser what it may send. */
static enum MHD_Result answer_preflight(struct server *srv, struct MHD_Connection *c,
                                        struct request *rq)
{
    (void)rq;
    return send_buffer(srv, c, MHD_HTTP_NO_CONTENT, "text/plain", "", 0);
}

static enum MHD_Result answer_unknown(struct server *srv, struct MHD_Connection *c,
                                      struct request *rq)
{
    (void)rq;
    return send_json(srv, c, MHD_HTTP_NOT_FOUND,
                     json_pack("{s:s, s:s}", "error", "not_found", "message",
                               "no such endpoint: see /v1/voices, /v1/speak, /v1/listen"));
}

/* The routing table. Lyssna's own API costs a token a request and needs no key; the other
 * APIs' routes need one when require_keys names them, their lists of voices and models never. */
/* clang-format off */
const struct route serve_routes[] = {
    {.methods = ROUTE_GET, .path = "/healthz", .answer = answer_health, .rate = RATE_FREE,
     .key = API_OPEN, .while_draining = 1, .metric = "healthz"},
    {.methods = ROUTE_GET, .path = "/readyz", .answer = answer_ready, .rate = RATE_FREE,
     .key = API_OPEN, .while_draining = 1, .metric = "readyz"},
    {.methods = ROUTE_GET, .path = "/metrics", .answer = answer_metrics, .rate = RATE_FREE,
     .key = API_OPEN, .while_draining = 1, .metric = "metrics"},
    {.methods = ROUTE_GET, .path = "/v1/voices", .answer = answer_voices, .rate = RATE_FREE,
     .key = API_OPEN, .metric = "voices"},
    /* the demo page at /, the widget's files; no such endpoint for any other request */
    {.methods = ROUTE_GET, .path = "/", .match = PATH_PREFIX, .answer = answer_static,
     .rate = RATE_FREE, .key = API_OPEN, .metric = "static"},
    {.methods = ROUTE_GET, .path = "/v1/", .match = PATH_PREFIX, .answer = answer_unknown,
     .rate = RATE_FREE, .key = API_OPEN, .metric = "other"},
    {.methods = ROUTE_GET | ROUTE_POST | ROUTE_OTHER, .path = "", .match = PATH_PREFIX,
     .answer = answer_unknown, .rate = RATE_FREE, .key = API_OPEN, .metric = "other"},
    {.methods = ROUTE_OPTIONS, .path = "", .match = PATH_PREFIX, .answer = answer_preflight,
     .rate = RATE_FREE, .key = API_OPEN, .metric = "other"},
    /* Lyssna's own API */
    {.methods = ROUTE_POST, .path = "/v1/speak", .answer = answer_speak,
     .rate = RATE_TOKEN, .key = API_OPEN, .metric = "speak"},
    {.methods = ROUTE_POST, .path = "/v1/speak/marks", .answer = answer_speak_marks,
     .rate = RATE_TOKEN, .key = API_OPEN, .metric = "speak_marks"},
    {.methods = ROUTE_GET, .path = "/v1/listen", .answer = answer_listen,
     .rate = RATE_TOKEN, .key = API_OPEN, .metric = "listen"},
    {.methods = ROUTE_GET, .path = "/v1/listen/marks", .answer = answer_listen_marks,
     .rate = RATE_TOKEN, .key = API_OPEN, .metric = "listen_marks"},
    {.methods = ROUTE_GET, .path = "/v1/listen/text", .answer = answer_listen_text,
     .rate = RATE_TOKEN, .key = API_OPEN, .metric = "listen_text"},
    {.methods = ROUTE_GET, .path = "/read", .answer = answer_read,
     .rate = RATE_TOKEN, .key = API_OPEN, .metric = "read"},
    {.methods = ROUTE_GET, .path = "/v1/listen.vtt", .answer = answer_listen_vtt,
     .rate = RATE_TOKEN, .key = API_OPEN, .metric = "vtt"},
    {.methods = ROUTE_GET, .path = "/v1/listen.m3u8", .answer = answer_listen_hls,
     .rate = RATE_TOKEN, .key = API_OPEN, .metric = "hls"},
    /* a playlist's segments cost no synthesis: they are not counted against the client */
    {.methods = ROUTE_GET, .path = "/v1/hls/", .match = PATH_PREFIX, .answer = answer_hls_segment,
     .rate = RATE_FREE, .key = API_OPEN, .metric = "hls_segment"},
    {.methods = ROUTE_POST, .path = "/v1/listen", .answer = answer_listen_post,
     .rate = RATE_TOKEN, .key = API_OPEN, .metric = "listen_post"},
    {.methods = ROUTE_GET, .path = "/v1/audio/", .match = PATH_PREFIX, .answer = answer_audio_key,
     .rate = RATE_TOKEN, .key = API_OPEN, .metric = "audio"},
    /* the APIs other software speaks, their refusals in their own shapes; and the prefetch */
    {.methods = ROUTE_POST, .path = "/v1/audio/speech", .answer = answer_openai,
     .rate = RATE_TOKEN, .key = API_OPENAI, .refusals = REFUSE_OPENAI, .metric = "openai_speech"},
    {.methods = ROUTE_GET, .path = "/v1/models", .answer = answer_openai_models,
     .rate = RATE_TOKEN, .key = API_OPEN, .refusals = REFUSE_OPENAI, .metric = "openai_models"},
    {.methods = ROUTE_GET | ROUTE_POST, .path = "/process", .answer = answer_marytts,
     .rate = RATE_TOKEN, .key = API_MARYTTS, .refusals = REFUSE_TEXT, .metric = "marytts"},
    {.methods = ROUTE_GET, .path = "/voices", .answer = answer_marytts_info,
     .rate = RATE_TOKEN, .key = API_OPEN, .refusals = REFUSE_TEXT, .metric = "marytts_info"},
    {.methods = ROUTE_GET, .path = "/locales", .answer = answer_marytts_info,
     .rate = RATE_TOKEN, .key = API_OPEN, .refusals = REFUSE_TEXT, .metric = "marytts_info"},
    {.methods = ROUTE_GET, .path = "/version", .answer = answer_marytts_info,
     .rate = RATE_TOKEN, .key = API_OPEN, .refusals = REFUSE_TEXT, .metric = "marytts_info"},
    {.methods = ROUTE_GET | ROUTE_POST, .path = "/api/tts", .answer = answer_opentts,
     .rate = RATE_TOKEN, .key = API_OPENTTS, .metric = "opentts"},
    {.methods = ROUTE_GET, .path = "/api/voices", .answer = answer_opentts_info,
     .rate = RATE_TOKEN, .key = API_OPEN, .metric = "opentts_info"},
    {.methods = ROUTE_GET, .path = "/api/languages", .answer = answer_opentts_info,
     .rate = RATE_TOKEN, .key = API_OPEN, .metric = "opentts_info"},
    {.methods = ROUTE_POST, .path = "/v1/prefetch", .answer = answer_prefetch,
     .rate = RATE_TOKEN, .key = API_PREFETCH, .metric = "prefetch"},
    /* the editors' lexicon: an editor's key only */
    {.methods = ROUTE_GET | ROUTE_POST, .path = "/v1/lexicon", .answer = answer_lexicon,
     .rate = RATE_TOKEN, .key = API_LEXICON, .metric = "lexicon"},
    {.methods = ROUTE_OTHER, .path = "/v1/lexicon/", .match = PATH_PREFIX,
     .answer = answer_lexicon_entry, .rate = RATE_TOKEN, .key = API_LEXICON, .metric = "lexicon"},
    {.methods = ROUTE_GET, .path = "/v1/lexicon/history", .answer = answer_lexicon_history,
     .rate = RATE_TOKEN, .key = API_LEXICON, .metric = "lexicon"},
    {.methods = ROUTE_POST, .path = "/v1/lexicon/undo", .answer = answer_lexicon_undo,
     .rate = RATE_TOKEN, .key = API_LEXICON, .metric = "lexicon"},
    {.methods = ROUTE_POST, .path = "/v1/lexicon/import", .answer = answer_lexicon_import,
     .rate = RATE_TOKEN, .key = API_LEXICON, .metric = "lexicon_import"},
    {.methods = ROUTE_GET, .path = "/v1/lexicon/export", .answer = answer_lexicon_export,
     .rate = RATE_TOKEN, .key = API_LEXICON, .metric = "lexicon"},
    {.methods = ROUTE_POST, .path = "/v1/lexicon/preview", .answer = answer_lexicon_preview,
     .rate = RATE_TOKEN, .key = API_LEXICON, .metric = "lexicon_preview"},
    {.methods = ROUTE_GET, .path = "/v1/lexicon/where", .answer = answer_lexicon_where,
     .rate = RATE_TOKEN, .key = API_LEXICON, .metric = "lexicon"},
    /* the editor's page; its sign-in is held to its own rate per address */
    {.methods = ROUTE_GET, .path = "/admin/", .match = PATH_PREFIX, .answer = answer_admin,
     .rate = RATE_FREE, .key = API_OPEN, .metric = "admin"},
    {.methods = ROUTE_POST, .path = "/admin/login", .answer = answer_login,
     .rate = RATE_FREE, .key = API_OPEN, .metric = "admin_login"},
    {.methods = ROUTE_GET | ROUTE_POST, .path = "/admin/session", .answer = answer_session,
     .rate = RATE_FREE, .key = API_OPEN, .metric = "admin_login"},
};
/* clang-format on */

const size_t serve_nroutes = sizeof(serve_routes) / sizeof(serve_routes[0]);

static unsigned method_bit(const char *method)
{
    if (!strcmp(method, "GET") || !strcmp(method, "HEAD"))
        return ROUTE_GET;
    if (!strcmp(method, "POST"))
        return ROUTE_POST;
    return strcmp(method, "OPTIONS") ? ROUTE_OTHER : ROUTE_OPTIONS;
}

/* The row answering method on url: the longest path that matches, an exact one before a
 * prefix as long. The rows with the empty prefix match every request. */
static const struct route *route_of(const char *method, const char *url)
{
    const struct route *best = NULL, *r;
    size_t n, score, best_score = 0;
    unsigned m = method_bit(method);

    for (r = serve_routes; r < serve_routes + serve_nroutes; r++) {
        if (!(r->methods & m))
            continue;
        n = strlen(r->path);
        if (r->match == PATH_EXACT ? strcmp(url, r->path) != 0 : strncmp(url, r->path, n) != 0)
            continue;
        score = 2 * n + (r->match == PATH_EXACT);
        if (!best || score > best_score)
            best = r, best_score = score;
    }
    return best;
}

/* A refusal (401, 429) in the shape of the route's API. */
static enum MHD_Result refuse(struct server *srv, struct MHD_Connection *c, enum refusal shape,
                              unsigned status, const char *why)
{
    int denied = status == MHD_HTTP_UNAUTHORIZED;

    switch (shape) {
    case REFUSE_OPENAI:
        return send_openai_error(srv, c, status, why, NULL,
                                 denied ? "invalid_api_key" : "rate_limit_exceeded");
    case REFUSE_TEXT:
        return send_buffer(srv, c, status, "text/plain; charset=utf-8", why, strlen(why));
    case REFUSE_JSON:
        break;
    }
    return send_json(
        srv, c, status,
        json_pack("{s:s, s:s}", "error", denied ? "unauthorized" : "rate_limited", "message", why));
}

static enum MHD_Result dispatch(struct server *srv, struct MHD_Connection *c, struct request *rq)
{
    const struct route *r = rq->route;
    const char *why;
    int status;

    if (r->rate == RATE_TOKEN && (why = auth_admit(srv, rq, r->key, &status)))
        return refuse(srv, c, r->refusals, (unsigned)status, why);
    /* past the listening socket's close, a request can still come on an open connection */
    if (srv->draining && !r->while_draining)
        return answer_draining(srv, c);
    return r->answer(srv, c, rq);
}

/* A body over the cap is read on to its end (to answer 413) up to this much. */
#define LYSSNA_DROP_MAX (8 << 20)

struct framing {
    int lengths, differ, chunked;
    char first[32];
};

static enum MHD_Result note_framing(void *cls, enum MHD_ValueKind kind, const char *key,
                                    const char *value)
{
    struct framing *f = cls;

    (void)kind;
    if (!strcasecmp(key, "Content-Length")) {
        if (f->lengths++ == 0)
            snprintf(f->first, sizeof(f->first), "%s", value ? value : "");
        else if (!value || strcmp(value, f->first))
            f->differ = 1;
    } else if (!strcasecmp(key, "Transfer-Encoding")) {
        f->chunked = 1;
    }
    return MHD_YES;
}

/* Refuses, before any body is read, a body whose length is ambiguous (two Content-Lengths
 * that differ, or one beside Transfer-Encoding: what request smuggling through a proxy is
 * made of), and a body announced over the cap, so that it is not read in vain. */
static int check_framing(struct MHD_Connection *c, size_t cap, struct err *e)
{
    struct framing f = {0};
    unsigned long long n;
    char *end;

    MHD_get_connection_values(c, MHD_HEADER_KIND, note_framing, &f);
    if (f.differ || (f.lengths && f.chunked))
        return err_set(e, LY_EUSAGE,
                       "the request's length is ambiguous: send one "
                       "Content-Length or Transfer-Encoding: chunked, not both");
    if (f.lengths) {
        errno = 0;
        n = strtoull(f.first, &end, 10);
        if (errno || *end || end == f.first)
            return err_set(e, LY_EUSAGE, "Content-Length '%.20s' is not a number", f.first);
        if (n > (unsigned long long)cap + 4096)
            return err_set(e, LY_ETOOBIG, "the body is %llu bytes; at most %zu are accepted", n,
                           cap);
    }
    return LY_OK;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    struct server *srv = cls;
    struct request *rq = *con_cls;
    struct err e = {0};

    (void)version;
    if (!rq) {
        rq = xcalloc(1, sizeof(*rq));
        rq->route = route_of(method, url);
        auth_identify(srv, c, rq);
        buf_init(&rq->body, auth_max_text(srv, rq) + 4096); /* room for JSON */
        rq->url = url;
        rq->method = method;
        clock_gettime(CLOCK_MONOTONIC, &rq->start);
        client_of(c, rq->client, sizeof(rq->client));
        snprintf(rq->line, sizeof(rq->line), "%s %s", method, url);
        srv->m.in_flight++;
        *con_cls = rq;
        return check_framing(c, auth_max_text(srv, rq), &e) ? send_error(srv, c, &e) : MHD_YES;
    }
    if (*upload_size) {
        /* MHD 0.9.75 cannot answer before the body's end: a chunked body over the cap is
           read and dropped, and a client that goes on sending far past it is cut off */
        if (rq->dropped || buf_add(&rq->body, upload, *upload_size, NULL))
            rq->dropped += *upload_size;
        *upload_size = 0;
        return rq->dropped > (size_t)LYSSNA_DROP_MAX ? MHD_NO : MHD_YES;
    }
    if (rq->dropped)
        return fail(srv, c, LY_ETOOBIG, "the body is too large: send at most the text limit");
    return dispatch(srv, c, rq);
}

/* After each request: the access log line and the metrics. */
static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct server *srv = cls;
    struct request *rq = *con_cls;
    const union MHD_ConnectionInfo *ci;
    struct timespec now;
    unsigned status = 0, ms;
    char line[320];
    int n;

    if (!rq)
        return;
    ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_HTTP_STATUS);
    if (ci)
        status = ci->http_status;
    clock_gettime(CLOCK_MONOTONIC, &now);
    ms = (unsigned)((now.tv_sec - rq->start.tv_sec) * 1000 +
                    (now.tv_nsec - rq->start.tv_nsec) / 1000000);
    count_request(srv, rq->route, status, ms);
    srv->m.in_flight--;
    n = snprintf(line, sizeof(line), "%s \"%s\" %u %u ms%s\n", rq->client, rq->line, status, ms,
                 toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (cut short)");
    /* one write, not stdio's: stderr's lock would make every connection's thread wait for
       the others' lines; a line this short is written whole, even to a pipe */
    write_all(STDERR_FILENO, line, n < (int)sizeof(line) ? (size_t)n : sizeof(line) - 1);
    buf_release(&rq->body);
    free(rq);
    *con_cls = NULL;
}

/* Splits a space-separated list into a NULL-terminated array of copies. */
static char **split(const char *list, size_t *n)
{
    char **v = xcalloc(strlen(list) / 2 + 2, sizeof(char *));
    const char *p = list;
    size_t len;

    *n = 0;
    while (*p) {
        p += strspn(p, " \t");
        len = strcspn(p, " \t");
        if (len)
            v[(*n)++] = xstrndup(p, len);
        p += len;
    }
    return v;
}

static void free_list(char **v)
{
    size_t i;

    for (i = 0; v && v[i]; i++)
        free(v[i]);
    free(v);
}

static int parse_listen(const char *listen, struct sockaddr_storage *sa, struct err *e)
{
    char host[128];
    const char *colon = strrchr(listen, ':');
    struct addrinfo hints = {.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV}, *ai;
    size_t n = colon ? (size_t)(colon - listen) : 0;

    if (!colon || n == 0 || n >= sizeof(host))
        return err_set(e, LY_EUSAGE, "listen address '%s' is not ADDR:PORT", listen);
    if (listen[0] == '[' && listen[n - 1] == ']')
        memcpy(host, listen + 1, n - 2), host[n - 2] = '\0';
    else
        memcpy(host, listen, n), host[n] = '\0';
    if (getaddrinfo(host, colon + 1, &hints, &ai))
        return err_set(e, LY_EUSAGE, "listen address '%s' is not ADDR:PORT", listen);
    memcpy(sa, ai->ai_addr, ai->ai_addrlen);
    freeaddrinfo(ai);
    return LY_OK;
}

/* Binds and listens on sa (before privileges are dropped: a port below 1024 needs root);
 * *port is the port bound, which the kernel picks when sa asks for port 0. */
static int open_listener(const char *listen_at, const struct sockaddr_storage *sa, int *fd,
                         unsigned *port, struct err *e)
{
    struct sockaddr_storage bound;
    socklen_t len = sizeof(bound);
    int one = 1;

    *fd = socket(sa->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (*fd < 0 || setsockopt(*fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
        bind(*fd, (const struct sockaddr *)sa,
             sa->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                       : sizeof(struct sockaddr_in)) ||
        listen(*fd, 128) || getsockname(*fd, (struct sockaddr *)&bound, &len)) {
        err_set(e, LY_EIO, "cannot listen on %s: %s", listen_at, strerror(errno));
        if (*fd >= 0)
            close(*fd);
        *fd = -1;
        return e ? e->code : LY_EIO;
    }
    *port = ntohs(bound.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&bound)->sin6_port
                                              : ((struct sockaddr_in *)&bound)->sin_port);
    return LY_OK;
}

/* The job stage's limits from the settings l. */
static struct jobs_limits limits_of(const struct live *l)
{
    return (struct jobs_limits){
        .engine = l->engine,
        .queue = l->cfg.queue,
        .queue_wait_ms = l->cfg.queue_wait_ms,
        .synth_timeout_ms = l->cfg.synth_timeout_ms,
    };
}

static void live_free(struct live *l)
{
    if (!l)
        return;
    free_list(l->hosts);
    free_list(l->addrs);
    keys_release(&l->keys);
    free(l);
}

/* Settings made ready for use: the fetch policy checked, the voice data's version taken. */
static struct live *live_new(const struct config *cfg, struct err *e)
{
    struct live *l = xcalloc(1, sizeof(*l));

    l->cfg = *cfg;
    l->hosts = split(cfg->allow_hosts, &l->fetch.nallow);
    l->addrs = split(cfg->allow_addrs, &l->fetch.naddrs);
    l->fetch.allow_hosts = (const char *const *)l->hosts;
    l->fetch.allow_addrs = (const char *const *)l->addrs;
    l->fetch.allow_any_host = cfg->allow_any_host;
    l->fetch.timeout_ms = cfg->fetch_timeout_ms;
    l->fetch.max_bytes = (size_t)cfg->max_page_bytes;
    l->fetch.max_redirects = cfg->max_redirects ? cfg->max_redirects : -1;
    if (fetch_check_opts(&l->fetch, e) || auth_load(l, cfg, e)) {
        live_free(l);
        return NULL;
    }
    voice_data_version(voice_dir(), l->engine);
    return l;
}

/* The editors' lexicon (cfg's file, else lexicon.db beside the cache folder, where every
 * instance sharing the folder finds it). One that cannot be opened, or fails its integrity
 * check, is logged and left off: audio is then made without the editors' words and keyed so
 * (no entries), which an instance with the lexicon never takes for its own. */
static void open_lexicon(struct server *srv, const struct config *cfg)
{
    char path[2100];
    const char *dir = cfg->cache_dir;
    struct err e = {0};
    size_t n = strlen(dir);

    while (n > 1 && dir[n - 1] == '/')
        n--;
    while (n > 0 && dir[n - 1] != '/') /* the cache folder's parent: n bytes of dir */
        n--;
    if (cfg->lexicon_file[0])
        snprintf(path, sizeof(path), "%s", cfg->lexicon_file);
    else
        snprintf(path, sizeof(path), "%.*slexicon.db", (int)n, dir);
    if (!(srv->lex = lexicon_open(path, &e)))
        fprintf(stderr, "lyssna: %s: the editors' lexicon is off\n", e.msg);
    jobs_set_lexicon(srv->jobs, srv->lex);
}

static int server_init(struct server *srv, const struct config *cfg, const char *exe, struct err *e)
{
    struct jobs_limits lim;
    struct cache_stats cs;
    struct live *l;
    const char *slash;

    srv->rates = xcalloc(LYSSNA_RATE_SLOTS, sizeof(*srv->rates));
    srv->m.routes = xcalloc(serve_nroutes, sizeof(*srv->m.routes));
    srv->exe = exe;
    if (!(l = live_new(cfg, e)) || fetch_global_init(e)) {
        live_free(l);
        return e->code;
    }
    atomic_store(&srv->live, l);
    slash = strrchr(exe, '/');
    if (cfg->web_dir[0])
        snprintf(srv->web, sizeof(srv->web), "%s", cfg->web_dir);
    else if (snprintf(srv->web, sizeof(srv->web), "%.*sweb", slash ? (int)(slash - exe + 1) : 0,
                      exe) > 0 &&
             access(srv->web, R_OK))
        /* installed: PREFIX/bin/lyssna serves PREFIX/share/lyssna/web */
        snprintf(srv->web, sizeof(srv->web), "%.*s../share/lyssna/web",
                 slash ? (int)(slash - exe + 1) : 0, exe);
    srv->cache = cache_open(cfg->cache_dir, (uint64_t)cfg->cache_max_mb << 20, e);
    if (!srv->cache)
        return e->code;
    cache_stats(srv->cache, &cs);
    if (cs.read_only)
        fprintf(stderr,
                "lyssna: cache folder '%s' cannot be written: serving what it holds, "
                "caching nothing new\n",
                cfg->cache_dir);
    if (!(srv->pool = pool_new(exe, cfg->workers, e)))
        return e->code;
    lim = limits_of(l);
    srv->jobs = jobs_new(srv->pool, srv->cache, &lim, NULL);
    open_lexicon(srv, cfg);
    return LY_OK;
}

static void server_release(struct server *srv)
{
    struct recent_page *p;
    struct live *l, *older;

    while ((p = srv->pages)) {
        srv->pages = p->next;
        recent_free(p);
    }
    hls_release(srv);
    prefetch_stop(srv);
    auth_release(srv);
    free(srv->rates);
    jobs_free(srv->jobs);
    lexicon_free(srv->lex);
    free(srv->m.routes);
    pool_free(srv->pool);
    cache_free(srv->cache);
    for (l = atomic_load(&srv->live); l; l = older) {
        older = l->older;
        live_free(l);
    }
    pthread_mutex_destroy(&srv->lock);
}

/* SIGHUP: the settings read again (file and flags), the voice data's version taken again,
 * and the workers replaced so that they load the word lists anew; running streams go on
 * with what they started with. A broken file keeps the settings in force. */
static void reload(struct server *srv, const struct serve_reload *how)
{
    static const char *const fixed[] = {
        "listen",     "workers",           "user",           "cache dir or size",
        "web folder", "connection limits", "Wyoming address"};
    struct config cfg;
    struct err e = {0};
    struct live *l, *old = live_of(srv);
    struct jobs_limits lim;
    const struct config *was = &old->cfg;
    struct recent_page *p;
    int changed[7];
    size_t i;

    if (how->load(how->ctx, &cfg, &e) || !(l = live_new(&cfg, &e))) {
        fprintf(stderr, "lyssna: reload refused, the settings in force stay: %s\n", e.msg);
        return;
    }
    changed[0] = strcmp(cfg.listen, was->listen) != 0;
    changed[1] = cfg.workers != was->workers;
    changed[2] = strcmp(cfg.user, was->user) != 0;
    changed[3] = strcmp(cfg.cache_dir, was->cache_dir) || cfg.cache_max_mb != was->cache_max_mb;
    changed[4] = strcmp(cfg.web_dir, was->web_dir) != 0;
    changed[5] = cfg.client_timeout_s != was->client_timeout_s ||
                 cfg.max_connections != was->max_connections ||
                 cfg.max_per_client != was->max_per_client;
    changed[6] = strcmp(cfg.wyoming, was->wyoming) != 0;
    for (i = 0; i < 7; i++)
        if (changed[i])
            fprintf(stderr, "lyssna: reload: the %s changes only at a restart\n", fixed[i]);
    l->older = old;
    atomic_store(&srv->live, l);
    lim = limits_of(l);
    jobs_configure(srv->jobs, &lim);
    pool_recycle(srv->pool);
    pthread_mutex_lock(&srv->lock); /* their learned audio keys carry the old version */
    while ((p = srv->pages)) {
        srv->pages = p->next;
        recent_free(p);
    }
    pthread_mutex_unlock(&srv->lock);
    fprintf(stderr, "lyssna: reloaded settings and voice data (version %.12s)\n", l->engine);
}

/* Waits for SIGTERM or SIGINT, then lets running streams finish within the grace time. */
static void wait_for_stop(struct server *srv, struct MHD_Daemon *d, const struct serve_reload *how)
{
    MHD_socket listener;
    sigset_t set;
    int sig, i;

    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    while (!sigwait(&set, &sig) && sig == SIGHUP)
        reload(srv, how);
    fprintf(stderr, "lyssna: stopping (signal %d)\n", sig);
    /* the listening socket closed now: a connection is refused at once, so a balancer
       tries another instance instead of waiting out its connect timeout */
    srv->draining = 1;
    listener = MHD_quiesce_daemon(d);
    if (listener != MHD_INVALID_SOCKET)
        close(listener);
    for (i = 0; i < cfg_of(srv)->shutdown_grace_s * 10 && srv->m.in_flight > 0; i++)
        nanosleep(&(struct timespec){0, 100000000L}, NULL);
}

/* A thread per connection, which may block on its synthesis worker; each waits for its
 * socket with poll(), not select(), which cannot watch a descriptor numbered past
 * FD_SETSIZE (1024): max_connections may go beyond. */
static unsigned daemon_flags(const struct sockaddr_storage *sa)
{
    return MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL |
           MHD_USE_ITC | (sa->ss_family == AF_INET6 ? MHD_USE_IPv6 : 0);
}

int serve_run(const struct config *cfg, const struct serve_reload *how, const char *exe,
              struct err *e)
{
    struct server srv;
    struct sockaddr_storage sa;
    struct MHD_Daemon *d = NULL;
    unsigned port = 0;
    sigset_t set;
    int rc, fd = -1;

    memset(&srv, 0, sizeof(srv));
    pthread_mutex_init(&srv.lock, NULL);
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set,
                    NULL); /* every thread inherits this; wait_for_stop takes them */
    signal(SIGPIPE, SIG_IGN);
    signal(SIGXFSZ, SIG_IGN); /* a file-size limit fails the cache's write, not the service */
    rc = parse_listen(cfg->listen, &sa, e);
    if (!rc)
        rc = open_listener(cfg->listen, &sa, &fd, &port, e);
    /* the port is bound: from here on nothing needs root */
    if (!rc && cfg->user[0])
        rc = sandbox_drop_user(cfg->user, e);
    if (!rc)
        rc = server_init(&srv, cfg, exe, e);
    if (!rc)
        rc = prefetch_start(&srv, e);
    if (!rc) {
        d = MHD_start_daemon(daemon_flags(&sa), 0, NULL, NULL, on_request, &srv,
                             MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_NOTIFY_COMPLETED,
                             on_completed, &srv, MHD_OPTION_CONNECTION_TIMEOUT,
                             (unsigned)cfg->client_timeout_s, MHD_OPTION_CONNECTION_LIMIT,
                             (unsigned)cfg->max_connections, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
                             (unsigned)cfg->max_per_client, MHD_OPTION_END);
        if (!d)
            rc = err_set(e, LY_EIO, "cannot serve on %s: %s", cfg->listen, strerror(errno));
    }
    if (!rc) {
        printf("listening on http://%.*s:%u\n", (int)(strrchr(cfg->listen, ':') - cfg->listen),
               cfg->listen, port);
        fflush(stdout);
        rc = wyoming_open(&srv, cfg, e);
    }
    if (!rc) {
        wait_for_stop(&srv, d, how);
        wyoming_close(&srv);
    }
    if (d)
        MHD_stop_daemon(d);
    else if (fd >= 0)
        close(fd);
    server_release(&srv);
    fetch_global_cleanup();
    return rc;
}
