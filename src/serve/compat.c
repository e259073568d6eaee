/* compat.c -- the parameters of OpenAI's, MaryTTS's and OpenTTS's speech requests, checked and
 * mapped onto Lyssna's voices, rates and formats (compat.h). Pure: no HTTP, no synthesis; the
 * text stays where the client's request has it. Reentrant. */
#include "compat.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/base.h"
#include "speech/speech.h"

#include "banned.h"

const char *const compat_openai_models[] = {"tts-1", "tts-1-hd", "gpt-4o-mini-tts", "lyssna", NULL};

/* OpenAI's voice names: all mean the default (Swedish) voice. */
static const char *const openai_voices[] = {"alloy", "ash",   "ballad", "coral", "echo",
                                            "fable", "nova",  "onyx",   "sage",  "shimmer",
                                            "verse", "marin", "cedar",  NULL};

static const char *const openai_formats[] = {"mp3", "opus", "wav", "flac", "pcm", NULL};

static int in_list(const char *const *list, const char *s)
{
    size_t i;

    for (i = 0; list[i]; i++)
        if (!strcmp(list[i], s))
            return 1;
    return 0;
}

static int lang_matches(const char *asked, const char *lang)
{
    size_t n = strlen(lang);

    return !strncasecmp(asked, lang, n) && (!asked[n] || asked[n] == '_' || asked[n] == '-');
}

int compat_voice_for_lang(const char *lang, char out[64], struct err *e)
{
    struct voice v[64];
    int i, n = voice_list(voice_dir(), v, 64, e);

    for (i = 0; i < n; i++)
        if (lang_matches(lang, v[i].lang)) {
            snprintf(out, 64, "%s", v[i].name);
            return LY_OK;
        }
    return err_set(e, LY_EVOICE, "no voice speaks '%.20s'", lang);
}

const char *compat_locale(const char *lang)
{
    if (!strcmp(lang, "sv"))
        return "sv_SE";
    if (!strcmp(lang, "en"))
        return "en_GB"; /* espeak-ng's "en" is British */
    return lang;
}

static int fail(char param[32], const char *name, int code)
{
    snprintf(param, 32, "%s", name);
    return code;
}

/* A string member, or NULL when absent; LY_EUSAGE when it is there but not a string. */
static int member(const json_t *doc, const char *key, const char **out, struct err *e)
{
    const json_t *v = json_object_get(doc, key);

    *out = NULL;
    if (!v || json_is_null(v))
        return LY_OK;
    if (!json_is_string(v))
        return err_set(e, LY_EUSAGE, "'%s' must be a string", key);
    *out = json_string_value(v);
    return LY_OK;
}

/* speed scales the voice's own rate; espeak-ng speaks well only from MIN to MAX. */
static int speed_rate(const json_t *doc, struct compat_speech *out, struct err *e)
{
    const json_t *v = json_object_get(doc, "speed");
    struct voice voice;
    long rate;
    int rc;

    out->speed = 1.0;
    if (!v || json_is_null(v))
        return LY_OK;
    if (!json_is_number(v) || json_number_value(v) < 0.25 || json_number_value(v) > 4.0)
        return err_set(e, LY_EUSAGE, "'speed' must be a number from 0.25 to 4.0");
    out->speed = json_number_value(v);
    if ((rc = voice_load(voice_dir(), out->r.v.voice, &voice, e)) != LY_OK)
        return rc;
    rate = lround(voice.rate * out->speed);
    out->r.v.rate = (int)(rate < LYSSNA_RATE_MIN   ? LYSSNA_RATE_MIN
                          : rate > LYSSNA_RATE_MAX ? LYSSNA_RATE_MAX
                                                   : rate);
    return LY_OK;
}

static int check_model(const json_t *doc, struct err *e)
{
    const char *model;
    int rc = member(doc, "model", &model, e);

    if (rc != LY_OK)
        return rc;
    if (!model)
        return err_set(e, LY_EUSAGE, "'model' is required (tts-1, tts-1-hd, gpt-4o-mini-tts)");
    if (!in_list(compat_openai_models, model))
        return err_set(e, LY_EUSAGE,
                       "model '%.40s' does not exist here (tts-1, tts-1-hd, gpt-4o-mini-tts)",
                       model);
    return LY_OK;
}

static int check_stream_format(const json_t *doc, struct compat_speech *out, struct err *e)
{
    const char *sf;
    int rc = member(doc, "stream_format", &sf, e);

    if (rc != LY_OK || !sf)
        return rc;
    out->sse = !strcmp(sf, "sse");
    if (!out->sse && strcmp(sf, "audio"))
        return err_set(e, LY_EUSAGE, "'stream_format' is 'audio' or 'sse', not '%.20s'", sf);
    return LY_OK;
}

/* input, then voice and format through request.c's own checks. */
static int openai_text_voice(const json_t *doc, size_t max_text, struct compat_speech *out,
                             char param[32], struct err *e)
{
    const char *input, *voice, *format;
    int rc;

    if ((rc = member(doc, "input", &input, e)) != LY_OK)
        return fail(param, "input", rc);
    if (!input)
        return fail(param, "input", err_set(e, LY_EUSAGE, "'input' is required"));
    if ((rc = member(doc, "voice", &voice, e)) != LY_OK)
        return fail(param, "voice", rc);
    if ((rc = member(doc, "response_format", &format, e)) != LY_OK)
        return fail(param, "response_format", rc);
    if (voice && in_list(openai_voices, voice))
        voice = NULL;
    rc = request_parse_speak("text/plain", input, strlen(input), NULL, NULL, NULL, max_text,
                             &out->r, e);
    if (rc != LY_OK)
        return fail(param, "input", rc);
    if ((rc = request_parse_voice(voice, NULL, NULL, &out->r.v, e)) != LY_OK)
        return fail(param, "voice", rc);
    if (!format)
        return LY_OK;
    if (!in_list(openai_formats, format))
        return fail(
            param, "response_format",
            err_set(e, LY_EUSAGE,
                    "response_format '%.20s' is not made here (mp3, opus, wav, flac or pcm)",
                    format));
    return encode_format_parse(format, &out->r.v.format, e);
}

int compat_parse_openai(const char *body, size_t len, size_t max_text, struct compat_speech *out,
                        char param[32], struct err *e)
{
    json_error_t je;
    json_t *doc;
    int rc;

    memset(out, 0, sizeof(*out));
    param[0] = '\0';
    doc = json_loadb(body, len, 0, &je);
    if (!doc || !json_is_object(doc)) {
        json_decref(doc);
        return err_set(e, LY_EPARSE, "the body is not a JSON object: %s",
                       doc ? "another JSON value" : je.text);
    }
    if ((rc = check_model(doc, e)) != LY_OK)
        fail(param, "model", rc);
    if (rc == LY_OK)
        rc = openai_text_voice(doc, max_text, out, param, e);
    if (rc == LY_OK && (rc = speed_rate(doc, out, e)) != LY_OK)
        fail(param, "speed", rc);
    if (rc == LY_OK && (rc = check_stream_format(doc, out, e)) != LY_OK)
        fail(param, "stream_format", rc);
    out->r.doc = doc; /* input points into it: released with out */
    return rc;
}

void compat_speech_release(struct compat_speech *s)
{
    request_speak_release(&s->r);
}

static int upper_is(const char *v, const char *want)
{
    return v && !strcasecmp(v, want);
}

/* The voice a MaryTTS or OpenTTS request names, else one of its language, else the default. */
static int voice_of(const char *voice, const char *lang, char out[64], struct err *e)
{
    struct request_voice rv;
    int rc;

    if (voice && *voice) {
        if ((rc = request_parse_voice(voice, NULL, NULL, &rv, e)) != LY_OK)
            return rc;
        snprintf(out, 64, "%s", rv.voice);
        return LY_OK;
    }
    if (lang && *lang)
        return compat_voice_for_lang(lang, out, e);
    snprintf(out, 64, "%s", LYSSNA_DEFAULT_VOICE);
    return LY_OK;
}

/* The text checked as /v1/speak checks it, in format ("wav", "au") with voice. */
static int speak_as(const char *text, size_t len, int ssml, const char *voice, const char *format,
                    size_t max_text, struct request_speak *out, struct err *e)
{
    return request_parse_speak(ssml ? "application/ssml+xml" : "text/plain", text, len, voice, NULL,
                               format, max_text, out, e);
}

int compat_parse_marytts(const char *text, const char *input_type, const char *output_type,
                         const char *audio, const char *locale, const char *voice, size_t max_text,
                         struct request_speak *out, struct err *e)
{
    char name[64];
    int rc;

    memset(out, 0, sizeof(*out));
    if (!text)
        return err_set(e, LY_EUSAGE, "INPUT_TEXT is required");
    if (input_type && !upper_is(input_type, "TEXT") && !upper_is(input_type, "SSML"))
        return err_set(e, LY_EUSAGE, "INPUT_TYPE '%.20s' is not read here (TEXT or SSML)",
                       input_type);
    if (output_type && !upper_is(output_type, "AUDIO"))
        return err_set(e, LY_EUSAGE, "OUTPUT_TYPE '%.20s' is not made here (AUDIO)", output_type);
    if (audio && !upper_is(audio, "WAVE_FILE") && !upper_is(audio, "WAVE") &&
        !upper_is(audio, "AU_FILE"))
        return err_set(e, LY_EUSAGE, "AUDIO '%.20s' is not made here (WAVE_FILE or AU_FILE)",
                       audio);
    /* Home Assistant sends its default VOICE, cmu-slt-hsmm, beside the LOCALE it was set to:
       a voice that is not ours gives way to the locale's */
    if ((rc = voice_of(voice, locale, name, e)) == LY_EVOICE && voice && locale && *locale &&
        compat_voice_for_lang(locale, name, NULL) == LY_OK)
        rc = LY_OK;
    if (rc != LY_OK)
        return rc;
    return speak_as(text, strlen(text), upper_is(input_type, "SSML"), name,
                    upper_is(audio, "AU_FILE") ? "au" : "wav", max_text, out, e);
}

int compat_parse_opentts(const char *text, size_t len, const char *voice, const char *lang,
                         const char *ssml, size_t max_text, struct request_speak *out,
                         struct err *e)
{
    const char *colon = voice ? strchr(voice, ':') : NULL;
    char name[64];
    int rc;

    memset(out, 0, sizeof(*out));
    if (!text)
        return err_set(e, LY_EUSAGE, "'text' is required");
    if ((rc = voice_of(colon ? colon + 1 : voice, lang, name, e)) != LY_OK)
        return rc;
    return speak_as(text, len, upper_is(ssml, "true") || upper_is(ssml, "1"), name, "wav", max_text,
                    out, e);
}

static int hex(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Decodes n bytes of a form field into out. */
static void form_decode(const char *p, size_t n, struct buf *out)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (p[i] == '+')
            buf_addch(out, ' ', NULL);
        else if (p[i] == '%' && i + 2 < n && hex(p[i + 1]) >= 0 && hex(p[i + 2]) >= 0) {
            buf_addch(out, (char)(hex(p[i + 1]) * 16 + hex(p[i + 2])), NULL);
            i += 2;
        } else
            buf_addch(out, p[i], NULL);
    }
}

int compat_form_value(const char *body, size_t len, const char *name, struct buf *out)
{
    size_t k = strlen(name), n;
    const char *p = body, *end = body + len, *amp;

    buf_reset(out);
    while (p < end) {
        amp = memchr(p, '&', (size_t)(end - p));
        n = amp ? (size_t)(amp - p) : (size_t)(end - p);
        if (n > k && p[k] == '=' && !memcmp(p, name, k)) {
            form_decode(p + k + 1, n - k - 1, out);
            return 1;
        }
        p += n + 1;
    }
    return 0;
}
