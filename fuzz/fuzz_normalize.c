/* fuzz_normalize.c -- Swedish normalization (normalize.h) of any valid UTF-8 text, with the
 * word lists of voices/sv: as synthesis calls it (lexicon words as phonemes) and with every
 * other line marked English. Checks the offset map and that no "[[" escapes without
 * NORMALIZE_PHONEMES. Input that is not UTF-8 is refused by every caller, so it is skipped. */
#include "fuzz.h"

#include <string.h>

#include "base/base.h"
#include "normalize/normalize.h"

#include "banned.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    fuzz_rules();
    return 0;
}

static void langs_run(const char *in, size_t len)
{
    static const char *const langs[] = {NULL, "en", "sv", NULL};
    const char *line_langs[64];
    struct normalized n;
    struct err e = {0};
    size_t i;

    for (i = 0; i < 64; i++)
        line_langs[i] = langs[i % 4];
    normalized_init(&n, 1 << 20);
    if (!normalize_text_langs(fuzz_rules(), 0, in, len, "sv", line_langs, 64, &n, &e)) {
        fuzz_check_normalized(&n, in, len, 1);
        fuzz_check(!strstr(n.text.data, "[["), "no [[ without NORMALIZE_PHONEMES");
    }
    normalized_release(&n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    struct normalized n;
    struct err e = {0};
    size_t a, b;

    if (!utf8_valid(in, size, NULL))
        return 0;
    normalized_init(&n, 1 << 20);
    if (!normalize_text(fuzz_rules(), NORMALIZE_PHONEMES, in, size, &n, &e)) {
        fuzz_check_normalized(&n, in, size, 1);
        normalized_source(&n, 0, n.text.len, &a, &b);
        fuzz_check(a <= b && b <= size, "source of the whole output inside the input");
        normalized_source(&n, n.text.len / 3, n.text.len / 2, &a, &b);
        fuzz_check(a <= b && b <= size, "source of a part inside the input");
    }
    normalized_release(&n);
    langs_run(in, size);
    return 0;
}
