/* test_fetch_http.c -- fetch_get_url end to end against a tiny HTTP origin in a thread on
 * 127.0.0.1 (and [::1] when the machine has it), ephemeral port: charset, redirects (followed,
 * off the allowlist, to a blocked address, looping), 404, a hanging origin, chunked and
 * Content-Length bodies over the cap, gzip and a gzip bomb (built here, no zlib), parallel
 * callers, and loopback spellings refused before any connection. Loopback only; the origin
 * serves one connection at a time and closes each, so its connection count is exact. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/base.h"
#include "fetch/fetch.h"

#include "banned.h"

#define PAGE       "<html><body><p>R\xe4ksm\xf6rg\xe5s</p></body></html>"
#define SMALL_CAP  (64u << 10)
#define BOMB_BYTES (4u << 20)

/* The origin: listening sockets, connections accepted, the last request's head, and the
 * gzip bodies it serves (with the plain text they decode to). */
static struct {
    int fd4, fd6, port;
    pthread_t thread;
    atomic_int conns, stop;
    pthread_mutex_t lock;
    char last_request[2048];
    struct buf gz_plain, gz_body, bomb_body;
} srv;

static void send_all(int fd, const void *p, size_t n)
{
    const char *s = p;

    while (n > 0) {
        ssize_t k = send(fd, s, n, MSG_NOSIGNAL);

        if (k <= 0)
            return;
        s += k;
        n -= (size_t)k;
    }
}

static void respond(int fd, const char *status, const char *headers, const void *body, size_t len)
{
    char head[512];
    int n = snprintf(head, sizeof(head),
                     "HTTP/1.1 %s\r\n%sContent-Length: %zu\r\nConnection: close\r\n\r\n", status,
                     headers, len);

    send_all(fd, head, (size_t)n);
    send_all(fd, body, len);
}

static void redirect(int fd, const char *where)
{
    char head[256];

    snprintf(head, sizeof(head), "Location: %s\r\n", where);
    respond(fd, "302 Found", head, "", 0);
}

/* An origin that never answers: waits until the client gives up and closes. */
static void hang(int fd)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    char c;

    if (poll(&p, 1, 8000) > 0)
        (void)recv(fd, &c, 1, 0);
}

static void send_chunked(int fd, size_t total)
{
    static const char head[] = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
                               "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
    char chunk[4096 + 16];
    size_t sent;

    send_all(fd, head, sizeof(head) - 1);
    memcpy(chunk, "1000\r\n", 6);
    memset(chunk + 6, 'x', 4096);
    memcpy(chunk + 6 + 4096, "\r\n", 2);
    for (sent = 0; sent < total; sent += 4096)
        send_all(fd, chunk, 6 + 4096 + 2);
    send_all(fd, "0\r\n\r\n", 5);
}

/* Announces a body over the cap with Content-Length, sends a little of it, then closes. */
static void send_too_long(int fd)
{
    static const char head[] = "HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n"
                               "Connection: close\r\n\r\n";
    char body[1024];

    memset(body, 'y', sizeof(body));
    send_all(fd, head, sizeof(head) - 1);
    send_all(fd, body, sizeof(body));
}

static void serve_path(int fd, const char *path)
{
    char where[128];

    if (!strcmp(path, "/page"))
        respond(fd, "200 OK", "Content-Type: text/html; charset=iso-8859-1\r\n", PAGE,
                strlen(PAGE));
    else if (!strcmp(path, "/redirect"))
        redirect(fd, "/page");
    else if (!strcmp(path, "/chain"))
        redirect(fd, "/redirect");
    else if (!strcmp(path, "/away"))
        redirect(fd, "http://evil.example/");
    else if (!strcmp(path, "/to-ftp"))
        redirect(fd, "ftp://127.0.0.1/");
    else if (!strcmp(path, "/to-127-0-0-2")) {
        snprintf(where, sizeof(where), "http://127.0.0.2:%d/page", srv.port);
        redirect(fd, where);
    } else if (!strcmp(path, "/no-location"))
        respond(fd, "302 Found", "", "", 0);
    else if (!strcmp(path, "/error"))
        respond(fd, "503 Service Unavailable", "", "busy", 4);
    else if (!strcmp(path, "/loop"))
        redirect(fd, "/loop");
    else if (!strcmp(path, "/slow"))
        hang(fd);
    else if (!strcmp(path, "/big"))
        send_chunked(fd, 1u << 20);
    else if (!strcmp(path, "/big-length"))
        send_too_long(fd);
    else if (!strcmp(path, "/gzip"))
        respond(fd, "200 OK", "Content-Encoding: gzip\r\n", srv.gz_body.data, srv.gz_body.len);
    else if (!strcmp(path, "/bomb"))
        respond(fd, "200 OK", "Content-Encoding: gzip\r\n", srv.bomb_body.data, srv.bomb_body.len);
    else
        respond(fd, "404 Not Found", "Content-Type: text/plain\r\n", "no such page\n", 13);
}

static void serve_one(int fd)
{
    struct timeval tv = {.tv_sec = 5};
    char req[2048], path[256] = "";
    size_t len = 0;
    ssize_t n;

    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    while (len < sizeof(req) - 1 && (n = recv(fd, req + len, sizeof(req) - 1 - len, 0)) > 0) {
        len += (size_t)n;
        req[len] = '\0';
        if (strstr(req, "\r\n\r\n"))
            break;
    }
    req[len] = '\0';
    if (sscanf(req, "GET %255s HTTP/1.1", path) != 1)
        return;
    pthread_mutex_lock(&srv.lock);
    memcpy(srv.last_request, req, len + 1);
    pthread_mutex_unlock(&srv.lock);
    serve_path(fd, path);
}

static void *server_main(void *arg)
{
    struct pollfd p[2] = {{.fd = srv.fd4, .events = POLLIN}, {.fd = srv.fd6, .events = POLLIN}};
    int i;

    (void)arg;
    while (!atomic_load(&srv.stop)) {
        if (poll(p, srv.fd6 >= 0 ? 2 : 1, 50) <= 0)
            continue;
        for (i = 0; i < 2; i++) {
            int fd = (p[i].revents & POLLIN) ? accept(p[i].fd, NULL, NULL) : -1;

            if (fd < 0)
                continue;
            atomic_fetch_add(&srv.conns, 1);
            serve_one(fd);
            close(fd);
        }
    }
    return NULL;
}

static int listen_on(int family, int port)
{
    struct sockaddr_in6 a6 = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
    struct sockaddr_in a4 = {.sin_family = AF_INET};
    int fd = socket(family, SOCK_STREAM, 0), one = 1;
    socklen_t alen;

    if (fd < 0)
        return -1;
    a4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a4.sin_port = a6.sin6_port = htons((uint16_t)port);
    if (family == AF_INET6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
    alen = family == AF_INET ? sizeof(a4) : sizeof(a6);
    if (bind(fd, family == AF_INET ? (void *)&a4 : (void *)&a6, alen) != 0 || listen(fd, 16) != 0) {
        close(fd);
        return -1;
    }
    if (family == AF_INET && getsockname(fd, (void *)&a4, &alen) == 0)
        srv.port = ntohs(a4.sin_port);
    return fd;
}

struct bits {
    struct buf *out;
    uint32_t acc;
    int n;
};

static void put_bits(struct bits *b, uint32_t v, int n)
{
    b->acc |= v << b->n;
    for (b->n += n; b->n >= 8; b->n -= 8, b->acc >>= 8)
        buf_addch(b->out, (char)(b->acc & 0xff), NULL);
}

/* Huffman codes are stored most significant bit first, unlike every other field. */
static void put_code(struct bits *b, uint32_t code, int n)
{
    while (n-- > 0)
        put_bits(b, (code >> n) & 1, 1);
}

static void put_literal(struct bits *b, unsigned char c)
{
    if (c < 144)
        put_code(b, 0x30 + c, 8);
    else
        put_code(b, 0x190 + c - 144, 9);
}

static void put_le32(struct buf *out, uint32_t v)
{
    int i;

    for (i = 0; i < 4; i++)
        buf_addch(out, (char)(v >> (8 * i)), NULL);
}

static uint32_t crc32_of(const unsigned char *p, size_t n)
{
    uint32_t c = 0xffffffffu;
    int k;

    while (n--)
        for (c ^= *p++, k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
    return ~c;
}

/* One fixed-Huffman deflate block: the plain text's literals, except that runs of its last
 * byte are sent as length-258 distance-1 copies (how a gzip bomb gets its ratio). */
static void make_gzip(const char *prefix, size_t run, struct buf *plain, struct buf *gz)
{
    static const unsigned char head[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff};
    struct bits b = {.out = gz};
    size_t i;

    buf_add(plain, prefix, strlen(prefix), NULL);
    for (i = 0; i < run; i++)
        buf_addch(plain, 'a', NULL);
    buf_add(gz, head, sizeof(head), NULL);
    put_bits(&b, 1, 1); /* final block */
    put_bits(&b, 1, 2); /* fixed Huffman codes */
    for (i = 0; i < plain->len - run + 1; i++)
        put_literal(&b, (unsigned char)plain->data[i]);
    for (i = 1; i + 258 <= run; i += 258) {
        put_code(&b, 0xc5, 8); /* length code 285: 258 bytes */
        put_code(&b, 0, 5);    /* distance code 0: 1 byte back */
    }
    for (; i < run; i++)
        put_literal(&b, 'a');
    put_code(&b, 0, 7); /* end of block */
    put_bits(&b, 0, 7); /* flush the last partial byte */
    put_le32(gz, crc32_of((const unsigned char *)plain->data, plain->len));
    put_le32(gz, (uint32_t)plain->len);
}

static int setup(void **state)
{
    struct buf scratch;

    (void)state;
    buf_init(&srv.gz_plain, BUF_NOLIMIT);
    buf_init(&srv.gz_body, BUF_NOLIMIT);
    buf_init(&srv.bomb_body, BUF_NOLIMIT);
    buf_init(&scratch, BUF_NOLIMIT);
    make_gzip("<html><body><p>gzip ", 100000, &srv.gz_plain, &srv.gz_body);
    make_gzip("", BOMB_BYTES, &scratch, &srv.bomb_body);
    buf_release(&scratch);
    /* A proxy from the environment would see the request instead of the checks: fetch must
     * ignore these (port 9 is closed, so using them would fail every fetch). */
    setenv("http_proxy", "http://127.0.0.1:9/", 1);
    setenv("ALL_PROXY", "http://127.0.0.1:9/", 1);
    pthread_mutex_init(&srv.lock, NULL);
    srv.fd4 = listen_on(AF_INET, 0);
    srv.fd6 = srv.fd4 >= 0 ? listen_on(AF_INET6, srv.port) : -1;
    if (srv.fd4 < 0 || fetch_global_init(NULL) != LY_OK)
        return -1;
    return pthread_create(&srv.thread, NULL, server_main, NULL) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    atomic_store(&srv.stop, 1);
    pthread_join(srv.thread, NULL);
    close(srv.fd4);
    if (srv.fd6 >= 0)
        close(srv.fd6);
    pthread_mutex_destroy(&srv.lock);
    buf_release(&srv.gz_plain);
    buf_release(&srv.gz_body);
    buf_release(&srv.bomb_body);
    fetch_global_cleanup();
    return 0;
}

static const char *const test_hosts[] = {"127.0.0.1", "localhost"};
static const char *const test_addrs[] = {"127.0.0.0/8"};

static struct fetch_opts test_opts(void)
{
    struct fetch_opts o = {.allow_hosts = test_hosts,
                           .nallow = 2,
                           .allow_addrs = test_addrs,
                           .naddrs = 1,
                           .timeout_ms = 8000,
                           .connect_timeout_ms = 5000,
                           .max_bytes = SMALL_CAP,
                           .max_redirects = 3};

    return o;
}

static char *url_for(const char *host, const char *path)
{
    static char url[5][128];
    static int next;
    char *u = url[next++ % 5];

    snprintf(u, sizeof(url[0]), "http://%s:%d%s", host, srv.port, path);
    return u;
}

/* Fetches and checks the code; the caller still owns r. */
static void get(const char *url, const struct fetch_opts *o, int code, struct fetch_result *r,
                struct err *e)
{
    int rc = fetch_get_url(url, o, r, e);

    if (rc != code)
        fail_msg("'%s': code %d (%s), expected %d", url, rc, rc ? e->msg : "", code);
}

static void test_fetch_http_returns_bytes_and_charset(void **state)
{
    struct fetch_opts o = test_opts();
    struct fetch_result r;
    struct err e = {0};

    (void)state;
    get(url_for("127.0.0.1", "/page"), &o, LY_OK, &r, &e);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.body.len, strlen(PAGE));
    assert_memory_equal(r.body.data, PAGE, strlen(PAGE));
    assert_string_equal(r.content_type, "text/html; charset=iso-8859-1");
    assert_string_equal(r.charset, "iso-8859-1");
    assert_string_equal(r.final_url, url_for("127.0.0.1", "/page"));
    pthread_mutex_lock(&srv.lock);
    assert_non_null(strstr(srv.last_request, "User-Agent: " LYSSNA_FETCH_USER_AGENT "\r\n"));
    assert_non_null(strstr(srv.last_request, "gzip"));
    pthread_mutex_unlock(&srv.lock);
    fetch_result_release(&r);
}

static void test_fetch_http_follows_redirects_on_the_allowlist(void **state)
{
    struct fetch_opts o = test_opts();
    struct fetch_result r;
    struct err e = {0};
    int before = atomic_load(&srv.conns);

    (void)state;
    get(url_for("127.0.0.1", "/chain"), &o, LY_OK, &r, &e);
    assert_int_equal(atomic_load(&srv.conns) - before, 3);
    assert_string_equal(r.final_url, url_for("127.0.0.1", "/page"));
    assert_string_equal(r.charset, "iso-8859-1");
    assert_memory_equal(r.body.data, PAGE, strlen(PAGE));
    fetch_result_release(&r);
    get(url_for("localhost", "/redirect"), &o, LY_OK, &r, &e);
    assert_string_equal(r.final_url, url_for("localhost", "/page"));
    fetch_result_release(&r);
}

static void test_fetch_http_refuses_redirects_it_must_not_follow(void **state)
{
    static const char *const only_self[] = {"127.0.0.1/32"};
    struct fetch_opts o = test_opts();
    struct fetch_result r;
    struct err e = {0};

    (void)state;
    get(url_for("127.0.0.1", "/away"), &o, LY_EDENIED, &r, &e);
    assert_non_null(strstr(e.msg, "host 'evil.example' is not on the allowlist"));
    assert_int_equal(r.status, 0);
    get(url_for("127.0.0.1", "/to-ftp"), &o, LY_EDENIED, &r, &e);
    assert_non_null(strstr(e.msg, "is not an http or https URL"));
    o.allow_any_host = 1;
    o.allow_addrs = only_self;
    get(url_for("127.0.0.1", "/to-127-0-0-2"), &o, LY_EDENIED, &r, &e);
    assert_string_equal(e.msg, "'127.0.0.2' is a loopback address: not fetched");
    o.max_redirects = -1;
    get(url_for("127.0.0.1", "/redirect"), &o, LY_EFETCH, &r, &e);
    assert_non_null(strstr(e.msg, "more than 0 redirects"));
    fetch_result_release(&r);
}

static void test_fetch_http_stops_a_redirect_loop(void **state)
{
    struct fetch_opts o = test_opts();
    struct fetch_result r;
    struct err e = {0};
    int before = atomic_load(&srv.conns);

    (void)state;
    get(url_for("127.0.0.1", "/loop"), &o, LY_EFETCH, &r, &e);
    assert_non_null(strstr(e.msg, "more than 3 redirects"));
    assert_int_equal(atomic_load(&srv.conns) - before, 4);
    fetch_result_release(&r);
}

static void test_fetch_http_reports_the_origin_status(void **state)
{
    struct fetch_opts o = test_opts();
    struct fetch_result r;
    struct err e = {0};

    (void)state;
    get(url_for("127.0.0.1", "/missing"), &o, LY_EHTTP, &r, &e);
    assert_int_equal(r.status, 404);
    assert_non_null(strstr(e.msg, "HTTP status 404"));
    assert_string_equal(r.body.data, "no such page\n");
    fetch_result_release(&r);
    get(url_for("127.0.0.1", "/error"), &o, LY_EHTTP, &r, &e);
    assert_int_equal(r.status, 503);
    fetch_result_release(&r);
    get(url_for("127.0.0.1", "/no-location"), &o, LY_EHTTP, &r, &e);
    assert_int_equal(r.status, 302);
    assert_non_null(strstr(e.msg, "answered 302 without a usable Location"));
    fetch_result_release(&r);
}

static long elapsed_ms(const struct timespec *t0)
{
    struct timespec t1;

    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (long)(t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

static void test_fetch_http_times_out_on_a_hanging_origin(void **state)
{
    struct fetch_opts o = test_opts();
    struct fetch_result r;
    struct err e = {0};
    struct timespec t0;
    long ms;

    (void)state;
    o.timeout_ms = 600;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    get(url_for("127.0.0.1", "/slow"), &o, LY_ETIMEOUT, &r, &e);
    ms = elapsed_ms(&t0);
    assert_true(ms >= 500);
    assert_true(ms < 5000);
    assert_non_null(strstr(e.msg, "timed out after"));
    fetch_result_release(&r);
}

static void test_fetch_http_caps_the_body(void **state)
{
    struct fetch_opts o = test_opts();
    struct fetch_result r;
    struct err e = {0};

    (void)state;
    get(url_for("127.0.0.1", "/big"), &o, LY_ETOOBIG, &r, &e);
    assert_non_null(strstr(e.msg, "over the limit of 65536 bytes"));
    assert_int_equal(r.body.len, 0);
    get(url_for("127.0.0.1", "/big-length"), &o, LY_ETOOBIG, &r, &e);
    o.max_bytes = 2u << 20;
    get(url_for("127.0.0.1", "/big"), &o, LY_OK, &r, &e);
    assert_int_equal(r.body.len, 1u << 20);
    fetch_result_release(&r);
}

static void test_fetch_http_decodes_gzip_and_caps_the_decoded_size(void **state)
{
    struct fetch_opts o = test_opts();
    struct fetch_result r;
    struct err e = {0};

    (void)state;
    o.max_bytes = 1u << 20;
    assert_true(srv.gz_body.len < srv.gz_plain.len / 20);
    get(url_for("127.0.0.1", "/gzip"), &o, LY_OK, &r, &e);
    assert_int_equal(r.body.len, srv.gz_plain.len);
    assert_memory_equal(r.body.data, srv.gz_plain.data, srv.gz_plain.len);
    fetch_result_release(&r);
    assert_true(srv.bomb_body.len < SMALL_CAP);
    o.max_bytes = SMALL_CAP;
    get(url_for("127.0.0.1", "/bomb"), &o, LY_ETOOBIG, &r, &e);
    o.max_bytes = 2 * BOMB_BYTES;
    get(url_for("127.0.0.1", "/bomb"), &o, LY_OK, &r, &e);
    assert_int_equal(r.body.len, BOMB_BYTES);
    fetch_result_release(&r);
}

static void *fetch_page_thread(void *arg)
{
    struct fetch_opts o = test_opts();
    struct fetch_result r;
    struct err e = {0};
    int *rc = arg;
    char url[64];

    snprintf(url, sizeof(url), "http://127.0.0.1:%d/page", srv.port);
    *rc = fetch_get_url(url, &o, &r, &e);
    if (*rc == LY_OK && (r.body.len != strlen(PAGE) || strcmp(r.charset, "iso-8859-1") != 0))
        *rc = -1;
    fetch_result_release(&r);
    return NULL;
}

static void test_fetch_http_is_safe_from_several_threads(void **state)
{
    pthread_t t[4];
    int rc[4], i;

    (void)state;
    for (i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&t[i], NULL, fetch_page_thread, &rc[i]), 0);
    for (i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(rc[i], LY_OK);
    }
}

static const char *const loopback_hosts[] = {
    "127.0.0.1",  "127.1", "0x7f000001",         "2130706433",
    "0177.0.0.1", "[::1]", "[::ffff:127.0.0.1]", "localhost",
};

static void refuse_all(const struct fetch_opts *o, int want_address_message)
{
    struct fetch_result r;
    struct err e = {0};
    size_t i;

    for (i = 0; i < sizeof(loopback_hosts) / sizeof(loopback_hosts[0]); i++) {
        get(url_for(loopback_hosts[i], "/page"), o, LY_EDENIED, &r, &e);
        if (want_address_message && !strstr(e.msg, "is a loopback address: not fetched"))
            fail_msg("'%s': message '%s'", loopback_hosts[i], e.msg);
        fetch_result_release(&r);
    }
}

static void test_fetch_http_refuses_loopback_spellings_without_connecting(void **state)
{
    struct fetch_opts o = test_opts();
    struct fetch_result r;
    struct err e = {0};
    int before = atomic_load(&srv.conns);

    (void)state;
    o.allow_addrs = NULL;
    o.naddrs = 0;
    refuse_all(&o, 0);
    o.allow_any_host = 1;
    refuse_all(&o, 1);
    /* The origin serves in accept order: once this answer is back, any earlier connection
     * would have been counted. */
    get(url_for("127.0.0.1", "/page"),
        &(struct fetch_opts){.allow_any_host = 1, .allow_addrs = test_addrs, .naddrs = 1}, LY_OK,
        &r, &e);
    fetch_result_release(&r);
    assert_int_equal(atomic_load(&srv.conns) - before, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fetch_http_returns_bytes_and_charset),
        cmocka_unit_test(test_fetch_http_follows_redirects_on_the_allowlist),
        cmocka_unit_test(test_fetch_http_refuses_redirects_it_must_not_follow),
        cmocka_unit_test(test_fetch_http_stops_a_redirect_loop),
        cmocka_unit_test(test_fetch_http_reports_the_origin_status),
        cmocka_unit_test(test_fetch_http_times_out_on_a_hanging_origin),
        cmocka_unit_test(test_fetch_http_caps_the_body),
        cmocka_unit_test(test_fetch_http_decodes_gzip_and_caps_the_decoded_size),
        cmocka_unit_test(test_fetch_http_is_safe_from_several_threads),
        cmocka_unit_test(test_fetch_http_refuses_loopback_spellings_without_connecting),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
