/* docworker.c -- documents are parsed in a child process of their own, not in the pool of
 * synthesis workers: poppler is a large C++ parser fed files from anyone, so each document
 * gets a fresh `lyssna-docworker extract-worker` (posix_spawn: safe from the service's
 * threads), a program of its own beside the lyssna binary that links the parsers' libraries
 * and nothing else (docchild.c is its side): it closes every inherited descriptor, caps its
 * CPU time, memory and file writes with rlimits, shuts itself in with the synthesis workers'
 * seccomp filter (no sockets, no programs, no files written) and only then reads the document
 * from a memfd on its standard input. The result comes back in frames on a pipe, in the
 * order docworker.h gives, checked here as the words of a process a hostile file may have
 * taken over (jansson, before, copied every string twice: a sixth of a 280-page PDF's time).
 * A fresh process per document (about 25 ms of CPU, nearly all of it loading poppler's
 * libraries) keeps one hostile file from leaving state behind for the next, and extraction
 * sits before speech in the flow, so the speech pool (a later stage) is not ours to use. A
 * crash, the CPU limit or a hang (killed at twice the CPU limit in wall time) costs that
 * document an error. A scan read by text recognition gets a longer CPU limit: the worker
 * raises its own soft limit to it and sends a SCAN frame to tell the parent to wait that
 * long. */
#define _GNU_SOURCE /* memfd_create */
#include "docworker.h"

#include <errno.h>
#include <fcntl.h>
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
 * of a text PDF's CPU (bench/documents). 64 MiB of slack at the heap's top, in huge pages,
 * and 2,000 freed chunks of a size kept for the next (glibc keeps 7): poppler allocates and
 * frees a word's letters one by one, and glibc's own free took a sixth of the worker. */
static char **worker_env(void)
{
    size_t n = 0, k;
    char **env;

    while (environ[n])
        n++;
    env = xcalloc(n + 3, sizeof(*env));
    env[0] = "OMP_THREAD_LIMIT=1"; /* first: getenv takes the first of a name */
    /* first too: glibc applies each GLIBC_TUNABLES in turn, so a user's own has the last word */
    env[1] = "GLIBC_TUNABLES=glibc.malloc.top_pad=67108864:glibc.malloc.hugetlb=1:"
             "glibc.malloc.tcache_count=2000";
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

/* A string of the answer: a copy of its n bytes at p, or NULL when they are not UTF-8 or
 * hold a NUL. */
static char *answer_string(const char *p, size_t n)
{
    return utf8_valid(p, n, NULL) && !memchr(p, '\0', n) ? xstrndup(p, n) : NULL;
}

/* The count numbers at the start of a frame's n bytes at p, a space apart, into v; returns
 * where the bytes after them (past a space) begin, or -1 when they are not there. */
static long answer_numbers(const char *p, size_t n, long long *v, int count)
{
    size_t i = 0, digits;
    int k;

    for (k = 0; k < count; k++) {
        if (k && (i >= n || p[i++] != ' '))
            return -1;
        for (v[k] = 0, digits = 0; i < n && p[i] >= '0' && p[i] <= '9' && digits < 12; digits++)
            v[k] = v[k] * 10 + (p[i++] - '0');
        if (!digits)
            return -1;
    }
    return (long)(i < n && p[i] == ' ' ? i + 1 : i);
}

/* A RUN frame into b, after its text: runs in order, within the text. */
static int add_run(struct extract_block *b, const char *p, size_t n)
{
    long long v[2];
    long at = answer_numbers(p, n, v, 2);
    size_t len = b->text ? strlen(b->text) : 0;
    char *lang;

    if (at < 0 || !b->text || v[0] >= v[1] || (size_t)v[1] > len ||
        (b->nruns && (size_t)v[0] < b->runs[b->nruns - 1].end) ||
        !(lang = answer_string(p + at, n - (size_t)at)))
        return -1;
    b->runs = xrealloc(b->runs, (b->nruns + 1) * sizeof(*b->runs));
    b->runs[b->nruns++] = (struct extract_run){(size_t)v[0], (size_t)v[1], lang};
    return 0;
}

/* A BLOCK frame: a block begins. */
static int add_block(struct extract_result *out, size_t *cap, const char *p, size_t n)
{
    long long v[2];
    struct extract_block *b;

    if (answer_numbers(p, n, v, 2) != (long)n || v[0] < EXTRACT_PARAGRAPH ||
        v[0] > EXTRACT_TABLE_ROW || v[1] > 6)
        return -1;
    if (out->nblocks == *cap) {
        *cap = *cap ? *cap * 2 : 64;
        out->blocks = xrealloc(out->blocks, *cap * sizeof(*out->blocks));
    }
    b = &out->blocks[out->nblocks++];
    *b = (struct extract_block){.kind = (enum extract_kind)v[0], .level = (int)v[1]};
    return 0;
}

/* One frame of the answer into out; -1 when it does not belong there. */
static int take_frame(struct extract_result *out, size_t *cap, int type, const char *p, size_t n)
{
    struct extract_block *b = out->nblocks ? &out->blocks[out->nblocks - 1] : NULL;
    long long v[3];

    switch (type) {
    case DOCWORKER_TITLE:
        return out->title || !(out->title = answer_string(p, n)) ? -1 : 0;
    case DOCWORKER_LANG:
        if (!b)
            return out->lang || !(out->lang = answer_string(p, n)) ? -1 : 0;
        return b->lang || !(b->lang = answer_string(p, n)) ? -1 : 0;
    case DOCWORKER_NUMBERS:
        if (answer_numbers(p, n, v, 3) != (long)n)
            return -1;
        out->words = (size_t)v[0];
        out->ocr = v[1] != 0;
        out->parts = v[2] >= 1 && v[2] <= 32 ? (int)v[2] : 1;
        return 0;
    case DOCWORKER_BLOCK:
        return add_block(out, cap, p, n);
    case DOCWORKER_XPATH:
        return !b || b->xpath || !(b->xpath = answer_string(p, n)) ? -1 : 0;
    case DOCWORKER_TEXT:
        return !b || b->text || !(b->text = answer_string(p, n)) ? -1 : 0;
    case DOCWORKER_RUN:
        return b ? add_run(b, p, n) : -1;
    default:
        return -1;
    }
}

/* The child's error: "code message". */
static int take_error(const char *p, size_t n, struct err *e)
{
    long long code;
    long at = answer_numbers(p, n, &code, 1);

    if (at < 0 || code <= LY_OK || code >= LY_ECODE_MAX)
        return err_set(e, LY_EPARSE, "the document reader failed");
    if (at == (long)n || p[at - 1] != ' ' || !utf8_valid(p + at, n - (size_t)at, NULL) ||
        memchr(p + at, '\0', n - (size_t)at))
        return err_set(e, (enum lyssna_code)code, "the document cannot be read");
    return err_set(e, (enum lyssna_code)code, "%.*s", (int)(n - (size_t)at), p + at);
}

int docworker_answer(const char *data, size_t len, struct extract_result *out, struct err *e)
{
    size_t at = 0, n, cap = 0, i, total = 0;
    const char *p;
    int type, bad = 0;

    memset(out, 0, sizeof(*out));
    if (len && data[0] == DOCWORKER_SCAN)
        frame_next(data, len, &at, &p, &n);
    if (len > at && data[at] == DOCWORKER_ERROR)
        return frame_next(data, len, &at, &p, &n) < 0 || at != len
                   ? err_set(e, LY_EPARSE, "the document reader's answer is malformed")
                   : take_error(p, n, e);
    while (!bad && (type = frame_next(data, len, &at, &p, &n)) >= 0)
        bad = take_frame(out, &cap, type, p, n);
    for (i = 0; !bad && i < out->nblocks; i++) {
        bad = !out->blocks[i].text || !out->blocks[i].xpath;
        out->blocks[i].start = total;
        total += bad ? 0 : strlen(out->blocks[i].text) + 1;
    }
    if (bad || at != len || !out->nblocks || !out->title || !out->lang || !out->parts) {
        extract_result_release(out);
        return err_set(e, LY_EPARSE, "the document reader's answer is malformed");
    }
    return LY_OK;
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
    /* a long PDF's answer is a MiB or more: in one go, not in 64 KiB turns of both sides */
    fcntl(pipefd[0], F_SETPIPE_SZ, 1 << 20);
    buf_init(&answer, caps->max_text * 3 + (1u << 20));
    got = read_answer(pipefd[0], &answer, now_ms() + 2000ll * cpu_s + 2000,
                      now_ms() + 2000ll * (cpu_s > ocr_cpu_s ? cpu_s : ocr_cpu_s) + 2000);
    close(pipefd[0]);
    if (got)
        kill(pid, SIGKILL);
    /* read while the worker frees its memory and ends (it closes the pipe first), kept only
       when it ends well */
    rc = got ? LY_EIO : docworker_answer(answer.data, answer.len, out, e);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (got || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        if (!rc)
            extract_result_release(out);
        rc = child_failed(status, got, cpu_s, answer.len && answer.data[0] == DOCWORKER_SCAN,
                          ocr_cpu_s, e);
    }
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
