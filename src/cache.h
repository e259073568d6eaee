/* cache.h -- a content-addressed audio cache on disk, capped in size, least recently used
 * entries evicted first. Entries are written under a temporary name and renamed into place,
 * so a reader sees a whole entry or none. Safe from several threads at once. */
#ifndef LYSSNA_CACHE_H
#define LYSSNA_CACHE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct err;
struct cache;
struct cache_writer;

#define CACHE_KEY_HEX 64 /* SHA-256 in hex */

/* The key of an entry: SHA-256 over the parts (each length-prefixed, so that ("ab","c")
 * and ("a","bc") differ), as 64 hex digits and a NUL in out. lens gives each part's length
 * (a text need not be NUL-terminated); NULL: every part is a C string. */
void cache_key(const char *const *parts, const size_t *lens, size_t nparts,
               char out[CACHE_KEY_HEX + 1]);

/* Changes whenever what the same input sounds like may change (rules, voices, encoders):
 * part of every audio key, so old audio is never served for new rules. */
#define LYSSNA_ENGINE "lyssna-1"

/* What a piece of audio is made from. The service and `lyssna batch --fill-cache` both key
 * audio through cache_audio_key, so that audio made by one is found by the other. */
struct cache_audio {
    const char *kind; /* "audio" */
    int ssml;
    const char *voice;             /* profile name */
    int rate;                      /* words per minute; 0: the voice's own */
    const char *const *line_langs; /* per line, or NULL */
    size_t nlines;
    const char *text; /* need not be NUL-terminated */
    size_t len;
    const char *format; /* encode_format_name() */
};

/* cache_key over LYSSNA_ENGINE and every field of a. */
void cache_audio_key(const struct cache_audio *a, char out[CACHE_KEY_HEX + 1]);

/* The SHA-256 of everything fd holds, read from offset 0 with pread, as 64 hex digits and a
 * NUL in out. LY_EIO on a read error. */
int cache_file_sha256(int fd, char out[CACHE_KEY_HEX + 1], struct err *e);

/* Opens (creating if needed) the cache in dir, holding at most max_bytes. Entries already
 * there are indexed, oldest first by modification time; stale temporary files are removed. */
struct cache *cache_open(const char *dir, uint64_t max_bytes, struct err *e);
void cache_free(struct cache *c); /* NULL is a no-op */

struct cache_hit {
    int fd; /* open for reading; the caller closes it */
    uint64_t size;
    time_t mtime;
};

/* Looks up key.ext. Returns 1 and fills hit when present (and marks it recently used),
 * 0 on a miss, or a negative lyssna_code on an I/O error. ext is a plain extension. */
int cache_get(struct cache *c, const char *key, const char *ext, struct cache_hit *hit,
              struct err *e);

/* Starts writing key.ext; bytes go to a temporary file until commit. */
struct cache_writer *cache_put_begin(struct cache *c, const char *key, const char *ext,
                                     struct err *e);
int cache_put_write(struct cache_writer *w, const void *data, size_t len, struct err *e);
/* Renames the entry into place and evicts the least recently used entries over the cap.
 * Frees w whatever happens. */
int cache_put_commit(struct cache_writer *w, struct err *e);
/* Drops the temporary file and frees w. NULL is a no-op. */
void cache_put_abort(struct cache_writer *w);

/* Bytes held and number of entries, for metrics. */
void cache_usage(struct cache *c, uint64_t *bytes, size_t *entries);

#endif
