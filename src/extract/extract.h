/* extract.h -- an HTML page or a document (PDF, DOCX, ODT) in, its readable text out, as
 * blocks in reading order. */
#ifndef LYSSNA_EXTRACT_H
#define LYSSNA_EXTRACT_H

#include <stddef.h>

struct buf;
struct err;

struct extract_opts {
    const char *readid;  /* read only the element with this id (ReadSpeaker's readid); NULL: auto */
    const char *url;     /* the page's address, for the JSON and relative links; may be NULL */
    const char *charset; /* from the HTTP Content-Type; wins over <meta>, loses to a BOM; NULL */
    const char *content_type; /* the HTTP Content-Type the bytes came with, NULL when none (a
                               * file): extract_any picks the reader by extract_reader_of */
    int no_title;             /* leave the headline (the first h1 read) out of the blocks: the
                               * article body only, as Readability's textContent; it stays in
                               * extract_result.title */
    size_t max_html;          /* bytes of HTML accepted; 0: LYSSNA_MAX_HTML */
    size_t max_text;          /* bytes of extracted text kept; 0: LYSSNA_MAX_TEXT */
    /* Documents (extract_document, extract_any): */
    const char *worker; /* the lyssna binary: each document is parsed in a child process,
                         * `lyssna-docworker extract-worker` from WORKER's folder, shut in by
                         * seccomp with capped CPU and memory, so a crash or hang in a parser
                         * costs only that document; NULL: documents are refused (tests and
                         * fuzzers call the readers of document.h themselves) */
    size_t max_doc;     /* bytes of document accepted; 0: LYSSNA_MAX_DOC */
    int max_pages;      /* PDF pages read; 0: LYSSNA_MAX_PAGES */
    int max_cpu_s;      /* CPU seconds for one document in the worker; 0: LYSSNA_MAX_DOC_CPU */
    int max_ocr_cpu_s;  /* ... for a scan read by text recognition; 0: LYSSNA_MAX_OCR_CPU */
    int part; /* a PDF read in parts, so that its first page is heard before the rest is read
               * (a scan, or one of LYSSNA_PARTS_MIN_PAGES pages or more): 0 reads it whole; 1
               * its first page when so (a scan's first paragraphs), else the whole
               * (extract_result.parts says which); k > 1 pages 2^(k-1) to 2^k - 1 (a scan's:
               * part 2 the rest of page 1, part k > 2 as a text PDF's k - 1, 8 pages at most),
               * each part read on its own (a running header found within the part, a word
               * broken across parts left broken) */
};

#define LYSSNA_MAX_HTML        (8u << 20)
#define LYSSNA_MAX_TEXT        (1u << 20)
#define LYSSNA_MAX_DOC         (64u << 20)
#define LYSSNA_MAX_PAGES       2000
#define LYSSNA_MAX_DOC_CPU     20
#define LYSSNA_MAX_OCR_CPU     300          /* CPU seconds for a scan: about 3 a page at 300 dpi */
#define LYSSNA_MAX_OCR_PAGES   100          /* pages of a scan recognized */
#define LYSSNA_PARTS_MIN_PAGES 50           /* a text PDF read in parts from this many pages */
#define LYSSNA_MAX_INFLATED    (256u << 20) /* a DOCX's or ODT's parts, inflated, all together */
#define LYSSNA_MAX_XML_DEPTH   256

/* What a block was in the page or document: the reading page (/read) shows it as such. */
enum extract_kind { EXTRACT_PARAGRAPH, EXTRACT_HEADING, EXTRACT_LIST_ITEM, EXTRACT_TABLE_ROW };

/* A stretch of a block in another language than the block's: an inline element's lang
 * (<span lang="fi"> in a Swedish paragraph). */
struct extract_run {
    size_t start, end; /* bytes of the block's text, end exclusive */
    char *lang;
};

/* One line of readable text: a heading, paragraph, list item, table row, caption... */
struct extract_block {
    enum extract_kind kind;
    int level;                /* a heading's level, 1-6; 0 for other kinds */
    char *text;               /* UTF-8, whitespace collapsed, no newline */
    char *xpath;              /* the element's path as libxml2's xmlGetNodePath gives it */
    char *lang;               /* the block's language where it differs from the page's, else NULL */
    size_t start;             /* byte offset of text in extract_text()'s output */
    struct extract_run *runs; /* stretches in other languages, in order; NULL when none */
    size_t nruns;
};

/* A content image's alt text: shown in the reading page, not read aloud (the text read is the
 * blocks alone, so the marks and the highlight stay aligned with it). */
struct extract_figure {
    char *alt;    /* UTF-8, whitespace collapsed */
    char *xpath;  /* the img's path as libxml2's xmlGetNodePath gives it */
    char *lang;   /* the image's language where it differs from the page's, else NULL */
    size_t block; /* the blocks before it: it comes before blocks[block] */
};

struct extract_result {
    char *title; /* the page's <title> or h1; may be "" */
    char *lang;  /* the page's language (<html lang>), "" when unknown */
    struct extract_block *blocks;
    size_t nblocks;
    struct extract_figure *figures; /* in reading order; HTML pages only */
    size_t nfigures;
    size_t words;
    int ocr;   /* the text was recognized from images (a scanned PDF): it may hold errors */
    int parts; /* read with extract_opts.part 1: the document's parts (1: it was read whole) */
};

/* Parses html (len bytes, any charset) and fills out. Returns LY_EEMPTY with "no readable
 * text found" when the page has no article, LY_ETOOBIG past the caps, LY_EPARSE when the
 * bytes are not a document. out is written only on success; release it with
 * extract_result_release. Reentrant: safe from several threads at once. */
int extract_page(const char *html, size_t len, const struct extract_opts *opts,
                 struct extract_result *out, struct err *e);

void extract_result_release(struct extract_result *r);

/* What bytes hold, told by their content, never by a name or a Content-Type: "%PDF-" (within
 * the first 1 KiB, as readers allow); a zip whose "mimetype" is an OpenDocument text; a zip
 * with "[Content_Types].xml" and "word/document.xml"; EXTRACT_OTHER for any other zip (a
 * spreadsheet, say) or a PDF/zip too short to be one; else EXTRACT_HTML. The first step of
 * extract_reader_of's rule. */
enum extract_format { EXTRACT_HTML, EXTRACT_PDF, EXTRACT_DOCX, EXTRACT_ODT, EXTRACT_OTHER };
enum extract_format extract_sniff(const char *bytes, size_t len);
const char *extract_format_name(enum extract_format f); /* "html", "pdf", "docx", "odt", "" */

/* Which reader reads len bytes that came with content_type (an HTTP Content-Type, parameters
 * ignored; NULL when there was none, as for a file): the one rule of the service, batch and
 * the CLI. The content wins over the label, and a name (name: the URL or path, used only in
 * messages) never decides:
 *   1. a document's signature (extract_sniff): PDF, DOCX or ODT, whatever the type says; any
 *      other zip is refused (LY_EINPUT);
 *   2. a body that starts like markup (after a BOM and white space: a tag, a comment, a
 *      doctype, "<?xml") is a page, whatever the type says: an HTML page served as
 *      application/pdf is read as HTML;
 *   3. otherwise a document type (application/pdf, the DOCX and ODT types) is a damaged
 *      document (LY_EPARSE "... is served as application/pdf but is not a PDF: the file is
 *      damaged");
 *   4. otherwise text/html, application/xhtml+xml or no type is a page (the HTML parser makes
 *      what it can of text) unless the body is binary (control bytes in its first KiB);
 *   5. anything else, and binary data, is refused (LY_EINPUT "... is not a web page or a
 *      document Lyssna can read (served as image/png)"): plain text served as text/plain is
 *      not read, as a browser would not render it as a page.
 * *out (EXTRACT_HTML, _PDF, _DOCX or _ODT) is written only on success. Pure, thread-safe. */
int extract_reader_of(const char *content_type, const char *name, const char *bytes, size_t len,
                      enum extract_format *out, struct err *e);

/* Reads a PDF, DOCX or ODT document (told by extract_sniff) into out, with the same blocks
 * as extract_page gives a page: headings, paragraphs, list items, table rows (cells joined
 * by ", "), in reading order, without running headers, footers or page numbers, words
 * hyphenated at line ends made whole. A block's xpath names its kind as the HTML element
 * would: "/document/h1[1]", "/document/p[3]", "/document/ul[1]/li[2]",
 * "/document/table[1]/tr[4]". title: the document's own (PDF Info, docProps, meta.xml), else
 * its first heading; lang: its declared language ("sv-SE"; PDF /Lang or its structure tree,
 * w:lang, dc:language, fo:language) unless the text plainly speaks another (word processors
 * leave "en-US" in Swedish files), "" when unknown; a block's lang and runs from the
 * document's language tags (a paragraph's or run's w:lang, a style's fo:language, a structure
 * element's /Lang) as a page's from its lang attributes. Of opts, max_text and the document
 * fields apply. Errors, each with a message a person can act on: LY_EEMPTY (no text: a scanned PDF,
 * an empty document), LY_EINPUT (a PDF that needs a password to open; an owner password alone does
 * not stop reading), LY_EPARSE (damaged, not a document Lyssna reads, a DTD, or the reader crashed
 * on it), LY_ETOOBIG (over max_doc, max_pages, the inflated size, the XML depth, max_text or the
 * CPU time), LY_EBUSY (with opts->worker: every document worker slot taken for 30 s). Thread-safe.
 */
int extract_document(const char *bytes, size_t len, const struct extract_opts *opts,
                     struct extract_result *out, struct err *e);

/* extract_document or extract_page, as extract_reader_of picks from opts->content_type and
 * the bytes (its refusals are returned as they are). */
int extract_any(const char *bytes, size_t len, const struct extract_opts *opts,
                struct extract_result *out, struct err *e);

/* Relabels r where its text plainly speaks another language than declared: the page's lang
 * (when blocks plainly in one language hold most of its text) and each block's: by script
 * (Arabic, Cyrillic, Ethiopic, Greek, Hebrew, Devanagari, CJK...) and for Latin script by
 * libexttextcat, only where clear (length, one script, one candidate). Neighbours such as Swedish
 * and Norwegian never relabel each other. extract_any calls it. */
void extract_detect_langs(struct extract_result *r);

/* `lyssna-docworker extract-worker [--max-pages N] [--max-text N] [--cpu S] [--ocr-cpu S]`
 * (docchild.c): reads one document on standard input, confines itself (seccomp, rlimits),
 * writes the result as JSON on standard output. Started by extract_document; returns the
 * exit code. Only the worker program links it. */
int extract_worker_main(int argc, char **argv);

/* The blocks' text joined by '\n' (the format `lyssna extract` prints); block->start
 * offsets point into this. */
int extract_text(const struct extract_result *r, struct buf *out, struct err *e);

/* The result as the JSON `lyssna extract --json` prints: title, lang, url, blocks
 * [{text, kind, level?, xpath, start, end, lang?}] (kind "p", "h", "li" or "tr"; level for
 * "h"), figures [{alt, xpath, block, lang?}] when there are any, words, duration_ms (estimated
 * at rate_wpm). */
int extract_json(const struct extract_result *r, const char *url, int rate_wpm, struct buf *out,
                 struct err *e);

#endif
