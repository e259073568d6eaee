/* routes_captions.c -- what a page's speech marks give beside its audio, so a page kept for
 * later can be followed and navigated in an ordinary player: GET /v1/listen.vtt (the sentences
 * with their times as WebVTT captions) and the MP3 of GET /v1/listen?format=mp3&chapters=1 (an
 * ID3 tag before it with a chapter per heading). Both take the marks of the very job that makes
 * the audio (same voice and rate), cached once made. */
#include "serve_int.h"

#include <stdlib.h>
#include <string.h>

#include "extract/extract.h"

#include "banned.h"

/* A sentence: when it is said, until when, where it starts in the page's text, what it says. */
struct cue {
    unsigned long start, end;
    size_t at;
    const char *text;
};

/* The sentence marks of marks (borrowed: text points into it), each ending where the next
 * starts and the last at the audio's end; the count. */
static size_t cues_of(json_t *marks, struct cue **out)
{
    json_t *list = json_object_get(marks, "marks"), *m;
    unsigned long end = (unsigned long)json_integer_value(json_object_get(marks, "duration_ms"));
    struct cue *c = xcalloc(json_array_size(list) + 1, sizeof(*c));
    size_t i, n = 0;

    json_array_foreach(list, i, m)
    {
        const char *type = json_string_value(json_object_get(m, "type"));
        if (!type || strcmp(type, "sentence"))
            continue;
        c[n].start = (unsigned long)json_integer_value(json_object_get(m, "time"));
        c[n].at = (size_t)json_integer_value(json_object_get(m, "start"));
        c[n].text = json_string_value(json_object_get(m, "value"));
        if (n)
            c[n - 1].end = c[n].start;
        n++;
    }
    if (n)
        c[n - 1].end = end > c[n - 1].start ? end : c[n - 1].start;
    *out = c;
    return n;
}

static void add_time(struct buf *b, unsigned long ms)
{
    buf_addf(b, NULL, "%02lu:%02lu:%02lu.%03lu", ms / 3600000, ms / 60000 % 60, ms / 1000 % 60,
             ms % 1000);
}

/* A cue's text: what WebVTT gives meaning to escaped, line breaks (which would end the cue)
 * as spaces. */
static void add_cue_text(struct buf *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '&')
            buf_adds(b, "&amp;", NULL);
        else if (*s == '<')
            buf_adds(b, "&lt;", NULL);
        else if (*s == '>')
            buf_adds(b, "&gt;", NULL);
        else
            buf_addch(b, *s == '\n' || *s == '\r' ? ' ' : *s, NULL);
    }
}

static void write_vtt(const struct cue *c, size_t n, struct buf *b)
{
    size_t i, k = 0;

    buf_adds(b, "WEBVTT\n", NULL);
    for (i = 0; i < n; i++) {
        if (!c[i].text || !*c[i].text || c[i].end <= c[i].start)
            continue;
        buf_addf(b, NULL, "\n%zu\n", ++k);
        add_time(b, c[i].start);
        buf_adds(b, " --> ", NULL);
        add_time(b, c[i].end);
        buf_addch(b, '\n', NULL);
        add_cue_text(b, c[i].text);
        buf_addch(b, '\n', NULL);
    }
}

enum MHD_Result answer_listen_vtt(struct server *srv, struct MHD_Connection *c, struct request *rq)
{
    struct job_spec js = {0};
    struct page pg;
    struct err e = {0};
    json_t *marks = NULL;
    struct cue *cues = NULL;
    struct buf vtt;
    enum MHD_Result ret;

    (void)rq;
    if (read_page(srv, c, &pg, &js, 1, &e) || collect_marks(srv, &js, &marks, &e)) {
        ret = send_error(srv, c, &e);
    } else {
        size_t n = cues_of(marks, &cues);
        buf_init(&vtt, BUF_NOLIMIT);
        write_vtt(cues, n, &vtt);
        ret = send_buffer(srv, c, MHD_HTTP_OK, "text/vtt; charset=utf-8", vtt.data, vtt.len);
        buf_release(&vtt);
    }
    free(cues);
    json_decref(marks);
    page_release(&pg);
    return ret;
}

/* A chapter per heading of page, from the first sentence said in it to the next chapter;
 * text before the first heading is a chapter of its own, named by the page's title. */
static size_t chapters_of(const struct extract_result *page, const struct cue *c, size_t n,
                          unsigned long end, struct id3_chapter *ch)
{
    size_t i, k = 0, nch = 0;

    for (i = 0; i < page->nblocks && nch < ID3_MAX_CHAPTERS; i++) {
        const struct extract_block *b = &page->blocks[i];
        if (b->kind != EXTRACT_HEADING)
            continue;
        while (k < n && c[k].at < b->start)
            k++;
        if (k == n)
            break;
        if (!nch && c[k].start > 0)
            ch[nch++] = (struct id3_chapter){page->title, 0, 0};
        if (nch && ch[nch - 1].start_ms == c[k].start)
            nch--; /* a heading said at once after another: the later one names the place */
        ch[nch++] = (struct id3_chapter){b->text, c[k].start, 0};
    }
    if (!nch)
        ch[nch++] = (struct id3_chapter){page->title, 0, 0};
    for (i = 0; i < nch; i++)
        ch[i].end_ms = i + 1 < nch ? ch[i + 1].start_ms : end;
    return nch;
}

/* js's whole audio into out (initialized here): from the cache, else made now. */
static int whole_audio(struct server *srv, const struct job_spec *js, struct buf *out,
                       struct err *e)
{
    struct job *j = job_open(srv->jobs, js, 0, e);
    struct cache_hit hit;
    struct buf frame;
    int type = POOL_DONE;

    buf_init(out, BUF_NOLIMIT);
    if (!j)
        return e->code;
    if (job_cached(j, &hit)) {
        type = job_read_hit(&hit, out);
        job_close(j);
        return type ? LY_OK : err_set(e, LY_EIO, "the cached audio could not be read");
    }
    buf_init(&frame, BUF_NOLIMIT);
    while ((type = job_next(j, &frame, e)) == POOL_AUDIO)
        buf_add(out, frame.data, frame.len, NULL);
    buf_release(&frame);
    job_close(j);
    return type == POOL_DONE ? LY_OK : e->code ? e->code : LY_EIO;
}

enum MHD_Result answer_chapters(struct server *srv, struct MHD_Connection *c,
                                const struct job_spec *js, const struct extract_result *page)
{
    struct err e = {0};
    json_t *marks = NULL;
    struct cue *cues = NULL;
    struct id3_chapter ch[ID3_MAX_CHAPTERS];
    struct buf audio, out;
    enum MHD_Result ret;
    size_t n, nch;
    int rc;

    if (js->format != ENCODE_MP3)
        return fail(srv, c, LY_EUSAGE, "chapters come with format=mp3 only");
    if ((rc = collect_marks(srv, js, &marks, &e)))
        return send_error(srv, c, &e);
    n = cues_of(marks, &cues);
    nch = chapters_of(page, cues, n,
                      (unsigned long)json_integer_value(json_object_get(marks, "duration_ms")), ch);
    if ((rc = whole_audio(srv, js, &audio, &e))) {
        ret = send_error(srv, c, &e);
    } else {
        buf_init(&out, BUF_NOLIMIT);
        id3_write_chapters(page->title, ch, nch, &out);
        buf_add(&out, audio.data, audio.len, NULL);
        ret = send_buffer(srv, c, MHD_HTTP_OK, encode_mime_type(ENCODE_MP3), out.data, out.len);
        buf_release(&out);
    }
    buf_release(&audio);
    free(cues);
    json_decref(marks);
    return ret;
}
