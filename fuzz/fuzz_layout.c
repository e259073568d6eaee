/* fuzz_layout.c -- the PDF layout code (layout.c, layout_read.c, layout_note.c): any bytes as pages
 * of positioned characters, as pdf.c would give it from poppler, hostile boxes included (NaN,
 * overlapping, huge, negative, zero sizes). Each 8 bytes are one character: a byte picks it
 * from a small alphabet of letters, digits, hyphens, dashes, bullets, spaces and line ends
 * (0xff starts a new page), then x, y, width, height, size and bold (small raised digits are
 * footnote marks, small lines at a page foot footnotes). Checks that every block
 * and caption (layout_captions) is valid UTF-8 on one line, and layout_page_number and
 * layout_join_line on the same bytes. */
#include "fuzz.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "extract/docbuild.h"
#include "extract/extract.h"
#include "extract/layout.h"

#include "banned.h"

static const char *const alphabet[] = {"a",
                                       "e",
                                       "k",
                                       "o",
                                       "s",
                                       "t",
                                       "n",
                                       "r",
                                       "ä",
                                       "ö",
                                       "å",
                                       "A",
                                       "S",
                                       "K",
                                       "1",
                                       "2",
                                       "3",
                                       "0",
                                       " ",
                                       " ",
                                       " ",
                                       "\n",
                                       "\n",
                                       "-",
                                       "\xE2\x80\x93",
                                       "\xC2\xAD",
                                       ".",
                                       ",",
                                       ":",
                                       "\xE2\x80\xA2",
                                       "(",
                                       ")",
                                       "/",
                                       "\t",
                                       "",
                                       "\xEF\xBF\xBD",
                                       "F",
                                       "i",
                                       "g",
                                       "u"};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    return 0;
}

static double coord(uint8_t b, uint8_t c)
{
    if (b == 0xfe)
        return NAN;
    if (b == 0xfd)
        return 1e30;
    return ((b << 8) | c) / 64.0 - 100;
}

static void check_blocks(struct docbuild *d)
{
    size_t i, n;

    for (i = 0; i < d->list.n; i++) {
        n = strlen(d->list.blocks[i].text);
        fuzz_check(n > 0 && !strchr(d->list.blocks[i].text, '\n'), "a block is one line");
        fuzz_check(utf8_valid(d->list.blocks[i].text, n, NULL), "a block is valid UTF-8");
    }
}

static void check_caption(void *ctx, int page, const char *text)
{
    (void)ctx;
    fuzz_check(page >= 0 && *text && !strchr(text, '\n'), "a caption is one line of a page");
    fuzz_check(utf8_valid(text, strlen(text), NULL), "a caption is valid UTF-8");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct layout_char *c = xcalloc(size / 8 + 1, sizeof(*c));
    struct layout *l = layout_new();
    struct docbuild d;
    struct buf b;
    size_t i, n = 0;

    docbuild_init(&d, 1u << 16, NULL);
    for (i = 0; i + 8 <= size; i += 8) {
        const uint8_t *p = data + i;
        if (p[0] == 0xff) {
            layout_add_page(l, c, n, 595, 842);
            n = 0;
            continue;
        }
        snprintf(c[n].u, sizeof(c[n].u), "%s",
                 alphabet[p[0] % (sizeof(alphabet) / sizeof(*alphabet))]);
        c[n].x0 = coord(p[1], p[2]);
        c[n].y0 = coord(p[3], p[4]);
        c[n].x1 = c[n].x0 + p[5] / 8.0;
        c[n].y1 = c[n].y0 + p[6] / 8.0;
        c[n].size = (float)(p[7] & 0x3f);
        c[n].bold = p[7] >> 7;
        n++;
    }
    layout_add_page(l, c, n, 595, 842);
    layout_captions(l, check_caption, NULL);
    layout_finish(l, NULL, &d);
    check_blocks(&d);
    layout_page_number((const char *)data, size);
    buf_init(&b, BUF_NOLIMIT);
    if (utf8_valid((const char *)data, size / 2, NULL)) {
        buf_add(&b, data, size / 2, NULL);
        layout_join_line(&b, (const char *)data + size / 2, size - size / 2);
    }
    buf_release(&b);
    docbuild_release(&d);
    layout_free(l);
    free(c);
    return 0;
}
