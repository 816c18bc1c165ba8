/* inspect.h - the summaries behind `coreset inspect`, one file per kind of input. */
#ifndef CS_INSPECT_H
#define CS_INSPECT_H

#include "../datasets/dataset.h"

#include <stdio.h>

/* A dataset (HDF5, npz, npy, IDX file or folder): per split count, shape,
 * dtype, value range and class histogram. */
int inspect_dataset(FILE *out, const char *path, const cs_dataset_opts *opts, int json);
/* A WFDB record (PATH or PATH.hea): signals, rate, length, units, annotation counts. */
int inspect_wfdb(FILE *out, const char *record, int json);
/* An index file (coreset-index(5)): its header and the class histogram of
 * the selected samples, labels read from the source dataset. */
int inspect_index(FILE *out, const char *path);
/* 1 if `path` ends in .idx. */
int inspect_is_index(const char *path);
/* 1 if `path` names a WFDB record (PATH.hea exists, or PATH ends in .hea). */
int inspect_is_wfdb(const char *path);
/* A run directory (run.yaml, trajectory.cst, scores.h5, index files) or a
 * .cst file: dataset, shape, model, epochs and runs done of those planned,
 * effective epochs, trajectory size (every frame verified), scores with their
 * parameters, index files, per-epoch train loss and accuracy. */
int inspect_run(FILE *out, const char *path, int json);
/* 1 if `path` ends in .cst or is a directory holding run.yaml, trajectory.cst or scores.h5. */
int inspect_is_run(const char *path);
/* The trajectory of RUN: RUN/trajectory.cst for a directory, RUN itself for a
 * file; a missing RUN or trajectory is an error naming it. */
int inspect_run_trajectory(const char *run, char *out, size_t len);

#endif
