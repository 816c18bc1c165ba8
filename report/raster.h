/* raster.h - a figure (figure.h) drawn into RGBA pixels for the PNG files:
 * antialiased lines and circles by distance to the shape, rectangles with
 * partial edge coverage, text in the 5 x 7 bitmap font, images scaled by
 * nearest neighbour or bilinearly. */
#ifndef CS_RASTER_H
#define CS_RASTER_H

#include "figure.h"

#include <stdint.h>

/* Draw f at `scale` device pixels per figure pixel on white.  *rgba is
 * malloc'd, (*w) * (*h) * 4 bytes. */
int cs_raster_fig(const cs_fig *f, int scale, uint8_t **rgba, int *w, int *h);

#endif
