/* numtext.c - shortest round-trip decimal text of a double (see numtext.h). */
#include "numtext.h"

#include <stdio.h>
#include <stdlib.h>

char *cs_double_text(double v, char *buf, size_t size)
{
    /* 17 significant digits always round-trip a binary64; try fewer first,
     * from 6 (%g's own), below which 100 would print as "1e+02".  %g drops
     * trailing zeros, so 0.5 is still "0.5".  NaN never compares equal and
     * ends at 17 digits, which print "nan". */
    for (int digits = 6; digits <= 17; digits++) {
        snprintf(buf, size, "%.*g", digits, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    return buf;
}
