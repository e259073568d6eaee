/* test_ssml.c -- SSML into segments: every supported element, the Swedish readings of
 * <say-as>, other languages left to their own voice, malformed documents rejected with
 * line and column, and spoken words mapped back to the bytes of the SSML source. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/base.h"
#include "normalize/normalize.h"
#include "speech/speech.h"
#include "speech/ssml.h"

static struct norm_rules *rules;
static struct ssml_doc doc;
static const char *src;

static int setup(void **state)
{
    char dir[4096];

    (void)state;
    snprintf(dir, sizeof(dir), "%s/sv", voice_dir());
    rules = normalize_rules_load(dir, NULL, NULL);
    return rules == NULL;
}

static int teardown(void **state)
{
    (void)state;
    normalize_rules_free(rules);
    return 0;
}

static int release(void **state)
{
    (void)state;
    ssml_doc_release(&doc);
    return 0;
}

static void parse(const char *ssml)
{
    struct err e = {0};

    src = ssml;
    ssml_doc_release(&doc);
    if (ssml_parse(ssml, strlen(ssml), "sv", rules, &doc, &e))
        fail_msg("ssml_parse: %s", e.msg);
}

static int parse_fails(const char *ssml, struct err *e)
{
    ssml_doc_release(&doc);
    return ssml_parse(ssml, strlen(ssml), "sv", rules, &doc, e);
}

static const char *seg_text(size_t i)
{
    assert_true(i < doc.n);
    assert_int_equal(doc.segs[i].kind, SSML_TEXT);
    return doc.segs[i].text.text.data;
}

/* The SSML source behind the spoken words in segment i, as a string. */
static const char *source_of(size_t i, const char *words)
{
    static char out[256];
    const char *t = strstr(seg_text(i), words);
    size_t s, e, at;

    assert_non_null(t);
    at = (size_t)(t - doc.segs[i].text.text.data);
    normalized_source(&doc.segs[i].text, at, at + strlen(words), &s, &e);
    assert_true(e >= s && e - s < sizeof(out));
    memcpy(out, src + s, e - s);
    out[e - s] = '\0';
    return out;
}

static void test_ssml_plain_text_is_normalized_and_maps_to_the_source(void **state)
{
    (void)state;
    parse("<?xml version=\"1.0\"?>\n<speak version=\"1.1\" xml:lang=\"sv-SE\">Öppet kl. 14.30 "
          "&amp; <!-- ej --> t.ex. här</speak>");
    assert_int_equal(doc.n, 1);
    assert_string_equal(seg_text(0), "Öppet klockan fjorton och trettio och till exempel här");
    assert_string_equal(doc.segs[0].lang, "");
    assert_string_equal(source_of(0, "Öppet"), "Öppet");
    assert_string_equal(source_of(0, "fjorton och trettio"), "14.30");
    assert_string_equal(source_of(0, "och till"), "&amp; <!-- ej --> t.ex.");
    assert_string_equal(source_of(0, "här"), "här");
}

static void test_ssml_say_as_characters_spells_letters(void **state)
{
    (void)state;
    parse("<speak>Förkortningen <say-as interpret-as=\"characters\">Bo2</say-as>.</speak>");
    assert_non_null(strstr(seg_text(0), "b o två"));
    assert_string_equal(source_of(0, "b o två"), "Bo2");
}

static void test_ssml_say_as_telephone_reads_digit_groups(void **state)
{
    (void)state;
    parse("<speak>Ring <say-as interpret-as=\"telephone\">08-520 680 00</say-as></speak>");
    assert_string_equal(seg_text(0), "Ring noll åtta, fem två noll, sex åtta noll, noll noll");
    assert_string_equal(source_of(0, "sex åtta noll"), "08-520 680 00");
}

static void test_ssml_say_as_date_and_time(void **state)
{
    (void)state;
    parse("<speak><say-as interpret-as=\"date\">2016-04-26</say-as></speak>");
    assert_string_equal(seg_text(0), "den tjugosjätte april tvåtusensexton");
    parse("<speak><say-as interpret-as=\"date\" format=\"dm\">3/5</say-as></speak>");
    assert_string_equal(seg_text(0), "den tredje maj");
    parse("<speak><say-as interpret-as=\"date\" format=\"mdy\">4/26/2016</say-as></speak>");
    assert_string_equal(seg_text(0), "den tjugosjätte april tvåtusensexton");
    parse("<speak><say-as interpret-as=\"date\">26 april 2016</say-as></speak>");
    assert_string_equal(seg_text(0), "den tjugosjätte april tvåtusensexton");
    parse("<speak><say-as interpret-as=\"time\">14:30</say-as></speak>");
    assert_string_equal(seg_text(0), "fjorton och trettio");
}

static void test_ssml_say_as_cardinal_and_ordinal(void **state)
{
    (void)state;
    parse("<speak><say-as interpret-as=\"cardinal\">-3</say-as> och "
          "<say-as interpret-as=\"cardinal\">1 000 000 000</say-as></speak>");
    assert_string_equal(seg_text(0), "minus tre och en miljard");
    parse("<speak><say-as interpret-as=\"cardinal\">0</say-as> "
          "<say-as interpret-as=\"ordinal\">3</say-as> "
          "<say-as interpret-as=\"ordinal\">21:a</say-as></speak>");
    assert_string_equal(seg_text(0), "noll tredje tjugoförsta");
    parse("<speak><say-as interpret-as=\"cardinal\">tre</say-as></speak>");
    assert_string_equal(seg_text(0), "tre"); /* not a number: read as written */
}

static void test_ssml_sub_says_the_alias_for_the_written_text(void **state)
{
    (void)state;
    parse("<speak>Bor i <sub alias=\"Stockholm\">Sthlm</sub> nu</speak>");
    assert_string_equal(seg_text(0), "Bor i Stockholm nu");
    assert_string_equal(source_of(0, "Stockholm"), "Sthlm");
    assert_string_equal(source_of(0, "nu"), "nu");
}

static void test_ssml_phoneme_becomes_inline_phonemes(void **state)
{
    (void)state;
    parse("<speak><phoneme ph=\"n'y:nEshamn\">Nynäshamn</phoneme></speak>");
    assert_string_equal(seg_text(0), "[[n'y:nEshamn]]");
    assert_string_equal(source_of(0, "[[n'y:nEshamn]]"), "Nynäshamn");
    parse("<speak><phoneme alphabet=\"x-espeak\" ph=\"a]]b[[c\">x</phoneme></speak>");
    assert_string_equal(seg_text(0), "[[abc]]");
    parse("<speak><phoneme alphabet=\"ipa\" ph=\"hɛj\">Hej</phoneme></speak>");
    assert_string_equal(seg_text(0), "Hej"); /* IPA: the text is read instead */
}

static void test_ssml_breaks_are_silences_between_segments(void **state)
{
    (void)state;
    parse("<speak>Ett<break time=\"700ms\"/>två<break strength=\"strong\"/>tre<break/>"
          "fyra<break time=\"2.5s\"/><break time=\"99s\"/></speak>");
    assert_int_equal(doc.n, 9);
    assert_string_equal(seg_text(0), "Ett");
    assert_int_equal(doc.segs[1].kind, SSML_BREAK);
    assert_int_equal(doc.segs[1].break_ms, 700);
    assert_string_equal(seg_text(2), "två");
    assert_int_equal(doc.segs[3].break_ms, 800);
    assert_int_equal(doc.segs[5].break_ms, 500);
    assert_int_equal(doc.segs[7].break_ms, 2500);
    assert_int_equal(doc.segs[8].break_ms, 10000); /* capped */
}

static void test_ssml_prosody_rate_and_emphasis_change_the_rate(void **state)
{
    (void)state;
    parse("<speak>Normal <prosody rate=\"slow\">långsam <emphasis level=\"strong\">viktig"
          "</emphasis></prosody> <prosody rate=\"150%\">snabb</prosody> <emphasis>ord</emphasis>"
          "<prosody rate=\"+1000%\">max</prosody></speak>");
    assert_int_equal(doc.n, 6);
    assert_int_equal(doc.segs[0].rate_pct, 100);
    assert_int_equal(doc.segs[1].rate_pct, 75);
    assert_int_equal(doc.segs[2].rate_pct, 60);
    assert_int_equal(doc.segs[3].rate_pct, 150);
    assert_int_equal(doc.segs[4].rate_pct, 90);
    assert_int_equal(doc.segs[5].rate_pct, 200);
    assert_string_equal(source_of(2, "viktig"), "viktig");
}

static void test_ssml_other_languages_keep_their_text_and_voice(void **state)
{
    (void)state;
    parse("<speak>Det kostar 1.5 kr. <lang xml:lang=\"en-GB\">It costs 1.5   pounds, "
          "<say-as interpret-as=\"characters\">BBC</say-as>.</lang> <s xml:lang=\"sv\">Klart "
          "1.5</s></speak>");
    assert_int_equal(doc.n, 3);
    assert_string_equal(doc.segs[0].lang, "");
    assert_string_equal(doc.segs[1].lang, "en-GB");
    assert_string_equal(seg_text(1), "It costs 1.5 pounds, b b c .");
    assert_string_equal(source_of(1, "1.5 pounds"), "1.5   pounds");
    assert_string_equal(doc.segs[2].lang, "");
    assert_null(strstr(seg_text(2), "1.5"));
}

static void test_ssml_whole_document_in_another_language(void **state)
{
    (void)state;
    parse("<speak xml:lang=\"en\"><p>Version 1.5</p></speak>");
    assert_int_equal(doc.n, 1);
    assert_string_equal(doc.segs[0].lang, "en");
    assert_string_equal(seg_text(0), "Version 1.5");
}

static void test_ssml_paragraphs_and_sentences_are_utterances(void **state)
{
    (void)state;
    parse("<speak><p><s>Första</s><s>Andra</s></p>\n<p>Tredje <mark name=\"x\"/>ord</p></speak>");
    assert_int_equal(doc.n, 3);
    assert_string_equal(seg_text(0), "Första");
    assert_string_equal(seg_text(1), "Andra");
    assert_string_equal(seg_text(2), "Tredje ord"); /* a mark is not said */
    assert_string_equal(source_of(2, "ord"), "ord");
}

static void test_ssml_cdata_and_references_map_to_their_source(void **state)
{
    (void)state;
    parse("<speak>\r\nHej <![CDATA[Anna]]> &#229;r &#x00E4;r</speak>");
    assert_string_equal(seg_text(0), "Hej Anna år är");
    assert_string_equal(source_of(0, "Anna"), "Anna");
    assert_string_equal(source_of(0, "år"), "&#229;r");
    assert_string_equal(source_of(0, "är"), "&#x00E4;r");
}

static void test_ssml_malformed_is_rejected_with_line_and_column(void **state)
{
    struct err e = {0};

    (void)state;
    assert_int_equal(parse_fails("<speak>\n<p>Hej\n<s>fel</p>\n</speak>", &e), LY_EPARSE);
    assert_non_null(strstr(e.msg, "ssml: line 3, column 11: "));
    assert_int_equal(parse_fails("<speak>\n  <p a=1>x</p></speak>", &e), LY_EPARSE);
    assert_non_null(strstr(e.msg, "ssml: line 2, column "));
    assert_int_equal(parse_fails("", &e), LY_EPARSE);
    assert_non_null(strstr(e.msg, "ssml: line 1, column "));
    assert_int_equal(parse_fails("<speak>a &nbsp; b</speak>", &e), LY_EPARSE);
    assert_int_equal(parse_fails("\n<!DOCTYPE speak [<!ENTITY x \"y\">]><speak>&x;</speak>", &e),
                     LY_EPARSE);
    assert_string_equal(e.msg, "ssml: line 2, column 1: a DOCTYPE is not allowed in SSML");
    assert_int_equal(parse_fails("<?xml version=\"1.0\"?>\n<talk>x</talk>", &e), LY_EPARSE);
    assert_string_equal(e.msg, "ssml: line 2, column 1: the root element must be <speak>");
}

static void test_ssml_unknown_elements_are_read_for_their_text(void **state)
{
    (void)state;
    parse("<speak xmlns=\"http://www.w3.org/2001/10/synthesis\"><voice name=\"x\">Hej "
          "<audio src=\"a.wav\">ljud</audio></voice><desc>tyst</desc></speak>");
    assert_int_equal(doc.n, 1);
    assert_string_equal(seg_text(0), "Hej ljud");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_ssml_plain_text_is_normalized_and_maps_to_the_source,
                                  release),
        cmocka_unit_test_teardown(test_ssml_say_as_characters_spells_letters, release),
        cmocka_unit_test_teardown(test_ssml_say_as_telephone_reads_digit_groups, release),
        cmocka_unit_test_teardown(test_ssml_say_as_date_and_time, release),
        cmocka_unit_test_teardown(test_ssml_say_as_cardinal_and_ordinal, release),
        cmocka_unit_test_teardown(test_ssml_sub_says_the_alias_for_the_written_text, release),
        cmocka_unit_test_teardown(test_ssml_phoneme_becomes_inline_phonemes, release),
        cmocka_unit_test_teardown(test_ssml_breaks_are_silences_between_segments, release),
        cmocka_unit_test_teardown(test_ssml_prosody_rate_and_emphasis_change_the_rate, release),
        cmocka_unit_test_teardown(test_ssml_other_languages_keep_their_text_and_voice, release),
        cmocka_unit_test_teardown(test_ssml_whole_document_in_another_language, release),
        cmocka_unit_test_teardown(test_ssml_paragraphs_and_sentences_are_utterances, release),
        cmocka_unit_test_teardown(test_ssml_cdata_and_references_map_to_their_source, release),
        cmocka_unit_test_teardown(test_ssml_malformed_is_rejected_with_line_and_column, release),
        cmocka_unit_test_teardown(test_ssml_unknown_elements_are_read_for_their_text, release),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
