/* test_robots.c -- the robots.txt matcher: groups and agents, longest match, Allow on ties,
 * wildcards and '$', percent-encoding, comments and odd spacing, Crawl-delay. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fetch/robots.h"

static struct robots *parse(const char *txt, const char *agent)
{
    return robots_parse(txt, strlen(txt), agent);
}

static void test_robots_without_rules_allows_everything(void **state)
{
    struct robots *r = parse("", "lyssna");

    (void)state;
    assert_true(robots_allowed(r, "/"));
    assert_true(robots_allowed(r, "/any/thing?x=1"));
    assert_true(robots_allowed(NULL, "/x"));
    assert_int_equal(robots_crawl_delay_ms(r), 0);
    robots_free(r);
}

static void test_robots_uses_its_own_group_before_the_star_group(void **state)
{
    static const char txt[] = "User-agent: *\nDisallow: /\n\n"
                              "User-agent: Lyssna/2.0\nDisallow: /privat/\n";
    struct robots *mine = parse(txt, "lyssna"), *other = parse(txt, "otherbot");

    (void)state;
    assert_true(robots_allowed(mine, "/sidor/a.html"));
    assert_false(robots_allowed(mine, "/privat/b.html"));
    assert_false(robots_allowed(other, "/sidor/a.html"));
    robots_free(mine);
    robots_free(other);
}

static void test_robots_merges_groups_and_shares_rules_between_agents(void **state)
{
    static const char txt[] = "User-agent: googlebot\nUser-agent: lyssna\nDisallow: /a/\n"
                              "Sitemap: https://x.se/sitemap.xml\n"
                              "User-agent: otherbot\nDisallow: /c/\n"
                              "user-agent: LYSSNA\ndisallow: /b/\n";
    struct robots *r = parse(txt, "lyssna");

    (void)state;
    assert_false(robots_allowed(r, "/a/1"));
    assert_false(robots_allowed(r, "/b/1"));
    assert_true(robots_allowed(r, "/c/1"));
    robots_free(r);
}

static void test_robots_longest_match_wins_and_allow_wins_a_tie(void **state)
{
    static const char txt[] = "User-agent: *\nDisallow: /sidor/\nAllow: /sidor/oppet/\n"
                              "Allow: /lika\nDisallow: /lika\n";
    struct robots *r = parse(txt, "lyssna");

    (void)state;
    assert_false(robots_allowed(r, "/sidor/stangt.html"));
    assert_true(robots_allowed(r, "/sidor/oppet/a.html"));
    assert_true(robots_allowed(r, "/lika/x"));
    assert_true(robots_allowed(r, "/robots.txt"));
    robots_free(r);
}

static void test_robots_wildcards_and_end_anchor(void **state)
{
    static const char txt[] = "User-agent: *\nDisallow: /*.pdf$\nDisallow: /*?sok=\n"
                              "Disallow: /exakt$\n";
    struct robots *r = parse(txt, "lyssna");

    (void)state;
    assert_false(robots_allowed(r, "/dokument/plan.pdf"));
    assert_true(robots_allowed(r, "/dokument/plan.pdf.html"));
    assert_false(robots_allowed(r, "/lista?sok=bygglov"));
    assert_true(robots_allowed(r, "/lista?sida=2"));
    assert_false(robots_allowed(r, "/exakt"));
    assert_true(robots_allowed(r, "/exakt/mer"));
    robots_free(r);
}

static void test_robots_compares_percent_encoding_canonically(void **state)
{
    struct robots *r =
        parse("User-agent: *\nDisallow: /bygg-&-bo/å\nDisallow: /%7Etilde\n", "lyssna");

    (void)state;
    assert_false(robots_allowed(r, "/bygg-&-bo/%C3%A5r"));
    assert_false(robots_allowed(r, "/bygg-&-bo/%c3%a5"));
    assert_false(robots_allowed(r, "/~tilde"));
    assert_true(robots_allowed(r, "/bygg-&-bo/a"));
    robots_free(r);
}

static void test_robots_tolerates_comments_blanks_and_crlf(void **state)
{
    static const char txt[] = "# hello\r\n  USER-AGENT :  *   # all\r\n"
                              "Disallow:   /tmp/  # temporary\r\nDisallow:\r\nnonsense line\r\n";
    struct robots *r = parse(txt, "lyssna");

    (void)state;
    assert_false(robots_allowed(r, "/tmp/x"));
    assert_true(robots_allowed(r, "/tmpx"));
    robots_free(r);
}

static void test_robots_reads_crawl_delay_capped(void **state)
{
    struct robots *a = parse("User-agent: *\nCrawl-delay: 2.5\n", "lyssna");
    struct robots *b = parse("User-agent: lyssna\nCrawl-delay: 3600\n", "lyssna");

    (void)state;
    assert_int_equal(robots_crawl_delay_ms(a), 2500);
    assert_int_equal(robots_crawl_delay_ms(b), 60000);
    robots_free(a);
    robots_free(b);
}

static void test_robots_disallow_all_keeps_robots_txt(void **state)
{
    struct robots *r = robots_disallow_all();

    (void)state;
    assert_false(robots_allowed(r, "/"));
    assert_false(robots_allowed(r, "/a"));
    assert_true(robots_allowed(r, "/robots.txt"));
    robots_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_robots_without_rules_allows_everything),
        cmocka_unit_test(test_robots_uses_its_own_group_before_the_star_group),
        cmocka_unit_test(test_robots_merges_groups_and_shares_rules_between_agents),
        cmocka_unit_test(test_robots_longest_match_wins_and_allow_wins_a_tie),
        cmocka_unit_test(test_robots_wildcards_and_end_anchor),
        cmocka_unit_test(test_robots_compares_percent_encoding_canonically),
        cmocka_unit_test(test_robots_tolerates_comments_blanks_and_crlf),
        cmocka_unit_test(test_robots_reads_crawl_delay_capped),
        cmocka_unit_test(test_robots_disallow_all_keeps_robots_txt),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
