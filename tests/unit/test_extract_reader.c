/* test_extract_reader.c -- the one rule for which reader reads what was fetched
 * (extract_reader_of): the content's signature wins over a lying Content-Type, markup is a
 * page whatever it is served as, a document type without the document is damaged, and
 * binary data or a type that is no page is refused with the type named. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/base.h"
#include "extract/extract.h"

#define DOCX_TYPE "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
#define PAGE      "<!doctype html><html><body><main><h1>Bygglov</h1><p>" PARA "</p></main></body></html>"
#define PARA                                                                                       \
    "Kommunen har beslutat att bygga en ny skola, och den ska st\xC3\xA5 klar under "              \
    "h\xC3\xB6sten "                                                                               \
    "2026."

static const char pdf[] = "%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n";
static const char png[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10";
/* A DOCX's start as far as telling it goes: a zip naming its parts. */
static const char docx[] = "PK\x03\x04\x14\0\0\0\0\0[Content_Types].xml<Types/>PK\x03\x04"
                           "\x14\0\0\0\0\0word/document.xml<w:document/>";

/* The reader for bytes served as type, or -1 with *msg set when refused (rc in *rc). */
static int reader(const char *type, const char *bytes, size_t len, int *rc, struct err *e)
{
    enum extract_format f = EXTRACT_OTHER;

    memset(e, 0, sizeof(*e));
    *rc = extract_reader_of(type, "https://example.se/x", bytes, len, &f, e);
    return *rc ? -1 : (int)f;
}

static void assert_reads(const char *type, const char *bytes, size_t len, enum extract_format want)
{
    struct err e;
    int rc;

    assert_int_equal(reader(type, bytes, len, &rc, &e), want);
}

static void assert_refused(const char *type, const char *bytes, size_t len, int code,
                           const char *words)
{
    struct err e;
    int rc;

    assert_int_equal(reader(type, bytes, len, &rc, &e), -1);
    assert_int_equal(rc, code);
    assert_int_equal(e.code, code);
    assert_non_null(strstr(e.msg, words));
    assert_non_null(strstr(e.msg, "https://example.se/x"));
}

static void odt_bytes(char *b, size_t *len)
{
    static const char mime[] = "application/vnd.oasis.opendocument.text";

    memset(b, 0, 30);
    memcpy(b, "PK\x03\x04", 4);
    memcpy(b + 30, "mimetype", 8);
    memcpy(b + 38, mime, sizeof(mime) - 1);
    memcpy(b + 38 + sizeof(mime) - 1, "PK\x03\x04", 4);
    *len = 38 + sizeof(mime) - 1 + 4;
}

static void test_reader_signature_wins_over_the_type(void **state)
{
    char odt[128];
    size_t odt_len;

    (void)state;
    odt_bytes(odt, &odt_len);
    assert_reads("text/html; charset=utf-8", pdf, sizeof(pdf) - 1, EXTRACT_PDF);
    assert_reads("application/octet-stream", docx, sizeof(docx) - 1, EXTRACT_DOCX);
    assert_reads(DOCX_TYPE, odt, odt_len, EXTRACT_ODT);
    assert_reads("image/png", pdf, sizeof(pdf) - 1, EXTRACT_PDF);
    assert_reads(NULL, docx, sizeof(docx) - 1, EXTRACT_DOCX);
}

static void test_reader_markup_is_a_page_whatever_it_is_served_as(void **state)
{
    static const char bom[] = "\xEF\xBB\xBF\r\n  <!-- cms --><html><p>" PARA "</p></html>";
    static const char xhtml[] =
        "<?xml version=\"1.0\"?><html xmlns=\"http://www.w3.org/1999/xhtml\"/>";

    (void)state;
    assert_reads("application/pdf", PAGE, strlen(PAGE), EXTRACT_HTML);
    assert_reads(DOCX_TYPE, PAGE, strlen(PAGE), EXTRACT_HTML);
    assert_reads("application/octet-stream", bom, strlen(bom), EXTRACT_HTML);
    assert_reads("text/plain", "<p>" PARA "</p>", strlen(PARA) + 7, EXTRACT_HTML);
    assert_reads("application/xhtml+xml", xhtml, strlen(xhtml), EXTRACT_HTML);
}

static void test_reader_document_type_without_the_document_is_damaged(void **state)
{
    static const char junk[] = "Internal error: could not stream the file";

    (void)state;
    assert_refused("application/pdf", junk, strlen(junk), LY_EPARSE,
                   "not a PDF: the file is damaged");
    assert_refused("Application/PDF; name=x.pdf", png, sizeof(png) - 1, LY_EPARSE,
                   "served as Application/PDF but is not a PDF");
    assert_refused(DOCX_TYPE, "", 0, LY_EPARSE, "not a Word (DOCX) document");
    assert_refused("application/vnd.oasis.opendocument.text", junk, 4, LY_EPARSE,
                   "not an OpenDocument text");
}

static void test_reader_text_served_as_a_page_is_a_page(void **state)
{
    static const char utf16[] = "\xFF\xFEH\0e\0j\0";

    (void)state;
    assert_reads("text/html", PARA, strlen(PARA), EXTRACT_HTML);
    assert_reads("TEXT/HTML;charset=iso-8859-1", "", 0, EXTRACT_HTML);
    assert_reads(NULL, PARA, strlen(PARA), EXTRACT_HTML);
    assert_reads(NULL, utf16, sizeof(utf16) - 1, EXTRACT_HTML);
    assert_reads("text/html", "a\tb\fc\x1B$B", 8, EXTRACT_HTML);
}

static void test_reader_refuses_binary_and_other_types_naming_the_type(void **state)
{
    static const char zip[] = "PK\x03\x04\x14\0\0\0\0\0xl/workbook.xml<workbook/>";

    (void)state;
    assert_refused("text/html", png, sizeof(png) - 1, LY_EINPUT,
                   "is not a web page or a document Lyssna can read (served as text/html)");
    assert_refused("image/png", png, sizeof(png) - 1, LY_EINPUT, "(served as image/png)");
    assert_refused(NULL, png, sizeof(png) - 1, LY_EINPUT, "(binary data)");
    assert_refused("text/plain; charset=utf-8", PARA, strlen(PARA), LY_EINPUT,
                   "(served as text/plain)");
    assert_refused("application/octet-stream", "\x01\x02\x03", 3, LY_EINPUT,
                   "served as application/octet-stream");
    assert_refused("application/zip", zip, sizeof(zip) - 1, LY_EINPUT,
                   "a zip archive (served as application/zip) but not a Word (DOCX) or "
                   "OpenDocument text (ODT)");
    assert_refused(DOCX_TYPE, zip, sizeof(zip) - 1, LY_EINPUT, "zip archive");
}

static void test_reader_out_is_left_alone_on_refusal(void **state)
{
    enum extract_format f = EXTRACT_ODT;
    struct err e = {0};

    (void)state;
    assert_int_equal(extract_reader_of(NULL, NULL, png, sizeof(png) - 1, &f, &e), LY_EINPUT);
    assert_int_equal(f, EXTRACT_ODT);
    assert_non_null(
        strstr(e.msg, "the input is not a web page or a document Lyssna can read (binary data)"));
}

/* extract_any goes by the rule: the served type reaches it through opts->content_type. */
static void test_extract_any_goes_by_the_rule(void **state)
{
    struct extract_opts o = {.content_type = "application/pdf", .url = "https://example.se/a.pdf"};
    struct extract_result r;
    struct err e = {0};

    (void)state;
    assert_int_equal(extract_any(PAGE, strlen(PAGE), &o, &r, &e), LY_OK);
    assert_int_equal(r.nblocks, 2);
    assert_string_equal(r.blocks[1].text, PARA);
    extract_result_release(&r);
    o.content_type = "text/html";
    assert_int_equal(extract_any(png, sizeof(png) - 1, &o, &r, &e), LY_EINPUT);
    assert_non_null(strstr(e.msg, "'https://example.se/a.pdf' is not a web page"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reader_signature_wins_over_the_type),
        cmocka_unit_test(test_reader_markup_is_a_page_whatever_it_is_served_as),
        cmocka_unit_test(test_reader_document_type_without_the_document_is_damaged),
        cmocka_unit_test(test_reader_text_served_as_a_page_is_a_page),
        cmocka_unit_test(test_reader_refuses_binary_and_other_types_naming_the_type),
        cmocka_unit_test(test_reader_out_is_left_alone_on_refusal),
        cmocka_unit_test(test_extract_any_goes_by_the_rule),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
