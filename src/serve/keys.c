/* keys.c -- the key file (keys.h) read with inih, and looking a Bearer token up in it. Every
 * value is checked; a mistake names the file and line, and the caller keeps the keys it had
 * (a reload with a broken file changes nothing). No globals: safe from any thread once
 * loaded, as long as nobody frees the keyring under a reader (serve.c keeps old ones). */
#include "keys.h"

#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/base.h"

#include "banned.h"

struct load {
    struct keyring k;
    char why[256];
};

static int name_ok(const char *s)
{
    size_t i, n = strlen(s);

    if (n == 0 || n >= sizeof(((struct api_key *)0)->name))
        return 0;
    for (i = 0; i < n; i++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-", s[i]))
            return 0;
    return 1;
}

static int token_ok(const char *s)
{
    size_t i, n = strlen(s);

    if (n < LYSSNA_KEY_MIN || n >= sizeof(((struct api_key *)0)->key))
        return 0;
    for (i = 0; i < n; i++)
        if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] == 0x7f)
            return 0;
    return 1;
}

/* A whole number from min to max into *out, else the reason in st->why. */
static int number(struct load *st, const char *name, const char *v, int min, int max, int *out)
{
    char *end;
    long n;

    errno = 0;
    n = strtol(v, &end, 10);
    if (errno || end == v || *end || n < min || n > max)
        return snprintf(st->why, sizeof(st->why),
                        "'%s' wants a whole number from %d to %d, not '%s'", name, min, max, v),
               0;
    *out = (int)n;
    return 1;
}

/* The entry for section, added when the section is new (inih gives sections in order). */
static struct api_key *entry_for(struct load *st, const char *section)
{
    struct keyring *k = &st->k;
    size_t i;

    if (k->n > 0 && !strcmp(k->keys[k->n - 1].name, section))
        return &k->keys[k->n - 1];
    for (i = 0; i < k->n; i++)
        if (!strcmp(k->keys[i].name, section)) {
            snprintf(st->why, sizeof(st->why), "key '%s' is given twice", section);
            return NULL;
        }
    if (!name_ok(section)) {
        snprintf(st->why, sizeof(st->why),
                 "'%s' is not a key name (letters, digits, '_', '.', '-')", section);
        return NULL;
    }
    k->keys = xreallocarray(k->keys, k->n + 1, sizeof(*k->keys));
    memset(&k->keys[k->n], 0, sizeof(k->keys[0]));
    snprintf(k->keys[k->n].name, sizeof(k->keys[0].name), "%s", section);
    k->keys[k->n].rate_limit = -1;
    return &k->keys[k->n++];
}

static int set_token(struct load *st, struct api_key *a, const char *v)
{
    size_t i;

    if (!token_ok(v))
        return snprintf(st->why, sizeof(st->why),
                        "the key of '%s' must be %d or more characters without spaces", a->name,
                        LYSSNA_KEY_MIN),
               0;
    for (i = 0; i < st->k.n; i++)
        if (!strcmp(st->k.keys[i].key, v))
            return snprintf(st->why, sizeof(st->why), "'%s' has the key of '%s'", a->name,
                            st->k.keys[i].name),
                   0;
    snprintf(a->key, sizeof(a->key), "%s", v);
    return 1;
}

static int on_key(void *user, const char *section, const char *name, const char *value)
{
    struct load *st = user;
    struct api_key *a = entry_for(st, section);

    if (!a)
        return 0;
    if (!strcmp(name, "key"))
        return set_token(st, a, value);
    if (!strcmp(name, "rate_limit"))
        return number(st, name, value, 0, 1000000, &a->rate_limit);
    if (!strcmp(name, "max_text_bytes"))
        return number(st, name, value, 1, 1 << 20, &a->max_text_bytes);
    if (!strcmp(name, "role")) {
        if (strcmp(value, "editor") && strcmp(value, "api"))
            return snprintf(st->why, sizeof(st->why), "role is 'api' or 'editor', not '%s'", value),
                   0;
        a->editor = !strcmp(value, "editor");
        return 1;
    }
    snprintf(st->why, sizeof(st->why), "unknown setting '%s' in [%s]", name, section);
    return 0;
}

int keys_load(struct keyring *k, const char *path, struct err *e)
{
    struct load st = {{NULL, 0}, ""};
    int line = ini_parse(path, on_key, &st);
    size_t i;
    int rc = LY_OK;

    keys_release(k);
    if (line == -1)
        return err_set(e, LY_EINPUT, "cannot read key file '%s': %s", path, strerror(errno));
    if (line)
        rc = err_set(e, LY_EPARSE, "%s:%d: %s", path, line,
                     st.why[0] ? st.why : "not a 'key = value' line");
    for (i = 0; rc == LY_OK && i < st.k.n; i++)
        if (!st.k.keys[i].key[0])
            rc = err_set(e, LY_EPARSE, "%s: [%s] has no 'key'", path, st.k.keys[i].name);
    if (rc != LY_OK)
        keys_release(&st.k);
    else
        *k = st.k;
    return rc;
}

void keys_release(struct keyring *k)
{
    free(k->keys);
    k->keys = NULL;
    k->n = 0;
}

const char *keys_bearer(const char *authorization)
{
    const char *t;

    if (!authorization || strncasecmp(authorization, "Bearer ", 7) != 0)
        return NULL;
    for (t = authorization + 7; *t == ' '; t++)
        ;
    return *t ? t : NULL;
}

/* Whether a and b are equal, looking at every byte of the longer up to cap whatever differs. */
static int same_token(const char *a, const char *b, size_t cap)
{
    size_t i, la = strnlen(a, cap), lb = strnlen(b, cap);
    unsigned diff = la != lb;

    for (i = 0; i < cap; i++)
        diff |= (unsigned char)(i < la ? a[i] : 0) ^ (unsigned char)(i < lb ? b[i] : 0);
    return diff == 0;
}

const struct api_key *keys_find(const struct keyring *k, const char *token)
{
    const struct api_key *found = NULL;
    size_t i;

    if (!token)
        return NULL;
    for (i = 0; i < k->n; i++)
        if (same_token(k->keys[i].key, token, sizeof(k->keys[i].key)))
            found = &k->keys[i];
    return found;
}
