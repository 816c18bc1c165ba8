/* outguard.h - no output of a command may replace one of its inputs.
 *
 * A command registers every file it reads (the dataset, the index file, the
 * files of the run folder it does not own) before it writes anything; every
 * writer (cs_afile_open, the HDF5 writers, dump's raw folder) asks
 * cs_guard_output first.  Files are compared by device and inode, so a
 * symlink, a hard link, "./x" or "../dir/x" naming an input is caught as
 * surely as its own name. */
#ifndef CS_OUTGUARD_H
#define CS_OUTGUARD_H

/* Register `path` as an input; a path that does not exist is ignored. */
int cs_guard_input(const char *path);
/* 0 when `path` is none of the registered inputs (or does not exist), else
 * CS_EINVAL: "refusing to write 'OUT': it is the input 'IN'". */
int cs_guard_output(const char *path);
/* Forget every registered input (tests; a process that starts over). */
void cs_guard_reset(void);

#endif
