/* routes_admin.c -- the editor's page (/admin/lexicon) and its own script and style, from
 * web/admin/. Sent under a strict Content-Security-Policy (no inline script or style, no
 * other origin, no framing): the page only talks to this service's /v1/lexicon, /v1/speak and
 * /admin/ routes, with the session cookie of session.c. Only these three files are served. */
#include "serve_int.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "banned.h"

static const char csp[] = "default-src 'none'; script-src 'self'; style-src 'self'; "
                          "connect-src 'self'; media-src 'self' blob:; img-src 'self'; "
                          "form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

static const struct {
    const char *url, *file, *type;
} files[] = {
    {"/admin/lexicon", "lexicon.html", "text/html; charset=utf-8"},
    {"/admin/lexicon.js", "lexicon.js", "text/javascript; charset=utf-8"},
    {"/admin/lexicon.css", "lexicon.css", "text/css; charset=utf-8"},
};

enum MHD_Result answer_admin(struct server *srv, struct MHD_Connection *c, struct request *rq)
{
    struct MHD_Response *r;
    char path[2100];
    uint64_t size;
    size_t i;
    int fd = -1;

    for (i = 0; i < sizeof(files) / sizeof(files[0]) && strcmp(rq->url, files[i].url); i++)
        ;
    if (i < sizeof(files) / sizeof(files[0])) {
        snprintf(path, sizeof(path), "%s/admin/%s", srv->web, files[i].file);
        fd = open_regular(path, &size);
    }
    if (fd < 0)
        return send_json(srv, c, MHD_HTTP_NOT_FOUND,
                         json_pack("{s:s, s:s}", "error", "not_found", "message",
                                   "no such page: the editor's page is /admin/lexicon"));
    r = MHD_create_response_from_fd(size, fd);
    if (r) {
        MHD_add_response_header(r, "Content-Security-Policy", csp);
        MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
        MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    }
    return send_response(srv, c, MHD_HTTP_OK, r, files[i].type, "no-cache", NULL);
}
