/* routes_lexicon.c -- the editors' lexicon over HTTP, for CMSs and the editor's page: add
 * (POST /v1/lexicon), search (GET /v1/lexicon?q=), change and remove (PUT, DELETE
 * /v1/lexicon/ID), the history and undo, import and export as CSV or TSV. Only an editor's
 * key (role = editor in the key file) gets past here: no key is a 401 (the routing table's),
 * another key a 403. Phonemes are checked by espeak-ng in a worker before they are stored.
 * Changes reach the audio through job/, which asks the lexicon what each text uses. */
#include "serve_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

#define LYSSNA_LEX_HISTORY 200 /* changes GET /v1/lexicon/history answers */

/* 0 when rq may use the lexicon, else 1 with the refusal sent in *ret. */
static int refused(struct server *srv, struct MHD_Connection *c, struct request *rq,
                   enum MHD_Result *ret)
{
    if (!srv->lex) {
        *ret = fail(srv, c, LY_EIO,
                    "the lexicon is not open on this instance: its log says why at start");
        return 1;
    }
    if (rq->key && rq->key->editor && rq->session && !rq->csrf_ok && strcmp(rq->method, "GET")) {
        *ret = send_json(srv, c, MHD_HTTP_FORBIDDEN,
                         json_pack("{s:s, s:s}", "error", "forbidden", "message",
                                   "a change from the page needs its X-CSRF-Token: sign in again"));
        return 1;
    }
    if (rq->key && rq->key->editor)
        return 0;
    *ret = send_json(srv, c, MHD_HTTP_FORBIDDEN,
                     json_pack("{s:s, s:s}", "error", "forbidden", "message",
                               "this key may not change the lexicon: an editor's key has "
                               "'role = editor' in the key file"));
    return 1;
}

static json_t *entry_json(const struct lexicon_entry *en)
{
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:I}", "id", (json_int_t)en->id, "text",
                     en->text, "say", en->say, "lang", en->lang, "scope", en->scope, "note",
                     en->note, "who", en->who, "changed", (json_int_t)en->changed);
}

/* A string member of a JSON object into out (absent: left as it is). */
static int member(json_t *o, const char *name, char *out, size_t size, struct err *e)
{
    json_t *v = json_object_get(o, name);

    if (!v)
        return LY_OK;
    if (!json_is_string(v))
        return err_set(e, LY_EUSAGE, "'%s' must be a string", name);
    if (json_string_length(v) >= size)
        return err_set(e, LY_EUSAGE, "'%s' is longer than %zu bytes", name, size - 1);
    snprintf(out, size, "%s", json_string_value(v));
    return LY_OK;
}

/* The entry a request's JSON body gives, checked, and its phonemes said by espeak-ng. */
static int body_entry(struct server *srv, const struct request *rq, struct lexicon_entry *en,
                      struct err *e)
{
    char ph[LEXICON_SAY_MAX + 1];
    json_error_t je;
    json_t *o = json_loadb(rq->body.data, rq->body.len, 0, &je);
    int rc;

    if (!json_is_object(o)) {
        json_decref(o);
        return err_set(e, LY_EUSAGE, "send a JSON object {\"text\", \"say\", \"lang\"}");
    }
    rc = member(o, "text", en->text, sizeof(en->text), e);
    rc = rc ? rc : member(o, "say", en->say, sizeof(en->say), e);
    rc = rc ? rc : member(o, "lang", en->lang, sizeof(en->lang), e);
    rc = rc ? rc : member(o, "scope", en->scope, sizeof(en->scope), e);
    rc = rc ? rc : member(o, "note", en->note, sizeof(en->note), e);
    json_decref(o);
    if (rc || (rc = lexicon_check(en, e)))
        return rc;
    return lexicon_phonemes(en->say, ph) ? job_check_phonemes(srv->jobs, en->lang, ph, e) : LY_OK;
}

static enum MHD_Result no_content(struct server *srv, struct MHD_Connection *c)
{
    return send_buffer(srv, c, MHD_HTTP_NO_CONTENT, "text/plain", "", 0);
}

/* An error from the store: an entry that is not there is a 404. */
static enum MHD_Result store_error(struct server *srv, struct MHD_Connection *c,
                                   const struct err *e)
{
    if (e->code == LY_EINPUT)
        return send_json(srv, c, MHD_HTTP_NOT_FOUND,
                         json_pack("{s:s, s:s}", "error", "not_found", "message", e->msg));
    return send_error(srv, c, e);
}

static enum MHD_Result search(struct server *srv, struct MHD_Connection *c)
{
    struct lexicon_list l;
    struct err e = {0};
    json_t *arr;
    size_t i;

    if (lexicon_search(srv->lex, arg(c, "q"), LEXICON_LIST_MAX, &l, &e))
        return send_error(srv, c, &e);
    arr = json_array();
    for (i = 0; i < l.n; i++)
        json_array_append_new(arr, entry_json(&l.e[i]));
    lexicon_list_release(&l);
    return send_json(srv, c, MHD_HTTP_OK, json_pack("{s:o}", "entries", arr));
}

enum MHD_Result answer_lexicon(struct server *srv, struct MHD_Connection *c, struct request *rq)
{
    struct lexicon_entry en = {0};
    struct err e = {0};
    enum MHD_Result ret;
    long long id;

    if (refused(srv, c, rq, &ret))
        return ret;
    if (strcmp(rq->method, "POST"))
        return search(srv, c);
    if (body_entry(srv, rq, &en, &e) || lexicon_add(srv->lex, &en, rq->key->name, &id, &e))
        return send_error(srv, c, &e);
    return send_json(srv, c, MHD_HTTP_CREATED, json_pack("{s:I}", "id", (json_int_t)id));
}

/* The ID of /v1/lexicon/ID, or 0. */
static long long id_of(const char *url)
{
    const char *s = url + strlen("/v1/lexicon/");
    char *end;
    long long id = strtoll(s, &end, 10);

    return *s >= '1' && *s <= '9' && !*end && id > 0 ? id : 0;
}

enum MHD_Result answer_lexicon_entry(struct server *srv, struct MHD_Connection *c,
                                     struct request *rq)
{
    struct lexicon_entry en = {0};
    struct err e = {0};
    enum MHD_Result ret;
    long long id = id_of(rq->url);
    int del = !strcmp(rq->method, "DELETE");

    if (refused(srv, c, rq, &ret))
        return ret;
    if (!del && strcmp(rq->method, "PUT"))
        return fail(srv, c, LY_EUSAGE, "an entry is changed with PUT and removed with DELETE");
    if (!id)
        return send_json(srv, c, MHD_HTTP_NOT_FOUND,
                         json_pack("{s:s, s:s}", "error", "not_found", "message",
                                   "no such entry: the address is /v1/lexicon/ID"));
    if (del)
        return lexicon_remove(srv->lex, id, rq->key->name, &e) ? store_error(srv, c, &e)
                                                               : no_content(srv, c);
    if (lexicon_get(srv->lex, id, &en, &e))
        return store_error(srv, c, &e);
    if (body_entry(srv, rq, &en, &e) || lexicon_update(srv->lex, id, &en, rq->key->name, &e))
        return store_error(srv, c, &e);
    return no_content(srv, c);
}

enum MHD_Result answer_lexicon_history(struct server *srv, struct MHD_Connection *c,
                                       struct request *rq)
{
    struct buf out;
    struct err e = {0};
    enum MHD_Result ret;

    if (refused(srv, c, rq, &ret))
        return ret;
    buf_init(&out, BUF_NOLIMIT);
    buf_adds(&out, "{\"changes\":", NULL);
    if (lexicon_history(srv->lex, LYSSNA_LEX_HISTORY, &out, &e)) {
        buf_release(&out);
        return send_error(srv, c, &e);
    }
    buf_addch(&out, '}', NULL);
    ret = send_buffer(srv, c, MHD_HTTP_OK, "application/json", out.data, out.len);
    buf_release(&out);
    return ret;
}

enum MHD_Result answer_lexicon_undo(struct server *srv, struct MHD_Connection *c,
                                    struct request *rq)
{
    struct err e = {0};
    enum MHD_Result ret;
    json_t *o, *n;
    long long change;

    if (refused(srv, c, rq, &ret))
        return ret;
    o = json_loadb(rq->body.data, rq->body.len, 0, NULL);
    n = json_object_get(o, "change");
    change = json_is_integer(n) ? (long long)json_integer_value(n) : 0;
    json_decref(o);
    if (change <= 0)
        return fail(srv, c, LY_EUSAGE, "send {\"change\": N}, N from GET /v1/lexicon/history");
    if (lexicon_undo(srv->lex, change, rq->key->name, &e))
        return store_error(srv, c, &e);
    return no_content(srv, c);
}

/* Every entry's phonemes checked by espeak-ng, the first it cannot say named. */
static int check_list(struct server *srv, const struct lexicon_list *l, struct err *e)
{
    char ph[LEXICON_SAY_MAX + 1], why[sizeof(e->msg)];
    size_t i;
    int rc = LY_OK;

    for (i = 0; i < l->n && !rc; i++)
        if (lexicon_phonemes(l->e[i].say, ph) &&
            (rc = job_check_phonemes(srv->jobs, l->e[i].lang, ph, e))) {
            snprintf(why, sizeof(why), "%s", e->msg);
            err_set(e, rc, "'%s': %.200s: nothing imported", l->e[i].text, why);
        }
    return rc;
}

enum MHD_Result answer_lexicon_import(struct server *srv, struct MHD_Connection *c,
                                      struct request *rq)
{
    struct lexicon_list l;
    struct buf problems;
    struct err e = {0};
    enum MHD_Result ret;
    json_t *arr;
    char *line, *nl;

    if (refused(srv, c, rq, &ret))
        return ret;
    buf_init(&problems, BUF_NOLIMIT);
    if (lexicon_parse(rq->body.data, rq->body.len, &l, &problems, &e) || check_list(srv, &l, &e) ||
        lexicon_import(srv->lex, &l, rq->key->name, &e)) {
        arr = json_array();
        for (line = problems.data; *line && (nl = strchr(line, '\n')); line = nl + 1)
            json_array_append_new(arr, json_stringn(line, (size_t)(nl - line)));
        ret = send_json(srv, c, (unsigned)status_of(e.code),
                        json_pack("{s:s, s:s, s:o}", "error", err_name(e.code), "message", e.msg,
                                  "problems", arr));
    } else {
        ret = send_json(srv, c, MHD_HTTP_OK, json_pack("{s:I}", "imported", (json_int_t)l.n));
    }
    lexicon_list_release(&l);
    buf_release(&problems);
    return ret;
}

enum MHD_Result answer_lexicon_export(struct server *srv, struct MHD_Connection *c,
                                      struct request *rq)
{
    struct lexicon_list l;
    struct MHD_Response *r;
    struct buf out;
    struct err e = {0};
    enum MHD_Result ret;
    const char *fmt = arg(c, "format");
    int tsv = fmt && !strcmp(fmt, "tsv");

    if (refused(srv, c, rq, &ret))
        return ret;
    if (fmt && strcmp(fmt, "csv") && !tsv)
        return fail(srv, c, LY_EUSAGE, "format is csv or tsv");
    if (lexicon_search(srv->lex, NULL, 0, &l, &e))
        return send_error(srv, c, &e);
    buf_init(&out, BUF_NOLIMIT);
    lexicon_format(&l, tsv, &out);
    lexicon_list_release(&l);
    r = MHD_create_response_from_buffer(out.len, out.data, MHD_RESPMEM_MUST_COPY);
    buf_release(&out);
    if (r)
        MHD_add_response_header(r, "Content-Disposition",
                                tsv ? "attachment; filename=\"lexicon.tsv\""
                                    : "attachment; filename=\"lexicon.csv\"");
    return send_response(srv, c, MHD_HTTP_OK, r,
                         tsv ? "text/tab-separated-values; charset=utf-8"
                             : "text/csv; charset=utf-8",
                         "no-store", NULL);
}

enum MHD_Result answer_lexicon_preview(struct server *srv, struct MHD_Connection *c,
                                       struct request *rq)
{
    struct lexicon_entry en = {0};
    struct job_spec js = {0};
    struct err e = {0};
    enum MHD_Result ret;
    char edits[LEXICON_TEXT_MAX + LEXICON_SAY_MAX + 4], sentence[LEXICON_NOTE_MAX + 1] = "";
    json_t *o;

    if (refused(srv, c, rq, &ret))
        return ret;
    if (body_entry(srv, rq, &en, &e))
        return send_error(srv, c, &e);
    o = json_loadb(rq->body.data, rq->body.len, 0, NULL);
    if (member(o, "sentence", sentence, sizeof(sentence), &e)) {
        json_decref(o);
        return send_error(srv, c, &e);
    }
    json_decref(o);
    snprintf(edits, sizeof(edits), "%s\t%s\n", en.text, en.say);
    js.text = sentence[0] ? sentence : en.text;
    js.len = strlen(js.text);
    js.edits = edits;
    js.format = ENCODE_MP3;
    snprintf(js.voice, sizeof(js.voice), "%s", en.lang);
    return answer_audio(srv, c, &js, NULL);
}

enum MHD_Result answer_lexicon_where(struct server *srv, struct MHD_Connection *c,
                                     struct request *rq)
{
    char want[LEXICON_TEXT_MAX + 1];
    const char *text = arg(c, "text");
    struct recent_page *p;
    enum MHD_Result ret;
    json_t *pages;
    size_t n;
    char *folded;

    if (refused(srv, c, rq, &ret))
        return ret;
    if (!text || !*text || (n = strlen(text)) > LEXICON_TEXT_MAX)
        return fail(srv, c, LY_EUSAGE, "give the word: ?text=WORD");
    svtext_fold(text, n, want);
    want[n] = '\0';
    pages = json_array();
    pthread_mutex_lock(&srv->lock);
    for (p = srv->pages; p; p = p->next) {
        folded = xmalloc(p->bytes->len + 1);
        svtext_fold(p->bytes->data, p->bytes->len, folded);
        folded[p->bytes->len] = '\0';
        if (strstr(folded, want))
            json_array_append_new(pages, json_string(p->url));
        free(folded);
    }
    pthread_mutex_unlock(&srv->lock);
    return send_json(srv, c, MHD_HTTP_OK, json_pack("{s:o}", "pages", pages));
}
