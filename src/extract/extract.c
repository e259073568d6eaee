/* extract.c -- an HTML page in, its readable text out: blocks (headings, paragraphs, list
 * items, table rows, captions...) in reading order, each with its xpath and language.
 * Here are the entry points and the order of the steps: parse (extract_parse.c), take what
 * --readid or the page itself names (extract_target.c), else measure and pick the article
 * (extract_score.c, asking extract_clean.c what is never read), cut blocks (extract_blocks.c);
 * then the result and its JSON. The block list here is what any reader appends blocks to. No
 * network and no speech normalization. Reentrant: all state lives in the call. */
#include "extract.h"

#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "extract_int.h"
#include "extract_target.h"

#include "banned.h"

static size_t count_words(const char *s)
{
    size_t words = 0;
    int in_word = 0;

    for (; *s; s++) {
        if (*s == ' ') {
            in_word = 0;
        } else if (!in_word && (isalnum((unsigned char)*s) || (unsigned char)*s >= 0x80)) {
            in_word = 1;
            words++;
        }
    }
    return words;
}

static void block_release(struct extract_block *b)
{
    size_t j;

    free(b->text);
    free(b->xpath);
    free(b->lang);
    for (j = 0; j < b->nruns; j++)
        free(b->runs[j].lang);
    free(b->runs);
}

static void blocks_free(struct extract_block *b, size_t n)
{
    size_t i;

    for (i = 0; b && i < n; i++)
        block_release(&b[i]);
    free(b);
}

void block_list_init(struct block_list *l, size_t max_text)
{
    memset(l, 0, sizeof(*l));
    l->max_text = max_text;
}

static void figures_free(struct extract_figure *f, size_t n)
{
    size_t i;

    for (i = 0; f && i < n; i++) {
        free(f[i].alt);
        free(f[i].xpath);
        free(f[i].lang);
    }
    free(f);
}

void block_list_release(struct block_list *l)
{
    blocks_free(l->blocks, l->n);
    figures_free(l->figures, l->nfigures);
    memset(l, 0, sizeof(*l));
}

/* LY_ETOOBIG when len more bytes of text would pass the cap. */
int block_list_room(const struct block_list *l, size_t len, struct err *e)
{
    if (l->total + len > l->max_text)
        return err_set(e, LY_ETOOBIG, "text over the limit of %zu bytes", l->max_text);
    return LY_OK;
}

/* Appends a block of kind (level: a heading's) with a copy of text (len bytes, collapsed, no
 * newline), of xpath (xpath_len bytes) and of lang (NULL: the page's language). */
int block_list_add(struct block_list *l, enum extract_kind kind, int level, const char *text,
                   size_t len, const char *xpath, size_t xpath_len, const char *lang, struct err *e)
{
    struct extract_block *b;
    int rc = block_list_room(l, len, e);

    if (rc)
        return rc;
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->blocks = xreallocarray(l->blocks, l->cap, sizeof(*l->blocks));
    }
    b = &l->blocks[l->n++];
    b->kind = kind;
    b->level = kind == EXTRACT_HEADING ? level : 0;
    b->text = xstrndup(text, len);
    b->xpath = xstrndup(xpath, xpath_len);
    b->lang = lang ? xstrdup(lang) : NULL;
    b->runs = NULL;
    b->nruns = 0;
    b->start = l->total;
    l->total += len + 1;
    return LY_OK;
}

void block_list_add_figure(struct block_list *l, const char *alt, size_t len, const char *xpath,
                           size_t xpath_len, const char *lang)
{
    struct extract_figure *f;

    if (l->nfigures == l->figures_cap) {
        l->figures_cap = l->figures_cap ? l->figures_cap * 2 : 8;
        l->figures = xreallocarray(l->figures, l->figures_cap, sizeof(*l->figures));
    }
    f = &l->figures[l->nfigures++];
    f->alt = xstrndup(alt, len);
    f->xpath = xstrndup(xpath, xpath_len);
    f->lang = lang ? xstrdup(lang) : NULL;
    f->block = l->n;
}

void block_list_add_run(struct block_list *l, size_t start, size_t end, const char *lang)
{
    struct extract_block *b = l->n ? &l->blocks[l->n - 1] : NULL;

    if (!b || start >= end || end > strlen(b->text))
        return;
    b->runs = xreallocarray(b->runs, b->nruns + 1, sizeof(*b->runs));
    b->runs[b->nruns++] = (struct extract_run){start, end, xstrdup(lang)};
}

void block_list_reorder(struct block_list *l, const size_t *order, size_t n)
{
    struct extract_block *b = xreallocarray(NULL, l->n ? l->n : 1, sizeof(*b));
    unsigned char *kept = xcalloc(l->n ? l->n : 1, 1);
    size_t i;

    for (i = 0; i < n; i++) {
        b[i] = l->blocks[order[i]];
        kept[order[i]] = 1;
    }
    for (i = 0; i < l->n; i++)
        if (!kept[i])
            block_release(&l->blocks[i]);
    free(kept);
    free(l->blocks);
    l->blocks = b;
    l->cap = l->n ? l->n : 1;
    l->n = n;
    for (l->total = 0, i = 0; i < n; i++) {
        b[i].start = l->total;
        l->total += strlen(b[i].text) + 1;
    }
}

/* Moves the blocks into out, with their word count; l is left empty. */
void block_list_detach(struct block_list *l, struct extract_result *out)
{
    size_t i;

    out->blocks = l->blocks;
    out->nblocks = l->n;
    for (i = 0; i < l->n; i++)
        out->words += count_words(l->blocks[i].text);
    l->blocks = NULL;
    l->n = l->cap = 0;
    out->figures = l->figures;
    out->nfigures = l->nfigures;
    l->figures = NULL;
    l->nfigures = l->figures_cap = 0;
}

/* What is read when the page is not read by score: --readid's elements (an id that is not
 * in the page is an error of its own), else what the page names itself. */
static int find_targets(struct ctx *c, xmlDocPtr doc, struct err *e)
{
    const char *id = c->opts->readid;

    if (id && *id) {
        if (!extract_find_ids(doc, id, &c->targets, &c->ntargets))
            return err_set(e, LY_EEMPTY, "no element with id '%s' in the page", id);
        return LY_OK;
    }
    c->ntargets = extract_find_targets(doc, &c->targets);
    return LY_OK;
}

static char *page_lang(xmlDocPtr doc)
{
    xmlNodePtr root = xmlDocGetRootElement(doc);
    const char *lang = root ? extract_attr(root, "lang") : NULL;

    if (root && !lang)
        lang = extract_attr(root, "xml:lang");
    return xstrdup(lang ? lang : "");
}

/* Fills out from the blocks the walk cut; they move from l to out. */
static void fill_result(struct ctx *c, struct block_list *l, xmlDocPtr doc,
                        struct extract_result *out)
{
    memset(out, 0, sizeof(*out));
    out->title = page_title(c);
    out->lang = page_lang(doc);
    block_list_detach(l, out);
}

static int extract_doc(struct ctx *c, xmlDocPtr doc, struct extract_result *out, struct err *e)
{
    char *lang = page_lang(doc);
    struct block_list list;
    struct emitter *em;
    int rc = LY_OK;

    block_list_init(&list, c->opts->max_text ? c->opts->max_text : LYSSNA_MAX_TEXT);
    em = emitter_new(c, lang, &list, e);
    measure_page(c, doc);
    if (c->automode)
        pick_article(c);
    else
        pick_targets(c);
    if (c->nroots)
        rc = extract_emit_blocks(em, doc);
    if (!rc && !list.n)
        rc = err_set(e, LY_EEMPTY, "no readable text found");
    if (!rc)
        fill_result(c, &list, doc, out);
    emitter_free(em);
    block_list_release(&list);
    free(lang);
    return rc;
}

int extract_page(const char *html, size_t len, const struct extract_opts *opts,
                 struct extract_result *out, struct err *e)
{
    static const struct extract_opts defaults;
    struct ctx c;
    xmlDocPtr doc = NULL;
    size_t max_html;
    int rc;

    opts = opts ? opts : &defaults;
    max_html = opts->max_html ? opts->max_html : LYSSNA_MAX_HTML;
    if (len > max_html)
        return err_set(e, LY_ETOOBIG, "page over the limit of %zu bytes", max_html);
    if (!len)
        return err_set(e, LY_EEMPTY, "no readable text found");
    rc = extract_parse_html(html, len, opts->charset, &doc, e);
    if (rc)
        return rc;
    memset(&c, 0, sizeof(c));
    c.opts = opts;
    rc = find_targets(&c, doc, e);
    c.automode = !c.ntargets;
    if (!rc)
        rc = extract_doc(&c, doc, out, e);
    free(c.targets);
    free(c.info);
    free(c.first);
    free(c.roots);
    xmlFreeDoc(doc);
    return rc;
}

void extract_result_release(struct extract_result *r)
{
    if (!r)
        return;
    free(r->title);
    free(r->lang);
    blocks_free(r->blocks, r->nblocks);
    figures_free(r->figures, r->nfigures);
    memset(r, 0, sizeof(*r));
}

int extract_text(const struct extract_result *r, struct buf *out, struct err *e)
{
    size_t i;
    int rc = LY_OK;

    for (i = 0; i < r->nblocks && !rc; i++) {
        if (i)
            rc = buf_addch(out, '\n', e);
        if (!rc)
            rc = buf_adds(out, r->blocks[i].text, e);
    }
    return rc;
}

static json_t *block_json(const struct extract_block *b)
{
    static const char *const kinds[] = {"p", "h", "li", "tr"};
    json_t *o = json_object();
    size_t len = strlen(b->text);

    json_object_set_new(o, "text", json_stringn(b->text, len));
    json_object_set_new(o, "kind", json_string(kinds[b->kind]));
    if (b->level)
        json_object_set_new(o, "level", json_integer(b->level));
    json_object_set_new(o, "xpath", json_string(b->xpath));
    json_object_set_new(o, "start", json_integer((json_int_t)b->start));
    json_object_set_new(o, "end", json_integer((json_int_t)(b->start + len)));
    if (b->lang)
        json_object_set_new(o, "lang", json_string(b->lang));
    if (b->nruns) {
        json_t *runs = json_array();
        size_t i;
        for (i = 0; i < b->nruns; i++)
            json_array_append_new(
                runs, json_pack("{s:I, s:I, s:s}", "start", (json_int_t)b->runs[i].start, "end",
                                (json_int_t)b->runs[i].end, "lang", b->runs[i].lang));
        json_object_set_new(o, "runs", runs);
    }
    return o;
}

int extract_json(const struct extract_result *r, const char *url, int rate_wpm, struct buf *out,
                 struct err *e)
{
    json_t *root = json_object(), *blocks = json_array();
    size_t i;
    char *s;
    int rc;

    for (i = 0; i < r->nblocks; i++)
        json_array_append_new(blocks, block_json(&r->blocks[i]));
    json_object_set_new(root, "title", json_string(r->title ? r->title : ""));
    json_object_set_new(root, "lang", json_string(r->lang ? r->lang : ""));
    json_object_set_new(root, "url", url ? json_string(url) : json_null());
    json_object_set_new(root, "blocks", blocks);
    if (r->nfigures) {
        json_t *figures = json_array(), *f;
        for (i = 0; i < r->nfigures; i++) {
            f = json_pack("{s:s, s:s, s:I}", "alt", r->figures[i].alt, "xpath", r->figures[i].xpath,
                          "block", (json_int_t)r->figures[i].block);
            if (r->figures[i].lang)
                json_object_set_new(f, "lang", json_string(r->figures[i].lang));
            json_array_append_new(figures, f);
        }
        json_object_set_new(root, "figures", figures);
    }
    json_object_set_new(root, "words", json_integer((json_int_t)r->words));
    if (r->ocr)
        json_object_set_new(root, "ocr", json_true());
    if (r->parts > 1)
        json_object_set_new(root, "parts", json_integer(r->parts));
    json_object_set_new(
        root, "duration_ms",
        json_integer((json_int_t)(r->words * 60000 / (size_t)(rate_wpm > 0 ? rate_wpm : 175))));
    s = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
    rc = s ? buf_adds(out, s, e) : err_set(e, LY_EIO, "cannot write the result as json");
    free(s);
    json_decref(root);
    return rc;
}
