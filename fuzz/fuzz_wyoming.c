/* fuzz_wyoming.c -- Wyoming's event framing (serve/wyoming_frame.h), as a peer on the Wyoming
 * port could send it. The first byte sets the size of the reads the input is cut into (1..256
 * bytes, as a network splits it); the rest is the stream. Checks that every event has a type
 * and an object of data, that the caps hold, and that an event written back reads back the
 * same. */
#include "fuzz.h"

#include <jansson.h>
#include <string.h>

#include "base/base.h"
#include "serve/wyoming_frame.h"

#include "banned.h"

#define MAX_HEADER  8192
#define MAX_PAYLOAD 4096

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    return 0;
}

static void check_round_trip(const struct wyoming_event *ev)
{
    struct wyoming_parser p;
    struct wyoming_event back = {0};
    struct buf out;
    size_t used;
    int done = 0;

    buf_init(&out, BUF_NOLIMIT);
    wyoming_frame_event(&out, ev->type, ev->data, ev->payload.data, ev->payload.len);
    wyoming_parser_init(&p, BUF_NOLIMIT, BUF_NOLIMIT);
    fuzz_check(wyoming_parse(&p, out.data, out.len, &used, &back, &done, NULL) == LY_OK && done &&
                   used == out.len,
               "an event written reads back whole");
    fuzz_check(!strcmp(back.type, ev->type) && json_equal(back.data, ev->data) &&
                   back.payload.len == ev->payload.len &&
                   !memcmp(back.payload.data, ev->payload.data, ev->payload.len),
               "the same event reads back");
    wyoming_event_release(&back);
    wyoming_parser_release(&p);
    buf_release(&out);
}

static void check_event(const struct wyoming_event *ev)
{
    fuzz_check(ev->type[0] != '\0', "an event has a type");
    fuzz_check(json_is_object(ev->data), "an event's data is an object");
    fuzz_check(ev->payload.len <= MAX_PAYLOAD, "the payload within its cap");
    check_round_trip(ev);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct wyoming_parser p;
    struct wyoming_event ev;
    size_t step, off = 1, n, used;
    int done, rc = LY_OK;

    if (size == 0)
        return 0;
    step = (size_t)data[0] + 1;
    wyoming_parser_init(&p, MAX_HEADER, MAX_PAYLOAD);
    while (rc == LY_OK && off < size) {
        n = size - off < step ? size - off : step;
        rc = wyoming_parse(&p, (const char *)data + off, n, &used, &ev, &done, NULL);
        fuzz_check(used <= n, "never takes more than it was given");
        fuzz_check(rc != LY_OK || done || used == n, "takes all when it needs more");
        off += rc == LY_OK ? used : n;
        if (rc == LY_OK && done) {
            check_event(&ev);
            wyoming_event_release(&ev);
        }
    }
    fuzz_check(p.acc.len <= MAX_HEADER, "the header line within its cap");
    wyoming_parser_release(&p);
    return 0;
}
