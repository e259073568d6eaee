/* batch_name.c -- output names for batch items. Names are flat (no folders), so a batch
 * folder can be copied anywhere as it is, and only [a-z0-9_-] so that every file system and
 * every player accepts them. Pure. */
#include "batch_name.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/base.h"
#include "cache/cache.h"

#include "banned.h"

/* U+00C0..U+00FF without their marks. */
static const char *const latin1[64] = {
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",
    "d", "n", "o", "o", "o", "o", "o",  "-", "o", "u", "u", "u", "u", "y", "th", "ss",
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",
    "d", "n", "o", "o", "o", "o", "o",  "-", "o", "u", "u", "u", "u", "y", "th", "y"};

static const char *const page_exts[] = {".html", ".htm", ".php", ".asp", ".aspx", ".shtml", ".jsp"};

/* Appends one segment's letters and digits; every other run becomes a single '-'. */
static void add_segment(struct buf *out, const char *s, size_t n)
{
    size_t i, mark = out->len;
    int dash = 0;

    if (out->len)
        buf_addch(out, '_', NULL);
    mark = out->len;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *t = NULL;
        char one[2] = {0};
        if (isalnum(c)) {
            one[0] = (char)tolower(c);
            t = one;
        } else if (c == 0xC3 && i + 1 < n && ((unsigned char)s[i + 1] & 0xC0) == 0x80) {
            t = latin1[(unsigned char)s[++i] & 0x3F];
        }
        if (!t || !strcmp(t, "-")) {
            dash = out->len > mark;
            continue;
        }
        if (dash)
            buf_addch(out, '-', NULL);
        dash = 0;
        buf_adds(out, t, NULL);
    }
    if (out->len == mark && mark > 0) { /* nothing readable: drop the separator too */
        out->len = mark - 1;
        out->data[out->len] = '\0';
    }
}

/* Splits path at '/' (and '?', '&', '=' for a query) into segments. */
static void add_path(struct buf *out, const char *p, size_t n, const char *seps)
{
    size_t i = 0, start;

    while (i < n) {
        start = i;
        while (i < n && !strchr(seps, p[i]))
            i++;
        add_segment(out, p + start, i - start);
        i++;
    }
}

static size_t strip_ext(const char *p, size_t n, int known_only)
{
    size_t i, k, slash = 0;

    for (i = 0; i < n; i++)
        if (p[i] == '/')
            slash = i + 1;
    for (i = n; i > slash; i--)
        if (p[i - 1] == '.')
            break;
    if (i <= slash)
        return n;
    if (!known_only)
        return i - 1;
    for (k = 0; k < sizeof(page_exts) / sizeof(page_exts[0]); k++)
        if (n - (i - 1) == strlen(page_exts[k]) && !strncasecmp(p + i - 1, page_exts[k], n - i + 1))
            return i - 1;
    return n;
}

static void hash8(const char *source, char out[9])
{
    char key[CACHE_KEY_HEX + 1];

    cache_key(&source, NULL, 1, key);
    memcpy(out, key, 8);
    out[8] = '\0';
}

/* Caps the name's length, keeping it unique by the source's hash; "index" when empty. */
static char *finish(struct buf *b, const char *source)
{
    char h[9];

    if (b->len == 0)
        buf_adds(b, "index", NULL);
    if (b->len > LYSSNA_BATCH_NAME_MAX) {
        b->len = LYSSNA_BATCH_NAME_MAX;
        while (b->len > 0 && (b->data[b->len - 1] == '-' || b->data[b->len - 1] == '_'))
            b->len--;
        b->data[b->len] = '\0';
        hash8(source, h);
        buf_addf(b, NULL, "-%s", h);
    }
    return buf_detach(b, NULL);
}

static int hexval(int c)
{
    if (isdigit(c))
        return c - '0';
    c = tolower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static void percent_decode(const char *s, size_t n, struct buf *out)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (s[i] == '%' && i + 2 < n && hexval((unsigned char)s[i + 1]) >= 0 &&
            hexval((unsigned char)s[i + 2]) >= 0) {
            buf_addch(
                out, (char)(hexval((unsigned char)s[i + 1]) * 16 + hexval((unsigned char)s[i + 2])),
                NULL);
            i += 2;
        } else {
            buf_addch(out, s[i] == '+' ? ' ' : s[i], NULL);
        }
    }
}

char *batch_name_from_url(const char *url)
{
    const char *p = strstr(url, "://"), *q;
    size_t plen, qlen;
    struct buf dec, out;

    p = p ? p + 3 : url;
    p += strcspn(p, "/?#");
    plen = strcspn(p, "?#");
    q = p[plen] == '?' ? p + plen + 1 : NULL;
    qlen = q ? strcspn(q, "#") : 0;
    buf_init(&dec, BUF_NOLIMIT);
    buf_init(&out, BUF_NOLIMIT);
    percent_decode(p, plen, &dec);
    add_path(&out, dec.data, strip_ext(dec.data, dec.len, 1), "/");
    if (qlen) {
        buf_reset(&dec);
        percent_decode(q, qlen, &dec);
        add_path(&out, dec.data, dec.len, "&=;");
    }
    buf_release(&dec);
    return finish(&out, url);
}

char *batch_name_from_path(const char *relpath)
{
    struct buf out;

    buf_init(&out, BUF_NOLIMIT);
    add_path(&out, relpath, strip_ext(relpath, strlen(relpath), 0), "/");
    return finish(&out, relpath);
}

/* qsort has no context argument in POSIX: dedupe runs once, from one thread. */
static const char *const *sort_names;

static int by_name(const void *a, const void *b)
{
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    int c = strcmp(sort_names[i], sort_names[j]);

    return c ? c : (i > j) - (i < j);
}

void batch_names_dedupe(char **names, const char *const *sources, size_t n)
{
    size_t *order = xcalloc(n ? n : 1, sizeof(*order)), i, j, k;
    char h[9];
    struct buf b;

    for (i = 0; i < n; i++)
        order[i] = i;
    sort_names = (const char *const *)names;
    qsort(order, n, sizeof(*order), by_name);
    for (i = 0; i < n; i = j) {
        for (j = i + 1; j < n && !strcmp(names[order[i]], names[order[j]]); j++)
            ;
        for (k = i; j - i > 1 && k < j; k++) {
            hash8(sources[order[k]], h);
            buf_init(&b, BUF_NOLIMIT);
            buf_addf(&b, NULL, "%s-%s", names[order[k]], h);
            free(names[order[k]]);
            names[order[k]] = buf_detach(&b, NULL);
        }
    }
    free(order);
}
