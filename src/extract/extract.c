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

static int root_inside(const struct ctx *c, const struct info *in)
{
    size_t lo = 0, hi = c->nroots, mid, first = index_of(c, in);

    while (lo < hi) {
        mid = lo + (hi - lo) / 2;
        if (c->roots[mid] < first)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < c->nroots && c->roots[lo] <= in->last;
}

/* The blocks a reader has cut so far (the HTML walk here; a document reader the same way),
 * and the bytes of extract_text()'s output they make, each block's '\n' included. */
struct block_list {
    struct extract_block *blocks;
    size_t n, cap, total, max_text;
};

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

static void block_list_init(struct block_list *l, size_t max_text)
{
    memset(l, 0, sizeof(*l));
    l->max_text = max_text;
}

static void block_list_release(struct block_list *l)
{
    blocks_free(l->blocks, l->n);
    memset(l, 0, sizeof(*l));
}

/* LY_ETOOBIG when len more bytes of text would pass the cap. */
static int block_list_room(const struct block_list *l, size_t len, struct err *e)
{
    if (l->total + len > l->max_text)
        return err_set(e, LY_ETOOBIG, "text over the limit of %zu bytes", l->max_text);
    return LY_OK;
}

/* Appends a copy of text (len bytes, collapsed, no newline), of xpath (xpath_len bytes) and
 * of lang (NULL: the page's language). */
static int block_list_add(struct block_list *l, const char *text, size_t len, const char *xpath,
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
static void block_list_detach(struct block_list *l, struct extract_result *out)
{
    size_t i;

    out->blocks = l->blocks;
    out->nblocks = l->n;
    for (i = 0; i < l->n; i++)
        out->words += count_words(l->blocks[i].text);
    l->blocks = NULL;
    l->n = l->cap = 0;
}

/* Element children of one element counted by name, so each child's xpath step gets its
 * position ("p[3]") in one pass however many siblings there are. */
struct name_count {
    const xmlChar *name;
    size_t total, seen;
};

struct frame {
    xmlNodePtr node;
    const char *lang;
    size_t path_len;
    int saved_owner;
    struct name_count *slots;
    size_t nslots, slots_cap; /* nslots 0: children not counted yet */
};

/* A text being collected: whitespace collapsed, a pending space or cell separator written
 * only before the next visible character, so no text starts or ends with one. */
struct collect {
    struct buf b;
    int space, sep;
};

struct emitter {
    struct ctx *c;
    struct frame fr[MAX_DEPTH + 1];
    struct buf path;
    struct collect text; /* the block being cut */
    const char *page_lang;
    int owner, row; /* frames of the block's element and of the data row read, 0: none */
    unsigned in_root;
    int title_done; /* the headline was left out (opts->no_title) */
    struct block_list *list;
    struct err *e;
    int rc;
};

static size_t name_hash(const xmlChar *s)
{
    size_t h = 2166136261u;

    while (*s)
        h = (h ^ *s++) * 16777619u;
    return h;
}

static struct name_count *name_slot(struct frame *f, const xmlChar *name)
{
    size_t mask = f->nslots - 1, h = name_hash(name) & mask;

    while (f->slots[h].name && f->slots[h].name != name &&
           strcmp((const char *)f->slots[h].name, (const char *)name))
        h = (h + 1) & mask;
    return &f->slots[h];
}

static void count_names(struct frame *f)
{
    size_t k = 0, want = 8;
    xmlNodePtr ch;
    struct name_count *s;

    for (ch = f->node->children; ch; ch = ch->next)
        k += ch->type == XML_ELEMENT_NODE;
    while (want < 2 * k)
        want *= 2;
    if (want > f->slots_cap) {
        free(f->slots);
        f->slots = xcalloc(want, sizeof(*f->slots));
        f->slots_cap = want;
    } else {
        memset(f->slots, 0, want * sizeof(*f->slots));
    }
    f->nslots = want;
    for (ch = f->node->children; ch; ch = ch->next) {
        if (ch->type != XML_ELEMENT_NODE)
            continue;
        s = name_slot(f, ch->name);
        s->name = ch->name;
        s->total++;
    }
}

/* Counts element n, at depth d, among its parent's children of the same name, whether it
 * is read or not: its xpath step needs the position. */
static struct name_count *count_child(struct emitter *em, int d, xmlNodePtr n)
{
    struct frame *p = &em->fr[d - 1];
    struct name_count *s;

    if (!p->nslots)
        count_names(p);
    s = name_slot(p, n->name);
    s->seen++;
    return s;
}

/* Enters element n at depth d: its xpath step as xmlGetNodePath writes it ("/div[2]", or
 * "/div" when it is the only div among its siblings), and its language. */
static void push_frame(struct emitter *em, int d, xmlNodePtr n, const struct name_count *s)
{
    struct frame *p = &em->fr[d - 1], *f = &em->fr[d];
    const char *lang = extract_attr(n, "lang");

    em->path.len = p->path_len;
    if (s->total > 1)
        buf_addf(&em->path, NULL, "/%s[%zu]", (const char *)n->name, s->seen);
    else
        buf_addf(&em->path, NULL, "/%s", (const char *)n->name);
    f->node = n;
    f->lang = lang ? lang : (lang = extract_attr(n, "xml:lang")) ? lang : p->lang;
    f->path_len = em->path.len;
    f->saved_owner = em->owner;
    f->nslots = 0;
}

/* How a character reads: its length when it is a space (ASCII whitespace, no-break and the
 * other Unicode spaces), minus its length when it is dropped (soft hyphen, zero-width space,
 * word joiner, BOM), 0 for any other character. s is NUL-terminated UTF-8. */
static int char_kind(const unsigned char *s)
{
    if (*s == ' ' || (*s >= '\t' && *s <= '\r'))
        return 1;
    if (*s < 0x80)
        return 0;
    if (s[0] == 0xC2)
        return s[1] == 0xA0 ? 2 : s[1] == 0xAD ? -2 : 0;
    if (s[0] == 0xE2 && s[1] == 0x80) {
        if ((s[2] >= 0x80 && s[2] <= 0x8A) || s[2] == 0xA8 || s[2] == 0xA9 || s[2] == 0xAF)
            return 3;
        return s[2] == 0x8B ? -3 : 0;
    }
    if (s[0] == 0xE2 && s[1] == 0x81)
        return s[2] == 0x9F ? 3 : s[2] == 0xA0 ? -3 : 0;
    if (s[0] == 0xE3 && s[1] == 0x80 && s[2] == 0x80)
        return 3;
    if (s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF)
        return -3;
    return 0;
}

static size_t char_len(const unsigned char *s)
{
    size_t n = *s < 0x80 ? 1 : *s < 0xE0 ? 2 : *s < 0xF0 ? 3 : 4, i;

    for (i = 1; i < n && s[i]; i++)
        ;
    return i;
}

/* The first visible text under n, looking at no more than 64 nodes. */
static const char *first_text(struct ctx *c, xmlNodePtr top)
{
    xmlNodePtr n = top->children;
    const struct info *in;
    const xmlChar *s;
    int steps;

    for (steps = 0; n && steps < 64; steps++) {
        if (n->type == XML_TEXT_NODE && (s = n->content)) {
            while (*s && char_kind(s) > 0)
                s += char_kind(s);
            if (*s)
                return (const char *)s;
        }
        in = info_of(c, n);
        if (in && !(in->flags & N_DROP) && n->children) {
            n = n->children;
            continue;
        }
        while (n && !n->next)
            n = n->parent == top ? NULL : n->parent;
        n = n ? n->next : NULL;
    }
    return NULL;
}

static int collect_text(struct collect *t, const xmlChar *str, struct err *e)
{
    const unsigned char *s = str;
    size_t run;
    int k, rc = LY_OK;

    while (s && *s && !rc) {
        if ((k = char_kind(s))) {
            t->space |= k > 0;
            s += k > 0 ? k : -k;
            continue;
        }
        for (run = 0; s[run] && !char_kind(s + run);)
            run += char_len(s + run);
        if (t->b.len && (t->sep || t->space))
            rc = buf_add(&t->b, t->sep ? ", " : " ", t->sep ? 2 : 1, e);
        t->sep = t->space = 0;
        if (!rc)
            rc = buf_add(&t->b, s, run, e);
        s += run;
    }
    return rc;
}

/* True when the block being cut repeats one of the REPEAT_NEAR blocks before it and has
 * REPEAT_MIN bytes or more: photo galleries print each caption and credit twice (one copy
 * hidden by CSS), and a listener gains nothing from hearing a sentence again at once. A
 * repeat further away (the same question to each person interviewed) is kept. */
static int repeated(const struct emitter *em)
{
    size_t i;

    if (em->text.b.len < REPEAT_MIN)
        return 0;
    for (i = em->list->n; i > 0 && em->list->n - i < REPEAT_NEAR; i--)
        if (!strcmp(em->list->blocks[i - 1].text, em->text.b.data))
            return 1;
    return 0;
}

/* True for the headline when the caller wants the body only (opts->no_title): the first h1
 * cut before any block of real text (80 bytes or more). */
static int headline(struct emitter *em)
{
    int h1;

    if (!em->c->opts->no_title || em->title_done)
        return 0;
    h1 = !!(tag_flags(em->fr[em->owner].node->name) & T_H1);
    if (h1 || em->text.b.len >= 80)
        em->title_done = 1;
    return h1;
}

static void add_block(struct emitter *em)
{
    struct frame *f = &em->fr[em->owner];
    size_t len = em->text.b.len;

    /* The cap is checked before the blocks that are not read, as it always was. */
    if ((em->rc = block_list_room(em->list, len, em->e)))
        return;
    if ((em->c->automode && repeated(em)) || headline(em))
        return;
    em->rc = block_list_add(em->list, em->text.b.data, len, em->path.data, f->path_len,
                            f->lang && strcasecmp(f->lang, em->page_lang) ? f->lang : NULL, em->e);
}

/* Ends the block being cut, if it has any text. */
static void flush(struct emitter *em)
{
    em->text.space = em->text.sep = 0;
    if (em->text.b.len && !em->rc &&
        (!em->c->automode || (!noise_line(em->text.b.data, em->text.b.len) &&
                              (em->text.b.len >= 120 || !page_info(em->text.b.data)))))
        add_block(em);
    buf_reset(&em->text.b);
}

/* Dropped, outside what is read, or (in auto mode) inside the article but not read: a box
 * that is mostly links (related links, a tag cloud) or a page-information line. */
static int emit_skips(const struct emitter *em, const struct info *in)
{
    if (in->flags & N_DROP)
        return 1;
    if (!em->in_root)
        return !root_inside(em->c, in);
    if (!em->c->automode || (in->flags & N_ROOT) || (in->tag & T_INLINE))
        return 0;
    if ((in->tag & T_BOX) && in->text && link_density(in) > 0.5f && in->ptext < 100)
        return 1;
    if ((in->flags & N_TEASER) || ((in->flags & N_BYLINE) && in->text < BYLINE_MAX))
        return 1;
    if ((in->flags & N_FORM) && in->text < FORM_BOX)
        return 1;
    if (!(in->tag & (T_HEADING | T_CELL | T_ROW)) && in->text &&
        link_density(in) > (in->text < 200 ? 0.7f : 0.9f))
        return 1;
    return in->text < 100 && page_info(first_text(em->c, in->node));
}

/* An element boundary inside what is read: blocks start at elements that are not inline,
 * <br> starts a line, and inside a data row (or past MAX_DEPTH) boundaries are spaces,
 * cells separated by ", ". */
static void open_element(struct emitter *em, const struct info *in, int d)
{
    if (in->tag & T_INLINE)
        return;
    if (em->row || d > MAX_DEPTH) {
        if ((in->tag & T_CELL) && em->row)
            em->text.sep = em->text.b.len > 0;
        else
            em->text.space = 1;
        return;
    }
    flush(em);
    if (in->tag & T_BR)
        return;
    em->owner = d;
    if ((in->tag & T_ROW) && !(in->flags & N_RICH) && in->text <= ROW_MAX)
        em->row = d;
}

static void close_element(struct emitter *em, const struct info *in, int d)
{
    if (in->tag & (T_INLINE | T_BR))
        return;
    if ((em->row && d != em->row) || d > MAX_DEPTH) {
        if (!(in->tag & T_CELL))
            em->text.space = 1;
        return;
    }
    flush(em);
    if (d == em->row)
        em->row = 0;
    em->owner = em->fr[d].saved_owner;
}

static int emit_enter(struct emitter *em, xmlNodePtr n, int d)
{
    const struct name_count *s = NULL;
    struct info *in;

    if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
        if (em->in_root && !em->rc)
            em->rc = collect_text(&em->text, n->content, em->e);
        return 0;
    }
    if (n->type == XML_ELEMENT_NODE && d <= MAX_DEPTH)
        s = count_child(em, d, n);
    if (!(in = info_of(em->c, n)) || emit_skips(em, in))
        return 0;
    if (s)
        push_frame(em, d, n, s);
    if (in->flags & N_ROOT) {
        flush(em);
        em->in_root++;
        if (d <= MAX_DEPTH && !(in->tag & T_BR))
            em->owner = d;
    } else if (em->in_root) {
        open_element(em, in, d);
    }
    return 1;
}

static void emit_leave(struct emitter *em, xmlNodePtr n, int d)
{
    struct info *in = info_of(em->c, n);

    if (!in || emit_skips(em, in))
        return;
    if (in->flags & N_ROOT) {
        flush(em);
        em->in_root--;
        em->row = 0;
        if (d <= MAX_DEPTH)
            em->owner = em->fr[d].saved_owner;
    } else if (em->in_root) {
        close_element(em, in, d);
    }
}

/* The second and last walk: cuts blocks from the subtrees marked N_ROOT, stepping only
 * into elements that hold one. */
static int emit(struct emitter *em, xmlDocPtr doc)
{
    xmlNodePtr n = doc->children;
    int d = 1;

    em->fr[0].node = (xmlNodePtr)doc;
    while (n && !em->rc) {
        if (emit_enter(em, n, d) && n->children) {
            n = n->children;
            d++;
            continue;
        }
        while (n) {
            emit_leave(em, n, d);
            if (n->next) {
                n = n->next;
                break;
            }
            n = n->parent;
            d--;
            if (n == (xmlNodePtr)doc)
                n = NULL;
        }
    }
    return em->rc;
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

/* All visible text under top, collapsed, for the title. */
static void node_text(struct ctx *c, xmlNodePtr top, struct buf *out)
{
    struct collect t = {.b = *out};
    struct info *in;
    xmlNodePtr n = top->children;

    while (n) {
        in = info_of(c, n);
        if (n->type == XML_TEXT_NODE && collect_text(&t, n->content, NULL))
            break;
        if (n->type == XML_ELEMENT_NODE && n->children && in && !(in->flags & N_DROP)) {
            n = n->children;
            continue;
        }
        while (n && !n->next)
            n = n->parent == top ? NULL : n->parent;
        n = n ? n->next : NULL;
    }
    *out = t.b;
}

static char *page_title(struct ctx *c)
{
    struct buf b;

    buf_init(&b, 2048);
    if (c->title)
        node_text(c, c->title, &b);
    if (!b.len && c->nh1)
        node_text(c, c->info[c->h1[0]].node, &b);
    return buf_detach(&b, NULL);
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

static struct emitter *emitter_new(struct ctx *c, const char *page_lang, struct block_list *list,
                                   struct err *e)
{
    struct emitter *em = xcalloc(1, sizeof(*em));

    em->c = c;
    em->e = e;
    em->page_lang = page_lang;
    em->list = list;
    buf_init(&em->path, BUF_NOLIMIT);
    buf_init(&em->text.b, list->max_text);
    return em;
}

static void emitter_free(struct emitter *em)
{
    size_t i;

    if (!em)
        return;
    for (i = 0; i <= MAX_DEPTH; i++)
        free(em->fr[i].slots);
    buf_release(&em->path);
    buf_release(&em->text.b);
    free(em);
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
