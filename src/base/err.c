/* err.c -- error codes to messages, names and exit codes. */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>

int err_set(struct err *e, enum lyssna_code code, const char *fmt, ...)
{
    va_list ap;

    if (!e)
        return code;
    e->code = code;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
    va_end(ap);
    return code;
}

static const struct {
    const char *name;
    int exit_code;
} codes[LY_ECODE_MAX] = {
    [LY_OK] = {"ok", 0},
    [LY_EUSAGE] = {"bad_request", 2},
    [LY_EVOICE] = {"unknown_voice", 3},
    [LY_EINPUT] = {"unreadable_input", 4},
    [LY_EEMPTY] = {"empty_input", 5},
    [LY_EUTF8] = {"invalid_utf8", 6},
    [LY_ETOOBIG] = {"too_big", 7},
    [LY_EPARSE] = {"parse_error", 8},
    [LY_ESYNTH] = {"synthesis_failed", 1},
    [LY_EENCODE] = {"encoding_failed", 1},
    [LY_EIO] = {"io_error", 1},
    [LY_ECANCEL] = {"cancelled", 130},
    [LY_EFETCH] = {"fetch_failed", 1},
    [LY_EHTTP] = {"origin_error", 1},
    [LY_EDENIED] = {"forbidden", 9},
    [LY_ETIMEOUT] = {"origin_timeout", 10},
    [LY_EBUSY] = {"busy", 11},
};

int err_exit_code(enum lyssna_code code)
{
    if ((int)code < 0 || code >= LY_ECODE_MAX)
        return 1;
    return codes[code].exit_code;
}

const char *err_name(enum lyssna_code code)
{
    if ((int)code < 0 || code >= LY_ECODE_MAX)
        return "internal_error";
    return codes[code].name;
}
