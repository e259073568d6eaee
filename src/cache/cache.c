/* cache.c -- the audio cache: files DIR/ab/KEY.EXT (ab = the key's first two hex digits),
 * written in DIR/tmp and renamed into place. Each file ends in a trailer: the SHA-256 of
 * the bytes before it and a magic string; a file this process did not write is checked
 * against it once, on its first use, and a mismatch (a torn copy, a bad disk, an older
 * format) deletes it. An in-memory index (a hash table threaded on a
 * least-recently-used list) keeps the total under the cap without walking the folder. The
 * index is guarded by one mutex; file I/O happens outside it except for eviction's unlinks.
 * Several processes (instances of the service, batch runs) may share one folder: each writes
 * its own temporary file and renames it into place, so writers of one key at once leave one
 * whole entry (the last rename wins) and readers keep the file they opened.
 * Making an entry is claimed with a lock on one byte of DIR/claims (the key's first 60 bits
 * as its offset), so that one key is made once however many instances share the folder.
 * Keys are SHA-256 (OpenSSL's libcrypto): only 64 hex digits are accepted as keys, so a key
 * can never name a path outside the cache. */
#define _GNU_SOURCE /* F_OFD_SETLK: locks held by an open file, not a process */
#include "cache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"

#include "banned.h"

#define NAME_MAX_LEN (CACHE_KEY_HEX + 1 + 8) /* KEY.EXT with an extension of up to 8 */
#define MAGIC        "LYSSNA1\n"
#define TRAILER_LEN  (32 + 8) /* SHA-256, then MAGIC */

#define LYSSNA_CACHE_TMP_STALE_S 3600

struct entry {
    char name[NAME_MAX_LEN + 1];
    uint64_t size;
    time_t mtime;
    int verified;                /* its checksum matched (or this process wrote it) */
    struct entry *older, *newer; /* the LRU list: head is the oldest */
    struct entry *next;          /* hash chain */
};

struct cache {
    char *dir;
    uint64_t max_bytes, bytes;
    size_t count, nbuckets;
    struct entry **buckets;
    struct entry *oldest, *newest;
    uint64_t corrupt, write_errors;
    int read_only;
    pthread_mutex_t lock;
};

struct cache_writer {
    struct cache *c;
    char name[NAME_MAX_LEN + 1];
    char *tmp;
    int fd;
    uint64_t size;
    EVP_MD_CTX *md; /* the checksum of what was written so far */
};

static void to_hex(const unsigned char *md, unsigned int n, char out[CACHE_KEY_HEX + 1])
{
    static const char hex[] = "0123456789abcdef";
    unsigned int i;

    for (i = 0; i < 32 && i < n; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[CACHE_KEY_HEX] = '\0';
}

void cache_key(const char *const *parts, const size_t *lens, size_t nparts,
               char out[CACHE_KEY_HEX + 1])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0, i;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    size_t k;

    if (!ctx)
        abort();
    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
    for (k = 0; k < nparts; k++) {
        uint64_t len = lens ? lens[k] : strlen(parts[k]);
        unsigned char le[8];
        for (i = 0; i < 8; i++)
            le[i] = (unsigned char)(len >> (8 * i));
        EVP_DigestUpdate(ctx, le, sizeof(le));
        EVP_DigestUpdate(ctx, parts[k], (size_t)len);
    }
    EVP_DigestFinal_ex(ctx, md, &mdlen);
    EVP_MD_CTX_free(ctx);
    to_hex(md, mdlen, out);
}

void cache_audio_key(const struct cache_audio *a, char out[CACHE_KEY_HEX + 1])
{
    char rate[16], flags[8];
    struct buf langs;
    size_t i;

    snprintf(rate, sizeof(rate), "%d", a->rate);
    snprintf(flags, sizeof(flags), "%d", a->ssml);
    buf_init(&langs, BUF_NOLIMIT);
    for (i = 0; a->line_langs && i < a->nlines; i++)
        buf_addf(&langs, NULL, "%s,", a->line_langs[i] ? a->line_langs[i] : "");
    {
        /* the text is hashed where it lies: no copy of up to a megabyte per request */
        const char *parts[] = {a->engine,  a->kind, flags,     a->voice, rate,
                               langs.data, a->text, a->format, a->edits};
        const size_t lens[] = {strlen(a->engine), strlen(a->kind), strlen(flags), strlen(a->voice),
                               strlen(rate),      langs.len,       a->len,        strlen(a->format),
                               a->edits_len};
        /* audio that uses no entry keeps its key: a change retires only what used it */
        cache_key(parts, lens, sizeof(parts) / sizeof(parts[0]) - (a->edits_len == 0), out);
    }
    buf_release(&langs);
}

/* SHA-256 of fd's bytes from offset 0, up to max of them or its end, into md[32]; the bytes
 * read in *got. LY_EIO with errno set on a read error. */
static int digest_fd(int fd, uint64_t max, unsigned char md[32], uint64_t *got)
{
    unsigned char chunk[65536], out[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    uint64_t at = 0;
    ssize_t n = 1;

    if (!ctx)
        abort();
    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
    while (at < max) {
        size_t want = max - at < sizeof(chunk) ? (size_t)(max - at) : sizeof(chunk);
        n = pread(fd, chunk, want, (off_t)at);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        EVP_DigestUpdate(ctx, chunk, (size_t)n);
        at += (uint64_t)n;
    }
    EVP_DigestFinal_ex(ctx, out, &mdlen);
    EVP_MD_CTX_free(ctx);
    memcpy(md, out, 32);
    *got = at;
    return n < 0 ? LY_EIO : LY_OK;
}

int cache_file_sha256(int fd, char out[CACHE_KEY_HEX + 1], struct err *e)
{
    unsigned char md[32];
    uint64_t got;

    if (digest_fd(fd, UINT64_MAX, md, &got))
        return err_set(e, LY_EIO, "cannot read back the file: %s", strerror(errno));
    to_hex(md, 32, out);
    return LY_OK;
}

/* KEY.EXT into name, or 0 when key is not 64 lowercase hex digits or ext not [a-z0-9]{1,8}. */
static int entry_name(const char *key, const char *ext, char name[NAME_MAX_LEN + 1])
{
    size_t i, n = strlen(ext);

    if (strlen(key) != CACHE_KEY_HEX || strspn(key, "0123456789abcdef") != CACHE_KEY_HEX)
        return 0;
    if (n == 0 || n > 8 || strspn(ext, "abcdefghijklmnopqrstuvwxyz0123456789") != n)
        return 0;
    for (i = 0; i < CACHE_KEY_HEX; i++)
        name[i] = key[i];
    name[CACHE_KEY_HEX] = '.';
    memcpy(name + CACHE_KEY_HEX + 1, ext, n + 1);
    return 1;
}

static char *entry_path(const struct cache *c, const char *name)
{
    size_t n = strlen(c->dir) + strlen(name) + 5;
    char *p = xmalloc(n);

    snprintf(p, n, "%s/%.2s/%s", c->dir, name, name);
    return p;
}

static size_t hash_name(const char *s)
{
    size_t h = 14695981039346656037u;

    while (*s)
        h = (h ^ (unsigned char)*s++) * 1099511628211u;
    return h;
}

static struct entry **slot(struct cache *c, const char *name)
{
    struct entry **p = &c->buckets[hash_name(name) & (c->nbuckets - 1)];

    while (*p && strcmp((*p)->name, name))
        p = &(*p)->next;
    return p;
}

static void grow_buckets(struct cache *c)
{
    struct entry **old = c->buckets, *e, *next;
    size_t i, n = c->nbuckets;

    c->nbuckets = n ? n * 2 : 1024;
    c->buckets = xcalloc(c->nbuckets, sizeof(*c->buckets));
    for (i = 0; i < n; i++) {
        for (e = old[i]; e; e = next) {
            next = e->next;
            e->next = NULL;
            *slot(c, e->name) = e;
        }
    }
    free(old);
}

static void lru_unlink(struct cache *c, struct entry *e)
{
    if (e->older)
        e->older->newer = e->newer;
    else
        c->oldest = e->newer;
    if (e->newer)
        e->newer->older = e->older;
    else
        c->newest = e->older;
    e->older = e->newer = NULL;
}

static void lru_append(struct cache *c, struct entry *e)
{
    e->older = c->newest;
    e->newer = NULL;
    if (c->newest)
        c->newest->newer = e;
    else
        c->oldest = e;
    c->newest = e;
}

/* Adds or refreshes name as the most recently used entry. Called with the lock held. */
static struct entry *index_put(struct cache *c, const char *name, uint64_t size, time_t mtime)
{
    struct entry **p, *e;

    if (c->count >= c->nbuckets)
        grow_buckets(c);
    p = slot(c, name);
    if (*p) {
        e = *p;
        c->bytes -= e->size;
        lru_unlink(c, e);
    } else {
        e = xcalloc(1, sizeof(*e));
        memcpy(e->name, name, strlen(name) + 1);
        *p = e;
        c->count++;
    }
    if (e->size != size || e->mtime != mtime)
        e->verified = 0;
    e->size = size;
    e->mtime = mtime;
    c->bytes += size;
    lru_append(c, e);
    return e;
}

static void index_drop(struct cache *c, struct entry *e)
{
    struct entry **p = slot(c, e->name);

    *p = e->next;
    lru_unlink(c, e);
    c->bytes -= e->size;
    c->count--;
    free(e);
}

/* Removes the oldest entries until the total fits, sparing keep. Lock held. */
static void evict(struct cache *c, const char *keep)
{
    while (c->bytes > c->max_bytes && c->oldest && strcmp(c->oldest->name, keep)) {
        char *path = entry_path(c, c->oldest->name);
        unlink(path);
        free(path);
        index_drop(c, c->oldest);
    }
}

static int by_mtime(const void *a, const void *b)
{
    const struct entry *x = *(struct entry *const *)a, *y = *(struct entry *const *)b;

    return (x->mtime > y->mtime) - (x->mtime < y->mtime);
}

/* Indexes the entries in one fan-out folder DIR/ab into list (grown as needed). */
static void scan_folder(struct cache *c, const char *sub, struct entry ***list, size_t *n,
                        size_t *cap)
{
    char path[4096];
    struct dirent *d;
    struct stat st;
    DIR *dh;

    snprintf(path, sizeof(path), "%s/%s", c->dir, sub);
    dh = opendir(path);
    while (dh && (d = readdir(dh))) {
        struct entry *e;
        char key[CACHE_KEY_HEX + 1], name[NAME_MAX_LEN + 1];
        const char *dot = strchr(d->d_name, '.');

        if (!dot || dot - d->d_name != CACHE_KEY_HEX || strncmp(d->d_name, sub, 2))
            continue;
        memcpy(key, d->d_name, CACHE_KEY_HEX);
        key[CACHE_KEY_HEX] = '\0';
        if (!entry_name(key, dot + 1, name) || fstatat(dirfd(dh), d->d_name, &st, 0) ||
            !S_ISREG(st.st_mode))
            continue;
        if (*n == *cap) {
            *cap = *cap ? *cap * 2 : 256;
            *list = xreallocarray(*list, *cap, sizeof(**list));
        }
        e = xcalloc(1, sizeof(*e));
        memcpy(e->name, name, sizeof(name));
        e->size = (uint64_t)st.st_size;
        e->mtime = st.st_mtime;
        (*list)[(*n)++] = e;
    }
    if (dh)
        closedir(dh);
}

/* Removes what a crashed writer left in DIR/tmp. Several instances may share the folder, and
 * another one's entry being written right now is a file there too: only files no one has
 * written to for an hour are taken for abandoned (a stream writes every few milliseconds). */
static void clear_tmp(const char *dir)
{
    char path[4096];
    struct dirent *d;
    struct stat st;
    time_t now = time(NULL);
    DIR *dh;

    snprintf(path, sizeof(path), "%s/tmp", dir);
    dh = opendir(path);
    while (dh && (d = readdir(dh)))
        if (d->d_name[0] != '.' && !fstatat(dirfd(dh), d->d_name, &st, 0) &&
            now - st.st_mtime > LYSSNA_CACHE_TMP_STALE_S)
            unlinkat(dirfd(dh), d->d_name, 0);
    if (dh)
        closedir(dh);
}

static void scan(struct cache *c)
{
    struct entry **list = NULL;
    size_t n = 0, cap = 0, i;
    struct dirent *d;
    DIR *dh = opendir(c->dir);

    while (dh && (d = readdir(dh)))
        if (strlen(d->d_name) == 2 && strspn(d->d_name, "0123456789abcdef") == 2)
            scan_folder(c, d->d_name, &list, &n, &cap);
    if (dh)
        closedir(dh);
    if (n)
        qsort(list, n, sizeof(*list), by_mtime);
    for (i = 0; i < n; i++) {
        index_put(c, list[i]->name, list[i]->size, list[i]->mtime);
        free(list[i]);
    }
    free(list);
    evict(c, "");
}

struct cache *cache_open(const char *dir, uint64_t max_bytes, struct err *e)
{
    struct cache *c;
    char tmp[4096];

    snprintf(tmp, sizeof(tmp), "%s/tmp", dir);
    if ((mkdir(dir, 0755) && errno != EEXIST) || access(dir, R_OK | X_OK)) {
        err_set(e, LY_EIO, "cannot use cache folder '%s': %s", dir, strerror(errno));
        return NULL;
    }
    c = xcalloc(1, sizeof(*c));
    c->dir = xstrdup(dir);
    c->max_bytes = max_bytes;
    /* a folder the service may not write still serves what is in it */
    c->read_only = (mkdir(tmp, 0755) && errno != EEXIST) || access(tmp, W_OK) || access(dir, W_OK);
    pthread_mutex_init(&c->lock, NULL);
    grow_buckets(c);
    if (!c->read_only)
        clear_tmp(dir);
    scan(c);
    return c;
}

void cache_free(struct cache *c)
{
    if (!c)
        return;
    while (c->oldest)
        index_drop(c, c->oldest);
    pthread_mutex_destroy(&c->lock);
    free(c->buckets);
    free(c->dir);
    free(c);
}

/* 1 when the size bytes of fd end in a trailer whose checksum matches the bytes before it. */
static int intact(int fd, uint64_t size)
{
    unsigned char trailer[TRAILER_LEN], md[32];
    uint64_t body = size - TRAILER_LEN, got;

    if (size < TRAILER_LEN || pread(fd, trailer, TRAILER_LEN, (off_t)body) != TRAILER_LEN ||
        memcmp(trailer + 32, MAGIC, 8))
        return 0;
    return !digest_fd(fd, body, md, &got) && got == body && !memcmp(md, trailer, 32);
}

/* Deletes a damaged entry, file and index. Lock held. */
static void drop_corrupt(struct cache *c, const char *name)
{
    struct entry **p = slot(c, name);
    char *path = entry_path(c, name);

    if (!c->read_only)
        unlink(path);
    free(path);
    if (*p)
        index_drop(c, *p);
    c->corrupt++;
}

int cache_get(struct cache *c, const char *key, const char *ext, struct cache_hit *hit,
              struct err *e)
{
    char name[NAME_MAX_LEN + 1], *path;
    struct stat st;
    struct entry **p, *ent;
    int fd, saved, ok = 1;

    if (!entry_name(key, ext, name))
        return -err_set(e, LY_EUSAGE, "bad cache key '%.80s.%.8s'", key, ext);
    path = entry_path(c, name);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    saved = errno;
    free(path);
    if (fd >= 0 && fstat(fd, &st)) { /* no system call under the lock every hit takes */
        saved = errno;
        close(fd);
        fd = -1;
    }
    pthread_mutex_lock(&c->lock);
    if (fd < 0) {
        if ((p = slot(c, name)) && *p)
            index_drop(c, *p); /* gone from disk: forget it */
        pthread_mutex_unlock(&c->lock);
        if (saved == ENOENT)
            return 0;
        return -err_set(e, LY_EIO, "cannot read cache entry '%s': %s", name, strerror(saved));
    }
    /* an entry another process wrote (batch filling the cache) joins the index here */
    ent = index_put(c, name, (uint64_t)st.st_size, st.st_mtime);
    if (!ent->verified) {
        pthread_mutex_unlock(&c->lock);
        ok = intact(fd, (uint64_t)st.st_size);
        pthread_mutex_lock(&c->lock);
        if ((p = slot(c, name)) && *p && (*p)->size == (uint64_t)st.st_size &&
            (*p)->mtime == st.st_mtime)
            (*p)->verified = ok;
        if (!ok)
            drop_corrupt(c, name);
    }
    pthread_mutex_unlock(&c->lock);
    if (!ok) {
        close(fd);
        return 0;
    }
    hit->fd = fd;
    hit->size = (uint64_t)st.st_size - TRAILER_LEN;
    hit->mtime = st.st_mtime;
    return 1;
}

static void count_write_error(struct cache *c)
{
    pthread_mutex_lock(&c->lock);
    c->write_errors++;
    pthread_mutex_unlock(&c->lock);
}

struct cache_writer *cache_put_begin(struct cache *c, const char *key, const char *ext,
                                     struct err *e)
{
    struct cache_writer *w;
    size_t n = strlen(c->dir) + 16;

    if (c->read_only) {
        count_write_error(c);
        err_set(e, LY_EIO, "cache folder '%s' is read-only: not caching", c->dir);
        return NULL;
    }
    w = xcalloc(1, sizeof(*w));
    if (!entry_name(key, ext, w->name)) {
        free(w);
        err_set(e, LY_EUSAGE, "bad cache key '%.80s.%.8s'", key, ext);
        return NULL;
    }
    w->c = c;
    w->tmp = xmalloc(n);
    snprintf(w->tmp, n, "%s/tmp/XXXXXX", c->dir);
    w->fd = mkstemp(w->tmp);
    if (w->fd < 0) {
        count_write_error(c);
        err_set(e, LY_EIO, "cannot write to cache folder '%s': %s", c->dir, strerror(errno));
        free(w->tmp);
        free(w);
        return NULL;
    }
    fchmod(w->fd, 0644);
    if (!(w->md = EVP_MD_CTX_new()))
        abort();
    EVP_DigestInit_ex(w->md, EVP_sha256(), NULL);
    return w;
}

int cache_put_write(struct cache_writer *w, const void *data, size_t len, struct err *e)
{
    if (write_all(w->fd, data, len)) {
        count_write_error(w->c);
        return err_set(e, LY_EIO, "cannot write cache entry '%s': %s", w->name, strerror(errno));
    }
    EVP_DigestUpdate(w->md, data, len);
    w->size += len;
    return LY_OK;
}

int cache_put_commit(struct cache_writer *w, struct err *e)
{
    struct cache *c = w->c;
    char *path = entry_path(c, w->name), sub[4096];
    struct stat st;
    int rc = LY_OK;

    unsigned char trailer[EVP_MAX_MD_SIZE + 8];
    unsigned int mdlen = 0;

    snprintf(sub, sizeof(sub), "%s/%.2s", c->dir, w->name);
    EVP_DigestFinal_ex(w->md, trailer, &mdlen);
    memcpy(trailer + 32, MAGIC, 8);
    if (write_all(w->fd, trailer, TRAILER_LEN) || fsync(w->fd) || close(w->fd))
        rc = err_set(e, LY_EIO, "cannot write cache entry '%s': %s", w->name, strerror(errno));
    w->fd = -1;
    if (!rc && mkdir(sub, 0755) && errno != EEXIST)
        rc = err_set(e, LY_EIO, "cannot create '%s': %s", sub, strerror(errno));
    if (!rc && rename(w->tmp, path))
        rc = err_set(e, LY_EIO, "cannot store cache entry '%s': %s", w->name, strerror(errno));
    if (!rc && stat(path, &st))
        rc = err_set(e, LY_EIO, "cannot store cache entry '%s': %s", w->name, strerror(errno));
    if (!rc) {
        pthread_mutex_lock(&c->lock);
        index_put(c, w->name, (uint64_t)st.st_size, st.st_mtime)->verified = 1;
        evict(c, w->name);
        pthread_mutex_unlock(&c->lock);
    } else {
        count_write_error(c);
    }
    free(path);
    cache_put_abort(w);
    return rc;
}

void cache_put_abort(struct cache_writer *w)
{
    if (!w)
        return;
    if (w->fd >= 0)
        close(w->fd);
    unlink(w->tmp); /* after a commit the name is gone already */
    EVP_MD_CTX_free(w->md);
    free(w->tmp);
    free(w);
}

int cache_claim(struct cache *c, const char *key, int *claim)
{
    struct flock lk = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_len = 1};
    size_t n = strlen(c->dir) + 8;
    char *path = xmalloc(n), digits[16];
    int fd;

    *claim = -1;
    snprintf(path, n, "%s/claims", c->dir);
    fd = c->read_only ? -1 : open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    free(path);
    if (fd < 0)
        return 1;
    memcpy(digits, key, 15);
    digits[15] = '\0';
    lk.l_start = (off_t)strtoull(digits, NULL, 16);
    if (fcntl(fd, F_OFD_SETLK, &lk)) {
        int held = errno == EAGAIN || errno == EACCES;
        close(fd);
        return !held; /* a file system without such locks: nothing to guard with */
    }
    *claim = fd;
    return 1;
}

void cache_unclaim(int claim)
{
    if (claim >= 0)
        close(claim);
}

void cache_stats(struct cache *c, struct cache_stats *s)
{
    pthread_mutex_lock(&c->lock);
    *s = (struct cache_stats){c->bytes, c->count, c->corrupt, c->write_errors, c->read_only};
    pthread_mutex_unlock(&c->lock);
}

int cache_writable(struct cache *c, struct err *e)
{
    static const char probe[512];
    size_t n = strlen(c->dir) + 16;
    char *tmp = xmalloc(n);
    int fd, rc = LY_OK;

    snprintf(tmp, n, "%s/tmp/XXXXXX", c->dir);
    if (c->read_only)
        rc = err_set(e, LY_EIO, "cache folder '%s' cannot be written", c->dir);
    else if ((fd = mkstemp(tmp)) < 0)
        rc = err_set(e, LY_EIO, "cannot write to cache folder '%s': %s", c->dir, strerror(errno));
    else {
        if (write_all(fd, probe, sizeof(probe)))
            rc = err_set(e, LY_EIO, "cannot write to cache folder '%s': %s", c->dir,
                         strerror(errno));
        close(fd);
        unlink(tmp);
    }
    free(tmp);
    return rc;
}
