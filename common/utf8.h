/* utf8.h - cutting text to a width without splitting a character.
 *
 * Names that come from datasets (class names) are shown in fixed-width
 * places: select's table, the report's figures.  snprintf's %.Ns counts
 * bytes, so a cut can land inside a multi-byte character and leave invalid
 * UTF-8 that strict readers (Python's utf-8 codec, HTML validators) refuse. */
#ifndef CS_UTF8_H
#define CS_UTF8_H

#include <stddef.h>

/* Copies at most max bytes of src into dst (size > max), ending at a
 * character boundary; returns dst. */
char *cs_utf8_prefix(char *dst, size_t size, const char *src, size_t max);

#endif
