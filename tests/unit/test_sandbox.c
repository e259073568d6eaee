/* test_sandbox.c -- what a confined synthesis worker can no longer do (reach the network,
 * start programs, fork, write files) and what it still can (read files, write to the
 * descriptors it has, start threads), each tried in a child process that confines itself;
 * and dropping to a user. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/base.h"

/* Runs try() in a confined child; returns its exit status (0: try succeeded). */
static int confined(int (*try)(void))
{
    pid_t pid = fork();
    int status;

    assert_true(pid >= 0);
    if (pid == 0)
        _exit(sandbox_confine_worker(NULL) ? 100 : try() ? 1 : 0);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

static int try_socket(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    return fd < 0 ? -1 : 0;
}

static int try_unix_socket(void)
{
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    return fd < 0 ? -1 : 0;
}

static int try_write_file(void)
{
    int fd = open("/tmp/lyssna-sandbox-test", O_WRONLY | O_CREAT | O_TRUNC, 0600);
    return fd < 0 ? -1 : 0;
}

static int try_append_file(void)
{
    int fd = open("/etc/hostname", O_RDWR | O_APPEND);
    return fd < 0 ? -1 : 0;
}

static int try_exec(void)
{
    char *const argv[] = {"true", NULL};
    execv("/bin/true", argv);
    return -1;
}

static int try_fork(void)
{
    pid_t pid = fork();
    if (pid == 0)
        _exit(0);
    return pid < 0 ? -1 : 0;
}

static int try_unlink(void)
{
    return unlink("/tmp/lyssna-sandbox-test");
}

static int try_read_file(void)
{
    char b[16];
    int fd = open("/etc/hostname", O_RDONLY);
    return fd < 0 || read(fd, b, sizeof(b)) < 0 ? -1 : 0;
}

static int try_write_stdout(void)
{
    int fd[2];
    if (pipe(fd))
        return -1;
    return write(fd[1], "x", 1) == 1 ? 0 : -1;
}

static void *idle(void *arg)
{
    return arg;
}

static int try_thread(void)
{
    pthread_t t;
    return pthread_create(&t, NULL, idle, NULL) || pthread_join(t, NULL) ? -1 : 0;
}

static void test_a_confined_worker_cannot_reach_out(void **state)
{
    int fd;

    (void)state;
    fd = open("/tmp/lyssna-sandbox-test", O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(confined(try_socket), 1);
    assert_int_equal(confined(try_unix_socket), 1);
    assert_int_equal(confined(try_write_file), 1);
    assert_int_equal(confined(try_append_file), 1);
    assert_int_equal(confined(try_exec), 1);
    assert_int_equal(confined(try_fork), 1);
    assert_int_equal(confined(try_unlink), 1);
    assert_int_equal(access("/tmp/lyssna-sandbox-test", F_OK), 0);
    unlink("/tmp/lyssna-sandbox-test");
}

static void test_a_confined_worker_still_reads_writes_its_pipe_and_threads(void **state)
{
    (void)state;
    assert_int_equal(confined(try_read_file), 0);
    assert_int_equal(confined(try_write_stdout), 0);
    assert_int_equal(confined(try_thread), 0);
}

static void test_dropping_to_a_user(void **state)
{
    struct err e = {0};

    (void)state;
    assert_int_equal(sandbox_drop_user("no-such-user-lyssna", &e), LY_EUSAGE);
    if (geteuid() != 0) {
        assert_int_equal(sandbox_drop_user("root", &e), LY_EDENIED);
        return;
    }
    {
        pid_t pid = fork();
        int status;
        if (pid == 0)
            _exit(sandbox_drop_user("nobody", NULL) || getuid() == 0 || setuid(0) == 0);
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_confined_worker_cannot_reach_out),
        cmocka_unit_test(test_a_confined_worker_still_reads_writes_its_pipe_and_threads),
        cmocka_unit_test(test_dropping_to_a_user),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
