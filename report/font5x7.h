/* font5x7.h - the rasteriser's bitmap font (5 columns x 7 rows per glyph). */
#ifndef CS_FONT5X7_H
#define CS_FONT5X7_H

#include <stdint.h>

#define CS_FONT_W 5
#define CS_FONT_H 7

/* The 7 rows of a code point's glyph (bit 4 = leftmost column); a hollow box
 * for characters the font lacks. */
const uint8_t *cs_font_glyph(uint32_t cp);
/* Decode one UTF-8 character at *s and advance past it (U+FFFD if malformed). */
uint32_t cs_utf8_next(const char **s);

#endif
