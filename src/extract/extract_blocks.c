/* extract_blocks.c -- cutting blocks: the last walk reads the subtrees marked N_ROOT and cuts
 * a block at each element that is not inline (heading, paragraph, list item, data table row
 * with its cells joined by ", "), collapsing whitespace, with the element's xpath (as
 * xmlGetNodePath writes it) and its language, and appends it to a struct block_list, with the
 * alt text of the content images met on the way (shown in the reading page, not read). Also the
 * page title's text. Which container to read is decided before (extract_score.c); all state
 * lives in struct emitter, one per call. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/base.h"
#include "extract_int.h"
#include "extract_target.h"

#include "banned.h"

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

/* Element children of one element counted by name, so each child's xpath step gets its
 * position ("p[3]") in one pass however many siblings there are. */
struct name_count {
    const xmlChar *name;
    size_t total, seen;
};

struct frame {
    xmlNodePtr node;
    const char *lang;
    size_t run_start;   /* an inline element in another language: where its text starts */
    unsigned run_block; /* the block it started in (em->cut), 0: not such an element */
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
    unsigned cut; /* blocks cut so far: a run ends in the block it started in */
    struct run_mark {
        size_t start, end;
        const char *lang;
    } runs[16]; /* the inline runs of the block being cut */
    size_t nruns;
    struct buf figs; /* images met inside the block being cut: "alt\0xpath\0lang\0" each */
    unsigned nfigs;
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

/* The kind of block an element makes, from its name (h1-h6, li/dt/dd, tr). */
static enum extract_kind kind_of(const xmlChar *name, int *level)
{
    const char *n = (const char *)name;

    *level = 0;
    if ((n[0] == 'h' || n[0] == 'H') && n[1] >= '1' && n[1] <= '6' && !n[2]) {
        *level = n[1] - '0';
        return EXTRACT_HEADING;
    }
    if (!strcasecmp(n, "li") || !strcasecmp(n, "dt") || !strcasecmp(n, "dd"))
        return EXTRACT_LIST_ITEM;
    if (!strcasecmp(n, "tr"))
        return EXTRACT_TABLE_ROW;
    return EXTRACT_PARAGRAPH;
}

static void add_block(struct emitter *em)
{
    struct frame *f = &em->fr[em->owner];
    size_t len = em->text.b.len;
    int level;
    enum extract_kind kind = kind_of(f->node->name, &level);

    /* The cap is checked before the blocks that are not read, as it always was. */
    if ((em->rc = block_list_room(em->list, len, em->e)))
        return;
    if ((em->c->automode && repeated(em)) || headline(em))
        return;
    em->rc = block_list_add(em->list, kind, level, em->text.b.data, len, em->path.data, f->path_len,
                            f->lang && strcasecmp(f->lang, em->page_lang) ? f->lang : NULL, em->e);
    for (size_t i = 0; !em->rc && i < em->nruns; i++)
        block_list_add_run(em->list, em->runs[i].start, em->runs[i].end, em->runs[i].lang);
}

/* An inline element whose language is not its block's (only the outermost of nested ones):
 * its stretch of the block's text, white space at its ends left out, is kept for add_block. */
static void open_run(struct emitter *em, int d)
{
    const char *own = em->owner ? em->fr[em->owner].lang : NULL, *l = em->fr[d].lang;

    em->fr[d].run_block = 0;
    if (!l || (own && !strcasecmp(l, own)) || (em->fr[d - 1].lang != own && d - 1 != em->owner))
        return;
    em->fr[d].run_start = em->text.b.len + (em->text.space && em->text.b.len ? 1 : 0);
    em->fr[d].run_block = em->cut + 1;
}

static void close_run(struct emitter *em, int d)
{
    struct frame *f = &em->fr[d];
    size_t end = em->text.b.len;

    if (f->run_block != em->cut + 1 || em->nruns == sizeof(em->runs) / sizeof(em->runs[0]))
        return;
    while (end > f->run_start && em->text.b.data[end - 1] == ' ')
        end--;
    if (end > f->run_start)
        em->runs[em->nruns++] = (struct run_mark){f->run_start, end, f->lang};
    f->run_block = 0;
}

/* The images met in the block just cut, after it: an image inside a paragraph does not come
 * between the paragraph's sentences in the reading page. */
static void add_figures(struct emitter *em)
{
    const char *p = em->figs.data, *xpath, *lang;
    const struct block_list *l = em->list;
    size_t i, j, len;
    int dup;

    for (i = 0; i < em->nfigs; i++) {
        len = strlen(p);
        xpath = p + len + 1;
        lang = xpath + strlen(xpath) + 1;
        /* galleries print an image twice (one copy hidden by CSS) */
        for (dup = 0, j = l->nfigures; j > 0 && l->nfigures - j < REPEAT_NEAR && !dup; j--)
            dup =
                l->figures[j - 1].block + REPEAT_NEAR >= l->n && !strcmp(l->figures[j - 1].alt, p);
        if (!dup)
            block_list_add_figure(em->list, p, len, xpath, strlen(xpath), *lang ? lang : NULL);
        p = lang + strlen(lang) + 1;
    }
    em->nfigs = 0;
    buf_reset(&em->figs);
}

/* True for an element of that name (any case) at or above n. */
static int inside(xmlNodePtr n, const char *name)
{
    for (; n && n->type == XML_ELEMENT_NODE; n = n->parent)
        if (!strcasecmp((const char *)n->name, name))
            return 1;
    return 0;
}

/* True when a size in pixels ("16", "16px"; not "10%") is under an icon's. */
static int small_px(const char *v)
{
    size_t n = v ? strspn(v, "0123456789") : 0;

    return n && v[n] != '%' && v[n] != '.' && atoi(v) < 48;
}

/* True when a width or height attribute says the image is smaller than an icon: tracking
 * pixels, bullets, file-type and social icons. */
static int tiny(xmlNodePtr img)
{
    return small_px(extract_attr(img, "width")) || small_px(extract_attr(img, "height"));
}

/* True for an alt text that is only a file's name ("IMG_1234.jpg"), which says nothing. */
static int file_name_alt(const char *s, size_t n)
{
    static const char *const ext[] = {".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg"};
    size_t i, k;

    for (i = 0; i < sizeof(ext) / sizeof(ext[0]); i++)
        if (n > (k = strlen(ext[i])) && !strncasecmp(s + n - k, ext[i], k))
            return 1;
    return 0;
}

/* The collapsed text of the figcaption of the figure around img, in t; empty when none. */
static void caption_of(xmlNodePtr img, struct collect *t)
{
    xmlNodePtr f = img->parent, ch;
    xmlChar *s;

    while (f && f->type == XML_ELEMENT_NODE && strcasecmp((const char *)f->name, "figure"))
        f = f->parent;
    if (!f || f->type != XML_ELEMENT_NODE)
        return;
    for (ch = f->children; ch; ch = ch->next)
        if (ch->type == XML_ELEMENT_NODE && !strcasecmp((const char *)ch->name, "figcaption") &&
            (s = xmlNodeGetContent(ch))) {
            collect_text(t, s, NULL);
            xmlFree(s);
            return;
        }
}

/* An img in what is read, at depth d: a content image's alt text, kept to be shown after the
 * block it is in (not read: struct extract_figure). Not kept: no alt or alt="" (decorative), an
 * image in a link or button (its alt names the link's target: the link's text, not a picture), a
 * tiny image, hidden or presentational ones, an alt that is a file name, a photo credit, or the
 * caption again. */
static void meet_image(struct emitter *em, xmlNodePtr img, int d)
{
    const char *alt = extract_attr(img, "alt"), *role = extract_attr(img, "role");
    const char *hidden = extract_attr(img, "aria-hidden"), *lang = em->fr[d].lang;
    struct collect a = {0}, cap = {0};

    if (!alt || em->row || d > MAX_DEPTH || em->nfigs >= 8 || tiny(img) ||
        (role && (role_is(role, "presentation") || role_is(role, "none"))) ||
        (hidden && role_is(hidden, "true")) || inside(img, "a") || inside(img, "button"))
        return;
    buf_init(&a.b, 4096);
    buf_init(&cap.b, 4096);
    if (!collect_text(&a, (const xmlChar *)alt, NULL) && a.b.len &&
        !file_name_alt(a.b.data, a.b.len) && (!em->c->automode || !noise_line(a.b.data, a.b.len))) {
        caption_of(img, &cap);
        if (!cap.b.len || strcmp(cap.b.data, a.b.data)) {
            buf_add(&em->figs, a.b.data, a.b.len + 1, NULL);
            buf_add(&em->figs, em->path.data, em->fr[d].path_len, NULL);
            buf_addch(&em->figs, '\0', NULL);
            lang = lang && strcasecmp(lang, em->page_lang) ? lang : "";
            buf_add(&em->figs, lang, strlen(lang) + 1, NULL);
            em->nfigs++;
        }
    }
    buf_release(&a.b);
    buf_release(&cap.b);
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
    em->nruns = 0;
    em->cut++;
    add_figures(em);
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
    if (in->tag & T_INLINE) {
        if (d <= MAX_DEPTH && !em->row)
            open_run(em, d);
        return;
    }
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
    if ((in->tag & T_INLINE) && d <= MAX_DEPTH && !em->row)
        close_run(em, d);
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
        if (!strcasecmp((const char *)n->name, "img"))
            meet_image(em, n, d);
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
int extract_emit_blocks(struct emitter *em, xmlDocPtr doc)
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

char *page_title(struct ctx *c)
{
    struct buf b;

    buf_init(&b, 2048);
    if (c->title)
        node_text(c, c->title, &b);
    if (!b.len && c->nh1)
        node_text(c, c->info[c->h1[0]].node, &b);
    return buf_detach(&b, NULL);
}

struct emitter *emitter_new(struct ctx *c, const char *page_lang, struct block_list *list,
                            struct err *e)
{
    struct emitter *em = xcalloc(1, sizeof(*em));

    em->c = c;
    em->e = e;
    em->page_lang = page_lang;
    em->list = list;
    buf_init(&em->path, BUF_NOLIMIT);
    buf_init(&em->text.b, list->max_text);
    buf_init(&em->figs, BUF_NOLIMIT);
    return em;
}

void emitter_free(struct emitter *em)
{
    size_t i;

    if (!em)
        return;
    for (i = 0; i <= MAX_DEPTH; i++)
        free(em->fr[i].slots);
    buf_release(&em->path);
    buf_release(&em->text.b);
    buf_release(&em->figs);
    free(em);
}
