/* test_outfile.c -- atomic output files: a regular file appears whole at commit, with no
 * temporary left; a FIFO (standing in for /dev/null, which a test must not risk) is written
 * in place and is still a FIFO afterwards, committed or not. */
#include <dirent.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/base.h"

static char dir[] = "/tmp/lyssna-outfile-XXXXXX";

static int setup(void **state)
{
    (void)state;
    return mkdtemp(dir) == NULL;
}

static int teardown(void **state)
{
    (void)state;
    return rmdir(dir); /* empty: each test removes what it made */
}

/* Entries in dir, to tell that no temporary was left. */
static int entries(void)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    int n = 0;

    while (d && (de = readdir(d)))
        n += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
    if (d)
        closedir(d);
    return n;
}

static void test_outfile_appears_whole_at_commit(void **state)
{
    struct outfile f;
    struct stat st;
    char path[64];

    (void)state;
    snprintf(path, sizeof(path), "%s/a.txt", dir);
    assert_int_equal(outfile_open(&f, path, NULL), LY_OK);
    assert_non_null(f.tmp);
    assert_int_equal(outfile_write(&f, "hej", 3, NULL), LY_OK);
    assert_int_equal(stat(path, &st), -1); /* not there before the commit */
    assert_int_equal(outfile_commit(&f, NULL), LY_OK);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_size, 3);
    assert_int_equal(entries(), 1);
    unlink(path);
}

/* Starts a reader of the FIFO at path; returns its pid. It exits with the byte count, or
 * dies after 20 s when nobody opens the FIFO to write. */
static pid_t read_fifo(const char *path)
{
    pid_t pid = fork();
    char b[256];
    ssize_t n, total = 0;
    int fd;

    if (pid != 0)
        return pid;
    alarm(20);
    fd = open(path, O_RDONLY);
    while (fd >= 0 && (n = read(fd, b, sizeof(b))) > 0)
        total += n;
    _exit((int)total);
}

static void test_outfile_writes_a_fifo_in_place(void **state)
{
    struct outfile f;
    struct stat st;
    char path[64];
    int status, commit;
    pid_t reader;

    (void)state;
    snprintf(path, sizeof(path), "%s/fifo", dir);
    for (commit = 0; commit < 2; commit++) {
        assert_int_equal(mkfifo(path, 0600), 0);
        reader = read_fifo(path);
        assert_int_equal(outfile_open(&f, path, NULL), LY_OK);
        assert_null(f.tmp);
        assert_int_equal(outfile_write(&f, "hej hopp", 8, NULL), LY_OK);
        if (commit)
            assert_int_equal(outfile_commit(&f, NULL), LY_OK);
        else
            outfile_abort(&f);
        assert_int_equal(waitpid(reader, &status, 0), reader);
        assert_int_equal(WEXITSTATUS(status), 8);
        assert_int_equal(lstat(path, &st), 0);
        assert_true(S_ISFIFO(st.st_mode));
        assert_int_equal(entries(), 1);
        unlink(path);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_outfile_appears_whole_at_commit),
        cmocka_unit_test(test_outfile_writes_a_fifo_in_place),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
