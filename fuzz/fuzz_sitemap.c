/* fuzz_sitemap.c -- sitemap parsing (sitemap.h): any bytes as a sitemap, XML, plain text or
 * gzip, as `lyssna batch` reads one from a site. Checks what sitemap.h promises: no more
 * addresses than the cap, each non-empty with its blanks trimmed. (An address with a blank
 * inside is kept: the batch then records it as a failed item the editor can see.) */
#include "fuzz.h"

#include <ctype.h>
#include <string.h>

#include "base/base.h"
#include "fetch/fetch.h"

#include "banned.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sitemap map = {0};
    struct err e = {0};
    size_t i;

    sitemap_sniff((const char *)data, size);
    if (sitemap_parse((const char *)data, size, &map, &e))
        return 0;
    fuzz_check(map.n <= LYSSNA_SITEMAP_MAX_URLS, "no more addresses than the cap");
    for (i = 0; i < map.n; i++) {
        const char *loc = map.locs[i];
        size_t n = loc ? strlen(loc) : 0;
        fuzz_check(n > 0, "an address is not empty");
        fuzz_check(!isspace((unsigned char)loc[0]) && !isspace((unsigned char)loc[n - 1]),
                   "an address has its blanks trimmed");
    }
    sitemap_release(&map);
    return 0;
}
