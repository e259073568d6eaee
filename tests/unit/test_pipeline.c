/* test_pipeline.c -- speech marks: byte offsets into the original multibyte text, in order,
 * through normalization, and audio that reaches the sink while synthesis runs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/base.h"
#include "speech/speech.h"

struct collected {
    struct mark marks[256];
    size_t n;
    size_t bytes;
};

static struct synth *synth;
static struct voice voice;

static int sink_write(void *ctx, const void *data, size_t len)
{
    (void)data;
    ((struct collected *)ctx)->bytes += len;
    return 0;
}

static int on_mark(void *ctx, const struct mark *m)
{
    struct collected *c = ctx;

    if (c->n < 256)
        c->marks[c->n++] = *m;
    return 0;
}

static int setup(void **state)
{
    (void)state;
    synth = synth_new(NULL);
    return !synth || voice_load(voice_dir(), "sv", &voice, NULL);
}

static int teardown(void **state)
{
    (void)state;
    synth_free(synth);
    return 0;
}

static void speak(const char *text, struct collected *c, int expect)
{
    struct encode_sink sink = {sink_write, NULL, c};
    struct speak_request req = {.text = text, .len = strlen(text), .voice = &voice, .rate = 170};
    struct speak_output out = {.audio = &sink, .mark = on_mark, .mark_ctx = c};
    struct err e = {0};

    memset(c, 0, sizeof(*c));
    assert_int_equal(pipeline_speak(synth, &req, &out, &e), expect);
}

static void speak_req(struct speak_request *req, struct collected *c, int expect)
{
    struct encode_sink sink = {sink_write, NULL, c};
    struct speak_output out = {.audio = &sink, .mark = on_mark, .mark_ctx = c};
    struct err e = {0};

    req->len = strlen(req->text);
    req->voice = &voice;
    req->rate = 170;
    memset(c, 0, sizeof(*c));
    assert_int_equal(pipeline_speak(synth, req, &out, &e), expect);
}

static void assert_word(const char *text, const struct mark *m, const char *word)
{
    assert_int_equal(m->type, MARK_WORD);
    assert_int_equal(m->end - m->start, strlen(word));
    assert_memory_equal(text + m->start, word, strlen(word));
}

static void test_marks_are_byte_offsets_into_multibyte_input(void **state)
{
    const char *text = "Åsa\xC2\xA0\xC2\xA0åt ölet \xF0\x9F\x98\x80 här.";
    const char *want[] = {"Åsa", "åt", "ölet", "\xF0\x9F\x98\x80", "här"};
    struct collected c;
    size_t i, w = 0;

    (void)state;
    speak(text, &c, LY_OK);
    assert_int_equal(c.marks[0].type, MARK_SENTENCE);
    assert_int_equal(c.marks[0].start, 0);
    assert_int_equal(c.marks[0].end, strlen(text));
    for (i = 1; i < c.n; i++)
        assert_word(text, &c.marks[i], want[w++]);
    assert_int_equal(w, 5);
}

static void test_marks_times_grow_and_lines_are_sentences(void **state)
{
    const char *text = "Rubrik\nFörsta meningen här. Andra meningen där!";
    struct collected c;
    size_t i, sentences = 0;

    (void)state;
    speak(text, &c, LY_OK);
    for (i = 0; i < c.n; i++) {
        if (i)
            assert_true(c.marks[i].time_ms >= c.marks[i - 1].time_ms);
        sentences += c.marks[i].type == MARK_SENTENCE;
    }
    assert_int_equal(sentences, 3);
    assert_true(c.marks[c.n - 1].time_ms > 1500);
    assert_true(c.bytes > 44 + 2 * 22050);
}

/* A long paragraph is spoken in parts cut at sentence ends; the marks of every part still
 * point at the words in the original text, and time keeps growing across the cuts. */
static void test_a_long_paragraph_keeps_its_marks_across_parts(void **state)
{
    struct buf text;
    struct collected c;
    size_t i, words = 0, sentences = 0;

    (void)state;
    buf_init(&text, BUF_NOLIMIT);
    for (i = 0; i < 20; i++)
        buf_addf(&text, NULL,
                 "Mening %zu handlar om t.ex. \xC3\xA5"
                 "ar och \xC3\xB6"
                 "ar. ",
                 i);
    speak(text.data, &c, LY_OK);
    for (i = 0; i < c.n; i++) {
        const struct mark *m = &c.marks[i];
        assert_true(m->end <= text.len);
        if (i)
            assert_true(m->time_ms >= c.marks[i - 1].time_ms);
        if (m->type == MARK_SENTENCE) {
            sentences++;
            assert_memory_equal(text.data + m->start, "Mening", 6);
        } else if (m->end - m->start == 6 && !memcmp(text.data + m->start, "Mening", 6)) {
            words++;
        }
    }
    assert_int_equal(words, 20);
    assert_true(sentences >= 20);
    buf_release(&text);
}

static void test_empty_and_invalid_input_are_refused(void **state)
{
    struct collected c;

    (void)state;
    speak(" \n\t\xC2\xA0\n", &c, LY_EEMPTY);
    speak("ok \xC3", &c, LY_EUTF8);
    assert_int_equal(c.bytes, 0);
}

/* Every word mark is the SSML source of what was said: the written text of a say-as or a
 * sub, never its tags; a break adds its silence to the audio. */
static void test_ssml_marks_point_into_the_ssml_source(void **state)
{
    const char *ssml = "<speak><p>Ring <say-as interpret-as=\"telephone\">08-12 34</say-as> "
                       "i <sub alias=\"Stockholm\">Sthlm</sub>.</p><break time=\"2s\"/>"
                       "<p xml:lang=\"en\">Hello &amp; goodbye.</p></speak>";
    const char *ok[] = {"Ring", "08-12 34", "i", "Sthlm", "Hello", "&amp;", "goodbye"};
    struct speak_request req = {.text = ssml, .ssml = 1};
    struct collected c, plain;
    size_t i, j, words = 0;

    (void)state;
    speak_req(&req, &c, LY_OK);
    for (i = 0; i < c.n; i++) {
        if (c.marks[i].type != MARK_WORD)
            continue;
        for (j = 0; j < 7; j++)
            if (c.marks[i].end - c.marks[i].start == strlen(ok[j]) &&
                !memcmp(ssml + c.marks[i].start, ok[j], strlen(ok[j])))
                break;
        assert_true(j < 7);
        words++;
    }
    assert_true(words >= 7);
    req.text = "<speak><p>Ring 08-12 34 i Stockholm.</p><p xml:lang=\"en\">Hello and goodbye."
               "</p></speak>";
    speak_req(&req, &plain, LY_OK);
    assert_true(c.bytes > plain.bytes + 2 * 22050 * 3 / 2); /* 2 s of silence, 16-bit */
}

static void test_ssml_errors_are_refused(void **state)
{
    struct speak_request req = {.text = "<speak>\n<p>a</s></speak>", .ssml = 1};
    struct collected c;

    (void)state;
    speak_req(&req, &c, LY_EPARSE);
    req.text = "<speak> <break/> <mark name=\"x\"/> </speak>";
    speak_req(&req, &c, LY_EEMPTY);
    assert_int_equal(c.bytes, 0);
}

/* A line in English is read by the English voice as written: its marks point into it. */
static void test_foreign_lines_are_spoken_unnormalized(void **state)
{
    const char *langs[] = {NULL, "en"};
    struct speak_request req = {
        .text = "Det kostar 1.5 kr.\nIt costs 1.5 pounds.", .line_langs = langs, .nlines = 2};
    struct collected c;
    size_t i, english = 0, second = strlen("Det kostar 1.5 kr.\n");

    (void)state;
    speak_req(&req, &c, LY_OK);
    for (i = 0; i < c.n; i++)
        if (c.marks[i].type == MARK_WORD && c.marks[i].start >= second)
            english += !memcmp(req.text + c.marks[i].start, "pounds", 6) ||
                       !memcmp(req.text + c.marks[i].start, "costs", 5);
    assert_int_equal(english, 2);
}

/* English and Finnish numbers, dates and times go to espeak-ng as written, also when the voice
 * itself is English or Finnish: the text read by that voice makes as much audio as the same
 * text marked as a foreign line on a Swedish voice, which is never normalized. */
static void test_other_languages_keep_their_numbers_for_espeak(void **state)
{
    static const char *const texts[][2] = {
        {"en", "On 21/08/2024 at 8.30 it cost 1,500 kr, e.g. 3rd of May."},
        {"fi", "Koulu alkaa 21.8.2024 klo 8.30 ja maksaa 1 500 euroa, esim. 3. toukokuuta."},
    };
    struct voice own, sv = voice;
    struct collected as_voice, as_line;
    size_t i;

    (void)state;
    for (i = 0; i < 2; i++) {
        const char *langs[] = {texts[i][0]};
        struct speak_request foreign = {.text = texts[i][1], .line_langs = langs, .nlines = 1};
        struct speak_request plain = {.text = texts[i][1]};

        assert_int_equal(voice_load(voice_dir(), texts[i][0], &own, NULL), LY_OK);
        voice = own;
        speak_req(&plain, &as_voice, LY_OK);
        voice = sv;
        speak_req(&foreign, &as_line, LY_OK);
        /* within 1 %: espeak-ng's state after another voice moves a few samples; Swedish
           words for the numbers would add seconds */
        assert_true(as_voice.bytes * 100 < as_line.bytes * 101 &&
                    as_line.bytes * 100 < as_voice.bytes * 101);
    }
}

/* The no-voice notice's sentences are data: a name goes in where the row asks for one, a row
 * that needs a name nobody knows is not used, and every row's language has a voice. */
static void test_notices_come_from_their_file(void **state)
{
    static const char *const langs[] = {"sv", "en", "fi", "ar", "fa", "prs", "bs", "hr", "sr",
                                        "pl", "uk", "ru", "de", "fr", "es",  "da", "nb"};
    struct lang l;
    char out[256];
    size_t i;

    (void)state;
    assert_true(lang_notice(voice_dir(), "sv-SE", "nordsamiska", out, sizeof(out)));
    assert_string_equal(out, "Det finns ingen uppl\xC3\xA4sning p\xC3\xA5 nordsamiska.");
    assert_true(lang_notice(voice_dir(), "en", "%s%n", out, sizeof(out)));
    assert_string_equal(out, "There is no reading in %s%n.");
    assert_false(lang_notice(voice_dir(), "en", NULL, out, sizeof(out)));
    assert_true(lang_notice(voice_dir(), "fi-FI", NULL, out, sizeof(out)));
    assert_string_equal(out, "T\xC3\xA4t\xC3\xA4 kielt\xC3\xA4 ei lueta \xC3\xA4\xC3\xA4neen.");
    assert_false(lang_notice(voice_dir(), "se", NULL, out, sizeof(out)));
    for (i = 0; i < sizeof(langs) / sizeof(langs[0]); i++) {
        assert_true(lang_notice(voice_dir(), langs[i], "x", out, sizeof(out)));
        assert_true(lang_find(voice_dir(), langs[i], &l));
        assert_true(l.espeak[0]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_marks_are_byte_offsets_into_multibyte_input),
        cmocka_unit_test(test_marks_times_grow_and_lines_are_sentences),
        cmocka_unit_test(test_a_long_paragraph_keeps_its_marks_across_parts),
        cmocka_unit_test(test_empty_and_invalid_input_are_refused),
        cmocka_unit_test(test_ssml_marks_point_into_the_ssml_source),
        cmocka_unit_test(test_ssml_errors_are_refused),
        cmocka_unit_test(test_foreign_lines_are_spoken_unnormalized),
        cmocka_unit_test(test_other_languages_keep_their_numbers_for_espeak),
        cmocka_unit_test(test_notices_come_from_their_file),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
