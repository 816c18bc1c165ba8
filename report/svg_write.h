/* svg_write.h - a figure (figure.h) as inline SVG for the HTML page: no
 * scripts, no external references; images become data: URIs holding PNGs. */
#ifndef CS_SVG_WRITE_H
#define CS_SVG_WRITE_H

#include "figure.h"

#include <stdio.h>

/* Write `<svg ...>...</svg>` with `title` as its accessible name. */
int cs_svg_write(FILE *fp, const cs_fig *f, const char *title);

/* Write s with &, <, > and " escaped (for text and attribute values). */
void cs_html_escape(FILE *fp, const char *s);

#endif
