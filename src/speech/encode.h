/* encode.h -- 16-bit mono PCM in, WAV / Ogg Vorbis / Ogg Opus / MP3 / FLAC / raw PCM / AU bytes
 * out, as they are made. */
#ifndef LYSSNA_ENCODE_H
#define LYSSNA_ENCODE_H

#include <stddef.h>
#include <stdint.h>

struct err;

/* ENCODE_PCM is raw 24 kHz signed 16-bit little-endian mono, no header (resampled); ENCODE_AU
 * Sun's .au, 16-bit big-endian (MaryTTS's AU_FILE). */
enum encode_format {
    ENCODE_WAV,
    ENCODE_OGG,
    ENCODE_OPUS,
    ENCODE_MP3,
    ENCODE_FLAC,
    ENCODE_PCM,
    ENCODE_AU
};

/* The sample rate of what comes out for fmt when the input is at rate. */
int encode_output_rate(enum encode_format fmt, int rate);

/* Where encoded bytes go. write returns 0 on success, non-zero to fail the encoder (for
 * example when the client went away). patch rewrites bytes already written (a file); NULL
 * when the sink is a stream, in which case headers carry "length unknown". */
struct encode_sink {
    int (*write)(void *ctx, const void *data, size_t len);
    int (*patch)(void *ctx, size_t offset, const void *data, size_t len);
    void *ctx;
};

struct encoder;

/* "wav", "ogg", "opus", "mp3", "flac", "pcm", "au" -> format; LY_EUSAGE with a message naming the
 * choices. */
int encode_format_parse(const char *name, enum encode_format *fmt, struct err *e);
const char *encode_format_name(enum encode_format fmt);
const char *encode_mime_type(enum encode_format fmt);
const char *encode_extension(enum encode_format fmt);

/* An encoder for PCM at rate Hz, writing to sink (borrowed: it must outlive the encoder).
 * Bytes reach the sink as soon as the codec emits them. */
struct encoder *encode_new(enum encode_format fmt, int rate, const struct encode_sink *sink,
                           struct err *e);
int encode_write(struct encoder *enc, const int16_t *pcm, size_t n, struct err *e);
/* Flushes the codec and finishes the container (and patches the WAV header when it can). */
int encode_finish(struct encoder *enc, struct err *e);
/* NULL is a no-op; freeing an unfinished encoder discards what it held. */
void encode_free(struct encoder *enc);

#endif
