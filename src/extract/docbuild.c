/* docbuild.c -- gathers the blocks the document readers cut into an extract_result: text
 * cleaned the way HTML extraction's is (one line, whitespace collapsed), an xpath naming the
 * block's kind, offsets into the joined text (extract.c's block list keeps those), and a
 * language the text does not contradict. No parser here, so the fuzz targets cover it too. */
#include "docbuild.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/base.h"
#include "extract.h"
#include "extract_int.h"

#include "banned.h"

static const char *const kind_name[] = {"", "h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "tr"};

void docbuild_init(struct docbuild *d, size_t max_text, struct err *e)
{
    memset(d, 0, sizeof(*d));
    block_list_init(&d->list, max_text ? max_text : LYSSNA_MAX_TEXT);
    d->e = e;
}

void docbuild_release(struct docbuild *d)
{
    block_list_release(&d->list);
}

/* Characters that end up as a plain space, and those that are dropped. */
static int blank_cp(uint32_t c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0xA0 ||
           (c >= 0x2000 && c <= 0x200A) || c == 0x202F || c == 0x205F || c == 0x3000;
}

static int dropped_cp(uint32_t c)
{
    return c < 0x20 || c == 0x7F || c == 0xAD || c == 0x200B || c == 0xFEFF ||
           (c >= 0x80 && c < 0xA0) || (c >= 0xE000 && c < 0xF900);
}

/* Cleans s into out; map (NULL, or n + 1 entries) gets for each byte of s the length out had
 * when it was met, a pending space not yet written. */
static void clean(const char *s, size_t n, struct buf *out, size_t *map)
{
    size_t i = 0, k, j;
    uint32_t c;
    int space = 0;

    while (i < n) {
        /* a run of visible ASCII, most of what is read, in one go */
        for (j = i; j < n && s[j] > ' ' && s[j] < 0x7F; j++)
            if (map)
                map[j] = out->len + (j > i ? (size_t)space + j - i : 0);
        if (j > i) {
            if (space)
                buf_addch(out, ' ', NULL);
            space = 0;
            buf_add(out, s + i, j - i, NULL);
            i = j;
            continue;
        }
        k = utf8_decode(s + i, n - i, &c);
        for (j = 0; map && j < (k ? k : 1); j++)
            map[i + j] = out->len;
        if (!k) {
            i++;
            continue;
        }
        if (blank_cp(c)) {
            space = out->len > 0;
        } else if (!dropped_cp(c)) {
            if (space)
                buf_addch(out, ' ', NULL);
            space = 0;
            buf_add(out, s + i, k, NULL);
        }
        i += k;
    }
    if (map)
        map[n] = out->len;
}

/* A leading bullet ("• ", "– ", "- ", "* "): its length with the space, else 0. */
static size_t bullet_len(const char *s, size_t n)
{
    static const char *const bullets[] = {"\xE2\x80\xA2",
                                          "\xE2\x97\xA6",
                                          "\xE2\x96\xAA",
                                          "\xE2\x80\xA3",
                                          "\xE2\x81\x83",
                                          "\xE2\x97\x8F",
                                          "\xE2\x97\x8B",
                                          "\xE2\x96\xA0",
                                          "\xE2\x80\x93",
                                          "\xEF\x82\xB7",
                                          "-",
                                          "*"};
    size_t i, k;

    for (i = 0; i < sizeof(bullets) / sizeof(bullets[0]); i++) {
        k = strlen(bullets[i]);
        if (n > k + 1 && !memcmp(s, bullets[i], k) && s[k] == ' ')
            return k + 1;
    }
    return 0;
}

#define LEADER_DOTS 6 /* dots that are a leader whatever follows them */

/* The end of a table of contents' dot leader at s[i] (four dots or more, spaced or not, or
 * two ellipses and more; three before the last number) and its page number, or 0:
 * "Förord ........ 4"; of the leader alone when what follows is not a page number
 * ("Erionit ........ 66733-21-9"). */
static size_t leader_end(const char *s, size_t n, size_t i)
{
    size_t dots = 0, j = i, d;

    for (;;) {
        if (j < n && s[j] == '.')
            dots++, j++;
        else if (j + 3 <= n && !memcmp(s + j, "\xE2\x80\xA6", 3))
            dots += 2, j += 3;
        else if (j + 1 < n && s[j] == ' ' && (s[j + 1] == '.' || s[j + 1] == '\xE2'))
            j++;
        else
            break;
    }
    if (dots < 3)
        return 0;
    while (j < n && (s[j] == ' ' || s[j] == ','))
        j++;
    d = svtext_digits_len(s, n, j);
    if (!d || d > 4 || (j + d < n && (s[j + d] != ' ' || dots < 4)))
        return dots >= LEADER_DOTS ? j : 0; /* three dots only before the number that ends
                                               the block; a long leader before anything */
    return j + d;
}

/* A table of contents is heard without its leaders and page numbers; entries run together
 * in one block stay apart with a comma, and so does a leader's end from what follows it when
 * that is not a page number (a substance's CAS number in a list). */
static void drop_leaders(struct buf *t)
{
    size_t i = 0, end, start, sep;

    while (i < t->len) {
        if ((t->data[i] != '.' && (unsigned char)t->data[i] != 0xE2) ||
            !(end = leader_end(t->data, t->len, i))) {
            i++;
            continue;
        }
        for (start = i; start > 0 && t->data[start - 1] == ' '; start--)
            ;
        while (end < t->len && t->data[end] == ' ')
            end++;
        sep = end < t->len && start > 0 ? 2 : 0;
        memmove(t->data + start + sep, t->data + end, t->len - end + 1);
        memcpy(t->data + start, ", ", sep);
        t->len -= end - start - sep;
        i = start + sep;
    }
}

static char *xpath_of(struct docbuild *d, enum doc_kind k, int new_group)
{
    char p[96];

    if (k == DOC_LI || k == DOC_TR) {
        if (d->last != k || new_group) {
            d->sub = 0;
            if (k == DOC_LI)
                d->nlists++;
            else
                d->ntables++;
        }
        d->sub++;
        if (k == DOC_LI)
            snprintf(p, sizeof(p), "/document/ul[%u]/li[%u]", d->nlists, d->sub);
        else
            snprintf(p, sizeof(p), "/document/table[%u]/tr[%u]", d->ntables, d->sub);
    } else {
        snprintf(p, sizeof(p), "/document/%s[%u]", kind_name[k], ++d->count[k]);
    }
    d->last = k;
    return xstrdup(p);
}

static enum extract_kind kind_of(enum doc_kind k)
{
    return k <= DOC_H6   ? EXTRACT_HEADING
           : k == DOC_LI ? EXTRACT_LIST_ITEM
           : k == DOC_TR ? EXTRACT_TABLE_ROW
                         : EXTRACT_PARAGRAPH;
}

void doc_runs_add(struct doc_runs *rs, size_t start, size_t end, const char *lang)
{
    struct doc_run *last = rs->n ? &rs->r[rs->n - 1] : NULL;

    if (!lang || !*lang || start >= end)
        return;
    if (last && last->end == start && !strcasecmp(last->lang, lang)) {
        last->end = end;
        return;
    }
    if (rs->n == rs->cap) {
        rs->cap = rs->cap ? rs->cap * 2 : 8;
        rs->r = xreallocarray(rs->r, rs->cap, sizeof(*rs->r));
    }
    rs->r[rs->n] = (struct doc_run){.start = start, .end = end};
    snprintf(rs->r[rs->n++].lang, sizeof(rs->r->lang), "%s", lang);
}

void doc_runs_release(struct doc_runs *rs)
{
    free(rs->r);
    memset(rs, 0, sizeof(*rs));
}

/* The stretches rs (bytes of the raw text, len of them) as bytes of the cleaned text t (map:
 * clean's, cut: bytes of a bullet taken off its start), white space at their ends left out,
 * neighbours in the same language with only spaces between them joined, those in lang dropped. */
static void map_runs(const struct doc_runs *rs, const size_t *map, size_t len, size_t cut,
                     const struct buf *t, const char *lang, struct doc_runs *out)
{
    size_t i, a, b, k;
    struct doc_run *last;

    for (i = 0; i < rs->n; i++) {
        if (rs->r[i].end > len)
            continue; /* past the text a reader gave: never the case */
        a = map[rs->r[i].start] > cut ? map[rs->r[i].start] - cut : 0;
        b = map[rs->r[i].end] > cut ? map[rs->r[i].end] - cut : 0;
        b = b < t->len ? b : t->len;
        while (a < b && t->data[a] == ' ')
            a++;
        while (b > a && t->data[b - 1] == ' ')
            b--;
        if (a >= b || (lang && svtext_same_lang(rs->r[i].lang, lang)))
            continue;
        last = out->n ? &out->r[out->n - 1] : NULL;
        for (k = last ? last->end : 0; last && k < a && t->data[k] == ' '; k++)
            ;
        if (last && k == a && !strcasecmp(last->lang, rs->r[i].lang))
            last->end = b;
        else
            doc_runs_add(out, a, b, rs->r[i].lang);
    }
}

void docbuild_add_lang(struct docbuild *d, enum doc_kind k, const char *text, size_t len,
                       int new_group, const char *lang, const struct doc_runs *rs)
{
    struct doc_runs runs = {0};
    struct buf t;
    size_t cut, i, *map = NULL;
    char *xpath;

    if (d->rc)
        return;
    buf_init(&t, BUF_NOLIMIT);
    if (rs && rs->n)
        map = xcalloc(len + 1, sizeof(*map));
    clean(text, len, &t, map);
    i = t.len;
    drop_leaders(&t);
    if (i != t.len) /* a table of contents' line: its stretches no longer line up */
        rs = NULL;
    if ((cut = bullet_len(t.data, t.len)) && (k == DOC_P || k == DOC_LI)) {
        memmove(t.data, t.data + cut, t.len - cut + 1);
        t.len -= cut;
        k = DOC_LI;
    }
    if (rs && map)
        map_runs(rs, map, len, cut, &t, lang, &runs);
    if (runs.n == 1 && runs.r[0].start == 0 && runs.r[0].end == t.len) {
        lang = runs.r[0].lang; /* every word in another language: the block's */
        runs.n = 0;
    }
    if (t.len && !(d->rc = block_list_room(&d->list, t.len, d->e))) {
        xpath = xpath_of(d, k, new_group);
        d->rc = block_list_add(&d->list, kind_of(k), k <= DOC_H6 ? (int)k : 0, t.data, t.len, xpath,
                               strlen(xpath), lang && *lang ? lang : NULL, d->e);
        for (i = 0; !d->rc && i < runs.n; i++)
            block_list_add_run(&d->list, runs.r[i].start, runs.r[i].end, runs.r[i].lang);
        free(xpath);
    }
    doc_runs_release(&runs);
    free(map);
    buf_release(&t);
}

void docbuild_add_note(struct docbuild *d, const char *lang, int end, const char *num,
                       const char *text, size_t len)
{
    static const char *const label[2][2] = {{"Fotnot", "Slutnot"}, {"Footnote", "Endnote"}};
    struct buf t;

    if (strspn(text, " ") >= len)
        return; /* nothing to hear in it */
    buf_init(&t, BUF_NOLIMIT);
    buf_addf(&t, NULL, "%s%s%s: ", label[lang && !strncasecmp(lang, "en", 2)][end != 0],
             *num ? " " : "", num);
    buf_add(&t, text, len, NULL);
    docbuild_add(d, DOC_P, t.data, t.len, 0);
    buf_release(&t);
}

void docbuild_add(struct docbuild *d, enum doc_kind k, const char *text, size_t len, int new_group)
{
    docbuild_add_lang(d, k, text, len, new_group, NULL, NULL);
}

static int word_in(const char *w, size_t n, const char *const *list)
{
    for (; *list; list++)
        if (strlen(*list) == n && !strncasecmp(*list, w, n))
            return 1;
    return 0;
}

const char *docbuild_guess_lang(const struct extract_block *b, size_t n)
{
    static const char *const sv[] = {"och", "att",  "det", "som",  "för",   "på", "är",
                                     "med", "till", "av",  "den",  "inte",  "om", "har",
                                     "kan", "ska",  "vid", "från", "eller", "du", NULL};
    static const char *const en[] = {"the",  "and", "of",  "to", "is",   "in",  "for",  "that",
                                     "with", "on",  "are", "be", "this", "you", "from", NULL};
    size_t i, j, k, words = 0, nsv = 0, nen = 0;
    const char *s;

    for (i = 0; i < n && words < 3000; i++)
        for (s = b[i].text, j = 0; s[j] && words < 3000; j += k ? k : 1) {
            k = strcspn(s + j, " ,.;:!?()\"'");
            if (!k)
                continue;
            words++;
            nsv += word_in(s + j, k, sv);
            nen += word_in(s + j, k, en);
        }
    if (nsv >= 5 && nsv > 3 * nen)
        return "sv";
    if (nen >= 5 && nen > 3 * nsv)
        return "en";
    return NULL;
}

/* Word processors write their default language (often en-US) into files whose text is
 * Swedish: the declared language holds unless the text clearly speaks another. */
static char *doc_lang(const struct docbuild *d, const char *declared)
{
    const char *guess = docbuild_guess_lang(d->list.blocks, d->list.n);

    if (!declared || !*declared)
        return xstrdup(guess ? guess : "");
    if (guess && strncasecmp(declared, guess, 2))
        return xstrdup(guess);
    return xstrdup(declared);
}

/* A block in the document's language is labelled by the document, as HTML's blocks by the
 * page; a stretch in its block's language is no switch. A label in the language the text
 * overruled (wrong: a word processor's default, "en-US" on Swedish text) is not trusted. */
static void drop_own_lang(struct extract_block *b, const char *doc, const char *wrong)
{
    size_t i, n = 0;

    if (b->lang &&
        ((*doc && svtext_same_lang(b->lang, doc)) || (wrong && svtext_same_lang(b->lang, wrong)))) {
        free(b->lang);
        b->lang = NULL;
    }
    for (i = 0; i < b->nruns; i++) {
        if (svtext_same_lang(b->runs[i].lang, b->lang ? b->lang : doc) ||
            (wrong && svtext_same_lang(b->runs[i].lang, wrong)))
            free(b->runs[i].lang);
        else
            b->runs[n++] = b->runs[i];
    }
    b->nruns = n;
}

/* Whether the code point at s[i] (before: ending at s[i]) is a lower-case letter. */
static int lower_at(const char *s, size_t n, size_t i, int before)
{
    uint32_t c;

    return (before ? svtext_cp_before(s, i, &c) : svtext_cp(s, n, i, &c)) && svtext_is_letter(c) &&
           !svtext_is_upper(c);
}

/* The start of the run of letters ending at s[end]. */
static size_t word_start(const char *s, size_t end)
{
    uint32_t c;
    size_t k;

    while (end > 0 && (k = svtext_cp_before(s, end, &c)) && svtext_is_letter(c))
        end -= k;
    return end;
}

#define KEY_MAX 64 /* bytes of a word looked up whole: longer ones are left as they are */

/* Whether the hyphen at t[h] cuts a word in two lower-case halves of two letters or more
 * ("situa-tioner", not "e-tjänst", "EG-domstolen" or "fyra-fem-sex"): then key is the word
 * whole, folded. */
static int cut_word(const char *t, size_t len, size_t h, char key[KEY_MAX])
{
    size_t a, b;

    if (!lower_at(t, len, h, 1) || !lower_at(t, len, h + 1, 0))
        return 0;
    a = word_start(t, h);
    b = h + 1 + svtext_word_len(t, len, h + 1);
    if (h - a < 2 || b - h - 1 < 2 || (a > 0 && t[a - 1] == '-') || t[b] == '-' || b - a > KEY_MAX)
        return 0;
    svtext_fold(t + a, h - a, key);
    svtext_fold(t + h + 1, b - h - 1, key + (h - a));
    key[b - a - 1] = '\0';
    return 1;
}

struct cut {
    char key[KEY_MAX];
    int whole; /* the document writes it whole */
};

static int by_key(const void *a, const void *b)
{
    return strcmp(((const struct cut *)a)->key, ((const struct cut *)b)->key);
}

/* Calls cut_word at each hyphen of the blocks' text; with mend, removes the hyphen of those
 * in cuts that are whole elsewhere, moving the block's language stretches with its bytes;
 * else adds them to *cuts. */
static void each_cut(struct block_list *list, struct cut **cuts, size_t *n, int mend)
{
    struct cut c, *found;
    size_t i, j, r, len, cap = *n;

    for (i = 0; i < list->n; i++) {
        struct extract_block *b = &list->blocks[i];
        char *t = b->text, *p;
        len = strlen(t);
        for (p = t; (p = memchr(p, '-', len - (size_t)(p - t))); p++) {
            j = (size_t)(p - t);
            if (!j || !cut_word(t, len, j, c.key))
                continue;
            if (!mend) {
                if (*n == cap)
                    *cuts = xreallocarray(*cuts, cap = cap ? cap * 2 : 16, sizeof(**cuts));
                c.whole = 0;
                (*cuts)[(*n)++] = c;
                continue;
            }
            found = bsearch(&c, *cuts, *n, sizeof(c), by_key);
            if (!found || !found->whole)
                continue;
            memmove(p, p + 1, len - j);
            len--;
            p--;
            for (r = 0; r < b->nruns; r++) {
                b->runs[r].start -= b->runs[r].start > j;
                b->runs[r].end -= b->runs[r].end > j;
            }
        }
    }
}

/* Words a hyphen cuts inside a line ("situa-tioner", "lungventila-tionen"): a word processor's
 * hand-set hyphen left behind when the text reflowed, or a PDF's line-end hyphen kept inside
 * a tagged table's cell. Such a word is made whole where the document writes it whole
 * elsewhere, its halves lower-case letters at the hyphen ("EG-domstolen", "Karl-Ingvar" and
 * "e-tjänst" stay, as does "hälso- och"). */
static void mend_broken_words(struct block_list *list)
{
    struct cut *cuts = NULL, w, *found;
    size_t n = 0, i, j, k;

    each_cut(list, &cuts, &n, 0);
    if (!n)
        return;
    qsort(cuts, n, sizeof(*cuts), by_key);
    for (i = 0; i < list->n; i++) {
        const char *t = list->blocks[i].text;
        size_t len = strlen(t);
        for (j = 0; j < len; j += k ? k : 1)
            if ((k = svtext_word_len(t, len, j)) && k < KEY_MAX) {
                svtext_fold(t + j, k, w.key);
                w.key[k] = '\0';
                if ((found = bsearch(&w, cuts, n, sizeof(w), by_key)))
                    found->whole = 1;
            }
    }
    each_cut(list, &cuts, &n, 1);
    free(cuts);
}

int docbuild_finish(struct docbuild *d, const char *title, const char *lang,
                    struct extract_result *out)
{
    struct buf t;
    size_t i;

    if (d->rc)
        return d->rc;
    if (!d->list.n)
        return err_set(d->e, LY_EEMPTY, "no readable text found in the document");
    memset(out, 0, sizeof(*out));
    buf_init(&t, BUF_NOLIMIT);
    if (title)
        clean(title, strlen(title), &t, NULL);
    for (i = 0; !t.len && i < d->list.n; i++)
        if (d->list.blocks[i].kind == EXTRACT_HEADING)
            buf_adds(&t, d->list.blocks[i].text, NULL);
    out->title = buf_detach(&t, NULL);
    out->lang = doc_lang(d, lang);
    mend_broken_words(&d->list);
    block_list_detach(&d->list, out);
    for (i = 0; i < out->nblocks; i++)
        drop_own_lang(&out->blocks[i], out->lang,
                      lang && *lang && !svtext_same_lang(lang, out->lang) ? lang : NULL);
    return LY_OK;
}
