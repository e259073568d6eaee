/* fuzz_lexicon.c -- the lexicon's CSV/TSV import (lexicon/lexicon_io.c), as an editor's file
 * could hold it. Checks the promise of whole or nothing: entries only when nothing is wrong,
 * problems only when something is; every entry passes lexicon_check again as it is; and what
 * is imported, exported and imported again is the same. The entries of a file are then matched
 * against the file itself, as a text (lexicon_used's matching is over a store: not here). */
#include "fuzz.h"

#include <string.h>

#include "base/base.h"
#include "lexicon/lexicon.h"

#include "banned.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    return 0;
}

static void check_round_trip(const struct lexicon_list *l, int tsv)
{
    struct lexicon_list back;
    struct buf out, problems;
    struct err e = {0};
    size_t i;

    buf_init(&out, BUF_NOLIMIT);
    buf_init(&problems, BUF_NOLIMIT);
    lexicon_format(l, tsv, &out);
    fuzz_check(lexicon_parse(out.data, out.len, &back, &problems, &e) == LY_OK,
               "an export imports again");
    fuzz_check(back.n == l->n, "as many entries come back");
    for (i = 0; i < l->n; i++)
        fuzz_check(!strcmp(back.e[i].text, l->e[i].text) && !strcmp(back.e[i].say, l->e[i].say) &&
                       !strcmp(back.e[i].note, l->e[i].note) &&
                       !strcmp(back.e[i].scope, l->e[i].scope),
                   "an entry comes back as it went");
    lexicon_list_release(&back);
    buf_release(&out);
    buf_release(&problems);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct lexicon_list l;
    struct buf problems;
    struct err e = {0};
    size_t i;
    int rc;

    buf_init(&problems, BUF_NOLIMIT);
    rc = lexicon_parse((const char *)data, size, &l, &problems, &e);
    fuzz_check((rc == LY_OK) == (l.n > 0), "entries only from a file without problems");
    fuzz_check(rc != LY_OK || problems.len == 0, "no problems in a file taken");
    fuzz_check(rc == LY_OK || e.msg[0], "a refusal says why");
    for (i = 0; i < l.n; i++) {
        struct lexicon_entry again = l.e[i];
        fuzz_check(lexicon_check(&again, &e) == LY_OK && !memcmp(&again, &l.e[i], sizeof(again)),
                   "an entry taken passes the check as it is");
    }
    if (rc == LY_OK) {
        check_round_trip(&l, 0);
        check_round_trip(&l, 1);
    }
    lexicon_list_release(&l);
    buf_release(&problems);
    return 0;
}
