/* fetch_addr.c -- which addresses a fetch may connect to: the special-purpose IPv4 and IPv6
 * ranges (loopback, private, link-local, documentation...) are refused unless the operator
 * exempts them by address or CIDR range; an IPv4 address is judged as ::ffff:a.b.c.d, so one
 * comparison serves both families. Called by fetch.c for every address curl is about to
 * connect to, and at start-up to check the options (fetch_check_opts). */
#include "fetch.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "base/base.h"

#include "banned.h"

/* Special-purpose IPv4 ranges (RFC 6890 and successors), most specific first. */
static const struct {
    uint32_t net;
    int bits;
    int kind;
} v4_ranges[] = {
    {0x00000000, 8, FETCH_ADDR_UNSPECIFIED}, {0x0a000000, 8, FETCH_ADDR_PRIVATE},
    {0x64400000, 10, FETCH_ADDR_SHARED},     {0x7f000000, 8, FETCH_ADDR_LOOPBACK},
    {0xa9fe0000, 16, FETCH_ADDR_LINK_LOCAL}, {0xac100000, 12, FETCH_ADDR_PRIVATE},
    {0xc0000000, 24, FETCH_ADDR_RESERVED},   {0xc0000200, 24, FETCH_ADDR_RESERVED},
    {0xc0586300, 24, FETCH_ADDR_RESERVED},   {0xc0a80000, 16, FETCH_ADDR_PRIVATE},
    {0xc6120000, 15, FETCH_ADDR_RESERVED},   {0xc6336400, 24, FETCH_ADDR_RESERVED},
    {0xcb007100, 24, FETCH_ADDR_RESERVED},   {0xe0000000, 4, FETCH_ADDR_MULTICAST},
    {0xffffffff, 32, FETCH_ADDR_BROADCAST},  {0xf0000000, 4, FETCH_ADDR_RESERVED},
};

/* IPv6 ranges. embed >= 0: the range carries an IPv4 address at that byte offset, judged by
 * the IPv4 table; kind then applies only when that IPv4 address is itself allowed. */
static const struct {
    uint8_t net[6];
    int bits;
    int kind;
    int embed;
} v6_ranges[] = {
    {{0x00, 0x64, 0xff, 0x9b}, 96, FETCH_ADDR_OK, 12},                  /* NAT64 64:ff9b::/96 */
    {{0x00, 0x64, 0xff, 0x9b, 0x00, 0x01}, 48, FETCH_ADDR_PRIVATE, -1}, /* local NAT64 */
    {{0x20, 0x01, 0x0d, 0xb8}, 32, FETCH_ADDR_RESERVED, -1},            /* documentation */
    {{0x20, 0x01, 0x00, 0x00}, 23, FETCH_ADDR_RESERVED, -1}, /* Teredo, benchmarking, ORCHID */
    {{0x20, 0x02, 0x00, 0x00}, 16, FETCH_ADDR_OK, 2},        /* 6to4 */
    {{0x3f, 0xff, 0x00, 0x00}, 20, FETCH_ADDR_RESERVED, -1}, /* documentation */
    {{0x20, 0x00, 0x00, 0x00}, 3, FETCH_ADDR_OK, -1},        /* global unicast */
    {{0xfc, 0x00, 0x00, 0x00}, 7, FETCH_ADDR_PRIVATE, -1},   /* unique local */
    {{0xfe, 0x80, 0x00, 0x00}, 10, FETCH_ADDR_LINK_LOCAL, -1},
    {{0xfe, 0xc0, 0x00, 0x00}, 10, FETCH_ADDR_PRIVATE, -1}, /* site-local (deprecated) */
    {{0xff, 0x00, 0x00, 0x00}, 8, FETCH_ADDR_MULTICAST, -1},
};

static int prefix_equal(const uint8_t *a, const uint8_t *b, int bits)
{
    int whole = bits / 8, rest = bits % 8;

    if (memcmp(a, b, (size_t)whole) != 0)
        return 0;
    if (!rest)
        return 1;
    return ((a[whole] ^ b[whole]) & (0xff00 >> rest) & 0xff) == 0;
}

static uint32_t load_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int classify_v4(uint32_t a)
{
    size_t i;

    for (i = 0; i < sizeof(v4_ranges) / sizeof(v4_ranges[0]); i++) {
        uint32_t mask = (uint32_t)(0xffffffffu << (32 - v4_ranges[i].bits));

        if ((a & mask) == v4_ranges[i].net)
            return v4_ranges[i].kind;
    }
    return FETCH_ADDR_OK;
}

/* ::/96 holds ::, ::1 and the deprecated IPv4-compatible addresses; ::ffff:0:0/96 the mapped
 * ones and ::ffff:0:0:0/96 the "translated" ones. Anything else under ::/16 is reserved. */
static int classify_low_v6(const uint8_t *a)
{
    static const uint8_t zero[12];
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    static const uint8_t translated[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0};
    uint32_t v4 = load_be32(a + 12);
    int kind;

    if (!memcmp(a, mapped, 12) || !memcmp(a, translated, 12))
        return classify_v4(v4);
    if (memcmp(a, zero, 12) != 0)
        return FETCH_ADDR_RESERVED;
    if (v4 == 0)
        return FETCH_ADDR_UNSPECIFIED;
    if (v4 == 1)
        return FETCH_ADDR_LOOPBACK;
    kind = classify_v4(v4);
    return kind ? kind : FETCH_ADDR_RESERVED;
}

static int classify_v6(const uint8_t *a)
{
    size_t i;

    if (a[0] == 0 && a[1] == 0)
        return classify_low_v6(a);
    for (i = 0; i < sizeof(v6_ranges) / sizeof(v6_ranges[0]); i++) {
        uint8_t net[16] = {0};
        int kind;

        memcpy(net, v6_ranges[i].net, sizeof(v6_ranges[i].net));
        if (!prefix_equal(a, net, v6_ranges[i].bits))
            continue;
        if (v6_ranges[i].embed < 0)
            return v6_ranges[i].kind;
        kind = classify_v4(load_be32(a + v6_ranges[i].embed));
        return kind ? kind : v6_ranges[i].kind;
    }
    return FETCH_ADDR_RESERVED;
}

static void v4_to_v6(const void *in4, uint8_t out[16])
{
    memset(out, 0, 10);
    out[10] = out[11] = 0xff;
    memcpy(out + 12, in4, 4);
}

/* IPv4 becomes ::ffff:a.b.c.d, so one 16-byte comparison serves both families. The sockaddr is
 * copied out with memcpy: callers hand in sockaddr_in6 or sockaddr_storage objects. */
static int addr_to_v6(const struct sockaddr *sa, uint8_t out[16])
{
    struct sockaddr_in6 sin6;
    struct sockaddr_in sin;

    if (sa->sa_family == AF_INET) {
        memcpy(&sin, sa, sizeof(sin));
        v4_to_v6(&sin.sin_addr, out);
        return 0;
    }
    if (sa->sa_family == AF_INET6) {
        memcpy(&sin6, sa, sizeof(sin6));
        memcpy(out, &sin6.sin6_addr, 16);
        return 0;
    }
    return -1;
}

/* "127.0.0.0/8", "::1/128" or a bare address, as 16 bytes and a prefix length in bits. */
static int parse_cidr(const char *s, uint8_t net[16], int *bits)
{
    char addr[INET6_ADDRSTRLEN + 1];
    const char *slash = strchr(s, '/');
    size_t n = slash ? (size_t)(slash - s) : strlen(s);
    struct in6_addr in6;
    struct in_addr in4;
    char *end;
    long len;
    int max;

    if (n == 0 || n >= sizeof(addr))
        return -1;
    memcpy(addr, s, n);
    addr[n] = '\0';
    if (inet_pton(AF_INET, addr, &in4) == 1) {
        v4_to_v6(&in4, net);
        max = 32;
    } else if (inet_pton(AF_INET6, addr, &in6) == 1) {
        memcpy(net, &in6, 16);
        max = 128;
    } else {
        return -1;
    }
    len = max;
    if (slash) {
        len = strtol(slash + 1, &end, 10);
        if (!isdigit((unsigned char)slash[1]) || *end || len < 0 || len > max)
            return -1;
    }
    *bits = (int)len + (128 - max);
    return 0;
}

static int addr_exempt(const uint8_t a[16], const struct fetch_opts *o)
{
    size_t i;

    for (i = 0; o && i < o->naddrs; i++) {
        uint8_t net[16];
        int bits;

        if (parse_cidr(o->allow_addrs[i], net, &bits) == 0 && prefix_equal(a, net, bits))
            return 1;
    }
    return 0;
}

int fetch_address_blocked(const struct sockaddr *sa, const struct fetch_opts *o)
{
    uint8_t a[16];

    if (!sa || addr_to_v6(sa, a) != 0)
        return FETCH_ADDR_NOT_INET;
    if (addr_exempt(a, o))
        return FETCH_ADDR_OK;
    return classify_v6(a);
}

const char *fetch_addr_kind_name(int kind)
{
    static const char *const names[] = {
        [FETCH_ADDR_OK] = "an allowed address",
        [FETCH_ADDR_LOOPBACK] = "a loopback address",
        [FETCH_ADDR_PRIVATE] = "a private address",
        [FETCH_ADDR_SHARED] = "a shared (carrier-grade NAT) address",
        [FETCH_ADDR_LINK_LOCAL] = "a link-local address",
        [FETCH_ADDR_MULTICAST] = "a multicast address",
        [FETCH_ADDR_UNSPECIFIED] = "an unspecified address",
        [FETCH_ADDR_BROADCAST] = "a broadcast address",
        [FETCH_ADDR_RESERVED] = "a reserved address",
        [FETCH_ADDR_NOT_INET] = "not an internet address",
    };

    if (kind < 0 || (size_t)kind >= sizeof(names) / sizeof(names[0]))
        return "a refused address";
    return names[kind];
}

int fetch_check_opts(const struct fetch_opts *o, struct err *e)
{
    size_t i;

    if (!o->allow_any_host && o->nallow == 0)
        return err_set(e, LY_EUSAGE,
                       "the host allowlist is empty: name the sites to read, "
                       "or allow any host explicitly");
    for (i = 0; i < o->nallow; i++)
        if (!o->allow_hosts[i] || !o->allow_hosts[i][0] || !strcmp(o->allow_hosts[i], "*."))
            return err_set(e, LY_EUSAGE, "allowed host %zu is empty", i + 1);
    for (i = 0; i < o->naddrs; i++) {
        uint8_t net[16];
        int bits;

        if (!o->allow_addrs[i] || parse_cidr(o->allow_addrs[i], net, &bits) != 0)
            return err_set(e, LY_EUSAGE, "'%s' is not an address or CIDR range",
                           o->allow_addrs[i] ? o->allow_addrs[i] : "");
    }
    return LY_OK;
}
