/* sitemap.h -- the addresses a sitemap lists (sitemaps.org): a <urlset> of pages or a
 * <sitemapindex> of further sitemaps, in XML or plain text (one URL a line), gzipped or
 * not. Parsing only; fetching is the caller's. */
#ifndef LYSSNA_SITEMAP_H
#define LYSSNA_SITEMAP_H

#include <stddef.h>

struct err;

#define LYSSNA_SITEMAP_MAX_BYTES (50u << 20) /* uncompressed, as the protocol caps it */
#define LYSSNA_SITEMAP_MAX_URLS  50000

struct sitemap {
    char **locs; /* the <loc> values in document order, blanks trimmed */
    size_t n;
    int is_index; /* the locs are sitemaps, not pages */
};

/* Whether data looks like a sitemap (gzip, or XML whose root is urlset or sitemapindex)
 * rather than a list of URLs: decides how a file given on the command line is read. */
int sitemap_sniff(const char *data, size_t len);

/* Parses data (gzip undone first) into out. XML is read without network or entity
 * expansion; text that does not start with '<' is taken as one URL a line. LY_EPARSE for
 * broken gzip or XML, LY_ETOOBIG past the caps. out is written only on success. */
int sitemap_parse(const char *data, size_t len, struct sitemap *out, struct err *e);
void sitemap_release(struct sitemap *s);

#endif
