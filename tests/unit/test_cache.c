/* test_cache.c -- the audio cache: keys, atomic entries, LRU eviction under the cap,
 * reopening an existing folder (another writer's temporary kept, an abandoned one removed), keys
 * that try to leave the folder, and damaged entries. */
#include <dirent.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/base.h"
#include "cache/cache.h"

#define TRAILER 40 /* the checksum each entry ends in */

static char dir[64];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/lyssna-cache-XXXXXX");
    return mkdtemp(dir) == NULL;
}

static int teardown(void **state)
{
    char cmd[128];

    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd);
}

static void key_of(const char *text, char key[CACHE_KEY_HEX + 1])
{
    const char *parts[] = {text, "sv", "170", "mp3"};

    cache_key(parts, NULL, 4, key);
}

static void put(struct cache *c, const char *key, size_t size)
{
    struct cache_writer *w = cache_put_begin(c, key, "mp3", NULL);
    char *data = calloc(1, size);

    assert_non_null(w);
    assert_int_equal(cache_put_write(w, data, size, NULL), LY_OK);
    assert_int_equal(cache_put_commit(w, NULL), LY_OK);
    free(data);
}

static int has(struct cache *c, const char *key)
{
    struct cache_hit hit;
    int rc = cache_get(c, key, "mp3", &hit, NULL);

    if (rc == 1)
        close(hit.fd);
    return rc;
}

static void test_cache_key_is_sha256_hex_and_separates_parts(void **state)
{
    const char *a[] = {"ab", "c"}, *b[] = {"a", "bc"};
    char ka[CACHE_KEY_HEX + 1], kb[CACHE_KEY_HEX + 1], k2[CACHE_KEY_HEX + 1];

    (void)state;
    cache_key(a, NULL, 2, ka);
    cache_key(b, NULL, 2, kb);
    cache_key(a, NULL, 2, k2);
    assert_int_equal(strlen(ka), 64);
    assert_int_equal(strspn(ka, "0123456789abcdef"), 64);
    assert_string_not_equal(ka, kb);
    assert_string_equal(ka, k2);
}

static void test_cache_stores_and_finds_an_entry(void **state)
{
    struct cache *c = cache_open(dir, 1 << 20, NULL);
    struct cache_hit hit;
    char key[CACHE_KEY_HEX + 1], other[CACHE_KEY_HEX + 1];

    (void)state;
    assert_non_null(c);
    key_of("Hej", key);
    key_of("Hopp", other);
    put(c, key, 1000);
    assert_int_equal(cache_get(c, key, "mp3", &hit, NULL), 1);
    assert_int_equal(hit.size, 1000);
    close(hit.fd);
    assert_int_equal(has(c, other), 0);
    assert_int_equal(cache_get(c, key, "ogg", &hit, NULL), 0);
    cache_free(c);
}

static void test_cache_evicts_least_recently_used_over_the_cap(void **state)
{
    struct cache *c = cache_open(dir, 3000, NULL);
    char k1[CACHE_KEY_HEX + 1], k2[CACHE_KEY_HEX + 1], k3[CACHE_KEY_HEX + 1];
    struct cache_stats st;

    (void)state;
    key_of("ett", k1);
    key_of("två", k2);
    key_of("tre", k3);
    put(c, k1, 1200);
    put(c, k2, 1200);
    assert_int_equal(has(c, k1), 1); /* k1 is now the most recently used */
    put(c, k3, 1200);
    assert_int_equal(has(c, k2), 0);
    assert_int_equal(has(c, k1), 1);
    assert_int_equal(has(c, k3), 1);
    cache_stats(c, &st);
    assert_int_equal(st.bytes, 2 * (1200 + TRAILER));
    assert_int_equal(st.entries, 2);
    cache_free(c);
}

/* The one temporary file in dir/tmp, into path; 0 when there is none. */
static int only_temporary(char *path, size_t n)
{
    char tmpdir[128];
    struct dirent *d;
    DIR *dh;
    int found = 0;

    snprintf(tmpdir, sizeof(tmpdir), "%s/tmp", dir);
    dh = opendir(tmpdir);
    while (dh && (d = readdir(dh)))
        if (d->d_name[0] != '.') {
            snprintf(path, n, "%.127s/%.255s", tmpdir, d->d_name);
            found++;
        }
    if (dh)
        closedir(dh);
    return found == 1;
}

static void test_cache_reopens_existing_entries_and_clears_temporaries(void **state)
{
    struct cache *c = cache_open(dir, 1 << 20, NULL);
    struct cache_writer *w;
    char key[CACHE_KEY_HEX + 1], tmp[512];
    struct cache_stats st;
    struct timespec old[2] = {{time(NULL) - 7200, 0}, {time(NULL) - 7200, 0}};

    (void)state;
    key_of("kvar", key);
    put(c, key, 500);
    w = cache_put_begin(c, key, "ogg", NULL);
    assert_int_equal(cache_put_write(w, "x", 1, NULL), LY_OK);
    /* another instance opening the folder while this one writes leaves its file alone */
    cache_free(cache_open(dir, 1 << 20, NULL));
    assert_true(only_temporary(tmp, sizeof(tmp)));
    cache_free(c); /* as if the process died mid-write: the temporary stays behind */
    c = cache_open(dir, 1 << 20, NULL);
    cache_stats(c, &st);
    assert_int_equal(st.entries, 1);
    assert_int_equal(st.bytes, 500 + TRAILER);
    assert_int_equal(has(c, key), 1);
    cache_free(c);
    /* an hour later nobody is writing it: the next open removes it */
    assert_int_equal(utimensat(AT_FDCWD, tmp, old, 0), 0);
    c = cache_open(dir, 1 << 20, NULL);
    assert_false(only_temporary(tmp, sizeof(tmp)));
    cache_put_abort(w);
    cache_free(c);
}

static void test_cache_refuses_keys_that_leave_the_folder(void **state)
{
    struct cache *c = cache_open(dir, 1 << 20, NULL);
    struct cache_hit hit;
    struct err e = {0};

    (void)state;
    assert_true(cache_get(c, "../../../../etc/passwd", "mp3", &hit, &e) < 0);
    assert_int_equal(e.code, LY_EUSAGE);
    assert_null(cache_put_begin(c, "0123", "mp3", NULL));
    assert_null(cache_put_begin(
        c, "0000000000000000000000000000000000000000000000000000000000000000", "../x", NULL));
    cache_free(c);
}

static void test_cache_forgets_an_entry_deleted_from_disk(void **state)
{
    struct cache *c = cache_open(dir, 1 << 20, NULL);
    char key[CACHE_KEY_HEX + 1], path[256];
    struct cache_stats st;

    (void)state;
    key_of("borta", key);
    put(c, key, 700);
    snprintf(path, sizeof(path), "%s/%.2s/%s.mp3", dir, key, key);
    assert_int_equal(unlink(path), 0);
    assert_int_equal(has(c, key), 0);
    cache_stats(c, &st);
    assert_int_equal(st.entries, 0);
    cache_free(c);
}

/* Damages the entry's byte at offset at (from the end when negative). */
static void damage(const char *key, long at)
{
    char path[256];
    FILE *f;
    int ch;

    snprintf(path, sizeof(path), "%s/%.2s/%s.mp3", dir, key, key);
    f = fopen(path, "r+b");
    assert_non_null(f);
    assert_int_equal(fseek(f, at, at < 0 ? SEEK_END : SEEK_SET), 0);
    ch = fgetc(f);
    assert_int_equal(fseek(f, -1, SEEK_CUR), 0);
    fputc(ch ^ 0x20, f);
    fclose(f);
}

static void test_cache_drops_a_damaged_entry_instead_of_serving_it(void **state)
{
    char body[CACHE_KEY_HEX + 1], tail[CACHE_KEY_HEX + 1], good[CACHE_KEY_HEX + 1], path[256];
    struct cache *c = cache_open(dir, 1 << 20, NULL);
    struct cache_stats st;

    (void)state;
    key_of("skadad", body);
    key_of("svans", tail);
    key_of("hel", good);
    put(c, body, 3000);
    put(c, tail, 3000);
    put(c, good, 3000);
    cache_free(c);
    damage(body, 1500);
    damage(tail, -1); /* the trailer's magic */
    c = cache_open(dir, 1 << 20, NULL);
    assert_int_equal(has(c, body), 0);
    assert_int_equal(has(c, tail), 0);
    assert_int_equal(has(c, good), 1);
    cache_stats(c, &st);
    assert_int_equal(st.corrupt, 2);
    assert_int_equal(st.entries, 1);
    snprintf(path, sizeof(path), "%s/%.2s/%s.mp3", dir, body, body);
    assert_int_not_equal(access(path, F_OK), 0); /* deleted, to be made anew */
    put(c, body, 3000);
    assert_int_equal(has(c, body), 1);
    cache_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cache_key_is_sha256_hex_and_separates_parts),
        cmocka_unit_test_setup_teardown(test_cache_stores_and_finds_an_entry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cache_evicts_least_recently_used_over_the_cap, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_cache_reopens_existing_entries_and_clears_temporaries,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_cache_refuses_keys_that_leave_the_folder, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_cache_forgets_an_entry_deleted_from_disk, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_cache_drops_a_damaged_entry_instead_of_serving_it,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
