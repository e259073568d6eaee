/* lexicon_match.c -- which entries of the lexicon a text uses. Each word of the text (and the
 * word without a genitive s) is looked up among the entries' first words, ignoring case;
 * the whole written form must follow there by the normalizer's rules of case and word ends.
 * The entries found are what the worker applies and what the audio's key holds: a change
 * retires the audio of texts that use the entry and no other. Reads a shared snapshot:
 * thread-safe. */
#include "lexicon.h"
#include "lexicon_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/base.h"

#include "banned.h"

static char *folded(const char *s, size_t n)
{
    char *out = xmalloc(n + 1);

    svtext_fold(s, n, out);
    out[n] = '\0';
    return out;
}

static int by_first(const void *a, const void *b)
{
    const struct lex_word *x = a, *y = b;
    int c = strcmp(x->first, y->first);

    return c                                  ? c
           : strcmp(x->en->text, y->en->text) ? strcmp(x->en->text, y->en->text)
                                              : strcmp(x->en->scope, y->en->scope);
}

struct lex_snapshot *lex_snapshot_new(struct lexicon_list *l)
{
    struct lex_snapshot *s = xcalloc(1, sizeof(*s));
    size_t i, n;

    s->entries = *l;
    memset(l, 0, sizeof(*l));
    s->w = xcalloc(s->entries.n ? s->entries.n : 1, sizeof(*s->w));
    for (i = 0; i < s->entries.n; i++) {
        const char *t = s->entries.e[i].text;
        n = svtext_word_len(t, strlen(t), 0);
        s->w[s->n].en = &s->entries.e[i];
        s->w[s->n].first = folded(t, n);
        s->w[s->n++].fold = folded(t, strlen(t));
    }
    if (s->n)
        qsort(s->w, s->n, sizeof(*s->w), by_first);
    s->refs = 1;
    return s;
}

void lex_snapshot_unref(struct lex_snapshot *s)
{
    size_t i;

    if (!s || --s->refs > 0)
        return;
    for (i = 0; i < s->n; i++) {
        free(s->w[i].first);
        free(s->w[i].fold);
    }
    free(s->w);
    lexicon_list_release(&s->entries);
    free(s);
}

/* The first entry whose first word is key, or s->n. */
static size_t lower_bound(const struct lex_snapshot *s, const char *key)
{
    size_t lo = 0, hi = s->n, mid;

    while (lo < hi) {
        mid = lo + (hi - lo) / 2;
        if (strcmp(s->w[mid].first, key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int applies(const struct lexicon_entry *en, const char *lang, const char *host)
{
    return svtext_same_lang(en->lang, lang) &&
           (!en->scope[0] || (host && !strcasecmp(en->scope, host)));
}

static int word_char_at(const char *s, size_t n, size_t i)
{
    uint32_t c;

    return svtext_cp(s, n, i, &c) && (svtext_is_letter(c) || (c >= '0' && c <= '9'));
}

/* Whether the entry is written at s (n bytes) as the normalizer takes it
 * (normalize_rules_edited): ignoring case, unless it is written with capitals (then as
 * written, or in capitals throughout); a whole word, or with a genitive s. */
static int written_at(const struct lex_word *w, const char *s, size_t n)
{
    size_t k = svtext_fold_prefix(s, n, w->fold), i, cl;
    uint32_t c;

    if (!k || (word_char_at(s, n, k) && !(s[k] == 's' && !word_char_at(s, n, k + 1))))
        return 0;
    if (!strcmp(w->fold, w->en->text) || svtext_prefix(s, n, w->en->text) == k)
        return 1;
    for (i = 0; i < k; i += cl)
        if (!(cl = svtext_cp(s, n, i, &c)) || (svtext_is_letter(c) && !svtext_is_upper(c)))
            return 0;
    return 1;
}

/* Marks the entries whose first word is key (folded) and that are written at text + at. */
static void mark_word(const struct lex_snapshot *sn, const char *text, size_t len, size_t at,
                      const char *key, const char *lang, const char *host, unsigned char *used)
{
    size_t i;

    for (i = lower_bound(sn, key); i < sn->n && !strcmp(sn->w[i].first, key); i++)
        if (!used[i] && applies(sn->w[i].en, lang, host) &&
            written_at(&sn->w[i], text + at, len - at))
            used[i] = 1;
}

/* Whether entry i is outdone by a chosen entry of the same text for this host. */
static int outdone(const struct lex_snapshot *sn, const unsigned char *used, size_t i)
{
    size_t k;

    if (sn->w[i].en->scope[0])
        return 0;
    for (k = 0; k < sn->n; k++)
        if (used[k] && k != i && sn->w[k].en->scope[0] &&
            !strcmp(sn->w[k].en->text, sn->w[i].en->text))
            return 1;
    return 0;
}

void lexicon_used(struct lexicon *lx, const char *text, size_t len, const char *lang,
                  const char *host, struct buf *out)
{
    unsigned long gen;
    struct lex_snapshot *sn = lex_snapshot_get(lx, &gen);
    unsigned char *used;
    char key[LEXICON_TEXT_MAX + 1];
    size_t i = 0, n;
    uint32_t c;

    buf_reset(out);
    if (!sn || !sn->n) {
        lex_snapshot_unref(sn);
        return;
    }
    used = xcalloc(sn->n, 1);
    while (i < len) {
        if (!(n = svtext_word_len(text, len, i))) {
            i += (n = svtext_cp(text, len, i, &c)) ? n : 1;
            continue;
        }
        if (n <= LEXICON_TEXT_MAX) {
            svtext_fold(text + i, n, key);
            key[n] = '\0';
            mark_word(sn, text, len, i, key, lang, host, used);
            if (n > 1 && key[n - 1] == 's') {
                key[n - 1] = '\0';
                mark_word(sn, text, len, i, key, lang, host, used);
            }
        }
        i += n;
    }
    for (i = 0; i < sn->n; i++)
        if (used[i] && !outdone(sn, used, i))
            buf_addf(out, NULL, "%s\t%s\n", sn->w[i].en->text, sn->w[i].en->say);
    free(used);
    lex_snapshot_unref(sn);
}

unsigned long lexicon_generation(struct lexicon *lx)
{
    unsigned long gen;

    lex_snapshot_unref(lex_snapshot_get(lx, &gen));
    return gen;
}
