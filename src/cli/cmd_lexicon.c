/* cmd_lexicon.c -- `lyssna lexicon add|import|export|list`: the editors' lexicon for scripts,
 * on the same SQLite file the service uses (--file, else lexicon.db beside --cache-dir, as
 * `lyssna serve` finds it); a running service takes the changes within seconds. Phonemes are
 * checked by espeak-ng here before anything is stored; an import is whole or nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "cmd.h"
#include "lexicon/lexicon.h"
#include "speech/speech.h"

#include "banned.h"

#define LYSSNA_LEX_WHO "cli" /* the history's name for changes made here */

static const char usage[] =
    "usage: lyssna lexicon [--file DB | --cache-dir DIR] COMMAND\n"
    "  add TEXT SAY [--lang L] [--scope HOST] [--note TEXT]\n"
    "                      SAY is a respelling (\"nynäs-hamn\") or espeak-ng phonemes \"[[...]]\"\n"
    "  import FILE         a CSV or TSV file (- for standard input): all entries or none\n"
    "  export [--tsv]      every entry as CSV (or TSV) on standard output\n"
    "  list [QUERY]        entries whose text contains QUERY: id, text, say, lang, scope\n"
    "The file is DB, else lexicon.db beside the cache folder DIR (default: ./lexicon.db).";

struct lex_args {
    char path[2100];
    const char *tsv, *lang, *scope, *note;
    char **rest;
    int nrest;
};

/* Options anywhere on the line; the rest in order. */
static int parse(int argc, char **argv, struct lex_args *a)
{
    const char *cache = NULL, *file = NULL, **slot;
    size_t n;
    int i;

    a->rest = xcalloc((size_t)argc + 1, sizeof(char *));
    for (i = 1; i < argc; i++) {
        slot = !strcmp(argv[i], "--file")        ? &file
               : !strcmp(argv[i], "--cache-dir") ? &cache
               : !strcmp(argv[i], "--lang")      ? &a->lang
               : !strcmp(argv[i], "--scope")     ? &a->scope
               : !strcmp(argv[i], "--note")      ? &a->note
                                                 : NULL;
        if (slot && i + 1 < argc)
            *slot = argv[++i];
        else if (slot || (argv[i][0] == '-' && argv[i][1] && strcmp(argv[i], "--tsv")))
            return fprintf(stderr, "lyssna: lexicon: bad option '%s'\n%s\n", argv[i], usage), 2;
        else if (!strcmp(argv[i], "--tsv"))
            a->tsv = argv[i];
        else
            a->rest[a->nrest++] = argv[i];
    }
    n = cache ? strlen(cache) : 0;
    while (n > 1 && cache[n - 1] == '/')
        n--;
    while (n > 0 && cache[n - 1] != '/')
        n--;
    if (file)
        snprintf(a->path, sizeof(a->path), "%s", file);
    else
        snprintf(a->path, sizeof(a->path), "%.*slexicon.db", (int)n, cache ? cache : "");
    return 0;
}

/* Whether espeak-ng can say the phonemes of every entry of l (respellings pass). */
static int check_said(const struct lexicon_list *l, struct err *e)
{
    char ph[LEXICON_SAY_MAX + 1], why[sizeof(e->msg)];
    struct synth *s = NULL;
    struct voice v;
    size_t i;
    int rc = LY_OK;

    for (i = 0; i < l->n && !rc; i++) {
        if (!lexicon_phonemes(l->e[i].say, ph))
            continue;
        if (!s && !(s = synth_new(e)))
            return e->code;
        rc = voice_load(voice_dir(), l->e[i].lang, &v, e);
        if (!rc)
            rc = synth_check_phonemes(s, &v, ph, e);
        if (rc) {
            snprintf(why, sizeof(why), "%s", e->msg);
            err_set(e, rc, "'%s': %.200s", l->e[i].text, why);
        }
    }
    synth_free(s);
    return rc;
}

static int add(struct lexicon *lx, const struct lex_args *a, struct err *e)
{
    struct lexicon_list one = {0};
    struct lexicon_entry en = {0};
    long long id;
    int rc;

    if (a->nrest != 3)
        return err_set(e, LY_EUSAGE, "lexicon add wants TEXT and SAY");
    snprintf(en.text, sizeof(en.text), "%s", a->rest[1]);
    snprintf(en.say, sizeof(en.say), "%s", a->rest[2]);
    snprintf(en.lang, sizeof(en.lang), "%s", a->lang ? a->lang : "sv");
    snprintf(en.scope, sizeof(en.scope), "%s", a->scope ? a->scope : "");
    snprintf(en.note, sizeof(en.note), "%s", a->note ? a->note : "");
    one.e = &en;
    one.n = 1;
    if ((rc = lexicon_check(&en, e)) || (rc = check_said(&one, e)) ||
        (rc = lexicon_add(lx, &en, LYSSNA_LEX_WHO, &id, e)))
        return rc;
    printf("%lld\n", id);
    return LY_OK;
}

static int import(struct lexicon *lx, const struct lex_args *a, struct err *e)
{
    struct lexicon_list l = {0};
    struct buf data, problems;
    FILE *f;
    int rc;

    if (a->nrest != 2)
        return err_set(e, LY_EUSAGE, "lexicon import wants one FILE (- for standard input)");
    f = strcmp(a->rest[1], "-") ? fopen(a->rest[1], "rb") : stdin;
    if (!f)
        return err_set(e, LY_EINPUT, "cannot read '%s'", a->rest[1]);
    buf_init(&data, 8u << 20);
    buf_init(&problems, BUF_NOLIMIT);
    rc = buf_read_file(&data, f, a->rest[1], e);
    if (f != stdin)
        fclose(f);
    if (!rc && !(rc = lexicon_parse(data.data, data.len, &l, &problems, e)) &&
        !(rc = check_said(&l, e)) && !(rc = lexicon_import(lx, &l, LYSSNA_LEX_WHO, e)))
        printf("%zu entries imported\n", l.n);
    fputs(problems.data, stderr);
    lexicon_list_release(&l);
    buf_release(&data);
    buf_release(&problems);
    return rc;
}

static int list(struct lexicon *lx, const struct lex_args *a, int csv, struct err *e)
{
    struct lexicon_list l;
    struct buf out;
    size_t i;
    int rc = lexicon_search(lx, a->nrest > 1 ? a->rest[1] : NULL, 0, &l, e);

    if (rc)
        return rc;
    buf_init(&out, BUF_NOLIMIT);
    if (csv)
        lexicon_format(&l, a->tsv != NULL, &out);
    for (i = 0; !csv && i < l.n; i++)
        buf_addf(&out, NULL, "%lld\t%s\t%s\t%s\t%s\n", l.e[i].id, l.e[i].text, l.e[i].say,
                 l.e[i].lang, l.e[i].scope);
    fwrite(out.data, 1, out.len, stdout);
    buf_release(&out);
    lexicon_list_release(&l);
    return LY_OK;
}

int cmd_lexicon(int argc, char **argv)
{
    struct lex_args a = {0};
    struct lexicon *lx = NULL;
    struct err e = {0};
    const char *what;
    int rc;

    if ((rc = parse(argc, argv, &a)) || !a.nrest || !strcmp(a.rest[0], "help")) {
        if (!rc)
            puts(usage);
        free(a.rest);
        return rc;
    }
    what = a.rest[0];
    if (strcmp(what, "add") && strcmp(what, "import") && strcmp(what, "export") &&
        strcmp(what, "list"))
        rc = err_set(&e, LY_EUSAGE, "lexicon: unknown command '%s' (add, import, export, list)",
                     what);
    else if ((lx = lexicon_open(a.path, &e)) == NULL)
        rc = e.code;
    else if (!strcmp(what, "add"))
        rc = add(lx, &a, &e);
    else if (!strcmp(what, "import"))
        rc = import(lx, &a, &e);
    else
        rc = list(lx, &a, !strcmp(what, "export"), &e);
    lexicon_free(lx);
    free(a.rest);
    return rc ? cmd_fail(&e) : 0;
}
