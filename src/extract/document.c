/* document.c -- the public entry points for documents: caps checked, then the PDF, DOCX or
 * ODT reader (told by extract_sniff) run in the sandboxed worker (docworker.c); never in this
 * process, which links no parser (tests and fuzzers call the readers themselves);
 * extract_any, which goes by the rule of reader.c. */
#include <stdlib.h>

#include "base/base.h"
#include "document.h"
#include "docworker.h"
#include "extract.h"

#include "banned.h"

void document_caps_of(const struct extract_opts *o, struct document_caps *caps)
{
    caps->max_text = o && o->max_text ? o->max_text : LYSSNA_MAX_TEXT;
    caps->max_pages = o && o->max_pages > 0 ? o->max_pages : LYSSNA_MAX_PAGES;
    caps->max_inflated = LYSSNA_MAX_INFLATED;
    caps->max_depth = LYSSNA_MAX_XML_DEPTH;
    caps->max_ocr_pages = LYSSNA_MAX_OCR_PAGES;
    caps->part = o && o->part > 0 ? o->part : 0;
    caps->on_scan = NULL;
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
    if (!opts || !opts->worker)
        return err_set(e, LY_EIO, "documents are read in the sandboxed worker, and none was named");
    return docworker_run(
        opts->worker, bytes, len, &caps, opts->max_cpu_s > 0 ? opts->max_cpu_s : LYSSNA_MAX_DOC_CPU,
        opts->max_ocr_cpu_s > 0 ? opts->max_ocr_cpu_s : LYSSNA_MAX_OCR_CPU, out, e);
}

int extract_any(const char *bytes, size_t len, const struct extract_opts *opts,
                struct extract_result *out, struct err *e)
{
    enum extract_format f;
    int rc = extract_reader_of(opts ? opts->content_type : NULL, opts ? opts->url : NULL, bytes,
                               len, &f, e);

    if (rc)
        return rc;
    rc = f == EXTRACT_HTML ? extract_page(bytes, len, opts, out, e)
                           : extract_document(bytes, len, opts, out, e);
    if (!rc) /* here, outside the document worker's sandbox: textcat reads its files */
        extract_detect_langs(out);
    return rc;
}
