/* dataset.h - one interface over every dataset file format.
 *
 * A dataset has named splits ("train", "val", "test"); each split holds n
 * samples of one per-sample shape and dtype (uint8 or float32) and n integer
 * labels in [0, num_classes).  Readers stream: cs_dataset_read copies a range
 * of samples into the caller's buffer, so a dataset never has to fit in memory
 * twice.  Formats: HDF5, NumPy .npy/.npz (MedMNIST layout), IDX (.gz too).
 * The opener picks the format from the path (file suffix, or a directory). */
#ifndef CS_DATASET_H
#define CS_DATASET_H

#include <stddef.h>
#include <stdint.h>

#define CS_MAX_RANK 8
#define CS_MAX_SPLITS 4

typedef enum cs_dtype { CS_U8 = 1, CS_F32 = 2 } cs_dtype;

typedef struct cs_split_info {
    char name[16];                /* "train", "val", "test" */
    int64_t n;                    /* sample count */
    int rank;                     /* rank of one sample (e.g. 2 for 28x28, 3 for 3x32x32) */
    int64_t shape[CS_MAX_RANK];   /* per-sample shape */
    cs_dtype dtype;               /* storage type of samples as read */
} cs_split_info;

typedef struct cs_dataset_opts {
    const char *images_name; /* HDF5/npz sample dataset name; NULL = try defaults */
    const char *labels_name; /* HDF5/npz label dataset name; NULL = try defaults */
    int num_classes;         /* 0 = infer (class-name list, else max label + 1) */
} cs_dataset_opts;

typedef struct cs_dataset cs_dataset; /* opaque */

/* Open a dataset; validates headers, shapes and that label count == sample count. */
int cs_dataset_open(cs_dataset **out, const char *path, const cs_dataset_opts *opts);
void cs_dataset_free(cs_dataset *ds); /* NULL is fine */

const char *cs_dataset_path(const cs_dataset *ds);
const char *cs_dataset_format(const cs_dataset *ds); /* "hdf5", "npz", "npy", "idx" */
int cs_dataset_num_splits(const cs_dataset *ds);
const cs_split_info *cs_dataset_split_at(const cs_dataset *ds, int i);
/* NULL if the dataset has no such split. */
const cs_split_info *cs_dataset_split(const cs_dataset *ds, const char *name);
int cs_dataset_num_classes(const cs_dataset *ds);
/* Class name, or NULL where the file has none. */
const char *cs_dataset_class_name(const cs_dataset *ds, int c);

/* Elements in one sample (product of the shape). */
int64_t cs_split_sample_elems(const cs_split_info *s);

/* Copy samples [start, start+count) of a split into x (count * elems values of
 * the split's dtype) and their labels into y (either may be NULL).  Float data
 * is checked for NaN/Inf and labels for range; either is an error naming the
 * file, the split and the first bad index. */
int cs_dataset_read(cs_dataset *ds, const char *split, int64_t start, int64_t count, void *x,
                    int32_t *y);
/* As cs_dataset_read, converting samples to float32 (uint8 values kept as 0..255). */
int cs_dataset_read_f32(cs_dataset *ds, const char *split, int64_t start, int64_t count, float *x,
                        int32_t *y);

#endif
