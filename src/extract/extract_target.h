/* extract_target.h -- what a page says it wants read: Lyssna's data-lyssna="read" elements,
 * or the readid/readclass its ReadSpeaker button's link names. Internal to extract*.c. */
#ifndef LYSSNA_EXTRACT_TARGET_H
#define LYSSNA_EXTRACT_TARGET_H

#include <libxml/tree.h>
#include <stddef.h>

/* The value of attribute name (ASCII case-insensitive) on element n, borrowed: "" for an
 * attribute without a value, NULL when absent. */
const char *extract_attr(xmlNodePtr n, const char *name);

/* True when data-lyssna on n says "skip" (never read, in any mode). */
int extract_lyssna_skip(xmlNodePtr n);

/* The elements with id (a comma-separated list of ids, as ReadSpeaker's readid takes),
 * in document order, appended to *out (xreallocarray'd, *n counts); returns how many. */
size_t extract_find_ids(xmlDocPtr doc, const char *ids, xmlNodePtr **out, size_t *n);

/* The elements the page itself names to be read, in document order: every element with
 * data-lyssna="read"; else those of the readid= or readclass= that a ReadSpeaker button's
 * link (an a inside .rsbtn, or any link to a ReadSpeaker webReader URL) names. 0 when the
 * page names none (or names an id it does not have): then the article is picked by score.
 * *out is NULL or heap memory for free(). */
size_t extract_find_targets(xmlDocPtr doc, xmlNodePtr **out);

#endif
