/* synth.h -- speak UTF-8 text (or SSML) with espeak-ng; 16-bit mono PCM and events out.
 *
 * espeak-ng keeps process-wide state and is not thread-safe, so there is at most one
 * synth per process; parallel synthesis comes from several processes, each with its own
 * synth. Calls must come from one thread. */
#ifndef LYSSNA_SYNTH_H
#define LYSSNA_SYNTH_H

#include <stddef.h>
#include <stdint.h>

struct err;
struct voice;

enum synth_event_type {
    SYNTH_SENTENCE, /* a sentence starts at start */
    SYNTH_WORD,     /* a word spans [start, end) */
};

struct synth_event {
    enum synth_event_type type;
    size_t start, end; /* byte offsets into the text given to synth_speak */
    uint64_t sample;   /* where in this call's audio the event falls */
};

/* Receives audio and events as they are made. audio returns non-zero to stop synthesis
 * (the client went away); events for a chunk arrive before the chunk itself. */
struct synth_sink {
    int (*audio)(void *ctx, const int16_t *pcm, size_t n);
    void (*event)(void *ctx, const struct synth_event *ev);
    void *ctx;
};

struct synth;

/* Initializes espeak-ng for this process (never letting it exit() on missing data). */
struct synth *synth_new(struct err *e);
void synth_free(struct synth *s); /* NULL is a no-op */

/* Sample rate of the PCM synth_speak produces (22,050 Hz for espeak-ng voices). */
int synth_sample_rate(const struct synth *s);

/* Speaks len bytes of text (NUL not required) with voice v at rate words per minute.
 * espeak, when not NULL, is the espeak-ng voice to speak with instead of v's (a quotation in
 * Finnish inside a Swedish page), with v's pitch and pace. ssml: text is SSML. Returns
 * LY_EVOICE when espeak-ng has no such voice (nothing is said), LY_ECANCEL when the sink
 * stopped it, LY_ESYNTH when espeak-ng failed. */
int synth_speak(struct synth *s, const struct voice *v, int rate, const char *espeak,
                const char *text, size_t len, int ssml, const struct synth_sink *sink,
                struct err *e);

/* Whether espeak-ng can say phonemes (its Kirshenbaum notation, without the brackets) in
 * v's language: LY_OK, or LY_EUSAGE naming what it would leave out. */
int synth_check_phonemes(struct synth *s, const struct voice *v, const char *phonemes,
                         struct err *e);

#endif
