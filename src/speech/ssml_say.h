/* ssml_say.h -- the values SSML attributes carry and the Swedish readings of <say-as>
 * (internal to ssml.c). Pure functions: thread-safe. */
#ifndef LYSSNA_SSML_SAY_H
#define LYSSNA_SSML_SAY_H

#include <stddef.h>

#include "base/base.h"

/* Milliseconds of a <break>: time ("500ms", "1.5s") wins over strength ("none" to
 * "x-strong"); neither gives a medium break. Capped at 10 s. */
unsigned ssml_break_ms(const char *time, const char *strength);

/* A <prosody rate> ("slow", "80%", "+20%", "1.5") applied to cur percent; NULL or an
 * unreadable value keeps cur. The result stays within 50-200. */
int ssml_rate_pct(const char *rate, int cur);

/* An <emphasis level> as a rate: emphasis is said more slowly. */
int ssml_emphasis_pct(const char *level, int cur);

/* Reads the n bytes at s as <say-as interpret-as=kind format=format> into w, the Swedish
 * way: characters letter by letter, telephone in digit groups, cardinal and ordinal
 * numbers, date and time. 0 when the text does not fit the kind: normalize it instead. */
int ssml_say_as(const char *kind, const char *format, const char *s, size_t n, struct words *w);

/* Letter by letter, without Swedish words for digits (for other languages). */
void ssml_spell_plain(const char *s, size_t n, struct words *w);

#endif
