/* request.h -- what an API request asks for, from its query string or its body, checked:
 * the text of POST /v1/speak and the voice, rate and format of every audio request. No
 * HTTP here (serve.c has it), so that this parsing of untrusted input can be tested and
 * fuzzed on its own. */
#ifndef LYSSNA_REQUEST_H
#define LYSSNA_REQUEST_H

#include <stddef.h>

#include "speech/speech.h"

struct err;
struct json_t; /* jansson's json_t */

struct request_voice {
    char voice[64]; /* a voice that exists: voice_load accepted it */
    int rate;       /* words per minute; 0: the voice's own */
    enum encode_format format;
};

struct request_speak {
    const char *text; /* borrowed from the body, or from doc */
    size_t len;
    int ssml;
    struct request_voice v;
    struct json_t *doc; /* the parsed JSON body text points into, or NULL */
};

/* voice, rate and format as the client wrote them (each may be NULL or "": the default
 * voice, its rate, MP3) into out. LY_EVOICE for an unknown voice, LY_EUSAGE for a rate
 * outside LYSSNA_RATE_MIN..LYSSNA_RATE_MAX or an unknown format. */
int request_parse_voice(const char *voice, const char *rate, const char *format,
                        struct request_voice *out, struct err *e);

/* The body of POST /v1/speak (len bytes at body, of Content-Type type, which may be NULL:
 * text/plain), with the query string's voice, rate and format, which a JSON body's own
 * members replace. text/plain and application/ssml+xml bodies are the text; a JSON body is
 * an object {"text"|"ssml", "voice", "rate", "format"}. The text must be valid UTF-8, not
 * only white space, and at most max_text bytes. Errors: LY_EPARSE (bad JSON), LY_EUSAGE,
 * LY_ETOOBIG, LY_EUTF8, LY_EEMPTY, and those of request_parse_voice. Release out with
 * request_speak_release whatever the result. */
int request_parse_speak(const char *type, const char *body, size_t len, const char *voice,
                        const char *rate, const char *format, size_t max_text,
                        struct request_speak *out, struct err *e);
void request_speak_release(struct request_speak *r);

#endif
