/* ocr.h -- inside extract/: a scanned PDF's pages recognized by Tesseract. */
#ifndef LYSSNA_OCR_H
#define LYSSNA_OCR_H

#include <poppler.h>

struct document_caps;
struct err;
struct layout;

/* Renders each of doc's pages (a PDF with no text layer) at OCR_DPI, recognizes it with the
 * model of lang (a language tag; Swedish when NULL or not English) and feeds its characters
 * to l as a text PDF's are fed, so headers, columns and hyphens are read the same way.
 * caps->on_scan is called first. LY_ETOOBIG past caps->max_ocr_pages pages, for a page too
 * large to render or past caps->max_text; LY_EIO when the model cannot be loaded. */
int ocr_read_pages(PopplerDocument *doc, int pages, const char *lang,
                   const struct document_caps *caps, struct layout *l, struct err *e);

#endif
