/* extract_target.c -- finds what a page itself asks to have read: elements marked
 * data-lyssna="read", or the readid/readclass named by the link of its ReadSpeaker button
 * (ReadSpeaker webReader reads exactly those, so Lyssna does too). Only looks at the parsed
 * tree; reading, skipping and scoring are extract.c's. No state outside the call. */
#include "extract_target.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/base.h"

#include "banned.h"

enum { MAX_NAME = 256, MAX_RSBTN_DEPTH = 8 };

const char *extract_attr(xmlNodePtr n, const char *name)
{
    xmlAttrPtr a;

    for (a = n->properties; a; a = a->next) {
        if (a->name && !strcasecmp((const char *)a->name, name)) {
            if (a->children && a->children->type == XML_TEXT_NODE && a->children->content)
                return (const char *)a->children->content;
            return "";
        }
    }
    return NULL;
}

/* True when v, trimmed of spaces, is word (ASCII case-insensitive). */
static int value_is(const char *v, const char *word)
{
    size_t n = strlen(word);

    while (v && isspace((unsigned char)*v))
        v++;
    if (!v || strncasecmp(v, word, n))
        return 0;
    for (v += n; isspace((unsigned char)*v); v++)
        ;
    return !*v;
}

int extract_lyssna_skip(xmlNodePtr n)
{
    return value_is(extract_attr(n, "data-lyssna"), "skip");
}

/* The element after n in document order, stepping over n's subtree unless descend. */
static xmlNodePtr next_node(xmlDocPtr doc, xmlNodePtr n, int descend)
{
    if (descend && n->type == XML_ELEMENT_NODE && n->children)
        return n->children;
    while (n && !n->next)
        n = n->parent == (xmlNodePtr)doc ? NULL : n->parent;
    return n ? n->next : NULL;
}

static void push(xmlNodePtr **out, size_t *n, xmlNodePtr node)
{
    if (!*n || (*n >= 4 && !(*n & (*n - 1))))
        *out = xreallocarray(*out, *n ? *n * 2 : 4, sizeof(**out));
    (*out)[(*n)++] = node;
}

/* True when s (length len) is one of the comma-separated names in list. */
static int in_list(const char *list, const char *s, size_t len)
{
    const char *p = list, *end;
    size_t k;

    while (*p) {
        end = strchr(p, ',');
        k = end ? (size_t)(end - p) : strlen(p);
        if (k == len && !strncmp(p, s, len))
            return 1;
        p += k + (end != NULL);
    }
    return 0;
}

/* True when one of the whitespace-separated tokens of v is in list. */
static int token_in_list(const char *v, const char *list)
{
    size_t k;

    while (v && *v) {
        while (isspace((unsigned char)*v))
            v++;
        for (k = 0; v[k] && !isspace((unsigned char)v[k]); k++)
            ;
        if (k && in_list(list, v, k))
            return 1;
        v += k;
    }
    return 0;
}

size_t extract_find_ids(xmlDocPtr doc, const char *ids, xmlNodePtr **out, size_t *n)
{
    size_t before = *n;
    const char *v;
    xmlNodePtr x;

    for (x = doc->children; x; x = next_node(doc, x, 1))
        if (x->type == XML_ELEMENT_NODE && (v = extract_attr(x, "id")) && *v &&
            in_list(ids, v, strlen(v)))
            push(out, n, x);
    return *n - before;
}

static size_t find_classes(xmlDocPtr doc, const char *classes, xmlNodePtr **out, size_t *n)
{
    xmlNodePtr x;

    for (x = doc->children; x; x = next_node(doc, x, 1))
        if (x->type == XML_ELEMENT_NODE && token_in_list(extract_attr(x, "class"), classes))
            push(out, n, x);
    return *n;
}

static int hex(int ch)
{
    return isdigit(ch) ? ch - '0' : isxdigit(ch) ? tolower(ch) - 'a' + 10 : -1;
}

/* The value of query parameter key ("readid=") in href, percent-decoded into v (MAX_NAME
 * bytes); 0 when absent or empty. */
static int query_param(const char *href, const char *key, char *v)
{
    const char *p = href;
    size_t k = strlen(key), n = 0;

    while ((p = strstr(p, key)) && p != href && !strchr("?&;", p[-1]))
        p += k;
    if (!p || p == href)
        return 0;
    for (p += k; *p && !strchr("&#;", *p) && n < MAX_NAME - 1; p++) {
        if (*p == '%' && hex((unsigned char)p[1]) >= 0 && hex((unsigned char)p[2]) >= 0) {
            v[n++] = (char)(hex((unsigned char)p[1]) * 16 + hex((unsigned char)p[2]));
            p += 2;
        } else {
            v[n++] = *p;
        }
    }
    v[n] = '\0';
    return n > 0;
}

/* True when link a is a ReadSpeaker button's: inside an element of class rsbtn, or
 * pointing at a webReader address. */
static int readspeaker_link(xmlNodePtr a, const char *href)
{
    xmlNodePtr p;
    int depth;

    if (strstr(href, "readspeaker.com/") || strstr(href, "/cgi-bin/rsent"))
        return 1;
    for (p = a->parent, depth = 0; p && p->type == XML_ELEMENT_NODE && depth < MAX_RSBTN_DEPTH;
         p = p->parent, depth++)
        if (token_in_list(extract_attr(p, "class"), "rsbtn"))
            return 1;
    return 0;
}

/* The targets of the first ReadSpeaker link that names a readid or readclass found in
 * the page. */
static size_t readspeaker_targets(xmlDocPtr doc, xmlNodePtr **out, size_t *n)
{
    char v[MAX_NAME];
    const char *href;
    xmlNodePtr x;

    for (x = doc->children; x; x = next_node(doc, x, 1)) {
        if (x->type != XML_ELEMENT_NODE || strcasecmp((const char *)x->name, "a") ||
            !(href = extract_attr(x, "href")) || !readspeaker_link(x, href))
            continue;
        if (query_param(href, "readid=", v) && extract_find_ids(doc, v, out, n))
            return *n;
        if (query_param(href, "readclass=", v) && find_classes(doc, v, out, n))
            return *n;
    }
    return 0;
}

size_t extract_find_targets(xmlDocPtr doc, xmlNodePtr **out)
{
    size_t n = 0;
    xmlNodePtr x;

    *out = NULL;
    for (x = doc->children; x; x = next_node(doc, x, 1))
        if (x->type == XML_ELEMENT_NODE && value_is(extract_attr(x, "data-lyssna"), "read"))
            push(out, &n, x);
    if (!n)
        readspeaker_targets(doc, out, &n);
    return n;
}
