/* png_write.h - RGBA pixels to PNG with libpng: into memory (the page's
 * data: URIs) or into a file, atomically (common/fsio.h). */
#ifndef CS_PNG_WRITE_H
#define CS_PNG_WRITE_H

#include <stddef.h>
#include <stdint.h>

/* rgba: w * h * 4 bytes, rows top to bottom.  *out is malloc'd. */
int cs_png_encode(const uint8_t *rgba, int w, int h, uint8_t **out, size_t *len);
int cs_png_write_file(const char *path, const uint8_t *rgba, int w, int h);

#endif
