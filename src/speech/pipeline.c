/* pipeline.c -- runs the stages in order for one request: (extract ->) normalize, or ssml
 * (which normalizes its Swedish text) -> synth -> encode, audio leaving through the
 * caller's sink as it is made; SSML breaks are silence written here. It also turns
 * espeak-ng's events into speech marks that point into the original input, holding a
 * sentence's word marks back until the sentence's end is known so that each sentence
 * mark comes before its words, as in Polly. Not thread-safe: it drives the process's synth. */
#include "pipeline.h"

#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "extract/extract.h"
#include "lang.h"
#include "normalize/normalize.h"
#include "ssml.h"
#include "synth.h"
#include "voice.h"

#include "banned.h"

struct run {
    const struct speak_request *req;
    struct speak_output *out;
    struct encoder *enc;
    const struct normalized *norm; /* the spoken text, mapped to the original */
    size_t src_base;               /* where the text norm maps into starts in the original */
    size_t line_start;             /* offset of the current utterance in the spoken text */
    uint64_t base;                 /* samples before the current utterance */
    int rate_hz;
    struct err err; /* first failure inside a callback */
    /* the sentence being spoken: its mark so far and its words, held back */
    int sentence_pending; /* espeak-ng announced a sentence; its first word is to come */
    struct mark sentence;
    struct mark *words;
    size_t nwords, cap;
    int quiet;          /* a notice is being said: it has no place in the input */
    char espeak[48];    /* the voice of the language being read, when not the profile's */
    char main_lang[16]; /* the language most of the input is in */
    char silent[8][16]; /* languages without a voice, already announced */
    size_t nsilent;
};

static int fail(struct run *r, const struct err *e)
{
    if (!r->err.code)
        r->err = *e;
    return 1;
}

static int on_audio(void *ctx, const int16_t *pcm, size_t n)
{
    struct run *r = ctx;
    struct err e = {0};

    if (r->err.code)
        return 1;
    if (r->out->cancel && *r->out->cancel)
        return fail(r, &(struct err){LY_ECANCEL, "stopped by a signal"});
    if (encode_write(r->enc, pcm, n, &e))
        return fail(r, &e);
    r->out->samples += n;
    return 0;
}

/* Original-text range for a range of the current utterance. */
static void to_source(const struct run *r, size_t start, size_t end, size_t *s, size_t *e)
{
    start += r->line_start;
    end += r->line_start;
    if (r->norm) {
        normalized_source(r->norm, start, end, s, e);
        *s += r->src_base;
        *e += r->src_base;
    } else {
        *s = start;
        *e = end;
    }
}

static int only_space(const char *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (!p[i] || !strchr(" \t\r\n", p[i]))
            return 0;
    return 1;
}

/* A sentence reaches over the punctuation and closing quotes after its last word. */
static size_t sentence_end(const struct run *r, size_t end)
{
    uint32_t cp;
    size_t k;

    while ((k = utf8_decode(r->req->text + end, r->req->len - end, &cp)) &&
           ((cp && cp < 0x80 && strchr(".!?:;,)]}\"'", (int)cp)) || cp == 0x2026 || cp == 0x201D ||
            cp == 0x2019 || cp == 0xBB))
        end += k;
    return end;
}

static void flush_sentence(struct run *r)
{
    size_t i;

    if (r->nwords && r->out->mark && !r->err.code) {
        r->sentence.end = sentence_end(r, r->sentence.end);
        if (r->out->mark(r->out->mark_ctx, &r->sentence))
            fail(r, &(struct err){LY_EIO, "cannot write speech marks"});
        for (i = 0; i < r->nwords && !r->err.code; i++)
            if (r->out->mark(r->out->mark_ctx, &r->words[i]))
                fail(r, &(struct err){LY_EIO, "cannot write speech marks"});
    }
    r->nwords = 0;
    r->sentence_pending = 0;
}

static void add_word(struct run *r, struct mark m)
{
    if (only_space(r->req->text + m.start, m.end - m.start))
        return; /* espeak-ng's extra words for an emoji's name land on the space after it */
    if (r->nwords == 0) {
        uint64_t t = r->sentence_pending ? r->sentence.time_ms : m.time_ms;
        r->sentence = (struct mark){MARK_SENTENCE, t, m.start, m.end};
    }
    if (m.end > r->sentence.end)
        r->sentence.end = m.end;
    if (r->nwords == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 32;
        r->words = xreallocarray(r->words, r->cap, sizeof(*r->words));
    }
    r->words[r->nwords++] = m;
}

/* Sentence marks start at their first word and end after their last word's punctuation:
 * espeak-ng's own sentence and clause positions point at white space or past the end. */
static void on_event(void *ctx, const struct synth_event *ev)
{
    struct run *r = ctx;
    struct mark m = {.time_ms = (r->base + ev->sample) * 1000 / (uint64_t)r->rate_hz};

    if (r->quiet)
        return;
    switch (ev->type) {
    case SYNTH_SENTENCE:
        flush_sentence(r);
        r->sentence_pending = 1;
        r->sentence.time_ms = m.time_ms;
        break;
    case SYNTH_WORD:
        m.type = MARK_WORD;
        to_source(r, ev->start, ev->end, &m.start, &m.end);
        if (m.end > m.start)
            add_word(r, m);
        break;
    }
}

/* Speaks one utterance: bytes [start, end) of the spoken text, with espeak-ng's voice espeak
 * (NULL: the profile's). */
static int speak_span(struct synth *s, struct run *r, const char *spoken, size_t start, size_t end,
                      const char *espeak, int rate, struct err *e)
{
    struct synth_sink sink = {on_audio, on_event, r};
    int rc;

    r->line_start = start;
    r->base = r->out->samples;
    rc = synth_speak(s, r->req->voice, rate, espeak, spoken + start, end - start, 0, &sink, e);
    flush_sentence(r);
    if (r->err.code)
        rc = err_set(e, r->err.code, "%s", r->err.msg);
    return rc;
}

static int open_encoder(struct run *r, struct err *e)
{
    if (!r->enc && !(r->enc = encode_new(r->req->format, r->rate_hz, r->out->audio, e)))
        return e ? e->code : LY_EENCODE;
    return LY_OK;
}

/* Which voice reads text in lang: sets *espeak to NULL for the profile's own (the same
 * language, or none named), else to espeak-ng's voice for lang (the table's, or its primary
 * subtag for a language the table does not list). 0 when the table says it has none. */
static int voice_for(struct run *r, const char *lang, const char **espeak)
{
    struct lang l;

    *espeak = NULL;
    if (lang_is_none(lang) || svtext_same_lang(lang, r->req->voice->lang))
        return 1;
    if (lang_find(voice_dir(), lang, &l)) {
        if (!l.espeak[0])
            return 0;
        snprintf(r->espeak, sizeof(r->espeak), "%s", l.espeak);
    } else {
        snprintf(r->espeak, sizeof(r->espeak), "%.*s", (int)strcspn(lang, "-_"), lang);
    }
    *espeak = r->espeak;
    return 1;
}

/* Says a notice that is not in the input (no marks point at it) in language lang. */
static int say_notice(struct synth *s, struct run *r, const char *text, const char *lang,
                      struct err *e)
{
    const char *espeak;
    int rc;

    voice_for(r, lang, &espeak);
    r->quiet = 1;
    rc = speak_span(s, r, text, 0, strlen(text), espeak, r->req->rate, e);
    r->quiet = 0;
    return rc;
}

/* Text in a language without a voice is not read (another language's voice would make noise
 * of it). The first time, the listener hears why: in Swedish, and in the language most of the
 * input is in when that has a voice and a sentence in voices/notices.tsv (a Finnish page with a
 * Northern Sami paragraph: in Swedish and Finnish). Said once per language; the rest is read. */
static int say_no_voice(struct synth *s, struct run *r, const char *lang, struct err *e)
{
    char code[16], text[256];
    const char *espeak, *name;
    struct lang l;
    size_t i;
    int rc;

    snprintf(code, sizeof(code), "%.*s", (int)strcspn(lang, "-_"), lang);
    for (i = 0; i < r->nsilent; i++)
        if (svtext_same_lang(r->silent[i], code))
            return LY_OK;
    if (r->nsilent < sizeof(r->silent) / sizeof(r->silent[0]))
        memcpy(r->silent[r->nsilent++], code, sizeof(code));
    if (!lang_find(voice_dir(), code, &l)) {
        memset(&l, 0, sizeof(l));
        snprintf(l.name_sv, sizeof(l.name_sv), "språket %s", code);
    }
    rc = open_encoder(r, e);
    if (!lang_notice(voice_dir(), "sv", l.name_sv, text, sizeof(text)))
        snprintf(text, sizeof(text), "Det finns ingen uppläsning på %s.", l.name_sv);
    if (!rc)
        rc = say_notice(s, r, text, "sv", e);
    name = svtext_same_lang(r->main_lang, "en") ? l.name_en : NULL;
    if (!rc && !svtext_same_lang(r->main_lang, "sv") && !svtext_same_lang(r->main_lang, code) &&
        voice_for(r, r->main_lang, &espeak) &&
        lang_notice(voice_dir(), r->main_lang, name, text, sizeof(text)))
        rc = say_notice(s, r, text, r->main_lang, e);
    return rc;
}

/* Speaks one utterance in lang (NULL: the profile's language), or says why it cannot. */
static int speak_in(struct synth *s, struct run *r, const char *spoken, size_t len,
                    const char *lang, int rate, struct err *e)
{
    const char *espeak;
    int rc;

    if (!voice_for(r, lang, &espeak))
        return say_no_voice(s, r, lang, e);
    rc = speak_span(s, r, spoken, 0, len, espeak, rate, e);
    if (rc == LY_EVOICE && espeak) /* espeak-ng lacks a language the table does not list */
        return say_no_voice(s, r, lang, e);
    return rc;
}

/* Whether two line specs ("sv 10-40:fi") have the same language of their own. */
static int same_own(const char *a, const char *b)
{
    size_t la = strcspn(a, " "), lb = strcspn(b, " ");

    return la == lb && (la == 0 || svtext_same_lang(a, b));
}

/* The language most of the input's bytes are in, lines without one counting as the voice's. */
static void find_main_lang(struct run *r)
{
    const struct speak_request *q = r->req;
    const char *t = q->text, *best = q->voice->lang;
    size_t i, j, line = 0, start = 0, most = 0, *bytes;

    if (!q->line_langs || !q->nlines) {
        snprintf(r->main_lang, sizeof(r->main_lang), "%s", best);
        return;
    }
    bytes = xcalloc(q->nlines, sizeof(*bytes));
    for (i = 0; i <= q->len && line < q->nlines; i++)
        if (i == q->len || t[i] == '\n') {
            for (j = 0; j <= line; j++) /* counted under the first line of the same language */
                if (j == line ||
                    (q->line_langs[j] && q->line_langs[line] &&
                     same_own(q->line_langs[j], q->line_langs[line])) ||
                    (!q->line_langs[j] && !q->line_langs[line]))
                    break;
            bytes[j] += i - start;
            if (bytes[j] > most) {
                most = bytes[j];
                best = q->line_langs[j] ? q->line_langs[j] : q->voice->lang;
            }
            start = i + 1;
            line++;
        }
    free(bytes);
    snprintf(r->main_lang, sizeof(r->main_lang), "%.*s", (int)strcspn(best, " "), best);
}

static int check_input(const struct speak_request *req, struct err *e)
{
    size_t bad;

    if (req->len > LYSSNA_MAX_TEXT)
        return err_set(e, LY_ETOOBIG, "text is %zu bytes, over the limit of %u", req->len,
                       LYSSNA_MAX_TEXT);
    if (!utf8_valid(req->text, req->len, &bad))
        return err_set(e, LY_EUTF8, "input is not valid UTF-8 (byte %zu); convert it first", bad);
    if (only_space(req->text, req->len))
        return err_set(e, LY_EEMPTY, "nothing to say: the input holds no text");
    return LY_OK;
}

/* Silence for an SSML <break>, in chunks the encoder takes. */
static int speak_silence(struct run *r, unsigned ms)
{
    static const int16_t zero[1024];
    uint64_t n = (uint64_t)ms * (uint64_t)r->rate_hz / 1000, k;

    for (; n && !r->err.code; n -= k) {
        k = n < 1024 ? n : 1024;
        on_audio(r, zero, (size_t)k);
    }
    return r->err.code;
}

/* The request's rate scaled by an SSML rate change, kept where espeak-ng is reliable. */
static int scaled_rate(int rate, int pct)
{
    long v = (long)rate * pct / 100;

    return v < LYSSNA_RATE_MIN ? LYSSNA_RATE_MIN : v > LYSSNA_RATE_MAX ? LYSSNA_RATE_MAX : (int)v;
}

/* Speaks the segments of an SSML document, each text segment one utterance. */
static int speak_ssml(struct synth *s, struct run *r, struct err *e)
{
    struct ssml_doc doc;
    const struct ssml_seg *g;
    size_t i, spoken = 0;
    int rc;

    rc = ssml_parse(r->req->text, r->req->len, r->req->voice->lang, r->req->rules, &doc, e);
    for (i = 0; i < doc.n && !rc; i++)
        spoken += doc.segs[i].kind == SSML_TEXT &&
                  !only_space(doc.segs[i].text.text.data, doc.segs[i].text.text.len);
    if (!rc && !spoken)
        rc = err_set(e, LY_EEMPTY, "nothing to say: the ssml holds no text");
    if (!rc)
        rc = open_encoder(r, e);
    for (i = 0; i < doc.n && !rc; i++) {
        g = &doc.segs[i];
        r->norm = &g->text;
        if (g->kind == SSML_BREAK)
            rc = speak_silence(r, g->break_ms) ? err_set(e, r->err.code, "%s", r->err.msg) : 0;
        else if (g->text.text.len)
            rc = speak_in(s, r, g->text.text.data, g->text.text.len, g->lang[0] ? g->lang : NULL,
                          scaled_rate(r->req->rate, g->rate_pct), e);
    }
    r->norm = NULL;
    ssml_doc_release(&doc);
    return rc;
}

/* Normalizes and speaks bytes [start, end) of the input in lang (NULL: the voice's) as one
 * utterance (a heading without a full stop still ends with a pause). */
static int speak_piece(struct synth *s, struct run *r, struct normalized *norm, size_t start,
                       size_t end, const char *lang, struct err *e)
{
    const struct speak_request *req = r->req;
    const char *read_as = lang_is_none(lang) ? req->voice->lang : lang;
    int rc;

    /* the Swedish rules only on Swedish text: espeak-ng reads the numbers of the others */
    rc = normalize_text_langs(req->rules, NORMALIZE_PHONEMES, req->text + start, end - start,
                              NORMALIZE_LANG, &read_as, 1, norm, e);
    if (rc || only_space(norm->text.data, norm->text.len))
        return rc;
    rc = open_encoder(r, e);
    if (rc)
        return rc;
    r->norm = norm;
    r->src_base = start;
    return speak_in(s, r, norm->text.data, norm->text.len, lang, req->rate, e);
}

/* One stretch of a line spec ("sv 10-40:fi"): its bytes of the line and its language. */
struct stretch {
    size_t start, end;
    char lang[16];
};

/* Parses spec into its own language (lang, "" for none) and up to max stretches in order. */
static size_t parse_spec(const char *spec, char lang[16], struct stretch *st, size_t max)
{
    size_t n = 0, k = strcspn(spec, " ");
    unsigned long a, b;
    int used;

    snprintf(lang, 16, "%.*s", (int)(k < 15 ? k : 15), spec);
    for (spec += k; *spec == ' ' && n < max; spec += used) {
        char l[16];
        used = 0;
        if (sscanf(spec, " %lu-%lu:%15[^ ]%n", &a, &b, l, &used) != 3 || !used)
            break;
        if (a < b && (!n || a >= st[n - 1].end)) {
            st[n] = (struct stretch){.start = a, .end = b};
            memcpy(st[n++].lang, l, sizeof(l));
        }
    }
    return n;
}

/* Speaks bytes [start, end) of the line that starts at line_start, stretch by stretch in
 * their languages: a Finnish phrase in a Swedish sentence is read by the Finnish voice. */
static int speak_line(struct synth *s, struct run *r, struct normalized *norm, size_t line_start,
                      size_t start, size_t end, size_t line, struct err *e)
{
    const struct speak_request *req = r->req;
    const char *spec = line < req->nlines && req->line_langs ? req->line_langs[line] : NULL;
    struct stretch st[16];
    char own[16];
    size_t i, n, at = start, a, b;
    int rc = 0;

    if (!spec || !strchr(spec, ' '))
        return speak_piece(s, r, norm, start, end, spec, e);
    n = parse_spec(spec, own, st, sizeof(st) / sizeof(st[0]));
    for (i = 0; i < n && !rc; i++) {
        a = line_start + st[i].start;
        b = line_start + st[i].end;
        if (b <= at || a >= end)
            continue;
        if (a > at)
            rc = speak_piece(s, r, norm, at, a, own[0] ? own : NULL, e);
        if (!rc)
            rc = speak_piece(s, r, norm, a > at ? a : at, b < end ? b : end, st[i].lang, e);
        at = b < end ? b : end;
    }
    if (!rc && at < end)
        rc = speak_piece(s, r, norm, at, end, own[0] ? own : NULL, e);
    return rc;
}

/* The least a part of a long line holds: a few sentences, so that short paragraphs stay whole. */
#define PART_MIN 400

static int speak_text(struct synth *s, struct run *r, struct normalized *norm, struct err *e)
{
    const char *t = r->req->text, *nl;
    size_t len = r->req->len, start = 0, end, line = 0, cut, part;
    int rc;

    for (;;) {
        nl = memchr(t + start, '\n', len - start);
        end = nl ? (size_t)(nl - t) : len;
        /* a long paragraph goes in parts cut at sentence ends, so that its first audio does
           not wait for all of it to be normalized */
        for (cut = start; cut < end; cut = part) {
            part = cut + normalize_sentence_cut(r->req->rules, t + cut, end - cut, PART_MIN);
            rc = speak_line(s, r, norm, start, cut, part, line, e);
            if (rc)
                return rc;
        }
        line++;
        if (!nl)
            break;
        start = end + 1;
    }
    if (!r->enc)
        return err_set(e, LY_EEMPTY, "nothing to say: the input holds no readable text");
    return LY_OK;
}

int pipeline_speak(struct synth *s, const struct speak_request *req, struct speak_output *o,
                   struct err *e)
{
    struct run r = {.req = req, .out = o, .rate_hz = synth_sample_rate(s)};
    struct normalized norm;
    int rc;

    normalized_init(&norm, LYSSNA_MAX_TEXT * 8);
    o->samples = 0;
    o->sample_rate = r.rate_hz;
    rc = check_input(req, e);
    find_main_lang(&r);
    if (!rc)
        rc = req->ssml ? speak_ssml(s, &r, e) : speak_text(s, &r, &norm, e);
    if (!rc)
        rc = encode_finish(r.enc, e);
    encode_free(r.enc);
    normalized_release(&norm);
    free(r.words);
    return rc;
}

/* A line's language with its stretches in others: "sv 10-40:fi" (see speak_request). */
static char *line_spec(const struct extract_block *b, const char *lang)
{
    struct buf spec;
    size_t i;

    buf_init(&spec, BUF_NOLIMIT);
    buf_adds(&spec, lang ? lang : "", NULL);
    for (i = 0; i < b->nruns; i++)
        if (strlen(b->runs[i].lang) < 16 && !strpbrk(b->runs[i].lang, " :\n"))
            buf_addf(&spec, NULL, " %zu-%zu:%s", b->runs[i].start, b->runs[i].end, b->runs[i].lang);
    return buf_detach(&spec, NULL);
}

int pipeline_page_of(struct extract_result *page, struct page_text *out, struct err *e)
{
    struct buf plain;
    size_t i;
    int rc;

    buf_init(&plain, LYSSNA_MAX_TEXT);
    rc = extract_text(page, &plain, e);
    if (rc) {
        buf_release(&plain);
        extract_result_release(page);
        free(page);
        return rc;
    }
    out->page = page;
    out->nlines = page->nblocks;
    out->line_langs = xcalloc(page->nblocks ? page->nblocks : 1, sizeof(*out->line_langs));
    /* A block without a language of its own is in the page's: an English page is read by the
     * English voice even when the listener picked a Swedish one. */
    out->specs = xcalloc(page->nblocks ? page->nblocks : 1, sizeof(*out->specs));
    for (i = 0; i < page->nblocks; i++) {
        out->line_langs[i] = page->blocks[i].lang        ? page->blocks[i].lang
                             : page->lang && *page->lang ? page->lang
                                                         : NULL;
        if (page->blocks[i].nruns)
            out->line_langs[i] = out->specs[i] = line_spec(&page->blocks[i], out->line_langs[i]);
    }
    out->text = buf_detach(&plain, &out->len);
    return LY_OK;
}

int pipeline_read_html(const char *html, size_t len, const struct extract_opts *xo,
                       struct page_text *out, struct err *e)
{
    struct extract_result *page = xcalloc(1, sizeof(*page));
    int rc = extract_any(html, len, xo, page, e);

    if (rc) {
        free(page);
        return rc;
    }
    return pipeline_page_of(page, out, e);
}

void pipeline_page_release(struct page_text *p)
{
    size_t i;

    for (i = 0; p->specs && i < p->nlines; i++)
        free(p->specs[i]);
    free(p->specs);
    p->specs = NULL;
    if (p->page)
        extract_result_release(p->page);
    free(p->page);
    free(p->line_langs);
    free(p->text);
    p->page = NULL;
    p->line_langs = NULL;
    p->text = NULL;
}
