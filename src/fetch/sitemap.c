/* sitemap.c -- sitemaps.org files to a list of addresses. gzip is undone with zlib, capped
 * at LYSSNA_SITEMAP_MAX_BYTES (a small file can inflate to gigabytes); XML is parsed with
 * libxml2 without network access and with DOCTYPEs refused, so no entity tricks; elements
 * are matched by local name whatever their namespace prefix. Pure and reentrant. */
#include "fetch.h"

#include <ctype.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "base/base.h"

#include "banned.h"

#define SITEMAP_OPTS (XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_COMPACT)

static int is_gzip(const char *data, size_t len)
{
    return len >= 2 && (unsigned char)data[0] == 0x1f && (unsigned char)data[1] == 0x8b;
}

static int gunzip(const char *data, size_t len, struct buf *out, struct err *e)
{
    z_stream z = {0};
    char chunk[16384];
    int zrc = Z_OK;

    if (inflateInit2(&z, 15 + 16) != Z_OK)
        return err_set(e, LY_EPARSE, "cannot start gzip decoding");
    z.next_in = (Bytef *)(uintptr_t)data;
    z.avail_in = (uInt)len;
    while (zrc != Z_STREAM_END) {
        z.next_out = (Bytef *)chunk;
        z.avail_out = sizeof(chunk);
        zrc = inflate(&z, Z_NO_FLUSH);
        if (zrc != Z_OK && zrc != Z_STREAM_END) {
            inflateEnd(&z);
            return err_set(e, LY_EPARSE, "the sitemap is not valid gzip");
        }
        if (buf_add(out, chunk, sizeof(chunk) - z.avail_out, NULL)) {
            inflateEnd(&z);
            return err_set(e, LY_ETOOBIG, "the sitemap is over %u MiB uncompressed",
                           LYSSNA_SITEMAP_MAX_BYTES >> 20);
        }
        if (zrc == Z_OK && z.avail_in == 0 && z.avail_out != 0) {
            inflateEnd(&z);
            return err_set(e, LY_EPARSE, "the gzipped sitemap is cut short");
        }
    }
    inflateEnd(&z);
    return LY_OK;
}

static const char *skip_blank(const char *p, const char *end)
{
    if (end - p >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3))
        p += 3;
    while (p < end && isspace((unsigned char)*p))
        p++;
    return p;
}

int sitemap_sniff(const char *data, size_t len)
{
    const char *start = skip_blank(data, data + len);

    return is_gzip(data, len) || (start < data + len && *start == '<');
}

static void add_loc(struct sitemap *s, size_t *cap, const char *v, size_t n)
{
    const char *nul = memchr(v, '\0', n);

    if (nul) /* a text sitemap's line with a NUL in it: what comes after cannot be read */
        n = (size_t)(nul - v);
    while (n > 0 && isspace((unsigned char)*v))
        v++, n--;
    while (n > 0 && isspace((unsigned char)v[n - 1]))
        n--;
    if (n == 0)
        return;
    if (s->n == *cap) {
        *cap = *cap ? *cap * 2 : 64;
        s->locs = xreallocarray(s->locs, *cap, sizeof(*s->locs));
    }
    s->locs[s->n++] = xstrndup(v, n);
}

static int is_elem(const xmlNode *n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name);
}

/* The <loc> of each <url> (or <sitemap>) child of the root. */
static int parse_xml(const struct buf *b, struct sitemap *s, struct err *e)
{
    xmlDoc *doc = xmlReadMemory(b->data, (int)b->len, NULL, NULL, SITEMAP_OPTS);
    xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL, *item, *loc;
    size_t cap = 0;
    int rc = LY_OK;

    if (!root || doc->intSubset) {
        xmlFreeDoc(doc);
        return err_set(e, LY_EPARSE, "the sitemap is not %s",
                       root ? "accepted with a DOCTYPE" : "well-formed XML");
    }
    s->is_index = is_elem(root, "sitemapindex");
    if (!s->is_index && !is_elem(root, "urlset"))
        rc = err_set(e, LY_EPARSE, "the sitemap's root is <%s>, not <urlset> or <sitemapindex>",
                     (const char *)root->name);
    for (item = root->children; !rc && item; item = item->next) {
        if (!is_elem(item, s->is_index ? "sitemap" : "url"))
            continue;
        for (loc = item->children; loc; loc = loc->next) {
            xmlChar *v;
            if (!is_elem(loc, "loc"))
                continue;
            if (s->n >= LYSSNA_SITEMAP_MAX_URLS) {
                rc = err_set(e, LY_ETOOBIG, "the sitemap lists over %d addresses",
                             LYSSNA_SITEMAP_MAX_URLS);
                break;
            }
            v = xmlNodeGetContent(loc);
            if (v)
                add_loc(s, &cap, (const char *)v, strlen((const char *)v));
            xmlFree(v);
            break;
        }
    }
    xmlFreeDoc(doc);
    return rc;
}

/* A text sitemap: one address a line. */
static int parse_text(const struct buf *b, struct sitemap *s, struct err *e)
{
    const char *p = b->data, *end = b->data + b->len, *nl;
    size_t cap = 0;

    while (p < end) {
        nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            nl = end;
        if (s->n >= LYSSNA_SITEMAP_MAX_URLS)
            return err_set(e, LY_ETOOBIG, "the sitemap lists over %d addresses",
                           LYSSNA_SITEMAP_MAX_URLS);
        add_loc(s, &cap, p, (size_t)(nl - p));
        p = nl + 1;
    }
    return LY_OK;
}

int sitemap_parse(const char *data, size_t len, struct sitemap *out, struct err *e)
{
    struct sitemap s = {0};
    struct buf plain;
    int rc = LY_OK;

    buf_init(&plain, LYSSNA_SITEMAP_MAX_BYTES);
    if (is_gzip(data, len))
        rc = gunzip(data, len, &plain, e);
    else if (buf_add(&plain, data, len, NULL))
        rc = err_set(e, LY_ETOOBIG, "the sitemap is over %u MiB", LYSSNA_SITEMAP_MAX_BYTES >> 20);
    if (!rc) {
        const char *start = skip_blank(plain.data, plain.data + plain.len);
        rc = start < plain.data + plain.len && *start == '<' ? parse_xml(&plain, &s, e)
                                                             : parse_text(&plain, &s, e);
    }
    buf_release(&plain);
    if (rc) {
        sitemap_release(&s);
        return rc;
    }
    *out = s;
    return LY_OK;
}

void sitemap_release(struct sitemap *s)
{
    size_t i;

    for (i = 0; i < s->n; i++)
        free(s->locs[i]);
    free(s->locs);
    s->locs = NULL;
    s->n = 0;
}
