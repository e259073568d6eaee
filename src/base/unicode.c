/* unicode.c -- Unicode properties the normalizer needs beyond Swedish letters: whether a
 * code point is assigned (glibc's C.UTF-8 locale knows, through iswprint_l: an unassigned
 * code point is no printable character) and the value of decimal digits of other scripts.
 * The locale is made once and only read afterwards: thread-safe. */
#include "unicode.h"

#include <locale.h>
#include <pthread.h>
#include <wctype.h>

#include "banned.h"

static locale_t utf8_locale;
static pthread_once_t utf8_once = PTHREAD_ONCE_INIT;

static void make_locale(void)
{
    utf8_locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
}

int unicode_is_assigned(uint32_t c)
{
    pthread_once(&utf8_once, make_locale);
    if (!utf8_locale || c < 0x80)
        return 1;
    /* white space and format characters (soft hyphen, joiners) are printable or spaces */
    return iswprint_l((wint_t)c, utf8_locale) || iswspace_l((wint_t)c, utf8_locale);
}

/* The first code point (the zero) of every run of ten decimal digits in Unicode 15 (general
 * category Nd), ascending. Mathematical digits come in five runs at U+1D7CE. */
static const uint32_t digit_zeros[] = {
    0x0030,  0x0660,  0x06F0,  0x07C0,  0x0966,  0x09E6,  0x0A66,  0x0AE6,  0x0B66,  0x0BE6,
    0x0C66,  0x0CE6,  0x0D66,  0x0DE6,  0x0E50,  0x0ED0,  0x0F20,  0x1040,  0x1090,  0x17E0,
    0x1810,  0x1946,  0x19D0,  0x1A80,  0x1A90,  0x1B50,  0x1BB0,  0x1C40,  0x1C50,  0xA620,
    0xA8D0,  0xA900,  0xA9D0,  0xA9F0,  0xAA50,  0xABF0,  0xFF10,  0x104A0, 0x10D30, 0x11066,
    0x110F0, 0x11136, 0x111D0, 0x112F0, 0x11450, 0x114D0, 0x11650, 0x116C0, 0x11730, 0x118E0,
    0x11950, 0x11C50, 0x11D50, 0x11DA0, 0x11F50, 0x16A60, 0x16AC0, 0x16B50, 0x1D7CE, 0x1D7D8,
    0x1D7E2, 0x1D7EC, 0x1D7F6, 0x1E140, 0x1E2F0, 0x1E4F0, 0x1E950, 0x1FBF0};

int unicode_digit_value(uint32_t c)
{
    size_t lo = 0, hi = sizeof(digit_zeros) / sizeof(digit_zeros[0]), mid;

    /* the last run that starts at or before c */
    while (hi - lo > 1) {
        mid = (lo + hi) / 2;
        if (digit_zeros[mid] <= c)
            lo = mid;
        else
            hi = mid;
    }
    return c >= digit_zeros[lo] && c < digit_zeros[lo] + 10 ? (int)(c - digit_zeros[lo]) : -1;
}
