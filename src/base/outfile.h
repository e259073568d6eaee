/* outfile.h -- write a file under a temporary name and rename it into place at the end,
 * so that a failed or interrupted run never leaves a partial file behind. */
#ifndef LYSSNA_OUTFILE_H
#define LYSSNA_OUTFILE_H

#include <stddef.h>

struct err;

struct outfile {
    char *path; /* final name */
    char *tmp;  /* where the bytes go until commit; NULL when path is written in place */
    int fd;
    size_t written;
};

/* Creates a temporary file beside path. LY_EIO when the folder is not writable. A path that
 * is a device or a FIFO (/dev/null) is opened as it is instead, and tmp left NULL. */
int outfile_open(struct outfile *f, const char *path, struct err *e);
/* Writes all of data (retrying short writes); LY_EIO on failure. */
int outfile_write(struct outfile *f, const void *data, size_t len, struct err *e);
/* Flushes, closes and renames the file into place (closes it, when written in place). On
 * failure the temporary is removed. */
int outfile_commit(struct outfile *f, struct err *e);
/* Closes and removes the temporary. Safe on a committed or never-opened outfile. */
void outfile_abort(struct outfile *f);

/* write(2) all of data to fd, retrying short writes and EINTR. Returns 0 or -1 (errno). */
int write_all(int fd, const void *data, size_t len);
/* read(2) exactly len bytes from fd into data, retrying short reads and EINTR. Returns 0, or
 * -1 on an error (errno) or at end of file before len bytes (errno 0). */
int read_full(int fd, void *data, size_t len);

#endif
