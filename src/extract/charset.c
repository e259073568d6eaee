/* charset.c -- raw page bytes in, valid UTF-8 out. Picks the encoding the way a browser does
 * (byte-order mark, HTTP charset, <meta> prescan of the first 4 KiB, UTF-8 validity, else
 * windows-1252) and decodes it: UTF-8 and windows-1252 by hand, the rest through iconv.
 * It does not parse HTML beyond the <meta> prescan. No global state: safe from any thread. */
#include "charset.h"

#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <string.h>
#include <strings.h>

#include "base/base.h"

#include "banned.h"

#define PRESCAN_BYTES 4096

static const struct label {
    const char *label, *name;
} labels[] = {
    {"utf-8", "UTF-8"},
    {"utf8", "UTF-8"},
    {"unicode-1-1-utf-8", "UTF-8"},
    {"unicode11utf8", "UTF-8"},
    {"unicode20utf8", "UTF-8"},
    {"x-unicode20utf8", "UTF-8"},
    {"windows-1252", "windows-1252"},
    {"cp1252", "windows-1252"},
    {"x-cp1252", "windows-1252"},
    {"iso-8859-1", "windows-1252"},
    {"iso8859-1", "windows-1252"},
    {"iso88591", "windows-1252"},
    {"iso_8859-1", "windows-1252"},
    {"iso_8859-1:1987", "windows-1252"},
    {"iso-ir-100", "windows-1252"},
    {"latin1", "windows-1252"},
    {"l1", "windows-1252"},
    {"csisolatin1", "windows-1252"},
    {"cp819", "windows-1252"},
    {"ibm819", "windows-1252"},
    {"us-ascii", "windows-1252"},
    {"ascii", "windows-1252"},
    {"ansi_x3.4-1968", "windows-1252"},
    {"iso-8859-2", "ISO-8859-2"},
    {"latin2", "ISO-8859-2"},
    {"iso-8859-4", "ISO-8859-4"},
    {"iso-8859-5", "ISO-8859-5"},
    {"iso-8859-6", "ISO-8859-6"},
    {"iso-8859-7", "ISO-8859-7"},
    {"iso-8859-8", "ISO-8859-8"},
    {"iso-8859-9", "WINDOWS-1254"},
    {"latin5", "WINDOWS-1254"},
    {"iso-8859-10", "ISO-8859-10"},
    {"iso-8859-13", "ISO-8859-13"},
    {"iso-8859-15", "ISO-8859-15"},
    {"latin9", "ISO-8859-15"},
    {"iso-8859-16", "ISO-8859-16"},
    {"windows-1250", "WINDOWS-1250"},
    {"cp1250", "WINDOWS-1250"},
    {"windows-1251", "WINDOWS-1251"},
    {"cp1251", "WINDOWS-1251"},
    {"windows-1253", "WINDOWS-1253"},
    {"windows-1254", "WINDOWS-1254"},
    {"windows-1255", "WINDOWS-1255"},
    {"windows-1256", "WINDOWS-1256"},
    {"windows-1257", "WINDOWS-1257"},
    {"windows-1258", "WINDOWS-1258"},
    {"windows-874", "WINDOWS-874"},
    {"tis-620", "WINDOWS-874"},
    {"koi8-r", "KOI8-R"},
    {"koi8", "KOI8-R"},
    {"koi8-u", "KOI8-U"},
    {"ibm866", "IBM866"},
    {"macintosh", "MACINTOSH"},
    {"shift_jis", "CP932"},
    {"shift-jis", "CP932"},
    {"sjis", "CP932"},
    {"windows-31j", "CP932"},
    {"euc-jp", "EUC-JP"},
    {"iso-2022-jp", "ISO-2022-JP"},
    {"gbk", "GB18030"},
    {"gb2312", "GB18030"},
    {"gb18030", "GB18030"},
    {"x-gbk", "GB18030"},
    {"big5", "BIG5-HKSCS"},
    {"big5-hkscs", "BIG5-HKSCS"},
    {"euc-kr", "CP949"},
    {"ks_c_5601-1987", "CP949"},
    {"windows-949", "CP949"},
    {"utf-16", "UTF-16LE"},
    {"utf-16le", "UTF-16LE"},
    {"utf-16be", "UTF-16BE"},
};

/* C1 bytes of windows-1252 (0x80-0x9F); the five undefined ones map to C1 controls, as in
 * the WHATWG index. */
static const unsigned short cp1252_c1[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

const char *charset_canonical(const char *label)
{
    char key[40];
    size_t n, i;

    if (!label)
        return NULL;
    while (isspace((unsigned char)*label) || *label == '"' || *label == '\'')
        label++;
    for (n = 0; label[n] && n < sizeof(key) - 1; n++)
        key[n] = (char)tolower((unsigned char)label[n]);
    while (n > 0 && (isspace((unsigned char)key[n - 1]) || key[n - 1] == '"' ||
                     key[n - 1] == '\'' || key[n - 1] == ';'))
        n--;
    key[n] = '\0';
    for (i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
        if (!strcmp(labels[i].label, key))
            return labels[i].name;
    return NULL;
}

/* Case-insensitive prefix test against a lowercase literal. */
static int starts_ci(const char *s, size_t n, const char *lit)
{
    size_t k = strlen(lit);

    return n >= k && !strncasecmp(s, lit, k);
}

static size_t skip_space(const char *s, size_t n, size_t i)
{
    while (i < n && (isspace((unsigned char)s[i]) || s[i] == '/'))
        i++;
    return i;
}

struct attr {
    const char *name, *value;
    size_t name_len, value_len;
};

/* Reads one attribute of a tag at s[*i]; returns 0 at the tag's end ('>' or end of data). */
static int next_attr(const char *s, size_t n, size_t *i, struct attr *a)
{
    size_t p = skip_space(s, n, *i);
    char q;

    if (p >= n || s[p] == '>')
        return *i = p, 0;
    a->name = s + p;
    while (p < n && !isspace((unsigned char)s[p]) && s[p] != '=' && s[p] != '>' && s[p] != '/')
        p++;
    a->name_len = (size_t)(s + p - a->name);
    a->value = s + p, a->value_len = 0;
    while (p < n && isspace((unsigned char)s[p]))
        p++;
    if (p < n && s[p] == '=') {
        p++;
        while (p < n && isspace((unsigned char)s[p]))
            p++;
        q = p < n && (s[p] == '"' || s[p] == '\'') ? s[p++] : 0;
        a->value = s + p;
        while (p < n && (q ? s[p] != q : !isspace((unsigned char)s[p]) && s[p] != '>'))
            p++;
        a->value_len = (size_t)(s + p - a->value);
        if (q && p < n)
            p++;
    }
    *i = p;
    return 1;
}

static int attr_is(const struct attr *a, const char *name)
{
    return a->name_len == strlen(name) && !strncasecmp(a->name, name, a->name_len);
}

/* A label copied out of value[0..len) and looked up. */
static const char *lookup_label(const char *value, size_t len)
{
    char label[40];

    if (len >= sizeof(label))
        return NULL;
    memcpy(label, value, len);
    label[len] = '\0';
    return charset_canonical(label);
}

/* The charset named in a Content-Type value such as "text/html; charset=iso-8859-1". */
static const char *content_charset(const char *v, size_t n)
{
    size_t i, j;

    for (i = 0; i + 7 <= n; i++) {
        if (strncasecmp(v + i, "charset", 7))
            continue;
        j = i + 7;
        while (j < n && isspace((unsigned char)v[j]))
            j++;
        if (j >= n || v[j] != '=')
            continue;
        j++;
        while (j < n && (isspace((unsigned char)v[j]) || v[j] == '"' || v[j] == '\''))
            j++;
        i = j;
        while (j < n && !isspace((unsigned char)v[j]) && v[j] != ';' && v[j] != '"' && v[j] != '\'')
            j++;
        return lookup_label(v + i, j - i);
    }
    return NULL;
}

/* The charset a <meta> tag declares, the tag's attributes starting at s[*i]. */
static const char *meta_charset(const char *s, size_t n, size_t *i)
{
    const char *found = NULL, *content = NULL;
    size_t content_len = 0;
    int pragma = 0;
    struct attr a;

    while (next_attr(s, n, i, &a)) {
        if (attr_is(&a, "charset") && !found)
            found = lookup_label(a.value, a.value_len);
        else if (attr_is(&a, "http-equiv"))
            pragma = a.value_len == 12 && !strncasecmp(a.value, "content-type", 12);
        else if (attr_is(&a, "content"))
            content = a.value, content_len = a.value_len;
    }
    if (!found && pragma && content)
        found = content_charset(content, content_len);
    /* A page cannot really be UTF-16 if its ASCII <meta> was readable: browsers say UTF-8. */
    if (found && !strncmp(found, "UTF-16", 6))
        found = "UTF-8";
    return found;
}

static const char *find_comment_end(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i + 3 <= n; i++)
        if (s[i] == '-' && s[i + 1] == '-' && s[i + 2] == '>')
            return s + i;
    return NULL;
}

/* The <meta> prescan of the HTML standard, simplified: comments are skipped, other tags are
 * stepped over with their quoted attributes so a '>' inside quotes does not end them. */
static const char *prescan(const char *s, size_t n)
{
    const char *cs, *end;
    size_t i = 0;
    struct attr a;

    if (n > PRESCAN_BYTES)
        n = PRESCAN_BYTES;
    while (i < n) {
        if (s[i] != '<') {
            i++;
        } else if (starts_ci(s + i, n - i, "<!--")) {
            if (!(end = find_comment_end(s + i + 4, n - i - 4)))
                return NULL;
            i = (size_t)(end - s) + 3;
        } else if (starts_ci(s + i, n - i, "<meta") && i + 5 < n &&
                   (isspace((unsigned char)s[i + 5]) || s[i + 5] == '/')) {
            i += 5;
            if ((cs = meta_charset(s, n, &i)))
                return cs;
        } else if (i + 1 < n && (isalpha((unsigned char)s[i + 1]) || s[i + 1] == '/')) {
            i += 2;
            while (i < n && !isspace((unsigned char)s[i]) && s[i] != '>')
                i++;
            while (next_attr(s, n, &i, &a))
                ;
        } else {
            i++;
        }
    }
    return NULL;
}

static const char *bom_charset(const unsigned char *u, size_t len, size_t *bom)
{
    if (len >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF)
        return *bom = 3, "UTF-8";
    if (len >= 2 && u[0] == 0xFE && u[1] == 0xFF)
        return *bom = 2, "UTF-16BE";
    if (len >= 2 && u[0] == 0xFF && u[1] == 0xFE)
        return *bom = 2, "UTF-16LE";
    return NULL;
}

const char *charset_detect(const char *data, size_t len, const char *http, size_t *bom)
{
    const char *cs;
    size_t skip = 0;

    if (!(cs = bom_charset((const unsigned char *)data, len, &skip)) &&
        !(cs = charset_canonical(http)) && !(cs = prescan(data, len)))
        cs = utf8_valid(data, len, NULL) ? "UTF-8" : "windows-1252";
    if (bom)
        *bom = skip;
    return cs;
}

static int add_cp(struct buf *out, uint32_t cp, struct err *e)
{
    char enc[4];

    return buf_add(out, enc, utf8_encode(cp, enc), e);
}

static int decode_utf8(const char *s, size_t n, struct buf *out, struct err *e)
{
    size_t i = 0, run, k;
    uint32_t cp;
    int rc = LY_OK;

    while (i < n && !rc) {
        for (run = 0; i + run < n && (unsigned char)s[i + run] < 0x80 && s[i + run]; run++)
            ;
        if (run) {
            rc = buf_add(out, s + i, run, e);
            i += run;
        } else if (!s[i]) {
            i++;
        } else if ((k = utf8_decode(s + i, n - i, &cp))) {
            rc = buf_add(out, s + i, k, e);
            i += k;
        } else {
            rc = add_cp(out, 0xFFFD, e);
            i++;
        }
    }
    return rc;
}

static int decode_cp1252(const char *s, size_t n, struct buf *out, struct err *e)
{
    size_t i;
    unsigned char c;
    int rc = LY_OK;

    for (i = 0; i < n && !rc; i++) {
        c = (unsigned char)s[i];
        if (c >= 0x80 && c < 0xA0)
            rc = add_cp(out, cp1252_c1[c - 0x80], e);
        else if (c)
            rc = add_cp(out, c, e);
    }
    return rc;
}

/* Converts with iconv into a stack chunk, then copies through decode_utf8 so that NULs go
 * and the output is valid UTF-8 whatever the converter did. */
static int decode_iconv(const char *s, size_t n, const char *charset, struct buf *out,
                        struct err *e)
{
    char chunk[16384], *in = (char *)s, *o;
    size_t left = n, room;
    iconv_t cd = iconv_open("UTF-8", charset);
    int rc = LY_OK;

    if (cd == (iconv_t)-1)
        return err_set(e, LY_EPARSE, "cannot decode charset '%s'", charset);
    while (left && !rc) {
        o = chunk, room = sizeof(chunk);
        if (iconv(cd, &in, &left, &o, &room) == (size_t)-1 && errno != E2BIG) {
            rc = decode_utf8(chunk, (size_t)(o - chunk), out, e);
            if (!rc)
                rc = add_cp(out, 0xFFFD, e);
            in++, left--;
            continue;
        }
        rc = decode_utf8(chunk, (size_t)(o - chunk), out, e);
    }
    iconv_close(cd);
    return rc;
}

int charset_decode(const char *data, size_t len, const char *charset, struct buf *out,
                   struct err *e)
{
    if (!strcmp(charset, "UTF-8"))
        return decode_utf8(data, len, out, e);
    if (!strcmp(charset, "windows-1252"))
        return decode_cp1252(data, len, out, e);
    return decode_iconv(data, len, charset, out, e);
}
