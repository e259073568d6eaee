/* robots.c -- a robots.txt matcher after RFC 9309: groups of user-agent lines and their
 * allow/disallow rules, the longest match deciding with Allow winning ties, '*' and '$'
 * in patterns, percent-encoding compared in one canonical form (unreserved characters
 * decoded, other escapes in upper case, raw UTF-8 escaped) so that "/å", "/%c3%a5" and
 * "/%C3%A5" are one path. Crawl-delay, a common extension, is read too. Pure. */
#include "robots.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/base.h"

#include "banned.h"

#define LYSSNA_ROBOTS_MAX   (512u << 10)
#define LYSSNA_ROBOTS_DELAY 60000L

struct rule {
    char *pat; /* canonical form, without a final '$' */
    size_t len;
    int anchored; /* the pattern ended in '$' */
    int allow;
};

struct rules {
    struct rule *v;
    size_t n, cap;
    long delay_ms;
};

struct robots {
    struct rules r;
};

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static int unreserved(int c)
{
    return isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

static void add_escape(struct buf *out, unsigned char c)
{
    static const char hex[] = "0123456789ABCDEF";

    buf_addch(out, '%', NULL);
    buf_addch(out, hex[c >> 4], NULL);
    buf_addch(out, hex[c & 15], NULL);
}

/* The canonical form of a path or pattern, NUL-terminated in out. */
static void canonical(const char *s, size_t n, struct buf *out)
{
    size_t i;
    int hi, lo;

    buf_reset(out);
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '%' && i + 2 < n && (hi = hexval((unsigned char)s[i + 1])) >= 0 &&
            (lo = hexval((unsigned char)s[i + 2])) >= 0) {
            c = (unsigned char)(hi * 16 + lo);
            i += 2;
            if (unreserved(c))
                buf_addch(out, (char)c, NULL);
            else
                add_escape(out, c);
        } else if (c >= 0x80 || c <= 0x20) {
            add_escape(out, c);
        } else {
            buf_addch(out, (char)c, NULL);
        }
    }
}

/* Whether pattern p (with '*' for any run) matches all of s, or a prefix of it when not
 * anchored. The usual two-pointer glob: on a mismatch, let the last '*' eat one more. */
static int glob(const char *p, size_t plen, int anchored, const char *s)
{
    size_t pi = 0, star = (size_t)-1, mark = 0;
    const char *si = s;

    for (;;) {
        if (pi == plen && (!anchored || !*si))
            return 1;
        if (pi < plen && p[pi] == '*') {
            star = pi++;
            mark = (size_t)(si - s);
        } else if (pi < plen && *si && p[pi] == *si) {
            pi++;
            si++;
        } else if (star != (size_t)-1 && s[mark]) {
            pi = star + 1;
            si = s + ++mark;
        } else {
            return 0;
        }
    }
}

static void add_rule(struct rules *rs, const char *value, size_t n, int allow, struct buf *tmp)
{
    struct rule *r;
    int anchored = n > 0 && value[n - 1] == '$';

    if (anchored)
        n--;
    if (rs->n == rs->cap) {
        rs->cap = rs->cap ? rs->cap * 2 : 8;
        rs->v = xreallocarray(rs->v, rs->cap, sizeof(*rs->v));
    }
    canonical(value, n, tmp);
    r = &rs->v[rs->n++];
    r->len = tmp->len + (tmp->data[0] != '/' && tmp->data[0] != '*');
    r->pat = xmalloc(r->len + 1);
    /* a pattern without a leading slash is taken as starting at the root */
    snprintf(r->pat, r->len + 1, "%s%s", r->len > tmp->len ? "/" : "", tmp->data);
    r->anchored = anchored;
    r->allow = allow;
}

/* Whether a User-agent value names agent: its product token, the leading letters, '_' and
 * '-', compared without case. */
static int names_agent(const char *value, size_t n, const char *agent)
{
    size_t k = 0;

    while (k < n && (isalpha((unsigned char)value[k]) || value[k] == '_' || value[k] == '-'))
        k++;
    return k > 0 && k == strlen(agent) && !strncasecmp(value, agent, k);
}

struct parse {
    const char *agent;
    struct rules mine, star;
    int in_agents; /* the last record was a user-agent line: more of this group's names */
    int for_me, for_star, any_mine;
    struct buf tmp;
};

static void record(struct parse *p, const char *key, const char *value, size_t n)
{
    char *end;
    double d;

    if (!strcasecmp(key, "user-agent")) {
        if (!p->in_agents)
            p->for_me = p->for_star = 0;
        p->in_agents = 1;
        if (names_agent(value, n, p->agent))
            p->for_me = p->any_mine = 1;
        else if (n >= 1 && value[0] == '*')
            p->for_star = 1;
        return;
    }
    if (strcasecmp(key, "allow") && strcasecmp(key, "disallow") && strcasecmp(key, "crawl-delay"))
        return; /* sitemap and unknown records belong to no group */
    p->in_agents = 0;
    if (!strcasecmp(key, "crawl-delay")) {
        d = strtod(value, &end);
        if (end == value || d < 0)
            return;
        d = d * 1000 > LYSSNA_ROBOTS_DELAY ? LYSSNA_ROBOTS_DELAY : d * 1000;
        if (p->for_me)
            p->mine.delay_ms = (long)d;
        if (p->for_star)
            p->star.delay_ms = (long)d;
        return;
    }
    if (n == 0)
        return; /* "Disallow:" alone allows everything */
    if (p->for_me)
        add_rule(&p->mine, value, n, tolower((unsigned char)key[0]) == 'a', &p->tmp);
    if (p->for_star)
        add_rule(&p->star, value, n, tolower((unsigned char)key[0]) == 'a', &p->tmp);
}

/* One line: "key: value # comment", blanks around each part ignored. */
static void parse_line(struct parse *p, const char *line, size_t n)
{
    const char *hash = memchr(line, '#', n), *colon;
    char key[32];
    size_t klen;

    if (hash)
        n = (size_t)(hash - line);
    colon = memchr(line, ':', n);
    if (!colon)
        return;
    while (line < colon && isspace((unsigned char)*line))
        line++, n--;
    klen = (size_t)(colon - line);
    while (klen > 0 && isspace((unsigned char)line[klen - 1]))
        klen--;
    if (klen == 0 || klen >= sizeof(key))
        return;
    memcpy(key, line, klen);
    key[klen] = '\0';
    n -= (size_t)(colon + 1 - line);
    line = colon + 1;
    while (n > 0 && isspace((unsigned char)*line))
        line++, n--;
    while (n > 0 && isspace((unsigned char)line[n - 1]))
        n--;
    record(p, key, line, n);
}

static void rules_release(struct rules *rs)
{
    size_t i;

    for (i = 0; i < rs->n; i++)
        free(rs->v[i].pat);
    free(rs->v);
}

struct robots *robots_parse(const char *txt, size_t len, const char *agent)
{
    struct parse p = {.agent = agent};
    struct robots *r = xcalloc(1, sizeof(*r));
    size_t i = 0, start;

    if (len > LYSSNA_ROBOTS_MAX)
        len = LYSSNA_ROBOTS_MAX;
    buf_init(&p.tmp, BUF_NOLIMIT);
    while (txt && i < len) {
        start = i;
        while (i < len && txt[i] != '\n' && txt[i] != '\r')
            i++;
        parse_line(&p, txt + start, i - start);
        i++;
    }
    buf_release(&p.tmp);
    if (p.any_mine) {
        r->r = p.mine;
        rules_release(&p.star);
    } else {
        r->r = p.star;
        rules_release(&p.mine);
    }
    return r;
}

struct robots *robots_disallow_all(void)
{
    return robots_parse("User-agent: *\nDisallow: /\n", 26, "*");
}

void robots_free(struct robots *r)
{
    if (!r)
        return;
    rules_release(&r->r);
    free(r);
}

int robots_allowed(const struct robots *r, const char *path)
{
    const struct rule *best = NULL;
    struct buf canon;
    size_t i;

    if (!r || !strcmp(path, "/robots.txt"))
        return 1;
    buf_init(&canon, BUF_NOLIMIT);
    canonical(path, strlen(path), &canon);
    for (i = 0; i < r->r.n; i++) {
        const struct rule *ru = &r->r.v[i];
        if (!glob(ru->pat, ru->len, ru->anchored, canon.data))
            continue;
        if (!best || ru->len > best->len || (ru->len == best->len && ru->allow))
            best = ru;
    }
    buf_release(&canon);
    return !best || best->allow;
}

long robots_crawl_delay_ms(const struct robots *r)
{
    return r ? r->r.delay_ms : 0;
}
