/* cmd_serve.c -- `lyssna serve [--config FILE] [--SETTING VALUE ...]`: settings from the
 * embedded defaults, then the config file, then flags; then the service runs until SIGTERM. */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "cmd.h"
#include "serve/serve.h"

#include "banned.h"

static void usage(void)
{
    puts("usage: lyssna serve [--config FILE] [--SETTING VALUE ...]\n"
         "  --config FILE        read settings from FILE (see config/lyssna.conf)\n"
         "  --help               this text\n"
         "settings (flags win over the file):");
    config_print_help();
}

/* --name VALUE, --name=VALUE, or --name alone for a true/false setting. */
static int apply_flags(struct config *cfg, int argc, char **argv, struct err *e)
{
    char name[64];
    const char *a, *eq, *value;
    int i, rc;

    for (i = 1; i < argc; i++) {
        a = argv[i];
        if (strncmp(a, "--", 2) || strlen(a) >= sizeof(name) + 2)
            return err_set(e, LY_EUSAGE, "unexpected argument '%.100s' (see --help)", a);
        eq = strchr(a, '=');
        snprintf(name, sizeof(name), "%.*s", (int)(eq ? eq - a - 2 : (long)strlen(a) - 2), a + 2);
        if (!strcmp(name, "config")) {
            i += !eq;
            continue; /* read before the flags */
        }
        if (eq)
            value = eq + 1;
        else if (config_flag_is_bool(name) == 1)
            value = "true";
        else if (i + 1 < argc)
            value = argv[++i];
        else
            return err_set(e, LY_EUSAGE, "--%s needs a value", name);
        rc = config_set_flag(cfg, name, value, e);
        if (rc)
            return rc;
    }
    return LY_OK;
}

static const char *config_path(int argc, char **argv)
{
    int i;

    for (i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--config") && i + 1 < argc)
            return argv[i + 1];
        if (!strncmp(argv[i], "--config=", 9))
            return argv[i] + 9;
    }
    return NULL;
}

struct args {
    int argc;
    char **argv;
};

/* The settings: embedded defaults, then the config file, then the flags. */
static int load(void *ctx, struct config *cfg, struct err *e)
{
    const struct args *a = ctx;
    const char *path = config_path(a->argc, a->argv);

    config_init(cfg);
    if (path && config_load(cfg, path, e))
        return e->code;
    return apply_flags(cfg, a->argc, a->argv, e);
}

/* Start-up failures: 2 for a configuration problem (nothing was started), 1 otherwise. */
static int start_failed(const struct err *e)
{
    cmd_fail(e);
    return e->code == LY_EUSAGE || e->code == LY_EPARSE || e->code == LY_EINPUT ? 2 : 1;
}

int cmd_serve(int argc, char **argv)
{
    struct config cfg;
    struct err e = {0};
    struct args a = {argc, argv};
    struct serve_reload how = {load, &a};
    char exe[PATH_MAX];
    ssize_t n;
    int i;

    for (i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage();
            return 0;
        }
    if (load(&a, &cfg, &e))
        return start_failed(&e);
    n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n <= 0) {
        err_set(&e, LY_EIO, "cannot find the lyssna binary");
        return start_failed(&e);
    }
    exe[n] = '\0';
    return serve_run(&cfg, &how, exe, &e) ? start_failed(&e) : 0;
}
