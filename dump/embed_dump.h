/* embed_dump.h - `coreset dump --embeddings`: a run's embeddings.h5
 * (formats/embed_file.h) as float32 for analysis elsewhere: one HDF5 file of
 * the selected epochs with the labels, one epoch as a NumPy .npy (N, D), or
 * long-format CSV.  Outputs are written to a temporary name and renamed into
 * place; one epoch is in memory at a time.  Formats: man/coreset-dump.1. */
#ifndef CS_EMBED_DUMP_H
#define CS_EMBED_DUMP_H

#include <stdint.h>
#include <stdio.h>

typedef enum cs_embed_dump_format { CS_EMBED_DUMP_CSV, CS_EMBED_DUMP_H5, CS_EMBED_DUMP_NPY } cs_embed_dump_format;

typedef struct cs_embed_dump_opts {
    cs_embed_dump_format format;
    const char *out;          /* the file; csv: NULL for stdout_fp */
    FILE *stdout_fp;
    int32_t first_epoch;      /* inclusive epoch range; 0: open end.  npy: one stored epoch
                               * (default: the last) */
    int32_t last_epoch;
    const int32_t *labels;    /* n labels for the h5 and csv outputs, or NULL */
    int64_t nlabels;
} cs_embed_dump_opts;

/* Export the embeddings file at `path` as `o` says; an epoch range holding no
 * stored epoch (or, for npy, more than one) is an error listing the stored ones. */
int cs_embed_dump(const char *path, const cs_embed_dump_opts *o);

#endif
