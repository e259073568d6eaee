/* lang.c -- reads voices/languages.tsv once per process into a table of languages, and
 * voices/notices.tsv into the no-voice notice's translations. The files are data a
 * municipality may edit (a name, a voice that espeak-ng gained, a better sentence); a line
 * that does not have its tab-separated fields is skipped. Thread-safe: the service's threads
 * and a worker may ask at any time; the table is filled under a lock and never changed. */
#include "lang.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

#include "banned.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct lang *table;
static size_t ntable;
static int loaded;

struct notice {
    char code[16];
    char text[256];
};

static struct notice *notices;
static size_t nnotices;
static int notices_loaded;

static int copy_field(char *dst, size_t size, const char *src, size_t n)
{
    if (n == 0 || n >= size)
        return 0;
    memcpy(dst, src, n);
    dst[n] = '\0';
    return 1;
}

/* One line "code TAB espeak TAB sv TAB en TAB self" into l; 0 when it is not one. */
static int parse_line(const char *line, struct lang *l)
{
    const char *f[5], *p = line;
    size_t n[5], i;

    for (i = 0; i < 5; i++) {
        f[i] = p;
        n[i] = strcspn(p, i < 4 ? "\t\r\n" : "\r\n");
        p += n[i];
        if (i < 4 && *p++ != '\t')
            return 0;
    }
    if (!copy_field(l->code, sizeof(l->code), f[0], n[0]) ||
        !copy_field(l->espeak, sizeof(l->espeak), f[1], n[1]) ||
        !copy_field(l->name_sv, sizeof(l->name_sv), f[2], n[2]) ||
        !copy_field(l->name_en, sizeof(l->name_en), f[3], n[3]) ||
        !copy_field(l->name_self, sizeof(l->name_self), f[4], n[4]))
        return 0;
    if (!strcmp(l->espeak, "-"))
        l->espeak[0] = '\0';
    return 1;
}

static void load(const char *dir)
{
    char path[4096], line[512];
    size_t cap = 0;
    FILE *f;

    snprintf(path, sizeof(path), "%s/languages.tsv", dir);
    f = fopen(path, "r");
    while (f && fgets(line, sizeof(line), f)) {
        if (line[0] == '#')
            continue;
        if (ntable == cap) {
            cap = cap ? cap * 2 : 64;
            table = xreallocarray(table, cap, sizeof(*table));
        }
        if (parse_line(line, &table[ntable]))
            ntable++;
    }
    if (f)
        fclose(f);
    loaded = 1;
}

size_t lang_all(const char *dir, const struct lang **out)
{
    pthread_mutex_lock(&lock);
    if (!loaded)
        load(dir);
    pthread_mutex_unlock(&lock);
    *out = table;
    return ntable;
}

int lang_find(const char *dir, const char *tag, struct lang *out)
{
    const struct lang *all;
    size_t i, n = lang_all(dir, &all);

    for (i = 0; tag && i < n; i++)
        if (svtext_same_lang(all[i].code, tag)) {
            *out = all[i];
            return 1;
        }
    return 0;
}

static void load_notices(const char *dir)
{
    char path[4096], line[512];
    size_t cap = 0, k;
    FILE *f;

    snprintf(path, sizeof(path), "%s/notices.tsv", dir);
    f = fopen(path, "r");
    while (f && fgets(line, sizeof(line), f)) {
        k = strcspn(line, "\t");
        if (line[0] == '#' || !line[k])
            continue;
        if (nnotices == cap) {
            cap = cap ? cap * 2 : 32;
            notices = xreallocarray(notices, cap, sizeof(*notices));
        }
        if (copy_field(notices[nnotices].code, sizeof(notices->code), line, k) &&
            copy_field(notices[nnotices].text, sizeof(notices->text), line + k + 1,
                       strcspn(line + k + 1, "\r\n")))
            nnotices++;
    }
    if (f)
        fclose(f);
    notices_loaded = 1;
}

int lang_notice(const char *dir, const char *tag, const char *name, char *out, size_t size)
{
    const char *text = NULL, *hole;
    size_t i;

    pthread_mutex_lock(&lock);
    if (!notices_loaded)
        load_notices(dir);
    pthread_mutex_unlock(&lock);
    for (i = 0; tag && !text && i < nnotices; i++)
        if (svtext_same_lang(notices[i].code, tag))
            text = notices[i].text;
    if (!text || ((hole = strstr(text, "%s")) && (!name || !*name)))
        return 0;
    if (hole) /* the sentence is data: never a format */
        snprintf(out, size, "%.*s%s%s", (int)(hole - text), text, name, hole + 2);
    else
        snprintf(out, size, "%s", text);
    return 1;
}

int lang_is_none(const char *tag)
{
    return !tag || !*tag || svtext_same_lang(tag, "und") || svtext_same_lang(tag, "mul") ||
           svtext_same_lang(tag, "zxx") || svtext_same_lang(tag, "x") || svtext_same_lang(tag, "i");
}
