/* ecg_opts.c - the ECG readers' options: their defaults, and the fold and
 * record lists they are given as text. */
#include "ds_ecg.h"

#include "../common/err.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* de Chazal, O'Dwyer and Reilly (IEEE TBME 2004): the inter-patient split of
 * MIT-BIH, paced records 102, 104, 107 and 217 left out. */
static const char ds1[] = "101,106,108,109,112,114,115,116,118,119,122,124,201,203,205,207,208,209,"
                          "215,220,223,230";
static const char ds2[] = "100,103,105,111,113,117,121,123,200,202,210,212,213,214,219,221,222,"
                          "228,231,232,233,234";

void cs_ecg_opts_default(cs_ecg_opts *o)
{
    memset(o, 0, sizeof *o);
    o->rate = 100;
    o->train_folds = "1-8";
    o->val_folds = "9";
    o->test_folds = "10";
    o->beat_before = 0.25;
    o->beat_after = 0.45;
    o->beat_length = 256;
    o->test_fraction = 0.2;
    o->train_records = "DS1";
    o->val_records = "";
    o->test_records = "DS2";
    o->cinc_rate = 500;
    o->cinc_length = 5000;
}

static int parse_num(const char **p, long *v)
{
    if (!isdigit((unsigned char)**p))
        return -1;
    char *end;
    *v = strtol(*p, &end, 10);
    *p = end;
    return *v > 1000000 ? -1 : 0;
}

int ecg_parse_numbers(const char *spec, int lo, int hi, uint8_t *member, const char *what)
{
    const char *p = spec;
    while (*p == ' ')
        p++;
    if (!*p)
        return 0;
    for (;;) {
        long a, b;
        while (*p == ' ')
            p++;
        if (parse_num(&p, &a))
            return cs_error(CS_EINVAL, "%s: expected numbers and ranges such as 1-8 or 1,3,5, got '%s'", what,
                            spec);
        b = a;
        if (*p == '-') {
            p++;
            if (parse_num(&p, &b) || b < a)
                return cs_error(CS_EINVAL, "%s: bad range in '%s'", what, spec);
        }
        if (a < lo || b > hi)
            return cs_error(CS_EINVAL, "%s: '%s' goes outside %d..%d", what, spec, lo, hi);
        for (long k = a; k <= b; k++)
            member[k] = 1;
        while (*p == ' ')
            p++;
        if (!*p)
            return 0;
        if (*p++ != ',')
            return cs_error(CS_EINVAL, "%s: expected numbers and ranges such as 1-8 or 1,3,5, got '%s'", what,
                            spec);
    }
}

/* 1 if `name` is one of the comma-separated entries of list[0..len). */
static int in_plain_list(const char *name, const char *list, size_t len)
{
    size_t n = strlen(name);
    const char *p = list, *end = list + len;
    while (p < end) {
        while (p < end && *p == ' ')
            p++;
        const char *q = p;
        while (q < end && *q != ',')
            q++;
        const char *t = q;
        while (t > p && t[-1] == ' ')
            t--;
        if ((size_t)(t - p) == n && !strncmp(p, name, n))
            return 1;
        p = q + 1;
    }
    return 0;
}

int ecg_name_listed(const char *name, const char *list)
{
    if (!list)
        return 0;
    if (in_plain_list("DS1", list, strlen(list)) && in_plain_list(name, ds1, sizeof ds1 - 1))
        return 1;
    if (in_plain_list("DS2", list, strlen(list)) && in_plain_list(name, ds2, sizeof ds2 - 1))
        return 1;
    return in_plain_list(name, list, strlen(list));
}
