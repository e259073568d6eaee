/* routes_page.c -- POST /v1/listen and GET /v1/audio/KEY.EXT, /v1/audio/KEY.marks: a page
 * the service cannot fetch itself (behind a login, an intranet, a view a script made) sent
 * by the browser as HTML. The answer names content-addressed audio and marks: what to
 * synthesize is stored in the cache under the audio's key (KEY.job, JSON), so the audio's
 * address alone, later or from another client, makes it, streams it or serves it with
 * ranges like any listen. The same text gives the same addresses. */
#include "serve_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "extract/extract.h"

#include "banned.h"

/* The job as JSON: what key_of hashes, and the title and blocks for the marks. */
static json_t *job_json(const struct job_spec *js, const struct page_text *pt)
{
    json_t *langs = json_array();
    size_t i;

    for (i = 0; i < js->nlines; i++)
        json_array_append_new(langs,
                              js->line_langs[i] ? json_string(js->line_langs[i]) : json_null());
    return json_pack("{s:s%, s:o, s:s, s:i, s:s, s:s, s:o}", "text", js->text, js->len, "langs",
                     langs, "voice", js->voice, "rate", js->rate, "format",
                     encode_format_name(js->format), "title", pt->page->title, "blocks",
                     listen_blocks(pt->page));
}

static void store_job(struct server *srv, const char *key, const json_t *job)
{
    char *text = json_dumps(job, JSON_COMPACT);
    struct cache_writer *w;
    struct err e = {0};

    if (text && (w = cache_put_begin(srv->cache, key, "job", &e))) {
        if (cache_put_write(w, text, strlen(text), &e))
            cache_put_abort(w);
        else
            cache_put_commit(w, &e);
    }
    free(text);
}

/* The stored job of key into js (pointing into *doc, which the caller frees with
 * json_decref, and *langs, freed with free); 0 when there is none. */
static int load_job(struct server *srv, const char *key, struct job_spec *js, json_t **doc,
                    const char ***langs)
{
    struct cache_hit hit;
    json_t *l;
    char *data;
    size_t i;
    struct err e = {0};

    memset(js, 0, sizeof(*js));
    *doc = NULL;
    *langs = NULL;
    if (cache_get(srv->cache, key, "job", &hit, NULL) != 1)
        return 0;
    data = xmalloc(hit.size + 1);
    if (pread(hit.fd, data, hit.size, 0) == (ssize_t)hit.size)
        *doc = json_loadb(data, hit.size, 0, NULL);
    free(data);
    close(hit.fd);
    l = json_object_get(*doc, "langs");
    if (!json_is_string(json_object_get(*doc, "text")) || !json_is_array(l) ||
        encode_format_parse(json_string_value(json_object_get(*doc, "format")), &js->format, &e)) {
        json_decref(*doc);
        return 0;
    }
    js->text = json_string_value(json_object_get(*doc, "text"));
    js->len = json_string_length(json_object_get(*doc, "text"));
    snprintf(js->voice, sizeof(js->voice), "%s",
             json_is_string(json_object_get(*doc, "voice"))
                 ? json_string_value(json_object_get(*doc, "voice"))
                 : "");
    js->rate = (int)json_integer_value(json_object_get(*doc, "rate"));
    js->nlines = json_array_size(l);
    *langs = xcalloc(js->nlines + 1, sizeof(**langs));
    for (i = 0; i < js->nlines; i++)
        (*langs)[i] = json_string_value(json_array_get(l, i));
    js->line_langs = *langs;
    return 1;
}

static int is_html_body(struct MHD_Connection *c)
{
    const char *t = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");

    return t && !strncasecmp(t, "text/html", 9) && (t[9] == '\0' || t[9] == ';' || t[9] == ' ');
}

enum MHD_Result answer_listen_post(struct server *srv, struct MHD_Connection *c, struct request *rq)
{
    const char *url = arg(c, "url");
    struct extract_opts xo = {0};
    struct job_spec js = {0}, mp3;
    struct page_text pt = {0};
    char key[CACHE_KEY_HEX + 1], mkey[CACHE_KEY_HEX + 1], path[2][96];
    struct err e = {0};
    json_t *job;
    enum MHD_Result ret;

    if (!is_html_body(c))
        return fail(srv, c, LY_EUSAGE, "send the page's HTML as text/html");
    if (!url || !*url)
        return fail(srv, c, LY_EUSAGE, "give the page's address: ?url=https://...");
    if (listen_voice(c, &js, &e))
        return send_error(srv, c, &e);
    xo.readid = arg(c, "readid");
    xo.url = url;
    xo.charset = "utf-8";
    xo.max_text = (size_t)cfg_of(srv)->max_text_bytes;
    if (pipeline_read_html(rq->body.data, rq->body.len, &xo, &pt, &e))
        return send_error(srv, c, &e);
    js.text = pt.text;
    js.len = pt.len;
    js.line_langs = pt.line_langs;
    js.nlines = pt.nlines;
    mp3 = js;
    mp3.format = ENCODE_MP3;
    job_key(srv->jobs, &js, "audio", key);
    job_key(srv->jobs, &mp3, "audio", mkey);
    job = job_json(&js, &pt);
    store_job(srv, key, job);
    json_object_set_new(job, "format", json_string("mp3"));
    store_job(srv, mkey, job);
    json_decref(job);
    snprintf(path[0], sizeof(path[0]), "audio/%s.%s", key, encode_extension(js.format));
    snprintf(path[1], sizeof(path[1]), "audio/%s.mp3", mkey);
    ret = send_json(srv, c, MHD_HTTP_OK,
                    json_pack("{s:s, s:s, s:s, s:s++}", "title", pt.page->title, "audio", path[0],
                              "mp3", path[1], "marks", "audio/", key, ".marks"));
    pipeline_page_release(&pt);
    return ret;
}

/* "/v1/audio/KEY.EXT" → key and the extension after it; 0 when url is not of that form. */
static int parse_audio_url(const char *url, char key[CACHE_KEY_HEX + 1], const char **ext)
{
    const char *p = url + strlen("/v1/audio/");

    if (strspn(p, "0123456789abcdef") != CACHE_KEY_HEX || p[CACHE_KEY_HEX] != '.')
        return 0;
    memcpy(key, p, CACHE_KEY_HEX);
    key[CACHE_KEY_HEX] = '\0';
    *ext = p + CACHE_KEY_HEX + 1;
    return 1;
}

static enum MHD_Result send_job_marks(struct server *srv, struct MHD_Connection *c,
                                      const struct job_spec *js, json_t *doc)
{
    json_t *marks = NULL;
    struct err e = {0};

    if (collect_marks(srv, js, &marks, &e))
        return send_error(srv, c, &e);
    return send_json(srv, c, MHD_HTTP_OK,
                     json_pack("{s:O, s:O, s:O, s:O}", "title", json_object_get(doc, "title"),
                               "duration_ms", json_object_get(marks, "duration_ms"), "blocks",
                               json_object_get(doc, "blocks"), "marks",
                               json_object_get(marks, "marks")));
}

/* Audio already made answers from the cache without its job: the key names the format,
 * so an entry KEY.EXT is that audio. */
static int cached_audio(struct server *srv, const char *key, const char *ext, struct cache_hit *hit,
                        enum encode_format *format)
{
    return encode_format_parse(ext, format, NULL) == LY_OK &&
           !strcmp(encode_extension(*format), ext) && jobs_lookup(srv->jobs, key, ext, hit);
}

enum MHD_Result answer_audio_key(struct server *srv, struct MHD_Connection *c, struct request *rq)
{
    char key[CACHE_KEY_HEX + 1];
    const char *ext, **langs;
    enum encode_format format;
    struct cache_hit hit;
    struct job_spec js;
    json_t *doc;
    enum MHD_Result ret;
    int is_marks;

    if (parse_audio_url(rq->url, key, &ext) && cached_audio(srv, key, ext, &hit, &format))
        return send_cached(srv, c, &hit, encode_mime_type(format), key, NULL);
    if (!parse_audio_url(rq->url, key, &ext) || !load_job(srv, key, &js, &doc, &langs))
        return send_json(srv, c, MHD_HTTP_NOT_FOUND,
                         json_pack("{s:s, s:s}", "error", "not_found", "message",
                                   "no such audio: send the page again (POST /v1/listen)"));
    is_marks = !strcmp(ext, "marks");
    if (!is_marks && strcmp(ext, encode_extension(js.format)))
        ret = fail(srv, c, LY_EUSAGE, "this audio's address ends in its own format's extension");
    else if (is_marks)
        ret = send_job_marks(srv, c, &js, doc);
    else
        ret = answer_audio(srv, c, &js, NULL);
    json_decref(doc);
    free(langs);
    return ret;
}
