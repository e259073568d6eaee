/* pool.c -- worker processes for synthesis. The parent talks to each worker over a Unix
 * socket pair: a request goes down, frames come back ([type u8][length u32 LE][payload]):
 * audio as it is encoded, speech marks, then DONE or ERROR. A worker runs the whole
 * pipeline (normalize -> synth -> encode) so that its crash takes nothing else down and
 * encoding runs in parallel too. A job ended early is cancelled and its worker kept when it
 * stops in time, else the worker is killed and a fresh one started. Killed workers are waited
 * for later, not under the lock, and a job is never handed to a worker that is dead or dying
 * (it is replaced first). The lock guards the slots; a busy worker's socket is its job's. */
#include "pool.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/base.h"
#include "marks.h"
#include "normalize/normalize.h"
#include "pipeline.h"
#include "synth.h"
#include "voice.h"

#include "banned.h"

#define LYSSNA_POOL_MAX    64
#define LYSSNA_FRAME_MAX   (16u << 20)
#define LYSSNA_WORKER_NICE 5    /* the workers' priority below the service's */
#define LYSSNA_STOP_MS     2000 /* how long a stopped job may take to end before its worker goes */

struct worker {
    pid_t pid;
    int fd; /* the parent's end */
    int busy;
    int stale; /* to be replaced when its job ends (pool_recycle) */
};

struct pool {
    struct worker w[LYSSNA_POOL_MAX];
    int n;
    char *exe;
    pid_t *dying; /* killed workers not yet waited for */
    size_t ndying, capdying;
    pthread_mutex_t lock;
};

struct pool_job {
    struct pool *p;
    struct worker *w;
    int ended; /* DONE or ERROR was read: the worker is clean */
    int hung;  /* it fell silent or died: no use asking it to stop */
};

/* A request travels as one frame: a header line "ssml rate format marks nlines nedits check
 * voice", one line per line language (empty for none), nedits bytes of edits, then the text. */
static int send_request(int fd, const struct pool_request *r)
{
    struct buf b;
    size_t i;
    int rc;

    buf_init(&b, BUF_NOLIMIT);
    buf_addf(&b, NULL, "%d %d %d %d %zu %zu %d %s\n", r->ssml, r->rate, (int)r->format,
             r->want_marks, r->line_langs ? r->nlines : 0, r->edits_len, r->check, r->voice);
    for (i = 0; r->line_langs && i < r->nlines; i++)
        buf_addf(&b, NULL, "%s\n", r->line_langs[i] ? r->line_langs[i] : "");
    buf_add(&b, r->edits, r->edits_len, NULL);
    buf_add(&b, r->text, r->len, NULL);
    rc = frame_send(fd, 0, b.data, b.len);
    buf_release(&b);
    return rc;
}

/* Parses a request frame in place (newlines become NULs); langs is allocated. */
static int parse_request(struct buf *b, struct pool_request *r, char voice[64])
{
    char *p = b->data, *nl;
    int format;
    size_t i;

    memset(r, 0, sizeof(*r));
    nl = memchr(p, '\n', b->len);
    if (!nl)
        return -1;
    *nl = '\0';
    if (sscanf(p, "%d %d %d %d %zu %zu %d %63s", &r->ssml, &r->rate, &format, &r->want_marks,
               &r->nlines, &r->edits_len, &r->check, voice) != 8 ||
        r->nlines > b->len || r->edits_len > b->len)
        return -1;
    r->format = (enum encode_format)format;
    r->voice = voice;
    r->line_langs = xcalloc(r->nlines ? r->nlines : 1, sizeof(char *));
    p = nl + 1;
    for (i = 0; i < r->nlines; i++) {
        nl = memchr(p, '\n', b->len - (size_t)(p - b->data));
        if (!nl)
            return -1;
        *nl = '\0';
        ((const char **)r->line_langs)[i] = *p ? p : NULL;
        p = nl + 1;
    }
    if (r->edits_len > b->len - (size_t)(p - b->data))
        return -1;
    r->edits = p;
    p += r->edits_len;
    r->text = p;
    r->len = b->len - (size_t)(p - b->data);
    return 0;
}

/* Audio is sent in batches: an MP3 frame is a few hundred bytes, and a frame each would cost
 * the service a system call and an HTTP chunk each. The first audio goes at once (time to
 * first byte), later audio when 64 KB or 100 ms of waiting have gathered. Each batch wakes the
 * service for a poll, two reads and a cache write, on the cores the workers need: 16 KB
 * batches cost it 2.5 times the CPU per job of 64 KB ones (bench/workers), and a listener
 * still gets audio far faster than it plays. */
#define LYSSNA_BATCH_BYTES 65536
#define LYSSNA_BATCH_NS    100000000L

struct worker_state {
    int fd;
    struct synth *synth;
    struct norm_rules *rules; /* for rules_lang */
    char rules_lang[16];
    const char *text;
    struct buf line;
    struct buf audio;             /* gathered, not yet sent */
    struct timespec since;        /* when the oldest gathered byte came */
    int sent_audio;               /* the first audio of this request went out */
    volatile sig_atomic_t cancel; /* the parent asked to stop this request */
};

/* Whether the parent sent POOL_CANCEL: looked at whenever audio goes out (a few times a
 * second at most), so that a stopped request ends soon and the worker stays. */
static void check_cancel(struct worker_state *ws)
{
    struct pollfd pfd = {.fd = ws->fd, .events = POLLIN};
    unsigned char h[FRAME_HEAD];

    if (!ws->cancel && poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLIN) &&
        read_full(ws->fd, h, sizeof(h)) == 0 && h[0] == POOL_CANCEL)
        ws->cancel = 1;
}

static int flush_audio(struct worker_state *ws)
{
    int rc = 0;

    if (ws->audio.len)
        rc = frame_send(ws->fd, POOL_AUDIO, ws->audio.data, ws->audio.len);
    buf_reset(&ws->audio);
    ws->sent_audio = 1;
    check_cancel(ws);
    return rc;
}

static int to_parent(void *ctx, const void *data, size_t len)
{
    struct worker_state *ws = ctx;
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    if (!ws->audio.len)
        ws->since = now;
    buf_add(&ws->audio, data, len, NULL);
    if (!ws->sent_audio || ws->audio.len >= LYSSNA_BATCH_BYTES ||
        (now.tv_sec - ws->since.tv_sec) * 1000000000L + (now.tv_nsec - ws->since.tv_nsec) >=
            LYSSNA_BATCH_NS)
        return flush_audio(ws);
    return 0;
}

static int mark_to_parent(void *ctx, const struct mark *m)
{
    struct worker_state *ws = ctx;

    buf_reset(&ws->line);
    if (marks_to_json(m, ws->text, &ws->line, NULL))
        return 0; /* a mark that cannot be shown is left out, the audio goes on */
    return flush_audio(ws) || frame_send(ws->fd, POOL_MARK, ws->line.data, ws->line.len);
}

/* The word lists of the normalizer's language, loaded on first use and kept. */
static const struct norm_rules *rules_for(struct worker_state *ws, const char *lang)
{
    char dir[4096];

    if (ws->rules && !strcmp(ws->rules_lang, lang))
        return ws->rules;
    normalize_rules_free(ws->rules);
    snprintf(dir, sizeof(dir), "%s/%s", voice_dir(), lang);
    ws->rules = normalize_rules_load(dir, NULL, NULL);
    snprintf(ws->rules_lang, sizeof(ws->rules_lang), "%s", lang);
    return ws->rules;
}

/* A check request: r's text as phonemes for voice v. */
static int check_phonemes(struct worker_state *ws, const struct pool_request *r,
                          const struct voice *v, struct err *e)
{
    char ph[300];

    if (r->len >= sizeof(ph))
        return err_set(e, LY_EUSAGE, "phonemes are at most 256 characters");
    memcpy(ph, r->text, r->len);
    ph[r->len] = '\0';
    return synth_check_phonemes(ws->synth, v, ph, e);
}

/* Speaks r with voice v, the editors' lexicon entries it carries over the word lists. */
static int speak(struct worker_state *ws, const struct pool_request *r, const struct voice *v,
                 struct speak_output *out, struct err *e)
{
    const struct norm_rules *rules = rules_for(ws, NORMALIZE_LANG);
    struct norm_rules *edited = NULL;
    struct speak_request req;
    int rc;

    if (r->edits_len)
        rules = edited = normalize_rules_edited(rules, r->edits, r->edits_len);
    req = (struct speak_request){
        .text = r->text,
        .len = r->len,
        .ssml = r->ssml,
        .line_langs = r->line_langs,
        .nlines = r->nlines,
        .voice = v,
        .rate = r->rate ? r->rate : v->rate,
        .format = r->format,
        .rules = rules,
    };
    ws->text = r->text;
    out->mark = r->want_marks ? mark_to_parent : NULL;
    out->cancel = &ws->cancel;
    rc = pipeline_speak(ws->synth, &req, out, e);
    normalize_rules_free(edited);
    return rc;
}

static int serve_one(struct worker_state *ws, struct buf *frame)
{
    struct pool_request r;
    struct encode_sink sink = {to_parent, NULL, ws};
    struct speak_output out = {.audio = &sink, .mark_ctx = ws};
    struct voice v;
    struct err e = {0};
    char voice[64], done[80];
    struct timespec t0, t1;
    int rc = -1;

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
    ws->sent_audio = 0;
    ws->cancel = 0;
    if (parse_request(frame, &r, voice) == 0) {
        rc = voice_load(voice_dir(), r.voice, &v, &e);
        if (!rc)
            rc = r.check ? check_phonemes(ws, &r, &v, &e) : speak(ws, &r, &v, &out, &e);
    } else {
        err_set(&e, LY_EUSAGE, "malformed request to the synthesis worker");
    }
    free((void *)r.line_langs);
    if (rc) {
        char msg[300];
        int n = snprintf(msg, sizeof(msg), "%d %s", (int)e.code, e.msg);
        return flush_audio(ws) || frame_send(ws->fd, POOL_ERROR, msg, (size_t)n);
    }
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
    snprintf(done, sizeof(done), "%llu %d %lld", (unsigned long long)out.samples, out.sample_rate,
             (long long)(t1.tv_sec - t0.tv_sec) * 1000000 + (t1.tv_nsec - t0.tv_nsec) / 1000);
    return flush_audio(ws) || frame_send(ws->fd, POOL_DONE, done, strlen(done));
}

/* The worker process: serve requests until the parent closes the socket. */
int pool_worker_main(int fd)
{
    struct worker_state ws = {.fd = fd};
    struct buf frame;
    struct err e = {0};
    int type, prio;

    signal(SIGPIPE, SIG_IGN);
    signal(SIGINT, SIG_IGN); /* the parent decides when workers stop */
    signal(SIGTERM, SIG_DFL);
    /* synthesis is throughput work: under a rush, answering from the cache and turning bad
       requests away must not wait behind it for a CPU */
    errno = 0;
    prio = getpriority(PRIO_PROCESS, 0);
    if (!errno) /* lowering one's own priority cannot fail for want of rights */
        setpriority(PRIO_PROCESS, 0, prio + LYSSNA_WORKER_NICE);
    ws.synth = synth_new(NULL);
    if (!ws.synth)
        return 1;
    if (sandbox_confine_worker(&e)) {
        fprintf(stderr, "lyssna worker: %s\n", e.msg);
        synth_free(ws.synth);
        return 1;
    }
    buf_init(&frame, LYSSNA_FRAME_MAX);
    buf_init(&ws.line, BUF_NOLIMIT);
    buf_init(&ws.audio, BUF_NOLIMIT);
    while ((type = frame_recv(fd, &frame, LYSSNA_FRAME_MAX)) >= 0)
        if (type == 0 && serve_one(&ws, &frame))
            break; /* the parent is gone or stopped listening */
    /* any other frame is a POOL_CANCEL that came after its request had ended */
    buf_release(&frame);
    buf_release(&ws.line);
    buf_release(&ws.audio);
    normalize_rules_free(ws.rules);
    synth_free(ws.synth);
    return 0;
}

/* Starts a worker: fork, then exec `lyssna worker` with the socket as its standard input.
 * The exec gives the worker a clean process: forking a threaded server and going on
 * without exec could inherit a lock another thread held (libxml2's, stdio's). */
static int spawn(struct pool *p, struct worker *w)
{
    int sv[2];
    pid_t pid;

    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
        return -1;
    pid = fork();
    if (pid < 0) {
        close(sv[0]);
        close(sv[1]);
        return -1;
    }
    if (pid == 0) {
        if (dup2(sv[1], STDIN_FILENO) < 0)
            _exit(127);
        execl(p->exe, "lyssna", "worker", (char *)NULL);
        _exit(127);
    }
    close(sv[1]);
    w->pid = pid;
    w->fd = sv[0];
    w->busy = 0;
    return 0;
}

/* Waits for the killed workers that have ended, without blocking. */
static void collect_dying(struct pool *p)
{
    size_t i = 0;
    pid_t r;

    while (i < p->ndying) {
        r = waitpid(p->dying[i], NULL, WNOHANG);
        if (r == 0 || (r < 0 && errno == EINTR))
            i++;
        else
            p->dying[i] = p->dying[--p->ndying];
    }
}

/* Kills w's process and closes its socket, leaving the slot empty for spawn. The process is
 * waited for later (collect_dying): a killed ASan worker on a loaded machine took over a
 * second to end, and every job start would have waited that long for the lock. */
static void retire(struct pool *p, struct worker *w)
{
    if (w->pid > 0) {
        kill(w->pid, SIGKILL);
        if (p->ndying == p->capdying) {
            p->capdying = p->capdying ? p->capdying * 2 : 8;
            p->dying = xreallocarray(p->dying, p->capdying, sizeof(*p->dying));
        }
        p->dying[p->ndying++] = w->pid;
    }
    if (w->fd >= 0)
        close(w->fd);
    w->pid = -1;
    w->fd = -1;
    w->stale = 0;
    collect_dying(p);
}

/* A new worker in w's place; on failure w's fd stays -1 and it is tried again when next
 * looked at. */
static void replace(struct pool *p, struct worker *w)
{
    retire(p, w);
    spawn(p, w);
}

struct pool *pool_new(const char *exe, int n, struct err *e)
{
    struct pool *p;
    int i;

    if (n <= 0)
        n = (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (n <= 0)
        n = 1;
    if (n > LYSSNA_POOL_MAX)
        n = LYSSNA_POOL_MAX;
    signal(SIGPIPE, SIG_IGN); /* a dead worker must be an error, not our death */
    p = xcalloc(1, sizeof(*p));
    p->exe = xstrdup(exe);
    p->n = n;
    pthread_mutex_init(&p->lock, NULL);
    for (i = 0; i < n; i++) {
        if (spawn(p, &p->w[i])) {
            err_set(e, LY_ESYNTH, "cannot start synthesis worker: %s", strerror(errno));
            p->n = i;
            pool_free(p);
            return NULL;
        }
    }
    return p;
}

void pool_free(struct pool *p)
{
    size_t i;

    if (!p)
        return;
    for (i = 0; i < (size_t)p->n; i++)
        retire(p, &p->w[i]);
    for (i = 0; i < p->ndying; i++)
        while (waitpid(p->dying[i], NULL, 0) < 0 && errno == EINTR)
            ;
    free(p->dying);
    pthread_mutex_destroy(&p->lock);
    free(p->exe);
    free(p);
}

void pool_recycle(struct pool *p)
{
    int i;

    pthread_mutex_lock(&p->lock);
    for (i = 0; i < p->n; i++) {
        if (p->w[i].busy)
            p->w[i].stale = 1; /* replaced when its job ends */
        else
            replace(p, &p->w[i]);
    }
    pthread_mutex_unlock(&p->lock);
}

int pool_idle(struct pool *p)
{
    int i, idle = 0;

    pthread_mutex_lock(&p->lock);
    for (i = 0; i < p->n; i++)
        idle += !p->w[i].busy;
    pthread_mutex_unlock(&p->lock);
    return idle;
}

/* Whether /proc says the process cannot take a job: a zombie, stopped (SIGSTOP: the job would
 * only time out), or a signal pending. A worker catches no signal and ignores those it need
 * not die of (ignored ones are never pending), so a pending one is its end or a stop coming; a
 * fatal one stays pending for the whole process (ShdPnd) until it is waited for. Says no when
 * /proc cannot be read. */
static int doomed(pid_t pid)
{
    char path[40], text[4096], *line;
    unsigned long long mask;
    ssize_t n;
    int fd;

    snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        return 0;
    n = read(fd, text, sizeof(text) - 1);
    close(fd);
    if (n <= 0)
        return 0;
    text[n] = '\0';
    for (line = text; line; line = (line = strchr(line, '\n')) ? line + 1 : NULL) {
        if (!strncmp(line, "State:", 6)) {
            char state = line[6 + strspn(line + 6, " \t")];
            if (state == 'Z' || state == 'X' || state == 'x' || state == 'T')
                return 1;
        } else if ((!strncmp(line, "SigPnd:", 7) || !strncmp(line, "ShdPnd:", 7)) &&
                   sscanf(line + 7, "%llx", &mask) == 1 && mask) {
            return 1;
        }
    }
    return 0;
}

/* Whether the worker's process has ended or is ending. Its socket alone does not tell: the
 * kernel closes a killed process's files only after freeing its memory. */
static int ending(const struct worker *w)
{
    siginfo_t si;

    if (w->pid <= 0)
        return 1;
    memset(&si, 0, sizeof(si));
    if (waitid(P_PID, (id_t)w->pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == w->pid)
        return 1;
    return doomed(w->pid);
}

/* Whether an idle worker can take a job: its socket open and quiet (an idle worker sends
 * nothing, so anything there is its end of file) and its process not ending. */
static int usable(const struct worker *w)
{
    struct pollfd pfd = {.fd = w->fd, .events = POLLIN};

    if (w->fd < 0 || poll(&pfd, 1, 0) > 0)
        return 0;
    return !ending(w);
}

int pool_check(struct pool *p)
{
    int i, running = 0;

    pthread_mutex_lock(&p->lock);
    collect_dying(p);
    for (i = 0; i < p->n; i++) {
        struct worker *w = &p->w[i];
        if (w->busy ? !ending(w) : usable(w))
            running++;
        else if (!w->busy)
            replace(p, w);
    }
    pthread_mutex_unlock(&p->lock);
    return running;
}

/* An idle worker fit for a job, marked busy. Idle ones found dead or dying are replaced on the
 * way; a new one is taken only when no older one is left, as it has espeak-ng still to load.
 * NULL with LY_EBUSY when every worker is busy, LY_ESYNTH when none could be started. */
static struct worker *take(struct pool *p, struct err *e)
{
    struct worker *w, *fresh = NULL;
    int i, idle = 0;

    collect_dying(p);
    for (i = 0; i < p->n; i++) {
        w = &p->w[i];
        if (w->busy)
            continue;
        idle++;
        if (usable(w)) {
            w->busy = 1;
            return w;
        }
        replace(p, w);
        if (w->fd >= 0 && !fresh)
            fresh = w;
    }
    if (fresh) {
        fresh->busy = 1;
        return fresh;
    }
    if (idle)
        err_set(e, LY_ESYNTH, "cannot start a synthesis worker");
    else
        err_set(e, LY_EBUSY, "every synthesis worker is busy");
    return NULL;
}

struct pool_job *pool_start(struct pool *p, const struct pool_request *r, struct err *e)
{
    struct worker *w;
    struct pool_job *j;
    int tries;

    for (tries = 0; tries < 2; tries++) {
        pthread_mutex_lock(&p->lock);
        w = take(p, e);
        pthread_mutex_unlock(&p->lock);
        if (!w)
            return NULL;
        if (send_request(w->fd, r) == 0) {
            j = xcalloc(1, sizeof(*j));
            j->p = p;
            j->w = w;
            return j;
        }
        /* it died between the look and the write */
        pthread_mutex_lock(&p->lock);
        replace(p, w);
        w->busy = 0;
        pthread_mutex_unlock(&p->lock);
    }
    err_set(e, LY_ESYNTH, "cannot start a synthesis worker");
    return NULL;
}

int pool_job_next(struct pool_job *j, struct buf *out, int timeout_ms, struct err *e)
{
    struct pollfd pfd = {.fd = j->w->fd, .events = POLLIN};
    int type, n;

    if (j->ended) {
        err_set(e, LY_EUSAGE, "the job has ended");
        return 0;
    }
    do
        n = poll(&pfd, 1, timeout_ms);
    while (n < 0 && errno == EINTR);
    if (n == 0) {
        err_set(e, LY_ETIMEOUT, "synthesis worker silent for %d ms", timeout_ms);
        j->hung = 1;
        return 0;
    }
    type = frame_recv(j->w->fd, out, LYSSNA_FRAME_MAX);
    if (type <= 0) {
        err_set(e, LY_ESYNTH, "the synthesis worker died");
        j->hung = 1;
        return 0;
    }
    if (type == POOL_DONE || type == POOL_ERROR)
        j->ended = 1;
    return type;
}

int pool_error(const struct buf *payload, struct err *e)
{
    char *end;
    long code = strtol(payload->data, &end, 10);

    if (code <= 0 || code >= LY_ECODE_MAX)
        code = LY_ESYNTH;
    return err_set(e, (enum lyssna_code)code, "%s", *end ? end + 1 : "synthesis failed");
}

/* Asks the worker of an unfinished job to stop and reads what it still sends up to the end
 * frame: 1 when it ended within the time, so the worker can be kept. */
static int stop_job(struct pool_job *j)
{
    struct buf b;

    if (j->w->fd < 0 || frame_send(j->w->fd, POOL_CANCEL, "", 0))
        return 0;
    buf_init(&b, BUF_NOLIMIT);
    while (!j->ended && pool_job_next(j, &b, LYSSNA_STOP_MS, NULL) > 0)
        ;
    buf_release(&b);
    return j->ended;
}

void pool_job_end(struct pool_job *j)
{
    struct pool *p = j->p;
    struct worker *w = j->w;

    if (!j->ended && !j->hung)
        stop_job(j);
    pthread_mutex_lock(&p->lock);
    if (!j->ended || w->stale)
        replace(p, w);
    w->busy = 0;
    pthread_mutex_unlock(&p->lock);
    free(j);
}
