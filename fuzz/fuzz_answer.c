/* fuzz_answer.c -- the document worker's answer as the parent reads it (docworker_answer):
 * any bytes, as a worker a hostile file took over could send them. Checks that an answer
 * taken is what docworker.h promises the rest of the service: blocks with an xpath and
 * valid UTF-8 text without NULs, kinds and levels in range, offsets that follow the texts,
 * runs in order inside their block's text; and that an error has a message. */
#include "fuzz.h"

#include <string.h>

#include "base/base.h"
#include "extract/docworker.h"
#include "extract/extract.h"

#include "banned.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    return 0;
}

static void check_block(const struct extract_block *b, size_t start)
{
    size_t len = strlen(b->text), i;

    fuzz_check(b->xpath != NULL, "a block has an xpath");
    fuzz_check(utf8_valid(b->text, len, NULL), "a block's text is valid UTF-8");
    fuzz_check(b->kind >= EXTRACT_PARAGRAPH && b->kind <= EXTRACT_TABLE_ROW, "a known kind");
    fuzz_check(b->level >= 0 && b->level <= 6, "a heading level from 0 to 6");
    fuzz_check(b->start == start, "a block starts where the text before it ends");
    for (i = 0; i < b->nruns; i++) {
        fuzz_check(b->runs[i].start < b->runs[i].end && b->runs[i].end <= len,
                   "a run inside its block's text");
        fuzz_check(!i || b->runs[i].start >= b->runs[i - 1].end, "runs in order");
        fuzz_check(b->runs[i].lang != NULL, "a run has a language");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct extract_result r;
    struct err e = {0};
    size_t i, start = 0;

    if (docworker_answer((const char *)data, size, &r, &e)) {
        fuzz_check(e.code != LY_OK && e.msg[0], "an error with a message");
        return 0;
    }
    fuzz_check(r.nblocks > 0 && r.title && r.lang, "an answer has blocks, a title and a lang");
    fuzz_check(r.parts >= 1 && r.parts <= 32, "parts from 1 to 32");
    for (i = 0; i < r.nblocks; i++) {
        check_block(&r.blocks[i], start);
        start += strlen(r.blocks[i].text) + 1;
    }
    extract_result_release(&r);
    return 0;
}
