/* id3.h -- an ID3v2.4 tag with chapters (the CHAP and CTOC frames of the ID3v2 Chapter Frame
 * Addendum) to put before an MP3's frames, so a podcast player lists and jumps to them. */
#ifndef LYSSNA_ID3_H
#define LYSSNA_ID3_H

#include <stddef.h>

struct buf;

/* A chapter: from start_ms to end_ms, titled title (UTF-8, borrowed). */
struct id3_chapter {
    const char *title;
    unsigned long start_ms, end_ms;
};

/* Most chapters a tag holds: CTOC counts its entries in one byte. */
#define ID3_MAX_CHAPTERS 255

/* Appends to out the tag: the title (TIT2, NULL or "": none), one CHAP frame per chapter
 * (ids "ch0", "ch1", ...; at most ID3_MAX_CHAPTERS are written) and a top-level, ordered CTOC
 * listing them (none when n is 0). */
void id3_write_chapters(const char *title, const struct id3_chapter *ch, size_t n, struct buf *out);

#endif
