/* extract_score.c -- which container is the article: one walk measures every element (text,
 * link text, commas, paragraphs, what extract_clean.c drops), a second one in auto mode when a
 * wrapper must be told from a sidebar; paragraphs score their ancestors, and the best container
 * (climbed to its wrapper, with the siblings and the h1 that belong to it) is marked N_ROOT.
 * With --readid or a page that names its text, the targets are the roots instead. Cuts no
 * text. All state lives in struct ctx. */
#include <stdint.h>
#include <string.h>

#include "base/base.h"
#include "extract_int.h"
#include "extract_target.h"

#include "banned.h"

static size_t new_info(struct ctx *c, xmlNodePtr n)
{
    struct info *in;

    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 1024;
        c->info = xreallocarray(c->info, c->cap, sizeof(*c->info));
    }
    in = &c->info[c->n];
    memset(in, 0, sizeof(*in));
    in->node = n;
    n->_private = (void *)(uintptr_t)(c->n + 1);
    return c->n++;
}

/* Visible characters (not spaces) and commas of a text node, added to its element. */
static void count_text(struct ctx *c, xmlNodePtr t)
{
    const unsigned char *s = t->content;
    struct info *in = info_of(c, t->parent);
    unsigned chars = 0, commas = 0;

    if (!s || !in)
        return;
    for (; *s; s++) {
        if (*s <= ' ' || (*s & 0xC0) == 0x80)
            continue;
        chars++;
        if (*s == ',' || (s[0] == 0xEF && s[1] == 0xBC && s[2] == 0x8C) ||
            (s[0] == 0xE3 && s[1] == 0x80 && s[2] == 0x81))
            commas++;
    }
    in->text += chars;
    in->commas += commas;
    in->inl += chars;
    in->icommas += commas;
    if (c->link_depth) {
        in->links += chars;
        in->ilinks += chars;
    }
}

/* The first pass's measures of n, read before this pass reuses n->_private. */
static const struct info *first_info(const struct ctx *c, xmlNodePtr n)
{
    uintptr_t i = (uintptr_t)n->_private;

    return c->first && i && i <= c->nfirst && c->first[i - 1].node == n ? &c->first[i - 1] : NULL;
}

/* Called when the walk reaches n; returns 1 to go inside. */
static int measure_enter(struct ctx *c, xmlNodePtr n)
{
    const struct info *first;
    struct info *in;
    const char *role;
    unsigned cls;
    size_t i;

    if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE)
        count_text(c, n);
    if (n->type != XML_ELEMENT_NODE)
        return 0;
    first = first_info(c, n);
    i = new_info(c, n);
    in = &c->info[i];
    in->tag = tag_flags(n->name);
    if ((in->tag & T_TITLE) && !c->title)
        c->title = n;
    cls = n->properties ? class_bits(n) : 0;
    if (measure_drop(c, n, in->tag, cls, first))
        return in->flags |= N_DROP, 0;
    role = extract_attr(n, "role");
    if (cls & C_BYLINE)
        in->flags |= N_BYLINE;
    if (cls & C_TEASER)
        in->flags |= N_TEASER;
    if ((in->tag & T_ART) || role_is(role, "article"))
        in->flags |= N_ART | N_SEM;
    if ((in->tag & T_SEM) || role_is(role, "main"))
        in->flags |= N_SEM;
    in->weight = (signed char)((cls & C_POSITIVE ? CLASS_WEIGHT : 0) -
                               (cls & C_NEGATIVE ? CLASS_WEIGHT : 0));
    c->sem_depth += !!(in->flags & N_SEM);
    c->art_depth += !!(in->flags & N_ART);
    c->link_depth += !!(in->tag & T_LINK);
    if ((in->tag & T_H1) && c->nh1 < MAX_H1)
        c->h1[c->nh1++] = c->n - 1;
    return 1;
}

/* A paragraph (text flowing in an element with at least MIN_PARA characters outside links:
 * a <p>, a <li>, a <div> with loose text) gives a score to its ancestors, fading with
 * distance: the container that holds most paragraphs collects most. */
static void add_score(struct ctx *c, xmlNodePtr n, const struct info *p)
{
    unsigned own = p->inl - p->ilinks;
    float s =
        1.0f + (float)(p->icommas < 10 ? p->icommas : 10) + (float)(own < 300 ? own : 300) / 100.0f;
    static const float fade[] = {1.0f, 2.0f, 6.0f, 9.0f, 12.0f};
    struct info *a;
    size_t level;

    /* Loose text beside blocks in a div is a paragraph of its own, held by the div (whose
     * parent may be a page row that also holds the menus); a <p> is held by its parent. */
    if (!((p->tag & T_BOX) && (p->flags & N_BLOCKS)))
        n = n->parent;
    for (level = 0; level < sizeof(fade) / sizeof(fade[0]); level++, n = n->parent) {
        if (!(a = info_of(c, n)))
            break;
        a->score += s / fade[level];
        a->flags |= N_CAND;
    }
}

/* A form is never read, but ASP.NET wraps whole pages in one: a form that holds real
 * paragraphs is a wrapper. A dropped form's paragraphs stop being candidates. */
static int drop_form(struct ctx *c, struct info *in)
{
    size_t i;

    if (!(in->tag & T_FORM) || in->ptext >= FORM_TEXT)
        return 0;
    in->flags |= N_DROP;
    for (i = index_of(c, in); i <= in->last; i++)
        c->info[i].flags &= ~N_CAND;
    return 1;
}

static void measure_leave(struct ctx *c, xmlNodePtr n)
{
    struct info *in = info_of(c, n), *p;

    if (!in)
        return;
    in->last = c->n - 1;
    if (in->flags & N_DROP)
        return;
    c->sem_depth -= !!(in->flags & N_SEM);
    c->art_depth -= !!(in->flags & N_ART);
    c->link_depth -= !!(in->tag & T_LINK);
    if (in->tag & T_HMAJOR)
        in->flags |= N_HEAD;
    if (!(in->tag & (T_INLINE | T_HEADING | T_BR)) && in->inl - in->ilinks >= MIN_PARA) {
        add_score(c, n, in);
        in->ptext += in->inl - in->ilinks;
        if (!strcmp((const char *)n->name, "p"))
            in->flags |= N_PARA;
    }
    if (!(p = info_of(c, n->parent)))
        return;
    if (drop_form(c, in)) {
        p->flags |= N_FORM;
        return;
    }
    p->text += in->text;
    p->links += in->links;
    p->commas += in->commas;
    p->ptext += in->ptext;
    if (in->tag & T_INLINE) {
        p->inl += in->inl;
        p->ilinks += in->ilinks;
        p->icommas += in->icommas;
    }
    p->flags |= in->flags & (N_BLOCKS | N_RICH | N_HEAD | N_PARA | N_FORM);
    if (!(in->tag & (T_INLINE | T_BR)))
        p->flags |= N_BLOCKS;
    if (in->tag & T_RICH)
        p->flags |= N_RICH;
}

/* One pass over the whole document in document order, without recursion: libxml2 keeps
 * parent pointers, so depth costs no stack. */
static void measure(struct ctx *c, xmlDocPtr doc)
{
    xmlNodePtr n = doc->children;

    while (n) {
        if (measure_enter(c, n) && n->children) {
            n = n->children;
            continue;
        }
        while (n) {
            measure_leave(c, n);
            if (n->next) {
                n = n->next;
                break;
            }
            n = n->parent;
            if (n == (xmlNodePtr)doc)
                n = NULL;
        }
    }
}

#define NONE ((size_t)-1)

float link_density(const struct info *in)
{
    return in->text ? (float)in->links / (float)in->text : 0.0f;
}

/* The candidate's score: its paragraphs' share plus what its tag says, scaled down by the
 * share of its text that is links (menus and link lists are text too). */
static float final_score(const struct info *in)
{
    float s = in->score + in->weight;

    if (in->flags & N_SEM)
        s += 10;
    else if (in->node->name && !strcmp((const char *)in->node->name, "div"))
        s += 5;
    if (in->tag & T_LISTISH)
        s -= 3;
    if (in->tag & T_HEADING)
        s -= 5;
    return s * (1.0f - link_density(in));
}

static size_t best_candidate(const struct ctx *c)
{
    size_t i, best = NONE;
    float s, top = 0;

    for (i = 0; i < c->n; i++) {
        if (!(c->info[i].flags & N_CAND) || (c->info[i].flags & N_DROP))
            continue;
        s = final_score(&c->info[i]);
        if (best == NONE || s > top)
            best = i, top = s;
    }
    return best;
}

/* Goes up from the best container while the parent adds little text (a title, a lead, an
 * empty wrapper), and stops at article or main: they hold the text when they get this far. */
static size_t climb(struct ctx *c, size_t t)
{
    unsigned base = c->info[t].text;
    struct info *p;

    while (!(c->info[t].flags & N_SEM)) {
        p = info_of(c, c->info[t].node->parent);
        if (!p || (p->tag & T_TOP) || p->text > base + base / 16 + 20)
            break;
        t = index_of(c, p);
    }
    return t;
}

static void add_root(struct ctx *c, size_t i)
{
    if (c->nroots == c->roots_cap) {
        c->roots_cap = c->roots_cap ? c->roots_cap * 2 : 16;
        c->roots = xreallocarray(c->roots, c->roots_cap, sizeof(*c->roots));
    }
    c->roots[c->nroots++] = i;
    c->info[i].flags |= N_ROOT;
}

/* 2: a sibling of the article container that is part of the article (a heading block, a
 * lead, a paragraph with real text); 1: text that belongs if it sits between such siblings
 * (a dateline, a caption); 0: not read. */
static int sibling_kind(const struct info *s, const struct info *top)
{
    float ld = link_density(s);

    if ((s->flags & N_DROP) || !s->text || ld > 0.3f)
        return 0;
    if ((s->flags & N_CAND) && s->score >= 10 && s->score >= 0.2f * top->score)
        return 2;
    if (ld < 0.25f && ((s->text >= 80 && (!(s->tag & T_BOX) || (s->flags & N_PARA))) ||
                       ((s->flags & N_HEAD) && s->text < 200)))
        return 2;
    return 1;
}

static void add_siblings(struct ctx *c, size_t t)
{
    xmlNodePtr n, first = NULL, last = NULL, parent = c->info[t].node->parent;
    struct info *s;

    for (n = parent->children; n; n = n->next)
        if ((s = info_of(c, n)) && (index_of(c, s) == t || sibling_kind(s, &c->info[t]) == 2)) {
            first = first ? first : n;
            last = n;
        }
    for (n = first; n; n = n->next) {
        if ((s = info_of(c, n)) && (index_of(c, s) == t || sibling_kind(s, &c->info[t])))
            add_root(c, index_of(c, s));
        if (n == last)
            break;
    }
}

/* The page's h1 when the article has none of its own (a Drupal title block sits outside the
 * node): the last visible h1 before the article. */
static void add_heading(struct ctx *c)
{
    size_t i, r, h, pick = NONE;

    for (i = 0; i < c->nh1; i++) {
        h = c->h1[i];
        for (r = 0; r < c->nroots; r++)
            if (h >= c->roots[r] && h <= c->info[c->roots[r]].last)
                return;
        if (c->nroots && c->info[h].last < c->roots[0])
            pick = h;
    }
    if (pick == NONE)
        return;
    add_root(c, pick);
    memmove(c->roots + 1, c->roots, (c->nroots - 1) * sizeof(c->roots[0]));
    c->roots[0] = pick;
}

/* No paragraph was long enough to score: read main or article if the page has one with
 * text, else the body, unless the body's text is mostly links: a page of menus and link
 * lists has no article, and reading its menu aloud helps no one. */
static size_t fallback_root(const struct ctx *c)
{
    size_t i, body = NONE;

    for (i = 0; i < c->n; i++) {
        if (c->info[i].flags & N_DROP)
            continue;
        if ((c->info[i].flags & N_SEM) && c->info[i].text)
            return i;
        if (body == NONE && (c->info[i].tag & T_TOP) &&
            !strcmp((const char *)c->info[i].node->name, "body"))
            body = i;
    }
    return body != NONE && link_density(&c->info[body]) > 0.5f ? NONE : body;
}

void pick_article(struct ctx *c)
{
    size_t t = best_candidate(c);

    if (t == NONE) {
        if ((t = fallback_root(c)) != NONE)
            add_root(c, t);
        return;
    }
    t = climb(c, t);
    add_siblings(c, t);
    add_heading(c);
}

/* Reads the targets (readid elements, data-lyssna="read", a ReadSpeaker button's readid or
 * readclass) as they are, minus what is never read (rs_skip, data-lyssna="skip", hidden,
 * scripts, forms); a target inside an earlier one is read with it, once. */
void pick_targets(struct ctx *c)
{
    struct info *in;
    size_t i;

    for (i = 0; i < c->ntargets; i++) {
        if (!(in = info_of(c, c->targets[i])))
            continue;
        if (c->nroots && index_of(c, in) <= c->info[c->roots[c->nroots - 1]].last)
            continue;
        add_root(c, index_of(c, in));
    }
}

/* Two passes in auto mode when chrome() spared anything: the first measures everything, so
 * that the second can tell a page wrapper from a sidebar. */
void measure_page(struct ctx *c, xmlDocPtr doc)
{
    size_t i;

    measure(c, doc);
    if (!c->automode || !c->maybe)
        return;
    for (i = 0; i < c->n; i++)
        if ((c->info[i].tag & T_TOP) && c->info[i].ptext > c->total_ptext)
            c->total_ptext = c->info[i].ptext;
    c->first = c->info;
    c->nfirst = c->n;
    c->info = NULL;
    c->n = c->cap = c->nh1 = 0;
    c->link_depth = c->sem_depth = c->art_depth = 0;
    c->title = NULL;
    measure(c, doc);
}
