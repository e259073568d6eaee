/* test_compat.c -- the requests of other TTS APIs (serve/compat.c) mapped onto Lyssna's: OpenAI's
 * speech body with its voices, formats and speed, each mistake naming its parameter; MaryTTS's
 * and OpenTTS's parameters. Uses the voices of voices/ (LYSSNA_VOICES, set by make unit). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/base.h"
#include "serve/compat.h"

#include "banned.h"

static int openai(const char *body, struct compat_speech *s, char param[32], struct err *e)
{
    return compat_parse_openai(body, strlen(body), 1000, s, param, e);
}

static void test_compat_openai_maps_names_formats_and_speed(void **state)
{
    struct compat_speech s;
    char param[32];

    (void)state;
    assert_int_equal(
        openai("{\"model\":\"tts-1\",\"input\":\"Hej då\",\"voice\":\"alloy\"}", &s, param, NULL),
        LY_OK);
    assert_string_equal(s.r.v.voice, "sv");
    assert_int_equal(s.r.v.format, ENCODE_MP3);
    assert_int_equal(s.r.v.rate, 0);
    assert_int_equal(s.r.len, strlen("Hej då"));
    assert_memory_equal(s.r.text, "Hej då", s.r.len);
    assert_false(s.sse);
    compat_speech_release(&s);

    assert_int_equal(openai("{\"model\":\"gpt-4o-mini-tts\",\"input\":\"Hej\",\"voice\":"
                            "\"sv-tydlig\",\"response_format\":\"pcm\",\"speed\":1.5,"
                            "\"instructions\":\"lugnt\",\"stream_format\":\"sse\"}",
                            &s, param, NULL),
                     LY_OK);
    assert_string_equal(s.r.v.voice, "sv-tydlig");
    assert_int_equal(s.r.v.format, ENCODE_PCM);
    assert_int_equal(s.r.v.rate, 195); /* 130 words/min * 1.5 */
    assert_true(s.sse);
    compat_speech_release(&s);
}

static void test_compat_openai_speed_is_clamped_to_what_espeak_speaks(void **state)
{
    struct compat_speech s;
    char param[32];

    (void)state;
    assert_int_equal(openai("{\"model\":\"tts-1\",\"input\":\"Hej\",\"voice\":\"echo\","
                            "\"speed\":0.25}",
                            &s, param, NULL),
                     LY_OK);
    assert_int_equal(s.r.v.rate, LYSSNA_RATE_MIN);
    compat_speech_release(&s);
    assert_int_equal(openai("{\"model\":\"tts-1\",\"input\":\"Hej\",\"voice\":\"echo\","
                            "\"speed\":4}",
                            &s, param, NULL),
                     LY_OK);
    assert_int_equal(s.r.v.rate, LYSSNA_RATE_MAX);
    compat_speech_release(&s);
}

static void test_compat_openai_names_the_parameter_at_fault(void **state)
{
    static const struct {
        const char *body, *param;
        int code;
    } cases[] = {
        {"nonsense", "", LY_EPARSE},
        {"[]", "", LY_EPARSE},
        {"{\"input\":\"Hej\"}", "model", LY_EUSAGE},
        {"{\"model\":\"whisper-1\",\"input\":\"Hej\"}", "model", LY_EUSAGE},
        {"{\"model\":\"tts-1\"}", "input", LY_EUSAGE},
        {"{\"model\":\"tts-1\",\"input\":7}", "input", LY_EUSAGE},
        {"{\"model\":\"tts-1\",\"input\":\"  \"}", "input", LY_EEMPTY},
        {"{\"model\":\"tts-1\",\"input\":\"Hej\",\"voice\":\"nosuch\"}", "voice", LY_EVOICE},
        {"{\"model\":\"tts-1\",\"input\":\"Hej\",\"response_format\":\"aac\"}", "response_format",
         LY_EUSAGE},
        {"{\"model\":\"tts-1\",\"input\":\"Hej\",\"response_format\":\"ogg\"}", "response_format",
         LY_EUSAGE},
        {"{\"model\":\"tts-1\",\"input\":\"Hej\",\"speed\":5}", "speed", LY_EUSAGE},
        {"{\"model\":\"tts-1\",\"input\":\"Hej\",\"speed\":\"fast\"}", "speed", LY_EUSAGE},
        {"{\"model\":\"tts-1\",\"input\":\"Hej\",\"stream_format\":\"x\"}", "stream_format",
         LY_EUSAGE},
    };
    struct compat_speech s;
    struct err e;
    char param[32];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        memset(&e, 0, sizeof(e));
        assert_int_equal(openai(cases[i].body, &s, param, &e), cases[i].code);
        assert_string_equal(param, cases[i].param);
        assert_true(e.msg[0] != '\0');
        compat_speech_release(&s);
    }
}

static void test_compat_openai_caps_the_input(void **state)
{
    char body[1200];
    struct compat_speech s;
    char param[32];

    (void)state;
    snprintf(body, sizeof(body), "{\"model\":\"tts-1\",\"input\":\"%01001d\"}", 0);
    assert_int_equal(openai(body, &s, param, NULL), LY_ETOOBIG);
    assert_string_equal(param, "input");
    compat_speech_release(&s);
}

static void test_compat_marytts_reads_its_parameters(void **state)
{
    struct request_speak r;
    struct err e = {0};

    (void)state;
    assert_int_equal(
        compat_parse_marytts("Hej", "TEXT", "AUDIO", "WAVE_FILE", "sv_SE", NULL, 1000, &r, NULL),
        LY_OK);
    assert_string_equal(r.v.voice, "sv");
    assert_int_equal(r.v.format, ENCODE_WAV);
    assert_false(r.ssml);
    assert_int_equal(compat_parse_marytts("<speak>Hej</speak>", "SSML", NULL, NULL, "en_US",
                                          "sv-ljus", 1000, &r, NULL),
                     LY_OK);
    assert_string_equal(r.v.voice, "sv-ljus");
    assert_true(r.ssml);
    assert_int_equal(compat_parse_marytts("Hi", NULL, NULL, NULL, "en_US", NULL, 1000, &r, NULL),
                     LY_OK);
    assert_string_equal(r.v.voice, "en");
    assert_int_equal(compat_parse_marytts(NULL, NULL, NULL, NULL, NULL, NULL, 1000, &r, &e),
                     LY_EUSAGE);
    assert_string_equal(e.msg, "INPUT_TEXT is required");
    assert_int_equal(
        compat_parse_marytts("Hej", "RAWMARYXML", NULL, NULL, NULL, NULL, 1000, &r, &e), LY_EUSAGE);
    assert_int_equal(compat_parse_marytts("Hej", NULL, "PHONEMES", NULL, NULL, NULL, 1000, &r, &e),
                     LY_EUSAGE);
    assert_int_equal(compat_parse_marytts("Hej", NULL, NULL, "AU_FILE", NULL, NULL, 1000, &r, NULL),
                     LY_OK);
    assert_int_equal(r.v.format, ENCODE_AU);
    assert_int_equal(compat_parse_marytts("Hej", NULL, NULL, "AIFF_FILE", NULL, NULL, 1000, &r, &e),
                     LY_EUSAGE);
    assert_string_equal(e.msg, "AUDIO 'AIFF_FILE' is not made here (WAVE_FILE or AU_FILE)");
    assert_int_equal(compat_parse_marytts("Hej", NULL, NULL, NULL, "fi_FI", NULL, 1000, &r, &e),
                     LY_EVOICE);
    assert_int_equal(
        compat_parse_marytts("Hej", NULL, NULL, NULL, NULL, "cmu-slt-hsmm", 1000, &r, &e),
        LY_EVOICE);
    /* Home Assistant's default voice beside the language it was set to */
    assert_int_equal(
        compat_parse_marytts("Hej", NULL, NULL, NULL, "sv", "cmu-slt-hsmm", 1000, &r, NULL), LY_OK);
    assert_string_equal(r.v.voice, "sv");
}

static void test_compat_opentts_reads_its_parameters(void **state)
{
    struct request_speak r;
    struct err e = {0};

    (void)state;
    assert_int_equal(compat_parse_opentts("Hej", 3, "lyssna:sv-tydlig", NULL, NULL, 1000, &r, NULL),
                     LY_OK);
    assert_string_equal(r.v.voice, "sv-tydlig");
    assert_int_equal(r.v.format, ENCODE_WAV);
    assert_int_equal(
        compat_parse_opentts("<speak>Hi</speak>", 17, NULL, "en", "true", 1000, &r, NULL), LY_OK);
    assert_string_equal(r.v.voice, "en");
    assert_true(r.ssml);
    assert_int_equal(compat_parse_opentts(NULL, 0, NULL, NULL, NULL, 1000, &r, &e), LY_EUSAGE);
    assert_int_equal(compat_parse_opentts("Hei", 3, "espeak:fi", NULL, NULL, 1000, &r, &e), LY_OK);
    assert_string_equal(r.v.voice, "fi"); /* every language espeak-ng has is a voice */
    assert_int_equal(compat_parse_opentts("Hej", 3, "espeak:so", NULL, NULL, 1000, &r, &e),
                     LY_EVOICE); /* Somali has none */
    assert_string_equal(compat_locale("sv"), "sv_SE");
}

static void test_compat_reads_form_bodies(void **state)
{
    static const char body[] = "INPUT_TYPE=TEXT&INPUT_TEXT=Hej+d%C3%A5%21&LOCALE=sv_SE&BAD=%zz%4";
    struct buf v;

    (void)state;
    buf_init(&v, BUF_NOLIMIT);
    assert_int_equal(compat_form_value(body, strlen(body), "INPUT_TEXT", &v), 1);
    assert_string_equal(v.data, "Hej då!");
    assert_int_equal(compat_form_value(body, strlen(body), "LOCALE", &v), 1);
    assert_string_equal(v.data, "sv_SE");
    assert_int_equal(compat_form_value(body, strlen(body), "BAD", &v), 1);
    assert_string_equal(v.data, "%zz%4");
    assert_int_equal(compat_form_value(body, strlen(body), "INPUT", &v), 0);
    assert_int_equal(compat_form_value(body, strlen(body), "VOICE", &v), 0);
    assert_int_equal(compat_form_value("", 0, "VOICE", &v), 0);
    buf_release(&v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_compat_openai_maps_names_formats_and_speed),
        cmocka_unit_test(test_compat_openai_speed_is_clamped_to_what_espeak_speaks),
        cmocka_unit_test(test_compat_openai_names_the_parameter_at_fault),
        cmocka_unit_test(test_compat_openai_caps_the_input),
        cmocka_unit_test(test_compat_marytts_reads_its_parameters),
        cmocka_unit_test(test_compat_opentts_reads_its_parameters),
        cmocka_unit_test(test_compat_reads_form_bodies),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
