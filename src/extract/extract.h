/* extract.h -- an HTML page in, its readable article text out, as blocks in reading order. */
#ifndef LYSSNA_EXTRACT_H
#define LYSSNA_EXTRACT_H

#include <stddef.h>

struct buf;
struct err;

struct extract_opts {
    const char *readid;  /* read only the element with this id (ReadSpeaker's readid); NULL: auto */
    const char *url;     /* the page's address, for the JSON and relative links; may be NULL */
    const char *charset; /* from the HTTP Content-Type; wins over <meta>, loses to a BOM; NULL */
    int no_title;        /* leave the headline (the first h1 read) out of the blocks: the
                          * article body only, as Readability's textContent; it stays in
                          * extract_result.title */
    size_t max_html;     /* bytes of HTML accepted; 0: LYSSNA_MAX_HTML */
    size_t max_text;     /* bytes of extracted text kept; 0: LYSSNA_MAX_TEXT */
};

#define LYSSNA_MAX_HTML (8u << 20)
#define LYSSNA_MAX_TEXT (1u << 20)

/* What a block was in the page or document: the reading page (/read) shows it as such. */
enum extract_kind { EXTRACT_PARAGRAPH, EXTRACT_HEADING, EXTRACT_LIST_ITEM, EXTRACT_TABLE_ROW };

/* One line of readable text: a heading, paragraph, list item, table row, caption... */
struct extract_block {
    enum extract_kind kind;
    int level;    /* a heading's level, 1-6; 0 for other kinds */
    char *text;   /* UTF-8, whitespace collapsed, no newline */
    char *xpath;  /* the element's path as libxml2's xmlGetNodePath gives it */
    char *lang;   /* the block's language where it differs from the page's, else NULL */
    size_t start; /* byte offset of text in extract_text()'s output */
};

struct extract_result {
    char *title; /* the page's <title> or h1; may be "" */
    char *lang;  /* the page's language (<html lang>), "" when unknown */
    struct extract_block *blocks;
    size_t nblocks;
    size_t words;
};

/* Parses html (len bytes, any charset) and fills out. Returns LY_EEMPTY with "no readable
 * text found" when the page has no article, LY_ETOOBIG past the caps, LY_EPARSE when the
 * bytes are not a document. out is written only on success; release it with
 * extract_result_release. Reentrant: safe from several threads at once. */
int extract_page(const char *html, size_t len, const struct extract_opts *opts,
                 struct extract_result *out, struct err *e);

void extract_result_release(struct extract_result *r);

/* The blocks' text joined by '\n' (the format `lyssna extract` prints); block->start
 * offsets point into this. */
int extract_text(const struct extract_result *r, struct buf *out, struct err *e);

/* The result as the JSON `lyssna extract --json` prints: title, lang, url, blocks
 * [{text, kind, level?, xpath, start, end, lang?}] (kind "p", "h", "li" or "tr"; level for
 * "h"), words, duration_ms (estimated at rate_wpm). */
int extract_json(const struct extract_result *r, const char *url, int rate_wpm, struct buf *out,
                 struct err *e);

#endif
