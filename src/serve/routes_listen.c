/* routes_listen.c -- GET /v1/listen, /v1/listen/marks and /v1/listen/text: the page or the
 * document (PDF, DOCX, ODT, parsed in a sandboxed extract-worker) at ?url= fetched (or taken
 * from the recent-page store), extracted and read aloud. The store
 * keeps pages and their learned audio keys for page_ttl_s, guarded by srv->lock. */
#include "serve_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "extract/extract.h"
#include "request.h"

#include "banned.h"

#define LYSSNA_RECENT_PAGES 64

/* voice, rate and format, checked, into js; defaults filled in. */
static int parse_voice_rate_format(const char *voice, const char *rate, const char *format,
                                   struct job_spec *js, struct err *e)
{
    struct request_voice v;
    int rc = request_parse_voice(voice, rate, format, &v, e);

    if (rc)
        return rc;
    memcpy(js->voice, v.voice, sizeof(js->voice));
    js->rate = v.rate;
    js->format = v.format;
    return LY_OK;
}

int listen_voice(struct MHD_Connection *c, struct job_spec *js, struct err *e)
{
    return parse_voice_rate_format(arg(c, "voice"), arg(c, "rate"), arg(c, "format"), js, e);
}

/* The store's page for url (under srv->lock), fetched less than page_ttl_s ago when fresh;
 * NULL when there is none. */
static struct recent_page *recent_at(struct server *srv, const char *url, int fresh)
{
    struct recent_page *p;
    time_t now = time(NULL);

    for (p = srv->pages; p; p = p->next)
        if (!strcmp(p->url, url) && (!fresh || now - p->at < cfg_of(srv)->page_ttl_s))
            return p;
    return NULL;
}

struct page_bytes *page_bytes_take(struct buf *b)
{
    struct page_bytes *pb = xcalloc(1, sizeof(*pb));

    atomic_init(&pb->refs, 1);
    pb->data = buf_detach(b, &pb->len);
    return pb;
}

struct page_bytes *page_bytes_hold(struct page_bytes *pb)
{
    atomic_fetch_add(&pb->refs, 1);
    return pb;
}

void page_bytes_drop(struct page_bytes *pb)
{
    if (!pb || atomic_fetch_sub(&pb->refs, 1) != 1)
        return;
    free(pb->data);
    free(pb);
}

/* A page fetched less than page_ttl_s ago: its bytes held into *bytes and the rest copied into
 * out; 1 when there was one. */
static int recent_get(struct server *srv, const char *url, struct fetch_result *out,
                      struct page_bytes **bytes)
{
    struct recent_page *p;

    pthread_mutex_lock(&srv->lock);
    if ((p = recent_at(srv, url, 1))) {
        *bytes = page_bytes_hold(p->bytes);
        out->charset = p->charset ? xstrdup(p->charset) : NULL;
        out->content_type = p->content_type ? xstrdup(p->content_type) : NULL;
        out->status = 200;
    }
    pthread_mutex_unlock(&srv->lock);
    return p != NULL;
}

/* The listen parameters as given, joined: the same page with the same parameters has the
 * same audio key while it is recent. 0 when they are too long to remember. */
static int listen_params(struct MHD_Connection *c, char out[LYSSNA_PARAMS_MAX])
{
    const char *v[4] = {arg(c, "readid"), arg(c, "voice"), arg(c, "rate"), arg(c, "format")};
    int n = snprintf(out, LYSSNA_PARAMS_MAX, "%s\x1f%s\x1f%s\x1f%s", v[0] ? v[0] : "",
                     v[1] ? v[1] : "", v[2] ? v[2] : "", v[3] ? v[3] : "");

    return n > 0 && n < LYSSNA_PARAMS_MAX;
}

/* The audio key learned for url and params while the page is recent: a repeated listen
 * then goes straight to the cache, without extracting the page again. */
static int recent_key(struct server *srv, const char *url, const char *params, unsigned long gen,
                      char key[CACHE_KEY_HEX + 1], enum encode_format *format)
{
    struct recent_page *p;
    int i, found = 0;

    pthread_mutex_lock(&srv->lock);
    for (i = 0, p = recent_at(srv, url, 1); p && i < LYSSNA_KNOWN_KEYS && !found; i++)
        if (!strcmp(p->known[i].params, params) && p->known[i].lexicon == gen) {
            memcpy(key, p->known[i].key, CACHE_KEY_HEX + 1);
            *format = p->known[i].format;
            found = 1;
        }
    pthread_mutex_unlock(&srv->lock);
    return found;
}

static void recent_learn(struct server *srv, const char *url, const char *params, unsigned long gen,
                         const char *key, enum encode_format format)
{
    struct recent_page *p;
    struct known_key *k;

    pthread_mutex_lock(&srv->lock);
    if ((p = recent_at(srv, url, 0))) {
        k = &p->known[p->nknown++ % LYSSNA_KNOWN_KEYS];
        snprintf(k->params, sizeof(k->params), "%s", params);
        memcpy(k->key, key, CACHE_KEY_HEX + 1);
        k->format = format;
        k->lexicon = gen;
    }
    pthread_mutex_unlock(&srv->lock);
}

/* The parts of the document at url read by an earlier listen while it is recent (held),
 * or NULL: the listens of a scan (its audio, marks, playlist) recognize it once. */
static struct docparts *recent_parts(struct server *srv, const char *url)
{
    struct recent_page *p;
    struct docparts *dp = NULL;

    pthread_mutex_lock(&srv->lock);
    if ((p = recent_at(srv, url, 1)) && (dp = p->parts))
        docparts_hold(dp);
    pthread_mutex_unlock(&srv->lock);
    return dp;
}

static void recent_keep_parts(struct server *srv, const char *url, struct docparts *dp)
{
    struct recent_page *p;

    pthread_mutex_lock(&srv->lock);
    if ((p = recent_at(srv, url, 0)) && !p->parts) {
        p->parts = dp;
        docparts_hold(dp);
    }
    pthread_mutex_unlock(&srv->lock);
}

/* A PDF whose audio read in parts is cached (an earlier listen, on any instance sharing the
 * cache, found it a scan or a long one), under key (docparts_key): its parts unread, as the
 * audio needs none of them (a job that finds the entry gone reads part 1 then). NULL when it
 * is not cached. */
static struct docparts *cached_parts(struct server *srv, const char *url, struct page_bytes *doc,
                                     const char *key, const struct extract_opts *xo,
                                     const struct job_spec *js)
{
    struct job_parts probe_parts = {.key = key};
    struct job_spec probe = *js;
    struct docparts *dp;
    struct cache_hit hit;
    char audio[CACHE_KEY_HEX + 1];

    if (!srv->cache)
        return NULL;
    probe.parts = &probe_parts;
    job_key(srv->jobs, &probe, "audio", audio);
    if (cache_get(srv->cache, audio, "mp3", &hit, NULL) != 1)
        return NULL;
    close(hit.fd);
    dp = docparts_new(doc, key, xo, NULL);
    recent_keep_parts(srv, url, dp);
    return dp;
}

void recent_free(struct recent_page *p)
{
    docparts_drop(p->parts);
    free(p->url);
    free(p->charset);
    free(p->content_type);
    page_bytes_drop(p->bytes);
    free(p);
}

/* Remembers a fetched page, dropping the oldest past LYSSNA_RECENT_PAGES. */
static void recent_put(struct server *srv, const char *url, const struct fetch_result *r,
                       struct page_bytes *bytes)
{
    struct recent_page *p = xcalloc(1, sizeof(*p)), **q;
    int n = 0;

    p->url = xstrdup(url);
    p->charset = r->charset ? xstrdup(r->charset) : NULL;
    p->content_type = r->content_type ? xstrdup(r->content_type) : NULL;
    p->bytes = page_bytes_hold(bytes);
    p->at = time(NULL);
    pthread_mutex_lock(&srv->lock);
    p->next = srv->pages;
    srv->pages = p;
    for (q = &srv->pages; *q; n++) {
        if (n >= LYSSNA_RECENT_PAGES || (n > 0 && !strcmp((*q)->url, url))) {
            struct recent_page *old = *q;
            *q = old->next;
            recent_free(old);
        } else {
            q = &(*q)->next;
        }
    }
    pthread_mutex_unlock(&srv->lock);
}

/* Refuses what extract_reader_of will not read, and says into kind which reader will. Not
 * for reading is the origin's answer, not the client's request: a bad gateway, counted as
 * such. */
static int check_type(struct server *srv, const char *url, const struct fetch_result *f,
                      const struct page_bytes *bytes, enum extract_format *kind, struct err *e)
{
    int rc = extract_reader_of(f->content_type, url, bytes->data, bytes->len, kind, e);

    if (rc == LY_EINPUT) {
        srv->m.fetch_errors[F_NOT_HTML]++;
        e->code = rc = LY_EFETCH;
    }
    return rc;
}

/* What a listen asks for: from the query string, or the prefetch's defaults (all NULL but
 * url). */
struct listen_args {
    const char *url, *readid, *voice, *rate, *format;
};

/* The host of an http(s) URL, lowercased, into out ("" when there is none). */
static void host_of(const char *url, char *out, size_t size)
{
    const char *s = strstr(url, "://");
    size_t n = 0;

    for (s = s ? s + 3 : url; *s && !strchr(":/?#", *s) && n + 1 < size; s++)
        out[n++] = (char)(*s >= 'A' && *s <= 'Z' ? *s - 'A' + 'a' : *s);
    out[n] = '\0';
}

static int read_page_as(struct server *srv, const struct listen_args *a, struct page *pg,
                        struct job_spec *js, int in_parts, struct err *e)
{
    const char *url = a->url;
    struct extract_opts xo = {0};
    enum extract_format kind;
    struct page_bytes *doc;
    char key[CACHE_KEY_HEX + 1] = ""; /* a PDF's, for reading it in parts */
    int rc;

    memset(pg, 0, sizeof(*pg));
    buf_init(&pg->fetched.body, 0);
    if (!url || !*url)
        return err_set(e, LY_EUSAGE, "give the page's address: ?url=https://...");
    rc = parse_voice_rate_format(a->voice, a->rate, a->format, js, e);
    if (!rc && !recent_get(srv, url, &pg->fetched, &pg->bytes)) {
        fetch_result_release(&pg->fetched);
        rc = fetch_get_url(url, &live_of(srv)->fetch, &pg->fetched, e);
        if (!rc) {
            pg->bytes = page_bytes_take(&pg->fetched.body);
            if (cfg_of(srv)->page_ttl_s > 0)
                recent_put(srv, url, &pg->fetched, pg->bytes);
        }
    }
    if (rc) {
        srv->m.fetch_errors[rc == LY_EHTTP      ? F_STATUS
                            : rc == LY_ETIMEOUT ? F_TIMEOUT
                            : rc == LY_EDENIED  ? F_DENIED
                            : rc == LY_ETOOBIG  ? F_TOO_LARGE
                                                : F_NETWORK]++;
        if (rc == LY_ETOOBIG) /* the origin's page is too large, not the client's request */
            e->code = rc = LY_EFETCH;
        return rc;
    }
    rc = check_type(srv, url, &pg->fetched, pg->bytes, &kind, e);
    if (rc)
        return rc;
    xo.readid = a->readid;
    xo.url = url;
    xo.charset = pg->fetched.charset;
    xo.content_type = pg->fetched.content_type;
    xo.worker = srv->exe;
    xo.part = 1;
    doc = pg->bytes;
    if (kind == EXTRACT_PDF && !(pg->parts = recent_parts(srv, url)) && in_parts &&
        js->format == ENCODE_MP3) {
        docparts_key(doc->data, doc->len, key);
        pg->parts = cached_parts(srv, url, doc, key, &xo, js);
    }
    if (!pg->parts) {
        rc = pipeline_read_html(doc->data, doc->len, &xo, &pg->text, e);
        if (rc)
            return rc;
        if (pg->text.page->parts > 1) {
            if (!*key)
                docparts_key(doc->data, doc->len, key);
            pg->parts = docparts_new(doc, key, &xo, &pg->text);
            recent_keep_parts(srv, url, pg->parts);
        }
    }
    /* parts joined as they come: only MP3's streams do */
    if (pg->parts && (!in_parts || js->format != ENCODE_MP3)) {
        rc = docparts_whole(pg->parts, &pg->text, e);
        docparts_drop(pg->parts);
        pg->parts = NULL;
        if (rc)
            return rc;
    }
    if (pg->parts) {
        docparts_spec(pg->parts, js);
    } else {
        js->text = pg->text.text;
        js->len = pg->text.len;
        js->line_langs = pg->text.line_langs;
        js->nlines = pg->text.nlines;
    }
    host_of(url, pg->host, sizeof(pg->host));
    js->host = pg->host;
    return LY_OK;
}

int read_page(struct server *srv, struct MHD_Connection *c, struct page *pg, struct job_spec *js,
              int in_parts, struct err *e)
{
    const struct listen_args args = {arg(c, "url"), arg(c, "readid"), arg(c, "voice"),
                                     arg(c, "rate"), arg(c, "format")};

    return read_page_as(srv, &args, pg, js, in_parts, e);
}

json_t *listen_blocks(const struct extract_result *page)
{
    json_t *blocks = json_array();
    size_t i;

    for (i = 0; i < page->nblocks; i++) {
        const struct extract_block *b = &page->blocks[i];
        const char *lang = b->lang ? b->lang : page->lang ? page->lang : "";
        /* lang: the language the block is read in, after detection */
        json_array_append_new(blocks,
                              json_pack("{s:s, s:I, s:I, s:s}", "xpath", b->xpath, "start",
                                        (json_int_t)b->start, "end",
                                        (json_int_t)(b->start + strlen(b->text)), "lang", lang));
    }
    return blocks;
}

void page_release(struct page *pg)
{
    fetch_result_release(&pg->fetched);
    page_bytes_drop(pg->bytes);
    pg->bytes = NULL;
    pipeline_page_release(&pg->text);
    docparts_drop(pg->parts);
    pg->parts = NULL;
}

/* What of a page a GET of the listen family answers. */
enum listen_kind { LISTEN_AUDIO, LISTEN_MARKS, LISTEN_TEXT, LISTEN_HLS };

static enum MHD_Result listen_to(struct server *srv, struct MHD_Connection *c,
                                 enum listen_kind kind)
{
    struct job_spec js = {0};
    struct page pg;
    struct err e = {0};
    enum MHD_Result ret;
    json_t *marks = NULL, *doc, *blocks;
    struct buf json;
    char params[LYSSNA_PARAMS_MAX], key[CACHE_KEY_HEX + 1];
    const char *url = arg(c, "url");
    enum encode_format format;
    struct cache_hit hit;
    const char *chapters = arg(c, "chapters");
    int chaptered = chapters && !strcmp(chapters, "1");
    int known = kind == LISTEN_AUDIO && !chaptered && url && listen_params(c, params), rc;
    /* a key learned before the lexicon changed may name audio that says a word wrong */
    unsigned long gen = srv->lex ? lexicon_generation(srv->lex) : 0;

    if (known && recent_key(srv, url, params, gen, key, &format) &&
        jobs_lookup(srv->jobs, key, encode_extension(format), &hit))
        return send_cached(srv, c, &hit, encode_mime_type(format), key, NULL);
    /* the audio, its marks and playlist in parts, as they are heard; the text and a
       chaptered download whole */
    rc = read_page(srv, c, &pg, &js, kind != LISTEN_TEXT && !chaptered, &e);
    if (rc) {
        ret = send_error(srv, c, &e);
    } else if (kind == LISTEN_AUDIO && chaptered) {
        ret = answer_chapters(srv, c, &js, pg.text.page);
    } else if (kind == LISTEN_AUDIO) {
        job_key(srv->jobs, &js, "audio", key);
        if (known)
            recent_learn(srv, url, params, gen, key, js.format);
        ret = answer_audio(srv, c, &js, NULL);
    } else if (kind == LISTEN_HLS) {
        js.format = ENCODE_MP3; /* packed audio: MP3 segments, whatever format says */
        ret = answer_hls_playlist(srv, c, &js);
    } else if (kind == LISTEN_TEXT) {
        buf_init(&json, BUF_NOLIMIT);
        rc = extract_json(pg.text.page, arg(c, "url"), js.rate ? js.rate : 170, &json, &e);
        ret = rc ? send_error(srv, c, &e)
                 : send_buffer(srv, c, MHD_HTTP_OK, "application/json", json.data, json.len);
        buf_release(&json);
    } else if ((rc = collect_marks(srv, &js, &marks, &e)) ||
               (pg.parts && (rc = docparts_whole(pg.parts, &pg.text, &e)))) {
        ret = send_error(srv, c, &e);
    } else {
        blocks = listen_blocks(pg.text.page);
        doc = json_pack("{s:s, s:O, s:o, s:O}", "title", pg.text.page->title, "duration_ms",
                        json_object_get(marks, "duration_ms"), "blocks", blocks, "marks",
                        json_object_get(marks, "marks"));
        json_decref(marks);
        ret = send_json(srv, c, MHD_HTTP_OK, doc);
    }
    page_release(&pg);
    return ret;
}

enum MHD_Result answer_listen(struct server *srv, struct MHD_Connection *c, struct request *rq)
{
    (void)rq;
    return listen_to(srv, c, LISTEN_AUDIO);
}

enum MHD_Result answer_listen_marks(struct server *srv, struct MHD_Connection *c,
                                    struct request *rq)
{
    (void)rq;
    return listen_to(srv, c, LISTEN_MARKS);
}

enum MHD_Result answer_listen_text(struct server *srv, struct MHD_Connection *c, struct request *rq)
{
    (void)rq;
    return listen_to(srv, c, LISTEN_TEXT);
}

enum MHD_Result answer_listen_hls(struct server *srv, struct MHD_Connection *c, struct request *rq)
{
    (void)rq;
    return listen_to(srv, c, LISTEN_HLS);
}

int listen_fill(struct server *srv, const char *url, struct err *e)
{
    const struct listen_args args = {url, NULL, NULL, NULL, NULL};
    struct job_spec js = {0};
    struct page pg;
    int rc = read_page_as(srv, &args, &pg, &js, 1, e);

    if (rc == LY_OK)
        rc = job_fill(srv->jobs, &js, e);
    page_release(&pg);
    return rc;
}
