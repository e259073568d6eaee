/* session.c -- the editor's page signs in with an editor's key once and then carries a
 * cookie (HttpOnly, SameSite=Strict) instead of the key: NAME.EXPIRY.MAC, the MAC a keyed
 * SHA-256 (cache_key over the key's token and the rest, each part length-prefixed, so no
 * message can be extended into another) over the name and expiry. Nothing is stored: every
 * instance with the same key file checks any instance's cookie, and a key taken out of the
 * file ends its sessions. A change made with a cookie also needs the X-CSRF-Token the sign-in
 * answered (a MAC of the cookie), which another site's page cannot read. Logins are held to
 * a rate per address. */
#include "serve_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "banned.h"

#define LYSSNA_SESSION_S      (8 * 3600) /* a working day */
#define LYSSNA_LOGINS_PER_MIN 10
#define LYSSNA_COOKIE         "lyssna_editor"

/* The MAC of what (a purpose and a value) under key k, as hex. */
static void mac(const struct api_key *k, const char *purpose, const char *value,
                char out[CACHE_KEY_HEX + 1])
{
    const char *parts[] = {k->key, purpose, value};

    cache_key(parts, NULL, 3, out);
}

static int same(const char *a, const char *b)
{
    size_t i, n = strlen(a);
    unsigned diff = n != strlen(b);

    for (i = 0; i < n && i < strlen(b); i++)
        diff |= (unsigned char)a[i] ^ (unsigned char)b[i];
    return diff == 0;
}

/* The cookie's value for k until expiry into out. */
static void cookie_of(const struct api_key *k, long long expiry, char *out, size_t size)
{
    char body[128], m[CACHE_KEY_HEX + 1];

    snprintf(body, sizeof(body), "%s.%lld", k->name, expiry);
    mac(k, "session", body, m);
    snprintf(out, size, "%s.%s", body, m);
}

static void csrf_of(const struct api_key *k, const char *cookie, char out[CACHE_KEY_HEX + 1])
{
    mac(k, "csrf", cookie, out);
}

/* The editor's key whose valid cookie value is v, or NULL. */
static const struct api_key *check_cookie(struct server *srv, const char *v)
{
    const struct keyring *ring = &live_of(srv)->keys;
    char name[64], want[256];
    long long expiry;
    const char *dot = strchr(v, '.');
    size_t i;

    if (!dot || (size_t)(dot - v) >= sizeof(name) || strlen(v) >= sizeof(want))
        return NULL;
    snprintf(name, sizeof(name), "%.*s", (int)(dot - v), v);
    expiry = strtoll(dot + 1, NULL, 10);
    if (expiry < (long long)time(NULL))
        return NULL;
    for (i = 0; i < ring->n; i++)
        if (ring->keys[i].editor && !strcmp(ring->keys[i].name, name)) {
            cookie_of(&ring->keys[i], expiry, want, sizeof(want));
            return same(want, v) ? &ring->keys[i] : NULL;
        }
    return NULL;
}

void session_identify(struct server *srv, struct MHD_Connection *c, struct request *rq)
{
    const char *v = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, LYSSNA_COOKIE);
    const struct api_key *k = v ? check_cookie(srv, v) : NULL;
    const char *token = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-CSRF-Token");
    char want[CACHE_KEY_HEX + 1];

    if (!k)
        return;
    rq->key = k;
    rq->session = 1;
    csrf_of(k, v, want);
    rq->csrf_ok = token && same(want, token);
}

/* {"name", "csrf"} for a signed-in page, with the cookie when set is given. */
static enum MHD_Result answer_signed_in(struct server *srv, struct MHD_Connection *c,
                                        const struct api_key *k, const char *cookie, int set)
{
    char csrf[CACHE_KEY_HEX + 1], header[512];
    struct MHD_Response *r;
    char *body;
    json_t *doc;

    csrf_of(k, cookie, csrf);
    doc = json_pack("{s:s, s:s}", "name", k->name, "csrf", csrf);
    body = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    r = MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_COPY);
    free(body);
    if (r && set) {
        snprintf(header, sizeof(header),
                 LYSSNA_COOKIE "=%s; Path=/; Max-Age=%d; HttpOnly; SameSite=Strict", cookie,
                 LYSSNA_SESSION_S);
        MHD_add_response_header(r, MHD_HTTP_HEADER_SET_COOKIE, header);
    }
    return send_response(srv, c, MHD_HTTP_OK, r, "application/json", "no-store", NULL);
}

enum MHD_Result answer_login(struct server *srv, struct MHD_Connection *c, struct request *rq)
{
    char bucket[96], cookie[256];
    const struct api_key *k;
    json_t *o;
    const char *token;

    snprintf(bucket, sizeof(bucket), "login:%s", rq->client);
    if (!rate_allows_at(srv, bucket, LYSSNA_LOGINS_PER_MIN))
        return send_json(srv, c, MHD_HTTP_TOO_MANY_REQUESTS,
                         json_pack("{s:s, s:s}", "error", "rate_limited", "message",
                                   "för många inloggningar: vänta en minut"));
    o = json_loadb(rq->body.data, rq->body.len, 0, NULL);
    token = json_string_value(json_object_get(o, "key"));
    k = token ? keys_find(&live_of(srv)->keys, token) : NULL;
    json_decref(o);
    if (!k || !k->editor)
        return send_json(srv, c, MHD_HTTP_UNAUTHORIZED,
                         json_pack("{s:s, s:s}", "error", "unauthorized", "message",
                                   "nyckeln är ingen redaktörsnyckel"));
    cookie_of(k, (long long)time(NULL) + LYSSNA_SESSION_S, cookie, sizeof(cookie));
    return answer_signed_in(srv, c, k, cookie, 1);
}

enum MHD_Result answer_session(struct server *srv, struct MHD_Connection *c, struct request *rq)
{
    const char *v = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, LYSSNA_COOKIE);
    const struct api_key *k = v ? check_cookie(srv, v) : NULL;
    struct MHD_Response *r;

    (void)rq;
    if (!strcmp(rq->method, "POST")) { /* signing out: the cookie goes */
        r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
        if (r)
            MHD_add_response_header(r, MHD_HTTP_HEADER_SET_COOKIE,
                                    LYSSNA_COOKIE
                                    "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
        return send_response(srv, c, MHD_HTTP_NO_CONTENT, r, NULL, "no-store", NULL);
    }
    if (!k)
        return send_json(srv, c, MHD_HTTP_UNAUTHORIZED,
                         json_pack("{s:s, s:s}", "error", "unauthorized", "message",
                                   "logga in med en redaktörsnyckel"));
    return answer_signed_in(srv, c, k, v, 0);
}
