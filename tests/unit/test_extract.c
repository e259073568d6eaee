/* test_extract.c -- extract and charset on small inline pages: what is read, in which lines,
 * decoded from which charset, and the failure paths (no article, caps, hostile nesting). The
 * fixture pages are diffed against their gold text (run from the repository root). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/base.h"
#include "extract/charset.h"
#include "extract/extract.h"

/* A paragraph long enough to be scored as article text. */
#define PARA "Kommunen har beslutat att bygga en ny skola, och den ska stå klar under hösten 2026."
/* Another one: a paragraph that repeats the one before it is not read twice. */
#define PARA2 "Skolan f\xC3\xA5r plats f\xC3\xB6r 400 elever, och bygget b\xC3\xB6rjar i maj."

/* Extracts html (NUL-terminated) and returns the text lines joined by '\n' (free() it), or
 * NULL with *rc set when extraction fails. */
static char *extract(const char *html, const struct extract_opts *o, int *rc)
{
    struct extract_result r;
    struct err e = {0};
    struct buf b;

    *rc = extract_page(html, strlen(html), o, &r, &e);
    if (*rc)
        return NULL;
    buf_init(&b, BUF_NOLIMIT);
    assert_int_equal(extract_text(&r, &b, &e), LY_OK);
    extract_result_release(&r);
    return buf_detach(&b, NULL);
}

static void assert_extracts(const char *html, const struct extract_opts *o, const char *want)
{
    int rc;
    char *got = extract(html, o, &rc);

    assert_int_equal(rc, LY_OK);
    assert_string_equal(got, want);
    free(got);
}

static void test_charset_bom_beats_http_and_meta(void **state)
{
    const char page[] = "\xEF\xBB\xBF<meta charset=iso-8859-1><p>\xC3\xA5</p>";
    struct extract_opts o = {.charset = "windows-1252"};
    size_t bom = 0;

    (void)state;
    assert_string_equal(charset_detect(page, sizeof(page) - 1, "windows-1252", &bom), "UTF-8");
    assert_int_equal(bom, 3);
    assert_extracts(page, &o, "\xC3\xA5");
}

static void test_charset_http_beats_meta(void **state)
{
    struct extract_opts o = {.charset = "iso-8859-1"};

    (void)state;
    assert_extracts("<meta charset=\"utf-8\"><p>R\xE5sunda</p>", &o, "R\xC3\xA5sunda");
}

static void test_charset_meta_is_read_from_the_prescan(void **state)
{
    const char page[] = "<!-- <meta charset=utf-8> --><meta http-equiv=\"Content-Type\" "
                        "content=\"text/html; charset=ISO-8859-1\"><p>\xE4</p>";

    (void)state;
    assert_string_equal(charset_detect(page, sizeof(page) - 1, NULL, NULL), "windows-1252");
    assert_extracts(page, NULL, "\xC3\xA4");
}

static void test_charset_iso_8859_1_is_decoded_as_windows_1252(void **state)
{
    (void)state;
    assert_string_equal(charset_canonical(" ISO-8859-1 "), "windows-1252");
    assert_string_equal(charset_canonical("us-ascii"), "windows-1252");
    assert_null(charset_canonical("no-such-charset"));
    assert_extracts("<meta charset=iso-8859-1><p>\x93Hej\x94</p>", NULL,
                    "\xE2\x80\x9CHej\xE2\x80\x9D");
}

static void test_charset_undeclared_valid_utf8_is_utf8(void **state)
{
    const char page[] = "<p>Sm\xC3\xA5land</p>";

    (void)state;
    assert_string_equal(charset_detect(page, sizeof(page) - 1, NULL, NULL), "UTF-8");
    assert_extracts(page, NULL, "Sm\xC3\xA5land");
}

static void test_charset_undeclared_invalid_utf8_is_windows_1252(void **state)
{
    const char page[] = "<p>\x93Sm\xE5land\x94</p>";

    (void)state;
    assert_string_equal(charset_detect(page, sizeof(page) - 1, NULL, NULL), "windows-1252");
    assert_extracts(page, NULL, "\xE2\x80\x9CSm\xC3\xA5land\xE2\x80\x9D");
}

static void test_charset_decode_replaces_malformed_utf8(void **state)
{
    struct buf b;

    (void)state;
    buf_init(&b, BUF_NOLIMIT);
    assert_int_equal(charset_decode("a\xFF"
                                    "b\0c",
                                    5, "UTF-8", &b, NULL),
                     LY_OK);
    assert_string_equal(b.data, "a\xEF\xBF\xBD"
                                "bc");
    buf_release(&b);
}

static void test_extract_reads_only_readid_minus_rs_skip(void **state)
{
    const char *page = "<body><p>Utanf\xC3\xB6r</p><div id=\"las\"><h1>Rubrik</h1>"
                       "<div class=\"rs_skip\"><p>Dela sidan</p></div><p>Br\xC3\xB6"
                       "dtext "
                       "<span class=\"a rs_skip\">hoppas</span>kvar</p></div><p>Efter</p>";
    struct extract_opts o = {.readid = "las"};

    (void)state;
    assert_extracts(page, &o,
                    "Rubrik\nBr\xC3\xB6"
                    "dtext kvar");
}

static void test_extract_names_a_readid_that_is_not_in_the_page(void **state)
{
    struct extract_opts o = {.readid = "saknas"};
    struct extract_result r;
    struct err e = {0};
    const char *page = "<p>" PARA "</p>";

    (void)state;
    assert_int_equal(extract_page(page, strlen(page), &o, &r, &e), LY_EEMPTY);
    assert_non_null(strstr(e.msg, "'saknas'"));
}

static void test_extract_skips_hidden_elements(void **state)
{
    const char *page = "<main><h1>Synligt</h1><p hidden>Dolt ett</p>"
                       "<p aria-hidden=\"true\">Dolt tv\xC3\xA5</p>"
                       "<div style=\"color:red; display : none\">Dolt tre</div>"
                       "<p style=\"visibility:hidden\">Dolt fyra</p><p>" PARA "</p></main>";

    (void)state;
    assert_extracts(page, NULL, "Synligt\n" PARA);
}

static void test_extract_drops_menus_header_footer_aside_and_forms(void **state)
{
    const char *page = "<body><header><p>Logotyp och s\xC3\xB6k</p></header><nav><ul><li>Meny"
                       "</li></ul></nav><main><h1>Titel</h1><p>" PARA "</p><form><label>Namn"
                       "</label><button>Skicka</button></form><p>" PARA2 "</p></main>"
                       "<aside><p>Relaterat inneh\xC3\xA5ll som inte l\xC3\xA4ses upp</p></aside>"
                       "<footer><p>Kommunen, Box 1, 123 45 Orten</p></footer></body>";

    (void)state;
    assert_extracts(page, NULL, "Titel\n" PARA "\n" PARA2);
}

static void test_extract_joins_table_cells_with_commas(void **state)
{
    const char *page = "<main><h1>Avgifter</h1><p>" PARA "</p><table><caption>Taxa 2025"
                       "</caption><tr><th>Kärl</th><th>Pris</th></tr><tr><td>140 liter</td>"
                       "<td></td><td>1 640&nbsp;kr</td></tr></table></main>";

    (void)state;
    assert_extracts(page, NULL, "Avgifter\n" PARA "\nTaxa 2025\nKärl, Pris\n140 liter, 1 640 kr");
}

static void test_extract_starts_a_line_at_br(void **state)
{
    const char *page = "<main><h1>Kontakt</h1><p>" PARA "</p>"
                       "<p>Telefon: 08-123 45<br>E-post: info@kommun.se</p></main>";

    (void)state;
    assert_extracts(page, NULL, "Kontakt\n" PARA "\nTelefon: 08-123 45\nE-post: info@kommun.se");
}

static void test_extract_reads_nested_list_items_after_their_parent(void **state)
{
    const char *page = "<main><h1>Lista</h1><p>" PARA "</p><ul><li>Ett<ul><li>Ett a</li>"
                       "<li>Ett b</li></ul></li><li>Tv\xC3\xA5</li></ul></main>";

    (void)state;
    assert_extracts(page, NULL, "Lista\n" PARA "\nEtt\nEtt a\nEtt b\nTv\xC3\xA5");
}

static void test_extract_collapses_spaces_and_removes_soft_hyphens(void **state)
{
    const char *page = "<main><h1>Text</h1><p>" PARA "</p><p>  bygg\xC2\xADlov &amp;\n\t"
                       "&nbsp;&#167;&nbsp;9  </p></main>";

    (void)state;
    assert_extracts(page, NULL, "Text\n" PARA "\nbygglov & \xC2\xA7 9");
}

static void test_extract_gives_block_language_where_it_differs(void **state)
{
    const char *page = "<html lang=\"sv\"><body><main><h1>Rubrik</h1><p>" PARA "</p>"
                       "<p lang=\"en\">This page in English</p><div lang=\"sv\"><p>Svenska"
                       "</p></div></main></body></html>";
    struct extract_result r;
    struct err e = {0};

    (void)state;
    assert_int_equal(extract_page(page, strlen(page), NULL, &r, &e), LY_OK);
    assert_string_equal(r.lang, "sv");
    assert_int_equal(r.nblocks, 4);
    assert_null(r.blocks[0].lang);
    assert_string_equal(r.blocks[2].lang, "en");
    assert_null(r.blocks[3].lang);
    extract_result_release(&r);
}

static void test_extract_gives_xpaths_as_libxml2_writes_them(void **state)
{
    const char *page = "<html><body><div>meny</div><div><h1>Rubrik</h1><p>" PARA "</p>"
                       "<p>" PARA2 "</p></div></body></html>";
    struct extract_result r;
    struct err e = {0};

    (void)state;
    assert_int_equal(extract_page(page, strlen(page), NULL, &r, &e), LY_OK);
    assert_int_equal(r.nblocks, 3);
    assert_string_equal(r.blocks[0].xpath, "/html/body/div[2]/h1");
    assert_string_equal(r.blocks[1].xpath, "/html/body/div[2]/p[1]");
    assert_string_equal(r.blocks[2].xpath, "/html/body/div[2]/p[2]");
    assert_int_equal(r.blocks[1].start, strlen("Rubrik") + 1);
    extract_result_release(&r);
}

static void test_extract_fails_on_a_page_without_article(void **state)
{
    const char *page = "<html><head><title>Start</title><script>var a = 1;</script></head>"
                       "<body><nav><a href=\"/\">Start</a></nav><footer>Kommunen</footer>"
                       "</body></html>";
    struct extract_result r;
    struct err e = {0};

    (void)state;
    assert_int_equal(extract_page(page, strlen(page), NULL, &r, &e), LY_EEMPTY);
    assert_string_equal(e.msg, "no readable text found");
    assert_int_equal(extract_page(" \n", 2, NULL, &r, &e), LY_EEMPTY);
    assert_int_equal(extract_page("", 0, NULL, &r, &e), LY_EEMPTY);
}

static void assert_no_text(const char *page)
{
    struct extract_result r;
    struct err e = {0};

    assert_int_equal(extract_page(page, strlen(page), NULL, &r, &e), LY_EEMPTY);
    assert_string_equal(e.msg, "no readable text found");
}

static void test_extract_fails_on_a_page_of_links_only(void **state)
{
    (void)state;
    assert_no_text("<body><div class=\"x\"><a href=\"/a\">Start och nyheter fr\xC3\xA5n oss</a> "
                   "<a href=\"/b\">Om kommunen och dess verksamhet</a></div>"
                   "<div><a href=\"/c\">Kontakta oss</a></div></body>");
}

static void test_extract_never_reads_data_lyssna_skip(void **state)
{
    const char *page = "<main><h1>Rubrik</h1><p>" PARA "</p>"
                       "<div data-lyssna=\"skip\"><p>" PARA " Hoppas.</p></div>"
                       "<p>Sist <span data-lyssna=\" Skip \">inte</span>kvar</p></main>";
    const char *inside = "<body><div id=\"las\"><p>L\xC3\xA4s</p>"
                         "<p data-lyssna=\"skip\">Hoppa</p></div></body>";
    struct extract_opts o = {.readid = "las"};

    (void)state;
    assert_extracts(page, NULL, "Rubrik\n" PARA "\nSist kvar");
    assert_extracts(inside, &o, "L\xC3\xA4s");
}

static void test_extract_reads_only_data_lyssna_read_elements(void **state)
{
    const char *page = "<body><main><p>" PARA "</p><p>" PARA "</p></main>"
                       "<div data-lyssna=\"read\"><h2>Ett</h2><p data-lyssna=\"read\">Inuti</p>"
                       "<p class=\"rs_skip\">Knapp</p></div><p>" PARA "</p>"
                       "<section data-lyssna=\"read\"><p>Tv\xC3\xA5</p></section></body>";

    (void)state;
    assert_extracts(page, NULL, "Ett\nInuti\nTv\xC3\xA5");
}

static void test_extract_follows_the_readid_of_a_readspeaker_button(void **state)
{
    const char *page = "<body><div class=\"rsbtn rs_skip\"><a class=\"rsbtn_play\" "
                       "href=\"//app-eu.example.net/x?customerid=1&amp;readid=las&amp;lang=sv\">"
                       "Lyssna</a></div><main><p>" PARA "</p><p>" PARA "</p></main>"
                       "<div id=\"las\"><p>Denna</p><p class=\"rs_preserve\">Bevarad</p></div>"
                       "</body>";

    (void)state;
    assert_extracts(page, NULL, "Denna\nBevarad");
}

static void test_extract_follows_the_readclass_of_a_webreader_link(void **state)
{
    const char *page = "<body><a href=\"https://app-eu.readspeaker.com/cgi-bin/rsent?"
                       "customerid=1&amp;readclass=lasbar%2Cextra&amp;url=x\">Lyssna</a>"
                       "<main><p>" PARA "</p><p class=\"lasbar\">Ett</p></main>"
                       "<p class=\"extra\">Tv\xC3\xA5</p><p class=\"lasbara\">Inte</p></body>";

    (void)state;
    assert_extracts(page, NULL, "Ett\nTv\xC3\xA5");
}

static void test_extract_reads_the_article_when_the_button_names_no_element(void **state)
{
    const char *page =
        "<body><div class=\"rsbtn\"><a href=\"/lyssna?readid=saknas\">Lyssna"
        "</a></div><nav><a href=\"/\">Start</a></nav><main><p>" PARA "</p></main></body>";

    (void)state;
    assert_extracts(page, NULL, PARA);
}

static void test_extract_reads_details_definition_lists_and_captions(void **state)
{
    const char *page = "<main><h1>Rubrik</h1><p>" PARA "</p><details><summary>Mer</summary>"
                       "<p>Dold text</p></details><dl><dt>Adress</dt><dd>Storgatan 1</dd>"
                       "<dt>\xC3\x96ppet</dt><dd>8\xE2\x80\x93"
                       "17</dd></dl><figure>"
                       "<img src=\"a.jpg\" alt=\"Ikon\"><figcaption>Skolan <b>byggs</b> nu."
                       "</figcaption></figure></main>";

    (void)state;
    assert_extracts(page, NULL,
                    "Rubrik\n" PARA "\nMer\nDold text\nAdress\nStorgatan 1\n\xC3\x96ppet\n"
                    "8\xE2\x80\x93"
                    "17\nSkolan byggs nu.");
}

static void test_extract_leaves_out_the_headline_on_request(void **state)
{
    const char *page = "<title>Sida</title><main><h1>Rubrik</h1><p>" PARA "</p>"
                       "<h1>Andra</h1></main>";
    struct extract_opts o = {.no_title = 1};

    (void)state;
    assert_extracts(page, NULL, "Rubrik\n" PARA "\nAndra");
    assert_extracts(page, &o, PARA "\nAndra");
}

static void test_extract_drops_a_block_repeated_at_once_but_not_later(void **state)
{
    const char *page = "<main><p>" PARA "</p><figure><figcaption>Skolan byggs vid sj\xC3\xB6n i "
                       "v\xC3\xA5r.</figcaption><figcaption>Skolan byggs vid sj\xC3\xB6n i "
                       "v\xC3\xA5r.</figcaption></figure><h2>Vad tycker du om skolan?</h2><p>" PARA
                       " Ett.</p><p>" PARA " Tv\xC3\xA5.</p><p>" PARA " Tre.</p>"
                       "<h2>Vad tycker du om skolan?</h2></main>";

    (void)state;
    assert_extracts(page, NULL,
                    PARA
                    "\nSkolan byggs vid sj\xC3\xB6n i v\xC3\xA5r.\nVad tycker du om skolan?\n" PARA
                    " Ett.\n" PARA " Tv\xC3\xA5.\n" PARA " Tre.\nVad tycker du om skolan?");
}

static void test_extract_drops_bare_addresses_ad_labels_credits_and_bylines(void **state)
{
    const char *page =
        "<article><div class=\"byline\">Av Anna Berg</div><p>" PARA "</p>"
        "<p>https://example.se/nyhet/123</p><div>Annons</div>"
        "<figure><img src=\"a.jpg\" alt=\"\"><figcaption>Foto: Anna Berg</figcaption>"
        "</figure><p>Av Karin Holm, 12 mars 2025</p>"
        "<p>Mer p\xC3\xA5 www.example.se/skola eller example.se.</p></article>";

    (void)state;
    assert_extracts(page, NULL, PARA "\nMer p\xC3\xA5 www.example.se/skola eller example.se.");
}

/* Inside the article but not read: teasers for other articles, a gallery's controls and
 * repeated captions, the author's box, a sign-up box around a form and a short line that is
 * mostly a link. */
static void test_extract_leaves_out_teasers_galleries_author_boxes_and_sign_ups(void **state)
{
    const char *page =
        "<article><h1>Rubrik</h1><p>" PARA "</p>"
        "<div class=\"rail rail--trending\"><h3>Mest läst</h3><div class=\"teaser\">"
        "<h3>En annan nyhet</h3><p>Kort ingress till en annan nyhet, med flera ord.</p></div></div>"
        "<div class=\"asset_gallery\"><p>Bildtext till bilden i galleriet, ganska lång.</p>"
        "<span>Bild 1 av 8</span></div>"
        "<p>" PARA2 "</p>"
        "<p>Läs mer: <a href=\"/a\">Kommunen bygger en till skola i norr</a></p>"
        "<div class=\"author-bio\"><p>Anna Berg är reporter och har skrivit om skolor i "
        "tio år.</p></div>"
        "<div class=\"signup\"><p>Få nyheterna i din inkorg varje morgon.</p>"
        "<form><input name=\"email\"><button>Prenumerera</button></form></div></article>";

    (void)state;
    assert_extracts(page, NULL, "Rubrik\n" PARA "\n" PARA2);
}

/* A sibling of the article's container joins it when it holds a paragraph (a lead in a field
 * of its own), not for text alone (a footer of labels beside it). */
static void test_extract_takes_siblings_with_paragraphs_only(void **state)
{
    const char *page =
        "<body><div><div class=\"lead\"><p>Ingressen står i ett eget fält före "
        "brödtexten, som en Drupal-nod har den, och den ska läsas före brödtexten.</p></div>"
        "<div class=\"body\"><p>" PARA "</p><p>" PARA2 "</p></div>"
        "<div><label>Webbplatsen drivs av en förening, och inget får kopieras utan "
        "tillstånd från redaktionen.</label></div></div></body>";

    (void)state;
    assert_extracts(page, NULL,
                    "Ingressen står i ett eget fält före brödtexten, som en "
                    "Drupal-nod har den, och den ska läsas före brödtexten.\n" PARA "\n" PARA2);
}

/* A custom element is inline: a citation number inside one stays in its sentence. */
static void test_extract_reads_custom_elements_inline(void **state)
{
    const char *page = "<main><p>Studien visar en tydlig effekt (<hl-source><a href=\"/k\">1"
                       "</a></hl-source>), enligt forskarna bakom den.</p></main>";

    (void)state;
    assert_extracts(page, NULL, "Studien visar en tydlig effekt (1), enligt forskarna bakom den.");
}

static void test_extract_finds_loose_text_beside_a_link_column(void **state)
{
    struct buf page;
    int i;

    buf_init(&page, BUF_NOLIMIT);
    buf_adds(&page, "<body><div class=\"row\"><div class=\"col\"><ul>", NULL);
    for (i = 0; i < 200; i++)
        buf_addf(&page, NULL, "<li><a href=\"/arkiv/%d\">Arkiv nummer %d</a></li>", i, i);
    buf_adds(&page,
             "</ul></div><div class=\"col\"><p class=\"titel\">Rubrik</p><br>" PARA " " PARA
             "<br>" PARA "<div class=\"dela\"><a href=\"/d\">Dela</a></div>"
             "</div></div><div class=\"sidfot\">Kommunen, Storgatan 1</div></body>",
             NULL);
    (void)state;
    assert_extracts(page.data, NULL, "Rubrik\n" PARA " " PARA "\n" PARA);
    buf_release(&page);
}

static void test_extract_keeps_text_past_deep_nesting(void **state)
{
    const int depth = 20000;
    struct buf b;
    int i, rc;
    char *got;

    (void)state;
    buf_init(&b, BUF_NOLIMIT);
    buf_adds(&b, "<body><p>" PARA "</p>", NULL);
    for (i = 0; i < depth; i++)
        buf_adds(&b, "<div>", NULL);
    buf_adds(&b, "<p>djupt ner</p>", NULL);
    for (i = 0; i < depth; i++)
        buf_adds(&b, "</div>", NULL);
    got = extract(b.data, NULL, &rc);
    assert_int_equal(rc, LY_OK);
    assert_non_null(strstr(got, "djupt ner"));
    free(got);
    buf_release(&b);
}

/* Reads PARA from the middle of 100,000 levels of nesting: divs closed in order (closed) or
 * div, b and span tags never closed (!closed). */
static void assert_reads_deep(int closed)
{
    const int depth = 100000;
    struct buf b;
    int i, rc;
    char *got;

    buf_init(&b, BUF_NOLIMIT);
    buf_adds(&b, "<body><article><h1>Rubrik</h1>", NULL);
    for (i = 0; i < depth; i++)
        buf_adds(&b, closed ? "<div>" : i % 2 ? "<span>" : "<div><b>", NULL);
    buf_adds(&b, "<p>" PARA "</p>", NULL);
    for (i = 0; closed && i < depth; i++)
        buf_adds(&b, "</div>", NULL);
    got = extract(b.data, NULL, &rc);
    assert_int_equal(rc, LY_OK);
    assert_string_equal(got, "Rubrik\n" PARA);
    free(got);
    buf_release(&b);
}

/* libxml2 and both walks keep no stack per level, so deep pages neither overflow nor go
 * quadratic (100,000 levels: about a second; 400,000: four times that). */
static void test_extract_survives_100000_nested_divs_and_unclosed_tags(void **state)
{
    (void)state;
    assert_reads_deep(1);
    assert_reads_deep(0);
}

/* Tags left open or closed out of order, as hand-written pages have them: each paragraph and
 * item still reads as its own line. */
static void test_extract_reads_unclosed_and_misnested_tags(void **state)
{
    const char *page = "<html><body><main><h1>Rubrik<p>" PARA "<p>" PARA2
                       "<ul><li>Första punkten<li>Andra <b>punkten</ul></b>"
                       "<table><tr><td>Måndag<td>8–16<tr><td>Tisdag<td>8–17</table>"
                       "<p>Slut <i>på <b>sidan</i> här</b>";

    (void)state;
    assert_extracts(page, NULL,
                    "Rubrik\n" PARA "\n" PARA2 "\nFörsta punkten\nAndra punkten\n"
                    "Måndag, 8–16\nTisdag, 8–17\nSlut på sidan här");
}

static void test_extract_bounds_attributes_per_tag(void **state)
{
    struct buf b;
    int i, rc;
    char *got;

    (void)state;
    buf_init(&b, BUF_NOLIMIT);
    buf_adds(&b, "<main><h1>Rubrik</h1><p", NULL);
    for (i = 0; i < 100000; i++)
        buf_addf(&b, NULL, " a%d=\"1\"", i);
    buf_adds(&b, ">" PARA "</p></main>", NULL);
    got = extract(b.data, NULL, &rc);
    assert_int_equal(rc, LY_OK);
    assert_string_equal(got, "Rubrik\n" PARA);
    free(got);
    buf_release(&b);
}

static void test_extract_refuses_pages_and_text_over_the_caps(void **state)
{
    struct extract_opts o = {.max_html = 64};
    const char *page = "<main><h1>Rubrik</h1><p>" PARA "</p><p>" PARA "</p></main>";
    struct extract_result r;
    struct err e = {0};

    (void)state;
    assert_int_equal(extract_page(page, strlen(page), &o, &r, &e), LY_ETOOBIG);
    o.max_html = 0;
    o.max_text = 100;
    assert_int_equal(extract_page(page, strlen(page), &o, &r, &e), LY_ETOOBIG);
}

static void test_extract_drops_page_information_lines(void **state)
{
    const char *page = "<article><h1>Rubrik</h1><p>" PARA "</p><div class=\"field\"><div>"
                       "Senast granskad</div><div>3 februari 2025</div></div>"
                       "<p>Sidansvarig: Kommunikationsenheten</p></article>";

    (void)state;
    assert_extracts(page, NULL, "Rubrik\n" PARA);
}

static void test_extract_reads_a_form_that_wraps_the_page(void **state)
{
    const char *page =
        "<body><form id=\"aspnetForm\"><input type=\"hidden\" name=\"v\">"
        "<div><h1>Rubrik</h1><p>" PARA "</p><p>" PARA "</p><p>" PARA "</p><p>" PARA "</p><p>" PARA
        "</p><p>" PARA "</p><p>" PARA "</p><p>" PARA "</p></div></form></body>";
    int rc;
    char *got = extract(page, NULL, &rc);

    (void)state;
    assert_int_equal(rc, LY_OK);
    assert_non_null(strstr(got, "Rubrik\n" PARA));
    free(got);
}

static void test_extract_result_as_json(void **state)
{
    const char *page = "<html lang=\"sv\"><head><title>Sida</title></head><body><main><h1>"
                       "Rubrik</h1><p>" PARA "</p></main></body></html>";
    struct extract_result r;
    struct err e = {0};
    struct buf b;

    (void)state;
    assert_int_equal(extract_page(page, strlen(page), NULL, &r, &e), LY_OK);
    assert_string_equal(r.title, "Sida");
    assert_int_equal(r.words, 17);
    buf_init(&b, BUF_NOLIMIT);
    assert_int_equal(extract_json(&r, "https://kommun.se/a", 175, &b, &e), LY_OK);
    assert_non_null(
        strstr(b.data, "\"title\":\"Sida\",\"lang\":\"sv\",\"url\":\"https://kommun.se/a\""));
    assert_non_null(strstr(b.data, "{\"text\":\"Rubrik\",\"kind\":\"h\",\"level\":1,"
                                   "\"xpath\":\"/html/body/main/h1\",\"start\":0,\"end\":6}"));
    assert_non_null(strstr(b.data, "\"kind\":\"p\",\"xpath\":\"/html/body/main/p\""));
    assert_non_null(strstr(b.data, "\"words\":17,\"duration_ms\":5828}"));
    buf_release(&b);
    extract_result_release(&r);
}

/* Images are kept as figures beside the blocks, never in the text read: a gallery's image
 * printed twice is kept once, hidden and presentational images and one past the data row of a
 * table are not kept, and each figure names the block it comes before. */
static void test_extract_keeps_content_images_apart_from_the_text(void **state)
{
    const char *page = "<html lang=\"sv\"><body><main><p>" PARA "</p>"
                       "<div><img src=a.jpg alt=\"Skolg\xC3\xA5rden\"></div>"
                       "<div><img src=a.jpg alt=\"Skolg\xC3\xA5rden\"></div>"
                       "<p><img src=b.png alt=Pil role=presentation>"
                       "<img src=c.png alt=Dold aria-hidden=true>"
                       "<img src=d.png alt=Ikon height=16 width=16></p>"
                       "<table><tr><td><img src=e.png alt=Cell></td><td>Pris</td></tr></table>"
                       "<p lang=en>" PARA2 "<img src=f.png alt=\"A map\"></p></main></body></html>";
    struct extract_result r;
    struct err e = {0};
    struct buf b;

    (void)state;
    assert_int_equal(extract_page(page, strlen(page), NULL, &r, &e), LY_OK);
    assert_int_equal(r.nblocks, 3);
    assert_int_equal(r.nfigures, 2);
    assert_string_equal(r.figures[0].alt, "Skolg\xC3\xA5rden");
    assert_string_equal(r.figures[0].xpath, "/html/body/main/div[1]/img");
    assert_int_equal(r.figures[0].block, 1);
    assert_null(r.figures[0].lang);
    assert_string_equal(r.figures[1].alt, "A map");
    assert_int_equal(r.figures[1].block, 3); /* after the paragraph it stands in */
    assert_string_equal(r.figures[1].lang, "en");
    buf_init(&b, BUF_NOLIMIT);
    assert_int_equal(extract_text(&r, &b, &e), LY_OK);
    assert_null(strstr(b.data, "Skolg\xC3\xA5rden"));
    buf_reset(&b);
    assert_int_equal(extract_json(&r, NULL, 175, &b, &e), LY_OK);
    assert_non_null(strstr(b.data, "\"figures\":[{\"alt\":\"Skolg\xC3\xA5rden\",\"xpath\":"
                                   "\"/html/body/main/div[1]/img\",\"block\":1}"));
    buf_release(&b);
    extract_result_release(&r);
}

static char *read_path(const char *path)
{
    struct buf b;
    struct err e = {0};
    FILE *f = fopen(path, "rb");

    if (!f)
        return NULL;
    buf_init(&b, BUF_NOLIMIT);
    assert_int_equal(buf_read_file(&b, f, path, &e), LY_OK);
    fclose(f);
    return buf_detach(&b, NULL);
}

static void test_extract_matches_gold_text_of_fixture_pages(void **state)
{
    static const char *const names[] = {
        "ansok-om-bygglov",
        "kf-2025-04-24-p76-laddplatser",
        "kontakta-kommunen-oppettider",
        "lattlast-det-har-gor-kommunen",
        "nyhet-badhuset-stanger-for-renovering",
        "sophamtning-villor-fritidshus",
    };
    char path[256], *html, *gold, *got;
    size_t i, n;
    int rc;

    (void)state;
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        snprintf(path, sizeof(path), "tests/fixtures/pages/%s.html", names[i]);
        if (!(html = read_path(path)))
            skip();
        snprintf(path, sizeof(path), "tests/fixtures/pages/%s.gold.txt", names[i]);
        assert_non_null(gold = read_path(path));
        n = strlen(gold);
        if (n && gold[n - 1] == '\n')
            gold[n - 1] = '\0';
        got = extract(html, NULL, &rc);
        assert_int_equal(rc, LY_OK);
        assert_string_equal(got, gold);
        free(got);
        free(gold);
        free(html);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_charset_bom_beats_http_and_meta),
        cmocka_unit_test(test_charset_http_beats_meta),
        cmocka_unit_test(test_charset_meta_is_read_from_the_prescan),
        cmocka_unit_test(test_charset_iso_8859_1_is_decoded_as_windows_1252),
        cmocka_unit_test(test_charset_undeclared_valid_utf8_is_utf8),
        cmocka_unit_test(test_charset_undeclared_invalid_utf8_is_windows_1252),
        cmocka_unit_test(test_charset_decode_replaces_malformed_utf8),
        cmocka_unit_test(test_extract_reads_only_readid_minus_rs_skip),
        cmocka_unit_test(test_extract_names_a_readid_that_is_not_in_the_page),
        cmocka_unit_test(test_extract_skips_hidden_elements),
        cmocka_unit_test(test_extract_drops_menus_header_footer_aside_and_forms),
        cmocka_unit_test(test_extract_joins_table_cells_with_commas),
        cmocka_unit_test(test_extract_starts_a_line_at_br),
        cmocka_unit_test(test_extract_reads_nested_list_items_after_their_parent),
        cmocka_unit_test(test_extract_collapses_spaces_and_removes_soft_hyphens),
        cmocka_unit_test(test_extract_gives_block_language_where_it_differs),
        cmocka_unit_test(test_extract_gives_xpaths_as_libxml2_writes_them),
        cmocka_unit_test(test_extract_fails_on_a_page_without_article),
        cmocka_unit_test(test_extract_fails_on_a_page_of_links_only),
        cmocka_unit_test(test_extract_never_reads_data_lyssna_skip),
        cmocka_unit_test(test_extract_reads_only_data_lyssna_read_elements),
        cmocka_unit_test(test_extract_follows_the_readid_of_a_readspeaker_button),
        cmocka_unit_test(test_extract_follows_the_readclass_of_a_webreader_link),
        cmocka_unit_test(test_extract_reads_the_article_when_the_button_names_no_element),
        cmocka_unit_test(test_extract_reads_details_definition_lists_and_captions),
        cmocka_unit_test(test_extract_leaves_out_the_headline_on_request),
        cmocka_unit_test(test_extract_drops_a_block_repeated_at_once_but_not_later),
        cmocka_unit_test(test_extract_drops_bare_addresses_ad_labels_credits_and_bylines),
        cmocka_unit_test(test_extract_leaves_out_teasers_galleries_author_boxes_and_sign_ups),
        cmocka_unit_test(test_extract_takes_siblings_with_paragraphs_only),
        cmocka_unit_test(test_extract_reads_custom_elements_inline),
        cmocka_unit_test(test_extract_finds_loose_text_beside_a_link_column),
        cmocka_unit_test(test_extract_keeps_text_past_deep_nesting),
        cmocka_unit_test(test_extract_survives_100000_nested_divs_and_unclosed_tags),
        cmocka_unit_test(test_extract_reads_unclosed_and_misnested_tags),
        cmocka_unit_test(test_extract_bounds_attributes_per_tag),
        cmocka_unit_test(test_extract_refuses_pages_and_text_over_the_caps),
        cmocka_unit_test(test_extract_drops_page_information_lines),
        cmocka_unit_test(test_extract_reads_a_form_that_wraps_the_page),
        cmocka_unit_test(test_extract_result_as_json),
        cmocka_unit_test(test_extract_keeps_content_images_apart_from_the_text),
        cmocka_unit_test(test_extract_matches_gold_text_of_fixture_pages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
