/* reader.c -- which reader reads what was fetched: the one rule (extract_reader_of) that the
 * service, batch and the CLI all go by, from the bytes' signature, their HTML look and the
 * Content-Type they came with. It reads no more than the first KiB of a page and the zip
 * directory of a document; it parses nothing. Pure and thread-safe. */
#define _GNU_SOURCE /* memmem */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/base.h"
#include "extract.h"

#include "banned.h"

#define ODT_MIME  "application/vnd.oasis.opendocument.text"
#define SNIFF_LEN 1024 /* how much of the start is looked at, as PDF readers and browsers do */
#define READS     "Lyssna reads web pages, PDF, Word (DOCX) and OpenDocument text (ODT)"

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
    size_t head = len < SNIFF_LEN ? len : SNIFF_LEN;

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

/* Whether the media type of a Content-Type (parameters ignored) is name. */
static int type_is(const char *t, const char *name)
{
    size_t n = t ? strcspn(t, "; \t") : 0;

    return n > 0 && n == strlen(name) && !strncasecmp(t, name, n);
}

/* The document format a Content-Type names, else EXTRACT_HTML. */
static enum extract_format document_type(const char *t)
{
    if (type_is(t, "application/pdf") || type_is(t, "application/x-pdf"))
        return EXTRACT_PDF;
    if (type_is(t, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"))
        return EXTRACT_DOCX;
    if (type_is(t, ODT_MIME))
        return EXTRACT_ODT;
    return EXTRACT_HTML;
}

/* Starts like markup: after a UTF-8 BOM and white space, "<" opening a tag, a comment, a
 * doctype or an XML declaration. */
static int looks_like_html(const char *b, size_t len)
{
    size_t i = len >= 3 && !memcmp(b, "\xEF\xBB\xBF", 3) ? 3 : 0;

    while (i < len && b[i] && strchr(" \t\r\n\f", b[i]))
        i++;
    if (i + 1 >= len || b[i] != '<')
        return 0;
    return b[i + 1] == '!' || ((b[i + 1] | 0x20) >= 'a' && (b[i + 1] | 0x20) <= 'z') ||
           (len - i >= 5 && !memcmp(b + i + 1, "?xml", 4));
}

/* Holds control bytes no text has (NUL, the C0 controls other than tab, line ends, form feed
 * and escape) in its first KiB, as the WHATWG sniffing standard tells binary from text. A
 * UTF-16 or UTF-32 text has NULs but says so with its byte order mark. */
static int binary(const char *b, size_t len)
{
    size_t i, head = len < SNIFF_LEN ? len : SNIFF_LEN;

    if (len >= 2 && (!memcmp(b, "\xFE\xFF", 2) || !memcmp(b, "\xFF\xFE", 2)))
        return 0;
    if (len >= 4 && !memcmp(b, "\0\0\xFE\xFF", 4))
        return 0;
    for (i = 0; i < head; i++) {
        unsigned char c = (unsigned char)b[i];
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\f' && c != '\r' && c != 0x1B)
            return 1;
    }
    return 0;
}

static const char *document_name(enum extract_format f)
{
    return f == EXTRACT_PDF    ? "a PDF"
           : f == EXTRACT_DOCX ? "a Word (DOCX) document"
                               : "an OpenDocument text (ODT)";
}

int extract_reader_of(const char *content_type, const char *name, const char *bytes, size_t len,
                      enum extract_format *out, struct err *e)
{
    enum extract_format by_content = extract_sniff(bytes, len);
    enum extract_format by_type = document_type(content_type);
    int typelen = content_type ? (int)strcspn(content_type, "; \t") : 0;
    char what[112], served[80] = "";

    if (name && *name)
        snprintf(what, sizeof(what), "'%.100s'", name);
    else
        snprintf(what, sizeof(what), "the input");
    if (content_type)
        snprintf(served, sizeof(served), " (served as %.*s)", typelen < 60 ? typelen : 60,
                 content_type);
    if (by_content == EXTRACT_OTHER)
        return err_set(
            e, LY_EINPUT,
            "%s is a zip archive%s but not a Word (DOCX) or OpenDocument text (ODT): " READS, what,
            served);
    if (by_content == EXTRACT_HTML && !looks_like_html(bytes, len)) {
        if (by_type != EXTRACT_HTML)
            return err_set(e, LY_EPARSE, "%s is served as %.*s but is not %s: the file is damaged",
                           what, typelen < 60 ? typelen : 60, content_type, document_name(by_type));
        if (binary(bytes, len) || (content_type && !type_is(content_type, "text/html") &&
                                   !type_is(content_type, "application/xhtml+xml")))
            return err_set(e, LY_EINPUT,
                           "%s is not a web page or a document Lyssna can read%s: " READS, what,
                           content_type ? served : " (binary data)");
    }
    *out = by_content;
    return LY_OK;
}
