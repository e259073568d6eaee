/* fuzz_zipdoc.c -- the DOCX and ODT readers (docx.c, odt.c over zipxml.c): any bytes as both,
 * in this process (the service would run them in the sandboxed extract-worker), and the rule
 * that picks a reader (reader.c). Checks what extract.h promises of a result: at least one
 * block, each valid UTF-8 on one line with no blank at either end, offsets that follow the
 * joined text, a language and title set. */
#include "fuzz.h"

#include <string.h>

#include "base/base.h"
#include "extract/document.h"
#include "extract/extract.h"

#include "banned.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    return 0;
}

static void check(const struct extract_result *r)
{
    size_t i, at = 0, n;

    fuzz_check(r->nblocks > 0, "a result has a block");
    fuzz_check(r->title && r->lang, "title and lang are set");
    for (i = 0; i < r->nblocks; i++) {
        const char *t = r->blocks[i].text;
        n = strlen(t);
        fuzz_check(n > 0 && t[0] != ' ' && t[n - 1] != ' ', "a block has no blank at its ends");
        fuzz_check(!strchr(t, '\n'), "a block is one line");
        fuzz_check(utf8_valid(t, n, NULL), "a block is valid UTF-8");
        fuzz_check(r->blocks[i].start == at, "offsets follow the joined text");
        fuzz_check(!strncmp(r->blocks[i].xpath, "/document/", 10), "an xpath names the kind");
        at += n + 1;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct document_caps caps;
    struct extract_result r;
    struct err e = {0};
    enum extract_format f;

    document_caps_of(NULL, &caps);
    caps.max_inflated = 16u << 20; /* within libFuzzer's memory limit */
    if (!document_read_docx((const char *)data, size, &caps, &r, &e)) {
        check(&r);
        extract_result_release(&r);
    }
    if (!document_read_odt((const char *)data, size, &caps, &r, &e)) {
        check(&r);
        extract_result_release(&r);
    }
    extract_reader_of("application/pdf", NULL, (const char *)data, size, &f, &e);
    extract_reader_of(NULL, "x", (const char *)data, size, &f, &e);
    return 0;
}
