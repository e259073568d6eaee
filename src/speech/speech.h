/* speech.h -- the public face of speech/: text (normalized, or SSML) to audio. Voices
 * (voice.h) and the languages they read (lang.h), espeak-ng (synth.h), the encoders (encode.h)
 * and an MP3's chapters (id3.h), speech marks (marks.h), the pipeline that orders the stages
 * (pipeline.h) and the sandboxed worker processes that run it (pool.h). ssml.c and ssml_say.c
 * are internal. Other folders include only this header. */
#ifndef LYSSNA_SPEECH_H
#define LYSSNA_SPEECH_H

#include "encode.h"
#include "id3.h"
#include "lang.h"
#include "marks.h"
#include "pipeline.h"
#include "pool.h"
#include "synth.h"
#include "voice.h"

#endif
