/* extract.c -- an HTML page in, its readable text out: blocks (headings, paragraphs, list
 * items, table rows, captions...) in reading order, each with its xpath and language.
 * Decodes with charset.c, parses with libxml2 (only extract*.c include it), marks what is
 * never read (scripts, forms, hidden, menus, rs_skip, data-lyssna="skip", ReadSpeaker buttons),
 * picks the article by scoring containers on text and link density, or takes what --readid or
 * the page itself names (extract_target.c), then walks it once to cut blocks. No network and no
 * speech normalization here. Reentrant: all state lives in the call; libxml2 is initialized
 * once through pthread_once. */
#include "extract.h"

#include <ctype.h>
#include <jansson.h>
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/base.h"
#include "charset.h"
#include "extract_int.h"
#include "extract_target.h"

#include "banned.h"

#define HTML_OPTS                                                                                  \
    (HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET |           \
     HTML_PARSE_COMPACT | HTML_PARSE_IGNORE_ENC | XML_PARSE_HUGE)

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

static void xml_init(void)
{
    xmlInitParser();
}

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

static void blocks_free(struct extract_block *b, size_t n)
{
    size_t i;

    for (i = 0; b && i < n; i++) {
        free(b[i].text);
        free(b[i].xpath);
        free(b[i].lang);
    }
    free(b);
}

void block_list_init(struct block_list *l, size_t max_text)
{
    memset(l, 0, sizeof(*l));
    l->max_text = max_text;
}

void block_list_release(struct block_list *l)
{
    blocks_free(l->blocks, l->n);
    memset(l, 0, sizeof(*l));
}

/* LY_ETOOBIG when len more bytes of text would pass the cap. */
int block_list_room(const struct block_list *l, size_t len, struct err *e)
{
    if (l->total + len > l->max_text)
        return err_set(e, LY_ETOOBIG, "text over the limit of %zu bytes", l->max_text);
    return LY_OK;
}

/* Appends a copy of text (len bytes, collapsed, no newline), of xpath (xpath_len bytes) and
 * of lang (NULL: the page's language). */
int block_list_add(struct block_list *l, const char *text, size_t len, const char *xpath,
                   size_t xpath_len, const char *lang, struct err *e)
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
    b->text = xstrndup(text, len);
    b->xpath = xstrndup(xpath, xpath_len);
    b->lang = lang ? xstrdup(lang) : NULL;
    b->start = l->total;
    l->total += len + 1;
    return LY_OK;
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
}

/* Steps over one attribute (name, then an optional = value) at s[i]. */
static size_t skip_attr(const char *s, size_t n, size_t i)
{
    size_t start = i;
    char q;

    while (i < n && !isspace((unsigned char)s[i]) && s[i] != '>' && s[i] != '=')
        i++;
    if (i == start)
        i++;
    while (i < n && isspace((unsigned char)s[i]))
        i++;
    if (i >= n || s[i] != '=')
        return i;
    for (i++; i < n && isspace((unsigned char)s[i]); i++)
        ;
    if (i < n && (s[i] == '"' || s[i] == '\'')) {
        for (q = s[i++]; i < n && s[i] != q; i++)
            ;
        return i < n ? i + 1 : n;
    }
    while (i < n && !isspace((unsigned char)s[i]) && s[i] != '>')
        i++;
    return i;
}

/* The span of attributes past MAX_ATTRS in the tag opening at s[i] ('<' and a letter):
 * *cut_from..*cut_to, equal when nothing is to be cut. Returns the index of the tag's '>'. */
static size_t scan_tag(const char *s, size_t n, size_t i, size_t *cut_from, size_t *cut_to)
{
    size_t count = 0;

    *cut_from = *cut_to = 0;
    while (i < n && !isspace((unsigned char)s[i]) && s[i] != '>' && s[i] != '/')
        i++;
    for (;;) {
        while (i < n && (isspace((unsigned char)s[i]) || s[i] == '/'))
            i++;
        if (i >= n || s[i] == '>')
            break;
        if (++count == MAX_ATTRS + 1)
            *cut_from = i;
        i = skip_attr(s, n, i);
    }
    if (*cut_from)
        *cut_to = i;
    return i;
}

/* Where raw text that started at s[i] ends: the "</script" or "</style" closing it. */
static size_t skip_raw(const char *s, size_t n, size_t i, const char *end)
{
    size_t k = strlen(end);

    for (; i + k <= n; i++)
        if (s[i] == '<' && !strncasecmp(s + i, end, k))
            return i;
    return n;
}

static size_t skip_comment(const char *s, size_t n, size_t i)
{
    for (i += 4; i + 3 <= n; i++)
        if (s[i] == '-' && s[i + 1] == '-' && s[i + 2] == '>')
            return i + 3;
    return n;
}

/* The end of the raw text that follows a <script> or <style> tag named at name. */
static const char *raw_end(const char *name, size_t n)
{
    if (n > 6 && !strncasecmp(name, "script", 6) && !isalnum((unsigned char)name[6]))
        return "</script";
    if (n > 5 && !strncasecmp(name, "style", 5) && !isalnum((unsigned char)name[5]))
        return "</style";
    return NULL;
}

/* Copies s to out without the attributes of any tag past its MAX_ATTRS-th: libxml2 checks
 * each attribute against all earlier ones of its tag, so a tag with 100,000 of them takes
 * minutes. Comments and script and style bodies are stepped over as raw text. *cut is set
 * when something was cut (out then holds the copy); otherwise s can be parsed as it is. */
static int bound_attrs(const char *s, size_t n, struct buf *out, int *cut, struct err *e)
{
    size_t i = 0, done = 0, name, from, to;
    const char *end;
    int rc = LY_OK;

    *cut = 0;
    while (i < n && !rc) {
        if (s[i] != '<' || i + 1 >= n) {
            i++;
        } else if (!strncmp(s + i, "<!--", 4)) {
            i = skip_comment(s, n, i);
        } else if (isalpha((unsigned char)s[i + 1])) {
            name = i + 1;
            i = scan_tag(s, n, name, &from, &to);
            if (to > from) {
                rc = buf_add(out, s + done, from - done, e);
                done = to, *cut = 1;
            }
            if ((end = raw_end(s + name, n - name)))
                i = skip_raw(s, n, i, end);
        } else {
            i++;
        }
    }
    if (*cut && !rc)
        rc = buf_add(out, s + done, n - done, e);
    return rc;
}

static int blank(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (!isspace((unsigned char)s[i]))
            return 0;
    return 1;
}

/* Decodes the page to UTF-8 (charset.c) and parses it; libxml2 is told the encoding, so a
 * <meta> that disagrees cannot switch it. */
static int parse(const char *html, size_t len, const char *charset, xmlDocPtr *doc, struct err *e)
{
    struct buf u, v;
    size_t bom;
    const char *cs = charset_detect(html, len, charset, &bom), *src;
    int rc, cut = 0;

    buf_init(&u, BUF_NOLIMIT);
    buf_init(&v, BUF_NOLIMIT);
    rc = charset_decode(html + bom, len - bom, cs, &u, e);
    if (!rc)
        rc = bound_attrs(u.data, u.len, &v, &cut, e);
    src = cut ? v.data : u.data;
    len = cut ? v.len : u.len;
    if (!rc && blank(src, len))
        rc = err_set(e, LY_EEMPTY, "no readable text found");
    else if (!rc && len > INT_MAX)
        rc = err_set(e, LY_ETOOBIG, "page over the limit of %d bytes", INT_MAX);
    if (!rc) {
        pthread_once(&xml_once, xml_init);
        *doc = htmlReadMemory(src, (int)len, NULL, "UTF-8", HTML_OPTS);
        if (!*doc)
            rc = err_set(e, LY_EPARSE, "cannot parse the page as html");
    }
    buf_release(&u);
    buf_release(&v);
    return rc;
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
        rc = emit(em, doc);
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
    rc = parse(html, len, opts->charset, &doc, e);
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
    json_t *o = json_object();
    size_t len = strlen(b->text);

    json_object_set_new(o, "text", json_stringn(b->text, len));
    json_object_set_new(o, "xpath", json_string(b->xpath));
    json_object_set_new(o, "start", json_integer((json_int_t)b->start));
    json_object_set_new(o, "end", json_integer((json_int_t)(b->start + len)));
    if (b->lang)
        json_object_set_new(o, "lang", json_string(b->lang));
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
    json_object_set_new(root, "words", json_integer((json_int_t)r->words));
    json_object_set_new(
        root, "duration_ms",
        json_integer((json_int_t)(r->words * 60000 / (size_t)(rate_wpm > 0 ? rate_wpm : 175))));
    s = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
    rc = s ? buf_adds(out, s, e) : err_set(e, LY_EIO, "cannot write the result as json");
    free(s);
    json_decref(root);
    return rc;
}
