/* h5_err.c - the errno inside HDF5's error stack, and HDF5's start-up. */
#include "h5_err.h"

#include <hdf5.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cs_h5_startup(void)
{
    H5dont_atexit();
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

static herr_t find_errno(unsigned n, const H5E_error2_t *e, void *data)
{
    (void)n;
    int *out = data;
    const char *s = e->desc ? strstr(e->desc, "errno = ") : NULL;
    if (s && !*out)
        *out = atoi(s + 8);
    return 0;
}

int cs_h5_errno(void)
{
    int e = 0;
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, find_errno, &e);
    return e > 0 ? e : 0;
}

int cs_h5_error(int code, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    int e = cs_h5_errno();
    if (e)
        return cs_error(code, "%s: %s", msg, strerror(e));
    return cs_error(code, "%s", msg);
}
