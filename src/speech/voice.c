/* voice.c -- reads voice profiles (voices/NAME.ini, parsed with inih) into struct voice.
 * A profile is data a municipality may edit: every key is checked and an unknown key or a
 * bad value is reported with file and line, never guessed at. No espeak-ng calls here. */
#include "voice.h"

#include <dirent.h>
#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "cache/cache.h"
#include "lang.h"

#include "banned.h"

struct parse_state {
    struct voice *v;
    char problem[160];
};

static int copy_field(char *dst, size_t size, const char *value)
{
    size_t n = strlen(value);

    if (n == 0 || n >= size)
        return 0;
    memcpy(dst, value, n + 1);
    return 1;
}

static int parse_int(const char *value, int lo, int hi, int *out)
{
    char *end;
    long n;

    errno = 0;
    n = strtol(value, &end, 10);
    if (errno || end == value || *end || n < lo || n > hi)
        return 0;
    *out = (int)n;
    return 1;
}

static int on_key(void *user, const char *section, const char *key, const char *value)
{
    struct parse_state *st = user;
    struct voice *v = st->v;
    int ok;

    if (strcmp(section, "voice")) {
        snprintf(st->problem, sizeof(st->problem), "unknown section [%s]", section);
        return 0;
    }
    if (!strcmp(key, "description"))
        ok = copy_field(v->description, sizeof(v->description), value);
    else if (!strcmp(key, "lang"))
        ok = copy_field(v->lang, sizeof(v->lang), value);
    else if (!strcmp(key, "espeak"))
        ok = copy_field(v->espeak, sizeof(v->espeak), value);
    else if (!strcmp(key, "rate"))
        ok = parse_int(value, LYSSNA_RATE_MIN, LYSSNA_RATE_MAX, &v->rate);
    else if (!strcmp(key, "pitch"))
        ok = parse_int(value, 0, 100, &v->pitch);
    else if (!strcmp(key, "range"))
        ok = parse_int(value, 0, 100, &v->range);
    else if (!strcmp(key, "wordgap"))
        ok = parse_int(value, 0, 100, &v->wordgap);
    else {
        snprintf(st->problem, sizeof(st->problem), "unknown key '%s'", key);
        return 0;
    }
    if (!ok)
        snprintf(st->problem, sizeof(st->problem), "bad value '%s' for '%s'", value, key);
    return ok;
}

static int valid_name(const char *name)
{
    size_t i, n = strlen(name);

    if (n == 0 || n >= sizeof(((struct voice *)0)->name))
        return 0;
    for (i = 0; i < n; i++)
        if (!strchr("abcdefghijklmnopqrstuvwxyz0123456789-_", name[i]))
            return 0;
    return 1;
}

/* A language of languages.tsv with an espeak-ng voice is a voice of its own, at the
 * default pace: "fi" reads Finnish without a voices/fi.ini. */
static int language_voice(const char *dir, const char *name, struct voice *v)
{
    struct lang l;

    if (!lang_find(dir, name, &l) || !l.espeak[0] || strcmp(l.code, name))
        return 0;
    snprintf(v->description, sizeof(v->description), "%s", l.name_self);
    snprintf(v->lang, sizeof(v->lang), "%s", l.code);
    snprintf(v->espeak, sizeof(v->espeak), "%s", l.espeak);
    return 1;
}

int voice_load(const char *dir, const char *name, struct voice *v, struct err *e)
{
    struct parse_state st = {.v = v};
    char path[PATH_MAX];
    int line;

    if (!valid_name(name))
        return err_set(e, LY_EVOICE, "unknown voice '%.64s' (see 'lyssna speak --list-voices')",
                       name);
    snprintf(path, sizeof(path), "%s/%s.ini", dir, name);
    memset(v, 0, sizeof(*v));
    memcpy(v->name, name, strlen(name) + 1);
    v->rate = 170;
    v->pitch = v->range = 50;
    line = ini_parse(path, on_key, &st);
    if (line == -1 && language_voice(dir, name, v))
        return LY_OK;
    if (line == -1)
        return err_set(e, LY_EVOICE, "unknown voice '%s' (no %s, no such language in %s/%s)", name,
                       path, dir, "languages.tsv");
    if (line != 0)
        return err_set(e, LY_EPARSE, "%s:%d: %s", path, line,
                       st.problem[0] ? st.problem : "not a key = value line");
    if (!v->espeak[0] || !v->lang[0])
        return err_set(e, LY_EPARSE, "%s: 'espeak' and 'lang' are required", path);
    if (!v->description[0])
        memcpy(v->description, v->name, sizeof(v->name));
    return LY_OK;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const struct voice *)a)->name, ((const struct voice *)b)->name);
}

int voice_list(const char *dir, struct voice *out, int max, struct err *e)
{
    struct dirent *d;
    DIR *dh = opendir(dir);
    int n = 0;

    if (!dh)
        return -err_set(e, LY_EINPUT, "cannot read voice folder '%s'", dir);
    while ((d = readdir(dh)) && n < max) {
        char stem[64];
        size_t len = strlen(d->d_name);

        if (len < 5 || len - 4 >= sizeof(stem) || strcmp(d->d_name + len - 4, ".ini"))
            continue;
        memcpy(stem, d->d_name, len - 4);
        stem[len - 4] = '\0';
        if (voice_load(dir, stem, &out[n], NULL) == LY_OK)
            n++;
    }
    closedir(dh);
    qsort(out, (size_t)n, sizeof(*out), by_name);
    return n;
}

int voice_check_rate(int rate, struct err *e)
{
    if (rate < LYSSNA_RATE_MIN || rate > LYSSNA_RATE_MAX)
        return err_set(e, LY_EUSAGE, "rate %d is outside %d-%d words per minute", rate,
                       LYSSNA_RATE_MIN, LYSSNA_RATE_MAX);
    return LY_OK;
}

static int is_dir(const char *path)
{
    DIR *d = opendir(path);

    if (!d)
        return 0;
    closedir(d);
    return 1;
}

const char *voice_dir(void)
{
    static char found[PATH_MAX];
    const char *env = getenv("LYSSNA_VOICES");
    char exe[PATH_MAX - 32]; /* room for the suffixes below */
    ssize_t n;
    char *slash;

    if (env && *env)
        return env;
    if (found[0])
        return found;
    n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n > 0) {
        exe[n] = '\0';
        slash = strrchr(exe, '/');
        if (slash)
            *slash = '\0';
        snprintf(found, sizeof(found), "%s/voices", exe);
        if (is_dir(found))
            return found;
        /* the sanitizer build, build/asan/lyssna, sits two folders below voices/ */
        snprintf(found, sizeof(found), "%s/../../voices", exe);
        if (is_dir(found))
            return found;
        /* installed as PREFIX/bin/lyssna, whatever PREFIX it was built with */
        snprintf(found, sizeof(found), "%s/../share/lyssna/voices", exe);
        if (is_dir(found))
            return found;
    }
    snprintf(found, sizeof(found), "%s/voices", LYSSNA_DATADIR);
    return found;
}

/* The program's own part of the data version: raise it when the code changes what is said
 * (a normalization rule, the marks), so that audio cached before is not served. */
#define LYSSNA_ENGINE "lyssna-3"

static int ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), k = strlen(tail);

    return n > k && !strcmp(s + n - k, tail);
}

/* Appends the name, size and bytes of every file in dir/sub ending in ext, by name. */
static void add_files(struct buf *all, const char *dir, const char *sub, const char *ext)
{
    struct dirent **names = NULL;
    char path[PATH_MAX];
    int i, n;

    snprintf(path, sizeof(path), "%s%s%s", dir, sub[0] ? "/" : "", sub);
    n = scandir(path, &names, NULL, alphasort);
    for (i = 0; i < n; i++) {
        FILE *f;
        struct buf b;
        if (names[i]->d_name[0] != '.' && ends_with(names[i]->d_name, ext)) {
            snprintf(path, sizeof(path), "%s/%s%s%s", dir, sub, sub[0] ? "/" : "",
                     names[i]->d_name);
            buf_init(&b, BUF_NOLIMIT);
            if ((f = fopen(path, "rb"))) {
                buf_read_file(&b, f, path, NULL);
                fclose(f);
            }
            buf_addf(all, NULL, "%s/%s%c%zu%c", sub, names[i]->d_name, 0, b.len, 0);
            buf_add(all, b.data, b.len, NULL);
            buf_release(&b);
        }
        free(names[i]);
    }
    free(names);
}

void voice_data_version(const char *dir, char out[65])
{
    struct dirent **subs = NULL;
    struct buf all;
    char path[PATH_MAX];
    int i, n;

    buf_init(&all, BUF_NOLIMIT);
    add_files(&all, dir, "", ".ini");
    add_files(&all, dir, "", ".tsv"); /* languages.tsv: which voice reads which language */
    n = scandir(dir, &subs, NULL, alphasort);
    for (i = 0; i < n; i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, subs[i]->d_name);
        if (subs[i]->d_name[0] != '.' && is_dir(path))
            add_files(&all, dir, subs[i]->d_name, ".tsv");
        free(subs[i]);
    }
    free(subs);
    {
        const char *parts[] = {LYSSNA_ENGINE, all.data ? all.data : ""};
        const size_t lens[] = {strlen(LYSSNA_ENGINE), all.len};
        cache_key(parts, lens, 2, out);
    }
    buf_release(&all);
}
