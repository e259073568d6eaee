/* request.c -- checks what a client asks the service for: the text of POST /v1/speak (plain,
 * SSML or JSON) and the voice, rate and format of an audio request. Pure parsing: no HTTP, no
 * synthesis; the text is borrowed, never copied. Reentrant. */
#include "request.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "speech/speech.h"

#include "banned.h"

int request_parse_voice(const char *voice, const char *rate, const char *format,
                        struct request_voice *out, struct err *e)
{
    struct voice v;
    char *end;
    long r;
    int rc;

    snprintf(out->voice, sizeof(out->voice), "%s", voice && *voice ? voice : LYSSNA_DEFAULT_VOICE);
    rc = voice_load(voice_dir(), out->voice, &v, e);
    if (rc)
        return rc;
    out->rate = 0;
    if (rate && *rate) {
        r = strtol(rate, &end, 10);
        if (*end || r < LYSSNA_RATE_MIN || r > LYSSNA_RATE_MAX)
            return err_set(e, LY_EUSAGE, "rate '%.20s' is not %d-%d words per minute", rate,
                           LYSSNA_RATE_MIN, LYSSNA_RATE_MAX);
        out->rate = (int)r;
    }
    out->format = ENCODE_MP3; /* plays everywhere, iPhone included */
    return format && *format ? encode_format_parse(format, &out->format, e) : LY_OK;
}

static int check_text(const char *text, size_t len, size_t max, struct err *e)
{
    size_t bad, i;

    if (len > max)
        return err_set(e, LY_ETOOBIG, "the text is %zu bytes; at most %zu are accepted", len, max);
    if (!utf8_valid(text, len, &bad))
        return err_set(e, LY_EUTF8, "the text is not valid UTF-8 (byte %zu)", bad);
    for (i = 0; i < len; i++)
        if (!strchr(" \t\r\n", text[i]))
            return LY_OK;
    return err_set(e, LY_EEMPTY, "there is no text to speak");
}

/* {"text"|"ssml", "voice", "rate", "format"}: the strings stay in r->doc. */
static int parse_json(const char *body, size_t len, const char **voice, const char **rate,
                      const char **format, char *ratebuf, size_t ratesize, struct request_speak *r,
                      struct err *e)
{
    json_error_t je;
    json_t *j, *text;

    r->doc = json_loadb(body, len, 0, &je);
    if (!r->doc || !json_is_object(r->doc))
        return err_set(e, LY_EPARSE, "bad JSON body: %s", r->doc ? "not an object" : je.text);
    r->ssml = (j = json_object_get(r->doc, "ssml")) && json_is_string(j);
    text = r->ssml ? j : json_object_get(r->doc, "text");
    if (!json_is_string(text))
        return err_set(e, LY_EUSAGE, "the JSON body needs a \"text\" or \"ssml\" string");
    r->text = json_string_value(text);
    r->len = json_string_length(text);
    *voice = json_string_value(json_object_get(r->doc, "voice"));
    *format = json_string_value(json_object_get(r->doc, "format"));
    if ((j = json_object_get(r->doc, "rate")) && json_is_integer(j)) {
        snprintf(ratebuf, ratesize, "%" JSON_INTEGER_FORMAT, json_integer_value(j));
        *rate = ratebuf;
    }
    return LY_OK;
}

static int is_type(const char *type, const char *want)
{
    return type && !strncmp(type, want, strlen(want));
}

int request_parse_speak(const char *type, const char *body, size_t len, const char *voice,
                        const char *rate, const char *format, size_t max_text,
                        struct request_speak *out, struct err *e)
{
    char ratebuf[24];
    int rc;

    memset(out, 0, sizeof(*out));
    if (is_type(type, "application/json")) {
        rc = parse_json(body, len, &voice, &rate, &format, ratebuf, sizeof(ratebuf), out, e);
        if (rc)
            return rc;
    } else if (!type || is_type(type, "text/plain") || is_type(type, "application/ssml+xml")) {
        out->ssml = is_type(type, "application/ssml+xml");
        out->text = body;
        out->len = len;
    } else {
        return err_set(e, LY_EUSAGE,
                       "send text/plain, application/ssml+xml or application/json, not '%.60s'",
                       type);
    }
    rc = check_text(out->text, out->len, max_text, e);
    return rc ? rc : request_parse_voice(voice, rate, format, &out->v, e);
}

void request_speak_release(struct request_speak *r)
{
    json_decref(r->doc);
    r->doc = NULL;
}
