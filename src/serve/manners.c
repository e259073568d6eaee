/* manners.c -- how clients are told apart and held to the limits: the client's address
 * (behind a loopback proxy, X-Forwarded-For) and a token bucket per client. */
#include "serve_int.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "banned.h"

/* The client's address; behind the municipality's own proxy (a loopback peer) the last
 * X-Forwarded-For entry, which that proxy wrote. */
void client_of(struct MHD_Connection *c, char *out, size_t size)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const char *xff = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Forwarded-For"), *last;
    const struct sockaddr *sa = ci ? ci->client_addr : NULL;

    snprintf(out, size, "unknown");
    if (sa && sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, (socklen_t)size);
    else if (sa && sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out, (socklen_t)size);
    if (xff && (!strncmp(out, "127.", 4) || !strcmp(out, "::1"))) {
        last = strrchr(xff, ',');
        last = last ? last + 1 : xff;
        last += strspn(last, " ");
        snprintf(out, size, "%.*s", (int)strcspn(last, " ,"), last);
    }
}

static size_t hash_text(const char *s)
{
    size_t h = 5381;

    while (*s)
        h = h * 33 + (unsigned char)*s++;
    return h;
}

int rate_allows(struct server *srv, const char *client)
{
    return rate_allows_at(srv, client, cfg_of(srv)->rate_limit);
}

/* Takes a token from the client's bucket (limit per minute, bursts of as many). */
int rate_allows_at(struct server *srv, const char *client, int limit)
{
    double per_s = limit / 60.0;
    struct rate_slot *r;
    struct timespec now;
    int ok;

    if (limit <= 0)
        return 1;
    clock_gettime(CLOCK_MONOTONIC, &now);
    pthread_mutex_lock(&srv->lock);
    r = &srv->rates[hash_text(client) % LYSSNA_RATE_SLOTS];
    if (strcmp(r->client, client)) {
        snprintf(r->client, sizeof(r->client), "%s", client);
        r->tokens = limit;
    } else {
        r->tokens += per_s * ((double)(now.tv_sec - r->at.tv_sec) +
                              (double)(now.tv_nsec - r->at.tv_nsec) / 1e9);
        if (r->tokens > limit)
            r->tokens = limit;
    }
    r->at = now;
    ok = r->tokens >= 1;
    if (ok)
        r->tokens -= 1;
    pthread_mutex_unlock(&srv->lock);
    return ok;
}
