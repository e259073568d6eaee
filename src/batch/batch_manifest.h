/* batch_manifest.h -- OUTDIR/manifest.jsonl: one JSON line per output file of a batch
 * (source, title, lang, output, format, duration, bytes, sha256, status, error, and the key that
 * says which text and settings made it). Records are appended to manifest.jsonl.part as
 * items finish, so a run killed outright loses nothing done; the next run reads both. */
#ifndef LYSSNA_BATCH_MANIFEST_H
#define LYSSNA_BATCH_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include "cache/cache.h"

struct err;
struct manifest;

struct batch_record {
    const char *source, *title;
    const char *lang;   /* the language read: the page's (as detected), else the voice's */
    const char *output; /* file name inside OUTDIR */
    const char *format;
    const char *status; /* "made", "unchanged" or "failed" */
    const char *error;  /* NULL unless failed */
    const char *marks;  /* the speech marks' file name, or NULL */
    double duration;    /* seconds */
    uint64_t bytes;
    char sha256[CACHE_KEY_HEX + 1]; /* "" when failed */
    char key[CACHE_KEY_HEX + 1];    /* cache_audio_key of the audio; "" when failed */
};

/* Reads the previous runs' records (manifest.jsonl, every manifest.shard-I-of-N.jsonl and
 * their .part journals, then this run's own over them) and opens this run's .part for
 * appending. This run's manifest is manifest.jsonl, or manifest.shard-I-of-N.jsonl when
 * nshards > 1. nitems: the items of this run, numbered from 0. */
struct manifest *manifest_open(const char *outdir, int shard, int nshards, size_t nitems,
                               struct err *e);
void manifest_free(struct manifest *m); /* NULL is a no-op */

/* The previous run's record of output into out (its strings live as long as m); 0 when
 * there is none. */
int manifest_previous(struct manifest *m, const char *output, struct batch_record *out);

/* Records r for item, in memory and in the .part file. Thread-safe. */
void manifest_add(struct manifest *m, size_t item, const struct batch_record *r);

/* Keeps the previous record of output for item unless this run recorded output anew
 * (an item an interrupted run did not reach). */
void manifest_keep(struct manifest *m, size_t item, const char *output);

/* Writes manifest.jsonl afresh (temporary file, renamed), records by item, and removes
 * the .part file. */
int manifest_commit(struct manifest *m, struct err *e);

/* 1 when name is "manifest.shard-I-of-N.jsonl" (part 0) or that with ".part" (part 1),
 * 1 <= I <= N; shard, nshards and part filled. 0 otherwise. */
int manifest_shard_of(const char *name, int *shard, int *nshards, int *part);

/* The names of the shard manifests and journals in outdir, sorted, in a NULL-terminated
 * array for manifest_shards_free. Returns how many, or a negative lyssna_code. */
int manifest_shards(const char *outdir, char ***names, struct err *e);
void manifest_shards_free(char **names); /* NULL is a no-op */

#endif
