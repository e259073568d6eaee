/* wyoming_frame.c -- Wyoming's event framing (see wyoming_frame.h): a small state machine that
 * takes bytes as they arrive, in any split, and gives whole events. Everything read is capped
 * before it is kept, so a peer cannot make it hold more than max_header or max_payload bytes.
 * No I/O and no globals: one parser per connection, used by one thread at a time. */
#include "wyoming_frame.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

#include "banned.h"

/* The protocol version written into every header line; readers ignore it. */
#define LYSSNA_WYOMING_VERSION "1.8.0"

enum { ST_HEADER, ST_DATA, ST_PAYLOAD };

void wyoming_parser_init(struct wyoming_parser *p, size_t max_header, size_t max_payload)
{
    memset(p, 0, sizeof(*p));
    p->state = ST_HEADER;
    p->max_header = max_header;
    p->max_payload = max_payload;
    buf_init(&p->acc, max_header);
    buf_init(&p->ev.payload, max_payload);
}

void wyoming_event_release(struct wyoming_event *ev)
{
    json_decref(ev->data);
    ev->data = NULL;
    if (ev->payload.data)
        buf_release(&ev->payload);
}

void wyoming_parser_release(struct wyoming_parser *p)
{
    buf_release(&p->acc);
    wyoming_event_release(&p->ev);
}

const char *wyoming_event_str(const struct wyoming_event *ev, const char *key)
{
    return json_string_value(json_object_get(ev->data, key));
}

/* A length member: absent or null is 0; else a whole number from 0 to max. */
static int length_of(const json_t *hdr, const char *key, size_t max, size_t *out, struct err *e)
{
    const json_t *v = json_object_get(hdr, key);
    json_int_t n;

    *out = 0;
    if (!v || json_is_null(v))
        return LY_OK;
    if (!json_is_integer(v) || (n = json_integer_value(v)) < 0)
        return err_set(e, LY_EPARSE, "wyoming: '%s' is not a length", key);
    if ((unsigned long long)n > max)
        return err_set(e, LY_ETOOBIG, "wyoming: '%s' %lld is over the cap of %zu bytes", key,
                       (long long)n, max);
    *out = (size_t)n;
    return LY_OK;
}

static int load_object(const char *s, size_t len, const char *what, json_t **out, struct err *e)
{
    json_error_t jerr;
    json_t *v = json_loadb(s, len, 0, &jerr);

    if (!v || !json_is_object(v)) {
        json_decref(v);
        return err_set(e, LY_EPARSE, "wyoming: the %s is not a JSON object%s%s", what,
                       v ? "" : ": ", v ? "" : jerr.text);
    }
    *out = v;
    return LY_OK;
}

/* The header line in p->acc (without its newline) starts p->ev. */
static int take_header(struct wyoming_parser *p, struct err *e)
{
    json_t *hdr = NULL, *data;
    const char *type;
    int rc;

    if ((rc = load_object(p->acc.data, p->acc.len, "header line", &hdr, e)) != LY_OK)
        return rc;
    type = json_string_value(json_object_get(hdr, "type"));
    data = json_object_get(hdr, "data");
    if (!type || !*type || strlen(type) >= sizeof(p->ev.type))
        rc = err_set(e, LY_EPARSE, "wyoming: the header line has no event type");
    else if (data && !json_is_object(data) && !json_is_null(data))
        rc = err_set(e, LY_EPARSE, "wyoming: 'data' is not an object");
    else if ((rc = length_of(hdr, "data_length", p->max_header, &p->data_len, e)) == LY_OK)
        rc = length_of(hdr, "payload_length", p->max_payload, &p->payload_len, e);
    if (rc == LY_OK) {
        snprintf(p->ev.type, sizeof(p->ev.type), "%s", type);
        p->ev.data = json_is_object(data) ? json_deep_copy(data) : json_object();
    }
    json_decref(hdr);
    return rc;
}

/* The data block in p->acc goes over the header's data, as the Python library merges it. */
static int take_data(struct wyoming_parser *p, struct err *e)
{
    json_t *block = NULL;
    int rc = load_object(p->acc.data, p->acc.len, "data block", &block, e);

    if (rc == LY_OK)
        json_object_update(p->ev.data, block);
    json_decref(block);
    return rc;
}

/* After a part is whole: the next state, or 1 when the event is complete. */
static int next_part(struct wyoming_parser *p)
{
    buf_reset(&p->acc);
    if (p->state == ST_HEADER && p->data_len > 0)
        return p->state = ST_DATA, 0;
    if (p->state != ST_PAYLOAD && p->payload_len > 0)
        return p->state = ST_PAYLOAD, 0;
    p->state = ST_HEADER;
    return 1;
}

/* Up to the newline into p->acc; *whole when the line ended. */
static int read_line(struct wyoming_parser *p, const char *in, size_t len, size_t *used, int *whole,
                     struct err *e)
{
    const char *nl = memchr(in, '\n', len);
    size_t n = nl ? (size_t)(nl - in) : len;

    if (buf_add(&p->acc, in, n, NULL) != LY_OK)
        return err_set(e, LY_ETOOBIG, "wyoming: a header line over %zu bytes", p->max_header);
    *used = nl ? n + 1 : n;
    *whole = nl != NULL;
    if (*whole && p->acc.len > 0 && p->acc.data[p->acc.len - 1] == '\r')
        p->acc.data[--p->acc.len] = '\0';
    return LY_OK;
}

/* Takes what in has of a block of want bytes into b; *whole when it is complete. */
static void read_block(struct buf *b, size_t want, const char *in, size_t len, size_t *used,
                       int *whole)
{
    size_t n = want - b->len < len ? want - b->len : len;

    buf_add(b, in, n, NULL); /* cannot fail: want is within the cap, checked in take_header */
    *used = n;
    *whole = b->len == want;
}

/* One step: reads what the current part needs from in; *done when an event is complete. */
static int step(struct wyoming_parser *p, const char *in, size_t len, size_t *used, int *done,
                struct err *e)
{
    int whole = 0, rc = LY_OK;

    *done = 0;
    if (p->state == ST_HEADER) {
        if ((rc = read_line(p, in, len, used, &whole, e)) != LY_OK || !whole)
            return rc;
        if (p->acc.len == 0)
            return LY_OK; /* a blank line between events */
        rc = take_header(p, e);
    } else if (p->state == ST_DATA) {
        read_block(&p->acc, p->data_len, in, len, used, &whole);
        if (!whole)
            return LY_OK;
        rc = take_data(p, e);
    } else {
        read_block(&p->ev.payload, p->payload_len, in, len, used, &whole);
        if (!whole)
            return LY_OK;
    }
    if (rc == LY_OK)
        *done = next_part(p);
    return rc;
}

int wyoming_parse(struct wyoming_parser *p, const char *in, size_t len, size_t *used,
                  struct wyoming_event *ev, int *done, struct err *e)
{
    size_t n = 0, total = 0;
    int rc = LY_OK;

    *done = 0;
    /* Every step takes at least one byte: a part being read always wants more. */
    while (!*done && total < len) {
        if ((rc = step(p, in + total, len - total, &n, done, e)) != LY_OK)
            break;
        total += n;
    }
    *used = total;
    if (rc == LY_OK && *done) {
        *ev = p->ev;
        memset(&p->ev, 0, sizeof(p->ev));
        buf_init(&p->ev.payload, p->max_payload);
    }
    return rc;
}

void wyoming_frame_event(struct buf *out, const char *type, const struct json_t *data,
                         const void *payload, size_t n)
{
    json_t *hdr = json_pack("{s:s, s:s}", "type", type, "version", LYSSNA_WYOMING_VERSION);
    char *line, *block = NULL;
    size_t block_len = 0;

    if (data && json_object_size(data) > 0) {
        block = json_dumps(data, JSON_COMPACT);
        block_len = strlen(block);
        json_object_set_new(hdr, "data_length", json_integer((json_int_t)block_len));
    }
    if (n > 0)
        json_object_set_new(hdr, "payload_length", json_integer((json_int_t)n));
    line = json_dumps(hdr, JSON_COMPACT);
    buf_adds(out, line, NULL);
    buf_addch(out, '\n', NULL);
    buf_add(out, block ? block : "", block_len, NULL);
    buf_add(out, payload ? payload : "", n, NULL);
    free(line);
    free(block);
    json_decref(hdr);
}
