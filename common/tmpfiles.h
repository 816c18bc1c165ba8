/* tmpfiles.h - the temporary files this process has on disk, removed on a
 * fatal signal and swept at the next run when their writer died.
 *
 * Every temporary file coreset writes (cs_afile, HDF5's temporaries, dump's
 * raw folder) is named "<target>.tmp.<pid>.<random>" and registered here while
 * it exists.  On SIGINT, SIGTERM or SIGHUP the handler unlinks every
 * registered path (unlink and rmdir are async-signal-safe), then dies of the
 * same signal, so an interrupted export leaves nothing behind.  A writer killed
 * by SIGKILL cannot clean up: the next writer of the same target, or the next
 * `coreset score` of the run folder, removes the temporaries whose pid no
 * longer runs (cs_tmp_sweep). */
#ifndef CS_TMPFILES_H
#define CS_TMPFILES_H

#include <stddef.h>

/* Install the handlers for SIGINT, SIGTERM and SIGHUP (once, from main). */
void cs_tmp_install_signals(void);

/* Register a temporary file (is_dir 0) or folder (is_dir 1) by path; the path
 * is copied.  Returns a slot for cs_tmp_forget, or -1 when the table is full
 * (the file is then only not removed on a signal: not an error). */
int cs_tmp_register(const char *path, int is_dir);
/* The file of `slot` was renamed or removed: stop tracking it (slot -1: no-op). */
void cs_tmp_forget(int slot);

/* "<target>.tmp.<pid>.XXXXXX", this process's pid: the template for mkstemp
 * or mkdtemp.  Returns 0, or CS_EINVAL when it does not fit in n bytes. */
int cs_tmp_template(char *buf, size_t n, const char *target);

/* Remove the temporaries in `dir` whose writer is dead: names
 * "<prefix>.tmp.<pid>.<6 chars>" (prefix NULL: any prefix) whose pid is not
 * a running process.  Folders are removed with the files in them.  Returns the
 * number removed; failures are ignored (the next sweep tries again). */
int cs_tmp_sweep(const char *dir, const char *prefix);

#endif
