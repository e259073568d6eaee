/* extract_clean.c -- what is never read: the tag table (what an element's name says), the
 * class and id words of menus, cookie banners, footers, share bars, galleries and
 * screen-reader-only text, hidden elements, site chrome by tag and role, and the short lines
 * (photo credits, bylines, bare addresses, "Senast uppdaterad") dropped as blocks are cut.
 * Decides per element or line only; the walks that ask are in extract_score.c and
 * extract_blocks.c. No state: safe from any thread. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "extract_int.h"
#include "extract_target.h"

#include "banned.h"

struct tag {
    const char *name;
    unsigned flags;
};

/* Sorted by name for bsearch. Other names are block-level elements without features, but
 * custom elements (a '-' in the name) are inline. */
static const struct tag tags[] = {
    {"a", T_INLINE | T_LINK},
    {"abbr", T_INLINE},
    {"acronym", T_INLINE},
    {"address", T_RICH},
    {"applet", T_SKIP},
    {"article", T_RICH | T_SEM | T_ART},
    {"aside", T_ASIDE | T_RICH | T_BOX},
    {"audio", T_SKIP},
    {"b", T_INLINE},
    {"base", T_SKIP},
    {"bdi", T_INLINE},
    {"bdo", T_INLINE},
    {"big", T_INLINE},
    {"blockquote", T_RICH},
    {"body", T_TOP},
    {"br", T_BR},
    {"button", T_SKIP},
    {"canvas", T_SKIP},
    {"cite", T_INLINE},
    {"code", T_INLINE},
    {"data", T_INLINE},
    {"datalist", T_SKIP},
    {"dd", T_LISTISH},
    {"del", T_INLINE},
    {"details", T_RICH},
    {"dfn", T_INLINE},
    {"dialog", T_DIALOG},
    {"dir", T_RICH | T_BOX | T_LISTISH},
    {"div", T_BOX},
    {"dl", T_RICH | T_BOX | T_LISTISH},
    {"dt", T_LISTISH},
    {"em", T_INLINE},
    {"embed", T_SKIP},
    {"fieldset", T_RICH},
    {"figure", T_RICH},
    {"font", T_INLINE},
    {"footer", T_FOOTER | T_RICH},
    {"form", T_FORM | T_RICH},
    {"frame", T_SKIP},
    {"frameset", T_SKIP},
    {"h1", T_HEADING | T_HMAJOR | T_H1 | T_RICH},
    {"h2", T_HEADING | T_HMAJOR | T_RICH},
    {"h3", T_HEADING | T_HMAJOR | T_RICH},
    {"h4", T_HEADING | T_RICH},
    {"h5", T_HEADING | T_RICH},
    {"h6", T_HEADING | T_RICH},
    {"header", T_HEADER | T_RICH},
    {"hgroup", T_RICH},
    {"html", T_TOP},
    {"i", T_INLINE},
    {"iframe", T_SKIP},
    {"img", T_INLINE},
    {"input", T_SKIP},
    {"ins", T_INLINE},
    {"kbd", T_INLINE},
    {"label", T_INLINE},
    {"li", T_LISTISH},
    {"link", T_SKIP},
    {"main", T_RICH | T_SEM},
    {"map", T_SKIP},
    {"mark", T_INLINE},
    {"menu", T_RICH | T_BOX | T_LISTISH},
    {"meta", T_SKIP},
    {"nav", T_NAV | T_RICH},
    {"nobr", T_INLINE},
    {"noembed", T_SKIP},
    {"noframes", T_SKIP},
    {"noscript", T_SKIP},
    {"object", T_SKIP},
    {"ol", T_RICH | T_BOX | T_LISTISH},
    {"optgroup", T_SKIP},
    {"option", T_SKIP},
    {"picture", T_INLINE},
    {"pre", T_RICH},
    {"q", T_INLINE},
    {"rp", T_INLINE},
    {"rt", T_INLINE},
    {"ruby", T_INLINE},
    {"s", T_INLINE},
    {"samp", T_INLINE},
    {"script", T_SKIP},
    {"section", T_RICH | T_BOX},
    {"select", T_SKIP},
    {"small", T_INLINE},
    {"source", T_INLINE},
    {"span", T_INLINE},
    {"strike", T_INLINE},
    {"strong", T_INLINE},
    {"style", T_SKIP},
    {"sub", T_INLINE},
    {"sup", T_INLINE},
    {"svg", T_SKIP},
    {"table", T_RICH | T_BOX},
    {"td", T_CELL},
    {"template", T_SKIP},
    {"textarea", T_SKIP},
    {"th", T_CELL},
    {"time", T_INLINE},
    {"title", T_SKIP | T_TITLE},
    {"tr", T_ROW},
    {"tt", T_INLINE},
    {"u", T_INLINE},
    {"ul", T_RICH | T_BOX | T_LISTISH},
    {"var", T_INLINE},
    {"video", T_SKIP},
    {"wbr", T_INLINE},
};

static int tag_cmp(const void *key, const void *elem)
{
    return strcmp(key, ((const struct tag *)elem)->name);
}

unsigned tag_flags(const xmlChar *name)
{
    const struct tag *t;

    if (!name)
        return 0;
    t = bsearch(name, tags, sizeof(tags) / sizeof(tags[0]), sizeof(tags[0]), tag_cmp);
    if (t)
        return t->flags;
    /* A custom element ("hl-trusted-source", "time-ago") is inline until a style says
     * otherwise, as in browsers: its text flows in the sentence around it. */
    return strchr((const char *)name, '-') ? T_INLINE : 0;
}

struct word {
    const char *word;
    unsigned bits;
};

/* Whole class tokens (and ids), sorted. */
static const struct word class_tokens[] = {
    {"a11y-hidden", C_SRONLY},
    {"assistive-text", C_SRONLY},
    {"d-none", C_HIDDEN},
    {"display-none", C_HIDDEN},
    {"element-invisible", C_SRONLY},
    {"env-assistive-text", C_SRONLY},
    {"hidden", C_HIDDEN},
    {"hide", C_HIDDEN},
    {"invisible", C_HIDDEN},
    {"is-hidden", C_HIDDEN},
    {"rs_addtools", C_RSUI},
    {"rs_skip", C_RSSKIP},
    {"rsbtn", C_RSUI},
    {"screen-reader-only", C_SRONLY},
    {"screen-reader-text", C_SRONLY},
    {"show-for-sr", C_SRONLY},
    {"sr-only", C_SRONLY},
    {"sr-text", C_SRONLY},
    {"u-hidden", C_HIDDEN},
    {"u-visually-hidden", C_SRONLY},
    {"visually-hidden", C_SRONLY},
    {"visuallyhidden", C_SRONLY},
};

/* Words inside class names and ids (split at anything not a letter or digit), sorted. */
static const struct word class_words[] = {
    {"ad", C_UNLIKELY | C_NEGATIVE},
    {"ads", C_UNLIKELY | C_NEGATIVE},
    {"advert", C_UNLIKELY | C_NEGATIVE},
    {"advertisement", C_UNLIKELY | C_NEGATIVE},
    {"article", C_PROTECT | C_POSITIVE},
    {"author", C_NEGATIVE},
    {"blog", C_POSITIVE},
    {"body", C_PROTECT | C_POSITIVE},
    {"breadcrumb", C_UNLIKELY | C_NEGATIVE},
    {"breadcrumbs", C_UNLIKELY | C_NEGATIVE},
    {"byline", C_BYLINE | C_NEGATIVE},
    {"carousel", C_UNLIKELY | C_NEGATIVE},
    {"column", C_PROTECT},
    {"comment", C_COMMENT | C_NEGATIVE},
    {"comments", C_COMMENT | C_NEGATIVE},
    {"consent", C_UNLIKELY | C_NEGATIVE},
    {"contact", C_NEGATIVE},
    {"content", C_PROTECT | C_POSITIVE},
    {"cookie", C_UNLIKELY | C_NEGATIVE},
    {"cookies", C_UNLIKELY | C_NEGATIVE},
    {"disqus", C_COMMENT | C_NEGATIVE},
    {"entry", C_POSITIVE},
    {"feedback", C_UNLIKELY | C_NEGATIVE},
    {"footer", C_UNLIKELY | C_NEGATIVE},
    {"gallery", C_UNLIKELY | C_NEGATIVE},
    {"gdpr", C_UNLIKELY | C_NEGATIVE},
    {"hentry", C_POSITIVE},
    {"ingress", C_POSITIVE},
    {"lightbox", C_UNLIKELY | C_NEGATIVE},
    {"main", C_PROTECT | C_POSITIVE},
    {"masthead", C_UNLIKELY | C_NEGATIVE},
    {"megamenu", C_UNLIKELY | C_NEGATIVE},
    {"menu", C_UNLIKELY | C_NEGATIVE},
    {"meta", C_NEGATIVE},
    {"mostread", C_TEASER | C_NEGATIVE},
    {"nav", C_NEGATIVE},
    {"navbar", C_UNLIKELY | C_NEGATIVE},
    {"newsletter", C_UNLIKELY | C_NEGATIVE},
    {"outbrain", C_UNLIKELY | C_NEGATIVE},
    {"pager", C_UNLIKELY | C_NEGATIVE},
    {"pagination", C_UNLIKELY | C_NEGATIVE},
    {"popup", C_UNLIKELY | C_NEGATIVE},
    {"post", C_POSITIVE},
    {"promo", C_UNLIKELY | C_NEGATIVE},
    {"related", C_UNLIKELY | C_NEGATIVE},
    {"rss", C_UNLIKELY | C_NEGATIVE},
    {"share", C_UNLIKELY | C_NEGATIVE},
    {"sharing", C_UNLIKELY | C_NEGATIVE},
    {"shoutbox", C_UNLIKELY | C_NEGATIVE},
    {"sidebar", C_UNLIKELY | C_NEGATIVE},
    {"slider", C_TEASER | C_NEGATIVE},
    {"slideshow", C_UNLIKELY | C_NEGATIVE},
    {"social", C_UNLIKELY | C_NEGATIVE},
    {"sponsor", C_UNLIKELY | C_NEGATIVE},
    {"sponsored", C_UNLIKELY | C_NEGATIVE},
    {"story", C_POSITIVE},
    {"subscribe", C_UNLIKELY | C_NEGATIVE},
    {"swiper", C_TEASER | C_NEGATIVE},
    {"taboola", C_UNLIKELY | C_NEGATIVE},
    {"tags", C_NEGATIVE},
    {"teaser", C_TEASER | C_NEGATIVE},
    {"teasers", C_TEASER | C_NEGATIVE},
    {"text", C_POSITIVE},
    {"toc", C_UNLIKELY | C_NEGATIVE},
    {"trending", C_TEASER | C_NEGATIVE},
    {"widget", C_NEGATIVE},
};

static int word_cmp(const void *key, const void *elem)
{
    return strcmp(key, ((const struct word *)elem)->word);
}

static unsigned lookup_word(const char *w, const struct word *table, size_t n)
{
    const struct word *hit = bsearch(w, table, n, sizeof(*table), word_cmp);

    return hit ? hit->bits : 0;
}

/* Parts of a token that mark a ReadSpeaker button or a skip link wherever they occur, and a
 * theme's own screen-reader-only class ("sv-visuallyhidden", "c-sr-only"). */
static unsigned token_parts(const char *t)
{
    static const char *const sr_suffixes[] = {"-visuallyhidden", "-visually-hidden", "-sr-only",
                                              "-screen-reader-text", "-assistive-text"};
    size_t i, n = strlen(t), k;

    for (i = 0; i < sizeof(sr_suffixes) / sizeof(sr_suffixes[0]); i++)
        if (n > (k = strlen(sr_suffixes[i])) && !strcmp(t + n - k, sr_suffixes[i]))
            return C_SRONLY;
    if (!strncmp(t, "rsbtn", 5) || !strncmp(t, "rs_addtools", 11))
        return C_RSUI;
    if (strstr(t, "readspeaker") && (strstr(t, "button") || strstr(t, "play")))
        return C_RSUI;
    if (strstr(t, "skip-link") || strstr(t, "skiplink") || strstr(t, "skip-to") ||
        strstr(t, "skipnav") || strstr(t, "skip-nav") || !strcmp(t, "commentlist") ||
        !strcmp(t, "comment-list"))
        return C_COMMENT;
    return 0;
}

static unsigned word_bits(const char *w)
{
    static const char *const prefixes[] = {"advert", "breadcrumb", "cookie", "newsletter",
                                           "share",  "social",     "sponsor"};
    unsigned bits = lookup_word(w, class_words, sizeof(class_words) / sizeof(class_words[0]));
    size_t i;

    for (i = 0; !bits && i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
        if (w[0] == prefixes[i][0] && !strncmp(w, prefixes[i], strlen(prefixes[i])))
            bits = C_UNLIKELY | C_NEGATIVE;
    return bits;
}

/* Words that, in a token that also has the word "author", make it an author's box. */
static int author_box_word(const char *w)
{
    static const char *const words[] = {"about", "bio", "biography", "box", "card", "profile"};
    size_t i;

    for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (!strcmp(w, words[i]))
            return 1;
    return 0;
}

/* One whitespace-separated token of a class or id attribute, lowercased in t. An author's
 * box ("author-bio", "about-author", "author-box") is the writer's biography under the
 * article: not the article. */
static unsigned token_bits(char *t)
{
    unsigned bits = lookup_word(t, class_tokens, sizeof(class_tokens) / sizeof(class_tokens[0]));
    char w[32];
    size_t i = 0, k;
    int author = 0, box = 0;

    bits |= token_parts(t);
    while (t[i]) {
        while (t[i] && !isalnum((unsigned char)t[i]))
            i++;
        for (k = 0; isalnum((unsigned char)t[i]); i++)
            if (k < sizeof(w) - 1)
                w[k++] = t[i];
        w[k] = '\0';
        if (!k)
            continue;
        bits |= word_bits(w);
        author |= !strcmp(w, "author");
        box |= author_box_word(w);
    }
    if (author && box)
        bits |= C_UNLIKELY | C_NEGATIVE;
    return bits;
}

static unsigned attr_bits(const char *v)
{
    char t[64];
    unsigned bits = 0;
    size_t k;

    while (v && *v) {
        while (isspace((unsigned char)*v))
            v++;
        for (k = 0; *v && !isspace((unsigned char)*v); v++)
            if (k < sizeof(t) - 1)
                t[k++] = (char)tolower((unsigned char)*v);
        t[k] = '\0';
        if (k)
            bits |= token_bits(t);
    }
    return bits;
}

unsigned class_bits(xmlNodePtr n)
{
    return attr_bits(extract_attr(n, "class")) | attr_bits(extract_attr(n, "id"));
}

/* True when v (an ASCII-case-insensitive style attribute) has "prop:value", spaces allowed. */
static int style_has(const char *v, const char *prop, const char *value)
{
    size_t pl = strlen(prop), vl = strlen(value);
    const char *p;

    for (p = v; *p; p++) {
        if (strncasecmp(p, prop, pl))
            continue;
        p += pl;
        while (isspace((unsigned char)*p))
            p++;
        if (*p != ':')
            continue;
        p++;
        while (isspace((unsigned char)*p))
            p++;
        if (!strncasecmp(p, value, vl))
            return 1;
    }
    return 0;
}

/* True when the first token of a role (or an aria-hidden value) is name. */
int role_is(const char *role, const char *name)
{
    size_t n = strlen(name);

    while (role && isspace((unsigned char)*role))
        role++;
    return role && !strncasecmp(role, name, n) && (!role[n] || isspace((unsigned char)role[n]));
}

static int hidden(xmlNodePtr n)
{
    const char *v;

    if (extract_attr(n, "hidden"))
        return 1;
    if ((v = extract_attr(n, "aria-hidden")) && role_is(v, "true"))
        return 1;
    v = extract_attr(n, "style");
    return v && (style_has(v, "display", "none") || style_has(v, "visibility", "hidden"));
}

/* Site chrome and boilerplate by tag, role or class name: dropped in auto mode only, since a
 * readid names exactly what to read, and only when the element does not hold most of the
 * page's paragraphs (see wrapper). header and aside inside an article or main belong to it. */
static int chrome(const struct ctx *c, xmlNodePtr n, unsigned tag, unsigned cls)
{
    static const char *const roles[] = {"navigation",  "search", "contentinfo", "dialog",
                                        "alertdialog", "menu",   "menubar",     "toolbar"};
    const char *role = extract_attr(n, "role");
    size_t i;

    if (tag & (T_NAV | T_FOOTER | T_DIALOG))
        return 1;
    if ((tag & T_HEADER && !c->sem_depth) || (tag & T_ASIDE && !c->art_depth))
        return 1;
    for (i = 0; role && i < sizeof(roles) / sizeof(roles[0]); i++)
        if (role_is(role, roles[i]))
            return 1;
    if ((role_is(role, "banner") && !c->sem_depth) ||
        (role_is(role, "complementary") && !c->art_depth))
        return 1;
    return (cls & C_UNLIKELY) && !(cls & C_PROTECT) && !(tag & (T_TOP | T_SEM | T_HEADING));
}

/* Never read, whatever the page holds. */
static int dropped(const struct ctx *c, xmlNodePtr n, unsigned tag, unsigned cls)
{
    if (tag & T_SKIP)
        return 1;
    if ((tag & T_DIALOG) && !extract_attr(n, "open"))
        return 1;
    if ((cls & (C_RSSKIP | C_RSUI | C_HIDDEN)) || hidden(n) || extract_lyssna_skip(n))
        return 1;
    return c->automode && (cls & (C_SRONLY | C_COMMENT)) && !(tag & T_TOP);
}

/* An element that chrome() would drop but that held two thirds of the page's paragraph
 * text in the first measuring pass is the page's wrapper: a theme puts the post in a
 * "widget", broken markup nests the whole page in a <nav>. */
static int wrapper(const struct ctx *c, const struct info *first)
{
    return first && first->ptext && (size_t)first->ptext * 3 >= (size_t)c->total_ptext * 2;
}

int measure_drop(struct ctx *c, xmlNodePtr n, unsigned tag, unsigned cls, const struct info *first)
{
    if (dropped(c, n, tag, cls))
        return 1;
    if (!c->automode || !chrome(c, n, tag, cls))
        return 0;
    if (!c->first)
        return c->maybe++, 0;
    return !wrapper(c, first);
}

/* True for a short line that is only a photo credit ("Photo: Getty Images", "Foto: Anna
 * Ek"): a credit inside a caption is read with it, alone it tells a listener nothing. */
static int credit_line(const char *s, size_t n)
{
    static const char *const labels[] = {
        "photo:",  "photos:", "photo by ",    "foto:",           "bild:",       "image:",
        "images:", "credit:", "image credit", "image copyright", "getty images"};
    size_t i;

    if (n > CREDIT_MAX)
        return 0;
    for (i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
        if (!strncasecmp(s, labels[i], strlen(labels[i])))
            return 1;
    return 0;
}

/* True for a short line that names the writer ("By Phil Helsel", "Av Anna Berg", "Von
 * Moritz Bachmann publiziert am ..."): a byline that no class marks. */
static int byline_line(const char *s, size_t n)
{
    static const char *const labels[] = {"by ",  "av ",        "von ",       "por ",
                                         "par ", "posted by ", "written by "};
    size_t i, k;
    unsigned char next;

    if (n > BYLINE_LINE_MAX)
        return 0;
    for (i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
        k = strlen(labels[i]);
        next = n > k ? (unsigned char)s[k] : 0;
        if (!strncasecmp(s, labels[i], k) && ((next >= 'A' && next <= 'Z') || next >= 0x80))
            return 1;
    }
    return 0;
}

/* A line that is only an address (a bare URL printed under a photo or after a byline), only
 * an advertisement label, only a photo credit or only a byline: nothing a listener should
 * hear. */
int noise_line(const char *s, size_t n)
{
    static const char *const labels[] = {"advertisement", "advert",     "annons",    "reklam",
                                         "anzeige",       "publicidad", "publicité", "sponsored"};
    size_t i;

    for (i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
        if (n == strlen(labels[i]) && !strcasecmp(s, labels[i]))
            return 1;
    if (credit_line(s, n) || byline_line(s, n))
        return 1;
    if (memchr(s, ' ', n))
        return 0;
    return strstr(s, "://") || !strncasecmp(s, "www.", 4);
}

/* Lines of page information that are not read even inside the article ("Senast
 * uppdaterad: 2024-11-18", "Sidansvarig: ..."): the labels Swedish municipal CMSs print. */
int page_info(const char *s)
{
    static const char *const labels[] = {
        "senast granskad", "sidan granskad", "senast uppdaterad", "sidan uppdaterad",
        "senast ändrad",   "sidan ändrad",   "sidansvarig",       "innehållsansvarig",
        "last updated",    "last modified",  "last reviewed",
    };
    size_t i;

    for (i = 0; s && i < sizeof(labels) / sizeof(labels[0]); i++)
        if (!strncasecmp(s, labels[i], strlen(labels[i])))
            return 1;
    return 0;
}
