/* err.h -- the error codes every stage returns, and a caller-owned message buffer. */
#ifndef LYSSNA_ERR_H
#define LYSSNA_ERR_H

/* Each code means one thing; cmd_* map them to exit codes and serve.c to HTTP status. */
enum lyssna_code {
    LY_OK = 0,
    LY_EUSAGE,   /* bad option, unknown format, out-of-range value */
    LY_EVOICE,   /* no voice profile of that name */
    LY_EINPUT,   /* input cannot be read (missing file, permission) */
    LY_EEMPTY,   /* input holds nothing to say */
    LY_EUTF8,    /* input is not valid UTF-8 */
    LY_ETOOBIG,  /* input or output over its cap */
    LY_EPARSE,   /* malformed HTML, SSML, config or data file */
    LY_ESYNTH,   /* espeak-ng failed */
    LY_EENCODE,  /* libsndfile or libsoxr failed */
    LY_EIO,      /* writing the output failed */
    LY_ECANCEL,  /* stopped on request (signal, client gone) */
    LY_EFETCH,   /* network failure fetching a page */
    LY_EHTTP,    /* origin answered with an error status */
    LY_EDENIED,  /* host not allowed, or an address that must not be reached */
    LY_ETIMEOUT, /* an origin or a worker did not answer in time */
    LY_EBUSY,    /* every worker is busy */
    LY_ECODE_MAX /* keep last */
};

struct err {
    enum lyssna_code code;
    char msg[256];
};

/* Records code and message in e (which may be NULL) and returns code, so callers
 * can write `return err_set(e, LY_EIO, "cannot write '%s'", path);`. */
int err_set(struct err *e, enum lyssna_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The process exit code for a failure: 2 for usage, a distinct code per input problem, 1 else. */
int err_exit_code(enum lyssna_code code);

/* A short stable name for the code ("too_big"), used in JSON error bodies and logs. */
const char *err_name(enum lyssna_code code);

#endif
