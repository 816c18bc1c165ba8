/* err.h - error reporting for library code.
 *
 * Library functions never print and never exit: they return 0 on success or a
 * negative code, and leave a one-line message (lower case, no full stop, the
 * subject quoted: "cannot open 'x.h5': No such file or directory") in a
 * thread-local buffer.  Only the CLI prints it, as "coreset: error: <msg>". */
#ifndef CS_ERR_H
#define CS_ERR_H

#include <stddef.h>

enum {
    CS_OK = 0,
    CS_EIO = -1,      /* a file could not be opened, read or written */
    CS_EFORMAT = -2,  /* a file's contents are malformed or inconsistent */
    CS_EINVAL = -3,   /* a bad argument or configuration value */
    CS_ENOMEM = -4,   /* an allocation failed */
    CS_EUNSUP = -5,   /* a valid input we do not support */
    CS_EINTERNAL = -6, /* a library (HDF5, zstd, ...) failed unexpectedly */
    CS_EBUSY = -7,     /* another process holds what we need (a run folder's lock) */
    CS_ENOTRUN = -8    /* a folder that is not a run directory */
};

#if defined(__GNUC__)
#define CS_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define CS_PRINTF(a, b)
#endif

/* Set the message and return `code` (so: `return cs_error(CS_EFORMAT, ...)`). */
int cs_error(int code, const char *fmt, ...) CS_PRINTF(2, 3);
/* As cs_error, appending ": strerror(errno)" of the errno at the call. */
int cs_error_errno(int code, const char *fmt, ...) CS_PRINTF(2, 3);
/* Prepend context to the current message: "<ctx>: <old message>". */
void cs_error_prefix(const char *fmt, ...) CS_PRINTF(1, 2);
const char *cs_errmsg(void);
void cs_error_clear(void);

/* Allocation helpers that set the message on failure. */
void *cs_malloc(size_t n);
void *cs_calloc(size_t count, size_t size);

#endif
