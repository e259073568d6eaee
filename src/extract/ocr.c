/* ocr.c -- a scanned PDF read by text recognition: each page rendered by poppler (cairo) at
 * OCR_DPI into grey pixels, recognized by Tesseract (its C API) with the document's language
 * model, and its symbols, with their boxes in points, fed to layout.c like a text PDF's
 * characters, so running headers, columns, hyphens and headings are read the same way. Words
 * Tesseract is barely sure of (specks, stamps) are left out. One Tesseract a document; runs in
 * the sandboxed document worker (lyssna-docworker), which gives a scan its longer CPU cap
 * (caps->on_scan).
 * Tesseract is opened (dlopen) by the first scan: linked, it and the libraries it brings
 * (leptonica's image formats, libarchive, libcurl) were loaded by every worker, a third of
 * a worker's start-up, and most documents have a text layer. */
#include "ocr.h"

#include <cairo.h>
#include <dlfcn.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <tesseract/capi.h>
#include <tesseract/version.h>

#include "base/base.h"
#include "document.h"
#include "layout.h"

#include "banned.h"

/* A4 at 300 dpi is 8.7 megapixels; a larger page is rendered at fewer dpi, down to 100. */
#define OCR_DPI        300
#define OCR_MIN_DPI    100
#define OCR_MAX_PIXELS (40u << 20)
#define OCR_MIN_CONF   20.0f /* words recognized with less confidence are noise */
#define OCR_MARK_CONF  70.0f /* ... and marks without a letter or digit with less than this */
#define OCR_CAP_EM     0.7   /* a capital's or an ascender's height in ems, about, in text faces */
#define OCR_ASCENT_EM  0.9 /* a character's box above and below its baseline, in ems, as a PDF's */
#define OCR_DESCENT_EM 0.2
#define OCR_BAND_MIN   0.12 /* a first band is at least this share of the page's height ... */
#define OCR_BAND_MAX   0.5  /* ... and at most this, */
#define OCR_BAND_GAP   7    /* cut at a gap of this many points between lines (a paragraph's) */
#define OCR_INK        128  /* a grey darker than this is ink */

#define STR_(x)     #x
#define STR(x)      STR_(x)
#define TESS_SONAME "libtesseract.so." STR(TESSERACT_MAJOR_VERSION)

/* The functions of Tesseract's C API that are called here. */
/* clang-format off */
#define TESS_FUNCS(X) \
    X(TessBaseAPIClear) \
    X(TessBaseAPICreate) \
    X(TessBaseAPIDelete) \
    X(TessBaseAPIEnd) \
    X(TessBaseAPIGetIterator) \
    X(TessBaseAPIInit3) \
    X(TessBaseAPIRecognize) \
    X(TessBaseAPISetImage) \
    X(TessBaseAPISetPageSegMode) \
    X(TessBaseAPISetSourceResolution) \
    X(TessDeleteText) \
    X(TessPageIteratorBaseline) \
    X(TessPageIteratorBegin) \
    X(TessPageIteratorBoundingBox) \
    X(TessPageIteratorIsAtBeginningOf) \
    X(TessPageIteratorNext) \
    X(TessPageIteratorOrientation) \
    X(TessResultIteratorConfidence) \
    X(TessResultIteratorDelete) \
    X(TessResultIteratorGetPageIterator) \
    X(TessResultIteratorGetUTF8Text) \
    X(TessResultIteratorNext) \
    X(TessResultIteratorWordFontAttributes)
/* clang-format on */

static struct {
#define TESS_POINTER(f) __typeof__(f) *f;
    TESS_FUNCS(TESS_POINTER)
#undef TESS_POINTER
} tess;
static const char *tess_missing; /* NULL once every function is found */
static pthread_once_t tess_once = PTHREAD_ONCE_INIT;

static void tess_open(void)
{
    void *h = dlopen(TESS_SONAME, RTLD_NOW | RTLD_LOCAL);

    tess_missing = TESS_SONAME;
    if (!h)
        return;
#define TESS_FIND(f)                                                                               \
    if (!(tess.f = (__typeof__(tess.f))dlsym(h, #f)))                                              \
        return;
    TESS_FUNCS(TESS_FIND)
#undef TESS_FIND
    tess_missing = NULL;
}

/* Tesseract's model for a language tag: Swedish unless the tag names English. */
static const char *model_of(const char *lang)
{
    return lang && !strncasecmp(lang, "en", 2) && (!lang[2] || lang[2] == '-') ? "eng" : "swe";
}

static unsigned char lo8(unsigned char a, unsigned char b)
{
    return a < b ? a : b;
}

static unsigned char hi8(unsigned char a, unsigned char b)
{
    return a < b ? b : a;
}

static unsigned char mid3(unsigned char a, unsigned char b, unsigned char c)
{
    return hi8(lo8(a, b), lo8(hi8(a, b), c));
}

/* A scan's specks (dust, a copier's grain) taken out with a 3 x 3 median, which keeps the
 * strokes of letters at OCR_DPI: Tesseract reads each speck as a mark and breaks lines on
 * them. The median of nine is the median of the largest of the three columns' least values,
 * the median of their medians and the least of their largest (exact, and a column's three are
 * ordered once a row, not once each of three pixels: the loops are simple enough for the
 * compiler to vectorize, a tenth of a second less on an A4 page at 300 dpi). */
static void despeckle(unsigned char *g, int w, int h)
{
    unsigned char *src = xmalloc((size_t)w * (size_t)h), *lo = xmalloc((size_t)w),
                  *mid = xmalloc((size_t)w), *hi = xmalloc((size_t)w);
    int x, y;

    memcpy(src, g, (size_t)w * (size_t)h);
    for (y = 1; y + 1 < h; y++) {
        const unsigned char *a = src + (size_t)(y - 1) * w, *b = a + w, *c = b + w;
        unsigned char *out = g + (size_t)y * w;
        for (x = 0; x < w; x++) {
            unsigned char l = lo8(a[x], b[x]), u = hi8(a[x], b[x]);
            lo[x] = lo8(l, c[x]);
            mid[x] = hi8(l, lo8(u, c[x]));
            hi[x] = hi8(u, c[x]);
        }
        for (x = 1; x + 1 < w; x++)
            out[x] =
                mid3(hi8(hi8(lo[x - 1], lo[x]), lo[x + 1]), mid3(mid[x - 1], mid[x], mid[x + 1]),
                     lo8(lo8(hi[x - 1], hi[x]), hi[x + 1]));
    }
    free(hi);
    free(mid);
    free(lo);
    free(src);
}

/* The page (w x h pixels) rendered white-backed into grey bytes, one a pixel, and despeckled:
 * its first rows only (share of its height, and two more that the last despeckled ones are
 * as in the whole page's), 0: all of them; NULL when it is too large. */
static unsigned char *render_grey(PopplerPage *pg, double share, int *w, int *h, int *rows,
                                  int *dpi)
{
    double pw, ph, scale;
    cairo_surface_t *s;
    unsigned char *grey, *data;
    cairo_t *cr;
    int x, y, stride;

    poppler_page_get_size(pg, &pw, &ph);
    *dpi = OCR_DPI;
    if (!(pw > 0 && ph > 0 && isfinite(pw) && isfinite(ph)))
        return NULL;
    while (*dpi > OCR_MIN_DPI && (pw * *dpi / 72) * (ph * *dpi / 72) > OCR_MAX_PIXELS)
        *dpi -= 50;
    scale = *dpi / 72.0;
    if ((pw * scale) * (ph * scale) > OCR_MAX_PIXELS || pw * scale > 32767 || ph * scale > 32767)
        return NULL;
    *w = (int)ceil(pw * scale), *h = (int)ceil(ph * scale);
    *rows = share > 0 && share * *h + 2 < *h ? (int)(share * *h) + 2 : *h;
    s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, *w, *rows);
    cr = cairo_create(s);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_scale(cr, scale, scale);
    poppler_page_render(pg, cr);
    cairo_destroy(cr);
    cairo_surface_flush(s);
    data = cairo_image_surface_get_data(s);
    stride = cairo_image_surface_get_stride(s);
    grey = xmalloc((size_t)*w * (size_t)*rows);
    for (y = 0; data && y < *rows; y++)
        for (x = 0; x < *w; x++) {
            uint32_t p;
            memcpy(&p, data + (size_t)y * stride + (size_t)x * 4, 4);
            grey[(size_t)y * *w + x] = (unsigned char)((((p >> 16) & 255) * 77 +
                                                        ((p >> 8) & 255) * 150 + (p & 255) * 29) >>
                                                       8);
        }
    cairo_surface_destroy(s);
    despeckle(grey, *w, *rows);
    return grey;
}

/* The characters of what api recognized, as layout.c takes them: boxes in points (dpi), a
 * space between words, a '\n' at a line's end. */
struct chars {
    struct layout_char *c;
    size_t n, cap;
};

/* How to place a page's characters: k points a pixel, the page's skew s (the baselines'
 * slope) undone by turning each box about the origin, oy the pixel row the image recognized
 * begins at on the page (a band's). */
struct place {
    double k, s;
    int oy;
};

static void put(struct chars *cs, const char *u, const struct place *pl, double x0, double y0,
                double x1, double y1, float size)
{
    double k = pl->k, s = pl->s, cx = (x0 + x1) / 2.0, cy = (y0 + y1) / 2.0 + pl->oy;
    double dx = s * cy, dy = -s * cx; /* a small turn: the centre moves, the box keeps its size */
    struct layout_char *c;

    if (cs->n == cs->cap) {
        cs->cap = cs->cap ? cs->cap * 2 : 4096;
        cs->c = xreallocarray(cs->c, cs->cap, sizeof(*cs->c));
    }
    c = &cs->c[cs->n++];
    memset(c, 0, sizeof(*c));
    memcpy(c->u, u, strnlen(u, 4));
    c->size = size;
    y0 += pl->oy, y1 += pl->oy;
    c->x0 = (x0 + dx) * k, c->y0 = (y0 + dy) * k, c->x1 = (x1 + dx) * k, c->y1 = (y1 + dy) * k;
}

/* The median of v[0..n) (sorted in place; 0 when n is 0): an insertion sort, as a page has a
 * few hundred lines and a few thousand characters. */
static double median(double *v, size_t n)
{
    size_t i, j;
    double t;

    for (i = 1; i < n; i++)
        for (j = i; j > 0 && v[j] < v[j - 1]; j--)
            t = v[j], v[j] = v[j - 1], v[j - 1] = t;
    return n ? v[n / 2] : 0;
}

/* The median slope of the recognized page's text lines (a sheet crooked on the scanner's
 * glass). */
static double page_skew(TessBaseAPI *api)
{
    TessResultIterator *ri = tess.TessBaseAPIGetIterator(api);
    TessPageIterator *pi;
    double s[512];
    size_t n = 0;
    int x1, y1, x2, y2;

    if (!ri)
        return 0;
    pi = tess.TessResultIteratorGetPageIterator(ri);
    do {
        if (tess.TessPageIteratorBaseline(pi, RIL_TEXTLINE, &x1, &y1, &x2, &y2) && x2 - x1 > 200 &&
            n < 512)
            s[n++] = (double)(y2 - y1) / (x2 - x1);
    } while (tess.TessPageIteratorNext(pi, RIL_TEXTLINE));
    tess.TessResultIteratorDelete(ri);
    return median(s, n);
}

/* Whether the word at ri is noise: barely recognized, or a lone mark with no letter or digit
 * that Tesseract is unsure of (a rule's edge read as "|", a speck as a quote). */
static int noise_word(TessResultIterator *ri)
{
    float conf = tess.TessResultIteratorConfidence(ri, RIL_WORD);
    char *w = tess.TessResultIteratorGetUTF8Text(ri, RIL_WORD);
    int alnum = 0, rule;
    size_t i;

    for (i = 0; w && w[i]; i++)
        alnum |= (unsigned char)w[i] >= 0x80 || (w[i] >= '0' && w[i] <= '9') ||
                 ((w[i] | 0x20) >= 'a' && (w[i] | 0x20) <= 'z');
    rule = w && w[0] && strspn(w, "|[]") == strlen(w); /* a table's rule, however sure */
    tess.TessDeleteText(w);
    return conf < OCR_MIN_CONF || (!alnum && conf < OCR_MARK_CONF) || rule;
}

/* Tesseract's point size for the word at ri, else from the line's box (a line of text is
 * about 1.2 em high). */
static float word_guess(TessResultIterator *ri, TessPageIterator *pi, double k)
{
    BOOL bold, italic, under, mono, serif, caps;
    int x0, y0, x1, y1, pt = 0, font;

    if (tess.TessResultIteratorWordFontAttributes(ri, &bold, &italic, &under, &mono, &serif, &caps,
                                                  &pt, &font) &&
        pt > 0)
        return (float)pt;
    if (!tess.TessPageIteratorBoundingBox(pi, RIL_TEXTLINE, &x0, &y0, &x1, &y1))
        return 10;
    return (float)((y1 - y0) * k / 1.2);
}

/* Whether w has a character that reaches the cap height: a capital, a digit, an ascender. */
static int tall_word(const char *w)
{
    for (; *w; w++)
        if ((*w >= 'A' && *w <= 'Z') || (*w >= '0' && *w <= '9') || strchr("bdfhkl", *w))
            return 1;
    return 0;
}

/* A line's words as they come: the heights above the baseline of its tall ones. Tesseract's
 * own point sizes wander by a third from word to word (a paragraph's last line "2028." 7 pt
 * under lines of 14), which broke paragraphs before their last line; a capital's or an
 * ascender's height is steady within a pixel or two. */
struct line {
    double tall[64];
    size_t n, from;
    float guess;
};

/* The word's baseline (y at its middle), noting its height above it when it is tall; the
 * bottom of its box when Tesseract has no baseline for it. */
static int line_word(struct line *ln, TessPageIterator *pi, const char *w, int y0, int y1, double k)
{
    int bx0, by0, bx1, by1, base;

    if (!tess.TessPageIteratorBaseline(pi, RIL_WORD, &bx0, &by0, &bx1, &by1) ||
        (base = (by0 + by1) / 2) <= y0)
        return y1;
    if (ln->n < sizeof(ln->tall) / sizeof(ln->tall[0]) && tall_word(w))
        ln->tall[ln->n++] = (base - y0) * k / OCR_CAP_EM;
    return base;
}

/* The line's characters from cs->c[ln->from] on get its size, the median of its tall words'
 * (else Tesseract's guess for its first word), and boxes of that size on their baseline, as a
 * PDF's characters have: a box's bottom from its word's ink (a "g", a speck) would move it
 * off the line. */
static void line_end(struct chars *cs, struct line *ln)
{
    float size = ln->n ? (float)median(ln->tall, ln->n) : ln->guess;
    size_t i;

    for (i = ln->from; i < cs->n; i++) {
        struct layout_char *c = &cs->c[i];
        c->size = size;
        if (c->u[0] != ' ' && c->u[0] != '\n') {
            c->y0 = c->y1 - OCR_ASCENT_EM * size;
            c->y1 += OCR_DESCENT_EM * size;
        }
    }
    ln->n = 0;
}

/* Whether w is a paragraph's number as "§ 58," writes it: one to three digits, no leading
 * zero, and with three, punctuation after them ("8 123 kronor" is money). */
static int section_number(const char *w)
{
    size_t d = strspn(w, "0123456789");

    if (!d || d > 3 || w[0] == '0')
        return 0;
    return w[d] ? strchr(",.;:)/", w[d]) != NULL : d < 3;
}

static int capital(const char *w)
{
    return (w[0] >= 'A' && w[0] <= 'Z') ||
           (w[0] == '\xc3' && (w[1] == '\x84' || w[1] == '\x85' || w[1] == '\x96')); /* ÄÅÖ */
}

/* A law's abbreviation as a paragraph's reference ends with ("PBL", "MB", "KL."). */
static int law_abbreviation(const char *w)
{
    size_t n = strspn(w, "ABCDEFGHIJKLMNOPQRSTUVWXYZÅÄÖ");

    return n >= 2 && n <= 8 && (!w[n] || (strchr(".,;:)", w[n]) && !w[n + 1]));
}

/* Tesseract's Swedish model reads "§" as "$" (see sections()), "&" or "8". A lone "&" before a
 * paragraph's number, a lone "8" between a comma and one ("ärendet, 8 58,"), one that starts a
 * line before a number and a capital (a heading, "8 76 Svar på motion"), or one after a
 * paragraph's number that a chapter or a law's abbreviation goes with ("11 kap. 10 8",
 * "10 8 PBL") becomes "§" once the words around it show it. */
struct sign {
    size_t at;       /* the character that may be "§", or SIZE_MAX */
    int need;        /* 1: a paragraph's number; 2: a bare number, then 3: a capital; 4: a law's
                        abbreviation */
    int comma;       /* the word before ended in a comma */
    int prev, prev2; /* the two words before: 1 "kap.", 2 a bare paragraph number, else 0 */
    int weak;        /* the character at at was recognized as noise: a space unless it is "§" */
};

/* Whether w, which Tesseract is barely sure of, may still be a "§" read as "&" or "8" right
 * after a paragraph's number ("6 & MB"): section_sign judges it by the word after. */
static int sign_like(const struct sign *sg, const char *w)
{
    return sg->prev == 2 && (!strcmp(w, "&") || !strcmp(w, "8"));
}

/* Takes word w, about to be put at cs->c[cs->n]; line_start: it begins a line. Returns the
 * word to put: w, or "§" where the words before it show it is one. */
static const char *section_sign(struct chars *cs, struct sign *sg, const char *w, int line_start,
                                int weak)
{
    int after_number = sg->prev == 2 && !line_start, after_chapter = after_number && sg->prev2 == 1,
        comma = sg->comma, eight = !strcmp(w, "8"), fix = 0, like = eight || !strcmp(w, "&");

    sg->prev2 = sg->prev;
    sg->prev = !strcmp(w, "kap.") || !strcmp(w, "kap")            ? 1
               : section_number(w) && !w[strspn(w, "0123456789")] ? 2
                                                                  : 0;
    sg->comma = w[0] && w[strlen(w) - 1] == ',';
    if (sg->at != SIZE_MAX) {
        if (sg->need == 2 && sg->prev == 2) {
            sg->need = 3;
            return w;
        }
        fix = sg->need == 1   ? section_number(w)
              : sg->need == 4 ? law_abbreviation(w)
                              : sg->need == 3 && capital(w);
    }
    if (sg->at != SIZE_MAX && (fix || sg->weak)) {
        memset(cs->c[sg->at].u, 0, sizeof(cs->c[sg->at].u));
        memcpy(cs->c[sg->at].u, fix ? "\xc2\xa7" : " ", fix ? 2 : 1);
    }
    sg->at = SIZE_MAX;
    sg->weak = weak;
    if (like && after_chapter)
        return "\xc2\xa7"; /* "11 kap. 10 8" */
    if (like && after_number)
        sg->at = cs->n, sg->need = 4;
    else if (!strcmp(w, "&") || (comma && eight))
        sg->at = cs->n, sg->need = 1;
    else if (line_start && eight)
        sg->at = cs->n, sg->need = 2;
    return w;
}

/* w with each "$" made "§" in out (of cap bytes), when it has one and fits: the Swedish
 * model reads "§" as "$" more often than not ("3 kap. 16 $ plan- och bygglagen", "4$ MB"),
 * and a Swedish public document has "§" where it has "$". */
static const char *sections(const char *w, char *out, size_t cap)
{
    size_t i, n = 0;

    if (!strchr(w, '$'))
        return w;
    for (i = 0; w[i] && n + 3 < cap; i++)
        if (w[i] == '$')
            out[n++] = '\xc2', out[n++] = '\xa7';
        else
            out[n++] = w[i];
    if (w[i])
        return w;
    out[n] = '\0';
    return out;
}

/* A word's characters, each given an even share of the word's box: Tesseract's boxes of
 * single symbols are rough, and an "ä"'s dots can lift it off its line. */
static void put_word(struct chars *cs, const char *w, const struct place *pl, int x0, int y0,
                     int x1, int y1, float size)
{
    size_t n = 0, i, k, j = 0, len = strlen(w);
    uint32_t c;
    double step;

    for (i = 0; i < len; i += k ? k : 1, n++)
        k = utf8_decode(w + i, len - i, &c);
    step = (x1 - x0) / (double)(n ? n : 1);
    for (i = 0; i < len; i += k ? k : 1, j++) {
        char u[5] = {0};
        k = utf8_decode(w + i, len - i, &c);
        memcpy(u, w + i, k && k < 5 ? k : 1);
        put(cs, u, pl, x0 + step * j, y0, x0 + step * (j + 1), y1, size);
    }
}

/* OCR's sizes wander from line to line (ascenders, descenders): the lines within a sixth of
 * the page's commonest size are given it, so that a paragraph's lines join. */
static void even_sizes(struct chars *cs)
{
    double *z = xmalloc((cs->n ? cs->n : 1) * sizeof(*z));
    size_t i, n = 0;
    float mid;

    for (i = 0; i < cs->n; i++)
        if (cs->c[i].u[0] != ' ' && cs->c[i].u[0] != '\n')
            z[n++] = cs->c[i].size;
    if (n) {
        mid = (float)median(z, n);
        for (i = 0; i < cs->n; i++)
            if (fabsf(cs->c[i].size - mid) < mid / 6)
                cs->c[i].size = mid;
    }
    free(z);
}

/* The recognized page's words into cs; sv: read with the Swedish model. */
/* Whether the word at pi is in a block set upright. */
static int upright(TessPageIterator *pi)
{
    TessOrientation o = ORIENTATION_PAGE_UP;
    TessWritingDirection wd;
    TessTextlineOrder tl;
    float deskew;

    tess.TessPageIteratorOrientation(pi, &o, &wd, &tl, &deskew);
    return o == ORIENTATION_PAGE_UP;
}

/* Whether the page's words set sideways are to be left out: a stamp or an imprint in the
 * margin ("2023-01-31 KS 2013-389"), as a text PDF's sideways margin text is, but not a page
 * mostly set sideways. pi is at the first word again after. */
static int drop_sideways(TessResultIterator *ri, TessPageIterator *pi)
{
    size_t up = 0, side = 0;

    do
        *(upright(pi) ? &up : &side) += 1;
    while (tess.TessResultIteratorNext(ri, RIL_WORD));
    tess.TessPageIteratorBegin(pi);
    return side && up > side;
}

static void collect(TessBaseAPI *api, const struct place *pl, struct chars *cs, int sv)
{
    TessResultIterator *ri = tess.TessBaseAPIGetIterator(api);
    TessPageIterator *pi;
    struct line ln = {.n = 0};
    struct sign sg = {.at = SIZE_MAX};
    char fixed[128];
    int x0, y0, x1, y1, drop, noise;

    if (!ri)
        return;
    pi = tess.TessResultIteratorGetPageIterator(ri);
    drop = drop_sideways(ri, pi);
    do {
        char *w;
        const char *t;
        int line_start = tess.TessPageIteratorIsAtBeginningOf(pi, RIL_TEXTLINE);
        if (line_start) {
            if (cs->n) {
                line_end(cs, &ln);
                put(cs, "\n", pl, 0, 0, 0, 0, cs->c[cs->n - 1].size);
            }
            ln.from = cs->n;
            ln.guess = word_guess(ri, pi, pl->k);
        } else {
            put(cs, " ", pl, 0, 0, 0, 0, ln.guess);
        }
        if ((drop && !upright(pi)) ||
            !tess.TessPageIteratorBoundingBox(pi, RIL_WORD, &x0, &y0, &x1, &y1) ||
            !(w = tess.TessResultIteratorGetUTF8Text(ri, RIL_WORD)))
            continue;
        noise = noise_word(ri);
        if (noise && !(sv && sign_like(&sg, w))) {
            tess.TessDeleteText(w);
            continue;
        }
        t = sv ? sections(w, fixed, sizeof(fixed)) : w;
        t = section_sign(cs, &sg, t, line_start, noise);
        put_word(cs, t, pl, x0, y0, x1, line_word(&ln, pi, t, y0, y1, pl->k), ln.guess);
        tess.TessDeleteText(w);
    } while (tess.TessResultIteratorNext(ri, RIL_WORD));
    line_end(cs, &ln);
    tess.TessResultIteratorDelete(ri);
    even_sizes(cs);
}

/* The row where a page's first band ends (ocr_read_pages): the middle of the first gap of
 * OCR_BAND_GAP points between lines, no pixel darker than OCR_INK across the whole width,
 * below OCR_BAND_MIN of the page with ink above it and above OCR_BAND_MAX; 0 when there is
 * none (a turned scan's lines leave no such row: it is read whole). */
static int band_cut(const unsigned char *g, int w, int h, int dpi)
{
    int y, x, run = 0, inked = 0, need = dpi * OCR_BAND_GAP / 72;

    for (y = 0; y < (int)(OCR_BAND_MAX * h); y++) {
        int dark = 0;
        for (x = 0; x < w && dark <= 2; x++)
            dark += g[(size_t)y * w + x] < OCR_INK;
        if (dark > 2) {
            inked = 1;
            run = 0;
        } else if (++run >= need && inked && y - run >= (int)(OCR_BAND_MIN * h)) {
            return y - run / 2;
        }
    }
    return 0;
}

/* A page's image to recognize (render_band): the rows [top, top + rows) of a w x h grey
 * rendering at dpi of a page pw x ph points; grey NULL when there is nothing to read. */
struct band {
    unsigned char *grey;
    int w, top, rows, dpi;
    double pw, ph;
};

/* Renders page n of doc whole (band 0), or the band of it above (1) or below (2) band_cut; a
 * page with no cut is read whole as band 1 and not at all as band 2. */
static int render_band(PopplerDocument *doc, int n, int band, struct band *b, struct err *e)
{
    PopplerPage *pg = poppler_document_get_page(doc, n);
    int h, cut = 0;

    memset(b, 0, sizeof(*b));
    if (!pg)
        return LY_OK;
    poppler_page_get_size(pg, &b->pw, &b->ph);
    /* the first band needs only the rows band_cut looks at rendered, unless it finds none */
    b->grey = render_grey(pg, band == 1 ? OCR_BAND_MAX : 0, &b->w, &h, &b->rows, &b->dpi);
    if (b->grey && band && !(cut = band_cut(b->grey, b->w, h, b->dpi)) && b->rows < h) {
        free(b->grey);
        b->grey = render_grey(pg, 0, &b->w, &h, &b->rows, &b->dpi);
    }
    g_object_unref(pg);
    if (!b->grey)
        return err_set(e, LY_ETOOBIG,
                       "page %d of the scan is too large to recognize (at most %u megapixels at "
                       "%d dpi)",
                       n + 1, OCR_MAX_PIXELS >> 20, OCR_MIN_DPI);
    if (band == 2 && !cut) {
        free(b->grey);
        b->grey = NULL;
    }
    b->top = band == 2 ? cut : 0;
    b->rows = band == 1 && cut ? cut : h - b->top;
    return LY_OK;
}

/* Recognizes b (page n) into l, held to caps->max_text; frees b's pixels. */
static int read_band(TessBaseAPI *api, struct band *b, int n, int sv,
                     const struct document_caps *caps, struct layout *l, struct err *e)
{
    struct chars cs = {0};
    struct place pl = {.k = 72.0 / b->dpi, .oy = b->top};
    int rc = LY_OK;

    if (!b->grey)
        return LY_OK;
    /* a band's rows as an image of their own (a rectangle set on the page was read as noise) */
    tess.TessBaseAPISetImage(api, b->grey + (size_t)b->top * (size_t)b->w, b->w, b->rows, 1, b->w);
    tess.TessBaseAPISetSourceResolution(api, b->dpi);
    if (tess.TessBaseAPIRecognize(api, NULL)) {
        rc = err_set(e, LY_EPARSE, "text recognition failed on page %d of the scan", n + 1);
    } else {
        pl.s = page_skew(api);
        collect(api, &pl, &cs, sv);
    }
    layout_add_page(l, cs.c, cs.n, b->pw, b->ph);
    tess.TessBaseAPIClear(api);
    free(cs.c);
    free(b->grey);
    b->grey = NULL;
    if (!rc && layout_chars(l) > caps->max_text)
        rc = err_set(e, LY_ETOOBIG, "the document's text is over the limit of %zu bytes",
                     caps->max_text);
    return rc;
}

/* Tesseract with a language's model, started on a thread of its own (tess_start) while the
 * first page renders: loading the model takes about as long as rendering a page. */
struct tess_start {
    const char *model;
    TessBaseAPI *api; /* NULL when it could not start: tess_missing, else the model */
};

static void *tess_start(void *arg)
{
    struct tess_start *ts = arg;

    pthread_once(&tess_once, tess_open);
    if (tess_missing)
        return NULL;
    ts->api = tess.TessBaseAPICreate();
    if (tess.TessBaseAPIInit3(ts->api, NULL, ts->model)) {
        tess.TessBaseAPIDelete(ts->api);
        ts->api = NULL;
    } else {
        tess.TessBaseAPISetPageSegMode(ts->api, PSM_AUTO);
    }
    return NULL;
}

int ocr_read_pages(PopplerDocument *doc, const int range[2], int band, int pages, const char *lang,
                   const struct document_caps *caps, struct layout *l, struct err *e)
{
    struct tess_start ts = {.model = model_of(lang)};
    struct band b;
    pthread_t t;
    int i, rc, started, sv = !strcmp(ts.model, "swe"); /* sections(): the Swedish model's "$" */

    if (pages > caps->max_ocr_pages)
        return err_set(e, LY_ETOOBIG,
                       "the PDF is a scan of %d pages; text recognition reads at most %d", pages,
                       caps->max_ocr_pages);
    if (range[0] >= range[1] && band != 2)
        return LY_OK;
    if (caps->on_scan)
        caps->on_scan();
    started = !pthread_create(&t, NULL, tess_start, &ts);
    /* the rest of the first page comes before the range */
    i = band == 2 ? 0 : range[0];
    rc = render_band(doc, i, band, &b, e);
    if (started)
        pthread_join(t, NULL);
    else
        tess_start(&ts);
    if (!ts.api) {
        free(b.grey);
        if (tess_missing)
            return err_set(e, LY_EIO,
                           "text recognition is not installed: %s (Debian: libtesseract%d)",
                           tess_missing, TESSERACT_MAJOR_VERSION);
        return err_set(e, LY_EIO,
                       "the text recognition model '%s' is not installed "
                       "(Debian: tesseract-ocr-%s)",
                       ts.model, ts.model);
    }
    if (!rc)
        rc = read_band(ts.api, &b, i, sv, caps, l, e);
    for (i = band == 2 ? range[0] : range[0] + 1; i < range[1] && !rc; i++)
        if (!(rc = render_band(doc, i, band, &b, e)))
            rc = read_band(ts.api, &b, i, sv, caps, l, e);
    tess.TessBaseAPIEnd(ts.api);
    tess.TessBaseAPIDelete(ts.api);
    return rc;
}
