/* frame.c -- frames between a parent and its worker processes (frame.h). */
#include "frame.h"

#include "buf.h"
#include "outfile.h"

#include "banned.h"

static void head(unsigned char h[FRAME_HEAD], int type, size_t len)
{
    h[0] = (unsigned char)type;
    h[1] = (unsigned char)len;
    h[2] = (unsigned char)(len >> 8);
    h[3] = (unsigned char)(len >> 16);
    h[4] = (unsigned char)(len >> 24);
}

static size_t head_len(const unsigned char h[FRAME_HEAD])
{
    return (size_t)h[1] | (size_t)h[2] << 8 | (size_t)h[3] << 16 | (size_t)h[4] << 24;
}

int frame_send(int fd, int type, const void *data, size_t len)
{
    unsigned char h[FRAME_HEAD];

    head(h, type, len);
    return write_all(fd, h, sizeof(h)) || write_all(fd, data, len) ? -1 : 0;
}

int frame_add(struct buf *b, int type, const void *data, size_t len)
{
    unsigned char h[FRAME_HEAD];

    head(h, type, len);
    return buf_add(b, h, sizeof(h), NULL) || buf_add(b, data, len, NULL) ? -1 : 0;
}

int frame_recv(int fd, struct buf *out, size_t max)
{
    unsigned char h[FRAME_HEAD];
    size_t len;

    buf_reset(out);
    if (read_full(fd, h, sizeof(h)))
        return -1;
    len = head_len(h);
    if (len > max || buf_grow(out, len, NULL) || read_full(fd, out->data, len))
        return -1;
    out->len = len;
    out->data[len] = '\0';
    return h[0];
}

int frame_next(const char *data, size_t len, size_t *at, const char **body, size_t *n)
{
    const unsigned char *h = (const unsigned char *)data + *at;

    if (*at > len || len - *at < FRAME_HEAD || head_len(h) > len - *at - FRAME_HEAD)
        return -1;
    *n = head_len(h);
    *body = data + *at + FRAME_HEAD;
    *at += FRAME_HEAD + *n;
    return h[0];
}
