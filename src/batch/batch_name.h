/* batch_name.h -- stable, readable file names for `lyssna batch`'s outputs, from a page's
 * address or a file's path: "https://kommun.se/bygga-bo/Bygglov.html" -> "bygga-bo_bygglov". */
#ifndef LYSSNA_BATCH_NAME_H
#define LYSSNA_BATCH_NAME_H

#include <stddef.h>

#define LYSSNA_BATCH_NAME_MAX 100 /* bytes, before a collision suffix */

/* The URL's path (percent-decoding undone, a final .html/.php/... dropped) and query as
 * lowercase ASCII: Swedish and other Latin letters lose their marks (å -> a), segments are
 * joined by '_', anything else becomes '-'. "index" for the root. free() the result. */
char *batch_name_from_url(const char *url);

/* The same for a file's path relative to its folder, its extension dropped. */
char *batch_name_from_path(const char *relpath);

/* Makes names[0..n) unique: each name several sources share gets "-" and 8 hex digits of
 * a hash of its source, so the result depends only on the set of sources, never on their
 * order. names[i] is replaced (freed and reallocated) where needed. */
void batch_names_dedupe(char **names, const char *const *sources, size_t n);

#endif
