/* test_encode.c -- encode.c against memory sinks: headers, streaming before finish, decoding
 * back (libsndfile from memory; ffmpeg for MP3, whose streams libsndfile's decoder truncates),
 * sink failures and freeing unfinished encoders. Audio is a 440 Hz tone at 22,050 Hz. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sndfile.h>

#include "base/base.h"
#include "speech/speech.h"

#include "banned.h"

#define RATE  22050
#define CHUNK 1000 /* what synth hands over per callback */
#define PI    3.14159265358979323846

struct mem_sink {
    struct buf out;
    size_t writes;     /* calls to write and patch */
    size_t fail_after; /* refuse any write that would take out past this many bytes */
};

static int mem_write(void *ctx, const void *data, size_t len)
{
    struct mem_sink *s = ctx;

    s->writes++;
    if (s->out.len + len > s->fail_after)
        return -1;
    return buf_add(&s->out, data, len, NULL);
}

static int mem_patch(void *ctx, size_t offset, const void *data, size_t len)
{
    struct mem_sink *s = ctx;

    s->writes++;
    assert_true(offset + len <= s->out.len);
    memcpy(s->out.data + offset, data, len);
    return 0;
}

/* A stream (no patch) unless patchable; fail_after SIZE_MAX never fails. */
static struct encode_sink mem_sink_init(struct mem_sink *s, int patchable, size_t fail_after)
{
    struct encode_sink sink = {mem_write, patchable ? mem_patch : NULL, s};

    buf_init(&s->out, BUF_NOLIMIT);
    s->writes = 0;
    s->fail_after = fail_after;
    return sink;
}

static void tone(int16_t *pcm, size_t n, size_t start)
{
    size_t i;

    for (i = 0; i < n; i++)
        pcm[i] = (int16_t)lrint(16000.0 * sin(2 * PI * 440.0 * (double)(start + i) / RATE));
}

/* Writes seconds of tone in synth-sized chunks and returns the first failing code, if any. */
static int write_tone(struct encoder *enc, double seconds, struct err *e)
{
    int16_t pcm[CHUNK];
    size_t total = (size_t)(seconds * RATE), done, n;
    int rc;

    for (done = 0; done < total; done += n) {
        n = total - done < CHUNK ? total - done : CHUNK;
        tone(pcm, n, done);
        if ((rc = encode_write(enc, pcm, n, e)) != LY_OK)
            return rc;
    }
    return LY_OK;
}

/* Encodes seconds of tone into s and finishes the stream. */
static void encode_tone(enum encode_format fmt, double seconds, struct mem_sink *s, int patchable)
{
    struct encode_sink sink = mem_sink_init(s, patchable, SIZE_MAX);
    struct err e = {0};
    struct encoder *enc = encode_new(fmt, RATE, &sink, &e);

    assert_non_null(enc);
    assert_int_equal(write_tone(enc, seconds, &e), LY_OK);
    assert_int_equal(encode_finish(enc, &e), LY_OK);
    encode_free(enc);
}

static int contains(const struct buf *b, const void *needle, size_t len)
{
    size_t i;

    for (i = 0; i + len <= b->len; i++)
        if (memcmp(b->data + i, needle, len) == 0)
            return 1;
    return 0;
}

static uint32_t le32(const struct buf *b, size_t at)
{
    const unsigned char *p = (const unsigned char *)b->data + at;

    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Decoded audio: its length in seconds and the pitch of the tone, from rising zero crossings
 * (with hysteresis, so codec noise near zero does not count). */
struct decoded {
    double seconds, hz;
};

static struct decoded measure(const int16_t *pcm, size_t n, int rate)
{
    struct decoded d = {(double)n / rate, 0};
    size_t i, rises = 0;
    int low = 0;

    for (i = 0; i < n; i++) {
        if (pcm[i] < -4000)
            low = 1;
        else if (low && pcm[i] > 4000) {
            low = 0;
            rises++;
        }
    }
    d.hz = (double)rises / d.seconds;
    return d;
}

static void assert_tone(struct decoded d, double seconds)
{
    assert_true(fabs(d.seconds - seconds) <= 0.02 * seconds);
    assert_true(fabs(d.hz - 440.0) <= 0.02 * 440.0);
}

struct mem_reader {
    const struct buf *b;
    sf_count_t pos;
};

static sf_count_t rd_len(void *u)
{
    return (sf_count_t)((struct mem_reader *)u)->b->len;
}

static sf_count_t rd_seek(sf_count_t offset, int whence, void *u)
{
    struct mem_reader *r = u;
    sf_count_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? r->pos : rd_len(u);

    if (base + offset < 0 || base + offset > rd_len(u))
        return -1;
    r->pos = base + offset;
    return r->pos;
}

static sf_count_t rd_read(void *ptr, sf_count_t count, void *u)
{
    struct mem_reader *r = u;
    sf_count_t left = rd_len(u) - r->pos;

    if (count > left)
        count = left;
    memcpy(ptr, r->b->data + r->pos, (size_t)count);
    r->pos += count;
    return count;
}

static sf_count_t rd_write(const void *ptr, sf_count_t count, void *u)
{
    (void)ptr;
    (void)count;
    (void)u;
    return 0;
}

static sf_count_t rd_tell(void *u)
{
    return ((struct mem_reader *)u)->pos;
}

static struct decoded decode_with_sndfile(const struct buf *b)
{
    SF_VIRTUAL_IO io = {rd_len, rd_seek, rd_read, rd_write, rd_tell};
    struct mem_reader r = {b, 0};
    SF_INFO info = {0};
    SNDFILE *sf = sf_open_virtual(&io, SFM_READ, &info, &r);
    size_t n = 0, cap = 1 << 16;
    int16_t *pcm = xmalloc(cap * sizeof(*pcm));
    sf_count_t got;
    struct decoded d;

    assert_non_null(sf);
    assert_int_equal(info.channels, 1);
    while ((got = sf_read_short(sf, pcm + n, (sf_count_t)(cap - n))) > 0) {
        n += (size_t)got;
        if (n == cap)
            pcm = xreallocarray(pcm, cap *= 2, sizeof(*pcm));
    }
    sf_close(sf);
    d = measure(pcm, n, info.samplerate);
    free(pcm);
    return d;
}

/* MP3 goes through ffmpeg on a temporary file, resampled to our rate as 16-bit mono. */
static struct decoded decode_with_ffmpeg(const struct buf *b)
{
    char path[] = "/tmp/lyssna-test-encode-XXXXXX", cmd[128];
    int fd = mkstemp(path);
    struct buf pcm;
    struct decoded d;
    FILE *p;

    assert_true(fd >= 0);
    assert_int_equal(write(fd, b->data, b->len), (ssize_t)b->len);
    close(fd);
    snprintf(cmd, sizeof(cmd), "ffmpeg -v error -i %s -f s16le -ac 1 -ar %d -", path, RATE);
    p = popen(cmd, "r");
    assert_non_null(p);
    buf_init(&pcm, BUF_NOLIMIT);
    assert_int_equal(buf_read_file(&pcm, p, "ffmpeg", NULL), LY_OK);
    assert_int_equal(pclose(p), 0);
    unlink(path);
    d = measure((const int16_t *)(const void *)pcm.data, pcm.len / 2, RATE);
    buf_release(&pcm);
    return d;
}

static int have_ffmpeg(void)
{
    return system("command -v ffmpeg >/dev/null 2>&1") == 0;
}

static void test_encode_parses_known_format_names(void **state)
{
    static const struct {
        const char *name;
        enum encode_format fmt;
    } cases[] = {{"wav", ENCODE_WAV},   {"ogg", ENCODE_OGG}, {"vorbis", ENCODE_OGG},
                 {"opus", ENCODE_OPUS}, {"mp3", ENCODE_MP3}, {"flac", ENCODE_FLAC},
                 {"pcm", ENCODE_PCM},   {"au", ENCODE_AU}};
    enum encode_format fmt;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(encode_format_parse(cases[i].name, &fmt, NULL), LY_OK);
        assert_int_equal(fmt, cases[i].fmt);
    }
}

static void test_encode_rejects_unknown_format_naming_the_choices(void **state)
{
    enum encode_format fmt = ENCODE_MP3;
    struct err e = {0};

    (void)state;
    assert_int_equal(encode_format_parse("aac", &fmt, &e), LY_EUSAGE);
    assert_int_equal(e.code, LY_EUSAGE);
    assert_string_equal(e.msg,
                        "unknown format 'aac' (choose wav, ogg, opus, mp3, flac, pcm or au)");
    assert_int_equal(fmt, ENCODE_MP3);
    assert_int_equal(encode_format_parse("", &fmt, NULL), LY_EUSAGE);
}

static void test_encode_names_mime_types_and_extensions(void **state)
{
    (void)state;
    assert_string_equal(encode_mime_type(ENCODE_WAV), "audio/wav");
    assert_string_equal(encode_mime_type(ENCODE_OGG), "audio/ogg");
    assert_string_equal(encode_mime_type(ENCODE_OPUS), "audio/ogg; codecs=opus");
    assert_string_equal(encode_mime_type(ENCODE_MP3), "audio/mpeg");
    assert_string_equal(encode_extension(ENCODE_OGG), "ogg");
    assert_string_equal(encode_extension(ENCODE_OPUS), "opus");
    assert_string_equal(encode_format_name(ENCODE_MP3), "mp3");
    assert_string_equal(encode_mime_type(ENCODE_FLAC), "audio/flac");
    assert_string_equal(encode_extension(ENCODE_PCM), "pcm");
    assert_int_equal(encode_output_rate(ENCODE_PCM, RATE), 24000);
    assert_int_equal(encode_output_rate(ENCODE_OPUS, RATE), 24000);
    assert_int_equal(encode_output_rate(ENCODE_FLAC, RATE), RATE);
}

static void test_encode_streams_wav_with_unknown_sizes(void **state)
{
    struct mem_sink s;
    int16_t first[4];

    (void)state;
    encode_tone(ENCODE_WAV, 1.0, &s, 0);
    assert_int_equal(s.out.len, 44 + 2 * RATE);
    assert_memory_equal(s.out.data, "RIFF", 4);
    assert_memory_equal(s.out.data + 8, "WAVEfmt ", 8);
    assert_int_equal(le32(&s.out, 4), 0xFFFFFFFFu);
    assert_int_equal(le32(&s.out, 24), RATE);
    assert_memory_equal(s.out.data + 36, "data", 4);
    assert_int_equal(le32(&s.out, 40), 0xFFFFFFFFu);
    tone(first, 4, 0);
    assert_int_equal((unsigned char)s.out.data[46], (uint16_t)first[1] & 0xFF);
    assert_int_equal((unsigned char)s.out.data[47], (uint16_t)first[1] >> 8);
    buf_release(&s.out);
}

static void test_encode_patches_wav_sizes_when_sink_can(void **state)
{
    struct mem_sink s;

    (void)state;
    encode_tone(ENCODE_WAV, 10.0, &s, 1);
    assert_int_equal(le32(&s.out, 4), 36 + 2 * 10 * RATE);
    assert_int_equal(le32(&s.out, 40), 2 * 10 * RATE);
    assert_tone(decode_with_sndfile(&s.out), 10.0);
    buf_release(&s.out);
}

static void test_encode_ogg_starts_with_vorbis_header(void **state)
{
    struct mem_sink s;

    (void)state;
    encode_tone(ENCODE_OGG, 1.0, &s, 0);
    assert_memory_equal(s.out.data, "OggS", 4);
    assert_true(contains(&s.out, "\x01vorbis", 7));
    buf_release(&s.out);
}

static void test_encode_opus_starts_with_opus_header(void **state)
{
    struct mem_sink s;

    (void)state;
    encode_tone(ENCODE_OPUS, 1.0, &s, 0);
    assert_memory_equal(s.out.data, "OggS", 4);
    assert_true(contains(&s.out, "OpusHead", 8));
    buf_release(&s.out);
}

static void test_encode_mp3_starts_with_tag_or_frame_sync(void **state)
{
    struct mem_sink s;
    const unsigned char *p;

    (void)state;
    encode_tone(ENCODE_MP3, 1.0, &s, 0);
    p = (const unsigned char *)s.out.data;
    assert_true(s.out.len > 4);
    assert_true(memcmp(p, "ID3", 3) == 0 || (p[0] == 0xFF && (p[1] & 0xE0) == 0xE0));
    buf_release(&s.out);
}

/* The audio time covered by the Ogg pages in b: the largest granule position, which counts
 * samples at the codec's rate (48 kHz for Opus, whatever the input). */
static double ogg_seconds(const struct buf *b, int granule_rate)
{
    const unsigned char *p = (const unsigned char *)b->data;
    size_t at = 0, body, i;
    uint64_t granule, last = 0;

    while (at + 27 <= b->len && memcmp(p + at, "OggS", 4) == 0) {
        granule = 0;
        for (i = 0; i < 8; i++)
            granule |= (uint64_t)p[at + 6 + i] << (8 * i);
        if (granule != UINT64_MAX && granule > last)
            last = granule;
        for (body = 0, i = 0; i < p[at + 26]; i++)
            body += p[at + 27 + i];
        at += 27 + p[at + 26] + body;
    }
    return (double)last / granule_rate;
}

/* Writes 10 s of tone and frees the encoder unfinished: s holds what reached the sink. */
static void encode_tone_unfinished(enum encode_format fmt, struct mem_sink *s)
{
    struct encode_sink sink = mem_sink_init(s, 0, SIZE_MAX);
    struct encoder *enc = encode_new(fmt, RATE, &sink, NULL);

    assert_non_null(enc);
    assert_int_equal(write_tone(enc, 10.0, NULL), LY_OK);
    encode_free(enc);
}

/* Vorbis fills ~4 KB pages, several seconds of a near-silent tone (about 1 s of speech). */
static void test_encode_streams_ogg_before_finish(void **state)
{
    struct mem_sink s;

    (void)state;
    encode_tone_unfinished(ENCODE_OGG, &s);
    assert_true(ogg_seconds(&s.out, RATE) >= 5.0);
    buf_release(&s.out);
}

/* Opus pages are cut every 200 ms. */
static void test_encode_streams_opus_before_finish(void **state)
{
    struct mem_sink s;

    (void)state;
    encode_tone_unfinished(ENCODE_OPUS, &s);
    assert_true(ogg_seconds(&s.out, 48000) >= 9.5);
    buf_release(&s.out);
}

/* MP3 is CBR, so bytes measure time: all but LAME's few frames of delay are out. */
static void test_encode_streams_mp3_before_finish(void **state)
{
    struct mem_sink unfinished, finished;

    (void)state;
    encode_tone_unfinished(ENCODE_MP3, &unfinished);
    encode_tone(ENCODE_MP3, 10.0, &finished, 0);
    assert_true(unfinished.out.len >= finished.out.len * 97 / 100);
    buf_release(&unfinished.out);
    buf_release(&finished.out);
}

static void test_encode_ogg_decodes_to_the_same_tone(void **state)
{
    struct mem_sink s;

    (void)state;
    encode_tone(ENCODE_OGG, 10.0, &s, 0);
    assert_tone(decode_with_sndfile(&s.out), 10.0);
    buf_release(&s.out);
}

static void test_encode_opus_decodes_to_the_same_tone(void **state)
{
    struct mem_sink s;

    (void)state;
    encode_tone(ENCODE_OPUS, 10.0, &s, 0);
    assert_tone(decode_with_sndfile(&s.out), 10.0);
    buf_release(&s.out);
}

static void test_encode_streamed_mp3_decodes_to_the_same_tone(void **state)
{
    struct mem_sink s;

    (void)state;
    if (!have_ffmpeg())
        skip();
    encode_tone(ENCODE_MP3, 10.0, &s, 0);
    assert_tone(decode_with_ffmpeg(&s.out), 10.0);
    buf_release(&s.out);
}

static void test_encode_flac_streams_and_decodes_to_the_same_tone(void **state)
{
    struct mem_sink s;

    (void)state;
    encode_tone(ENCODE_FLAC, 10.0, &s, 0);
    assert_memory_equal(s.out.data, "fLaC", 4);
    assert_tone(decode_with_sndfile(&s.out), 10.0);
    buf_release(&s.out);
}

/* Raw PCM: no header at all, 24 kHz little-endian samples of the same tone. */
static void test_encode_pcm_is_headerless_24khz_little_endian(void **state)
{
    struct mem_sink s;
    const unsigned char *p;
    int16_t *pcm;
    size_t i, n;

    (void)state;
    encode_tone(ENCODE_PCM, 10.0, &s, 1);
    n = s.out.len / 2;
    assert_true(labs((long)n - 240000) <= 240);
    p = (const unsigned char *)s.out.data;
    pcm = xmalloc(n * sizeof(*pcm));
    for (i = 0; i < n; i++)
        pcm[i] = (int16_t)(uint16_t)(p[2 * i] | p[2 * i + 1] << 8);
    assert_tone(measure(pcm, n, 24000), 10.0);
    free(pcm);
    buf_release(&s.out);
}

/* AU: streamed with "size unknown", patched with the size when the sink can; libsndfile reads
 * both back as the same tone. */
static void test_encode_au_streams_and_patches_its_size(void **state)
{
    static const unsigned char unknown[4] = {0xFF, 0xFF, 0xFF, 0xFF};
    struct mem_sink s;

    (void)state;
    encode_tone(ENCODE_AU, 10.0, &s, 0);
    assert_memory_equal(s.out.data, ".snd", 4);
    assert_memory_equal(s.out.data + 8, unknown, 4);
    assert_tone(decode_with_sndfile(&s.out), 10.0);
    buf_release(&s.out);
    encode_tone(ENCODE_AU, 10.0, &s, 1);
    assert_int_equal(s.out.len, 24 + 2 * 10 * RATE);
    assert_int_equal((unsigned char)s.out.data[8] << 24 | (unsigned char)s.out.data[9] << 16 |
                         (unsigned char)s.out.data[10] << 8 | (unsigned char)s.out.data[11],
                     2 * 10 * RATE);
    assert_tone(decode_with_sndfile(&s.out), 10.0);
    buf_release(&s.out);
}

/* A sink that gives up after 2 KB (inside Vorbis's 3.4 KB of header pages, where libsndfile's
 * own error path leaks): the encoder reports LY_EIO and never calls the sink again. */
static void check_sink_failure_is_eio(enum encode_format fmt)
{
    struct mem_sink s;
    struct encode_sink sink = mem_sink_init(&s, 0, 2048);
    struct err e = {0};
    struct encoder *enc = encode_new(fmt, RATE, &sink, &e);
    size_t writes;

    assert_non_null(enc);
    assert_int_equal(write_tone(enc, 10.0, &e), LY_EIO);
    assert_int_equal(e.code, LY_EIO);
    assert_non_null(strstr(e.msg, encode_format_name(fmt)));
    writes = s.writes;
    assert_int_equal(write_tone(enc, 1.0, NULL), LY_EIO);
    assert_int_equal(encode_finish(enc, NULL), LY_EIO);
    encode_free(enc);
    assert_int_equal(s.writes, writes);
    buf_release(&s.out);
}

static void test_encode_sink_failure_is_eio_for_wav(void **state)
{
    (void)state;
    check_sink_failure_is_eio(ENCODE_WAV);
}

static void test_encode_sink_failure_is_eio_for_ogg(void **state)
{
    (void)state;
    check_sink_failure_is_eio(ENCODE_OGG);
}

static void test_encode_sink_failure_is_eio_for_opus(void **state)
{
    (void)state;
    check_sink_failure_is_eio(ENCODE_OPUS);
}

static void test_encode_sink_failure_is_eio_for_mp3(void **state)
{
    (void)state;
    check_sink_failure_is_eio(ENCODE_MP3);
}

static void test_encode_sink_failure_is_eio_for_flac(void **state)
{
    (void)state;
    check_sink_failure_is_eio(ENCODE_FLAC);
}

static void test_encode_sink_failure_is_eio_for_pcm(void **state)
{
    (void)state;
    check_sink_failure_is_eio(ENCODE_PCM);
}

static void test_encode_new_reports_a_refused_wav_header(void **state)
{
    struct mem_sink s;
    struct encode_sink sink = mem_sink_init(&s, 0, 10);
    struct err e = {0};

    (void)state;
    assert_null(encode_new(ENCODE_WAV, RATE, &sink, &e));
    assert_int_equal(e.code, LY_EIO);
    assert_string_equal(e.msg, "cannot write 'wav' audio: the output refused it");
    buf_release(&s.out);
}

/* Freeing mid-stream flushes nothing to the sink (the client may be gone) and leaks nothing. */
static void test_encode_free_discards_unfinished_audio(void **state)
{
    enum encode_format fmt;
    struct mem_sink s;
    struct encode_sink sink;
    struct encoder *enc;
    size_t len, writes;

    (void)state;
    encode_free(NULL);
    for (fmt = ENCODE_WAV; fmt <= ENCODE_AU; fmt++) {
        sink = mem_sink_init(&s, 1, SIZE_MAX);
        enc = encode_new(fmt, RATE, &sink, NULL);
        assert_non_null(enc);
        assert_int_equal(write_tone(enc, 3.0, NULL), LY_OK);
        len = s.out.len;
        writes = s.writes;
        encode_free(enc);
        assert_int_equal(s.out.len, len);
        assert_int_equal(s.writes, writes);
        buf_release(&s.out);
    }
}

static void test_encode_write_after_finish_fails(void **state)
{
    struct mem_sink s;
    struct encode_sink sink = mem_sink_init(&s, 0, SIZE_MAX);
    struct encoder *enc = encode_new(ENCODE_OGG, RATE, &sink, NULL);
    struct err e = {0};
    int16_t pcm[CHUNK] = {0};

    (void)state;
    assert_int_equal(encode_finish(enc, NULL), LY_OK);
    assert_int_equal(encode_finish(enc, NULL), LY_OK);
    assert_int_equal(encode_write(enc, pcm, CHUNK, &e), LY_EENCODE);
    assert_non_null(strstr(e.msg, "finished"));
    encode_free(enc);
    buf_release(&s.out);
}

/* A long text handed over in one write (17M samples, 13 min) crashes libvorbis unless split. */
static void test_encode_takes_one_huge_vorbis_write(void **state)
{
    size_t n = 17u * 1000 * 1000;
    int16_t *pcm = xcalloc(n, sizeof(*pcm));
    struct mem_sink s;
    struct encode_sink sink = mem_sink_init(&s, 0, SIZE_MAX);
    struct encoder *enc = encode_new(ENCODE_OGG, RATE, &sink, NULL);

    (void)state;
    assert_int_equal(encode_write(enc, pcm, n, NULL), LY_OK);
    assert_int_equal(encode_finish(enc, NULL), LY_OK);
    encode_free(enc);
    free(pcm);
    buf_release(&s.out);
}

static void test_encode_rejects_a_bad_rate(void **state)
{
    struct mem_sink s;
    struct encode_sink sink = mem_sink_init(&s, 0, SIZE_MAX);
    struct err e = {0};

    (void)state;
    assert_null(encode_new(ENCODE_WAV, 0, &sink, &e));
    assert_int_equal(e.code, LY_EENCODE);
    assert_null(encode_new(ENCODE_MP3, 22000, &sink, &e));
    assert_int_equal(e.code, LY_EENCODE);
    assert_string_equal(e.msg, "cannot encode 'mp3' at 22000 Hz");
    assert_int_equal(s.out.len, 0);
    buf_release(&s.out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encode_parses_known_format_names),
        cmocka_unit_test(test_encode_rejects_unknown_format_naming_the_choices),
        cmocka_unit_test(test_encode_names_mime_types_and_extensions),
        cmocka_unit_test(test_encode_streams_wav_with_unknown_sizes),
        cmocka_unit_test(test_encode_patches_wav_sizes_when_sink_can),
        cmocka_unit_test(test_encode_ogg_starts_with_vorbis_header),
        cmocka_unit_test(test_encode_opus_starts_with_opus_header),
        cmocka_unit_test(test_encode_mp3_starts_with_tag_or_frame_sync),
        cmocka_unit_test(test_encode_streams_ogg_before_finish),
        cmocka_unit_test(test_encode_streams_opus_before_finish),
        cmocka_unit_test(test_encode_streams_mp3_before_finish),
        cmocka_unit_test(test_encode_ogg_decodes_to_the_same_tone),
        cmocka_unit_test(test_encode_opus_decodes_to_the_same_tone),
        cmocka_unit_test(test_encode_streamed_mp3_decodes_to_the_same_tone),
        cmocka_unit_test(test_encode_flac_streams_and_decodes_to_the_same_tone),
        cmocka_unit_test(test_encode_pcm_is_headerless_24khz_little_endian),
        cmocka_unit_test(test_encode_au_streams_and_patches_its_size),
        cmocka_unit_test(test_encode_sink_failure_is_eio_for_flac),
        cmocka_unit_test(test_encode_sink_failure_is_eio_for_pcm),
        cmocka_unit_test(test_encode_sink_failure_is_eio_for_wav),
        cmocka_unit_test(test_encode_sink_failure_is_eio_for_ogg),
        cmocka_unit_test(test_encode_sink_failure_is_eio_for_opus),
        cmocka_unit_test(test_encode_sink_failure_is_eio_for_mp3),
        cmocka_unit_test(test_encode_new_reports_a_refused_wav_header),
        cmocka_unit_test(test_encode_free_discards_unfinished_audio),
        cmocka_unit_test(test_encode_write_after_finish_fails),
        cmocka_unit_test(test_encode_takes_one_huge_vorbis_write),
        cmocka_unit_test(test_encode_rejects_a_bad_rate),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
