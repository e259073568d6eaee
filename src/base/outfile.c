/* outfile.c -- atomic file output: mkstemp beside the target, write, fsync, rename.
 * rename(2) within one folder is atomic, so readers see the old file or the whole new one.
 * A target that exists and is not a regular file (/dev/null, a FIFO) is written in place:
 * renaming over it would replace the device with a file, for everyone on the machine.
 * Also the whole-buffer read and write on a descriptor that everything else builds on. */
#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "xalloc.h"

#include "banned.h"

int write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    ssize_t n;

    while (len > 0) {
        n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int read_full(int fd, void *data, size_t len)
{
    char *p = data;
    ssize_t n;

    while (len > 0) {
        n = read(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n == 0)
                errno = 0;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Opens a device or FIFO for writing as it is; tmp stays NULL. */
static int open_in_place(struct outfile *f, const char *path, struct err *e)
{
    f->fd = open(path, O_WRONLY | O_CLOEXEC);
    if (f->fd < 0)
        return err_set(e, LY_EIO, "cannot write '%s': %s", path, strerror(errno));
    f->path = xstrdup(path);
    return LY_OK;
}

int outfile_open(struct outfile *f, const char *path, struct err *e)
{
    const char *slash = strrchr(path, '/');
    size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0;
    size_t n = strlen(path) + 16;
    struct stat st;

    memset(f, 0, sizeof(*f));
    f->fd = -1;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
        return open_in_place(f, path, e);
    f->tmp = xmalloc(n);
    snprintf(f->tmp, n, "%.*s.%s.XXXXXX", (int)dirlen, path, path + dirlen);
    f->fd = mkstemp(f->tmp);
    if (f->fd < 0) {
        int saved = errno;
        free(f->tmp);
        f->tmp = NULL;
        return err_set(e, LY_EIO, "cannot create '%s': %s", path, strerror(saved));
    }
    fchmod(f->fd, 0644);
    f->path = xstrdup(path);
    return LY_OK;
}

int outfile_write(struct outfile *f, const void *data, size_t len, struct err *e)
{
    if (write_all(f->fd, data, len))
        return err_set(e, LY_EIO, "cannot write '%s': %s", f->path, strerror(errno));
    f->written += len;
    return LY_OK;
}

int outfile_commit(struct outfile *f, struct err *e)
{
    int rc = LY_OK;

    if (!f->tmp) { /* written in place: nothing to sync or rename */
        rc = close(f->fd) ? err_set(e, LY_EIO, "cannot write '%s': %s", f->path, strerror(errno))
                          : LY_OK;
        f->fd = -1;
        free(f->path);
        f->path = NULL;
        return rc;
    }
    if (fsync(f->fd) || close(f->fd))
        rc = err_set(e, LY_EIO, "cannot write '%s': %s", f->path, strerror(errno));
    f->fd = -1;
    if (!rc && rename(f->tmp, f->path))
        rc = err_set(e, LY_EIO, "cannot rename to '%s': %s", f->path, strerror(errno));
    if (rc) {
        outfile_abort(f);
        return rc;
    }
    free(f->tmp);
    free(f->path);
    f->tmp = f->path = NULL;
    return LY_OK;
}

void outfile_abort(struct outfile *f)
{
    if (f->fd >= 0)
        close(f->fd);
    if (f->tmp)
        unlink(f->tmp);
    free(f->tmp);
    free(f->path);
    f->tmp = f->path = NULL;
    f->fd = -1;
}
