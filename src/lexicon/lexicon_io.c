/* lexicon_io.c -- checking an entry as a person gave it, and the CSV/TSV files that
 * municipalities share: parsed whole or not at all (every problem named by its line), written
 * so that a spreadsheet never runs a cell as a formula. Pure functions on memory (fuzzed:
 * fuzz/fuzz_lexicon.c); thread-safe. */
#include "lexicon.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/base.h"

#include "banned.h"

#define LYSSNA_LEX_IMPORT_MAX   (4u << 20) /* bytes of a file */
#define LYSSNA_LEX_IMPORT_LINES 100000
#define LYSSNA_LEX_PROBLEMS     50
/* What a cell may start with that an export arms with an apostrophe: a spreadsheet's formula,
 * and an apostrophe itself (else a say of "'-l" would come back as "-l"). */
#define LYSSNA_LEX_ARMED "=+-@\t\r'"

/* Removes white space at both ends of s in place. */
static void trim(char *s)
{
    size_t n = strlen(s), k = svtext_space_len(s, n, 0);

    memmove(s, s + k, n - k + 1);
    n -= k;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        s[--n] = '\0';
}

/* Whether every code point of s passes ok (and no two spaces follow each other). */
static int all_fit(const char *s, int (*ok)(uint32_t c))
{
    size_t i = 0, n = strlen(s), k;
    uint32_t c, prev = 0;

    while (i < n) {
        if (!(k = svtext_cp(s, n, i, &c)) || !ok(c) || (c == ' ' && prev == ' '))
            return 0;
        prev = c;
        i += k;
    }
    return 1;
}

static int text_char(uint32_t c)
{
    return svtext_is_letter(c) || (c >= '0' && c <= '9') || c == ' ' || c == '-' || c == '\'' ||
           c == '.';
}

static int say_char(uint32_t c)
{
    return svtext_is_letter(c) || c == ' ' || c == '-' || c == '\'';
}

static int note_char(uint32_t c)
{
    return c >= 0x20 && c != 0x7f;
}

int lexicon_phonemes(const char *say, char out[LEXICON_SAY_MAX + 1])
{
    size_t n = strlen(say);

    if (n < 5 || strncmp(say, "[[", 2) || strcmp(say + n - 2, "]]"))
        return 0;
    snprintf(out, LEXICON_SAY_MAX + 1, "%.*s", (int)(n - 4), say + 2);
    return 1;
}

static int check_phonemes(const char *p, struct err *e)
{
    const char *s;

    for (s = p; *s; s++)
        if (*s < 0x20 || *s > 0x7e || *s == '[' || *s == ']' || (*s == ' ' && s[1] == ' '))
            return err_set(e, LY_EUSAGE,
                           "'say': phonemes in [[ ]] are espeak-ng's (printable ASCII, no "
                           "brackets inside), as `espeak-ng -x` prints them");
    return *p && *p != ' ' ? LY_OK : err_set(e, LY_EUSAGE, "'say': the phonemes are empty");
}

static int check_lang(char *lang, struct err *e)
{
    size_t n = strlen(lang), k;

    if (!n)
        snprintf(lang, 16, "sv");
    for (k = 0; lang[k] >= 'a' && lang[k] <= 'z'; k++)
        ;
    if (k < 2 || k > 3 ||
        (lang[k] && (lang[k] != '-' ||
                     strspn(lang + k + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                          "abcdefghijklmnopqrstuvwxyz"
                                          "0123456789") != n - k - 1 ||
                     n - k - 1 == 0)))
        return err_set(e, LY_EUSAGE, "'lang': '%.15s' is not a language tag such as 'sv'", lang);
    return LY_OK;
}

static int check_scope(char *scope, struct err *e)
{
    size_t i;

    for (i = 0; scope[i]; i++) {
        if (scope[i] >= 'A' && scope[i] <= 'Z')
            scope[i] = (char)(scope[i] - 'A' + 'a');
        if (!strchr("abcdefghijklmnopqrstuvwxyz0123456789.-", scope[i]))
            return err_set(e, LY_EUSAGE,
                           "'scope': a host name such as 'www.nynashamn.se', or empty for "
                           "every site");
    }
    return LY_OK;
}

int lexicon_check(struct lexicon_entry *en, struct err *e)
{
    char ph[LEXICON_SAY_MAX + 1];
    uint32_t c;

    trim(en->text), trim(en->say), trim(en->lang), trim(en->scope), trim(en->note);
    if (!utf8_valid(en->text, strlen(en->text), NULL) ||
        !utf8_valid(en->say, strlen(en->say), NULL) ||
        !utf8_valid(en->note, strlen(en->note), NULL))
        return err_set(e, LY_EUTF8, "the entry is not valid UTF-8");
    if (!en->text[0] || !svtext_cp(en->text, strlen(en->text), 0, &c) || !svtext_is_letter(c) ||
        !all_fit(en->text, text_char))
        return err_set(e, LY_EUSAGE,
                       "'text': a word or phrase of at most %d bytes, starting with a letter "
                       "(letters, digits, spaces, '-', '.', ''')",
                       LEXICON_TEXT_MAX);
    if (lexicon_phonemes(en->say, ph)) {
        if (check_phonemes(ph, e))
            return e->code;
    } else if (!en->say[0] || strlen(en->say) > 200 || !all_fit(en->say, say_char)) {
        return err_set(e, LY_EUSAGE,
                       "'say': a respelling in letters (spaces, '-' and ''' allowed), at most "
                       "200 bytes, or espeak-ng phonemes as [[...]]");
    }
    if (!all_fit(en->note, note_char))
        return err_set(e, LY_EUSAGE, "'note': no control characters");
    return check_lang(en->lang, e) ? (int)e->code : check_scope(en->scope, e);
}

enum column { COL_TEXT, COL_SAY, COL_LANG, COL_SCOPE, COL_NOTE, COL_IGNORED, COL_COUNT };

/* The header names a column may have (English, as exported, or Swedish). */
static int column_of(const char *name)
{
    static const char *const names[][3] = {
        {"text", "ord", "skrivs"},          {"say", "uttal", "sägs"},
        {"lang", "språk", "sprak"},         {"scope", "webbplats", "host"},
        {"note", "anteckning", "notering"}, {"id", "who", "changed"}};
    int i, k;

    for (i = 0; i < COL_COUNT; i++)
        for (k = 0; k < 3; k++)
            if (!strcasecmp(name, names[i][k]))
                return i;
    return -1;
}

/* One record of the file at *p into cells (at most 8, each up to size bytes); *p moves past
 * it. Returns the number of cells, or -1 for a quote left open or a cell too long. */
static int record(const char **p, const char *end, char sep, char cells[8][512], int *lines)
{
    const char *s = *p;
    int nc = 0, quoted, bad = 0;
    size_t n;

    for (;;) {
        n = 0;
        quoted = sep != '\t' && s < end && *s == '"'; /* TSV has no quoting */
        s += quoted;
        while (s < end) {
            if (quoted && *s == '"') {
                if (s + 1 < end && s[1] == '"') {
                    s++;
                } else {
                    quoted = 2; /* closed */
                    s++;
                    continue;
                }
            } else if (quoted != 1 && (*s == sep || *s == '\n')) {
                break;
            }
            if (*s == '\n')
                (*lines)++;
            if (n + 1 < 512 && nc < 8)
                cells[nc][n++] = *s;
            else
                bad = 1;
            s++;
        }
        if (nc < 8)
            cells[nc][n] = '\0';
        nc++;
        if (quoted == 1)
            bad = 1;
        if (s >= end || *s == '\n')
            break;
        s++; /* the separator */
    }
    *p = s < end ? s + 1 : end;
    return bad ? -1 : nc;
}

static char separator(const char *data, size_t len)
{
    const char *nl = memchr(data, '\n', len);
    size_t n = nl ? (size_t)(nl - data) : len;

    if (memchr(data, '\t', n))
        return '\t';
    return memchr(data, ';', n) && !memchr(data, ',', n) ? ';' : ',';
}

/* A cell that an export armed against formulas (a leading apostrophe) as it was. */
static void unarm(char *cell)
{
    if (cell[0] == '\'' && cell[1] && strchr(LYSSNA_LEX_ARMED, cell[1]))
        memmove(cell, cell + 1, strlen(cell));
}

static void problem(struct buf *problems, int *count, int line, const char *what)
{
    if ((*count)++ < LYSSNA_LEX_PROBLEMS)
        buf_addf(problems, NULL, "line %d: %s\n", line, what);
}

/* The columns of the header cells into cols; 0 when text or say is missing. */
static int header(char cells[8][512], int nc, int cols[8], struct buf *problems, int *count)
{
    int i, have = 0;
    char msg[600];

    for (i = 0; i < nc && i < 8; i++) {
        trim(cells[i]);
        if ((cols[i] = column_of(cells[i])) < 0) {
            snprintf(msg, sizeof(msg),
                     "unknown column '%.60s' (the columns are text, say, lang, scope, note)",
                     cells[i]);
            problem(problems, count, 1, msg);
        } else {
            have |= 1 << cols[i];
        }
    }
    if ((have & 3) != 3)
        problem(problems, count, 1,
                "the first line must name the columns, 'text' and 'say' "
                "among them");
    return *count == 0;
}

/* One entry line into out; a problem is recorded by line. */
static void entry_line(char cells[8][512], int nc, const int cols[8], int ncols, int line,
                       struct lexicon_list *out, struct buf *problems, int *count)
{
    struct lexicon_entry en;
    struct err e = {0};
    size_t k;
    int i;

    memset(&en, 0, sizeof(en));
    for (i = 0; i < nc && i < 8; i++) {
        char *dst[] = {en.text, en.say, en.lang, en.scope, en.note};
        size_t sizes[] = {sizeof(en.text), sizeof(en.say), sizeof(en.lang), sizeof(en.scope),
                          sizeof(en.note)};
        unarm(cells[i]);
        if (i >= ncols && cells[i][strspn(cells[i], " \t\r")]) {
            problem(problems, count, line, "more cells than the first line names columns");
            return;
        }
        if (i >= ncols || cols[i] >= COL_IGNORED)
            continue;
        if (strlen(cells[i]) >= sizes[cols[i]]) {
            problem(problems, count, line, "a cell is too long");
            return;
        }
        snprintf(dst[cols[i]], sizes[cols[i]], "%s", cells[i]);
    }
    if (lexicon_check(&en, &e)) {
        problem(problems, count, line, e.msg);
        return;
    }
    for (k = 0; k < out->n; k++)
        if (!strcmp(out->e[k].text, en.text) && !strcmp(out->e[k].lang, en.lang) &&
            !strcmp(out->e[k].scope, en.scope)) {
            problem(problems, count, line, "the same text, language and scope as a line above");
            return;
        }
    if (out->n == out->cap) {
        out->cap = out->cap ? out->cap * 2 : 64;
        out->e = xreallocarray(out->e, out->cap, sizeof(*out->e));
    }
    out->e[out->n++] = en;
}

int lexicon_parse(const char *data, size_t len, struct lexicon_list *out, struct buf *problems,
                  struct err *e)
{
    char cells[8][512];
    const char *p = data, *end = data + len;
    int cols[8], ncols, nc, line = 1, next, count = 0, blank;
    char sep;

    memset(out, 0, sizeof(*out));
    if (len > LYSSNA_LEX_IMPORT_MAX)
        return err_set(e, LY_ETOOBIG, "the file is %zu bytes; at most %u are read", len,
                       LYSSNA_LEX_IMPORT_MAX);
    if (len >= 3 && !memcmp(p, "\xef\xbb\xbf", 3))
        p += 3;
    if (!utf8_valid(p, (size_t)(end - p), NULL))
        return err_set(e, LY_EUTF8, "the file is not UTF-8: save it as UTF-8 and try again");
    sep = separator(p, (size_t)(end - p));
    if (p == end || (nc = record(&p, end, sep, cells, &line)) < 0 ||
        !header(cells, nc, cols, problems, &count))
        return p == end && !count
                   ? err_set(e, LY_EEMPTY, "the file is empty")
                   : err_set(e, LY_EPARSE, "the file has problems: nothing imported");
    ncols = nc < 8 ? nc : 8;
    while (p < end && count < LYSSNA_LEX_PROBLEMS && out->n < LYSSNA_LEX_IMPORT_LINES) {
        next = ++line;
        nc = record(&p, end, sep, cells, &line);
        blank = nc == 1 && !cells[0][strspn(cells[0], " \t\r")];
        if (nc < 0)
            problem(problems, &count, next, "a quote is not closed, or a cell is too long");
        else if (!blank)
            entry_line(cells, nc, cols, ncols, next, out, problems, &count);
    }
    if (count) {
        lexicon_list_release(out);
        return err_set(e, LY_EPARSE, "%d line%s with problems: nothing imported", count,
                       count == 1 ? "" : "s");
    }
    if (!out->n)
        return err_set(e, LY_EEMPTY, "the file holds no entries");
    return LY_OK;
}

/* One cell: armed against formulas; quoted in CSV when it needs to be. */
static void cell(struct buf *out, const char *s, int tsv, int last)
{
    int arm = s[0] && strchr(LYSSNA_LEX_ARMED, s[0]) != NULL;
    size_t i;

    if (tsv) {
        buf_addf(out, NULL, "%s%s", arm ? "'" : "", s);
    } else {
        buf_addf(out, NULL, "\"%s", arm ? "'" : "");
        for (i = 0; s[i]; i++)
            buf_add(out, s[i] == '"' ? "\"\"" : &s[i], s[i] == '"' ? 2 : 1, NULL);
        buf_addch(out, '"', NULL);
    }
    buf_addch(out, last ? '\n' : tsv ? '\t' : ',', NULL);
}

void lexicon_format(const struct lexicon_list *l, int tsv, struct buf *out)
{
    size_t i;

    buf_adds(out, tsv ? "text\tsay\tlang\tscope\tnote\n" : "text,say,lang,scope,note\n", NULL);
    for (i = 0; i < l->n; i++) {
        cell(out, l->e[i].text, tsv, 0);
        cell(out, l->e[i].say, tsv, 0);
        cell(out, l->e[i].lang, tsv, 0);
        cell(out, l->e[i].scope, tsv, 0);
        cell(out, l->e[i].note, tsv, 1);
    }
}
