/* document.c -- which reader a file needs, told by its bytes (extract_sniff), and the public
 * entry points for documents: caps checked, then the PDF, DOCX or ODT reader run here or in
 * the sandboxed worker (docworker.c) when the caller names one. */
#define _GNU_SOURCE /* memmem */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/base.h"
#include "document.h"
#include "docworker.h"
#include "extract.h"

#include "banned.h"

#define ODT_MIME "application/vnd.oasis.opendocument.text"

static enum extract_format sniff_zip(const char *b, size_t len)
{
    /* ODF puts an uncompressed "mimetype" first: its name at 30, its content after it */
    if (len > 38 + sizeof(ODT_MIME) - 1 && !memcmp(b + 30, "mimetype", 8) &&
        !memcmp(b + 38, ODT_MIME, sizeof(ODT_MIME) - 1) &&
        (len == 38 + sizeof(ODT_MIME) - 1 || b[38 + sizeof(ODT_MIME) - 1] == 'P' ||
         b[38 + sizeof(ODT_MIME) - 1] == '-'))
        return EXTRACT_ODT;
    if (memmem(b, len, "[Content_Types].xml", 19) && memmem(b, len, "word/document.xml", 17))
        return EXTRACT_DOCX;
    return EXTRACT_OTHER;
}

enum extract_format extract_sniff(const char *bytes, size_t len)
{
    size_t head = len < 1024 ? len : 1024;

    if (!bytes || len < 5)
        return EXTRACT_HTML;
    if (memmem(bytes, head, "%PDF-", 5))
        return EXTRACT_PDF;
    if (!memcmp(bytes, "PK\x03\x04", 4))
        return sniff_zip(bytes, len);
    return EXTRACT_HTML;
}

const char *extract_format_name(enum extract_format f)
{
    static const char *const names[] = {"html", "pdf", "docx", "odt", ""};

    return (unsigned)f < sizeof(names) / sizeof(names[0]) ? names[f] : "";
}

enum extract_format extract_format_of_type(const char *t)
{
    static const struct {
        const char *type;
        enum extract_format f;
    } types[] = {
        {"application/pdf", EXTRACT_PDF},
        {"application/x-pdf", EXTRACT_PDF},
        {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", EXTRACT_DOCX},
        {"application/vnd.oasis.opendocument.text", EXTRACT_ODT},
    };
    size_t i, n = t ? strcspn(t, "; \t") : 0;

    for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
        if (n == strlen(types[i].type) && !strncasecmp(t, types[i].type, n))
            return types[i].f;
    return EXTRACT_HTML;
}

void document_caps_of(const struct extract_opts *o, struct document_caps *caps)
{
    caps->max_text = o && o->max_text ? o->max_text : LYSSNA_MAX_TEXT;
    caps->max_pages = o && o->max_pages > 0 ? o->max_pages : LYSSNA_MAX_PAGES;
    caps->max_inflated = LYSSNA_MAX_INFLATED;
    caps->max_depth = LYSSNA_MAX_XML_DEPTH;
}

int document_read(const char *bytes, size_t len, const struct document_caps *caps,
                  struct extract_result *out, struct err *e)
{
    switch (extract_sniff(bytes, len)) {
    case EXTRACT_PDF:
        return document_read_pdf(bytes, len, caps, out, e);
    case EXTRACT_DOCX:
        return document_read_docx(bytes, len, caps, out, e);
    case EXTRACT_ODT:
        return document_read_odt(bytes, len, caps, out, e);
    default:
        return err_set(e, LY_EPARSE,
                       "not a document Lyssna reads: PDF, Word (DOCX) and OpenDocument text "
                       "(ODT) are read");
    }
}

int extract_document(const char *bytes, size_t len, const struct extract_opts *opts,
                     struct extract_result *out, struct err *e)
{
    size_t max = opts && opts->max_doc ? opts->max_doc : LYSSNA_MAX_DOC;
    struct document_caps caps;

    if (len > max)
        return err_set(e, LY_ETOOBIG, "the document is %zu MB; at most %zu MB are read",
                       (len + (1u << 20) - 1) >> 20, max >> 20);
    document_caps_of(opts, &caps);
    if (opts && opts->worker)
        return docworker_run(opts->worker, bytes, len, &caps,
                             opts->max_cpu_s > 0 ? opts->max_cpu_s : LYSSNA_MAX_DOC_CPU, out, e);
    return document_read(bytes, len, &caps, out, e);
}

int extract_any(const char *bytes, size_t len, const struct extract_opts *opts,
                struct extract_result *out, struct err *e)
{
    if (extract_sniff(bytes, len) == EXTRACT_HTML)
        return extract_page(bytes, len, opts, out, e);
    return extract_document(bytes, len, opts, out, e);
}
