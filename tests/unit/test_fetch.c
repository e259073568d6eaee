/* test_fetch.c -- fetch's pure checks: which addresses may be connected to (every blocked range,
 * every spelling that reaches one, mapped and translated IPv6, the allow_addrs exemption), which
 * URLs may be fetched (scheme, userinfo, allowlist with wildcards), option checks and the
 * charset parameter of Content-Type. No network: addresses are data only. */
#include <locale.h>
#include <netdb.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "base/base.h"
#include "fetch/fetch.h"

#include "banned.h"

struct addr_case {
    const char *addr;
    int kind;
};

/* Turns any numeric spelling (127.1, 0x7f000001, ::ffff:...) into a sockaddr without DNS. */
static int kind_of(const char *addr, const struct fetch_opts *o)
{
    struct addrinfo hints = {0}, *res = NULL;
    int kind;

    hints.ai_flags = AI_NUMERICHOST;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(addr, NULL, &hints, &res) != 0)
        fail_msg("'%s' is not a numeric address", addr);
    kind = fetch_address_blocked(res->ai_addr, o);
    freeaddrinfo(res);
    return kind;
}

static void check_cases(const struct addr_case *c, size_t n, const struct fetch_opts *o)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (kind_of(c[i].addr, o) != c[i].kind)
            fail_msg("'%s': kind %d, expected %d", c[i].addr, kind_of(c[i].addr, o), c[i].kind);
}

static void test_fetch_blocks_every_special_ipv4_range(void **state)
{
    static const struct addr_case cases[] = {
        {"127.0.0.1", FETCH_ADDR_LOOPBACK},        {"127.255.255.254", FETCH_ADDR_LOOPBACK},
        {"10.0.0.1", FETCH_ADDR_PRIVATE},          {"10.255.255.255", FETCH_ADDR_PRIVATE},
        {"172.16.0.1", FETCH_ADDR_PRIVATE},        {"172.31.255.255", FETCH_ADDR_PRIVATE},
        {"192.168.1.1", FETCH_ADDR_PRIVATE},       {"100.64.0.1", FETCH_ADDR_SHARED},
        {"100.127.255.255", FETCH_ADDR_SHARED},    {"169.254.169.254", FETCH_ADDR_LINK_LOCAL},
        {"224.0.0.1", FETCH_ADDR_MULTICAST},       {"239.255.255.250", FETCH_ADDR_MULTICAST},
        {"0.0.0.0", FETCH_ADDR_UNSPECIFIED},       {"0.1.2.3", FETCH_ADDR_UNSPECIFIED},
        {"255.255.255.255", FETCH_ADDR_BROADCAST}, {"240.0.0.1", FETCH_ADDR_RESERVED},
        {"192.0.0.8", FETCH_ADDR_RESERVED},        {"192.0.2.1", FETCH_ADDR_RESERVED},
        {"198.18.0.1", FETCH_ADDR_RESERVED},       {"198.51.100.7", FETCH_ADDR_RESERVED},
        {"203.0.113.9", FETCH_ADDR_RESERVED},      {"192.88.99.1", FETCH_ADDR_RESERVED},
    };

    (void)state;
    check_cases(cases, sizeof(cases) / sizeof(cases[0]), NULL);
}

static void test_fetch_allows_public_addresses_next_to_blocked_ranges(void **state)
{
    static const struct addr_case cases[] = {
        {"93.184.216.34", FETCH_ADDR_OK},
        {"8.8.8.8", FETCH_ADDR_OK},
        {"172.15.255.255", FETCH_ADDR_OK},
        {"172.32.0.0", FETCH_ADDR_OK},
        {"100.63.255.255", FETCH_ADDR_OK},
        {"100.128.0.0", FETCH_ADDR_OK},
        {"11.0.0.1", FETCH_ADDR_OK},
        {"126.255.255.255", FETCH_ADDR_OK},
        {"128.0.0.1", FETCH_ADDR_OK},
        {"169.253.255.255", FETCH_ADDR_OK},
        {"192.169.0.1", FETCH_ADDR_OK},
        {"223.255.255.255", FETCH_ADDR_OK},
        {"2606:2800:220:1:248:1893:25c8:1946", FETCH_ADDR_OK},
        {"2a00:1450:400f:80c::200e", FETCH_ADDR_OK},
    };

    (void)state;
    check_cases(cases, sizeof(cases) / sizeof(cases[0]), NULL);
}

static void test_fetch_blocks_loopback_whatever_the_spelling(void **state)
{
    static const char *const spellings[] = {
        "127.1",
        "0x7f000001",
        "2130706433",
        "0177.0.0.1",
        "0x7f.0.0.1",
        "127.0.1",
        "::1",
        "::ffff:127.0.0.1",
        "::ffff:7f00:1",
        "0:0:0:0:0:0:0:1",
        "::127.0.0.1",
        "::ffff:0:127.0.0.1",
        "64:ff9b::127.0.0.1",
        "64:ff9b::7f00:1",
        "2002:7f00:1::",
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(spellings) / sizeof(spellings[0]); i++)
        if (kind_of(spellings[i], NULL) != FETCH_ADDR_LOOPBACK)
            fail_msg("'%s' was not refused as loopback", spellings[i]);
}

static void test_fetch_blocks_special_ipv6_ranges(void **state)
{
    static const struct addr_case cases[] = {
        {"::", FETCH_ADDR_UNSPECIFIED},
        {"fe80::1", FETCH_ADDR_LINK_LOCAL},
        {"febf:ffff::1", FETCH_ADDR_LINK_LOCAL},
        {"fc00::1", FETCH_ADDR_PRIVATE},
        {"fd00:ec2::254", FETCH_ADDR_PRIVATE},
        {"fec0::1", FETCH_ADDR_PRIVATE},
        {"ff02::1", FETCH_ADDR_MULTICAST},
        {"ff05::1:3", FETCH_ADDR_MULTICAST},
        {"::ffff:10.1.2.3", FETCH_ADDR_PRIVATE},
        {"::ffff:169.254.169.254", FETCH_ADDR_LINK_LOCAL},
        {"::ffff:192.168.0.1", FETCH_ADDR_PRIVATE},
        {"::ffff:100.64.1.1", FETCH_ADDR_SHARED},
        {"::ffff:0.0.0.0", FETCH_ADDR_UNSPECIFIED},
        {"::ffff:255.255.255.255", FETCH_ADDR_BROADCAST},
        {"::ffff:224.0.0.1", FETCH_ADDR_MULTICAST},
        {"::10.0.0.1", FETCH_ADDR_PRIVATE},
        {"::93.184.216.34", FETCH_ADDR_RESERVED},
        {"64:ff9b::10.0.0.1", FETCH_ADDR_PRIVATE},
        {"64:ff9b::169.254.169.254", FETCH_ADDR_LINK_LOCAL},
        {"64:ff9b:1::1", FETCH_ADDR_PRIVATE},
        {"2002:a9fe:a9fe::1", FETCH_ADDR_LINK_LOCAL},
        {"2001:db8::1", FETCH_ADDR_RESERVED},
        {"2001::1", FETCH_ADDR_RESERVED},
        {"3fff::1", FETCH_ADDR_RESERVED},
        {"100::1", FETCH_ADDR_RESERVED},
        {"4000::1", FETCH_ADDR_RESERVED},
        {"::1:0:0:1", FETCH_ADDR_RESERVED},
    };

    (void)state;
    check_cases(cases, sizeof(cases) / sizeof(cases[0]), NULL);
}

static void test_fetch_judges_embedded_public_ipv4_as_public(void **state)
{
    static const struct addr_case cases[] = {
        {"::ffff:93.184.216.34", FETCH_ADDR_OK},
        {"64:ff9b::93.184.216.34", FETCH_ADDR_OK},
        {"2002:5db8:d822::1", FETCH_ADDR_OK},
    };

    (void)state;
    check_cases(cases, sizeof(cases) / sizeof(cases[0]), NULL);
}

static void test_fetch_allow_addrs_exempts_only_their_ranges(void **state)
{
    static const char *const addrs[] = {"127.0.0.0/8", "fd12:3456::/32", "10.9.8.7"};
    struct fetch_opts o = {.allow_addrs = addrs, .naddrs = 3};
    static const struct addr_case cases[] = {
        {"127.0.0.1", FETCH_ADDR_OK},
        {"127.1", FETCH_ADDR_OK},
        {"::ffff:127.0.0.1", FETCH_ADDR_OK},
        {"fd12:3456:1::1", FETCH_ADDR_OK},
        {"10.9.8.7", FETCH_ADDR_OK},
        {"10.9.8.6", FETCH_ADDR_PRIVATE},
        {"::1", FETCH_ADDR_LOOPBACK},
        {"fd12:3457::1", FETCH_ADDR_PRIVATE},
        {"169.254.169.254", FETCH_ADDR_LINK_LOCAL},
        {"64:ff9b::127.0.0.1", FETCH_ADDR_LOOPBACK},
    };

    (void)state;
    check_cases(cases, sizeof(cases) / sizeof(cases[0]), &o);
}

static void test_fetch_refuses_non_inet_address_and_names_kinds(void **state)
{
    struct sockaddr sa = {.sa_family = AF_UNIX};

    (void)state;
    assert_int_equal(fetch_address_blocked(&sa, NULL), FETCH_ADDR_NOT_INET);
    assert_int_equal(fetch_address_blocked(NULL, NULL), FETCH_ADDR_NOT_INET);
    assert_string_equal(fetch_addr_kind_name(FETCH_ADDR_LOOPBACK), "a loopback address");
    assert_string_equal(fetch_addr_kind_name(99), "a refused address");
}

static const char *const hosts[] = {"kommun.se", "*.Example.SE", "127.0.0.1", "::1"};
static const struct fetch_opts url_opts = {.allow_hosts = hosts, .nallow = 4};

static void expect_url(const char *url, int code, const char *msg)
{
    struct err e = {0};
    int rc = fetch_check_url(url, &url_opts, &e);

    if (rc != code)
        fail_msg("'%s': code %d (%s), expected %d", url, rc, e.msg, code);
    if (msg && !strstr(e.msg, msg))
        fail_msg("'%s': message '%s' lacks '%s'", url, e.msg, msg);
}

static void test_fetch_url_check_accepts_allowed_hosts(void **state)
{
    (void)state;
    expect_url("https://kommun.se/nyheter?id=3#top", LY_OK, NULL);
    expect_url("http://KOMMUN.SE:8080/", LY_OK, NULL);
    expect_url("https://kommun.se./", LY_OK, NULL);
    expect_url("https://www.example.se/a", LY_OK, NULL);
    expect_url("https://a.b.EXAMPLE.se/a", LY_OK, NULL);
    expect_url("http://127.0.0.1:8080/", LY_OK, NULL);
    expect_url("http://[::1]:8080/", LY_OK, NULL);
}

static void test_fetch_url_check_refuses_other_hosts(void **state)
{
    (void)state;
    expect_url("https://evil.example/", LY_EDENIED, "host 'evil.example' is not on the allowlist");
    expect_url("https://example.se/", LY_EDENIED, "not on the allowlist");
    expect_url("https://kommun.se.evil.example/", LY_EDENIED, "not on the allowlist");
    expect_url("https://evilkommun.se/", LY_EDENIED, "not on the allowlist");
    expect_url("https://wwwexample.se/", LY_EDENIED, "not on the allowlist");
    expect_url("http://127.0.0.2/", LY_EDENIED, "not on the allowlist");
    expect_url("http://[::2]/", LY_EDENIED, "not on the allowlist");
    expect_url("http://169.254.169.254/latest/meta-data/", LY_EDENIED, "not on the allowlist");
    expect_url("http://evil.example#@kommun.se/", LY_EDENIED, "host 'evil.example'");
    expect_url("http://kommun.se%2eevil.example/", LY_EDENIED, "not on the allowlist");
}

static void test_fetch_url_check_compares_idn_hosts_as_written_or_punycode(void **state)
{
    static const char *const idn[] = {"xn--mlnlycke-n4a.se", "h\xc3\xa5"
                                                             "bo.se"};
    struct fetch_opts o = {.allow_hosts = idn, .nallow = 2};
    struct err e = {0};

    (void)state;
    assert_int_equal(fetch_check_url("https://xn--mlnlycke-n4a.se/", &o, &e), LY_OK);
    assert_int_equal(fetch_check_url("https://h\xc3\xa5"
                                     "bo.se/",
                                     &o, &e),
                     LY_OK);
    assert_int_equal(fetch_check_url("https://xn--mlnlycke-n4a.se.evil.example/", &o, &e),
                     LY_EDENIED);
    if (!setlocale(LC_CTYPE, "C.UTF-8"))
        skip();
    assert_int_equal(fetch_check_url("https://m\xc3\xb6lnlycke.se/", &o, &e), LY_OK);
    setlocale(LC_CTYPE, "C");
}

static void test_fetch_url_check_refuses_bad_urls(void **state)
{
    (void)state;
    expect_url("ftp://kommun.se/x", LY_EUSAGE, "is not an http or https URL");
    expect_url("file:///etc/passwd", LY_EUSAGE, "is not an http or https URL");
    expect_url("gopher://kommun.se/", LY_EUSAGE, NULL);
    expect_url("kommun.se/page", LY_EUSAGE, NULL);
    expect_url("https://user:secret@kommun.se/", LY_EUSAGE, "user name or password");
    expect_url("https://user@kommun.se/", LY_EUSAGE, "user name or password");
    expect_url("https://:pw@kommun.se/", LY_EUSAGE, "user name or password");
    expect_url("http://kommun.se@evil.example/", LY_EUSAGE, "user name or password");
    expect_url("http://kommun.se:99999/", LY_EUSAGE, "is not a valid URL");
    expect_url("http://", LY_EUSAGE, NULL);
    expect_url("http://kommun se/", LY_EUSAGE, NULL);
    expect_url("", LY_EUSAGE, "no URL given");
    expect_url("not a url", LY_EUSAGE, NULL);
}

static void test_fetch_url_check_allow_any_host_still_checks_scheme(void **state)
{
    struct fetch_opts o = {.allow_any_host = 1};
    struct err e = {0};

    (void)state;
    assert_int_equal(fetch_check_url("https://anything.example/", &o, &e), LY_OK);
    assert_int_equal(fetch_check_url("ftp://anything.example/", &o, &e), LY_EUSAGE);
    assert_int_equal(fetch_check_url("http://u:p@anything.example/", &o, &e), LY_EUSAGE);
}

static void test_fetch_check_opts_refuses_empty_allowlist_and_bad_cidr(void **state)
{
    static const char *const bad[] = {"127.0.0.0/33"};
    static const char *const bad6[] = {"::1/129"};
    static const char *const junk[] = {"localhost"};
    static const char *const good[] = {"127.0.0.0/8", "::1", "fd00::/8"};
    struct fetch_opts o = {0};
    struct err e = {0};

    (void)state;
    assert_int_equal(fetch_check_opts(&o, &e), LY_EUSAGE);
    assert_non_null(strstr(e.msg, "allowlist is empty"));
    o.allow_any_host = 1;
    assert_int_equal(fetch_check_opts(&o, &e), LY_OK);
    o.allow_addrs = bad, o.naddrs = 1;
    assert_int_equal(fetch_check_opts(&o, &e), LY_EUSAGE);
    assert_string_equal(e.msg, "'127.0.0.0/33' is not an address or CIDR range");
    o.allow_addrs = bad6;
    assert_int_equal(fetch_check_opts(&o, &e), LY_EUSAGE);
    o.allow_addrs = junk;
    assert_int_equal(fetch_check_opts(&o, &e), LY_EUSAGE);
    o.allow_addrs = good, o.naddrs = 3;
    assert_int_equal(fetch_check_opts(&o, &e), LY_OK);
}

static void expect_charset(const char *ct, const char *want)
{
    char *got = fetch_content_type_charset(ct);

    if (want)
        assert_string_equal(got, want);
    else
        assert_null(got);
    free(got);
}

static void test_fetch_parses_charset_from_content_type(void **state)
{
    (void)state;
    expect_charset("text/html; charset=iso-8859-1", "iso-8859-1");
    expect_charset("text/html;charset=UTF-8", "utf-8");
    expect_charset("text/html; Charset=\"Windows-1252\"", "windows-1252");
    expect_charset("text/html; q=\"a;charset=x\"; charset=utf-8", "utf-8");
    expect_charset("text/html; foo; charset=utf-8 ", "utf-8");
    expect_charset("text/html", NULL);
    expect_charset(NULL, NULL);
    expect_charset("text/html; charset=", NULL);
    expect_charset("text/html; charset=\"\"", NULL);
    expect_charset("text/html; charset=<script>", NULL);
    expect_charset("text/html; xcharset=utf-8", NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fetch_blocks_every_special_ipv4_range),
        cmocka_unit_test(test_fetch_allows_public_addresses_next_to_blocked_ranges),
        cmocka_unit_test(test_fetch_blocks_loopback_whatever_the_spelling),
        cmocka_unit_test(test_fetch_blocks_special_ipv6_ranges),
        cmocka_unit_test(test_fetch_judges_embedded_public_ipv4_as_public),
        cmocka_unit_test(test_fetch_allow_addrs_exempts_only_their_ranges),
        cmocka_unit_test(test_fetch_refuses_non_inet_address_and_names_kinds),
        cmocka_unit_test(test_fetch_url_check_accepts_allowed_hosts),
        cmocka_unit_test(test_fetch_url_check_refuses_other_hosts),
        cmocka_unit_test(test_fetch_url_check_refuses_bad_urls),
        cmocka_unit_test(test_fetch_url_check_compares_idn_hosts_as_written_or_punycode),
        cmocka_unit_test(test_fetch_url_check_allow_any_host_still_checks_scheme),
        cmocka_unit_test(test_fetch_check_opts_refuses_empty_allowlist_and_bad_cidr),
        cmocka_unit_test(test_fetch_parses_charset_from_content_type),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
