/* normalize_word.c -- says what starts with a letter: abbreviations from abbreviations.tsv
 * ("t.ex." -> "till exempel", weekdays, "mån–fre" -> "måndag till fredag"), Roman numerals
 * ("Karl XII:s" -> "Karl den tolftes", "etapp II" -> "etapp två"), acronyms spelled or said
 * as words (acronyms.tsv, else by their shape), and words from the pronunciation lexicon as
 * espeak-ng phonemes when asked to; the editors' lexicon before all of them. Everything else is
 * copied as written. Thread-safe. */
#include <string.h>

#include "base/base.h"
#include "normalize_addr.h"
#include "normalize_scan.h"
#include "normalize_token.h"

#include "banned.h"

static const char *const roman_after[] = {
    "etapp", "del", "fas",  "steg",  "kapitel", "avsnitt",  "bilaga", "nivå",
    "typ",   "akt", "band", "volym", "klass",   "division", "omgång", NULL};
static const char *const letter_names[] = {
    "a",   "be", "se", "de", "e",   "eff", "ge", "hå", "i",  "ji",       "kå", "ell", "emm",
    "enn", "o",  "pe", "ku", "ärr", "ess", "te", "u",  "ve", "dubbelve", "ex", "y",   "säta"};

static int is_day_entry(const struct norm_entry *ab)
{
    return ab && (ab->flags & ABBR_DAY);
}

/* A weekday or month, written out or abbreviated, at i: its length, else 0. */
static size_t day_word(const struct scan *sc, size_t i)
{
    size_t n = svtext_word_len(sc->s, sc->len, i), used = 0;
    int m;

    if (!n)
        return 0;
    if (sv_is_day_name(sc->s + i, n))
        return n;
    m = sv_month_parse(sc->s + i, sc->len - i, &used);
    if (m && used == n && strlen(sv_month_name(m)) == n)
        return n;
    return is_day_entry(rules_match_abbr(sc->rules, sc->s + i, sc->len - i, &used)) ? used : 0;
}

/* After a day or month ending at end: "–" and another one is said "till". */
static size_t day_range(struct scan *sc, size_t end)
{
    size_t p = scan_skip_space(sc, end), dk = scan_dash(sc, p), q;

    if (!dk)
        return 0;
    q = scan_skip_space(sc, p + dk);
    if (!day_word(sc, q))
        return 0;
    scan_say(sc, p, dk, "till", 4);
    return q - end;
}

/* "mån" is also a word ("i mån av plats"): a weekday only among days and times. */
static int day_context(const struct scan *sc, size_t i, size_t end)
{
    static const char *const och[] = {"och", "kl", "klockan", NULL};
    size_t p = scan_skip_space(sc, end), n = svtext_word_len(sc->s, sc->len, p);
    uint32_t c = 0;
    size_t k;

    if (p == sc->len || scan_dash(sc, p) || strchr(",.:;", sc->s[p]) ||
        (sc->s[p] >= '0' && sc->s[p] <= '9') || scan_word_in(sc, p, n, och))
        return 1;
    while ((k = svtext_cp_before(sc->s, i, &c)) && svtext_is_space(c))
        i -= k;
    return k && svtext_is_dash(c);
}

/* A plural noun by its ending ("kostnader", "frågor", "ändringar"); verbs end in "-ar" and
 * "-er" too, so only endings that verbs do not have count. */
static int plural_noun(const char *s, size_t n)
{
    static const char *const ends[] = {"or",    "ader",  "ngar", "heter", "ioner", "ifter",
                                       "ärder", "nkter", "arer", "ärer",  "iker",  NULL};
    const char *const *e;
    size_t k;

    for (e = ends; n >= 5 && *e; e++)
        if ((k = strlen(*e)) < n && !memcmp(s + n - k, *e, k))
            return 1;
    return 0;
}

/* The form of an ABBR_AGREE word ("eventuellt") that agrees with the word at p: "-a" before
 * a plural, without its "t" before an "en" noun, as listed otherwise. */
static void agree(const struct scan *sc, size_t p, const char *spoken, struct words *w)
{
    size_t n = svtext_word_len(sc->s, sc->len, p);
    int g = n ? rules_noun_gender(sc->rules, sc->s + p, n) : -1;

    words_reset(w);
    words_add(w, spoken);
    if (!n || w->n < 2 || w->b[w->n - 1] != 't')
        return;
    if (plural_noun(sc->s + p, n)) {
        w->b[--w->n] = '\0';
        words_glue(w, "a");
    } else if (g == SV_EN) {
        w->b[--w->n] = '\0';
    }
}

/* "i mån av", "i möjligaste mån", "i den mån": "mån" after "i" and at most two words is the
 * noun, never Monday; "i mån–fre" is still a range of days. */
static int in_man_phrase(const struct scan *sc, size_t i, size_t end)
{
    static const char *const i_word[] = {"i", NULL};
    size_t at = i, n;
    int words;

    if (scan_dash(sc, scan_skip_space(sc, end)))
        return 0;
    for (words = 0; words < 3; words++) {
        at = scan_prev_word(sc, at, &n);
        if (!n || (at + n < sc->len && sc->s[at + n] == '.'))
            return 0;
        if (scan_word_in(sc, at, n, i_word))
            return 1;
    }
    return 0;
}

static size_t abbreviation(struct scan *sc, size_t i)
{
    const struct norm_entry *ab;
    size_t used = 0, p;

    ab = rules_match_abbr(sc->rules, sc->s + i, sc->len - i, &used);
    if (!ab)
        return 0;
    p = scan_skip_space(sc, i + used);
    if ((ab->flags & ABBR_NUM) && !(p < sc->len && sc->s[p] >= '0' && sc->s[p] <= '9'))
        return 0;
    if ((ab->flags & ABBR_CTX) && (!day_context(sc, i, i + used) || in_man_phrase(sc, i, i + used)))
        return 0;
    if (ab->flags & ABBR_AGREE) {
        struct words w;
        agree(sc, p, ab->a, &w);
        scan_say_words(sc, i, used, &w);
    } else {
        scan_say(sc, i, used, ab->a, strlen(ab->a));
    }
    if (ab->flags & ABBR_DAY) {
        p = day_range(sc, i + used);
        if (p)
            return used + p;
    }
    scan_period_after(sc, i + used);
    return used;
}

static int roman_value(const char *s, size_t n)
{
    static const char digits[] = "IVXLCDM";
    static const int values[] = {1, 5, 10, 50, 100, 500, 1000};
    int total = 0, v, next;
    size_t j;
    const char *d;

    for (j = 0; j < n; j++) {
        d = memchr(digits, s[j], 7);
        if (!d)
            return 0;
        v = values[d - digits];
        d = j + 1 < n ? memchr(digits, s[j + 1], 7) : NULL;
        next = d ? values[d - digits] : 0;
        total += v < next ? -v : v;
    }
    return total;
}

/* The value is right only when writing it back gives the same letters: "IIII" is no numeral. */
static int roman_canonical(const char *s, size_t n, int v)
{
    static const char *const th[] = {"", "M", "MM", "MMM"};
    static const char *const hu[] = {"", "C", "CC", "CCC", "CD", "D", "DC", "DCC", "DCCC", "CM"};
    static const char *const te[] = {"", "X", "XX", "XXX", "XL", "L", "LX", "LXX", "LXXX", "XC"};
    static const char *const on[] = {"", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX"};
    struct words w;

    if (v < 1 || v > 3999)
        return 0;
    words_reset(&w);
    words_glue(&w, th[v / 1000]), words_glue(&w, hu[v / 100 % 10]);
    words_glue(&w, te[v / 10 % 10]), words_glue(&w, on[v % 10]);
    return w.n == n && !memcmp(w.b, s, n);
}

static int only_ivx(const char *s, size_t n)
{
    while (n--)
        if (!memchr("IVX", *s++, 3))
            return 0;
    return 1;
}

static size_t roman(struct scan *sc, size_t i, size_t n)
{
    const struct norm_entry *king;
    size_t pn, at = scan_prev_word(sc, i, &pn), gen;
    int v = roman_value(sc->s + i, n);
    struct words w;

    if (!roman_canonical(sc->s + i, n, v) || sc->shouting)
        return 0;
    king = at + pn <= i && !(at + pn < i && sc->s[at + pn] == '.')
               ? rules_find_regnal(sc->rules, sc->s + at, pn)
               : NULL;
    words_reset(&w);
    if (king) {
        gen = i + n + 1 < sc->len && sc->s[i + n] == ':' && sc->s[i + n + 1] == 's' &&
                      !svtext_word_len(sc->s, sc->len, i + n + 2)
                  ? 2
                  : 0;
        words_add(&w, "den");
        sv_ordinal(&w, (uint64_t)v, king->gender == SV_EN);
        if (gen)
            words_glue(&w, "s");
        scan_say_words(sc, i, n + gen, &w);
        return n + gen;
    }
    if (!only_ivx(sc->s + i, n) || (n == 1 && !scan_word_in(sc, at, pn, roman_after)))
        return 0;
    sv_cardinal(&w, (uint64_t)v, SV_ETT);
    scan_say_words(sc, i, n, &w);
    return n;
}

static int all_upper(const char *s, size_t n, size_t *letters)
{
    size_t j = 0, k;
    uint32_t c;

    *letters = 0;
    while (j < n && (k = svtext_cp(s, n, j, &c))) {
        if (!svtext_is_upper(c))
            return 0;
        j += k, (*letters)++;
    }
    return 1;
}

static int is_vowel(char c)
{
    return c && strchr("AEIOUY", c);
}

/* Unknown acronyms of four or five letters that alternate consonants and vowels ("NATO",
 * "SIDA") are said as words; shorter ones and clusters ("SMHI", "OECD") are spelled. */
static int pronounceable(const char *s, size_t n)
{
    size_t j, run = 0;

    if (n < 4 || n > 5)
        return 0;
    for (j = 0; j < n; j++) {
        if ((unsigned char)s[j] >= 0x80)
            return 0;
        if (is_vowel(s[j])) {
            if (j && is_vowel(s[j - 1]))
                return 0;
            run = 0;
        } else if (++run > (j == 0 || j == n - 1 ? 1u : 2u)) {
            return 0;
        }
    }
    return 1;
}

/* Spells the n bytes at s: "SKL" -> "s k l"; a genitive adds s to the last letter's name. */
static void spell(struct words *w, const char *s, size_t n, int genitive)
{
    size_t j = 0, k;
    char low[4];
    uint32_t c;

    while (j < n && (k = svtext_cp(s, n, j, &c))) {
        svtext_fold(s + j, k, low);
        if (genitive && j + k == n && c >= 'A' && c <= 'Z')
            words_add(w, letter_names[c - 'A']);
        else
            words_add(w, ""), words_addn(w, low, k);
        j += k;
    }
    if (genitive && w->n && w->b[w->n - 1] != 's')
        words_glue(w, "s"); /* "KS:s" is "k ess", not "k esss" */
}

static size_t genitive_at(const struct scan *sc, size_t end)
{
    return end + 1 < sc->len && sc->s[end] == ':' && sc->s[end + 1] == 's' &&
                   !svtext_word_len(sc->s, sc->len, end + 2)
               ? 2
               : 0;
}

/* Says the acronym of n bytes at i as its kind says: spelled, as a word, or as the text
 * given (ACRO_SAY); a genitive ":s" after it goes with it. */
static size_t say_acronym(struct scan *sc, size_t i, size_t n, int kind, const char *text)
{
    size_t gen = genitive_at(sc, i + n);
    struct words w;

    words_reset(&w);
    if (kind == ACRO_SPELL) {
        spell(&w, sc->s + i, n, gen != 0);
    } else {
        if (kind == ACRO_SAY)
            words_add(&w, text);
        else
            svtext_fold(sc->s + i, n, w.b), w.n = n, w.b[n] = '\0';
        if (gen)
            words_glue(&w, "s");
    }
    scan_say_words(sc, i, n + gen, &w);
    return n + gen;
}

static size_t acronym(struct scan *sc, size_t i, size_t n)
{
    const struct norm_entry *ac = rules_find_acronym(sc->rules, sc->s + i, n);
    size_t letters;
    int kind;

    if (ac)
        return say_acronym(sc, i, n, ac->kind, ac->a);
    if (n > 48 || !all_upper(sc->s + i, n, &letters) || letters < 2)
        return 0;
    if (!sc->shouting && letters >= 6)
        return 0;
    kind = sc->shouting || pronounceable(sc->s + i, n) ? ACRO_WORD : ACRO_SPELL;
    return say_acronym(sc, i, n, kind, NULL);
}

/* Whether the word at i stands where a law is named: right after "§", "(" or "kap." ("13 §
 * KL", "(KL)"), after a number that is itself in a reference ("9 § 8 LSS", "3:1 MB"; "10 MB"
 * is a file's size), or after a word that leads to a law ("enligt KL", "första stycket KL"). */
static int law_reference(const struct scan *sc, size_t i)
{
    static const char *const lead[] = {
        "kap", "st",      "p",       "enligt",   "enl",        "jfr",      "se",
        "i",   "och",     "samt",    "eller",    "av",         "mot",      "f",
        "ff",  "stycket", "punkten", "meningen", "paragrafen", "kapitlet", NULL};
    static const char *const ref_lead[] = {"kap", "st", "p", "stycket", "punkten", NULL};
    size_t q = i, k, n, at;
    uint32_t c = 0;
    int colon = 0;

    while ((k = svtext_cp_before(sc->s, q, &c)) && svtext_is_space(c))
        q -= k;
    if (!k)
        return 0;
    if (c == '(' || c == 0xA7)
        return 1;
    if (c >= '0' && c <= '9') {
        while (q && ((sc->s[q - 1] >= '0' && sc->s[q - 1] <= '9') || sc->s[q - 1] == ':'))
            colon |= sc->s[--q] == ':';
        while ((k = svtext_cp_before(sc->s, q, &c)) && svtext_is_space(c))
            q -= k;
        at = scan_prev_word(sc, q, &n);
        return colon || (k && c == 0xA7) || scan_word_in(sc, at, n, ref_lead);
    }
    at = scan_prev_word(sc, i, &n);
    return scan_word_in(sc, at, n, lead);
}

/* A law's abbreviation (laws.tsv): "13 § KL" is "trettonde paragrafen kommunallagen". */
static size_t law(struct scan *sc, size_t i, size_t n)
{
    const struct norm_entry *lw = rules_find_law(sc->rules, sc->s + i, n);

    if (!lw || ((lw->flags & LAW_REF) && !law_reference(sc, i)))
        return 0;
    return say_acronym(sc, i, n, lw->kind, lw->a);
}

/* Initials ("U.P.", "F.A.I.", as rulings name the parties): the letters, spelled, without
 * their full stops; the last one ends the sentence only before a capital. "F.J:s" is their
 * genitive ("f jis"). */
static size_t initials(struct scan *sc, size_t i)
{
    char letters[64];
    size_t p = i, k, n = 0, count = 0, gen = 0;
    uint32_t c;
    struct words w;

    while ((k = svtext_cp(sc->s, sc->len, p, &c)) && svtext_is_upper(c) && p + k < sc->len &&
           sc->s[p + k] == '.' && n + k < sizeof(letters)) {
        memcpy(letters + n, sc->s + p, k);
        n += k, p += k + 1, count++;
    }
    if (count && k && svtext_is_upper(c) && (gen = genitive_at(sc, p + k)) &&
        n + k < sizeof(letters)) {
        memcpy(letters + n, sc->s + p, k); /* "F.J:s" */
        n += k, p += k + gen, count++;
    }
    if (count < 2 || svtext_word_len(sc->s, sc->len, p))
        return 0;
    words_reset(&w);
    spell(&w, letters, n, gen != 0);
    scan_say_words(sc, i, p - i, &w);
    if (!gen)
        scan_period_after(sc, p);
    return p - i;
}

/* Words espeak-ng stresses wrongly, said as [[phonemes]]; a genitive s is kept. */
static size_t lexicon(struct scan *sc, size_t i, size_t n)
{
    const struct norm_entry *lx;
    struct words w;
    int gen = 0;

    if (!(sc->flags & NORMALIZE_PHONEMES))
        return 0;
    lx = rules_find_lexicon(sc->rules, sc->s + i, n);
    if (!lx && n > 3 && sc->s[i + n - 1] == 's')
        lx = rules_find_lexicon(sc->rules, sc->s + i, n - 1), gen = 1;
    if (!lx)
        return 0;
    words_reset(&w);
    words_glue(&w, "[[");
    words_glue(&w, lx->a);
    words_glue(&w, gen ? "s]]" : "]]");
    if (sc->out->text.len && sc->out->text.data[sc->out->text.len - 1] == '[')
        scan_say(sc, i, 0, " ", 1);
    scan_say_words(sc, i, n, &w);
    return n;
}

/* The editors' lexicon, above every other rule: a respelling is said as written there, and
 * phonemes as [[phonemes]] when asked for; a genitive s is kept. */
static size_t edited(struct scan *sc, size_t i)
{
    const struct norm_entry *ed;
    struct words w;
    size_t used = 0;
    int gen = 0;

    ed = rules_match_edit(sc->rules, sc->s + i, sc->len - i, &used, &gen);
    if (!ed || (ed->kind == EDIT_PHONEMES && !(sc->flags & NORMALIZE_PHONEMES)))
        return 0;
    words_reset(&w);
    words_glue(&w, ed->kind == EDIT_PHONEMES ? "[[" : "");
    words_glue(&w, ed->a);
    words_glue(&w, gen ? "s" : "");
    words_glue(&w, ed->kind == EDIT_PHONEMES ? "]]" : "");
    if (sc->out->text.len && sc->out->text.data[sc->out->text.len - 1] == '[')
        scan_say(sc, i, 0, " ", 1);
    scan_say_words(sc, i, used, &w);
    return used;
}

size_t norm_word(struct scan *sc, size_t i)
{
    size_t n = svtext_word_len(sc->s, sc->len, i), k;

    if ((k = edited(sc, i)) || (k = norm_web(sc, i)) || (k = law(sc, i, n)) ||
        (k = abbreviation(sc, i)) || (k = initials(sc, i)) || (k = roman(sc, i, n)) ||
        (k = acronym(sc, i, n)) || (k = lexicon(sc, i, n)))
        return k;
    scan_copy(sc, i, n);
    if (day_word(sc, i) == n)
        n += day_range(sc, i + n);
    return n;
}
