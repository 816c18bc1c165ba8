/* h5_err.h - HDF5 errors as coreset messages, with the system's reason.
 *
 * HDF5 keeps the errno of a failed read or write inside the text of its error
 * stack ("..., errno = 28, error message = 'No space left on device', ...")
 * and returns only -1, so "No space left on device" would never reach the
 * user.  cs_h5_error reads it back.  cs_h5_startup stops HDF5 from closing
 * files at exit: HDF5 1.10 leaves a file whose close failed (a full disk) in
 * its table half freed and crashes closing it again at exit. */
#ifndef CS_H5_ERR_H
#define CS_H5_ERR_H

#include "../common/err.h"

/* Once, before any other HDF5 call: no atexit close, no error printing. */
void cs_h5_startup(void);
/* No error printing; failed writes' errno is remembered for cs_h5_error
 * (every HDF5 user calls this before its first HDF5 call). */
void cs_h5_quiet(void);
/* The errno of the last failed write (on the current stack, else the one
 * remembered since), or 0; taking it forgets it. */
int cs_h5_errno(void);
/* As cs_error, appending ": <strerror>" when HDF5's stack holds an errno. */
int cs_h5_error(int code, const char *fmt, ...) CS_PRINTF(2, 3);

#endif
