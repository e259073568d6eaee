/* batch.h -- `lyssna batch`: many pages or files to audio files in one folder, with a
 * manifest, in parallel, resumable. batch_collect turns the command line's sources into
 * items; batch_run makes their audio. */
#ifndef LYSSNA_BATCH_H
#define LYSSNA_BATCH_H

#include <stddef.h>

#include "speech/speech.h"

struct crawl;
struct err;

enum batch_kind { BATCH_URL, BATCH_HTML, BATCH_TEXT, BATCH_SSML, BATCH_DOC };

struct batch_item {
    char *source; /* the page's URL, or the file's path */
    enum batch_kind kind;
    char *name;  /* output file stem, unique in the list */
    char *error; /* why this source could not even be listed (a sitemap that failed), or NULL */
};

struct batch_list {
    struct batch_item *v;
    size_t n, cap;
};

/* Expands sources, in order, into l: a URL is a sitemap (an index's sitemaps followed, at
 * most 4 deep), a folder gives its .html/.htm, .txt, .ssml, .pdf, .docx and .odt files (sorted,
 * hidden ones left out), a file is a sitemap when it is gzip or XML, else a list of URLs (one a
 * line,
 * '#' comments). Hosts of URLs given on the command line or in local files are added to the
 * crawl's allowlist; those found in fetched sitemaps must already be on it. Duplicates are
 * dropped, names assigned. A sitemap that cannot be fetched or parsed becomes a failed item;
 * a missing file or folder is LY_EUSAGE. */
int batch_collect(char *const *sources, size_t n, struct crawl *c, struct batch_list *l,
                  struct err *e);
void batch_list_release(struct batch_list *l);

struct batch_opts {
    const char *outdir;
    enum encode_format formats[4];
    size_t nformats;
    int jobs;  /* worker processes and threads; 0: one per core */
    int quiet; /* no progress, only failures */
    int marks; /* speech marks NAME.marks.jsonl beside the audio */
    const char *fill_cache;
    int cache_max_mb;
    const char *lexicon_file; /* the editors' lexicon the service uses, or NULL: none */
    int shard, nshards;       /* this run takes items i with i % nshards == shard - 1; 0: all */
    const char *voice;
    int rate;        /* 0: the voice's own */
    const char *exe; /* the lyssna binary, for the worker processes */
    int synth_timeout_ms;
};

struct batch_summary {
    size_t items, made, unchanged, failed;
    int interrupted; /* SIGINT or SIGTERM came */
};

/* Makes the audio of this shard's items in o->outdir, recording each output in
 * OUTDIR/manifest.jsonl; an output whose text and settings are those of the manifest's
 * record and whose file is there is kept. A failed item is recorded and the run goes on.
 * LY_EIO and the like only for what stops the whole batch (no output folder, no workers). */
int batch_run(const struct batch_opts *o, const struct batch_list *l, struct crawl *c,
              struct batch_summary *sum, struct err *e);

/* Writes OUTDIR/manifest.jsonl from the shards' manifest.shard-I-of-N.jsonl, in the order
 * of the full list (item k was shard k % N + 1's item k / N), as one unsharded run would
 * have written it. LY_EUSAGE when a shard is missing or unfinished (its .part is there), or
 * the folder holds shards of more than one count; *nshards and *nrecords say what was
 * merged. */
int batch_merge(const char *outdir, int *nshards, size_t *nrecords, struct err *e);

#endif
