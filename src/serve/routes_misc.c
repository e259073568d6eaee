/* routes_misc.c -- GET /v1/voices, the static files of web/ (the demo page, the widget and the
 * reading aids' font), readiness (GET /readyz) and the answer an instance gives once it is
 * stopping. /healthz stays liveness: it says only that the process answers. */
#include "serve_int.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "banned.h"

enum MHD_Result answer_voices(struct server *srv, struct MHD_Connection *c, struct request *rq)
{
    struct voice v[64];
    const struct lang *l;
    json_t *list = json_array(), *langs = json_array();
    int i, n = voice_list(voice_dir(), v, 64, NULL);
    size_t k, nl = lang_all(voice_dir(), &l);

    (void)rq;
    for (i = 0; i < n; i++)
        json_array_append_new(list,
                              json_pack("{s:s, s:s, s:s, s:i}", "name", v[i].name, "description",
                                        v[i].description, "lang", v[i].lang, "rate", v[i].rate));
    /* every language, also those without a voice: a page in one is not read with another's */
    for (k = 0; k < nl; k++)
        json_array_append_new(langs, json_pack("{s:s, s:s, s:s, s:s, s:b}", "lang", l[k].code,
                                               "name_sv", l[k].name_sv, "name", l[k].name_self,
                                               "name_en", l[k].name_en, "voice", l[k].espeak[0]));
    return send_json(srv, c, MHD_HTTP_OK,
                     json_pack("{s:o, s:o}", "voices", list, "languages", langs));
}

static const char *mime_of(const char *path)
{
    static const struct {
        const char *ext, *type;
    } types[] = {{".html", "text/html; charset=utf-8"},
                 {".js", "text/javascript; charset=utf-8"},
                 {".css", "text/css; charset=utf-8"},
                 {".svg", "image/svg+xml"},
                 {".png", "image/png"},
                 {".woff", "font/woff"},
                 {".json", "application/json"}};
    const char *dot = strrchr(path, '.');
    size_t i;

    for (i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
        if (!strcmp(dot, types[i].ext))
            return types[i].type;
    return "application/octet-stream";
}

/* fonts-opendyslexic's web fonts, served at /widget/fonts/ for the reading aids. */
#define LYSSNA_FONT_DIR "/usr/share/fonts/woff/opendyslexic"

/* Files of web/ at / and /widget/ (and the fonts at /widget/fonts/). Only plain names: no "..",
 * no hidden files. */
enum MHD_Result answer_static(struct server *srv, struct MHD_Connection *c, struct request *rq)
{
    const char *url = rq->url;
    const char *name =
        !strcmp(url, "/") ? "demo.html" : url + (strncmp(url, "/widget/", 8) ? 1 : 8);
    char path[2048];
    struct MHD_Response *r;
    uint64_t size;
    enum MHD_Result ret;
    int fd;

    if (!*name || strstr(name, "..") || name[0] == '.' || strstr(name, "/.") ||
        strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-/") !=
            strlen(name))
        return fail(srv, c, LY_EUSAGE, "no such file");
    if (!strncmp(name, "fonts/", 6)) /* the reading aids' dyslexia font, as Debian installs it */
        snprintf(path, sizeof(path), "%s/%s", LYSSNA_FONT_DIR, name + 6);
    else
        snprintf(path, sizeof(path), "%s/%s", srv->web, name);
    if ((fd = open_regular(path, &size)) < 0)
        return send_json(srv, c, MHD_HTTP_NOT_FOUND,
                         json_pack("{s:s, s:s}", "error", "not_found", "message",
                                   "no such page: see /v1/voices, /v1/speak, /v1/listen"));
    r = MHD_create_response_from_fd(size, fd);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, mime_of(name));
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "public, max-age=300");
    /* any site may load the public widget files; a script tag with Subresource Integrity
       (crossorigin="anonymous") needs this header to check the hash */
    MHD_add_response_header(r, "Access-Control-Allow-Origin", "*");
    ret = MHD_queue_response(c, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return ret;
}

int server_ready(struct server *srv, char *reason, size_t size)
{
    struct err e = {0};
    int workers;

    if (srv->draining) {
        snprintf(reason, size, "draining: the service is stopping");
        return 0;
    }
    workers = pool_check(srv->pool);
    if (workers == 0) {
        snprintf(reason, size, "no synthesis worker is running");
        return 0;
    }
    if (cache_writable(srv->cache, &e)) {
        snprintf(reason, size, "%s", e.msg);
        return 0;
    }
    return 1;
}

enum MHD_Result answer_ready(struct server *srv, struct MHD_Connection *c, struct request *rq)
{
    char reason[320];

    (void)rq;
    if (server_ready(srv, reason, sizeof(reason)))
        return send_json(srv, c, MHD_HTTP_OK, json_pack("{s:b}", "ready", 1));
    return send_json(srv, c, MHD_HTTP_SERVICE_UNAVAILABLE,
                     json_pack("{s:b, s:s}", "ready", 0, "reason", reason));
}

enum MHD_Result answer_draining(struct server *srv, struct MHD_Connection *c)
{
    struct MHD_Response *r;
    enum MHD_Result ret;
    static const char body[] =
        "{\"error\":\"draining\",\"message\":\"this instance is stopping: ask another\"}";

    r = MHD_create_response_from_buffer(sizeof(body) - 1, (void *)body, MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
    MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, "1");
    add_cors(srv, c, r);
    ret = MHD_queue_response(c, MHD_HTTP_SERVICE_UNAVAILABLE, r);
    MHD_destroy_response(r);
    return ret;
}
