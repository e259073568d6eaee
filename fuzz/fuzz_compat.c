/* fuzz_compat.c -- the other APIs' requests (serve/compat.h), as their clients could send them.
 * The first byte picks the API: even, the rest is an OpenAI /v1/audio/speech body; odd, a
 * MaryTTS form body whose parameters are read as /process reads them. Checks that accepted
 * text is valid UTF-8 within the cap, the rate within what espeak-ng speaks well, and that a
 * refusal names a parameter OpenAI's way. */
#include "fuzz.h"

#include <string.h>
#include <strings.h>

#include "base/base.h"
#include "serve/compat.h"
#include "speech/speech.h"

#include "banned.h"

#define CAP 4096

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    fuzz_rules(); /* sets LYSSNA_VOICES */
    return 0;
}

static void check_accepted(const struct request_speak *r)
{
    fuzz_check(utf8_valid(r->text, r->len, NULL) && r->len <= CAP, "valid text within the cap");
    fuzz_check(r->v.rate == 0 || (r->v.rate >= LYSSNA_RATE_MIN && r->v.rate <= LYSSNA_RATE_MAX),
               "rate in range");
}

static void openai(const char *body, size_t len)
{
    struct compat_speech s;
    struct err e = {0};
    char param[32];

    if (compat_parse_openai(body, len, CAP, &s, param, &e) == LY_OK) {
        check_accepted(&s.r);
        fuzz_check(s.r.v.format != ENCODE_OGG, "no format OpenAI does not name");
        fuzz_check(s.speed >= 0.25 && s.speed <= 4.0, "speed in range");
    } else {
        fuzz_check(e.msg[0] != '\0', "a refusal says why");
        fuzz_check(memchr(param, '\0', 32) != NULL, "param is a string");
    }
    compat_speech_release(&s);
}

static void marytts(const char *body, size_t len)
{
    static const char *const names[6] = {"INPUT_TEXT", "INPUT_TYPE", "OUTPUT_TYPE",
                                         "AUDIO",      "LOCALE",     "VOICE"};
    struct buf v[6];
    const char *p[6];
    struct request_speak r;
    int i;

    for (i = 0; i < 6; i++) {
        buf_init(&v[i], BUF_NOLIMIT);
        p[i] = compat_form_value(body, len, names[i], &v[i]) ? v[i].data : NULL;
    }
    if (compat_parse_marytts(p[0], p[1], p[2], p[3], p[4], p[5], CAP, &r, NULL) == LY_OK) {
        check_accepted(&r);
        fuzz_check(r.v.format == (p[3] && !strcasecmp(p[3], "AU_FILE") ? ENCODE_AU : ENCODE_WAV),
                   "MaryTTS gets WAV, or AU when AUDIO asks for AU_FILE");
    }
    request_speak_release(&r);
    for (i = 0; i < 6; i++)
        buf_release(&v[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    if (data[0] % 2 == 0)
        openai((const char *)data + 1, size - 1);
    else
        marytts((const char *)data + 1, size - 1);
    return 0;
}
