/* ocr.h -- inside extract/: a scanned PDF's pages recognized by Tesseract. */
#ifndef LYSSNA_OCR_H
#define LYSSNA_OCR_H

#include <poppler.h>

struct document_caps;
struct err;
struct layout;

/* Renders doc's pages range[0] to range[1] - 1 (of pages, a PDF with no text layer) at
 * OCR_DPI, recognizes them with the model of lang (a language tag; Swedish when NULL or not
 * English) and feeds their characters to l as a text PDF's are fed, so headers, columns and
 * hyphens are read the same way. band, for a scan read in parts, whose first sound should not
 * wait for its whole first page: 1 reads only the first paragraphs of the first page (range
 * is that page; the whole of it when they cannot be cut from the rest), 2 the rest of the
 * first page before the range. caps->on_scan is called first. LY_ETOOBIG when all pages are
 * more than caps->max_ocr_pages (a scan read in parts too), for a page too large to render or
 * past caps->max_text; LY_EIO when the model cannot be loaded. */
int ocr_read_pages(PopplerDocument *doc, const int range[2], int band, int pages, const char *lang,
                   const struct document_caps *caps, struct layout *l, struct err *e);

#endif
