/* compat.h -- what clients of other TTS APIs ask for, checked and turned into Lyssna's own
 * request: OpenAI's POST /v1/audio/speech body, MaryTTS's /process parameters and OpenTTS's
 * /api/tts parameters. Pure parsing like request.h (the routes have the HTTP), so it can be
 * tested and fuzzed alone. Each maps onto the same voices, text checks and formats. */
#ifndef LYSSNA_COMPAT_H
#define LYSSNA_COMPAT_H

#include <stddef.h>

#include "base/base.h"
#include "request.h"

struct err;

/* The model names /v1/models lists and /v1/audio/speech accepts, NULL-terminated. */
extern const char *const compat_openai_models[];

struct compat_speech {
    struct request_speak r; /* text (in r.doc), voice, effective rate, format */
    int sse;                /* stream_format "sse" */
    double speed;           /* as asked, 1.0 when not */
};

/* OpenAI's {model, input, voice, response_format, speed, instructions, stream_format}. voice
 * is a Lyssna voice or one of OpenAI's names (alloy, echo, ...: the default voice); speed 0.25
 * to 4.0 scales the voice's rate, kept within LYSSNA_RATE_MIN..MAX. On failure param names
 * the member at fault ("" for the body as a whole) and e says why: LY_EPARSE, LY_EUSAGE,
 * LY_EVOICE, LY_EEMPTY, LY_EUTF8, LY_ETOOBIG. Release out whatever the result. */
int compat_parse_openai(const char *body, size_t len, size_t max_text, struct compat_speech *out,
                        char param[32], struct err *e);
void compat_speech_release(struct compat_speech *s);

/* MaryTTS /process: INPUT_TEXT, INPUT_TYPE (TEXT or SSML), OUTPUT_TYPE (AUDIO), AUDIO
 * (WAVE_FILE, or WAVE, for WAV; AU_FILE for Sun's AU), LOCALE (sv_SE, en_US, ...: a voice of that
 * language) and VOICE (a Lyssna voice; wins over LOCALE, and gives way to it when it is not one).
 * Any may be NULL. Errors as request.h's. */
int compat_parse_marytts(const char *text, const char *input_type, const char *output_type,
                         const char *audio, const char *locale, const char *voice, size_t max_text,
                         struct request_speak *out, struct err *e);

/* OpenTTS /api/tts: voice ("sv", or "TTS:NAME" as OpenTTS names voices: the part after the
 * colon), lang (a voice of that language), ssml ("true", "1") and the text. Audio is WAV. */
int compat_parse_opentts(const char *text, size_t len, const char *voice, const char *lang,
                         const char *ssml, size_t max_text, struct request_speak *out,
                         struct err *e);

/* The value of name in an application/x-www-form-urlencoded body ("+" and %XX decoded) into
 * out (reset first): 1 when there, 0 when not. */
int compat_form_value(const char *body, size_t len, const char *name, struct buf *out);

/* The first voice (by name) of language lang ("sv", "sv_SE", "sv-SE"), into out. LY_EVOICE
 * when there is none. */
int compat_voice_for_lang(const char *lang, char out[64], struct err *e);

/* The locale MaryTTS and OpenTTS clients expect for a voice language: "sv" -> "sv_SE". */
const char *compat_locale(const char *lang);

#endif
