/* wyoming_frame.h -- the framing of Wyoming, Home Assistant's voice protocol, without any I/O:
 * bytes in, events out, and events to bytes. An event is a JSON header line ({"type", "data",
 * "data_length", "payload_length", "version"}), then data_length bytes of a JSON object (merged
 * over the header's "data"), then payload_length bytes of payload. Both forms of data, in the
 * header line or in the following block, are accepted. Pure, so that it can be fuzzed
 * (fuzz/fuzz_wyoming.c) and tested on its own; wyoming.c serves the protocol over TCP. */
#ifndef LYSSNA_WYOMING_FRAME_H
#define LYSSNA_WYOMING_FRAME_H

#include <stddef.h>

#include "base/base.h"

struct err;
struct json_t; /* jansson's json_t */

struct wyoming_event {
    char type[64];
    struct json_t *data; /* an object, {} when the event had none; owned by the event */
    struct buf payload;
};

struct wyoming_parser {
    int state;         /* header line, data block or payload (wyoming_frame.c) */
    struct buf acc;    /* what has come of the part being read */
    size_t max_header; /* the header line and the data block may each be this long */
    size_t max_payload;
    size_t data_len, payload_len;
    struct wyoming_event ev; /* being put together */
};

/* Lines and data blocks over max_header bytes, and payloads over max_payload, are LY_ETOOBIG. */
void wyoming_parser_init(struct wyoming_parser *p, size_t max_header, size_t max_payload);
void wyoming_parser_release(struct wyoming_parser *p);

/* Reads from len bytes at in, stopping after one whole event. *used says how many bytes were
 * taken (all of them when no event is complete yet). When an event is complete, *ev gets it
 * (release it with wyoming_event_release) and *done is 1; else *done is 0. Errors, after
 * which the stream cannot be read on: LY_EPARSE (not JSON, no type, a bad length, a data
 * block that is not an object) and LY_ETOOBIG. Blank lines between events are skipped. */
int wyoming_parse(struct wyoming_parser *p, const char *in, size_t len, size_t *used,
                  struct wyoming_event *ev, int *done, struct err *e);

void wyoming_event_release(struct wyoming_event *ev); /* a zeroed or released event is fine */

/* data's string member key, or NULL when it is absent or not a string. */
const char *wyoming_event_str(const struct wyoming_event *ev, const char *key);

/* Appends one event to out (a buf without a cap) as the Python library writes it: the header line
 * with type, version, data_length and payload_length, then data (NULL or {} for none) as its own
 * block, then n bytes of payload. */
void wyoming_frame_event(struct buf *out, const char *type, const struct json_t *data,
                         const void *payload, size_t n);

#endif
