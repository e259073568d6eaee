/* voice.h -- voice profiles: the data files in voices/NAME.ini that say how espeak-ng speaks. */
#ifndef LYSSNA_VOICE_H
#define LYSSNA_VOICE_H

struct err;

#define LYSSNA_DEFAULT_VOICE "sv"
#define LYSSNA_RATE_MIN      80
#define LYSSNA_RATE_MAX      400 /* espeak-ng switches to libsonic above 450 and misplaces words */

struct voice {
    char name[64];         /* the file's stem: "sv", "sv-tydlig" */
    char description[128]; /* for people: "Svenska, långsam och tydlig" */
    char lang[16];         /* BCP 47 primary language: "sv" */
    char espeak[64];       /* espeak-ng voice name, with an optional +variant */
    int rate;              /* words per minute */
    int pitch, range;      /* 0-100 */
    int wordgap;           /* extra pause between words, 10 ms units */
};

/* The folder voice files are read from: $LYSSNA_VOICES, else voices/ beside the
 * executable, else share/lyssna/voices beside its bin/, else the data folder it was built for. */
const char *voice_dir(void);

/* Loads voices/NAME.ini. LY_EVOICE when there is no such voice (the message lists the
 * folder), LY_EPARSE with file and line for a bad line. name must be a plain file stem. */
int voice_load(const char *dir, const char *name, struct voice *v, struct err *e);

/* Fills up to max voices found in dir, sorted by name; returns how many (or a negative
 * lyssna_code). Files that do not parse are skipped. */
int voice_list(const char *dir, struct voice *out, int max, struct err *e);

/* A version of everything in dir that changes what is said: every voice profile and word
 * list (NAME.ini, and the .tsv files in LANG folders), hashed with the program's own engine tag
 * into 64 hex digits. Audio is cached under it, so editing the lexicon retires the audio made with
 * the old. */
void voice_data_version(const char *dir, char out[65]);

/* Checks a words-per-minute value against the accepted range. */
int voice_check_rate(int rate, struct err *e);

#endif
