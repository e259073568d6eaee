/* docparts.c -- a PDF read in parts for a listen (extract_opts.part): the first page of a scan
 * or of a long document is spoken while the rest is read, a part at a time as the job asks
 * for it (job_parts), and the whole, its parts joined, is there for the answers that need
 * all of it (the marks' blocks, the text, captions, other formats than MP3). Held by the page
 * that read it and by the job that speaks it; the last to let go frees it. */
#include "serve_int.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extract/extract.h"

#include "banned.h"

#define DOCPARTS_MAX 32 /* parts a document may have (a 2,000-page PDF has 11) */

struct docparts {
    atomic_int refs;
    pthread_mutex_t lock; /* the parts read and handed out */
    struct page_bytes *doc;
    struct extract_opts xo; /* its strings are the copies below */
    char *url, *readid, *charset, *content_type, *worker;
    char key[CACHE_KEY_HEX + 1];
    struct job_parts ops;
    struct page_text *part; /* DOCPARTS_MAX, the first nread read (each once, then never
                               changed, so read without the lock); an empty part has len 0 */
    int nread, nparts;      /* nparts is 1 until part 1, which tells it, is read */
    size_t text;            /* bytes of text read, held to the cap of the whole */
};

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

/* Part k (1-based) of a document is "/document[k]/p[1]" where part 1's is "/document/p[1]":
 * each part numbers its blocks from 1. */
static void rename_blocks(struct extract_result *r, int k)
{
    size_t i, n;
    char *x;

    for (i = 0; i < r->nblocks; i++) {
        if (strncmp(r->blocks[i].xpath, "/document", 9))
            continue;
        n = strlen(r->blocks[i].xpath) + 16;
        x = xmalloc(n);
        snprintf(x, n, "/document[%d]%s", k, r->blocks[i].xpath + 9);
        free(r->blocks[i].xpath);
        r->blocks[i].xpath = x;
    }
}

/* Reads the next part (under dp->lock); a later part of blank pages is read as an empty one. */
static int read_next(struct docparts *dp, struct err *e)
{
    struct extract_result *r = xcalloc(1, sizeof(*r));
    struct extract_opts xo = dp->xo;
    int rc;

    xo.part = dp->nread + 1;
    rc = extract_any(dp->doc->data, dp->doc->len, &xo, r, e);
    if (rc == LY_EEMPTY && dp->nread) {
        *e = (struct err){0};
        rc = LY_OK;
    }
    if (rc) {
        free(r);
        return rc;
    }
    rename_blocks(r, xo.part);
    for (size_t i = 0; i < r->nblocks; i++)
        dp->text += strlen(r->blocks[i].text) + 1;
    if (dp->text > (xo.max_text ? xo.max_text : LYSSNA_MAX_TEXT)) {
        extract_result_release(r);
        free(r);
        return err_set(e, LY_ETOOBIG, "the document's text is over the limit of %zu bytes",
                       xo.max_text ? xo.max_text : (size_t)LYSSNA_MAX_TEXT);
    }
    if ((rc = pipeline_page_of(r, &dp->part[dp->nread], e)))
        return rc;
    if (!dp->nread++)
        dp->nparts = r->parts < 1 ? 1 : r->parts < DOCPARTS_MAX ? r->parts : DOCPARTS_MAX;
    return LY_OK;
}

/* Part k read, unless it is past the last (*have 0); each part is read once, under the
 * lock, whoever asks for it first. */
static int read_upto(struct docparts *dp, int k, int *have, struct err *e)
{
    int rc = LY_OK;

    pthread_mutex_lock(&dp->lock);
    while (!rc && dp->nread <= k && dp->nread < dp->nparts)
        rc = read_next(dp, e);
    *have = k < dp->nread;
    pthread_mutex_unlock(&dp->lock);
    return rc;
}

static int more(void *ctx, int *k, struct job_spec *out, struct err *e)
{
    struct docparts *dp = ctx;
    int rc, have;

    for (out->len = 0; !(rc = read_upto(dp, *k, &have, e)) && have; ++*k) {
        const struct page_text *p = &dp->part[*k];
        if (p->len) {
            out->text = p->text;
            out->len = p->len;
            out->line_langs = p->line_langs;
            out->nlines = p->nlines;
            break;
        }
    }
    return rc;
}

static void hold(void *ctx)
{
    docparts_hold(ctx);
}

static void drop(void *ctx)
{
    docparts_drop(ctx);
}

void docparts_key(const char *doc, size_t len, char key[CACHE_KEY_HEX + 1])
{
    const char *parts[2] = {"a PDF read in parts", doc};
    size_t lens[2] = {strlen(parts[0]), len};

    cache_key(parts, lens, 2, key);
}

struct docparts *docparts_new(struct page_bytes *doc, const char *key,
                              const struct extract_opts *xo, struct page_text *first)
{
    struct docparts *dp = xcalloc(1, sizeof(*dp));

    atomic_init(&dp->refs, 1);
    pthread_mutex_init(&dp->lock, NULL);
    dp->doc = page_bytes_hold(doc);
    dp->xo = *xo;
    dp->xo.url = dp->url = dup_or_null(xo->url);
    dp->xo.readid = dp->readid = dup_or_null(xo->readid);
    dp->xo.charset = dp->charset = dup_or_null(xo->charset);
    dp->xo.content_type = dp->content_type = dup_or_null(xo->content_type);
    dp->xo.worker = dp->worker = dup_or_null(xo->worker);
    memcpy(dp->key, key, sizeof(dp->key));
    dp->part = xcalloc(DOCPARTS_MAX, sizeof(*dp->part));
    dp->nparts = 1;
    if (first) {
        dp->nparts = first->page->parts < DOCPARTS_MAX ? first->page->parts : DOCPARTS_MAX;
        dp->part[0] = *first;
        memset(first, 0, sizeof(*first));
        dp->nread = 1;
        dp->text = dp->part[0].len + 1;
    }
    dp->ops = (struct job_parts){
        .more = more,
        .hold = hold,
        .drop = drop,
        .ctx = dp,
        .key = dp->key,
    };
    return dp;
}

void docparts_spec(struct docparts *dp, struct job_spec *js)
{
    const struct page_text *first = dp->nread ? &dp->part[0] : NULL;

    js->text = first ? first->text : "";
    js->len = first ? first->len : 0;
    js->line_langs = first ? first->line_langs : NULL;
    js->nlines = first ? first->nlines : 0;
    js->parts = &dp->ops;
}

/* A copy of b, its text at start in the whole. */
static void copy_block(struct extract_block *to, const struct extract_block *b, size_t start)
{
    size_t i;

    *to = *b;
    to->text = xstrdup(b->text);
    to->xpath = xstrdup(b->xpath);
    to->lang = dup_or_null(b->lang);
    to->start = start;
    to->runs = b->nruns ? xcalloc(b->nruns, sizeof(*to->runs)) : NULL;
    for (i = 0; i < b->nruns; i++) {
        to->runs[i] = b->runs[i];
        to->runs[i].lang = xstrdup(b->runs[i].lang);
    }
}

int docparts_whole(struct docparts *dp, struct page_text *out, struct err *e)
{
    struct extract_result *w;
    const struct extract_result *first;
    size_t n = 0, at = 0, i;
    int rc, k, have;

    /* every part (part 1 first, when not read yet: it tells how many there are) */
    if ((rc = read_upto(dp, DOCPARTS_MAX, &have, e)))
        return rc;
    first = dp->part[0].page;
    for (k = 0; k < dp->nread; k++)
        n += dp->part[k].page->nblocks;
    w = xcalloc(1, sizeof(*w));
    w->title = xstrdup(first->title ? first->title : "");
    w->lang = xstrdup(first->lang ? first->lang : "");
    w->blocks = xcalloc(n ? n : 1, sizeof(*w->blocks));
    for (k = 0; k < dp->nread; k++) {
        const struct extract_result *p = dp->part[k].page;
        for (i = 0; i < p->nblocks; i++) {
            copy_block(&w->blocks[w->nblocks++], &p->blocks[i], at);
            at += strlen(p->blocks[i].text) + 1;
        }
        w->words += p->words;
        w->ocr |= p->ocr;
    }
    w->parts = dp->nparts;
    return pipeline_page_of(w, out, e);
}

void docparts_hold(struct docparts *dp)
{
    atomic_fetch_add(&dp->refs, 1);
}

void docparts_drop(struct docparts *dp)
{
    int k;

    if (!dp || atomic_fetch_sub(&dp->refs, 1) != 1)
        return;
    for (k = 0; k < dp->nread; k++)
        pipeline_page_release(&dp->part[k]);
    free(dp->part);
    page_bytes_drop(dp->doc);
    free(dp->url);
    free(dp->readid);
    free(dp->charset);
    free(dp->content_type);
    free(dp->worker);
    pthread_mutex_destroy(&dp->lock);
    free(dp);
}
