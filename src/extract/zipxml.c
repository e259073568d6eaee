/* zipxml.c -- the zip and XML ground DOCX and ODT stand on: libzip reads the archive from
 * memory and each part is inflated through a counter that stops at the cap (a zip bomb
 * declares small sizes and inflates to gigabytes: the declared sizes are not trusted);
 * libxml2 parses the parts with no DTD, no entity expansion, no network, and a document that
 * declares a DOCTYPE (the way to entity bombs) is refused before parsing. */
#define _GNU_SOURCE /* memmem */
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "base/base.h"
#include "document.h"

#include "banned.h"

#define XML_OPTS (XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA)

struct zipdoc {
    zip_t *zip;
    size_t left; /* bytes the parts may still inflate to */
    int max_depth;
};

struct zipdoc *zipdoc_open(const char *bytes, size_t len, const struct document_caps *caps,
                           struct err *e)
{
    zip_error_t ze;
    zip_source_t *src;
    struct zipdoc *z;
    zip_t *zip;

    zip_error_init(&ze);
    src = zip_source_buffer_create(bytes, len, 0, &ze);
    if (!src || !(zip = zip_open_from_source(src, ZIP_RDONLY, &ze))) {
        if (src)
            zip_source_free(src);
        err_set(e, LY_EPARSE, "the document is damaged and cannot be read (%s)",
                zip_error_strerror(&ze));
        zip_error_fini(&ze);
        return NULL;
    }
    zip_error_fini(&ze);
    z = xcalloc(1, sizeof(*z));
    z->zip = zip;
    z->left = caps->max_inflated;
    z->max_depth = caps->max_depth;
    return z;
}

void zipdoc_free(struct zipdoc *z)
{
    if (!z)
        return;
    zip_discard(z->zip);
    free(z);
}

int zipdoc_has(struct zipdoc *z, const char *name)
{
    return zip_name_locate(z->zip, name, 0) >= 0;
}

int zipdoc_read(struct zipdoc *z, const char *name, int optional, char **out, size_t *len,
                struct err *e)
{
    zip_file_t *f;
    struct buf b;
    char chunk[16384];
    zip_int64_t n;
    int rc = LY_OK;

    *out = NULL;
    *len = 0;
    if (!(f = zip_fopen(z->zip, name, 0))) {
        if (optional && !zipdoc_has(z, name))
            return LY_OK;
        return err_set(e, LY_EPARSE, "the document is damaged: no readable '%s' in it", name);
    }
    buf_init(&b, BUF_NOLIMIT);
    while ((n = zip_fread(f, chunk, sizeof(chunk))) > 0) {
        if ((size_t)n > z->left) {
            rc = err_set(e, LY_ETOOBIG,
                         "the document inflates to more than the limit (a zip bomb?)");
            break;
        }
        z->left -= (size_t)n;
        buf_add(&b, chunk, (size_t)n, NULL);
    }
    if (!rc && n < 0)
        rc = err_set(e, LY_EPARSE, "the document is damaged: '%s' cannot be inflated", name);
    zip_fclose(f);
    if (rc) {
        buf_release(&b);
        return rc;
    }
    *out = buf_detach(&b, len);
    return LY_OK;
}

/* Deeper nesting than max_depth anywhere under root (walked without recursion). */
static int too_deep(xmlNodePtr root, int max_depth)
{
    xmlNodePtr n = root;
    int depth = 1;

    while (n) {
        if (n->children) {
            n = n->children;
            if (++depth > max_depth)
                return 1;
            continue;
        }
        while (n != root && !n->next) {
            n = n->parent;
            depth--;
        }
        if (n == root)
            return 0;
        n = n->next;
    }
    return 0;
}

int zipdoc_xml(struct zipdoc *z, const char *name, int optional, struct _xmlDoc **out,
               struct err *e)
{
    char *data;
    size_t len;
    xmlDocPtr doc;
    int rc;

    *out = NULL;
    if ((rc = zipdoc_read(z, name, optional, &data, &len, e)) || !data)
        return rc;
    if (len > INT32_MAX || memmem(data, len, "<!DOCTYPE", 9) || memmem(data, len, "<!ENTITY", 8)) {
        free(data);
        return err_set(e, LY_EPARSE, "the document's '%s' declares a DTD: refused", name);
    }
    doc = xmlReadMemory(data, (int)len, NULL, NULL, XML_OPTS);
    free(data);
    if (!doc || !xmlDocGetRootElement(doc))
        rc = err_set(e, LY_EPARSE, "the document is damaged: '%s' is not well-formed XML", name);
    else if (too_deep(xmlDocGetRootElement(doc), z->max_depth))
        rc = err_set(e, LY_ETOOBIG, "the document's '%s' nests deeper than %d elements", name,
                     z->max_depth);
    if (rc) {
        xmlFreeDoc(doc);
        return rc;
    }
    *out = doc;
    return LY_OK;
}

const char *zipdoc_attr(struct _xmlNode *n, const char *local)
{
    xmlAttrPtr a;

    for (a = n ? n->properties : NULL; a; a = a->next)
        if (!strcmp((const char *)a->name, local) && a->children && a->children->content)
            return (const char *)a->children->content;
    return NULL;
}

int zipdoc_is(const struct _xmlNode *n, const char *local)
{
    return n && n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, local);
}

struct _xmlNode *zipdoc_find(struct _xmlNode *n, const char *local, int max_depth)
{
    xmlNodePtr c, hit;

    if (!n || max_depth < 0)
        return NULL;
    for (c = n->children; c; c = c->next) {
        if (zipdoc_is(c, local))
            return c;
        if ((hit = zipdoc_find(c, local, max_depth - 1)))
            return hit;
    }
    return NULL;
}
