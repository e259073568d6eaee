/* docchild.c -- the document worker's side (lyssna-docworker, src/cli/docworker_main.c):
 * caps its own CPU, memory and file writes, shuts itself in with seccomp, reads one document
 * from standard input with the reader extract_sniff picks (document_read) and writes the
 * result, or the error, in frames (docworker.h) to standard output for docworker.c. Only the worker
 * program links this file and the readers it calls (poppler, libzip, Tesseract by dlopen): lyssna
 * itself never parses a document. */
#define _GNU_SOURCE /* close_range */
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"
#include "document.h"
#include "docworker.h"
#include "extract.h"

#include "banned.h"

#define WORKER_MEM (2048ul << 20) /* address space of a worker */

int document_read(const char *bytes, size_t len, const struct document_caps *caps,
                  struct extract_result *out, struct err *e)
{
    switch (extract_sniff(bytes, len)) {
    case EXTRACT_PDF:
        return document_read_pdf(bytes, len, caps, out, e);
    case EXTRACT_DOCX:
        return document_read_docx(bytes, len, caps, out, e);
    case EXTRACT_ODT:
        return document_read_odt(bytes, len, caps, out, e);
    default:
        return err_set(e, LY_EPARSE,
                       "not a document Lyssna reads: PDF, Word (DOCX) and OpenDocument text "
                       "(ODT) are read");
    }
}

/* The worker's own limits, set before it touches the document: cpu_s of CPU (SIGXCPU), which
 * a scan may raise to ocr_cpu_s (scan_begins). Under AddressSanitizer the address space
 * cannot be capped (its shadow memory reserves terabytes). */
static void limit_self(int cpu_s, int ocr_cpu_s)
{
    struct rlimit cpu = {(rlim_t)cpu_s, (rlim_t)(cpu_s > ocr_cpu_s ? cpu_s : ocr_cpu_s) + 1},
                  none = {0, 0};

    setrlimit(RLIMIT_CPU, &cpu);
    /* no file grows: a write to a standard stream that is a file fails (EFBIG) instead of
       killing the worker, for poppler warns on stderr about damaged files it still reads */
    setrlimit(RLIMIT_FSIZE, &none);
    signal(SIGXFSZ, SIG_IGN);
    setrlimit(RLIMIT_CORE, &none);
#if !defined(__SANITIZE_ADDRESS__)
    struct rlimit mem = {WORKER_MEM, WORKER_MEM};
    setrlimit(RLIMIT_AS, &mem);
#endif
}

/* /dev/null, opened before the sandbox shuts out opening it for writing. */
static int quiet_fd = -1;

/* A scan is about to be recognized: its longer CPU cap (the hard limit less a second, so the
 * end is still SIGXCPU), and a SCAN frame to the parent, which then waits as long. Tesseract
 * prints notes ("Empty page!!") on stderr, the caller's: they go to /dev/null. */
static void scan_begins(void)
{
    struct rlimit r;

    if (quiet_fd >= 0)
        dup2(quiet_fd, STDERR_FILENO);
    if (!getrlimit(RLIMIT_CPU, &r) && r.rlim_max != RLIM_INFINITY && r.rlim_max > 1) {
        r.rlim_cur = r.rlim_max - 1;
        setrlimit(RLIMIT_CPU, &r);
    }
    frame_send(STDOUT_FILENO, DOCWORKER_SCAN, "", 0);
}

/* Adds a frame of type whose bytes printf's fmt makes (line: scratch). */
static void frame_addf(struct buf *b, struct buf *line, int type, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void frame_addf(struct buf *b, struct buf *line, int type, const char *fmt, ...)
{
    va_list ap;

    buf_reset(line);
    va_start(ap, fmt);
    buf_vaddf(line, NULL, fmt, ap);
    va_end(ap);
    frame_add(b, type, line->data, line->len);
}

static void frame_adds(struct buf *b, int type, const char *s)
{
    frame_add(b, type, s ? s : "", s ? strlen(s) : 0);
}

/* The result (NULL: the error e) to the parent in frames (docworker.h), in one write. */
static void answer(const struct extract_result *r, const struct err *e)
{
    struct buf b, line;
    size_t i, k;

    buf_init(&b, BUF_NOLIMIT);
    buf_init(&line, BUF_NOLIMIT);
    if (!r)
        frame_addf(&b, &line, DOCWORKER_ERROR, "%d %s", (int)e->code, e->msg);
    else {
        frame_adds(&b, DOCWORKER_TITLE, r->title);
        frame_adds(&b, DOCWORKER_LANG, r->lang);
        frame_addf(&b, &line, DOCWORKER_NUMBERS, "%zu %d %d", r->words, r->ocr, r->parts);
    }
    for (i = 0; r && i < r->nblocks; i++) {
        const struct extract_block *bl = &r->blocks[i];
        frame_addf(&b, &line, DOCWORKER_BLOCK, "%d %d", (int)bl->kind, bl->level);
        frame_adds(&b, DOCWORKER_XPATH, bl->xpath);
        if (bl->lang)
            frame_adds(&b, DOCWORKER_LANG, bl->lang);
        frame_adds(&b, DOCWORKER_TEXT, bl->text);
        for (k = 0; k < bl->nruns; k++)
            frame_addf(&b, &line, DOCWORKER_RUN, "%zu %zu %s", bl->runs[k].start, bl->runs[k].end,
                       bl->runs[k].lang);
    }
    write_all(STDOUT_FILENO, b.data, b.len);
    buf_release(&line);
    buf_release(&b);
}

static void parse_args(int argc, char **argv, struct document_caps *caps, int *cpu_s,
                       int *ocr_cpu_s)
{
    int i;

    for (i = 1; i + 1 < argc; i += 2) {
        long v = strtol(argv[i + 1], NULL, 10);
        if (v <= 0)
            continue;
        if (!strcmp(argv[i], "--max-pages"))
            caps->max_pages = (int)(v < 1000000 ? v : 1000000);
        else if (!strcmp(argv[i], "--max-text"))
            caps->max_text = (size_t)v;
        else if (!strcmp(argv[i], "--cpu"))
            *cpu_s = (int)(v < 3600 ? v : 3600);
        else if (!strcmp(argv[i], "--ocr-cpu"))
            *ocr_cpu_s = (int)(v < 3600 ? v : 3600);
        else if (!strcmp(argv[i], "--part"))
            caps->part = (int)(v < 32 ? v : 32);
    }
}

static size_t map_len;

/* The document on standard input: mapped into *map when it is a file (the memfd that
 * docworker.c hands over: a 34 MB scan read in parts is not copied again by each part's
 * worker), else read into doc. */
static int read_document(struct buf *doc, void **map, struct err *e)
{
    struct stat st;

    if (!fstat(STDIN_FILENO, &st) && S_ISREG(st.st_mode) && st.st_size > 0 &&
        (size_t)st.st_size <= doc->max) {
        map_len = (size_t)st.st_size;
        *map = mmap(NULL, map_len, PROT_READ, MAP_PRIVATE, STDIN_FILENO, 0);
        if (*map != MAP_FAILED)
            return LY_OK;
    }
    return buf_read_file(doc, stdin, "the document", e);
}

int extract_worker_main(int argc, char **argv)
{
    struct document_caps caps;
    struct extract_result r;
    struct err e = {0};
    struct buf doc;
    int cpu_s = LYSSNA_MAX_DOC_CPU, ocr_cpu_s = LYSSNA_MAX_OCR_CPU, rc;
    void *map = MAP_FAILED;

    document_caps_of(NULL, &caps);
    caps.on_scan = scan_begins;
    parse_args(argc, argv, &caps, &cpu_s, &ocr_cpu_s);
    close_range(3, ~0u, 0);
    quiet_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
    limit_self(cpu_s, ocr_cpu_s);
    buf_init(&doc, LYSSNA_MAX_DOC);
    rc = sandbox_confine_worker(&e);
    if (!rc)
        rc = read_document(&doc, &map, &e);
    if (!rc)
        rc = map != MAP_FAILED ? document_read(map, map_len, &caps, &r, &e)
                               : document_read(doc.data, doc.len, &caps, &r, &e);
    answer(rc ? NULL : &r, &e);
    close(STDOUT_FILENO); /* the parent reads the answer while this process frees and ends */
    if (!rc)
        extract_result_release(&r);
    if (map != MAP_FAILED)
        munmap(map, map_len);
    buf_release(&doc);
    return 0;
}
