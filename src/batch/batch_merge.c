/* batch_merge.c -- `lyssna batch --merge OUTDIR`: the shards of a run spread over several
 * machines each wrote manifest.shard-I-of-N.jsonl into one folder; this writes the one
 * manifest.jsonl an unsharded run would have written. Shard I took items I-1, I-1+N, ...
 * of the full list, in order, each item's records one after another, so taking one item
 * from each shard in turn gives back the list's order. Nothing is fetched or spoken. */
#include "batch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "batch_manifest.h"

#include "banned.h"

/* A shard's manifest, its lines cut into items (consecutive lines of one source). */
struct shard_lines {
    struct buf text;
    char **lines;
    size_t *item_start; /* index of each item's first line; one more entry at the end */
    size_t nlines, nitems, next;
};

static char *join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = xmalloc(n);

    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

/* The value of "source" in a JSON line, as it stands (escapes and all): enough to tell
 * one item from the next without parsing the line. */
static size_t source_of(const char *line, const char **at)
{
    const char *s = strstr(line, "\"source\":\"");
    size_t n = 0;

    if (!s) {
        *at = "";
        return 0;
    }
    s += 10;
    while (s[n] && s[n] != '"')
        n += s[n] == '\\' && s[n + 1] ? 2 : 1;
    *at = s;
    return n;
}

static int read_shard(const char *path, struct shard_lines *sh, struct err *e)
{
    FILE *f = fopen(path, "r");
    const char *src, *prev = "";
    size_t n, prevn = (size_t)-1;
    char *line, *next;
    int rc;

    if (!f)
        return err_set(e, LY_EIO, "cannot read '%s'", path);
    buf_init(&sh->text, BUF_NOLIMIT);
    rc = buf_read_file(&sh->text, f, path, e);
    fclose(f);
    if (rc)
        return rc;
    for (line = sh->text.data, n = 1; (line = strchr(line, '\n')); line++)
        n++;
    sh->lines = xcalloc(n, sizeof(*sh->lines));
    sh->item_start = xcalloc(n + 1, sizeof(*sh->item_start));
    for (line = sh->text.data; *line; line = next) {
        next = strchr(line, '\n');
        next = next ? next + 1 : line + strlen(line);
        if (*line == '\n')
            continue;
        n = source_of(line, &src);
        if (n != prevn || strncmp(src, prev, n))
            sh->item_start[sh->nitems++] = sh->nlines;
        prev = src;
        prevn = n;
        sh->lines[sh->nlines++] = line;
    }
    sh->item_start[sh->nitems] = sh->nlines;
    return LY_OK;
}

static void release_shard(struct shard_lines *sh)
{
    buf_release(&sh->text);
    free(sh->lines);
    free(sh->item_start);
}

/* The shard count of the folder's shard manifests, checking that each of 1..N finished. */
static int check_shards(const char *outdir, char **names, int *count, struct err *e)
{
    int i, n, part, have = 0, seen[1024] = {0};
    size_t k;

    for (k = 0; names[k]; k++) {
        manifest_shard_of(names[k], &i, &n, &part);
        if (have && n != have)
            return err_set(e, LY_EUSAGE,
                           "'%s' holds shards of %d and of %d: remove the older run's "
                           "manifests",
                           outdir, have, n);
        if (n > 1024)
            return err_set(e, LY_EUSAGE, "'%s': more than 1024 shards", names[k]);
        have = n;
        if (part)
            return err_set(e, LY_EUSAGE,
                           "shard %d of %d has not finished ('%s' is there): "
                           "run it again",
                           i, n, names[k]);
        seen[i - 1] = 1;
    }
    if (!have)
        return err_set(e, LY_EUSAGE, "no shard manifests (manifest.shard-I-of-N.jsonl) in '%s'",
                       outdir);
    for (i = 0; i < have; i++)
        if (!seen[i])
            return err_set(e, LY_EUSAGE,
                           "shard %d of %d is missing: no '%s/"
                           "manifest.shard-%d-of-%d.jsonl'",
                           i + 1, have, outdir, i + 1, have);
    *count = have;
    return LY_OK;
}

/* One item from each shard in turn, into f. */
static int interleave(struct shard_lines *sh, int n, struct outfile *f, size_t *nrecords,
                      struct err *e)
{
    int i, left = 1, rc = LY_OK;
    size_t k;

    while (!rc && left) {
        left = 0;
        for (i = 0; !rc && i < n; i++) {
            struct shard_lines *s = &sh[i];
            if (s->next >= s->nitems)
                continue;
            left = 1;
            for (k = s->item_start[s->next]; !rc && k < s->item_start[s->next + 1]; k++) {
                const char *end = strchr(s->lines[k], '\n');
                size_t len = end ? (size_t)(end - s->lines[k]) : strlen(s->lines[k]);
                rc = outfile_write(f, s->lines[k], len, e) || outfile_write(f, "\n", 1, e);
                ++*nrecords;
            }
            s->next++;
        }
    }
    return rc ? e->code : LY_OK;
}

int batch_merge(const char *outdir, int *nshards, size_t *nrecords, struct err *e)
{
    struct shard_lines *sh = NULL;
    struct outfile f = {.fd = -1};
    char **names = NULL, *path;
    int i, n = 0, rc;

    *nrecords = 0;
    rc = manifest_shards(outdir, &names, e) < 0 ? (int)e->code : check_shards(outdir, names, &n, e);
    if (!rc)
        sh = xcalloc((size_t)n, sizeof(*sh));
    for (i = 0; !rc && i < n; i++) {
        char name[64];
        snprintf(name, sizeof(name), "manifest.shard-%d-of-%d.jsonl", i + 1, n);
        path = join(outdir, name);
        rc = read_shard(path, &sh[i], e);
        free(path);
    }
    path = join(outdir, "manifest.jsonl");
    if (!rc)
        rc = outfile_open(&f, path, e);
    if (!rc)
        rc = interleave(sh, n, &f, nrecords, e);
    if (!rc)
        rc = outfile_commit(&f, e);
    outfile_abort(&f);
    free(path);
    for (i = 0; sh && i < n; i++)
        release_shard(&sh[i]);
    free(sh);
    manifest_shards_free(names);
    *nshards = n;
    return rc ? e->code : LY_OK;
}
