/* docworker.c -- documents are parsed in a child process of their own, not in the pool of
 * synthesis workers: poppler is a large C++ parser fed files from anyone, so each document
 * gets a fresh `lyssna-docworker extract-worker` (posix_spawn: safe from the service's
 * threads), a program of its own beside the lyssna binary that links the parsers' libraries
 * and nothing else (docchild.c is its side): it closes every inherited descriptor, caps its
 * CPU time, memory and file writes with rlimits, shuts itself in with the synthesis workers'
 * seccomp filter (no sockets, no programs, no files written) and only then reads the document
 * from a memfd on its standard input; the result comes back as JSON on a pipe. A fresh
 * process per document (about 8 ms of CPU, a third of a whole lyssna's start with its hundred
 * libraries) keeps one hostile file from leaving state behind for the next, and extraction
 * sits before speech in the flow, so the speech pool (a later stage) is not ours to use. A
 * crash, the CPU limit or a hang (killed at twice the CPU limit in wall time) costs that
 * document an error. A scan read by text recognition gets a longer CPU limit: the worker
 * raises its own soft limit to it and writes a space (white space before JSON) to tell the
 * parent to wait that long. */
#define _GNU_SOURCE /* memfd_create */
#include "docworker.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/base.h"
#include "docbuild.h"
#include "document.h"
#include "extract.h"

#include "banned.h"

extern char **environ;

#define SLOT_WAIT_S 30 /* how long a document waits for a free worker slot */

/* Workers at once in this process: two a core, so that a flood of documents queues here
 * instead of starting a parser per request. */
static pthread_mutex_t slot_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t slot_free = PTHREAD_COND_INITIALIZER;
static long slots_used;

static int take_slot(struct err *e)
{
    long max = sysconf(_SC_NPROCESSORS_ONLN) * 2;
    struct timespec until;
    int rc = 0;

    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += SLOT_WAIT_S;
    pthread_mutex_lock(&slot_lock);
    while (slots_used >= (max > 2 ? max : 2) && rc == 0)
        rc = pthread_cond_timedwait(&slot_free, &slot_lock, &until);
    if (!rc)
        slots_used++;
    pthread_mutex_unlock(&slot_lock);
    return rc ? err_set(e, LY_EBUSY, "too many documents are being read: try again in a moment")
              : LY_OK;
}

static void give_slot(void)
{
    pthread_mutex_lock(&slot_lock);
    slots_used--;
    pthread_cond_signal(&slot_free);
    pthread_mutex_unlock(&slot_lock);
}

static long long now_ms(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* A memfd holding the document, positioned at its start; -1 on failure. */
static int doc_fd(const char *bytes, size_t len)
{
    int fd = memfd_create("lyssna-document", MFD_CLOEXEC);

    if (fd < 0)
        return -1;
    if (write_all(fd, bytes, len) || lseek(fd, 0, SEEK_SET) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* The worker's environment: ours, with Tesseract's OpenMP kept to one thread (its CPU cap
 * counts every thread, and the machine's other cores are the service's), and an allocator
 * that keeps what it freed: poppler allocates and frees each page's text afresh, and glibc's
 * default gave the pages back to the kernel each time only to fault them in again, a third
 * of a text PDF's CPU (bench/documents). 64 MiB of slack at the heap's top, in huge pages. */
static char **worker_env(void)
{
    size_t n = 0, k;
    char **env;

    while (environ[n])
        n++;
    env = xcalloc(n + 3, sizeof(*env));
    env[0] = "OMP_THREAD_LIMIT=1"; /* first: getenv takes the first of a name */
    /* first too: glibc applies each GLIBC_TUNABLES in turn, so a user's own has the last word */
    env[1] = "GLIBC_TUNABLES=glibc.malloc.top_pad=67108864:glibc.malloc.hugetlb=1";
    for (k = 0; k < n; k++)
        env[k + 2] = environ[k];
    return env;
}

#define DOCWORKER_NAME "lyssna-docworker"

/* The worker program, lyssna-docworker in exe's folder, into path; an error when it is not
 * there (make builds and installs it beside lyssna). */
static int worker_program(const char *exe, char *path, size_t size, struct err *e)
{
    const char *slash = strrchr(exe, '/');
    size_t dir = slash ? (size_t)(slash - exe) + 1 : 0;

    if (dir + sizeof(DOCWORKER_NAME) > size)
        return err_set(e, LY_EIO, "the path of lyssna is too long");
    memcpy(path, exe, dir);
    memcpy(path + dir, DOCWORKER_NAME, sizeof(DOCWORKER_NAME));
    if (access(path, X_OK))
        return err_set(e, LY_EIO, "cannot read documents: %s: %s (installed with lyssna)", path,
                       strerror(errno));
    return LY_OK;
}

static pid_t spawn_worker(const char *prog, int in, int out, const struct document_caps *caps,
                          int cpu_s, int ocr_cpu_s)
{
    char pages[24], text[24], cpu[24], ocr[24], part[24];
    char *argv[] = {
        (char *)prog, "extract-worker", "--max-pages", pages,    "--max-text", text, "--cpu",
        cpu,          "--ocr-cpu",      ocr,           "--part", part,         NULL};
    char **env = worker_env();
    posix_spawn_file_actions_t fa;
    pid_t pid;
    int rc;

    snprintf(pages, sizeof(pages), "%d", caps->max_pages);
    snprintf(text, sizeof(text), "%zu", caps->max_text);
    snprintf(cpu, sizeof(cpu), "%d", cpu_s);
    snprintf(ocr, sizeof(ocr), "%d", ocr_cpu_s);
    snprintf(part, sizeof(part), "%d", caps->part);
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in, 0);
    posix_spawn_file_actions_adddup2(&fa, out, 1);
    rc = posix_spawn(&pid, prog, &fa, NULL, argv, env);
    posix_spawn_file_actions_destroy(&fa);
    free(env);
    return rc ? -1 : pid;
}

/* Reads the child's answer until it closes the pipe, for at most deadline_ms, or scan_ms
 * once it has said (with a space) that it is recognizing a scan. */
static int read_answer(int fd, struct buf *b, long long deadline_ms, long long scan_ms)
{
    struct pollfd p = {fd, POLLIN, 0};
    char chunk[65536];
    ssize_t n;
    long long left;

    for (;;) {
        left = deadline_ms - now_ms();
        if (left <= 0)
            return LY_ETIMEOUT;
        if (poll(&p, 1, (int)left) < 0) {
            if (errno == EINTR)
                continue;
            return LY_EIO;
        }
        if (!p.revents)
            continue;
        n = read(fd, chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return n ? LY_EIO : LY_OK;
        deadline_ms = scan_ms;
        if (buf_add(b, chunk, (size_t)n, NULL))
            return LY_ETOOBIG;
    }
}

/* A block's stretches in other languages ([start, end, lang] each), those that fit its text. */
static void add_runs(json_t *runs, struct extract_block *b)
{
    size_t i, len = strlen(b->text);
    json_t *r;

    b->runs = json_array_size(runs) ? xcalloc(json_array_size(runs), sizeof(*b->runs)) : NULL;
    json_array_foreach(runs, i, r)
    {
        json_int_t start = json_integer_value(json_array_get(r, 0));
        json_int_t end = json_integer_value(json_array_get(r, 1));
        const char *l = json_string_value(json_array_get(r, 2));
        if (l && start >= 0 && start < end && (size_t)end <= len &&
            (!b->nruns || (size_t)start >= b->runs[b->nruns - 1].end))
            b->runs[b->nruns++] = (struct extract_run){(size_t)start, (size_t)end, xstrdup(l)};
    }
}

static int add_blocks(json_t *blocks, struct extract_result *out)
{
    size_t i, total = 0;
    json_t *b;

    out->nblocks = json_array_size(blocks);
    out->blocks = xcalloc(out->nblocks ? out->nblocks : 1, sizeof(*out->blocks));
    json_array_foreach(blocks, i, b)
    {
        const char *t = json_string_value(json_object_get(b, "text"));
        const char *x = json_string_value(json_object_get(b, "xpath"));
        const char *l = json_string_value(json_object_get(b, "lang"));
        json_int_t kind = json_integer_value(json_object_get(b, "kind"));
        json_int_t level = json_integer_value(json_object_get(b, "level"));
        if (!t || !x || kind < EXTRACT_PARAGRAPH || kind > EXTRACT_TABLE_ROW || level < 0 ||
            level > 6)
            return -1;
        out->blocks[i].kind = (enum extract_kind)kind;
        out->blocks[i].level = (int)level;
        out->blocks[i].text = xstrdup(t);
        out->blocks[i].xpath = xstrdup(x);
        out->blocks[i].lang = l ? xstrdup(l) : NULL;
        out->blocks[i].start = total;
        add_runs(json_object_get(b, "runs"), &out->blocks[i]);
        total += strlen(t) + 1;
    }
    return 0;
}

/* The child's JSON into out, or its error into e. */
static int take_answer(const struct buf *b, struct extract_result *out, struct err *e)
{
    json_t *root = json_loadb(b->data, b->len, 0, NULL), *err;
    int rc = LY_OK;

    if (!root)
        return err_set(e, LY_EPARSE, "the document reader gave no answer (a damaged file?)");
    if ((err = json_object_get(root, "code"))) {
        rc = err_set(e, (enum lyssna_code)json_integer_value(err), "%s",
                     json_string_value(json_object_get(root, "message"))
                         ? json_string_value(json_object_get(root, "message"))
                         : "the document cannot be read");
        if (!rc || rc >= LY_ECODE_MAX)
            rc = e->code = LY_EPARSE;
    } else {
        memset(out, 0, sizeof(*out));
        out->title = xstrdup(json_string_value(json_object_get(root, "title"))
                                 ? json_string_value(json_object_get(root, "title"))
                                 : "");
        out->lang = xstrdup(json_string_value(json_object_get(root, "lang"))
                                ? json_string_value(json_object_get(root, "lang"))
                                : "");
        out->words = (size_t)json_integer_value(json_object_get(root, "words"));
        out->ocr = json_is_true(json_object_get(root, "ocr"));
        out->parts = (int)json_integer_value(json_object_get(root, "parts"));
        if (out->parts < 1 || out->parts > 32)
            out->parts = 1;
        if (add_blocks(json_object_get(root, "blocks"), out) || !out->nblocks) {
            extract_result_release(out);
            rc = err_set(e, LY_EPARSE, "the document reader's answer is malformed");
        }
    }
    json_decref(root);
    return rc;
}

/* What a child that ended without a usable answer did, as an error; scan: it was
 * recognizing a scan, with ocr_cpu_s. */
static int child_failed(int status, int got, int cpu_s, int scan, int ocr_cpu_s, struct err *e)
{
    int timed_out = got == LY_ETIMEOUT || (WIFSIGNALED(status) && WTERMSIG(status) == SIGXCPU);

    if (timed_out && scan)
        return err_set(e, LY_ETOOBIG,
                       "the scan took more than %d s to recognize: too many pages, or pages "
                       "too large",
                       ocr_cpu_s);
    if (timed_out)
        return err_set(e, LY_ETOOBIG,
                       "the document took more than %d s to read: too large or built to stall "
                       "a reader",
                       cpu_s);
    if (got == LY_ETOOBIG)
        return err_set(e, LY_ETOOBIG, "the document's text is over the limit");
    if (WIFSIGNALED(status))
        return err_set(e, LY_EPARSE,
                       "the document reader crashed on this file (signal %d): it is damaged or "
                       "built to attack readers",
                       WTERMSIG(status));
    return err_set(e, LY_EPARSE, "the document reader failed (exit %d)",
                   WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

static int run_worker(const char *exe, const char *bytes, size_t len,
                      const struct document_caps *caps, int cpu_s, int ocr_cpu_s,
                      struct extract_result *out, struct err *e)
{
    int in = doc_fd(bytes, len), pipefd[2] = {-1, -1}, status = 0, got, rc;
    struct buf answer;
    pid_t pid = -1;

    if (in < 0 || pipe2(pipefd, O_CLOEXEC) ||
        (pid = spawn_worker(exe, in, pipefd[1], caps, cpu_s, ocr_cpu_s)) < 0) {
        rc = err_set(e, LY_EIO, "cannot start the document reader: %s", strerror(errno));
        if (in >= 0)
            close(in);
        if (pipefd[0] >= 0)
            close(pipefd[0]), close(pipefd[1]);
        return rc;
    }
    close(in);
    close(pipefd[1]);
    buf_init(&answer, caps->max_text * 3 + (1u << 20));
    got = read_answer(pipefd[0], &answer, now_ms() + 2000ll * cpu_s + 2000,
                      now_ms() + 2000ll * (cpu_s > ocr_cpu_s ? cpu_s : ocr_cpu_s) + 2000);
    close(pipefd[0]);
    if (got)
        kill(pid, SIGKILL);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (!got && WIFEXITED(status) && WEXITSTATUS(status) == 0)
        rc = take_answer(&answer, out, e);
    else
        rc = child_failed(status, got, cpu_s, answer.len > 0, ocr_cpu_s, e);
    buf_release(&answer);
    return rc;
}

int docworker_run(const char *exe, const char *bytes, size_t len, const struct document_caps *caps,
                  int cpu_s, int ocr_cpu_s, struct extract_result *out, struct err *e)
{
    char prog[4096];
    int rc = worker_program(exe, prog, sizeof(prog), e);

    if (rc || (rc = take_slot(e)))
        return rc;
    rc = run_worker(prog, bytes, len, caps, cpu_s, ocr_cpu_s, out, e);
    give_slot();
    return rc;
}
