/* routes_marytts.c -- MaryTTS's HTTP API, which Home Assistant's MaryTTS integration, NVDA's
 * MaryTTS add-ons and openHAB call: /process (GET, or a form POST) gives WAV, /voices and
 * /locales are plain text lines, /version a line. compat.c checks the parameters; the audio
 * is made and cached as /v1/speak's is. Errors are plain text, as MaryTTS answers them. */
#include "serve_int.h"

#include <stdio.h>
#include <string.h>

#include "compat.h"

#include "banned.h"

#define LYSSNA_MARY_PARAMS 6

static const char *const params[LYSSNA_MARY_PARAMS] = {"INPUT_TEXT", "INPUT_TYPE", "OUTPUT_TYPE",
                                                       "AUDIO",      "LOCALE",     "VOICE"};

/* Each parameter from the query string, else from a form body (values kept in vals). */
static void read_params(struct MHD_Connection *c, const struct request *rq,
                        struct buf vals[LYSSNA_MARY_PARAMS], const char *out[LYSSNA_MARY_PARAMS])
{
    int i;

    for (i = 0; i < LYSSNA_MARY_PARAMS; i++) {
        buf_init(&vals[i], BUF_NOLIMIT);
        out[i] = arg(c, params[i]);
        if (!out[i] && compat_form_value(rq->body.data, rq->body.len, params[i], &vals[i]))
            out[i] = vals[i].data;
    }
}

enum MHD_Result answer_marytts(struct server *srv, struct MHD_Connection *c, struct request *rq)
{
    static const struct answer_as as = {NULL, NULL, send_text_error};
    struct buf vals[LYSSNA_MARY_PARAMS];
    const char *p[LYSSNA_MARY_PARAMS];
    struct job_spec js = {0};
    struct request_speak r;
    struct err e = {0};
    enum MHD_Result ret;
    int i;

    read_params(c, rq, vals, p);
    if (compat_parse_marytts(p[0], p[1], p[2], p[3], p[4], p[5], auth_max_text(srv, rq), &r, &e) !=
        LY_OK) {
        ret = send_text_error(srv, c, &e);
    } else {
        job_from_request(&js, &r);
        ret = answer_audio(srv, c, &js, &as);
    }
    request_speak_release(&r);
    for (i = 0; i < LYSSNA_MARY_PARAMS; i++)
        buf_release(&vals[i]);
    return ret;
}

/* "NAME LOCALE GENDER TYPE" a line, as MaryTTS lists voices (the gender is not known). */
static void list_voices(struct buf *b, const struct voice *v, int n)
{
    int i;

    for (i = 0; i < n; i++)
        buf_addf(b, NULL, "%s %s neutral espeak\n", v[i].name, compat_locale(v[i].lang));
}

static void list_locales(struct buf *b, const struct voice *v, int n)
{
    int i, j;

    for (i = 0; i < n; i++) {
        for (j = 0; j < i && strcmp(v[j].lang, v[i].lang); j++)
            ;
        if (j == i)
            buf_addf(b, NULL, "%s\n", compat_locale(v[i].lang));
    }
}

enum MHD_Result answer_marytts_info(struct server *srv, struct MHD_Connection *c,
                                    struct request *rq)
{
    const char *url = rq->url;
    struct voice v[64];
    int n = voice_list(voice_dir(), v, 64, NULL);
    enum MHD_Result ret;
    struct buf b;

    buf_init(&b, BUF_NOLIMIT);
    if (!strcmp(url, "/voices"))
        list_voices(&b, v, n);
    else if (!strcmp(url, "/locales"))
        list_locales(&b, v, n);
    else
        buf_adds(&b, "Mary TTS server 5.2 (Lyssna, espeak-ng)\n", NULL);
    ret = send_buffer(srv, c, MHD_HTTP_OK, "text/plain; charset=utf-8", b.data, b.len);
    buf_release(&b);
    return ret;
}
