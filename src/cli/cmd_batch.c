/* cmd_batch.c -- `lyssna batch -o OUTDIR [options] SOURCE...`: parses options, lists the
 * sources' items, then runs them (batch.c); `lyssna batch --merge OUTDIR` joins the shards'
 * manifests. Exit 0 when every item is done, 1 when some failed, 2 for bad usage (or shards
 * that cannot be merged), 130 when interrupted. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "batch/batch.h"
#include "cmd.h"
#include "fetch/fetch.h"
#include "speech/speech.h"

#include "banned.h"

#define LYSSNA_BATCH_LIST_MAX 64

static const char usage_text[] =
    "usage: lyssna batch -o OUTDIR [-f FORMAT[,FORMAT...]] [-j N] [--quiet] [options] SOURCE...\n"
    "       lyssna batch --merge OUTDIR\n"
    "A SOURCE is a sitemap (URL or file, gzipped or not; indexes followed), a file of URLs\n"
    "(one a line, # comments) or a folder of .html, .txt, .ssml, .pdf, .docx and .odt files.\n"
    "  -o, --output DIR        the folder for audio files and manifest.jsonl\n"
    "  -f, --format LIST       up to 4 of mp3, ogg, opus, wav, flac, pcm, au, comma-separated\n"
    "                          (default mp3)\n"
    "  -j, --jobs N            items in parallel, each with a worker process (default: cores)\n"
    "  -q, --quiet             no progress; failures are still reported\n"
    "  -v, --voice VOICE       voice profile (default " LYSSNA_DEFAULT_VOICE ")\n"
    "  -r, --rate WPM          words per minute, 80-400 (default: the voice's)\n"
    "      --marks             speech marks in NAME.marks.jsonl beside the audio\n"
    "      --fill-cache DIR    also put the audio into the service's cache folder DIR\n"
    "      --lexicon-file DB   say the editors' lexicon's words as it says them (lexicon.db)\n"
    "      --cache-max-mb N    that cache's size cap (default 1024, as the service's)\n"
    "      --shard I/N         take items I, I+N, I+2N... (1 <= I <= N) of the full list;\n"
    "                          shards may share OUTDIR (manifest.shard-I-of-N.jsonl each)\n"
    "      --merge OUTDIR      write OUTDIR/manifest.jsonl from the finished shards' manifests\n"
    "      --allow-host HOST   may fetch from HOST too (\"*.kommun.se\" for subdomains)\n"
    "      --allow-any-host    fetch from any host (blocked addresses stay blocked)\n"
    "      --allow-addr CIDR   may connect to these addresses (a test origin on loopback)\n"
    "      --per-host N        fetches at once per host (default 2)\n"
    "      --delay MS          between fetches from one host (default 100; robots.txt\n"
    "                          Crawl-delay when longer)\n"
    "      --retries N         further attempts after 429, 5xx or a timeout (default 3)\n"
    "      --fetch-timeout MS  per fetch (default 10000)\n";

struct batch_args {
    struct batch_opts o;
    struct crawl_opts c;
    const char *hosts[LYSSNA_BATCH_LIST_MAX], *addrs[LYSSNA_BATCH_LIST_MAX];
    const char *merge;
};

static int parse_int(const char *s, long lo, long hi, const char *what, long *out, struct err *e)
{
    char *end;
    long v = strtol(s, &end, 10);

    if (end == s || *end || v < lo || v > hi)
        return err_set(e, LY_EUSAGE, "%s '%s' is not a number from %ld to %ld", what, s, lo, hi);
    *out = v;
    return LY_OK;
}

static int parse_formats(const char *list, struct batch_opts *o, struct err *e)
{
    char name[16];
    const char *p = list;
    size_t n, i;
    int rc;

    o->nformats = 0;
    while (*p) {
        n = strcspn(p, ",");
        if (n == 0 || n >= sizeof(name) || o->nformats == 4)
            return err_set(e, LY_EUSAGE, "bad format list '%s'", list);
        snprintf(name, sizeof(name), "%.*s", (int)n, p);
        rc = encode_format_parse(name, &o->formats[o->nformats], e);
        if (rc)
            return rc;
        for (i = 0; i < o->nformats; i++)
            if (o->formats[i] == o->formats[o->nformats])
                return err_set(e, LY_EUSAGE, "format '%s' is given twice", name);
        o->nformats++;
        p += n + (p[n] == ',');
    }
    return o->nformats ? LY_OK : err_set(e, LY_EUSAGE, "no format given");
}

static int parse_shard(const char *s, struct batch_opts *o, struct err *e)
{
    int i, n, used = 0;

    if (sscanf(s, "%d/%d%n", &i, &n, &used) != 2 || s[used] || n < 1 || i < 1 || i > n)
        return err_set(e, LY_EUSAGE, "--shard '%s' is not I/N with 1 <= I <= N", s);
    o->shard = i;
    o->nshards = n;
    return LY_OK;
}

static int add_list(const char **list, size_t *n, const char *v, struct err *e)
{
    if (*n >= LYSSNA_BATCH_LIST_MAX)
        return err_set(e, LY_EUSAGE, "at most %d --allow-host or --allow-addr each",
                       LYSSNA_BATCH_LIST_MAX);
    list[(*n)++] = v;
    return LY_OK;
}

enum {
    O_MARKS = 256,
    O_FILL,
    O_LEXICON,
    O_CACHEMB,
    O_SHARD,
    O_HOST,
    O_ANY,
    O_ADDR,
    O_PERHOST,
    O_DELAY,
    O_RETRIES,
    O_TIMEOUT,
    O_MERGE
};

static int apply(struct batch_args *a, int c, const char *v, struct err *e)
{
    long n = 0;
    int rc = LY_OK;

    switch (c) {
    case 'o':
        a->o.outdir = v;
        break;
    case 'f':
        return parse_formats(v, &a->o, e);
    case 'j':
        rc = parse_int(v, 1, 64, "-j", &n, e);
        a->o.jobs = (int)n;
        break;
    case 'q':
        a->o.quiet = 1;
        break;
    case 'v':
        a->o.voice = v;
        break;
    case 'r':
        rc = parse_int(v, LYSSNA_RATE_MIN, LYSSNA_RATE_MAX, "rate", &n, e);
        a->o.rate = (int)n;
        break;
    case O_MARKS:
        a->o.marks = 1;
        break;
    case O_FILL:
        a->o.fill_cache = v;
        break;
    case O_LEXICON:
        a->o.lexicon_file = v;
        break;
    case O_CACHEMB:
        rc = parse_int(v, 1, 1 << 30, "--cache-max-mb", &n, e);
        a->o.cache_max_mb = (int)n;
        break;
    case O_SHARD:
        return parse_shard(v, &a->o, e);
    case O_MERGE:
        a->merge = v;
        break;
    case O_HOST:
        return add_list(a->hosts, &a->c.fetch.nallow, v, e);
    case O_ANY:
        a->c.fetch.allow_any_host = 1;
        break;
    case O_ADDR:
        return add_list(a->addrs, &a->c.fetch.naddrs, v, e);
    case O_PERHOST:
        rc = parse_int(v, 1, 64, "--per-host", &n, e);
        a->c.per_host = (int)n;
        break;
    case O_DELAY:
        rc = parse_int(v, 0, 600000, "--delay", &n, e);
        a->c.delay_ms = n;
        break;
    case O_RETRIES:
        rc = parse_int(v, 0, 10, "--retries", &n, e);
        a->c.retries = (int)n;
        break;
    case O_TIMEOUT:
        rc = parse_int(v, 100, 600000, "--fetch-timeout", &n, e);
        a->c.fetch.timeout_ms = n;
        break;
    default:
        return LY_EUSAGE;
    }
    return rc;
}

static int parse_args(int argc, char **argv, struct batch_args *a, struct err *e)
{
    static const struct option opts[] = {{"output", required_argument, NULL, 'o'},
                                         {"format", required_argument, NULL, 'f'},
                                         {"jobs", required_argument, NULL, 'j'},
                                         {"quiet", no_argument, NULL, 'q'},
                                         {"voice", required_argument, NULL, 'v'},
                                         {"rate", required_argument, NULL, 'r'},
                                         {"marks", no_argument, NULL, O_MARKS},
                                         {"fill-cache", required_argument, NULL, O_FILL},
                                         {"lexicon-file", required_argument, NULL, O_LEXICON},
                                         {"cache-max-mb", required_argument, NULL, O_CACHEMB},
                                         {"shard", required_argument, NULL, O_SHARD},
                                         {"allow-host", required_argument, NULL, O_HOST},
                                         {"allow-any-host", no_argument, NULL, O_ANY},
                                         {"allow-addr", required_argument, NULL, O_ADDR},
                                         {"per-host", required_argument, NULL, O_PERHOST},
                                         {"delay", required_argument, NULL, O_DELAY},
                                         {"retries", required_argument, NULL, O_RETRIES},
                                         {"fetch-timeout", required_argument, NULL, O_TIMEOUT},
                                         {"merge", required_argument, NULL, O_MERGE},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    int c, rc;

    opterr = 0;
    while ((c = getopt_long(argc, argv, "o:f:j:qv:r:h", opts, NULL)) != -1) {
        if (c == 'h') {
            fputs(usage_text, stdout);
            exit(0);
        }
        if (c == '?' || c == ':')
            return err_set(e, LY_EUSAGE, "unknown or incomplete option '%s' (see --help)",
                           argv[optind - 1]);
        rc = apply(a, c, optarg, e);
        if (rc)
            return rc;
    }
    if (a->merge && (a->o.outdir || optind < argc))
        return err_set(e, LY_EUSAGE, "--merge OUTDIR takes no -o and no sources");
    if (a->merge)
        return LY_OK;
    if (!a->o.outdir)
        return err_set(e, LY_EUSAGE, "give the output folder: -o OUTDIR (see --help)");
    if (optind >= argc)
        return err_set(e, LY_EUSAGE, "give at least one source: a sitemap, URL list or folder");
    return LY_OK;
}

static void defaults(struct batch_args *a)
{
    memset(a, 0, sizeof(*a));
    a->o.formats[0] = ENCODE_MP3;
    a->o.nformats = 1;
    a->o.voice = LYSSNA_DEFAULT_VOICE;
    a->o.cache_max_mb = 1024;
    a->o.synth_timeout_ms = 120000;
    a->c.delay_ms = 100;
    a->c.retries = 3;
    a->c.fetch.allow_hosts = a->hosts;
    a->c.fetch.allow_addrs = a->addrs;
}

/* Options checked, sources listed; then the run. */
static int run(struct batch_args *a, int nsrc, char **srcs, struct err *e)
{
    struct batch_summary sum = {0};
    struct batch_list l = {0};
    struct crawl *c = NULL;
    struct voice v;
    char exe[PATH_MAX];
    ssize_t n;
    int rc = voice_load(voice_dir(), a->o.voice, &v, e);

    if (!a->o.jobs)
        a->o.jobs = (int)sysconf(_SC_NPROCESSORS_ONLN) > 0 ? (int)sysconf(_SC_NPROCESSORS_ONLN) : 1;
    if (!rc)
        rc = fetch_global_init(e);
    if (!rc) {
        c = crawl_new(&a->c);
        rc = batch_collect(srcs, (size_t)nsrc, c, &l, e);
    }
    if (!rc && (n = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) <= 0)
        rc = err_set(e, LY_EIO, "cannot find the lyssna binary");
    if (!rc) {
        exe[n] = '\0';
        a->o.exe = exe;
        rc = batch_run(&a->o, &l, c, &sum, e);
    }
    batch_list_release(&l);
    crawl_free(c);
    fetch_global_cleanup();
    if (rc)
        return cmd_fail(e);
    return sum.interrupted ? 130 : sum.failed ? 1 : 0;
}

static int merge(const char *outdir, struct err *e)
{
    size_t records;
    int shards;

    if (batch_merge(outdir, &shards, &records, e))
        return cmd_fail(e);
    fprintf(stderr, "lyssna: %d shards merged: %zu records in %s/manifest.jsonl\n", shards, records,
            outdir);
    return 0;
}

int cmd_batch(int argc, char **argv)
{
    struct batch_args a;
    struct err e = {0};

    defaults(&a);
    if (parse_args(argc, argv, &a, &e))
        return cmd_fail(&e);
    if (a.merge)
        return merge(a.merge, &e);
    if (fetch_check_opts(&(struct fetch_opts){.allow_any_host = 1,
                                              .allow_addrs = a.addrs,
                                              .naddrs = a.c.fetch.naddrs},
                         &e))
        return cmd_fail(&e);
    return run(&a, argc - optind, argv + optind, &e);
}
