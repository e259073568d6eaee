/* fuzz_ssml.c -- SSML parsing (ssml.h): any bytes as an SSML document for a Swedish voice,
 * normalized with the word lists of voices/sv. Checks that every segment's text and offset
 * map stay inside the source. No synthesis. */
#include "fuzz.h"

#include "base/base.h"
#include "speech/ssml.h"

#include "banned.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    fuzz_rules();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ssml_doc doc = {0};
    struct err e = {0};
    size_t i;

    if (!ssml_parse((const char *)data, size, "sv", fuzz_rules(), &doc, &e))
        for (i = 0; i < doc.n; i++) {
            const struct ssml_seg *g = &doc.segs[i];
            if (g->kind == SSML_TEXT)
                fuzz_check_normalized(&g->text, (const char *)data, size, 0);
            fuzz_check(g->break_ms <= 10000, "breaks of at most 10 s");
        }
    ssml_doc_release(&doc);
    return 0;
}
