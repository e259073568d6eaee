/* ssml.c -- SSML source in, segments out (see ssml.h): libxml2 checks the document and
 * gives its elements; our own scan of the source finds where each text node was written,
 * so every spoken byte maps back to SSML source bytes. This is the second file that
 * includes libxml2 (after extract.c): SSML is its own stage, with XML rules, not HTML's.
 * No DOCTYPE (so no entities of the author's own), no network. Attribute readings and
 * <say-as> words are in ssml_say.c. No globals of ours: thread-safe as libxml2 is. */
#include "ssml.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "extract/extract.h"
#include "lang.h"
#include "ssml_say.h"
#include "voice.h"

#include "banned.h"

#define SSML_OPTS (XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)

/* Decoded text and, for each of its bytes, the source bytes [sa, sb) it came from. */
struct piece {
    char *t;
    size_t *sa, *sb;
    size_t n, cap;
};

struct style {
    char lang[16]; /* "" : the voice's language */
    int rate;      /* percent */
};

struct walk {
    const char *src;
    size_t len, cur; /* cur: where the scan for the next text run goes on */
    const char *voice_lang;
    const struct norm_rules *rules;
    struct ssml_doc *doc;
    int open; /* the last segment takes more text */
    struct normalized tmp;
    struct err *e;
};

static void piece_add(struct piece *p, const char *bytes, size_t k, size_t a, size_t b)
{
    size_t i;

    if (p->n + k + 1 > p->cap) {
        p->cap = (p->n + k + 1) * 2;
        p->t = xrealloc(p->t, p->cap);
        p->sa = xreallocarray(p->sa, p->cap, sizeof(*p->sa));
        p->sb = xreallocarray(p->sb, p->cap, sizeof(*p->sb));
    }
    for (i = 0; i < k; i++) {
        p->t[p->n] = bytes[i];
        p->sa[p->n] = a;
        p->sb[p->n++] = b;
    }
    p->t[p->n] = '\0';
}

static void piece_release(struct piece *p)
{
    free(p->t);
    free(p->sa);
    free(p->sb);
    memset(p, 0, sizeof(*p));
}

static void line_col(const char *s, size_t pos, int *line, int *col)
{
    size_t i;

    *line = *col = 1;
    for (i = 0; i < pos; i++) {
        if (s[i] == '\n')
            ++*line, *col = 1;
        else if (((unsigned char)s[i] & 0xC0) != 0x80)
            ++*col;
    }
}

static int fail_at(struct walk *w, size_t pos, const char *what)
{
    int line, col;

    line_col(w->src, pos, &line, &col);
    return err_set(w->e, LY_EPARSE, "ssml: line %d, column %d: %s", line, col, what);
}

static size_t find(const char *s, size_t n, size_t i, const char *what)
{
    size_t k = strlen(what);

    for (; i + k <= n; i++)
        if (!memcmp(s + i, what, k))
            return i;
    return n;
}

static int starts(const char *s, size_t n, size_t i, const char *what)
{
    size_t k = strlen(what);

    return i + k <= n && !memcmp(s + i, what, k);
}

/* Past the comment, processing instruction or tag at s[i] == '<'. */
static size_t skip_markup(const char *s, size_t n, size_t i)
{
    char q = 0;
    size_t j;

    if (starts(s, n, i, "<!--"))
        return (j = find(s, n, i + 4, "-->")) < n ? j + 3 : n;
    if (starts(s, n, i, "<?"))
        return (j = find(s, n, i + 2, "?>")) < n ? j + 2 : n;
    for (i++; i < n; i++) {
        if (q) {
            if (s[i] == q)
                q = 0;
        } else if (s[i] == '"' || s[i] == '\'') {
            q = s[i];
        } else if (s[i] == '>') {
            return i + 1;
        }
    }
    return n;
}

/* Finds the root element's start tag; a DOCTYPE is refused before libxml2 sees it. */
static int scan_prolog(struct walk *w)
{
    size_t i = 0;

    while (i < w->len) {
        if (w->src[i] != '<') {
            i++;
        } else if (starts(w->src, w->len, i, "<!DOCTYPE") ||
                   starts(w->src, w->len, i, "<!ENTITY")) {
            return fail_at(w, i, "a DOCTYPE is not allowed in SSML");
        } else if (starts(w->src, w->len, i, "<!--") || starts(w->src, w->len, i, "<?")) {
            i = skip_markup(w->src, w->len, i);
        } else {
            break;
        }
    }
    w->cur = i;
    return LY_OK;
}

/* The next run of character data from w->cur on: markup is skipped, a CDATA section is a
 * run of its own. 0 at the end of the source. */
static int next_run(struct walk *w, size_t *a, size_t *b, int *cdata)
{
    const char *s = w->src;
    size_t i = w->cur, n = w->len;

    while (i < n) {
        if (s[i] != '<') {
            *a = i;
            while (i < n && s[i] != '<')
                i++;
            *b = w->cur = i, *cdata = 0;
            return 1;
        }
        if (starts(s, n, i, "<![CDATA[")) {
            *a = i + 9, *b = find(s, n, i + 9, "]]>"), *cdata = 1;
            w->cur = *b < n ? *b + 3 : n;
            return 1;
        }
        i = skip_markup(s, n, i);
    }
    w->cur = n;
    return 0;
}

/* The character reference or predefined entity at s[i] == '&' as UTF-8 in out (*k bytes);
 * returns the position after it, 0 when there is none. */
static size_t entity(const char *s, size_t n, size_t i, char *out, size_t *k)
{
    static const char *const names[] = {"&lt;", "&gt;", "&amp;", "&quot;", "&apos;"};
    static const char chars[] = "<>&\"'";
    size_t j, semi = find(s, n, i, ";");
    unsigned long cp;

    for (j = 0; j < 5; j++)
        if (starts(s, n, i, names[j])) {
            out[0] = chars[j], *k = 1;
            return i + strlen(names[j]);
        }
    if (!starts(s, n, i, "&#") || semi == n || semi - i > 12)
        return 0;
    cp = s[i + 2] == 'x' ? strtoul(s + i + 3, NULL, 16) : strtoul(s + i + 2, NULL, 10);
    *k = cp <= 0x10FFFF ? utf8_encode((uint32_t)cp, out) : 0;
    return *k ? semi + 1 : 0;
}

/* Source bytes [a, b) as libxml2 reads them: references decoded, line ends as '\n'. */
static void decode_run(const char *s, size_t a, size_t b, int cdata, struct piece *p)
{
    size_t i = a, j, k;
    char u[4];

    while (i < b) {
        if (s[i] == '\r') {
            j = i + 1 < b && s[i + 1] == '\n' ? i + 2 : i + 1;
            piece_add(p, "\n", 1, i, j);
        } else if (s[i] == '&' && !cdata && (j = entity(s, b, i, u, &k))) {
            piece_add(p, u, k, i, j);
        } else {
            j = i + 1;
            piece_add(p, s + i, 1, i, j);
        }
        i = j;
    }
}

static int all_space(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (!strchr(" \t\r\n", s[i]))
            return 0;
    return 1;
}

/* Where a text node's content was written: the next run of the source that decodes to it
 * (runs of white space libxml2 kept no node for are passed over). Should the two ever
 * disagree, the content maps as a whole to the run found. */
static void text_piece(struct walk *w, const char *content, struct piece *p)
{
    size_t a, b, n = strlen(content);
    int cdata;

    while (next_run(w, &a, &b, &cdata)) {
        p->n = 0;
        decode_run(w->src, a, b, cdata, p);
        if (p->n == n && !memcmp(p->t, content, n))
            return;
        if (!all_space(p->t, p->n)) {
            p->n = 0;
            piece_add(p, content, n, a, b);
            return;
        }
    }
    p->n = 0;
    piece_add(p, content, n, w->len, w->len);
}

/* The text of every text node under n, in order, with its source map. */
static void collect(struct walk *w, xmlNode *n, struct piece *out)
{
    struct piece t = {0};
    xmlNode *c;
    size_t i;

    for (c = n->children; c; c = c->next) {
        if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
            text_piece(w, (const char *)c->content, &t);
            for (i = 0; i < t.n; i++)
                piece_add(out, t.t + i, 1, t.sa[i], t.sb[i]);
        } else if (c->type == XML_ELEMENT_NODE) {
            collect(w, c, out);
        }
    }
    piece_release(&t);
}

/* text standing as a whole for what content was written as. */
static void whole(const struct walk *w, const struct piece *content, const char *text, size_t n,
                  struct piece *out)
{
    size_t a = content->n ? content->sa[0] : w->cur;
    size_t b = content->n ? content->sb[content->n - 1] : a;

    piece_add(out, text, n, a, b);
}

static struct ssml_seg *push_seg(struct walk *w, enum ssml_seg_kind kind)
{
    struct ssml_doc *d = w->doc;
    struct ssml_seg *g;

    if (d->n == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 16;
        d->segs = xreallocarray(d->segs, d->cap, sizeof(*d->segs));
    }
    g = &d->segs[d->n++];
    memset(g, 0, sizeof(*g));
    g->kind = kind;
    g->rate_pct = 100;
    normalized_init(&g->text, LYSSNA_MAX_TEXT * 8);
    return g;
}

/* The text segment new text in style st goes to: the open one, or a new one. */
static struct ssml_seg *text_seg(struct walk *w, const struct style *st)
{
    struct ssml_seg *g = w->doc->n ? &w->doc->segs[w->doc->n - 1] : NULL;

    if (w->open && g && g->kind == SSML_TEXT && g->rate_pct == st->rate &&
        !strcmp(g->lang, st->lang))
        return g;
    g = push_seg(w, SSML_TEXT);
    memcpy(g->lang, st->lang, sizeof(g->lang));
    g->rate_pct = st->rate;
    w->open = 1;
    return g;
}

/* Appends w->tmp (spoken text for the bytes of p) to g, its map composed with p's. */
static int add_mapped(struct walk *w, struct ssml_seg *g, const struct piece *p)
{
    const struct normalized *t = &w->tmp;
    const struct norm_span *s;
    size_t i, a, b;
    int rc = LY_OK;

    for (i = 0; i < t->nspans && !rc; i++) {
        s = &t->spans[i];
        if (s->in_len) {
            a = p->sa[s->in], b = p->sb[s->in + s->in_len - 1];
        } else {
            a = b = s->in < p->n ? p->sa[s->in] : p->sb[p->n - 1];
        }
        rc = normalized_add(&g->text, t->text.data + s->out, s->out_len, a, b - a,
                            s->exact && b - a == s->in_len, w->e);
    }
    return rc;
}

/* Says p in style st: normalized when raw is 0 (Swedish rules only in the voice's own
 * language), as it is when raw is 1 (words already read, phonemes). */
static int say_piece(struct walk *w, const struct style *st, struct piece *p, int raw)
{
    const char *langs[1] = {st->lang[0] ? st->lang : w->voice_lang};
    struct ssml_seg *g;
    size_t i;
    int rc;

    if (!p->n)
        return LY_OK;
    for (i = 0; i < p->n; i++)
        if (p->t[i] == '\n' || p->t[i] == '\r' || p->t[i] == '\t')
            p->t[i] = ' ';
    buf_reset(&w->tmp.text);
    w->tmp.nspans = 0;
    if (raw)
        rc = normalized_add(&w->tmp, p->t, p->n, 0, p->n, 1, w->e);
    else
        rc = normalize_text_langs(w->rules, NORMALIZE_PHONEMES, p->t, p->n, NORMALIZE_LANG, langs,
                                  1, &w->tmp, w->e);
    if (rc || all_space(w->tmp.text.data, w->tmp.text.len))
        return rc;
    g = text_seg(w, st);
    if (g->text.text.len && g->text.text.data[g->text.text.len - 1] != ' ')
        rc = normalized_add(&g->text, " ", 1, p->sa[0], 0, 0, w->e);
    return rc ? rc : add_mapped(w, g, p);
}

/* Attribute name of n into buf (cut to size); "" and 0 when absent. */
static int attr(xmlNode *n, const char *name, const xmlChar *ns, char *buf, size_t size)
{
    xmlChar *v = ns ? xmlGetNsProp(n, BAD_CAST name, ns) : xmlGetProp(n, BAD_CAST name);
    size_t k;

    buf[0] = '\0';
    if (!v)
        return 0;
    k = strlen((const char *)v);
    k = k < size ? k : size - 1;
    memcpy(buf, v, k);
    buf[k] = '\0';
    xmlFree(v);
    return 1;
}

/* <voice languages="fi"> (SSML 1.1) or <voice name="fi">, a name that is a language of ours,
 * sets the language as xml:lang does. */
static int voice_lang(xmlNode *n, char *lang, size_t size)
{
    struct lang l;

    if (strcmp((const char *)n->name, "voice"))
        return 0;
    if (attr(n, "languages", NULL, lang, size)) {
        lang[strcspn(lang, " \t")] = '\0';
        return 1;
    }
    return attr(n, "name", NULL, lang, size) && lang_find(voice_dir(), lang, &l);
}

static void style_lang(const struct walk *w, xmlNode *n, struct style *st)
{
    char lang[sizeof(st->lang)];

    if (!attr(n, "lang", XML_XML_NAMESPACE, lang, sizeof(lang)) &&
        !voice_lang(n, lang, sizeof(lang)))
        return;
    if (!lang[0] || svtext_same_lang(lang, w->voice_lang))
        st->lang[0] = '\0';
    else
        memcpy(st->lang, lang, sizeof(lang));
}

static int say_collected(struct walk *w, xmlNode *n, const struct style *st, const char *text,
                         size_t tlen, int raw)
{
    struct piece c = {0}, out = {0};
    int rc;

    collect(w, n, &c);
    if (text) {
        whole(w, &c, text, tlen, &out);
        rc = say_piece(w, st, &out, raw);
    } else {
        rc = say_piece(w, st, &c, 0);
    }
    piece_release(&c);
    piece_release(&out);
    return rc;
}

/* <say-as>: read the Swedish way by kind; in another language the letters of characters
 * are spaced and the rest is read by that language's voice as it is. */
static int say_as(struct walk *w, xmlNode *n, const struct style *st)
{
    char kind[32], format[16];
    struct piece c = {0}, out = {0};
    struct words wd;
    int rc, ok;

    attr(n, "interpret-as", NULL, kind, sizeof(kind));
    attr(n, "format", NULL, format, sizeof(format));
    collect(w, n, &c);
    words_reset(&wd);
    if (st->lang[0]) {
        ok = !strcmp(kind, "characters");
        if (ok)
            ssml_spell_plain(c.t, c.n, &wd);
    } else {
        ok = c.n && ssml_say_as(kind, format, c.t, c.n, &wd);
    }
    if (ok) {
        whole(w, &c, wd.b, wd.n, &out);
        rc = say_piece(w, st, &out, 1);
    } else {
        rc = say_piece(w, st, &c, 0);
    }
    piece_release(&c);
    piece_release(&out);
    return rc;
}

/* espeak-ng phonemes become inline [[...]]; brackets inside ph are dropped so that the
 * author cannot end the phoneme block early. */
static size_t phoneme_text(const char *ph, char *out, size_t size)
{
    size_t i, k = 0;

    out[k++] = '[', out[k++] = '[';
    for (i = 0; ph[i] && k + 3 < size; i++)
        if (!strchr("[]\r\n\t", ph[i]))
            out[k++] = ph[i];
    if (all_space(out + 2, k - 2))
        return 0;
    out[k++] = ']', out[k++] = ']';
    out[k] = '\0';
    return k;
}

/* <phoneme>: ph in espeak-ng's alphabet is said; other alphabets (IPA) cannot be, and the
 * element's text is read instead. */
static int phoneme(struct walk *w, xmlNode *n, const struct style *st)
{
    char alpha[16], ph[512], text[520];
    size_t k = 0;

    attr(n, "alphabet", NULL, alpha, sizeof(alpha));
    if (attr(n, "ph", NULL, ph, sizeof(ph)) &&
        (!alpha[0] || !strcmp(alpha, "espeak") || !strcmp(alpha, "x-espeak")))
        k = phoneme_text(ph, text, sizeof(text));
    return say_collected(w, n, st, k ? text : NULL, k, 1);
}

static int sub(struct walk *w, xmlNode *n, const struct style *st)
{
    char alias[1024];

    if (!attr(n, "alias", NULL, alias, sizeof(alias)))
        return say_collected(w, n, st, NULL, 0, 0);
    return say_collected(w, n, st, alias, strlen(alias), 0);
}

static int add_break(struct walk *w, xmlNode *n)
{
    char time[32], strength[16];
    struct ssml_seg *g;
    struct piece c = {0};

    collect(w, n, &c); /* a break has no content; should it have some, it is not said */
    piece_release(&c);
    g = push_seg(w, SSML_BREAK);
    g->break_ms =
        ssml_break_ms(attr(n, "time", NULL, time, sizeof(time)) ? time : NULL,
                      attr(n, "strength", NULL, strength, sizeof(strength)) ? strength : NULL);
    w->open = 0;
    return LY_OK;
}

static int silent(const char *name)
{
    static const char *const names[] = {"mark", "desc", "meta", "metadata", "lexicon", NULL};
    size_t i;

    for (i = 0; names[i]; i++)
        if (!strcmp(name, names[i]))
            return 1;
    return 0;
}

static int walk_children(struct walk *w, xmlNode *n, const struct style *st);

/* One element: unknown ones are read for their content, as the SSML spec asks. */
static int walk_element(struct walk *w, xmlNode *n, const struct style *parent)
{
    const char *name = (const char *)n->name;
    int block = !strcmp(name, "p") || !strcmp(name, "s"), rc;
    struct style st = *parent;
    char v[32];

    style_lang(w, n, &st);
    if (!strcmp(name, "break"))
        return add_break(w, n);
    if (!strcmp(name, "say-as"))
        return say_as(w, n, &st);
    if (!strcmp(name, "sub"))
        return sub(w, n, &st);
    if (!strcmp(name, "phoneme"))
        return phoneme(w, n, &st);
    if (silent(name))
        return say_collected(w, n, &st, "", 0, 1);
    if (!strcmp(name, "prosody") && attr(n, "rate", NULL, v, sizeof(v)))
        st.rate = ssml_rate_pct(v, st.rate);
    if (!strcmp(name, "emphasis"))
        st.rate = ssml_emphasis_pct(attr(n, "level", NULL, v, sizeof(v)) ? v : NULL, st.rate);
    if (block)
        w->open = 0; /* a paragraph or sentence is an utterance of its own */
    rc = walk_children(w, n, &st);
    if (block)
        w->open = 0;
    return rc;
}

static int walk_children(struct walk *w, xmlNode *n, const struct style *st)
{
    struct piece p = {0};
    xmlNode *c;
    int rc = LY_OK;

    for (c = n->children; c && !rc; c = c->next) {
        if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
            text_piece(w, (const char *)c->content, &p);
            rc = say_piece(w, st, &p, 0);
        } else if (c->type == XML_ELEMENT_NODE) {
            rc = walk_element(w, c, st);
        }
    }
    piece_release(&p);
    return rc;
}

/* libxml2 goes on after some errors; the first one is where the author should look. */
struct first_error {
    int seen, line, col;
    char msg[160];
};

static void on_xml_error(void *data, xmlError *x)
{
    struct first_error *f = ((xmlParserCtxt *)data)->_private;
    size_t k = x->message ? strlen(x->message) : 0;

    if (f->seen || x->level < XML_ERR_ERROR)
        return;
    while (k && (x->message[k - 1] == '\n' || x->message[k - 1] == ' '))
        k--;
    k = k < sizeof(f->msg) ? k : sizeof(f->msg) - 1;
    memcpy(f->msg, x->message ? x->message : "", k);
    f->msg[k] = '\0';
    f->seen = 1, f->line = x->line, f->col = x->int2;
}

/* Parses the source with libxml2; a malformed document fails with the line, column and
 * complaint of libxml2's first error. */
static int parse_xml(struct walk *w, xmlDoc **doc)
{
    xmlParserCtxt *ctx = xmlNewParserCtxt();
    struct first_error f = {0};
    int rc = LY_OK;

    if (!ctx)
        return err_set(w->e, LY_EPARSE, "ssml: cannot start the xml parser");
    ctx->_private = &f;
    ctx->sax->serror = on_xml_error;
    *doc = xmlCtxtReadMemory(ctx, w->src, (int)w->len, NULL, "UTF-8", SSML_OPTS);
    if (!*doc || !ctx->wellFormed) {
        if (f.seen)
            rc = err_set(w->e, LY_EPARSE, "ssml: line %d, column %d: %s", f.line, f.col, f.msg);
        else
            rc = err_set(w->e, LY_EPARSE, "ssml: line 1, column 1: not well-formed xml");
        xmlFreeDoc(*doc);
        *doc = NULL;
    }
    xmlFreeParserCtxt(ctx);
    return rc;
}

int ssml_parse(const char *src, size_t len, const char *voice_lang, const struct norm_rules *rules,
               struct ssml_doc *out, struct err *e)
{
    struct walk w = {
        .src = src, .len = len, .voice_lang = voice_lang, .rules = rules, .doc = out, .e = e};
    struct style st = {"", 100};
    xmlDoc *doc = NULL;
    xmlNode *root;
    int rc;

    memset(out, 0, sizeof(*out));
    if (len > LYSSNA_MAX_TEXT)
        return err_set(e, LY_ETOOBIG, "ssml is %zu bytes, over the limit of %u", len,
                       LYSSNA_MAX_TEXT);
    normalized_init(&w.tmp, LYSSNA_MAX_TEXT * 8);
    rc = scan_prolog(&w);
    if (!rc)
        rc = parse_xml(&w, &doc);
    if (rc)
        goto out;
    root = xmlDocGetRootElement(doc);
    if (!root || strcmp((const char *)root->name, "speak")) {
        rc = fail_at(&w, w.cur, "the root element must be <speak>");
        goto out;
    }
    w.cur = skip_markup(src, len, w.cur);
    style_lang(&w, root, &st);
    rc = walk_children(&w, root, &st);
out:
    xmlFreeDoc(doc);
    normalized_release(&w.tmp);
    return rc;
}

void ssml_doc_release(struct ssml_doc *d)
{
    size_t i;

    for (i = 0; i < d->n; i++)
        normalized_release(&d->segs[i].text);
    free(d->segs);
    memset(d, 0, sizeof(*d));
}
