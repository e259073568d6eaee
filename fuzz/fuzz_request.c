/* fuzz_request.c -- the service's request parsing (request.h): the body of POST /v1/speak with
 * its Content-Type and the query string's voice, rate and format. The input is four lines
 * (Content-Type, empty for none; voice; rate; format) and then the body. Checks that accepted
 * text lies inside the body or the JSON document and is valid UTF-8. */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "serve/request.h"
#include "speech/speech.h"

#include "banned.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    fuzz_rules(); /* sets LYSSNA_VOICES */
    return 0;
}

/* The next line of *s (NUL-terminated in place), or "" when there is none. */
static char *next_line(char **s)
{
    char *line = *s, *nl = strchr(line, '\n');

    if (!nl)
        return *s = line + strlen(line), line;
    *nl = '\0';
    *s = nl + 1;
    return line;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *copy = xstrndup((const char *)data, size), *p = copy;
    const char *type = next_line(&p), *voice = next_line(&p), *rate = next_line(&p),
               *format = next_line(&p);
    size_t off = (size_t)(p - copy), len = size > off ? size - off : 0;
    const char *body = (const char *)data + off;
    struct request_speak r;
    struct err e = {0};

    if (!request_parse_speak(*type ? type : NULL, body, len, voice, rate, format, 4096, &r, &e)) {
        fuzz_check(utf8_valid(r.text, r.len, NULL) && r.len <= 4096, "valid text within the cap");
        fuzz_check(r.doc || (r.text >= body && r.text + r.len <= body + len),
                   "text inside the body");
        fuzz_check(r.v.rate == 0 || (r.v.rate >= LYSSNA_RATE_MIN && r.v.rate <= LYSSNA_RATE_MAX),
                   "rate in range");
    }
    request_speak_release(&r);
    free(copy);
    return 0;
}
