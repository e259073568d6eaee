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

/* The service's settings (config.c): embedded defaults, then config/lyssna.conf (or
 * --config FILE), then command-line flags, each later source overriding the earlier. */

struct config {
    /* [server] */
    char listen[128];        /* ADDR:PORT; port 0 picks a free one */
    int workers;             /* synthesis processes; 0: one per core */
    int queue;               /* requests that may wait for a worker before 503 */
    int queue_wait_ms;       /* how long one may wait */
    int max_text_bytes;      /* 413 above */
    int synth_timeout_ms;    /* a worker silent this long is killed */
    int shutdown_grace_s;    /* SIGTERM: time running streams get to finish */
    char web_dir[1024];      /* static files; "" = web/ beside the binary */
    char cors_origins[1024]; /* space-separated origins allowed to call the API */
    int rate_limit;          /* API requests per minute per client; 0: no limit */
    char user[64];           /* when started as root: the user to become once bound */
    int client_timeout_s;    /* a connection silent this long is closed (slow clients) */
    int max_connections;     /* open connections in all */
    int max_per_client;      /* open connections from one address; 0: no limit */
    char wyoming[128];       /* ADDR:PORT of the Wyoming port; "": none */
    char keys_file[1024];    /* API keys (keys.h); "": none */
    char require_keys[256];  /* space-separated APIs that need a key: openai marytts opentts */
    /* [cache] */
    char cache_dir[1024];
    int cache_max_mb;
    /* [lexicon] */
    char lexicon_file[1024]; /* the editors' lexicon; "": lexicon.db beside cache_dir */
    /* [fetch] */
    char allow_hosts[2048]; /* space-separated host names, "*.example.se" for subdomains */
    int allow_any_host;
    char allow_addrs[1024]; /* space-separated CIDRs exempt from address blocking (tests) */
    int fetch_timeout_ms;
    int max_page_bytes;
    int max_redirects;
    int page_ttl_s; /* a page fetched this recently is not fetched again; 0: always fetch */
};

/* The embedded defaults. */
void config_init(struct config *c);

/* Reads an ini file over c. Unknown sections or keys and bad values fail with LY_EPARSE
 * and "FILE:LINE: reason"; a missing file with LY_EINPUT. */
int config_load(struct config *c, const char *path, struct err *e);

/* Sets one setting by its flag name ("listen", "cache-dir", "allow-host", ...). List
 * settings given as flags add to the list. LY_EUSAGE for an unknown name or a bad value. */
int config_set_flag(struct config *c, const char *flag, const char *value, struct err *e);

/* Whether flag takes no value (a boolean such as allow-any-host). -1 when unknown. */
int config_flag_is_bool(const char *flag);

/* Prints the settings' flags and meaning, for --help. */
void config_print_help(void);

#endif
