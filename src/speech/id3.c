/* id3.c -- an ID3v2.4 tag with a title and chapters (CHAP frames, a CTOC listing them) for the
 * front of an MP3. Text is UTF-8 (encoding 3, which version 2.4 allows); sizes are
 * "syncsafe" (7 bits a byte), as 2.4 wants for the tag and for each frame. Pure: no I/O. */
#include "id3.h"

#include <stdio.h>
#include <string.h>

#include "base/base.h"

#include "banned.h"

static void add_u32(struct buf *b, unsigned long v)
{
    char c[4] = {(char)(v >> 24), (char)(v >> 16), (char)(v >> 8), (char)v};

    buf_add(b, c, 4, NULL);
}

static void add_syncsafe(struct buf *b, size_t v)
{
    char c[4] = {(char)((v >> 21) & 0x7f), (char)((v >> 14) & 0x7f), (char)((v >> 7) & 0x7f),
                 (char)(v & 0x7f)};

    buf_add(b, c, 4, NULL);
}

/* A frame: its id, its body's syncsafe size, no flags, the body. */
static void add_frame(struct buf *b, const char *id, const struct buf *body)
{
    buf_add(b, id, 4, NULL);
    add_syncsafe(b, body->len);
    buf_add(b, "\0\0", 2, NULL);
    buf_add(b, body->data, body->len, NULL);
}

/* A TIT2 (title) frame of text, in UTF-8. */
static void add_title(struct buf *b, const char *text)
{
    struct buf body;

    buf_init(&body, BUF_NOLIMIT);
    buf_addch(&body, 3, NULL);
    buf_adds(&body, text, NULL);
    add_frame(b, "TIT2", &body);
    buf_release(&body);
}

static void add_chapter(struct buf *b, size_t i, const struct id3_chapter *ch)
{
    struct buf body;

    buf_init(&body, BUF_NOLIMIT);
    buf_addf(&body, NULL, "ch%zu", i);
    buf_addch(&body, 0, NULL);
    add_u32(&body, ch->start_ms);
    add_u32(&body, ch->end_ms);
    add_u32(&body, 0xffffffffUL); /* no byte offsets: players go by the times */
    add_u32(&body, 0xffffffffUL);
    if (ch->title && *ch->title)
        add_title(&body, ch->title);
    add_frame(b, "CHAP", &body);
    buf_release(&body);
}

static void add_toc(struct buf *b, size_t n)
{
    struct buf body;
    size_t i;

    buf_init(&body, BUF_NOLIMIT);
    buf_add(&body, "toc", 4, NULL); /* with its NUL */
    buf_addch(&body, 0x03, NULL);   /* top-level, ordered */
    buf_addch(&body, (char)n, NULL);
    for (i = 0; i < n; i++) {
        buf_addf(&body, NULL, "ch%zu", i);
        buf_addch(&body, 0, NULL);
    }
    add_frame(b, "CTOC", &body);
    buf_release(&body);
}

void id3_write_chapters(const char *title, const struct id3_chapter *ch, size_t n, struct buf *out)
{
    struct buf frames;
    size_t i;

    if (n > ID3_MAX_CHAPTERS)
        n = ID3_MAX_CHAPTERS;
    buf_init(&frames, BUF_NOLIMIT);
    if (title && *title)
        add_title(&frames, title);
    if (n)
        add_toc(&frames, n);
    for (i = 0; i < n; i++)
        add_chapter(&frames, i, &ch[i]);
    buf_add(out, "ID3\x04\x00\x00", 6, NULL);
    add_syncsafe(out, frames.len);
    buf_add(out, frames.data, frames.len, NULL);
    buf_release(&frames);
}
