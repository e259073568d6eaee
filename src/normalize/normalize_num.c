/* normalize_num.c -- says what starts with a digit: identity and organisation numbers digit
 * by digit, ranges ("8–16", "24–26 december", "13.15–15.45") with "till", and a number's
 * company after it: units with agreement ("1 kr" -> "en krona"), "49:-", öre, "§", "kap.",
 * "2013/0123", "Ösmo 1:2", "skala 1:500", "1 1/2". Items are parsed in normalize_items.c;
 * phone numbers and signs are in normalize_phone.c. Thread-safe. */
#include <string.h>

#include "base/base.h"
#include "normalize_addr.h"
#include "normalize_items.h"
#include "normalize_num.h"

#include "banned.h"

static const char *const clock_words[] = {"kl", "klockan", NULL};

/* "212000-0159", "19121212-1212", "121212+1212": digit by digit, the dash as a pause. */
static size_t id_number(struct scan *sc, size_t i)
{
    size_t a = svtext_digits_len(sc->s, sc->len, i), p = i + a;
    struct words w;

    if ((a != 6 && a != 8) || p + 5 > sc->len || (sc->s[p] != '-' && sc->s[p] != '+') ||
        svtext_digits_len(sc->s, sc->len, p + 1) != 4)
        return 0;
    words_reset(&w);
    sv_digits(&w, sc->s + i, a);
    words_glue(&w, ",");
    sv_digits(&w, sc->s + p + 1, 4);
    scan_say_words(sc, i, p + 5 - i, &w);
    return p + 5 - i;
}

/* A word of one to four capitals ("P", "MÖD"): a court's or an office's letters. */
static int case_letters(const struct scan *sc, size_t at, size_t n)
{
    size_t j = at, k, letters = 0;
    uint32_t c;

    while (j < at + n && (k = svtext_cp(sc->s, at + n, j, &c)) && svtext_is_upper(c))
        j += k, letters++;
    return j == at + n && letters >= 1 && letters <= 4;
}

/* A case number after its letters: "Mål nr P 5876-18", "T 3592-13", "MÖD M 293-22" are the
 * case's number, a dash ("streck") and its year, not a range nor a subtraction. */
static size_t case_number(struct scan *sc, size_t i)
{
    static const char *const lead[] = {"mål", "målnr", "nr", "målnummer", NULL};
    size_t a = svtext_digits_len(sc->s, sc->len, i), dk = scan_dash(sc, i + a), y, n, at;
    struct num first;
    struct words w;
    int year;

    if (a < 1 || a > 5 || !dk || svtext_digits_len(sc->s, sc->len, i + a + dk) != 2)
        return 0;
    y = i + a + dk + 2;
    year = (sc->s[y - 2] - '0') * 10 + sc->s[y - 1] - '0';
    if (y < sc->len && (svtext_word_len(sc->s, sc->len, y) || scan_dash(sc, y) ||
                        (sc->s[y] >= '0' && sc->s[y] <= '9')))
        return 0; /* "2016-05-24" is a date */
    at = scan_prev_word(sc, i, &n);
    if (!n || at + n >= i || sc->s[at + n] != ' ' ||
        !(case_letters(sc, at, n) || scan_word_in(sc, at, n, lead)))
        return 0;
    items_parse_num(sc, i, &first);
    if (first.value < 100 && first.value < (uint64_t)year)
        return 0; /* "ÅK 7-9" is a range */
    words_reset(&w);
    items_say_num(&w, &first, SV_ETT, sc);
    words_add(&w, "streck");
    if (year < 10)
        sv_digits(&w, sc->s + y - 2, 2); /* "-09": "noll nio" */
    else
        sv_cardinal(&w, (uint64_t)year, SV_ETT);
    scan_say_words(sc, i, y - i, &w);
    return y - i;
}

/* The value of a number item, decimals included, for comparing the ends of a range. */
static double approx(const struct scan *sc, const struct item *it)
{
    double v = (double)it->n.value, f = 0.1;
    size_t k;

    if (it->kind == IT_TIME)
        return it->h + it->min / 60.0;
    for (k = 0; k < it->n.dec_len; k++, f /= 10)
        v += f * (sc->s[it->n.dec_at + k] - '0');
    return v;
}

static int small_int(const struct item *it, int max)
{
    return it->kind == IT_NUM && !it->n.dec_len && !it->n.grouped && !it->n.lead0 &&
           it->n.value <= (uint64_t)max;
}

/* Whether a, a dash and b are a range; a may be re-read to fit b ("24" before "26 dec"). */
static int range_fits(const struct scan *sc, struct item *a, const struct item *b)
{
    if (a->kind == b->kind && (a->kind == IT_DATE || a->kind == IT_TIME || a->kind == IT_ORD))
        return 1;
    if (b->kind == IT_DATE && small_int(a, 31) && a->n.value >= 1) {
        a->kind = IT_ORD;
        return 1;
    }
    if ((a->kind == IT_TIME && small_int(b, 24)) || (b->kind == IT_TIME && small_int(a, 24)))
        return 1;
    return a->kind == IT_NUM && b->kind == IT_NUM && !a->n.lead0 && !b->n.lead0 &&
           approx(sc, b) > approx(sc, a);
}

enum tail_kind {
    TL_NONE,
    TL_UNIT,
    TL_KR,
    TL_PARA,
    TL_PARAS,
    TL_CHAPTER,
    TL_STYCKE,
    TL_PUNKT,
    TL_SLASH,
    TL_COLON,
    TL_DOT,
    TL_FRAC,
    TL_SUFFIX,
    TL_LETTER,  /* "4 a" in a list of paragraphs, "§ 18 g" */
    TL_FOLLOW,  /* "s. 12 f.", "s. 12 ff." */
    TL_SESSION, /* "2012/13", a parliament's or school's year, and ":187" after it */
    TL_LAWREF   /* "2:2 PBL": chapter 2, section 2 */
};

/* What follows a plain number and changes how it is said. */
struct tail {
    enum tail_kind kind;
    size_t end;
    const struct norm_entry *unit, *per; /* TL_UNIT: "km", and "h" of "km/h" */
    struct num other;                    /* TL_SLASH, TL_COLON: the number after */
    int fa, fb;                          /* TL_FRAC */
    int period;                          /* ends in an abbreviation's '.' */
    char letter;                         /* "3 a §": the letter between number and § */
    int many;                            /* TL_FOLLOW: "ff.", the following pages */
    size_t at;                           /* TL_SESSION: where ":187" starts, or 0 */
    struct num third;                    /* TL_SESSION: 187 */
};

static int unit_tail(const struct scan *sc, size_t p, struct tail *t)
{
    size_t used = 0, used2 = 0;

    t->unit = rules_match_unit(sc->rules, sc->s + p, sc->len - p, &used);
    if (!t->unit)
        return 0;
    t->kind = TL_UNIT;
    t->end = p + used;
    if (t->end + 1 < sc->len && sc->s[t->end] == '/') {
        t->per = rules_match_unit(sc->rules, sc->s + t->end + 1, sc->len - t->end - 1, &used2);
        if (t->per)
            t->end += 1 + used2;
    }
    t->period = sc->s[t->end - 1] == '.';
    return 1;
}

/* "kap." or "kap" as a whole word at p: its length, else 0. */
static size_t chapter_word(const struct scan *sc, size_t p, int *period)
{
    if (!svtext_prefix(sc->s + p, sc->len - p, "kap") || svtext_word_len(sc->s, sc->len, p) != 3)
        return 0;
    *period = p + 3 < sc->len && sc->s[p + 3] == '.';
    return 3 + (size_t)*period;
}

/* A lone small letter at p ("a" of "3 a §"): 1, else 0. */
static int lone_letter(const struct scan *sc, size_t p)
{
    return p < sc->len && sc->s[p] >= 'a' && sc->s[p] <= 'z' &&
           !svtext_word_len(sc->s, sc->len, p + 1) && !(p + 1 < sc->len && sc->s[p + 1] == '.');
}

static int symbol_tail(const struct scan *sc, size_t p, struct tail *t)
{
    size_t k, q;

    if (lone_letter(sc, p) && (q = scan_skip_space(sc, p + 1)) > p + 1 &&
        (svtext_prefix(sc->s + q, sc->len - q, "§") || chapter_word(sc, q, &t->period))) {
        t->letter = sc->s[p]; /* "3 a §", a paragraph inserted after 3 § */
        p = q;
    }
    if ((k = svtext_prefix(sc->s + p, sc->len - p, "§§")))
        t->kind = TL_PARAS;
    else if ((k = svtext_prefix(sc->s + p, sc->len - p, "§")))
        t->kind = TL_PARA;
    else if ((k = chapter_word(sc, p, &t->period)))
        t->kind = TL_CHAPTER;
    else
        return 0;
    t->end = p + k;
    return 1;
}

/* Whether the list of numbers from p ("6, 8 och 9 §§", ", 4 a och 6–9 §§") ends in "§§":
 * its numbers are paragraphs, said as ordinals. */
static int ends_in_paragraphs(const struct scan *sc, size_t p)
{
    static const char *const joins[] = {"och", "eller", "samt", NULL};
    size_t q, k, n;
    int items;

    for (items = 0; items < 16; items++) {
        q = scan_skip_space(sc, p);
        if (lone_letter(sc, q))
            q = scan_skip_space(sc, q + 1);
        if (svtext_prefix(sc->s + q, sc->len - q, "§§"))
            return 1;
        n = svtext_word_len(sc->s, sc->len, q);
        if (q < sc->len && sc->s[q] == ',')
            q++;
        else if ((k = scan_dash(sc, q)))
            q += k;
        else if (scan_word_in(sc, q, n, joins))
            q += n;
        else
            return 0;
        q = scan_skip_space(sc, q);
        k = svtext_digits_len(sc->s, sc->len, q);
        if (!k || k > 3)
            return 0;
        p = q + k;
    }
    return 0;
}

/* A letter after a paragraph's number where "§" is not written after it: "§ 18 g",
 * "4 kap. 18 c", "4 a och 6 §§". Elsewhere "18 g" is grams. */
static int letter_tail(const struct scan *sc, const struct item *it, size_t q, struct tail *t)
{
    size_t b = it->start, k;
    uint32_t c = 0;
    int after_ref, period, dot;

    if (q == it->end || q >= sc->len || sc->s[q] < 'a' || sc->s[q] > 'z' ||
        svtext_word_len(sc->s, sc->len, q + 1))
        return 0;
    while ((k = svtext_cp_before(sc->s, b, &c)) && svtext_is_space(c))
        b -= k;
    after_ref = c == 0xA7 || (b >= 4 && chapter_word(sc, b - 4, &period) == 4) ||
                (b >= 3 && chapter_word(sc, b - 3, &period) == 3);
    dot = q + 1 < sc->len && sc->s[q + 1] == '.'; /* "enligt 4 kap. 18 c." */
    if (!(after_ref || (!dot && ends_in_paragraphs(sc, q + 1))))
        return 0;
    t->kind = TL_LETTER;
    t->letter = sc->s[q];
    t->period = dot;
    t->end = q + 1 + (size_t)dot;
    return 1;
}

/* "s. 12 f." and "s. 12 ff.": the page and the one or ones after it ("f. Kr." is a year). */
static int follow_tail(const struct scan *sc, const struct item *it, size_t q, struct tail *t)
{
    size_t k = svtext_prefix(sc->s + q, sc->len - q, "ff.");
    size_t r;

    if (!k)
        k = svtext_prefix(sc->s + q, sc->len - q, "f.");
    if (!k || q == it->end)
        return 0;
    r = scan_skip_space(sc, q + k);
    if ((q + k < sc->len && sc->s[q + k] != ' ' && !strchr(",;)", sc->s[q + k])) ||
        svtext_prefix(sc->s + r, sc->len - r, "Kr"))
        return 0;
    t->kind = TL_FOLLOW;
    t->many = k == 3;
    t->end = q + k;
    t->period = 1;
    return 1;
}

/* Whether the number at i stands in a law or decision reference: right after "§" or "kap."
 * ("5 § 2 st."), or after a word that introduces one ("enligt 2 st."). */
static int in_reference(const struct scan *sc, size_t i)
{
    static const char *const lead[] = {"enligt", "jfr", "se", NULL};
    size_t n, at = scan_prev_word(sc, i, &n);
    size_t q = i;

    while (q > 0 && sc->s[q - 1] == ' ')
        q--;
    if (q >= 2 && !memcmp(sc->s + q - 2, "§", 2))
        return 1;
    if (q >= 4 && (!memcmp(sc->s + q - 4, "kap.", 4) || !memcmp(sc->s + q - 3, "st.", 3)))
        return 1;
    return scan_word_in(sc, at, n, lead);
}

/* "3 st." and "2 p." in a reference: the third paragraph of a section ("tredje stycket"),
 * its second point ("andra punkten"). Elsewhere "st." counts pieces (units.tsv). */
static int reference_tail(const struct scan *sc, const struct item *it, size_t q, struct tail *t)
{
    size_t k, r, d;
    int st = (k = svtext_prefix(sc->s + q, sc->len - q, "st.")) != 0;

    if (!st && !(k = svtext_prefix(sc->s + q, sc->len - q, "p.")))
        return 0;
    if (q + k < sc->len && sc->s[q + k] != ' ' && sc->s[q + k] != ',' && sc->s[q + k] != ')')
        return 0;
    r = scan_skip_space(sc, q + k);
    d = svtext_digits_len(sc->s, sc->len, r);
    if (!in_reference(sc, it->start) &&
        !(st && d && svtext_prefix(sc->s + r + d, sc->len - r - d, " p."))) /* "3 st. 2 p." */
        return 0;
    t->kind = st ? TL_STYCKE : TL_PUNKT;
    t->end = q + k;
    t->period = 1;
    return 1;
}

/* "2012/13": a year and the next one's last two digits, a parliament's or a school's year,
 * said without the slash ("läsåret tjugofyra tjugofem"); ":187" after it is a number in that
 * year's series ("prop. 2012/13:187"). */
static int session_tail(const struct scan *sc, const struct item *it, struct tail *t)
{
    static const char *const numbered[] = {"dnr", "nr", "diarienummer", "ärendenummer", NULL};
    size_t p = t->other.end, n, at = scan_prev_word(sc, it->start, &n);

    if (sc->s[it->end] != '/' || it->n.ndig != 4 || t->other.ndig != 2 || it->n.dec_len ||
        t->other.dec_len || t->other.value != (it->n.value + 1) % 100 ||
        scan_word_in(sc, at, n, numbered) || (n && case_letters(sc, at, n)))
        return 0; /* "Dnr KS 2019/20" is the 20th case of 2019 */
    t->kind = TL_SESSION;
    if (p + 1 < sc->len && sc->s[p] == ':') {
        t->at = p;
        t->end = p + 1;
        if (items_parse_num(sc, p + 1, &t->third) && !t->third.grouped)
            t->end = t->third.end;
    }
    return 1;
}

/* "2:2 PBL", "3:1 MB": chapter and section of the law named after them. */
static int lawref_tail(const struct scan *sc, const struct item *it, struct tail *t)
{
    size_t q = scan_skip_space(sc, t->other.end);

    if (sc->s[it->end] != ':' || q == t->other.end || it->n.value > 60 || it->n.ndig > 2 ||
        t->other.ndig > 3 || t->other.lead0 || it->n.dec_len || t->other.dec_len ||
        !rules_find_law(sc->rules, sc->s + q, svtext_word_len(sc->s, sc->len, q)))
        return 0;
    t->kind = TL_LAWREF;
    return 1;
}

/* "/0123", ":338" and ".5" after a number: "snedstreck", "kolon", "punkt"; "2.3.1", a
 * section three levels down, is "två punkt tre punkt ett" (never a sentence's end). */
static int pair_tail(const struct scan *sc, const struct item *it, struct tail *t)
{
    size_t p = it->end;
    struct num next;

    if (p + 1 >= sc->len || !strchr("/:.", sc->s[p]) || !sc->s[p] ||
        !items_parse_num(sc, p + 1, &t->other) || t->other.grouped)
        return 0;
    t->kind = sc->s[p] == '/' ? TL_SLASH : sc->s[p] == ':' ? TL_COLON : TL_DOT;
    t->end = t->other.end;
    if (session_tail(sc, it, t) || lawref_tail(sc, it, t))
        return 1;
    while (t->kind == TL_DOT && t->end + 1 < sc->len && sc->s[t->end] == '.' &&
           items_parse_num(sc, t->end + 1, &next) && !next.grouped && next.ndig <= 3)
        t->end = next.end;
    return 1;
}

/* "20-åring", "1700-talet": the number and the word are one word. */
static int suffix_tail(const struct scan *sc, const struct item *it, struct tail *t)
{
    size_t p = it->end, n;
    uint32_t c;

    if (p + 2 > sc->len || sc->s[p] != '-' || !svtext_cp(sc->s, sc->len, p + 1, &c) ||
        !svtext_is_letter(c) || svtext_is_upper(c))
        return 0;
    n = svtext_word_len(sc->s, sc->len, p + 1);
    t->kind = TL_SUFFIX;
    t->end = p + 1 + n;
    return 1;
}

static void parse_tail(const struct scan *sc, const struct item *it, struct tail *t)
{
    size_t p = it->end, q = scan_skip_space(sc, p), k;

    memset(t, 0, sizeof(*t));
    t->end = p;
    if (it->kind != IT_NUM)
        return;
    if (p + 2 <= sc->len && !memcmp(sc->s + p, ":-", 2)) {
        t->kind = TL_KR, t->end = p + 2;
        return;
    }
    if (pair_tail(sc, it, t) || suffix_tail(sc, it, t) || reference_tail(sc, it, q, t) ||
        symbol_tail(sc, q, t) || letter_tail(sc, it, q, t) || follow_tail(sc, it, q, t) ||
        unit_tail(sc, q, t))
        return;
    if (!it->n.dec_len && (q == p + 1 || q == p) && q < sc->len &&
        (k = svtext_digits_len(sc->s, sc->len, q)) == 1 && q + k + 1 < sc->len &&
        sc->s[q + k] == '/' && svtext_digits_len(sc->s, sc->len, q + k + 1) == 1) {
        t->fa = sc->s[q] - '0', t->fb = sc->s[q + k + 1] - '0';
        if (t->fa > 0 && t->fa < t->fb)
            t->kind = TL_FRAC, t->end = q + k + 2;
    } else if ((k = items_vulgar(sc, q, &t->fa, &t->fb))) {
        t->kind = TL_FRAC, t->end = q + k;
    }
}

static int is_one(const struct item *it)
{
    return it->kind == IT_NUM && it->n.value == 1 && !it->n.dec_len && !it->n.lead0;
}

/* "12,50 kr" -> "tolv kronor och femtio öre" */
static int say_money(struct words *w, const struct item *it, const struct tail *t,
                     const struct scan *sc)
{
    const char *d;

    if (t->kind != TL_UNIT || t->per || strcmp(t->unit->a, "krona") || it->n.dec_len != 2 ||
        it->kind != IT_NUM)
        return 0;
    d = sc->s + it->n.dec_at;
    if (it->n.value || (d[0] == '0' && d[1] == '0')) {
        struct num whole = it->n;
        whole.dec_len = 0;
        items_say_num(w, &whole, SV_EN, sc);
        words_add(w, it->n.value == 1 ? "krona" : "kronor");
    }
    if (d[0] != '0' || d[1] != '0') {
        if (it->n.value)
            words_add(w, "och");
        sv_cardinal(w, (uint64_t)((d[0] - '0') * 10 + d[1] - '0'), SV_ETT);
        words_add(w, "öre");
    }
    return 1;
}

/* "skala 1:500" and "skala 1:500 eller 1:400": a ratio, said with "till". */
static int in_scale(const struct scan *sc, size_t i)
{
    size_t from = i > 40 ? i - 40 : 0, p;

    for (p = from; p + 5 <= i; p++)
        if (svtext_fold_prefix(sc->s + p, i - p, "skala"))
            return 1;
    return 0;
}

/* ".3.1" after "2": each part after "punkt". */
static void say_section(struct words *w, size_t p, size_t end, const struct scan *sc)
{
    struct num part;

    while (p < end && sc->s[p] == '.' && items_parse_num(sc, p + 1, &part)) {
        words_add(w, "punkt");
        items_say_num(w, &part, SV_ETT, sc);
        p = part.end;
    }
}

static void say_suffix(struct words *w, const struct item *last, int range, const struct tail *t,
                       enum sv_gender g, const struct scan *sc)
{
    switch (t->kind) {
    case TL_UNIT:
        words_add(w, is_one(last) && !range ? t->unit->a : t->unit->b);
        if (t->per)
            words_add(w, "per"), words_add(w, t->per->a);
        break;
    case TL_KR:
        words_add(w, is_one(last) && !range ? "krona" : "kronor");
        break;
    case TL_SLASH:
        words_add(w, "snedstreck"), items_say_num(w, &t->other, SV_ETT, sc);
        break;
    case TL_DOT:
        say_section(w, last->end, t->end, sc);
        break;
    case TL_LETTER:
        words_add(w, "");
        words_addn(w, &t->letter, 1);
        break;
    case TL_FOLLOW:
        words_add(w, t->many ? "och följande sidor" : "och följande sida");
        break;
    case TL_SESSION:
        items_say_num(w, &t->other, SV_ETT, sc);
        if (t->at)
            words_add(w, "kolon");
        if (t->third.end)
            items_say_num(w, &t->third, SV_ETT, sc);
        break;
    case TL_SUFFIX:
        words_addn(w, sc->s + last->end + 1, t->end - last->end - 1);
        break;
    case TL_COLON:
    case TL_LAWREF:
        words_add(w, in_scale(sc, last->start) ? "till" : "kolon");
        items_say_num(w, &t->other, SV_ETT, sc);
        break;
    case TL_FRAC:
        words_add(w, "och");
        items_say_frac(w, t->fa, t->fb, g);
        break;
    default:
        break;
    }
}

/* The words of a reference: after its ordinal ("4 kap. 1 §" is "fjärde kapitlet första
 * paragrafen", as lawyers and clerks read it), or before a number that is not a plain count
 * ("1,5 §": "paragraf en komma fem"). */
static const struct reference {
    enum tail_kind kind;
    const char *after, *before;
} references[] = {
    {TL_PARA, "paragrafen", "paragraf"}, {TL_PARAS, "paragraferna", "paragraferna"},
    {TL_CHAPTER, "kapitlet", "kapitel"}, {TL_STYCKE, "stycket", "stycke"},
    {TL_PUNKT, "punkten", "punkt"},
};

static const struct reference *reference_of(enum tail_kind k)
{
    size_t i;

    for (i = 0; i < sizeof(references) / sizeof(references[0]); i++)
        if (references[i].kind == k)
            return &references[i];
    return NULL;
}

static int plain_small(const struct item *it)
{
    return it->kind == IT_NUM && !it->n.dec_len && !it->n.grouped && !it->n.lead0 &&
           it->n.value > 0 && it->n.value < 1000;
}

/* Says a reference ("12 §", "4 kap.", "12–14 §§", "3 a §"); returns the bytes used. */
static size_t say_reference(struct scan *sc, const struct item *a, size_t dash_at,
                            const struct item *b, const struct tail *t)
{
    const struct item *last = b ? b : a;
    struct words w;
    char letter[2] = {t->letter, 0};

    words_reset(&w);
    if (b) {
        sv_ordinal(&w, a->n.value, 0);
        scan_say_words(sc, a->start, a->end - a->start, &w);
        words_reset(&w);
        words_add(&w, "till");
        scan_say_words(sc, dash_at, b->start - dash_at, &w);
        words_reset(&w);
    }
    if (t->letter) {
        sv_cardinal(&w, last->n.value, SV_ETT);
        words_add(&w, letter);
    } else {
        sv_ordinal(&w, last->n.value, 0);
    }
    words_add(&w, reference_of(t->kind)->after);
    scan_say_words(sc, last->start, t->end - last->start, &w);
    if (t->period)
        scan_period_after(sc, t->end);
    return t->end - a->start;
}

static enum sv_gender gender_for(const struct scan *sc, const struct item *a, const struct tail *t)
{
    size_t n, at = scan_prev_word(sc, a->start, &n);

    if (t->kind == TL_UNIT)
        return t->unit->gender;
    if (t->kind == TL_KR)
        return SV_EN;
    if (t->kind != TL_NONE && t->kind != TL_FRAC)
        return SV_ETT;
    if (scan_word_in(sc, at, n, clock_words))
        return SV_ETT;
    return scan_gender_at(sc, t->end);
}

/* "den" goes before a date unless the text has it already. */
static int wants_den(const struct scan *sc, const struct item *a, const struct item *b)
{
    static const char *const den[] = {"den", NULL};
    size_t n, at;

    if (a->kind != IT_DATE && !(b && b->kind == IT_DATE && a->kind == IT_ORD))
        return 0;
    at = scan_prev_word(sc, a->start, &n);
    return !scan_word_in(sc, at, n, den);
}

/* Numbers said as ordinals with no word after them: the paragraphs of a list that ends in
 * "§§" ("6, 8 och 9 §§": "sjätte, åttonde och nionde paragraferna"), and the chapter and
 * section of "2:2 PBL" ("andra kapitlet andra paragrafen"). 0 when neither. */
static size_t say_ordinals(struct scan *sc, const struct item *a, size_t dash_at,
                           const struct item *b, const struct tail *t)
{
    const struct item *last = b ? b : a;
    struct words w;

    if (!plain_small(a) || (b && !plain_small(b)))
        return 0;
    words_reset(&w);
    if (t->kind == TL_LAWREF && !b) {
        sv_ordinal(&w, a->n.value, 0);
        words_add(&w, "kapitlet");
        sv_ordinal(&w, t->other.value, 0);
        words_add(&w, "paragrafen");
        scan_say_words(sc, a->start, t->end - a->start, &w);
        return t->end - a->start;
    }
    if (t->kind != TL_NONE || !ends_in_paragraphs(sc, last->end))
        return 0;
    sv_ordinal(&w, a->n.value, 0);
    if (b) {
        scan_say_words(sc, a->start, a->end - a->start, &w);
        words_reset(&w);
        words_add(&w, "till");
        scan_say_words(sc, dash_at, b->start - dash_at, &w);
        words_reset(&w);
        sv_ordinal(&w, b->n.value, 0);
    }
    scan_say_words(sc, last->start, last->end - last->start, &w);
    return last->end - a->start;
}

/* Says a (and, for a range, "till" and b) with what follows; returns the bytes used. */
static size_t say_expr(struct scan *sc, struct item *a, size_t dash_at, struct item *b)
{
    const struct item *last = b ? b : a;
    struct words w;
    struct tail t;
    enum sv_gender g;
    const struct reference *ref;
    size_t used;
    int money;

    parse_tail(sc, last, &t);
    ref = reference_of(t.kind);
    if (ref && plain_small(a) && (!b || plain_small(b)))
        return say_reference(sc, a, dash_at, b, &t);
    if ((used = say_ordinals(sc, a, dash_at, b, &t)))
        return used;
    g = gender_for(sc, a, &t);
    words_reset(&w);
    if (ref)
        words_add(&w, ref->before);
    money = !b && say_money(&w, a, &t, sc);
    if (!money)
        items_say(&w, a, g, wants_den(sc, a, b), sc);
    if (b) {
        scan_say_words(sc, a->start, a->end - a->start, &w);
        words_reset(&w);
        words_add(&w, "till");
        scan_say_words(sc, dash_at, b->start - dash_at, &w);
        words_reset(&w);
        money = say_money(&w, b, &t, sc);
        if (!money)
            items_say(&w, b, g, 0, sc);
    }
    if (!money)
        say_suffix(&w, last, b != NULL, &t, g, sc);
    scan_say_words(sc, last->start, t.end - last->start, &w);
    if (t.period || last->period)
        scan_period_after(sc, t.end);
    return t.end - a->start;
}

size_t norm_number(struct scan *sc, size_t i)
{
    struct item a, b;
    size_t end, p, dk, q;

    if ((end = norm_web(sc, i)) || (end = norm_phone(sc, i)) || (end = id_number(sc, i)) ||
        (end = case_number(sc, i)))
        return end;
    end = items_parse(sc, i, &a);
    p = scan_skip_space(sc, end);
    dk = scan_dash(sc, p);
    if (dk) {
        q = scan_skip_space(sc, p + dk);
        if (q < sc->len && sc->s[q] >= '0' && sc->s[q] <= '9' && items_parse(sc, q, &b) &&
            range_fits(sc, &a, &b))
            return say_expr(sc, &a, p, &b);
    }
    return say_expr(sc, &a, 0, NULL);
}
