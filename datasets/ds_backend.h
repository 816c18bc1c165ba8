/* ds_backend.h - what dataset.c shares with the per-format readers (private).
 *
 * A reader's open function fills in the cs_dataset: its splits (through
 * ds_add_split, which checks label count against sample count and takes the
 * labels, already int32), class names if the file has them, and an ops table
 * whose read copies a sample range in the split's dtype.  dataset.c does the
 * checks common to every format: label range, NaN/Inf, argument ranges. */
#ifndef CS_DS_BACKEND_H
#define CS_DS_BACKEND_H

#include "dataset.h"
#include "../codecs/npy.h"

typedef struct ds_ops {
    /* Samples [start, start+count) of split s into x, in the split's dtype. */
    int (*read)(cs_dataset *ds, int s, int64_t start, int64_t count, void *x);
    void (*close)(void *ctx);
    /* Optional: what sample i of split s is (cs_dataset_sample_id). */
    const char *(*sample_id)(cs_dataset *ds, int s, int64_t i, char *buf, size_t cap);
} ds_ops;

struct cs_dataset {
    char *path;
    const char *format;
    const ds_ops *ops;
    void *ctx;
    int nsplits;
    cs_split_info split[CS_MAX_SPLITS];
    int32_t *labels[CS_MAX_SPLITS];
    int num_classes;
    int n_names;
    char **class_names;
    int64_t skipped; /* files left out as undecodable (cs_dataset_skipped) */
    /* Set by readers that decode: write the samples to a cache (cs_dataset_save_cache). */
    int (*save_cache)(cs_dataset *ds, const char *path);
};

/* A dataset reader: the kind a config names it by (dataset.kind), whether
 * its datasets are folders, the probe that recognises its paths for
 * dataset.kind auto, and the opener.  The readers are one table, in the
 * order auto-detection tries them (datasets/dataset.c, readers[]): adding
 * a reader is a file with its probe and opener and one entry there. */
typedef struct ds_reader {
    const char *kind;
    int folder;
    int (*probe)(const char *path); /* 1: the path looks like this kind's */
    int (*open)(cs_dataset *ds, const cs_dataset_opts *opts);
} ds_reader;

#define DS_READER(id)                                                                              \
    int ds_probe_##id(const char *path);                                                           \
    int ds_open_##id(cs_dataset *ds, const cs_dataset_opts *opts)
DS_READER(ptbxl);
DS_READER(beats);
DS_READER(cinc);
DS_READER(idx);
DS_READER(npz);
DS_READER(npy);
DS_READER(hdf5);
DS_READER(folder);

/* Probe helpers: a name's suffix (case-insensitive), a file in a folder, a
 * folder holding an entry with this suffix. */
int ds_has_suffix(const char *s, const char *suffix);
int ds_folder_has_file(const char *dir, const char *name);
int ds_folder_has_suffix(const char *dir, const char *suffix);

/* Add a split; takes ownership of labels (freed on error too).  shape is the
 * per-sample shape.  Fails if n_labels != n. */
int ds_add_split(cs_dataset *ds, const char *name, int64_t n, int rank, const int64_t *shape,
                 cs_dtype dtype, int32_t *labels, int64_t n_labels);
/* The dtype samples of element type t are read as: uint8 stays uint8, every
 * other type (other integers, float64) becomes float32. */
cs_dtype ds_dtype_for(npy_etype t);
size_t ds_dtype_size(cs_dtype t);
const char *ds_dtype_name(cs_dtype t);
/* n host-order elements of type t into dst as dtype dt (see ds_dtype_for). */
void ds_convert(void *dst, cs_dtype dt, const void *src, npy_etype t, size_t n);
/* Labels from an integer array (host order) into a new int32 array, refusing
 * non-integer types and values outside int32. */
int ds_labels_from(int32_t **out, const void *src, npy_etype t, size_t n, const char *what);
/* Read samples of an .npy source (C order, little-endian) into x as dt. */
int ds_read_npy(const npy_src *src, const npy_header *h, int64_t start, int64_t count, void *x,
                cs_dtype dt, const char *what);
/* Class names for the dataset (copied). */
int ds_set_class_names(cs_dataset *ds, const char *const *names, int n);
/* Canonical split name for a file prefix: train, val(idation), test/t10k; NULL if none. */
const char *ds_split_name(const char *prefix, size_t len);

#endif
