/* test_sitemap.c -- sitemap parsing: urlset and index, namespaces and prefixes, blanks,
 * gzip, plain text, broken input, DOCTYPEs refused, the gzip cap, sniffing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include <cmocka.h>

#include "base/base.h"
#include "fetch/fetch.h"

static const char urlset[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n"
    "  <url><loc>\n   https://kommun.se/a?x=1&amp;y=2  </loc><lastmod>2025-01-01</lastmod></url>\n"
    "  <url><changefreq>daily</changefreq><loc>https://kommun.se/%C3%A5</loc></url>\n"
    "  <url></url>\n"
    "</urlset>\n";

/* data gzipped into out (allocated); returns its length. */
static size_t gzip(const void *data, size_t len, unsigned char **out)
{
    z_stream z = {0};
    size_t cap = compressBound((uLong)len) + 64;

    *out = malloc(cap);
    assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY), Z_OK);
    z.next_in = (Bytef *)(uintptr_t)data;
    z.avail_in = (uInt)len;
    z.next_out = *out;
    z.avail_out = (uInt)cap;
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    deflateEnd(&z);
    return cap - z.avail_out;
}

static void test_sitemap_reads_a_urlset(void **state)
{
    struct sitemap s;
    struct err e = {0};

    (void)state;
    assert_int_equal(sitemap_parse(urlset, strlen(urlset), &s, &e), LY_OK);
    assert_false(s.is_index);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.locs[0], "https://kommun.se/a?x=1&y=2");
    assert_string_equal(s.locs[1], "https://kommun.se/%C3%A5");
    sitemap_release(&s);
}

static void test_sitemap_reads_an_index_with_a_prefix(void **state)
{
    static const char idx[] = "<sm:sitemapindex xmlns:sm=\"http://www.sitemaps.org/schemas/"
                              "sitemap/0.9\"><sm:sitemap><sm:loc>https://k.se/1.xml.gz</sm:loc>"
                              "</sm:sitemap><sm:sitemap><sm:loc>https://k.se/2.xml</sm:loc>"
                              "</sm:sitemap></sm:sitemapindex>";
    struct sitemap s;
    struct err e = {0};

    (void)state;
    assert_int_equal(sitemap_parse(idx, strlen(idx), &s, &e), LY_OK);
    assert_true(s.is_index);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.locs[1], "https://k.se/2.xml");
    sitemap_release(&s);
}

static void test_sitemap_reads_gzip(void **state)
{
    unsigned char *gz;
    size_t n = gzip(urlset, strlen(urlset), &gz);
    struct sitemap s;
    struct err e = {0};

    (void)state;
    assert_true(sitemap_sniff((const char *)gz, n));
    assert_int_equal(sitemap_parse((const char *)gz, n, &s, &e), LY_OK);
    assert_int_equal(s.n, 2);
    sitemap_release(&s);
    assert_int_equal(sitemap_parse((const char *)gz, n / 2, &s, &e), LY_EPARSE);
    free(gz);
}

static void test_sitemap_caps_what_gzip_inflates_to(void **state)
{
    size_t big = LYSSNA_SITEMAP_MAX_BYTES + 1024;
    char *zeros = calloc(1, big);
    unsigned char *gz;
    size_t n = gzip(zeros, big, &gz);
    struct sitemap s;
    struct err e = {0};

    (void)state;
    assert_true(n < 200000);
    assert_int_equal(sitemap_parse((const char *)gz, n, &s, &e), LY_ETOOBIG);
    free(gz);
    free(zeros);
}

static void test_sitemap_reads_plain_text(void **state)
{
    static const char txt[] = "https://k.se/a\r\n\n  https://k.se/b  \n";
    struct sitemap s;
    struct err e = {0};

    (void)state;
    assert_false(sitemap_sniff(txt, strlen(txt)));
    assert_int_equal(sitemap_parse(txt, strlen(txt), &s, &e), LY_OK);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.locs[0], "https://k.se/a");
    assert_string_equal(s.locs[1], "https://k.se/b");
    sitemap_release(&s);
}

static void test_sitemap_refuses_broken_xml_doctypes_and_other_roots(void **state)
{
    static const char *const bad[] = {
        "<urlset><url><loc>https://k.se/</loc></url>",
        "<!DOCTYPE urlset [<!ENTITY x \"y\">]><urlset><url><loc>&x;</loc></url></urlset>",
        "<html><body>Not a sitemap</body></html>",
    };
    struct sitemap s;
    struct err e = {0};
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_true(sitemap_sniff(bad[i], strlen(bad[i])));
        assert_int_equal(sitemap_parse(bad[i], strlen(bad[i]), &s, &e), LY_EPARSE);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sitemap_reads_a_urlset),
        cmocka_unit_test(test_sitemap_reads_an_index_with_a_prefix),
        cmocka_unit_test(test_sitemap_reads_gzip),
        cmocka_unit_test(test_sitemap_caps_what_gzip_inflates_to),
        cmocka_unit_test(test_sitemap_reads_plain_text),
        cmocka_unit_test(test_sitemap_refuses_broken_xml_doctypes_and_other_roots),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
