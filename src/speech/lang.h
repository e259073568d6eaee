/* lang.h -- the languages Lyssna knows (voices/languages.tsv): for each, espeak-ng's voice
 * or none, and its name in Swedish, in English and in itself; and the notice said where text
 * in a language without a voice is skipped, in the languages it is written in
 * (voices/notices.tsv). */
#ifndef LYSSNA_LANG_H
#define LYSSNA_LANG_H

#include <stddef.h>

struct lang {
    char code[16];      /* BCP 47 primary language subtag: "fi" */
    char espeak[48];    /* espeak-ng's voice; "" when there is none (Somali, Tigrinya...) */
    char name_sv[64];   /* "finska", in lower case as Swedish writes it in a sentence */
    char name_en[64];   /* "Finnish" */
    char name_self[96]; /* "suomi" */
};

/* Looks tag ("fi", "fi-FI", "FI_fi") up by its primary subtag in dir/languages.tsv, read
 * on first use and kept for the process (thread-safe). 1 and *out filled when listed, else 0. */
int lang_find(const char *dir, const char *tag, struct lang *out);

/* Every listed language in the file's order; *out is borrowed and stays valid. */
size_t lang_all(const char *dir, const struct lang **out);

/* The notice for skipped text (dir/notices.tsv, read on first use and kept) in the language
 * tag names, into out: "%s" in it replaced by name, the skipped language's name in that
 * language (NULL when unknown: a sentence that needs it is not used). 1 when out was filled. */
int lang_notice(const char *dir, const char *tag, const char *name, char *out, size_t size);

/* 1 for tags that name no language ("und", "mul", "zxx", "x-..."): such text is read as
 * though it had no tag. */
int lang_is_none(const char *tag);

#endif
