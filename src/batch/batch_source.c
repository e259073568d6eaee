/* batch_source.c -- the command line's sources to a list of batch items: URL lists,
 * sitemaps (fetched politely through crawl.c, or read from disk; indexes followed) and
 * folders of files. Runs before any worker starts, from one thread. Sitemaps that fail are
 * kept as failed items so that the manifest and the summary show them. */
#include "batch.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "base/base.h"
#include "batch_name.h"
#include "fetch/fetch.h"

#include "banned.h"

#define LYSSNA_SITEMAP_DEPTH 4
#define LYSSNA_FOLDER_DEPTH  16
#define LYSSNA_LIST_MAX      (64u << 20)

static struct batch_item *add_item(struct batch_list *l, const char *source, enum batch_kind k)
{
    struct batch_item *it;

    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->v = xreallocarray(l->v, l->cap, sizeof(*l->v));
    }
    it = &l->v[l->n++];
    memset(it, 0, sizeof(*it));
    it->source = xstrdup(source);
    it->kind = k;
    return it;
}

static void allow_host_of(struct crawl *c, const char *url)
{
    char *host = NULL;

    if (fetch_url_split(url, &host, NULL, NULL, NULL) == LY_OK)
        crawl_allow_host(c, host);
    free(host);
}

static int read_file(const char *path, size_t max, struct buf *b, struct err *e)
{
    FILE *f = fopen(path, "rb");
    int rc;

    buf_init(b, max);
    if (!f)
        return err_set(e, LY_EINPUT, "cannot read '%s': %s", path, strerror(errno));
    rc = buf_read_file(b, f, path, e);
    fclose(f);
    return rc;
}

static void add_sitemap(struct batch_list *l, struct crawl *c, const char *url, int depth);

/* The locs of a parsed sitemap: pages become items, an index's sitemaps are followed. */
static void add_locs(struct batch_list *l, struct crawl *c, const struct sitemap *sm, int depth,
                     int trusted)
{
    size_t i;

    for (i = 0; i < sm->n; i++) {
        if (trusted)
            allow_host_of(c, sm->locs[i]);
        if (sm->is_index)
            add_sitemap(l, c, sm->locs[i], depth + 1);
        else
            add_item(l, sm->locs[i], BATCH_URL);
    }
}

static void add_sitemap(struct batch_list *l, struct crawl *c, const char *url, int depth)
{
    struct fetch_result r;
    struct sitemap sm;
    struct err e = {0};
    int rc;

    if (depth > LYSSNA_SITEMAP_DEPTH) {
        err_set(&e, LY_EPARSE, "sitemap '%.100s' is nested over %d deep", url,
                LYSSNA_SITEMAP_DEPTH);
        rc = e.code;
    } else {
        rc = crawl_get(c, url, 0, &r, NULL, &e);
        if (!rc)
            rc = sitemap_parse(r.body.data, r.body.len, &sm, &e);
        fetch_result_release(&r);
    }
    if (rc) {
        add_item(l, url, BATCH_URL)->error = xstrdup(e.msg);
        return;
    }
    add_locs(l, c, &sm, depth, 0);
    sitemap_release(&sm);
}

/* A local file: a sitemap when it looks like one, else one URL a line with '#' comments. */
static int add_file_source(struct batch_list *l, struct crawl *c, const char *path, struct err *e)
{
    struct sitemap sm;
    struct buf b;
    char *line, *next, *hash;
    int rc = read_file(path, LYSSNA_LIST_MAX, &b, e);

    if (!rc && sitemap_sniff(b.data, b.len)) {
        rc = sitemap_parse(b.data, b.len, &sm, e);
        if (!rc) {
            add_locs(l, c, &sm, 1, 1);
            sitemap_release(&sm);
        } else {
            add_item(l, path, BATCH_URL)->error = xstrdup(e->msg);
            rc = LY_OK;
        }
    } else if (!rc) {
        for (line = b.data; line && *line; line = next) {
            next = strchr(line, '\n');
            if (next)
                *next++ = '\0';
            hash = strchr(line, '#');
            if (hash)
                *hash = '\0';
            line += strspn(line, " \t\r");
            line[strcspn(line, " \t\r")] = '\0';
            if (!*line)
                continue;
            allow_host_of(c, line);
            add_item(l, line, BATCH_URL);
        }
    }
    buf_release(&b);
    return rc;
}

static int kind_of_file(const char *name, enum batch_kind *k)
{
    const char *dot = strrchr(name, '.');

    if (!dot)
        return 0;
    if (!strcasecmp(dot, ".html") || !strcasecmp(dot, ".htm"))
        *k = BATCH_HTML;
    else if (!strcasecmp(dot, ".txt"))
        *k = BATCH_TEXT;
    else if (!strcasecmp(dot, ".ssml"))
        *k = BATCH_SSML;
    else if (!strcasecmp(dot, ".pdf") || !strcasecmp(dot, ".docx") || !strcasecmp(dot, ".odt"))
        *k = BATCH_DOC; /* read by content: the name only picks the files */
    else
        return 0;
    return 1;
}

static int by_string(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The folder's files of known kinds, sorted, and its subfolders' in turn. */
static void add_folder(struct batch_list *l, const char *dir, int depth)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    struct stat st;
    char **names = NULL, *path;
    size_t n = 0, cap = 0, i, len;
    enum batch_kind k;

    if (!d)
        return;
    while ((de = readdir(d)))
        if (de->d_name[0] != '.') {
            if (n == cap) {
                cap = cap ? cap * 2 : 32;
                names = xreallocarray(names, cap, sizeof(*names));
            }
            names[n++] = xstrdup(de->d_name);
        }
    closedir(d);
    qsort(names, n, sizeof(*names), by_string);
    for (i = 0; i < n; i++) {
        len = strlen(dir) + strlen(names[i]) + 2;
        path = xmalloc(len);
        snprintf(path, len, "%s/%s", dir, names[i]);
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode) && depth < LYSSNA_FOLDER_DEPTH)
            add_folder(l, path, depth + 1);
        else if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && kind_of_file(names[i], &k))
            add_item(l, path, k);
        free(path);
        free(names[i]);
    }
    free(names);
}

static int add_source(struct batch_list *l, struct crawl *c, const char *src, struct err *e)
{
    struct stat st;
    size_t first = l->n, i, skip;
    char *dir;

    if (!strncasecmp(src, "http://", 7) || !strncasecmp(src, "https://", 8)) {
        allow_host_of(c, src);
        add_sitemap(l, c, src, 1);
        return LY_OK;
    }
    if (stat(src, &st) != 0)
        return err_set(e, LY_EUSAGE, "source '%s' is neither a URL nor a file or folder: %s", src,
                       strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return add_file_source(l, c, src, e);
    skip = strlen(src);
    while (skip > 1 && src[skip - 1] == '/')
        skip--;
    dir = xstrndup(src, skip);
    add_folder(l, dir, 0);
    /* a file's name comes from its path inside the folder given */
    for (i = first; i < l->n; i++)
        l->v[i].name = batch_name_from_path(l->v[i].source + skip + 1);
    free(dir);
    return LY_OK;
}

static void item_release(struct batch_item *it)
{
    free(it->source);
    free(it->name);
    free(it->error);
}

static const struct batch_list *sort_list;

static int by_source(const void *a, const void *b)
{
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    int c = strcmp(sort_list->v[i].source, sort_list->v[j].source);

    return c ? c : (i > j) - (i < j);
}

/* Drops every item whose source came earlier, keeping the list's order. */
static void drop_duplicates(struct batch_list *l)
{
    size_t *order = xcalloc(l->n ? l->n : 1, sizeof(*order)), i, n = 0;
    char *dup = xcalloc(l->n ? l->n : 1, 1);

    for (i = 0; i < l->n; i++)
        order[i] = i;
    sort_list = l; /* qsort has no context argument; collecting runs on one thread */
    qsort(order, l->n, sizeof(*order), by_source);
    for (i = 1; i < l->n; i++)
        dup[order[i]] = !strcmp(l->v[order[i]].source, l->v[order[i - 1]].source);
    for (i = 0; i < l->n; i++) {
        if (dup[i])
            item_release(&l->v[i]);
        else
            l->v[n++] = l->v[i];
    }
    l->n = n;
    free(dup);
    free(order);
}

int batch_collect(char *const *sources, size_t n, struct crawl *c, struct batch_list *l,
                  struct err *e)
{
    char **names, **srcs;
    size_t i;
    int rc;

    memset(l, 0, sizeof(*l));
    for (i = 0; i < n; i++) {
        rc = add_source(l, c, sources[i], e);
        if (rc) {
            batch_list_release(l);
            return rc;
        }
    }
    drop_duplicates(l);
    names = xcalloc(l->n ? l->n : 1, sizeof(*names));
    srcs = xcalloc(l->n ? l->n : 1, sizeof(*srcs));
    for (i = 0; i < l->n; i++) {
        names[i] = l->v[i].name ? l->v[i].name : batch_name_from_url(l->v[i].source);
        srcs[i] = l->v[i].source;
    }
    batch_names_dedupe(names, (const char *const *)srcs, l->n);
    for (i = 0; i < l->n; i++)
        l->v[i].name = names[i];
    free(names);
    free(srcs);
    return LY_OK;
}

void batch_list_release(struct batch_list *l)
{
    size_t i;

    for (i = 0; i < l->n; i++)
        item_release(&l->v[i]);
    free(l->v);
    memset(l, 0, sizeof(*l));
}
