/* common.c -- helpers linked into every fuzz target (see fuzz.h). */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "normalize/normalize.h"

#include "banned.h"

const struct norm_rules *fuzz_rules(void)
{
    static struct norm_rules *rules;

    if (!rules) {
        setenv("LYSSNA_VOICES", LYSSNA_SRCDIR "/voices", 1);
        rules = normalize_rules_load(LYSSNA_SRCDIR "/voices/sv", NULL, NULL);
    }
    return rules;
}

void fuzz_check(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz: broken promise: %s\n", what);
        abort();
    }
}

static size_t count_lines(const char *s, size_t n)
{
    size_t lines = 0;

    while (n--)
        lines += *s++ == '\n';
    return lines;
}

void fuzz_check_normalized(const struct normalized *n, const char *in, size_t in_len, int lines)
{
    size_t i;

    fuzz_check(utf8_valid(n->text.data, n->text.len, NULL), "normalized text is valid UTF-8");
    fuzz_check(strlen(n->text.data) == n->text.len, "normalized text has no NUL byte");
    for (i = 0; i < n->nspans; i++) {
        const struct norm_span *s = &n->spans[i];
        fuzz_check(s->out + s->out_len <= n->text.len, "span inside the output");
        fuzz_check(s->in + s->in_len <= in_len, "span inside the input");
    }
    fuzz_check(!lines || count_lines(n->text.data, n->text.len) == count_lines(in, in_len),
               "one output line per input line");
}
