/* h5_err.c - the errno inside HDF5's error stack, and HDF5's start-up. */
#include "h5_err.h"

#include <hdf5.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The errno of the last failed file write HDF5 reported, kept until an error
 * message takes it: the stack itself is cleared by the next API call, and
 * writers close their dataspaces and types before they build the message. */
static int pending_errno;

static herr_t find_errno(unsigned n, const H5E_error2_t *e, void *data)
{
    (void)n;
    int *out = data;
    const char *s = e->desc && strstr(e->desc, "write failed") ? strstr(e->desc, "errno = ") : NULL;
    if (s && !*out)
        *out = atoi(s + 8);
    return 0;
}

static int stack_errno(hid_t stack)
{
    int e = 0;
    H5Ewalk2(stack, H5E_WALK_DOWNWARD, find_errno, &e);
    return e > 0 ? e : 0;
}

/* HDF5's automatic error report, called as a failing API call returns:
 * instead of printing, remember a write's errno. */
static herr_t on_h5_error(hid_t stack, void *data)
{
    (void)data;
    int e = stack_errno(stack);
    if (e)
        pending_errno = e;
    return 0;
}

void cs_h5_quiet(void) { H5Eset_auto2(H5E_DEFAULT, on_h5_error, NULL); }

void cs_h5_startup(void)
{
    H5dont_atexit();
    cs_h5_quiet();
}

int cs_h5_errno(void)
{
    int e = stack_errno(H5E_DEFAULT);
    if (!e)
        e = pending_errno;
    pending_errno = 0;
    return e;
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
