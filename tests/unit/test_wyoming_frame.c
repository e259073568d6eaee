/* test_wyoming_frame.c -- Wyoming's framing (wyoming_frame.c): both forms of an event's data,
 * payloads, bytes arriving one at a time or several events at once, blank lines and CRLF, the
 * errors that close a connection, and events written by us read back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "base/base.h"
#include "serve/wyoming_frame.h"

#include "banned.h"

#define MAX_HEADER  4096
#define MAX_PAYLOAD 1024

/* Parses all of s as one event; fails the test unless exactly one event takes all of it. */
static void parse_one(const char *s, size_t len, struct wyoming_event *ev)
{
    struct wyoming_parser p;
    size_t used = 0;
    int done = 0;

    wyoming_parser_init(&p, MAX_HEADER, MAX_PAYLOAD);
    assert_int_equal(wyoming_parse(&p, s, len, &used, ev, &done, NULL), LY_OK);
    assert_int_equal(done, 1);
    assert_int_equal(used, len);
    wyoming_parser_release(&p);
}

/* The code parsing s ends with, before or at its first event. */
static int parse_error(const char *s, struct err *e)
{
    struct wyoming_parser p;
    struct wyoming_event ev = {0};
    size_t used;
    int done, rc;

    wyoming_parser_init(&p, MAX_HEADER, MAX_PAYLOAD);
    rc = wyoming_parse(&p, s, strlen(s), &used, &ev, &done, e);
    if (done)
        wyoming_event_release(&ev);
    wyoming_parser_release(&p);
    return rc;
}

static void test_wyoming_reads_an_event_without_data(void **state)
{
    static const char s[] = "{\"type\": \"describe\"}\n";
    struct wyoming_event ev;

    (void)state;
    parse_one(s, strlen(s), &ev);
    assert_string_equal(ev.type, "describe");
    assert_true(json_is_object(ev.data));
    assert_int_equal(json_object_size(ev.data), 0);
    assert_int_equal(ev.payload.len, 0);
    wyoming_event_release(&ev);
}

static void test_wyoming_reads_data_in_the_header_line(void **state)
{
    static const char s[] =
        "{\"type\":\"synthesize\",\"data\":{\"text\":\"Hej då!\",\"voice\":{\"name\":\"sv\"}}}\n";
    struct wyoming_event ev;

    (void)state;
    parse_one(s, strlen(s), &ev);
    assert_string_equal(ev.type, "synthesize");
    assert_string_equal(wyoming_event_str(&ev, "text"), "Hej då!");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(ev.data, "voice"), "name")), "sv");
    wyoming_event_release(&ev);
}

/* The Python library's own form: the data in a block after the line, merged over the line's. */
static void test_wyoming_reads_a_data_block_merged_over_the_header(void **state)
{
    static const char s[] = "{\"type\":\"synthesize\",\"version\":\"1.8.0\",\"data\":"
                            "{\"text\":\"old\",\"keep\":1},\"data_length\":15}\n"
                            "{\"text\":\"nytt\"}";
    struct wyoming_event ev;

    (void)state;
    parse_one(s, strlen(s), &ev);
    assert_string_equal(wyoming_event_str(&ev, "text"), "nytt");
    assert_int_equal(json_integer_value(json_object_get(ev.data, "keep")), 1);
    wyoming_event_release(&ev);
}

static void test_wyoming_reads_a_payload(void **state)
{
    static const char s[] = "{\"type\":\"audio-chunk\",\"data_length\":11,\"payload_length\":4}\n"
                            "{\"rate\":16}\x01\x00\n\x03";
    struct wyoming_event ev;

    (void)state;
    parse_one(s, sizeof(s) - 1, &ev);
    assert_string_equal(ev.type, "audio-chunk");
    assert_int_equal(json_integer_value(json_object_get(ev.data, "rate")), 16);
    assert_int_equal(ev.payload.len, 4);
    assert_memory_equal(ev.payload.data, "\x01\x00\n\x03", 4);
    wyoming_event_release(&ev);
}

/* A byte at a time, as a slow network may give it: the same events, in order. */
static void test_wyoming_reads_events_split_anywhere(void **state)
{
    static const char s[] =
        "{\"type\":\"synthesize-start\"}\n"
        "{\"type\":\"synthesize-chunk\",\"data_length\":16}\n{\"text\":\"Hej. \"}"
        "\r\n\n{\"type\":\"synthesize-stop\"}\r\n";
    static const char *const want[] = {"synthesize-start", "synthesize-chunk", "synthesize-stop"};
    struct wyoming_parser p;
    struct wyoming_event ev;
    size_t i, used, got = 0;
    int done;

    (void)state;
    wyoming_parser_init(&p, MAX_HEADER, MAX_PAYLOAD);
    for (i = 0; i < strlen(s); i++) {
        assert_int_equal(wyoming_parse(&p, s + i, 1, &used, &ev, &done, NULL), LY_OK);
        assert_int_equal(used, 1);
        if (!done)
            continue;
        assert_true(got < 3);
        assert_string_equal(ev.type, want[got]);
        if (got == 1)
            assert_string_equal(wyoming_event_str(&ev, "text"), "Hej. ");
        got++;
        wyoming_event_release(&ev);
    }
    assert_int_equal(got, 3);
    wyoming_parser_release(&p);
}

/* Several events in one read: each call stops after one and says how far it got. */
static void test_wyoming_stops_after_each_event(void **state)
{
    static const char s[] = "{\"type\":\"describe\"}\n{\"type\":\"synthesize\",\"data\":{}}\n";
    struct wyoming_parser p;
    struct wyoming_event ev;
    size_t used;
    int done;

    (void)state;
    wyoming_parser_init(&p, MAX_HEADER, MAX_PAYLOAD);
    assert_int_equal(wyoming_parse(&p, s, strlen(s), &used, &ev, &done, NULL), LY_OK);
    assert_int_equal(done, 1);
    assert_int_equal(used, strlen("{\"type\":\"describe\"}\n"));
    assert_string_equal(ev.type, "describe");
    wyoming_event_release(&ev);
    assert_int_equal(wyoming_parse(&p, s + used, strlen(s) - used, &used, &ev, &done, NULL), LY_OK);
    assert_int_equal(done, 1);
    assert_string_equal(ev.type, "synthesize");
    wyoming_event_release(&ev);
    wyoming_parser_release(&p);
}

static void test_wyoming_refuses_malformed_events(void **state)
{
    static const struct {
        const char *in, *msg;
        int code;
    } cases[] = {
        {"not json\n", "the header line is not a JSON object", LY_EPARSE},
        {"[1,2]\n", "the header line is not a JSON object", LY_EPARSE},
        {"{\"data\":{}}\n", "the header line has no event type", LY_EPARSE},
        {"{\"type\":\"\"}\n", "the header line has no event type", LY_EPARSE},
        {"{\"type\":7}\n", "the header line has no event type", LY_EPARSE},
        {"{\"type\":\"x\",\"data\":\"text\"}\n", "'data' is not an object", LY_EPARSE},
        {"{\"type\":\"x\",\"data_length\":-1}\n", "'data_length' is not a length", LY_EPARSE},
        {"{\"type\":\"x\",\"payload_length\":1.5}\n", "'payload_length' is not a length",
         LY_EPARSE},
        {"{\"type\":\"x\",\"data_length\":3}\n[1]", "the data block is not a JSON object",
         LY_EPARSE},
        {"{\"type\":\"x\",\"payload_length\":1025}\n", "over the cap", LY_ETOOBIG},
        {"{\"type\":\"x\",\"data_length\":99999}\n", "over the cap", LY_ETOOBIG},
    };
    struct err e;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        memset(&e, 0, sizeof(e));
        assert_int_equal(parse_error(cases[i].in, &e), cases[i].code);
        assert_non_null(strstr(e.msg, cases[i].msg));
    }
}

/* A line that never ends is refused once it passes the cap, not kept growing. */
static void test_wyoming_caps_the_header_line(void **state)
{
    char line[MAX_HEADER + 2];
    struct err e = {0};

    (void)state;
    memset(line, ' ', sizeof(line) - 1);
    line[sizeof(line) - 1] = '\0';
    assert_int_equal(parse_error(line, &e), LY_ETOOBIG);
    assert_string_equal(e.msg, "wyoming: a header line over 4096 bytes");
}

static void test_wyoming_reads_back_what_it_writes(void **state)
{
    json_t *data = json_pack("{s:i, s:i, s:i, s:s}", "rate", 24000, "width", 2, "channels", 1,
                             "text", "Åsa åt\n\"ön\"");
    struct wyoming_event ev;
    struct buf out;

    (void)state;
    buf_init(&out, BUF_NOLIMIT);
    wyoming_frame_event(&out, "audio-chunk", data, "\0\1\2", 3);
    assert_non_null(strstr(out.data, "\"data_length\":"));
    assert_true(memchr(out.data, '\n', out.len) < (void *)strstr(out.data, "\"rate\""));
    parse_one(out.data, out.len, &ev);
    assert_string_equal(ev.type, "audio-chunk");
    assert_true(json_equal(ev.data, data));
    assert_int_equal(ev.payload.len, 3);
    assert_memory_equal(ev.payload.data, "\0\1\2", 3);
    wyoming_event_release(&ev);
    buf_reset(&out);
    wyoming_frame_event(&out, "audio-stop", NULL, NULL, 0);
    assert_null(strstr(out.data, "data_length"));
    assert_null(strstr(out.data, "payload_length"));
    parse_one(out.data, out.len, &ev);
    assert_string_equal(ev.type, "audio-stop");
    wyoming_event_release(&ev);
    buf_release(&out);
    json_decref(data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wyoming_reads_an_event_without_data),
        cmocka_unit_test(test_wyoming_reads_data_in_the_header_line),
        cmocka_unit_test(test_wyoming_reads_a_data_block_merged_over_the_header),
        cmocka_unit_test(test_wyoming_reads_a_payload),
        cmocka_unit_test(test_wyoming_reads_events_split_anywhere),
        cmocka_unit_test(test_wyoming_stops_after_each_event),
        cmocka_unit_test(test_wyoming_refuses_malformed_events),
        cmocka_unit_test(test_wyoming_caps_the_header_line),
        cmocka_unit_test(test_wyoming_reads_back_what_it_writes),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
