/* test_keys.c -- the key file (serve/keys.c): keys with their own limits, every mistake named
 * with file and line, Bearer credentials, and lookups that find only the whole key. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/base.h"
#include "serve/keys.h"

#include "banned.h"

static char path[] = "/tmp/lyssna-test-keys-XXXXXX";

static void write_file(const char *text)
{
    FILE *f = fopen(path, "w");

    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int setup(void **state)
{
    int fd = mkstemp(path);

    (void)state;
    if (fd < 0)
        return -1;
    close(fd);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(path);
    return 0;
}

static void test_keys_load_names_keys_and_limits(void **state)
{
    struct keyring k = {0};

    (void)state;
    write_file("# keys for the CMS and the intranet\n"
               "[cms]\nkey = 0123456789abcdef-cms\nrate_limit = 6000\nmax_text_bytes = 200000\n"
               "\n[intranat.hus-2]\nkey = fedcba9876543210-intra\nrole = editor\n");
    assert_int_equal(keys_load(&k, path, NULL), LY_OK);
    assert_int_equal(k.n, 2);
    assert_string_equal(k.keys[0].name, "cms");
    assert_int_equal(k.keys[0].rate_limit, 6000);
    assert_int_equal(k.keys[0].max_text_bytes, 200000);
    assert_string_equal(k.keys[1].name, "intranat.hus-2");
    assert_int_equal(k.keys[1].rate_limit, -1);    /* the public limit */
    assert_int_equal(k.keys[1].max_text_bytes, 0); /* the public cap */
    assert_int_equal(k.keys[0].editor, 0);
    assert_int_equal(k.keys[1].editor, 1); /* may change the lexicon */
    keys_release(&k);
}

static void test_keys_refuse_mistakes_with_file_and_line(void **state)
{
    static const struct {
        const char *text, *msg;
    } cases[] = {
        {"[a]\nkey = short\n", ":2: the key of 'a' must be 16 or more characters"},
        {"[a]\nkey = 0123456789abcdef\nrate = 5\n", ":3: unknown setting 'rate' in [a]"},
        {"[a]\nkey = 0123456789abcdef\nrole = admin\n",
         ":3: role is 'api' or 'editor', not 'admin'"},
        {"[a]\nkey = 0123456789abcdef\nrate_limit = lots\n",
         ":3: 'rate_limit' wants a whole number from 0 to 1000000, not 'lots'"},
        {"[a]\nkey = 0123456789abcdef\n[b]\nkey = 0123456789abcdef\n",
         ":4: 'b' has the key of 'a'"},
        {"[a]\nkey = 0123456789abcdef\n[b]\nkey = 0123456789abcdeg\n[a]\nrate_limit = 1\n",
         ":6: key 'a' is given twice"},
        {"[a b]\nkey = 0123456789abcdef\n", ":2: 'a b' is not a key name"},
        {"[a]\nrate_limit = 5\n", ": [a] has no 'key'"},
        {"[a]\njust words\n", ":2: not a 'key = value' line"},
    };
    struct keyring k = {0};
    struct err e;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        memset(&e, 0, sizeof(e));
        write_file(cases[i].text);
        assert_int_equal(keys_load(&k, path, &e), LY_EPARSE);
        assert_int_equal(k.n, 0);
        assert_non_null(strstr(e.msg, path));
        assert_non_null(strstr(e.msg, cases[i].msg));
    }
}

static void test_keys_report_a_missing_file(void **state)
{
    struct keyring k = {0};
    struct err e = {0};

    (void)state;
    assert_int_equal(keys_load(&k, "/nonexistent/lyssna-keys", &e), LY_EINPUT);
    assert_string_equal(e.msg, "cannot read key file '/nonexistent/lyssna-keys': No such file or "
                               "directory");
}

static void test_keys_read_bearer_credentials(void **state)
{
    (void)state;
    assert_string_equal(keys_bearer("Bearer abc"), "abc");
    assert_string_equal(keys_bearer("bearer   abc"), "abc");
    assert_null(keys_bearer("Basic dXNlcjpwYXNz"));
    assert_null(keys_bearer("Bearer "));
    assert_null(keys_bearer("Bearerabc"));
    assert_null(keys_bearer(NULL));
}

static void test_keys_find_only_the_whole_key(void **state)
{
    struct keyring k = {0};

    (void)state;
    write_file("[cms]\nkey = 0123456789abcdef-cms\n[ha]\nkey = 0123456789abcdef-ha\n");
    assert_int_equal(keys_load(&k, path, NULL), LY_OK);
    assert_string_equal(keys_find(&k, "0123456789abcdef-ha")->name, "ha");
    assert_string_equal(keys_find(&k, "0123456789abcdef-cms")->name, "cms");
    assert_null(keys_find(&k, "0123456789abcdef-c"));
    assert_null(keys_find(&k, "0123456789abcdef-cmsx"));
    assert_null(keys_find(&k, ""));
    assert_null(keys_find(&k, NULL));
    keys_release(&k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keys_load_names_keys_and_limits),
        cmocka_unit_test(test_keys_refuse_mistakes_with_file_and_line),
        cmocka_unit_test(test_keys_report_a_missing_file),
        cmocka_unit_test(test_keys_read_bearer_credentials),
        cmocka_unit_test(test_keys_find_only_the_whole_key),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
