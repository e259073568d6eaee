/* cmd_normalize.c -- `lyssna normalize`: lines on stdin, each line as it will be spoken on
 * stdout. One output line per input line, always: a line that cannot be normalized is
 * reported on stderr and printed as an empty line, so the lines stay aligned. The Swedish
 * word lists come from the voice folder's sv/ (problems in them are warned about on stderr);
 * lexicon phonemes are shown only with --phonemes, as espeak-ng would get them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "cmd.h"
#include "extract/extract.h"
#include "normalize/normalize.h"
#include "speech/speech.h"

#include "banned.h"

int cmd_normalize(int argc, char **argv)
{
    struct normalized norm;
    struct norm_rules *rules;
    struct err e = {0};
    char *line = NULL, dir[4096];
    size_t cap = 0, lineno = 0;
    ssize_t n;
    int status = 0;
    unsigned flags = 0;

    if (argc > 1 && !strcmp(argv[1], "--phonemes"))
        flags = NORMALIZE_PHONEMES, argc--, argv++;
    if (argc > 1) {
        if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
            puts("usage: lyssna normalize [--phonemes] < TEXT\n"
                 "prints each input line as it will be spoken, one line per line;\n"
                 "--phonemes shows lexicon words as the [[phonemes]] espeak-ng gets");
            return 0;
        }
        fprintf(stderr, "lyssna: normalize takes no arguments but --phonemes (reads standard "
                        "input)\n");
        return 2;
    }
    snprintf(dir, sizeof(dir), "%s/sv", voice_dir());
    rules = normalize_rules_load(dir, NULL, NULL);
    normalized_init(&norm, LYSSNA_MAX_TEXT * 8);
    while ((n = getline(&line, &cap, stdin)) >= 0) {
        lineno++;
        if (n > 0 && line[n - 1] == '\n')
            n--;
        if (normalize_text(rules, flags, line, (size_t)n, &norm, &e)) {
            fprintf(stderr, "lyssna: line %zu: %s\n", lineno, e.msg);
            status = err_exit_code(e.code);
            buf_reset(&norm.text);
        }
        fwrite(norm.text.data, 1, norm.text.len, stdout);
        putchar('\n');
    }
    free(line);
    normalized_release(&norm);
    normalize_rules_free(rules);
    return status;
}
