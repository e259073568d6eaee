/* test_docworker_answer.c -- the document worker's answer as the parent reads it
 * (docworker_answer, docworker.h): a whole answer with its blocks, runs and offsets, a scan's
 * answer, the worker's error, and the answers of a worker a hostile file took over (cut
 * short, out of order, not UTF-8, runs outside their text), each refused as malformed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/base.h"
#include "extract/docworker.h"
#include "extract/extract.h"

#include "banned.h"

static void add(struct buf *b, int type, const char *s)
{
    assert_int_equal(frame_add(b, type, s, strlen(s)), 0);
}

/* A document of two blocks, the second with an English run; scan: a SCAN frame first. */
static void good_answer(struct buf *b, int scan)
{
    if (scan)
        add(b, DOCWORKER_SCAN, "");
    add(b, DOCWORKER_TITLE, "Protokoll");
    add(b, DOCWORKER_LANG, "sv");
    add(b, DOCWORKER_NUMBERS, "7 1 3");
    add(b, DOCWORKER_BLOCK, "1 1");
    add(b, DOCWORKER_XPATH, "/pdf/page[1]/h1[1]");
    add(b, DOCWORKER_TEXT, "Protokoll");
    add(b, DOCWORKER_BLOCK, "0 0");
    add(b, DOCWORKER_XPATH, "/pdf/page[1]/p[1]");
    add(b, DOCWORKER_LANG, "sv");
    add(b, DOCWORKER_TEXT, "Mötet sa \"good morning\" till alla.");
    add(b, DOCWORKER_RUN, "11 23 en");
}

static void test_a_whole_answer_is_read(void **state)
{
    struct extract_result r;
    struct err e = {0};
    struct buf b;
    int scan;

    (void)state;
    for (scan = 0; scan <= 1; scan++) {
        buf_init(&b, BUF_NOLIMIT);
        good_answer(&b, scan);
        assert_int_equal(docworker_answer(b.data, b.len, &r, &e), LY_OK);
        assert_string_equal(r.title, "Protokoll");
        assert_string_equal(r.lang, "sv");
        assert_int_equal(r.words, 7);
        assert_int_equal(r.ocr, 1);
        assert_int_equal(r.parts, 3);
        assert_int_equal(r.nblocks, 2);
        assert_int_equal(r.blocks[0].kind, 1);
        assert_int_equal(r.blocks[0].level, 1);
        assert_null(r.blocks[0].lang);
        assert_string_equal(r.blocks[1].xpath, "/pdf/page[1]/p[1]");
        assert_string_equal(r.blocks[1].lang, "sv");
        assert_int_equal(r.blocks[1].start, strlen("Protokoll") + 1);
        assert_int_equal(r.blocks[1].nruns, 1);
        assert_int_equal(r.blocks[1].runs[0].start, 11);
        assert_int_equal(r.blocks[1].runs[0].end, 23);
        assert_string_equal(r.blocks[1].runs[0].lang, "en");
        extract_result_release(&r);
        buf_release(&b);
    }
}

static void test_the_workers_error_is_passed_on(void **state)
{
    struct extract_result r;
    struct err e = {0};
    struct buf b;
    char line[64];
    int n;

    (void)state;
    buf_init(&b, BUF_NOLIMIT);
    add(&b, DOCWORKER_SCAN, "");
    snprintf(line, sizeof(line), "%d the PDF is password-protected", (int)LY_EINPUT);
    add(&b, DOCWORKER_ERROR, line);
    assert_int_equal(docworker_answer(b.data, b.len, &r, &e), LY_EINPUT);
    assert_string_equal(e.msg, "the PDF is password-protected");
    buf_reset(&b); /* a message of NULs (fuzz/regress/answer) is not passed on */
    n = snprintf(line, sizeof(line), "%d ", (int)LY_EINPUT);
    memset(line + n, 0, 3);
    assert_int_equal(frame_add(&b, DOCWORKER_ERROR, line, (size_t)n + 3), 0);
    assert_int_equal(docworker_answer(b.data, b.len, &r, &e), LY_EINPUT);
    assert_string_equal(e.msg, "the document cannot be read");
    buf_reset(&b);
    add(&b, DOCWORKER_ERROR, "0 all is well");
    assert_int_equal(docworker_answer(b.data, b.len, &r, &e), LY_EPARSE);
    buf_release(&b);
}

/* The answer good_answer makes with its frame k (0-based) replaced by type and s, or left
 * out when type is 0, then cut by cut bytes. */
static int answer_with(int k, int type, const char *s, size_t cut)
{
    static const struct {
        int type;
        const char *s;
    } frames[] = {
        {DOCWORKER_TITLE, "T"},    {DOCWORKER_LANG, "sv"},      {DOCWORKER_NUMBERS, "1 0 1"},
        {DOCWORKER_BLOCK, "0 0"},  {DOCWORKER_XPATH, "/pdf/p"}, {DOCWORKER_TEXT, "Hej då"},
        {DOCWORKER_RUN, "0 3 en"},
    };
    struct extract_result r;
    struct err e = {0};
    struct buf b;
    size_t i;
    int rc;

    buf_init(&b, BUF_NOLIMIT);
    for (i = 0; i < sizeof(frames) / sizeof(*frames); i++)
        if ((int)i != k)
            add(&b, frames[i].type, frames[i].s);
        else if (type)
            add(&b, type, s);
    rc = docworker_answer(b.data, b.len - cut, &r, &e);
    if (!rc)
        extract_result_release(&r);
    else
        assert_string_equal(e.msg, "the document reader's answer is malformed");
    buf_release(&b);
    return rc;
}

static void test_a_malformed_answer_is_refused(void **state)
{
    (void)state;
    assert_int_equal(answer_with(-1, 0, NULL, 0), LY_OK);
    assert_int_equal(answer_with(-1, 0, NULL, 1), LY_EPARSE); /* cut short */
    assert_int_equal(answer_with(-1, 0, NULL, 9), LY_EPARSE); /* a frame's head cut */
    assert_int_equal(answer_with(3, 0, NULL, 0), LY_EPARSE);  /* text before a block */
    assert_int_equal(answer_with(5, 0, NULL, 0), LY_EPARSE);  /* a block with no text */
    assert_int_equal(answer_with(4, 0, NULL, 0), LY_EPARSE);  /* nor an xpath */
    assert_int_equal(answer_with(0, 0, NULL, 0), LY_EPARSE);  /* no title */
    assert_int_equal(answer_with(2, 0, NULL, 0), LY_EPARSE);  /* no numbers */
    assert_int_equal(answer_with(3, DOCWORKER_BLOCK, "9 0", 0), LY_EPARSE); /* no such kind */
    assert_int_equal(answer_with(3, DOCWORKER_BLOCK, "0 7", 0), LY_EPARSE); /* no such level */
    assert_int_equal(answer_with(3, DOCWORKER_BLOCK, "0", 0), LY_EPARSE);
    assert_int_equal(answer_with(2, DOCWORKER_NUMBERS, "1 x 1", 0), LY_EPARSE);
    assert_int_equal(answer_with(5, DOCWORKER_TEXT, "Hej \xff", 0), LY_EPARSE); /* not UTF-8 */
    assert_int_equal(answer_with(5, DOCWORKER_TEXT, "Hej\xc3", 0), LY_EPARSE);
    assert_int_equal(answer_with(6, DOCWORKER_RUN, "0 99 en", 0), LY_EPARSE); /* past the text */
    assert_int_equal(answer_with(6, DOCWORKER_RUN, "3 3 en", 0), LY_EPARSE);  /* empty */
    assert_int_equal(answer_with(6, DOCWORKER_RUN, "-1 3 en", 0), LY_EPARSE);
    assert_int_equal(answer_with(6, DOCWORKER_RUN, "0 3 e\xff", 0), LY_EPARSE);
    assert_int_equal(answer_with(6, 'Z', "0 3 en", 0), LY_EPARSE); /* no such frame */
    assert_int_equal(answer_with(6, DOCWORKER_TEXT, "twice", 0), LY_EPARSE);
}

static void test_a_nul_inside_a_string_is_refused(void **state)
{
    struct extract_result r;
    struct err e = {0};
    struct buf b;

    (void)state;
    buf_init(&b, BUF_NOLIMIT);
    add(&b, DOCWORKER_TITLE, "");
    add(&b, DOCWORKER_LANG, "");
    add(&b, DOCWORKER_NUMBERS, "1 0 1");
    add(&b, DOCWORKER_BLOCK, "0 0");
    add(&b, DOCWORKER_XPATH, "/pdf/p");
    assert_int_equal(frame_add(&b, DOCWORKER_TEXT, "Hej\0då", 7), 0);
    assert_int_equal(docworker_answer(b.data, b.len, &r, &e), LY_EPARSE);
    assert_int_equal(docworker_answer("", 0, &r, &e), LY_EPARSE);
    buf_release(&b);
}

/* Frames written to a pipe come back whole, in order; a frame past the cap is refused. */
static void test_frames_cross_a_pipe(void **state)
{
    struct buf in;
    int fd[2];

    (void)state;
    buf_init(&in, BUF_NOLIMIT);
    assert_int_equal(pipe(fd), 0);
    assert_int_equal(frame_send(fd[1], 'A', "hej", 3), 0);
    assert_int_equal(frame_send(fd[1], 'B', "", 0), 0);
    assert_int_equal(frame_send(fd[1], 'C', "0123456789", 10), 0);
    close(fd[1]);
    assert_int_equal(frame_recv(fd[0], &in, 16), 'A');
    assert_string_equal(in.data, "hej");
    assert_int_equal(frame_recv(fd[0], &in, 16), 'B');
    assert_int_equal(in.len, 0);
    assert_int_equal(frame_recv(fd[0], &in, 9), -1);
    close(fd[0]);
    buf_release(&in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_whole_answer_is_read),
        cmocka_unit_test(test_the_workers_error_is_passed_on),
        cmocka_unit_test(test_a_malformed_answer_is_refused),
        cmocka_unit_test(test_a_nul_inside_a_string_is_refused),
        cmocka_unit_test(test_frames_cross_a_pipe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
