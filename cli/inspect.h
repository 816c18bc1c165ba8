/* inspect.h - the summaries behind `coreset inspect`, one file per kind of input. */
#ifndef CS_INSPECT_H
#define CS_INSPECT_H

#include "../formats/dataset.h"

#include <stdio.h>

/* A dataset (HDF5, npz, npy, IDX file or folder): per split count, shape,
 * dtype, value range and class histogram. */
int inspect_dataset(FILE *out, const char *path, const cs_dataset_opts *opts, int json);
/* A WFDB record (PATH or PATH.hea): signals, rate, length, units, annotation counts. */
int inspect_wfdb(FILE *out, const char *record, int json);
/* 1 if `path` names a WFDB record (PATH.hea exists, or PATH ends in .hea). */
int inspect_is_wfdb(const char *path);

#endif
