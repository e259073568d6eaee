/* keys.h -- API keys for callers who are not the listen button (a CMS, a home-automation
 * box): an optional key file, one [NAME] section per key, each with its own rate limit and
 * text cap. The name is what logs and /metrics show; the key itself is never shown. */
#ifndef LYSSNA_KEYS_H
#define LYSSNA_KEYS_H

#include <stddef.h>

struct err;

#define LYSSNA_KEY_MIN 16 /* shortest key accepted: guessing must not pay */

struct api_key {
    char name[64];      /* [A-Za-z0-9_.-], safe as a Prometheus label value */
    char key[256];      /* the Bearer token */
    int rate_limit;     /* requests per minute; 0: no limit; -1: the public limit */
    int max_text_bytes; /* 0: the public cap */
    int editor;         /* role = editor: may change the lexicon */
};

struct keyring {
    struct api_key *keys;
    size_t n;
};

/* Reads the key file at path into k (empty first). Each section is a key's name, with
 * `key = TOKEN` (required, at least LYSSNA_KEY_MIN bytes, no white space), and optional
 * `rate_limit`, `max_text_bytes` and `role` (api, the default, or editor). LY_EPARSE "FILE:LINE:
 * reason" for an unknown setting, a bad value, a name or key given twice, a section without a key;
 * LY_EINPUT when the file cannot be read. On failure k is left empty. */
int keys_load(struct keyring *k, const char *path, struct err *e);
void keys_release(struct keyring *k); /* a zeroed or released keyring is fine */

/* The token of an "Authorization: Bearer TOKEN" value (the scheme in any case), or NULL when
 * value is NULL or not a Bearer credential. */
const char *keys_bearer(const char *authorization);

/* The key whose token is token, or NULL. Compares in time that does not depend on where a
 * guess goes wrong. */
const struct api_key *keys_find(const struct keyring *k, const char *token);

#endif
