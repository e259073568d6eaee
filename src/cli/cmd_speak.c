/* cmd_speak.c -- `lyssna speak`: text, SSML, an HTML page or a document (PDF, DOCX, ODT) in,
 * audio (and marks) out.
 * Parses options, reads the input, opens the outputs, calls the pipeline. Audio goes out
 * as it is made; to a file it goes through a temporary that is renamed at the end, so an
 * error or Ctrl-C leaves no partial file. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"
#include "cmd.h"
#include "extract/extract.h"
#include "normalize/normalize.h"
#include "speech/speech.h"

#include "banned.h"

struct speak_args {
    const char *voice, *out, *marks, *input;
    const char *format; /* NULL: from -o's extension, else wav */
    int rate;           /* 0: the voice's own */
    int ssml, html, list_voices;
};

/* Where audio goes: a temporary file (patchable) or stdout (patchable when it is a file). */
struct audio_out {
    struct outfile file;
    int fd;
    size_t written;
    int seekable;
    int error; /* errno of a failed write */
};

struct marks_out {
    struct outfile file;
    const char *text;
    struct buf line;
    struct err err;
    int to_stdout;
};

static volatile sig_atomic_t interrupted;

static const char usage_text[] =
    "usage: lyssna speak [-v VOICE] [-r WPM] [-f wav|ogg|opus|mp3] [-o FILE|-] [--ssml]\n"
    "                    [--html] [--marks FILE] [--list-voices] [FILE|-]\n"
    "  -v, --voice VOICE   voice profile from voices/ (default " LYSSNA_DEFAULT_VOICE ")\n"
    "  -r, --rate WPM      words per minute, 80-400 (default: the voice's)\n"
    "  -f, --format FMT    wav, ogg (Vorbis), opus, mp3, flac, pcm or au (default: from -o, else\n"
    "                      wav)\n"
    "  -o, --output FILE   write audio to FILE (default: stdout)\n"
    "      --ssml          the input is SSML\n"
    "      --html          the input is an HTML page: read its article\n"
    "      --marks FILE    write speech marks (JSON lines) to FILE\n"
    "      --list-voices   list the voice profiles and exit\n";

static int parse_args(int argc, char **argv, struct speak_args *a, struct err *e)
{
    static const struct option opts[] = {
        {"voice", required_argument, NULL, 'v'},  {"rate", required_argument, NULL, 'r'},
        {"format", required_argument, NULL, 'f'}, {"output", required_argument, NULL, 'o'},
        {"ssml", no_argument, NULL, 'S'},         {"html", no_argument, NULL, 'H'},
        {"marks", required_argument, NULL, 'm'},  {"list-voices", no_argument, NULL, 'L'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0}};
    char *end;
    int c;

    memset(a, 0, sizeof(*a));
    a->voice = LYSSNA_DEFAULT_VOICE;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "v:r:f:o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'v':
            a->voice = optarg;
            break;
        case 'f':
            a->format = optarg;
            break;
        case 'o':
            a->out = optarg;
            break;
        case 'S':
            a->ssml = 1;
            break;
        case 'H':
            a->html = 1;
            break;
        case 'm':
            a->marks = optarg;
            break;
        case 'L':
            a->list_voices = 1;
            break;
        case 'h':
            fputs(usage_text, stdout);
            exit(0);
        case 'r':
            a->rate = (int)strtol(optarg, &end, 10);
            if (*end || end == optarg)
                return err_set(e, LY_EUSAGE, "rate '%s' is not a number of words per minute",
                               optarg);
            break;
        default:
            return err_set(e, LY_EUSAGE, "unknown or incomplete option '%s' (see --help)",
                           argv[optind - 1]);
        }
    }
    if (argc - optind > 1)
        return err_set(e, LY_EUSAGE, "one input at most (got %d)", argc - optind);
    if (a->ssml && a->html)
        return err_set(e, LY_EUSAGE, "--ssml and --html exclude each other");
    a->input = optind < argc ? argv[optind] : "-";
    return a->rate ? voice_check_rate(a->rate, e) : LY_OK;
}

static int list_voices(void)
{
    struct voice v[64];
    struct err e = {0};
    int i, n = voice_list(voice_dir(), v, 64, &e);
    const struct lang *l;
    size_t k, nl = lang_all(voice_dir(), &l);

    if (n < 0)
        return cmd_fail(&e);
    for (i = 0; i < n; i++)
        printf("%-12s %-4s %3d wpm  %s\n", v[i].name, v[i].lang, v[i].rate, v[i].description);
    /* then every language: a voice of its own by its code (-v fi), or none */
    printf("\n%zu languages (code, voice, in Swedish, in itself):\n", nl);
    for (k = 0; k < nl; k++)
        printf("%-5s %-8s %-24s %s\n", l[k].code, l[k].espeak[0] ? "espeak" : "no voice",
               l[k].name_sv, l[k].name_self);
    return 0;
}

static int pick_format(const struct speak_args *a, enum encode_format *fmt, struct err *e)
{
    const char *dot;

    if (a->format)
        return encode_format_parse(a->format, fmt, e);
    *fmt = ENCODE_WAV;
    dot = a->out ? strrchr(a->out, '.') : NULL;
    if (dot && strcmp(a->out, "-") && encode_format_parse(dot + 1, fmt, NULL) != LY_OK)
        *fmt = ENCODE_WAV;
    return LY_OK;
}

static int read_input(const char *path, size_t max, struct buf *in, struct err *e)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    int rc;

    if (!f)
        return err_set(e, LY_EINPUT, "cannot read '%s': %s", path, strerror(errno));
    buf_init(in, max);
    rc = buf_read_file(in, f, strcmp(path, "-") ? path : "standard input", e);
    if (f != stdin)
        fclose(f);
    return rc;
}

static int audio_write(void *ctx, const void *data, size_t len)
{
    struct audio_out *o = ctx;

    if (write_all(o->fd, data, len)) {
        o->error = errno;
        return -1;
    }
    o->written += len;
    return 0;
}

static int audio_patch(void *ctx, size_t offset, const void *data, size_t len)
{
    struct audio_out *o = ctx;

    return pwrite(o->fd, data, len, (off_t)offset) == (ssize_t)len ? 0 : -1;
}

static int open_audio(const char *path, struct audio_out *o, struct err *e)
{
    struct stat st;
    int rc;

    memset(o, 0, sizeof(*o));
    o->file.fd = -1;
    if (path && strcmp(path, "-")) {
        rc = outfile_open(&o->file, path, e);
        o->fd = o->file.fd;
        o->seekable = 1;
        return rc;
    }
    o->fd = STDOUT_FILENO;
    if (isatty(o->fd))
        return err_set(e, LY_EUSAGE, "not writing audio to a terminal: use -o FILE or a pipe");
    /* stdout redirected to a file at its start can have its WAV header made exact */
    o->seekable = !fstat(o->fd, &st) && S_ISREG(st.st_mode) && lseek(o->fd, 0, SEEK_CUR) == 0;
    return LY_OK;
}

static int on_mark(void *ctx, const struct mark *m)
{
    struct marks_out *mo = ctx;

    buf_reset(&mo->line);
    if (marks_to_json(m, mo->text, &mo->line, &mo->err) || buf_addch(&mo->line, '\n', &mo->err))
        return -1;
    if (mo->to_stdout)
        return write_all(STDOUT_FILENO, mo->line.data, mo->line.len)
                   ? -err_set(&mo->err, LY_EIO, "cannot write speech marks: %s", strerror(errno))
                   : 0;
    return outfile_write(&mo->file, mo->line.data, mo->line.len, &mo->err) ? -1 : 0;
}

/* --marks FILE, or --marks - for standard output when the audio goes to a file. */
static int open_marks(const char *path, const struct audio_out *ao, struct marks_out *mo,
                      struct err *e)
{
    if (strcmp(path, "-"))
        return outfile_open(&mo->file, path, e);
    if (ao->fd == STDOUT_FILENO)
        return err_set(e, LY_EUSAGE, "--marks - needs the audio in a file (-o FILE)");
    mo->to_stdout = 1;
    return LY_OK;
}

/* For --html, and for a document (PDF, DOCX, ODT: told by its content), the text spoken (and
 * that marks point into) is the extracted text, as `lyssna extract` prints it. */
static int prepare(const struct speak_args *a, const char *name, struct buf *in,
                   struct page_text *page, struct speak_request *req, struct err *e)
{
    struct extract_opts xo = {0};
    int doc = !a->ssml && extract_sniff(in->data, in->len) != EXTRACT_HTML;
    size_t max = a->html ? LYSSNA_MAX_HTML : LYSSNA_MAX_TEXT;
    int rc;

    req->text = in->data;
    req->len = in->len;
    req->ssml = a->ssml;
    if (!doc && in->len > max)
        return err_set(e, LY_ETOOBIG, "'%s' is over the limit of %zu bytes",
                       strcmp(name, "-") ? name : "standard input", max);
    if (!a->html && !doc)
        return LY_OK;
    xo.worker = cmd_exe();
    rc = pipeline_read_html(in->data, in->len, &xo, page, e);
    if (rc)
        return rc;
    req->text = page->text;
    req->len = page->len;
    req->line_langs = page->line_langs;
    req->nlines = page->nlines;
    return LY_OK;
}

/* Runs the pipeline with the outputs open; commits them only if everything succeeded. */
static int run(const struct speak_args *a, struct speak_request *req, struct marks_out *mo,
               struct err *e)
{
    struct audio_out ao;
    struct encode_sink sink = {audio_write, NULL, &ao};
    struct speak_output so = {.audio = &sink, .cancel = &interrupted};
    struct synth *s = NULL;
    int rc;

    rc = open_audio(a->out, &ao, e);
    if (!rc && a->marks) {
        rc = open_marks(a->marks, &ao, mo, e);
        so.mark = on_mark;
        so.mark_ctx = mo;
    }
    if (!rc && !(s = synth_new(e)))
        rc = e->code;
    if (rc)
        goto out;
    if (ao.seekable)
        sink.patch = audio_patch;
    rc = pipeline_speak(s, req, &so, e);
    if (rc == LY_EIO && mo->err.code)
        rc = err_set(e, mo->err.code, "%s", mo->err.msg);
    else if (rc == LY_EIO && ao.error)
        rc =
            err_set(e, LY_EIO, "cannot write audio to %s: %s",
                    a->out && strcmp(a->out, "-") ? a->out : "standard output", strerror(ao.error));
    if (!rc && mo->file.tmp)
        rc = outfile_commit(&mo->file, e);
    if (!rc && ao.file.tmp)
        rc = outfile_commit(&ao.file, e);
out:
    synth_free(s);
    outfile_abort(&ao.file);
    outfile_abort(&mo->file);
    return rc;
}

/* The normalizer's word lists for the voice's language, voices/LANG/, when there are any;
 * problems in them are warned about on stderr. */
static struct norm_rules *load_rules(const char *lang)
{
    char dir[4096];

    snprintf(dir, sizeof(dir), "%s/%s", voice_dir(), lang);
    if (access(dir, R_OK) != 0)
        return NULL;
    return normalize_rules_load(dir, NULL, NULL);
}

int cmd_speak(int argc, char **argv)
{
    struct speak_args a;
    struct speak_request req = {0};
    struct marks_out mo = {.file = {.fd = -1}};
    struct page_text page = {0};
    struct norm_rules *rules = NULL;
    struct voice voice;
    struct buf in;
    struct err e = {0};
    int rc;

    buf_init(&in, 0);
    buf_init(&mo.line, BUF_NOLIMIT);
    rc = parse_args(argc, argv, &a, &e);
    if (!rc && a.list_voices)
        return list_voices();
    if (!rc)
        rc = voice_load(voice_dir(), a.voice, &voice, &e);
    if (!rc)
        req.rules = rules = load_rules(NORMALIZE_LANG);
    if (!rc)
        rc = pick_format(&a, &req.format, &e);
    if (!rc)
        rc = read_input(a.input, a.ssml ? LYSSNA_MAX_TEXT : LYSSNA_MAX_DOC, &in, &e);
    if (!rc)
        rc = prepare(&a, a.input, &in, &page, &req, &e);
    if (!rc) {
        req.voice = &voice;
        req.rate = a.rate ? a.rate : voice.rate;
        mo.text = req.text;
        signals_catch_stop(&interrupted);
        rc = run(&a, &req, &mo, &e);
    }
    pipeline_page_release(&page);
    normalize_rules_free(rules);
    buf_release(&in);
    buf_release(&mo.line);
    return rc ? cmd_fail(&e) : 0;
}
