/* test_pool.c -- synthesis workers: audio, marks and the end frame come back; a busy pool
 * says so; an abandoned job is stopped and its worker kept for the next job; a killed worker
 * fails only its own job and is replaced, and one still dying gets no job. Runs the real
 * `lyssna worker` ($LYSSNA_BIN). */
#include <dirent.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/base.h"
#include "speech/speech.h"

static struct pool *pool;

static int setup(void **state)
{
    const char *exe = getenv("LYSSNA_BIN");

    (void)state;
    pool = pool_new(exe ? exe : "./lyssna", 2, NULL);
    return pool == NULL;
}

static int teardown(void **state)
{
    (void)state;
    pool_free(pool);
    return 0;
}

static struct pool_job *start(const char *text, const char *voice, int marks, struct err *e)
{
    struct pool_request r = {.text = text,
                             .len = strlen(text),
                             .voice = voice,
                             .format = ENCODE_MP3,
                             .want_marks = marks};

    return pool_start(pool, &r, e);
}

struct outcome {
    int last;
    size_t audio, marks;
    struct buf payload;
};

static void drain(struct pool_job *j, struct outcome *o)
{
    int type;

    memset(o, 0, sizeof(*o));
    buf_init(&o->payload, BUF_NOLIMIT);
    while ((type = pool_job_next(j, &o->payload, 30000, NULL)) > 0) {
        o->last = type;
        o->audio += type == POOL_AUDIO ? o->payload.len : 0;
        o->marks += type == POOL_MARK;
        if (type == POOL_DONE || type == POOL_ERROR)
            break;
    }
    pool_job_end(j);
}

/* Asks for two jobs at once (one per worker) and checks that both end well. */
static void both_done(const char *a_text, const char *b_text)
{
    struct pool_job *a = start(a_text, "sv", 0, NULL), *b = start(b_text, "sv", 0, NULL);
    struct outcome o;

    assert_non_null(a);
    assert_non_null(b);
    drain(a, &o);
    assert_int_equal(o.last, POOL_DONE);
    buf_release(&o.payload);
    drain(b, &o);
    assert_int_equal(o.last, POOL_DONE);
    buf_release(&o.payload);
}

static void test_pool_returns_audio_marks_and_done(void **state)
{
    struct outcome o;

    (void)state;
    drain(start("Hej på dig. Välkommen till Åsa!", "sv", 1, NULL), &o);
    assert_int_equal(o.last, POOL_DONE);
    assert_true(o.audio > 1000);
    assert_true(o.marks >= 7); /* two sentences, five words */
    assert_non_null(strstr(o.payload.data, " 22050"));
    buf_release(&o.payload);
}

static void test_pool_reports_errors_as_an_end_frame(void **state)
{
    struct outcome o;

    (void)state;
    drain(start("Hej.", "klingon", 0, NULL), &o);
    assert_int_equal(o.last, POOL_ERROR);
    assert_int_equal(atoi(o.payload.data), LY_EVOICE);
    buf_release(&o.payload);
}

static void test_pool_says_busy_when_every_worker_works(void **state)
{
    struct pool_job *a = start("Ett.", "sv", 0, NULL), *b = start("Två.", "sv", 0, NULL);
    struct err e = {0};
    struct outcome o;

    (void)state;
    assert_non_null(a);
    assert_non_null(b);
    assert_null(start("Tre.", "sv", 0, &e));
    assert_int_equal(e.code, LY_EBUSY);
    drain(a, &o);
    buf_release(&o.payload);
    drain(b, &o);
    assert_int_equal(o.last, POOL_DONE);
    buf_release(&o.payload);
    assert_int_equal(pool_idle(pool), 2);
}

/* Visits every live child of this process (the workers): sends it sig unless that is 0;
 * returns how many there are, and their pids' sum in *sum (to tell whether they were
 * replaced). */
static int live_children(int sig, long *sum)
{
    struct dirent *d;
    DIR *dh = opendir("/proc");
    char path[64], line[512], state;
    int pid, ppid, n = 0;

    while (dh && (d = readdir(dh))) {
        FILE *f;
        snprintf(path, sizeof(path), "/proc/%.20s/stat", d->d_name);
        f = fopen(path, "r");
        if (!f)
            continue;
        if (fgets(line, sizeof(line), f) &&
            sscanf(line, "%d %*s %c %d", &pid, &state, &ppid) == 3 && ppid == getpid() &&
            state != 'Z') {
            if (sig)
                kill(pid, sig);
            if (sum)
                *sum += pid;
            n++;
        }
        fclose(f);
    }
    if (dh)
        closedir(dh);
    return n;
}

static void test_pool_replaces_a_killed_worker(void **state)
{
    char text[20000];
    struct pool_job *j;
    struct buf b;
    struct err e = {0};
    int type;
    size_t i;

    (void)state;
    for (i = 0; i + 20 < sizeof(text); i += 20)
        memcpy(text + i, "Ett ord till och så ", 20);
    text[i] = '\0';
    j = start(text, "sv", 0, NULL);
    buf_init(&b, BUF_NOLIMIT);
    assert_int_equal(pool_job_next(j, &b, 30000, NULL), POOL_AUDIO);
    live_children(SIGKILL, NULL);
    while ((type = pool_job_next(j, &b, 30000, &e)) == POOL_AUDIO)
        ;
    assert_int_equal(type, 0);
    assert_int_equal(e.code, LY_ESYNTH);
    pool_job_end(j);
    buf_release(&b);
    /* both workers died: the one with the job and the idle one; both jobs still succeed */
    both_done("Nu igen.", "Och igen.");
}

/* A killed worker keeps its socket open until its exit is done (for an ASan build on a loaded
 * machine that took over a second): jobs asked for right after the kill must go to live
 * workers. Rounds in turn: SIGKILL, SIGSTOP then SIGKILL, the SIGTERM a service manager sends,
 * and SIGSTOP alone (a stopped worker would let its job time out). How long dying takes is up
 * to the scheduler, hence several rounds. */
static void test_pool_gives_no_job_to_a_dying_worker(void **state)
{
    static const int sigs[][2] = {{SIGKILL, 0}, {SIGSTOP, SIGKILL}, {SIGTERM, 0}, {SIGSTOP, 0}};
    int round;

    (void)state;
    for (round = 0; round < 12; round++) {
        live_children(sigs[round % 4][0], NULL);
        live_children(sigs[round % 4][1], NULL);
        both_done("Nu.", "Genast.");
    }
}

static void test_pool_stops_an_abandoned_job_and_keeps_its_worker(void **state)
{
    struct buf text, b;
    struct pool_job *j;
    struct outcome o;
    long before = 0, after = 0;
    int i;

    (void)state;
    buf_init(&text, BUF_NOLIMIT);
    for (i = 0; i < 300; i++)
        buf_adds(&text, "En lång mening som ingen lyssnar klart på. ", NULL);
    live_children(0, &before);
    j = start(text.data, "sv", 1, NULL);
    buf_init(&b, BUF_NOLIMIT);
    assert_true(pool_job_next(j, &b, 30000, NULL) > 0);
    pool_job_end(j); /* the client left: the job is stopped, not the worker */
    buf_release(&b);
    buf_release(&text);
    live_children(0, &after);
    assert_int_equal(before, after);
    drain(start("Nästa.", "sv", 0, NULL), &o);
    assert_int_equal(o.last, POOL_DONE);
    buf_release(&o.payload);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pool_returns_audio_marks_and_done),
        cmocka_unit_test(test_pool_reports_errors_as_an_end_frame),
        cmocka_unit_test(test_pool_says_busy_when_every_worker_works),
        /* before the kills: a killed worker may still be ending while the next test runs */
        cmocka_unit_test(test_pool_stops_an_abandoned_job_and_keeps_its_worker),
        cmocka_unit_test(test_pool_replaces_a_killed_worker),
        cmocka_unit_test(test_pool_gives_no_job_to_a_dying_worker),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
