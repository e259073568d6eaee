/* fuzz_config.c -- the config file (config.c): any bytes as lyssna.conf, read by config_load
 * from a temporary file; then each "key=value" line of it as a command-line flag. */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "serve/serve.h"

#include "banned.h"

static char path[64];

static void remove_file(void)
{
    unlink(path);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    int fd;

    (void)argc, (void)argv;
    /* tmpfs: a disk-backed /tmp is six times slower */
    snprintf(path, sizeof(path), "/dev/shm/lyssna-fuzz-config-XXXXXX");
    fd = mkstemp(path);
    fuzz_check(fd >= 0, "a temporary file");
    close(fd);
    atexit(remove_file);
    return 0;
}

/* Each line "flag=value" given to config_set_flag, as cmd_serve does with --flag value. */
static void flags(struct config *c, const char *s)
{
    struct err e = {0};
    char *copy = xstrdup(s), *line = copy, *next, *eq;

    for (; line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        eq = strchr(line, '=');
        if (eq) {
            *eq = '\0';
            config_set_flag(c, line, eq + 1, &e);
        } else {
            config_flag_is_bool(line);
        }
    }
    free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct config c;
    struct err e = {0};
    FILE *f = fopen(path, "wb");
    char *s;

    fuzz_check(f && fwrite(data, 1, size, f) == size && !fclose(f), "writing the config");
    config_init(&c);
    config_load(&c, path, &e);
    fuzz_check(memchr(c.listen, '\0', sizeof(c.listen)) &&
                   memchr(c.allow_hosts, '\0', sizeof(c.allow_hosts)),
               "strings stay terminated");
    s = xstrndup((const char *)data, size);
    flags(&c, s);
    free(s);
    return 0;
}
