/* http.c -- HTTP answers: every answer queued through send_response (the shared headers,
 * CORS), JSON bodies and errors with a status from one table, and cached entries with
 * validators (ETag, 304) and byte ranges. */
#include "serve_int.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "banned.h"

int status_of(enum lyssna_code code)
{
    switch (code) {
    case LY_EUSAGE:
    case LY_EVOICE:
    case LY_EEMPTY:
    case LY_EUTF8:
    case LY_EPARSE:
    case LY_EINPUT:
        return MHD_HTTP_BAD_REQUEST;
    case LY_ETOOBIG:
        return MHD_HTTP_CONTENT_TOO_LARGE;
    case LY_EDENIED:
        return MHD_HTTP_FORBIDDEN;
    case LY_EFETCH:
    case LY_EHTTP:
        return MHD_HTTP_BAD_GATEWAY;
    case LY_ETIMEOUT:
        return MHD_HTTP_GATEWAY_TIMEOUT;
    case LY_EBUSY:
        return MHD_HTTP_SERVICE_UNAVAILABLE;
    default:
        return MHD_HTTP_INTERNAL_SERVER_ERROR;
    }
}

/* CORS headers for a browser calling from a configured origin; none for any other origin,
 * so that the browser keeps the answer from the page. A preflight (OPTIONS) also learns
 * what it may send. */
void add_cors(struct server *srv, struct MHD_Connection *c, struct MHD_Response *r)
{
    const char *origin = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin");
    const char *list = cfg_of(srv)->cors_origins, *p;
    size_t n;

    if (!origin || !*list)
        return;
    n = strlen(origin);
    for (p = list; (p = strstr(p, origin)); p += n)
        if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0')) {
            MHD_add_response_header(r, "Access-Control-Allow-Origin", origin);
            MHD_add_response_header(r, "Vary", "Origin");
            MHD_add_response_header(r, "Access-Control-Expose-Headers",
                                    "Content-Length, Content-Range, ETag");
            MHD_add_response_header(r, "Access-Control-Allow-Methods", "GET, POST, OPTIONS");
            MHD_add_response_header(r, "Access-Control-Allow-Headers", "Content-Type, Range");
            MHD_add_response_header(r, "Access-Control-Max-Age", "600");
            return;
        }
}

/* The one place an answer is queued: the headers every answer shares are added here, so that
 * no route forgets CORS or a 503's Retry-After. */
enum MHD_Result send_response(struct server *srv, struct MHD_Connection *c, unsigned status,
                              struct MHD_Response *r, const char *type, const char *cache,
                              const struct answer_as *as)
{
    enum MHD_Result ret;

    if (!r)
        return MHD_NO;
    if (type)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    if (cache)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, cache);
    if (as && as->header)
        MHD_add_response_header(r, as->header, as->value);
    if (status == MHD_HTTP_SERVICE_UNAVAILABLE &&
        !MHD_get_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER))
        MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, "2");
    if (status == MHD_HTTP_UNAUTHORIZED && /* the keys of auth.c */
        !MHD_get_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE))
        MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
    add_cors(srv, c, r);
    ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

int open_regular(const char *path, uint64_t *size)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd >= 0 && !fstat(fd, &st) && S_ISREG(st.st_mode)) {
        *size = (uint64_t)st.st_size;
        return fd;
    }
    if (fd >= 0)
        close(fd);
    return -1;
}

enum MHD_Result send_buffer(struct server *srv, struct MHD_Connection *c, unsigned status,
                            const char *type, const void *data, size_t len)
{
    return send_response(srv, c, status,
                         MHD_create_response_from_buffer(len, (void *)data, MHD_RESPMEM_MUST_COPY),
                         type, NULL, NULL);
}

enum MHD_Result send_json(struct server *srv, struct MHD_Connection *c, unsigned status,
                          json_t *body)
{
    char *s = json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER);
    enum MHD_Result ret;

    json_decref(body);
    if (!s)
        return MHD_NO;
    ret = send_buffer(srv, c, status, "application/json", s, strlen(s));
    free(s);
    return ret;
}

enum MHD_Result send_error(struct server *srv, struct MHD_Connection *c, const struct err *e)
{
    return send_json(srv, c, status_of(e->code),
                     json_pack("{s:s, s:s}", "error", err_name(e->code), "message",
                               e->msg[0] ? e->msg : err_name(e->code)));
}

enum MHD_Result send_text_error(struct server *srv, struct MHD_Connection *c, const struct err *e)
{
    char line[300];
    int n = snprintf(line, sizeof(line), "%s\n", e->msg[0] ? e->msg : err_name(e->code));

    return send_buffer(srv, c, (unsigned)status_of(e->code), "text/plain; charset=utf-8", line,
                       (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

enum MHD_Result fail(struct server *srv, struct MHD_Connection *c, enum lyssna_code code,
                     const char *msg)
{
    struct err e = {0};

    err_set(&e, code, "%s", msg);
    return send_error(srv, c, &e);
}

const char *arg(struct MHD_Connection *c, const char *name)
{
    return MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);
}

/* "bytes=A-B", "bytes=A-", "bytes=-N" into [*from, *to]; 0 when unsatisfiable or unparsable. */
int parse_range(const char *h, uint64_t size, uint64_t *from, uint64_t *to)
{
    unsigned long long a, b;
    char *end;

    if (strncmp(h, "bytes=", 6) || size == 0 || strchr(h, ','))
        return 0;
    h += 6;
    if (*h == '-') {
        b = strtoull(h + 1, &end, 10);
        if (*end || b == 0)
            return 0;
        *from = b >= size ? 0 : size - b;
        *to = size - 1;
        return 1;
    }
    a = strtoull(h, &end, 10);
    if (*end != '-' || a >= size)
        return 0;
    b = size - 1; /* "bytes=A-": to the end, what audio elements ask first */
    if (end[1] && (b = strtoull(end + 1, &end, 10), *end))
        return 0;
    if (b < a)
        return 0;
    *from = a;
    *to = b >= size ? size - 1 : b;
    return 1;
}

/* A cached entry with validators and byte ranges (Safari's audio element needs them). */
enum MHD_Result send_cached(struct server *srv, struct MHD_Connection *c, struct cache_hit *hit,
                            const char *type, const char *key, const struct answer_as *as)
{
    const char *inm = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "If-None-Match");
    const char *range = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Range");
    char etag[80], date[64], cr[96];
    uint64_t from = 0, to = hit->size ? hit->size - 1 : 0;
    unsigned status = MHD_HTTP_OK;
    struct MHD_Response *r;
    struct tm tm;

    snprintf(etag, sizeof(etag), "\"%.32s\"", key);
    gmtime_r(&hit->mtime, &tm);
    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
    if (inm && strstr(inm, etag)) {
        close(hit->fd);
        r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
        status = MHD_HTTP_NOT_MODIFIED;
    } else if (range && !parse_range(range, hit->size, &from, &to)) {
        close(hit->fd);
        snprintf(cr, sizeof(cr), "bytes */%" PRIu64, hit->size);
        r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_RANGE, cr);
        status = MHD_HTTP_RANGE_NOT_SATISFIABLE;
    } else {
        r = MHD_create_response_from_fd_at_offset64(to - from + 1, hit->fd, (int64_t)from);
        if (!r) {
            close(hit->fd);
            return MHD_NO;
        }
        if (range) {
            snprintf(cr, sizeof(cr), "bytes %" PRIu64 "-%" PRIu64 "/%" PRIu64, from, to, hit->size);
            MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_RANGE, cr);
            status = MHD_HTTP_PARTIAL_CONTENT;
        }
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, etag);
    MHD_add_response_header(r, MHD_HTTP_HEADER_LAST_MODIFIED, date);
    MHD_add_response_header(r, MHD_HTTP_HEADER_ACCEPT_RANGES, "bytes");
    return send_response(srv, c, status, r, status < 300 ? type : NULL, "public, max-age=86400",
                         as);
}

/* A Range other than "bytes=0-" (which a whole 200 answers, and which Chromium and Firefox
 * send as they start to play a stream). */
int wants_part(struct MHD_Connection *c)
{
    const char *range = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_RANGE);

    return range && strcmp(range, "bytes=0-") != 0;
}
