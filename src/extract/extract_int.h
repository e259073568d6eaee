/* extract_int.h -- what the pieces of src/extract/ share: the limits, the flags of a tag, a
 * class and an element, the measures of an element (struct info), the state of one extraction
 * (struct ctx), the block list any reader appends to, and the functions one file lends another.
 * Internal to src/extract/; other folders include extract.h only. */
#ifndef LYSSNA_EXTRACT_INT_H
#define LYSSNA_EXTRACT_INT_H

#include <libxml/tree.h>
#include <stddef.h>
#include <stdint.h>

#include "extract.h"

struct emitter; /* one walk that cuts blocks: defined in extract_blocks.c */

enum {
    MAX_DEPTH = 256,       /* deeper elements are read as inline text of their ancestor */
    MAX_ATTRS = 64,        /* attributes kept per tag; libxml2 is quadratic in them */
    CLASS_WEIGHT = 10,     /* what a positive or negative class name adds to a container */
    MIN_PARA = 25,         /* characters a paragraph needs to count towards its container */
    FORM_TEXT = 400,       /* paragraph characters that make a form a page wrapper */
    FORM_BOX = 300,        /* characters of a box around a form that only introduce it */
    MAX_H1 = 32,           /* h1 elements remembered */
    ROW_MAX = 400,         /* longer table rows are layout, not data */
    REPEAT_MIN = 20,       /* bytes from which a block that repeats a recent one is dropped */
    REPEAT_NEAR = 3,       /* blocks back that count as recent */
    BYLINE_MAX = 200,      /* characters of a byline box that is not read; longer: an author bio */
    CREDIT_MAX = 60,       /* bytes of a line that can be only a photo credit */
    BYLINE_LINE_MAX = 100, /* bytes of a line that can be only a byline */
};

/* What an element's name says about it (flags of struct tag). */
enum {
    T_SKIP = 1 << 0,     /* never rendered or never read: script, form, svg... */
    T_NAV = 1 << 1,      /* site chrome, dropped in auto mode */
    T_HEADER = 1 << 2,   /* site header unless inside article/main */
    T_FOOTER = 1 << 3,   /* footer */
    T_ASIDE = 1 << 4,    /* aside unless inside an article */
    T_INLINE = 1 << 5,   /* text flows through it without a break */
    T_RICH = 1 << 6,     /* structure that makes a table row a layout row */
    T_HEADING = 1 << 7,  /* h1-h6 */
    T_HMAJOR = 1 << 8,   /* h1-h3 */
    T_H1 = 1 << 9,       /* h1 */
    T_ROW = 1 << 10,     /* tr */
    T_CELL = 1 << 11,    /* td, th */
    T_BR = 1 << 12,      /* br */
    T_LINK = 1 << 13,    /* a */
    T_SEM = 1 << 14,     /* article, main: preferred containers */
    T_ART = 1 << 15,     /* article */
    T_TOP = 1 << 16,     /* html, body: never a candidate to climb into */
    T_TITLE = 1 << 17,   /* title */
    T_BOX = 1 << 18,     /* containers removed when mostly links */
    T_DIALOG = 1 << 19,  /* dialog, read only when open */
    T_LISTISH = 1 << 20, /* lists and their items: weak candidates */
    T_FORM = 1 << 21,    /* form: dropped unless it wraps the page (ASP.NET) */
};

/* What the walk found out about an element (flags of struct info). */
enum {
    N_DROP = 1 << 0,    /* not read, nor anything inside */
    N_BLOCKS = 1 << 1,  /* has a descendant that is not inline */
    N_RICH = 1 << 2,    /* has a T_RICH descendant */
    N_HEAD = 1 << 3,    /* has an h1-h3 descendant (or is one) */
    N_SEM = 1 << 4,     /* article, main, role=main or role=article */
    N_ART = 1 << 5,     /* article or role=article */
    N_ROOT = 1 << 6,    /* a subtree to read */
    N_CAND = 1 << 7,    /* received a paragraph score */
    N_BYLINE = 1 << 8,  /* an author line (class byline) */
    N_TEASER = 1 << 10, /* teasers for other articles (class teaser, slider...) */
    N_FORM = 1 << 11,   /* holds a form that is not read */
    N_PARA = 1 << 9,    /* is or holds a <p> with a paragraph's worth of its own text */
};

struct info {
    xmlNodePtr node;
    unsigned tag, flags;
    unsigned text, links, commas;  /* visible characters (not spaces) in the subtree */
    unsigned inl, ilinks, icommas; /* the same for text flowing in it, not in child blocks */
    unsigned ptext;                /* characters in paragraphs that scored */
    size_t last;                   /* index of the last element of the subtree */
    float score;                   /* from paragraphs */
    signed char weight;            /* from class names */
};

struct ctx {
    const struct extract_opts *opts;
    int automode;
    struct info *info, *first;    /* this pass's measures; the first pass's (NULL in it) */
    size_t n, cap, nfirst, maybe; /* maybe: elements chrome() spared in the first pass */
    unsigned total_ptext;         /* paragraph text of the page, from the first pass */
    unsigned link_depth, sem_depth, art_depth;
    xmlNodePtr title;
    size_t h1[MAX_H1], nh1;
    size_t *roots, nroots, roots_cap; /* subtrees to read, in document order */
    xmlNodePtr *targets;              /* what the page or --readid names, in document order */
    size_t ntargets;
};

/* Elements carry their index + 1 in _private, which libxml2 leaves to the application. */
static inline struct info *info_of(struct ctx *c, xmlNodePtr n)
{
    uintptr_t i;

    if (!n || n->type != XML_ELEMENT_NODE || !n->_private)
        return NULL;
    i = (uintptr_t)n->_private;
    return &c->info[i - 1];
}

static inline size_t index_of(const struct ctx *c, const struct info *in)
{
    return (size_t)(in - c->info);
}

/* What class and id say about an element. */
enum {
    C_RSSKIP = 1 << 0,   /* ReadSpeaker's rs_skip */
    C_RSUI = 1 << 1,     /* ReadSpeaker's own buttons and players */
    C_HIDDEN = 1 << 2,   /* a display:none utility class */
    C_SRONLY = 1 << 3,   /* text only for screen readers */
    C_UNLIKELY = 1 << 4, /* menus, share bars, cookie banners, comments... */
    C_PROTECT = 1 << 5,  /* words that keep an unlikely-looking wrapper */
    C_POSITIVE = 1 << 6, /* words of article containers */
    C_NEGATIVE = 1 << 7, /* words of boilerplate containers */
    C_COMMENT = 1 << 8,  /* reader comments: never the article, however long */
    C_BYLINE = 1 << 9,   /* the author line: measured with the article, not read */
    C_TEASER = 1 << 10,  /* links to other articles (teasers, sliders, most read): measured
                          * with the page, so the article is picked as if they were there,
                          * never read */
};

/* The blocks a reader has cut so far (the HTML walk here; a document reader the same way),
 * and the bytes of extract_text()'s output they make, each block's '\n' included. */
struct block_list {
    struct extract_block *blocks;
    size_t n, cap, total, max_text;
    struct extract_figure *figures;
    size_t nfigures, figures_cap;
};

/* extract_clean.c */
/* What an element's name says about it: T_* flags; custom elements are inline. */
unsigned tag_flags(const xmlChar *name);
/* What its class and id attributes say about n: C_* flags. */
unsigned class_bits(xmlNodePtr n);
/* True when the first token of a role (or an aria-hidden value) is name. */
int role_is(const char *role, const char *name);
/* True when n (tag and cls its flags) and all inside it are never read. */
int measure_drop(struct ctx *c, xmlNodePtr n, unsigned tag, unsigned cls, const struct info *first);
/* True for a line (n bytes) not worth hearing: a photo credit, byline, bare URL, ad label. */
int noise_line(const char *s, size_t n);
/* True for a page-information line ("Senast uppdaterad: ..."); s may be NULL. */
int page_info(const char *s);

/* extract_score.c */
/* The share of in's text that is link text. */
float link_density(const struct info *in);
/* Auto mode: marks the article container and what belongs to it as the roots. */
void pick_article(struct ctx *c);
/* The targets (--readid, data-lyssna="read", ReadSpeaker) as the roots. */
void pick_targets(struct ctx *c);
/* Measures every element of doc into c->info (twice when a wrapper is in doubt). */
void measure_page(struct ctx *c, xmlDocPtr doc);

/* extract_blocks.c */
/* The last walk: cuts the roots of doc into blocks, appended to the emitter's list. */
int extract_emit_blocks(struct emitter *em, xmlDocPtr doc);
/* The page's <title> text, else its first h1's; heap memory. */
char *page_title(struct ctx *c);
/* An emitter for one walk that appends to list; page_lang is borrowed. */
struct emitter *emitter_new(struct ctx *c, const char *page_lang, struct block_list *list,
                            struct err *e);
/* Frees em (not its list); NULL is a no-op. */
void emitter_free(struct emitter *em);

/* extract_parse.c */
/* Decodes html (any charset; charset from HTTP or NULL) and parses it into *doc. */
int extract_parse_html(const char *html, size_t len, const char *charset, xmlDocPtr *doc,
                       struct err *e);

/* extract.c */
/* An empty list whose text may reach max_text bytes. */
void block_list_init(struct block_list *l, size_t max_text);
/* Frees the blocks still in l. */
void block_list_release(struct block_list *l);
/* LY_ETOOBIG when len more bytes of text would pass the cap. */
int block_list_room(const struct block_list *l, size_t len, struct err *e);
/* Appends a block of kind (level: a heading's, 1-6) with copies of text (len bytes, collapsed,
 * no newline), xpath and lang (NULL: the page's). */
int block_list_add(struct block_list *l, enum extract_kind kind, int level, const char *text,
                   size_t len, const char *xpath, size_t xpath_len, const char *lang,
                   struct err *e);
/* Appends a content image's alt text (len bytes, collapsed), coming after the blocks so far,
 * with copies of xpath and lang (NULL: the page's). */
void block_list_add_figure(struct block_list *l, const char *alt, size_t len, const char *xpath,
                           size_t xpath_len, const char *lang);
/* Marks bytes [start, end) of the last block's text as in lang (an inline element's). */
void block_list_add_run(struct block_list *l, size_t start, size_t end, const char *lang);
/* Puts the blocks in the order of order[0..n) (indexes into the list, each at most once);
 * those it does not name are dropped. Their offsets follow. */
void block_list_reorder(struct block_list *l, const size_t *order, size_t n);
/* Moves the blocks into out, with their word count; l is left empty. */
void block_list_detach(struct block_list *l, struct extract_result *out);

#endif
