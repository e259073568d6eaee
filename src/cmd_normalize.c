/* cmd_normalize.c -- `lyssna normalize`: lines on stdin, each line as it will be spoken on
 * stdout. One output line per input line, always: a line that cannot be normalized is
 * reported on stderr and printed as an empty line, so the lines stay aligned. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "err.h"
#include "extract.h"
#include "normalize.h"

#include "banned.h"

int cmd_normalize(int argc, char **argv)
{
    struct normalized norm;
    struct err e = {0};
    char *line = NULL;
    size_t cap = 0, lineno = 0;
    ssize_t n;
    int status = 0;

    if (argc > 1) {
        if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
            puts("usage: lyssna normalize < TEXT\n"
                 "prints each input line as it will be spoken, one line per line");
            return 0;
        }
        fprintf(stderr, "lyssna: normalize takes no arguments (reads standard input)\n");
        return 2;
    }
    normalized_init(&norm, LYSSNA_MAX_TEXT);
    while ((n = getline(&line, &cap, stdin)) >= 0) {
        lineno++;
        if (n > 0 && line[n - 1] == '\n')
            n--;
        if (normalize_text(line, (size_t)n, &norm, &e)) {
            fprintf(stderr, "lyssna: line %zu: %s\n", lineno, e.msg);
            status = err_exit_code(e.code);
            buf_reset(&norm.text);
        }
        fwrite(norm.text.data, 1, norm.text.len, stdout);
        putchar('\n');
    }
    free(line);
    normalized_release(&norm);
    return status;
}
