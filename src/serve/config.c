/* config.c -- one table of settings serves the ini file (section, key), the flags (--name)
 * and --help, so that every setting can be given either way and none is forgotten.
 * inih reads the file; every value is checked against its type and range. */
#include "serve.h"

#include <errno.h>
#include <ini.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

#include "banned.h"

enum kind { STR, LIST, INT, BOOL };

static const struct setting {
    const char *section, *key, *flag;
    enum kind kind;
    size_t offset, size;
    int min, max;
    const char *help;
} settings[] = {
#define S(sec, key, flag, kind, field, min, max, help)                                             \
    {                                                                                              \
        sec, key, flag, kind, offsetof(struct config, field), sizeof(((struct config *)0)->field), \
            min, max, help                                                                         \
    }
    S("server", "listen", "listen", STR, listen, 0, 0, "ADDR:PORT to listen on (port 0: any free)"),
    S("server", "workers", "workers", INT, workers, 0, 64, "synthesis processes (0: one per core)"),
    S("server", "queue", "queue", INT, queue, 0, 10000, "requests that may wait for a worker"),
    S("server", "queue_wait_ms", "queue-wait-ms", INT, queue_wait_ms, 0, 600000,
      "how long a request may wait for a worker before 503"),
    S("server", "max_text_bytes", "max-text-bytes", INT, max_text_bytes, 1, 1 << 20,
      "largest text accepted (413 above)"),
    S("server", "synth_timeout_ms", "synth-timeout-ms", INT, synth_timeout_ms, 100, 3600000,
      "a synthesis worker silent this long is replaced"),
    S("server", "shutdown_grace_s", "shutdown-grace-s", INT, shutdown_grace_s, 0, 3600,
      "on SIGTERM, time running streams get to finish"),
    S("server", "web_dir", "web", STR, web_dir, 0, 0, "folder of static files (the listen button)"),
    S("server", "cors_origins", "cors-origin", LIST, cors_origins, 0, 0,
      "origin allowed to call the API from a browser (repeatable)"),
    S("server", "rate_limit", "rate-limit", INT, rate_limit, 0, 1000000,
      "API requests per minute from one client address (0: no limit)"),
    S("server", "client_timeout_s", "client-timeout-s", INT, client_timeout_s, 1, 3600,
      "a connection silent this long is closed"),
    S("server", "max_connections", "max-connections", INT, max_connections, 1, 100000,
      "open connections in all"),
    S("server", "max_connections_per_client", "max-connections-per-client", INT, max_per_client, 0,
      100000, "open connections from one address (0: no limit)"),
    S("server", "wyoming", "wyoming", STR, wyoming, 0, 0,
      "ADDR:PORT to speak Wyoming on, for Home Assistant (default: off)"),
    S("server", "keys_file", "keys-file", STR, keys_file, 0, 0,
      "file of API keys, each with its own limits (reloaded on SIGHUP)"),
    S("server", "require_keys", "require-keys", LIST, require_keys, 0, 0,
      "API that needs a key: openai, marytts or opentts (repeatable)"),
    S("server", "user", "user", STR, user, 0, 0,
      "started as root: the user to run as once the port is bound"),
    S("cache", "dir", "cache-dir", STR, cache_dir, 0, 0, "folder of the audio cache"),
    S("cache", "max_mb", "cache-max-mb", INT, cache_max_mb, 1, 1 << 30, "cache size cap in MiB"),
    S("lexicon", "file", "lexicon-file", STR, lexicon_file, 0, 0,
      "the editors' lexicon, shared by instances (default: lexicon.db beside the cache folder)"),
    S("fetch", "allow_hosts", "allow-host", LIST, allow_hosts, 0, 0,
      "host whose pages may be read, *.example.se for subdomains (repeatable)"),
    S("fetch", "allow_any_host", "allow-any-host", BOOL, allow_any_host, 0, 1,
      "read pages from any host (public addresses only)"),
    S("fetch", "allow_addrs", "allow-addr", LIST, allow_addrs, 0, 0,
      "CIDR exempt from address blocking, for a test origin (repeatable)"),
    S("fetch", "timeout_ms", "fetch-timeout-ms", INT, fetch_timeout_ms, 100, 600000,
      "time to fetch a page"),
    S("fetch", "max_page_bytes", "max-page-bytes", INT, max_page_bytes, 1024, 1 << 30,
      "largest page fetched"),
    S("fetch", "max_redirects", "max-redirects", INT, max_redirects, 0, 20, "redirects followed"),
    S("fetch", "page_ttl_s", "page-ttl-s", INT, page_ttl_s, 0, 86400,
      "seconds a fetched page is reused before it is fetched again"),
#undef S
};

#define NSETTINGS (sizeof(settings) / sizeof(settings[0]))

void config_init(struct config *c)
{
    memset(c, 0, sizeof(*c));
    snprintf(c->listen, sizeof(c->listen), "127.0.0.1:8080");
    c->queue = 64;
    c->queue_wait_ms = 5000;
    c->max_text_bytes = 1 << 20;
    c->synth_timeout_ms = 30000;
    c->shutdown_grace_s = 10;
    c->rate_limit = 600;
    c->client_timeout_s = 120;
    c->max_connections = 1000;
    snprintf(c->cache_dir, sizeof(c->cache_dir), "cache");
    c->cache_max_mb = 1024;
    c->fetch_timeout_ms = 10000;
    c->max_page_bytes = 8 << 20;
    c->max_redirects = 5;
    c->page_ttl_s = 300;
}

static int parse_bool(const char *v, int *out)
{
    if (!strcmp(v, "true") || !strcmp(v, "yes") || !strcmp(v, "1") || !strcmp(v, "on"))
        return *out = 1, 1;
    if (!strcmp(v, "false") || !strcmp(v, "no") || !strcmp(v, "0") || !strcmp(v, "off"))
        return *out = 0, 1;
    return 0;
}

/* Stores value into the setting; append: add to a list instead of replacing it. */
static int apply(struct config *c, const struct setting *s, const char *value, int append,
                 char *why, size_t whylen)
{
    char *field = (char *)c + s->offset, *end;
    size_t have = s->kind == LIST && append ? strlen(field) : 0, n = strlen(value);
    long v;

    switch (s->kind) {
    case STR:
    case LIST:
        if (have + n + 2 > s->size)
            return snprintf(why, whylen, "value too long for '%s'", s->key), 0;
        if (have)
            field[have++] = ' ';
        memcpy(field + have, value, n + 1);
        return 1;
    case INT:
        errno = 0;
        v = strtol(value, &end, 10);
        if (errno || end == value || *end || v < s->min || v > s->max)
            return snprintf(why, whylen, "'%s' wants a whole number from %d to %d, not '%s'",
                            s->key, s->min, s->max, value),
                   0;
        *(int *)field = (int)v;
        return 1;
    case BOOL:
        if (!parse_bool(value, (int *)field))
            return snprintf(why, whylen, "'%s' wants true or false, not '%s'", s->key, value), 0;
        return 1;
    }
    return 0;
}

struct load_state {
    struct config *c;
    char why[256];
};

static int on_key(void *user, const char *section, const char *key, const char *value)
{
    struct load_state *st = user;
    size_t i;

    for (i = 0; i < NSETTINGS; i++)
        if (!strcmp(settings[i].section, section) && !strcmp(settings[i].key, key))
            return apply(st->c, &settings[i], value, 0, st->why, sizeof(st->why));
    snprintf(st->why, sizeof(st->why), "unknown setting '%s' in [%s]", key, section);
    return 0;
}

int config_load(struct config *c, const char *path, struct err *e)
{
    struct load_state st = {.c = c};
    int line = ini_parse(path, on_key, &st);

    if (line == -1)
        return err_set(e, LY_EINPUT, "cannot read config '%s': %s", path, strerror(errno));
    if (line)
        return err_set(e, LY_EPARSE, "%s:%d: %s", path, line,
                       st.why[0] ? st.why : "not a 'key = value' line");
    return LY_OK;
}

static const struct setting *by_flag(const char *flag)
{
    size_t i;

    for (i = 0; i < NSETTINGS; i++)
        if (!strcmp(settings[i].flag, flag))
            return &settings[i];
    return NULL;
}

int config_set_flag(struct config *c, const char *flag, const char *value, struct err *e)
{
    const struct setting *s = by_flag(flag);
    char why[256];

    if (!s)
        return err_set(e, LY_EUSAGE, "unknown option '--%s' (see 'lyssna serve --help')", flag);
    if (!apply(c, s, value, 1, why, sizeof(why)))
        return err_set(e, LY_EUSAGE, "--%s: %s", flag, why);
    return LY_OK;
}

int config_flag_is_bool(const char *flag)
{
    const struct setting *s = by_flag(flag);

    return s ? s->kind == BOOL : -1;
}

void config_print_help(void)
{
    size_t i;

    for (i = 0; i < NSETTINGS; i++)
        printf("  --%-18s %s\n                       ([%s] %s in the config file)\n",
               settings[i].flag, settings[i].help, settings[i].section, settings[i].key);
}
