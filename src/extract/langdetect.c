/* langdetect.c -- the language a block of text is plainly in, for pages whose label is wrong
 * (a CMS template saying lang="sv" on an Arabic or English article). By script first: most
 * scripts name one language, and Arabic, Cyrillic and Hebrew text is told apart by the letters
 * only some of their languages use. Latin, Ethiopic and Devanagari text goes to libexttextcat
 * (n-gram fingerprints, a C API; CLD2's API is C++ only). A guess is used only when it is
 * clear: enough letters, one script, and textcat naming a single candidate. Neighbours that
 * textcat confuses (Swedish and Norwegian, Bosnian and Croatian) never relabel each other.
 * Runs where extraction's caller runs (the service, batch, the CLI), never in a sandboxed
 * worker: the fingerprints are files. Thread-safe: textcat's handle is used under a lock. */
#include "extract.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <textcat.h>

#include "base/base.h"

#include "banned.h"

#define TEXTCAT_DIR "/usr/share/libexttextcat/"
#define MIN_SCRIPT  12   /* letters: a script that names its language needs few */
#define MIN_TEXTCAT 60   /* bytes: textcat's guesses on less are noise */
#define MAX_TEXTCAT 1000 /* bytes: more adds time (textcat is linear), not certainty */

enum script {
    S_OTHER,
    S_LATIN,
    S_GREEK,
    S_CYRILLIC,
    S_ARMENIAN,
    S_HEBREW,
    S_ARABIC,
    S_DEVANAGARI,
    S_BENGALI,
    S_GURMUKHI,
    S_GUJARATI,
    S_ORIYA,
    S_TAMIL,
    S_TELUGU,
    S_KANNADA,
    S_MALAYALAM,
    S_SINHALA,
    S_THAI,
    S_LAO,
    S_TIBETAN,
    S_MYANMAR,
    S_GEORGIAN,
    S_HANGUL,
    S_ETHIOPIC,
    S_CHEROKEE,
    S_KHMER,
    S_KANA,
    S_HAN,
    S_COUNT
};

static const struct {
    uint32_t lo, hi;
    enum script s;
} ranges[] = {
    {'A', 'Z', S_LATIN},          {'a', 'z', S_LATIN},          {0xC0, 0x24F, S_LATIN},
    {0x370, 0x3FF, S_GREEK},      {0x400, 0x52F, S_CYRILLIC},   {0x531, 0x58F, S_ARMENIAN},
    {0x591, 0x5FF, S_HEBREW},     {0x600, 0x6FF, S_ARABIC},     {0x750, 0x77F, S_ARABIC},
    {0x900, 0x97F, S_DEVANAGARI}, {0x980, 0x9FF, S_BENGALI},    {0xA00, 0xA7F, S_GURMUKHI},
    {0xA80, 0xAFF, S_GUJARATI},   {0xB00, 0xB7F, S_ORIYA},      {0xB80, 0xBFF, S_TAMIL},
    {0xC00, 0xC7F, S_TELUGU},     {0xC80, 0xCFF, S_KANNADA},    {0xD00, 0xD7F, S_MALAYALAM},
    {0xD80, 0xDFF, S_SINHALA},    {0xE00, 0xE7F, S_THAI},       {0xE80, 0xEFF, S_LAO},
    {0xF00, 0xFFF, S_TIBETAN},    {0x1000, 0x109F, S_MYANMAR},  {0x10A0, 0x10FF, S_GEORGIAN},
    {0x1100, 0x11FF, S_HANGUL},   {0x1200, 0x139F, S_ETHIOPIC}, {0x13A0, 0x13FF, S_CHEROKEE},
    {0x1780, 0x17FF, S_KHMER},    {0x1E00, 0x1EFF, S_LATIN},    {0x1F00, 0x1FFF, S_GREEK},
    {0x3040, 0x30FF, S_KANA},     {0x3130, 0x318F, S_HANGUL},   {0x3400, 0x4DBF, S_HAN},
    {0x4E00, 0x9FFF, S_HAN},      {0xAC00, 0xD7AF, S_HANGUL},   {0xFB1D, 0xFB4F, S_HEBREW},
    {0xFB50, 0xFDFF, S_ARABIC},   {0xFE70, 0xFEFF, S_ARABIC},
};

/* The language a script names by itself; NULL where its letters or textcat must decide. */
static const char *const script_lang[S_COUNT] = {
    [S_GREEK] = "el",    [S_ARMENIAN] = "hy",  [S_BENGALI] = "bn", [S_GURMUKHI] = "pa",
    [S_GUJARATI] = "gu", [S_ORIYA] = "or",     [S_TAMIL] = "ta",   [S_TELUGU] = "te",
    [S_KANNADA] = "kn",  [S_MALAYALAM] = "ml", [S_SINHALA] = "si", [S_THAI] = "th",
    [S_LAO] = "lo",      [S_TIBETAN] = "bo",   [S_MYANMAR] = "my", [S_GEORGIAN] = "ka",
    [S_HANGUL] = "ko",   [S_CHEROKEE] = "chr", [S_KHMER] = "km",   [S_KANA] = "ja",
    [S_HAN] = "zh",
};

/* Languages textcat may not relabel each other with: it confuses them, and each reads the
 * other well enough. */
static const char *const kin[] = {
    "sv da nb nn no fo",   "bs hr sr sh sl",        "id ms", "fi fit", "cs sk", "en sco",
    "hi mr ne sa mai bho", "se sma smj smn sms sje"};

struct counts {
    size_t n[S_COUNT];
    size_t letters;
    size_t marks[9]; /* letters some languages of a script use and others not: count_marks */
};

static enum script script_of(uint32_t c)
{
    size_t i;

    if (c < 0x80) /* most letters read: no walk through the table */
        return ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') ? S_LATIN : S_OTHER;
    for (i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++)
        if (c >= ranges[i].lo && c <= ranges[i].hi)
            return ranges[i].s;
    return S_OTHER;
}

/* Marks: 0 Persian letters, 1 Arabic's own, 2 Urdu's, 3 Ukrainian's, 4 Belarusian's,
 * 5 Serbian's, 6 Macedonian's, 7 Russian's (ы э), 8 Latin ć and đ (Bosnian, Croatian and
 * Serbian have them, Slovenian not), and Yiddish's in 2 for Hebrew script. */
static void count_marks(struct counts *k, uint32_t c)
{
    static const struct {
        uint32_t c;
        int mark;
    } m[] = {{0x6CC, 0}, {0x6A9, 0}, {0x67E, 0}, {0x686, 0},  {0x698, 0}, {0x6AF, 0}, {0x64A, 1},
             {0x643, 1}, {0x629, 1}, {0x679, 2}, {0x688, 2},  {0x691, 2}, {0x6BA, 2}, {0x6D2, 2},
             {0x5F0, 2}, {0x5F1, 2}, {0x5F2, 2}, {0xFB1F, 2}, {0x456, 3}, {0x457, 3}, {0x454, 3},
             {0x491, 3}, {0x45E, 4}, {0x452, 5}, {0x45B, 5},  {0x45F, 5}, {0x453, 6}, {0x45C, 6},
             {0x455, 6}, {0x44B, 7}, {0x44D, 7}, {0x107, 8},  {0x106, 8}, {0x111, 8}, {0x110, 8}};
    size_t i;

    if (c < 0x106)
        return; /* no mark is below Ć: Latin's plain letters are most of what is read */
    if (c >= 0x410 && c <= 0x42F)
        c += 0x20; /* Cyrillic capitals as small letters */
    else if (c >= 0x400 && c <= 0x40F)
        c += 0x50;
    for (i = 0; i < sizeof(m) / sizeof(m[0]); i++)
        if (m[i].c == c)
            k->marks[m[i].mark]++;
}

static void count(const char *s, size_t len, struct counts *k)
{
    size_t i = 0, n;
    uint32_t c;
    enum script sc;

    memset(k, 0, sizeof(*k));
    while (i < len && (n = utf8_decode(s + i, len - i, &c))) {
        i += n;
        sc = script_of(c);
        if (sc == S_OTHER)
            continue;
        k->n[sc]++;
        k->letters++;
        count_marks(k, c);
    }
}

/* Whether a and b are one language, or kin textcat may not tell apart. */
static int akin(const char *a, const char *b)
{
    char pa[8], pb[8];
    size_t i, la = strcspn(a, "-_"), lb = strcspn(b, "-_");
    const char *p;

    if (svtext_same_lang(a, b))
        return 1;
    if (la >= sizeof(pa) - 2 || lb >= sizeof(pb) - 2)
        return 0;
    snprintf(pa, sizeof(pa), " %.*s ", (int)la, a);
    snprintf(pb, sizeof(pb), " %.*s ", (int)lb, b);
    for (i = 0; i < sizeof(kin) / sizeof(kin[0]); i++) {
        char row[64];
        snprintf(row, sizeof(row), " %s ", kin[i]);
        if ((p = strstr(row, pa)) && strstr(row, pb))
            return 1;
    }
    return 0;
}

static pthread_mutex_t tc_lock = PTHREAD_MUTEX_INITIALIZER;
static void *tc;
static int tc_tried;

/* textcat's best guess as a language subtag into out, when every candidate it names within
 * its margin is that language or its kin ("[sv][da]" is Swedish); 0 when the candidates
 * disagree, there are none, or the text is short. Called under tc_lock. */
static int textcat_guess(const char *s, size_t len, char *out, size_t size)
{
    const char *r, *p, *end;
    char other[16];
    size_t n;

    if (len < MIN_TEXTCAT)
        return 0; /* before loading textcat (20 ms): a short heading does not need it */
    if (!tc_tried) {
        tc_tried = 1;
        tc = special_textcat_Init(TEXTCAT_DIR "fpdb.conf", TEXTCAT_DIR);
        if (tc)
            textcat_SetProperty(tc, TCPROP_UTF8AWARE, 1);
    }
    if (!tc)
        return 0;
    for (n = len < MAX_TEXTCAT ? len : MAX_TEXTCAT; n < len && (s[n] & 0xC0) == 0x80; n--)
        ; /* a whole character at the cut */
    r = textcat_Classify(tc, s, n);
    if (!r || r[0] != '[')
        return 0;                         /* UNKNOWN or SHORT */
    for (p = r; *p == '['; p = end + 1) { /* "[en--utf8][sco--utf8]" */
        end = strchr(p, ']');
        n = strcspn(p + 1, "-]");
        if (!end || n == 0 || n >= sizeof(other))
            return 0;
        memcpy(other, p + 1, n);
        other[n] = '\0';
        if (p == r && n < size)
            memcpy(out, other, n + 1);
        else if (p == r || !akin(out, other))
            return 0;
    }
    return 1;
}

static int word_byte(char c)
{
    return ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || (unsigned char)c >= 0x80;
}

/* The next word of s from *at, lowered into w (ASCII letters, and Å Ä Ö: C3 85, 84, 96 become
 * C3 A5, A4, B6), cut to size; its length in s, 0 at the end. */
static size_t next_word(const char *s, size_t len, size_t *at, char *w, size_t size)
{
    size_t i = *at, n = 0, start;
    char c;

    while (i < len && !word_byte(s[i]))
        i++;
    for (start = i; i < len && word_byte(s[i]); i++) {
        c = s[i];
        if ((unsigned char)c < 0x80)
            c = (char)(c | 0x20);
        else if (n && w[n - 1] == (char)0xC3 && (unsigned char)c >= 0x80 && (unsigned char)c < 0xA0)
            c = (char)(c + 0x20);
        if (n + 1 < size)
            w[n++] = c;
    }
    w[n] = '\0';
    *at = i;
    return i - start;
}

struct sv_word {
    const char *w;
    int own; /* Danish and Norwegian lack it */
};

static int sv_word_cmp(const void *key, const void *elem)
{
    return strcmp(key, ((const struct sv_word *)elem)->w);
}

/* Whether s writes ø or æ, Danish and Norwegian letters that Swedish does not: a Norwegian
 * paragraph with "eller" or "ett" (theirs too) and the function words all three share is not
 * plainly Swedish. */
static int dano_norwegian(const char *s, size_t len)
{
    size_t i;

    for (i = 0; i + 1 < len; i++)
        if ((unsigned char)s[i] == 0xC3 &&
            ((unsigned char)s[i + 1] == 0xB8 || (unsigned char)s[i + 1] == 0x98 ||
             (unsigned char)s[i + 1] == 0xA6 || (unsigned char)s[i + 1] == 0x86))
            return 1;
    return 0;
}

/* Most text read is Swedish: a block whose words are a fifth Swedish function words, with
 * ones Danish and Norwegian lack among them, is Swedish without asking textcat (which costs
 * about a millisecond a paragraph). The words are in byte order for bsearch: a 280-page
 * document has 200,000 words to look up. */
static int plainly_swedish(const char *s, size_t len)
{
    /* clang-format off */
    static const struct sv_word words_sv[] = {
        {"att", 1}, {"av", 0}, {"de", 0}, {"den", 0}, {"det", 0}, {"du", 0},
        {"efter", 0}, {"eller", 1}, {"ett", 1}, {"från", 1}, {"för", 1}, {"har", 0},
        {"hur", 0}, {"inte", 1}, {"kan", 0}, {"med", 0}, {"men", 0}, {"när", 1},
        {"och", 1}, {"också", 1}, {"om", 0}, {"på", 0}, {"sin", 0}, {"ska", 0},
        {"som", 0}, {"så", 0}, {"till", 1}, {"under", 0}, {"vad", 0}, {"vi", 0},
        {"vid", 0}, {"är", 1},
    };
    /* clang-format on */
    size_t at = 0, words = 0, hits = 0, owns = 0;
    const struct sv_word *f;
    char w[16];

    while (next_word(s, len, &at, w, sizeof(w))) {
        words++;
        f = bsearch(w, words_sv, sizeof(words_sv) / sizeof(*words_sv), sizeof(*words_sv),
                    sv_word_cmp);
        if (f)
            hits++, owns += (size_t)f->own;
    }
    return owns > 0 && hits * 5 >= words && !dano_norwegian(s, len);
}

/* Arabic script: Urdu, Persian or Arabic by the letters each uses. */
static const char *arabic_lang(const struct counts *k)
{
    if (k->marks[2] >= 2)
        return "ur";
    return k->marks[0] > k->marks[1] ? "fa" : "ar";
}

/* Cyrillic: by the letters only one language uses; NULL when none tells. */
static const char *cyrillic_lang(const struct counts *k)
{
    int uk = k->marks[3] > 0, be = k->marks[4] > 0, sr = k->marks[5] > 0, mk = k->marks[6] > 0;
    int ru = k->marks[7] > 0;

    if (be && !sr && !mk)
        return "be";
    if (uk && !ru && !sr && !mk)
        return "uk";
    if (mk && !ru && !uk)
        return "mk";
    if (sr && !ru && !uk)
        return "sr";
    if (ru && !uk && !sr && !mk)
        return "ru";
    return NULL;
}

/* The plain language of len bytes at s into out, or 0. */
static int detect(const char *s, size_t len, char *out, size_t size)
{
    struct counts k;
    const char *l = NULL;
    enum script top = S_OTHER;
    size_t i;
    int ok = 0;

    count(s, len, &k);
    for (i = 1; i < S_COUNT; i++)
        if (k.n[i] > k.n[top])
            top = (enum script)i;
    if (k.letters < MIN_SCRIPT || k.n[top] * 10 < k.letters * 8)
        return 0; /* little text, or several scripts mixed */
    if (top == S_KANA || (top == S_HAN && k.n[S_KANA] * 10 > k.letters))
        l = "ja";
    else if (top == S_HEBREW)
        l = k.marks[2] ? "yi" : "he";
    else if (top == S_ARABIC)
        l = arabic_lang(&k);
    else if (top == S_CYRILLIC)
        l = cyrillic_lang(&k);
    else
        l = script_lang[top];
    if (l) {
        snprintf(out, size, "%s", l);
        return 1;
    }
    if (top != S_LATIN && top != S_ETHIOPIC && top != S_DEVANAGARI)
        return 0;
    if (top == S_LATIN && plainly_swedish(s, len)) {
        snprintf(out, size, "sv");
        return 1;
    }
    pthread_mutex_lock(&tc_lock);
    ok = textcat_guess(s, len, out, size);
    pthread_mutex_unlock(&tc_lock);
    /* textcat's "sh" is Serbo-Croatian in Latin letters, and its Slovenian often Croatian */
    if (ok && (!strcmp(out, "sh") || (!strcmp(out, "sl") && k.marks[8])))
        snprintf(out, size, "hr");
    return ok;
}

/* The page's own language: the one its blocks plainly speak, when they hold most of its text
 * (a whole English article under lang="sv" is English, its short headings too). The bytes of
 * each language found are summed in one pass (a long document has thousands of blocks and a
 * few languages); the first found of the largest sum wins. */
static void relabel_page(struct extract_result *r, char (*found)[16])
{
    size_t i, j, total = 0, best = 0, nlangs = 0, bytes;
    size_t *sum = xcalloc(r->nblocks ? r->nblocks : 1, sizeof(*sum));
    const char **langs = xcalloc(r->nblocks ? r->nblocks : 1, sizeof(*langs));
    const char *top = NULL;

    for (i = 0; i < r->nblocks; i++) {
        bytes = strlen(r->blocks[i].text);
        total += bytes;
        if (!found[i][0])
            continue;
        for (j = 0; j < nlangs && strcmp(langs[j], found[i]); j++)
            ;
        if (j == nlangs)
            langs[nlangs++] = found[i];
        sum[j] += bytes;
    }
    for (j = 0; j < nlangs; j++)
        if (sum[j] > best)
            best = sum[j], top = langs[j];
    free(langs);
    free(sum);
    if (top && best * 10 >= total * 6 && !(r->lang && akin(top, r->lang))) {
        free(r->lang);
        r->lang = xstrdup(top);
    }
}

void extract_detect_langs(struct extract_result *r)
{
    char(*found)[16] = xcalloc(r->nblocks ? r->nblocks : 1, sizeof(*found));
    size_t i;

    for (i = 0; i < r->nblocks; i++)
        if (!detect(r->blocks[i].text, strlen(r->blocks[i].text), found[i], sizeof(found[i])))
            found[i][0] = '\0';
    relabel_page(r, found);
    for (i = 0; i < r->nblocks; i++) {
        struct extract_block *b = &r->blocks[i];
        const char *declared = b->lang ? b->lang : r->lang ? r->lang : "";

        if (!found[i][0] || akin(found[i], declared))
            continue;
        free(b->lang);
        b->lang = r->lang && svtext_same_lang(found[i], r->lang) ? NULL : xstrdup(found[i]);
    }
    free(found);
}
