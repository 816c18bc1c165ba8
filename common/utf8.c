/* utf8.c - cut text at a character boundary (see utf8.h). */
#include "utf8.h"

#include <string.h>

char *cs_utf8_prefix(char *dst, size_t size, const char *src, size_t max)
{
    if (!size)
        return dst;
    size_t n = strlen(src);
    if (n > max)
        n = max;
    if (n > size - 1)
        n = size - 1;
    /* The cut splits a character when the first byte left out continues
     * one (10xxxxxx): back off to that character's lead byte. */
    const unsigned char *s = (const unsigned char *)src;
    while (n > 0 && (s[n] & 0xC0) == 0x80)
        n--;
    memcpy(dst, src, n);
    dst[n] = 0;
    return dst;
}
