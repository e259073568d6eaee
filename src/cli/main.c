/* main.c -- `lyssna COMMAND [ARGS]`: looks COMMAND up in a table and runs it (git's shape). */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "cmd.h"
#include "extract/extract.h"
#include "speech/speech.h"

#include "banned.h"

static int cmd_worker(int argc, char **argv);

static const struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} commands[] = {
    {"serve", cmd_serve, "run the HTTP service"},
    {"speak", cmd_speak, "speak text, SSML or an HTML page as audio"},
    {"extract", cmd_extract, "print the readable text of an HTML page"},
    {"normalize", cmd_normalize, "print text as it will be spoken, line by line"},
    {"batch", cmd_batch, "make audio files of a whole site or folder, with a manifest"},
    {"lexicon", cmd_lexicon, "add, import, export or list the editors' pronunciations"},
    {"worker", cmd_worker, NULL}, /* internal: a synthesis worker the pool starts */
};

static void usage(FILE *f)
{
    size_t i;

    fprintf(f, "usage: lyssna COMMAND [OPTIONS]\n\ncommands:\n");
    for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (commands[i].summary)
            fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\n'lyssna COMMAND --help' shows a command's options.\n");
}

static int cmd_worker(int argc, char **argv)
{
    (void)argv;
    if (argc != 1) {
        fprintf(stderr, "lyssna: 'worker' is started by the service, not by hand\n");
        return 2;
    }
    return pool_worker_main(STDIN_FILENO);
}

int cmd_fail(const struct err *e)
{
    fprintf(stderr, "lyssna: %s\n", e->msg[0] ? e->msg : err_name(e->code));
    return err_exit_code(e->code);
}

const char *cmd_exe(void)
{
    static char exe[PATH_MAX];
    ssize_t n;

    if (!exe[0] && (n = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) > 0)
        exe[n] = '\0';
    return exe[0] ? exe : NULL;
}

int main(int argc, char **argv)
{
    size_t i;

    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "lyssna: unknown command '%s' (see 'lyssna --help')\n", argv[1]);
    return 2;
}
