/* fuzz_extract.c -- HTML extraction (extract.h): any bytes as a page, then its text and its
 * JSON. The options come from the page's last byte (which stays part of the page): a readid,
 * an HTTP charset, no_title and a small text cap. Checks that every block lies inside the
 * joined text and that the text is valid UTF-8. */
#include "fuzz.h"

#include <string.h>

#include "base/base.h"
#include "extract/extract.h"

#include "banned.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    return 0;
}

static void check_result(const struct extract_result *r)
{
    struct buf text, json;
    struct err e = {0};
    size_t i;

    buf_init(&text, BUF_NOLIMIT);
    buf_init(&json, BUF_NOLIMIT);
    fuzz_check(!extract_text(r, &text, &e), "extract_text succeeds");
    fuzz_check(utf8_valid(text.data, text.len, NULL), "extracted text is valid UTF-8");
    for (i = 0; i < r->nblocks; i++)
        fuzz_check(r->blocks[i].start + strlen(r->blocks[i].text) <= text.len,
                   "block inside the text");
    fuzz_check(!extract_json(r, "https://www.exempel.se/a?b=\"c\"", 170, &json, &e),
               "extract_json succeeds");
    buf_release(&text);
    buf_release(&json);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const readids[] = {NULL, "article", "main", "content"};
    static const char *const charsets[] = {NULL,        "utf-8",    "windows-1252", "iso-8859-15",
                                           "shift_jis", "utf-16le", "x-bogus",      ""};
    unsigned sel = size ? data[size - 1] : 0;
    struct extract_opts o = {0};
    struct extract_result r;
    struct err e = {0};

    o.readid = readids[sel & 3];
    o.charset = charsets[(sel >> 2) & 7];
    o.no_title = (sel >> 5) & 1;
    o.max_text = (sel >> 6) == 3 ? 256 : 0;
    o.url = "https://www.exempel.se/sida";
    if (extract_page((const char *)data, size, &o, &r, &e))
        return 0;
    check_result(&r);
    extract_result_release(&r);
    return 0;
}
