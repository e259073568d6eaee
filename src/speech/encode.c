/* encode.c -- 16-bit mono PCM in, WAV / Ogg Vorbis / Ogg Opus / MP3 / FLAC / raw PCM / AU bytes
 * out to a caller's sink. WAV and AU are written here (a header with "unknown" sizes, patched at
 * the end when the sink can patch), and so is raw PCM (24 kHz little-endian samples, no header, as
 * OpenAI's speech API and Wyoming's audio chunks carry it); the other formats go through
 * libsndfile's virtual I/O, which we present as an append-only stream that answers position
 * queries but cannot seek (so FLAC's STREAMINFO keeps "length unknown"). Opus and raw PCM input
 * is first resampled to 24 kHz with libsoxr. Bytes reach the sink as soon as the codec emits them;
 * no buffering of whole files, no files or sockets here. An encoder belongs to one thread at a
 * time; separate encoders are independent (only libsndfile's text for a failed open is
 * process-wide). */
#include "encode.h"

#include <assert.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sndfile.h>
#include <soxr.h>

#include "base/base.h"

#include "banned.h"

/* Samples handed to a codec per call: libvorbis crashes on one huge write (~17M samples). */
#define LYSSNA_ENCODE_CHUNK 4096

/* Settings for one synthetic voice at 22 kHz; docs/SPEECH.md, "Audio formats", explains
 * the choice. */
#define LYSSNA_VORBIS_QUALITY 0.2 /* libvorbis -q 2, about 40 kbit/s */
#define LYSSNA_OPUS_RATE      24000
#define LYSSNA_PCM_RATE       24000 /* what OpenAI's "pcm" is: 24 kHz s16le mono */
#define LYSSNA_OPUS_BITRATE   24000 /* bit/s, VBR */
#define LYSSNA_OPUS_PAGE_MS   200.0 /* libsndfile's default holds a page for up to 1 s */
#define LYSSNA_MP3_KBPS       48    /* CBR: a streamed MP3 gets no VBR header */

#define LYSSNA_WAV_HEADER  44
#define LYSSNA_WAV_UNKNOWN 0xFFFFFFFFu
#define LYSSNA_AU_HEADER   24

struct encoder {
    enum encode_format fmt;
    int rate;
    const struct encode_sink *sink;
    SNDFILE *sf;
    soxr_t soxr;
    int64_t len;     /* bytes the sink has taken */
    bool failed;     /* the sink refused a write: nothing more goes to it */
    bool discarding; /* being freed unfinished: drop what libsndfile flushes */
    bool finished;
    struct {
        int16_t pcm[LYSSNA_ENCODE_CHUNK];             /* resampled audio on its way out */
        unsigned char bytes[2 * LYSSNA_ENCODE_CHUNK]; /* little-endian WAV or raw samples */
    } scratch;
};

static const struct {
    const char *name, *mime, *ext;
    int sf_format; /* 0 for WAV and raw PCM, which we write ourselves */
    int out_rate;  /* the rate the codec gets, resampled to; 0: the input's own */
} formats[] = {
    [ENCODE_WAV] = {"wav", "audio/wav", "wav", 0, 0},
    [ENCODE_OGG] = {"ogg", "audio/ogg", "ogg", SF_FORMAT_OGG | SF_FORMAT_VORBIS, 0},
    [ENCODE_OPUS] = {"opus", "audio/ogg; codecs=opus", "opus", SF_FORMAT_OGG | SF_FORMAT_OPUS,
                     LYSSNA_OPUS_RATE},
    [ENCODE_MP3] = {"mp3", "audio/mpeg", "mp3", SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III, 0},
    [ENCODE_FLAC] = {"flac", "audio/flac", "flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 0},
    [ENCODE_PCM] = {"pcm", "audio/pcm", "pcm", 0, LYSSNA_PCM_RATE},
    [ENCODE_AU] = {"au", "audio/basic", "au", 0, 0},
};

#define LYSSNA_NFORMATS (sizeof(formats) / sizeof(formats[0]))

int encode_format_parse(const char *name, enum encode_format *fmt, struct err *e)
{
    size_t i;

    if (strcmp(name, "vorbis") == 0) {
        *fmt = ENCODE_OGG;
        return LY_OK;
    }
    for (i = 0; i < LYSSNA_NFORMATS; i++) {
        if (strcmp(name, formats[i].name) == 0) {
            *fmt = (enum encode_format)i;
            return LY_OK;
        }
    }
    return err_set(e, LY_EUSAGE,
                   "unknown format '%s' (choose wav, ogg, opus, mp3, flac, pcm or au)", name);
}

const char *encode_format_name(enum encode_format fmt)
{
    assert((size_t)fmt < LYSSNA_NFORMATS);
    return formats[fmt].name;
}

const char *encode_mime_type(enum encode_format fmt)
{
    assert((size_t)fmt < LYSSNA_NFORMATS);
    return formats[fmt].mime;
}

const char *encode_extension(enum encode_format fmt)
{
    assert((size_t)fmt < LYSSNA_NFORMATS);
    return formats[fmt].ext;
}

int encode_output_rate(enum encode_format fmt, int rate)
{
    assert((size_t)fmt < LYSSNA_NFORMATS);
    return formats[fmt].out_rate ? formats[fmt].out_rate : rate;
}

/* Appends to the sink; after one refusal the sink is never called again. */
static int sink_put(struct encoder *enc, const void *data, size_t len)
{
    if (enc->failed)
        return -1;
    if (enc->discarding || len == 0)
        return 0;
    if (enc->sink->write(enc->sink->ctx, data, len) != 0) {
        enc->failed = true;
        return -1;
    }
    enc->len += (int64_t)len;
    return 0;
}

static int sink_error(const struct encoder *enc, struct err *e)
{
    return err_set(e, LY_EIO, "cannot write '%s' audio: the output refused it",
                   formats[enc->fmt].name);
}

/* The output only grows, so its length is also where libsndfile stands. */
static sf_count_t vio_tell(void *user)
{
    return ((struct encoder *)user)->len;
}

static sf_count_t vio_read(void *ptr, sf_count_t count, void *user)
{
    (void)ptr;
    (void)count;
    (void)user;
    return 0;
}

/* Always reports success: after a short write libsndfile's error paths leak (a Vorbis header
 * that failed is set up again at close). A refusal is kept in enc->failed instead, which every
 * caller of libsndfile checks. */
static sf_count_t vio_write(const void *ptr, sf_count_t count, void *user)
{
    sink_put(user, ptr, (size_t)count);
    return count;
}

/* libsndfile asks where it is (SEEK_CUR 0, SEEK_END 0) and the MP3 writer seeks to where it
 * already is (SEEK_SET 0 before its first byte); without answers MP3 fails to open or comes out
 * broken. Any real seek fails: with CBR, LAME writes no info frame to go back for at close. */
static sf_count_t vio_seek(sf_count_t offset, int whence, void *user)
{
    struct encoder *enc = user;

    if (whence == SEEK_SET ? offset == enc->len : offset == 0)
        return enc->len;
    return -1;
}

static SF_VIRTUAL_IO sink_io = {vio_tell, vio_seek, vio_read, vio_write, vio_tell};

static void put_le16(unsigned char *p, uint16_t v)
{
    p[0] = (unsigned char)(v & 0xFF);
    p[1] = (unsigned char)(v >> 8);
}

static void put_le32(unsigned char *p, uint32_t v)
{
    put_le16(p, (uint16_t)(v & 0xFFFF));
    put_le16(p + 2, (uint16_t)(v >> 16));
}

/* The canonical header of 16-bit mono PCM. data_len LYSSNA_WAV_UNKNOWN means "until the stream
 * ends", which players of streamed WAV accept. */
static void wav_header(unsigned char h[LYSSNA_WAV_HEADER], int rate, uint32_t data_len)
{
    uint32_t riff_len = data_len == LYSSNA_WAV_UNKNOWN ? data_len : data_len + 36;

    memcpy(h, "RIFF", 4);
    put_le32(h + 4, riff_len);
    memcpy(h + 8, "WAVEfmt ", 8);
    put_le32(h + 16, 16);
    put_le16(h + 20, 1); /* PCM */
    put_le16(h + 22, 1); /* mono */
    put_le32(h + 24, (uint32_t)rate);
    put_le32(h + 28, (uint32_t)rate * 2);
    put_le16(h + 32, 2);
    put_le16(h + 34, 16);
    memcpy(h + 36, "data", 4);
    put_le32(h + 40, data_len);
}

static int wav_start(struct encoder *enc, struct err *e)
{
    unsigned char h[LYSSNA_WAV_HEADER];

    wav_header(h, enc->rate, LYSSNA_WAV_UNKNOWN);
    if (sink_put(enc, h, sizeof(h)) != 0)
        return sink_error(enc, e);
    return LY_OK;
}

static void put_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16 & 0xFF);
    p[2] = (unsigned char)(v >> 8 & 0xFF);
    p[3] = (unsigned char)(v & 0xFF);
}

/* Sun's header: ".snd", data offset, data size (LYSSNA_WAV_UNKNOWN: to the end, as the
 * format allows), encoding 3 (16-bit linear), rate, channels. */
static void au_header(unsigned char h[LYSSNA_AU_HEADER], int rate, uint32_t data_len)
{
    memcpy(h, ".snd", 4);
    put_be32(h + 4, LYSSNA_AU_HEADER);
    put_be32(h + 8, data_len);
    put_be32(h + 12, 3);
    put_be32(h + 16, (uint32_t)rate);
    put_be32(h + 20, 1);
}

static int au_start(struct encoder *enc, struct err *e)
{
    unsigned char h[LYSSNA_AU_HEADER];

    au_header(h, enc->rate, LYSSNA_WAV_UNKNOWN);
    if (sink_put(enc, h, sizeof(h)) != 0)
        return sink_error(enc, e);
    return LY_OK;
}

/* Samples as bytes: little-endian for WAV and raw PCM, big-endian for AU. */
static int raw_write(struct encoder *enc, const int16_t *pcm, size_t n, struct err *e)
{
    unsigned char *b = enc->scratch.bytes;
    size_t i;

    for (i = 0; i < n; i++)
        if (enc->fmt == ENCODE_AU) {
            b[2 * i] = (unsigned char)((uint16_t)pcm[i] >> 8);
            b[2 * i + 1] = (unsigned char)((uint16_t)pcm[i] & 0xFF);
        } else {
            put_le16(b + 2 * i, (uint16_t)pcm[i]);
        }
    if (sink_put(enc, enc->scratch.bytes, 2 * n) != 0)
        return sink_error(enc, e);
    return LY_OK;
}

/* Rewrites the WAV or AU header with the real sizes when the sink can patch and they fit in
 * 32 bits. */
static int header_finish(struct encoder *enc, struct err *e)
{
    unsigned char h[LYSSNA_WAV_HEADER];
    size_t n = enc->fmt == ENCODE_AU ? LYSSNA_AU_HEADER : LYSSNA_WAV_HEADER;
    int64_t data_len = enc->len - (int64_t)n;

    if (!enc->sink->patch || data_len > (int64_t)LYSSNA_WAV_UNKNOWN - 36)
        return LY_OK;
    if (enc->fmt == ENCODE_AU)
        au_header(h, enc->rate, (uint32_t)data_len);
    else
        wav_header(h, enc->rate, (uint32_t)data_len);
    if (enc->sink->patch(enc->sink->ctx, 0, h, n) != 0) {
        enc->failed = true;
        return sink_error(enc, e);
    }
    return LY_OK;
}

static int sndfile_write(struct encoder *enc, const int16_t *pcm, size_t n, struct err *e)
{
    sf_count_t done = sf_write_short(enc->sf, pcm, (sf_count_t)n);

    if (enc->failed)
        return sink_error(enc, e);
    if (done != (sf_count_t)n)
        return err_set(e, LY_EENCODE, "cannot encode '%s': %s", formats[enc->fmt].name,
                       sf_strerror(enc->sf));
    return LY_OK;
}

/* Resampled audio goes to the codec, or straight out as raw PCM. */
static int emit(struct encoder *enc, const int16_t *pcm, size_t n, struct err *e)
{
    if (enc->fmt == ENCODE_PCM)
        return raw_write(enc, pcm, n, e);
    return sndfile_write(enc, pcm, n, e);
}

/* Feeds n samples through the resampler to the codec; pcm NULL signals the end of input and
 * drains what soxr holds back. soxr stops taking input only when the output buffer is full. */
static int resample_write(struct encoder *enc, const int16_t *pcm, size_t n, struct err *e)
{
    size_t used, made;
    soxr_error_t serr;
    int rc;

    do {
        serr = soxr_process(enc->soxr, pcm, n, &used, enc->scratch.pcm, LYSSNA_ENCODE_CHUNK, &made);
        if (serr)
            return err_set(e, LY_EENCODE, "cannot resample '%s' input: %s", formats[enc->fmt].name,
                           serr);
        if (pcm) {
            pcm += used;
            n -= used;
        }
        if (made > 0 && (rc = emit(enc, enc->scratch.pcm, made, e)) != LY_OK)
            return rc;
    } while (n > 0 || made == LYSSNA_ENCODE_CHUNK);
    return LY_OK;
}

static int resampler_new(struct encoder *enc, struct err *e)
{
    soxr_io_spec_t io = soxr_io_spec(SOXR_INT16_I, SOXR_INT16_I);
    soxr_quality_spec_t quality = soxr_quality_spec(SOXR_MQ, 0); /* 16-bit in, 16-bit out */
    soxr_error_t serr = NULL;

    enc->soxr = soxr_create(enc->rate, formats[enc->fmt].out_rate, 1, &serr, &io, &quality, NULL);
    if (!enc->soxr || serr)
        return err_set(e, LY_EENCODE, "cannot resample %d Hz for '%s': %s", enc->rate,
                       formats[enc->fmt].name, serr ? serr : "no resampler");
    return LY_OK;
}

/* libsndfile maps a compression level linearly onto LAME's bitrate range for the MPEG version
 * the sample rate implies (mpeg_l3_encode.c) and truncates; aim half a kbit/s above kbps. */
static double mp3_level(int rate, int kbps)
{
    double hi = rate >= 32000 ? 320 : rate >= 16000 ? 160 : 64;
    double lo = rate >= 32000 ? 32 : 8;

    return (hi - kbps - 0.5) / (hi - lo);
}

/* Opus: libsndfile maps level q to (1 - q) * 250,000 + 6,000 bit/s per channel. */
static double opus_level(int bitrate)
{
    return 1.0 - (bitrate - 6000) / 250000.0;
}

static int sf_setting(struct encoder *enc, int cmd, void *value, int size, struct err *e)
{
    int ok = sf_command(enc->sf, cmd, value, size);

    /* SFC_SET_OGG_PAGE_LATENCY_MS alone answers 0 for success; the others answer SF_TRUE. */
    if (cmd == SFC_SET_OGG_PAGE_LATENCY_MS ? ok == 0 : ok == SF_TRUE)
        return LY_OK;
    return err_set(e, LY_EENCODE, "cannot set up the '%s' encoder (command 0x%x): %s",
                   formats[enc->fmt].name, (unsigned)cmd, sf_strerror(enc->sf));
}

static int sndfile_configure(struct encoder *enc, struct err *e)
{
    double level, ms = LYSSNA_OPUS_PAGE_MS, quality = LYSSNA_VORBIS_QUALITY;
    int mode = SF_BITRATE_MODE_CONSTANT, rate = enc->rate, rc;

    switch (enc->fmt) {
    case ENCODE_OGG:
        return sf_setting(enc, SFC_SET_VBR_ENCODING_QUALITY, &quality, sizeof(quality), e);
    case ENCODE_OPUS:
        level = opus_level(LYSSNA_OPUS_BITRATE);
        if ((rc = sf_setting(enc, SFC_SET_COMPRESSION_LEVEL, &level, sizeof(level), e)) ||
            (rc = sf_setting(enc, SFC_SET_OGG_PAGE_LATENCY_MS, &ms, sizeof(ms), e)))
            return rc;
        return sf_setting(enc, SFC_SET_ORIGINAL_SAMPLERATE, &rate, sizeof(rate), e);
    case ENCODE_MP3:
        /* The level first: changing the mode re-derives the bitrate from it. */
        level = mp3_level(enc->rate, LYSSNA_MP3_KBPS);
        if ((rc = sf_setting(enc, SFC_SET_COMPRESSION_LEVEL, &level, sizeof(level), e)))
            return rc;
        return sf_setting(enc, SFC_SET_BITRATE_MODE, &mode, sizeof(mode), e);
    case ENCODE_WAV:
    case ENCODE_FLAC:
    case ENCODE_PCM:
    case ENCODE_AU:
        break;
    }
    return LY_OK;
}

static int sndfile_open(struct encoder *enc, struct err *e)
{
    SF_INFO info = {0};
    int rc;

    info.samplerate = enc->rate;
    info.channels = 1;
    info.format = formats[enc->fmt].sf_format;
    if (formats[enc->fmt].out_rate) {
        if ((rc = resampler_new(enc, e)) != LY_OK)
            return rc;
        info.samplerate = formats[enc->fmt].out_rate;
    }
    enc->sf = sf_open_virtual(&sink_io, SFM_WRITE, &info, enc);
    if (!enc->sf)
        return err_set(e, LY_EENCODE, "cannot start the '%s' encoder at %d Hz: %s",
                       formats[enc->fmt].name, enc->rate, sf_strerror(NULL));
    return sndfile_configure(enc, e);
}

/* Rates every codec here takes. LAME takes only the MPEG ones, and libsndfile leaks its encoder
 * when opening fails, so other rates are refused before asking. */
static bool rate_supported(enum encode_format fmt, int rate)
{
    static const int mpeg[] = {8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000};
    size_t i;

    if (rate < 8000 || rate > 48000)
        return false;
    if (fmt != ENCODE_MP3)
        return true;
    for (i = 0; i < sizeof(mpeg) / sizeof(mpeg[0]); i++)
        if (rate == mpeg[i])
            return true;
    return false;
}

struct encoder *encode_new(enum encode_format fmt, int rate, const struct encode_sink *sink,
                           struct err *e)
{
    struct encoder *enc;
    int rc;

    assert((size_t)fmt < LYSSNA_NFORMATS);
    if (!rate_supported(fmt, rate)) {
        err_set(e, LY_EENCODE, "cannot encode '%s' at %d Hz", formats[fmt].name, rate);
        return NULL;
    }
    enc = xcalloc(1, sizeof(*enc));
    enc->fmt = fmt;
    enc->rate = rate;
    enc->sink = sink;
    if (fmt == ENCODE_WAV)
        rc = wav_start(enc, e);
    else if (fmt == ENCODE_AU)
        rc = au_start(enc, e);
    else if (fmt == ENCODE_PCM)
        rc = resampler_new(enc, e);
    else
        rc = sndfile_open(enc, e);
    if (rc != LY_OK) {
        encode_free(enc);
        return NULL;
    }
    return enc;
}

/* n is at most LYSSNA_ENCODE_CHUNK, the size of the scratch buffers. */
static int write_chunk(struct encoder *enc, const int16_t *pcm, size_t n, struct err *e)
{
    if (enc->fmt == ENCODE_WAV || enc->fmt == ENCODE_AU)
        return raw_write(enc, pcm, n, e);
    if (enc->soxr)
        return resample_write(enc, pcm, n, e);
    return sndfile_write(enc, pcm, n, e);
}

int encode_write(struct encoder *enc, const int16_t *pcm, size_t n, struct err *e)
{
    size_t k;
    int rc = LY_OK;

    if (enc->finished)
        return err_set(e, LY_EENCODE, "cannot add to '%s' audio that is finished",
                       formats[enc->fmt].name);
    if (enc->failed)
        return sink_error(enc, e);
    while (rc == LY_OK && n > 0) {
        k = n < LYSSNA_ENCODE_CHUNK ? n : LYSSNA_ENCODE_CHUNK;
        rc = write_chunk(enc, pcm, k, e);
        pcm += k;
        n -= k;
    }
    return rc;
}

static int sndfile_close(struct encoder *enc, struct err *e)
{
    int status = sf_close(enc->sf);

    enc->sf = NULL;
    if (enc->failed)
        return sink_error(enc, e);
    if (status != 0)
        return err_set(e, LY_EENCODE, "cannot finish '%s' audio: %s", formats[enc->fmt].name,
                       sf_error_number(status));
    return LY_OK;
}

int encode_finish(struct encoder *enc, struct err *e)
{
    int rc;

    if (enc->finished)
        return LY_OK;
    enc->finished = true; /* whatever happens next, nothing more can be added */
    if (enc->failed)
        return sink_error(enc, e);
    if (enc->fmt == ENCODE_WAV || enc->fmt == ENCODE_AU) {
        rc = header_finish(enc, e);
    } else {
        rc = enc->soxr ? resample_write(enc, NULL, 0, e) : LY_OK;
        if (rc == LY_OK && enc->sf)
            rc = sndfile_close(enc, e);
    }
    return rc;
}

void encode_free(struct encoder *enc)
{
    if (!enc)
        return;
    enc->discarding = true;
    if (enc->sf)
        sf_close(enc->sf);
    if (enc->soxr)
        soxr_delete(enc->soxr);
    free(enc);
}
