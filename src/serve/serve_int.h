/* serve_int.h -- what the files of the service share: the server and its settings in force,
 * a request's state, what a job synthesizes, and the helpers each file lends the others.
 * Private to src/serve/; serve.h is the service's public face. */

#ifndef LYSSNA_SERVE_INT_H
#define LYSSNA_SERVE_INT_H

#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <time.h>

#include "base/base.h"
#include "cache/cache.h"
#include "fetch/fetch.h"
#include "job/job.h"
#include "keys.h"
#include "serve.h"
#include "speech/speech.h"

/* The APIs a key can be required for (require_keys); API_OPEN is never required: Lyssna's
 * own routes and the other APIs' lists of voices and models. */
enum api { API_OPEN, API_OPENAI, API_MARYTTS, API_OPENTTS, API_PREFETCH, API_LEXICON };

/* Kinds of fetch failure, counted apart in the metrics. */
enum fetch_kind { F_NETWORK, F_STATUS, F_TIMEOUT, F_DENIED, F_TOO_LARGE, F_NOT_HTML, F_COUNT };

/* One route's requests, for /metrics. */
struct route_counts {
    atomic_ulong requests[6]; /* by status class: 1xx..5xx, index 0 unused */
    atomic_ulong latency[8];  /* ms buckets, see latency_bounds */
};

struct metrics {
    struct route_counts *routes;                   /* one per row of serve_routes */
    atomic_ulong fetch_errors[F_COUNT], in_flight; /* the jobs' own: jobs_counts */
    atomic_ulong wyoming_events, wyoming_errors;   /* Wyoming events answered, failed */
};

/* The settings in force, what is built from them and the version of the voice data: made
 * anew by SIGHUP and swapped in whole, so a request sees one or the other. Old ones stay
 * allocated until the service ends (reloads are rare and small), so no request's settings
 * are freed under it. */
struct live {
    struct config cfg;
    char **hosts, **addrs; /* split from the config */
    struct fetch_opts fetch;
    char engine[CACHE_KEY_HEX + 1];
    struct keyring keys; /* from keys_file */
    unsigned required;   /* 1 << enum api for each API that needs a key */
    struct live *older;
};

struct server {
    _Atomic(struct live *) live; /* what SIGHUP reloads; older ones kept until the end */
    struct pool *pool;
    struct cache *cache;
    struct jobs *jobs; /* every front's audio is made through it */
    const char *exe;   /* the lyssna binary: documents are read by the worker beside it */
    char web[1024];
    struct metrics m;
    pthread_mutex_t lock;      /* guards the lists below */
    struct recent_page *pages; /* newest first, guarded by lock */
    struct hls_session *hls;   /* playlists being made or lately made, guarded by lock */
    struct rate_slot *rates;   /* LYSSNA_RATE_SLOTS, guarded by lock */
    atomic_llong cache_warned; /* when the log last said the cache failed */
    atomic_int draining;       /* SIGTERM came: new requests are sent elsewhere */
    struct key_stats *keys;    /* LYSSNA_KEY_STATS, by key name; guarded by lock */
    struct prefetch *prefetch; /* the background queue of POST /v1/prefetch */
    struct wyoming *wyoming;   /* the Wyoming port, or NULL */
    struct lexicon *lex;       /* the editors' lexicon, or NULL when it could not be opened */
};

/* A page fetched lately: Range requests and the marks request that follow a listen must not
 * fetch the page again each time. */
#define LYSSNA_PARAMS_MAX 256
#define LYSSNA_KNOWN_KEYS 8

struct known_key {
    char params[LYSSNA_PARAMS_MAX]; /* see listen_params; "" when unused */
    char key[CACHE_KEY_HEX + 1];
    enum encode_format format;
    unsigned long lexicon; /* the lexicon's generation the key was made in */
};

/* A fetched page's bytes, shared read-only by the requests reading it, the recent-page store
 * and a document's parts: a 34 MB scan copied for each cost a tenth of a second a copy
 * before its first sound. The last to drop it frees it. */
struct page_bytes {
    atomic_int refs;
    size_t len;
    char *data;
};

/* Takes b's memory (b is left empty) into new page bytes, held by the caller. */
struct page_bytes *page_bytes_take(struct buf *b);
struct page_bytes *page_bytes_hold(struct page_bytes *pb);
void page_bytes_drop(struct page_bytes *pb); /* NULL is a no-op */

struct recent_page {
    struct known_key known[LYSSNA_KNOWN_KEYS]; /* audio keys learned for this page */
    unsigned nknown;
    char *url;
    char *charset;
    char *content_type; /* as served: the reader is chosen by it again (extract_reader_of) */
    struct page_bytes *bytes;
    time_t at;
    struct docparts *parts; /* the document read in parts, for every listen of it while recent */
    struct recent_page *next;
};

/* One request's state, from its first call to its completion. */
struct request {
    struct buf body;
    size_t dropped; /* bytes of a body over the cap, read and dropped */
    const struct route *route;
    const char *url;    /* the path, without the query; libmicrohttpd keeps it for the request */
    const char *method; /* kept likewise */
    struct timespec start;
    char client[64];           /* the client's address, for the rate limit and the access log */
    char line[160];            /* "METHOD /path" for the access log */
    const struct api_key *key; /* the caller's key (Authorization: Bearer), or NULL */
    int bad_key;               /* a Bearer token was sent that is no key */
    int session;               /* key is an editor's, from the page's cookie (session.c) */
    int csrf_ok;               /* ... and the request carries the session's X-CSRF-Token */
};

/* Per-client token buckets in a fixed table: a client whose slot another takes over starts
 * afresh, which errs on the side of letting people listen. */
#define LYSSNA_RATE_SLOTS 4096

struct rate_slot {
    char client[64];
    double tokens;
    struct timespec at;
};

/* How a front other than Lyssna's own API has its audio answered: one more response header
 * (NULL for none) and errors in its own shape (NULL: send_error's). */
struct answer_as {
    const char *header, *value;
    enum MHD_Result (*error)(struct server *srv, struct MHD_Connection *c, const struct err *e);
};

/* serve.c */
/* Methods a route answers, a bit each: GET includes HEAD; ROUTE_OTHER is every method
 * without a bit of its own (PUT, DELETE, ...). */
enum { ROUTE_GET = 1, ROUTE_POST = 2, ROUTE_OPTIONS = 4, ROUTE_OTHER = 8 };

enum path_match { PATH_EXACT, PATH_PREFIX };

/* How a route is held to the rate limit. */
enum rate_class {
    RATE_TOKEN, /* a token a request: from the caller's key's bucket, else its address's */
    RATE_FREE   /* not counted */
};

/* The shape a route's refusals (401, 429) are answered in, its API's own. */
enum refusal { REFUSE_JSON, REFUSE_OPENAI, REFUSE_TEXT };

/* One row of the routing table, serve_routes: which requests it takes, the handler that
 * answers them, and the limits and name they are held to. A request goes to the row whose
 * path matches it longest (an exact path before a prefix of the same length) among those
 * answering its method; the order of the rows means nothing. */
struct route {
    unsigned methods; /* ROUTE_* */
    const char *path;
    enum path_match match;
    enum MHD_Result (*answer)(struct server *srv, struct MHD_Connection *c, struct request *rq);
    enum rate_class rate;
    enum api key;          /* whose require_keys entry guards it */
    enum refusal refusals; /* how a refused request is told */
    int while_draining;    /* answered after SIGTERM too: health, readiness, metrics */
    const char *metric;    /* its route="..." in /metrics; rows may share one */
};

extern const struct route serve_routes[];
extern const size_t serve_nroutes;

/* The settings in force and what is built from them (SIGHUP swaps them whole). */
struct live *live_of(struct server *srv);
/* The settings in force. */
const struct config *cfg_of(struct server *srv);

/* http.c */
/* Adds the CORS headers when the request's Origin is one of cors_origins. */
void add_cors(struct server *srv, struct MHD_Connection *c, struct MHD_Response *r);
/* The HTTP status an error code is answered with. */
int status_of(enum lyssna_code code);
/* Queues r as the answer with status, after adding what every answer carries: Content-Type
 * type and Cache-Control cache (each NULL: none), as's header (as NULL: none), Retry-After on
 * a 503 and WWW-Authenticate on a 401 when r has none, and the CORS headers. Takes r (NULL,
 * a response that could not be made, answers MHD_NO). */
enum MHD_Result send_response(struct server *srv, struct MHD_Connection *c, unsigned status,
                              struct MHD_Response *r, const char *type, const char *cache,
                              const struct answer_as *as);
/* path opened to be sent whole when it is a regular file: its descriptor, *size its length;
 * else -1 (nothing to close). */
int open_regular(const char *path, uint64_t *size);
/* Answers status with a copy of len bytes at data, of Content-Type type. */
enum MHD_Result send_buffer(struct server *srv, struct MHD_Connection *c, unsigned status,
                            const char *type, const void *data, size_t len);
/* Answers status with body as compact JSON; takes body's reference. */
enum MHD_Result send_json(struct server *srv, struct MHD_Connection *c, unsigned status,
                          json_t *body);
/* Answers {"error","message"} from e, with the status its code maps to. */
enum MHD_Result send_error(struct server *srv, struct MHD_Connection *c, const struct err *e);
/* send_error for code and msg. */
enum MHD_Result fail(struct server *srv, struct MHD_Connection *c, enum lyssna_code code,
                     const char *msg);
/* The query string's value of name, or NULL. */
const char *arg(struct MHD_Connection *c, const char *name);
/* Answers from a cache entry (hit's fd is taken), with validators and byte ranges; as may
 * add a header (NULL: none). */
enum MHD_Result send_cached(struct server *srv, struct MHD_Connection *c, struct cache_hit *hit,
                            const char *type, const char *key, const struct answer_as *as);
/* Answers text/plain errors with the status e's code maps to (MaryTTS's way). */
enum MHD_Result send_text_error(struct server *srv, struct MHD_Connection *c, const struct err *e);
/* The Range header h for an entity of size bytes: 1 with the first and last byte wanted. */
int parse_range(const char *h, uint64_t size, uint64_t *from, uint64_t *to);
/* Whether the request asks for a Range other than "bytes=0-". */
int wants_part(struct MHD_Connection *c);

/* stream.c */
/* Audio for js: from the cache when there, else made and streamed; as (may be NULL) shapes
 * the answer for another API. */
enum MHD_Result answer_audio(struct server *srv, struct MHD_Connection *c,
                             const struct job_spec *js, const struct answer_as *as);
/* Speech marks for spec as {"duration_ms","marks"}: cached, else synthesized once. */
int collect_marks(struct server *srv, const struct job_spec *spec, json_t **out, struct err *e);

/* docparts.c: a PDF read in parts for a listen (see extract_opts.part and job_parts). */
struct docparts;
struct extract_opts;
/* The key a document read in parts is known by (its bytes'): job_parts.key. */
void docparts_key(const char *doc, size_t len, char key[CACHE_KEY_HEX + 1]);
/* The document (doc held, xo copied) known by key (docparts_key). first: its part 1, taken
 * over (its page says how many parts there are); NULL: part 1 is read when first asked for.
 * The caller holds the new docparts. */
struct docparts *docparts_new(struct page_bytes *doc, const char *key,
                              const struct extract_opts *xo, struct page_text *first);
/* js over part 1 (empty when it is not read yet), js->parts over all of them (read as the
 * job asks for them). */
void docparts_spec(struct docparts *dp, struct job_spec *js);
/* Every part read (those not read yet now) and joined into out, as the job joins their text
 * and marks. */
int docparts_whole(struct docparts *dp, struct page_text *out, struct err *e);
void docparts_hold(struct docparts *dp);
void docparts_drop(struct docparts *dp); /* NULL is a no-op */

/* routes_listen.c */
/* The page at ?url=, fetched (or from the recent-page store) and extracted. */
struct page {
    struct fetch_result fetched; /* its body taken into bytes */
    struct page_bytes *bytes;
    struct page_text text;  /* the whole; empty when read in parts (see parts) */
    struct docparts *parts; /* a PDF read in parts, when the caller allowed it; else NULL */
    char host[256];         /* the page's host, for the lexicon's entries of one site */
};
/* Reads ?url= (and the voice, rate, format and readid asked for) into pg, and js over its
 * text; pg must be released with page_release whatever it returns. in_parts: a long or
 * scanned PDF may be read in parts (pg->parts; js then over its first part, its parts
 * spoken one after the other), for an answer in MP3 whose first sound comes before the whole
 * is read; else it is read whole first. */
int read_page(struct server *srv, struct MHD_Connection *c, struct page *pg, struct job_spec *js,
              int in_parts, struct err *e);
void page_release(struct page *pg);
/* A page's audio as GET /v1/listen?url= makes it (default voice, MP3), into the cache. */
int listen_fill(struct server *srv, const char *url, struct err *e);
/* voice, rate and format from the query string, checked, into js; defaults filled in. */
int listen_voice(struct MHD_Connection *c, struct job_spec *js, struct err *e);
/* A page's blocks as [{xpath, start, end}] for the marks. */
json_t *listen_blocks(const struct extract_result *page);
/* Frees one page of the recent-page store. */
void recent_free(struct recent_page *p);
/* GET /v1/listen, /v1/listen/marks, /v1/listen/text and /v1/listen.m3u8. */
enum MHD_Result answer_listen(struct server *srv, struct MHD_Connection *c, struct request *rq);
enum MHD_Result answer_listen_marks(struct server *srv, struct MHD_Connection *c,
                                    struct request *rq);
enum MHD_Result answer_listen_text(struct server *srv, struct MHD_Connection *c,
                                   struct request *rq);
enum MHD_Result answer_listen_hls(struct server *srv, struct MHD_Connection *c, struct request *rq);

/* routes_read.c */
/* GET /read?url=: the reading page of a document or page. */
enum MHD_Result answer_read(struct server *srv, struct MHD_Connection *c, struct request *rq);

/* routes_captions.c */
/* GET /v1/listen.vtt: the page's sentences with their times, as WebVTT. */
enum MHD_Result answer_listen_vtt(struct server *srv, struct MHD_Connection *c, struct request *rq);
/* js's MP3 (format=mp3 only) with an ID3 tag before it: a chapter per heading of page. */
enum MHD_Result answer_chapters(struct server *srv, struct MHD_Connection *c,
                                const struct job_spec *js, const struct extract_result *page);

/* hls.c */
/* GET /v1/listen.m3u8 for js (its MP3): the playlist, growing while the audio is made. */
enum MHD_Result answer_hls_playlist(struct server *srv, struct MHD_Connection *c,
                                    const struct job_spec *js);
/* GET /v1/hls/KEY/N.mp3: segment N of a playlist. */
enum MHD_Result answer_hls_segment(struct server *srv, struct MHD_Connection *c,
                                   struct request *rq);
/* Waits for the playlists' threads and frees them, at the service's end. */
void hls_release(struct server *srv);

/* routes_page.c */
/* POST /v1/listen: the page's HTML in the body; answers the addresses of its audio. */
enum MHD_Result answer_listen_post(struct server *srv, struct MHD_Connection *c,
                                   struct request *rq);
/* GET /v1/audio/KEY.EXT and /v1/audio/KEY.marks, of a page sent with POST /v1/listen. */
enum MHD_Result answer_audio_key(struct server *srv, struct MHD_Connection *c, struct request *rq);

/* routes_speak.c */
struct request_speak;
/* js over a parsed speak request's text, voice, rate and format (r keeps the text). */
void job_from_request(struct job_spec *js, const struct request_speak *r);
/* POST /v1/speak and /v1/speak/marks. */
enum MHD_Result answer_speak(struct server *srv, struct MHD_Connection *c, struct request *rq);
enum MHD_Result answer_speak_marks(struct server *srv, struct MHD_Connection *c,
                                   struct request *rq);

/* routes_misc.c */
/* 1 when the instance should get requests; else 0 and why in reason (draining, no worker
 * running, the cache folder not writable). Replaces workers found dead while idle. */
int server_ready(struct server *srv, char *reason, size_t size);
/* GET /readyz: 200 {"ready":true} or 503 {"ready":false,"reason":...}. */
enum MHD_Result answer_ready(struct server *srv, struct MHD_Connection *c, struct request *rq);
/* The answer to a request that reached an instance after SIGTERM: 503 with the connection
 * closed, so that the balancer asks another instance. */
enum MHD_Result answer_draining(struct server *srv, struct MHD_Connection *c);
/* GET /v1/voices. */
enum MHD_Result answer_voices(struct server *srv, struct MHD_Connection *c, struct request *rq);
/* GET of a file of web/ (the demo page at /, the widget at /widget/). */
enum MHD_Result answer_static(struct server *srv, struct MHD_Connection *c, struct request *rq);

/* metrics.c */
/* The latency histogram's bucket bounds in ms (the last bucket is +Inf). */
extern const unsigned latency_bounds[7];
/* Counts a finished request of route: its status and how long it took. */
void count_request(struct server *srv, const struct route *route, unsigned status, unsigned ms);
/* GET /metrics, in Prometheus' text format. */
enum MHD_Result answer_metrics(struct server *srv, struct MHD_Connection *c, struct request *rq);

/* manners.c */
/* The client's address (X-Forwarded-For's last entry behind a loopback proxy). */
void client_of(struct MHD_Connection *c, char *out, size_t size);
/* Whether client may make one more API request now (takes a token when so). */
int rate_allows(struct server *srv, const char *client);
/* The same at limit requests a minute (<= 0: no limit), for a key's own bucket. */
int rate_allows_at(struct server *srv, const char *client, int limit);

/* auth.c */
/* Keys and require_keys of cfg into l; LY_EPARSE/LY_EINPUT for the key file, LY_EUSAGE for
 * an unknown API in require_keys. */
int auth_load(struct live *l, const struct config *cfg, struct err *e);
/* rq->key from the request's Authorization header (rq->bad_key for a wrong one). */
void auth_identify(struct server *srv, struct MHD_Connection *c, struct request *rq);
/* The text cap for rq: its key's, else the public one. */
size_t auth_max_text(struct server *srv, const struct request *rq);
/* Whether rq may go on to a route of api that costs a token: NULL when so (the token taken
 * from the key's bucket, else from the client address's), else why not with *status 401
 * (api needs a key and rq has none) or 429. */
const char *auth_admit(struct server *srv, struct request *rq, enum api api, int *status);
/* The per-key counters for /metrics. */
void auth_metrics(struct server *srv, struct buf *out);
void auth_release(struct server *srv);

/* routes_openai.c */
/* POST /v1/audio/speech and GET /v1/models. */
enum MHD_Result answer_openai(struct server *srv, struct MHD_Connection *c, struct request *rq);
enum MHD_Result answer_openai_models(struct server *srv, struct MHD_Connection *c,
                                     struct request *rq);
/* An error in OpenAI's shape {"error": {"message", "type", "param", "code"}}. */
enum MHD_Result send_openai_error(struct server *srv, struct MHD_Connection *c, unsigned status,
                                  const char *message, const char *param, const char *code);

/* routes_marytts.c */
/* /process, and /voices, /locales, /version (rq->url says which). */
enum MHD_Result answer_marytts(struct server *srv, struct MHD_Connection *c, struct request *rq);
enum MHD_Result answer_marytts_info(struct server *srv, struct MHD_Connection *c,
                                    struct request *rq);

/* routes_opentts.c */
/* /api/tts, and /api/voices, /api/languages (rq->url says which). */
enum MHD_Result answer_opentts(struct server *srv, struct MHD_Connection *c, struct request *rq);
enum MHD_Result answer_opentts_info(struct server *srv, struct MHD_Connection *c,
                                    struct request *rq);

/* routes_lexicon.c: the editors' lexicon, for editors' keys only (a 403 for other keys) */
/* GET /v1/lexicon?q= and POST /v1/lexicon. */
enum MHD_Result answer_lexicon(struct server *srv, struct MHD_Connection *c, struct request *rq);
/* PUT and DELETE /v1/lexicon/ID. */
enum MHD_Result answer_lexicon_entry(struct server *srv, struct MHD_Connection *c,
                                     struct request *rq);
/* GET /v1/lexicon/history, POST /v1/lexicon/undo {"change": N}. */
enum MHD_Result answer_lexicon_history(struct server *srv, struct MHD_Connection *c,
                                       struct request *rq);
enum MHD_Result answer_lexicon_undo(struct server *srv, struct MHD_Connection *c,
                                    struct request *rq);
/* POST /v1/lexicon/import (a CSV or TSV body), GET /v1/lexicon/export?format=csv|tsv. */
enum MHD_Result answer_lexicon_import(struct server *srv, struct MHD_Connection *c,
                                      struct request *rq);
enum MHD_Result answer_lexicon_export(struct server *srv, struct MHD_Connection *c,
                                      struct request *rq);

/* POST /v1/lexicon/preview {"text", "say", "lang", "sentence"}: the audio of the sentence
 * (else the text alone) said with that entry, before it is saved. GET /v1/lexicon/where?text=:
 * the pages this instance read lately whose text has it. */
enum MHD_Result answer_lexicon_preview(struct server *srv, struct MHD_Connection *c,
                                       struct request *rq);
enum MHD_Result answer_lexicon_where(struct server *srv, struct MHD_Connection *c,
                                     struct request *rq);

/* session.c: the editor's page signed in with a cookie instead of the key */
/* rq->key from a valid session cookie (rq->session, and rq->csrf_ok when the request carries
 * its X-CSRF-Token); nothing when there is none. */
void session_identify(struct server *srv, struct MHD_Connection *c, struct request *rq);
/* POST /admin/login {"key"}: the cookie and {"name", "csrf"}, for an editor's key only. GET
 * /admin/session: {"name", "csrf"} of the cookie sent; POST /admin/session signs out. */
enum MHD_Result answer_login(struct server *srv, struct MHD_Connection *c, struct request *rq);
enum MHD_Result answer_session(struct server *srv, struct MHD_Connection *c, struct request *rq);

/* routes_admin.c */
/* GET /admin/lexicon and its files under /admin/: the editor's page, under a strict CSP. */
enum MHD_Result answer_admin(struct server *srv, struct MHD_Connection *c, struct request *rq);

/* routes_prefetch.c */
/* POST /v1/prefetch {"urls": [...]}: 202 with how many were queued. */
enum MHD_Result answer_prefetch(struct server *srv, struct MHD_Connection *c, struct request *rq);
/* The background reader of prefetched pages; started with the service, stopped at its end. */
int prefetch_start(struct server *srv, struct err *e);
void prefetch_stop(struct server *srv);
void prefetch_metrics(struct server *srv, struct buf *out);

/* wyoming_host.c */
/* The Wyoming port of cfg->wyoming (srv->wyoming), printing "wyoming on tcp://ADDR:PORT";
 * none when unset. */
int wyoming_open(struct server *srv, const struct config *cfg, struct err *e);
/* Stops the Wyoming port and its connections (none open: a no-op). */
void wyoming_close(struct server *srv);

#endif
