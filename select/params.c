/* params.c - names and parsers for the selection options, shared by the
 * CLI and the index-file header so both spell them the same way. */
#include "select.h"

#include "../common/err.h"
#include "../common/numtext.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const quota_names[] = {"none", "proportional", "balanced", "sqrt", "rcap"};
static const char *const pick_names[] = {"top", "sample", "ccs"};

const char *cs_quota_name(cs_quota_mode q)
{
    return q >= CS_QUOTA_NONE && q <= CS_QUOTA_RCAP ? quota_names[q] : "?";
}

int cs_quota_parse(const char *s, cs_quota_mode *q)
{
    for (int i = 0; i <= CS_QUOTA_RCAP; i++)
        if (strcmp(s, quota_names[i]) == 0) {
            *q = (cs_quota_mode)i;
            return 0;
        }
    return cs_error(CS_EINVAL,
                    "unknown quota '%s' (none, proportional, balanced, sqrt, rcap)", s);
}

const char *cs_pick_name(cs_pick k)
{
    return k >= CS_PICK_TOP && k <= CS_PICK_CCS ? pick_names[k] : "?";
}

int cs_pick_parse(const char *s, cs_pick *k)
{
    for (int i = 0; i <= CS_PICK_CCS; i++)
        if (strcmp(s, pick_names[i]) == 0) {
            *k = (cs_pick)i;
            return 0;
        }
    return cs_error(CS_EINVAL, "unknown sampling '%s' (top, sample, ccs)", s);
}

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
