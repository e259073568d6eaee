/* synth.c -- the only file that calls espeak-ng. Text or SSML in, PCM chunks and word,
 * sentence and clause events out, through the caller's sink, in synchronous mode (audio
 * arrives while espeak-ng works, about 50 ms of it per callback).
 * espeak-ng reports positions as 1-based code point indexes; they are turned into byte
 * offsets here, so nothing above this file counts characters. One synth per process,
 * used from one thread: espeak-ng's state is global.
 * espeak-ng is opened (dlopen) by the first synth_new: linked, it and the sound servers'
 * libraries it brings (PulseAudio, ALSA, X11, D-Bus: some 25, never called) took 16 ms of
 * every start of lyssna, also of the commands that never speak (extract, normalize). */
#include "synth.h"

#include <dlfcn.h>
#include <espeak-ng/speak_lib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "voice.h"

#include "banned.h"

struct synth {
    int rate_hz;
    char voice[64]; /* the espeak-ng voice loaded now: loading one costs more than a sentence */
};

/* One synth_speak call, reached from espeak-ng's callback through the event user_data. */
struct call {
    const char *text;
    size_t len;
    size_t cur_char, cur_byte; /* a cursor: events mostly move forward */
    const struct synth_sink *sink;
    int stopped;
};

static int initialized;

#define ESPEAK_SONAME "libespeak-ng.so.1"

/* clang-format off */
#define ESPEAK_FUNCS(X) \
    X(espeak_Initialize) \
    X(espeak_SetParameter) \
    X(espeak_SetPhonemeTrace) \
    X(espeak_SetSynthCallback) \
    X(espeak_SetVoiceByName) \
    X(espeak_Synth) \
    X(espeak_Terminate)
/* clang-format on */

static struct {
#define ESPEAK_POINTER(f) __typeof__(f) *f;
    ESPEAK_FUNCS(ESPEAK_POINTER)
#undef ESPEAK_POINTER
} es;

/* Opens espeak-ng once; 0 when it or one of its functions is missing. */
static int espeak_open(void)
{
    static void *h;

    if (h)
        return 1;
    if (!(h = dlopen(ESPEAK_SONAME, RTLD_NOW | RTLD_LOCAL)))
        return 0;
#define ESPEAK_FIND(f)                                                                             \
    if (!(es.f = (__typeof__(es.f))dlsym(h, #f))) {                                                \
        dlclose(h);                                                                                \
        h = NULL;                                                                                  \
        return 0;                                                                                  \
    }
    ESPEAK_FUNCS(ESPEAK_FIND)
#undef ESPEAK_FIND
    return 1;
}

/* Byte offset of the 1-based code point index pos; positions past the end clamp to len. */
static size_t byte_offset(struct call *c, int pos)
{
    size_t target = pos > 1 ? (size_t)pos - 1 : 0, k;
    uint32_t cp;

    if (target < c->cur_char)
        c->cur_char = c->cur_byte = 0;
    while (c->cur_char < target && c->cur_byte < c->len) {
        k = utf8_decode(c->text + c->cur_byte, c->len - c->cur_byte, &cp);
        c->cur_byte += k ? k : 1;
        c->cur_char++;
    }
    return c->cur_byte;
}

static void report_event(struct call *c, const espeak_EVENT *ev)
{
    struct synth_event out = {.sample = ev->sample > 0 ? (uint64_t)ev->sample : 0};

    switch (ev->type) {
    case espeakEVENT_WORD:
        if (ev->length <= 0) /* espeak-ng sends an empty word before each clause end */
            return;
        out.type = SYNTH_WORD;
        out.start = byte_offset(c, ev->text_position);
        out.end = byte_offset(c, ev->text_position + ev->length);
        break;
    case espeakEVENT_SENTENCE:
        out.type = SYNTH_SENTENCE;
        out.start = out.end = byte_offset(c, ev->text_position);
        break;
    default:
        return;
    }
    c->sink->event(c->sink->ctx, &out);
}

static int on_synth(short *wav, int n, espeak_EVENT *ev)
{
    struct call *c = ev ? ev->user_data : NULL;

    if (!c || c->stopped)
        return 1;
    for (; ev->type != espeakEVENT_LIST_TERMINATED; ev++)
        if (c->sink->event)
            report_event(c, ev);
    if (wav && n > 0 && c->sink->audio(c->sink->ctx, wav, (size_t)n)) {
        c->stopped = 1;
        return 1; /* espeak-ng stops cleanly when the callback returns 1 */
    }
    return 0;
}

struct synth *synth_new(struct err *e)
{
    struct synth *s;
    int rate;

    if (initialized) {
        err_set(e, LY_ESYNTH, "espeak-ng is already in use in this process");
        return NULL;
    }
    if (!espeak_open()) {
        err_set(e, LY_ESYNTH, "cannot load espeak-ng (%s): install libespeak-ng1", ESPEAK_SONAME);
        return NULL;
    }
    rate = es.espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, NULL, espeakINITIALIZE_DONT_EXIT);
    if (rate <= 0) {
        err_set(e, LY_ESYNTH, "cannot start espeak-ng: its data is missing (espeak-ng-data)");
        return NULL;
    }
    es.espeak_SetSynthCallback(on_synth);
    initialized = 1;
    s = xcalloc(1, sizeof(*s));
    s->rate_hz = rate;
    return s;
}

void synth_free(struct synth *s)
{
    if (!s)
        return;
    es.espeak_Terminate();
    initialized = 0;
    free(s);
}

int synth_sample_rate(const struct synth *s)
{
    return s->rate_hz;
}

/* Loads espeak-ng voice name unless it is the one loaded already. */
static int load_voice(struct synth *s, const char *name)
{
    size_t n = strlen(name);

    if (!strcmp(s->voice, name))
        return 0;
    s->voice[0] = '\0';
    if (n >= sizeof(s->voice) || es.espeak_SetVoiceByName(name) != EE_OK)
        return -1;
    memcpy(s->voice, name, n + 1);
    return 0;
}

static int set_voice(struct synth *s, const struct voice *v, int rate, const char *espeak,
                     struct err *e)
{
    if (espeak && load_voice(s, espeak))
        return err_set(e, LY_EVOICE, "espeak-ng has no voice '%.48s'", espeak);
    if (!espeak && load_voice(s, v->espeak))
        return err_set(e, LY_EVOICE, "espeak-ng has no voice '%s' (voice profile '%s')", v->espeak,
                       v->name);
    /* Parameters are global and survive between calls: set every one, every time. */
    es.espeak_SetParameter(espeakRATE, rate, 0);
    es.espeak_SetParameter(espeakPITCH, v->pitch, 0);
    es.espeak_SetParameter(espeakRANGE, v->range, 0);
    es.espeak_SetParameter(espeakWORDGAP, v->wordgap, 0);
    es.espeak_SetParameter(espeakPUNCTUATION, espeakPUNCT_NONE, 0);
    return LY_OK;
}

int synth_speak(struct synth *s, const struct voice *v, int rate, const char *espeak,
                const char *text, size_t len, int ssml, const struct synth_sink *sink,
                struct err *e)
{
    struct call c = {.text = text, .len = len, .sink = sink};
    /* [[phonemes]] come from the lexicon and SSML <phoneme>, both through pipeline.c */
    unsigned flags = espeakCHARS_UTF8 | (ssml ? espeakSSML : espeakPHONEMES);
    char *copy;
    espeak_ERROR rc;
    int ret;

    ret = set_voice(s, v, rate, espeak, e);
    if (ret)
        return ret;
    copy = xstrndup(text, len); /* espeak-ng wants a NUL-terminated string */
    rc = es.espeak_Synth(copy, len + 1, 0, POS_CHARACTER, 0, flags, NULL, &c);
    free(copy);
    if (c.stopped)
        return err_set(e, LY_ECANCEL, "synthesis stopped");
    if (rc != EE_OK)
        return err_set(e, LY_ESYNTH, "espeak-ng failed (error %d)", (int)rc);
    return LY_OK;
}

static int discard_audio(void *ctx, const int16_t *pcm, size_t n)
{
    (void)ctx, (void)pcm, (void)n;
    return 0;
}

/* s without stress marks and white space: what is left names the phonemes. */
static void bare_phonemes(const char *s, char *out, size_t size)
{
    size_t n = 0;

    for (; *s && n + 1 < size; s++)
        if (!strchr("',%= \t\n", *s))
            out[n++] = *s;
    out[n] = '\0';
}

int synth_check_phonemes(struct synth *s, const struct voice *v, const char *phonemes,
                         struct err *e)
{
    const struct synth_sink sink = {.audio = discard_audio};
    struct call c = {.sink = &sink};
    char text[320], trace[2048] = "", want[320], got[2048];
    FILE *f;
    int rc;

    if (strlen(phonemes) > 256)
        return err_set(e, LY_EUSAGE, "phonemes are at most 256 characters");
    if ((rc = set_voice(s, v, v->rate, NULL, e)))
        return rc;
    snprintf(text, sizeof(text), "[[%s]]", phonemes);
    c.text = text;
    c.len = strlen(text);
    /* espeak-ng skips what it cannot say without a word: its trace of what it said tells */
    if (!(f = fmemopen(trace, sizeof(trace) - 1, "w")))
        return err_set(e, LY_ESYNTH, "cannot check phonemes: out of memory");
    es.espeak_SetPhonemeTrace(1, f);
    rc = es.espeak_Synth(text, c.len + 1, 0, POS_CHARACTER, 0, espeakCHARS_UTF8 | espeakPHONEMES,
                         NULL, &c);
    es.espeak_SetPhonemeTrace(0, NULL);
    fclose(f);
    if (rc != EE_OK)
        return err_set(e, LY_ESYNTH, "espeak-ng failed (error %d)", rc);
    bare_phonemes(phonemes, want, sizeof(want));
    bare_phonemes(trace, got, sizeof(got));
    if (strcmp(want, got))
        return err_set(e, LY_EUSAGE,
                       "espeak-ng cannot say the phonemes '%.64s' in '%s': it said '%.64s' "
                       "(see espeak-ng's phoneme list for the language)",
                       phonemes, v->lang, got);
    return LY_OK;
}
