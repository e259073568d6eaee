/* test_normalize.c -- the clean-up rules and, above all, the map back to the input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "err.h"
#include "normalize.h"

static struct normalized norm;

static int setup(void **state)
{
    (void)state;
    normalized_init(&norm, 1 << 20);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    normalized_release(&norm);
    return 0;
}

static const char *normalize(const char *in)
{
    assert_int_equal(normalize_text(in, strlen(in), &norm, NULL), LY_OK);
    return norm.text.data;
}

static void test_normalize_collapses_unicode_spaces_and_trims(void **state)
{
    (void)state;
    assert_string_equal(normalize("  1\xC2\xA0" "234\t \xE2\x80\xAF" "kr  "), "1 234 kr");
}

static void test_normalize_drops_soft_hyphens_and_zero_width(void **state)
{
    (void)state;
    assert_string_equal(normalize("bygg\xC2\xADlov\xE2\x80\x8B!"), "bygglov!");
}

static void test_normalize_keeps_one_line_per_line(void **state)
{
    (void)state;
    assert_string_equal(normalize("Rubrik\n\n  Text här \n"), "Rubrik\n\nText här\n");
}

static void test_normalize_rejects_invalid_utf8_with_offset(void **state)
{
    struct err e = {0};

    (void)state;
    assert_int_equal(normalize_text("ok \xFF", 4, &norm, &e), LY_EUTF8);
    assert_non_null(strstr(e.msg, "byte 3"));
}

/* "Åsa\u00A0\u00A0åt" -> "Åsa åt": the word after the collapsed space maps to its bytes */
static void test_normalize_maps_words_back_to_input_bytes(void **state)
{
    const char *in = "\xC3\x85sa\xC2\xA0\xC2\xA0\xC3\xA5t";
    size_t s, e;

    (void)state;
    normalize(in);
    assert_string_equal(norm.text.data, "\xC3\x85sa \xC3\xA5t");
    normalized_source(&norm, 5, 8, &s, &e); /* "åt" in the output */
    assert_int_equal(s, 8);
    assert_int_equal(e, 11);
    normalized_source(&norm, 0, 4, &s, &e); /* "Åsa" */
    assert_int_equal(s, 0);
    assert_int_equal(e, 4);
    normalized_source(&norm, 4, 5, &s, &e); /* the space stands for both NBSPs */
    assert_int_equal(s, 4);
    assert_int_equal(e, 8);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_normalize_collapses_unicode_spaces_and_trims),
        cmocka_unit_test(test_normalize_drops_soft_hyphens_and_zero_width),
        cmocka_unit_test(test_normalize_keeps_one_line_per_line),
        cmocka_unit_test(test_normalize_rejects_invalid_utf8_with_offset),
        cmocka_unit_test(test_normalize_maps_words_back_to_input_bytes),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
