/* fetch.c -- download one page with libcurl (the only file that includes it): http and https
 * only, hosts on the allowlist, redirects followed here one at a time so each target is checked,
 * and every address curl is about to connect to checked in the open-socket callback, which is
 * what makes decimal, octal, hex, mapped-IPv6 and DNS spellings of internal hosts harmless.
 * Time, size (counted after gzip/deflate decoding) and redirects are capped. Returns raw bytes
 * plus the HTTP charset; no parsing of the page here. One easy handle per call and no signals,
 * so it is safe from several server threads at once once fetch_global_init has run.
 * libcurl is opened (dlopen) by the first call that needs it: linked, it and the twenty
 * libraries it brings (Kerberos, LDAP, SSH, RTMP, GnuTLS...) took 10 ms of every start of
 * lyssna, also of the commands that never fetch (extract, normalize, lexicon). */
#include "fetch.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <curl/curl.h>
#include <dlfcn.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include "base/base.h"

#include "banned.h"

#define MAX_URL_LEN     8192
#define MAX_CHARSET_LEN 40

#define CURL_SONAME "libcurl.so.4"

/* The functions of libcurl called here, without their "curl_" (its type-checking macros
 * stand on those names). */
/* clang-format off */
#define CURL_FUNCS(X) \
    X(easy_cleanup) \
    X(easy_getinfo) \
    X(easy_init) \
    X(easy_perform) \
    X(easy_setopt) \
    X(easy_strerror) \
    X(free) \
    X(global_cleanup) \
    X(global_init) \
    X(url) \
    X(url_cleanup) \
    X(url_get) \
    X(url_set)
/* clang-format on */

static struct {
#define CURL_POINTER(f) __typeof__(curl_##f) *f;
    CURL_FUNCS(CURL_POINTER)
#undef CURL_POINTER
} cu;
static const char *cu_missing; /* NULL once every function is found */
static pthread_once_t cu_once = PTHREAD_ONCE_INIT;

static void cu_open(void)
{
    void *h = dlopen(CURL_SONAME, RTLD_NOW | RTLD_LOCAL);

    cu_missing = CURL_SONAME;
    if (!h)
        return;
#define CURL_FIND(f)                                                                               \
    if (!(cu.f = (__typeof__(cu.f))dlsym(h, "curl_" #f)))                                          \
        return;
    CURL_FUNCS(CURL_FIND)
#undef CURL_FIND
    cu_missing = NULL;
}

/* libcurl, opened by the first call that needs it. */
static int curl_open(struct err *e)
{
    pthread_once(&cu_once, cu_open);
    return cu_missing ? err_set(e, LY_EFETCH, "cannot fetch: %s cannot be loaded (%s)", CURL_SONAME,
                                "install libcurl4")
                      : LY_OK;
}

static int initialized;

int fetch_global_init(struct err *e)
{
    CURLcode rc;

    if (initialized)
        return LY_OK;
    if (curl_open(e))
        return e->code;
    rc = cu.global_init(CURL_GLOBAL_DEFAULT);
    if (rc != CURLE_OK)
        return err_set(e, LY_EFETCH, "cannot initialize libcurl: %s", cu.easy_strerror(rc));
    initialized = 1;
    return LY_OK;
}

void fetch_global_cleanup(void)
{
    if (!initialized)
        return;
    cu.global_cleanup();
    initialized = 0;
}

/* Compares host names case-insensitively (ASCII only), ignoring one trailing dot and IPv6
 * brackets. */
static int host_equal(const char *a, size_t alen, const char *b)
{
    size_t blen = strlen(b);

    if (blen >= 2 && b[0] == '[' && b[blen - 1] == ']') {
        b++;
        blen -= 2;
    }
    if (blen && b[blen - 1] == '.')
        blen--;
    return alen == blen && strncasecmp(a, b, alen) == 0;
}

static int host_allowed(const char *host, const struct fetch_opts *o)
{
    size_t len = strlen(host), i;

    if (len >= 2 && host[0] == '[' && host[len - 1] == ']') {
        host++;
        len -= 2;
    }
    if (len && host[len - 1] == '.')
        len--;
    for (i = 0; i < o->nallow; i++) {
        const char *pat = o->allow_hosts[i];

        if (!pat || !pat[0])
            continue;
        if (pat[0] == '*' && pat[1] == '.') {
            size_t plen = strlen(pat + 1); /* ".kommun.se" */

            if (pat[plen] == '.')
                plen--;
            if (len > plen && strncasecmp(host + len - plen, pat + 1, plen) == 0)
                return 1;
        } else if (host_equal(host, len, pat)) {
            return 1;
        }
    }
    return 0;
}

static char *url_part(CURLU *u, CURLUPart what, unsigned int flags)
{
    char *part = NULL, *copy;

    if (cu.url_get(u, what, &part, flags) != CURLUE_OK || !part) {
        cu.free(part); /* 7.88 can hand back the host even when IDN conversion fails */
        return NULL;
    }
    copy = xstrdup(part);
    cu.free(part);
    return copy;
}

static int check_parsed_url(CURLU *u, const char *url, const struct fetch_opts *o, struct err *e)
{
    char *scheme = url_part(u, CURLUPART_SCHEME, 0);
    char *user = url_part(u, CURLUPART_USER, 0);
    char *pass = url_part(u, CURLUPART_PASSWORD, 0);
    char *host = url_part(u, CURLUPART_HOST, 0);
    char *puny = url_part(u, CURLUPART_HOST, CURLU_PUNYCODE); /* NULL in a non-UTF-8 locale */
    int rc = LY_OK;

    if (!scheme || (strcasecmp(scheme, "http") != 0 && strcasecmp(scheme, "https") != 0))
        rc = err_set(e, LY_EUSAGE, "'%.100s' is not an http or https URL", url);
    else if (user || pass)
        rc = err_set(e, LY_EUSAGE, "'%.100s' carries a user name or password: not fetched", url);
    else if (!host || !host[0])
        rc = err_set(e, LY_EUSAGE, "'%.100s' has no host", url);
    else if (!o->allow_any_host && !host_allowed(host, o) && !(puny && host_allowed(puny, o)))
        rc = err_set(e, LY_EDENIED, "host '%.100s' is not on the allowlist", host);
    free(scheme);
    free(user);
    free(pass);
    free(host);
    free(puny);
    return rc;
}

int fetch_check_url(const char *url, const struct fetch_opts *o, struct err *e)
{
    CURLU *u;
    int rc;

    if (!url || !url[0])
        return err_set(e, LY_EUSAGE, "no URL given");
    if (strlen(url) > MAX_URL_LEN)
        return err_set(e, LY_EUSAGE, "URL is longer than %d bytes", MAX_URL_LEN);
    if (curl_open(e))
        return e->code;
    u = cu.url();
    if (!u)
        return err_set(e, LY_EFETCH, "cannot parse '%.100s': out of memory", url);
    if (cu.url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK)
        rc = err_set(e, LY_EUSAGE, "'%.100s' is not a valid URL", url);
    else
        rc = check_parsed_url(u, url, o, e);
    cu.url_cleanup(u);
    return rc;
}

/* "scheme://host[:port]" of a parsed URL; the port only when the URL names one. */
static char *origin_of(CURLU *u, const char *scheme, const char *host)
{
    char *port = url_part(u, CURLUPART_PORT, 0), *out;
    size_t n = strlen(scheme) + strlen(host) + (port ? strlen(port) : 0) + 8;
    int v6 = strchr(host, ':') != NULL && host[0] != '[';

    out = xmalloc(n);
    snprintf(out, n, "%s://%s%s%s%s%s", scheme, v6 ? "[" : "", host, v6 ? "]" : "", port ? ":" : "",
             port ? port : "");
    free(port);
    return out;
}

int fetch_url_split(const char *url, char **host, char **origin, char **path, struct err *e)
{
    char *scheme = NULL, *h = NULL, *p = NULL, *q = NULL;
    int rc = LY_OK;
    CURLU *u;

    if (curl_open(e))
        return e->code;
    if (!(u = cu.url()))
        return err_set(e, LY_EFETCH, "cannot parse '%.100s': out of memory", url);
    if (strlen(url) > MAX_URL_LEN || cu.url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        !(scheme = url_part(u, CURLUPART_SCHEME, 0)) || !(h = url_part(u, CURLUPART_HOST, 0)) ||
        (strcasecmp(scheme, "http") != 0 && strcasecmp(scheme, "https") != 0)) {
        rc = err_set(e, LY_EUSAGE, "'%.100s' is not an http or https URL", url);
    } else {
        p = url_part(u, CURLUPART_PATH, 0);
        q = url_part(u, CURLUPART_QUERY, 0);
        if (origin)
            *origin = origin_of(u, scheme, h);
        if (path) {
            size_t n = (p ? strlen(p) : 0) + (q ? strlen(q) : 0) + 3;
            *path = xmalloc(n);
            snprintf(*path, n, "%s%s%s", p && *p ? p : "/", q ? "?" : "", q ? q : "");
        }
        if (host) {
            *host = h;
            h = NULL;
        }
    }
    free(scheme);
    free(h);
    free(p);
    free(q);
    cu.url_cleanup(u);
    return rc;
}

static int charset_name_ok(const char *s, size_t n)
{
    size_t i;

    if (n == 0 || n > MAX_CHARSET_LEN)
        return 0;
    for (i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && !strchr("-_.:+()", s[i]))
            return 0;
    return 1;
}

/* Reads one parameter value at *p (a token or a quoted string) into out; advances *p. */
static void param_value(const char **p, struct buf *out)
{
    const char *s = *p;

    if (*s == '"') {
        for (s++; *s && *s != '"'; s++) {
            if (*s == '\\' && s[1])
                s++;
            buf_addch(out, *s, NULL);
        }
        if (*s == '"')
            s++;
    } else {
        for (; *s && *s != ';' && *s != ' ' && *s != '\t'; s++)
            buf_addch(out, *s, NULL);
    }
    *p = s;
}

char *fetch_content_type_charset(const char *ct)
{
    const char *p = ct ? strchr(ct, ';') : NULL;
    struct buf val;
    char *res = NULL;
    size_t i;

    buf_init(&val, 256);
    while (p && *p == ';') {
        size_t nlen;
        const char *name;

        for (p++; *p == ' ' || *p == '\t'; p++)
            ;
        name = p;
        nlen = strcspn(p, "=; \t");
        p += nlen;
        if (*p != '=') {
            p = strchr(p, ';');
            continue;
        }
        p++;
        buf_reset(&val);
        param_value(&p, &val);
        if (nlen == 7 && !strncasecmp(name, "charset", 7)) {
            if (charset_name_ok(val.data, val.len))
                res = xstrdup(val.data);
            break;
        }
        p = strchr(p, ';');
    }
    buf_release(&val);
    for (i = 0; res && res[i]; i++)
        res[i] = (char)tolower((unsigned char)res[i]);
    return res;
}

/* What one request through the easy handle records for the callbacks. */
struct hop {
    CURL *curl;
    struct buf *body;
    const struct fetch_opts *o;
    int toobig, denied;
    char why[200]; /* the first refused address, as a message */
};

/* Called for every address curl is about to connect to, redirects and fallbacks included;
 * refusing here is the only check that sees the address really used. */
static curl_socket_t open_socket(void *data, curlsocktype purpose, struct curl_sockaddr *addr)
{
    struct hop *h = data;
    char ip[INET6_ADDRSTRLEN] = "?";
    int kind;

    if (purpose != CURLSOCKTYPE_IPCXN)
        return CURL_SOCKET_BAD;
    kind = fetch_address_blocked(&addr->addr, h->o);
    if (!kind)
        return socket(addr->family, addr->socktype | SOCK_CLOEXEC, addr->protocol);
    if (addr->family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)&addr->addr)->sin_addr, ip, sizeof(ip));
    else if (addr->family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)&addr->addr)->sin6_addr, ip, sizeof(ip));
    if (!h->denied)
        snprintf(h->why, sizeof(h->why), "'%s' is %s: not fetched", ip, fetch_addr_kind_name(kind));
    h->denied = 1;
    return CURL_SOCKET_BAD;
}

/* Receives the body after gzip/deflate decoding, so the cap also stops decompression bombs;
 * CURLOPT_MAXFILESIZE alone misses chunked bodies. */
static size_t write_body(char *ptr, size_t size, size_t n, void *data)
{
    struct hop *h = data;
    curl_off_t len;

    /* room for the whole body at once when its length is said: a 34 MB scan grown by
       doubling was copied five times over (0.15 s on the 2-core VM) */
    if (!h->body->cap &&
        cu.easy_getinfo(h->curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &len) == CURLE_OK && len > 0 &&
        (uint64_t)len <= h->body->max)
        buf_grow(h->body, (size_t)len, NULL);
    if (buf_add(h->body, ptr, size * n, NULL) != LY_OK) {
        h->toobig = 1;
        return 0;
    }
    return size * n;
}

static int setup_handle(CURL *c, struct hop *h, const struct fetch_opts *o, char *errbuf)
{
    long connect_ms =
        o->connect_timeout_ms > 0 ? o->connect_timeout_ms : LYSSNA_FETCH_CONNECT_TIMEOUT_MS;
    int bad = 0;

    bad |= cu.easy_setopt(c, CURLOPT_NOSIGNAL, 1L) != CURLE_OK;
    bad |= cu.easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK;
    bad |= cu.easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https") != CURLE_OK;
    bad |= cu.easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK;
    bad |= cu.easy_setopt(c, CURLOPT_PROXY, "") != CURLE_OK; /* no proxy from the env */
    bad |= cu.easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "") != CURLE_OK;
    bad |= cu.easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, open_socket) != CURLE_OK;
    bad |= cu.easy_setopt(c, CURLOPT_OPENSOCKETDATA, h) != CURLE_OK;
    bad |= cu.easy_setopt(c, CURLOPT_WRITEFUNCTION, write_body) != CURLE_OK;
    bad |= cu.easy_setopt(c, CURLOPT_WRITEDATA, h) != CURLE_OK;
    bad |= cu.easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf) != CURLE_OK;
    bad |= cu.easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, connect_ms) != CURLE_OK;
    bad |= cu.easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE,
                          (curl_off_t)(h->body->max > INT64_MAX ? 0 : h->body->max)) != CURLE_OK;
    bad |= cu.easy_setopt(c, CURLOPT_USERAGENT,
                          o->user_agent ? o->user_agent : LYSSNA_FETCH_USER_AGENT) != CURLE_OK;
    return bad;
}

static long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int hop_failure(CURLcode cc, const struct hop *h, const char *url, long elapsed,
                       const char *errbuf, struct err *e)
{
    if (h->denied && cc == CURLE_COULDNT_CONNECT)
        return err_set(e, LY_EDENIED, "%s", h->why);
    if (h->toobig || cc == CURLE_FILESIZE_EXCEEDED)
        return err_set(e, LY_ETOOBIG, "page '%.100s' is over the limit of %zu bytes", url,
                       h->body->max);
    switch (cc) {
    case CURLE_OPERATION_TIMEDOUT:
        return err_set(e, LY_ETIMEOUT, "cannot fetch '%.100s': timed out after %ld ms", url,
                       elapsed);
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
        return err_set(e, LY_EUSAGE, "'%.100s' is not a valid http or https URL", url);
    case CURLE_COULDNT_RESOLVE_HOST:
        return err_set(e, LY_EFETCH, "cannot fetch '%.100s': host not found", url);
    default:
        return err_set(e, LY_EFETCH, "cannot fetch '%.100s': %s", url,
                       errbuf[0] ? errbuf : cu.easy_strerror(cc));
    }
}

/* One request, no redirect following; the body lands in h->body. */
static int run_hop(CURL *c, struct hop *h, const char *url, long start, long timeout, char *errbuf,
                   struct err *e)
{
    long left = timeout - (now_ms() - start);
    CURLcode cc;

    if (left <= 0)
        return err_set(e, LY_ETIMEOUT, "cannot fetch '%.100s': timed out after %ld ms", url,
                       now_ms() - start);
    buf_reset(h->body);
    h->toobig = h->denied = 0;
    errbuf[0] = '\0';
    if (cu.easy_setopt(c, CURLOPT_URL, url) != CURLE_OK ||
        cu.easy_setopt(c, CURLOPT_TIMEOUT_MS, left) != CURLE_OK)
        return err_set(e, LY_EFETCH, "cannot fetch '%.100s': libcurl refused the URL", url);
    cc = cu.easy_perform(c);
    if (cc != CURLE_OK)
        return hop_failure(cc, h, url, now_ms() - start, errbuf, e);
    return LY_OK;
}

static int is_redirect(long status)
{
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

/* The next URL when the answer is a redirect we may follow, NULL when it is final. */
static int next_url(CURL *c, const char *url, int hops, int max, const struct fetch_opts *o,
                    char **next, struct err *e)
{
    struct err why = {0};
    long status = 0;
    char *loc = NULL;
    int rc;

    *next = NULL;
    cu.easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    if (!is_redirect(status))
        return LY_OK;
    if (cu.easy_getinfo(c, CURLINFO_REDIRECT_URL, &loc) != CURLE_OK || !loc)
        return err_set(e, LY_EHTTP, "'%.100s' answered %ld without a usable Location", url, status);
    if (hops >= max)
        return err_set(e, LY_EFETCH, "cannot fetch '%.100s': more than %d redirects", url, max);
    rc = fetch_check_url(loc, o, &why);
    if (rc)
        return err_set(e, rc == LY_EUSAGE ? LY_EDENIED : rc, "redirect from '%.80s' refused: %s",
                       url, why.msg);
    *next = xstrdup(loc);
    return LY_OK;
}

static void copy_info(CURL *c, const char *url, struct fetch_result *out)
{
    curl_off_t retry = 0;
    char *s = NULL;

    cu.easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
    if (cu.easy_getinfo(c, CURLINFO_CONTENT_TYPE, &s) == CURLE_OK && s) {
        out->content_type = xstrdup(s);
        out->charset = fetch_content_type_charset(s);
    }
    s = NULL;
    cu.easy_getinfo(c, CURLINFO_EFFECTIVE_URL, &s);
    out->final_url = xstrdup(s ? s : url);
    if (cu.easy_getinfo(c, CURLINFO_RETRY_AFTER, &retry) == CURLE_OK && retry > 0)
        out->retry_after_s = retry > 86400 ? 86400 : (long)retry;
}

static int follow(CURL *c, struct hop *h, const char *url, const struct fetch_opts *o, char *errbuf,
                  struct fetch_result *out, struct err *e)
{
    long timeout = o->timeout_ms > 0 ? o->timeout_ms : LYSSNA_FETCH_TIMEOUT_MS;
    int max = o->max_redirects ? o->max_redirects : LYSSNA_FETCH_MAX_REDIRECTS;
    long start = now_ms();
    char *cur = xstrdup(url), *next = NULL;
    int hops, rc;

    for (hops = 0;; hops++) {
        rc = run_hop(c, h, cur, start, timeout, errbuf, e);
        if (!rc)
            rc = next_url(c, cur, hops, max < 0 ? 0 : max, o, &next, e);
        if (rc || !next)
            break;
        free(cur);
        cur = next;
    }
    if (!rc || rc == LY_EHTTP)
        copy_info(c, cur, out);
    if (!rc) {
        if (out->status < 200 || out->status > 299)
            rc = err_set(e, LY_EHTTP, "'%.100s' answered with HTTP status %ld", cur, out->status);
    }
    free(cur);
    return rc;
}

int fetch_get_url(const char *url, const struct fetch_opts *o, struct fetch_result *out,
                  struct err *e)
{
    char errbuf[CURL_ERROR_SIZE] = "";
    struct hop h = {0};
    CURL *c = NULL;
    int rc;

    memset(out, 0, sizeof(*out));
    buf_init(&out->body, o->max_bytes ? o->max_bytes : LYSSNA_FETCH_MAX_BYTES);
    rc = fetch_check_url(url, o, e);
    if (rc)
        return rc;
    h.body = &out->body;
    h.o = o;
    c = cu.easy_init();
    if (!c)
        return err_set(e, LY_EFETCH, "cannot fetch '%.100s': libcurl failed to start", url);
    h.curl = c;
    if (setup_handle(c, &h, o, errbuf))
        rc = err_set(e, LY_EFETCH, "cannot fetch '%.100s': libcurl lacks a needed feature", url);
    else
        rc = follow(c, &h, url, o, errbuf, out, e);
    cu.easy_cleanup(c);
    if (rc && rc != LY_EHTTP)
        fetch_result_release(out);
    return rc;
}

void fetch_result_release(struct fetch_result *r)
{
    buf_release(&r->body);
    free(r->content_type);
    free(r->charset);
    free(r->final_url);
    r->content_type = r->charset = r->final_url = NULL;
    r->status = 0;
    r->retry_after_s = 0;
}
