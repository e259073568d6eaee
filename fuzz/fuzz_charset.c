/* fuzz_charset.c -- charset detection and decoding (charset.h): any bytes as a page, with an
 * HTTP charset label chosen by the last byte; decoded with the charset detected and with a
 * second one chosen by the first byte; the first bytes also as an encoding label. Checks that
 * the output is valid UTF-8 without NUL bytes. */
#include "fuzz.h"

#include <string.h>

#include "base/base.h"
#include "extract/charset.h"

#include "banned.h"

static const char *const labels[] = {NULL,       "utf-8",       "latin1",    "windows-1252",
                                     "utf-16le", "utf-16be",    "shift_jis", "euc-jp",
                                     "koi8-r",   "iso-2022-jp", "gb18030",   "big5",
                                     "x-bogus",  "UTF8",        " utf-8 ",   ""};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    return 0;
}

static void decode(const uint8_t *data, size_t size, const char *charset, size_t max)
{
    struct buf out;
    struct err e = {0};

    buf_init(&out, max);
    if (!charset_decode((const char *)data, size, charset, &out, &e)) {
        fuzz_check(utf8_valid(out.data, out.len, NULL), "decoded text is valid UTF-8");
        fuzz_check(strlen(out.data) == out.len, "decoded text has no NUL byte");
    }
    buf_release(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *http = labels[size ? data[size - 1] % 16 : 0], *cs, *other;
    char label[33];
    size_t bom = 0, n = size < 32 ? size : 32;

    cs = charset_detect((const char *)data, size, http, &bom);
    fuzz_check(cs && bom <= size, "a charset and a BOM inside the page");
    decode(data + bom, size - bom, cs, BUF_NOLIMIT);
    other = charset_canonical(labels[size ? 1 + data[0] % 15 : 1]);
    if (other)
        decode(data, size, other, size + 16);
    memcpy(label, data, n);
    label[n] = '\0';
    charset_canonical(label);
    return 0;
}
