/* test_layout.c -- the PDF layout code (layout.c, layout_read.c) on pages of characters
 * placed here, as poppler would give them: running headers and footers dropped, page numbers
 * in their usual forms, words hyphenated at line ends made whole while real hyphens stay,
 * columns read one after the other, table rows, headings; and docbuild's blocks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/base.h"
#include "extract/docbuild.h"
#include "extract/extract.h"
#include "extract/layout.h"
#include "extract/pdf_tagged.h"

#define W 595.0
#define H 842.0

/* A page being set: characters placed line by line at 0.5 em a character. */
struct page {
    struct layout_char c[8192];
    size_t n;
};

static void put(struct page *p, double x, double y, float size, const char *text)
{
    size_t i = 0, k;
    uint32_t cp;

    while (text[i] && p->n < 8190) {
        struct layout_char *c = &p->c[p->n++];
        k = utf8_decode(text + i, strlen(text + i), &cp);
        k = k ? k : 1;
        memcpy(c->u, text + i, k);
        c->u[k] = '\0';
        c->size = size;
        c->x0 = x, c->x1 = x + size * 0.5;
        c->y0 = y - size, c->y1 = y + size * 0.25;
        x += size * 0.5;
        i += k;
    }
    p->c[p->n++] = (struct layout_char){.u = "\n"};
}

/* The blocks of the pages joined by '\n' (free() it). */
static char *read_pages(struct page *pages, size_t n)
{
    struct layout *l = layout_new();
    struct extract_result r;
    struct docbuild d;
    struct buf b;
    size_t i;

    docbuild_init(&d, 0, NULL);
    for (i = 0; i < n; i++)
        layout_add_page(l, pages[i].c, pages[i].n, W, H);
    layout_finish(l, NULL, &d);
    layout_free(l);
    assert_int_equal(docbuild_finish(&d, NULL, "sv", &r), LY_OK);
    docbuild_release(&d);
    buf_init(&b, BUF_NOLIMIT);
    assert_int_equal(extract_text(&r, &b, NULL), LY_OK);
    extract_result_release(&r);
    return buf_detach(&b, NULL);
}

static void test_layout_knows_page_numbers(void **state)
{
    static const char *const yes[] = {"3",      "– 3 –",  "- 12 -",      "Sida 3 av 7",
                                      "sida 3", "sid. 3", "Page 3 of 7", "3 (7)",
                                      "3/7",    "3 / 7",  "s. 4"};
    static const char *const no[] = {"3 kap.", "2025-04-24", "Sida",   "Kommunen 3",
                                     "§ 3",    "Sida 3 av",  "123456", ""};
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
        assert_true(layout_page_number(yes[i], strlen(yes[i])));
    for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
        assert_false(layout_page_number(no[i], strlen(no[i])));
}

static void assert_joins(const char *a, const char *b, const char *want)
{
    struct buf out;

    buf_init(&out, BUF_NOLIMIT);
    buf_adds(&out, a, NULL);
    layout_join_line(&out, b, strlen(b));
    assert_string_equal(out.data, want);
    buf_release(&out);
}

static void test_layout_joins_lines_and_mends_hyphenation(void **state)
{
    (void)state;
    assert_joins("en trygg äldreom-", "sorgen i hemmet", "en trygg äldreomsorgen i hemmet");
    assert_joins("i samverkan med hälso-", "och sjukvården",
                 "i samverkan med hälso- och sjukvården");
    assert_joins("för- eller", "nackdelar", "för- eller nackdelar");
    assert_joins("i kommunens e-", "tjänst", "i kommunens e-tjänst");
    assert_joins("ett nytt IT-", "stöd", "ett nytt IT-stöd");
    assert_joins("Norrby-", "Sjövik", "Norrby-Sjövik");
    assert_joins("budgeten 2026–", "2028.", "budgeten 2026–2028.");
    assert_joins("av\xC2\xAD", "gift", "avgift");
    assert_joins("en mening", "till", "en mening till");
    assert_joins("ett streck -", "här", "ett streck - här");
}

/* A tagged PDF's text keeps the hyphen the typesetter put at a line end: the page's lines
 * show which words were broken there, and only those are made whole. */
static void test_layout_mends_words_the_pages_broke(void **state)
{
    static struct page p;
    struct layout *l = layout_new();
    struct buf b;

    (void)state;
    p.n = 0;
    put(&p, 70, 100, 11, "Lagens tillämp-");
    put(&p, 70, 114, 11, "ningsområde gäller hälso-");
    put(&p, 70, 128, 11, "och sjukvården och e-");
    put(&p, 70, 142, 11, "tjänsten och jämförbar\xC2\xAD");
    put(&p, 70, 156, 11, "heten ökar.");
    layout_add_page(l, p.c, p.n, W, H);
    buf_init(&b, BUF_NOLIMIT);
    buf_adds(&b,
             "Lagens tillämp-ningsområde gäller hälso-och sjukvården, e-tjänsten och "
             "jämförbar-heten; ett tillämp-ningsfel står kvar.",
             NULL);
    layout_mend_hyphens(l, &b);
    assert_string_equal(b.data, "Lagens tillämpningsområde gäller hälso-och sjukvården, "
                                "e-tjänsten och jämförbarheten; ett tillämp-ningsfel står kvar.");
    buf_release(&b);
    layout_free(l);
}

/* A table's two cells side by side: the page's text gives their lines interleaved, each
 * cell's line-end hyphen followed by the other cell's line; the line below in the cell's own
 * column tells the word it broke. */
static void test_layout_mends_words_broken_in_cells_side_by_side(void **state)
{
    static struct page p;
    struct layout *l = layout_new();
    struct buf b;

    (void)state;
    p.n = 0;
    put(&p, 70, 100, 11, "beslut, tillståndsvill-");
    put(&p, 300, 100, 11, "beslut som medde-");
    put(&p, 70, 114, 11, "kor eller förpliktelser");
    put(&p, 300, 114, 11, "lats med stöd av lagen");
    layout_add_page(l, p.c, p.n, W, H);
    buf_init(&b, BUF_NOLIMIT);
    buf_adds(&b, "beslut, tillståndsvill-kor eller förpliktelser, beslut som medde-lats med stöd",
             NULL);
    layout_mend_hyphens(l, &b);
    assert_string_equal(
        b.data, "beslut, tillståndsvillkor eller förpliktelser, beslut som meddelats med stöd");
    buf_release(&b);
    layout_free(l);
}

/* A hyphen a word processor set by hand and the text then reflowed leaves a word cut inside
 * a line: made whole where the document writes it whole; real hyphens stay. */
static void test_docbuild_mends_words_it_writes_whole_elsewhere(void **state)
{
    struct extract_result r;
    struct docbuild d;
    const char *a = "I vilka situationer krävs skydd? Lungventilationen ökar.";
    const char *b = "Det finns situa-tioner där lungventila-tionen, EG-domstolen, Karl-Ingvar, "
                    "e-tjänsten och tillämp-ningsfel nämns.";

    (void)state;
    docbuild_init(&d, 0, NULL);
    docbuild_add(&d, DOC_P, a, strlen(a), 0);
    docbuild_add(&d, DOC_P, b, strlen(b), 0);
    assert_int_equal(docbuild_finish(&d, NULL, "sv", &r), LY_OK);
    assert_string_equal(r.blocks[1].text,
                        "Det finns situationer där lungventilationen, EG-domstolen, Karl-Ingvar, "
                        "e-tjänsten och tillämp-ningsfel nämns.");
    extract_result_release(&r);
    docbuild_release(&d);
}

static void header_footer(struct page *p, int n, int of)
{
    char num[32];

    put(p, 70, 40, 9, "Exempelby kommun");
    put(p, 400, 40, 9, "Socialnämnden");
    snprintf(num, sizeof(num), "Sida %d av %d", n, of);
    put(p, 470, 815, 9, num);
}

static void test_layout_drops_running_headers_and_footers(void **state)
{
    static struct page p[3];
    char *text;
    int i;

    (void)state;
    for (i = 0; i < 3; i++) {
        p[i].n = 0;
        header_footer(&p[i], i + 1, 3);
        put(&p[i], 70, 100, 11, i == 0 ? "Inledning av protokollet." : "Fortsatt text på sidan.");
    }
    text = read_pages(p, 3);
    assert_string_equal(text, "Inledning av protokollet.\nFortsatt text på sidan.\n"
                              "Fortsatt text på sidan.");
    free(text);
}

/* Two documents in one file (a ruling and the ruling appealed): each running header on a
 * few of the pages, always where it stood; a line of the body that happens to come back
 * in the margin zone, at another height each time, stays. */
static void test_layout_drops_a_header_of_some_pages_only(void **state)
{
    static struct page p[10];
    char *text;
    int i;

    (void)state;
    for (i = 0; i < 10; i++) {
        p[i].n = 0;
        put(&p[i], 70, 40, 9, i < 4 ? "SVEA HOVRÄTT" : "NACKA TINGSRÄTT");
        put(&p[i], 70, i < 4 ? 70 + i * 8 : 100, 11, i < 4 ? "Motivering." : "Text.");
    }
    text = read_pages(p, 10);
    assert_null(strstr(text, "HOVRÄTT"));
    assert_null(strstr(text, "TINGSRÄTT"));
    assert_non_null(strstr(text, "Motivering.\nMotivering.\nMotivering.\nMotivering."));
    free(text);
}

/* Letters set apart by tracking, each with its own box and poppler's space between them. */
static void test_layout_joins_letter_spaced_words(void **state)
{
    static struct page p;
    const char *word = "Slutår";
    double x = 200;
    char *text;
    size_t i, k;

    (void)state;
    p.n = 0;
    put(&p, 70, 300, 7, "Startår");
    p.n--; /* the line goes on */
    for (i = 0; word[i]; i += k) {
        struct layout_char *c = &p.c[p.n++];
        k = (unsigned char)word[i] >= 0xC0 ? 2 : 1;
        memcpy(c->u, word + i, k);
        c->u[k] = '\0';
        c->size = 7;
        c->x0 = x, c->x1 = x + 3.5, c->y0 = 293, c->y1 = 301.75;
        x += 3.5 + 0.8;
        p.c[p.n++] = (struct layout_char){.u = " ", .size = 7};
    }
    p.c[p.n++] = (struct layout_char){.u = "\n"};
    put(&p, 70, 400, 7, "i ett år");
    text = read_pages(&p, 1);
    assert_string_equal(text, "Startår, Slutår\ni ett år");
    free(text);
}

/* A tightly justified line (as InDesign sets one): its word spaces as narrow as tracking's,
 * after a one-letter word too, stay spaces. */
static void test_layout_keeps_narrow_word_spaces(void **state)
{
    static struct page p;
    const char *line = "I den kommun ska kapitel 3 redovisas";
    double x = 70;
    size_t i;
    char *text;

    (void)state;
    p.n = 0;
    for (i = 0; line[i]; i++) {
        struct layout_char *c = &p.c[p.n++];
        *c = (struct layout_char){.u = {line[i]}, .size = 10};
        if (line[i] == ' ') {
            x += 1.2; /* 0.12 em */
            continue;
        }
        c->x0 = x, c->x1 = x + 5, c->y0 = 290, c->y1 = 302.5;
        x += 5;
    }
    p.c[p.n++] = (struct layout_char){.u = "\n"};
    text = read_pages(&p, 1);
    assert_string_equal(text, line);
    free(text);
}

static void test_layout_reads_a_lone_page_without_its_margins(void **state)
{
    static struct page p;
    char *text;

    (void)state;
    p.n = 0;
    put(&p, 70, 40, 9, "Exempelby kommun – Avfall");
    put(&p, 70, 100, 11, "Hämtning varannan vecka.");
    put(&p, 280, 815, 9, "– 1 –");
    text = read_pages(&p, 1);
    assert_string_equal(text, "Hämtning varannan vecka.");
    free(text);
}

static void test_layout_reads_symbol_bullets_as_list_marks(void **state)
{
    static struct page p;
    char *text;

    (void)state;
    p.n = 0;
    put(&p, 70, 100, 11, "Riskerna beror på:");
    put(&p, 70, 120, 11, "\xEF\x80\xAD"); /* SymbolMT's dash, in the private use area */
    put(&p, 90, 120, 11, "ämnenas farlighet,");
    put(&p, 70, 134, 11, "\xE2\x88\x92"); /* a minus sign */
    put(&p, 90, 134, 11, "mängderna som hanteras.");
    text = read_pages(&p, 1);
    assert_string_equal(text, "Riskerna beror på:\nämnenas farlighet,\nmängderna som hanteras.");
    free(text);
}

/* Full lines of 0.5 em characters that reach x0 + width at size 11. */
static void paragraph(struct page *p, double x, double *y, const char *const *lines, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++, *y += 14)
        put(p, x, *y, 11, lines[i]);
    *y += 10;
}

static void test_layout_joins_a_paragraph_and_a_hyphenated_word(void **state)
{
    static const char *const lines[] = {
        "Kommunen ger en trygg äldreom-", "sorgen till alla i behov av",
        "den och i samverkan med hälso-", "och sjukvården i regionen."};
    static struct page p;
    double y = 100;
    char *text;

    (void)state;
    p.n = 0;
    put(&p, 70, 80, 16, "Äldreomsorg");
    paragraph(&p, 70, &y, lines, 4);
    put(&p, 70, y, 11, "Nästa stycke.");
    text = read_pages(&p, 1);
    assert_string_equal(text, "Äldreomsorg\nKommunen ger en trygg äldreomsorgen till alla i behov "
                              "av den och i samverkan med hälso- och sjukvården i regionen.\n"
                              "Nästa stycke.");
    free(text);
}

static void test_layout_reads_two_columns_one_after_the_other(void **state)
{
    static const char *const left[] = {"Vänster spalt har sex ord här",
                                       "och en rad till med ord här",
                                       "samt den tredje raden med ord."};
    static const char *const right[] = {"Höger spalt har också sex ord",
                                        "och en rad till med fler ord",
                                        "samt den sista raden med ord."};
    static struct page p;
    double y1 = 100, y2 = 100;
    char *text;

    (void)state;
    p.n = 0;
    paragraph(&p, 70, &y1, left, 3);
    paragraph(&p, 320, &y2, right, 3);
    text = read_pages(&p, 1);
    assert_string_equal(text,
                        "Vänster spalt har sex ord här och en rad till med ord här samt den "
                        "tredje raden med ord.\nHöger spalt har också sex ord och en rad till "
                        "med fler ord samt den sista raden med ord.");
    free(text);
}

static void test_layout_reads_table_rows_with_wrapped_cells(void **state)
{
    static struct page p;
    char *text;

    (void)state;
    p.n = 0;
    put(&p, 70, 100, 11, "Parti");
    put(&p, 250, 100, 11, "Ja");
    put(&p, 350, 100, 11, "Nej");
    put(&p, 70, 114, 11, "Socialdemokraterna");
    put(&p, 250, 114, 11, "15");
    put(&p, 350, 114, 11, "0");
    put(&p, 70, 128, 11, "Hämtning var fjärde");
    put(&p, 250, 128, 11, "980 kr");
    put(&p, 70, 142, 11, "vecka");
    text = read_pages(&p, 1);
    assert_string_equal(text, "Parti, Ja, Nej\nSocialdemokraterna, 15, 0\n"
                              "Hämtning var fjärde vecka, 980 kr");
    free(text);
}

/* A borderless table of terms (a regulation's definitions) whose two cells both wrap, with
 * no more space between its rows than between its lines: a row goes on where its first cell
 * does (a hyphen, lower case, a parenthesis) and its last stopped mid-sentence. */
static void test_layout_reads_a_term_table_whose_cells_wrap(void **state)
{
    static struct page p;
    char *text;

    (void)state;
    p.n = 0;
    put(&p, 70, 100, 11, "Inventerings-");
    put(&p, 220, 100, 11, "Den tjänsteman på länsstyrelsen som");
    put(&p, 70, 114, 11, "ansvarig");
    put(&p, 220, 114, 11, "förordnas att ansvara för länet.");
    put(&p, 70, 128, 11, "Familjegrupp varg");
    put(&p, 220, 128, 11, "Minst tre vargar i sällskap i ett");
    put(&p, 70, 142, 11, "(NFS 2014:23)");
    put(&p, 220, 142, 11, "revir. (NFS 2014:23)");
    put(&p, 70, 156, 11, "rovdjur");
    put(&p, 220, 156, 11, "Björn, varg och järv.");
    text = read_pages(&p, 1);
    assert_string_equal(text,
                        "Inventeringsansvarig, Den tjänsteman på länsstyrelsen som förordnas att "
                        "ansvara för länet.\n"
                        "Familjegrupp varg (NFS 2014:23), Minst tre vargar i sällskap i ett revir. "
                        "(NFS 2014:23)\n"
                        "rovdjur, Björn, varg och järv.");
    free(text);
}

static void test_docbuild_names_kinds_and_bullets(void **state)
{
    struct extract_result r;
    struct docbuild d;

    (void)state;
    docbuild_init(&d, 0, NULL);
    docbuild_add(&d, DOC_H1, "Rubrik", 6, 0);
    docbuild_add(&d, DOC_P, "\xE2\x80\xA2 punkt  ett\n", 15, 0);
    docbuild_add(&d, DOC_LI, "punkt två", 10, 0);
    docbuild_add(&d, DOC_TR, "a, b", 4, 1);
    docbuild_add(&d, DOC_TR, "c, d", 4, 0);
    docbuild_add(&d, DOC_P, " \t ", 3, 0);
    assert_int_equal(docbuild_finish(&d, NULL, "en-US", &r), LY_OK);
    assert_int_equal(r.nblocks, 5);
    assert_string_equal(r.title, "Rubrik");
    assert_string_equal(r.blocks[1].text, "punkt ett");
    assert_string_equal(r.blocks[1].xpath, "/document/ul[1]/li[1]");
    assert_string_equal(r.blocks[2].xpath, "/document/ul[1]/li[2]");
    assert_string_equal(r.blocks[4].xpath, "/document/table[1]/tr[2]");
    assert_int_equal(r.blocks[2].start, strlen("Rubrik\npunkt ett\n"));
    assert_string_equal(r.lang, "en-US"); /* too little text to overrule it */
    extract_result_release(&r);
    docbuild_release(&d);
}

static void assert_block(const char *text, const char *want)
{
    struct extract_result r;
    struct docbuild d;

    docbuild_init(&d, 0, NULL);
    docbuild_add(&d, DOC_P, text, strlen(text), 0);
    assert_int_equal(docbuild_finish(&d, NULL, "sv", &r), LY_OK);
    assert_string_equal(r.blocks[0].text, want);
    extract_result_release(&r);
    docbuild_release(&d);
}

static void test_docbuild_reads_contents_without_page_numbers(void **state)
{
    (void)state;
    assert_block("Förord ........................ 4", "Förord");
    assert_block("1 Inledning . . . . . . . 12", "1 Inledning");
    assert_block("Bilagor \xE2\x80\xA6\xE2\x80\xA6\xE2\x80\xA6, 87", "Bilagor");
    assert_block("Arter i staden ... 12", "Arter i staden");
    assert_block("Syfte ...... 3 Bakgrund ...... 5", "Syfte, Bakgrund");
    assert_block("Vänta ... 12 dagar till.", "Vänta ... 12 dagar till.");
    assert_block("Erionit ........................ 66733-21-9", "Erionit, 66733-21-9");
    assert_block("Mer följer...", "Mer följer...");
}

static void assert_tag_text(const char *from_poppler, const char *want)
{
    struct buf b;

    buf_init(&b, BUF_NOLIMIT);
    pdf_tagged_add_text(&b, from_poppler);
    assert_string_equal(b.data, want);
    buf_release(&b);
}

static void test_tagged_text_undoes_poppler_decoding_it_twice(void **state)
{
    (void)state;
    assert_tag_text("\xC3\x82\xC2\xA7 76 Svar p\xC3\x83\xC2\xA5", "\xC2\xA7 76 Svar p\xC3\xA5");
    assert_tag_text("2026\xC3\xA2\xE2\x80\xA2\xEF\xAC\x81"
                    "2028",
                    "2026\xE2\x80\x93"
                    "2028");
    assert_tag_text("\xC2\xA7 76 p\xC3\xA5", "\xC2\xA7 76 p\xC3\xA5"); /* already right */
    assert_tag_text("Ja-r\xC3\xB6st", "Ja-r\xC3\xB6st");
    assert_tag_text("plain", "plain");
}

/* A document's language tags: stretches of the raw text land on the cleaned text's bytes,
 * white space at their ends left out, runs Word cut a phrase into joined, a paragraph all in
 * one language labelled as a block, and labels in the document's own language dropped. */
static void test_docbuild_keeps_language_tags_as_blocks_and_runs(void **state)
{
    static const char raw[] = "- Vi  s\xC3\xA4ger  welcome  to the hall  till alla.";
    struct doc_runs runs = {0}, fi = {0};
    struct extract_result r;
    struct docbuild d;
    const char *p = strstr(raw, "welcome"), *q = strstr(raw, "hall");

    (void)state;
    docbuild_init(&d, 0, NULL);
    doc_runs_add(&runs, (size_t)(p - 1 - raw), (size_t)(q - raw), "en-GB"); /* " welcome ..." */
    doc_runs_add(&runs, (size_t)(q - raw), (size_t)(q + 6 - raw), "en-GB"); /* "hall  " */
    doc_runs_add(&runs, 0, 2, "sv-SE");
    docbuild_add_lang(&d, DOC_P, raw, strlen(raw), 0, NULL, &runs);
    doc_runs_add(&fi, 0, 9, "fi-FI"); /* " Hyvää " */
    doc_runs_add(&fi, 9, 19, "fi-FI");
    docbuild_add_lang(&d, DOC_P, " Hyv\xC3\xA4\xC3\xA4 p\xC3\xA4iv\xC3\xA4\xC3\xA4 ", 19, 0, NULL,
                      &fi);
    docbuild_add_lang(&d, DOC_P, "Hej", 3, 0, "sv", NULL);
    assert_int_equal(docbuild_finish(&d, NULL, "sv-SE", &r), LY_OK);
    docbuild_release(&d);
    assert_int_equal(r.nblocks, 3);
    assert_string_equal(r.blocks[0].text, "Vi s\xC3\xA4ger welcome to the hall till alla.");
    assert_int_equal(r.blocks[0].kind, EXTRACT_LIST_ITEM);
    assert_null(r.blocks[0].lang);
    assert_int_equal(r.blocks[0].nruns, 1);
    assert_int_equal(r.blocks[0].runs[0].start, 10);
    assert_int_equal(r.blocks[0].runs[0].end, 29);
    assert_string_equal(r.blocks[0].runs[0].lang, "en-GB");
    assert_non_null(r.blocks[1].lang);
    assert_string_equal(r.blocks[1].lang, "fi-FI");
    assert_int_equal(r.blocks[1].nruns, 0);
    assert_null(r.blocks[2].lang);
    extract_result_release(&r);
    doc_runs_release(&runs);
    doc_runs_release(&fi);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout_knows_page_numbers),
        cmocka_unit_test(test_layout_joins_lines_and_mends_hyphenation),
        cmocka_unit_test(test_layout_drops_running_headers_and_footers),
        cmocka_unit_test(test_layout_reads_a_lone_page_without_its_margins),
        cmocka_unit_test(test_layout_reads_symbol_bullets_as_list_marks),
        cmocka_unit_test(test_layout_joins_a_paragraph_and_a_hyphenated_word),
        cmocka_unit_test(test_layout_reads_two_columns_one_after_the_other),
        cmocka_unit_test(test_layout_reads_table_rows_with_wrapped_cells),
        cmocka_unit_test(test_layout_reads_a_term_table_whose_cells_wrap),
        cmocka_unit_test(test_docbuild_names_kinds_and_bullets),
        cmocka_unit_test(test_layout_mends_words_the_pages_broke),
        cmocka_unit_test(test_layout_mends_words_broken_in_cells_side_by_side),
        cmocka_unit_test(test_docbuild_mends_words_it_writes_whole_elsewhere),
        cmocka_unit_test(test_layout_drops_a_header_of_some_pages_only),
        cmocka_unit_test(test_layout_joins_letter_spaced_words),
        cmocka_unit_test(test_layout_keeps_narrow_word_spaces),
        cmocka_unit_test(test_docbuild_reads_contents_without_page_numbers),
        cmocka_unit_test(test_tagged_text_undoes_poppler_decoding_it_twice),
        cmocka_unit_test(test_docbuild_keeps_language_tags_as_blocks_and_runs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
