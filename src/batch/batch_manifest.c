/* batch_manifest.c -- the batch manifest with jansson. The .part journal is written with
 * one write(2) per line on an O_APPEND descriptor, so a killed run leaves whole lines and
 * at worst one torn last line, which the next run skips. A shard of a run writes its own
 * manifest.shard-I-of-N.jsonl, so that shards on several machines share one folder; every
 * run reads all the folder's manifests, whichever machine or shard count wrote them. */
#include "batch_manifest.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"

#include "banned.h"

struct manifest {
    char *path, *part;
    json_t *prev; /* output -> the previous run's record */
    json_t **now; /* per item: an array of this run's records, or NULL */
    size_t nitems;
    int fd; /* the .part, appended to */
    pthread_mutex_t lock;
};

static void load_lines(json_t *prev, const char *path)
{
    FILE *f = fopen(path, "r");
    struct buf b;
    char *line, *next;
    json_t *rec;

    if (!f)
        return;
    buf_init(&b, BUF_NOLIMIT);
    buf_read_file(&b, f, path, NULL);
    fclose(f);
    for (line = b.data; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        rec = json_loads(line, 0, NULL);
        if (json_is_object(rec) && json_is_string(json_object_get(rec, "output")))
            json_object_set(prev, json_string_value(json_object_get(rec, "output")), rec);
        json_decref(rec);
    }
    buf_release(&b);
}

static char *join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = xmalloc(n);

    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

int manifest_shard_of(const char *name, int *shard, int *nshards, int *part)
{
    int i, n, len = 0;

    if (sscanf(name, "manifest.shard-%d-of-%d.jsonl%n", &i, &n, &len) != 2 || len == 0 || i < 1 ||
        i > n)
        return 0;
    if (strcmp(name + len, "") && strcmp(name + len, ".part"))
        return 0;
    *shard = i;
    *nshards = n;
    *part = name[len] != '\0';
    return 1;
}

static int is_shard_file(const struct dirent *d)
{
    int i, n, part;

    return manifest_shard_of(d->d_name, &i, &n, &part);
}

int manifest_shards(const char *outdir, char ***names, struct err *e)
{
    struct dirent **list = NULL;
    int i, n = scandir(outdir, &list, is_shard_file, alphasort);

    if (n < 0)
        return -err_set(e, LY_EIO, "cannot read '%s': %s", outdir, strerror(errno));
    *names = xcalloc((size_t)n + 1, sizeof(**names));
    for (i = 0; i < n; i++) {
        (*names)[i] = xstrdup(list[i]->d_name);
        free(list[i]);
    }
    free(list);
    return n;
}

void manifest_shards_free(char **names)
{
    size_t i;

    for (i = 0; names && names[i]; i++)
        free(names[i]);
    free(names);
}

/* The records of every manifest in outdir: the whole run's, then each shard's (journals
 * after their manifests), then this run's own, so that its own records win. */
static void load_all(struct manifest *m, const char *outdir)
{
    struct err e = {0};
    char **names = NULL, *p;
    size_t i;

    p = join(outdir, "manifest.jsonl");
    load_lines(m->prev, p);
    free(p);
    if (manifest_shards(outdir, &names, &e) > 0)
        for (i = 0; names[i]; i++) {
            p = join(outdir, names[i]);
            load_lines(m->prev, p);
            free(p);
        }
    manifest_shards_free(names);
    load_lines(m->prev, m->path);
    load_lines(m->prev, m->part);
}

struct manifest *manifest_open(const char *outdir, int shard, int nshards, size_t nitems,
                               struct err *e)
{
    struct manifest *m = xcalloc(1, sizeof(*m));
    char name[64];

    if (nshards > 1)
        snprintf(name, sizeof(name), "manifest.shard-%d-of-%d.jsonl", shard, nshards);
    else
        snprintf(name, sizeof(name), "manifest.jsonl");
    m->path = join(outdir, name);
    m->part = xmalloc(strlen(m->path) + 6);
    snprintf(m->part, strlen(m->path) + 6, "%s.part", m->path);
    m->prev = json_object();
    load_all(m, outdir);
    m->nitems = nitems;
    m->now = xcalloc(nitems ? nitems : 1, sizeof(*m->now));
    pthread_mutex_init(&m->lock, NULL);
    m->fd = open(m->part, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (m->fd < 0) {
        err_set(e, LY_EIO, "cannot write '%s': %s", m->part, strerror(errno));
        manifest_free(m);
        return NULL;
    }
    return m;
}

void manifest_free(struct manifest *m)
{
    size_t i;

    if (!m)
        return;
    if (m->fd >= 0)
        close(m->fd);
    for (i = 0; i < m->nitems; i++)
        json_decref(m->now[i]);
    free(m->now);
    json_decref(m->prev);
    pthread_mutex_destroy(&m->lock);
    free(m->path);
    free(m->part);
    free(m);
}

static const char *str(const json_t *rec, const char *k)
{
    return json_string_value(json_object_get(rec, k));
}

int manifest_previous(struct manifest *m, const char *output, struct batch_record *out)
{
    json_t *rec = json_object_get(m->prev, output);

    if (!rec)
        return 0;
    memset(out, 0, sizeof(*out));
    out->source = str(rec, "source");
    out->title = str(rec, "title");
    out->lang = str(rec, "lang");
    out->output = str(rec, "output");
    out->format = str(rec, "format");
    out->status = str(rec, "status");
    out->error = str(rec, "error");
    out->marks = str(rec, "marks");
    out->duration = json_number_value(json_object_get(rec, "duration"));
    out->bytes = (uint64_t)json_integer_value(json_object_get(rec, "bytes"));
    snprintf(out->sha256, sizeof(out->sha256), "%s", str(rec, "sha256") ? str(rec, "sha256") : "");
    snprintf(out->key, sizeof(out->key), "%s", str(rec, "key") ? str(rec, "key") : "");
    return out->status != NULL;
}

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *to_json(const struct batch_record *r)
{
    json_t *o = json_object();

    json_object_set_new(o, "source", json_string(r->source));
    json_object_set_new(o, "title", str_or_null(r->title));
    json_object_set_new(o, "lang", str_or_null(r->lang));
    json_object_set_new(o, "output", json_string(r->output));
    json_object_set_new(o, "format", json_string(r->format));
    json_object_set_new(o, "duration", json_real((double)(long long)(r->duration * 1000) / 1000));
    json_object_set_new(o, "bytes", json_integer((json_int_t)r->bytes));
    json_object_set_new(o, "sha256", r->sha256[0] ? json_string(r->sha256) : json_null());
    json_object_set_new(o, "status", json_string(r->status));
    json_object_set_new(o, "error", str_or_null(r->error));
    json_object_set_new(o, "marks", str_or_null(r->marks));
    json_object_set_new(o, "key", r->key[0] ? json_string(r->key) : json_null());
    return o;
}

static void add_json(struct manifest *m, size_t item, json_t *rec)
{
    char *line = json_dumps(rec, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
    struct buf b;

    pthread_mutex_lock(&m->lock);
    if (!m->now[item])
        m->now[item] = json_array();
    json_array_append(m->now[item], rec);
    if (line) {
        buf_init(&b, BUF_NOLIMIT);
        buf_addf(&b, NULL, "%s\n", line);
        if (write_all(m->fd, b.data, b.len))
            fprintf(stderr, "lyssna: cannot write '%s': %s\n", m->part, strerror(errno));
        buf_release(&b);
    }
    pthread_mutex_unlock(&m->lock);
    free(line);
}

void manifest_add(struct manifest *m, size_t item, const struct batch_record *r)
{
    json_t *rec = to_json(r);

    add_json(m, item, rec);
    json_decref(rec);
}

void manifest_keep(struct manifest *m, size_t item, const char *output)
{
    json_t *rec = json_object_get(m->prev, output);
    size_t k;

    if (!rec || item >= m->nitems)
        return;
    pthread_mutex_lock(&m->lock);
    for (k = 0; k < json_array_size(m->now[item]); k++)
        if (!strcmp(str(json_array_get(m->now[item], k), "output"), output))
            break;
    if (!m->now[item])
        m->now[item] = json_array();
    if (k == json_array_size(m->now[item]))
        json_array_append(m->now[item], rec);
    pthread_mutex_unlock(&m->lock);
}

int manifest_commit(struct manifest *m, struct err *e)
{
    struct outfile f;
    size_t i, k;
    char *line;
    int rc = outfile_open(&f, m->path, e);

    for (i = 0; !rc && i < m->nitems; i++)
        for (k = 0; !rc && k < json_array_size(m->now[i]); k++) {
            line = json_dumps(json_array_get(m->now[i], k),
                              JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
            rc = outfile_write(&f, line, strlen(line), e) || outfile_write(&f, "\n", 1, e);
            free(line);
        }
    if (!rc)
        rc = outfile_commit(&f, e);
    outfile_abort(&f);
    if (!rc)
        unlink(m->part);
    return rc ? e->code : LY_OK;
}
