/* docworker_main.c -- `lyssna-docworker extract-worker [...]`: the sandboxed document worker
 * (extract_worker_main) as a program of its own, linked with the document parsers' libraries
 * only. Each document starts a fresh worker, and the lyssna binary links some fifty shared
 * libraries (HTTP, TLS, audio codecs) that a worker never calls: resolving them took
 * about 10 ms of CPU a document, more than poppler takes to read a 10-page PDF; and lyssna
 * itself links no parser. The service and the commands start it from beside their binary. */
#include <stdio.h>
#include <string.h>

#include "extract/extract.h"

#include "banned.h"

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "extract-worker")) {
        fprintf(stderr, "lyssna-docworker: started by lyssna for one document, not by hand\n");
        return 2;
    }
    return extract_worker_main(argc - 1, argv + 1);
}
