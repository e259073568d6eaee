/* fuzz_rules.c -- the word lists of voices/sv (normalize_rules.c): any bytes written as all
 * eight files (abbreviations, units, acronyms, lexicon, nouns, regnal names, laws, parties) of
 * a temporary folder, loaded, then used: a fixed Swedish text that consults every list, and
 * the input itself when it is UTF-8, are normalized with them. */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "normalize/normalize.h"

#include "banned.h"

static const char *const files[] = {"abbreviations.tsv", "units.tsv",  "acronyms.tsv",
                                    "lexicon.tsv",       "nouns.tsv",  "regnal.tsv",
                                    "laws.tsv",          "parties.tsv"};
static const char sample[] = "Karl XII:s 3 km/h, t.ex. 1 barn och 2 kr mån–fre kl. 8–17 i "
                             "Nynäshamn. EU-bidrag 5 st. enl. SKL:s bil. 3. 13 § KL, 2:2 PBL; "
                             "Anna Berg (V).";
static char dir[64];

static void remove_dir(void)
{
    char path[128];
    size_t i;

    for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
        unlink(path);
    }
    rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    /* tmpfs: writing eight files per input to a disk-backed /tmp is six times slower */
    snprintf(dir, sizeof(dir), "/dev/shm/lyssna-fuzz-rules-XXXXXX");
    fuzz_check(mkdtemp(dir) != NULL, "a temporary folder");
    atexit(remove_dir);
    return 0;
}

static void ignore(void *ctx, const char *msg)
{
    (void)ctx, (void)msg;
}

static void say(const struct norm_rules *r, const char *text, size_t len)
{
    struct normalized n;
    struct err e = {0};

    normalized_init(&n, 1 << 20);
    if (!normalize_text(r, NORMALIZE_PHONEMES, text, len, &n, &e))
        fuzz_check_normalized(&n, text, len, 1);
    normalized_release(&n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct norm_rules *r;
    char path[128];
    FILE *f;
    size_t i;

    for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
        f = fopen(path, "wb");
        fuzz_check(f && fwrite(data, 1, size, f) == size && !fclose(f), "writing a word list");
    }
    r = normalize_rules_load(dir, ignore, NULL);
    say(r, sample, sizeof(sample) - 1);
    if (utf8_valid((const char *)data, size, NULL))
        say(r, (const char *)data, size);
    normalize_rules_free(r);
    return 0;
}
