/* document.h -- inside extract/: the document readers (pdf.c, docx.c, odt.c) and the zip and
 * XML helpers the two office formats share (zipxml.c). extract.h is the folder's public face;
 * docworker.c runs these in a sandboxed process (docchild.c). */
#ifndef LYSSNA_DOCUMENT_H
#define LYSSNA_DOCUMENT_H

#include <stddef.h>

struct err;
struct extract_result;
struct zipdoc;
struct _xmlDoc;
struct _xmlNode;

/* The caps every reader honours. */
struct document_caps {
    size_t max_text;     /* bytes of text kept */
    int max_pages;       /* PDF pages */
    size_t max_inflated; /* bytes a zip's parts may inflate to, all together */
    int max_depth;       /* XML element nesting */
    int max_ocr_pages;   /* pages of a scan recognized */
    int part;            /* a PDF's part to read (extract_opts.part); 0: the whole */
    /* Called once before a scan's pages are recognized (NULL: nothing): the worker raises
       its CPU limit to the cap for scans and tells its parent to wait that long. */
    void (*on_scan)(void);
};

/* The caps of opts (NULL: the defaults). */
struct extract_opts;
void document_caps_of(const struct extract_opts *o, struct document_caps *caps);
/* The reader extract_sniff picks, run in this process (docchild.c: the worker's). */
int document_read(const char *bytes, size_t len, const struct document_caps *caps,
                  struct extract_result *out, struct err *e);

int document_read_pdf(const char *bytes, size_t len, const struct document_caps *caps,
                      struct extract_result *out, struct err *e);
int document_read_docx(const char *bytes, size_t len, const struct document_caps *caps,
                       struct extract_result *out, struct err *e);
int document_read_odt(const char *bytes, size_t len, const struct document_caps *caps,
                      struct extract_result *out, struct err *e);

/* A zip read from memory, its parts inflated within caps->max_inflated in all. */
struct zipdoc *zipdoc_open(const char *bytes, size_t len, const struct document_caps *caps,
                           struct err *e);
void zipdoc_free(struct zipdoc *z); /* NULL is a no-op */
/* Whether the zip has a part of that name. */
int zipdoc_has(struct zipdoc *z, const char *name);
/* The part's bytes (free() them), NUL-terminated; LY_ETOOBIG past the cap, LY_EPARSE when
 * it is damaged. A missing part is LY_EPARSE too, unless optional (then *out is NULL). */
int zipdoc_read(struct zipdoc *z, const char *name, int optional, char **out, size_t *len,
                struct err *e);
/* The part parsed as XML: no DTD, no entities, no network, nesting capped; NULL for an
 * optional part that is missing. Free with xmlFreeDoc. */
int zipdoc_xml(struct zipdoc *z, const char *name, int optional, struct _xmlDoc **out,
               struct err *e);

/* dc:title and dc:language of docProps/core.xml or meta.xml into *title, *lang (each left
 * alone when absent; free() them). */
void document_core_props(struct _xmlDoc *core, char **title, char **lang);

/* An attribute by local name, whatever its namespace prefix (borrowed; NULL when absent). */
const char *zipdoc_attr(struct _xmlNode *n, const char *local);
/* The first descendant element of n with that local name (depth-first), or NULL. */
struct _xmlNode *zipdoc_find(struct _xmlNode *n, const char *local, int max_depth);
/* Whether element n has that local name. */
int zipdoc_is(const struct _xmlNode *n, const char *local);

#endif
