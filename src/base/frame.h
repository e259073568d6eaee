/* frame.h -- how a parent and its worker processes talk: in frames of a type byte, the
 * length (4 bytes, least significant first) and that many bytes. The synthesis pool
 * (speech/pool.c) and the document worker (extract/docworker.c) both speak it. */
#ifndef LYSSNA_FRAME_H
#define LYSSNA_FRAME_H

#include <stddef.h>

struct buf;

#define FRAME_HEAD 5 /* bytes before a frame's own */

/* Writes one frame to fd; 0, or -1 (errno). */
int frame_send(int fd, int type, const void *data, size_t len);

/* Adds one frame to b; 0, or -1 past b's cap. */
int frame_add(struct buf *b, int type, const void *data, size_t len);

/* Reads one frame from fd into out (NUL-terminated after it); returns its type, or -1 at the
 * end of the stream, on a read error or on a frame longer than max. */
int frame_recv(int fd, struct buf *out, size_t max);

/* The frame at *at of the len bytes at data: returns its type, points *body at its n bytes
 * and moves *at past it; -1 at the end, or when the bytes left are not a whole frame. */
int frame_next(const char *data, size_t len, size_t *at, const char **body, size_t *n);

#endif
