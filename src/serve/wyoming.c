/* wyoming.c -- the Wyoming protocol on a TCP port of its own (wyoming.h). One thread accepts;
 * each connection gets a thread that reads events (wyoming_frame.c), answers them and writes
 * audio as the worker makes it. Audio comes through the service's cache, queue and workers
 * (the host), so the voices, normalization, limits and metrics are the HTTP service's; only
 * the framing is Wyoming's. A malformed event closes its own connection, nothing else. Why here
 * and not a folder of its own: it is a front of the service beside the HTTP routes, sharing
 * their settings, queue and counters, as STYLE.md puts "the other protocols" in serve/. */
#include "wyoming.h"

#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "base/base.h"
#include "normalize/normalize.h"
#include "request.h"
#include "serve.h"
#include "wyoming_frame.h"

#include "banned.h"

#define LYSSNA_WY_READ    16384
#define LYSSNA_WY_PAYLOAD 65536 /* clients send no audio to a TTS server; more is dropped */
#define LYSSNA_WY_RATE    24000 /* ENCODE_PCM's rate */

struct conn {
    struct wyoming *w;
    int fd;
    char client[64];
    struct conn *next;
};

struct wyoming {
    int fd;
    pthread_t acceptor;
    struct wyoming_host host;
    struct norm_rules *rules; /* voices/sv's word lists: where a streamed sentence ends */
    pthread_mutex_t lock;     /* guards conns, nconns, stopping */
    pthread_cond_t gone;      /* a connection ended */
    struct conn *conns;
    int nconns, stopping;
};

/* One connection's state between events. */
struct session {
    struct conn *c;
    const struct config *cfg;
    struct buf out;     /* the event being written */
    struct buf pending; /* streamed text not yet spoken (no sentence end seen) */
    size_t streamed;    /* bytes of text this stream has had, against the cap */
    int streaming;      /* between synthesize-start and synthesize-stop */
    char voice[64];     /* the stream's voice */
};

static int send_all(int fd, const char *p, size_t n)
{
    ssize_t k;

    while (n > 0) {
        k = send(fd, p, n, MSG_NOSIGNAL);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

/* Writes one event; data (may be NULL) is consumed. Non-zero when the peer is gone. */
static int emit(struct session *s, const char *type, json_t *data, const void *payload, size_t n)
{
    buf_reset(&s->out);
    wyoming_frame_event(&s->out, type, data, payload, n);
    json_decref(data);
    return send_all(s->c->fd, s->out.data, s->out.len);
}

static int emit_error(struct session *s, const struct err *e)
{
    return emit(s, "error", json_pack("{s:s, s:s}", "text", e->msg, "code", err_name(e->code)),
                NULL, 0);
}

static json_t *audio_format(void)
{
    return json_pack("{s:i, s:i, s:i}", "rate", LYSSNA_WY_RATE, "width", 2, "channels", 1);
}

static json_t *voices_info(void)
{
    struct voice v[64];
    json_t *list = json_array();
    int i, n = voice_list(voice_dir(), v, 64, NULL);

    for (i = 0; i < n; i++)
        json_array_append_new(list, json_pack("{s:s, s:s, s:{s:s, s:s}, s:b, s:n, s:[s], s:n}",
                                              "name", v[i].name, "description", v[i].description,
                                              "attribution", "name", "espeak-ng", "url",
                                              "https://github.com/espeak-ng/espeak-ng", "installed",
                                              1, "version", "languages", v[i].lang, "speakers"));
    return list;
}

static int answer_describe(struct session *s)
{
    json_t *tts =
        json_pack("{s:s, s:s, s:{s:s, s:s}, s:b, s:s, s:o, s:b}", "name", "lyssna", "description",
                  "Lyssna: Swedish text to speech (espeak-ng)", "attribution", "name", "Lyssna",
                  "url", "https://github.com/espeak-ng/espeak-ng", "installed", 1, "version", "1",
                  "voices", voices_info(), "supports_synthesize_streaming", 1);

    return emit(
        s, "info",
        json_pack("{s:[], s:[o], s:[], s:[], s:[]}", "asr", "tts", tts, "handle", "intent", "wake"),
        NULL, 0);
}

/* "sv", "sv_SE" and "sv-SE" are all the voice language "sv". */
static int lang_matches(const char *asked, const char *lang)
{
    size_t n = strlen(lang);

    return !strncasecmp(asked, lang, n) && (!asked[n] || asked[n] == '_' || asked[n] == '-');
}

/* The voice an event's "voice" object asks for: its name when that is a Lyssna voice, else the
 * first voice (by name, so "sv" before "sv-ljus") of its language, else the default.
 * LY_EVOICE when a name or a language is unknown. */
static int pick_voice(const json_t *voice, char out[64], struct err *e)
{
    const char *name = json_string_value(json_object_get(voice, "name"));
    const char *lang = json_string_value(json_object_get(voice, "language"));
    struct request_voice rv;
    struct voice v[64];
    int i, n;

    if (name && *name) {
        if (request_parse_voice(name, NULL, NULL, &rv, e) != LY_OK)
            return e->code;
        snprintf(out, 64, "%s", rv.voice);
        return LY_OK;
    }
    snprintf(out, 64, "%s", LYSSNA_DEFAULT_VOICE);
    if (!lang || !*lang)
        return LY_OK;
    n = voice_list(voice_dir(), v, 64, NULL);
    for (i = 0; i < n; i++)
        if (lang_matches(lang, v[i].lang)) {
            snprintf(out, 64, "%s", v[i].name);
            return LY_OK;
        }
    return err_set(e, LY_EVOICE, "no voice for language '%s'", lang);
}

static int blank(const char *t, size_t n)
{
    while (n > 0 && (unsigned char)t[n - 1] <= ' ')
        n--;
    return n == 0;
}

/* Relays one text's audio as audio-start, audio-chunk..., audio-stop; a failure is an error
 * event. Non-zero only when the peer is gone. */
static int relay(struct session *s, struct wyoming_audio *a)
{
    const struct wyoming_host *h = &s->c->w->host;
    struct err e = {0};
    struct buf chunk;
    int type, rc = 0, started = 0;

    buf_init(&chunk, BUF_NOLIMIT);
    while (rc == 0 && (type = h->next(a, &chunk, &e)) != 0) {
        if (!started && (rc = emit(s, "audio-start", audio_format(), NULL, 0)) != 0)
            break;
        started = 1;
        if (type == POOL_DONE) {
            rc = emit(s, "audio-stop", NULL, NULL, 0);
            buf_release(&chunk);
            return rc;
        }
        rc = emit(s, "audio-chunk", audio_format(), chunk.data, chunk.len);
    }
    buf_release(&chunk);
    return rc ? rc : emit_error(s, &e);
}

/* Speaks len bytes of text with voice (blank text gives empty audio, as a client waits for
 * audio-stop). Non-zero only when the peer is gone. */
static int speak(struct session *s, const char *text, size_t len, const char *voice)
{
    const struct wyoming_host *h = &s->c->w->host;
    struct pool_request r = {.text = text, .len = len, .voice = voice, .format = ENCODE_PCM};
    struct wyoming_audio *a;
    struct err e = {0};
    int rc;

    if (blank(text, len))
        return emit(s, "audio-start", audio_format(), NULL, 0) ||
               emit(s, "audio-stop", NULL, NULL, 0);
    if (len > (size_t)s->cfg->max_text_bytes) {
        err_set(&e, LY_ETOOBIG, "text of %zu bytes is over the cap of %d", len,
                s->cfg->max_text_bytes);
        return emit_error(s, &e);
    }
    if (!(a = h->open(h->ctx, &r, &e)))
        return emit_error(s, &e);
    rc = relay(s, a);
    h->close(a);
    return rc;
}

/* Where the first whole sentence of t ends; 0 when none is whole yet. A sentence end with
 * more after it is normalize_sentence_cut's (a capital must follow, so "t.ex. att" is not
 * cut); at the end of what has come, the text is whole when normalize_sentence_ended says so,
 * so a chunk that ends a sentence is spoken without waiting for the next chunk. */
static size_t sentence_end(const struct norm_rules *rules, const char *t, size_t n)
{
    size_t cut = normalize_sentence_cut(rules, t, n, 0);

    if (cut < n)
        return cut;
    return normalize_sentence_ended(rules, t, n) ? n : 0;
}

/* Speaks each whole sentence of the pending text, keeping the rest. */
static int speak_sentences(struct session *s)
{
    size_t end;
    int rc = 0;

    while (rc == 0 && (end = sentence_end(s->c->w->rules, s->pending.data, s->pending.len)) > 0) {
        rc = speak(s, s->pending.data, end, s->voice);
        memmove(s->pending.data, s->pending.data + end, s->pending.len - end + 1);
        s->pending.len -= end;
    }
    return rc;
}

static void stream_reset(struct session *s)
{
    buf_reset(&s->pending);
    s->streamed = 0;
    s->streaming = 0;
}

/* synthesize-chunk: more of the stream's text. Over the cap the stream is refused whole. */
static int stream_chunk(struct session *s, const char *text)
{
    size_t n = text ? strlen(text) : 0;
    struct err e = {0};

    if (s->streamed + n > (size_t)s->cfg->max_text_bytes) {
        err_set(&e, LY_ETOOBIG, "streamed text is over the cap of %d bytes",
                s->cfg->max_text_bytes);
        stream_reset(s);
        emit_error(s, &e);
        return -1;
    }
    s->streamed += n;
    buf_add(&s->pending, text ? text : "", n, NULL);
    return speak_sentences(s);
}

static int stream_start(struct session *s, const struct wyoming_event *ev)
{
    struct err e = {0};

    stream_reset(s);
    if (pick_voice(json_object_get(ev->data, "voice"), s->voice, &e) != LY_OK)
        return emit_error(s, &e);
    s->streaming = 1;
    return 0;
}

static int stream_stop(struct session *s)
{
    int rc = blank(s->pending.data, s->pending.len)
                 ? 0
                 : speak(s, s->pending.data, s->pending.len, s->voice);

    stream_reset(s);
    return rc ? rc : emit(s, "synthesize-stopped", NULL, NULL, 0);
}

/* synthesize-chunk, starting a stream when synthesize-start was left out. */
static int chunk(struct session *s, const struct wyoming_event *ev)
{
    int rc;

    if (!s->streaming && ((rc = stream_start(s, ev)) != 0 || !s->streaming))
        return rc;
    return stream_chunk(s, wyoming_event_str(ev, "text"));
}

/* synthesize outside a stream (inside one it only repeats the chunks, for older servers). */
static int synthesize(struct session *s, const struct wyoming_event *ev)
{
    const char *text = wyoming_event_str(ev, "text");
    struct err e = {0};
    char voice[64];

    if (s->streaming)
        return 0;
    if (pick_voice(json_object_get(ev->data, "voice"), voice, &e) != LY_OK)
        return emit_error(s, &e);
    return speak(s, text ? text : "", text ? strlen(text) : 0, voice);
}

/* Answers one event; non-zero closes the connection. Unknown events are ignored, as Wyoming
 * servers do (a satellite may send events meant for others). */
static int handle(struct session *s, const struct wyoming_event *ev)
{
    const char *t = ev->type;
    int rc = 0;

    s->cfg = s->c->w->host.config(s->c->w->host.ctx);
    if (!strcmp(t, "describe"))
        rc = answer_describe(s);
    else if (!strcmp(t, "synthesize"))
        rc = synthesize(s, ev);
    else if (!strcmp(t, "synthesize-start"))
        rc = stream_start(s, ev);
    else if (!strcmp(t, "synthesize-chunk"))
        rc = chunk(s, ev);
    else if (!strcmp(t, "synthesize-stop"))
        rc = stream_stop(s);
    else
        return 0;
    if (s->c->w->host.count)
        s->c->w->host.count(s->c->w->host.ctx, t, rc == 0);
    return rc;
}

/* Feeds n bytes to the parser, answering each event; non-zero closes the connection. */
static int feed(struct session *s, struct wyoming_parser *p, const char *in, size_t n)
{
    struct wyoming_event ev;
    struct err e = {0};
    size_t used;
    int done, rc = 0;

    while (rc == 0 && n > 0) {
        if (wyoming_parse(p, in, n, &used, &ev, &done, &e) != LY_OK) {
            emit_error(s, &e);
            return -1;
        }
        in += used;
        n -= used;
        if (done) {
            rc = handle(s, &ev);
            wyoming_event_release(&ev);
        }
    }
    return rc;
}

static void serve_connection(struct conn *c)
{
    const struct config *cfg = c->w->host.config(c->w->host.ctx);
    size_t cap = 2 * (size_t)cfg->max_text_bytes + 65536; /* JSON escapes, other members */
    struct session s = {.c = c, .cfg = cfg};
    struct wyoming_parser p;
    char in[LYSSNA_WY_READ];
    ssize_t n;

    buf_init(&s.out, BUF_NOLIMIT);
    buf_init(&s.pending, BUF_NOLIMIT);
    wyoming_parser_init(&p, cap, LYSSNA_WY_PAYLOAD);
    while ((n = recv(c->fd, in, sizeof(in), 0)) > 0 || (n < 0 && errno == EINTR))
        if (n > 0 && feed(&s, &p, in, (size_t)n) != 0)
            break;
    wyoming_parser_release(&p);
    buf_release(&s.out);
    buf_release(&s.pending);
}

static void *connection_main(void *arg)
{
    struct conn *c = arg, **pp;
    struct wyoming *w = c->w;

    serve_connection(c);
    pthread_mutex_lock(&w->lock);
    for (pp = &w->conns; *pp != c; pp = &(*pp)->next)
        ;
    *pp = c->next;
    w->nconns--;
    close(c->fd);
    pthread_cond_broadcast(&w->gone);
    pthread_mutex_unlock(&w->lock);
    free(c);
    return NULL;
}

/* Whether one more connection from client fits the limits; called with w->lock held. */
static int admits(struct wyoming *w, const char *client)
{
    const struct config *cfg = w->host.config(w->host.ctx);
    const struct conn *c;
    int same = 0;

    if (w->stopping || w->nconns >= cfg->max_connections)
        return 0;
    for (c = w->conns; c; c = c->next)
        same += !strcmp(c->client, client);
    return cfg->max_per_client == 0 || same < cfg->max_per_client;
}

static void set_timeouts(int fd, int seconds)
{
    struct timeval tv = {seconds, 0};

    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static void accept_one(struct wyoming *w, int fd, const struct sockaddr_storage *sa, socklen_t n)
{
    struct conn *c = xcalloc(1, sizeof(*c));
    pthread_t t;

    c->w = w;
    c->fd = fd;
    if (getnameinfo((const struct sockaddr *)sa, n, c->client, sizeof(c->client), NULL, 0,
                    NI_NUMERICHOST) != 0)
        snprintf(c->client, sizeof(c->client), "unknown");
    set_timeouts(fd, w->host.config(w->host.ctx)->client_timeout_s);
    pthread_mutex_lock(&w->lock);
    if (!admits(w, c->client) || pthread_create(&t, NULL, connection_main, c) != 0) {
        pthread_mutex_unlock(&w->lock);
        close(fd);
        free(c);
        return;
    }
    pthread_detach(t);
    c->next = w->conns;
    w->conns = c;
    w->nconns++;
    pthread_mutex_unlock(&w->lock);
}

static void *accept_main(void *arg)
{
    struct wyoming *w = arg;
    struct sockaddr_storage sa;
    socklen_t n;
    int fd;

    for (;;) {
        n = sizeof(sa);
        fd = accept(w->fd, (struct sockaddr *)&sa, &n);
        if (fd < 0 && (errno == EINTR || errno == ECONNABORTED || errno == EMFILE))
            continue;
        if (fd < 0)
            break; /* the listener was shut down */
        accept_one(w, fd, &sa, n);
    }
    return NULL;
}

/* Binds ADDR:PORT ("[::1]:10200" for IPv6); *port gets the port bound. */
static int bind_listener(const char *listen_at, int *fd, int *port, struct err *e)
{
    char host[128];
    const char *colon = strrchr(listen_at, ':');
    struct addrinfo hints = {0}, *ai = NULL;
    struct sockaddr_storage sa;
    socklen_t n = sizeof(sa);
    int one = 1, s = -1;

    if (!colon || colon == listen_at || (size_t)(colon - listen_at) >= sizeof(host))
        return err_set(e, LY_EUSAGE, "--wyoming wants ADDR:PORT, not '%s'", listen_at);
    snprintf(host, sizeof(host), "%.*s", (int)(colon - listen_at), listen_at);
    if (host[0] == '[' && host[strlen(host) - 1] == ']')
        memmove(host, host + 1, strlen(host)), host[strlen(host) - 1] = '\0';
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
    if (getaddrinfo(host, colon + 1, &hints, &ai) != 0)
        return err_set(e, LY_EUSAGE, "--wyoming wants ADDR:PORT, not '%s'", listen_at);
    s = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s >= 0)
        setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (s < 0 || bind(s, ai->ai_addr, ai->ai_addrlen) != 0 || listen(s, 64) != 0 ||
        getsockname(s, (struct sockaddr *)&sa, &n) != 0) {
        err_set(e, LY_EIO, "cannot listen for Wyoming on '%s': %s", listen_at, strerror(errno));
        if (s >= 0)
            close(s);
        freeaddrinfo(ai);
        return LY_EIO;
    }
    freeaddrinfo(ai);
    *fd = s;
    *port = ntohs(sa.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&sa)->sin6_port
                                           : ((struct sockaddr_in *)&sa)->sin_port);
    return LY_OK;
}

/* The Swedish word lists (abbreviations) that tell a full stop from an abbreviation's. */
static struct norm_rules *load_rules(void)
{
    char dir[4096];

    snprintf(dir, sizeof(dir), "%s/sv", voice_dir());
    return normalize_rules_load(dir, NULL, NULL);
}

struct wyoming *wyoming_start(const char *listen_at, const struct wyoming_host *host, int *port,
                              struct err *e)
{
    struct wyoming *w = xcalloc(1, sizeof(*w));

    w->host = *host;
    w->rules = load_rules();
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->gone, NULL);
    if (bind_listener(listen_at, &w->fd, port, e) != LY_OK) {
        normalize_rules_free(w->rules);
        free(w);
        return NULL;
    }
    if (pthread_create(&w->acceptor, NULL, accept_main, w) != 0) {
        err_set(e, LY_EIO, "cannot start the Wyoming listener");
        close(w->fd);
        normalize_rules_free(w->rules);
        free(w);
        return NULL;
    }
    return w;
}

void wyoming_stop(struct wyoming *w)
{
    struct conn *c;

    if (!w)
        return;
    pthread_mutex_lock(&w->lock);
    w->stopping = 1;
    pthread_mutex_unlock(&w->lock);
    shutdown(w->fd, SHUT_RDWR);
    pthread_join(w->acceptor, NULL);
    close(w->fd);
    pthread_mutex_lock(&w->lock);
    for (c = w->conns; c; c = c->next)
        shutdown(c->fd, SHUT_RDWR);
    while (w->nconns > 0)
        pthread_cond_wait(&w->gone, &w->lock);
    pthread_mutex_unlock(&w->lock);
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->gone);
    normalize_rules_free(w->rules);
    free(w);
}
