/* test_batch_name.c -- output names: readable, flat, safe characters, stable, unique. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "batch/batch_name.h"

static void url_is(const char *url, const char *want)
{
    char *got = batch_name_from_url(url);

    assert_string_equal(got, want);
    free(got);
}

static void test_batch_name_from_url_path_segments(void **state)
{
    (void)state;
    url_is("https://kommun.se/bygga-bo/Bygglov.html", "bygga-bo_bygglov");
    url_is("https://kommun.se/bygga-bo/bygglov/", "bygga-bo_bygglov");
    url_is("https://kommun.se/a//b/index.php", "a_b_index");
    url_is("http://kommun.se:8080/nyheter/2025/badhuset.aspx#topp", "nyheter_2025_badhuset");
    url_is("https://kommun.se/rapport.v2.pdf", "rapport-v2-pdf");
}

static void test_batch_name_for_the_root_is_index(void **state)
{
    (void)state;
    url_is("https://kommun.se", "index");
    url_is("https://kommun.se/", "index");
    url_is("https://kommun.se/%20/", "index");
}

static void test_batch_name_drops_swedish_marks_and_decodes_percent(void **state)
{
    (void)state;
    url_is("https://kommun.se/Förskola/Åsa%20och%20Ängen", "forskola_asa-och-angen");
    url_is("https://kommun.se/f%C3%B6rskola/m%C3%A5ltider", "forskola_maltider");
    url_is("https://kommun.se/café/Straße/ñ", "cafe_strasse_n");
    url_is("https://kommun.se/日本/x", "x");
}

static void test_batch_name_keeps_the_query(void **state)
{
    (void)state;
    url_is("https://kommun.se/sida.php?id=42&lang=sv", "sida_id_42_lang_sv");
}

static void test_batch_name_caps_long_names_by_hash(void **state)
{
    char url[400], *a, *b;

    (void)state;
    memcpy(url, "https://kommun.se/", 18);
    memset(url + 18, 'a', 299);
    url[317] = '\0';
    a = batch_name_from_url(url);
    url[30] = 'b';
    b = batch_name_from_url(url);
    assert_true(strlen(a) <= LYSSNA_BATCH_NAME_MAX + 9);
    assert_int_equal(strlen(a), strlen(b));
    assert_string_not_equal(a, b);
    assert_int_equal(strspn(a, "abcdefghijklmnopqrstuvwxyz0123456789-_"), strlen(a));
    free(a);
    free(b);
}

static void test_batch_name_from_path_drops_the_extension(void **state)
{
    char *a = batch_name_from_path("under/Sida Ett.html"), *b = batch_name_from_path("x.y.txt");

    (void)state;
    assert_string_equal(a, "under_sida-ett");
    assert_string_equal(b, "x-y");
    free(a);
    free(b);
}

static void test_batch_names_dedupe_suffixes_every_colliding_name(void **state)
{
    const char *src1[] = {"/d/a.txt", "/d/b.txt", "/d/a.html"};
    const char *src2[] = {"/d/a.html", "/d/b.txt", "/d/a.txt"};
    char *n1[3] = {strdup("a"), strdup("b"), strdup("a")};
    char *n2[3] = {strdup("a"), strdup("b"), strdup("a")};
    int i;

    (void)state;
    batch_names_dedupe(n1, src1, 3);
    batch_names_dedupe(n2, src2, 3);
    assert_string_equal(n1[1], "b");
    assert_string_not_equal(n1[0], n1[2]);
    assert_int_equal(strncmp(n1[0], "a-", 2), 0);
    assert_int_equal(strlen(n1[0]), 10);
    /* a source's name does not depend on the order of the list */
    assert_string_equal(n1[0], n2[2]);
    assert_string_equal(n1[2], n2[0]);
    for (i = 0; i < 3; i++) {
        free(n1[i]);
        free(n2[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_batch_name_from_url_path_segments),
        cmocka_unit_test(test_batch_name_for_the_root_is_index),
        cmocka_unit_test(test_batch_name_drops_swedish_marks_and_decodes_percent),
        cmocka_unit_test(test_batch_name_keeps_the_query),
        cmocka_unit_test(test_batch_name_caps_long_names_by_hash),
        cmocka_unit_test(test_batch_name_from_path_drops_the_extension),
        cmocka_unit_test(test_batch_names_dedupe_suffixes_every_colliding_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
