/* extract_parse.c -- the HTML parse: bytes in any charset decoded to UTF-8 (charset.c), tags
 * past MAX_ATTRS attributes trimmed so libxml2 stays linear, then htmlReadMemory with
 * recovery on and the network off. libxml2 is initialized once, through pthread_once; each
 * call has its own document, so it is safe from several threads. */
#include <ctype.h>
#include <libxml/HTMLparser.h>
#include <limits.h>
#include <pthread.h>
#include <string.h>
#include <strings.h>

#include "base/base.h"
#include "charset.h"
#include "extract_int.h"

#include "banned.h"

#define HTML_OPTS                                                                                  \
    (HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET |           \
     HTML_PARSE_COMPACT | HTML_PARSE_IGNORE_ENC | XML_PARSE_HUGE)

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

static void xml_init(void)
{
    xmlInitParser();
}

/* Steps over one attribute (name, then an optional = value) at s[i]. */
static size_t skip_attr(const char *s, size_t n, size_t i)
{
    size_t start = i;
    char q;

    while (i < n && !isspace((unsigned char)s[i]) && s[i] != '>' && s[i] != '=')
        i++;
    if (i == start)
        i++;
    while (i < n && isspace((unsigned char)s[i]))
        i++;
    if (i >= n || s[i] != '=')
        return i;
    for (i++; i < n && isspace((unsigned char)s[i]); i++)
        ;
    if (i < n && (s[i] == '"' || s[i] == '\'')) {
        for (q = s[i++]; i < n && s[i] != q; i++)
            ;
        return i < n ? i + 1 : n;
    }
    while (i < n && !isspace((unsigned char)s[i]) && s[i] != '>')
        i++;
    return i;
}

/* The span of attributes past MAX_ATTRS in the tag opening at s[i] ('<' and a letter):
 * *cut_from..*cut_to, equal when nothing is to be cut. Returns the index of the tag's '>'. */
static size_t scan_tag(const char *s, size_t n, size_t i, size_t *cut_from, size_t *cut_to)
{
    size_t count = 0;

    *cut_from = *cut_to = 0;
    while (i < n && !isspace((unsigned char)s[i]) && s[i] != '>' && s[i] != '/')
        i++;
    for (;;) {
        while (i < n && (isspace((unsigned char)s[i]) || s[i] == '/'))
            i++;
        if (i >= n || s[i] == '>')
            break;
        if (++count == MAX_ATTRS + 1)
            *cut_from = i;
        i = skip_attr(s, n, i);
    }
    if (*cut_from)
        *cut_to = i;
    return i;
}

/* Where raw text that started at s[i] ends: the "</script" or "</style" closing it. */
static size_t skip_raw(const char *s, size_t n, size_t i, const char *end)
{
    size_t k = strlen(end);

    for (; i + k <= n; i++)
        if (s[i] == '<' && !strncasecmp(s + i, end, k))
            return i;
    return n;
}

static size_t skip_comment(const char *s, size_t n, size_t i)
{
    for (i += 4; i + 3 <= n; i++)
        if (s[i] == '-' && s[i + 1] == '-' && s[i + 2] == '>')
            return i + 3;
    return n;
}

/* The end of the raw text that follows a <script> or <style> tag named at name. */
static const char *raw_end(const char *name, size_t n)
{
    if (n > 6 && !strncasecmp(name, "script", 6) && !isalnum((unsigned char)name[6]))
        return "</script";
    if (n > 5 && !strncasecmp(name, "style", 5) && !isalnum((unsigned char)name[5]))
        return "</style";
    return NULL;
}

/* Copies s to out without the attributes of any tag past its MAX_ATTRS-th: libxml2 checks
 * each attribute against all earlier ones of its tag, so a tag with 100,000 of them takes
 * minutes. Comments and script and style bodies are stepped over as raw text. *cut is set
 * when something was cut (out then holds the copy); otherwise s can be parsed as it is. */
static int bound_attrs(const char *s, size_t n, struct buf *out, int *cut, struct err *e)
{
    size_t i = 0, done = 0, name, from, to;
    const char *end;
    int rc = LY_OK;

    *cut = 0;
    while (i < n && !rc) {
        if (s[i] != '<' || i + 1 >= n) {
            i++;
        } else if (!strncmp(s + i, "<!--", 4)) {
            i = skip_comment(s, n, i);
        } else if (isalpha((unsigned char)s[i + 1])) {
            name = i + 1;
            i = scan_tag(s, n, name, &from, &to);
            if (to > from) {
                rc = buf_add(out, s + done, from - done, e);
                done = to, *cut = 1;
            }
            if ((end = raw_end(s + name, n - name)))
                i = skip_raw(s, n, i, end);
        } else {
            i++;
        }
    }
    if (*cut && !rc)
        rc = buf_add(out, s + done, n - done, e);
    return rc;
}

static int blank(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (!isspace((unsigned char)s[i]))
            return 0;
    return 1;
}

/* Decodes the page to UTF-8 (charset.c) and parses it; libxml2 is told the encoding, so a
 * <meta> that disagrees cannot switch it. */
int extract_parse_html(const char *html, size_t len, const char *charset, xmlDocPtr *doc,
                       struct err *e)
{
    struct buf u, v;
    size_t bom;
    const char *cs = charset_detect(html, len, charset, &bom), *src;
    int rc, cut = 0;

    buf_init(&u, BUF_NOLIMIT);
    buf_init(&v, BUF_NOLIMIT);
    rc = charset_decode(html + bom, len - bom, cs, &u, e);
    if (!rc)
        rc = bound_attrs(u.data, u.len, &v, &cut, e);
    src = cut ? v.data : u.data;
    len = cut ? v.len : u.len;
    if (!rc && blank(src, len))
        rc = err_set(e, LY_EEMPTY, "no readable text found");
    else if (!rc && len > INT_MAX)
        rc = err_set(e, LY_ETOOBIG, "page over the limit of %d bytes", INT_MAX);
    if (!rc) {
        pthread_once(&xml_once, xml_init);
        *doc = htmlReadMemory(src, (int)len, NULL, "UTF-8", HTML_OPTS);
        if (!*doc)
            rc = err_set(e, LY_EPARSE, "cannot parse the page as html");
    }
    buf_release(&u);
    buf_release(&v);
    return rc;
}
