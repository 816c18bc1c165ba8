/* log.h - talk on stderr at a chosen verbosity (data goes to stdout).
 * 0 = quiet (-q: errors only), 1 = normal, 2 = verbose (-v). */
#ifndef CS_LOG_H
#define CS_LOG_H

#include "err.h"

extern int cs_verbosity;

void cs_info(const char *fmt, ...) CS_PRINTF(1, 2);    /* shown unless -q */
void cs_verbose(const char *fmt, ...) CS_PRINTF(1, 2); /* shown with -v */
void cs_warn(const char *fmt, ...) CS_PRINTF(1, 2);    /* "coreset: warning: ..." unless -q */
/* A progress line: rewritten in place on a terminal, one line each otherwise. */
void cs_progress(const char *fmt, ...) CS_PRINTF(1, 2);
/* End a run of progress lines (newline on a terminal). */
void cs_progress_done(void);

#endif
