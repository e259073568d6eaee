/* cmd_extract.c -- `lyssna extract`: an HTML page or a document (PDF, DOCX, ODT) from a file
 * or stdin in, its readable text out on stdout, one block a line, or the blocks as JSON with
 * --json. The reader is the one the service and batch would pick (extract_reader_of, with
 * --content-type as the served type). Parses options and calls extract_any (documents are
 * parsed in a sandboxed worker process); failures are one line on stderr and a distinct exit
 * code. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/base.h"
#include "cmd.h"
#include "extract/extract.h"

#include "banned.h"

#define EXTRACT_RATE_WPM 175

struct extract_args {
    struct extract_opts opts;
    const char *path; /* NULL or "-": stdin */
    int json;
    long repeat; /* --repeat N (benchmark): time N extractions first, 0: none */
};

static void usage(FILE *f)
{
    fprintf(f, "usage: lyssna extract [--readid ID] [--url URL] [--charset CS] "
               "[--content-type TYPE] [--part K] [--json] [FILE|-]\n\n"
               "Prints the readable text of an HTML page or a PDF, DOCX or ODT document,\n"
               "one block a line.\n\n"
               "  --readid ID   read only the element with this id, minus class rs_skip\n"
               "  --url URL     the page's address (shown in the JSON)\n"
               "  --charset CS  the charset of the HTTP Content-Type; wins over <meta>\n"
               "  --content-type TYPE\n"
               "                the Content-Type the file was served with: the reader is\n"
               "                picked as the service picks it (the content wins over it)\n"
               "  --no-title    leave the headline out: the article body only (the\n"
               "                JSON still gives it as title)\n"
               "  --part K      a PDF's part K as the service reads a long or scanned one\n"
               "                (1: its first page, a scan's first paragraphs, and \"parts\"\n"
               "                in the JSON says how many; K > 1: pages 2^(K-1) to 2^K - 1;\n"
               "                a scan's: the rest of page 1, then as K - 1, 8 pages at most)\n"
               "  --json        print title, lang, blocks with xpath and offsets, words\n"
               "                and estimated duration as JSON\n"
               "  --repeat N    benchmark: first time N extractions of the page, in\n"
               "                memory, and print ms a page and pages/s to stderr\n"
               "  -h, --help    show this help\n");
}

static int parse_repeat(const char *s, long *out, struct err *e)
{
    char *end;
    long n = strtol(s, &end, 10);

    if (end == s || *end || n < 1 || n > 1000000)
        return err_set(e, LY_EUSAGE, "--repeat wants a count from 1 to 1000000, got '%s'", s);
    *out = n;
    return LY_OK;
}

/* Returns -1 to go on, else the exit code. */
static int parse_args(int argc, char **argv, struct extract_args *a)
{
    /* clang-format off */
    static const struct option longopts[] = {
        {"readid", required_argument, NULL, 'r'},
        {"url", required_argument, NULL, 'u'},
        {"charset", required_argument, NULL, 'c'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {"repeat", required_argument, NULL, 'n'},
        {"no-title", no_argument, NULL, 't'},
        {"content-type", required_argument, NULL, 'T'},
        {"part", required_argument, NULL, 'p'},
        {NULL, 0, NULL, 0},
    };
    /* clang-format on */
    struct err e = {0};
    int ch;

    optind = 1;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'r':
            a->opts.readid = optarg;
            break;
        case 'u':
            a->opts.url = optarg;
            break;
        case 'c':
            a->opts.charset = optarg;
            break;
        case 'T':
            a->opts.content_type = optarg;
            break;
        case 'j':
            a->json = 1;
            break;
        case 't':
            a->opts.no_title = 1;
            break;
        case 'n':
            if (parse_repeat(optarg, &a->repeat, &e))
                return cmd_fail(&e);
            break;
        case 'p':
            a->opts.part = atoi(optarg);
            if (a->opts.part < 1 || a->opts.part > 32) {
                err_set(&e, LY_EUSAGE, "--part wants a part from 1 to 32, got '%s'", optarg);
                return cmd_fail(&e);
            }
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            err_set(&e, LY_EUSAGE, "unknown option '%s' (see 'lyssna extract --help')",
                    argv[optind - 1]);
            return cmd_fail(&e);
        }
    }
    if (argc - optind > 1) {
        err_set(&e, LY_EUSAGE, "extract takes one file, got %d (see 'lyssna extract --help')",
                argc - optind);
        return cmd_fail(&e);
    }
    a->path = optind < argc ? argv[optind] : NULL;
    return -1;
}

static int read_input(const char *path, struct buf *html, struct err *e)
{
    FILE *f;
    int rc;

    if (!path || !strcmp(path, "-"))
        return buf_read_file(html, stdin, "stdin", e);
    if (!(f = fopen(path, "rb")))
        return err_set(e, LY_EINPUT, "cannot open '%s': %s", path, strerror(errno));
    rc = buf_read_file(html, f, path, e);
    fclose(f);
    return rc;
}

static int write_output(const struct extract_args *a, const struct extract_result *r, struct err *e)
{
    struct buf out;
    int rc;

    buf_init(&out, BUF_NOLIMIT);
    rc = a->json ? extract_json(r, a->opts.url, EXTRACT_RATE_WPM, &out, e)
                 : extract_text(r, &out, e);
    if (!rc)
        rc = buf_addch(&out, '\n', e);
    if (!rc && (fwrite(out.data, 1, out.len, stdout) != out.len || fflush(stdout)))
        rc = err_set(e, LY_EIO, "cannot write to stdout: %s", strerror(errno));
    buf_release(&out);
    return rc;
}

static double now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* The benchmark of --repeat: the page is already in memory, so what is timed is what the
 * server does per request (decode, parse, pick, cut blocks, join the text; for a document,
 * its worker process too), no I/O. */
static int time_extractions(const struct extract_args *a, const struct buf *html, struct err *e)
{
    struct extract_result r;
    struct buf text;
    double t0 = now_ms(), ms;
    long i;
    int rc = LY_OK;

    buf_init(&text, BUF_NOLIMIT);
    for (i = 0; i < a->repeat && !rc; i++) {
        rc = extract_any(html->data, html->len, &a->opts, &r, e);
        if (!rc) {
            buf_reset(&text);
            rc = extract_text(&r, &text, e);
            extract_result_release(&r);
        }
    }
    ms = (now_ms() - t0) / (double)a->repeat;
    buf_release(&text);
    if (rc == LY_EEMPTY)
        rc = LY_OK;
    if (!rc)
        fprintf(stderr, "extract: %ld runs, %.4f ms a page, %.1f pages/s\n", a->repeat, ms,
                ms > 0 ? 1000.0 / ms : 0.0);
    return rc;
}

int cmd_extract(int argc, char **argv)
{
    struct extract_args a = {0};
    struct extract_result r;
    struct err e = {0};
    struct buf html;
    enum extract_format kind;
    int rc = parse_args(argc, argv, &a);

    if (rc >= 0)
        return rc;
    buf_init(&html, LYSSNA_MAX_DOC);
    a.opts.max_html = LYSSNA_MAX_HTML;
    a.opts.worker = cmd_exe();
    rc = read_input(a.path, &html, &e);
    if (!rc) /* extract_any goes by the same rule; this names the file in its refusals */
        rc = extract_reader_of(a.opts.content_type, a.path && strcmp(a.path, "-") ? a.path : NULL,
                               html.data, html.len, &kind, &e);
    if (!rc && a.repeat)
        rc = time_extractions(&a, &html, &e);
    if (!rc)
        rc = extract_any(html.data, html.len, &a.opts, &r, &e);
    buf_release(&html);
    if (rc)
        return cmd_fail(&e);
    rc = write_output(&a, &r, &e);
    extract_result_release(&r);
    return rc ? cmd_fail(&e) : 0;
}
