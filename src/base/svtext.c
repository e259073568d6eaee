/* svtext.c -- letters, case and white space in UTF-8 without a locale. Only ASCII and the
 * Latin-1 block are case-folded, which covers Swedish (å ä ö é ü); other scripts compare as
 * bytes. Pure functions: thread-safe. */
#include "svtext.h"

#include <string.h>

#include "utf8.h"

#include "banned.h"

size_t svtext_cp(const char *s, size_t n, size_t i, uint32_t *cp)
{
    if (i >= n)
        return 0;
    return utf8_decode(s + i, n - i, cp);
}

size_t svtext_cp_before(const char *s, size_t i, uint32_t *cp)
{
    size_t k = 0;

    while (k < i && k < 4) {
        k++;
        if (((unsigned char)s[i - k] & 0xC0) != 0x80)
            return utf8_decode(s + i - k, k, cp) == k ? k : 0;
    }
    return 0;
}

int svtext_is_letter(uint32_t c)
{
    if (c < 0x80)
        return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
    if (c < 0xC0)
        return c == 0xAA || c == 0xB5 || c == 0xBA;
    if (c < 0x2000)
        return c != 0xD7 && c != 0xF7;
    return c >= 0x2E80 && !(c >= 0xFE00 && c <= 0xFE6F) && !(c >= 0xFF00 && c <= 0xFF20) &&
           c < 0x1F000;
}

int svtext_is_upper(uint32_t c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 0xC0 && c <= 0xDE && c != 0xD7);
}

int svtext_is_space(uint32_t c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f' || c == 0xA0 ||
           c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x202F || c == 0x205F ||
           c == 0x3000 || c == 0x2028 || c < 0x20 || (c >= 0x7F && c <= 0x9F);
}

int svtext_is_dash(uint32_t c)
{
    return c == '-' || (c >= 0x2010 && c <= 0x2015) || c == 0x2212 || c == 0xFE63 || c == 0xFF0D;
}

size_t svtext_word_len(const char *s, size_t n, size_t i)
{
    size_t at = i, k;
    uint32_t c;

    while ((k = svtext_cp(s, n, at, &c)) && svtext_is_letter(c))
        at += k;
    return at - i;
}

size_t svtext_digits_len(const char *s, size_t n, size_t i)
{
    size_t at = i;

    while (at < n && s[at] >= '0' && s[at] <= '9')
        at++;
    return at - i;
}

size_t svtext_space_len(const char *s, size_t n, size_t i)
{
    size_t at = i, k;
    uint32_t c;

    while ((k = svtext_cp(s, n, at, &c)) && svtext_is_space(c))
        at += k;
    return at - i;
}

/* The folded form of byte s[i], given the byte before it (0 at the start). */
static char fold_byte(unsigned char prev, unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return (char)(c | 0x20);
    if (prev == 0xC3 && c >= 0x80 && c <= 0x9E && c != 0x97)
        return (char)(c + 0x20);
    return (char)c;
}

void svtext_fold(const char *s, size_t n, char *out)
{
    size_t i;

    for (i = 0; i < n; i++)
        out[i] = fold_byte(i ? (unsigned char)s[i - 1] : 0, (unsigned char)s[i]);
}

int svtext_fold_eq(const char *s, size_t n, const char *key)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (!key[i] || fold_byte(i ? (unsigned char)s[i - 1] : 0, (unsigned char)s[i]) != key[i])
            return 0;
    return key[n] == '\0';
}

static size_t prefix(const char *s, size_t n, const char *key, int fold)
{
    size_t i = 0, k, sp;

    for (k = 0; key[k]; k++) {
        if (key[k] == ' ') {
            sp = svtext_space_len(s, n, i);
            if (!sp)
                return 0;
            i += sp;
            continue;
        }
        if (i >= n)
            return 0;
        if ((fold ? fold_byte(i ? (unsigned char)s[i - 1] : 0, (unsigned char)s[i]) : s[i]) !=
            key[k])
            return 0;
        i++;
    }
    return i;
}

size_t svtext_fold_prefix(const char *s, size_t n, const char *key)
{
    return prefix(s, n, key, 1);
}

size_t svtext_prefix(const char *s, size_t n, const char *key)
{
    return prefix(s, n, key, 0);
}

int svtext_same_lang(const char *a, const char *b)
{
    size_t la = strcspn(a, "-_"), lb = strcspn(b, "-_"), i;

    if (la != lb)
        return 0;
    for (i = 0; i < la; i++)
        if ((a[i] | 0x20) != (b[i] | 0x20))
            return 0;
    return 1;
}
