/* traj_dump.h - export a trajectory (formats/traj.h) for analysis outside
 * coreset: long-format CSV, one HDF5 file of (run, epoch, sample) arrays, or
 * a directory of raw little-endian column files (the layout the NumPy score
 * reference tests/ref_scores.py reads).
 *
 * Every frame's header and compressed payload are verified before anything
 * is written (so a damaged file leaves no output), then frames are streamed
 * one at a time, each verified again as it is decompressed: memory is
 * O(N * C), never O(N * T).  Outputs are written to a temporary name and
 * renamed into place.  Formats: man/coreset-dump.1. */
#ifndef CS_TRAJ_DUMP_H
#define CS_TRAJ_DUMP_H

#include <stdint.h>
#include <stdio.h>

typedef enum cs_dump_format { CS_DUMP_CSV, CS_DUMP_H5, CS_DUMP_RAW } cs_dump_format;

typedef struct cs_dump_opts {
    cs_dump_format format;
    const char *out;       /* csv: a file, or NULL for `stdout_fp`; h5: a file; raw: a directory */
    FILE *stdout_fp;       /* csv without `out` */
    uint32_t fields;       /* CS_TRAJ_* mask to export; 0: every field the file holds */
    const int32_t *runs;   /* runs to export (any order, no duplicates); NULL: every run present */
    int nruns;
    int32_t first_epoch;   /* inclusive epoch range; 0: from the first / to the last present */
    int32_t last_epoch;
} cs_dump_opts;

/* Parse "err,conf,probs" into a CS_TRAJ_* mask; an unknown name is an error
 * listing the known ones. */
int cs_traj_fields_parse(const char *list, uint32_t *mask);
/* The name of one field bit ("err", ..., "probs"), or NULL. */
const char *cs_traj_field_name(uint32_t bit);

/* Export the trajectory at `path` as `o` says.  CSV and HDF5 and raw need
 * no more than one frame in memory; HDF5 and raw need every selected run to
 * hold every selected epoch exactly once (an error names the gap). */
int cs_traj_dump(const char *path, const cs_dump_opts *o);

#endif
