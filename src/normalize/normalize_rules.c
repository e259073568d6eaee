/* normalize_rules.c -- reads the Swedish word lists in voices/sv/ into sorted tables and looks
 * words up in them. The files are data a municipality edits: TAB-separated, one entry per
 * line, '#' starts a comment line. A line that does not parse is reported with file and
 * line and skipped; nothing here is fatal. Loaded once; afterwards read-only (thread-safe). */
#include "normalize_rules.h"
#include "normalize.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"

#include "banned.h"

#define MAX_KEY 64

struct table {
    struct norm_entry *e;
    size_t n, cap;
    int fold;          /* keys are folded and matched ignoring case */
    size_t first[257]; /* entries whose key starts with byte b: [first[b], first[b + 1]) */
};

enum { T_ABBR, T_UNIT, T_ACRO, T_LEX, T_NOUN, T_REGNAL, T_LAW, T_PARTY, T_COUNT };

struct norm_rules {
    struct table t[T_COUNT];
    struct norm_entry *edits; /* the editors' lexicon (normalize_rules_edited), tried first */
    size_t nedits;
    int borrowed; /* t is the base's: freed with it, not here */
};

struct loader {
    struct norm_rules *r;
    const char *path;
    int line;
    char problem[160];
    void (*warn)(void *ctx, const char *msg);
    void *ctx;
};

static void warn(struct loader *ld, int line, const char *what)
{
    char msg[512];

    if (line)
        snprintf(msg, sizeof(msg), "%s:%d: %s", ld->path, line, what);
    else
        snprintf(msg, sizeof(msg), "%s: %s", ld->path, what);
    if (ld->warn)
        ld->warn(ld->ctx, msg);
    else
        fprintf(stderr, "lyssna: %s\n", msg);
}

static int bad(struct loader *ld, const char *what)
{
    snprintf(ld->problem, sizeof(ld->problem), "%s", what);
    return 0;
}

static void table_add(struct table *t, const char *key, const char *a, const char *b, int line)
{
    struct norm_entry *en;
    size_t n = strlen(key);

    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 64;
        t->e = xreallocarray(t->e, t->cap, sizeof(*t->e));
    }
    en = &t->e[t->n++];
    memset(en, 0, sizeof(*en));
    en->key = xstrdup(key);
    if (t->fold)
        svtext_fold(key, n, en->key);
    en->a = a ? xstrdup(a) : NULL;
    en->b = b ? xstrdup(b) : NULL;
    en->line = line;
}

static int parse_gender(const char *s, enum sv_gender *g)
{
    if (!strcmp(s, "en"))
        return *g = SV_EN, 1;
    if (!strcmp(s, "ett"))
        return *g = SV_ETT, 1;
    return 0;
}

static int parse_flags(struct loader *ld, const char *s, unsigned *flags)
{
    static const char *const names[] = {"num", "ctx", "day", "case", "agree"};
    size_t i, k;

    *flags = 0;
    while (*s) {
        k = strcspn(s, ",");
        for (i = 0; i < 5; i++)
            if (strlen(names[i]) == k && !strncmp(s, names[i], k))
                break;
        if (i == 5)
            return bad(ld, "unknown flag (known: num, ctx, day, case, agree)");
        *flags |= 1u << i;
        s += k + (s[k] == ',');
    }
    return 1;
}

static int only_letters(const char *s)
{
    size_t n = strlen(s);

    return n && svtext_word_len(s, n, 0) == n;
}

static int add_abbr(struct loader *ld, struct table *t, char **f, int nf)
{
    unsigned flags = 0;

    if (nf < 2 || nf > 3)
        return bad(ld, "want WRITTEN<TAB>SPOKEN[<TAB>FLAGS]");
    if (!*f[1])
        return bad(ld, "the spoken form is empty");
    if (nf == 3 && !parse_flags(ld, f[2], &flags))
        return 0;
    table_add(t, f[0], f[1], f[0], ld->line);
    t->e[t->n - 1].flags = flags;
    return 1;
}

static int add_unit(struct loader *ld, struct table *t, char **f, int nf)
{
    enum sv_gender g;

    if (nf != 4)
        return bad(ld, "want WRITTEN<TAB>en|ett<TAB>SINGULAR<TAB>PLURAL");
    if (!parse_gender(f[1], &g))
        return bad(ld, "the second column must be 'en' or 'ett'");
    if (!*f[2] || !*f[3])
        return bad(ld, "the singular and plural must not be empty");
    table_add(t, f[0], f[2], f[3], ld->line);
    t->e[t->n - 1].gender = g;
    return 1;
}

static int add_acronym(struct loader *ld, struct table *t, char **f, int nf)
{
    static const char *const kinds[] = {"spell", "word", "say"};
    int k;

    if (nf < 2 || nf > 3 || !only_letters(f[0]))
        return bad(ld, "want ACRONYM<TAB>spell|word  or  ACRONYM<TAB>say<TAB>TEXT");
    for (k = 0; k < 3 && strcmp(f[1], kinds[k]); k++)
        ;
    if (k == 3)
        return bad(ld, "the second column must be spell, word or say");
    if ((k == ACRO_SAY) != (nf == 3 && *f[2]))
        return bad(ld, "'say' and only 'say' takes the text to say");
    table_add(t, f[0], nf == 3 ? f[2] : NULL, NULL, ld->line);
    t->e[t->n - 1].kind = k;
    return 1;
}

static int valid_phonemes(const char *p)
{
    if (!*p || strlen(p) > 200)
        return 0;
    for (; *p; p++)
        if (*p < 0x21 || *p > 0x7E || *p == '[' || *p == ']')
            return 0;
    return 1;
}

static int add_lexicon(struct loader *ld, struct table *t, char **f, int nf)
{
    if (nf != 2 || !only_letters(f[0]))
        return bad(ld, "want WORD<TAB>PHONEMES");
    if (!valid_phonemes(f[1]))
        return bad(ld, "phonemes must be 1-200 printable ASCII characters, no spaces or brackets");
    table_add(t, f[0], f[1], NULL, ld->line);
    return 1;
}

static int add_noun(struct loader *ld, struct table *t, char **f, int nf)
{
    enum sv_gender g;

    if (nf != 2 || !only_letters(f[0]) || !parse_gender(f[1], &g))
        return bad(ld, "want NOUN<TAB>en|ett");
    table_add(t, f[0], NULL, NULL, ld->line);
    t->e[t->n - 1].gender = g;
    return 1;
}

static int add_regnal(struct loader *ld, struct table *t, char **f, int nf)
{
    if (nf < 1 || nf > 2 || !only_letters(f[0]) ||
        (nf == 2 && strcmp(f[1], "m") && strcmp(f[1], "f")))
        return bad(ld, "want NAME[<TAB>m|f]");
    table_add(t, f[0], NULL, NULL, ld->line);
    t->e[t->n - 1].gender = nf == 2 && !strcmp(f[1], "f") ? SV_ETT : SV_EN;
    return 1;
}

/* "KL<TAB>kommunallagen<TAB>ref": "spell" says the letters; ref only in a reference. */
static int add_law(struct loader *ld, struct table *t, char **f, int nf)
{
    if (nf < 2 || nf > 3 || !only_letters(f[0]) || !*f[1] || (nf == 3 && strcmp(f[2], "ref")))
        return bad(ld, "want ABBREVIATION<TAB>spell|SPOKEN[<TAB>ref]");
    table_add(t, f[0], strcmp(f[1], "spell") ? f[1] : NULL, NULL, ld->line);
    t->e[t->n - 1].kind = strcmp(f[1], "spell") ? ACRO_SAY : ACRO_SPELL;
    t->e[t->n - 1].flags = nf == 3 ? LAW_REF : 0;
    return 1;
}

static int add_party(struct loader *ld, struct table *t, char **f, int nf)
{
    if (nf != 2 || !only_letters(f[0]) || !*f[1])
        return bad(ld, "want LETTERS<TAB>PARTY");
    table_add(t, f[0], f[1], NULL, ld->line);
    return 1;
}

static int (*const adders[T_COUNT])(struct loader *, struct table *, char **, int) = {
    add_abbr, add_unit, add_acronym, add_lexicon, add_noun, add_regnal, add_law, add_party};
static const char *const files[T_COUNT] = {"abbreviations.tsv", "units.tsv",  "acronyms.tsv",
                                           "lexicon.tsv",       "nouns.tsv",  "regnal.tsv",
                                           "laws.tsv",          "parties.tsv"};
static const int folded[T_COUNT] = {1, 0, 0, 1, 1, 1, 0, 0};

/* Splits line at TABs into at most 5 fields; returns how many (6 means too many). */
static int split(char *line, char **f)
{
    int n = 0;

    f[n++] = line;
    while ((line = strchr(line, '\t'))) {
        *line++ = '\0';
        if (n == 5)
            return 6;
        f[n++] = line;
    }
    return n;
}

static void load_line(struct loader *ld, int which, char *line)
{
    char *f[5];
    size_t len = strlen(line), skip;
    int nf;

    while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
        line[--len] = '\0';
    skip = svtext_space_len(line, len, 0);
    if (skip == len || line[skip] == '#')
        return;
    ld->problem[0] = '\0';
    if (!utf8_valid(line, len, NULL)) {
        warn(ld, ld->line, "not UTF-8, skipped");
        return;
    }
    nf = split(line, f);
    if (nf > 5 || !*f[0] || strlen(f[0]) > MAX_KEY)
        bad(ld, "wrong number of columns or an empty or over-long first column");
    else
        adders[which](ld, &ld->r->t[which], f, nf);
    if (ld->problem[0]) {
        char msg[200];
        snprintf(msg, sizeof(msg), "%s; line skipped", ld->problem);
        warn(ld, ld->line, msg);
    }
}

static int by_key(const void *a, const void *b)
{
    const struct norm_entry *x = a, *y = b;
    int c = strcmp(x->key, y->key);

    return c ? c : (x->line > y->line) - (x->line < y->line);
}

static void entry_release(struct norm_entry *en)
{
    free(en->key);
    free(en->a);
    free(en->b);
}

/* Sorts, drops later duplicates (with a warning) and builds the first-byte index. */
static void table_finish(struct loader *ld, struct table *t)
{
    size_t i, out = 0;
    int b;

    if (t->n)
        qsort(t->e, t->n, sizeof(*t->e), by_key);
    for (i = 0; i < t->n; i++) {
        if (out && !strcmp(t->e[out - 1].key, t->e[i].key)) {
            char msg[96];
            snprintf(msg, sizeof(msg), "duplicate of line %d; line skipped", t->e[out - 1].line);
            warn(ld, t->e[i].line, msg);
            entry_release(&t->e[i]);
            continue;
        }
        t->e[out++] = t->e[i];
    }
    t->n = out;
    for (b = 0, i = 0; b < 256; b++) {
        t->first[b] = i;
        while (i < t->n && (unsigned char)t->e[i].key[0] == b)
            i++;
    }
    t->first[256] = t->n;
}

static void load_file(struct loader *ld, const char *dir, int which)
{
    char path[4096];
    char *line = NULL;
    size_t cap = 0;
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, files[which]);
    ld->path = path;
    ld->line = 0;
    ld->r->t[which].fold = folded[which];
    f = fopen(path, "r");
    if (!f) {
        warn(ld, 0, "cannot read the file; its rules are off");
    } else {
        while (getline(&line, &cap, f) >= 0) {
            ld->line++;
            load_line(ld, which, line);
        }
        fclose(f);
    }
    free(line);
    table_finish(ld, &ld->r->t[which]);
}

struct norm_rules *normalize_rules_load(const char *dir,
                                        void (*warn_fn)(void *ctx, const char *msg), void *ctx)
{
    struct loader ld = {.warn = warn_fn, .ctx = ctx};
    int i;

    ld.r = xcalloc(1, sizeof(*ld.r));
    if (access(dir, R_OK | X_OK) != 0) {
        ld.path = dir;
        warn(&ld, 0, "cannot read the word list folder; Swedish word lists are off");
        for (i = 0; i < T_COUNT; i++)
            table_finish(&ld, &ld.r->t[i]);
        return ld.r;
    }
    for (i = 0; i < T_COUNT; i++)
        load_file(&ld, dir, i);
    return ld.r;
}

void normalize_rules_free(struct norm_rules *r)
{
    size_t i;
    int k;

    if (!r)
        return;
    for (i = 0; i < r->nedits; i++)
        entry_release(&r->edits[i]);
    free(r->edits);
    for (k = 0; k < T_COUNT && !r->borrowed; k++) {
        for (i = 0; i < r->t[k].n; i++)
            entry_release(&r->t[k].e[i]);
        free(r->t[k].e);
    }
    free(r);
}

/* A match must not end inside a word: "kr" does not match the start of "kris". */
static int ends_word(const char *s, size_t n, size_t used, const char *key)
{
    uint32_t last = (unsigned char)key[strlen(key) - 1], next;

    if (!svtext_cp(s, n, used, &next))
        return 1;
    if (last == '.' || !(svtext_is_letter(next) || (next >= '0' && next <= '9')))
        return 1;
    return 0;
}

/* A quick look at the second byte before the full comparison: every word is looked up in
 * these tables, and most entries of a first-byte bucket differ there already. 1 when the
 * key may match (a space in the key matches any white space; other scripts are left to the
 * comparison). */
static int second_fits(const char *s, size_t n, const char *key, int fold)
{
    unsigned char a, b = (unsigned char)key[1];

    if (!b || b == ' ' || b >= 0x80)
        return 1;
    if (n < 2)
        return 0;
    a = (unsigned char)s[1];
    if (fold && a >= 'A' && a <= 'Z')
        a = (unsigned char)(a + 'a' - 'A');
    return a >= 0x80 || a == b;
}

static const struct norm_entry *longest(const struct table *t, const char *s, size_t n,
                                        size_t *used)
{
    const struct norm_entry *best = NULL;
    unsigned char b = (unsigned char)s[0];
    size_t i, k;

    if (t->fold)
        svtext_fold(s, 1, (char *)&b);
    for (i = t->first[b]; i < t->first[b + 1]; i++) {
        const struct norm_entry *en = &t->e[i];
        int fold = t->fold && !(en->flags & ABBR_CASE);
        if (!second_fits(s, n, fold ? en->key : t->fold ? en->b : en->key, fold))
            continue;
        k = fold ? svtext_fold_prefix(s, n, en->key)
                 : svtext_prefix(s, n, t->fold ? en->b : en->key);
        if (k && (!best || k > *used) && ends_word(s, n, k, en->key))
            best = en, *used = k;
    }
    return best;
}

const struct norm_entry *rules_match_abbr(const struct norm_rules *r, const char *s, size_t n,
                                          size_t *used)
{
    return r && n ? longest(&r->t[T_ABBR], s, n, used) : NULL;
}

const struct norm_entry *rules_match_unit(const struct norm_rules *r, const char *s, size_t n,
                                          size_t *used)
{
    return r && n ? longest(&r->t[T_UNIT], s, n, used) : NULL;
}

static int cmp_key(const void *k, const void *en)
{
    return strcmp(k, ((const struct norm_entry *)en)->key);
}

static const struct norm_entry *find(const struct table *t, const char *s, size_t n)
{
    char key[MAX_KEY + 1];

    size_t from, to;

    if (n == 0 || n > MAX_KEY || t->n == 0)
        return NULL;
    if (t->fold)
        svtext_fold(s, n, key);
    else
        memcpy(key, s, n);
    key[n] = '\0';
    from = t->first[(unsigned char)key[0]];
    to = t->first[(unsigned char)key[0] + 1];
    return from < to ? bsearch(key, t->e + from, to - from, sizeof(*t->e), cmp_key) : NULL;
}

const struct norm_entry *rules_find_acronym(const struct norm_rules *r, const char *s, size_t n)
{
    return r ? find(&r->t[T_ACRO], s, n) : NULL;
}

const struct norm_entry *rules_find_lexicon(const struct norm_rules *r, const char *s, size_t n)
{
    return r ? find(&r->t[T_LEX], s, n) : NULL;
}

const struct norm_entry *rules_find_regnal(const struct norm_rules *r, const char *s, size_t n)
{
    return r ? find(&r->t[T_REGNAL], s, n) : NULL;
}

const struct norm_entry *rules_find_law(const struct norm_rules *r, const char *s, size_t n)
{
    return r ? find(&r->t[T_LAW], s, n) : NULL;
}

const struct norm_entry *rules_find_party(const struct norm_rules *r, const char *s, size_t n)
{
    return r ? find(&r->t[T_PARTY], s, n) : NULL;
}

int rules_noun_gender(const struct norm_rules *r, const char *s, size_t n)
{
    const struct norm_entry *en;
    size_t i, k;
    uint32_t c;

    if (!r)
        return -1;
    /* the whole word, then ever shorter last parts of a compound, at least 2 letters each */
    for (i = 0; i + 2 <= n; i += k) {
        if (i == 0 || i >= 2) {
            en = find(&r->t[T_NOUN], s + i, n - i);
            if (en)
                return (int)en->gender;
        }
        k = svtext_cp(s, n, i, &c);
        if (!k)
            break;
    }
    return -1;
}

/* One line "WRITTEN<TAB>SAY" of the editors' lexicon into r->edits; a line that is not one is
 * skipped (the service checked every entry before it was stored). */
static void add_edit(struct norm_rules *r, const char *line, size_t n)
{
    const char *tab = memchr(line, '\t', n), *say;
    struct norm_entry *en;
    size_t wn, sn, i;

    if (!tab || tab == line || tab - line > MAX_KEY || !utf8_valid(line, n, NULL))
        return;
    wn = (size_t)(tab - line);
    say = tab + 1;
    sn = n - wn - 1;
    if (sn > 4 && !strncmp(say, "[[", 2) && !strncmp(say + sn - 2, "]]", 2))
        say += 2, sn -= 4;
    else if (sn == 0 || memchr(say, '[', sn))
        return;
    r->edits = xreallocarray(r->edits, r->nedits + 1, sizeof(*r->edits));
    en = &r->edits[r->nedits++];
    memset(en, 0, sizeof(*en));
    en->b = xstrndup(line, wn);
    en->key = xstrndup(line, wn);
    svtext_fold(line, wn, en->key);
    en->a = xstrndup(say, sn);
    en->kind = say != tab + 1 ? EDIT_PHONEMES : EDIT_RESPELL;
    for (i = 0; i < wn; i++)
        if (en->b[i] != en->key[i])
            en->flags |= EDIT_CASE;
}

struct norm_rules *normalize_rules_edited(const struct norm_rules *base, const char *edits,
                                          size_t len)
{
    struct norm_rules *r = xcalloc(1, sizeof(*r));
    const char *nl;

    if (base) {
        memcpy(r->t, base->t, sizeof(r->t));
        r->borrowed = 1;
    }
    while (len) {
        nl = memchr(edits, '\n', len);
        add_edit(r, edits, nl ? (size_t)(nl - edits) : len);
        if (!nl)
            break;
        len -= (size_t)(nl - edits) + 1;
        edits = nl + 1;
    }
    return r;
}

/* Whether the n matched bytes at s are written as the entry wants: as its written form, or
 * in capitals throughout (a heading). */
static int case_fits(const struct norm_entry *en, const char *s, size_t n)
{
    size_t i, k;
    uint32_t c;

    if (!(en->flags & EDIT_CASE) || svtext_prefix(s, n, en->b) == n)
        return 1;
    for (i = 0; i < n; i += k) {
        if (!(k = svtext_cp(s, n, i, &c)))
            return 0;
        if (svtext_is_letter(c) && !svtext_is_upper(c))
            return 0;
    }
    return 1;
}

/* A letter or digit at s[i]. */
static int word_char_at(const char *s, size_t n, size_t i)
{
    uint32_t c;

    return svtext_cp(s, n, i, &c) && (svtext_is_letter(c) || (c >= '0' && c <= '9'));
}

const struct norm_entry *rules_match_edit(const struct norm_rules *r, const char *s, size_t n,
                                          size_t *used, int *gen)
{
    const struct norm_entry *best = NULL;
    size_t i, k;
    int g;

    for (i = 0; r && i < r->nedits; i++) {
        const struct norm_entry *en = &r->edits[i];
        if (!(k = svtext_fold_prefix(s, n, en->key)) || !case_fits(en, s, k))
            continue;
        g = k < n && s[k] == 's' && !word_char_at(s, n, k + 1);
        if ((word_char_at(s, n, k) && !g) || (best && k + (size_t)g <= *used))
            continue;
        best = en, *used = k + (size_t)g, *gen = g;
    }
    return best;
}
