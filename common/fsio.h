/* fsio.h - whole-file reads and crash-safe writes.
 *
 * Every file coreset writes goes through cs_afile: a temporary file beside the
 * target, fsynced and renamed into place, so a reader sees the old file or the
 * new one, never half of one.  cs_afile_abort removes the temporary file, and
 * so does a fatal signal (common/tmpfiles.h).  cs_afile_open refuses a target
 * that is one of the command's inputs (common/outguard.h). */
#ifndef CS_FSIO_H
#define CS_FSIO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct cs_afile {
    FILE *fp;        /* write here */
    char *path;      /* final path */
    char *tmp_path;  /* temporary path in the same directory: <path>.tmp.<pid>.XXXXXX */
    int tmp_slot;    /* its entry in the signal handler's registry, plus 1 (0: none) */
} cs_afile;

int cs_afile_open(cs_afile *af, const char *path);
int cs_afile_commit(cs_afile *af); /* flush, fsync, rename, fsync dir; releases af */
void cs_afile_abort(cs_afile *af); /* close and unlink the temporary; safe to call twice */

/* Read a whole file into a malloc'd buffer (NUL-terminated for convenience). */
int cs_read_file(const char *path, uint8_t **buf, size_t *len);
/* 0 if `path`'s directory exists and is writable, else an error naming it. */
int cs_check_output_dir(const char *path);
int cs_path_is_dir(const char *path);
int cs_path_exists(const char *path);
/* mkdir -p for one level (the parent must exist); existing directories are fine. */
int cs_mkdir(const char *path);
/* fsync a directory so a rename inside it is durable. */
int cs_fsync_dir(const char *dir);
/* The folder part of a path ("." for a bare name), malloc'd; NULL when out of memory. */
char *cs_dir_of(const char *path);

#endif
