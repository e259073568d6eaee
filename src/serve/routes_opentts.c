/* routes_opentts.c -- OpenTTS's HTTP API: /api/tts (GET with text=, or the text as a POST
 * body) gives WAV; /api/voices (JSON, "lyssna:NAME" keys as OpenTTS names voices "TTS:NAME")
 * and /api/languages. compat.c checks the parameters; the audio is made and cached as
 * /v1/speak's is. Errors are Lyssna's JSON. */
#include "serve_int.h"

#include <stdio.h>
#include <string.h>

#include "compat.h"

#include "banned.h"

enum MHD_Result answer_opentts(struct server *srv, struct MHD_Connection *c, struct request *rq)
{
    const char *text = arg(c, "text");
    struct job_spec js = {0};
    struct request_speak r;
    struct err e = {0};
    enum MHD_Result ret;

    if (!text && rq->body.len > 0)
        text = rq->body.data;
    if (compat_parse_opentts(text, text ? strlen(text) : 0, arg(c, "voice"), arg(c, "lang"),
                             arg(c, "ssml"), auth_max_text(srv, rq), &r, &e) != LY_OK) {
        ret = send_error(srv, c, &e);
    } else {
        job_from_request(&js, &r);
        ret = answer_audio(srv, c, &js, NULL);
    }
    request_speak_release(&r);
    return ret;
}

/* {"lyssna:NAME": {...}} as OpenTTS describes its voices. */
static json_t *voices_json(const struct voice *v, int n)
{
    json_t *out = json_object();
    char id[80];
    int i;

    for (i = 0; i < n; i++) {
        snprintf(id, sizeof(id), "lyssna:%.63s", v[i].name);
        json_object_set_new(out, id,
                            json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:{}}", "id", v[i].name,
                                      "name", v[i].name, "gender", "", "language", v[i].lang,
                                      "locale", compat_locale(v[i].lang), "tts_name", "lyssna",
                                      "multispeaker", 0, "speakers"));
    }
    return out;
}

/* The voices' languages, each once. */
static json_t *languages_json(const struct voice *v, int n)
{
    json_t *out = json_array();
    int i, j;

    for (i = 0; i < n; i++) {
        for (j = 0; j < i && strcmp(v[j].lang, v[i].lang); j++)
            ;
        if (j == i)
            json_array_append_new(out, json_string(v[i].lang));
    }
    return out;
}

enum MHD_Result answer_opentts_info(struct server *srv, struct MHD_Connection *c,
                                    struct request *rq)
{
    struct voice v[64];
    int n = voice_list(voice_dir(), v, 64, NULL);

    n = n < 0 ? 0 : n;
    return send_json(srv, c, MHD_HTTP_OK,
                     strcmp(rq->url, "/api/voices") ? languages_json(v, n) : voices_json(v, n));
}
