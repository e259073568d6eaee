/* test_buf.c -- buf's cap and invariants, utf8's strictness. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/base.h"

static void test_buf_is_empty_string_after_init(void **state)
{
    struct buf b;

    (void)state;
    buf_init(&b, 16);
    assert_non_null(b.data);
    assert_string_equal(b.data, "");
    buf_release(&b);
}

static void test_buf_refuses_to_grow_past_max(void **state)
{
    struct buf b;
    struct err e = {0};

    (void)state;
    buf_init(&b, 8);
    assert_int_equal(buf_adds(&b, "12345678", &e), LY_OK);
    assert_int_equal(buf_addch(&b, '9', &e), LY_ETOOBIG);
    assert_int_equal(e.code, LY_ETOOBIG);
    assert_string_equal(b.data, "12345678");
    buf_release(&b);
}

static void test_buf_addf_formats_and_detach_hands_over(void **state)
{
    struct buf b;
    size_t len;
    char *s;

    (void)state;
    buf_init(&b, BUF_NOLIMIT);
    assert_int_equal(buf_addf(&b, NULL, "%d-%s", 42, "svar"), LY_OK);
    s = buf_detach(&b, &len);
    assert_string_equal(s, "42-svar");
    assert_int_equal(len, 7);
    assert_int_equal(b.len, 0);
    free(s);
}

static void test_utf8_rejects_overlong_surrogate_and_truncated(void **state)
{
    size_t bad = 99;
    const char *ok = "Åsa åt ö \xF0\x9F\x98\x80";

    (void)state;
    assert_true(utf8_valid(ok, strlen(ok), NULL));
    assert_false(utf8_valid("ab\xC0\xAF", 4, &bad)); /* overlong '/' */
    assert_int_equal(bad, 2);
    assert_false(utf8_valid("\xED\xA0\x80", 3, &bad)); /* surrogate */
    assert_false(utf8_valid("x\xC3", 2, &bad));        /* cut short */
    assert_int_equal(bad, 1);
}

static void test_utf8_encode_round_trips(void **state)
{
    const uint32_t cps[] = {0x41, 0xE5, 0x20AC, 0x1F600};
    char out[4];
    uint32_t cp;
    size_t i, n;

    (void)state;
    for (i = 0; i < 4; i++) {
        n = utf8_encode(cps[i], out);
        assert_int_equal(utf8_decode(out, n, &cp), n);
        assert_int_equal(cp, cps[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buf_is_empty_string_after_init),
        cmocka_unit_test(test_buf_refuses_to_grow_past_max),
        cmocka_unit_test(test_buf_addf_formats_and_detach_hands_over),
        cmocka_unit_test(test_utf8_rejects_overlong_surrogate_and_truncated),
        cmocka_unit_test(test_utf8_encode_round_trips),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
