/* batch.c -- runs a batch: -j threads take items in turn; each reads its item (through
 * crawl.c for a page, from disk for a file), extracts the text, and for each format either
 * keeps the output the manifest says was made from the same text and settings, or has a
 * worker process (pool.c) speak it into a temporary file that is renamed into place when
 * whole. Data flows one way: fetch -> extract -> normalize -> synth -> encode, the last
 * three in the workers. SIGINT and SIGTERM stop it between frames; a file being made is
 * dropped and the manifest written, so the next run carries on. */
#include "batch.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/base.h"
#include "batch_manifest.h"
#include "cache/cache.h"
#include "extract/extract.h"
#include "fetch/fetch.h"
#include "job/job.h"
#include "speech/speech.h"

#include "banned.h"

static volatile sig_atomic_t stopping;

struct progress {
    size_t total, finished, made, unchanged, failed;
    struct timespec start;
    int tty, quiet;
};

struct run {
    const struct batch_opts *o;
    const struct batch_list *l;
    size_t *mine; /* indices into l of this shard's items */
    size_t nmine, next;
    struct crawl *crawl;
    struct pool *pool;
    struct cache *cache;
    struct jobs *jobs;   /* the audio is made, and cached, as the service makes it */
    struct lexicon *lex; /* the editors' lexicon, or NULL */
    struct manifest *man;
    char engine[CACHE_KEY_HEX + 1]; /* voice_data_version, as the service keys audio */
    char (*failures)[320];          /* the first few, for the summary */
    size_t nfailures;
    pthread_mutex_t lock; /* guards next, progress and failures */
    struct progress pg;
};

/* An item's text, ready to speak. */
struct content {
    struct fetch_result fetched;
    struct page_text page;
    struct buf file;
    const char *text;
    size_t len;
    int ssml;
    const char *const *langs;
    size_t nlines;
    char *title;
    char lang[16]; /* the language read, for the manifest */
};

static char *join(const char *dir, const char *name, const char *ext)
{
    size_t n = strlen(dir) + strlen(name) + strlen(ext) + 3;
    char *p = xmalloc(n);

    snprintf(p, n, "%s/%s%s%s", dir, name, *ext ? "." : "", ext);
    return p;
}

/* A plain-text file's title: its first non-blank line, when it is valid UTF-8. */
static char *first_line(const char *text, size_t len)
{
    const char *p = text, *end = text + len;
    size_t n, k;

    while (p < end && strchr(" \t\r\n", *p))
        p++;
    n = strcspn(p, "\r\n");
    if (n > 200)
        n = 200;
    for (k = 0; k < 3 && n > 0 && !utf8_valid(p, n, NULL); k++)
        n--; /* a character cut at 200 bytes */
    return utf8_valid(p, n, NULL) ? xstrndup(p, n) : NULL;
}

static int read_page(struct run *r, const struct batch_item *it, struct content *ct, struct err *e)
{
    struct extract_opts xo = {0};
    int rc;

    if (it->error)
        return err_set(e, LY_EFETCH, "%s", it->error);
    rc = crawl_get(r->crawl, it->source, 1, &ct->fetched, NULL, e);
    if (rc)
        return rc;
    xo.url = it->source;
    xo.worker = r->o->exe;
    xo.charset = ct->fetched.charset;
    xo.content_type = ct->fetched.content_type;
    return pipeline_read_html(ct->fetched.body.data, ct->fetched.body.len, &xo, &ct->page, e);
}

static int read_local(struct run *r, const struct batch_item *it, struct content *ct, struct err *e)
{
    struct extract_opts xo = {.worker = r->o->exe};
    int page = it->kind == BATCH_HTML || it->kind == BATCH_DOC;
    FILE *f = fopen(it->source, "rb");
    const char *slash;
    int rc;

    buf_init(&ct->file, it->kind == BATCH_DOC    ? LYSSNA_MAX_DOC
                        : it->kind == BATCH_HTML ? LYSSNA_MAX_HTML
                                                 : LYSSNA_MAX_TEXT);
    if (!f)
        return err_set(e, LY_EINPUT, "cannot read '%s': %s", it->source, strerror(errno));
    rc = buf_read_file(&ct->file, f, it->source, e);
    fclose(f);
    if (rc || page)
        return rc ? rc : pipeline_read_html(ct->file.data, ct->file.len, &xo, &ct->page, e);
    ct->text = ct->file.data;
    ct->len = ct->file.len;
    ct->ssml = it->kind == BATCH_SSML;
    slash = strrchr(it->source, '/');
    ct->title = ct->ssml ? xstrdup(slash ? slash + 1 : it->source) : first_line(ct->text, ct->len);
    return LY_OK;
}

static int load(struct run *r, const struct batch_item *it, struct content *ct, struct err *e)
{
    struct voice v;
    int rc;

    memset(ct, 0, sizeof(*ct));
    buf_init(&ct->file, 0);
    rc = it->kind == BATCH_URL ? read_page(r, it, ct, e) : read_local(r, it, ct, e);
    if (!rc && !ct->page.page && voice_load(voice_dir(), r->o->voice, &v, NULL) == LY_OK)
        snprintf(ct->lang, sizeof(ct->lang), "%s", v.lang);
    if (rc || !ct->page.page)
        return rc;
    ct->text = ct->page.text;
    ct->len = ct->page.len;
    ct->langs = ct->page.line_langs;
    ct->nlines = ct->page.nlines;
    ct->title = xstrdup(ct->page.page->title);
    if (ct->page.page->lang && *ct->page.page->lang)
        snprintf(ct->lang, sizeof(ct->lang), "%s", ct->page.page->lang);
    return LY_OK;
}

static void content_release(struct content *ct)
{
    fetch_result_release(&ct->fetched);
    pipeline_page_release(&ct->page);
    buf_release(&ct->file);
    free(ct->title);
}

/* A streamed WAV header says "length unknown"; a finished file gets the real sizes. */
static int wav_patch(int fd, uint64_t samples, struct err *e)
{
    uint32_t data = (uint32_t)(samples * 2), riff = data + 36;
    unsigned char a[4] = {(unsigned char)riff, (unsigned char)(riff >> 8),
                          (unsigned char)(riff >> 16), (unsigned char)(riff >> 24)};
    unsigned char b[4] = {(unsigned char)data, (unsigned char)(data >> 8),
                          (unsigned char)(data >> 16), (unsigned char)(data >> 24)};

    if (pwrite(fd, a, 4, 4) != 4 || pwrite(fd, b, 4, 40) != 4)
        return err_set(e, LY_EIO, "cannot finish the WAV header: %s", strerror(errno));
    return LY_OK;
}

/* Reads the job's frames into the outputs until its end. */
static int collect(struct job *job, struct outfile *audio, struct outfile *marks, struct err *e)
{
    struct buf frame;
    int type, rc = LY_OK;

    buf_init(&frame, BUF_NOLIMIT);
    while (!rc && (type = job_next(job, &frame, e)) != POOL_DONE) {
        if (!type)
            rc = e->code ? e->code : LY_ESYNTH;
        else if (type == POOL_AUDIO)
            rc = outfile_write(audio, frame.data, frame.len, e);
        else if (type == POOL_MARK && marks->tmp &&
                 !(rc = outfile_write(marks, frame.data, frame.len, e)))
            rc = outfile_write(marks, "\n", 1, e);
    }
    buf_release(&frame);
    return rc;
}

/* What ct in format f is spoken as. */
static void spec_of(const struct run *r, const struct content *ct, enum encode_format f,
                    struct job_spec *js)
{
    *js = (struct job_spec){
        .text = ct->text,
        .len = ct->len,
        .ssml = ct->ssml,
        .line_langs = ct->langs,
        .nlines = ct->nlines,
        .rate = r->o->rate,
        .format = f,
    };
    snprintf(js->voice, sizeof(js->voice), "%s", r->o->voice);
}

/* Speaks ct in format f into path (and its marks into marks_path when not NULL), each
 * through a temporary file renamed into place only when everything went well. */
static int synthesize(struct run *r, const struct content *ct, enum encode_format f,
                      const char *path, const char *marks_path, struct batch_record *rec,
                      struct err *e)
{
    struct outfile audio = {.fd = -1}, marks = {.fd = -1};
    unsigned long long samples = 0;
    struct job_spec js;
    struct job *job;
    int rc, rate = 0;

    spec_of(r, ct, f, &js);
    /* made anew (its length goes into the manifest), and into the cache as it comes */
    if (!(job = job_open(r->jobs, &js, JOB_FRESH | (marks_path ? JOB_MARKS : 0), e)))
        return e->code;
    rc = outfile_open(&audio, path, e);
    if (!rc && marks_path)
        rc = outfile_open(&marks, marks_path, e);
    if (!rc)
        rc = collect(job, &audio, &marks, e);
    job_length(job, &samples, &rate);
    job_close(job);
    if (!rc && f == ENCODE_WAV)
        rc = wav_patch(audio.fd, samples, e);
    if (!rc)
        rc = cache_file_sha256(audio.fd, rec->sha256, e);
    rec->bytes = audio.written;
    rec->duration = rate > 0 ? (double)samples / rate : 0;
    if (!rc && marks_path)
        rc = outfile_commit(&marks, e);
    if (!rc)
        rc = outfile_commit(&audio, e);
    outfile_abort(&audio);
    outfile_abort(&marks);
    return rc;
}

/* Whether the output the manifest recorded for these text and settings is still there. */
static int unchanged(struct run *r, const char *output, const char *key, const char *path,
                     const char *marks_path, struct batch_record *prev)
{
    struct stat st;

    if (!manifest_previous(r->man, output, prev) || !strcmp(prev->status, "failed") ||
        strcmp(prev->key, key))
        return 0;
    if (stat(path, &st) || (uint64_t)st.st_size != prev->bytes)
        return 0;
    return !marks_path || access(marks_path, F_OK) == 0;
}

enum outcome { MADE, UNCHANGED, FAILED, STOPPED };

/* One format of one item: kept, made, or failed; recorded in the manifest. */
static enum outcome one_output(struct run *r, size_t k, const struct batch_item *it,
                               const struct content *ct, enum encode_format f, int *want_marks,
                               struct err *e)
{
    const char *ext = encode_extension(f);
    char *path = join(r->o->outdir, it->name, ext), *output = path + strlen(r->o->outdir) + 1;
    char *marks = join(r->o->outdir, it->name, "marks.jsonl");
    struct batch_record rec = {.source = it->source,
                               .title = ct->title,
                               .lang = ct->lang[0] ? ct->lang : NULL,
                               .output = output,
                               .format = encode_format_name(f)},
                        prev;
    enum outcome out = MADE;
    struct job_spec js;
    int rc;

    spec_of(r, ct, f, &js);
    job_key(r->jobs, &js, "audio", rec.key);
    if (unchanged(r, output, rec.key, path, r->o->marks ? marks : NULL, &prev)) {
        rec.duration = prev.duration;
        rec.bytes = prev.bytes;
        memcpy(rec.sha256, prev.sha256, sizeof(rec.sha256));
        out = UNCHANGED;
    } else {
        rc = synthesize(r, ct, f, path, *want_marks ? marks : NULL, &rec, e);
        out = rc == LY_ECANCEL ? STOPPED : rc ? FAILED : MADE;
        if (out == MADE)
            *want_marks = 0;
    }
    rec.status = out == MADE ? "made" : out == UNCHANGED ? "unchanged" : "failed";
    rec.marks = r->o->marks && out != FAILED ? marks + strlen(r->o->outdir) + 1 : NULL;
    if (out == FAILED) {
        rec.error = e->msg;
        rec.sha256[0] = '\0';
        rec.bytes = 0;
        rec.duration = 0;
    }
    if (out == UNCHANGED)
        jobs_adopt(r->jobs, rec.key, ext, path);
    if (out != STOPPED)
        manifest_add(r->man, k, &rec);
    free(path);
    free(marks);
    return out;
}

static void failed_item(struct run *r, size_t k, const struct batch_item *it,
                        const struct content *ct, const struct err *e)
{
    struct batch_record rec = {.source = it->source,
                               .title = ct->title,
                               .lang = ct->lang[0] ? ct->lang : NULL,
                               .status = "failed",
                               .error = e->msg[0] ? e->msg : err_name(e->code)};
    char *path;
    size_t i;

    for (i = 0; i < r->o->nformats; i++) {
        path = join("", it->name, encode_extension(r->o->formats[i]));
        rec.output = path + 1;
        rec.format = encode_format_name(r->o->formats[i]);
        manifest_add(r->man, k, &rec);
        free(path);
    }
}

static void format_duration(char *out, size_t n, double s)
{
    if (s >= 3600)
        snprintf(out, n, "%dh%02dm", (int)(s / 3600), (int)(s / 60) % 60);
    else if (s >= 60)
        snprintf(out, n, "%dm%02ds", (int)(s / 60), (int)s % 60);
    else
        snprintf(out, n, "%ds", (int)s);
}

static double elapsed(const struct progress *pg)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - pg->start.tv_sec) +
           (double)(now.tv_nsec - pg->start.tv_nsec) / 1e9;
}

/* The progress bar on a terminal, redrawn in place. */
static void draw_bar(const struct progress *pg)
{
    char bar[31], eta[32];
    double t = elapsed(pg), rate = t > 0 ? pg->finished / t * 60 : 0;
    size_t i, fill = pg->total ? pg->finished * 30 / pg->total : 30;

    for (i = 0; i < 30; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[30] = '\0';
    format_duration(eta, sizeof(eta),
                    pg->finished ? t / pg->finished * (pg->total - pg->finished) : 0);
    fprintf(stderr, "\r\033[K[%s] %zu/%zu  %.1f/min  ETA %s  %zu failed", bar, pg->finished,
            pg->total, rate, pg->finished ? eta : "?", pg->failed);
    fflush(stderr);
}

/* Counts a finished item and shows it: the bar on a terminal, else one line. Locked. */
static void report(struct run *r, const struct batch_item *it, enum outcome o, const char *error)
{
    struct progress *pg = &r->pg;

    pg->finished++;
    pg->made += o == MADE;
    pg->unchanged += o == UNCHANGED;
    pg->failed += o == FAILED;
    if (o == FAILED && r->nfailures < 20)
        snprintf(r->failures[r->nfailures++], sizeof(r->failures[0]), "%.150s: %.160s", it->source,
                 error);
    if (pg->quiet)
        return;
    if (pg->tty)
        draw_bar(pg);
    else
        fprintf(stderr, "[%zu/%zu] %s %s%s%s\n", pg->finished, pg->total,
                o == MADE        ? "made"
                : o == UNCHANGED ? "unchanged"
                                 : "failed",
                it->name, o == FAILED ? ": " : "", o == FAILED ? error : "");
}

static int do_item(struct run *r, size_t k)
{
    const struct batch_item *it = &r->l->v[r->mine[k]];
    struct content ct;
    struct err e = {0}, fe = {0};
    enum outcome o, all = UNCHANGED;
    int want_marks = r->o->marks;
    size_t i;

    if (load(r, it, &ct, &e)) {
        failed_item(r, k, it, &ct, &e);
        all = FAILED;
    }
    for (i = 0; all != FAILED && i < r->o->nformats; i++) {
        o = one_output(r, k, it, &ct, r->o->formats[i], &want_marks, &fe);
        if (o == STOPPED) {
            content_release(&ct);
            return -1;
        }
        if (o == FAILED && all != FAILED)
            e = fe;
        if (o == FAILED || (o == MADE && all == UNCHANGED))
            all = o;
    }
    pthread_mutex_lock(&r->lock);
    report(r, it, all, e.msg[0] ? e.msg : err_name(e.code));
    pthread_mutex_unlock(&r->lock);
    content_release(&ct);
    return 0;
}

static void *work(void *arg)
{
    struct run *r = arg;
    size_t k;

    for (;;) {
        pthread_mutex_lock(&r->lock);
        k = r->next++;
        pthread_mutex_unlock(&r->lock);
        if (stopping || k >= r->nmine || do_item(r, k))
            return NULL;
    }
}

/* Whether name is a temporary file outfile.c left behind: ".NAME.EXT.XXXXXX" with one of
 * the extensions a batch writes. */
static int stale_temp(const char *name)
{
    static const char *const exts[] = {".mp3.", ".ogg.", ".opus.", ".wav.", ".jsonl."};
    size_t n = strlen(name), i, k;

    if (name[0] != '.' || n < 9)
        return 0;
    for (k = n - 6; k < n; k++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", name[k]))
            return 0;
    for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
        size_t el = strlen(exts[i]);
        if (n - 6 > el && !strncmp(name + n - 6 - el, exts[i], el))
            return 1;
    }
    return 0;
}

/* Whether the file a temporary name stands for (".TARGET.XXXXXX") is this run's: one of
 * its items' outputs or its own manifest. Shards on other machines may be writing their
 * own temporaries into the same folder at this moment: those are left alone. */
static int ours(const struct run *r, const char *tmp, const char *manifest)
{
    static const char *const exts[] = {"mp3", "ogg", "opus", "wav", "marks.jsonl"};
    size_t n = strlen(tmp) - 8, k, i, len; /* the target, between "." and ".XXXXXX" */
    const char *target = tmp + 1, *name;

    if (strlen(manifest) == n && !strncmp(target, manifest, n))
        return 1;
    for (k = 0; k < r->nmine; k++) {
        name = r->l->v[r->mine[k]].name;
        len = strlen(name);
        if (len >= n || strncmp(target, name, len) || target[len] != '.')
            continue;
        for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++)
            if (n - len - 1 == strlen(exts[i]) && !strncmp(target + len + 1, exts[i], n - len - 1))
                return 1;
    }
    return 0;
}

/* Creates outdir when missing and removes what an interrupted run of the same items left
 * half-written. */
static int prepare_outdir(const struct run *r, struct err *e)
{
    const char *outdir = r->o->outdir;
    char manifest[64];
    struct dirent *de;
    DIR *d;
    char *p;

    if (r->o->nshards > 1)
        snprintf(manifest, sizeof(manifest), "manifest.shard-%d-of-%d.jsonl", r->o->shard,
                 r->o->nshards);
    else
        snprintf(manifest, sizeof(manifest), "manifest.jsonl");
    if (mkdir(outdir, 0755) && errno != EEXIST)
        return err_set(e, LY_EIO, "cannot create '%s': %s", outdir, strerror(errno));
    d = opendir(outdir);
    if (!d)
        return err_set(e, LY_EIO, "cannot read '%s': %s", outdir, strerror(errno));
    while ((de = readdir(d)))
        if (stale_temp(de->d_name) && ours(r, de->d_name, manifest)) {
            p = join(outdir, de->d_name, "");
            unlink(p);
            free(p);
        }
    closedir(d);
    return LY_OK;
}

/* Runs the threads; then the manifest keeps what this run did not reach. */
static void run_items(struct run *r)
{
    pthread_t *t = xcalloc((size_t)r->o->jobs, sizeof(*t));
    int i, n = 0;
    size_t k, f;
    char *output;

    if (r->pg.tty && !r->pg.quiet)
        draw_bar(&r->pg);
    for (i = 0; i < r->o->jobs && (size_t)i < r->nmine; i++)
        if (pthread_create(&t[n], NULL, work, r) == 0)
            n++;
    if (n == 0)
        work(r);
    for (i = 0; i < n; i++)
        pthread_join(t[i], NULL);
    free(t);
    if (r->pg.tty && !r->pg.quiet)
        fputc('\n', stderr);
    for (k = 0; k < r->nmine; k++)
        for (f = 0; f < r->o->nformats; f++) {
            output = join("", r->l->v[r->mine[k]].name, encode_extension(r->o->formats[f]));
            manifest_keep(r->man, k, output + 1);
            free(output);
        }
}

static void print_summary(const struct run *r)
{
    const struct progress *pg = &r->pg;
    double t = elapsed(pg);
    size_t i;

    if (!pg->quiet || pg->failed)
        fprintf(stderr, "lyssna: %zu items: %zu made, %zu unchanged, %zu failed in %.0f s%s\n",
                pg->total, pg->made, pg->unchanged, pg->failed, t,
                stopping ? " (interrupted)" : "");
    for (i = 0; i < r->nfailures; i++)
        fprintf(stderr, "  %s\n", r->failures[i]);
    if (pg->failed > r->nfailures)
        fprintf(stderr, "  ... and %zu more: see %s/manifest.jsonl\n", pg->failed - r->nfailures,
                r->o->outdir);
}

static int open_run(struct run *r, struct err *e)
{
    size_t i;

    r->mine = xcalloc(r->l->n ? r->l->n : 1, sizeof(*r->mine));
    for (i = 0; i < r->l->n; i++)
        if (r->o->nshards <= 1 || i % (size_t)r->o->nshards == (size_t)(r->o->shard - 1))
            r->mine[r->nmine++] = i;
    r->failures = xcalloc(20, sizeof(*r->failures));
    pthread_mutex_init(&r->lock, NULL);
    r->pg.total = r->nmine;
    r->pg.quiet = r->o->quiet;
    r->pg.tty = isatty(STDERR_FILENO);
    clock_gettime(CLOCK_MONOTONIC, &r->pg.start);
    if (prepare_outdir(r, e) ||
        !(r->man = manifest_open(r->o->outdir, r->o->shard, r->o->nshards, r->nmine, e)))
        return e->code;
    if (r->o->fill_cache &&
        !(r->cache = cache_open(r->o->fill_cache, (uint64_t)r->o->cache_max_mb << 20, e)))
        return e->code;
    if (!(r->pool = pool_new(r->o->exe, r->o->jobs, e)))
        return e->code;
    /* as many workers as threads: no queue to limit, and no wait given up */
    r->jobs = jobs_new(r->pool, r->cache,
                       &(struct jobs_limits){.engine = r->engine,
                                             .queue_wait_ms = -1,
                                             .synth_timeout_ms = r->o->synth_timeout_ms},
                       &stopping);
    if (r->o->lexicon_file && !(r->lex = lexicon_open(r->o->lexicon_file, e)))
        return e->code;
    jobs_set_lexicon(r->jobs, r->lex);
    return LY_OK;
}

int batch_run(const struct batch_opts *o, const struct batch_list *l, struct crawl *c,
              struct batch_summary *sum, struct err *e)
{
    struct run r = {.o = o, .l = l, .crawl = c};
    int rc;

    signals_catch_stop(&stopping);
    voice_data_version(voice_dir(), r.engine);
    rc = open_run(&r, e);
    if (!rc) {
        run_items(&r);
        rc = manifest_commit(r.man, e);
        print_summary(&r);
    }
    sum->items = r.pg.total;
    sum->made = r.pg.made;
    sum->unchanged = r.pg.unchanged;
    sum->failed = r.pg.failed;
    sum->interrupted = stopping != 0;
    jobs_free(r.jobs);
    lexicon_free(r.lex);
    pool_free(r.pool);
    cache_free(r.cache);
    manifest_free(r.man);
    pthread_mutex_destroy(&r.lock);
    free(r.failures);
    free(r.mine);
    return rc;
}
