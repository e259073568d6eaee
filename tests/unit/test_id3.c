/* test_id3.c -- id3.c's tag byte by byte: the header's syncsafe size, the title, the CTOC
 * listing the chapters in order and each CHAP's id, times and title; the cap on chapters. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/base.h"
#include "speech/speech.h"

#include "banned.h"

static size_t syncsafe(const unsigned char *p)
{
    return (size_t)p[0] << 21 | (size_t)p[1] << 14 | (size_t)p[2] << 7 | p[3];
}

static unsigned long u32(const unsigned char *p)
{
    return (unsigned long)p[0] << 24 | (unsigned long)p[1] << 16 | (unsigned long)p[2] << 8 | p[3];
}

/* The frame with id at or after *at in the tag's frames; its body and size. */
static const unsigned char *frame(const unsigned char *p, size_t len, const char *id, size_t *size)
{
    size_t at = 0;

    while (at + 10 <= len) {
        size_t n = syncsafe(p + at + 4);
        if (!memcmp(p + at, id, 4)) {
            *size = n;
            return p + at + 10;
        }
        at += 10 + n;
    }
    return NULL;
}

static void test_tag_with_chapters(void **state)
{
    const struct id3_chapter ch[] = {{"Inledning", 0, 2500}, {"Öppettider", 2500, 9000}};
    const unsigned char *p, *f, *sub;
    struct buf b;
    size_t size, n;

    (void)state;
    buf_init(&b, BUF_NOLIMIT);
    id3_write_chapters("Badhuset", ch, 2, &b);
    p = (const unsigned char *)b.data;
    assert_memory_equal(p, "ID3\x04\x00\x00", 6);
    assert_int_equal(syncsafe(p + 6), b.len - 10);
    f = frame(p + 10, b.len - 10, "TIT2", &size);
    assert_non_null(f);
    assert_int_equal(size, 1 + strlen("Badhuset"));
    assert_int_equal(f[0], 3);
    assert_memory_equal(f + 1, "Badhuset", 8);
    f = frame(p + 10, b.len - 10, "CTOC", &size);
    assert_non_null(f);
    assert_memory_equal(f,
                        "toc\0\x03\x02"
                        "ch0\0ch1\0",
                        14);
    assert_int_equal(size, 14);
    f = frame(p + 10, b.len - 10, "CHAP", &size);
    assert_non_null(f);
    assert_string_equal((const char *)f, "ch0");
    assert_int_equal(u32(f + 4), 0);
    assert_int_equal(u32(f + 8), 2500);
    assert_int_equal(u32(f + 12), 0xffffffffUL);
    sub = frame(f + 20, size - 20, "TIT2", &n);
    assert_non_null(sub);
    assert_memory_equal(sub + 1, "Inledning", 9);
    f = frame(f + size, b.len - (size_t)(f + size - p), "CHAP", &size);
    assert_non_null(f);
    assert_string_equal((const char *)f, "ch1");
    assert_int_equal(u32(f + 4), 2500);
    assert_int_equal(u32(f + 8), 9000);
    sub = frame(f + 20, size - 20, "TIT2", &n);
    assert_memory_equal(sub + 1, "Öppettider", strlen("Öppettider"));
    buf_release(&b);
}

static void test_at_most_255_chapters(void **state)
{
    static struct id3_chapter ch[300];
    const unsigned char *f;
    struct buf b;
    size_t i, size;

    (void)state;
    for (i = 0; i < 300; i++)
        ch[i] = (struct id3_chapter){"x", i * 10, i * 10 + 10};
    buf_init(&b, BUF_NOLIMIT);
    id3_write_chapters(NULL, ch, 300, &b);
    f = frame((const unsigned char *)b.data + 10, b.len - 10, "CTOC", &size);
    assert_non_null(f);
    assert_int_equal(f[5], 255);
    assert_null(frame((const unsigned char *)b.data + 10, b.len - 10, "TIT2", &size));
    buf_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tag_with_chapters),
        cmocka_unit_test(test_at_most_255_chapters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
