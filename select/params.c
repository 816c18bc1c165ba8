/* params.c - the parser and the text of the order option (hard, easy,
 * band:LO:HI), shared by the CLI and the index-file header so both spell it
 * the same way.  The names of the rules and quota modes are their tables'
 * (rules.c, quota_modes.c). */
#include "select.h"

#include "../common/err.h"
#include "../common/numtext.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One bound of a band: a plain decimal number, nothing after it. */
static int parse_bound(const char *s, const char *end, double *v)
{
    char *e;
    *v = strtod(s, &e);
    return e == s || e != end;
}

int cs_order_parse(const char *s, cs_order *o, double *lo, double *hi)
{
    if (strcmp(s, "hard") == 0 || strcmp(s, "easy") == 0) {
        *o = s[0] == 'h' ? CS_ORDER_HARD : CS_ORDER_EASY;
        return 0;
    }
    if (strncmp(s, "band", 4) != 0 || (s[4] != ':' && s[4] != ' '))
        return cs_error(CS_EINVAL, "unknown order '%s' (hard, easy, band:LO:HI)", s);
    const char *a = s + 5, *colon = strchr(a, ':');
    double l, h;
    if (!colon || parse_bound(a, colon, &l) || parse_bound(colon + 1, colon + 1 + strlen(colon + 1), &h))
        return cs_error(CS_EINVAL, "order '%s': a band is written band:LO:HI, e.g. band:0.25:0.75",
                        s);
    if (!(l >= 0.0 && h <= 1.0))
        return cs_error(CS_EINVAL, "order '%s': bounds must lie in [0, 1]", s);
    if (!(l <= h))
        return cs_error(CS_EINVAL, "order '%s': LO is above HI", s);
    *o = CS_ORDER_BAND;
    *lo = l;
    *hi = h;
    return 0;
}

void cs_order_format(cs_order o, double lo, double hi, char *buf, int size)
{
    char l[32], h[32];
    if (o == CS_ORDER_BAND)
        snprintf(buf, (size_t)size, "band:%s:%s", cs_double_text(lo, l, sizeof l), cs_double_text(hi, h, sizeof h));
    else
        snprintf(buf, (size_t)size, "%s", o == CS_ORDER_EASY ? "easy" : "hard");
}
