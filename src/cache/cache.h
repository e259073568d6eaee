/* cache.h -- a content-addressed audio cache on disk, capped in size, least recently used
 * entries evicted first. Entries are written under a temporary name and renamed into place,
 * so a reader sees a whole entry or none, and carry a checksum of their bytes, so that an
 * entry damaged on disk is dropped (and made anew by the caller), never served. A cache
 * folder that cannot be written is used read-only. Safe from several threads at once. */
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

/* What a piece of audio is made from. The service and `lyssna batch --fill-cache` both key
 * audio through cache_audio_key, so that audio made by one is found by the other. */
struct cache_audio {
    const char *engine; /* voice_data_version(): changes with the voice data and the code */
    const char *kind;   /* "audio" */
    int ssml;
    const char *voice;             /* profile name */
    int rate;                      /* words per minute; 0: the voice's own */
    const char *const *line_langs; /* per line, or NULL */
    size_t nlines;
    const char *text; /* need not be NUL-terminated */
    size_t len;
    const char *format; /* encode_format_name() */
    const char *edits;  /* the editors' lexicon entries the text uses; a key without any is */
    size_t edits_len;   /* the same as before there was such a lexicon */
};

/* cache_key over every field of a. */
void cache_audio_key(const struct cache_audio *a, char out[CACHE_KEY_HEX + 1]);

/* The SHA-256 of everything fd holds, read from offset 0 with pread, as 64 hex digits and a
 * NUL in out. LY_EIO on a read error. */
int cache_file_sha256(int fd, char out[CACHE_KEY_HEX + 1], struct err *e);

/* Opens (creating if needed) the cache in dir, holding at most max_bytes. Entries already
 * there are indexed, oldest first by modification time; stale temporary files are removed.
 * A folder that exists but cannot be written opens read-only (see cache_stats). */
struct cache *cache_open(const char *dir, uint64_t max_bytes, struct err *e);
void cache_free(struct cache *c); /* NULL is a no-op */

struct cache_hit {
    int fd;        /* open for reading; the caller closes it */
    uint64_t size; /* the entry's bytes, from offset 0 of fd (a checksum trails them) */
    time_t mtime;
};

/* Looks up key.ext. Returns 1 and fills hit when present (and marks it recently used),
 * 0 on a miss, or a negative lyssna_code on an I/O error. ext is a plain extension. The
 * first look-up of an entry this process did not write checks its checksum; a damaged
 * entry is deleted and reported as a miss. */
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

/* Claims the making of key for the caller, across threads and processes sharing the folder
 * (an open-file-description lock on a byte of DIR/claims, let go when its holder closes it
 * or dies): 1 and *claim when the caller got it (give it back with cache_unclaim), 0 when
 * another holds it now. A folder where no claim can be kept (read-only) grants every claim
 * with *claim -1: nothing is shared there to guard. */
int cache_claim(struct cache *c, const char *key, int *claim);
/* Gives a claim back; -1 is a no-op. */
void cache_unclaim(int claim);

struct cache_stats {
    uint64_t bytes; /* held on disk */
    size_t entries;
    uint64_t corrupt;      /* damaged entries found and dropped */
    uint64_t write_errors; /* entries that could not be stored (disk full, read-only) */
    int read_only;
};

void cache_stats(struct cache *c, struct cache_stats *s);

/* LY_OK when a file can be written in the cache folder now (a small one is written to its
 * tmp/ and removed), else LY_EIO with why in e: the folder opened read-only, or the write
 * failed (read-only now, full, gone). */
int cache_writable(struct cache *c, struct err *e);

#endif
