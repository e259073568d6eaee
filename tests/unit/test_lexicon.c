/* test_lexicon.c -- the editors' lexicon (lexicon/ and its entries in normalize/): what the
 * normalizer says for an entry, which entries a text uses (exactly those), the CSV/TSV
 * parser's problems by line, exports safe from formulas, and the store's history and undo. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/base.h"
#include "lexicon/lexicon.h"
#include "normalize/normalize.h"

#include "banned.h"

static char dir[] = "/tmp/lyssna-test-lexicon-XXXXXX";
static char db[128];

static int setup(void **state)
{
    (void)state;
    if (!mkdtemp(dir))
        return -1;
    snprintf(db, sizeof(db), "%s/lexicon.db", dir);
    return 0;
}

static int teardown(void **state)
{
    char path[160];
    const char *const ext[] = {"", "-wal", "-shm"};
    int i;

    (void)state;
    for (i = 0; i < 3; i++) {
        snprintf(path, sizeof(path), "%s%s", db, ext[i]);
        unlink(path);
    }
    rmdir(dir);
    return 0;
}

/* What the normalizer makes of text with the entries edits (and no word lists). */
static void said(const char *edits, const char *text, const char *want)
{
    struct norm_rules *r = normalize_rules_edited(NULL, edits, strlen(edits));
    struct normalized n;
    struct err e = {0};

    normalized_init(&n, 1 << 16);
    assert_int_equal(normalize_text(r, NORMALIZE_PHONEMES, text, strlen(text), &n, &e), LY_OK);
    assert_string_equal(n.text.data, want);
    normalized_release(&n);
    normalize_rules_free(r);
}

static void test_normalize_says_entries_first(void **state)
{
    const char *ed = "Nynäshamn\tnynäs-hamn\nTyresö\t[[t,y:rE-s'Y:]]\nSankt Olof\tsankt olle\n"
                     "broken line\n";

    (void)state;
    said(ed, "Till Nynäshamn.", "Till nynäs-hamn.");
    said(ed, "Nynäshamns hamn", "nynäs-hamns hamn");
    said(ed, "TYRESÖ kommun", "[[t,y:rE-s'Y:]] kommun");
    said(ed, "Tyresös", "[[t,y:rE-s'Y:s]]");
    said(ed, "Tyresövägen", "Tyresövägen");      /* whole words only */
    said(ed, "tyresö", "tyresö");                /* written with a capital: as written */
    said(ed, "Sankt\n Olof", "Sankt\nOlof");     /* a phrase does not span lines */
    said(ed, "I Sankt  Olof.", "I sankt olle."); /* a space matches a run of them */
    said("nacka\tnakka\n", "NACKA och Nacka", "nakka och nakka"); /* lower case: any case */
}

static void test_used_is_exactly_what_is_said(void **state)
{
    struct lexicon *lx;
    struct lexicon_entry en = {0};
    struct err e = {0};
    struct buf out;
    long long id;

    (void)state;
    lx = lexicon_open(db, &e);
    assert_non_null(lx);
    snprintf(en.text, sizeof(en.text), "Ale");
    snprintf(en.say, sizeof(en.say), "a-le");
    snprintf(en.lang, sizeof(en.lang), "sv");
    assert_int_equal(lexicon_add(lx, &en, "t", &id, &e), LY_OK);
    snprintf(en.scope, sizeof(en.scope), "www.ale.se");
    snprintf(en.say, sizeof(en.say), "ahle");
    assert_int_equal(lexicon_add(lx, &en, "t", &id, &e), LY_OK);
    buf_init(&out, BUF_NOLIMIT);
    lexicon_used(lx, "en ale", 6, "sv", NULL, &out);
    assert_string_equal(out.data, "");
    lexicon_used(lx, "Ales kommun", 11, "sv", NULL, &out);
    assert_string_equal(out.data, "Ale\ta-le\n");
    lexicon_used(lx, "ALE", 3, "sv", "www.ale.se", &out); /* the site's own entry wins */
    assert_string_equal(out.data, "Ale\tahle\n");
    lexicon_used(lx, "Ale", 3, "en", NULL, &out);
    assert_string_equal(out.data, "");
    lexicon_used(lx, "Alexandra", 9, "sv", NULL, &out);
    assert_string_equal(out.data, "");
    buf_release(&out);
    lexicon_free(lx);
}

static void test_history_and_undo(void **state)
{
    struct lexicon *lx;
    struct lexicon_entry en = {0}, got;
    struct lexicon_list l = {0};
    struct err e = {0};
    struct buf h;
    long long id, other;

    (void)state;
    lx = lexicon_open(db, &e);
    assert_non_null(lx);
    snprintf(en.text, sizeof(en.text), "Kiruna");
    snprintf(en.say, sizeof(en.say), "ki-runa");
    snprintf(en.lang, sizeof(en.lang), "sv");
    assert_int_equal(lexicon_add(lx, &en, "anna", &id, &e), LY_OK);
    assert_int_equal(lexicon_add(lx, &en, "anna", &other, &e), LY_EUSAGE);
    assert_non_null(strstr(e.msg, "already"));
    snprintf(en.say, sizeof(en.say), "kii-runa");
    assert_int_equal(lexicon_update(lx, id, &en, "bo", &e), LY_OK);
    assert_int_equal(lexicon_remove(lx, id, "bo", &e), LY_OK);
    assert_int_equal(lexicon_get(lx, id, &got, &e), LY_EINPUT);
    buf_init(&h, BUF_NOLIMIT);
    assert_int_equal(lexicon_history(lx, 1, &h, &e), LY_OK);
    assert_non_null(strstr(h.data, "\"action\":\"remove\""));
    /* undoing the removal brings the entry back under its id, as it was */
    assert_int_equal(lexicon_search(lx, "kiruna", 0, &l, &e), LY_OK);
    assert_int_equal(l.n, 0);
    buf_reset(&h);
    assert_int_equal(lexicon_history(lx, 1, &h, &e), LY_OK);
    assert_int_equal(
        lexicon_undo(lx, strtoll(strstr(h.data, "\"change\":") + 9, NULL, 10), "bo", &e), LY_OK);
    assert_int_equal(lexicon_get(lx, id, &got, &e), LY_OK);
    assert_string_equal(got.say, "kii-runa");
    assert_string_equal(got.who, "bo");
    assert_int_equal(lexicon_undo(lx, 999999, "bo", &e), LY_EINPUT);
    buf_release(&h);
    lexicon_list_release(&l);
    lexicon_free(lx);
}

static int parse(const char *text, struct lexicon_list *l, struct buf *problems, struct err *e)
{
    return lexicon_parse(text, strlen(text), l, problems, e);
}

static void test_import_is_whole_or_nothing(void **state)
{
    struct lexicon_list l;
    struct buf problems;
    struct err e = {0};

    (void)state;
    buf_init(&problems, BUF_NOLIMIT);
    assert_int_equal(parse("text;say;note\n\"Lule\u00e5\";\"lule-\"\"å\"\"\";n\n"
                           "Gävle;jävle;\n",
                           &l, &problems, &e),
                     LY_EPARSE);
    lexicon_list_release(&l);
    buf_reset(&problems);
    assert_int_equal(
        parse("\xef\xbb\xbftext;say;lang\nLuleå;lule-å;sv\n\nGävle;jävle;sv\n", &l, &problems, &e),
        LY_OK);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.e[1].text, "Gävle");
    lexicon_list_release(&l);
    assert_int_equal(parse("text,say,colour\nA,b,c\n", &l, &problems, &e), LY_EPARSE);
    assert_non_null(strstr(problems.data, "line 1: unknown column 'colour'"));
    buf_reset(&problems);
    assert_int_equal(parse("text,say\nA,b\n1a,b\nC,\"[[x]]\"\nA,c\nD,\"open\n", &l, &problems, &e),
                     LY_EPARSE);
    assert_int_equal(l.n, 0);
    assert_non_null(strstr(problems.data, "line 3: 'text'"));
    assert_non_null(strstr(problems.data, "line 5: the same text"));
    assert_non_null(strstr(problems.data, "line 6: a quote"));
    assert_null(strstr(problems.data, "line 4"));
    assert_int_equal(parse("", &l, &problems, &e), LY_EEMPTY);
    assert_int_equal(parse("text,say\n", &l, &problems, &e), LY_EEMPTY);
    assert_int_equal(parse("text,say\nA\xff,b\n", &l, &problems, &e), LY_EUTF8);
    buf_release(&problems);
}

static void test_export_is_safe_from_formulas(void **state)
{
    struct lexicon_entry en[3] = {{0}};
    struct lexicon_list l = {en, 3, 3}, back;
    struct buf out, problems;
    struct err e = {0};

    (void)state;
    snprintf(en[0].text, sizeof(en[0].text), "Ö");
    snprintf(en[0].say, sizeof(en[0].say), "öh");
    snprintf(en[0].lang, sizeof(en[0].lang), "sv");
    snprintf(en[0].note, sizeof(en[0].note), "=HYPERLINK(\"http://x\",\"y\")");
    snprintf(en[1].text, sizeof(en[1].text), "Å");
    snprintf(en[1].say, sizeof(en[1].say), "-å");
    snprintf(en[1].lang, sizeof(en[1].lang), "sv");
    snprintf(en[1].note, sizeof(en[1].note), "@A1");
    snprintf(en[2].text, sizeof(en[2].text), "Ä");
    snprintf(en[2].say, sizeof(en[2].say), "'-ä"); /* armed too: it would come back as "-ä" */
    snprintf(en[2].lang, sizeof(en[2].lang), "sv");
    buf_init(&out, BUF_NOLIMIT);
    lexicon_format(&l, 0, &out);
    assert_string_equal(out.data,
                        "text,say,lang,scope,note\n"
                        "\"Ö\",\"öh\",\"sv\",\"\",\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"\n"
                        "\"Å\",\"'-å\",\"sv\",\"\",\"'@A1\"\n"
                        "\"Ä\",\"''-ä\",\"sv\",\"\",\"\"\n");
    buf_init(&problems, BUF_NOLIMIT);
    assert_int_equal(lexicon_parse(out.data, out.len, &back, &problems, &e), LY_OK);
    assert_string_equal(back.e[0].note, en[0].note); /* the apostrophe comes off again */
    assert_string_equal(back.e[1].say, "-å");
    assert_string_equal(back.e[2].say, "'-ä");
    lexicon_list_release(&back);
    buf_reset(&out);
    lexicon_format(&l, 1, &out);
    assert_non_null(strstr(out.data, "Å\t'-å\tsv\t\t'@A1\n"));
    buf_release(&out);
    buf_release(&problems);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_normalize_says_entries_first),
        cmocka_unit_test(test_used_is_exactly_what_is_said),
        cmocka_unit_test(test_history_and_undo),
        cmocka_unit_test(test_import_is_whole_or_nothing),
        cmocka_unit_test(test_export_is_safe_from_formulas),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
