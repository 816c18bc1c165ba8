/* numtext.h - a double as the shortest decimal that reads back as exactly it.
 *
 * Whatever records a parameter for later (index-file headers, scores.h5
 * parameter strings, --print-config, range messages) must write the value
 * that was used: %g turns 0.123456789 into 0.123457, and %.17g turns 0.1 into
 * 0.10000000000000001.  This writes "0.123456789" and "0.1". */
#ifndef CS_NUMTEXT_H
#define CS_NUMTEXT_H

#include <stddef.h>

/* Writes v into buf (size >= 32 always holds it); returns buf.  NaN and
 * infinities come out as printf writes them ("nan", "inf", "-inf"). */
char *cs_double_text(double v, char *buf, size_t size);

#endif
